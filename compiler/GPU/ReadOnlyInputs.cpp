//===- ReadOnlyInputs.cpp - Public tensor arguments are not writable ------===//

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
    BoolAttr readOnly = BoolAttr::get(&getContext(), false);
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        if (isa<TensorType>(func.getArgumentTypes()[i]))
          func.setArgAttr(
              i, bufferization::BufferizationDialect::kWritableAttrName,
              readOnly);
    }
  }
};
} // namespace
