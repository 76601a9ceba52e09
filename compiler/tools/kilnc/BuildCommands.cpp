//===- BuildCommands.cpp - kilnc build / run ------------------------------===//
//
//   kilnc build FILE.kiln [-o OUT] [--set NAME=VALUE]... [--experiment NAME]
//                         [-I DIR]... [--cuda [--save-ptx DIR]]
//                         [--target-cpu CPU] [--emit-mlir]
//   kilnc run FILE.kiln [--experiment NAME] [-I DIR]... [PROGRAM FLAGS]...
//   kilnc export CHECKPOINT [--format safetensors|npz] [-o OUT]
//
// `build` compiles an experiment into a standalone executable (default: the
// experiment's name in the current directory). `--set` changes a
// hyper-parameter's default, including those compiled into the program
// (sizes). `run` builds into a cache keyed by the sources, the compiler and
// the values compiled in, then runs the program with the flags that follow
// the file; flags that set a compiled-in hyper-parameter go to the build.
// `--cuda` also compiles the graph functions for NVIDIA GPUs, which the
// program then runs with `--device cuda` (`run` builds so when the program's
// flags ask for it). `--target-cpu` names the CPU the program is tuned for
// (default: this machine's), e.g. x86-64-v3 for a program that moves.
// `export` writes a checkpoint's parameters for other frameworks.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/kilnc/BuildCommands.h"

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/AOT.h"
#include "compiler/Target/CUDAOffload.h"
#include "dialects/Experiment/IR/ExperimentOps.h"
#include "frontends/Emit/EmitExperiment.h"
#include "frontends/Language/Frontend.h"
#include "kiln/checkpoint.h"
#include "kiln/runtime.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <unistd.h>

using llvm::StringRef;

namespace kiln {
namespace {

constexpr const char *kUsage =
    "usage: kilnc build FILE.kiln [-o OUT] [--set NAME=VALUE]... "
    "[--experiment NAME] [-I DIR]... [--cuda [--save-ptx DIR]] "
    "[--target-cpu CPU] [--emit-mlir]\n"
    "       kilnc run FILE.kiln [--experiment NAME] [-I DIR]... "
    "[PROGRAM FLAGS]...\n"
    "       kilnc export CHECKPOINT [--format safetensors|npz] [-o OUT]\n";

struct BuildRequest {
  std::string file;
  std::string output;
  std::string experiment;
  std::vector<std::string> importDirs;
  /// New hyper-parameter defaults by name.
  std::map<std::string, std::string> sets;
  bool emitMLIR = false;
  /// Also compile the graph functions for the GPU; write their PTX to
  /// ptxDir when set.
  bool cuda = false;
  std::string ptxDir;
  /// The CPU to tune for; empty: this machine's.
  std::string targetCPU;
};

int usageError(const llvm::Twine &message) {
  llvm::errs() << "kilnc: error: " << message << "\n" << kUsage;
  return 2;
}

/// A checked program and its experiment in the exp and graph dialects.
class Compilation {
public:
  explicit Compilation(const BuildRequest &request)
      : request(request), diags(sourceMgr, &llvm::errs()), context(registry()) {
  }

  /// Parses, checks and emits; false after reporting errors.
  bool emit() {
    std::vector<std::string> paths = request.importDirs;
    paths.push_back(lang::defaultStdlibDir());
    frontend = std::make_unique<lang::Frontend>(sourceMgr, diags, paths);
    if (!frontend->loadFile(request.file)) {
      llvm::errs() << "kilnc: error: cannot read '" << request.file << "'\n";
      return false;
    }
    if (!frontend->check())
      return false;
    lang::GraphEmitOptions options;
    for (const auto &[name, value] : request.sets)
      options.hparams[name] = value;
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    module = lang::emitExperiment(context, frontend->getProgram(),
                                  frontend->getSema(), diags, options);
    if (!module)
      return false;
    experiment = chooseExperiment();
    if (!experiment)
      return false;
    for (const auto &[name, value] : request.sets)
      if (!experiment.getHparams().get(name)) {
        std::string names;
        for (mlir::NamedAttribute h : experiment.getHparams())
          names += (names.empty() ? "" : ", ") + h.getName().str();
        llvm::errs() << "kilnc: error: --set " << name << "=" << value
                     << ": experiment '" << experiment.getSymName()
                     << "' has no hyper-parameter '" << name << "'; it has "
                     << names << "\n";
        return false;
      }
    return true;
  }

  /// A hash of every source file read, the values set and the experiment.
  std::string sourceHash() {
    llvm::SHA256 hash;
    for (unsigned id = 1; id <= sourceMgr.getNumBuffers(); ++id) {
      StringRef text = sourceMgr.getMemoryBuffer(id)->getBuffer();
      hash.update(sourceMgr.getMemoryBuffer(id)->getBufferIdentifier());
      hash.update(text);
      hash.update(StringRef("\0", 1));
    }
    for (const auto &[name, value] : request.sets)
      hash.update(name + "=" + value + "\n");
    hash.update(experiment.getSymName());
    std::array<uint8_t, 32> digest = hash.final();
    return llvm::toHex(llvm::ArrayRef<uint8_t>(digest).take_front(16),
                       /*LowerCase=*/true);
  }

  /// Lowers the emitted module to an executable at `output`.
  bool build(StringRef output) {
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    mlir::PassManager pm(&context);
    AOTPipelineOptions options;
    options.experiment = experiment.getSymName().str();
    options.sourceHash = sourceHash();
    buildAOTHostPipeline(pm, options);
    if (mlir::failed(pm.run(*module)))
      return false;
    if (request.cuda && mlir::failed(offloadToCUDA(*module, {request.ptxDir})))
      return false;
    mlir::PassManager lowering(&context);
    buildAOTLoweringPipeline(lowering);
    if (mlir::failed(lowering.run(*module)))
      return false;
    if (request.emitMLIR) {
      module->print(llvm::outs());
      return true;
    }
    // Write beside the output and rename: a failed build leaves no file,
    // and a running copy of the old one is not disturbed.
    llvm::SmallString<256> object, executable;
    if (std::error_code ec =
            llvm::sys::fs::createUniqueFile(output + ".%%%%%%.o", object))
      return fail("cannot create a temporary file beside '" + output +
                  "': " + ec.message());
    llvm::FileRemover removeObject(object);
    if (llvm::Error e = writeObjectFile(*module, object, request.targetCPU))
      return fail(llvm::toString(std::move(e)));
    executable = (output + ".tmp" + llvm::Twine(::getpid())).str();
    llvm::FileRemover removeExecutable(executable);
    if (llvm::Error e = linkExecutable(object, executable))
      return fail(llvm::toString(std::move(e)));
    if (std::error_code ec = llvm::sys::fs::rename(executable, output))
      return fail("cannot write '" + output + "': " + ec.message());
    return true;
  }

  exp::ExperimentOp getExperiment() { return experiment; }

private:
  static mlir::DialectRegistry registry() {
    mlir::DialectRegistry registry;
    registerDialects(registry);
    return registry;
  }

  bool fail(const llvm::Twine &message) {
    llvm::errs() << "kilnc: error: " << message << "\n";
    return false;
  }

  exp::ExperimentOp chooseExperiment() {
    auto experiments = llvm::to_vector(module->getOps<exp::ExperimentOp>());
    std::string names;
    for (exp::ExperimentOp e : experiments) {
      if (e.getSymName() == request.experiment ||
          (request.experiment.empty() && experiments.size() == 1))
        return e;
      names += (names.empty() ? "" : ", ") + e.getSymName().str();
    }
    if (experiments.empty())
      fail("'" + request.file + "' declares no experiment to build");
    else if (request.experiment.empty())
      fail("'" + request.file + "' declares several experiments (" + names +
           "); choose one with --experiment NAME");
    else
      fail("'" + request.file + "' has no experiment '" + request.experiment +
           "'; it has " + names);
    return nullptr;
  }

  const BuildRequest &request;
  llvm::SourceMgr sourceMgr;
  lang::DiagnosticEngine diags;
  mlir::MLIRContext context;
  std::unique_ptr<lang::Frontend> frontend;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  exp::ExperimentOp experiment;
};

/// Reads the options `build` and `run` share into `request`; `rest`
/// receives what `run` passes on to the program. Returns the exit status
/// when kilnc should stop (--help, a usage error).
std::optional<int> parseArguments(llvm::ArrayRef<const char *> args, bool isRun,
                                  BuildRequest &request,
                                  std::vector<std::string> &rest) {
  for (size_t i = 0; i < args.size(); ++i) {
    StringRef arg = args[i];
    // `run`: everything after the file belongs to the program.
    if (isRun && !request.file.empty()) {
      rest.push_back(arg.str());
      continue;
    }
    // `flag VALUE`, `flag=VALUE` (and `-IDIR`): true if `arg` is `flag`.
    std::string value;
    std::optional<int> error;
    auto takes = [&](StringRef flag) {
      if (arg.starts_with((flag + "=").str()) ||
          (flag == "-I" && arg.starts_with("-I") && arg.size() > 2)) {
        value = arg.drop_front(flag.size() + (flag != "-I")).str();
        return true;
      }
      if (arg != flag)
        return false;
      if (i + 1 == args.size())
        error = usageError(flag + " needs a value");
      else
        value = args[++i];
      return true;
    };
    if (takes("--experiment")) {
      request.experiment = value;
    } else if (takes("-I")) {
      request.importDirs.push_back(value);
    } else if (!isRun && takes("-o")) {
      request.output = value;
    } else if (!isRun && takes("--set")) {
      auto [name, text] = StringRef(value).split('=');
      if (!error && (name.empty() || !StringRef(value).contains('=')))
        return usageError("--set expects NAME=VALUE, found '" + value + "'");
      request.sets[name.str()] = text.str();
    } else if (!isRun && arg == "--emit-mlir") {
      request.emitMLIR = true;
    } else if (!isRun && arg == "--cuda") {
      request.cuda = true;
    } else if (!isRun && takes("--save-ptx")) {
      request.ptxDir = value;
    } else if (!isRun && takes("--target-cpu")) {
      request.targetCPU = value;
    } else if (arg == "--help" || arg == "-h") {
      llvm::outs() << kUsage;
      return 0;
    } else if (arg.starts_with("-")) {
      return usageError("unknown option '" + arg + "'");
    } else if (request.file.empty()) {
      request.file = arg.str();
    } else {
      return usageError("unexpected argument '" + arg + "'");
    }
    if (error)
      return error;
  }
  if (request.file.empty())
    return usageError("no .kiln file given");
  if (!request.ptxDir.empty() && !request.cuda)
    return usageError("--save-ptx needs --cuda");
  return std::nullopt;
}

int runBuild(llvm::ArrayRef<const char *> args) {
  BuildRequest request;
  std::vector<std::string> rest;
  if (std::optional<int> status =
          parseArguments(args, /*isRun=*/false, request, rest))
    return *status;
  Compilation compilation(request);
  if (!compilation.emit())
    return 1;
  if (request.output.empty())
    request.output = compilation.getExperiment().getSymName().str();
  return compilation.build(request.output) ? 0 : 1;
}

/// Names compare with '-' and '_' as one character, as the program's flags
/// do.
std::string flagName(StringRef name) {
  std::string flag = name.str();
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

/// The identity of this compiler and the runtime it links: a rebuilt kilnc
/// or runtime invalidates the cache.
std::string toolchainIdentity() {
  std::string identity;
  for (std::string path :
       {llvm::sys::fs::getMainExecutable(nullptr, (void *)&toolchainIdentity),
        std::string(KILN_RUNTIME_LIBRARY)}) {
    llvm::sys::fs::file_status status;
    if (!llvm::sys::fs::status(path, status))
      identity +=
          path + ":" + std::to_string(status.getSize()) + ":" +
          std::to_string(
              status.getLastModificationTime().time_since_epoch().count()) +
          ";";
  }
  return identity;
}

std::string cacheRoot() {
  if (std::optional<std::string> dir =
          llvm::sys::Process::GetEnv("KILN_CACHE_DIR"))
    return *dir;
  llvm::SmallString<256> root;
  if (std::optional<std::string> xdg =
          llvm::sys::Process::GetEnv("XDG_CACHE_HOME"))
    root = *xdg;
  else if (std::optional<std::string> home = llvm::sys::Process::GetEnv("HOME"))
    llvm::sys::path::append(root, *home, ".cache");
  else
    llvm::sys::path::system_temp_directory(/*ErasedOnReboot=*/true, root);
  llvm::sys::path::append(root, "kiln");
  return root.str().str();
}

int runRun(llvm::ArrayRef<const char *> args) {
  BuildRequest request;
  std::vector<std::string> programArgs;
  if (std::optional<int> status =
          parseArguments(args, /*isRun=*/true, request, programArgs))
    return *status;

  // Flags that set compiled-in hyper-parameters go to the build.
  std::vector<std::string> passOn;
  {
    Compilation probe(request);
    if (!probe.emit())
      return 1;
    llvm::StringSet<> fixed;
    if (mlir::ArrayAttr names = probe.getExperiment().getFixedAttr())
      for (StringRef name : names.getAsValueRange<mlir::StringAttr>())
        fixed.insert(flagName(name));
    for (size_t i = 0; i < programArgs.size(); ++i) {
      StringRef arg = programArgs[i];
      if (arg == "--device=cuda" ||
          (arg == "--device" && i + 1 < programArgs.size() &&
           StringRef(programArgs[i + 1]) == "cuda"))
        request.cuda = true;
      if (!arg.starts_with("--") || arg == "--") {
        passOn.push_back(arg.str());
        continue;
      }
      auto [name, text] = arg.drop_front(2).split('=');
      bool inline_ = arg.contains('=');
      if (!fixed.contains(flagName(name))) {
        passOn.push_back(arg.str());
        continue;
      }
      if (!inline_) {
        if (i + 1 == programArgs.size())
          return usageError("--" + name + " needs a value");
        text = programArgs[++i];
      }
      for (mlir::NamedAttribute h : probe.getExperiment().getHparams())
        if (flagName(h.getName().getValue()) == flagName(name))
          request.sets[h.getName().str()] = text.str();
    }
  }

  Compilation compilation(request);
  if (!compilation.emit())
    return 1;
  llvm::SHA256 key;
  key.update(toolchainIdentity());
  key.update(compilation.sourceHash());
  key.update(request.cuda ? "cuda" : "cpu");
  std::array<uint8_t, 32> digest = key.final();
  llvm::SmallString<256> program(cacheRoot());
  llvm::sys::path::append(
      program,
      llvm::toHex(llvm::ArrayRef<uint8_t>(digest).take_front(12), true),
      compilation.getExperiment().getSymName());
  if (!llvm::sys::fs::exists(program)) {
    if (std::error_code ec = llvm::sys::fs::create_directories(
            llvm::sys::path::parent_path(program))) {
      llvm::errs() << "kilnc: error: cannot create the cache directory '"
                   << llvm::sys::path::parent_path(program)
                   << "': " << ec.message() << "\n";
      return 1;
    }
    llvm::errs() << "kilnc: building "
                 << compilation.getExperiment().getSymName() << "\n";
    if (!compilation.build(program))
      return 1;
  }
  std::vector<std::string> argvStrings = {program.str().str()};
  llvm::append_range(argvStrings, passOn);
  std::vector<char *> argv;
  for (std::string &arg : argvStrings)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  llvm::errs().flush();
  llvm::outs().flush();
  ::execv(argv[0], argv.data());
  llvm::errs() << "kilnc: error: cannot run '" << program
               << "': " << std::strerror(errno) << "\n";
  return 1;
}

/// Writes the parameters of a checkpoint as safetensors (default) or npz,
/// beside it unless -o says where.
int runExport(llvm::ArrayRef<const char *> args) {
  std::string checkpoint, format = "safetensors", output;
  for (size_t i = 0; i < args.size(); ++i) {
    StringRef arg = args[i];
    std::string *value = arg == "--format" || arg.starts_with("--format=")
                             ? &format
                         : arg == "-o" ? &output
                                       : nullptr;
    if (arg.starts_with("--format=")) {
      format = arg.drop_front(9).str();
    } else if (value) {
      if (i + 1 == args.size())
        return usageError(arg + " needs a value");
      *value = args[++i];
    } else if (arg == "--help" || arg == "-h") {
      llvm::outs() << kUsage;
      return 0;
    } else if (arg.starts_with("-")) {
      return usageError("unknown option '" + arg + "'");
    } else if (checkpoint.empty()) {
      checkpoint = arg.str();
    } else {
      return usageError("unexpected argument '" + arg + "'");
    }
  }
  if (checkpoint.empty())
    return usageError("no checkpoint given");
  if (format != "safetensors" && format != "npz")
    return usageError("--format is safetensors or npz, not '" + format + "'");
  if (output.empty()) {
    llvm::SmallString<256> path(checkpoint);
    llvm::sys::path::replace_extension(path, format);
    output = path.str().str();
  }
  if (kiln_checkpoint_export(checkpoint.c_str(), format.c_str(),
                             output.c_str()) != 0) {
    llvm::errs() << "kilnc: error: " << kiln_last_error() << "\n";
    return 1;
  }
  return 0;
}

} // namespace

std::optional<int> runBuildCommand(int argc, char **argv) {
  if (argc < 2)
    return std::nullopt;
  StringRef command = argv[1];
  llvm::ArrayRef<const char *> args(const_cast<const char **>(argv) + 2,
                                    argc - 2);
  if (command == "build")
    return runBuild(args);
  if (command == "run")
    return runRun(args);
  if (command == "export")
    return runExport(args);
  return std::nullopt;
}

} // namespace kiln
