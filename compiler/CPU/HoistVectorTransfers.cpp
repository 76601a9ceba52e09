//===- HoistVectorTransfers.cpp - Accumulators out of reduction loops -----===//

#include "compiler/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_HOISTVECTORTRANSFERS
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;

namespace {
struct HoistVectorTransfersPass
    : kiln::cpu::impl::HoistVectorTransfersBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    linalg::hoistRedundantVectorTransfers(getOperation(),
                                          /*verifyNonZeroTrip=*/true);
  }
};
} // namespace
