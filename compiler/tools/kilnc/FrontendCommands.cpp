//===- FrontendCommands.cpp - kilnc check / emit --------------------------===//
//
//   kilnc check FILE.kiln            reports every error; exit code 1 if any
//   kilnc emit FILE.kiln --stage=S   prints stage S of FILE (ast, graph,
//                                    experiment)
//
// `--stage=graph` prints the functions the experiment calls as graph-dialect
// IR; `--locations` adds each op's .kiln location, `--dim batch=128` fixes a
// size symbol instead of its hyper-parameter's default. `--stage=experiment`
// adds the experiments themselves, as exp-dialect host programs.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/kilnc/FrontendCommands.h"

#include "compiler/Pipelines/Pipelines.h"
#include "frontends/Emit/EmitExperiment.h"
#include "frontends/Language/ASTPrinter.h"
#include "frontends/Language/Frontend.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::SubCommand checkCommand("check",
                                   "Check a .kiln file and report its errors");
static cl::SubCommand emitCommand("emit", "Print a stage of a .kiln file");

static cl::opt<std::string> kilnFile(cl::Positional, cl::desc("<file.kiln>"),
                                     cl::Required, cl::sub(checkCommand),
                                     cl::sub(emitCommand));
static cl::list<std::string>
    importDirs("I", cl::desc("Add a directory to search for imports"),
               cl::Prefix, cl::sub(checkCommand), cl::sub(emitCommand));

namespace {
enum class Stage { Ast, Graph, Experiment };
} // namespace

static cl::opt<Stage>
    stage("stage", cl::desc("What to print"), cl::init(Stage::Ast),
          cl::values(clEnumValN(Stage::Ast, "ast",
                                "the checked syntax tree, with types"),
                     clEnumValN(Stage::Graph, "graph",
                                "the called functions in the graph dialect"),
                     clEnumValN(Stage::Experiment, "experiment",
                                "the experiments in the exp dialect, with "
                                "the functions they call")),
          cl::sub(emitCommand));
static cl::opt<bool>
    printLocations("locations",
                   cl::desc("Print the .kiln location of every op"),
                   cl::sub(emitCommand));
static cl::list<std::string>
    dimSizes("dim", cl::desc("Fix a size symbol, as in --dim batch=128"),
             cl::value_desc("name=size"), cl::sub(emitCommand));

/// Emits and prints the graph or experiment stage; returns the exit code.
static int emitGraph(kiln::lang::Frontend &frontend,
                     kiln::lang::DiagnosticEngine &diags) {
  kiln::lang::GraphEmitOptions options;
  for (llvm::StringRef entry : dimSizes) {
    auto [name, value] = entry.split('=');
    int64_t size;
    if (name.empty() || value.getAsInteger(10, size) || size < 1) {
      llvm::errs() << "kilnc: error: --dim expects name=size, found '" << entry
                   << "'\n";
      return 1;
    }
    options.sizes[name] = size;
  }
  mlir::DialectRegistry registry;
  kiln::registerDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::SourceMgrDiagnosticHandler handler(diags.getSourceMgr(), &context);
  auto emit = stage == Stage::Graph ? kiln::lang::emitGraph
                                    : kiln::lang::emitExperiment;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      emit(context, frontend.getProgram(), frontend.getSema(), diags, options);
  if (!module)
    return 1;
  mlir::OpPrintingFlags flags;
  if (printLocations)
    flags.enableDebugInfo().useLocalScope();
  module->print(llvm::outs(), flags);
  return 0;
}

namespace kiln {

std::optional<int> runFrontendCommand() {
  if (!checkCommand && !emitCommand)
    return std::nullopt;
  llvm::SourceMgr sourceMgr;
  lang::DiagnosticEngine diags(sourceMgr, &llvm::errs());
  std::vector<std::string> paths(importDirs.begin(), importDirs.end());
  paths.push_back(lang::defaultStdlibDir());
  lang::Frontend frontend(sourceMgr, diags, std::move(paths));
  if (!frontend.loadFile(kilnFile)) {
    llvm::errs() << "kilnc: error: cannot read '" << kilnFile << "'\n";
    return 1;
  }
  if (!frontend.check())
    return 1;
  if (checkCommand)
    return 0;
  if (stage != Stage::Ast)
    return emitGraph(frontend, diags);
  lang::printAST(frontend.getProgram(), sourceMgr, frontend.getMainBufferId(),
                 frontend.getSema().getSymbols(), llvm::outs());
  return 0;
}

} // namespace kiln
