//===- GraphVJP.cpp - Vector-Jacobian products of the graph ops -----------===//
//
// One rule per differentiable op: given the gradient `g` of each result, build
// the gradient of each operand from graph ops. Broadcasting operands get the
// sum of their gradient over the broadcast dimensions (`unbroadcast`). The
// rules may build values the caller never uses (say, the gradient of a data
// operand); canonicalization removes them.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphShapes.h"

#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace kiln::graph;

namespace {

RankedTensorType tensorOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// A scalar tensor<T> constant with T the element type of `like`.
Value scalar(OpBuilder &b, Location loc, Value like, double value) {
  Type element = tensorOf(like).getElementType();
  auto type = RankedTensorType::get({}, element);
  return ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getFloatAttr(element, value)));
}

Value zerosLike(OpBuilder &b, Location loc, Value like) {
  RankedTensorType type = tensorOf(like);
  return ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(type, b.getFloatAttr(type.getElementType(), 0.0)));
}

Value reshape(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  if (tensorOf(v).getShape() == shape)
    return v;
  auto type = RankedTensorType::get(shape, tensorOf(v).getElementType());
  return ReshapeOp::create(b, loc, type, v);
}

/// Sums `grad` (shaped like a broadcast result) down to the shape of
/// `operand`, which broadcast to it.
Value unbroadcast(OpBuilder &b, Location loc, Value grad, Value operand) {
  ArrayRef<int64_t> from = tensorOf(grad).getShape();
  ArrayRef<int64_t> to = tensorOf(operand).getShape();
  if (from == to)
    return grad;
  size_t lead = from.size() - to.size();
  SmallVector<int64_t> axes;
  for (size_t i = 0; i < from.size(); ++i)
    if (i < lead || (to[i - lead] == 1 && from[i] != 1))
      axes.push_back(i);
  Value summed = ReduceSumOp::create(b, loc, grad, b.getDenseI64ArrayAttr(axes),
                                     /*keepdims=*/nullptr);
  return reshape(b, loc, summed, to);
}

/// Normalized reduction axes of `op` over `input`.
SmallVector<int64_t> axesOf(ArrayRef<int64_t> axes, Value input) {
  return normalizeAxes(axes, tensorOf(input).getRank()).shape;
}

/// `input`'s shape with the reduced axes kept as size 1.
SmallVector<int64_t> keptShape(Value input, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape(tensorOf(input).getShape());
  for (int64_t a : axes)
    shape[a] = 1;
  return shape;
}

/// Broadcasts a reduction's gradient back over the reduced axes.
Value spread(OpBuilder &b, Location loc, Value grad, Value input,
             ArrayRef<int64_t> axes) {
  Value kept = reshape(b, loc, grad, keptShape(input, axes));
  return BroadcastToOp::create(b, loc, input.getType(), kept);
}

Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return MulOp::create(b, loc, x, y);
}

Value select(OpBuilder &b, Location loc, Value cond, Value x, Value y) {
  return SelectOp::create(b, loc, cond, x, y);
}

Value compare(OpBuilder &b, Location loc, ComparePredicate p, Value x,
              Value y) {
  return CompareOp::create(b, loc, p, x, y);
}

} // namespace

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

SmallVector<Value> AddOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  return {unbroadcast(b, loc, grads[0], getLhs()),
          unbroadcast(b, loc, grads[0], getRhs())};
}

SmallVector<Value> SubOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value negated = NegOp::create(b, loc, grads[0]);
  return {unbroadcast(b, loc, grads[0], getLhs()),
          unbroadcast(b, loc, negated, getRhs())};
}

SmallVector<Value> MulOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  return {unbroadcast(b, loc, mul(b, loc, grads[0], getRhs()), getLhs()),
          unbroadcast(b, loc, mul(b, loc, grads[0], getLhs()), getRhs())};
}

SmallVector<Value> DivOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // d(l/r) = g/r, -g*(l/r)/r = -(g/r)*y
  Location loc = getLoc();
  Value dl = DivOp::create(b, loc, grads[0], getRhs());
  Value dr = NegOp::create(b, loc, mul(b, loc, dl, getResult()));
  return {unbroadcast(b, loc, dl, getLhs()), unbroadcast(b, loc, dr, getRhs())};
}

/// max/min route the gradient to the operand that won; ties go to lhs.
template <typename Op>
static SmallVector<Value> extremumVJP(Op op, OpBuilder &b, Value grad,
                                      ComparePredicate lhsWins) {
  Location loc = op.getLoc();
  Value pick = compare(b, loc, lhsWins, op.getLhs(), op.getRhs());
  Value zero = scalar(b, loc, grad, 0.0);
  return {unbroadcast(b, loc, select(b, loc, pick, grad, zero), op.getLhs()),
          unbroadcast(b, loc, select(b, loc, pick, zero, grad), op.getRhs())};
}

SmallVector<Value> MaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return extremumVJP(*this, b, grads[0], ComparePredicate::ge);
}

SmallVector<Value> MinOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return extremumVJP(*this, b, grads[0], ComparePredicate::le);
}

SmallVector<Value> PowOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // d(l^r) = g*r*l^(r-1), g*log(l)*l^r
  Location loc = getLoc();
  Value rMinusOne =
      SubOp::create(b, loc, getRhs(), scalar(b, loc, getRhs(), 1.0));
  Value dl = mul(b, loc, mul(b, loc, grads[0], getRhs()),
                 PowOp::create(b, loc, getLhs(), rMinusOne));
  Value dr = mul(b, loc, mul(b, loc, grads[0], getResult()),
                 LogOp::create(b, loc, getLhs()));
  return {unbroadcast(b, loc, dl, getLhs()), unbroadcast(b, loc, dr, getRhs())};
}

SmallVector<Value> SelectOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value zero = scalar(b, loc, grads[0], 0.0);
  Value onTrue = select(b, loc, getCondition(), grads[0], zero);
  Value onFalse = select(b, loc, getCondition(), zero, grads[0]);
  return {Value(), unbroadcast(b, loc, onTrue, getOnTrue()),
          unbroadcast(b, loc, onFalse, getOnFalse())};
}

bool SelectOp::isDifferentiableOperand(unsigned index) { return index != 0; }

SmallVector<Value> CastOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // Only float-to-float casts carry a gradient; the autodiff pass reports
  // one that would have to flow into an integer.
  Type from = getInput().getType().getElementType();
  if (!isa<FloatType>(from) || !isa<FloatType>(getType().getElementType()))
    return {Value()};
  return {CastOp::create(b, getLoc(), getInput().getType(), grads[0])};
}

SmallVector<Value> NegOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {NegOp::create(b, getLoc(), grads[0])};
}

SmallVector<Value> AbsOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // g * sign(x), with sign(0) = 0.
  Location loc = getLoc();
  Value zero = scalar(b, loc, getInput(), 0.0);
  Value negated = NegOp::create(b, loc, grads[0]);
  Value positive = compare(b, loc, ComparePredicate::gt, getInput(), zero);
  Value negative = compare(b, loc, ComparePredicate::lt, getInput(), zero);
  Value zeroGrad = scalar(b, loc, grads[0], 0.0);
  Value inner = select(b, loc, negative, negated, zeroGrad);
  return {BroadcastToOp::create(b, loc, getType(),
                                select(b, loc, positive, grads[0], inner))};
}

SmallVector<Value> ExpOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {mul(b, getLoc(), grads[0], getResult())};
}

SmallVector<Value> LogOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {DivOp::create(b, getLoc(), grads[0], getInput())};
}

SmallVector<Value> Log1pOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value onePlus =
      AddOp::create(b, loc, getInput(), scalar(b, loc, getInput(), 1.0));
  return {DivOp::create(b, loc, grads[0], onePlus)};
}

SmallVector<Value> SqrtOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value half = mul(b, loc, grads[0], scalar(b, loc, grads[0], 0.5));
  return {DivOp::create(b, loc, half, getResult())};
}

SmallVector<Value> RsqrtOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // d(x^-1/2) = -x^-3/2 / 2 = -y^3 / 2
  Location loc = getLoc();
  Value y = getResult();
  Value cube = mul(b, loc, mul(b, loc, y, y), y);
  return {
      mul(b, loc, mul(b, loc, grads[0], cube), scalar(b, loc, grads[0], -0.5))};
}

SmallVector<Value> TanhOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value oneMinusSq =
      SubOp::create(b, loc, scalar(b, loc, y, 1.0), mul(b, loc, y, y));
  return {mul(b, loc, grads[0], oneMinusSq)};
}

SmallVector<Value> SigmoidOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value oneMinus = SubOp::create(b, loc, scalar(b, loc, y, 1.0), y);
  return {mul(b, loc, grads[0], mul(b, loc, y, oneMinus))};
}

SmallVector<Value> ReluOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value positive = compare(b, loc, ComparePredicate::gt, getInput(),
                           scalar(b, loc, getInput(), 0.0));
  return {select(b, loc, positive, grads[0], scalar(b, loc, grads[0], 0.0))};
}

/// exp(-x^2 / 2) * scale
static Value gaussian(OpBuilder &b, Location loc, Value x, double scale) {
  Value square = mul(b, loc, x, x);
  Value exponent = mul(b, loc, square, scalar(b, loc, x, -0.5));
  return mul(b, loc, ExpOp::create(b, loc, exponent), scalar(b, loc, x, scale));
}

SmallVector<Value> ErfOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // d erf(x) = 2/sqrt(pi) * exp(-x^2) = 2/sqrt(pi) * gaussian(sqrt(2) x)
  Location loc = getLoc();
  Value scaled = mul(b, loc, getInput(), scalar(b, loc, getInput(), M_SQRT2));
  return {mul(b, loc, grads[0], gaussian(b, loc, scaled, M_2_SQRTPI))};
}

SmallVector<Value> GeluOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // d(x Phi(x)) = Phi(x) + x phi(x)
  Location loc = getLoc();
  Value x = getInput();
  Value erf =
      ErfOp::create(b, loc, mul(b, loc, x, scalar(b, loc, x, M_SQRT1_2)));
  Value cdf = mul(b, loc, AddOp::create(b, loc, erf, scalar(b, loc, x, 1.0)),
                  scalar(b, loc, x, 0.5));
  Value pdf = gaussian(b, loc, x, 0.5 * M_2_SQRTPI * M_SQRT1_2);
  Value slope = AddOp::create(b, loc, cdf, mul(b, loc, x, pdf));
  return {mul(b, loc, grads[0], slope)};
}

SmallVector<Value> DropoutOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // Linear in the input given the mask: the same mask, from the same key.
  Value grad = DropoutOp::create(b, getLoc(), grads[0], getKey(), getRateAttr(),
                                 getSiteAttr());
  if (!getKey())
    return {grad};
  return {grad, Value()};
}

bool DropoutOp::isDifferentiableOperand(unsigned index) { return index == 0; }

SmallVector<Value> StopGradientOp::buildVJP(OpBuilder &, ArrayRef<Value>) {
  return {Value()};
}

bool StopGradientOp::isDifferentiableOperand(unsigned) { return false; }

//===----------------------------------------------------------------------===//
// Matmul, reductions, softmax
//===----------------------------------------------------------------------===//

SmallVector<Value> MatmulOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // With C = op(A) op(B): d op(A) = G op(B)^T and d op(B) = op(A)^T G, each
  // transposed back when the operand itself was transposed.
  Location loc = getLoc();
  Value g = grads[0], a = getLhs(), bb = getRhs();
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  auto matmul = [&](Value x, Value y, bool tx, bool ty) -> Value {
    return MatmulOp::create(b, loc, x, y, tx, ty);
  };
  Value da, db;
  auto aType = cast<RankedTensorType>(a.getType());
  if (!ta && aType.getRank() > 2 &&
      cast<RankedTensorType>(bb.getType()).getRank() == 2) {
    // One matrix applied to a stack of rows: its gradient sums over the
    // stack, which is one product over all the rows.
    int64_t rows = 1;
    for (int64_t size : aType.getShape().drop_back())
      rows *= size;
    Value flatA = reshape(b, loc, a, {rows, aType.getShape().back()});
    Value flatG =
        reshape(b, loc, g,
                {rows, cast<RankedTensorType>(g.getType()).getShape().back()});
    da = tb ? matmul(g, bb, false, false) : matmul(g, bb, false, true);
    db = tb ? matmul(flatG, flatA, true, false)
            : matmul(flatA, flatG, true, false);
    return {da, db};
  }
  if (!ta && !tb) {
    da = matmul(g, bb, false, true);
    db = matmul(a, g, true, false);
  } else if (!ta && tb) {
    da = matmul(g, bb, false, false);
    db = matmul(g, a, true, false);
  } else if (ta && !tb) {
    da = matmul(bb, g, false, true);
    db = matmul(a, g, false, false);
  } else {
    da = matmul(bb, g, true, true);
    db = matmul(g, a, true, true);
  }
  return {unbroadcast(b, loc, da, a), unbroadcast(b, loc, db, bb)};
}

SmallVector<Value> ReduceSumOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {
      spread(b, getLoc(), grads[0], getInput(), axesOf(getAxes(), getInput()))};
}

SmallVector<Value> ReduceMeanOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  SmallVector<int64_t> axes = axesOf(getAxes(), getInput());
  int64_t count = 1;
  for (int64_t a : axes)
    count *= getInput().getType().getDimSize(a);
  Value scaled = mul(b, loc, grads[0], scalar(b, loc, grads[0], 1.0 / count));
  return {spread(b, loc, scaled, getInput(), axes)};
}

SmallVector<Value> ReduceMaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // Ties share the gradient equally, as in PyTorch's amax.
  Location loc = getLoc();
  Value x = getInput();
  SmallVector<int64_t> axes = axesOf(getAxes(), x);
  SmallVector<int64_t> kept = keptShape(x, axes);
  Value best = reshape(b, loc, getResult(), kept);
  Value isBest = compare(b, loc, ComparePredicate::eq, x, best);
  Value mask = CastOp::create(b, loc, x.getType(), isBest);
  Value ties = ReduceSumOp::create(b, loc, mask, b.getDenseI64ArrayAttr(axes),
                                   b.getUnitAttr());
  Value share = DivOp::create(b, loc, reshape(b, loc, grads[0], kept), ties);
  return {mul(b, loc, mask, share)};
}

SmallVector<Value> SoftmaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // dx = y * (g - sum(g * y))
  Location loc = getLoc();
  Value y = getResult();
  int64_t axis = axesOf({static_cast<int64_t>(getAxis())}, y).front();
  Value dot =
      ReduceSumOp::create(b, loc, mul(b, loc, grads[0], y),
                          b.getDenseI64ArrayAttr({axis}), b.getUnitAttr());
  return {mul(b, loc, y, SubOp::create(b, loc, grads[0], dot))};
}

SmallVector<Value> LogSoftmaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // dx = g - exp(y) * sum(g)
  Location loc = getLoc();
  Value y = getResult();
  int64_t axis = axesOf({static_cast<int64_t>(getAxis())}, y).front();
  Value total = ReduceSumOp::create(
      b, loc, grads[0], b.getDenseI64ArrayAttr({axis}), b.getUnitAttr());
  return {SubOp::create(b, loc, grads[0],
                        mul(b, loc, ExpOp::create(b, loc, y), total))};
}

/// mean of `x` along `axis`, kept as a size-1 dimension.
static Value keptMean(OpBuilder &b, Location loc, Value x, int64_t axis) {
  return ReduceMeanOp::create(b, loc, x, b.getDenseI64ArrayAttr({axis}),
                              b.getUnitAttr());
}

/// 1 / sqrt(mean(v * v) + epsilon) along `axis`, kept.
static Value inverseRms(OpBuilder &b, Location loc, Value v, int64_t axis,
                        double epsilon) {
  Value meanSquare = keptMean(b, loc, mul(b, loc, v, v), axis);
  return RsqrtOp::create(
      b, loc, AddOp::create(b, loc, meanSquare, scalar(b, loc, v, epsilon)));
}

SmallVector<Value> LayerNormOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // With y = (x - mean) r: dx = r (g - mean(g) - y mean(g y)).
  Location loc = getLoc();
  Value x = getInput(), y = getResult(), g = grads[0];
  int64_t axis = axesOf({static_cast<int64_t>(getAxis())}, x).front();
  Value centered = SubOp::create(b, loc, x, keptMean(b, loc, x, axis));
  Value r = inverseRms(b, loc, centered, axis, getEpsilon().convertToDouble());
  Value inner =
      SubOp::create(b, loc, SubOp::create(b, loc, g, keptMean(b, loc, g, axis)),
                    mul(b, loc, y, keptMean(b, loc, mul(b, loc, g, y), axis)));
  return {mul(b, loc, r, inner)};
}

SmallVector<Value> RmsNormOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // With y = x r: dx = r (g - y mean(g y)).
  Location loc = getLoc();
  Value x = getInput(), y = getResult(), g = grads[0];
  int64_t axis = axesOf({static_cast<int64_t>(getAxis())}, x).front();
  Value r = inverseRms(b, loc, x, axis, getEpsilon().convertToDouble());
  Value inner = SubOp::create(
      b, loc, g, mul(b, loc, y, keptMean(b, loc, mul(b, loc, g, y), axis)));
  return {mul(b, loc, r, inner)};
}

SmallVector<Value> AttentionOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  auto gradients = AttentionGradOp::create(b, getLoc(), getQuery(), getKey(),
                                           getValue(), getMask(), grads[0],
                                           getHeadsAttr(), getScaleAttr());
  return {gradients.getQueryGrad(), gradients.getKeyGrad(),
          gradients.getValueGrad(), nullptr};
}

bool AttentionOp::isDifferentiableOperand(unsigned index) { return index < 3; }

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

SmallVector<Value> ReshapeOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {ReshapeOp::create(b, getLoc(), getInput().getType(), grads[0])};
}

SmallVector<Value> TransposeOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  SmallVector<int64_t> perm =
      axesOf(getPermutation(), getInput()); // normalized
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return {TransposeOp::create(b, getLoc(), grads[0],
                              b.getDenseI64ArrayAttr(inverse))};
}

SmallVector<Value> BroadcastToOp::buildVJP(OpBuilder &b,
                                           ArrayRef<Value> grads) {
  return {unbroadcast(b, getLoc(), grads[0], getInput())};
}

SmallVector<Value> SliceOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  return {InsertSliceOp::create(b, loc, grads[0], zerosLike(b, loc, getInput()),
                                getStartsAttr(), getStridesAttr())};
}

SmallVector<Value> InsertSliceOp::buildVJP(OpBuilder &b,
                                           ArrayRef<Value> grads) {
  Location loc = getLoc();
  RankedTensorType source = getSource().getType();
  SmallVector<int64_t> limits;
  for (auto [start, size, stride] :
       llvm::zip(getStarts(), source.getShape(), getStrides()))
    limits.push_back(start + (size - 1) * stride + 1);
  Value dSource =
      SliceOp::create(b, loc, grads[0], getStartsAttr(),
                      b.getDenseI64ArrayAttr(limits), getStridesAttr());
  Value dDest =
      InsertSliceOp::create(b, loc, zerosLike(b, loc, getSource()), grads[0],
                            getStartsAttr(), getStridesAttr());
  return {dSource, dDest};
}

SmallVector<Value> ConcatOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  RankedTensorType type = getType();
  int64_t rank = type.getRank();
  int64_t axis = axesOf({static_cast<int64_t>(getAxis())}, getResult()).front();
  SmallVector<Value> result;
  int64_t offset = 0;
  for (Value input : getInputs()) {
    SmallVector<int64_t> starts(rank, 0), strides(rank, 1);
    SmallVector<int64_t> limits(type.getShape());
    starts[axis] = offset;
    offset += tensorOf(input).getDimSize(axis);
    limits[axis] = offset;
    result.push_back(SliceOp::create(
        b, loc, grads[0], b.getDenseI64ArrayAttr(starts),
        b.getDenseI64ArrayAttr(limits), b.getDenseI64ArrayAttr(strides)));
  }
  return result;
}

SmallVector<Value> GatherOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  return {ScatterAddOp::create(b, loc, grads[0], getIndices(),
                               zerosLike(b, loc, getTable()), getAxisAttr()),
          Value()};
}

bool GatherOp::isDifferentiableOperand(unsigned index) { return index == 0; }

SmallVector<Value> ScatterAddOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Value dUpdates =
      GatherOp::create(b, getLoc(), grads[0], getIndices(), getAxisAttr());
  return {dUpdates, Value(), grads[0]};
}

bool ScatterAddOp::isDifferentiableOperand(unsigned index) {
  return index != 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// Sum of every element of `v`, a scalar.
static Value sumAll(OpBuilder &b, Location loc, Value v) {
  auto all = b.getDenseI64ArrayAttr(
      llvm::to_vector(llvm::seq<int64_t>(0, tensorOf(v).getRank())));
  return ReduceSumOp::create(b, loc, v, all, nullptr);
}

/// max(count, 1): the divisor of a mean over unmasked positions.
static Value atLeastOne(OpBuilder &b, Location loc, Value count) {
  return MaxOp::create(b, loc, count, scalar(b, loc, count, 1.0));
}

SmallVector<Value> SoftmaxCrossEntropyOp::buildVJP(OpBuilder &b,
                                                   ArrayRef<Value> grads) {
  // d logits = (softmax(logits) * mask - target) * g per example.
  Location loc = getLoc();
  RankedTensorType type = getLogits().getType();
  auto [target, mask] = buildTargetAndMask(b);
  Value probabilities =
      SoftmaxOp::create(b, loc, getLogits(), b.getI64IntegerAttr(-1));
  Value diff = SubOp::create(b, loc, mul(b, loc, probabilities, mask), target);
  Value g = grads[0];
  if (getReduction() == LossReduction::mean) {
    g = DivOp::create(b, loc, g, atLeastOne(b, loc, sumAll(b, loc, mask)));
  } else if (getReduction() == LossReduction::none) {
    SmallVector<int64_t> kept(type.getShape());
    kept.back() = 1;
    g = reshape(b, loc, g, kept);
  }
  return {mul(b, loc, diff, g), Value()};
}

bool SoftmaxCrossEntropyOp::isDifferentiableOperand(unsigned index) {
  return index == 0;
}

SmallVector<Value> BceWithLogitsOp::buildVJP(OpBuilder &b,
                                             ArrayRef<Value> grads) {
  // d z = (sigmoid(z) - t) * g, d t = -z * g, per element.
  Location loc = getLoc();
  Value z = getLogits();
  Value g = grads[0];
  if (getReduction() == LossReduction::mean)
    g = mul(b, loc, g,
            scalar(b, loc, g, 1.0 / getLogits().getType().getNumElements()));
  Value dz =
      mul(b, loc,
          SubOp::create(b, loc, SigmoidOp::create(b, loc, z), getTargets()), g);
  Value dt = mul(b, loc, NegOp::create(b, loc, z), g);
  return {BroadcastToOp::create(b, loc, z.getType(), dz),
          BroadcastToOp::create(b, loc, z.getType(), dt)};
}

SmallVector<Value> MseOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value diff = SubOp::create(b, loc, getPrediction(), getTarget());
  double scale = 2.0 / getPrediction().getType().getNumElements();
  Value factor = mul(b, loc, grads[0], scalar(b, loc, grads[0], scale));
  Value dPrediction = mul(b, loc, diff, factor);
  return {dPrediction, NegOp::create(b, loc, dPrediction)};
}
