//===- BlasContraction.h - Matrix products that go to BLAS ------*- C++ -*-===//

#ifndef KILN_COMPILER_CPU_BLASCONTRACTION_H
#define KILN_COMPILER_CPU_BLASCONTRACTION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>

namespace kiln::cpu {

/// A linalg op computing C += op(A) @ op(B) over f32 operands, for each
/// index of `batchRank` leading dimensions that all three share.
struct BlasContraction {
  bool transposeA, transposeB;
  int64_t batchRank;
  int64_t flops;
};

/// The most batch dimensions a batched GEMM call takes.
constexpr int64_t kMaxGemmBatchRank = 2;

/// Matches a contraction that sgemm calls can compute: loops (batch..., m,
/// n, k), C indexed (batch..., m, n), A by (batch..., m, k) or (batch..., k,
/// m), B by (batch..., k, n) or (batch..., n, k), a multiply-accumulate body,
/// f32 elements, at most `maxBatchRank` batch loops.
std::optional<BlasContraction> matchBlasContraction(mlir::linalg::LinalgOp op,
                                                    int64_t maxBatchRank = 0);

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

/// Whether kiln-cpu-contractions-to-blas will make `op` a GEMM call: a
/// contraction of at least `minFlops` flops (never when negative).
bool goesToBlas(mlir::linalg::LinalgOp op, int64_t minFlops);

/// Whether `op`'s result is written in place into the caller's buffer
/// (kiln-cpu-expose-entry-points): such ops stay whole until bufferization.
bool writesCallersBuffer(mlir::linalg::LinalgOp op);

/// Replaces every such contraction on buffers in `module` with a call of
/// `callee(A, B, C, transpose_a, transpose_b, accumulate)` (i8 flags),
/// operands cast to memref<?x?xf32, strided<[?, ?], offset: ?>>; a zero
/// initialization right before is dropped and the call overwrites C. The callee
/// is declared private, with a C-interface wrapper when `cInterface` (CPU code
/// calls the runtime through it). With a `batchedCallee`, batched
/// contractions call it the same way with rank-4 operands, batch dimensions
/// first (a single one preceded by a unit dimension).
void replaceContractionsWithGemmCalls(mlir::ModuleOp module,
                                      llvm::StringRef callee, bool cInterface,
                                      llvm::StringRef batchedCallee = {});

} // namespace kiln::cpu

#endif // KILN_COMPILER_CPU_BLASCONTRACTION_H
