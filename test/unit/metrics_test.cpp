//===- metrics_test.cpp - Scalar metrics as JSON lines --------------------===//

#include "ScratchDir.h"

#include "kiln/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>
#include <vector>

namespace {

using kiln::test::ScratchDir;
using testing::HasSubstr;
using testing::MatchesRegex;

std::vector<std::string> lines(const std::string &path) {
  std::istringstream in(kiln::test::readFile(path));
  std::vector<std::string> result;
  for (std::string line; std::getline(in, line);)
    result.push_back(line);
  return result;
}

/// The text of "value" in a line written without tags.
std::string valueText(const std::string &line) {
  size_t start = line.find("\"value\":") + 8;
  return line.substr(start, line.find(",\"time\"") - start);
}

TEST(Metrics, LineFormatAndTags) {
  ScratchDir dir;
  kiln_metrics *metrics = kiln_metrics_open(dir.path().c_str());
  ASSERT_NE(metrics, nullptr) << kiln_last_error();
  kiln_metric_tag tags[] = {{"task", nullptr, 3}, {"policy", "powerlaw", 0}};
  ASSERT_EQ(kiln_metrics_log_f32(metrics, 7, "acc/task3", 0.9125f, tags, 2), 0);
  ASSERT_EQ(kiln_metrics_log_f64(metrics, -1, "loss", 0.1, nullptr, 0), 0);
  kiln_metrics_close(metrics);

  std::vector<std::string> written = lines(dir / "metrics.jsonl");
  ASSERT_EQ(written.size(), 2u);
  EXPECT_THAT(
      written[0],
      MatchesRegex(R"(\{"step":7,"name":"acc/task3","value":0\.9125,)"
                   R"("time":[0-9.e+]+,"task":3,"policy":"powerlaw"\})"));
  EXPECT_THAT(written[1], MatchesRegex(R"(\{"step":-1,"name":"loss",)"
                                       R"("value":0\.1,"time":[0-9.e+]+\})"));
  // The time is now, in seconds since the epoch.
  size_t time = written[1].find("\"time\":") + 7;
  double seconds = std::strtod(written[1].c_str() + time, nullptr);
  EXPECT_GT(seconds, 1.7e9);
  EXPECT_LT(seconds, 4.1e9);
}

TEST(Metrics, EscapesNames) {
  ScratchDir dir;
  kiln_metrics *metrics = kiln_metrics_open(dir.path().c_str());
  ASSERT_NE(metrics, nullptr);
  kiln_metric_tag tag = {"k\"ey", "v\\al\n", 0};
  ASSERT_EQ(
      kiln_metrics_log_f32(metrics, 0, "a\"b\\c\nd\te\x01/\x1f", 1.0f, &tag, 1),
      0);
  kiln_metrics_close(metrics);
  std::string line = lines(dir / "metrics.jsonl").at(0);
  EXPECT_THAT(line, HasSubstr(R"("name":"a\"b\\c\nd\te\u0001/\u001f",)"));
  EXPECT_THAT(line, HasSubstr(R"("value":1,)"));
  EXPECT_THAT(line, HasSubstr(R"("k\"ey":"v\\al\n"})"));
}

TEST(Metrics, ValuesRoundTripExactly) {
  ScratchDir dir;
  kiln_metrics *metrics = kiln_metrics_open(dir.path().c_str());
  ASSERT_NE(metrics, nullptr);
  std::vector<float> floats = {0.1f,
                               1.0f / 3,
                               -0.0f,
                               123456789.0f,
                               std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::min(),
                               std::numeric_limits<float>::denorm_min()};
  kiln_philox_block bits{};
  for (uint64_t i = 0; floats.size() < 2000; ++i) {
    bits = kiln_philox4x32(1, 2, i);
    for (uint32_t word : bits.words) {
      float f;
      std::memcpy(&f, &word, sizeof f);
      if (std::isfinite(f))
        floats.push_back(f);
    }
  }
  std::vector<double> doubles = {0.1, 1.0 / 3, 1e300, 5e-324, -2.5};
  for (float f : floats)
    doubles.push_back(double(f) * (1 + 1e-12));
  for (float f : floats)
    ASSERT_EQ(kiln_metrics_log_f32(metrics, 0, "f", f, nullptr, 0), 0);
  for (double d : doubles)
    ASSERT_EQ(kiln_metrics_log_f64(metrics, 0, "d", d, nullptr, 0), 0);
  kiln_metrics_close(metrics);

  std::vector<std::string> written = lines(dir / "metrics.jsonl");
  ASSERT_EQ(written.size(), floats.size() + doubles.size());
  for (size_t i = 0; i < floats.size(); ++i) {
    std::string text = valueText(written[i]);
    float back = std::strtof(text.c_str(), nullptr);
    ASSERT_EQ(std::memcmp(&back, &floats[i], sizeof back), 0)
        << floats[i] << " printed as " << text;
    ASSERT_LE(text.size(), 15u) << text; // at most 9 digits
  }
  for (size_t i = 0; i < doubles.size(); ++i) {
    std::string text = valueText(written[floats.size() + i]);
    ASSERT_EQ(std::strtod(text.c_str(), nullptr), doubles[i]) << text;
  }
  EXPECT_EQ(valueText(written[0]), "0.1");
  EXPECT_EQ(valueText(written[2]), "-0");
  EXPECT_EQ(valueText(written[floats.size()]), "0.1");
}

TEST(Metrics, NonFiniteValues) {
  ScratchDir dir;
  kiln_metrics *metrics = kiln_metrics_open(dir.path().c_str());
  ASSERT_NE(metrics, nullptr);
  for (float f : {std::nanf(""), INFINITY, -INFINITY})
    ASSERT_EQ(kiln_metrics_log_f32(metrics, 0, "x", f, nullptr, 0), 0);
  kiln_metrics_close(metrics);
  std::vector<std::string> written = lines(dir / "metrics.jsonl");
  EXPECT_EQ(valueText(written[0]), "NaN");
  EXPECT_EQ(valueText(written[1]), "Infinity");
  EXPECT_EQ(valueText(written[2]), "-Infinity");
}

TEST(Metrics, PythonJsonReadsTheLines) {
  if (!kiln::test::pythonRuns("import json"))
    GTEST_SKIP() << "python3 is not available";
  ScratchDir dir;
  kiln_metrics *metrics = kiln_metrics_open(dir.path().c_str());
  ASSERT_NE(metrics, nullptr);
  kiln_metric_tag tag = {"task", nullptr, -4};
  ASSERT_EQ(kiln_metrics_log_f32(metrics, 5, "q\"\\\n\x02", 0.3f, &tag, 1), 0);
  ASSERT_EQ(kiln_metrics_log_f64(metrics, 6, "nan", NAN, nullptr, 0), 0);
  kiln_metrics_close(metrics);
  std::string check =
      "import json, struct, sys\n"
      "rows = [json.loads(l) for l in open(sys.argv[1])]\n"
      "assert rows[0][\"name\"] == \"q\\\"\\\\\\n\\x02\", rows[0]\n"
      "assert rows[0][\"step\"] == 5 and rows[0][\"task\"] == -4\n"
      "assert struct.pack(\"f\", rows[0][\"value\"]) == struct.pack(\"f\", "
      "0.3)\n"
      "assert rows[1][\"value\"] != rows[1][\"value\"]\n";
  kiln::test::writeFile(dir / "check.py", check);
  EXPECT_EQ(std::system(("python3 " + (dir / "check.py") + " " +
                         (dir / "metrics.jsonl"))
                            .c_str()),
            0);
}

TEST(Metrics, SizeIsTheFileLengthAcrossReopens) {
  ScratchDir dir;
  std::string path = dir / "metrics.jsonl";
  kiln_metrics *metrics = kiln_metrics_open(dir.path().c_str());
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ(kiln_metrics_size(metrics), 0u);
  for (int step = 0; step < 3; ++step) {
    ASSERT_EQ(kiln_metrics_log_f32(metrics, step, "loss", 1.5f, nullptr, 0), 0);
    // Flushed per line: the file has the line before the writer closes.
    EXPECT_EQ(kiln_metrics_size(metrics), std::filesystem::file_size(path));
  }
  uint64_t before = kiln_metrics_size(metrics);
  kiln_metrics_close(metrics);

  metrics = kiln_metrics_open(dir.path().c_str());
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ(kiln_metrics_size(metrics), before);
  ASSERT_EQ(kiln_metrics_log_f32(metrics, 3, "loss", 1.5f, nullptr, 0), 0);
  EXPECT_EQ(kiln_metrics_size(metrics), std::filesystem::file_size(path));
  kiln_metrics_close(metrics);
  EXPECT_EQ(lines(path).size(), 4u);
}

TEST(Metrics, Errors) {
  ScratchDir dir;
  kiln::test::writeFile(dir / "file", "x");
  EXPECT_EQ(kiln_metrics_open((dir / "file").c_str()), nullptr);
  EXPECT_THAT(kiln_last_error(), HasSubstr("file"));

  kiln_metrics *metrics = kiln_metrics_open((dir / "a/b").c_str());
  ASSERT_NE(metrics, nullptr) << "creates missing directories";
  kiln_metric_tag tags[] = {{"step", nullptr, 1}};
  EXPECT_EQ(kiln_metrics_log_f32(metrics, 0, "x", 1, tags, 1), -1);
  EXPECT_THAT(kiln_last_error(), HasSubstr("tag key 'step' repeats a field"));
  kiln_metric_tag twice[] = {{"task", nullptr, 1}, {"task", "a", 0}};
  EXPECT_EQ(kiln_metrics_log_f32(metrics, 0, "x", 1, twice, 2), -1);
  EXPECT_EQ(kiln_metrics_size(metrics), 0u);
  kiln_metrics_close(metrics);
}

} // namespace
