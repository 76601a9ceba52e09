//===- ValueAndGrad.cpp - Reverse-mode autodiff of graph functions --------===//

#include "compiler/Autodiff/Passes.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/DenseSet.h"

namespace kiln::autodiff {
#define GEN_PASS_DEF_VALUEANDGRAD
#include "compiler/Autodiff/Passes.h.inc"
} // namespace kiln::autodiff

using namespace mlir;
namespace graph = kiln::graph;

namespace {

bool isFloatTensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && isa<FloatType>(type.getElementType());
}

Value zerosOf(OpBuilder &b, Location loc, Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return graph::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(tensor,
                             b.getFloatAttr(tensor.getElementType(), 0.0)));
}

/// Expands one value_and_grad at its position.
class Differentiator {
public:
  Differentiator(graph::ValueAndGradOp op, func::FuncOp callee)
      : op(op), callee(callee), builder(op) {}

  LogicalResult run() {
    Block &body = callee.getBody().front();
    // The forward pass: a copy of the callee's body. Values that depend on a
    // wrt operand are "varied"; only they can carry gradients.
    for (int64_t index : op.getWrt())
      varied.insert(op.getOperands()[index]);
    IRMapping mapping;
    mapping.map(body.getArguments(), op.getOperands());
    SmallVector<Operation *> forward;
    for (Operation &inner : body.without_terminator()) {
      if (isa<CallOpInterface>(inner))
        return inner.emitError("cannot differentiate through a call; run "
                               "--inline before autodiff");
      Operation *copy = builder.clone(inner, mapping);
      forward.push_back(copy);
      if (llvm::any_of(copy->getOperands(),
                       [&](Value v) { return varied.contains(v); }))
        varied.insert(copy->result_begin(), copy->result_end());
    }

    auto ret = cast<func::ReturnOp>(body.getTerminator());
    SmallVector<Value> results = llvm::map_to_vector(
        ret.getOperands(), [&](Value v) { return mapping.lookup(v); });

    Location loc = op.getLoc();
    Value loss = results.front();
    grads[loss] = graph::ConstantOp::create(
        builder, loc,
        DenseElementsAttr::get(
            cast<RankedTensorType>(loss.getType()),
            builder.getFloatAttr(getElementTypeOrSelf(loss), 1.0)));

    // The reverse sweep.
    for (Operation *forwardOp : llvm::reverse(forward))
      if (failed(backpropagate(forwardOp)))
        return failure();

    for (int64_t index : op.getWrt()) {
      Value operand = op.getOperands()[index];
      Value grad = grads.lookup(operand);
      results.push_back(grad ? grad : zerosOf(builder, loc, operand.getType()));
    }
    op.replaceAllUsesWith(results);
    op.erase();
    return success();
  }

private:
  LogicalResult backpropagate(Operation *forwardOp) {
    bool receivesGradient = llvm::any_of(
        forwardOp->getResults(), [&](Value r) { return grads.count(r); });
    bool dependsOnWrt = llvm::any_of(
        forwardOp->getOperands(), [&](Value v) { return varied.contains(v); });
    if (!receivesGradient || !dependsOnWrt)
      return success();

    auto differentiable = dyn_cast<graph::DifferentiableOpInterface>(forwardOp);
    if (!differentiable)
      return report(forwardOp, "is not differentiable");

    SmallVector<Value> resultGrads;
    for (Value r : forwardOp->getResults()) {
      Value g = grads.lookup(r);
      resultGrads.push_back(
          g ? g : zerosOf(builder, forwardOp->getLoc(), r.getType()));
    }
    SmallVector<Value> operandGrads =
        differentiable.buildVJP(builder, resultGrads);
    for (auto [index, operand] : llvm::enumerate(forwardOp->getOperands())) {
      if (!varied.contains(operand))
        continue;
      Value g = operandGrads[index];
      if (!g || !isFloatTensor(operand)) {
        if (differentiable.isDifferentiableOperand(index))
          return report(forwardOp, "would need a gradient for its integer "
                                   "operand #" +
                                       std::to_string(index));
        continue;
      }
      Value &slot = grads[operand];
      slot = slot ? graph::AddOp::create(builder, forwardOp->getLoc(), slot, g)
                        .getResult()
                  : g;
    }
    return success();
  }

  LogicalResult report(Operation *forwardOp, const std::string &why) {
    // The copy keeps the location of the user's op in the callee.
    InFlightDiagnostic diag =
        mlir::emitError(forwardOp->getLoc())
        << "cannot differentiate through '" << forwardOp->getName() << "': it "
        << why << " on the path from a differentiated argument to the loss";
    diag.attachNote(op.getLoc())
        << "gradient requested here; wrap the value in graph.stop_gradient "
           "if no gradient should flow";
    return failure();
  }

  graph::ValueAndGradOp op;
  func::FuncOp callee;
  OpBuilder builder;
  llvm::DenseSet<Value> varied;
  DenseMap<Value, Value> grads;
};

struct ValueAndGradPass
    : kiln::autodiff::impl::ValueAndGradBase<ValueAndGradPass> {
  void runOnOperation() override {
    SmallVector<graph::ValueAndGradOp> ops;
    getOperation().walk([&](graph::ValueAndGradOp op) { ops.push_back(op); });
    SymbolTable symbols(getOperation());
    for (graph::ValueAndGradOp op : ops) {
      auto callee = symbols.lookup<func::FuncOp>(op.getCallee());
      if (!callee || callee.isExternal()) {
        op.emitError("callee @") << op.getCallee() << " has no body";
        return signalPassFailure();
      }
      if (failed(Differentiator(op, callee).run()))
        return signalPassFailure();
    }
  }
};

} // namespace
