//===- SequentialLoopsToParallel.cpp - Host loop nests to the device ------===//

#include "compiler/GPU/Passes.h"

#include "mlir/Interfaces/ViewLikeInterface.h"

namespace kiln::gpu {
#define GEN_PASS_DEF_SEQUENTIALLOOPSTOPARALLEL
#include "compiler/GPU/Passes.h.inc"
} // namespace kiln::gpu

using namespace mlir;

namespace {

Value rootBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

/// Whether `value` is computed from `iv` inside `loop`.
bool dependsOn(Value value, Value iv, scf::ForOp loop) {
  if (value == iv)
    return true;
  Operation *op = value.getDefiningOp();
  if (!op || !loop->isAncestor(op))
    return false;
  return llvm::any_of(op->getOperands(), [&](Value operand) {
    return dependsOn(operand, iv, loop);
  });
}

/// The loops of the perfect nest rooted at `outer`, outermost first.
SmallVector<scf::ForOp> perfectNest(scf::ForOp outer) {
  SmallVector<scf::ForOp> nest{outer};
  while (true) {
    Block &body = *nest.back().getBody();
    auto inner = dyn_cast<scf::ForOp>(body.front());
    if (!inner || &body.front() != body.getTerminator()->getPrevNode() ||
        !inner.getInitArgs().empty())
      return nest;
    nest.push_back(inner);
  }
}

/// Whether the iterations of `inner` are independent (see the pass).
bool independentIterations(scf::ForOp inner) {
  Value iv = inner.getInductionVar();
  Block &body = *inner.getBody();
  DenseSet<Value> written;
  for (Operation &op : body) {
    if (op.getNumRegions() != 0)
      return false;
    if (auto store = dyn_cast<memref::StoreOp>(op))
      written.insert(rootBuffer(store.getMemRef()));
    else if (!isa<memref::LoadOp>(op) && !isMemoryEffectFree(&op))
      return false;
  }
  auto separated = [&](Value memref, ValueRange indices) {
    if (!written.contains(rootBuffer(memref)))
      return true;
    // The view must be the buffer itself, so that indices are positions.
    if (rootBuffer(memref) != memref)
      return false;
    unsigned exact = 0;
    for (Value index : indices) {
      if (index == iv)
        ++exact;
      else if (dependsOn(index, iv, inner))
        return false;
    }
    return exact == 1;
  };
  for (Operation &op : body) {
    if (auto load = dyn_cast<memref::LoadOp>(op);
        load && !separated(load.getMemRef(), load.getIndices()))
      return false;
    if (auto store = dyn_cast<memref::StoreOp>(op);
        store && !separated(store.getMemRef(), store.getIndices()))
      return false;
  }
  return true;
}

void toParallel(scf::ForOp outer) {
  SmallVector<scf::ForOp> nest = perfectNest(outer);
  scf::ForOp inner = nest.back();
  OpBuilder b(outer);
  Location loc = outer.getLoc();
  bool rectangular = llvm::all_of(
      ValueRange{inner.getLowerBound(), inner.getUpperBound(), inner.getStep()},
      [&](Value bound) {
        Operation *def = bound.getDefiningOp();
        return !def || !outer->isAncestor(def);
      });
  if (!outer.getInitArgs().empty() || !rectangular ||
      !independentIterations(inner)) {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto single = scf::ParallelOp::create(b, loc, zero, one, one);
    outer->moveBefore(single.getBody()->getTerminator());
    return;
  }
  auto parallel = scf::ParallelOp::create(
      b, loc, inner.getLowerBound(), inner.getUpperBound(), inner.getStep());
  Block *target = parallel.getBody();
  inner.getInductionVar().replaceAllUsesWith(parallel.getInductionVars()[0]);
  if (nest.size() == 1) {
    // The loop itself is the independent one: its body is the kernel.
    target->getOperations().splice(Block::iterator(target->getTerminator()),
                                   inner.getBody()->getOperations(),
                                   inner.getBody()->begin(),
                                   std::prev(inner.getBody()->end()));
    inner.erase();
    return;
  }
  outer->moveBefore(target->getTerminator());
  Block *parent = inner->getBlock();
  parent->getOperations().splice(
      Block::iterator(inner), inner.getBody()->getOperations(),
      inner.getBody()->begin(), std::prev(inner.getBody()->end()));
  inner.erase();
}

struct SequentialLoopsToParallelPass
    : kiln::gpu::impl::SequentialLoopsToParallelBase<
          SequentialLoopsToParallelPass> {
  void runOnOperation() override {
    if (getOperation().isExternal())
      return;
    // Only the host side's loops: those directly in the function.
    for (auto loop :
         llvm::to_vector(getOperation().getBody().front().getOps<scf::ForOp>()))
      toParallel(loop);
  }
};

} // namespace
