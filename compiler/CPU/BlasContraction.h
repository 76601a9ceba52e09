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

/// The zero fill that last wrote `buffer` before `op` in its block, with no
/// other use of the buffer in between: a GEMM call can overwrite instead of
/// accumulating into it.
mlir::linalg::FillOp zeroFillBefore(mlir::Operation *op, mlir::Value buffer);

/// Replaces every such contraction on buffers in `module` with a call of
/// `callee(A, B, C, transpose_a, transpose_b, accumulate)` (i8 flags),
/// operands cast to memref<?x?xf32, strided<[?, ?], offset: ?>>; a zero fill
/// right before is dropped and the call overwrites C. The callee is declared
/// private, with a C-interface wrapper when `cInterface` (CPU code calls the
/// runtime through it).
void replaceContractionsWithGemmCalls(mlir::ModuleOp module,
                                      llvm::StringRef callee, bool cInterface);

} // namespace kiln::cpu

#endif // KILN_COMPILER_CPU_BLASCONTRACTION_H
