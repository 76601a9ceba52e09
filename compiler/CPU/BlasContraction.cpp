//===- BlasContraction.cpp - Matrix products that go to BLAS --------------===//

#include "compiler/CPU/BlasContraction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace kiln::cpu {

std::optional<BlasContraction> matchBlasContraction(linalg::LinalgOp op) {
  if (op.getNumLoops() != 3 || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  if (iterators[0] != utils::IteratorType::parallel ||
      iterators[1] != utils::IteratorType::parallel ||
      iterators[2] != utils::IteratorType::reduction)
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    auto shaped = dyn_cast<ShapedType>(operand.get().getType());
    if (!shaped || shaped.getRank() != 2 || !shaped.getElementType().isF32())
      return std::nullopt;
  }
  MLIRContext *context = op.getContext();
  auto map = [&](unsigned a, unsigned b) {
    return AffineMap::get(
        3, 0, {getAffineDimExpr(a, context), getAffineDimExpr(b, context)},
        context);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[2] != map(0, 1))
    return std::nullopt;
  BlasContraction result;
  if (maps[0] == map(0, 2))
    result.transposeA = false;
  else if (maps[0] == map(2, 0))
    result.transposeA = true;
  else
    return std::nullopt;
  if (maps[1] == map(2, 1))
    result.transposeB = false;
  else if (maps[1] == map(1, 2))
    result.transposeB = true;
  else
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  result.flops = 2 * ranges[0] * ranges[1] * ranges[2];
  return result;
}

linalg::FillOp zeroFillBefore(Operation *op, Value buffer) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (!llvm::is_contained(prev->getOperands(), buffer))
      continue;
    auto fill = dyn_cast<linalg::FillOp>(prev);
    if (!fill || fill.getOutputs().front() != buffer)
      return nullptr;
    auto value = fill.getInputs().front().getDefiningOp<arith::ConstantOp>();
    auto zero = value ? dyn_cast<FloatAttr>(value.getValue()) : FloatAttr();
    return zero && zero.getValue().isPosZero() ? fill : nullptr;
  }
  return nullptr;
}

} // namespace kiln::cpu
