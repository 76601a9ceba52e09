//===- ReadOnlyInputs.cpp - Public tensor arguments are not writable ------===//

#include "compiler/CPU/UpdatesInPlace.h"
#include "compiler/GPU/Passes.h"

namespace kiln::gpu {
#define GEN_PASS_DEF_READONLYINPUTS
#include "compiler/GPU/Passes.h.inc"
} // namespace kiln::gpu

using namespace mlir;

namespace {
struct ReadOnlyInputsPass
    : kiln::gpu::impl::ReadOnlyInputsBase<ReadOnlyInputsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal() &&
          failed(kiln::cpu::writeUpdatesInPlace(func)))
        return signalPassFailure();
  }
};
} // namespace
