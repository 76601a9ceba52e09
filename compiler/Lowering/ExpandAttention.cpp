//===- ExpandAttention.cpp - Attention as matmuls and a softmax -----------===//
//
// graph.attention and graph.attention_grad as the graph ops they fuse, for
// targets without a fused kernel (the GPU) and element types the CPU kernel
// does not take (f64). The gradient recomputes the weights exactly as the
// forward expansion does, so CSE shares them when both are in a function.
//
//===----------------------------------------------------------------------===//

#include "compiler/Lowering/Passes.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln::lowering {
#define GEN_PASS_DEF_EXPANDATTENTION
#include "compiler/Lowering/Passes.h.inc"
} // namespace kiln::lowering

using namespace mlir;
using namespace kiln;

namespace {

RankedTensorType tensorOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// The graph ops of one expansion, at one location.
struct Expansion {
  OpBuilder &b;
  Location loc;
  int64_t heads;
  double scale;

  /// [B, R, H*D] -> [B, H, R, D].
  Value split(Value x) {
    ArrayRef<int64_t> s = tensorOf(x).getShape();
    auto type = RankedTensorType::get({s[0], s[1], heads, s[2] / heads},
                                      tensorOf(x).getElementType());
    return transpose(graph::ReshapeOp::create(b, loc, type, x));
  }
  /// [B, H, R, D] -> [B, R, H*D].
  Value merge(Value x) {
    Value rows = transpose(x);
    ArrayRef<int64_t> s = tensorOf(rows).getShape();
    auto type = RankedTensorType::get({s[0], s[1], s[2] * s[3]},
                                      tensorOf(x).getElementType());
    return graph::ReshapeOp::create(b, loc, type, rows);
  }
  Value transpose(Value x) {
    return graph::TransposeOp::create(b, loc, x,
                                      b.getDenseI64ArrayAttr({0, 2, 1, 3}));
  }
  Value matmul(Value x, Value y, bool tx, bool ty) {
    return graph::MatmulOp::create(b, loc, x, y, tx, ty);
  }
  Value timesScale(Value x) {
    Type element = tensorOf(x).getElementType();
    auto type = RankedTensorType::get({}, element);
    Value s = graph::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getFloatAttr(element, scale)));
    return graph::MulOp::create(b, loc, x, s);
  }
  /// softmax(scale q k^T + mask) over split heads.
  Value weights(Value q, Value k, Value mask) {
    Value scores = timesScale(matmul(q, k, false, true));
    return graph::SoftmaxOp::create(b, loc,
                                    graph::AddOp::create(b, loc, scores, mask),
                                    b.getI64IntegerAttr(-1));
  }
};

struct ExpandForward : OpRewritePattern<graph::AttentionOp> {
  ExpandForward(MLIRContext *context, bool keepF32)
      : OpRewritePattern(context), keepF32(keepF32) {}
  LogicalResult matchAndRewrite(graph::AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (keepF32 && op.getType().getElementType().isF32())
      return failure();
    Expansion x{rewriter, op.getLoc(), op.getHeads(),
                op.getScale().convertToDouble()};
    Value w =
        x.weights(x.split(op.getQuery()), x.split(op.getKey()), op.getMask());
    rewriter.replaceOp(
        op, x.merge(x.matmul(w, x.split(op.getValue()), false, false)));
    return success();
  }
  bool keepF32;
};

struct ExpandGradient : OpRewritePattern<graph::AttentionGradOp> {
  ExpandGradient(MLIRContext *context, bool keepF32)
      : OpRewritePattern(context), keepF32(keepF32) {}
  LogicalResult matchAndRewrite(graph::AttentionGradOp op,
                                PatternRewriter &rewriter) const override {
    if (keepF32 && op.getQuery().getType().getElementType().isF32())
      return failure();
    Location loc = op.getLoc();
    Expansion x{rewriter, loc, op.getHeads(), op.getScale().convertToDouble()};
    Value q = x.split(op.getQuery()), k = x.split(op.getKey()),
          v = x.split(op.getValue()), g = x.split(op.getResultGrad());
    Value w = x.weights(q, k, op.getMask());
    // Softmax backward: dscores = w (dw - sum(w dw)), dw = g v^T.
    Value dw = x.matmul(g, v, false, true);
    Value delta = graph::ReduceSumOp::create(
        rewriter, loc, graph::MulOp::create(rewriter, loc, w, dw),
        rewriter.getDenseI64ArrayAttr({3}), /*keepdims=*/true);
    Value dscores = x.timesScale(graph::MulOp::create(
        rewriter, loc, w, graph::SubOp::create(rewriter, loc, dw, delta)));
    rewriter.replaceOp(op, {x.merge(x.matmul(dscores, k, false, false)),
                            x.merge(x.matmul(dscores, q, true, false)),
                            x.merge(x.matmul(w, g, true, false))});
    return success();
  }
  bool keepF32;
};

struct ExpandAttentionPass
    : lowering::impl::ExpandAttentionBase<ExpandAttentionPass> {
  using ExpandAttentionBase::ExpandAttentionBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandForward, ExpandGradient>(&getContext(), keepF32);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
