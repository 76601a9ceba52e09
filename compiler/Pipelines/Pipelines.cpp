//===- Pipelines.cpp - Kiln's named pass pipelines ------------------------===//

#include "compiler/Pipelines/Pipelines.h"

#include "compiler/Autodiff/Passes.h"
#include "compiler/CPU/Passes.h"
#include "compiler/Experiment/Passes.h"
#include "compiler/GPU/Passes.h"
#include "compiler/Lowering/Passes.h"
#include "dialects/Experiment/IR/ExperimentDialect.h"
#include "dialects/Graph/IR/GraphDialect.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace kiln {

// Upstream passes by their flag names: the text reads like the kiln-opt
// command line that reproduces any prefix of the pipeline.
static constexpr const char *kCPUBufferization =
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    // Chunks of kiln-cpu-tile-for-threads become pool tasks before
    // deallocation, which would not look inside an scf.forall.
    "kiln-cpu-outline-parallel-loops,"
    // Canonicalize first: results yielded through loops must be seen as the
    // allocations they are, so that they are written in place into the
    // caller's buffers instead of copied there.
    "canonicalize,kiln-cpu-drop-updated-results,"
    "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
    "canonicalize,buffer-deallocation-pipeline,"
    "func.func(kiln-cpu-hoist-vector-transfers),kiln-cpu-contractions-to-blas,"
    "func.func(kiln-cpu-lower-strided-copies,kiln-cpu-tile-and-vectorize,"
    "canonicalize)";

static constexpr const char *kCPUToLLVM =
    "func.func(kiln-cpu-approximate-math,convert-linalg-to-loops,"
    "lower-vector-multi-reduction,"
    "convert-vector-to-scf{full-unroll target-rank=1}),"
    "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
    "convert-math-to-llvm,convert-math-to-libm,"
    "convert-vector-to-llvm{vector-contract-lowering=outerproduct},"
    "finalize-memref-to-llvm{use-generic-functions=CACHING},"
    "convert-arith-to-llvm,convert-cf-to-llvm,"
    "convert-func-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts,"
    "kiln-cpu-build-parallel-launchers,canonicalize,cse";

// Fused linalg on tensors -> buffers -> one scf.parallel nest per op, mapped
// to blocks and threads -> one outlined kernel per nest. The host functions
// are left as straight-line allocations and gpu.launch_func.
static constexpr const char *kGPUKernels =
    "symbol-dce,canonicalize,cse,kiln-gpu-read-only-inputs,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "canonicalize,kiln-cpu-drop-updated-results,"
    "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
    "canonicalize,"
    "kiln-gpu-contractions-to-gemm,func.func(kiln-gpu-linalg-to-parallel-loops,"
    "kiln-gpu-sequential-loops-to-parallel,"
    "kiln-gpu-map-parallel-loops,"
    "convert-parallel-loops-to-gpu,kiln-gpu-sink-host-scalars),"
    "gpu-kernel-outlining,canonicalize,cse";

// Kernels -> NVVM -> PTX, once per target chip. PTX 8.0 is the first to
// support sm_90; libdevice provides __nv_expf and the other math functions.
static constexpr const char *kGPUToPTX =
    "nvvm-attach-target{chip=sm_90 features=+ptx80 O=3 l=" KILN_LIBDEVICE "},"
    "nvvm-attach-target{chip=sm_80 features=+ptx80 O=3 l=" KILN_LIBDEVICE "},"
    "gpu.module(expand-strided-metadata,lower-affine,convert-scf-to-cf,"
    "convert-gpu-to-nvvm,canonicalize,cse,reconcile-unrealized-casts),"
    "gpu-module-to-binary{format=isa}";

static void addTextual(OpPassManager &pm, const char *pipeline) {
  // Textual pipelines name passes by flag: make sure they are registered.
  registerPassesAndPipelines();
  if (failed(parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error(llvm::Twine("malformed pipeline: ") + pipeline);
}

// The graph-level steps both targets share: differentiation, lowering to
// linalg on tensors, fusion. f32 attention stays whole for each target's
// fused kernels. `cpu`: scatter-adds are vector rows in parallel feature
// chunks.
static void addGraphToFusedLinalg(OpPassManager &pm, bool cpu) {
  pm.addPass(createInlinerPass());
  pm.addPass(autodiff::createValueAndGrad());
  pm.addPass(lowering::createExpandAttention({/*keepF32=*/true}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(lowering::createLowerGraphToLinalg({cpu}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(lowering::createFuseElementwise());
}

/// Graph functions to vectorized loops on buffers, calling BLAS.
static void addCPUGraphToBuffers(OpPassManager &pm) {
  addGraphToFusedLinalg(pm, /*cpu=*/true);
  pm.addPass(cpu::createAttentionToRuntime());
  pm.addPass(cpu::createExposeEntryPoints());
  pm.addNestedPass<func::FuncOp>(cpu::createTileForThreads());
  pm.addNestedPass<func::FuncOp>(cpu::createTileAndVectorize());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  addTextual(pm, kCPUBufferization);
}

/// `cachingAllocator`: temporaries come from the runtime's caching allocator
/// (`_mlir_memref_to_llvm_alloc`) rather than malloc.
static void addCPUToLLVM(OpPassManager &pm, bool cachingAllocator) {
  std::string pipeline = kCPUToLLVM;
  pipeline.replace(pipeline.find("CACHING"), 7,
                   cachingAllocator ? "true" : "false");
  addTextual(pm, pipeline.c_str());
}

void buildCPUPipeline(OpPassManager &pm) {
  addCPUGraphToBuffers(pm);
  addCPUToLLVM(pm, /*cachingAllocator=*/false);
}

void buildAOTHostPipeline(OpPassManager &pm,
                          const AOTPipelineOptions &options) {
  pm.addPass(experiment::createBuildTrainSteps());
  pm.addPass(experiment::createLowerToRuntime(
      {options.experiment, options.sourceHash}));
}

void buildAOTLoweringPipeline(OpPassManager &pm) {
  addCPUGraphToBuffers(pm);
  pm.addPass(experiment::createResolveInvokes());
  addCPUToLLVM(pm, /*cachingAllocator=*/true);
}

void buildAOTPipeline(OpPassManager &pm, const AOTPipelineOptions &options) {
  buildAOTHostPipeline(pm, options);
  buildAOTLoweringPipeline(pm);
}

void buildGPUKernelPipeline(OpPassManager &pm) {
  addGraphToFusedLinalg(pm, /*cpu=*/false);
  pm.addNestedPass<func::FuncOp>(gpu::createAttentionToLoops());
  addTextual(pm, kGPUKernels);
}

void buildGPUToPTXPipeline(OpPassManager &pm) { addTextual(pm, kGPUToPTX); }

void buildGPUPipeline(OpPassManager &pm) {
  buildGPUKernelPipeline(pm);
  buildGPUToPTXPipeline(pm);
}

void registerPassesAndPipelines() {
  static bool registered = false;
  if (registered)
    return;
  registered = true;
  registerAllPasses();
  autodiff::registerAutodiffPasses();
  experiment::registerExperimentPasses();
  lowering::registerLoweringPasses();
  cpu::registerCPUPasses();
  gpu::registerGPUPasses();
  PassPipelineRegistration<>(
      "kiln-cpu-pipeline",
      "Graph dialect to LLVM dialect for the host CPU: lowering, fusion, "
      "vectorization, bufferization",
      buildCPUPipeline);
  PassPipelineRegistration<AOTPipelineOptions>(
      "kiln-aot-pipeline",
      "A .kiln experiment (exp and graph dialects) to the LLVM dialect of a "
      "native program: train steps, the host program as runtime calls, the "
      "CPU pipeline for the graph functions",
      buildAOTPipeline);
  PassPipelineRegistration<>(
      "kiln-gpu-pipeline",
      "Graph dialect to CUDA kernels (PTX for sm_90 and sm_80) launched by "
      "straight-line host functions",
      buildGPUPipeline);
}

void registerDialects(DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, exp::ExpDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  // Serializing gpu.module to PTX translates NVVM kernels to LLVM IR.
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

} // namespace kiln
