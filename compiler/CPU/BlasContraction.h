//===- BlasContraction.h - Matrix products that go to BLAS ------*- C++ -*-===//

#ifndef KILN_COMPILER_CPU_BLASCONTRACTION_H
#define KILN_COMPILER_CPU_BLASCONTRACTION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>

namespace kiln::cpu {

/// A linalg op computing C += op(A) @ op(B) over rank-2 f32 operands.
struct BlasContraction {
  bool transposeA, transposeB;
  int64_t flops;
};

/// Matches a contraction that a single sgemm call can compute: loops
/// (m, n, k), C indexed (m, n), A by (m, k) or (k, m), B by (k, n) or (n, k),
/// a multiply-accumulate body, f32 elements.
std::optional<BlasContraction> matchBlasContraction(mlir::linalg::LinalgOp op);

/// Whether `buffer` holds only zeros right before `op`, and which op put
/// them there if nothing else needs it: a GEMM call into `buffer` can then
/// overwrite instead of accumulating, and that op can go.
struct ZeroInit {
  bool zero = false;
  mlir::Operation *redundant = nullptr;
};
/// Zeros come from a zero fill of `buffer`, or from a copy of another buffer
/// holding zeros (one fill shared by several products becomes such copies);
/// in between, in `op`'s block, `buffer` may only be read by copies.
ZeroInit zeroInitBefore(mlir::Operation *op, mlir::Value buffer);

/// Whether `fill` writes +0.0.
bool isZeroFill(mlir::linalg::FillOp fill);

/// Replaces every such contraction on buffers in `module` with a call of
/// `callee(A, B, C, transpose_a, transpose_b, accumulate)` (i8 flags),
/// operands cast to memref<?x?xf32, strided<[?, ?], offset: ?>>; a zero
/// initialization right before is dropped and the call overwrites C. The callee
/// is declared private, with a C-interface wrapper when `cInterface` (CPU code
/// calls the runtime through it).
void replaceContractionsWithGemmCalls(mlir::ModuleOp module,
                                      llvm::StringRef callee, bool cInterface);

} // namespace kiln::cpu

#endif // KILN_COMPILER_CPU_BLASCONTRACTION_H
