//===- gemm.cpp - Matrix products of compiled steps on BLAS ---------------===//

#include "kiln/runtime.h"

#include <cblas.h>

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

} // namespace

extern "C" {

void kiln_gemm_set_threads(int threads) {
  openblas_set_num_threads(threads > 0 ? threads : 1);
}

void _mlir_ciface_kiln_gemm_f32(const kiln_memref2d_f32 *a,
                                const kiln_memref2d_f32 *b,
                                const kiln_memref2d_f32 *c, int8_t transposeA,
                                int8_t transposeB, int8_t accumulate) {
  static const bool singleThreaded = (kiln_gemm_set_threads(1), true);
  (void)singleThreaded;
  BlasView va = viewOf(a), vb = viewOf(b), vc = viewOf(c);
  if (!va.valid || !vb.valid || !vc.valid || vc.columnMajor) {
    naiveGemm(a, b, c, transposeA, transposeB, accumulate);
    return;
  }
  int64_t m = c->sizes[0], n = c->sizes[1];
  int64_t k = transposeA ? a->sizes[0] : a->sizes[1];
  if (m == 0 || n == 0)
    return;
  if (k == 0) { // BLAS leaves c alone; the product is zero
    if (!accumulate)
      naiveGemm(a, b, c, transposeA, transposeB, false);
    return;
  }
  // A column-major operand is a row-major view of its transpose.
  bool ta = bool(transposeA) != va.columnMajor;
  bool tb = bool(transposeB) != vb.columnMajor;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
              tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), 1.0f,
              a->aligned + a->offset, int(va.leading), b->aligned + b->offset,
              int(vb.leading), accumulate ? 1.0f : 0.0f, c->aligned + c->offset,
              int(vc.leading));
}

} // extern "C"
