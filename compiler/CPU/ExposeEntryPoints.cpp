//===- ExposeEntryPoints.cpp - The calling convention of public funcs -----===//

#include "compiler/CPU/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "llvm/ADT/SmallBitVector.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_EXPOSEENTRYPOINTS
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kUpdates = "kiln.updates";

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
    MLIRContext *context = &getContext();
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(context));
    llvm::SmallBitVector updated(func.getNumArguments());
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    OpBuilder builder(ret);
    for (unsigned r = 0; r < func.getNumResults(); ++r) {
      auto target = func.getResultAttrOfType<IntegerAttr>(r, kUpdates);
      if (!target)
        continue;
      int64_t arg = target.getInt();
      if (arg < 0 || arg >= func.getNumArguments() ||
          func.getArgumentTypes()[arg] != func.getResultTypes()[r] ||
          !isa<TensorType>(func.getResultTypes()[r]))
        return func.emitError("result #")
               << r << " cannot update argument #" << arg
               << ": it does not exist or has another type";
      if (updated.test(arg))
        return func.emitError("argument #") << arg << " is updated twice";
      updated.set(arg);
      // Write the new value into the argument's buffer: after
      // bufferization the result is that buffer, which
      // kiln-cpu-drop-updated-results then removes from the signature.
      auto write = bufferization::MaterializeInDestinationOp::create(
          builder, ret.getLoc(), ret.getOperand(r), func.getArgument(arg));
      ret.setOperand(r, write.getResult());
    }
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (isa<TensorType>(func.getArgumentTypes()[i]))
        func.setArgAttr(i,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        BoolAttr::get(context, updated.test(i)));
    return success();
  }
};

} // namespace
