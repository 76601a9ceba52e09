//===- EmitExperiment.h - Emit a checked .kiln program as IR ----*- C++ -*-===//
//
// Emits the whole program: the graph functions its experiments call (as
// emitGraph does), then one `exp.experiment` per experiment, the host
// program that calls them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_EMIT_EMITEXPERIMENT_H
#define KILN_FRONTENDS_EMIT_EMITEXPERIMENT_H

#include "frontends/Emit/EmitGraph.h"

namespace kiln::lang {

/// Emits the experiments of a checked program and the functions they call.
/// Reports constructs it cannot emit through `diags` and returns null then.
mlir::OwningOpRef<mlir::ModuleOp>
emitExperiment(mlir::MLIRContext &context, const Program &program,
               const Sema &sema, DiagnosticEngine &diags,
               const GraphEmitOptions &options);

} // namespace kiln::lang

#endif // KILN_FRONTENDS_EMIT_EMITEXPERIMENT_H
