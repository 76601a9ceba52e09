//===- gemm_test.cpp - Matrix products on the thread pool -----------------===//

#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace {

/// A row-major matrix, or its transpose stored row-major when `transposed`.
struct Matrix {
  int64_t rows, cols;
  bool transposed;
  std::vector<float> values;

  Matrix(int64_t rows, int64_t cols, bool transposed, uint64_t stream)
      : rows(rows), cols(cols), transposed(transposed),
        values(size_t(rows * cols)) {
    kiln_rng_uniform_f32(1, stream, 0, values.data(), values.size(), -1, 1);
  }
  /// Element (i, j) of the operand as the product uses it.
  float at(int64_t i, int64_t j) const {
    return transposed ? values[j * rows + i] : values[i * cols + j];
  }
  kiln_memref2d_f32 memref() {
    // A transposed operand is stored [cols, rows]; the memref describes
    // that storage, and the gemm call transposes it back.
    int64_t r = transposed ? cols : rows, c = transposed ? rows : cols;
    return {values.data(), values.data(), 0, {r, c}, {c, 1}};
  }
};

/// c = op(a) @ op(b) (+ c0 when accumulating) with `threads` threads.
std::vector<float> product(Matrix a, Matrix b, bool accumulate, int threads) {
  kiln_gemm_set_threads(threads);
  std::vector<float> c(size_t(a.rows * b.cols));
  for (size_t i = 0; i < c.size(); ++i)
    c[i] = float(i % 7);
  kiln_memref2d_f32 ma = a.memref(), mb = b.memref();
  kiln_memref2d_f32 mc = {c.data(), c.data(), 0, {a.rows, b.cols}, {b.cols, 1}};
  _mlir_ciface_kiln_gemm_f32(&ma, &mb, &mc, a.transposed, b.transposed,
                             accumulate);
  kiln_gemm_set_threads(1);
  return c;
}

void expectThreadCountsAgree(int64_t m, int64_t k, int64_t n, bool ta, bool tb,
                             bool accumulate) {
  SCOPED_TRACE(std::to_string(m) + "x" + std::to_string(k) + " @ " +
               std::to_string(k) + "x" + std::to_string(n) + (ta ? " ta" : "") +
               (tb ? " tb" : "") + (accumulate ? " accumulate" : ""));
  Matrix a(m, k, ta, 1), b(k, n, tb, 2);
  std::vector<float> one = product(a, b, accumulate, 1);
  for (int threads : {2, 3}) {
    std::vector<float> many = product(a, b, accumulate, threads);
    EXPECT_EQ(std::memcmp(one.data(), many.data(), one.size() * sizeof(float)),
              0)
        << threads << " threads";
  }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double reference = accumulate ? double((i * n + j) % 7) : 0;
      for (int64_t p = 0; p < k; ++p)
        reference += double(a.at(i, p)) * double(b.at(p, j));
      ASSERT_NEAR(one[i * n + j], reference,
                  1e-4 * std::max(1.0, std::fabs(reference)))
          << i << ", " << j;
    }
}

TEST(GemmThreads, BitIdenticalForAnyThreadCount) {
  expectThreadCountsAgree(64, 784, 256, false, false, false);
}

TEST(GemmThreads, RaggedAndTransposedShapes) {
  expectThreadCountsAgree(77, 129, 333, false, false, false);
  expectThreadCountsAgree(77, 129, 333, true, false, true);
  expectThreadCountsAgree(77, 129, 333, false, true, false);
  // Tall and narrow: cut into row blocks.
  expectThreadCountsAgree(1000, 256, 10, false, false, true);
  expectThreadCountsAgree(1000, 256, 10, true, true, false);
  // Small: one call.
  expectThreadCountsAgree(5, 7, 3, false, false, false);
}

TEST(GemmThreads, NarrowProductsOnTheNarrowKernel) {
  // 16 to 64 columns, a not transposed: rows in tiles of 6, 8 or 12 and a
  // ragged tail; b plain or transposed; accumulating or not.
  for (int64_t n : {16, 32, 48, 64})
    for (bool tb : {false, true})
      for (bool accumulate : {false, true})
        expectThreadCountsAgree(2048 + 5, 64, n, false, tb, accumulate);
  expectThreadCountsAgree(7, 3, 64, false, false, false);
  // Not multiples of 16 wide, or a transposed: BLAS.
  expectThreadCountsAgree(300, 64, 40, false, false, false);
  expectThreadCountsAgree(300, 64, 64, true, false, true);
}

TEST(GemmThreads, LongInnerDimensionCutIntoChunks) {
  // Weight gradients: x^T dy over all rows of a batch, cut along k.
  expectThreadCountsAgree(64, 2048, 64, true, false, false);
  expectThreadCountsAgree(64, 2048, 64, true, false, true);
  expectThreadCountsAgree(48, 1500, 40, false, true, true);
}

} // namespace

namespace {

/// The batched product of [outer, inner] batches of a [m, k] (or its
/// transpose) and b [k, n] (or its transpose), a's batch dimensions swapped
/// in memory (as attention's heads are) so that its views are strided,
/// with `threads` threads; checked against a double-precision loop.
void checkBatched(int64_t outer, int64_t inner, int64_t m, int64_t k, int64_t n,
                  bool ta, bool tb, bool accumulate) {
  SCOPED_TRACE(std::to_string(outer) + "x" + std::to_string(inner) + " of " +
               std::to_string(m) + "x" + std::to_string(k) + " @ " +
               std::to_string(k) + "x" + std::to_string(n) + (ta ? " ta" : "") +
               (tb ? " tb" : "") + (accumulate ? " accumulate" : ""));
  int64_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
  std::vector<float> a(size_t(outer * inner * ar * ac)),
      b(size_t(outer * inner * br * bc));
  kiln_rng_uniform_f32(3, 1, 0, a.data(), a.size(), -1, 1);
  kiln_rng_uniform_f32(3, 2, 0, b.data(), b.size(), -1, 1);
  // a is stored [inner, outer, ar, ac]: batch (i, j) at j * outer + i.
  kiln_memref4d_f32 ma{a.data(),
                       a.data(),
                       0,
                       {outer, inner, ar, ac},
                       {ar * ac, outer * ar * ac, ac, 1}};
  kiln_memref4d_f32 mb{b.data(),
                       b.data(),
                       0,
                       {outer, inner, br, bc},
                       {inner * br * bc, br * bc, bc, 1}};
  auto run = [&](int threads) {
    std::vector<float> c(size_t(outer * inner * m * n));
    for (size_t i = 0; i < c.size(); ++i)
      c[i] = float(i % 5);
    kiln_memref4d_f32 mc{c.data(),
                         c.data(),
                         0,
                         {outer, inner, m, n},
                         {inner * m * n, m * n, n, 1}};
    kiln_gemm_set_threads(threads);
    _mlir_ciface_kiln_gemm_batched_f32(&ma, &mb, &mc, ta, tb, accumulate);
    kiln_gemm_set_threads(1);
    return c;
  };
  std::vector<float> one = run(1);
  for (int64_t i = 0; i < outer; ++i)
    for (int64_t j = 0; j < inner; ++j)
      for (int64_t r = 0; r < m; ++r)
        for (int64_t s = 0; s < n; ++s) {
          const float *pa = a.data() + (j * outer + i) * ar * ac;
          const float *pb = b.data() + (i * inner + j) * br * bc;
          double sum = 0;
          for (int64_t x = 0; x < k; ++x)
            sum += double(ta ? pa[x * ac + r] : pa[r * ac + x]) *
                   double(tb ? pb[s * bc + x] : pb[x * bc + s]);
          size_t at = size_t(((i * inner + j) * m + r) * n + s);
          if (accumulate)
            sum += double(at % 5);
          ASSERT_NEAR(one[at], sum, 1e-4 * (1 + std::abs(sum)))
              << "batch " << i << "," << j << " element " << r << "," << s;
        }
  std::vector<float> two = run(2);
  EXPECT_EQ(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)), 0);
}

TEST(GemmBatched, MatchesAReferenceForStridedBatches) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (bool accumulate : {false, true})
        checkBatched(3, 4, 5, 7, 6, ta, tb, accumulate);
  // Attention's shape: batch 2 x 4 heads of 64 x 16 @ 16 x 64.
  checkBatched(2, 4, 64, 16, 64, false, true, false);
}

} // namespace
