//===- ExposeEntryPoints.cpp - C-callable wrappers for public funcs -------===//

#include "compiler/CPU/Passes.h"

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
    UnitAttr unit = UnitAttr::get(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), unit);
  }
};
} // namespace
