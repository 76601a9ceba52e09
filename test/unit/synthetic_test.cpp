//===- synthetic_test.cpp - Synthetic data sets ---------------------------===//

#include "RunSupport.h"
#include "ScratchDir.h"

#include "kiln/program.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <type_traits>
#include <vector>

namespace {

using kiln::test::Argv;
using kiln::test::ScratchDir;

class Synthetic : public testing::Test {
protected:
  void SetUp() override {
    run_ = kiln_run_create(argv_.argc(), argv_.argv(), "exp", "hash");
    ASSERT_EQ(kiln_run_start(run_), -1);
  }
  void TearDown() override {
    testing::internal::CaptureStderr();
    kiln_run_finish(run_);
    testing::internal::GetCapturedStderr();
  }

  struct Split {
    std::vector<float> x;
    std::vector<int32_t> y;
  };
  Split read(int64_t count, int64_t classes, int64_t dim, int64_t taskSeed,
             int64_t seed) {
    int64_t args[] = {count, classes, dim, taskSeed, seed};
    kiln_data *data =
        kiln_data_synthetic(run_, "gaussian_classes", args, 5, nullptr, 0);
    EXPECT_EQ(kiln_data_rows(data), count);
    Split split{std::vector<float>(count * dim), std::vector<int32_t>(count)};
    kiln_data_field_f32(run_, data, "x", split.x.data(), count * dim);
    kiln_data_field_i32(run_, data, "y", split.y.data(), count);
    return split;
  }

  /// The mean of x over the rows of class `label`.
  static std::vector<double> classMean(const Split &split, int64_t dim,
                                       int32_t label) {
    std::vector<double> mean(dim, 0.0);
    int64_t rows = 0;
    for (size_t row = 0; row < split.y.size(); ++row) {
      if (split.y[row] != label)
        continue;
      ++rows;
      for (int64_t i = 0; i < dim; ++i)
        mean[i] += split.x[row * dim + i];
    }
    for (double &m : mean)
      m /= double(rows);
    return mean;
  }

  ScratchDir dir_;
  Argv argv_{"--out", dir_ / "out"};
  kiln_run *run_ = nullptr;
};

TEST_F(Synthetic, GaussianClassesAreDeterministicAndLabelledUniformly) {
  Split a = read(30000, 3, 4, 7, 1), b = read(30000, 3, 4, 7, 1);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.y, b.y);
  std::vector<int64_t> counts(3, 0);
  for (int32_t label : a.y) {
    ASSERT_GE(label, 0);
    ASSERT_LT(label, 3);
    ++counts[label];
  }
  // Each class holds a third of the rows, within 5 standard deviations.
  for (int64_t n : counts)
    EXPECT_NEAR(double(n), 10000.0,
                5 * std::sqrt(30000 * (1.0 / 3) * (2.0 / 3)));
}

TEST_F(Synthetic, SplitsOfATaskShareTheMeansButNotTheRows) {
  const int64_t dim = 4;
  Split train = read(20000, 3, dim, 7, 1), test = read(20000, 3, dim, 7, 2);
  Split other = read(20000, 3, dim, 8, 1);
  EXPECT_NE(train.x, test.x);
  for (int32_t label = 0; label < 3; ++label) {
    std::vector<double> a = classMean(train, dim, label),
                        b = classMean(test, dim, label),
                        c = classMean(other, dim, label);
    double sameTask = 0, otherTask = 0;
    for (int64_t i = 0; i < dim; ++i) {
      sameTask = std::max(sameTask, std::abs(a[i] - b[i]));
      otherTask = std::max(otherTask, std::abs(a[i] - c[i]));
    }
    // ~6700 rows a class: the means' standard error is ~0.012.
    EXPECT_LT(sameTask, 0.08) << "class " << label;
    EXPECT_GT(otherTask, 0.08) << "class " << label;
  }
}

TEST_F(Synthetic, UnknownGeneratorsAndBadSizesAreErrors) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  int64_t args[] = {10, 2, 3, 0, 0};
  EXPECT_EXIT(kiln_data_synthetic(run_, "spirals", args, 5, nullptr, 0),
              testing::ExitedWithCode(1),
              "unknown synthetic data generator 'spirals'");
  int64_t none[] = {10, 0, 3, 0, 0};
  EXPECT_EXIT(
      kiln_data_synthetic(run_, "gaussian_classes", none, 5, nullptr, 0),
      testing::ExitedWithCode(1),
      "gaussian_classes needs count, classes and dim >= 1");
}

/// Reads field `name` of every row of `data` into a vector of T.
template <typename T>
std::vector<T> field(kiln_run *run, kiln_data *data, const char *name,
                     int64_t perRow) {
  std::vector<T> out(size_t(kiln_data_rows(data) * perRow));
  if constexpr (std::is_same_v<T, float>)
    kiln_data_field_f32(run, data, name, out.data(), int64_t(out.size()));
  else
    kiln_data_field_i32(run, data, name, out.data(), int64_t(out.size()));
  return out;
}

TEST_F(Synthetic, InductionTokensRepeatTheirFirstHalf) {
  const int64_t rows = 500, length = 10, vocab = 7;
  int64_t args[] = {rows, length, vocab, 3};
  kiln_data *data =
      kiln_data_synthetic(run_, "induction_tokens", args, 4, nullptr, 0);
  ASSERT_EQ(kiln_data_rows(data), rows);
  std::vector<int32_t> x = field<int32_t>(run_, data, "x", length),
                       y = field<int32_t>(run_, data, "y", length);
  std::vector<int64_t> counts(vocab, 0);
  for (int64_t row = 0; row < rows; ++row) {
    const int32_t *xs = &x[row * length], *ys = &y[row * length];
    for (int64_t i = 0; i < length; ++i) {
      ASSERT_GE(xs[i], 0);
      ASSERT_LT(xs[i], vocab);
      if (i + 1 < length)
        EXPECT_EQ(ys[i], xs[i + 1]) << "row " << row << " position " << i;
      if (i >= length / 2)
        EXPECT_EQ(xs[i], xs[i - length / 2]) << "row " << row;
      ++counts[xs[i]];
    }
    EXPECT_EQ(ys[length - 1], xs[length / 2]) << "row " << row;
  }
  // Uniform tokens: each within 5 standard deviations of its share.
  double n = double(rows * length / 2), p = 1.0 / vocab;
  for (int64_t c : counts)
    EXPECT_NEAR(double(c) / 2, n * p, 5 * std::sqrt(n * p * (1 - p)));
  // Rows depend on the seed only: a batch of rows 7.. reads the same.
  kiln_data *batch = kiln_data_batch(run_, 0, data, 7, 1);
  EXPECT_EQ(
      field<int32_t>(run_, batch, "x", length),
      std::vector<int32_t>(x.begin() + 7 * length, x.begin() + 8 * length));
  int64_t otherSeed[] = {rows, length, vocab, 4};
  EXPECT_NE(field<int32_t>(run_,
                           kiln_data_synthetic(run_, "induction_tokens",
                                               otherSeed, 4, nullptr, 0),
                           "x", length),
            x);
}

class IclClassification : public Synthetic {
protected:
  static constexpr int64_t kDim = 16, kContext = 8;
  struct Contexts {
    std::vector<float> x, query;
    std::vector<int32_t> labels, y;
  };
  /// `rows` contexts of `classes` classes with 32 labels, burstiness 4.
  Contexts read(int64_t rows, int64_t classes, int64_t burstiness, int64_t mode,
                double zipf = 0, double noise = 0.1) {
    int64_t args[] = {rows,       classes, kDim, 32, kContext,
                      burstiness, mode,    5,    9};
    double reals[] = {zipf, noise};
    kiln_data *data =
        kiln_data_synthetic(run_, "icl_classification", args, 9, reals, 2);
    return {field<float>(run_, data, "x", kContext * kDim),
            field<float>(run_, data, "query", kDim),
            field<int32_t>(run_, data, "labels", kContext),
            field<int32_t>(run_, data, "y", 1)};
  }
  static double distance(const float *a, const float *b) {
    double d = 0;
    for (int64_t i = 0; i < kDim; ++i)
      d += (a[i] - b[i]) * (a[i] - b[i]);
    return std::sqrt(d);
  }
};

TEST_F(IclClassification, BurstyContextsHoldTheQuerysClassInGroups) {
  // 32 classes, 32 labels: a label names its class.
  Contexts c = read(300, 32, 4, /*mode=*/0);
  for (int64_t row = 0; row < 300; ++row) {
    std::map<int32_t, int> counts;
    for (int64_t i = 0; i < kContext; ++i)
      ++counts[c.labels[row * kContext + i]];
    ASSERT_EQ(counts.size(), 2u) << "row " << row;
    for (auto [label, count] : counts)
      EXPECT_EQ(count, 4) << "row " << row;
    EXPECT_EQ(counts.count(c.y[row]), 1u) << "row " << row;
    // Exemplars of one class lie close (noise 0.1), other classes ~sqrt(2)
    // away (unit-norm means in 16 dimensions).
    const float *query = &c.query[row * kDim];
    for (int64_t i = 0; i < kContext; ++i) {
      double d = distance(query, &c.x[(row * kContext + i) * kDim]);
      if (c.labels[row * kContext + i] == c.y[row])
        EXPECT_LT(d, 0.5) << "row " << row;
      else
        EXPECT_GT(d, 0.5) << "row " << row;
    }
  }
}

TEST_F(IclClassification, EvaluationModes) {
  // In-context: two novel classes, four exemplars each, fresh labels.
  Contexts icl = read(300, 32, 4, /*mode=*/1);
  // In-weights: the query's class is never in the context.
  Contexts iwl = read(300, 32, 0, /*mode=*/2);
  for (int64_t row = 0; row < 300; ++row) {
    std::map<int32_t, int> counts;
    for (int64_t i = 0; i < kContext; ++i)
      ++counts[icl.labels[row * kContext + i]];
    ASSERT_EQ(counts.size(), 2u) << "row " << row;
    EXPECT_EQ(counts.count(icl.y[row]), 1u) << "row " << row;
    for (int64_t i = 0; i < kContext; ++i)
      EXPECT_NE(iwl.labels[row * kContext + i], iwl.y[row]) << "row " << row;
  }
}

TEST_F(IclClassification, ZipfExponentSkewsTheClasses) {
  // p(class 0) = 1 / sum_k (k + 1)^-2 over 32 classes = 0.6195.
  Contexts c = read(4000, 32, 0, /*mode=*/0, /*zipf=*/2.0);
  int64_t first = 0;
  for (int32_t label : c.y)
    first += label == 0;
  double p = 0.6195;
  EXPECT_NEAR(double(first), 4000 * p, 5 * std::sqrt(4000 * p * (1 - p)));
}

TEST_F(Synthetic, IclRegressionPromptsAreLinearInX) {
  const int64_t rows = 200, dim = 5, points = 7;
  int64_t fresh[] = {rows, dim, points, 0, 1, 2};
  int64_t pooled[] = {rows, dim, points, 3, 1, 2};
  double noNoise[] = {0.0};
  for (int64_t *args : {fresh, pooled}) {
    kiln_data *data =
        kiln_data_synthetic(run_, "icl_regression", args, 6, noNoise, 1);
    std::vector<float> x = field<float>(run_, data, "x", points * dim),
                       y = field<float>(run_, data, "y", points),
                       w = field<float>(run_, data, "w", dim);
    std::set<std::vector<float>> tasks;
    for (int64_t row = 0; row < rows; ++row) {
      tasks.insert(std::vector<float>(w.begin() + row * dim,
                                      w.begin() + (row + 1) * dim));
      for (int64_t k = 0; k < points; ++k) {
        double dot = 0;
        for (int64_t i = 0; i < dim; ++i)
          dot += double(x[(row * points + k) * dim + i]) * w[row * dim + i];
        EXPECT_NEAR(y[row * points + k], dot, 1e-5);
      }
    }
    EXPECT_EQ(tasks.size(), size_t(args[3] ? 3 : rows));
  }
}

TEST_F(Synthetic, GeneratedRowsGoThroughReplayAndMixes) {
  int64_t args[] = {64, 6, 5, 11};
  kiln_data *data =
      kiln_data_synthetic(run_, "induction_tokens", args, 4, nullptr, 0);
  kiln_data *first = kiln_data_batch(run_, 0, data, 0, 4);
  kiln_data *second = kiln_data_batch(run_, 1, data, 1, 4);
  kiln_data *mixed = kiln_data_mix(run_, 2, first, 4, second, 4);
  EXPECT_EQ(field<int32_t>(run_, mixed, "y", 6),
            field<int32_t>(run_, kiln_data_take(run_, 3, data, 8), "y", 6));
}

TEST_F(Synthetic, SequenceTasksRejectBadArguments) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  int64_t shortRows[] = {10, 1, 5, 0};
  EXPECT_EXIT(
      kiln_data_synthetic(run_, "induction_tokens", shortRows, 4, nullptr, 0),
      testing::ExitedWithCode(1),
      "induction_tokens needs count >= 1, length >= 2");
  // Burstiness 3 does not divide a context of 8.
  int64_t bursts[] = {10, 16, 4, 8, 8, 3, 0, 0, 0};
  double reals[] = {0.0, 0.1};
  EXPECT_EXIT(
      kiln_data_synthetic(run_, "icl_classification", bursts, 9, reals, 2),
      testing::ExitedWithCode(1), "is not a task");
  int64_t regression[] = {10, 4, 5, 0, 0, 0};
  EXPECT_EXIT(
      kiln_data_synthetic(run_, "icl_regression", regression, 6, nullptr, 0),
      testing::ExitedWithCode(1), "takes 6 integer and 1 real");
}

} // namespace
