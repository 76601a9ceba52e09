//===- UpdatesInPlace.h - Results written into their argument ---*- C++ -*-===//
//
// A public function's result marked `kiln.updates = i` (a train step's new
// parameters) is written into argument i's buffer rather than a new one:
// both the CPU and the GPU calling conventions drop such results after
// bufferization (kiln-cpu-drop-updated-results).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_CPU_UPDATESINPLACE_H
#define KILN_COMPILER_CPU_UPDATESINPLACE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln::cpu {

/// Makes each updated argument writable (bufferization.writable) and writes
/// its result into it (bufferization.materialize_in_destination); every
/// other tensor argument becomes read-only, so that bufferization never
/// writes into a caller's input.
mlir::LogicalResult writeUpdatesInPlace(mlir::func::FuncOp func);

} // namespace kiln::cpu

#endif // KILN_COMPILER_CPU_UPDATESINPLACE_H
