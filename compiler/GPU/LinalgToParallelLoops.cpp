//===- LinalgToParallelLoops.cpp - One scf.parallel nest per linalg op ----===//

#include "compiler/GPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace kiln::gpu {
#define GEN_PASS_DEF_LINALGTOPARALLELLOOPS
#include "compiler/GPU/Passes.h.inc"
} // namespace kiln::gpu

using namespace mlir;

namespace {
/// The loop order that puts parallel loops first, each group in its
/// original order.
SmallVector<unsigned> parallelLoopsFirst(linalg::LinalgOp op) {
  SmallVector<unsigned> order, rest;
  for (auto [i, type] : llvm::enumerate(op.getIteratorTypesArray()))
    (type == utils::IteratorType::parallel ? order : rest).push_back(i);
  order.append(rest);
  return order;
}

FailureOr<linalg::LinalgOp>
interchangeParallelLoopsOutward(RewriterBase &rewriter, linalg::LinalgOp op) {
  SmallVector<unsigned> order = parallelLoopsFirst(op);
  if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
    return op;
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic) {
    FailureOr<linalg::GenericOp> generalized =
        linalg::generalizeNamedOp(rewriter, op);
    if (failed(generalized))
      return failure();
    generic = *generalized;
  }
  FailureOr<linalg::GenericOp> interchanged =
      linalg::interchangeGenericOp(rewriter, generic, order);
  if (failed(interchanged))
    return failure();
  return cast<linalg::LinalgOp>(interchanged->getOperation());
}

/// Moves `op` into a new scf.parallel of one iteration, so that it still
/// becomes a kernel (of one thread) although it has no parallel loop.
void wrapInOneTripParallelLoop(RewriterBase &rewriter, Operation *op) {
  rewriter.setInsertionPoint(op);
  Location loc = op->getLoc();
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  auto loop = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                      ValueRange{one}, ValueRange{one});
  rewriter.moveOpBefore(op, loop.getBody()->getTerminator());
}

Value rootBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

/// A reduction loop that loads and stores one element of its output, at
/// indices defined outside the loop, and touches that buffer no other way
/// keeps the element in a register instead: loaded before the loop, carried
/// through it, stored after it. Without this every step of a reduction
/// waits for its own store to reach memory and be loaded back.
void accumulateInRegister(RewriterBase &rewriter, scf::ForOp loop) {
  // The output's indices are computed inside the loop from the parallel
  // loops' variables: hoist them first.
  moveLoopInvariantCode(cast<LoopLikeOpInterface>(loop.getOperation()));
  memref::StoreOp store;
  for (Operation &op : loop.getBody()->without_terminator())
    if (auto candidate = dyn_cast<memref::StoreOp>(op))
      store = store ? memref::StoreOp() : candidate;
  if (!store || llvm::any_of(store.getIndices(), [&](Value index) {
        return !loop.isDefinedOutsideOfLoop(index);
      }))
    return;
  memref::LoadOp load;
  for (Operation &op : loop.getBody()->without_terminator())
    if (auto candidate = dyn_cast<memref::LoadOp>(op);
        candidate && candidate.getMemRef() == store.getMemRef() &&
        candidate.getIndices() == store.getIndices())
      load = candidate;
  if (!load || !load->isBeforeInBlock(store))
    return;
  Value buffer = rootBuffer(store.getMemRef());
  bool touchedElsewhere = false;
  loop.getBody()->walk([&](Operation *op) {
    if (op == load || op == store)
      return;
    for (Value operand : op->getOperands())
      touchedElsewhere |=
          isa<MemRefType>(operand.getType()) && rootBuffer(operand) == buffer;
  });
  if (touchedElsewhere)
    return;

  rewriter.setInsertionPoint(loop);
  Value initial = memref::LoadOp::create(rewriter, load.getLoc(),
                                         load.getMemRef(), load.getIndices());
  Value stored = store.getValueToStore();
  FailureOr<LoopLikeOpInterface> carried = loop.replaceWithAdditionalYields(
      rewriter, initial, /*replaceInitOperandUsesInLoop=*/false,
      [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
        return SmallVector<Value>{stored};
      });
  if (failed(carried))
    return;
  auto newLoop = cast<scf::ForOp>(carried->getOperation());
  rewriter.replaceOp(load, newLoop.getRegionIterArgs().back());
  rewriter.setInsertionPointAfter(newLoop);
  memref::StoreOp::create(rewriter, store.getLoc(), newLoop.getResults().back(),
                          store.getMemRef(), store.getIndices());
  rewriter.eraseOp(store);
}

LogicalResult lowerToParallelNest(RewriterBase &rewriter, linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics())
    return op.emitOpError("expected buffer semantics on the GPU path");
  FailureOr<linalg::LinalgOp> ordered =
      interchangeParallelLoopsOutward(rewriter, op);
  if (failed(ordered))
    return op.emitOpError("cannot move parallel loops outward");
  if (ordered->getNumParallelLoops() == 0)
    wrapInOneTripParallelLoop(rewriter, *ordered);
  rewriter.setInsertionPoint(*ordered);
  if (failed(linalg::linalgOpToParallelLoops(rewriter, *ordered)))
    return ordered->emitOpError("cannot lower to parallel loops");
  rewriter.eraseOp(*ordered);
  return success();
}

struct LinalgToParallelLoopsPass
    : kiln::gpu::impl::LinalgToParallelLoopsBase<LinalgToParallelLoopsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Host-side copies would need the host to touch device memory: make
    // them kernels too.
    getOperation().walk([&](memref::CopyOp copy) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    });
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : ops)
      if (failed(lowerToParallelNest(rewriter, op)))
        return signalPassFailure();
    // Reduction loops, innermost first: once an inner loop carries its
    // element, the loop around it has the same shape. The loops load and
    // store the element at indices computed twice: make them one.
    DominanceInfo dominance;
    eliminateCommonSubExpressions(rewriter, dominance, getOperation());
    SmallVector<scf::ForOp> reductions;
    getOperation().walk([&](scf::ForOp loop) {
      if (loop->getParentOfType<scf::ParallelOp>())
        reductions.push_back(loop);
    });
    for (scf::ForOp loop : reductions)
      accumulateInRegister(rewriter, loop);
  }
};
} // namespace
