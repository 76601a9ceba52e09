//===- kilnc.cpp - The Kiln compiler driver -------------------------------===//
//
//   kilnc jit FILE.mlir [--function NAME] [--repeat N] [--seed N]
//
// compiles a graph-dialect module for this CPU, calls one function on
// seeded random inputs and prints a summary of each result with the time per
// call. `check` and `emit` (FrontendCommands.cpp) read .kiln files; `build`
// and `run` (BuildCommands.cpp) compile them to native programs.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/JIT.h"
#include "compiler/tools/kilnc/BuildCommands.h"
#include "compiler/tools/kilnc/FrontendCommands.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <random>

using namespace mlir;
namespace cl = llvm::cl;

static cl::SubCommand jitCommand("jit",
                                 "Compile an MLIR module and run a function");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.mlir>"),
                                      cl::Required, cl::sub(jitCommand));
static cl::opt<std::string> functionName("function",
                                         cl::desc("Function to call"),
                                         cl::init("main"), cl::sub(jitCommand));
static cl::opt<unsigned> repeat("repeat", cl::desc("Calls to time"),
                                cl::init(10), cl::sub(jitCommand));
static cl::opt<unsigned> seed("seed", cl::desc("Seed of the random inputs"),
                              cl::init(0), cl::sub(jitCommand));

namespace {

/// A host buffer for one tensor: floats uniform in [-1, 1), integers in
/// [0, 10).
struct HostTensor {
  RankedTensorType type;
  std::vector<char> bytes;

  HostTensor(RankedTensorType type)
      : type(type),
        bytes(type.getNumElements() *
              std::max<int64_t>(1, type.getElementTypeBitWidth() / 8)) {}

  kiln::TensorRef ref() {
    return {bytes.data(), std::vector<int64_t>(type.getShape().begin(),
                                               type.getShape().end())};
  }

  void randomize(std::mt19937_64 &rng) {
    Type e = type.getElementType();
    int64_t n = type.getNumElements();
    std::uniform_real_distribution<double> real(-1.0, 1.0);
    std::uniform_int_distribution<int> small(0, 9);
    for (int64_t i = 0; i < n; ++i) {
      if (e.isF32())
        reinterpret_cast<float *>(bytes.data())[i] = real(rng);
      else if (e.isF64())
        reinterpret_cast<double *>(bytes.data())[i] = real(rng);
      else if (e.isInteger(32))
        reinterpret_cast<int32_t *>(bytes.data())[i] = small(rng);
      else if (e.isInteger(64))
        reinterpret_cast<int64_t *>(bytes.data())[i] = small(rng);
    }
  }

  double at(int64_t i) const {
    Type e = type.getElementType();
    if (e.isF32())
      return reinterpret_cast<const float *>(bytes.data())[i];
    if (e.isF64())
      return reinterpret_cast<const double *>(bytes.data())[i];
    if (e.isInteger(32))
      return reinterpret_cast<const int32_t *>(bytes.data())[i];
    if (e.isInteger(64))
      return reinterpret_cast<const int64_t *>(bytes.data())[i];
    return static_cast<unsigned char>(bytes[i]);
  }
};

bool supported(RankedTensorType t) {
  Type e = t.getElementType();
  return e.isF32() || e.isF64() || e.isInteger(32) || e.isInteger(64) ||
         e.isInteger(1);
}

int runJit() {
  DialectRegistry registry;
  kiln::registerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  std::string error;
  auto file = openInputFile(inputFile, &error);
  if (!file) {
    llvm::errs() << "kilnc: error: " << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  auto start = std::chrono::steady_clock::now();
  auto jit = kiln::JitModule::compile(*module);
  if (!jit) {
    llvm::errs() << "kilnc: error: " << llvm::toString(jit.takeError()) << "\n";
    return 1;
  }
  double compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  const kiln::Signature *sig = (*jit)->signature(functionName);
  if (!sig) {
    llvm::errs() << "kilnc: error: no public function @" << functionName
                 << " in " << inputFile << "\n";
    return 1;
  }
  std::mt19937_64 rng(seed);
  std::vector<HostTensor> inputs, results;
  for (RankedTensorType t : llvm::concat<const RankedTensorType>(
           llvm::ArrayRef(sig->inputs), llvm::ArrayRef(sig->results))) {
    if (!supported(t)) {
      llvm::errs() << "kilnc: error: unsupported tensor type " << t << "\n";
      return 1;
    }
  }
  for (RankedTensorType t : sig->inputs) {
    inputs.emplace_back(t);
    inputs.back().randomize(rng);
  }
  for (RankedTensorType t : sig->results)
    results.emplace_back(t);
  std::vector<kiln::TensorRef> inRefs, outRefs;
  for (HostTensor &t : inputs)
    inRefs.push_back(t.ref());
  for (HostTensor &t : results)
    outRefs.push_back(t.ref());

  auto callOnce = [&]() -> bool {
    if (llvm::Error e = (*jit)->call(functionName, inRefs, outRefs)) {
      llvm::errs() << "kilnc: error: " << llvm::toString(std::move(e)) << "\n";
      return false;
    }
    return true;
  };
  // The JIT materializes code on the first call: time it apart.
  start = std::chrono::steady_clock::now();
  if (!callOnce())
    return 1;
  compileSeconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  unsigned calls = std::max(1u, repeat.getValue());
  start = std::chrono::steady_clock::now();
  for (unsigned i = 0; i < calls; ++i)
    if (!callOnce())
      return 1;
  double callSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count() /
      calls;

  llvm::outs() << llvm::formatv("@{0}: compiled in {1:F2} s, {2:F1} us per "
                                "call (mean of {3})\n",
                                functionName, compileSeconds, callSeconds * 1e6,
                                calls);
  for (auto [i, r] : llvm::enumerate(results)) {
    int64_t n = r.type.getNumElements();
    double sum = 0;
    for (int64_t k = 0; k < n; ++k)
      sum += r.at(k);
    llvm::outs() << llvm::formatv("result {0}: {1}  sum {2:F6}  first [", i,
                                  r.type, sum);
    for (int64_t k = 0; k < std::min<int64_t>(n, 6); ++k)
      llvm::outs() << (k ? ", " : "") << llvm::formatv("{0:F6}", r.at(k));
    llvm::outs() << (n > 6 ? ", ...]\n" : "]\n");
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  kiln::registerPassesAndPipelines();
  if (std::optional<int> rc = kiln::runBuildCommand(argc, argv))
    return *rc;
  cl::ParseCommandLineOptions(
      argc, argv,
      "Kiln compiler driver\n\n"
      "  kilnc build FILE.kiln [-o OUT] [--set NAME=VALUE]...  a native "
      "program\n"
      "  kilnc run FILE.kiln [PROGRAM FLAGS]...  build (cached) and run\n"
      "  kilnc export CHECKPOINT [--format safetensors|npz] [-o OUT]\n"
      "  kilnc build --help   their options\n");
  if (jitCommand)
    return runJit();
  if (std::optional<int> rc = kiln::runFrontendCommand())
    return *rc;
  llvm::errs() << "kilnc: error: no command given; try `kilnc --help`\n";
  return 2;
}
