//===- gemm.cpp - Matrix products of compiled steps on BLAS ---------------===//
//
// A large product is cut into blocks of 64-column (or 64-row) multiples, each
// a single-threaded BLAS call run on the thread pool. The cut depends only on
// the shape, so each element of the result comes from the same BLAS call
// whatever the thread count: results are bit-identical for any --threads.
//
// Narrow products (16 to 64 columns: a transformer's projections at width
// 64 and their input gradients) run on a kernel of our own instead: each
// output row's columns stay in registers while the inner dimension runs in
// order (the order of OpenBLAS's own kernel for these shapes here, so
// results did not change). OpenBLAS packs both operands first and reaches
// about 120 GFLOP/s per core at 2048 x 64 x 64 on this machine; this kernel
// about 170 (bench/gemm_narrow.cpp).
//
//===----------------------------------------------------------------------===//

#include "thread_pool.h"
#include "vector_clones.h"

#include "kiln/runtime.h"

#include <cblas.h>

#include <algorithm>
#include <mutex>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace {

/// A BLAS view of an operand: its storage order and leading dimension, if
/// one of its strides is 1.
struct BlasView {
  bool valid;
  bool columnMajor; // unit stride along rows: the transpose of row-major
  int64_t leading;
};

BlasView viewOf(const kiln_memref2d_f32 *m) {
  if (m->strides[1] == 1 &&
      m->strides[0] >= (m->sizes[1] > 1 ? m->sizes[1] : 1))
    return {true, false, m->strides[0] > 0 ? m->strides[0] : 1};
  if (m->strides[0] == 1 &&
      m->strides[1] >= (m->sizes[0] > 1 ? m->sizes[0] : 1))
    return {true, true, m->strides[1] > 0 ? m->strides[1] : 1};
  return {false, false, 0};
}

float at(const kiln_memref2d_f32 *m, int64_t i, int64_t j) {
  return m->aligned[m->offset + i * m->strides[0] + j * m->strides[1]];
}

/// The plain triple loop, for operands no BLAS call can describe.
void naiveGemm(const kiln_memref2d_f32 *a, const kiln_memref2d_f32 *b,
               const kiln_memref2d_f32 *c, bool ta, bool tb, bool accumulate) {
  int64_t rows = c->sizes[0], cols = c->sizes[1];
  int64_t depth = ta ? a->sizes[0] : a->sizes[1];
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      float sum = 0;
      for (int64_t k = 0; k < depth; ++k)
        sum +=
            (ta ? at(a, k, i) : at(a, i, k)) * (tb ? at(b, j, k) : at(b, k, j));
      float &out =
          c->aligned[c->offset + i * c->strides[0] + j * c->strides[1]];
      out = accumulate ? out + sum : sum;
    }
}

/// Sixteen floats: one AVX-512 register (two or four on narrower units).
typedef float Vec __attribute__((vector_size(64)));
typedef float UnalignedVec
    __attribute__((vector_size(64), aligned(4), may_alias));
constexpr int64_t kVecFloats = 16;

KILN_INLINE Vec loadVec(const float *x) {
  return *reinterpret_cast<const UnalignedVec *>(x);
}
KILN_INLINE void storeVec(float *x, Vec v) {
  *reinterpret_cast<UnalignedVec *>(x) = v;
}

/// Rows [0, kRows) of c (kVecs vectors wide) = a @ b (+ c), a row-major
/// [kRows, depth] (leading dimension lda), b row-major [depth, kVecs * 16]:
/// kRows * kVecs accumulators in registers, b's row loaded once per k for
/// all rows, each element summed over k in order with fused multiply-adds.
template <int kVecs, int kRows>
KILN_INLINE void narrowRows(const float *a, int64_t lda, const float *b,
                            int64_t ldb, float *c, int64_t ldc, int64_t depth,
                            bool accumulate) {
  Vec acc[kRows][kVecs] = {};
  for (int64_t k = 0; k < depth; ++k) {
    Vec row[kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v)
      row[v] = loadVec(b + k * ldb + v * kVecFloats);
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) {
      float x = a[r * lda + k];
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v)
        acc[r][v] += x * row[v];
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) {
      float *out = c + r * ldc + v * kVecFloats;
      storeVec(out, accumulate ? loadVec(out) + acc[r][v] : acc[r][v]);
    }
}

/// c [rows, kVecs * 16] = a @ b (+ c) for row-major a, b and c: six rows at
/// a time (24 accumulators at 64 columns), fewer for narrower products.
template <int kVecs>
KILN_VECTOR_CLONES void
narrowGemm(const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
           int64_t ldc, int64_t rows, int64_t depth, bool accumulate) {
  constexpr int kRows = kVecs == 4 ? 6 : kVecs == 3 ? 8 : 12;
  int64_t r = 0;
  for (; r + kRows <= rows; r += kRows)
    narrowRows<kVecs, kRows>(a + r * lda, lda, b, ldb, c + r * ldc, ldc, depth,
                             accumulate);
  for (; r < rows; ++r)
    narrowRows<kVecs, 1>(a + r * lda, lda, b, ldb, c + r * ldc, ldc, depth,
                         accumulate);
}

/// Whether the narrow kernel computes products `cols` wide.
bool narrowWidth(int64_t cols) {
  return cols > 0 && cols % kVecFloats == 0 && cols <= 4 * kVecFloats;
}

/// c [rows, cols] = a @ b (+ c) on the narrow kernel, all row-major, cols
/// a narrowWidth.
void narrowProduct(const float *a, int64_t lda, const float *b, int64_t ldb,
                   float *c, int64_t ldc, int64_t rows, int64_t cols,
                   int64_t depth, bool accumulate) {
  switch (cols / kVecFloats) {
  case 1:
    narrowGemm<1>(a, lda, b, ldb, c, ldc, rows, depth, accumulate);
    break;
  case 2:
    narrowGemm<2>(a, lda, b, ldb, c, ldc, rows, depth, accumulate);
    break;
  case 3:
    narrowGemm<3>(a, lda, b, ldb, c, ldc, rows, depth, accumulate);
    break;
  default:
    narrowGemm<4>(a, lda, b, ldb, c, ldc, rows, depth, accumulate);
  }
}

/// Products below this many flops run as one call: a split would not pay.
constexpr int64_t kSplitFlops = 2'000'000;
/// Each block does at least this many flops; there are at most kMaxBlocks.
constexpr int64_t kMinBlockFlops = 1'000'000;
constexpr int64_t kMaxBlocks = 64;
constexpr int64_t kBlockUnit = 64;
/// A long inner dimension is cut into at most this many chunks, each at
/// least kMinChunkDepth deep.
constexpr int64_t kMaxDepthChunks = 4;
constexpr int64_t kMinChunkDepth = 512;

/// The width of the blocks `extent` rows or columns are cut into, each row
/// or column costing `flopsEach`: a multiple of kBlockUnit.
int64_t blockWidth(int64_t extent, int64_t flopsEach) {
  int64_t units = (extent + kBlockUnit - 1) / kBlockUnit;
  int64_t unitFlops = flopsEach * kBlockUnit;
  int64_t unitsPerBlock =
      std::max<int64_t>({1, (kMinBlockFlops + unitFlops - 1) / unitFlops,
                         (units + kMaxBlocks - 1) / kMaxBlocks});
  return unitsPerBlock * kBlockUnit;
}

} // namespace

extern "C" {

void kiln_gemm_set_threads(int threads) { kiln::setThreadCount(threads); }

void kiln_parallel_for(int64_t n, void (*task)(void *, int64_t),
                       void *context) {
  kiln::parallelFor(n, [&](int64_t i) { task(context, i); });
}

} // extern "C"

namespace {

/// c = op(a) @ op(b) (or +=) as one single-threaded call when the views
/// allow BLAS, else `split` BLAS blocks; returns false if no BLAS call can
/// describe the operands.
template <typename Split>
bool blasGemm(const kiln_memref2d_f32 *a, const kiln_memref2d_f32 *b,
              const kiln_memref2d_f32 *c, bool transposeA, bool transposeB,
              bool accumulate, Split split) {
  // Threads come from the runtime's pool, never from BLAS as well.
  static const bool singleThreaded = (openblas_set_num_threads(1), true);
  (void)singleThreaded;
  BlasView va = viewOf(a), vb = viewOf(b), vc = viewOf(c);
  if (!va.valid || !vb.valid || !vc.valid || vc.columnMajor)
    return false;
  int64_t m = c->sizes[0], n = c->sizes[1];
  int64_t k = transposeA ? a->sizes[0] : a->sizes[1];
  if (m == 0 || n == 0)
    return true;
  if (k == 0) // BLAS leaves c alone; the product is zero
    return accumulate;
  // A column-major operand is a row-major view of its transpose.
  bool ta = transposeA != va.columnMajor;
  bool tb = transposeB != vb.columnMajor;
  const float *aData = a->aligned + a->offset, *bData = b->aligned + b->offset;
  float *cData = c->aligned + c->offset;
  // Blocks of a narrow product of an untransposed a (its column blocks are
  // all of n) run on the narrow kernel; a transposed b ([n, k], small when
  // n is) is transposed once, by the first block that needs it (a product
  // cut along k instead never does).
  bool narrow = !ta && narrowWidth(n);
  std::vector<float> bTransposed;
  std::once_flag transposeOnce;
  auto narrowB = [&]() -> std::pair<const float *, int64_t> {
    if (!tb)
      return {bData, vb.leading};
    std::call_once(transposeOnce, [&] {
      bTransposed.resize(size_t(k * n));
      for (int64_t j = 0; j < n; ++j)
        for (int64_t p = 0; p < k; ++p)
          bTransposed[size_t(p * n + j)] = bData[j * vb.leading + p];
    });
    return {bTransposed.data(), n};
  };
  // Rows [r0, r0 + rows) and columns [c0, c0 + cols) of the result.
  auto block = [&](int64_t r0, int64_t rows, int64_t c0, int64_t cols) {
    if (narrow) {
      auto [bRows, bLeading] = narrowB();
      return narrowProduct(aData + r0 * va.leading, va.leading, bRows + c0,
                           bLeading, cData + r0 * vc.leading + c0, vc.leading,
                           rows, cols, k, accumulate);
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                tb ? CblasTrans : CblasNoTrans, int(rows), int(cols), int(k),
                1.0f, aData + (ta ? r0 : r0 * va.leading), int(va.leading),
                bData + (tb ? c0 * vb.leading : c0), int(vb.leading),
                accumulate ? 1.0f : 0.0f, cData + r0 * vc.leading + c0,
                int(vc.leading));
  };
  // The product over depths [k0, k0 + depth) alone, into `out` (m x n).
  auto partial = [&](int64_t k0, int64_t depth, float *out) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(depth),
                1.0f, aData + (ta ? k0 * va.leading : k0), int(va.leading),
                bData + (tb ? k0 : k0 * vb.leading), int(vb.leading), 0.0f, out,
                int(n));
  };
  auto sum = [&](const float *parts, int64_t count) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float &out = cData[i * vc.leading + j];
        float total = accumulate ? out : 0.f;
        for (int64_t p = 0; p < count; ++p)
          total += parts[(p * m + i) * n + j];
        out = total;
      }
  };
  split(m, n, k, block, partial, sum);
  return true;
}

/// One call, on the calling thread.
struct Whole {
  template <typename Block, typename Partial, typename Sum>
  void operator()(int64_t m, int64_t n, int64_t, Block &block, Partial &,
                  Sum &) const {
    block(0, m, 0, n);
  }
};

/// Blocks of 64-row or 64-column multiples on the pool, by shape alone; a
/// small result with a long inner dimension (a weight gradient over all the
/// rows of a batch: 64 x 2048 x 64) is cut along that dimension instead, its
/// partial products summed in a fixed order.
struct ByShape {
  template <typename Block, typename Partial, typename Sum>
  void operator()(int64_t m, int64_t n, int64_t k, Block &block,
                  Partial &partial, Sum &sum) const {
    if (2 * m * n * k < kSplitFlops) {
      block(0, m, 0, n);
      return;
    }
    // Cut along whichever dimension gives more blocks.
    int64_t rowWidth = blockWidth(m, 2 * n * k),
            colWidth = blockWidth(n, 2 * m * k);
    int64_t rowBlocks = (m + rowWidth - 1) / rowWidth;
    int64_t colBlocks = (n + colWidth - 1) / colWidth;
    int64_t depthChunks = std::min(kMaxDepthChunks, k / kMinChunkDepth);
    if (rowBlocks * colBlocks == 1 && depthChunks > 1) {
      int64_t depth = (k + depthChunks - 1) / depthChunks;
      std::vector<float> parts(size_t(depthChunks * m * n));
      kiln::parallelFor(depthChunks, [&](int64_t p) {
        int64_t k0 = p * depth;
        partial(k0, std::min(depth, k - k0), parts.data() + p * m * n);
      });
      sum(parts.data(), depthChunks);
      return;
    }
    if (colBlocks >= rowBlocks)
      kiln::parallelFor(colBlocks, [&](int64_t i) {
        int64_t c0 = i * colWidth;
        block(0, m, c0, std::min(colWidth, n - c0));
      });
    else
      kiln::parallelFor(rowBlocks, [&](int64_t i) {
        int64_t r0 = i * rowWidth;
        block(r0, std::min(rowWidth, m - r0), 0, n);
      });
  }
};

} // namespace

extern "C" {

void _mlir_ciface_kiln_gemm_f32(const kiln_memref2d_f32 *a,
                                const kiln_memref2d_f32 *b,
                                const kiln_memref2d_f32 *c, int8_t transposeA,
                                int8_t transposeB, int8_t accumulate) {
  if (!blasGemm(a, b, c, transposeA, transposeB, accumulate, ByShape{}))
    naiveGemm(a, b, c, transposeA, transposeB, accumulate);
}

void _mlir_ciface_kiln_gemm_batched_f32(const kiln_memref4d_f32 *a,
                                        const kiln_memref4d_f32 *b,
                                        const kiln_memref4d_f32 *c,
                                        int8_t transposeA, int8_t transposeB,
                                        int8_t accumulate) {
  int64_t outer = c->sizes[0], inner = c->sizes[1];
  // The matrices at batch index (i, j), as rank-2 views.
  auto matrix = [](const kiln_memref4d_f32 *m, int64_t i, int64_t j) {
    return kiln_memref2d_f32{m->allocated,
                             m->aligned,
                             m->offset + i * m->strides[0] + j * m->strides[1],
                             {m->sizes[2], m->sizes[3]},
                             {m->strides[2], m->strides[3]}};
  };
  kiln::parallelFor(outer * inner, [&](int64_t index) {
    int64_t i = index / inner, j = index % inner;
    kiln_memref2d_f32 ma = matrix(a, i, j), mb = matrix(b, i, j),
                      mc = matrix(c, i, j);
    if (!blasGemm(&ma, &mb, &mc, transposeA, transposeB, accumulate, Whole{}))
      naiveGemm(&ma, &mb, &mc, transposeA, transposeB, accumulate);
  });
}

} // extern "C"
