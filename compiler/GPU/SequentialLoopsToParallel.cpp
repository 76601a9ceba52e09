//===- SequentialLoopsToParallel.cpp - Host loop nests to the device ------===//

#include "compiler/GPU/Passes.h"
#include "compiler/GPU/ViewSource.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace kiln::gpu {
#define GEN_PASS_DEF_SEQUENTIALLOOPSTOPARALLEL
#include "compiler/GPU/Passes.h.inc"
} // namespace kiln::gpu

using namespace mlir;

namespace {

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
      written.insert(kiln::gpu::bufferBehindViews(store.getMemRef()));
    else if (!isa<memref::LoadOp>(op) && !isMemoryEffectFree(&op))
      return false;
  }
  auto separated = [&](Value memref, ValueRange indices) {
    if (!written.contains(kiln::gpu::bufferBehindViews(memref)))
      return true;
    // The view must be the buffer itself, so that indices are positions.
    if (kiln::gpu::bufferBehindViews(memref) != memref)
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

/// The trip count of `loop` if its bounds are constants.
std::optional<int64_t> tripCount(scf::ForOp loop) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0)
    return std::nullopt;
  return *ub > *lb ? (*ub - *lb + *step - 1) / *step : 0;
}

/// The rows of a scatter: in the nest's innermost body, the one buffer
/// written is a matrix stored and loaded at (row, iv) with the same `row`
/// value everywhere, and enough rows and few enough iterations that a thread
/// per (row, feature) scanning the whole nest beats a thread per feature
/// adding one row after another through memory.
struct ScatterRows {
  memref::StoreOp store;
  SmallVector<memref::LoadOp> loads;
  unsigned rowDim;
  int64_t rows;
};
std::optional<ScatterRows> scatterRows(ArrayRef<scf::ForOp> nest) {
  constexpr int64_t kMostIterations = int64_t(1) << 27;
  scf::ForOp inner = nest.back();
  Value iv = inner.getInductionVar();
  ScatterRows scatter;
  for (Operation &op : *inner.getBody())
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      if (scatter.store)
        return std::nullopt;
      scatter.store = store;
    }
  if (!scatter.store || scatter.store.getIndices().size() != 2)
    return std::nullopt;
  Value buffer = scatter.store.getMemRef();
  ValueRange indices = scatter.store.getIndices();
  if (indices[0] != iv && indices[1] != iv)
    return std::nullopt;
  scatter.rowDim = indices[0] == iv ? 1 : 0;
  for (Operation &op : *inner.getBody())
    if (auto load = dyn_cast<memref::LoadOp>(op);
        load && kiln::gpu::bufferBehindViews(load.getMemRef()) ==
                    kiln::gpu::bufferBehindViews(buffer)) {
      if (load.getMemRef() != buffer || load.getIndices() != indices)
        return std::nullopt;
      scatter.loads.push_back(load);
    }
  scatter.rows = cast<MemRefType>(buffer.getType()).getDimSize(scatter.rowDim);
  int64_t iterations = scatter.rows;
  for (scf::ForOp loop : nest) {
    std::optional<int64_t> trips = tripCount(loop);
    if (!trips || ShapedType::isDynamic(scatter.rows))
      return std::nullopt;
    iterations *= *trips;
  }
  if (scatter.rows < 2 || iterations > kMostIterations)
    return std::nullopt;
  return scatter;
}

/// After a scatter became a thread per (row, feature), each thread's element
/// is loaded once, carried through the loops in a register, updated only
/// where the row is the thread's, and stored once after the loops.
void accumulateOwnElement(ArrayRef<scf::ForOp> loops, ScatterRows &scatter) {
  memref::StoreOp store = scatter.store;
  auto onlyMine = store->getParentOfType<scf::IfOp>();
  Value buffer = store.getMemRef();
  SmallVector<Value> indices(store.getIndices());
  IRRewriter rewriter(store.getContext());
  rewriter.setInsertionPoint(loops.front());
  Value element =
      memref::LoadOp::create(rewriter, store.getLoc(), buffer, indices);
  // Each loop carries the element: the outer ones yield the inner one's.
  SmallVector<scf::ForOp> carrying;
  for (scf::ForOp loop : loops) {
    FailureOr<LoopLikeOpInterface> replaced = loop.replaceWithAdditionalYields(
        rewriter, element, /*replaceInitOperandUsesInLoop=*/false,
        [](OpBuilder &, Location, ArrayRef<BlockArgument> args) {
          return SmallVector<Value>{args.back()};
        });
    auto next = cast<scf::ForOp>(replaced->getOperation());
    if (!carrying.empty())
      carrying.back().getBody()->getTerminator()->setOperand(
          carrying.back().getNumRegionIterArgs() - 1, next.getResults().back());
    carrying.push_back(next);
    element = next.getRegionIterArgs().back();
  }
  // The update: the loads of the element read the register, the store
  // becomes the if's result, the row's mismatch keeps the register.
  for (memref::LoadOp load : scatter.loads)
    rewriter.replaceOp(load, element);
  rewriter.setInsertionPoint(onlyMine);
  auto update =
      scf::IfOp::create(rewriter, onlyMine.getLoc(),
                        TypeRange{element.getType()}, onlyMine.getCondition(),
                        /*withElseRegion=*/true);
  // (An scf.if with results is built without terminators.)
  update.thenBlock()->getOperations().splice(
      update.thenBlock()->end(), onlyMine.thenBlock()->getOperations(),
      onlyMine.thenBlock()->begin(), std::prev(onlyMine.thenBlock()->end()));
  rewriter.setInsertionPointToEnd(update.thenBlock());
  scf::YieldOp::create(rewriter, store.getLoc(), store.getValueToStore());
  rewriter.eraseOp(store);
  rewriter.setInsertionPointToStart(update.elseBlock());
  scf::YieldOp::create(rewriter, store.getLoc(), element);
  rewriter.eraseOp(onlyMine);
  carrying.back().getBody()->getTerminator()->setOperand(
      carrying.back().getNumRegionIterArgs() - 1, update.getResult(0));
  rewriter.setInsertionPointAfter(carrying.front());
  memref::StoreOp::create(rewriter, store.getLoc(),
                          carrying.front().getResults().back(), buffer,
                          indices);
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
  std::optional<ScatterRows> scatter =
      nest.size() > 1 ? scatterRows(nest) : std::nullopt;
  scf::ParallelOp parallel;
  if (scatter) {
    // A thread per (row, feature): each scans the whole nest and adds what
    // lands in its own element, in the nest's order.
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value rows = arith::ConstantIndexOp::create(b, loc, scatter->rows);
    parallel =
        scf::ParallelOp::create(b, loc, ValueRange{zero, inner.getLowerBound()},
                                ValueRange{rows, inner.getUpperBound()},
                                ValueRange{one, inner.getStep()});
  } else {
    parallel = scf::ParallelOp::create(b, loc, inner.getLowerBound(),
                                       inner.getUpperBound(), inner.getStep());
  }
  Block *target = parallel.getBody();
  inner.getInductionVar().replaceAllUsesWith(
      parallel.getInductionVars().back());
  if (scatter) {
    Value own = parallel.getInductionVars().front();
    memref::StoreOp store = scatter->store;
    Value row = store.getIndices()[scatter->rowDim];
    for (memref::LoadOp load : scatter->loads)
      load.getIndicesMutable()[scatter->rowDim].set(own);
    OpBuilder guard(store);
    Value mine = arith::CmpIOp::create(guard, store.getLoc(),
                                       arith::CmpIPredicate::eq, row, own);
    auto onlyMine = scf::IfOp::create(guard, store.getLoc(), TypeRange{}, mine,
                                      /*withElseRegion=*/false);
    store->moveBefore(onlyMine.thenBlock()->getTerminator());
    store.getIndicesMutable()[scatter->rowDim].set(own);
    // What only the store needs is computed only when the row is mine.
    Block *then = onlyMine.thenBlock();
    for (Operation *op = onlyMine->getPrevNode(); op;) {
      Operation *previous = op->getPrevNode();
      bool onlyForTheStore =
          op->getNumRegions() == 0 && !op->use_empty() &&
          (isa<memref::LoadOp>(op) || isMemoryEffectFree(op)) &&
          llvm::all_of(op->getUsers(), [&](Operation *user) {
            return user != onlyMine && onlyMine->isAncestor(user);
          });
      if (onlyForTheStore)
        op->moveBefore(then, then->begin());
      op = previous;
    }
  }
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
  if (scatter)
    accumulateOwnElement(ArrayRef(nest).drop_back(), *scatter);
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
