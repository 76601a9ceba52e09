//===- init_test.cpp - Parameter initializers -----------------------------===//

#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

struct Moments {
  double mean, variance, maxAbs;
};

Moments momentsOf(const std::vector<float> &x) {
  double sum = 0, sumSq = 0, maxAbs = 0;
  for (float v : x) {
    sum += v;
    sumSq += double(v) * v;
    maxAbs = std::max(maxAbs, double(std::abs(v)));
  }
  double mean = sum / x.size();
  return {mean, sumSq / x.size() - mean * mean, maxAbs};
}

TEST(Init, Fill) {
  std::vector<float> x(10, 3.f);
  kiln_fill_f32(x.data(), x.size(), -0.5f);
  for (float v : x)
    EXPECT_EQ(v, -0.5f);
}

TEST(Init, GlorotUniformBoundsAndVariance) {
  std::vector<float> w(784 * 256);
  kiln_init_glorot_uniform_f32(1, 0, w.data(), w.size(), 784, 256);
  Moments m = momentsOf(w);
  double limit = std::sqrt(6.0 / (784 + 256));
  EXPECT_LE(m.maxAbs, limit);
  EXPECT_GT(m.maxAbs, 0.99 * limit);
  EXPECT_NEAR(m.variance, 2.0 / (784 + 256), 0.02 * 2.0 / (784 + 256));
  EXPECT_NEAR(m.mean, 0.0, 1e-3);
}

TEST(Init, KaimingNormalVariance) {
  std::vector<float> w(784 * 256);
  kiln_init_kaiming_normal_f32(1, 1, w.data(), w.size(), 784);
  Moments m = momentsOf(w);
  EXPECT_NEAR(m.variance, 2.0 / 784, 0.02 * 2.0 / 784);
  EXPECT_NEAR(m.mean, 0.0, 1e-3);
}

TEST(Init, KaimingUniformVariance) {
  std::vector<float> w(256 * 256);
  kiln_init_kaiming_uniform_f32(1, 2, w.data(), w.size(), 256);
  Moments m = momentsOf(w);
  EXPECT_LE(m.maxAbs, std::sqrt(6.0 / 256));
  EXPECT_NEAR(m.variance, 2.0 / 256, 0.03 * 2.0 / 256);
}

TEST(Init, SameSeedSameStreamSameValues) {
  std::vector<float> a(1000), b(1000), c(1000);
  kiln_init_kaiming_normal_f32(5, 3, a.data(), a.size(), 100);
  kiln_init_kaiming_normal_f32(5, 3, b.data(), b.size(), 100);
  kiln_init_kaiming_normal_f32(5, 4, c.data(), c.size(), 100);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

} // namespace
