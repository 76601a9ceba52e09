//===- metrics.cpp - Scalar metrics as JSON lines -------------------------===//

#include "support.h"

#include "kiln/runtime.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

struct kiln_metrics {
  std::string path;
  FILE *file;
  uint64_t size;
};

namespace {

constexpr const char *kFields[] = {"step", "name", "value", "time"};

bool isReserved(const char *key, const kiln_metric_tag *tags, size_t index) {
  for (const char *field : kFields)
    if (std::strcmp(key, field) == 0)
      return true;
  for (size_t i = 0; i < index; ++i)
    if (std::strcmp(key, tags[i].key) == 0)
      return true;
  return false;
}

int32_t logLine(kiln_metrics *metrics, int64_t step, const char *name,
                const std::string &value, const kiln_metric_tag *tags,
                size_t numTags) {
  std::string line = "{\"step\":" + std::to_string(step) + ",\"name\":";
  kiln::json::appendString(line, name);
  line += ",\"value\":" + value + ",\"time\":";
  kiln::json::appendF64(line,
                        std::chrono::duration<double>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
  for (size_t i = 0; i < numTags; ++i) {
    if (isReserved(tags[i].key, tags, i)) {
      kiln::setLastError(metrics->path + ": tag key '" + tags[i].key +
                         "' repeats a field of the line");
      return -1;
    }
    line += ',';
    kiln::json::appendString(line, tags[i].key);
    line += ':';
    if (tags[i].string_value)
      kiln::json::appendString(line, tags[i].string_value);
    else
      line += std::to_string(tags[i].int_value);
  }
  line += "}\n";
  if (std::fwrite(line.data(), 1, line.size(), metrics->file) != line.size() ||
      std::fflush(metrics->file) != 0) {
    kiln::setLastError(kiln::systemError(metrics->path));
    return -1;
  }
  metrics->size += line.size();
  return 0;
}

} // namespace

extern "C" {

kiln_metrics *kiln_metrics_open(const char *dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    kiln::setLastError(std::string(dir) + ": " + error.message());
    return nullptr;
  }
  std::string path = (std::filesystem::path(dir) / "metrics.jsonl").string();
  FILE *file = std::fopen(path.c_str(), "ab");
  long size =
      file && std::fseek(file, 0, SEEK_END) == 0 ? std::ftell(file) : -1;
  if (size < 0) {
    kiln::setLastError(kiln::systemError(path));
    if (file)
      std::fclose(file);
    return nullptr;
  }
  return new kiln_metrics{std::move(path), file, uint64_t(size)};
}

int32_t kiln_metrics_log_f32(kiln_metrics *metrics, int64_t step,
                             const char *name, float value,
                             const kiln_metric_tag *tags, size_t num_tags) {
  std::string text;
  kiln::json::appendF32(text, value);
  return logLine(metrics, step, name, text, tags, num_tags);
}

int32_t kiln_metrics_log_f64(kiln_metrics *metrics, int64_t step,
                             const char *name, double value,
                             const kiln_metric_tag *tags, size_t num_tags) {
  std::string text;
  kiln::json::appendF64(text, value);
  return logLine(metrics, step, name, text, tags, num_tags);
}

uint64_t kiln_metrics_size(const kiln_metrics *metrics) {
  return metrics->size;
}

int32_t kiln_metrics_sync(kiln_metrics *metrics) {
  if (std::fflush(metrics->file) != 0 || ::fsync(fileno(metrics->file)) != 0) {
    kiln::setLastError(kiln::systemError(metrics->path));
    return -1;
  }
  return 0;
}

void kiln_metrics_close(kiln_metrics *metrics) {
  std::fclose(metrics->file);
  delete metrics;
}

} // extern "C"
