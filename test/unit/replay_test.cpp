//===- replay_test.cpp - Replay buffers: policies, statistics, C ABI ------===//
//
// Statistical tests draw 1e6 rows (or run thousands of trials) and compare
// the counts with the intended distribution by Pearson's chi-square, failing
// above the 1 - 1e-4 quantile of its distribution: a correct sampler would
// fail one such test in 10^4 seeds, and the seeds here are fixed, so each
// outcome is deterministic.
//
//===----------------------------------------------------------------------===//

#include "RunSupport.h"
#include "ScratchDir.h"

#include "runtime/src/replay.h"
#include "runtime/src/run.h"

#include "kiln/idx.h"
#include "kiln/program.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace kiln::replay;
using kiln::test::Argv;
using kiln::test::idxFile;
using kiln::test::ScratchDir;
using testing::ExitedWithCode;

constexpr int64_t kDraws = 1000000;

/// The 1 - 1e-4 quantile of chi-square with `df` degrees of freedom, by the
/// Wilson-Hilferty approximation (within 1% for df >= 3).
double chiSquareThreshold(int64_t df) {
  constexpr double z = 3.719; // the standard normal's 1 - 1e-4 quantile
  double h = 2.0 / (9.0 * double(df));
  return double(df) * std::pow(1.0 - h + z * std::sqrt(h), 3);
}

/// Pearson's statistic of `counts` against probabilities `expected`.
double chiSquare(const std::vector<int64_t> &counts,
                 const std::vector<double> &expected) {
  int64_t total = 0;
  for (int64_t count : counts)
    total += count;
  double statistic = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    double mean = expected[i] * double(total);
    statistic += (double(counts[i]) - mean) * (double(counts[i]) - mean) / mean;
  }
  return statistic;
}

std::vector<double> normalized(std::vector<double> weights) {
  double total = 0;
  for (double w : weights)
    total += w;
  for (double &w : weights)
    w /= total;
  return weights;
}

/// Fields of the core tests: x, 4 bytes read as byte / 255; y, a class; id,
/// which row was offered.
std::vector<FieldSpec> testFields() {
  FieldSpec x{"x", Element::U8, 4, {}};
  for (int b = 0; b < 256; ++b)
    x.byteValues[b] = float(b) / 255.0f;
  return {x, {"y", Element::I32, 1, {}}, {"id", Element::I32, 1, {}}};
}

ReplayBuffer makeBuffer(int64_t capacity, Insertion insertion,
                        Sampling sampling = Sampling::Uniform,
                        uint64_t seed = 7) {
  Options options;
  options.capacity = capacity;
  options.insertion = insertion;
  options.sampling = sampling;
  options.seed = seed;
  options.stream = 3;
  ReplayBuffer buffer(options);
  EXPECT_EQ(buffer.defineFields(testFields()), "");
  return buffer;
}

void addRow(ReplayBuffer &buffer, int64_t task, int32_t label, int32_t id) {
  uint8_t x[4] = {uint8_t(id), uint8_t(id + 1), uint8_t(id + 2),
                  uint8_t(id + 3)};
  const void *values[] = {x, &label, &id};
  buffer.add(task, values);
}

int32_t int32At(const ReplayBuffer &buffer, size_t field, int64_t slot) {
  int32_t value;
  std::memcpy(&value, buffer.row(field, slot), sizeof value);
  return value;
}

std::vector<int32_t> heldIds(const ReplayBuffer &buffer) {
  std::vector<int32_t> ids;
  for (int64_t slot = 0; slot < buffer.size(); ++slot)
    ids.push_back(int32At(buffer, 2, slot));
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::map<int32_t, int64_t> heldPerLabel(const ReplayBuffer &buffer) {
  std::map<int32_t, int64_t> counts;
  for (int64_t slot = 0; slot < buffer.size(); ++slot)
    ++counts[int32At(buffer, 1, slot)];
  return counts;
}

//===----------------------------------------------------------------------===//
// Insertion
//===----------------------------------------------------------------------===//

TEST(ReplayInsertion, AppendIsARingKeepingTheNewest) {
  ReplayBuffer buffer = makeBuffer(5, Insertion::Append);
  for (int32_t id = 0; id < 3; ++id)
    addRow(buffer, 0, 0, id);
  EXPECT_EQ(buffer.size(), 3);
  EXPECT_EQ(heldIds(buffer), (std::vector<int32_t>{0, 1, 2}));
  for (int32_t id = 3; id < 12; ++id)
    addRow(buffer, 0, 0, id);
  EXPECT_EQ(buffer.size(), 5);
  EXPECT_EQ(heldIds(buffer), (std::vector<int32_t>{7, 8, 9, 10, 11}));
  // Row 11 went where row 6 was: slot 11 % 5.
  EXPECT_EQ(int32At(buffer, 2, 1), 11);
}

TEST(ReplayInsertion, ReservoirKeepsEachRowWithProbabilityCapacityOverN) {
  constexpr int64_t kCapacity = 10, kOffered = 100, kTrials = 4000;
  std::vector<int64_t> kept(kOffered, 0);
  for (int64_t trial = 0; trial < kTrials; ++trial) {
    ReplayBuffer buffer = makeBuffer(kCapacity, Insertion::Reservoir,
                                     Sampling::Uniform, uint64_t(trial));
    for (int32_t id = 0; id < kOffered; ++id)
      addRow(buffer, 0, 0, id);
    ASSERT_EQ(buffer.size(), kCapacity);
    for (int32_t id : heldIds(buffer))
      ++kept[id];
  }
  // Each row is kept in capacity / n of the trials.
  std::vector<double> expected(kOffered, 1.0 / kOffered);
  EXPECT_LT(chiSquare(kept, expected), chiSquareThreshold(kOffered - 1));
}

TEST(ReplayInsertion, ClassBalancedEqualizesClassQuotas) {
  ReplayBuffer buffer = makeBuffer(30, Insertion::ClassBalanced);
  int32_t id = 0;
  // Imbalanced, one class after another: 300 rows of class 0, 60 of class
  // 1, 5 of class 2.
  for (auto [label, rows] : {std::pair{0, 300}, {1, 60}, {2, 5}})
    for (int i = 0; i < rows; ++i)
      addRow(buffer, 0, label, id++);
  std::map<int32_t, int64_t> held = heldPerLabel(buffer);
  EXPECT_EQ(buffer.size(), 30);
  EXPECT_EQ(held[2], 5) << "a rare class keeps all of its rows";
  EXPECT_LE(std::abs(held[0] - held[1]), 1);
  EXPECT_EQ(held[0] + held[1], 25);
  // Class 0 holds a sample of its whole stream, not its first rows.
  std::vector<int32_t> ids = heldIds(buffer);
  int64_t late = std::count_if(ids.begin(), ids.end(),
                               [](int32_t i) { return i >= 150 && i < 300; });
  EXPECT_GT(late, 0);

  // Balanced classes stay balanced, whatever the order.
  ReplayBuffer interleaved = makeBuffer(30, Insertion::ClassBalanced);
  for (int i = 0; i < 600; ++i)
    addRow(interleaved, 0, i % 3 == 0 ? 0 : i % 5 == 0 ? 1 : 2, i);
  for (auto [label, count] : heldPerLabel(interleaved))
    EXPECT_EQ(count, 10) << "class " << label;
}

TEST(ReplayInsertion, TaskEpisodicKeepsEqualQuotasPerTask) {
  ReplayBuffer buffer = makeBuffer(20, Insertion::TaskEpisodic);
  for (int32_t task = 0; task < 4; ++task)
    for (int32_t i = 0; i < 50; ++i)
      addRow(buffer, task, 0, task * 1000 + i);
  EXPECT_EQ(buffer.size(), 20);
  for (const Group &task : buffer.tasks())
    EXPECT_EQ(buffer.taskRows(task.id), 5) << "task " << task.id;
  // Task 3 (never evicted) holds a sample of its rows beyond its first 5.
  std::vector<int32_t> ids = heldIds(buffer);
  EXPECT_GT(ids.back(), 3004);

  // A fixed quota: at most 3 rows per task, leaving room unused.
  Options options;
  options.capacity = 20;
  options.insertion = Insertion::TaskEpisodic;
  options.taskQuota = 3;
  ReplayBuffer quota(options);
  ASSERT_EQ(quota.defineFields(testFields()), "");
  for (int32_t task = 0; task < 4; ++task)
    for (int32_t i = 0; i < 50; ++i)
      addRow(quota, task, 0, task * 1000 + i);
  EXPECT_EQ(quota.size(), 12);
  for (const Group &task : quota.tasks())
    EXPECT_EQ(quota.taskRows(task.id), 3) << "task " << task.id;
}

TEST(ReplayInsertion, ClassBalancedNeedsAnInt32ClassField) {
  Options options;
  options.capacity = 4;
  options.insertion = Insertion::ClassBalanced;
  options.classField = "label";
  ReplayBuffer buffer(options);
  EXPECT_THAT(buffer.defineFields(testFields()),
              testing::HasSubstr("needs field 'label'"));
}

//===----------------------------------------------------------------------===//
// Sampling
//===----------------------------------------------------------------------===//

std::vector<int64_t> slotCounts(ReplayBuffer &buffer, double alpha) {
  std::vector<int64_t> slots, counts(size_t(buffer.size()), 0);
  buffer.sample(kDraws, alpha, slots);
  for (int64_t slot : slots)
    ++counts[slot];
  return counts;
}

TEST(ReplaySampling, UniformOverRows) {
  ReplayBuffer buffer = makeBuffer(50, Insertion::Append);
  for (int32_t id = 0; id < 50; ++id)
    addRow(buffer, id % 3, 0, id);
  std::vector<int64_t> counts = slotCounts(buffer, 0);
  EXPECT_LT(chiSquare(counts, std::vector<double>(50, 1.0 / 50)),
            chiSquareThreshold(49));
}

/// Rows per task of recencyBuffer().
constexpr int kTaskRows[] = {4, 6, 12};

/// Tasks 0, 1, 2 with kTaskRows rows and deltas 3, 2 and 1.
ReplayBuffer recencyBuffer(Decay decay) {
  Options options;
  options.capacity = 22;
  options.sampling = Sampling::Recency;
  options.decay = decay;
  options.seed = 11;
  ReplayBuffer buffer(options);
  EXPECT_EQ(buffer.defineFields(testFields()), "");
  std::vector<int64_t> slots;
  int32_t id = 0;
  for (int32_t task = 0; task < 3; ++task) {
    for (int i = 0; i < kTaskRows[task]; ++i)
      addRow(buffer, task, 0, id++);
    if (task < 2) {
      // One draw, all but surely of the newest task: the older ones keep
      // their deltas.
      buffer.sample(1, 60, slots);
      EXPECT_EQ(buffer.taskOf(slots[0]), task);
    }
  }
  return buffer;
}

TEST(ReplaySampling, DeltaCountsBlocksSinceATaskWasTrainedOrDrawn) {
  ReplayBuffer buffer = recencyBuffer(Decay::PowerLaw);
  ASSERT_EQ(buffer.tasks().size(), 3u);
  EXPECT_EQ(buffer.blocks(), 2);
  EXPECT_EQ(buffer.delta(0), 3);
  EXPECT_EQ(buffer.delta(1), 2);
  EXPECT_EQ(buffer.delta(2), 1);
  // A block marks the tasks it drew only after its draws.
  std::vector<int64_t> slots;
  buffer.sample(1, 60, slots);
  EXPECT_EQ(buffer.taskOf(slots[0]), 2);
  EXPECT_EQ(buffer.delta(2), 2);
  EXPECT_EQ(buffer.delta(0), 4);
  // Adding rows marks a task trained in the current block.
  addRow(buffer, 0, 0, 99);
  EXPECT_EQ(buffer.delta(0), 1);
}

/// P(row) for recencyBuffer(), task weights `weight(delta)`.
template <typename Weight> std::vector<double> recencyExpected(Weight weight) {
  std::vector<double> taskWeights =
      normalized({weight(3.0), weight(2.0), weight(1.0)});
  std::vector<double> expected;
  for (int task = 0; task < 3; ++task)
    for (int i = 0; i < kTaskRows[task]; ++i)
      expected.push_back(taskWeights[task] / kTaskRows[task]);
  return expected;
}

TEST(ReplaySampling, RecencyPowerLaw) {
  ReplayBuffer prepared = recencyBuffer(Decay::PowerLaw);
  ASSERT_EQ(prepared.size(), 22);
  for (double alpha : {0.0, 1.0, 2.0}) {
    ReplayBuffer buffer = prepared;
    std::vector<int64_t> counts = slotCounts(buffer, alpha);
    auto expected =
        recencyExpected([&](double delta) { return std::pow(delta, -alpha); });
    EXPECT_LT(chiSquare(counts, expected), chiSquareThreshold(21))
        << "alpha " << alpha;
    if (alpha == 2.0) {
      // The test tells the laws apart.
      auto wrong =
          recencyExpected([&](double delta) { return std::pow(delta, -1.0); });
      EXPECT_GT(chiSquare(counts, wrong), 100 * chiSquareThreshold(21));
    }
  }
}

TEST(ReplaySampling, RecencyExponential) {
  ReplayBuffer buffer = recencyBuffer(Decay::Exponential);
  std::vector<int64_t> counts = slotCounts(buffer, 0.7);
  auto expected =
      recencyExpected([](double delta) { return std::exp(-0.7 * delta); });
  EXPECT_LT(chiSquare(counts, expected), chiSquareThreshold(21));
}

TEST(ReplaySampling, PrioritizedFollowsPriorityToTheAlpha) {
  constexpr double kAlpha = 0.6, kBeta = 0.4;
  ReplayBuffer buffer = makeBuffer(8, Insertion::Append, Sampling::Prioritized);
  for (int32_t id = 0; id < 8; ++id)
    addRow(buffer, 0, 0, id);
  std::vector<int64_t> slots = {0, 1, 2, 3, 4, 5, 6, 7};
  std::vector<float> priorities = {1, 2, 3, 4, 0.5f, 8, 0.25f, 2};
  buffer.updatePriorities(slots.data(), priorities.data(), 8);

  std::vector<double> weights;
  for (float p : priorities)
    weights.push_back(std::pow(double(p), kAlpha));
  std::vector<double> expected = normalized(weights);
  std::vector<int64_t> counts = slotCounts(buffer, kAlpha);
  EXPECT_LT(chiSquare(counts, expected), chiSquareThreshold(7));
  for (int64_t slot = 0; slot < 8; ++slot)
    EXPECT_NEAR(buffer.probability(slot), expected[slot], 1e-12);

  // w_i = (N P(i))^-beta / max_k (N P(k))^-beta.
  std::vector<float> importance(8);
  buffer.importanceWeights(slots.data(), 8, kBeta, importance.data());
  double largest = std::pow(8 * expected[6], -kBeta);
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_NEAR(importance[i], std::pow(8 * expected[i], -kBeta) / largest,
                1e-6);
  EXPECT_FLOAT_EQ(importance[6], 1.0f);

  // A new row (in the ring's slot 0) gets the largest priority so far, 8.
  addRow(buffer, 0, 0, 8);
  EXPECT_NEAR(buffer.probability(0) / buffer.probability(5), 1.0, 1e-12);
}

TEST(ReplaySampling, DeterministicGivenSeedAndStream) {
  auto draws = [](uint64_t seed, uint64_t stream, Sampling sampling) {
    Options options;
    options.capacity = 40;
    options.insertion = Insertion::Reservoir;
    options.sampling = sampling;
    options.seed = seed;
    options.stream = stream;
    ReplayBuffer buffer(options);
    EXPECT_EQ(buffer.defineFields(testFields()), "");
    for (int32_t id = 0; id < 100; ++id)
      addRow(buffer, id / 30, 0, id);
    std::vector<int64_t> slots, all;
    for (int block = 0; block < 5; ++block) {
      buffer.sample(16, 1.0, slots);
      for (int64_t slot : slots)
        all.push_back(int32At(buffer, 2, slot));
    }
    return all;
  };
  for (Sampling sampling :
       {Sampling::Uniform, Sampling::Recency, Sampling::Prioritized}) {
    EXPECT_EQ(draws(1, 5, sampling), draws(1, 5, sampling));
    EXPECT_NE(draws(1, 5, sampling), draws(2, 5, sampling));
    EXPECT_NE(draws(1, 5, sampling), draws(1, 6, sampling));
  }
}

//===----------------------------------------------------------------------===//
// Checkpoints and storage
//===----------------------------------------------------------------------===//

TEST(ReplayState, RestoredBufferDrawsIdenticalSubsequentSamples) {
  for (Insertion insertion :
       {Insertion::Append, Insertion::Reservoir, Insertion::ClassBalanced,
        Insertion::TaskEpisodic})
    for (Sampling sampling :
         {Sampling::Uniform, Sampling::Recency, Sampling::Prioritized}) {
      SCOPED_TRACE(testing::Message() << "insertion " << int(insertion)
                                      << ", sampling " << int(sampling));
      ReplayBuffer original = makeBuffer(25, insertion, sampling);
      std::vector<int64_t> slots, restoredSlots;
      int32_t id = 0;
      auto addSome = [&](ReplayBuffer &buffer, int32_t from, int rows) {
        for (int i = 0; i < rows; ++i)
          addRow(buffer, (from + i) / 20, (from + i) % 4, from + i);
      };
      addSome(original, id, 60);
      id += 60;
      original.sample(10, 1.5, slots);
      std::vector<float> priorities(slots.size(), 3.0f);
      if (sampling == Sampling::Prioritized)
        original.updatePriorities(slots.data(), priorities.data(), 10);

      std::vector<uint8_t> saved = original.serialize();
      Options options = original.options();
      ReplayBuffer restored(options); // fields come from the saved state
      std::string error;
      ASSERT_TRUE(restored.restore(saved.data(), saved.size(), error)) << error;
      EXPECT_EQ(restored.serialize(), saved);

      for (int round = 0; round < 3; ++round) {
        addSome(original, id, 7);
        addSome(restored, id, 7);
        id += 7;
        original.sample(32, 1.5, slots);
        restored.sample(32, 1.5, restoredSlots);
        ASSERT_EQ(slots, restoredSlots);
        for (int64_t slot : slots)
          ASSERT_EQ(int32At(original, 2, slot), int32At(restored, 2, slot));
      }
      EXPECT_EQ(restored.serialize(), original.serialize());
    }
}

TEST(ReplayState, RestoreRejectsOtherOptionsAndCorruptState) {
  ReplayBuffer buffer = makeBuffer(8, Insertion::Reservoir);
  for (int32_t id = 0; id < 5; ++id)
    addRow(buffer, 0, 0, id);
  std::vector<uint8_t> saved = buffer.serialize();
  std::string error;

  ReplayBuffer other = makeBuffer(9, Insertion::Reservoir);
  EXPECT_FALSE(other.restore(saved.data(), saved.size(), error));
  EXPECT_THAT(error, testing::HasSubstr("capacity 8, this one 9"));

  ReplayBuffer same = makeBuffer(8, Insertion::Reservoir);
  EXPECT_FALSE(same.restore(saved.data(), saved.size() - 1, error));
  EXPECT_EQ(error, "truncated or corrupt");
  EXPECT_FALSE(same.restore(saved.data(), 3, error));
  EXPECT_EQ(same.size(), 0) << "a failed restore changes nothing";
  EXPECT_TRUE(same.restore(saved.data(), saved.size(), error)) << error;
  EXPECT_EQ(heldIds(same), heldIds(buffer));
}

TEST(ReplayState, ImagesStayBytes) {
  Options options;
  options.capacity = 1000;
  ReplayBuffer buffer(options);
  FieldSpec x{"x", Element::U8, 784, {}};
  ASSERT_EQ(buffer.defineFields({x, {"y", Element::I32, 1, {}}}), "");
  EXPECT_EQ(buffer.storageBytes(), 1000u * (784 + 4));
}

//===----------------------------------------------------------------------===//
// The C ABI, through a run
//===----------------------------------------------------------------------===//

constexpr int kRows = 10, kFeatures = 6;

/// Image i has pixel j = 10 i + j; its label is i % 3 (a class) and
/// `features` pixels.
void writeSplit(const std::string &dir, int features = kFeatures) {
  std::filesystem::create_directories(dir);
  std::string pixels, labels;
  for (int i = 0; i < kRows; ++i) {
    for (int j = 0; j < features; ++j)
      pixels += char(10 * i + j);
    labels += char(i % 3);
  }
  kiln::test::writeFile(
      dir + "/train-images-idx3-ubyte",
      idxFile(kiln::idx::U8, {kRows, 1, uint32_t(features)}, pixels));
  kiln::test::writeFile(dir + "/train-labels-idx1-ubyte",
                        idxFile(kiln::idx::U8, {kRows}, labels));
}

class ReplayRunTest : public testing::Test {
protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    writeSplit(dataDir);
    run = startRun({"--out", dir / "out", "--data-dir", dataDir});
    train = kiln_data_mnist(run, "mnist", "train", nullptr);
  }

  kiln_run *startRun(std::initializer_list<std::string> args) {
    return runs.start(args);
  }

  std::vector<int32_t> labels(const kiln_data *data) {
    std::vector<int32_t> out(size_t(kiln_data_rows(data)));
    kiln_data_field_i32(run, data, "y", out.data(), int64_t(out.size()));
    return out;
  }
  std::vector<float> images(const kiln_data *data) {
    std::vector<float> out(size_t(kiln_data_rows(data)) * kFeatures);
    kiln_data_field_f32(run, data, "x", out.data(), int64_t(out.size()));
    return out;
  }
  /// The offered row each row of `data` is (pixel 0 is 10 i).
  std::vector<int> rowsOf(const kiln_data *data) {
    std::vector<int> rows;
    std::vector<float> x = images(data);
    for (size_t r = 0; r < x.size() / kFeatures; ++r)
      rows.push_back(int(std::lround(x[r * kFeatures] * 255.0f)) / 10);
    return rows;
  }

  ScratchDir dir;
  std::string dataDir = dir / "data";
  kiln::test::StartedRuns runs;
  kiln_run *run = nullptr;
  kiln_data *train = nullptr;
};

TEST_F(ReplayRunTest, SampledViewsReadStoredRowsScaled) {
  kiln_replay *buffer = kiln_replay_create(run, 4, "append", "uniform");
  EXPECT_EQ(kiln_replay_size(buffer), 0);
  kiln_replay_add(run, buffer, train, 0);
  EXPECT_EQ(kiln_replay_size(buffer), 4);
  kiln_data *sample = kiln_replay_sample(run, 0, buffer, 50, 0.0);
  ASSERT_EQ(kiln_data_rows(sample), 50);
  std::vector<float> x = images(sample);
  std::vector<int32_t> y = labels(sample);
  std::set<int> seen;
  for (int r = 0; r < 50; ++r) {
    int row = int(std::lround(x[r * kFeatures] * 255.0f)) / 10;
    seen.insert(row);
    for (int j = 0; j < kFeatures; ++j)
      ASSERT_EQ(x[r * kFeatures + j], float(10 * row + j) / 255.0f);
    ASSERT_EQ(y[r], row % 3);
  }
  // The ring kept the newest 4 rows.
  EXPECT_EQ(seen, (std::set<int>{6, 7, 8, 9}));
}

TEST_F(ReplayRunTest, AddStoresRowsAsTheViewPresentsThem) {
  int32_t permutation[kFeatures] = {5, 4, 3, 2, 1, 0};
  kiln_data *permuted = kiln_data_permute(run, 0, train, permutation, 6);
  kiln_replay *buffer = kiln_replay_create(run, 20, "reservoir", "uniform");
  kiln_replay_add(run, buffer, kiln_data_take(run, 1, permuted, 3), 0);
  std::vector<float> expected = images(kiln_data_take(run, 1, permuted, 3));
  kiln_data *sample = kiln_replay_sample(run, 2, buffer, 30, 0.0);
  std::vector<float> x = images(sample);
  for (int r = 0; r < 30; ++r) {
    int row = int(std::lround(x[r * kFeatures + 5] * 255.0f)) / 10;
    ASSERT_LT(row, 3);
    for (int j = 0; j < kFeatures; ++j)
      ASSERT_EQ(x[r * kFeatures + j], expected[row * kFeatures + j]);
  }
}

TEST_F(ReplayRunTest, DeterministicPerRunSeedAndBuffer) {
  auto draws = [&](kiln_run *r, int buffers) {
    kiln_data *data = kiln_data_mnist(r, "mnist", "train", dataDir.c_str());
    kiln_replay *buffer = nullptr;
    for (int b = 0; b < buffers; ++b) {
      buffer = kiln_replay_create(r, 10, "reservoir", "recency");
      kiln_replay_add(r, buffer, data, b);
    }
    std::vector<float> x(16 * kFeatures);
    kiln_data_field_f32(r, kiln_replay_sample(r, 0, buffer, 16, 1.0), "x",
                        x.data(), 16 * kFeatures);
    return x;
  };
  std::vector<float> a = draws(run, 1);
  EXPECT_EQ(draws(startRun({"--out", dir / "o2"}), 1), a);
  EXPECT_NE(draws(startRun({"--out", dir / "o3", "--seed", "5"}), 1), a);
  EXPECT_NE(draws(startRun({"--out", dir / "o4"}), 2), a)
      << "the second buffer has its own stream";
}

TEST_F(ReplayRunTest, PrioritizedWeightsAndUpdates) {
  kiln_replay *buffer = kiln_replay_create(run, 10, "append", "prioritized");
  kiln_replay_add(run, buffer, train, 0);
  kiln_data *sample = kiln_replay_sample(run, 0, buffer, 4, 1.0);
  std::vector<float> weights(4);
  kiln_replay_weights(buffer, 0.5, weights.data(), 4);
  EXPECT_EQ(weights, std::vector<float>(4, 1.0f)) << "all at priority 1";
  std::vector<int> drawn = rowsOf(sample);
  float priorities[4] = {9, 9, 9, 9};
  kiln_replay_update_priorities(buffer, priorities, 4);
  // The drawn rows now weigh 9 each, the others 1.
  auto distinct = double(std::set<int>(drawn.begin(), drawn.end()).size());
  std::vector<int> again = rowsOf(kiln_replay_sample(run, 0, buffer, 200, 1.0));
  int64_t fromDrawn = std::count_if(again.begin(), again.end(), [&](int r) {
    return std::find(drawn.begin(), drawn.end(), r) != drawn.end();
  });
  EXPECT_NEAR(double(fromDrawn) / 200,
              9 * distinct / (9 * distinct + 10 - distinct), 0.12);

  EXPECT_EXIT(kiln_replay_weights(buffer, 0.5, weights.data(), 3),
              ExitedWithCode(1),
              "error: importance weights of 3 rows of replay buffer 0, whose "
              "last sample drew 200");
  std::vector<float> bad(200, 1.0f);
  bad[7] = 0;
  EXPECT_EXIT(kiln_replay_update_priorities(buffer, bad.data(), 200),
              ExitedWithCode(1),
              "error: priority 7 of replay buffer 0 is 0.000000: priorities "
              "must be finite and positive");
  kiln_replay *uniform = kiln_replay_create(run, 10, "append", "uniform");
  EXPECT_EXIT(kiln_replay_weights(uniform, 0.5, weights.data(), 0),
              ExitedWithCode(1), "which does not sample by priority");
}

TEST_F(ReplayRunTest, MixConcatenatesTwoSources) {
  kiln_replay *buffer = kiln_replay_create(run, 3, "append", "uniform");
  kiln_replay_add(run, buffer, kiln_data_take(run, 0, train, 3), 0);
  kiln_data *current = kiln_data_batch(run, 1, train, 1, 4); // rows 4..7
  kiln_data *replayed = kiln_replay_sample(run, 2, buffer, 4, 0.0);
  std::vector<int> replayedRows = rowsOf(replayed);
  kiln_data *mixed = kiln_data_mix(run, 3, current, 4, replayed, 4);
  std::vector<int> expected = {4, 5, 6, 7};
  expected.insert(expected.end(), replayedRows.begin(), replayedRows.end());
  EXPECT_EQ(rowsOf(mixed), expected);
  std::vector<int32_t> y = labels(mixed);
  for (size_t r = 0; r < expected.size(); ++r)
    EXPECT_EQ(y[r], expected[r] % 3);

  // A mix of the site's own view, and of permuted rows.
  int32_t permutation[kFeatures] = {1, 2, 3, 4, 5, 0};
  kiln_data *permuted = kiln_data_permute(run, 4, train, permutation, 6);
  mixed = kiln_data_mix(run, 3, mixed, 2, permuted, 1);
  std::vector<float> x = images(mixed);
  EXPECT_EQ(x[0], 4 * 10 / 255.0f);
  EXPECT_EQ(x[kFeatures], 5 * 10 / 255.0f);
  EXPECT_EQ(x[2 * kFeatures + 1], 0 / 255.0f);
  EXPECT_EQ(x[2 * kFeatures], 5 / 255.0f);

  EXPECT_EXIT(kiln_data_mix(run, 3, current, 5, replayed, 4), ExitedWithCode(1),
              "error: cannot mix 5 of 4 rows of mnist train .* with 4 of 4 "
              "rows of replay buffer 0");
}

TEST_F(ReplayRunTest, ClearErrors) {
  EXPECT_EXIT(kiln_replay_create(run, 10, "lifo", "uniform"), ExitedWithCode(1),
              "error: replay buffer 0: unknown insertion policy 'lifo' "
              "\\(expected append, reservoir, class_balanced or "
              "task_episodic\\)");
  EXPECT_EXIT(kiln_replay_create(run, 10, "append", "newest"),
              ExitedWithCode(1), "unknown sampling policy 'newest'");
  EXPECT_EXIT(kiln_replay_create(run, 0, "append", "uniform"),
              ExitedWithCode(1), "capacity 0 is not positive");

  kiln_replay *buffer = kiln_replay_create(run, 10, "append", "uniform");
  EXPECT_EXIT(kiln_replay_sample(run, 0, buffer, 4, 0.0), ExitedWithCode(1),
              "error: cannot sample from replay buffer 0: it is empty");
  kiln_replay_add(run, buffer, train, 0);
  EXPECT_EXIT(kiln_replay_sample(run, 0, buffer, 0, 0.0), ExitedWithCode(1),
              "error: cannot sample 0 rows of replay buffer 0");

  std::string wide = dir / "wide";
  writeSplit(wide, 8);
  kiln_data *other = kiln_data_mnist(run, "mnist", "train", wide.c_str());
  EXPECT_EXIT(kiln_replay_add(run, buffer, other, 1), ExitedWithCode(1),
              "error: cannot add rows of mnist train .*wide.* \\(x: u8\\[8\\] "
              ".*\\) to replay buffer 0, which holds x: u8\\[6\\]");
  EXPECT_EXIT(kiln_data_mix(run, 1, train, 1, other, 1), ExitedWithCode(1),
              "error: cannot mix rows of mnist train");
}

TEST_F(ReplayRunTest, SteadyStateSampleReadAndMixAllocateNothing) {
  kiln_replay *buffer = kiln_replay_create(run, 8, "reservoir", "recency");
  std::vector<float> x(16 * kFeatures);
  std::vector<int32_t> y(16);
  uint64_t before = 0;
  for (int block = 0; block < 20; ++block) {
    if (block == 5)
      before = kiln::test::operatorNewCalls();
    kiln_replay_add(run, buffer, kiln_data_batch(run, 0, train, block % 2, 5),
                    block % 3);
    kiln_data *sample = kiln_replay_sample(run, 1, buffer, 8, 1.0);
    kiln_data *mixed = kiln_data_mix(
        run, 2, kiln_data_batch(run, 0, train, 0, 8), 8, sample, 8);
    kiln_data_field_f32(run, mixed, "x", x.data(), 16 * kFeatures);
    kiln_data_field_i32(run, mixed, "y", y.data(), 16);
  }
  EXPECT_EQ(kiln::test::operatorNewCalls(), before);
}

TEST_F(ReplayRunTest, CheckpointPartRestoresIntoAFreshBuffer) {
  kiln_replay *saved = kiln_replay_create(run, 6, "reservoir", "recency");
  kiln_replay_add(run, saved, kiln_data_take(run, 0, train, 5), 0);
  kiln_replay_add(run, saved, kiln_data_batch(run, 1, train, 1, 5), 1);
  kiln_replay_sample(run, 2, saved, 7, 1.0);
  ASSERT_EQ(run->checkpoints.parts.size(), 1u);
  kiln::CheckpointPart &part = *run->checkpoints.parts[0];
  EXPECT_EQ(part.checkpointName(), "replay/0");
  std::vector<uint8_t> bytes = part.serialize();

  // A resumed run creates the buffer but skips the adds before its position.
  kiln_run *resumed = startRun({"--out", dir / "resumed"});
  kiln_replay *restored =
      kiln_replay_create(resumed, 6, "reservoir", "recency");
  std::string error;
  ASSERT_TRUE(
      resumed->checkpoints.parts[0]->restore(bytes.data(), bytes.size(), error))
      << error;
  EXPECT_EQ(kiln_replay_size(restored), 6);
  for (int block = 0; block < 3; ++block) {
    std::vector<float> expected =
        images(kiln_replay_sample(run, 2, saved, 9, 1.0));
    kiln_data *sample = kiln_replay_sample(resumed, 2, restored, 9, 1.0);
    std::vector<float> x(9 * kFeatures);
    kiln_data_field_f32(resumed, sample, "x", x.data(), 9 * kFeatures);
    EXPECT_EQ(x, expected);
  }
}

TEST_F(ReplayRunTest, ClassBalancedThroughTheRun) {
  kiln_replay *buffer = kiln_replay_create(run, 6, "class_balanced", "uniform");
  for (int epoch = 0; epoch < 5; ++epoch)
    kiln_replay_add(run, buffer, train, 0);
  std::vector<int32_t> y = labels(kiln_replay_sample(run, 0, buffer, 3000, 0));
  std::map<int32_t, int> counts;
  for (int32_t label : y)
    ++counts[label];
  ASSERT_EQ(counts.size(), 3u);
  for (auto [label, count] : counts)
    EXPECT_NEAR(count, 1000, 150) << "class " << label;
}

} // namespace
