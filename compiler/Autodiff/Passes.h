//===- Passes.h - Passes of the autodiff phase ------------------*- C++ -*-===//

#ifndef KILN_COMPILER_AUTODIFF_PASSES_H
#define KILN_COMPILER_AUTODIFF_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln::autodiff {

#define GEN_PASS_DECL
#include "compiler/Autodiff/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Autodiff/Passes.h.inc"

} // namespace kiln::autodiff

#endif // KILN_COMPILER_AUTODIFF_PASSES_H
