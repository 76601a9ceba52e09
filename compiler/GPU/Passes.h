//===- Passes.h - Passes of the GPU phase -----------------------*- C++ -*-===//

#ifndef KILN_COMPILER_GPU_PASSES_H
#define KILN_COMPILER_GPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln::gpu {

#define GEN_PASS_DECL
#include "compiler/GPU/Passes.h.inc"

/// On an scf.parallel: the most threads per block
/// kiln-gpu-map-parallel-loops gives it, instead of its option. Loops whose
/// threads each do long serial work ask for small blocks, so that the blocks
/// spread over all multiprocessors.
inline constexpr llvm::StringLiteral kThreadsPerBlockAttr =
    "kiln.threads_per_block";

#define GEN_PASS_REGISTRATION
#include "compiler/GPU/Passes.h.inc"

} // namespace kiln::gpu

#endif // KILN_COMPILER_GPU_PASSES_H
