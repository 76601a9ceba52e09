//===- CUDAOffload.h - Graph functions of a native program on the GPU -*-===//
//
// The step of `kilnc build --cuda` between the host program's lowering
// (kiln-exp-lower-to-runtime) and the CPU pipeline: every graph function
// the host program invokes is also compiled for the GPU, into a kernel
// bundle embedded in the program, and each invocation branches on
// kiln_run_on_gpu between the bundle (kiln_run_invoke_gpu) and the CPU
// code. The host program tells the runtime before it touches a buffer
// (kiln_run_host_use), so that buffers the GPU changed are copied back
// first. A function the GPU pipeline cannot compile stays on the CPU, with
// a warning saying why.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_CUDAOFFLOAD_H
#define KILN_COMPILER_TARGET_CUDAOFFLOAD_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace kiln {

struct CUDAOffloadOptions {
  /// When set, every kernel's PTX is also written there, as
  /// FUNCTION.MODULE.CHIP.ptx (for ptxas checks).
  std::string ptxDir;
};

/// Fails, after reporting why, when no invoked function compiles for the
/// GPU or the module has no host program.
mlir::LogicalResult offloadToCUDA(mlir::ModuleOp module,
                                  const CUDAOffloadOptions &options);

} // namespace kiln

#endif // KILN_COMPILER_TARGET_CUDAOFFLOAD_H
