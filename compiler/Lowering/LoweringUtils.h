//===- LoweringUtils.h - Helpers shared by the lowering patterns -*- C++
//-*-===//

#ifndef KILN_COMPILER_LOWERING_LOWERINGUTILS_H
#define KILN_COMPILER_LOWERING_LOWERINGUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln::lowering {

inline mlir::RankedTensorType tensorOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType());
}

/// An arith.constant of `value` of float type `type`.
mlir::Value floatConstant(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Type type, double value);

/// A scalar graph.constant tensor<T> of `value`.
mlir::Value scalarTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type elementType, double value);

/// The patterns lowering optimizer updates, gradient clipping and learning
/// rate schedules (OptimizerPatterns.cpp).
void populateOptimizerLoweringPatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln::lowering

#endif // KILN_COMPILER_LOWERING_LOWERINGUTILS_H
