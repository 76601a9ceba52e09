//===- rng_test.cpp - Philox streams --------------------------------------===//

#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

// Random123's known-answer vectors for philox4x32-10, written as
// (counter words, key words) -> output words. Kiln's counter is
// (counter, stream) and its key the seed, so the words map as below.
struct KnownAnswer {
  uint32_t counter[4], key[2], expected[4];
};

TEST(Philox, KnownAnswerVectors) {
  const KnownAnswer vectors[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const KnownAnswer &v : vectors) {
    uint64_t counter = v.counter[0] | uint64_t(v.counter[1]) << 32;
    uint64_t stream = v.counter[2] | uint64_t(v.counter[3]) << 32;
    uint64_t seed = v.key[0] | uint64_t(v.key[1]) << 32;
    kiln_philox_block b = kiln_philox4x32(seed, stream, counter);
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(b.words[i], v.expected[i]) << "word " << i;
  }
}

TEST(Philox, FillsAreSlicesOfOneSequence) {
  // Filling [0, 100) at once equals filling [0, 37) then [37, 100): what a
  // thread split or a resume relies on.
  std::vector<float> whole(100), parts(100);
  kiln_rng_normal_f32(7, 3, 0, whole.data(), 100, 0.f, 1.f);
  kiln_rng_normal_f32(7, 3, 0, parts.data(), 37, 0.f, 1.f);
  kiln_rng_normal_f32(7, 3, 37, parts.data() + 37, 63, 0.f, 1.f);
  EXPECT_EQ(whole, parts);
}

TEST(Philox, StreamsAndSeedsDiffer) {
  std::vector<float> a(16), b(16), c(16);
  kiln_rng_uniform_f32(1, 0, 0, a.data(), 16, 0.f, 1.f);
  kiln_rng_uniform_f32(1, 1, 0, b.data(), 16, 0.f, 1.f);
  kiln_rng_uniform_f32(2, 0, 0, c.data(), 16, 0.f, 1.f);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
}

TEST(Philox, UniformMoments) {
  const size_t n = 200000;
  std::vector<float> x(n);
  kiln_rng_uniform_f32(42, 0, 0, x.data(), n, -2.f, 4.f);
  double sum = 0, sumSq = 0;
  for (float v : x) {
    ASSERT_GE(v, -2.f);
    ASSERT_LT(v, 4.f);
    sum += v;
    sumSq += double(v) * v;
  }
  double mean = sum / n, var = sumSq / n - mean * mean;
  // Mean 1, variance 36/12 = 3; five standard errors of slack.
  EXPECT_NEAR(mean, 1.0, 5 * std::sqrt(3.0 / n));
  EXPECT_NEAR(var, 3.0, 0.05);
}

TEST(Philox, NormalMoments) {
  const size_t n = 200000;
  std::vector<float> x(n);
  kiln_rng_normal_f32(42, 5, 0, x.data(), n, 0.5f, 2.f);
  double sum = 0, sumSq = 0, sumQuad = 0;
  for (float v : x) {
    ASSERT_TRUE(std::isfinite(v));
    double d = v - 0.5;
    sum += v;
    sumSq += d * d;
    sumQuad += d * d * d * d;
  }
  double mean = sum / n, var = sumSq / n, kurtosis = sumQuad / n / (var * var);
  EXPECT_NEAR(mean, 0.5, 5 * 2.0 / std::sqrt(n));
  EXPECT_NEAR(var, 4.0, 0.1);
  EXPECT_NEAR(kurtosis, 3.0, 0.1); // a Gaussian's
}

} // namespace
