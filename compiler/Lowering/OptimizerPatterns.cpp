//===- OptimizerPatterns.cpp - Optimizer updates and schedules ------------===//
//
// Part of --kiln-lower-graph-to-linalg: optimizer updates become one
// linalg.generic per parameter in destination-passing style, gradient
// clipping expands into graph ops, learning-rate schedules into scalar
// arithmetic on the step counter.
//
//===----------------------------------------------------------------------===//

#include "compiler/Lowering/LoweringUtils.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;
using namespace kiln::lowering;
namespace graph = kiln::graph;

namespace {

Value extractScalar(OpBuilder &b, Location loc, Value scalarTensor) {
  return tensor::ExtractOp::create(b, loc, scalarTensor, ValueRange{});
}

/// One all-parallel generic that reads `inputs` and updates `states` (all
/// of one shape): the states are its destinations, so after bufferization an
/// optimizer step reads and writes each state tensor once, in place when the
/// caller donates its buffers. `body` gets the elements of the inputs, then
/// of the states, and yields the new states.
SmallVector<Value> buildStateUpdate(
    OpBuilder &b, Location loc, ValueRange inputs, ValueRange states,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  RankedTensorType type = tensorOf(states.front());
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<AffineMap> maps(inputs.size() + states.size(), identity);
  SmallVector<Type> resultTypes(states.size(), type);
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultTypes, inputs, states, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
      });
  return generic.getResults();
}

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return floatConstant(b, loc, getElementTypeOrSelf(like.getType()), value);
}

struct SgdUpdateLowering : OpConversionPattern<graph::SgdUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::SgdUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lr = extractScalar(rewriter, loc, adaptor.getLr());
    double momentum = op.getMomentum().convertToDouble();
    double decay = op.getWeightDecay().convertToDouble();
    bool nesterov = op.getNesterov();
    SmallVector<Value> results = buildStateUpdate(
        rewriter, loc, {adaptor.getGrad()},
        {adaptor.getParam(), adaptor.getVelocity()},
        [&](OpBuilder &b, Location l, ValueRange in) -> SmallVector<Value> {
          Value g = in[0], p = in[1], v = in[2];
          if (decay != 0)
            g = arith::AddFOp::create(
                b, l, g,
                arith::MulFOp::create(b, l, constantLike(b, l, p, decay), p));
          Value newV = g;
          if (momentum != 0)
            newV = arith::AddFOp::create(
                b, l,
                arith::MulFOp::create(b, l, constantLike(b, l, p, momentum), v),
                g);
          Value direction = newV;
          if (nesterov)
            direction = arith::AddFOp::create(
                b, l, g,
                arith::MulFOp::create(b, l, constantLike(b, l, p, momentum),
                                      newV));
          Value newP = arith::SubFOp::create(
              b, l, p, arith::MulFOp::create(b, l, lr, direction));
          return {newP, newV};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct AdamUpdateLowering : OpConversionPattern<graph::AdamUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::AdamUpdateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double beta1 = op.getBeta1().convertToDouble();
    double beta2 = op.getBeta2().convertToDouble();
    double epsilon = op.getEpsilon().convertToDouble();
    double decay = op.getWeightDecay().convertToDouble();
    bool decoupled = op.getDecoupled();

    // Per-step scalars, once per call: as PyTorch, with bc = 1 - beta^t,
    // p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps), except that the
    // division by sqrt(bc2) is a multiplication by its reciprocal: one
    // vector division per element instead of two halves the update's cost.
    Value lr = extractScalar(rewriter, loc, adaptor.getLr());
    Value t = extractScalar(rewriter, loc, adaptor.getStep());
    auto biasCorrection = [&](double beta) -> Value {
      Value power = math::PowFOp::create(
          rewriter, loc, constantLike(rewriter, loc, t, beta), t);
      return arith::SubFOp::create(rewriter, loc,
                                   constantLike(rewriter, loc, t, 1.0), power);
    };
    Value stepSize =
        arith::DivFOp::create(rewriter, loc, lr, biasCorrection(beta1));
    Value invSqrtBc2 =
        math::RsqrtOp::create(rewriter, loc, biasCorrection(beta2));
    Value shrink;
    if (decoupled && decay != 0)
      shrink = arith::SubFOp::create(
          rewriter, loc, constantLike(rewriter, loc, lr, 1.0),
          arith::MulFOp::create(rewriter, loc, lr,
                                constantLike(rewriter, loc, lr, decay)));

    SmallVector<Value> results = buildStateUpdate(
        rewriter, loc, {adaptor.getGrad()},
        {adaptor.getParam(), adaptor.getM(), adaptor.getV()},
        [&](OpBuilder &b, Location l, ValueRange in) -> SmallVector<Value> {
          Value g = in[0], p = in[1], m = in[2], v = in[3];
          auto c = [&](double x) { return constantLike(b, l, p, x); };
          if (shrink)
            p = arith::MulFOp::create(b, l, p, shrink);
          else if (decay != 0)
            g = arith::AddFOp::create(b, l, g,
                                      arith::MulFOp::create(b, l, c(decay), p));
          Value newM = arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, c(beta1), m),
              arith::MulFOp::create(b, l, c(1 - beta1), g));
          Value gg = arith::MulFOp::create(b, l, g, g);
          Value newV = arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, c(beta2), v),
              arith::MulFOp::create(b, l, c(1 - beta2), gg));
          Value denom = arith::AddFOp::create(
              b, l,
              arith::MulFOp::create(b, l, math::SqrtOp::create(b, l, newV),
                                    invSqrtBc2),
              c(epsilon));
          Value update = arith::MulFOp::create(
              b, l, stepSize, arith::DivFOp::create(b, l, newM, denom));
          return {arith::SubFOp::create(b, l, p, update), newM, newV};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Expanded into graph ops: the squared norms reduce and fuse like any
/// other elementwise-then-reduce chain.
struct ClipByGlobalNormLowering
    : OpConversionPattern<graph::ClipByGlobalNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(graph::ClipByGlobalNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value total;
    for (Value g : adaptor.getGrads()) {
      auto all = rewriter.getDenseI64ArrayAttr(
          llvm::to_vector(llvm::seq<int64_t>(0, tensorOf(g).getRank())));
      Value squares = graph::MulOp::create(rewriter, loc, g, g);
      Value sum =
          graph::ReduceSumOp::create(rewriter, loc, squares, all, nullptr);
      total = total ? graph::AddOp::create(rewriter, loc, total, sum) : sum;
    }
    Type element = tensorOf(total).getElementType();
    Value norm = graph::SqrtOp::create(rewriter, loc, total);
    Value guarded = graph::AddOp::create(
        rewriter, loc, norm, scalarTensor(rewriter, loc, element, 1e-6));
    Value ratio = graph::DivOp::create(
        rewriter, loc,
        scalarTensor(rewriter, loc, element, op.getMaxNorm().convertToDouble()),
        guarded);
    Value scale = graph::MinOp::create(
        rewriter, loc, ratio, scalarTensor(rewriter, loc, element, 1.0));
    SmallVector<Value> results;
    for (Value g : adaptor.getGrads())
      results.push_back(graph::MulOp::create(rewriter, loc, g, scale));
    results.push_back(norm);
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Scalar arithmetic on the step counter, wrapped back into a tensor.
struct LrScheduleLowering : OpConversionPattern<graph::LrScheduleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(graph::LrScheduleOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value step = extractScalar(b, loc, adaptor.getStep());
    auto c = [&](double x) { return constantLike(b, loc, step, x); };
    auto add = [&](Value x, Value y) -> Value {
      return arith::AddFOp::create(b, loc, x, y);
    };
    auto sub = [&](Value x, Value y) -> Value {
      return arith::SubFOp::create(b, loc, x, y);
    };
    auto mul = [&](Value x, Value y) -> Value {
      return arith::MulFOp::create(b, loc, x, y);
    };
    auto div = [&](Value x, Value y) -> Value {
      return arith::DivFOp::create(b, loc, x, y);
    };
    auto min = [&](Value x, Value y) -> Value {
      return arith::MinimumFOp::create(b, loc, x, y);
    };
    auto max = [&](Value x, Value y) -> Value {
      return arith::MaximumFOp::create(b, loc, x, y);
    };
    auto lessThan = [&](Value x, Value y) -> Value {
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, y);
    };
    auto select = [&](Value cond, Value x, Value y) -> Value {
      return arith::SelectOp::create(b, loc, cond, x, y);
    };
    /// from + (to - from) * (1 + cos(pi * min(progress, 1))) / 2
    auto cosineBetween = [&](double from, double to, Value progress) {
      Value angle = mul(c(M_PI), min(progress, c(1.0)));
      Value shape =
          mul(add(c(1.0), math::CosOp::create(b, loc, angle)), c(0.5));
      return add(c(to), mul(c(from - to), shape));
    };

    double base = op.getBaseLr().convertToDouble();
    double warmup = op.getWarmupSteps();
    Value t = max(sub(step, c(warmup)), c(0.0));
    Value decayed;
    switch (op.getKind()) {
    case graph::ScheduleKind::constant:
      decayed = c(base);
      break;
    case graph::ScheduleKind::cosine: {
      Value local = t;
      if (op.getCycleSteps() > 0) {
        Value period = c(op.getCycleSteps());
        local =
            sub(t, mul(period, math::FloorOp::create(b, loc, div(t, period))));
      }
      decayed = cosineBetween(base, op.getFinalLr().convertToDouble(),
                              div(local, c(op.getDecaySteps())));
      break;
    }
    case graph::ScheduleKind::step: {
      Value drops = math::FloorOp::create(b, loc, div(t, c(op.getStepSize())));
      decayed =
          mul(c(base), math::PowFOp::create(
                           b, loc, c(op.getGamma().convertToDouble()), drops));
      break;
    }
    case graph::ScheduleKind::inverse_sqrt:
      decayed = mul(c(base), math::SqrtOp::create(b, loc,
                                                  div(c(std::max(warmup, 1.0)),
                                                      add(step, c(1.0)))));
      break;
    case graph::ScheduleKind::infinite: {
      double constant = op.getConstantLr().convertToDouble();
      decayed = cosineBetween(base, constant, div(t, c(op.getCooldownSteps())));
      if (op.getAnnealStart() > 0) {
        // constant * (final / constant) ^ (progress through the anneal)
        Value into = max(sub(step, c(op.getAnnealStart())), c(0.0));
        Value progress = min(div(into, c(op.getAnnealSteps())), c(1.0));
        double ratio = op.getFinalLr().convertToDouble() / constant;
        Value annealed =
            mul(c(constant), math::PowFOp::create(b, loc, c(ratio), progress));
        decayed =
            select(lessThan(step, c(op.getAnnealStart())), decayed, annealed);
      }
      break;
    }
    }
    Value lr = decayed;
    if (warmup > 0) {
      Value ramp = div(mul(c(base), add(step, c(1.0))), c(warmup));
      lr = select(lessThan(step, c(warmup)), ramp, decayed);
    }
    b.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(), lr);
    return success();
  }
};

} // namespace

void kiln::lowering::populateOptimizerLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SgdUpdateLowering, AdamUpdateLowering, ClipByGlobalNormLowering,
               LrScheduleLowering>(patterns.getContext());
}
