//===- JIT.h - Compile graph-level modules and call them in-process -*- C++
//-*-===//
//
// Runs the CPU pipeline on a module and JIT-compiles the result with MLIR's
// ExecutionEngine. Used by the numeric tests and `kilnc jit`; ahead-of-time
// binaries use the same pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_JIT_H
#define KILN_COMPILER_TARGET_JIT_H

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <vector>

namespace kiln {

/// A dense row-major buffer passed to or filled by a compiled function.
struct TensorRef {
  void *data;
  std::vector<int64_t> shape;
};

/// The tensor types of a function's arguments and results, recorded before
/// lowering turns them into memrefs. Results marked `kiln.updates` are
/// written into their argument and are not listed.
struct Signature {
  std::vector<mlir::RankedTensorType> inputs;
  std::vector<mlir::RankedTensorType> results;
};

class JitModule {
public:
  /// Lowers `module` (graph dialect, public funcs over ranked tensors) with
  /// the CPU pipeline and JIT-compiles it. The module is changed in place.
  static llvm::Expected<std::unique_ptr<JitModule>>
  compile(mlir::ModuleOp module);

  /// Calls `function` with its inputs followed by buffers for its results.
  llvm::Error call(llvm::StringRef function, llvm::ArrayRef<TensorRef> inputs,
                   llvm::ArrayRef<TensorRef> results);

  const Signature *signature(llvm::StringRef function) const;

private:
  std::unique_ptr<mlir::ExecutionEngine> engine;
  llvm::StringMap<Signature> signatures;
};

} // namespace kiln

#endif // KILN_COMPILER_TARGET_JIT_H
