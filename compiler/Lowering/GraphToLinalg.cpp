//===- GraphToLinalg.cpp - Lower the graph dialect to linalg --------------===//
//
// Elementwise ops, reductions and matmul become linalg.generic ops whose
// indexing maps carry broadcasting; shape ops map to tensor ops; composite ops
// (softmax, log_softmax, reduce_mean, losses) expand into simpler graph ops,
// which the same conversion then lowers. Everything stays on tensors so that
// fusion and bufferization run upstream.
//
//===----------------------------------------------------------------------===//

#include "compiler/Lowering/LoweringUtils.h"
#include "compiler/Lowering/Passes.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphShapes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

namespace kiln::lowering {
#define GEN_PASS_DEF_LOWERGRAPHTOLINALG
#include "compiler/Lowering/Passes.h.inc"
} // namespace kiln::lowering

using namespace mlir;
namespace graph = kiln::graph;

using namespace kiln::lowering;

namespace {

/// The map reading an operand of `shape` inside a loop nest over `outShape`:
/// dimensions align on the right and a size-1 dimension that the output
/// stretches reads index 0.
AffineMap broadcastMap(MLIRContext *context, ArrayRef<int64_t> shape,
                       ArrayRef<int64_t> outShape) {
  size_t offset = outShape.size() - shape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 1 && outShape[offset + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(offset + i, context));
  }
  return AffineMap::get(outShape.size(), 0, exprs, context);
}

using ScalarBody =
    function_ref<Value(OpBuilder &, Location, ValueRange /*inputs*/)>;

/// An all-parallel generic over `resultType` reading `inputs` with
/// broadcasting.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, ScalarBody body) {
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value v : inputs)
    maps.push_back(
        broadcastMap(context, tensorOf(v).getShape(), resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

Value zeroOf(OpBuilder &b, Location loc, Type type) {
  return arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type));
}

/// Identity of max: -inf for floats, the smallest signed integer otherwise.
Value lowestOf(OpBuilder &b, Location loc, Type type) {
  if (auto f = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, type,
        b.getFloatAttr(type, APFloat::getInf(f.getFloatSemantics(), true)));
  unsigned width = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc, type, b.getIntegerAttr(type, APInt::getSignedMinValue(width)));
}

/// Fold of `input` over `axes` into a tensor without them (keepdims is
/// applied by the caller through a reshape).
Value buildReduction(
    OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
    Value identity,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  RankedTensorType inType = tensorOf(input);
  MLIRContext *context = b.getContext();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < inType.getRank(); ++i) {
    if (llvm::is_contained(axes, i)) {
      iterators.push_back(utils::IteratorType::reduction);
      continue;
    }
    iterators.push_back(utils::IteratorType::parallel);
    outShape.push_back(inType.getDimSize(i));
    outExprs.push_back(getAffineDimExpr(i, context));
  }
  Type elementType = inType.getElementType();
  Value empty = tensor::EmptyOp::create(b, loc, outShape, elementType);
  Value init = linalg::FillOp::create(b, loc, identity, empty).getResult(0);
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(inType.getRank()),
      AffineMap::get(inType.getRank(), 0, outExprs, context)};
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), input, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args[0], args[1]));
      });
  return generic.getResult(0);
}

/// Same elements, new static shape: flattens, then expands.
Value buildReshape(OpBuilder &b, Location loc, Value input,
                   RankedTensorType resultType) {
  RankedTensorType inType = tensorOf(input);
  if (inType.getShape() == resultType.getShape())
    return input;
  if (inType.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, resultType, input,
                                         ArrayRef<ReassociationIndices>{});
  if (resultType.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                           ArrayRef<ReassociationIndices>{});
  Value flat = input;
  if (inType.getRank() > 1) {
    ReassociationIndices all =
        llvm::to_vector(llvm::seq<int64_t>(0, inType.getRank()));
    flat = tensor::CollapseShapeOp::create(b, loc, input,
                                           ArrayRef<ReassociationIndices>{all});
  }
  if (resultType.getRank() == 1)
    return flat;
  ReassociationIndices all =
      llvm::to_vector(llvm::seq<int64_t>(0, resultType.getRank()));
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

bool isFloat(Type t) { return isa<FloatType>(getElementTypeOrSelf(t)); }

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

/// Scalar semantics of each elementwise op, for float and integer elements.
template <typename Op> struct Scalar;

#define KILN_SCALAR_BINARY(Op, FloatOp, IntOp)                                 \
  template <> struct Scalar<graph::Op> {                                       \
    static Value build(graph::Op, OpBuilder &b, Location loc, ValueRange in) { \
      if (isFloat(in[0].getType()))                                            \
        return arith::FloatOp::create(b, loc, in[0], in[1]);                   \
      return arith::IntOp::create(b, loc, in[0], in[1]);                       \
    }                                                                          \
  };
KILN_SCALAR_BINARY(AddOp, AddFOp, AddIOp)
KILN_SCALAR_BINARY(SubOp, SubFOp, SubIOp)
KILN_SCALAR_BINARY(MulOp, MulFOp, MulIOp)
KILN_SCALAR_BINARY(DivOp, DivFOp, DivSIOp)
KILN_SCALAR_BINARY(MaxOp, MaximumFOp, MaxSIOp)
KILN_SCALAR_BINARY(MinOp, MinimumFOp, MinSIOp)
#undef KILN_SCALAR_BINARY

#define KILN_SCALAR_FLOAT_UNARY(Op, MathOp)                                    \
  template <> struct Scalar<graph::Op> {                                       \
    static Value build(graph::Op, OpBuilder &b, Location loc, ValueRange in) { \
      return math::MathOp::create(b, loc, in[0]);                              \
    }                                                                          \
  };
KILN_SCALAR_FLOAT_UNARY(ExpOp, ExpOp)
KILN_SCALAR_FLOAT_UNARY(LogOp, LogOp)
KILN_SCALAR_FLOAT_UNARY(SqrtOp, SqrtOp)
KILN_SCALAR_FLOAT_UNARY(RsqrtOp, RsqrtOp)
KILN_SCALAR_FLOAT_UNARY(TanhOp, TanhOp)
KILN_SCALAR_FLOAT_UNARY(ErfOp, ErfOp)
#undef KILN_SCALAR_FLOAT_UNARY

template <> struct Scalar<graph::Log1pOp> {
  // log(u) * x / (u - 1) with u = 1 + x: the rounding of u cancels out
  // (Goldberg, 1991), where LLVM's lowering of math.log1p computes log(u).
  static Value build(graph::Log1pOp, OpBuilder &b, Location loc,
                     ValueRange in) {
    Value x = in[0];
    Value one = floatConstant(b, loc, x.getType(), 1.0);
    Value u = arith::AddFOp::create(b, loc, one, x);
    Value uMinusOne = arith::SubFOp::create(b, loc, u, one);
    Value scaled =
        arith::MulFOp::create(b, loc, math::LogOp::create(b, loc, u),
                              arith::DivFOp::create(b, loc, x, uMinusOne));
    Value exact = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                        uMinusOne, zeroOf(b, loc, x.getType()));
    return arith::SelectOp::create(b, loc, exact, x, scaled);
  }
};

template <> struct Scalar<graph::PowOp> {
  static Value build(graph::PowOp, OpBuilder &b, Location loc, ValueRange in) {
    return math::PowFOp::create(b, loc, in[0], in[1]);
  }
};

template <> struct Scalar<graph::NegOp> {
  static Value build(graph::NegOp, OpBuilder &b, Location loc, ValueRange in) {
    if (isFloat(in[0].getType()))
      return arith::NegFOp::create(b, loc, in[0]);
    return arith::SubIOp::create(b, loc, zeroOf(b, loc, in[0].getType()),
                                 in[0]);
  }
};

template <> struct Scalar<graph::AbsOp> {
  static Value build(graph::AbsOp, OpBuilder &b, Location loc, ValueRange in) {
    if (isFloat(in[0].getType()))
      return math::AbsFOp::create(b, loc, in[0]);
    // max(x, 0 - x) rather than math.absi, which convert-math-to-llvm cannot
    // lower once vectorized to more than one dimension (vector<1x2xi32>).
    Value negated =
        arith::SubIOp::create(b, loc, zeroOf(b, loc, in[0].getType()), in[0]);
    return arith::MaxSIOp::create(b, loc, in[0], negated);
  }
};

template <> struct Scalar<graph::SigmoidOp> {
  static Value build(graph::SigmoidOp, OpBuilder &b, Location loc,
                     ValueRange in) {
    Type t = in[0].getType();
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, in[0]));
    Value one = floatConstant(b, loc, t, 1.0);
    return arith::DivFOp::create(b, loc, one,
                                 arith::AddFOp::create(b, loc, one, e));
  }
};

template <> struct Scalar<graph::ReluOp> {
  static Value build(graph::ReluOp, OpBuilder &b, Location loc, ValueRange in) {
    return arith::MaximumFOp::create(b, loc, in[0],
                                     zeroOf(b, loc, in[0].getType()));
  }
};

template <> struct Scalar<graph::GeluOp> {
  // x * (1 + erf(x / sqrt(2))) / 2
  static Value build(graph::GeluOp, OpBuilder &b, Location loc, ValueRange in) {
    Type t = in[0].getType();
    Value scaled = arith::MulFOp::create(
        b, loc, in[0], floatConstant(b, loc, t, 0.70710678118654752440));
    Value onePlusErf =
        arith::AddFOp::create(b, loc, floatConstant(b, loc, t, 1.0),
                              math::ErfOp::create(b, loc, scaled));
    Value half =
        arith::MulFOp::create(b, loc, in[0], floatConstant(b, loc, t, 0.5));
    return arith::MulFOp::create(b, loc, half, onePlusErf);
  }
};

template <> struct Scalar<graph::CompareOp> {
  static Value build(graph::CompareOp op, OpBuilder &b, Location loc,
                     ValueRange in) {
    using graph::ComparePredicate;
    ComparePredicate p = op.getPredicate();
    if (isFloat(in[0].getType())) {
      arith::CmpFPredicate f = arith::CmpFPredicate::OEQ;
      switch (p) {
      case ComparePredicate::eq:
        f = arith::CmpFPredicate::OEQ;
        break;
      case ComparePredicate::ne:
        f = arith::CmpFPredicate::UNE;
        break;
      case ComparePredicate::lt:
        f = arith::CmpFPredicate::OLT;
        break;
      case ComparePredicate::le:
        f = arith::CmpFPredicate::OLE;
        break;
      case ComparePredicate::gt:
        f = arith::CmpFPredicate::OGT;
        break;
      case ComparePredicate::ge:
        f = arith::CmpFPredicate::OGE;
        break;
      }
      return arith::CmpFOp::create(b, loc, f, in[0], in[1]);
    }
    arith::CmpIPredicate i = arith::CmpIPredicate::eq;
    switch (p) {
    case ComparePredicate::eq:
      i = arith::CmpIPredicate::eq;
      break;
    case ComparePredicate::ne:
      i = arith::CmpIPredicate::ne;
      break;
    case ComparePredicate::lt:
      i = arith::CmpIPredicate::slt;
      break;
    case ComparePredicate::le:
      i = arith::CmpIPredicate::sle;
      break;
    case ComparePredicate::gt:
      i = arith::CmpIPredicate::sgt;
      break;
    case ComparePredicate::ge:
      i = arith::CmpIPredicate::sge;
      break;
    }
    return arith::CmpIOp::create(b, loc, i, in[0], in[1]);
  }
};

template <> struct Scalar<graph::SelectOp> {
  static Value build(graph::SelectOp, OpBuilder &b, Location loc,
                     ValueRange in) {
    return arith::SelectOp::create(b, loc, in[0], in[1], in[2]);
  }
};

template <> struct Scalar<graph::CastOp> {
  static Value build(graph::CastOp op, OpBuilder &b, Location loc,
                     ValueRange in) {
    Type to = op.getType().getElementType();
    Value x = in[0];
    if (to.isInteger(1) && !x.getType().isInteger(1)) {
      // To bool: x != 0 (a plain conversion would truncate or be poison).
      if (isFloat(x.getType()))
        return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                     zeroOf(b, loc, x.getType()));
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                   zeroOf(b, loc, x.getType()));
    }
    bool fromBool = x.getType().isInteger(1);
    return convertScalarToDtype(b, loc, x, to, /*isUnsignedCast=*/fromBool);
  }
};

template <> struct Scalar<graph::BroadcastToOp> {
  static Value build(graph::BroadcastToOp, OpBuilder &, Location,
                     ValueRange in) {
    return in[0];
  }
};

template <typename Op> struct ElementwiseLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange in) {
          return Scalar<Op>::build(op, b, loc, in);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Matmul and reductions
//===----------------------------------------------------------------------===//

/// Loops (batch..., m, n, k) with the operands' batch dimensions broadcast.
Value buildMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                  bool transposeLhs, bool transposeRhs,
                  RankedTensorType resultType) {
  MLIRContext *context = b.getContext();
  int64_t batchRank = resultType.getRank() - 2;
  int64_t numLoops = batchRank + 3;
  AffineExpr m = getAffineDimExpr(batchRank, context);
  AffineExpr n = getAffineDimExpr(batchRank + 1, context);
  AffineExpr k = getAffineDimExpr(batchRank + 2, context);
  ArrayRef<int64_t> outBatch = resultType.getShape().drop_back(2);

  auto operandMap = [&](Value v, AffineExpr rows, AffineExpr cols) {
    ArrayRef<int64_t> shape = tensorOf(v).getShape();
    AffineMap batch = broadcastMap(context, shape.drop_back(2), outBatch);
    SmallVector<AffineExpr> exprs(batch.getResults());
    exprs.push_back(rows);
    exprs.push_back(cols);
    return AffineMap::get(numLoops, 0, exprs, context);
  };
  AffineMap lhsMap =
      transposeLhs ? operandMap(lhs, k, m) : operandMap(lhs, m, k);
  AffineMap rhsMap =
      transposeRhs ? operandMap(rhs, n, k) : operandMap(rhs, k, n);
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < batchRank + 2; ++i)
    outExprs.push_back(getAffineDimExpr(i, context));
  AffineMap outMap = AffineMap::get(numLoops, 0, outExprs, context);

  SmallVector<utils::IteratorType> iterators(numLoops - 1,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Type elementType = resultType.getElementType();
  Value empty =
      tensor::EmptyOp::create(b, loc, resultType.getShape(), elementType);
  Value init =
      linalg::FillOp::create(b, loc, zeroOf(b, loc, elementType), empty)
          .getResult(0);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{lhs, rhs}, init,
      ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
      [&](OpBuilder &nested, Location l, ValueRange args) {
        Value product = arith::MulFOp::create(nested, l, args[0], args[1]);
        linalg::YieldOp::create(
            nested, l,
            arith::AddFOp::create(nested, l, args[2], product).getResult());
      });
  return generic.getResult(0);
}

struct MatmulLowering : OpConversionPattern<graph::MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    RankedTensorType lhsType = tensorOf(lhs);
    int64_t rank = lhsType.getRank();
    if (rank <= 2 || tensorOf(rhs).getRank() != 2 || op.getTransposeLhs()) {
      rewriter.replaceOp(op, buildMatmul(rewriter, loc, lhs, rhs,
                                         op.getTransposeLhs(),
                                         op.getTransposeRhs(), resultType));
      return success();
    }
    // A stack of rows times one matrix is one product of all the rows: a
    // single large GEMM instead of a batch of small ones.
    ReassociationIndices batchAndRows =
        llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
    SmallVector<ReassociationIndices> groups{batchAndRows, {rank - 1}};
    int64_t rows = 1;
    for (int64_t size : lhsType.getShape().drop_back())
      rows *= size;
    Value flatLhs = tensor::CollapseShapeOp::create(rewriter, loc, lhs, groups);
    auto flatType = RankedTensorType::get({rows, resultType.getShape().back()},
                                          resultType.getElementType());
    Value flat = buildMatmul(rewriter, loc, flatLhs, rhs, false,
                             op.getTransposeRhs(), flatType);
    rewriter.replaceOp(op, tensor::ExpandShapeOp::create(
                               rewriter, loc, resultType, flat, groups));
    return success();
  }
};

template <typename Op> struct ReduceLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType inType = tensorOf(input);
    Type elementType = inType.getElementType();
    graph::ShapeOrError axes =
        graph::normalizeAxes(op.getAxes(), inType.getRank());
    constexpr bool isMax = std::is_same_v<Op, graph::ReduceMaxOp>;
    Value identity = isMax ? lowestOf(rewriter, loc, elementType)
                           : zeroOf(rewriter, loc, elementType);
    Value reduced = buildReduction(
        rewriter, loc, input, axes.shape, identity,
        [&](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          bool f = isFloat(elementType);
          if (isMax)
            return f ? arith::MaximumFOp::create(b, l, x, acc).getResult()
                     : arith::MaxSIOp::create(b, l, x, acc).getResult();
          return f ? arith::AddFOp::create(b, l, x, acc).getResult()
                   : arith::AddIOp::create(b, l, x, acc).getResult();
        });
    rewriter.replaceOp(op, buildReshape(rewriter, loc, reduced, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Composite ops, expanded into graph ops
//===----------------------------------------------------------------------===//

struct ReduceMeanLowering : OpConversionPattern<graph::ReduceMeanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ReduceMeanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inType = tensorOf(adaptor.getInput());
    graph::ShapeOrError axes =
        graph::normalizeAxes(op.getAxes(), inType.getRank());
    int64_t count = 1;
    for (int64_t a : axes.shape)
      count *= inType.getDimSize(a);
    Value sum =
        graph::ReduceSumOp::create(rewriter, loc, adaptor.getInput(),
                                   op.getAxesAttr(), op.getKeepdimsAttr());
    rewriter.replaceOpWithNewOp<graph::MulOp>(
        op, sum,
        scalarTensor(rewriter, loc, inType.getElementType(), 1.0 / count));
    return success();
  }
};

/// max over `axis`, kept as a size-1 dimension.
Value keptMax(OpBuilder &b, Location loc, Value x, int64_t axis) {
  return graph::ReduceMaxOp::create(b, loc, x, b.getDenseI64ArrayAttr({axis}),
                                    b.getUnitAttr());
}

Value keptSum(OpBuilder &b, Location loc, Value x, int64_t axis) {
  return graph::ReduceSumOp::create(b, loc, x, b.getDenseI64ArrayAttr({axis}),
                                    b.getUnitAttr());
}

template <typename Op> struct SoftmaxLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t axis = graph::normalizeAxes({static_cast<int64_t>(op.getAxis())},
                                        tensorOf(x).getRank())
                       .shape.front();
    Value shifted =
        graph::SubOp::create(rewriter, loc, x, keptMax(rewriter, loc, x, axis));
    Value sum = keptSum(rewriter, loc,
                        graph::ExpOp::create(rewriter, loc, shifted), axis);
    if constexpr (std::is_same_v<Op, graph::SoftmaxOp>)
      rewriter.replaceOpWithNewOp<graph::DivOp>(
          op, graph::ExpOp::create(rewriter, loc, shifted), sum);
    else
      rewriter.replaceOpWithNewOp<graph::SubOp>(
          op, shifted, graph::LogOp::create(rewriter, loc, sum));
    return success();
  }
};

/// y = c / sqrt(mean(c^2) + epsilon) along the axis, c being x minus its
/// mean (layer norm) or x itself (RMS norm).
template <typename Op> struct NormLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    RankedTensorType type = tensorOf(x);
    int64_t axis = graph::normalizeAxes({static_cast<int64_t>(op.getAxis())},
                                        type.getRank())
                       .shape.front();
    auto keptMean = [&](Value v) -> Value {
      return graph::ReduceMeanOp::create(rewriter, loc, v,
                                         rewriter.getDenseI64ArrayAttr({axis}),
                                         rewriter.getUnitAttr());
    };
    Value centered = x;
    if constexpr (std::is_same_v<Op, graph::LayerNormOp>)
      centered = graph::SubOp::create(rewriter, loc, x, keptMean(x));
    Value meanSquare =
        keptMean(graph::MulOp::create(rewriter, loc, centered, centered));
    Value epsilon = scalarTensor(rewriter, loc, type.getElementType(),
                                 op.getEpsilon().convertToDouble());
    Value scale = graph::RsqrtOp::create(
        rewriter, loc,
        graph::AddOp::create(rewriter, loc, meanSquare, epsilon));
    rewriter.replaceOpWithNewOp<graph::MulOp>(op, centered, scale);
    return success();
  }
};

/// Sum of every element of `v`, a scalar graph value.
Value sumAll(OpBuilder &b, Location loc, Value v) {
  auto all = b.getDenseI64ArrayAttr(
      llvm::to_vector(llvm::seq<int64_t>(0, tensorOf(v).getRank())));
  return graph::ReduceSumOp::create(b, loc, v, all, nullptr);
}

/// sum(values) / max(sum(mask), 1), or the plain sum or `values` itself.
Value reduceLoss(OpBuilder &b, Location loc, Value values, Value mask,
                 graph::LossReduction reduction) {
  if (reduction == graph::LossReduction::none)
    return values;
  Value total = sumAll(b, loc, values);
  if (reduction == graph::LossReduction::sum)
    return total;
  Type element = getElementTypeOrSelf(values.getType());
  Value count = graph::MaxOp::create(b, loc, sumAll(b, loc, mask),
                                     scalarTensor(b, loc, element, 1.0));
  return graph::DivOp::create(b, loc, total, count);
}

/// Per example: sum(target * (log(sum(exp(z - max))) - (z - max))), which
/// with a one-hot target is the usual logsumexp(z) - z[label].
struct SoftmaxCrossEntropyLowering
    : OpConversionPattern<graph::SoftmaxCrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::SoftmaxCrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = adaptor.getLogits();
    RankedTensorType logitsType = tensorOf(logits);
    int64_t axis = logitsType.getRank() - 1;
    Type elementType = logitsType.getElementType();
    Value shifted = graph::SubOp::create(rewriter, loc, logits,
                                         keptMax(rewriter, loc, logits, axis));
    Value logSum = graph::LogOp::create(
        rewriter, loc,
        keptSum(rewriter, loc, graph::ExpOp::create(rewriter, loc, shifted),
                axis));
    auto [target, mask] = op.buildTargetAndMask(rewriter);
    Value picked =
        keptSum(rewriter, loc,
                graph::MulOp::create(rewriter, loc, target, shifted), axis);
    Value kept = graph::SubOp::create(
        rewriter, loc, graph::MulOp::create(rewriter, loc, mask, logSum),
        picked);
    auto perExampleType =
        RankedTensorType::get(logitsType.getShape().drop_back(), elementType);
    Value perExample =
        graph::ReshapeOp::create(rewriter, loc, perExampleType, kept);
    rewriter.replaceOp(
        op, reduceLoss(rewriter, loc, perExample, mask, op.getReduction()));
    return success();
  }
};

/// max(z, 0) - z * t + log1p(exp(-|z|)) per element.
struct BceWithLogitsLowering : OpConversionPattern<graph::BceWithLogitsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::BceWithLogitsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value z = adaptor.getLogits(), t = adaptor.getTargets();
    Type element = tensorOf(z).getElementType();
    Value negAbs = graph::NegOp::create(rewriter, loc,
                                        graph::AbsOp::create(rewriter, loc, z));
    Value softplus = graph::Log1pOp::create(
        rewriter, loc, graph::ExpOp::create(rewriter, loc, negAbs));
    Value linear = graph::SubOp::create(
        rewriter, loc, graph::ReluOp::create(rewriter, loc, z),
        graph::MulOp::create(rewriter, loc, z, t));
    Value loss = graph::AddOp::create(rewriter, loc, linear, softplus);
    Value ones = graph::BroadcastToOp::create(
        rewriter, loc, z.getType(), scalarTensor(rewriter, loc, element, 1.0));
    rewriter.replaceOp(
        op, reduceLoss(rewriter, loc, loss, ones, op.getReduction()));
    return success();
  }
};

/// mean over unmasked positions of (argmax(logits) == label).
struct AccuracyLowering : OpConversionPattern<graph::AccuracyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::AccuracyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = adaptor.getLogits(), labels = adaptor.getLabels();
    RankedTensorType logitsType = tensorOf(logits);
    RankedTensorType labelsType = tensorOf(labels);
    Type element = logitsType.getElementType();
    Value predicted = graph::ArgmaxOp::create(rewriter, loc, labelsType, logits,
                                              rewriter.getI64IntegerAttr(-1));
    Value hit = graph::CompareOp::create(
        rewriter, loc, graph::ComparePredicate::eq, predicted, labels);
    auto floats = RankedTensorType::get(labelsType.getShape(), element);
    Value hits = graph::CastOp::create(rewriter, loc, floats, hit);
    Value oneHot = graph::OneHotOp::create(
        rewriter, loc, logitsType, labels,
        rewriter.getI64IntegerAttr(logitsType.getShape().back()));
    Value mask = graph::ReshapeOp::create(
        rewriter, loc, floats,
        keptSum(rewriter, loc, oneHot, logitsType.getRank() - 1));
    Value counted = graph::MulOp::create(rewriter, loc, hits, mask);
    rewriter.replaceOp(op, reduceLoss(rewriter, loc, counted, mask,
                                      graph::LossReduction::mean));
    return success();
  }
};

struct MseLowering : OpConversionPattern<graph::MseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::MseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value diff = graph::SubOp::create(rewriter, loc, adaptor.getPrediction(),
                                      adaptor.getTarget());
    Value squared = graph::MulOp::create(rewriter, loc, diff, diff);
    auto all = rewriter.getDenseI64ArrayAttr(
        llvm::to_vector(llvm::seq<int64_t>(0, tensorOf(diff).getRank())));
    rewriter.replaceOpWithNewOp<graph::ReduceMeanOp>(op, squared, all, nullptr);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

struct ConstantLowering : OpConversionPattern<graph::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<graph::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildReshape(rewriter, op.getLoc(),
                                        adaptor.getInput(), op.getType()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<graph::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    SmallVector<int64_t> perm = llvm::map_to_vector(
        op.getPermutation(), [&](int64_t p) { return p < 0 ? p + rank : p; });
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), type.getShape(),
                                         type.getElementType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       adaptor.getInput(), init,
                                                       perm)
                               .getResult());
    return success();
  }
};

struct SliceLowering : OpConversionPattern<graph::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), adaptor.getInput(), ValueRange{}, ValueRange{},
        ValueRange{}, op.getStarts(), op.getType().getShape(), op.getStrides());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<graph::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t rank = op.getType().getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    rewriter.replaceOpWithNewOp<tensor::ConcatOp>(op, op.getType(), axis,
                                                  adaptor.getInputs());
    return success();
  }
};

/// Index `raw` (any integer type) as an in-range `index` of a dim of `size`.
Value clampedIndex(OpBuilder &b, Location loc, Value raw, int64_t size) {
  Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), raw);
  Value lo = arith::ConstantIndexOp::create(b, loc, 0);
  Value hi = arith::ConstantIndexOp::create(b, loc, size - 1);
  return arith::MinSIOp::create(b, loc,
                                arith::MaxSIOp::create(b, loc, index, lo), hi);
}

/// Loops over the result; the indices operand is read through its dims and
/// the table through tensor.extract at the clamped index.
struct GatherLowering : OpConversionPattern<graph::GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = getContext();
    RankedTensorType resultType = op.getType();
    Value table = adaptor.getTable();
    RankedTensorType tableType = tensorOf(table);
    int64_t axis = graph::normalizeAxes({static_cast<int64_t>(op.getAxis())},
                                        tableType.getRank())
                       .shape.front();
    int64_t indexRank = tensorOf(adaptor.getIndices()).getRank();
    int64_t rank = resultType.getRank();

    SmallVector<AffineExpr> indexExprs;
    for (int64_t i = 0; i < indexRank; ++i)
      indexExprs.push_back(getAffineDimExpr(axis + i, context));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, indexExprs, context),
                                   rewriter.getMultiDimIdentityMap(rank)};
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                         resultType.getElementType());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, adaptor.getIndices(), init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> coords;
          for (int64_t i = 0; i < axis; ++i)
            coords.push_back(linalg::IndexOp::create(b, l, i));
          coords.push_back(
              clampedIndex(b, l, args[0], tableType.getDimSize(axis)));
          for (int64_t i = axis + indexRank; i < rank; ++i)
            coords.push_back(linalg::IndexOp::create(b, l, i));
          linalg::YieldOp::create(
              b, l, tensor::ExtractOp::create(b, l, table, coords).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// One generic over the result: each element (row i, column m of one
/// system) reads the system's lower triangle and column m of the right-hand
/// side, factors and substitutes with straight-line code (n <= 16), and
/// keeps x[i]. The factorization is repeated per element: n * m times a few
/// hundred flops, which is nothing for the small systems this op is for, and
/// keeps every element independent.
struct CholeskySolveLowering : OpConversionPattern<graph::CholeskySolveOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::CholeskySolveOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    int64_t rank = resultType.getRank();
    int64_t n = resultType.getDimSize(rank - 2);
    Value matrix = adaptor.getMatrix(), rhs = adaptor.getRhs();
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                         resultType.getElementType());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{}, init,
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, iterators,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> batch;
          for (int64_t d = 0; d + 2 < rank; ++d)
            batch.push_back(linalg::IndexOp::create(b, l, d));
          Value row = linalg::IndexOp::create(b, l, rank - 2);
          Value column = linalg::IndexOp::create(b, l, rank - 1);
          auto constant = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          auto at = [&](Value tensor, Value i, Value j) -> Value {
            SmallVector<Value> coords(batch);
            coords.push_back(i);
            coords.push_back(j);
            return tensor::ExtractOp::create(b, l, tensor, coords);
          };
          auto sub = [&](Value x, Value y) -> Value {
            return arith::SubFOp::create(b, l, x, y);
          };
          auto mul = [&](Value x, Value y) -> Value {
            return arith::MulFOp::create(b, l, x, y);
          };
          auto div = [&](Value x, Value y) -> Value {
            return arith::DivFOp::create(b, l, x, y);
          };
          // L L^T = A, column by column.
          std::vector<std::vector<Value>> lower(n, std::vector<Value>(n));
          for (int64_t j = 0; j < n; ++j) {
            Value diagonal = at(matrix, constant(j), constant(j));
            for (int64_t k = 0; k < j; ++k)
              diagonal = sub(diagonal, mul(lower[j][k], lower[j][k]));
            lower[j][j] = math::SqrtOp::create(b, l, diagonal);
            for (int64_t i = j + 1; i < n; ++i) {
              Value entry = at(matrix, constant(i), constant(j));
              for (int64_t k = 0; k < j; ++k)
                entry = sub(entry, mul(lower[i][k], lower[j][k]));
              lower[i][j] = div(entry, lower[j][j]);
            }
          }
          // L z = b, then L^T x = z.
          std::vector<Value> z(n), x(n);
          for (int64_t i = 0; i < n; ++i) {
            Value entry = at(rhs, constant(i), column);
            for (int64_t k = 0; k < i; ++k)
              entry = sub(entry, mul(lower[i][k], z[k]));
            z[i] = div(entry, lower[i][i]);
          }
          for (int64_t i = n - 1; i >= 0; --i) {
            Value entry = z[i];
            for (int64_t k = i + 1; k < n; ++k)
              entry = sub(entry, mul(lower[k][i], x[k]));
            x[i] = div(entry, lower[i][i]);
          }
          Value result = x[0];
          for (int64_t i = 1; i < n; ++i) {
            Value isRow = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                row, constant(i));
            result = arith::SelectOp::create(b, l, isRow, x[i], result);
          }
          linalg::YieldOp::create(b, l, result);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct OneHotLowering : OpConversionPattern<graph::OneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::OneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = getContext();
    RankedTensorType resultType = op.getType();
    int64_t rank = resultType.getRank();
    // Indices are read at every position but the new last dimension.
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < rank - 1; ++i)
      exprs.push_back(getAffineDimExpr(i, context));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, context),
                                   rewriter.getMultiDimIdentityMap(rank)};
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                         resultType.getElementType());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Type elementType = resultType.getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, adaptor.getIndices(), init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value index =
              arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value c = linalg::IndexOp::create(b, l, rank - 1);
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, index, c);
          linalg::YieldOp::create(
              b, l,
              arith::UIToFPOp::create(b, l, elementType, hit).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct StopGradientLowering : OpConversionPattern<graph::StopGradientOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::StopGradientOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

/// graph.dropout: the identity without a key; with one, a generic whose
/// body draws each element's Philox4x32-10 word (as kiln_philox4x32 does:
/// runtime/src/rng.cpp) from its row-major index.
struct DropoutLowering : OpConversionPattern<graph::DropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!adaptor.getKey()) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    auto keyAt = [&](int64_t i) -> Value {
      Value index = arith::ConstantIndexOp::create(rewriter, loc, i);
      return tensor::ExtractOp::create(rewriter, loc, adaptor.getKey(),
                                       ValueRange{index});
    };
    Value seed = keyAt(0), step = keyAt(1);
    double rate = op.getRate().convertToDouble();
    // Kept when the word is at least rate * 2^32.
    uint32_t threshold =
        static_cast<uint32_t>(std::min(rate * 4294967296.0, 4294967295.0));
    uint32_t stream = 0x80000000u | static_cast<uint32_t>(op.getSite());
    double scale = 1.0 / (1.0 - rate);
    ArrayRef<int64_t> shape = type.getShape();
    Value result = buildElementwise(
        rewriter, loc, type, adaptor.getInput(),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type i32 = b.getI32Type(), i64 = b.getI64Type();
          auto constant = [&](uint32_t v) -> Value {
            return arith::ConstantIntOp::create(b, l, i32, int64_t(v));
          };
          // The row-major index of this element.
          Value index = arith::ConstantIndexOp::create(b, l, 0);
          for (auto [d, size] : llvm::enumerate(shape)) {
            Value scaled = arith::MulIOp::create(
                b, l, index, arith::ConstantIndexOp::create(b, l, size));
            index = arith::AddIOp::create(b, l, scaled,
                                          linalg::IndexOp::create(b, l, d));
          }
          Value wide = arith::IndexCastOp::create(b, l, i64, index);
          auto low = [&](Value v) {
            return arith::TruncIOp::create(b, l, i32, v);
          };
          auto high = [&](Value v) {
            return low(arith::ShRUIOp::create(
                b, l, v, arith::ConstantIntOp::create(b, l, i64, 32)));
          };
          Value c[4] = {low(wide), high(wide), low(step), constant(stream)};
          Value k[2] = {low(seed), high(seed)};
          for (int round = 0; round < 10; ++round) {
            if (round) {
              k[0] = arith::AddIOp::create(b, l, k[0], constant(0x9E3779B9u));
              k[1] = arith::AddIOp::create(b, l, k[1], constant(0xBB67AE85u));
            }
            // The 64-bit products of Philox's multipliers, split in halves.
            auto product = [&](uint32_t multiplier, Value v) {
              Value p = arith::MulIOp::create(
                  b, l, arith::ExtUIOp::create(b, l, i64, v),
                  arith::ConstantIntOp::create(b, l, i64, int64_t(multiplier)));
              return std::pair<Value, Value>{low(p), high(p)};
            };
            auto [lo0, hi0] = product(0xD2511F53u, c[0]);
            auto [lo1, hi1] = product(0xCD9E8D57u, c[2]);
            Value next[4] = {
                arith::XOrIOp::create(
                    b, l, arith::XOrIOp::create(b, l, hi1, c[1]), k[0]),
                lo1,
                arith::XOrIOp::create(
                    b, l, arith::XOrIOp::create(b, l, hi0, c[3]), k[1]),
                lo0};
            std::copy(next, next + 4, c);
          }
          Value keep = arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge,
                                             c[0], constant(threshold));
          Type element = args[0].getType();
          Value kept = arith::MulFOp::create(
              b, l, args[0],
              arith::ConstantOp::create(b, l, element,
                                        b.getFloatAttr(element, scale)));
          return arith::SelectOp::create(b, l, keep, kept,
                                         zeroOf(b, l, element));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct InsertSliceLowering : OpConversionPattern<graph::InsertSliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::InsertSliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, adaptor.getSource(), adaptor.getDest(), ValueRange{}, ValueRange{},
        ValueRange{}, op.getStarts(), op.getSource().getType().getShape(),
        op.getStrides());
    return success();
  }
};

/// Loops over the updates in order (deterministic accumulation of repeated
/// indices), adding each element into the destination at the clamped index.
/// The destination axis a scatter-add indexes, normalized.
int64_t scatterAxis(graph::ScatterAddOp op) {
  return graph::normalizeAxes({static_cast<int64_t>(op.getAxis())},
                              op.getDest().getType().getRank())
      .shape.front();
}

struct ScatterAddLowering : OpConversionPattern<graph::ScatterAddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ScatterAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType updatesType = op.getUpdates().getType();
    RankedTensorType destType = op.getDest().getType();
    int64_t axis = scatterAxis(op);
    int64_t indexRank = op.getIndices().getType().getRank();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);

    SmallVector<Value> ivs;
    Value result = adaptor.getDest();
    // One scf.for per dimension of `updates`, carrying the destination.
    std::function<Value(OpBuilder &, int64_t, Value)> nest =
        [&](OpBuilder &b, int64_t dim, Value acc) -> Value {
      if (dim == updatesType.getRank()) {
        ArrayRef<Value> position(ivs);
        SmallVector<Value> coords(position.take_front(axis));
        Value raw = tensor::ExtractOp::create(b, loc, adaptor.getIndices(),
                                              position.slice(axis, indexRank));
        coords.push_back(clampedIndex(b, loc, raw, destType.getDimSize(axis)));
        coords.append(position.begin() + axis + indexRank, position.end());
        Value update =
            tensor::ExtractOp::create(b, loc, adaptor.getUpdates(), position);
        Value old = tensor::ExtractOp::create(b, loc, acc, coords);
        Value sum = arith::AddFOp::create(b, loc, old, update);
        return tensor::InsertOp::create(b, loc, sum, acc, coords);
      }
      Value upper =
          arith::ConstantIndexOp::create(b, loc, updatesType.getDimSize(dim));
      auto loop = scf::ForOp::create(
          b, loc, zero, upper, one, ValueRange{acc},
          [&](OpBuilder &nb, Location, Value iv, ValueRange args) {
            ivs.push_back(iv);
            Value next = nest(nb, dim + 1, args.front());
            ivs.pop_back();
            scf::YieldOp::create(nb, loc, next);
          });
      return loop.getResult(0);
    };
    result = nest(rewriter, 0, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Scatter-add of rows (indices [N...], updates [N..., F] into [V, F],
/// axis 0, F a multiple of 16 and at least 32) for the CPU: an scf.forall over
/// 16-feature chunks, each adding the updates' rows as vectors in row order.
/// Every element sums the same terms in the same order as the scalar nest.
struct VectorScatterRowsLowering : OpConversionPattern<graph::ScatterAddOp> {
  static constexpr int64_t kWidth = 16;
  VectorScatterRowsLowering(MLIRContext *context)
      : OpConversionPattern(context, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(graph::ScatterAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType updatesType = op.getUpdates().getType();
    RankedTensorType destType = op.getDest().getType();
    int64_t axis = scatterAxis(op);
    int64_t indexRank = op.getIndices().getType().getRank();
    if (axis != 0 || destType.getRank() != 2 ||
        updatesType.getRank() != indexRank + 1)
      return failure();
    int64_t features = destType.getDimSize(1);
    if (features % kWidth != 0 || features < 2 * kWidth)
      return failure();
    Location loc = op.getLoc();
    // Indices [B, T, ...] and updates [B, T, ..., F] as [N] and [N, F]:
    // the same rows in the same order.
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    int64_t rows = op.getIndices().getType().getNumElements();
    if (indexRank != 1) {
      ReassociationIndices all =
          llvm::to_vector(llvm::seq<int64_t>(0, indexRank));
      indices = tensor::CollapseShapeOp::create(
          rewriter, loc, indices, ArrayRef<ReassociationIndices>{all});
      updates = tensor::CollapseShapeOp::create(
          rewriter, loc, updates,
          ArrayRef<ReassociationIndices>{all, {indexRank}});
    }
    Type element = destType.getElementType();
    auto vectorType = VectorType::get({kWidth}, element);
    int64_t tableRows = destType.getDimSize(0);
    auto chunkType = RankedTensorType::get({tableRows, kWidth}, element);
    auto forall = scf::ForallOp::create(
        rewriter, loc,
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(features / kWidth)},
        ValueRange{adaptor.getDest()}, std::nullopt,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value chunk = args[0], shared = args[1];
          Value first = arith::MulIOp::create(
              b, l, chunk, arith::ConstantIndexOp::create(b, l, kWidth));
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), first},
              sizes{b.getIndexAttr(tableRows), b.getIndexAttr(kWidth)},
              strides{b.getIndexAttr(1), b.getIndexAttr(1)};
          Value slice = tensor::ExtractSliceOp::create(b, l, chunkType, shared,
                                                       offsets, sizes, strides);
          Value padding =
              arith::ConstantOp::create(b, l, b.getZeroAttr(element));
          auto loop = scf::ForOp::create(
              b, l, zero, arith::ConstantIndexOp::create(b, l, rows),
              arith::ConstantIndexOp::create(b, l, 1), ValueRange{slice},
              [&](OpBuilder &nb, Location nl, Value row, ValueRange acc) {
                Value raw =
                    tensor::ExtractOp::create(nb, nl, indices, ValueRange{row});
                Value target = clampedIndex(nb, nl, raw, tableRows);
                Value update = vector::TransferReadOp::create(
                    nb, nl, vectorType, updates, ValueRange{row, first},
                    padding, ArrayRef<bool>{true});
                Value old = vector::TransferReadOp::create(
                    nb, nl, vectorType, acc[0], ValueRange{target, zero},
                    padding, ArrayRef<bool>{true});
                Value sum = arith::AddFOp::create(nb, nl, old, update);
                Value written =
                    vector::TransferWriteOp::create(nb, nl, sum, acc[0],
                                                    ValueRange{target, zero},
                                                    ArrayRef<bool>{true})
                        .getResult();
                scf::YieldOp::create(nb, nl, written);
              });
          auto terminator = scf::InParallelOp::create(b, l);
          b.setInsertionPointToStart(terminator.getBody());
          tensor::ParallelInsertSliceOp::create(b, l, loop.getResult(0), shared,
                                                offsets, sizes, strides);
        });
    rewriter.replaceOp(op, forall.getResult(0));
    return success();
  }
};

/// argmax = the smallest index whose element equals the maximum: a max
/// reduction, then a min reduction over the matching indices.
struct ArgmaxLowering : OpConversionPattern<graph::ArgmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ArgmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType inType = tensorOf(input);
    int64_t rank = inType.getRank();
    int64_t axis =
        graph::normalizeAxes({static_cast<int64_t>(op.getAxis())}, rank)
            .shape.front();
    Type elementType = inType.getElementType();
    bool isFloatInput = isFloat(elementType);
    Value best = buildReduction(
        rewriter, loc, input, {axis}, lowestOf(rewriter, loc, elementType),
        [&](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          if (isFloatInput)
            return arith::MaximumFOp::create(b, l, x, acc);
          return arith::MaxSIOp::create(b, l, x, acc);
        });

    MLIRContext *context = getContext();
    RankedTensorType resultType = op.getType();
    Type indexType = resultType.getElementType();
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t i = 0; i < rank; ++i) {
      iterators.push_back(i == axis ? utils::IteratorType::reduction
                                    : utils::IteratorType::parallel);
      if (i != axis)
        outExprs.push_back(getAffineDimExpr(i, context));
    }
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, context);
    unsigned width = indexType.getIntOrFloatBitWidth();
    Value none = arith::ConstantOp::create(
        rewriter, loc, indexType,
        rewriter.getIntegerAttr(indexType, APInt::getSignedMaxValue(width)));
    Value empty = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                          indexType);
    Value init =
        linalg::FillOp::create(rewriter, loc, none, empty).getResult(0);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{input, best}, init,
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), outMap,
                            outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value hit =
              isFloatInput
                  ? arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                          args[0], args[1])
                        .getResult()
                  : arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                          args[0], args[1])
                        .getResult();
          Value index = arith::IndexCastOp::create(
              b, l, indexType, linalg::IndexOp::create(b, l, axis));
          Value candidate = arith::SelectOp::create(b, l, hit, index, args[2]);
          linalg::YieldOp::create(
              b, l,
              arith::MinSIOp::create(b, l, candidate, args[2]).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

bool hasDynamicShape(Operation *op) {
  auto dynamic = [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return shaped && !shaped.hasStaticShape();
  };
  return llvm::any_of(op->getOperandTypes(), dynamic) ||
         llvm::any_of(op->getResultTypes(), dynamic);
}

struct LowerGraphToLinalgPass
    : kiln::lowering::impl::LowerGraphToLinalgBase<LowerGraphToLinalgPass> {
  using LowerGraphToLinalgBase::LowerGraphToLinalgBase;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    bool dynamic = false;
    getOperation()->walk([&](Operation *op) {
      if (isa<graph::GraphDialect>(op->getDialect()) && hasDynamicShape(op)) {
        op->emitError("dynamic shapes cannot be lowered yet; specialize the "
                      "batch dimension first");
        dynamic = true;
      }
    });
    if (dynamic)
      return signalPassFailure();

    ConversionTarget target(*context);
    target.addIllegalDialect<graph::GraphDialect>();
    // Fused attention left unexpanded is for the CPU's runtime kernels
    // (kiln-cpu-attention-to-runtime).
    target.addLegalOp<graph::AttentionOp, graph::AttentionGradOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });

    RewritePatternSet patterns(context);
    patterns.add<
        ElementwiseLowering<graph::AddOp>, ElementwiseLowering<graph::SubOp>,
        ElementwiseLowering<graph::MulOp>, ElementwiseLowering<graph::DivOp>,
        ElementwiseLowering<graph::MaxOp>, ElementwiseLowering<graph::MinOp>,
        ElementwiseLowering<graph::PowOp>, ElementwiseLowering<graph::NegOp>,
        ElementwiseLowering<graph::AbsOp>, ElementwiseLowering<graph::ExpOp>,
        ElementwiseLowering<graph::LogOp>, ElementwiseLowering<graph::Log1pOp>,
        ElementwiseLowering<graph::SqrtOp>, ElementwiseLowering<graph::RsqrtOp>,
        ElementwiseLowering<graph::TanhOp>,
        ElementwiseLowering<graph::SigmoidOp>,
        ElementwiseLowering<graph::ReluOp>, ElementwiseLowering<graph::GeluOp>,
        ElementwiseLowering<graph::ErfOp>, StopGradientLowering,
        DropoutLowering, InsertSliceLowering, ScatterAddLowering,
        ArgmaxLowering, ElementwiseLowering<graph::CompareOp>,
        ElementwiseLowering<graph::SelectOp>,
        ElementwiseLowering<graph::CastOp>,
        ElementwiseLowering<graph::BroadcastToOp>, MatmulLowering,
        ReduceLowering<graph::ReduceSumOp>, ReduceLowering<graph::ReduceMaxOp>,
        ReduceMeanLowering, SoftmaxLowering<graph::SoftmaxOp>,
        SoftmaxLowering<graph::LogSoftmaxOp>, NormLowering<graph::LayerNormOp>,
        NormLowering<graph::RmsNormOp>, CholeskySolveLowering,
        SoftmaxCrossEntropyLowering, MseLowering, BceWithLogitsLowering,
        AccuracyLowering, ConstantLowering, ReshapeLowering, TransposeLowering,
        SliceLowering, ConcatLowering, GatherLowering, OneHotLowering>(context);
    if (vectorScatter)
      patterns.add<VectorScatterRowsLowering>(context);
    kiln::lowering::populateOptimizerLoweringPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
