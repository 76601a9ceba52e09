//===- LowerStridedCopies.cpp - Strided memref.copy as linalg.copy --------===//

#include "compiler/CPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_LOWERSTRIDEDCOPIES
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;

namespace {
bool contiguous(Value memref) {
  return cast<MemRefType>(memref.getType()).getLayout().isIdentity();
}

struct LowerStridedCopiesPass
    : kiln::cpu::impl::LowerStridedCopiesBase<LowerStridedCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      if (!contiguous(copy.getSource()) || !contiguous(copy.getTarget()))
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder builder(copy);
      linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
  }
};
} // namespace
