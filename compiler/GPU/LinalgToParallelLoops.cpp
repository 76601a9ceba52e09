//===- LinalgToParallelLoops.cpp - One scf.parallel nest per linalg op ----===//

#include "compiler/GPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

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
  }
};
} // namespace
