//===- JIT.cpp - Compile graph-level modules and call them in-process -----===//

#include "compiler/Target/JIT.h"
#include "compiler/Pipelines/Pipelines.h"
#include "kiln/runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/TargetSelect.h"

using namespace mlir;

namespace kiln {

llvm::Expected<std::unique_ptr<JitModule>> JitModule::compile(ModuleOp module) {
  auto jit = std::unique_ptr<JitModule>(new JitModule());
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    Signature &sig = jit->signatures[func.getName()];
    for (Type t : func.getArgumentTypes())
      if (auto r = dyn_cast<RankedTensorType>(t))
        sig.inputs.push_back(r);
    // Results that update an argument in place are written there.
    for (auto [i, t] : llvm::enumerate(func.getResultTypes()))
      if (auto r = dyn_cast<RankedTensorType>(t);
          r && !func.getResultAttr(i, "kiln.updates"))
        sig.results.push_back(r);
  }

  PassManager pm(module.getContext());
  buildCPUPipeline(pm);
  if (failed(pm.run(module)))
    return llvm::createStringError("the CPU pipeline failed");

  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;

  ExecutionEngineOptions options;
  options.transformer = makeOptimizingTransformer(/*optLevel=*/3,
                                                  /*sizeLevel=*/0, nullptr);
  auto engine = ExecutionEngine::create(module, options);
  if (!engine)
    return engine.takeError();
  jit->engine = std::move(*engine);
  // Generated code calls into the runtime's C ABI; resolve it to this
  // process's copy of the runtime.
  jit->engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto add = [&](const char *name, auto *function) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(function),
                                 llvm::JITSymbolFlags::Exported};
    };
    add("_mlir_ciface_kiln_gemm_f32", &_mlir_ciface_kiln_gemm_f32);
    add("_mlir_ciface_kiln_gemm_batched_f32",
        &_mlir_ciface_kiln_gemm_batched_f32);
    add("_mlir_ciface_kiln_attention_f32", &_mlir_ciface_kiln_attention_f32);
    add("kiln_parallel_for", &kiln_parallel_for);
    add("_mlir_ciface_kiln_attention_grad_f32",
        &_mlir_ciface_kiln_attention_grad_f32);
    return symbols;
  });
  return jit;
}

const Signature *JitModule::signature(llvm::StringRef function) const {
  auto it = signatures.find(function);
  return it == signatures.end() ? nullptr : &it->second;
}

llvm::Error JitModule::call(llvm::StringRef function,
                            llvm::ArrayRef<TensorRef> inputs,
                            llvm::ArrayRef<TensorRef> results) {
  // A ranked memref descriptor is {allocated, aligned, offset, sizes[rank],
  // strides[rank]}: all 64-bit words, so a vector<int64_t> lays one out.
  std::vector<std::vector<int64_t>> descriptors;
  for (const TensorRef &t : llvm::concat<const TensorRef>(inputs, results)) {
    size_t rank = t.shape.size();
    std::vector<int64_t> d(3 + 2 * rank);
    d[0] = d[1] = reinterpret_cast<int64_t>(t.data);
    d[2] = 0;
    int64_t stride = 1;
    for (size_t i = rank; i-- > 0;) {
      d[3 + i] = t.shape[i];
      d[3 + rank + i] = stride;
      stride *= t.shape[i];
    }
    descriptors.push_back(std::move(d));
  }
  std::vector<void *> pointers, args;
  pointers.reserve(descriptors.size());
  for (auto &d : descriptors)
    pointers.push_back(d.data());
  for (void *&p : pointers)
    args.push_back(&p);
  return engine->invokePacked(("_mlir_ciface_" + function).str(), args);
}

} // namespace kiln
