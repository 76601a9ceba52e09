//===- ExperimentOps.h - Kiln experiment dialect operations -----*- C++ -*-===//

#ifndef KILN_DIALECTS_EXPERIMENT_IR_EXPERIMENTOPS_H
#define KILN_DIALECTS_EXPERIMENT_IR_EXPERIMENTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Experiment/IR/ExperimentDialect.h"

#define GET_TYPEDEF_CLASSES
#include "dialects/Experiment/IR/ExperimentTypes.h.inc"

namespace kiln::exp {

/// Verifies that an op is nested in an `exp.experiment`.
mlir::LogicalResult verifyInExperiment(mlir::Operation *op);

template <typename ConcreteType>
class InExperiment
    : public mlir::OpTrait::TraitBase<ConcreteType, InExperiment> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    return verifyInExperiment(op);
  }
};

} // namespace kiln::exp

#define GET_OP_CLASSES
#include "dialects/Experiment/IR/ExperimentOps.h.inc"

#endif // KILN_DIALECTS_EXPERIMENT_IR_EXPERIMENTOPS_H
