//===- Frontend.h - Load, parse and check a .kiln file ----------*- C++ -*-===//
//
// The entry point of the language: loads a file and every file it imports
// into one SourceMgr, parses them and checks the whole program. Uses LLVM
// Support only, so the fuzzer builds it without MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_LANGUAGE_FRONTEND_H
#define KILN_FRONTENDS_LANGUAGE_FRONTEND_H

#include "frontends/Language/AST.h"
#include "frontends/Language/Diagnostics.h"
#include "frontends/Language/Sema.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

namespace kiln::lang {

class Frontend {
public:
  /// `importPaths` are searched, after the importing file's directory, for
  /// `import "std/layers.kiln"`.
  Frontend(llvm::SourceMgr &sourceMgr, DiagnosticEngine &diags,
           std::vector<std::string> importPaths);

  /// Loads and parses `path` and its imports. False if `path` is unreadable.
  bool loadFile(llvm::StringRef path);
  /// Same, for a buffer already in memory (the fuzzer's input).
  void loadBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer);
  /// Checks everything loaded; true if no error was reported at all.
  bool check();

  Program &getProgram() { return program; }
  const Sema &getSema() const { return sema; }
  unsigned getMainBufferId() const { return mainBufferId; }

private:
  void parseBuffer(unsigned bufferId, unsigned importDepth);
  void loadImport(const ImportDecl *import, unsigned fromBuffer,
                  unsigned importDepth);

  llvm::SourceMgr &sourceMgr;
  DiagnosticEngine &diags;
  std::vector<std::string> importPaths;
  Program program;
  Sema sema;
  llvm::StringSet<> loadedPaths;
  unsigned mainBufferId = 0;
};

/// The directory holding the standard library (`std/layers.kiln`).
std::string defaultStdlibDir();

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANGUAGE_FRONTEND_H
