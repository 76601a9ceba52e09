//===- EmitGraph.h - Emit a checked .kiln program as graph IR ---*- C++ -*-===//
//
// Turns the model and free functions an experiment calls into func.func ops
// of graph dialect ops: one function per distinct call signature, the
// model's parameters as leading arguments, every dimension specialized to a
// fixed size, every op located at its .kiln source.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_EMIT_EMITGRAPH_H
#define KILN_FRONTENDS_EMIT_EMITGRAPH_H

#include "frontends/Language/AST.h"
#include "frontends/Language/Diagnostics.h"
#include "frontends/Language/Sema.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/ADT/StringMap.h"

namespace kiln::lang {

struct GraphEmitOptions {
  /// Sizes for dimension symbols by name (`batch`), overriding the defaults
  /// of the hyper-parameters that define them.
  llvm::StringMap<int64_t> sizes;
  /// New defaults for hyper-parameters by name, as command-line text
  /// (`kilnc build --set lr=3e-4`); int ones also size tensors.
  llvm::StringMap<std::string> hparams;
};

/// Emits the functions the experiments of a checked program call. Reports
/// constructs it cannot emit through `diags` and returns null then.
mlir::OwningOpRef<mlir::ModuleOp>
emitGraph(mlir::MLIRContext &context, const Program &program, const Sema &sema,
          DiagnosticEngine &diags, const GraphEmitOptions &options);

} // namespace kiln::lang

#endif // KILN_FRONTENDS_EMIT_EMITGRAPH_H
