//===- BlasContraction.cpp - Matrix products that go to BLAS --------------===//

#include "compiler/CPU/BlasContraction.h"

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

} // namespace kiln::cpu
