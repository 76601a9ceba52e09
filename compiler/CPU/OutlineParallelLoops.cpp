//===- OutlineParallelLoops.cpp - scf.forall chunks as pool tasks ---------===//
//
// An outermost one-dimensional scf.forall on buffers becomes a private
// function of the chunk index and the values its body uses, and a call of
// its launcher `kiln_parallel_launch.<function>` with the chunk count and
// those values. The launcher is only declared here: its body, which packs
// the values and calls the runtime's kiln_parallel_for, is built in the
// LLVM dialect (kiln-cpu-build-parallel-launchers), where every value has a
// plain LLVM type.
//
//===----------------------------------------------------------------------===//

#include "compiler/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPS
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;

namespace {

struct Bounds {
  int64_t lower, step, count;
};

std::optional<Bounds> staticBounds(scf::ForallOp loop) {
  if (loop.getRank() != 1 || !loop.getOutputs().empty())
    return std::nullopt;
  int64_t lower = loop.getStaticLowerBound()[0],
          upper = loop.getStaticUpperBound()[0], step = loop.getStaticStep()[0];
  if (ShapedType::isDynamic(lower) || ShapedType::isDynamic(upper) ||
      ShapedType::isDynamic(step) || step <= 0)
    return std::nullopt;
  return Bounds{lower, step, (upper - lower + step - 1) / step};
}

void outline(scf::ForallOp loop, const Bounds &bounds, StringRef name) {
  // Constants are cloned into the body rather than passed.
  Region &body = loop.getRegion();
  SetVector<Value> used;
  getUsedValuesDefinedAbove(body, used);
  OpBuilder inside = OpBuilder::atBlockBegin(loop.getBody());
  for (Value value : used)
    if (Operation *def = value.getDefiningOp();
        def && def->hasTrait<OpTrait::ConstantLike>()) {
      Operation *copy = inside.clone(*def);
      replaceAllUsesInRegionWith(value, copy->getResult(0), body);
    }
  used.clear();
  getUsedValuesDefinedAbove(body, used);

  auto module = loop->getParentOfType<ModuleOp>();
  MLIRContext *context = loop.getContext();
  Location loc = loop.getLoc();
  SmallVector<Type> types{IndexType::get(context)};
  for (Value value : used)
    types.push_back(value.getType());
  OpBuilder top = OpBuilder::atBlockEnd(module.getBody());
  auto chunk = func::FuncOp::create(top, loc, name,
                                    FunctionType::get(context, types, {}));
  chunk.setPrivate();
  Block *entry = chunk.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockBegin(entry);
  // The loop's induction value for chunk i: lower + i * step.
  Value iv = arith::AddIOp::create(
      b, loc, arith::ConstantIndexOp::create(b, loc, bounds.lower),
      arith::MulIOp::create(
          b, loc, entry->getArgument(0),
          arith::ConstantIndexOp::create(b, loc, bounds.step)));
  IRMapping mapping;
  mapping.map(loop.getInductionVar(0), iv);
  for (auto [value, arg] : llvm::zip(used, entry->getArguments().drop_front()))
    mapping.map(value, arg);
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  func::ReturnOp::create(b, loc);

  auto launcher =
      func::FuncOp::create(top, loc, ("kiln_parallel_launch." + name).str(),
                           FunctionType::get(context, types, {}));
  launcher.setPrivate();
  OpBuilder at(loop);
  SmallVector<Value> args{
      arith::ConstantIndexOp::create(at, loc, bounds.count)};
  args.append(used.begin(), used.end());
  func::CallOp::create(at, loc, launcher, args);
  loop.erase();
}

struct OutlineParallelLoopsPass
    : kiln::cpu::impl::OutlineParallelLoopsBase<OutlineParallelLoopsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<scf::ForallOp, Bounds>> loops;
    getOperation().walk([&](scf::ForallOp loop) {
      if (loop->getParentOfType<scf::ForallOp>())
        return;
      if (std::optional<Bounds> bounds = staticBounds(loop))
        loops.push_back({loop, *bounds});
    });
    llvm::StringMap<int> counts;
    for (auto [loop, bounds] : loops) {
      auto parent = loop->getParentOfType<func::FuncOp>();
      int index = counts[parent.getName()]++;
      outline(loop, bounds,
              (parent.getName() + ".chunk" + std::to_string(index)).str());
    }
  }
};

} // namespace
