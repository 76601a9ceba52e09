//===- gemm_narrow.cpp - Kiln's narrow products against OpenBLAS ----------===//
//
// The products of a width-64 transformer layer: x [2048, 64] @ W [64, 64]
// (a projection) and dy [2048, 64] @ W^T (its input gradient), through the
// runtime's kiln_gemm_f32 (the narrow kernel) and through OpenBLAS's
// cblas_sgemm directly, both on one thread, best of 5 rounds of 200 calls.
// Prints
//   BENCH gemm_narrow_<nn|nt>_2048x64x64 ratio=<blas/kiln> kiln=<us>
//   baseline=<us>
// and fails if the two disagree by more than rounding.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace {

template <typename F> double bestMicroseconds(F f) {
  double best = 1e30;
  for (int round = 0; round < 5; ++round) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 200; ++i)
      f();
    std::chrono::duration<double, std::micro> took =
        std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / 200);
  }
  return best;
}

} // namespace

int main() {
  constexpr int64_t kRowsOfX = 2048, kWidth = 64;
  kiln_gemm_set_threads(1);
  openblas_set_num_threads(1);
  std::vector<float> x(kRowsOfX * kWidth), w(kWidth * kWidth),
      mine(kRowsOfX * kWidth), blas(kRowsOfX * kWidth);
  kiln_rng_uniform_f32(7, 1, 0, x.data(), x.size(), -1, 1);
  kiln_rng_uniform_f32(7, 2, 0, w.data(), w.size(), -1, 1);
  kiln_memref2d_f32 mx{x.data(), x.data(), 0, {kRowsOfX, kWidth}, {kWidth, 1}};
  kiln_memref2d_f32 mw{w.data(), w.data(), 0, {kWidth, kWidth}, {kWidth, 1}};
  kiln_memref2d_f32 mc{
      mine.data(), mine.data(), 0, {kRowsOfX, kWidth}, {kWidth, 1}};
  int failures = 0;
  for (bool transposeB : {false, true}) {
    double kiln = bestMicroseconds(
        [&] { _mlir_ciface_kiln_gemm_f32(&mx, &mw, &mc, 0, transposeB, 0); });
    double baseline = bestMicroseconds([&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans,
                  transposeB ? CblasTrans : CblasNoTrans, kRowsOfX, kWidth,
                  kWidth, 1.0f, x.data(), kWidth, w.data(), kWidth, 0.0f,
                  blas.data(), kWidth);
    });
    double worst = 0;
    for (size_t i = 0; i < mine.size(); ++i)
      worst = std::max(worst, double(std::fabs(mine[i] - blas[i])));
    if (worst > 1e-4) {
      std::fprintf(stderr, "gemm_narrow: results differ by %g\n", worst);
      ++failures;
    }
    std::printf("BENCH gemm_narrow_%s_2048x64x64 ratio=%.2f kiln=%.1fus "
                "baseline=%.1fus\n",
                transposeB ? "nt" : "nn", baseline / kiln, kiln, baseline);
  }
  return failures ? 1 : 0;
}
