//===- Pipelines.cpp - Kiln's named pass pipelines ------------------------===//

#include "compiler/Pipelines/Pipelines.h"

#include "compiler/Autodiff/Passes.h"
#include "compiler/CPU/Passes.h"
#include "compiler/Lowering/Passes.h"
#include "dialects/Graph/IR/GraphDialect.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace kiln {

// Upstream passes by their flag names: the text reads like the kiln-opt
// command line that reproduces any prefix of the pipeline.
static constexpr const char *kCPUBufferization =
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
    "canonicalize,buffer-deallocation-pipeline,"
    "func.func(kiln-cpu-hoist-vector-transfers,kiln-cpu-lower-strided-copies)";

static constexpr const char *kCPUToLLVM =
    "func.func(convert-linalg-to-loops,lower-vector-multi-reduction,"
    "convert-vector-to-scf{full-unroll target-rank=1}),"
    "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
    "convert-math-to-llvm,convert-math-to-libm,"
    "convert-vector-to-llvm{vector-contract-lowering=outerproduct},"
    "finalize-memref-to-llvm,convert-arith-to-llvm,convert-cf-to-llvm,"
    "convert-func-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts,"
    "canonicalize,cse";

static void addTextual(OpPassManager &pm, const char *pipeline) {
  // Textual pipelines name passes by flag: make sure they are registered.
  registerPassesAndPipelines();
  if (failed(parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error(llvm::Twine("malformed pipeline: ") + pipeline);
}

void buildCPUPipeline(OpPassManager &pm) {
  pm.addPass(createInlinerPass());
  pm.addPass(autodiff::createValueAndGrad());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(lowering::createLowerGraphToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(lowering::createFuseElementwise());
  pm.addNestedPass<func::FuncOp>(cpu::createTileAndVectorize());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(cpu::createExposeEntryPoints());
  addTextual(pm, kCPUBufferization);
  addTextual(pm, kCPUToLLVM);
}

void registerPassesAndPipelines() {
  static bool registered = false;
  if (registered)
    return;
  registered = true;
  registerAllPasses();
  autodiff::registerAutodiffPasses();
  lowering::registerLoweringPasses();
  cpu::registerCPUPasses();
  PassPipelineRegistration<>(
      "kiln-cpu-pipeline",
      "Graph dialect to LLVM dialect for the host CPU: lowering, fusion, "
      "vectorization, bufferization",
      buildCPUPipeline);
}

void registerDialects(DialectRegistry &registry) {
  registry.insert<graph::GraphDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

} // namespace kiln
