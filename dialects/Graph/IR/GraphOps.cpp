//===- GraphOps.cpp - Kiln graph dialect operations -----------------------===//
//
// Result-type inference and verifiers. The shape rules themselves live in
// GraphShapes.cpp; this file adapts them to MLIR types and diagnostics.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace kiln::graph;

static_assert(kDynamic == ShapedType::kDynamic,
              "graph shapes and MLIR must agree on the dynamic marker");

#include "dialects/Graph/IR/GraphEnums.cpp.inc"
#include "dialects/Graph/IR/GraphInterfaces.cpp.inc"

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
  return inferred(
      loc,
      reduceShape(input.getShape(), adaptor.getAxes(), adaptor.getKeepdims()),
      input.getElementType(), types);
}
} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getValue().getType());
  return success();
}

#define KILN_BINARY_INFER(Op)                                                  \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &types) {                                          \
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
  if (failed(
          sameElementTypes(loc, {adaptor.getOnTrue(), adaptor.getOnFalse()})))
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
  return inferred(
      loc,
      matmulShape(lhs.getShape(), tensorOf(adaptor.getRhs()).getShape(),
                  adaptor.getTransposeLhs(), adaptor.getTransposeRhs()),
      lhs.getElementType(), types);
}

static LogicalResult inferAttention(std::optional<Location> loc, Value query,
                                    Value key, Value value, Value mask,
                                    int64_t heads, unsigned results,
                                    SmallVectorImpl<Type> &types) {
  if (failed(sameElementTypes(loc, {query, key, value, mask})))
    return failure();
  ShapeOrError shape = attentionShape(
      tensorOf(query).getShape(), tensorOf(key).getShape(),
      tensorOf(value).getShape(), tensorOf(mask).getShape(), heads);
  if (failed(inferred(loc, shape, tensorOf(query).getElementType(), types)))
    return failure();
  if (results == 3) {
    types.push_back(key.getType());
    types.push_back(value.getType());
  }
  return success();
}

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return inferAttention(loc, adaptor.getQuery(), adaptor.getKey(),
                        adaptor.getValue(), adaptor.getMask(),
                        adaptor.getHeads(), 1, types);
}

LogicalResult AttentionGradOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  if (failed(
          sameElementTypes(loc, {adaptor.getQuery(), adaptor.getResultGrad()})))
    return failure();
  if (adaptor.getResultGrad().getType() != adaptor.getQuery().getType())
    return emitOptionalError(
        loc, "the result's gradient must have the query's type ",
        adaptor.getQuery().getType(), ", found ",
        adaptor.getResultGrad().getType());
  return inferAttention(loc, adaptor.getQuery(), adaptor.getKey(),
                        adaptor.getValue(), adaptor.getMask(),
                        adaptor.getHeads(), 3, types);
}

#define KILN_REDUCE_INFER(Op)                                                  \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &types) {                                          \
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

static LogicalResult verifyNorm(Operation *op, int64_t axis, double epsilon,
                                RankedTensorType type) {
  if (!(epsilon >= 0))
    return op->emitOpError("epsilon must be non-negative, found ") << epsilon;
  return verifySoftmaxAxis(op, axis, type);
}

LogicalResult LayerNormOp::verify() {
  return verifyNorm(*this, static_cast<int64_t>(getAxis()),
                    getEpsilon().convertToDouble(), getType());
}

LogicalResult RmsNormOp::verify() {
  return verifyNorm(*this, static_cast<int64_t>(getAxis()),
                    getEpsilon().convertToDouble(), getType());
}

LogicalResult DropoutOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0 && rate < 1))
    return emitOpError("rate must be in [0, 1), found ") << rate;
  int64_t site = getSiteAttr().getInt();
  if (site < 0 || site >= (int64_t(1) << 31))
    return emitOpError("site must be in [0, 2^31), found ") << site;
  if (Value key = getKey()) {
    auto type = cast<RankedTensorType>(key.getType());
    if (type.getShape() != ArrayRef<int64_t>{2})
      return emitOpError("key must be a tensor<2xi64> [seed, step], found ")
             << type;
  }
  return success();
}

LogicalResult CholeskySolveOp::verify() {
  RankedTensorType a = getMatrix().getType(), b = getRhs().getType();
  int64_t rank = a.getRank();
  if (rank < 2 || b.getRank() != rank)
    return emitOpError("needs a matrix and a right-hand side of the same rank "
                       "(at least 2), found ")
           << a << " and " << b;
  if (a.getElementType() != b.getElementType() || getType() != b)
    return emitOpError("the matrix, the right-hand side and the result must "
                       "have one element type, and the result the "
                       "right-hand side's type");
  int64_t n = a.getDimSize(rank - 1);
  if (a.getDimSize(rank - 2) != n || b.getDimSize(rank - 2) != n)
    return emitOpError("needs square n x n matrices and n rows on the right, "
                       "found ")
           << a << " and " << b;
  if (a.getShape().drop_back(2) != b.getShape().drop_back(2))
    return emitOpError("the batch dimensions differ: ") << a << " and " << b;
  if (n > 16)
    return emitOpError("solves systems of at most 16 unknowns, found ") << n;
  return success();
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type changes from ")
           << in.getElementType() << " to " << out.getElementType();
  if (!sameElementCount(in.getShape(), out.getShape()))
    return emitOpError("cannot reshape ")
           << formatShape(in.getShape()) << " (" << in.getNumElements()
           << " elements) to " << formatShape(out.getShape()) << " ("
           << out.getNumElements() << " elements)";
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
  return inferred(
      loc, concatShape(shapes, static_cast<int64_t>(adaptor.getAxis())),
      tensorOf(adaptor.getInputs().front()).getElementType(), types);
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

std::pair<Value, Value>
SoftmaxCrossEntropyOp::buildTargetAndMask(OpBuilder &b) {
  Location loc = getLoc();
  RankedTensorType type = getLogits().getType();
  int64_t classes = type.getShape().back();
  Value oneHot =
      OneHotOp::create(b, loc, type, getLabels(), b.getI64IntegerAttr(classes));
  Value mask = ReduceSumOp::create(b, loc, oneHot,
                                   b.getDenseI64ArrayAttr({type.getRank() - 1}),
                                   b.getUnitAttr());
  double smoothing = getLabelSmoothing().convertToDouble();
  if (smoothing == 0)
    return {oneHot, mask};
  auto scalar = [&](double value) -> Value {
    auto scalarType = RankedTensorType::get({}, type.getElementType());
    return ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(scalarType,
                               b.getFloatAttr(type.getElementType(), value)));
  };
  Value kept = MulOp::create(b, loc, oneHot, scalar(1 - smoothing));
  Value spread = MulOp::create(b, loc, mask, scalar(smoothing / classes));
  return {AddOp::create(b, loc, kept, spread), mask};
}

LogicalResult SoftmaxCrossEntropyOp::verify() {
  double smoothing = getLabelSmoothing().convertToDouble();
  if (smoothing < 0 || smoothing > 1)
    return emitOpError("label_smoothing must lie in [0, 1], got ") << smoothing;
  return success();
}

LogicalResult BceWithLogitsOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  RankedTensorType logits = tensorOf(adaptor.getLogits());
  if (logits != tensorOf(adaptor.getTargets()))
    return emitOptionalError(loc, "logits ", logits, " and targets ",
                             adaptor.getTargets().getType(),
                             " must have the same type");
  ArrayRef<int64_t> shape = logits.getShape();
  if (adaptor.getReduction() != LossReduction::none)
    shape = {};
  types.push_back(RankedTensorType::get(shape, logits.getElementType()));
  return success();
}

LogicalResult AccuracyOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  RankedTensorType logits = tensorOf(adaptor.getLogits());
  ShapeOrError perExample = crossEntropyShape(
      logits.getShape(), tensorOf(adaptor.getLabels()).getShape());
  if (!perExample.ok())
    return emitOptionalError(loc, perExample.error);
  types.push_back(RankedTensorType::get({}, logits.getElementType()));
  return success();
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

LogicalResult InsertSliceOp::verify() {
  RankedTensorType source = getSource().getType(), dest = getDest().getType();
  if (source.getElementType() != dest.getElementType())
    return emitOpError("source element type ")
           << source.getElementType() << " differs from dest element type "
           << dest.getElementType();
  if (source.getRank() != dest.getRank())
    return emitOpError("source ")
           << formatShape(source.getShape()) << " and dest "
           << formatShape(dest.getShape()) << " differ in rank";
  SmallVector<int64_t> limits;
  for (auto [start, size, stride] :
       llvm::zip(getStarts(), source.getShape(), getStrides()))
    limits.push_back(start + (size - 1) * stride + 1);
  if (getStarts().size() != (size_t)source.getRank() ||
      getStrides().size() != (size_t)source.getRank())
    return emitOpError("needs one start and stride per dimension of ")
           << formatShape(dest.getShape());
  ShapeOrError window =
      sliceShape(dest.getShape(), getStarts(), limits, getStrides());
  if (!window.ok())
    return emitOpError(window.error);
  if (!llvm::equal(window.shape, source.getShape()))
    return emitOpError("source ")
           << formatShape(source.getShape()) << " does not fit the window "
           << formatShape(window.shape) << " of dest";
  return success();
}

LogicalResult ScatterAddOp::verify() {
  ShapeOrError expected = gatherShape(getDest().getType().getShape(),
                                      getIndices().getType().getShape(),
                                      static_cast<int64_t>(getAxis()));
  if (!expected.ok())
    return emitOpError(expected.error);
  if (!llvm::equal(expected.shape, getUpdates().getType().getShape()))
    return emitOpError("updates ")
           << formatShape(getUpdates().getType().getShape())
           << " should have the gathered shape " << formatShape(expected.shape);
  if (getUpdates().getType().getElementType() !=
      getDest().getType().getElementType())
    return emitOpError("updates and dest differ in element type");
  return success();
}

LogicalResult ArgmaxOp::verify() {
  RankedTensorType in = getInput().getType();
  ShapeOrError expected =
      reduceShape(in.getShape(), {static_cast<int64_t>(getAxis())}, false);
  if (!expected.ok())
    return emitOpError(expected.error);
  if (!llvm::equal(expected.shape, getType().getShape()))
    return emitOpError("result shape ")
           << formatShape(getType().getShape()) << " should be "
           << formatShape(expected.shape);
  // Every index along the axis must fit the result as a signed value.
  int64_t axis = normalizeAxes({static_cast<int64_t>(getAxis())}, in.getRank())
                     .shape.front();
  int64_t size = in.getDimSize(axis);
  Type indexType = getType().getElementType();
  unsigned width = indexType.getIntOrFloatBitWidth();
  if (!ShapedType::isDynamic(size) && width < 64 &&
      size - 1 > (int64_t{1} << (width - 1)) - 1)
    return emitOpError("result element type ")
           << indexType << " cannot hold index " << size - 1;
  return success();
}

LogicalResult
ValueAndGradOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto callee =
      symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, getCalleeAttr());
  if (!callee)
    return emitOpError("'") << getCallee() << "' is not a function";
  FunctionType type = callee.getFunctionType();
  if (TypeRange(type.getInputs()) != TypeRange(getOperands().getTypes()))
    return emitOpError("operand types do not match the inputs of @")
           << getCallee() << ": " << type;
  if (type.getNumResults() == 0)
    return emitOpError("@")
           << getCallee() << " returns nothing to differentiate";
  auto loss = dyn_cast<RankedTensorType>(type.getResult(0));
  if (!loss || loss.getRank() != 0 || !isa<FloatType>(loss.getElementType()))
    return emitOpError("the first result of @")
           << getCallee() << " must be a scalar float tensor, got "
           << type.getResult(0);
  SmallVector<Type> expected(type.getResults());
  llvm::SmallBitVector seen(getOperands().size());
  for (int64_t index : getWrt()) {
    if (index < 0 || index >= (int64_t)getOperands().size())
      return emitOpError("wrt index ") << index << " is out of range";
    if (seen.test(index))
      return emitOpError("wrt index ") << index << " is repeated";
    seen.set(index);
    Type operand = getOperands()[index].getType();
    if (!isa<FloatType>(getElementTypeOrSelf(operand)))
      return emitOpError("cannot differentiate with respect to operand #")
             << index << " of integer type " << operand;
    expected.push_back(operand);
  }
  if (TypeRange(expected) != getResultTypes())
    return emitOpError("results should be the callee's results followed by "
                       "one gradient per wrt operand");
  return success();
}

//===----------------------------------------------------------------------===//
// Optimizers and schedules
//===----------------------------------------------------------------------===//

static LogicalResult verifyScalarsMatch(Operation *op, Type param,
                                        ValueRange scalars) {
  Type element = cast<RankedTensorType>(param).getElementType();
  for (Value s : scalars)
    if (cast<RankedTensorType>(s.getType()).getElementType() != element)
      return op->emitOpError("scalar ")
             << s.getType() << " must have the parameter's element type "
             << element;
  return success();
}

LogicalResult SgdUpdateOp::verify() {
  if (getMomentum().convertToDouble() < 0)
    return emitOpError("momentum must be non-negative");
  if (getNesterov() && getMomentum().convertToDouble() == 0)
    return emitOpError("nesterov needs a positive momentum");
  if (getWeightDecay().convertToDouble() < 0)
    return emitOpError("weight_decay must be non-negative");
  return verifyScalarsMatch(*this, getParam().getType(), {getLr()});
}

LogicalResult AdamUpdateOp::verify() {
  for (double beta :
       {getBeta1().convertToDouble(), getBeta2().convertToDouble()})
    if (beta < 0 || beta >= 1)
      return emitOpError("betas must lie in [0, 1), got ") << beta;
  if (getEpsilon().convertToDouble() <= 0)
    return emitOpError("epsilon must be positive");
  if (getWeightDecay().convertToDouble() < 0)
    return emitOpError("weight_decay must be non-negative");
  return verifyScalarsMatch(*this, getParam().getType(), {getLr(), getStep()});
}

LogicalResult
ClipByGlobalNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &types) {
  if (adaptor.getGrads().empty())
    return emitOptionalError(loc, "needs at least one gradient");
  if (failed(sameElementTypes(loc, adaptor.getGrads())))
    return failure();
  // max_norm is not read here: the custom parser infers the result types
  // before the attribute dictionary becomes properties.
  for (Value g : adaptor.getGrads())
    types.push_back(g.getType());
  types.push_back(RankedTensorType::get(
      {}, tensorOf(adaptor.getGrads().front()).getElementType()));
  return success();
}

LogicalResult ClipByGlobalNormOp::verify() {
  if (getMaxNorm().convertToDouble() <= 0)
    return emitOpError("max_norm must be positive");
  return success();
}

LogicalResult LrScheduleOp::verify() {
  if (getBaseLr().convertToDouble() < 0)
    return emitOpError("base_lr must be non-negative");
  if (static_cast<int64_t>(getWarmupSteps()) < 0)
    return emitOpError("warmup_steps must be non-negative");
  switch (getKind()) {
  case ScheduleKind::cosine:
    if (static_cast<int64_t>(getDecaySteps()) <= 0)
      return emitOpError("a cosine schedule needs decay_steps > 0");
    if (static_cast<int64_t>(getCycleSteps()) < 0)
      return emitOpError("cycle_steps must be non-negative");
    break;
  case ScheduleKind::step:
    if (static_cast<int64_t>(getStepSize()) <= 0)
      return emitOpError("a step schedule needs step_size > 0");
    if (getGamma().convertToDouble() <= 0)
      return emitOpError("a step schedule needs gamma > 0");
    break;
  case ScheduleKind::infinite:
    if (static_cast<int64_t>(getCooldownSteps()) <= 0)
      return emitOpError("an infinite schedule needs cooldown_steps > 0");
    if (static_cast<int64_t>(getAnnealStart()) <= 0)
      break;
    if (static_cast<int64_t>(getAnnealSteps()) <= 0)
      return emitOpError("an anneal needs anneal_steps > 0");
    // The anneal multiplies by (final_lr / constant_lr) ^ progress.
    if (getConstantLr().convertToDouble() <= 0 ||
        getFinalLr().convertToDouble() <= 0)
      return emitOpError("an exponential anneal needs constant_lr > 0 and "
                         "final_lr > 0");
    break;
  case ScheduleKind::constant:
  case ScheduleKind::inverse_sqrt:
    break;
  }
  return success();
}
