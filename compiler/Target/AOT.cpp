//===- AOT.cpp - Native executables from Kiln modules ---------------------===//

#include "compiler/Target/AOT.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;

namespace kiln {

llvm::Error writeObjectFile(ModuleOp module, llvm::StringRef objectPath,
                            llvm::StringRef cpu) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;

  // By default the binary runs where it is built: tune for this CPU, as
  // -march=native.
  std::string triple = llvm::sys::getProcessTriple();
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(llvm::Triple(triple), error);
  if (!target)
    return llvm::createStringError("no LLVM target for " + triple + ": " +
                                   error);
  llvm::SubtargetFeatures features;
  if (cpu.empty())
    for (const auto &[feature, enabled] : llvm::sys::getHostCPUFeatures())
      features.AddFeature(feature, enabled);
  std::string cpuName =
      cpu.empty() ? llvm::sys::getHostCPUName().str() : cpu.str();
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      target->createMCSubtargetInfo(llvm::Triple(triple), cpuName, ""));
  if (!subtarget || !subtarget->isCPUStringValid(cpuName))
    return llvm::createStringError("--target-cpu: '" + cpuName +
                                   "' is not a CPU LLVM knows for " + triple);
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      llvm::Triple(triple), cpuName, features.getString(),
      llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return llvm::createStringError("cannot create a target machine for " +
                                   triple);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return llvm::createStringError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(llvm::Triple(triple));
  llvmModule->setDataLayout(machine->createDataLayout());
  auto optimize =
      makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0, machine.get());
  if (llvm::Error e = optimize(llvmModule.get()))
    return e;

  std::error_code ec;
  llvm::ToolOutputFile object(objectPath, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError("cannot write " + objectPath + ": " +
                                   ec.message());
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, object.os(), nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("this target cannot emit object files");
  codegen.run(*llvmModule);
  object.keep();
  return llvm::Error::success();
}

llvm::Error linkExecutable(llvm::StringRef objectPath,
                           llvm::StringRef outputPath) {
  // The C++ compiler that built the runtime links it, with the libraries it
  // was built against.
  llvm::ErrorOr<std::string> linker = llvm::sys::findProgramByName(KILN_LINKER);
  if (!linker)
    return llvm::createStringError(
        llvm::Twine("cannot find the linker driver '") + KILN_LINKER + "'");
  std::vector<std::string> args = {*linker,
                                   "-o",
                                   outputPath.str(),
                                   objectPath.str(),
                                   KILN_RUNTIME_LIBRARY,
                                   KILN_BLAS_LIBRARY,
                                   "-lz",
                                   "-lpthread",
                                   "-ldl",
                                   "-lm"};
  std::vector<llvm::StringRef> argv(args.begin(), args.end());
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*linker, argv, std::nullopt, {}, 0, 0,
                                         &message);
  if (status != 0) {
    std::string command;
    for (const std::string &arg : args)
      command += (command.empty() ? "" : " ") + arg;
    return llvm::createStringError(
        "linking failed (" +
        (message.empty() ? "status " + std::to_string(status) : message) +
        "): " + command);
  }
  return llvm::Error::success();
}

} // namespace kiln
