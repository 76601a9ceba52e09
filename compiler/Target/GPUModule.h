//===- GPUModule.h - Kernels and launch lists of a graph module -*- C++ -*-===//
//
// Runs the GPU pipeline on a graph-dialect module and describes what a host
// must do to call each public function: which device buffers to allocate,
// which kernels to launch in which order with which operands, and the PTX of
// every kernel. The pipeline leaves each public function as a straight-line
// sequence of allocations and gpu.launch_func; this reads it back. It is the
// test harness's runtime, not Kiln's final one.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_GPUMODULE_H
#define KILN_COMPILER_TARGET_GPUMODULE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <string>
#include <vector>

namespace kiln {

/// Device memory a function needs for one call.
struct DeviceBuffer {
  enum class Role { Input, Result, Temporary, Constant };
  Role role;
  /// Position among the function's inputs, results, temporaries or
  /// constants.
  unsigned index;
  int64_t bytes;
  /// A constant's contents (a dense memref.global), `bytes` long.
  std::vector<char> contents;
};

/// One operand of a launch, in the order of the kernel's operands. A buffer
/// operand is passed as a memref descriptor: allocated and aligned pointer
/// (both the buffer's base), offset, sizes, strides, all in elements.
struct KernelOperand {
  enum class Kind { Buffer, Scalar };
  Kind kind;
  /// The width of an element of the buffer, or of the scalar.
  unsigned elementBytes = 4;
  /// Buffer: index into GPUFunction::buffers, the view the kernel sees and
  /// what it does with it.
  unsigned buffer = 0;
  int64_t offset = 0;
  std::vector<int64_t> sizes, strides;
  bool reads = false, writes = false;
  /// Scalar: a constant's bits, `bytes` wide (index is 8).
  uint64_t bits = 0;
  unsigned bytes = 0;
};

/// One step of a function: a kernel launch, or a matrix product on the GEMM
/// library (cuBLAS): operands[2] = op(operands[0]) @ op(operands[1]), added
/// to operands[2] when `accumulate`, all row-major views: matrices, or
/// rank-4 views whose two leading dimensions are batches.
struct KernelLaunch {
  bool gemm = false;
  bool transposeA = false, transposeB = false, accumulate = false;
  /// The gpu.binary holding the kernel (one PTX module) and the kernel's
  /// name inside it.
  std::string module, kernel;
  std::array<int64_t, 3> grid, block;
  std::vector<KernelOperand> operands;
};

struct GPUFunction {
  /// The tensor types of the inputs and of the results that are not
  /// computed in place into an input (`kiln.updates`), before lowering: the
  /// function's buffers are the inputs, then those results.
  std::vector<mlir::RankedTensorType> inputs, results;
  /// Inputs, then results, then temporaries.
  std::vector<DeviceBuffer> buffers;
  std::vector<KernelLaunch> launches;
};

class GPUModule {
public:
  /// Lowers `module` (graph dialect, public funcs over static tensors) with
  /// the GPU pipeline. The module is changed in place.
  static llvm::Expected<GPUModule> compile(mlir::ModuleOp module);

  const GPUFunction *function(llvm::StringRef name) const;

  /// The PTX of a kernel module for `chip` ("sm_90", "sm_80"), or null.
  const std::string *ptx(llvm::StringRef module, llvm::StringRef chip) const;

  /// Kernel module -> chip -> PTX.
  const llvm::StringMap<llvm::StringMap<std::string>> &allPTX() const {
    return ptxByModule;
  }

  /// The launch lists, one line per buffer and launch operand.
  void print(llvm::raw_ostream &os) const;

  /// Writes every kernel module's PTX to `dir` (created) as
  /// [PREFIX.]MODULE.CHIP.ptx.
  llvm::Error writePTX(llvm::StringRef dir, llvm::StringRef prefix = "") const;

private:
  llvm::StringMap<GPUFunction> functions;
  std::vector<std::string> functionOrder;
  llvm::StringMap<llvm::StringMap<std::string>> ptxByModule;
};

} // namespace kiln

#endif // KILN_COMPILER_TARGET_GPUMODULE_H
