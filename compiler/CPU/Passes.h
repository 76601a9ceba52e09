//===- Passes.h - Passes of the CPU phase -----------------------*- C++ -*-===//

#ifndef KILN_COMPILER_CPU_PASSES_H
#define KILN_COMPILER_CPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln::cpu {

#define GEN_PASS_DECL
#include "compiler/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/CPU/Passes.h.inc"

} // namespace kiln::cpu

#endif // KILN_COMPILER_CPU_PASSES_H
