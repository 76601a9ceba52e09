//===- ResolveInvokes.cpp - exp.invoke to func.call after bufferization ---===//

#include "compiler/Experiment/Passes.h"
#include "dialects/Experiment/IR/ExperimentOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln::experiment {
#define GEN_PASS_DEF_RESOLVEINVOKES
#include "compiler/Experiment/Passes.h.inc"
} // namespace kiln::experiment

using namespace mlir;

namespace kiln {
namespace {

struct ResolveInvokesPass
    : experiment::impl::ResolveInvokesBase<ResolveInvokesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    WalkResult result = module.walk([&](exp::InvokeOp invoke) {
      auto callee = symbols.lookup<func::FuncOp>(invoke.getCallee());
      if (!callee) {
        invoke.emitOpError("'")
            << invoke.getCallee() << "' is not a function in this module";
        return WalkResult::interrupt();
      }
      if (callee.getResultTypes().size() != 0 ||
          TypeRange(callee.getArgumentTypes()) !=
              TypeRange(invoke.getBuffers().getTypes())) {
        invoke.emitOpError("'")
            << invoke.getCallee() << "' of type " << callee.getFunctionType()
            << " is not yet bufferized to take these buffers; run the graph "
               "pipeline's bufferization first";
        return WalkResult::interrupt();
      }
      OpBuilder b(invoke);
      func::CallOp::create(b, invoke.getLoc(), callee, invoke.getBuffers());
      invoke.erase();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
