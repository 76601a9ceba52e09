//===- ContractionsToGemm.cpp - Matrix products on the GEMM library -------===//

#include "compiler/CPU/BlasContraction.h"
#include "compiler/GPU/Passes.h"

namespace kiln::gpu {
#define GEN_PASS_DEF_CONTRACTIONSTOGEMM
#include "compiler/GPU/Passes.h.inc"
} // namespace kiln::gpu

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kGemm = "kiln_gpu_gemm";

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
  return gemm;
}

struct ContractionsToGemmPass
    : kiln::gpu::impl::ContractionsToGemmBase<ContractionsToGemmPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, kiln::cpu::BlasContraction>> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureBufferSemantics())
        return;
      if (std::optional<kiln::cpu::BlasContraction> gemm =
              kiln::cpu::matchBlasContraction(op))
        ops.push_back({op, *gemm});
    });
    if (ops.empty())
      return;
    func::FuncOp gemm = declareGemm(getOperation());
    MemRefType view = anyView(&getContext());
    for (auto [op, contraction] : ops) {
      // Look for the fill before adding the casts, which use C too.
      linalg::FillOp fill =
          kiln::cpu::zeroFillBefore(op, op.getDpsInits().front());
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<Value> args;
      for (OpOperand &operand : op->getOpOperands())
        args.push_back(memref::CastOp::create(b, loc, view, operand.get()));
      for (bool flag : {contraction.transposeA, contraction.transposeB, !fill})
        args.push_back(arith::ConstantIntOp::create(b, loc, flag, 8));
      func::CallOp::create(b, loc, gemm, args);
      op->erase();
      if (fill)
        fill->erase();
    }
  }
};

} // namespace
