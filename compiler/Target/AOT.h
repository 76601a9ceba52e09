//===- AOT.h - Native executables from Kiln modules -------------*- C++ -*-===//
//
// The last steps of `kilnc build`: an LLVM-dialect module (the output of
// `kiln-aot-pipeline`) becomes an object file for this machine, which is
// linked with the runtime into a standalone executable.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGET_AOT_H
#define KILN_COMPILER_TARGET_AOT_H

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/Error.h"

namespace kiln {

/// Translates `module` (LLVM dialect only) to LLVM IR, optimizes it at -O3
/// for `cpu` (an LLVM CPU name such as x86-64-v3; empty: this machine's,
/// with all its features) and writes an object file to `objectPath`.
llvm::Error writeObjectFile(mlir::ModuleOp module, llvm::StringRef objectPath,
                            llvm::StringRef cpu = "");

/// Links `objectPath` with the runtime library and its dependencies (BLAS,
/// zlib, threads, dl) into the executable `outputPath`.
llvm::Error linkExecutable(llvm::StringRef objectPath,
                           llvm::StringRef outputPath);

} // namespace kiln

#endif // KILN_COMPILER_TARGET_AOT_H
