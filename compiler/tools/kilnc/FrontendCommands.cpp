//===- FrontendCommands.cpp - kilnc check / emit --------------------------===//
//
//   kilnc check FILE.kiln            reports every error; exit code 1 if any
//   kilnc emit FILE.kiln --stage=S   prints stage S of FILE (ast, graph)
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/kilnc/FrontendCommands.h"

#include "frontends/Language/ASTPrinter.h"
#include "frontends/Language/Frontend.h"

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
enum class Stage { Ast };
} // namespace

static cl::opt<Stage>
    stage("stage", cl::desc("What to print"), cl::init(Stage::Ast),
          cl::values(clEnumValN(Stage::Ast, "ast",
                                "the checked syntax tree, with types")),
          cl::sub(emitCommand));

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
  lang::printAST(frontend.getProgram(), sourceMgr, frontend.getMainBufferId(),
                 frontend.getSema().getSymbols(), llvm::outs());
  return 0;
}

} // namespace kiln
