//===- UpdatesInPlace.cpp - Results written into their argument -----------===//

#include "compiler/CPU/UpdatesInPlace.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;

namespace kiln::cpu {

LogicalResult writeUpdatesInPlace(func::FuncOp func) {
  constexpr llvm::StringLiteral kUpdates = "kiln.updates";
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
    // After bufferization the result is the argument's buffer, which
    // kiln-cpu-drop-updated-results then removes from the signature.
    auto write = bufferization::MaterializeInDestinationOp::create(
        builder, ret.getLoc(), ret.getOperand(r), func.getArgument(arg));
    ret.setOperand(r, write.getResult());
  }
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (isa<TensorType>(func.getArgumentTypes()[i]))
      func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                      BoolAttr::get(func.getContext(), updated.test(i)));
  return success();
}

} // namespace kiln::cpu
