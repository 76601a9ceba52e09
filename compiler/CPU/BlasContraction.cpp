//===- BlasContraction.cpp - Matrix products that go to BLAS --------------===//

#include "compiler/CPU/BlasContraction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace kiln::cpu {

std::optional<BlasContraction> matchBlasContraction(linalg::LinalgOp op) {
  if (op.getNumLoops() != 3 || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  if (iterators[0] != utils::IteratorType::parallel ||
      iterators[1] != utils::IteratorType::parallel ||
      iterators[2] != utils::IteratorType::reduction)
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    auto shaped = dyn_cast<ShapedType>(operand.get().getType());
    if (!shaped || shaped.getRank() != 2 || !shaped.getElementType().isF32())
      return std::nullopt;
  }
  MLIRContext *context = op.getContext();
  auto map = [&](unsigned a, unsigned b) {
    return AffineMap::get(
        3, 0, {getAffineDimExpr(a, context), getAffineDimExpr(b, context)},
        context);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[2] != map(0, 1))
    return std::nullopt;
  BlasContraction result;
  if (maps[0] == map(0, 2))
    result.transposeA = false;
  else if (maps[0] == map(2, 0))
    result.transposeA = true;
  else
    return std::nullopt;
  if (maps[1] == map(2, 1))
    result.transposeB = false;
  else if (maps[1] == map(1, 2))
    result.transposeB = true;
  else
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  result.flops = 2 * ranges[0] * ranges[1] * ranges[2];
  return result;
}

bool isZeroFill(linalg::FillOp fill) {
  auto value = fill.getInputs().front().getDefiningOp<arith::ConstantOp>();
  auto zero = value ? dyn_cast<FloatAttr>(value.getValue()) : FloatAttr();
  return zero && zero.getValue().isPosZero();
}

/// Whether `op`, or an op nested in it, uses `buffer`.
static bool touches(Operation *op, Value buffer) {
  return llvm::any_of(buffer.getUsers(),
                      [&](Operation *user) { return op->isAncestor(user); });
}

/// The zero fill of `buffer` that `op` sees, with only copies reading the
/// buffer in between (`read` tells whether there are any); null if another
/// op may have touched it.
static linalg::FillOp zeroFillSeenBy(Operation *op, Value buffer, bool &read) {
  read = false;
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (!touches(prev, buffer))
      continue;
    if (auto fill = dyn_cast<linalg::FillOp>(prev))
      return fill.getOutputs().front() == buffer && isZeroFill(fill)
                 ? fill
                 : linalg::FillOp();
    auto copy = dyn_cast<memref::CopyOp>(prev);
    if (!copy || copy.getSource() != buffer || copy.getTarget() == buffer)
      return nullptr;
    read = true;
  }
  return nullptr;
}

ZeroInit zeroInitBefore(Operation *op, Value buffer) {
  bool read;
  if (linalg::FillOp fill = zeroFillSeenBy(op, buffer, read))
    return {true, read ? nullptr : fill.getOperation()};
  // A copy into `buffer` of a buffer holding zeros.
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (!touches(prev, buffer))
      continue;
    auto copy = dyn_cast<memref::CopyOp>(prev);
    if (copy && copy.getTarget() == buffer &&
        zeroFillSeenBy(copy, copy.getSource(), read))
      return {true, copy};
    return {};
  }
  return {};
}

/// memref<?x?xf32, strided<[?, ?], offset: ?>>: any rank-2 f32 view.
static MemRefType anyView(MLIRContext *context) {
  int64_t dynamic = ShapedType::kDynamic;
  return MemRefType::get(
      {dynamic, dynamic}, Float32Type::get(context),
      StridedLayoutAttr::get(context, dynamic, {dynamic, dynamic}));
}

static func::FuncOp declareGemm(ModuleOp module, StringRef name,
                                bool cInterface) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  MLIRContext *context = module.getContext();
  OpBuilder builder(module.getBodyRegion());
  Type view = anyView(context), flag = IntegerType::get(context, 8);
  auto type =
      FunctionType::get(context, {view, view, view, flag, flag, flag}, {});
  auto gemm = func::FuncOp::create(builder, module.getLoc(), name, type);
  gemm.setPrivate();
  if (cInterface)
    gemm->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(context));
  return gemm;
}

void replaceContractionsWithGemmCalls(ModuleOp module, StringRef callee,
                                      bool cInterface) {
  SmallVector<std::pair<linalg::LinalgOp, BlasContraction>> ops;
  module.walk([&](linalg::LinalgOp op) {
    if (!op.hasPureBufferSemantics())
      return;
    if (std::optional<BlasContraction> gemm = matchBlasContraction(op))
      ops.push_back({op, *gemm});
  });
  if (ops.empty())
    return;
  func::FuncOp gemm = declareGemm(module, callee, cInterface);
  MemRefType view = anyView(module.getContext());
  for (auto [op, contraction] : ops) {
    // Look for the zeros before adding the casts, which use C too.
    ZeroInit zeros = zeroInitBefore(op, op.getDpsInits().front());
    OpBuilder b(op);
    Location loc = op.getLoc();
    SmallVector<Value> args;
    for (OpOperand &operand : op->getOpOperands())
      args.push_back(memref::CastOp::create(b, loc, view, operand.get()));
    for (bool flag :
         {contraction.transposeA, contraction.transposeB, !zeros.zero})
      args.push_back(arith::ConstantIntOp::create(b, loc, flag, 8));
    func::CallOp::create(b, loc, gemm, args);
    op->erase();
    if (!zeros.redundant)
      continue;
    // A copy's source may now be a buffer only filled and freed.
    auto copy = dyn_cast<memref::CopyOp>(zeros.redundant);
    Value source = copy ? copy.getSource() : Value();
    zeros.redundant->erase();
    if (source && llvm::all_of(source.getUsers(), [](Operation *user) {
          return isa<linalg::FillOp, memref::DeallocOp>(user);
        }))
      for (Operation *user : llvm::make_early_inc_range(source.getUsers()))
        if (isa<linalg::FillOp>(user))
          user->erase();
  }
}

} // namespace kiln::cpu
