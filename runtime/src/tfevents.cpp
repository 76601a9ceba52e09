//===- tfevents.cpp - TensorBoard event files -----------------------------===//
//
// An event file is a sequence of TFRecords, each
//   uint64 length, uint32 masked CRC-32C of the length,
//   length bytes of data, uint32 masked CRC-32C of the data
// (little-endian), whose data is a serialized tensorflow.Event. The few
// fields written are encoded by hand:
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3;
//             Summary summary = 5; }
//   Summary { repeated Value value = 1; }
//   Value   { string tag = 1; float simple_value = 2; }
//
//===----------------------------------------------------------------------===//

#include "support.h"

#include "kiln/crc32c.h"
#include "kiln/runtime.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

struct kiln_tfevents {
  std::string path;
  FILE *file;
};

namespace {

enum WireType { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

void appendLittleEndian(std::string &out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out += char(value >> (8 * i));
}

void appendVarint(std::string &out, uint64_t value) {
  for (; value >= 0x80; value >>= 7)
    out += char(value | 0x80);
  out += char(value);
}

void appendKey(std::string &out, int field, WireType type) {
  appendVarint(out, uint64_t(field) << 3 | type);
}

void appendBytes(std::string &out, int field, const std::string &bytes) {
  appendKey(out, field, kLengthDelimited);
  appendVarint(out, bytes.size());
  out += bytes;
}

/// An Event with its wall time and step; the caller appends the rest.
std::string eventHeader(int64_t step) {
  double now = std::chrono::duration<double>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  uint64_t bits;
  std::memcpy(&bits, &now, sizeof bits);
  std::string event;
  appendKey(event, 1, kFixed64);
  appendLittleEndian(event, bits, 8);
  appendKey(event, 2, kVarint);
  appendVarint(event, uint64_t(step));
  return event;
}

int32_t writeRecord(kiln_tfevents *events, const std::string &data) {
  std::string record;
  appendLittleEndian(record, data.size(), 8);
  appendLittleEndian(record, kiln::crc32cMask(kiln::crc32c(record.data(), 8)),
                     4);
  record += data;
  appendLittleEndian(
      record, kiln::crc32cMask(kiln::crc32c(data.data(), data.size())), 4);
  if (std::fwrite(record.data(), 1, record.size(), events->file) !=
          record.size() ||
      std::fflush(events->file) != 0) {
    kiln::setLastError(kiln::systemError(events->path));
    return -1;
  }
  return 0;
}

} // namespace

extern "C" {

kiln_tfevents *kiln_tfevents_open(const char *dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    kiln::setLastError(std::string(dir) + ": " + error.message());
    return nullptr;
  }
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  std::string base =
      (std::filesystem::path(dir) /
       ("events.out.tfevents." +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count()) +
        "." + host))
          .string();
  // Never append to another writer's file: take the first free name.
  std::string path = base;
  FILE *file;
  for (int suffix = 1;
       !(file = std::fopen(path.c_str(), "wbx")) && errno == EEXIST; ++suffix)
    path = base + "." + std::to_string(suffix);
  if (!file) {
    kiln::setLastError(kiln::systemError(path));
    return nullptr;
  }
  auto *events = new kiln_tfevents{path, file};
  std::string first = eventHeader(0);
  appendBytes(first, 3, "brain.Event:2");
  if (writeRecord(events, first) != 0) {
    kiln_tfevents_close(events);
    return nullptr;
  }
  return events;
}

int32_t kiln_tfevents_scalar(kiln_tfevents *events, int64_t step,
                             const char *tag, float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  std::string summaryValue;
  appendBytes(summaryValue, 1, tag);
  appendKey(summaryValue, 2, kFixed32);
  appendLittleEndian(summaryValue, bits, 4);
  std::string summary;
  appendBytes(summary, 1, summaryValue);
  std::string event = eventHeader(step);
  appendBytes(event, 5, summary);
  return writeRecord(events, event);
}

const char *kiln_tfevents_path(const kiln_tfevents *events) {
  return events->path.c_str();
}

void kiln_tfevents_close(kiln_tfevents *events) {
  std::fclose(events->file);
  delete events;
}

} // extern "C"
