//===- tfevents_test.cpp - TensorBoard event files ------------------------===//

#include "ScratchDir.h"

#include "kiln/crc32c.h"
#include "kiln/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <vector>

namespace {

using kiln::test::ScratchDir;
using testing::HasSubstr;
using testing::MatchesRegex;
using testing::StartsWith;

/// The fields of an Event this writer emits.
struct Event {
  double wallTime = 0;
  int64_t step = -1;
  std::string fileVersion, tag;
  float value = 0;
  int values = 0;
};

uint64_t littleEndian(const std::string &bytes, size_t at, int size) {
  uint64_t value = 0;
  for (int i = size - 1; i >= 0; --i)
    value = value << 8 | uint8_t(bytes.at(at + i));
  return value;
}

/// A protobuf reader, enough for the fields above. Each call reads one
/// field; `payload` holds a length-delimited field's bytes, `number` the
/// bits of any other.
struct ProtoReader {
  const std::string &bytes;
  size_t at = 0;

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t byte = bytes.at(at++);
      value |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return value;
    }
  }
  int next(uint64_t &number, std::string &payload) {
    uint64_t key = varint();
    switch (key & 7) {
    case 0:
      number = varint();
      break;
    case 1:
      number = littleEndian(bytes, at, 8);
      at += 8;
      break;
    case 2: {
      uint64_t size = varint();
      payload = bytes.substr(at, size);
      EXPECT_EQ(payload.size(), size);
      at += size;
      break;
    }
    case 5:
      number = littleEndian(bytes, at, 4);
      at += 4;
      break;
    default:
      ADD_FAILURE() << "wire type " << (key & 7);
    }
    return int(key >> 3);
  }
};

Event decodeEvent(const std::string &data) {
  Event event;
  ProtoReader reader{data};
  while (reader.at < data.size()) {
    uint64_t number = 0;
    std::string payload;
    switch (reader.next(number, payload)) {
    case 1:
      std::memcpy(&event.wallTime, &number, 8);
      break;
    case 2:
      event.step = int64_t(number);
      break;
    case 3:
      event.fileVersion = payload;
      break;
    case 5: {
      ProtoReader summary{payload};
      while (summary.at < payload.size()) {
        std::string valueBytes;
        EXPECT_EQ(summary.next(number, valueBytes), 1);
        ++event.values;
        ProtoReader value{valueBytes};
        while (value.at < valueBytes.size()) {
          std::string tag;
          int field = value.next(number, tag);
          if (field == 1)
            event.tag = tag;
          uint32_t bits = uint32_t(number);
          if (field == 2)
            std::memcpy(&event.value, &bits, 4);
        }
      }
      break;
    }
    default:
      ADD_FAILURE() << "unexpected Event field";
    }
  }
  return event;
}

/// Reads every TFRecord of an event file, checking the framing and CRCs.
std::vector<Event> readEvents(const std::string &path) {
  std::string bytes = kiln::test::readFile(path);
  std::vector<Event> events;
  for (size_t at = 0; at < bytes.size();) {
    uint64_t size = littleEndian(bytes, at, 8);
    EXPECT_EQ(littleEndian(bytes, at + 8, 4),
              kiln::crc32cMask(kiln::crc32c(bytes.data() + at, 8)))
        << "length CRC at byte " << at;
    std::string data = bytes.substr(at + 12, size);
    EXPECT_EQ(littleEndian(bytes, at + 12 + size, 4),
              kiln::crc32cMask(kiln::crc32c(data.data(), data.size())))
        << "data CRC at byte " << at;
    events.push_back(decodeEvent(data));
    at += 12 + size + 4;
  }
  return events;
}

TEST(TfEvents, FileNameAndRecords) {
  ScratchDir dir;
  kiln_tfevents *events = kiln_tfevents_open(dir.path().c_str());
  ASSERT_NE(events, nullptr) << kiln_last_error();
  std::string path = kiln_tfevents_path(events);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::string name = std::filesystem::path(path).filename().string();
  EXPECT_THAT(name, MatchesRegex("events\\.out\\.tfevents\\.[0-9]+\\." +
                                 std::string(host)));
  ASSERT_EQ(kiln_tfevents_scalar(events, 0, "loss", 2.5f), 0);
  ASSERT_EQ(kiln_tfevents_scalar(events, 1LL << 40, "acc/task0", 0.1f), 0);
  ASSERT_EQ(kiln_tfevents_scalar(events, -3, "neg", -0.0f), 0);
  // Flushed per event: complete before the writer closes.
  std::vector<Event> read = readEvents(path);
  kiln_tfevents_close(events);

  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read[0].fileVersion, "brain.Event:2");
  EXPECT_EQ(read[0].values, 0);
  EXPECT_GT(read[0].wallTime, 1.7e9);
  EXPECT_EQ(read[1].step, 0);
  EXPECT_EQ(read[1].tag, "loss");
  EXPECT_EQ(read[1].value, 2.5f);
  EXPECT_EQ(read[1].values, 1);
  EXPECT_EQ(read[2].step, 1LL << 40);
  EXPECT_EQ(read[2].tag, "acc/task0");
  EXPECT_EQ(read[2].value, 0.1f);
  EXPECT_EQ(read[3].step, -3);
  EXPECT_TRUE(std::signbit(read[3].value));
  EXPECT_GE(read[3].wallTime, read[1].wallTime);
}

TEST(TfEvents, WritersNeverShareAFile) {
  ScratchDir dir;
  kiln_tfevents *a = kiln_tfevents_open(dir.path().c_str());
  kiln_tfevents *b = kiln_tfevents_open(dir.path().c_str());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(std::string(kiln_tfevents_path(a)), kiln_tfevents_path(b));
  EXPECT_THAT(kiln_tfevents_path(b), HasSubstr("events.out.tfevents."));
  kiln_tfevents_close(a);
  kiln_tfevents_close(b);
}

TEST(TfEvents, OpenFailsOnAFile) {
  ScratchDir dir;
  kiln::test::writeFile(dir / "file", "x");
  EXPECT_EQ(kiln_tfevents_open((dir / "file").c_str()), nullptr);
  EXPECT_THAT(kiln_last_error(), StartsWith(dir / "file"));
}

// TensorBoard's own reader, where the tensorboard package is installed.
TEST(TfEvents, TensorBoardReadsTheFile) {
  const char *loader = "from tensorboard.backend.event_processing."
                       "event_file_loader import LegacyEventFileLoader";
  if (!kiln::test::pythonRuns(loader))
    GTEST_SKIP() << "the tensorboard Python package is not importable";
  ScratchDir dir;
  kiln_tfevents *events = kiln_tfevents_open(dir.path().c_str());
  ASSERT_NE(events, nullptr);
  ASSERT_EQ(kiln_tfevents_scalar(events, 7, "acc/task0", 0.75f), 0);
  ASSERT_EQ(kiln_tfevents_scalar(events, 8, "loss", 1e-3f), 0);
  std::string path = kiln_tfevents_path(events);
  kiln_tfevents_close(events);
  std::string script =
      std::string(loader) +
      "\nimport sys\n"
      "out = open(sys.argv[2], \"w\")\n"
      "for e in LegacyEventFileLoader(sys.argv[1]).Load():\n"
      "    out.write(\"%s %d\" % (e.file_version, e.step))\n"
      "    for v in e.summary.value:\n"
      "        out.write(\" %s %.9g\" % (v.tag, v.simple_value))\n"
      "    out.write(\"\\n\")\n";
  kiln::test::writeFile(dir / "read.py", script);
  ASSERT_EQ(std::system(("python3 " + (dir / "read.py") + " " + path + " " +
                         (dir / "out.txt"))
                            .c_str()),
            0);
  EXPECT_EQ(kiln::test::readFile(dir / "out.txt"), "brain.Event:2 0\n"
                                                   " 7 acc/task0 0.75\n"
                                                   " 8 loss 0.00100000005\n");
}

} // namespace
