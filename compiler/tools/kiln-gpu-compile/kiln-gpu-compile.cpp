//===- kiln-gpu-compile.cpp - Graph module to PTX and launch lists --------===//
//
//   kiln-gpu-compile FILE.mlir [-o DIR]
//
// compiles a graph-dialect module with the GPU pipeline, prints the launch
// list of every public function and, with -o, writes the PTX of every kernel
// module to DIR/<module>.<chip>.ptx (e.g. for ptxas).
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/GPUModule.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.mlir>"),
                                      cl::Required);
static cl::opt<std::string> outputDir("o",
                                      cl::desc("Directory for the PTX files"),
                                      cl::value_desc("dir"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "Kiln GPU compiler\n");

  DialectRegistry registry;
  kiln::registerDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sources;
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(inputFile);
  if (!buffer) {
    llvm::errs() << "cannot read " << inputFile << "\n";
    return 1;
  }
  sources.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sources, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sources, &context);
  if (!module)
    return 1;

  llvm::Expected<kiln::GPUModule> gpu = kiln::GPUModule::compile(*module);
  if (!gpu) {
    llvm::errs() << llvm::toString(gpu.takeError()) << "\n";
    return 1;
  }
  gpu->print(llvm::outs());
  if (!outputDir.empty())
    if (llvm::Error error = gpu->writePTX(outputDir)) {
      llvm::errs() << llvm::toString(std::move(error)) << "\n";
      return 1;
    }
  return 0;
}
