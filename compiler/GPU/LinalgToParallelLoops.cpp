//===- LinalgToParallelLoops.cpp - One scf.parallel nest per linalg op ----===//

#include "compiler/GPU/Passes.h"
#include "compiler/GPU/ViewSource.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

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
  Value buffer = kiln::gpu::bufferBehindViews(store.getMemRef());
  bool touchedElsewhere = false;
  loop.getBody()->walk([&](Operation *op) {
    if (op == load || op == store)
      return;
    for (Value operand : op->getOperands())
      touchedElsewhere |= isa<MemRefType>(operand.getType()) &&
                          kiln::gpu::bufferBehindViews(operand) == buffer;
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

/// The combining op of a reduction nest carried in registers: `loop`'s one
/// iter_arg either starts the one loop in its body whose result it yields,
/// recursively, or is combined with something else by the op whose result
/// it yields. Null if the nest has another shape.
Operation *combinerOf(scf::ForOp loop) {
  if (loop.getNumRegionIterArgs() != 1)
    return nullptr;
  Value carried = loop.getRegionIterArgs().front();
  Value yielded = loop.getBody()->getTerminator()->getOperand(0);
  if (!carried.hasOneUse())
    return nullptr;
  Operation *user = *carried.getUsers().begin();
  if (auto inner = dyn_cast<scf::ForOp>(user))
    return inner->getBlock() == loop.getBody() &&
                   inner.getInitArgs().front() == carried &&
                   yielded == inner.getResult(0)
               ? combinerOf(inner)
               : nullptr;
  if (user->getBlock() != loop.getBody() || yielded != user->getResult(0) ||
      !isa<arith::AddFOp, arith::MaximumFOp, arith::MinimumFOp,
           arith::MaxNumFOp, arith::MinNumFOp>(user))
    return nullptr;
  return user;
}

/// The value that `combiner` leaves unchanged.
Value identityOf(OpBuilder &b, Operation *combiner) {
  auto type = cast<FloatType>(combiner->getResult(0).getType());
  const llvm::fltSemantics &semantics = type.getFloatSemantics();
  APFloat value = APFloat::getZero(semantics);
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(combiner))
    value = APFloat::getInf(semantics, /*Negative=*/true);
  else if (isa<arith::MinimumFOp, arith::MinNumFOp>(combiner))
    value = APFloat::getInf(semantics);
  return arith::ConstantFloatOp::create(b, combiner->getLoc(), type, value);
}

/// Clones into `b` the producers of `value` that lie in `region` (pure ops
/// only: constants, index arithmetic), mapping the one-trip loop's variable
/// to zero. False if one is not pure.
bool cloneProducers(Value value, Region &region, Value tripVariable,
                    OpBuilder &b, IRMapping &mapping) {
  if (mapping.contains(value) || !region.isAncestor(value.getParentRegion()))
    return true;
  if (value == tripVariable) {
    mapping.map(value, arith::ConstantIndexOp::create(b, value.getLoc(), 0));
    return true;
  }
  Operation *op = value.getDefiningOp();
  if (!op || op->getNumRegions() != 0 || !isMemoryEffectFree(op))
    return false;
  for (Value operand : op->getOperands())
    if (!cloneProducers(operand, region, tripVariable, b, mapping))
      return false;
  b.clone(*op, mapping);
  return true;
}

/// The trips of `loop` times those of the loops its carried value goes
/// through (combinerOf's chain), if all are constant.
std::optional<int64_t> chainTrips(scf::ForOp loop) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0)
    return std::nullopt;
  int64_t trips = *ub > *lb ? (*ub - *lb + *step - 1) / *step : 0;
  auto inner = dyn_cast<scf::ForOp>(
      *loop.getRegionIterArgs().front().getUsers().begin());
  if (!inner)
    return trips;
  std::optional<int64_t> innerTrips = chainTrips(inner);
  return innerTrips ? std::optional(trips * *innerTrips) : std::nullopt;
}

/// A full reduction is a kernel of one thread walking every element. When
/// it is long (1024 steps of its chain of loops or more), it becomes two:
/// up to 256 threads each reduce a contiguous part of its outer loop into a
/// buffer of partial results, then one thread combines the partials in
/// order (deterministic, without atomics).
void splitFullReduction(RewriterBase &rewriter, scf::ParallelOp single) {
  constexpr int64_t kMostParts = 256, kLeastPerPart = 16, kLeastWork = 1024;
  std::optional<int64_t> lower = getConstantIntValue(single.getLowerBound()[0]);
  std::optional<int64_t> upper = getConstantIntValue(single.getUpperBound()[0]);
  if (single.getNumLoops() != 1 || lower != 0 || upper != 1)
    return;
  scf::ForOp loop;
  for (auto candidate : single.getBody()->getOps<scf::ForOp>())
    loop = loop ? scf::ForOp() : candidate;
  if (!loop)
    return;
  Operation *combiner = combinerOf(loop);
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!combiner || !lb || !ub || !step || *step <= 0)
    return;
  int64_t trips = (*ub - *lb + *step - 1) / *step;
  std::optional<int64_t> work = chainTrips(loop);
  if (trips < 2 || !work || *work < kLeastWork)
    return;
  // Parts of at least kLeastPerPart steps of the chain.
  int64_t perTrip = *work / trips;
  int64_t perPart = std::max<int64_t>(llvm::divideCeil(trips, kMostParts),
                                      llvm::divideCeil(kLeastPerPart, perTrip));
  int64_t parts = llvm::divideCeil(trips, perPart);
  if (parts < 2)
    return;

  // Stage 1: part p reduces trips [p * perPart, (p + 1) * perPart).
  Location loc = loop.getLoc();
  Type element = loop.getResult(0).getType();
  rewriter.setInsertionPoint(single);
  Value partials =
      memref::AllocOp::create(rewriter, loc, MemRefType::get({parts}, element));
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value count = arith::ConstantIndexOp::create(rewriter, loc, parts);
  auto stage1 = scf::ParallelOp::create(rewriter, loc, zero, count, one);
  rewriter.setInsertionPointToStart(stage1.getBody());
  IRMapping mapping;
  llvm::SetVector<Value> used;
  getUsedValuesDefinedAbove(loop.getRegion(), used);
  used.insert(loop.getLowerBound());
  used.insert(loop.getUpperBound());
  used.insert(loop.getStep());
  for (Value value : used)
    if (!cloneProducers(value, single.getRegion(), single.getInductionVars()[0],
                        rewriter, mapping)) {
      rewriter.eraseOp(stage1);
      rewriter.eraseOp(partials.getDefiningOp());
      return;
    }
  Value part = stage1.getInductionVars()[0];
  Value first = arith::AddIOp::create(
      rewriter, loc, arith::ConstantIndexOp::create(rewriter, loc, *lb),
      arith::MulIOp::create(
          rewriter, loc, part,
          arith::ConstantIndexOp::create(rewriter, loc, perPart * *step)));
  Value last = arith::MinSIOp::create(
      rewriter, loc,
      arith::AddIOp::create(
          rewriter, loc, first,
          arith::ConstantIndexOp::create(rewriter, loc, perPart * *step)),
      arith::ConstantIndexOp::create(rewriter, loc, *ub));
  Value identity = identityOf(rewriter, combiner);
  auto partLoop = cast<scf::ForOp>(rewriter.clone(*loop, mapping));
  partLoop.setLowerBound(first);
  partLoop.setUpperBound(last);
  partLoop.getInitArgsMutable()[0].assign(identity);
  memref::StoreOp::create(rewriter, loc, partLoop.getResult(0), partials, part);

  // Stage 2: the one thread combines the partials with the initial value.
  rewriter.setInsertionPoint(loop);
  auto combine = scf::ForOp::create(
      rewriter, loc, zero, count, one, loop.getInitArgs(),
      [&](OpBuilder &b, Location loc, Value p, ValueRange carried) {
        Value partial = memref::LoadOp::create(b, loc, partials, p);
        IRMapping operands;
        operands.map(combiner->getOperand(0), carried[0]);
        operands.map(combiner->getOperand(1), partial);
        Operation *combined = b.clone(*combiner, operands);
        scf::YieldOp::create(b, loc, combined->getResult(0));
      });
  rewriter.replaceOp(loop, combine.getResults());
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
    SmallVector<scf::ParallelOp> kernels;
    getOperation().walk([&](scf::ParallelOp op) { kernels.push_back(op); });
    for (scf::ParallelOp kernel : kernels)
      splitFullReduction(rewriter, kernel);
  }
};
} // namespace
