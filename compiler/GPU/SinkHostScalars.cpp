//===- SinkHostScalars.cpp - A kernel's scalars computed inside it --------===//

#include "compiler/GPU/Passes.h"
#include "compiler/GPU/ViewSource.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln::gpu {
#define GEN_PASS_DEF_SINKHOSTSCALARS
#include "compiler/GPU/Passes.h.inc"
} // namespace kiln::gpu

using namespace mlir;

namespace {

/// Whether `load` reads the same value when moved down to `launch`: between
/// them, in the same block, nothing but loads uses the loaded buffer.
bool loadIsStableUntil(memref::LoadOp load, Operation *launch) {
  if (load->getBlock() != launch->getBlock())
    return false;
  Value buffer = kiln::gpu::bufferBehindViews(load.getMemRef());
  for (Operation *op = load->getNextNode(); op && op != launch;
       op = op->getNextNode()) {
    bool touches = false;
    op->walk([&](Operation *nested) {
      if (isa<memref::LoadOp>(nested))
        return;
      for (Value operand : nested->getOperands())
        touches |= isa<MemRefType>(operand.getType()) &&
                   kiln::gpu::bufferBehindViews(operand) == buffer;
    });
    if (touches)
      return false;
  }
  return true;
}

bool sinkable(Operation *op, Operation *launch) {
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return loadIsStableUntil(load, launch);
  return op->getNumRegions() == 0 && op->getNumResults() == 1 &&
         !isa<ViewLikeOpInterface>(op) && isMemoryEffectFree(op) &&
         !isa<MemRefType>(op->getResult(0).getType());
}

/// Whether `value` can be computed inside `launch`: a buffer the kernel
/// takes, or the result of sinkable ops over such values.
bool computableInside(Value value, Operation *launch) {
  if (isa<MemRefType>(value.getType()))
    return true;
  Operation *op = value.getDefiningOp();
  return op && sinkable(op, launch) &&
         llvm::all_of(op->getOperands(), [&](Value operand) {
           return computableInside(operand, launch);
         });
}

/// Clones the producers of `value` at `b`, operands first.
void cloneChain(Value value, OpBuilder &b, IRMapping &mapping) {
  if (mapping.contains(value) || isa<MemRefType>(value.getType()))
    return;
  Operation *op = value.getDefiningOp();
  for (Value operand : op->getOperands())
    cloneChain(operand, b, mapping);
  b.clone(*op, mapping);
}

struct SinkHostScalarsPass
    : kiln::gpu::impl::SinkHostScalarsBase<SinkHostScalarsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    // A scalar the host side stores into a buffer (a scheduled learning
    // rate) is stored by a one-thread kernel, whose scalars are then sunk.
    for (auto store :
         llvm::to_vector(func.getBody().front().getOps<memref::StoreOp>())) {
      OpBuilder b(store);
      Location loc = store.getLoc();
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto launch = gpu::LaunchOp::create(b, loc, one, one, one, one, one, one);
      b.setInsertionPointToStart(&launch.getBody().front());
      store->moveBefore(gpu::TerminatorOp::create(b, loc));
    }
    func.walk([](gpu::LaunchOp launch) {
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(launch.getBody(), captured);
      OpBuilder b = OpBuilder::atBlockBegin(&launch.getBody().front());
      IRMapping mapping;
      for (Value value : captured) {
        if (isa<MemRefType>(value.getType()) ||
            !computableInside(value, launch))
          continue;
        cloneChain(value, b, mapping);
        replaceAllUsesInRegionWith(value, mapping.lookup(value),
                                   launch.getBody());
      }
    });
  }
};

} // namespace
