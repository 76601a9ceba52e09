//===- CUDAOffload.cpp - Graph functions of a native program on the GPU ---===//

#include "compiler/Target/CUDAOffload.h"
#include "compiler/GPU/ViewSource.h"
#include "compiler/Target/GPUModule.h"
#include "compiler/Target/KernelBundle.h"
#include "dialects/Experiment/IR/ExperimentOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

using namespace mlir;

namespace kiln {
namespace {

/// The runtime calls the offloaded program makes, built in @main.
class HostCalls {
public:
  HostCalls(ModuleOp module, Value run)
      : module(module), run(run),
        ptrType(LLVM::LLVMPointerType::get(module.getContext())) {}

  Value call(OpBuilder &b, StringRef name, TypeRange results, ValueRange args) {
    auto fn = module.lookupSymbol<func::FuncOp>(name);
    if (!fn) {
      OpBuilder top = OpBuilder::atBlockEnd(module.getBody());
      fn = func::FuncOp::create(top, module.getLoc(), name,
                                top.getFunctionType(args.getTypes(), results));
      fn.setPrivate();
    }
    auto op = func::CallOp::create(b, b.getUnknownLoc(), fn, args);
    return results.empty() ? Value() : op.getResult(0);
  }

  Value pointerTo(OpBuilder &b, Value buffer) {
    Location loc = b.getUnknownLoc();
    Value index =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
    Value integer = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
    return LLVM::IntToPtrOp::create(b, loc, ptrType, integer);
  }

  void hostUse(OpBuilder &b, Value buffer) {
    call(b, "kiln_run_host_use", {}, {run, pointerTo(b, buffer)});
  }

  ModuleOp module;
  Value run;
  Type ptrType;
};

/// Whether `op` takes a buffer's address only for a runtime call that
/// copies the buffer back from the GPU itself, when it needs it: the loss
/// that kiln_run_step_done shows on the progress line.
bool runtimeSyncsItself(Operation *op) {
  Operation *user = op;
  while (user && user->hasOneUse() && !isa<func::CallOp>(user))
    user = *user->getUsers().begin();
  auto call = dyn_cast_or_null<func::CallOp>(user);
  return isa<memref::ExtractAlignedPointerAsIndexOp>(op) && call &&
         call.getCallee() == "kiln_run_step_done";
}

/// `name` as a PTX identifier: kernels are named after their function.
std::string ptxName(StringRef name) {
  std::string text = name.str();
  for (char &c : text)
    if (!llvm::isAlnum(c) && c != '_')
      c = '_';
  return text;
}

/// A module holding `name` (public) and the functions it references, for
/// the GPU pipeline, every function renamed with ptxName.
OwningOpRef<ModuleOp> extractFunction(ModuleOp module, StringRef name) {
  llvm::SetVector<Operation *> keep;
  SmallVector<Operation *> worklist{module.lookupSymbol(name)};
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!op || !keep.insert(op))
      continue;
    if (auto uses = SymbolTable::getSymbolUses(op))
      for (const SymbolTable::SymbolUse &use : *uses)
        worklist.push_back(
            module.lookupSymbol(use.getSymbolRef().getRootReference()));
  }
  OwningOpRef<ModuleOp> clone = ModuleOp::create(module.getLoc());
  OpBuilder b = OpBuilder::atBlockEnd(clone->getBody());
  for (Operation &op : module.getBody()->getOperations())
    if (keep.contains(&op)) {
      auto copy = cast<func::FuncOp>(b.clone(op));
      copy.setVisibility(copy.getName() == name
                             ? SymbolTable::Visibility::Public
                             : SymbolTable::Visibility::Private);
    }
  SymbolTable symbols(*clone);
  for (auto func : llvm::to_vector(clone->getOps<func::FuncOp>()))
    if (failed(symbols.rename(func, ptxName(func.getName()))))
      return nullptr;
  return clone;
}

} // namespace

LogicalResult offloadToCUDA(ModuleOp module,
                            const CUDAOffloadOptions &options) {
  func::FuncOp host;
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr("kiln.host"))
      host = func;
  if (!host)
    return module.emitError("no host program (kiln.host) to offload from");
  func::CallOp create;
  host.walk([&](func::CallOp call) {
    if (call.getCallee() == "kiln_run_create")
      create = call;
  });
  if (!create)
    return host.emitError("the host program never calls kiln_run_create");
  HostCalls calls(module, create.getResult(0));

  // Compile each invoked function on its own, so that one the GPU pipeline
  // rejects leaves the others on the GPU.
  llvm::SetVector<StringRef> invoked;
  host.walk([&](exp::InvokeOp invoke) { invoked.insert(invoke.getCallee()); });
  KernelBundleBuilder bundle;
  std::vector<std::unique_ptr<GPUModule>> compiled;
  llvm::StringMap<unsigned> indexOf;
  for (StringRef name : invoked) {
    OwningOpRef<ModuleOp> single = extractFunction(module, name);
    if (!single)
      return module.emitError("cannot rename the functions of '")
             << name << "' for the GPU";
    llvm::Expected<GPUModule> gpu = GPUModule::compile(*single);
    if (!gpu) {
      mlir::emitWarning(module.lookupSymbol(name)->getLoc(), "'")
          << name << "' runs on the CPU under --device cuda: "
          << llvm::toString(gpu.takeError());
      continue;
    }
    compiled.push_back(std::make_unique<GPUModule>(std::move(*gpu)));
    if (!options.ptxDir.empty())
      if (llvm::Error e = compiled.back()->writePTX(options.ptxDir, name))
        return module.emitError(llvm::toString(std::move(e)));
    indexOf[name] = bundle.add(*compiled.back(), ptxName(name), name);
  }
  if (indexOf.empty())
    return mlir::emitError(host.getLoc(),
                           "--cuda: no graph function compiles for the GPU "
                           "(see the warnings above)");

  // The host touches a buffer: bring it back from the GPU first. A function
  // left on the CPU is the host touching every buffer it is given.
  SmallVector<std::pair<Operation *, Value>> uses;
  host.walk([&](Operation *op) {
    if (isa<memref::AllocOp, memref::DeallocOp, ViewLikeOpInterface>(op) ||
        runtimeSyncsItself(op))
      return;
    if (auto invoke = dyn_cast<exp::InvokeOp>(op);
        invoke && indexOf.count(invoke.getCallee()))
      return;
    llvm::SetVector<Value> buffers;
    for (Value operand : op->getOperands())
      if (isa<MemRefType>(operand.getType()))
        buffers.insert(kiln::gpu::bufferBehindViews(operand));
    for (Value buffer : buffers)
      uses.push_back({op, buffer});
  });
  for (auto [op, buffer] : uses) {
    OpBuilder b(op);
    calls.hostUse(b, buffer);
  }

  // Each offloaded invocation: if (kiln_run_on_gpu(run)) the bundle's
  // function on the buffers' addresses, else the CPU's.
  OpBuilder entry = OpBuilder::atBlockBegin(&host.getBody().front());
  SmallVector<exp::InvokeOp> invokes;
  host.walk([&](exp::InvokeOp invoke) {
    if (indexOf.count(invoke.getCallee()))
      invokes.push_back(invoke);
  });
  for (exp::InvokeOp invoke : invokes) {
    Location loc = invoke.getLoc();
    ValueRange buffers = invoke.getBuffers();
    Value count = arith::ConstantIntOp::create(entry, loc, entry.getI64Type(),
                                               buffers.size());
    Value array =
        LLVM::AllocaOp::create(entry, loc, calls.ptrType, calls.ptrType, count);
    OpBuilder b(invoke);
    Value onGPU = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne,
        calls.call(b, "kiln_run_on_gpu", b.getI32Type(), {calls.run}),
        arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0));
    auto branch = scf::IfOp::create(b, loc, TypeRange{}, onGPU,
                                    /*withElseRegion=*/true);
    b.setInsertionPoint(branch.thenBlock()->getTerminator());
    for (auto [i, buffer] : llvm::enumerate(buffers)) {
      Value slot =
          LLVM::GEPOp::create(b, loc, calls.ptrType, calls.ptrType, array,
                              ArrayRef<LLVM::GEPArg>{int32_t(i)});
      LLVM::StoreOp::create(b, loc, calls.pointerTo(b, buffer), slot);
    }
    Value function = arith::ConstantIntOp::create(
        b, loc, b.getI32Type(), indexOf.lookup(invoke.getCallee()));
    calls.call(b, "kiln_run_invoke_gpu", {},
               {calls.run, function, array, count});
    invoke->moveBefore(branch.elseBlock()->getTerminator());
  }

  // The bundle, declared before kiln_run_start parses --device.
  std::string bytes = bundle.finish();
  OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
  auto type = LLVM::LLVMArrayType::get(IntegerType::get(module.getContext(), 8),
                                       bytes.size());
  auto global = LLVM::GlobalOp::create(
      top, module.getLoc(), type, /*isConstant=*/true, LLVM::Linkage::Private,
      "kiln_kernel_bundle", top.getStringAttr(bytes), /*alignment=*/16);
  OpBuilder b(create->getBlock(), ++Block::iterator(create));
  Value address = LLVM::AddressOfOp::create(b, create.getLoc(), global);
  Value size = arith::ConstantIntOp::create(b, create.getLoc(), b.getI64Type(),
                                            bytes.size());
  calls.call(b, "kiln_run_use_kernels", {}, {calls.run, address, size});
  return success();
}

} // namespace kiln
