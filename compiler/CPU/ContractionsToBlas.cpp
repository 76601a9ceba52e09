//===- ContractionsToBlas.cpp - Large matrix products as sgemm calls ------===//

#include "compiler/CPU/BlasContraction.h"
#include "compiler/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_CONTRACTIONSTOBLAS
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kGemm = "kiln_gemm_f32";

/// memref<?x?xf32, strided<[?, ?], offset: ?>>: any rank-2 f32 view.
MemRefType anyView(MLIRContext *context) {
  int64_t dynamic = ShapedType::kDynamic;
  return MemRefType::get(
      {dynamic, dynamic}, Float32Type::get(context),
      StridedLayoutAttr::get(context, dynamic, {dynamic, dynamic}));
}

func::FuncOp declareGemm(ModuleOp module) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(kGemm))
    return existing;
  MLIRContext *context = module.getContext();
  OpBuilder builder(module.getBodyRegion());
  Type view = anyView(context), flag = IntegerType::get(context, 8);
  auto type =
      FunctionType::get(context, {view, view, view, flag, flag, flag}, {});
  auto gemm = func::FuncOp::create(builder, module.getLoc(), kGemm, type);
  gemm.setPrivate();
  gemm->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(context));
  return gemm;
}

struct ContractionsToBlasPass
    : kiln::cpu::impl::ContractionsToBlasBase<ContractionsToBlasPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, kiln::cpu::BlasContraction>> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureBufferSemantics())
        return;
      if (std::optional<kiln::cpu::BlasContraction> blas =
              kiln::cpu::matchBlasContraction(op))
        ops.push_back({op, *blas});
    });
    if (ops.empty())
      return;
    func::FuncOp gemm = declareGemm(getOperation());
    MemRefType view = anyView(&getContext());
    for (auto [op, blas] : ops) {
      // Look for the fill before adding the casts, which use C too.
      linalg::FillOp fill =
          kiln::cpu::zeroFillBefore(op, op.getDpsInits().front());
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<Value> args;
      for (OpOperand &operand : op->getOpOperands())
        args.push_back(memref::CastOp::create(b, loc, view, operand.get()));
      for (bool flag : {blas.transposeA, blas.transposeB, !fill})
        args.push_back(arith::ConstantIntOp::create(b, loc, flag, 8));
      func::CallOp::create(b, loc, gemm, args);
      op->erase();
      if (fill)
        fill->erase();
    }
  }
};

} // namespace
