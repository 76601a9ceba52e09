//===- checkpoint_file_test.cpp - Checkpoint files ------------------------===//

#include "ScratchDir.h"

#include "kiln/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

namespace {

namespace ckpt = kiln::checkpoint;
using kiln::test::readFile;
using kiln::test::ScratchDir;
using kiln::test::writeFile;
using testing::HasSubstr;

/// Contents over buffers the fixture owns.
struct Sample {
  std::vector<float> weights = std::vector<float>(37);
  std::vector<uint8_t> moments = std::vector<uint8_t>(130);
  std::vector<uint8_t> replay = {1, 2, 3, 4, 5};
  ckpt::Contents contents;

  explicit Sample(int64_t steps = 12, double tracked = 0.5) {
    for (size_t i = 0; i < weights.size(); ++i)
      weights[i] = float(i) * 0.25f + float(steps);
    for (size_t i = 0; i < moments.size(); ++i)
      moments[i] = uint8_t(i * 7 + steps);
    contents.experiment = "mlp";
    contents.programHash = "sha:1";
    contents.config = "{\"seed\": 3}";
    contents.label = "epoch";
    contents.seed = 3;
    contents.steps = steps;
    contents.metricsSize = 4321;
    contents.position = {{0, 2}, {5, 7}};
    contents.atExit = true;
    contents.tensors = {
        {"w", weights.data(), weights.size() * 4, ckpt::DType::F32, {37}, true},
        {"adam/m",
         moments.data(),
         moments.size(),
         ckpt::DType::U8,
         {130},
         false}};
    contents.parts = {{"replay/0", replay.data(), replay.size()}};
    contents.trackedMetric = "acc";
    contents.trackedValue = tracked;
  }
};

std::string savedBytes(const ScratchDir &dir, const Sample &sample) {
  std::string path = dir / "sample.kiln";
  EXPECT_EQ(ckpt::save(path, sample.contents), "");
  return readFile(path);
}

std::string parseError(const std::string &bytes) {
  ckpt::Contents contents;
  return ckpt::parse(reinterpret_cast<const uint8_t *>(bytes.data()),
                     bytes.size(), "ckpt-12.kiln", contents);
}

TEST(CheckpointFile, RoundTripsEverything) {
  ScratchDir dir;
  Sample sample;
  std::string path = dir / ckpt::fileName(12);
  EXPECT_EQ(path, dir / "ckpt-12.kiln");
  ASSERT_EQ(ckpt::save(path, sample.contents), "");

  ckpt::File file;
  ASSERT_EQ(file.open(path), "");
  const ckpt::Contents &loaded = file.contents();
  EXPECT_EQ(loaded.experiment, "mlp");
  EXPECT_EQ(loaded.programHash, "sha:1");
  EXPECT_EQ(loaded.config, "{\"seed\": 3}");
  EXPECT_EQ(loaded.label, "epoch");
  EXPECT_EQ(loaded.seed, 3u);
  EXPECT_EQ(loaded.steps, 12);
  EXPECT_EQ(loaded.metricsSize, 4321u);
  EXPECT_EQ(loaded.position, (std::vector<ckpt::LoopPosition>{{0, 2}, {5, 7}}));
  EXPECT_TRUE(loaded.atExit);
  EXPECT_EQ(loaded.trackedMetric, "acc");
  EXPECT_EQ(loaded.trackedValue, 0.5);
  ASSERT_EQ(loaded.tensors.size(), 2u);
  ASSERT_EQ(loaded.parts.size(), 1u);
  for (size_t i = 0; i < 2; ++i) {
    const ckpt::Blob &saved = sample.contents.tensors[i],
                     &read = loaded.tensors[i];
    EXPECT_EQ(read.name, saved.name);
    EXPECT_EQ(read.dtype, saved.dtype);
    EXPECT_EQ(read.shape, saved.shape);
    EXPECT_EQ(read.parameter, saved.parameter);
    ASSERT_EQ(read.size, saved.size);
    EXPECT_EQ(std::memcmp(read.data, saved.data, saved.size), 0);
    // Mapped in place, 64-byte aligned.
    EXPECT_EQ(reinterpret_cast<uintptr_t>(read.data) % ckpt::kAlignment, 0u);
  }
  ASSERT_NE(file.part("replay/0"), nullptr);
  EXPECT_EQ(
      std::string(static_cast<const char *>(file.part("replay/0")->data), 5),
      "\1\2\3\4\5");
  EXPECT_EQ(file.tensor("nope"), nullptr);
  EXPECT_EQ(std::string(readFile(path), 4, 4), "KILN");
}

TEST(CheckpointFile, EachKindOfDamageIsNamed) {
  ScratchDir dir;
  Sample sample;
  const std::string good = savedBytes(dir, sample);
  ASSERT_EQ(parseError(good), "");

  std::string bytes = good;
  bytes.replace(4, 4, "XXXX");
  EXPECT_THAT(parseError(bytes),
              HasSubstr("ckpt-12.kiln: not a Kiln checkpoint"));

  bytes = good;
  bytes[bytes.size() - 12] = 7; // the trailer's format version
  EXPECT_THAT(parseError(bytes),
              HasSubstr("ckpt-12.kiln: format version 7; this runtime reads "
                        "version 1"));

  // The first tensor's bytes are the first 64-byte aligned after the
  // metadata.
  ckpt::Contents contents;
  ASSERT_EQ(ckpt::parse(reinterpret_cast<const uint8_t *>(good.data()),
                        good.size(), "x", contents),
            "");
  size_t tensorOffset =
      size_t(static_cast<const char *>(contents.tensors[0].data) - good.data());
  bytes = good;
  bytes[tensorOffset + 9] ^= 0x10;
  EXPECT_THAT(parseError(bytes),
              HasSubstr("ckpt-12.kiln: tensor 'w' fails its CRC-32C check"));

  bytes = good;
  bytes[20] ^= 1;
  EXPECT_THAT(parseError(bytes), HasSubstr("ckpt-12.kiln: the metadata fails "
                                           "its CRC-32C check"));

  bytes = good.substr(0, good.size() - 100);
  EXPECT_THAT(parseError(bytes),
              HasSubstr("ckpt-12.kiln: truncated or damaged at the end"));

  bytes = good;
  std::fill(bytes.begin() + long(tensorOffset), bytes.end(), '\0');
  EXPECT_THAT(parseError(bytes),
              HasSubstr("ckpt-12.kiln: truncated or damaged at the end"));

  std::mt19937 random(5);
  bytes.assign(good.size(), '\0');
  for (char &c : bytes)
    c = char(random());
  EXPECT_THAT(parseError(bytes),
              HasSubstr("ckpt-12.kiln: not a Kiln checkpoint"));
  EXPECT_THAT(parseError("KI"), HasSubstr("too short to be a checkpoint"));

  // Through a file, the error names its path.
  writeFile(dir / "bad.kiln", good.substr(0, good.size() - 30));
  ckpt::File file;
  EXPECT_THAT(file.open(dir / "bad.kiln"),
              HasSubstr(dir / "bad.kiln" + ": truncated"));
  EXPECT_THAT(ckpt::File().open(dir / "missing.kiln"),
              HasSubstr("missing.kiln: No such file"));
}

TEST(CheckpointFile, EveryFlippedByteIsDetected) {
  ScratchDir dir;
  Sample sample;
  const std::string good = savedBytes(dir, sample);
  std::string bytes = good;
  for (size_t i = 0; i < good.size(); ++i) {
    bytes[i] ^= 0x04;
    EXPECT_NE(parseError(bytes), "") << "byte " << i;
    bytes[i] = good[i];
  }
}

TEST(CheckpointFile, AFailedWriteLeavesThePreviousCheckpoint) {
  ScratchDir dir;
  std::string path = dir / "ckpt-12.kiln";
  Sample first(12), second(24);
  ASSERT_EQ(ckpt::save(path, first.contents), "");
  const std::string before = readFile(path);
  for (int64_t after : {int64_t(0), int64_t(100), int64_t(before.size() / 2),
                        int64_t(before.size() - 1)}) {
    ckpt::failWritesAfterForTesting(after);
    std::string error = ckpt::save(path, second.contents);
    ckpt::failWritesAfterForTesting(-1);
    EXPECT_THAT(error, HasSubstr("cannot save checkpoint: "));
    EXPECT_THAT(error, HasSubstr("No space left on device"));
    EXPECT_EQ(readFile(path), before) << "failing after " << after;
  }
  ckpt::failWritesAfterForTesting(10);
  EXPECT_NE(ckpt::save(dir / "ckpt-24.kiln", second.contents), "");
  ckpt::failWritesAfterForTesting(-1);
  // Nothing but the previous checkpoint: no temporary, no new file.
  std::vector<std::string> names;
  for (const auto &entry : std::filesystem::directory_iterator(dir.path()))
    names.push_back(entry.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"ckpt-12.kiln"});
}

TEST(CheckpointFile, AnUnwritableDirectoryIsAnError) {
  ScratchDir dir;
  writeFile(dir / "file", "not a directory");
  Sample sample;
  EXPECT_THAT(ckpt::save(dir / "file/ckpt-1.kiln", sample.contents),
              HasSubstr("cannot save checkpoint: " + dir / "file/.ckpt-1.kiln" +
                        ".tmp: Not a directory"));
}

std::vector<int64_t> stepsIn(const std::string &dir) {
  std::vector<int64_t> steps;
  for (const ckpt::Entry &entry : ckpt::list(dir))
    steps.push_back(entry.steps);
  return steps;
}

TEST(CheckpointFile, RetentionKeepsTheNewestEveryNAndTheBest) {
  ScratchDir dir;
  auto fill = [&]() {
    for (int64_t steps = 10; steps <= 100; steps += 10) {
      // The best "acc" is at 30, the least at 70.
      double acc = steps == 30 ? 0.9 : steps == 70 ? 0.1 : 0.5;
      Sample sample(steps, acc);
      ASSERT_EQ(ckpt::save(dir / ckpt::fileName(steps), sample.contents), "");
    }
  };
  fill();
  writeFile(dir / "notes.txt", "kept");
  EXPECT_EQ(stepsIn(dir.path()),
            (std::vector<int64_t>{100, 90, 80, 70, 60, 50, 40, 30, 20, 10}));
  ckpt::Retention policy;
  ASSERT_EQ(ckpt::retain(dir.path(), policy), "");
  EXPECT_EQ(stepsIn(dir.path()), (std::vector<int64_t>{100, 90, 80}));
  EXPECT_TRUE(std::filesystem::exists(dir / "notes.txt"));

  fill();
  policy.keepLast = 1;
  policy.keepEvery = 40;
  policy.bestMetric = "acc";
  ASSERT_EQ(ckpt::retain(dir.path(), policy), "");
  EXPECT_EQ(stepsIn(dir.path()), (std::vector<int64_t>{100, 80, 40, 30}));

  fill();
  policy.keepEvery = 0;
  policy.bestIsMin = true;
  ASSERT_EQ(ckpt::retain(dir.path(), policy), "");
  EXPECT_EQ(stepsIn(dir.path()), (std::vector<int64_t>{100, 70}));
}

/// A child saving bigger and bigger checkpoints, killed at random moments:
/// every checkpoint file left is whole, and resuming finds the newest.
TEST(CheckpointFile, SurvivesSigkillAtRandomMoments) {
  ScratchDir dir;
  std::mt19937 random(11);
  int64_t newestSeen = -1;
  for (int round = 0; round < 20; ++round) {
    int64_t start = newestSeen + 1;
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ckpt::removeTemporaries(dir.path());
      for (int64_t steps = start;; ++steps) {
        Sample sample(steps);
        std::vector<float> big(size_t(1) << 18, float(steps)); // 1 MB
        sample.contents.tensors.push_back(
            {"big", big.data(), big.size() * 4, ckpt::DType::F32, {}, true});
        if (!ckpt::save(dir / ckpt::fileName(steps), sample.contents).empty() ||
            !ckpt::retain(dir.path(), ckpt::Retention()).empty())
          _exit(3);
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 30000));
    kill(child, SIGKILL);
    int status;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child failed: " << status;

    std::vector<ckpt::Entry> entries = ckpt::list(dir.path());
    for (const ckpt::Entry &entry : entries) {
      ckpt::File file;
      EXPECT_EQ(file.open(entry.path), "") << "round " << round;
    }
    if (!entries.empty()) {
      EXPECT_GE(entries.front().steps, newestSeen);
      newestSeen = entries.front().steps;
      ckpt::File newest;
      ASSERT_EQ(newest.open(entries.front().path), "");
      EXPECT_EQ(newest.contents().steps, newestSeen);
      EXPECT_EQ(static_cast<const float *>(newest.tensor("big")->data)[1000],
                float(newestSeen));
    }
  }
  EXPECT_GT(newestSeen, 0) << "no checkpoint was ever completed";
}

TEST(CheckpointFile, RemovesTemporariesOfKilledSaves) {
  ScratchDir dir;
  writeFile(dir / ".ckpt-5.kiln.tmp", "half");
  writeFile(dir / ".other.tmp", "not ours");
  ckpt::removeTemporaries(dir.path());
  EXPECT_FALSE(std::filesystem::exists(dir / ".ckpt-5.kiln.tmp"));
  EXPECT_TRUE(std::filesystem::exists(dir / ".other.tmp"));
}

} // namespace
