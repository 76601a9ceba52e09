//===- ExposeEntryPoints.cpp - C-callable wrappers for public funcs -------===//

#include "compiler/CPU/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_EXPOSEENTRYPOINTS
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;

namespace {
struct ExposeEntryPointsPass
    : kiln::cpu::impl::ExposeEntryPointsBase<ExposeEntryPointsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    UnitAttr unit = UnitAttr::get(context);
    BoolAttr readOnly = BoolAttr::get(context, false);
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), unit);
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        if (isa<TensorType>(func.getArgumentTypes()[i]))
          func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                          readOnly);
    }
  }
};
} // namespace
