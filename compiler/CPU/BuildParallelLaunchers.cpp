//===- BuildParallelLaunchers.cpp - Pool launches in the LLVM dialect -----===//
//
// kiln-cpu-outline-parallel-loops declares `kiln_parallel_launch.F(n,
// args...)` for each outlined chunk function F(i, args...). In the LLVM
// dialect every argument is a plain value (memref descriptors are unpacked
// into pointers and integers), so the launcher can store them in one stack
// struct, and a task function `kiln_parallel_task.F(ctx, i)` can load them
// back: the runtime's kiln_parallel_for(n, task, ctx) runs the n chunks on
// its thread pool.
//
//===----------------------------------------------------------------------===//

#include "compiler/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_BUILDPARALLELLAUNCHERS
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kLaunchPrefix = "kiln_parallel_launch.";

struct BuildParallelLaunchersPass
    : kiln::cpu::impl::BuildParallelLaunchersBase<BuildParallelLaunchersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    SmallVector<LLVM::LLVMFuncOp> launchers;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (func.isExternal() && func.getName().starts_with(kLaunchPrefix))
        launchers.push_back(func);
    if (launchers.empty())
      return;
    Type ptr = LLVM::LLVMPointerType::get(context);
    Type i64 = IntegerType::get(context, 64);
    Type voidType = LLVM::LLVMVoidType::get(context);
    OpBuilder top = OpBuilder::atBlockEnd(module.getBody());
    auto parallelFor =
        module.lookupSymbol<LLVM::LLVMFuncOp>("kiln_parallel_for");
    if (!parallelFor)
      parallelFor = LLVM::LLVMFuncOp::create(
          top, module.getLoc(), "kiln_parallel_for",
          LLVM::LLVMFunctionType::get(voidType, {i64, ptr, ptr}));

    for (LLVM::LLVMFuncOp launcher : launchers) {
      StringRef target = launcher.getName().drop_front(kLaunchPrefix.size());
      auto chunk = module.lookupSymbol<LLVM::LLVMFuncOp>(target);
      if (!chunk) {
        launcher.emitError("no chunk function '") << target << "'";
        return signalPassFailure();
      }
      Location loc = launcher.getLoc();
      ArrayRef<Type> params = launcher.getFunctionType().getParams();
      SmallVector<Type> fields(params.drop_front());
      auto context_ = LLVM::LLVMStructType::getLiteral(context, fields);

      // task(ctx, i): chunk(i, *ctx...).
      auto task = LLVM::LLVMFuncOp::create(
          top, loc, ("kiln_parallel_task." + target).str(),
          LLVM::LLVMFunctionType::get(voidType, {ptr, i64}),
          LLVM::Linkage::Internal);
      Block *taskEntry = task.addEntryBlock(top);
      OpBuilder b = OpBuilder::atBlockBegin(taskEntry);
      SmallVector<Value> args{taskEntry->getArgument(1)};
      for (auto [index, type] : llvm::enumerate(fields)) {
        Value field = LLVM::GEPOp::create(
            b, loc, ptr, context_, taskEntry->getArgument(0),
            ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
        args.push_back(LLVM::LoadOp::create(b, loc, type, field));
      }
      LLVM::CallOp::create(b, loc, chunk, args);
      LLVM::ReturnOp::create(b, loc, ValueRange{});

      // launcher(n, args...): store args, kiln_parallel_for(n, task, ctx).
      launcher.setLinkage(LLVM::Linkage::Internal);
      Block *entry = launcher.addEntryBlock(top);
      b.setInsertionPointToStart(entry);
      Value one = LLVM::ConstantOp::create(b, loc, i64, 1);
      Value ctx = LLVM::AllocaOp::create(b, loc, ptr, context_, one);
      for (auto [index, arg] :
           llvm::enumerate(entry->getArguments().drop_front())) {
        Value field = LLVM::GEPOp::create(
            b, loc, ptr, context_, ctx,
            ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
        LLVM::StoreOp::create(b, loc, arg, field);
      }
      Value taskAddress = LLVM::AddressOfOp::create(b, loc, task);
      LLVM::CallOp::create(b, loc, parallelFor,
                           ValueRange{entry->getArgument(0), taskAddress, ctx});
      LLVM::ReturnOp::create(b, loc, ValueRange{});
    }
  }
};

} // namespace
