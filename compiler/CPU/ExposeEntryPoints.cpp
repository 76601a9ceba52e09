//===- ExposeEntryPoints.cpp - The calling convention of public funcs -----===//

#include "compiler/CPU/Passes.h"
#include "compiler/CPU/UpdatesInPlace.h"

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
    for (auto func : getOperation().getOps<func::FuncOp>())
      // The host program (`kiln.host`) is a plain C `main`.
      if (func.isPublic() && !func.isExternal() &&
          !func->hasAttr("kiln.host") && failed(expose(func)))
        return signalPassFailure();
  }

  LogicalResult expose(func::FuncOp func) {
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(&getContext()));
    return kiln::cpu::writeUpdatesInPlace(func);
  }
};

} // namespace
