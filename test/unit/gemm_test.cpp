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

} // namespace
