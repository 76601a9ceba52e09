//===- BlasContraction.cpp - Matrix products that go to BLAS --------------===//

#include "compiler/CPU/BlasContraction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace kiln::cpu {

std::optional<BlasContraction> matchBlasContraction(linalg::LinalgOp op,
                                                    int64_t maxBatchRank) {
  int64_t loops = op.getNumLoops();
  int64_t batch = loops - 3;
  if (batch < 0 || batch > maxBatchRank || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  for (int64_t i = 0; i < loops; ++i)
    if (iterators[i] != (i + 1 < loops ? utils::IteratorType::parallel
                                       : utils::IteratorType::reduction))
      return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    auto shaped = dyn_cast<ShapedType>(operand.get().getType());
    if (!shaped || shaped.getRank() != batch + 2 ||
        !shaped.getElementType().isF32())
      return std::nullopt;
  }
  MLIRContext *context = op.getContext();
  // (batch..., a, b) over loops (batch..., m, n, k).
  auto map = [&](unsigned a, unsigned b) {
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < batch; ++i)
      exprs.push_back(getAffineDimExpr(i, context));
    exprs.push_back(getAffineDimExpr(batch + a, context));
    exprs.push_back(getAffineDimExpr(batch + b, context));
    return AffineMap::get(loops, 0, exprs, context);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[2] != map(0, 1))
    return std::nullopt;
  BlasContraction result;
  result.batchRank = batch;
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
  result.flops = 2;
  for (int64_t range : op.getStaticLoopRanges())
    result.flops *= range;
  return result;
}

bool goesToBlas(linalg::LinalgOp op, int64_t minFlops) {
  std::optional<BlasContraction> blas =
      matchBlasContraction(op, kMaxGemmBatchRank);
  return blas && minFlops >= 0 && blas->flops >= minFlops;
}

bool writesCallersBuffer(linalg::LinalgOp op) {
  return llvm::any_of(op->getUsers(), [](Operation *user) {
    return isa<bufferization::MaterializeInDestinationOp>(user);
  });
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

/// memref<?x...xf32, strided<[?, ...], offset: ?>>: any f32 view of `rank`.
static MemRefType anyView(MLIRContext *context, int64_t rank) {
  int64_t dynamic = ShapedType::kDynamic;
  SmallVector<int64_t> dims(rank, dynamic);
  return MemRefType::get(dims, Float32Type::get(context),
                         StridedLayoutAttr::get(context, dynamic, dims));
}

static func::FuncOp declareGemm(ModuleOp module, StringRef name, int64_t rank,
                                bool cInterface) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  MLIRContext *context = module.getContext();
  OpBuilder builder(module.getBodyRegion());
  Type view = anyView(context, rank), flag = IntegerType::get(context, 8);
  auto type =
      FunctionType::get(context, {view, view, view, flag, flag, flag}, {});
  auto gemm = func::FuncOp::create(builder, module.getLoc(), name, type);
  gemm.setPrivate();
  if (cInterface)
    gemm->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(context));
  return gemm;
}

/// `operand` as a view of rank `rank` (its rank or 4): with leading unit
/// dimensions when it has a single batch dimension.
static Value gemmOperand(OpBuilder &b, Location loc, Value operand,
                         int64_t rank) {
  auto type = cast<MemRefType>(operand.getType());
  if (type.getRank() == 3 && rank == 4) {
    SmallVector<int64_t> shape{1};
    llvm::append_range(shape, type.getShape());
    operand = memref::ExpandShapeOp::create(
        b, loc, shape, operand,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
  }
  return memref::CastOp::create(b, loc, anyView(b.getContext(), rank), operand);
}

void replaceContractionsWithGemmCalls(ModuleOp module, StringRef callee,
                                      bool cInterface,
                                      StringRef batchedCallee) {
  int64_t maxBatchRank = batchedCallee.empty() ? 0 : kMaxGemmBatchRank;
  SmallVector<std::pair<linalg::LinalgOp, BlasContraction>> ops;
  module.walk([&](linalg::LinalgOp op) {
    if (!op.hasPureBufferSemantics())
      return;
    if (std::optional<BlasContraction> gemm =
            matchBlasContraction(op, maxBatchRank))
      ops.push_back({op, *gemm});
  });
  for (auto [op, contraction] : ops) {
    int64_t rank = contraction.batchRank ? 4 : 2;
    func::FuncOp gemm =
        declareGemm(module, contraction.batchRank ? batchedCallee : callee,
                    rank, cInterface);
    // Look for the zeros before adding the casts, which use C too.
    ZeroInit zeros = zeroInitBefore(op, op.getDpsInits().front());
    OpBuilder b(op);
    Location loc = op.getLoc();
    SmallVector<Value> args;
    for (OpOperand &operand : op->getOpOperands())
      args.push_back(gemmOperand(b, loc, operand.get(), rank));
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
