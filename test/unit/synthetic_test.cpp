//===- synthetic_test.cpp - Synthetic data sets ---------------------------===//

#include "RunSupport.h"
#include "ScratchDir.h"

#include "kiln/program.h"

#include <gtest/gtest.h>

#include <cmath>
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
    kiln_data *data = kiln_data_synthetic(run_, "gaussian_classes", args, 5);
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
  EXPECT_EXIT(kiln_data_synthetic(run_, "spirals", args, 5),
              testing::ExitedWithCode(1),
              "unknown synthetic data generator 'spirals'");
  int64_t none[] = {10, 0, 3, 0, 0};
  EXPECT_EXIT(kiln_data_synthetic(run_, "gaussian_classes", none, 5),
              testing::ExitedWithCode(1),
              "gaussian_classes needs count, classes and dim >= 1");
}

} // namespace
