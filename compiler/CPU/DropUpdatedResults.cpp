//===- DropUpdatedResults.cpp - Results that live in their argument -------===//

#include "compiler/CPU/Passes.h"

#include "llvm/ADT/BitVector.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_DROPUPDATEDRESULTS
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kUpdates = "kiln.updates";

struct DropUpdatedResultsPass
    : kiln::cpu::impl::DropUpdatedResultsBase<DropUpdatedResultsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
      llvm::BitVector dropped(func.getNumResults());
      for (unsigned r = 0; r < func.getNumResults(); ++r) {
        auto target = func.getResultAttrOfType<IntegerAttr>(r, kUpdates);
        if (!target)
          continue;
        if (target.getInt() < 0 || target.getInt() >= func.getNumArguments() ||
            ret.getOperand(r) != func.getArgument(target.getInt())) {
          func.emitError("result #")
              << r << " could not be computed in place into argument #"
              << target.getInt();
          return signalPassFailure();
        }
        dropped.set(r);
      }
      if (dropped.none())
        continue;
      ret->eraseOperands(dropped);
      if (failed(func.eraseResults(dropped)))
        return signalPassFailure();
    }
  }
};

} // namespace
