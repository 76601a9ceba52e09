//===- Pipelines.h - Kiln's named pass pipelines ----------------*- C++ -*-===//
//
// Every pipeline Kiln runs is declared here and assembled in Pipelines.cpp,
// so kiln-opt, kilnc and the tests all run the same sequence.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_PIPELINES_PIPELINES_H
#define KILN_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace kiln {

/// Inlining and autodiff -> graph dialect -> linalg -> fusion -> vector tiles
/// -> bufferization -> LLVM dialect. Public functions get `_mlir_ciface_`
/// wrappers and take their results as trailing out-parameters.
void buildCPUPipeline(mlir::OpPassManager &pm);

struct AOTPipelineOptions
    : public mlir::PassPipelineOptions<AOTPipelineOptions> {
  Option<std::string> experiment{
      *this, "experiment",
      llvm::cl::desc("The experiment to build when there are several")};
  Option<std::string> sourceHash{
      *this, "source-hash",
      llvm::cl::desc("The program's identity for config.json")};
};

/// A module of graph functions and an `exp.experiment` -> the LLVM dialect of
/// a native program: train steps are built, the experiment becomes a C
/// `main` calling the runtime (runtime/include/kiln/program.h), the graph
/// functions go through the CPU pipeline and temporaries come from the
/// runtime's caching allocator. `kiln-aot-pipeline`.
void buildAOTPipeline(mlir::OpPassManager &pm,
                      const AOTPipelineOptions &options);
/// Its two halves, between which `kilnc build --cuda` compiles the invoked
/// graph functions for the GPU (compiler/Target/CUDAOffload.h): train steps
/// and the host program; then the CPU pipeline and the LLVM dialect.
void buildAOTHostPipeline(mlir::OpPassManager &pm,
                          const AOTPipelineOptions &options);
void buildAOTLoweringPipeline(mlir::OpPassManager &pm);

/// Graph dialect -> fused linalg -> buffers -> one CUDA kernel per fused op,
/// outlined into its own gpu.module. Public functions become straight-line
/// sequences of memref.alloc and gpu.launch_func, taking their results as
/// trailing out-parameters.
void buildGPUKernelPipeline(mlir::OpPassManager &pm);

/// Every gpu.module -> NVVM -> gpu.binary holding PTX for sm_90 and sm_80,
/// with libdevice linked. Host functions are left unchanged.
void buildGPUToPTXPipeline(mlir::OpPassManager &pm);

/// The two above: `kiln-gpu-pipeline`.
void buildGPUPipeline(mlir::OpPassManager &pm);

/// Registers Kiln's passes, the upstream ones and the pipelines above under
/// their flag names. Idempotent.
void registerPassesAndPipelines();

/// Kiln's dialects plus every upstream dialect and interface the pipelines
/// use.
void registerDialects(mlir::DialectRegistry &registry);

} // namespace kiln

#endif // KILN_COMPILER_PIPELINES_PIPELINES_H
