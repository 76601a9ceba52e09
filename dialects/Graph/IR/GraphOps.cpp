//===- GraphOps.cpp - Kiln graph dialect operations -----------------------===//
//
// Result-type inference and verifiers. The shape rules themselves live in
// GraphShapes.cpp; this file adapts them to MLIR types and diagnostics.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace kiln::graph;

static_assert(kDynamic == ShapedType::kDynamic,
              "graph shapes and MLIR must agree on the dynamic marker");

#include "dialects/Graph/IR/GraphEnums.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/Graph/IR/GraphOps.cpp.inc"

namespace {
RankedTensorType tensorOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Appends a tensor of `result`'s shape, or reports its error at `loc`.
LogicalResult inferred(std::optional<Location> loc, const ShapeOrError &result,
                       Type elementType, SmallVectorImpl<Type> &types) {
  if (!result.ok())
    return emitOptionalError(loc, result.error);
  types.push_back(RankedTensorType::get(result.shape, elementType));
  return success();
}

LogicalResult sameElementTypes(std::optional<Location> loc, ValueRange values) {
  Type first = tensorOf(values.front()).getElementType();
  for (Value v : values.drop_front())
    if (tensorOf(v).getElementType() != first)
      return emitOptionalError(loc, "element types ", first, " and ",
                               tensorOf(v).getElementType(), " differ");
  return success();
}

LogicalResult inferBroadcast(std::optional<Location> loc, ValueRange operands,
                             Type elementType, SmallVectorImpl<Type> &types) {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : operands)
    shapes.push_back(tensorOf(v).getShape());
  return inferred(loc, broadcastShapes(shapes), elementType, types);
}

template <typename Adaptor>
LogicalResult inferBinary(std::optional<Location> loc, Adaptor adaptor,
                          SmallVectorImpl<Type> &types) {
  if (failed(sameElementTypes(loc, {adaptor.getLhs(), adaptor.getRhs()})))
    return failure();
  return inferBroadcast(loc, {adaptor.getLhs(), adaptor.getRhs()},
                        tensorOf(adaptor.getLhs()).getElementType(), types);
}

template <typename Adaptor>
LogicalResult inferReduce(std::optional<Location> loc, Adaptor adaptor,
                          SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorOf(adaptor.getInput());
  return inferred(loc,
                  reduceShape(input.getShape(), adaptor.getAxes(),
                              adaptor.getKeepdims()),
                  input.getElementType(), types);
}
} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getValue().getType());
  return success();
}

#define KILN_BINARY_INFER(Op)                                                  \
  LogicalResult Op::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferBinary(loc, adaptor, types);                                   \
  }
KILN_BINARY_INFER(AddOp)
KILN_BINARY_INFER(SubOp)
KILN_BINARY_INFER(MulOp)
KILN_BINARY_INFER(DivOp)
KILN_BINARY_INFER(MaxOp)
KILN_BINARY_INFER(MinOp)
KILN_BINARY_INFER(PowOp)
#undef KILN_BINARY_INFER

LogicalResult CompareOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  if (failed(sameElementTypes(loc, {adaptor.getLhs(), adaptor.getRhs()})))
    return failure();
  return inferBroadcast(loc, {adaptor.getLhs(), adaptor.getRhs()},
                        IntegerType::get(context, 1), types);
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (failed(sameElementTypes(
          loc, {adaptor.getOnTrue(), adaptor.getOnFalse()})))
    return failure();
  return inferBroadcast(
      loc, {adaptor.getCondition(), adaptor.getOnTrue(), adaptor.getOnFalse()},
      tensorOf(adaptor.getOnTrue()).getElementType(), types);
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (failed(sameElementTypes(loc, {adaptor.getLhs(), adaptor.getRhs()})))
    return failure();
  RankedTensorType lhs = tensorOf(adaptor.getLhs());
  return inferred(loc,
                  matmulShape(lhs.getShape(), tensorOf(adaptor.getRhs()).getShape(),
                              adaptor.getTransposeLhs(),
                              adaptor.getTransposeRhs()),
                  lhs.getElementType(), types);
}

#define KILN_REDUCE_INFER(Op)                                                  \
  LogicalResult Op::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferReduce(loc, adaptor, types);                                   \
  }
KILN_REDUCE_INFER(ReduceSumOp)
KILN_REDUCE_INFER(ReduceMeanOp)
KILN_REDUCE_INFER(ReduceMaxOp)
#undef KILN_REDUCE_INFER

static LogicalResult verifySoftmaxAxis(Operation *op, int64_t axis,
                                       RankedTensorType type) {
  ShapeOrError normalized = normalizeAxes({axis}, type.getRank());
  if (!normalized.ok())
    return op->emitOpError(normalized.error);
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifySoftmaxAxis(*this, static_cast<int64_t>(getAxis()), getType());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifySoftmaxAxis(*this, static_cast<int64_t>(getAxis()), getType());
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type changes from ")
           << in.getElementType() << " to " << out.getElementType();
  if (!sameElementCount(in.getShape(), out.getShape()))
    return emitOpError("cannot reshape ")
           << formatShape(in.getShape()) << " ("
           << in.getNumElements() << " elements) to "
           << formatShape(out.getShape()) << " (" << out.getNumElements()
           << " elements)";
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  RankedTensorType in = tensorOf(adaptor.getInput());
  return inferred(loc, transposeShape(in.getShape(), adaptor.getPermutation()),
                  in.getElementType(), types);
}

LogicalResult BroadcastToOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type changes from ")
           << in.getElementType() << " to " << out.getElementType();
  if (!broadcastsTo(in.getShape(), out.getShape()))
    return emitOpError("cannot broadcast ")
           << formatShape(in.getShape()) << " to "
           << formatShape(out.getShape());
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  RankedTensorType in = tensorOf(adaptor.getInput());
  return inferred(loc,
                  sliceShape(in.getShape(), adaptor.getStarts(),
                             adaptor.getLimits(), adaptor.getStrides()),
                  in.getElementType(), types);
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "concat needs at least one input");
  if (failed(sameElementTypes(loc, adaptor.getInputs())))
    return failure();
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : adaptor.getInputs())
    shapes.push_back(tensorOf(v).getShape());
  return inferred(loc, concatShape(shapes, static_cast<int64_t>(adaptor.getAxis())),
                  tensorOf(adaptor.getInputs().front()).getElementType(),
                  types);
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType table = tensorOf(adaptor.getTable());
  return inferred(loc,
                  gatherShape(table.getShape(),
                              tensorOf(adaptor.getIndices()).getShape(),
                              static_cast<int64_t>(adaptor.getAxis())),
                  table.getElementType(), types);
}

LogicalResult OneHotOp::verify() {
  if (getDepth() <= 0)
    return emitOpError("depth must be positive, got ") << getDepth();
  Shape expected(getIndices().getType().getShape());
  expected.push_back(getDepth());
  if (!llvm::equal(expected, getType().getShape()))
    return emitOpError("result shape ")
           << formatShape(getType().getShape()) << " should be "
           << formatShape(expected);
  return success();
}

LogicalResult SoftmaxCrossEntropyOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  RankedTensorType logits = tensorOf(adaptor.getLogits());
  ShapeOrError perExample = crossEntropyShape(
      logits.getShape(), tensorOf(adaptor.getLabels()).getShape());
  if (perExample.ok() && adaptor.getReduction() != LossReduction::none)
    perExample.shape.clear();
  return inferred(loc, perExample, logits.getElementType(), types);
}

LogicalResult MseOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  RankedTensorType pred = tensorOf(adaptor.getPrediction());
  RankedTensorType target = tensorOf(adaptor.getTarget());
  if (pred != target)
    return emitOptionalError(loc, "prediction ", pred, " and target ", target,
                             " must have the same type");
  types.push_back(RankedTensorType::get({}, pred.getElementType()));
  return success();
}
