//===- Passes.h - Passes of the experiment phase ----------------*- C++ -*-===//

#ifndef KILN_COMPILER_EXPERIMENT_PASSES_H
#define KILN_COMPILER_EXPERIMENT_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln::experiment {

#define GEN_PASS_DECL
#include "compiler/Experiment/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Experiment/Passes.h.inc"

} // namespace kiln::experiment

#endif // KILN_COMPILER_EXPERIMENT_PASSES_H
