//===- Diagnostics.h - Located errors and notes for .kiln sources -*- C++
//-*-===//
//
// Every diagnostic points into a buffer of the SourceMgr, so the printed form
// is clang's: `file:line:col: error: message`, the source line and a caret
// with the range underlined. Notes attach to the error before them. After
// kMaxErrors errors the engine goes quiet, so a garbage input cannot flood the
// terminal (or slow a fuzzer down).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_LANGUAGE_DIAGNOSTICS_H
#define KILN_FRONTENDS_LANGUAGE_DIAGNOSTICS_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"

namespace kiln::lang {

class DiagnosticEngine {
public:
  static constexpr unsigned kMaxErrors = 20;

  DiagnosticEngine(llvm::SourceMgr &sourceMgr, llvm::raw_ostream *os)
      : sourceMgr(sourceMgr), os(os) {}

  /// An error with the caret at `loc` and `ranges` underlined.
  void error(llvm::SMLoc loc, const llvm::Twine &message,
             llvm::ArrayRef<llvm::SMRange> ranges = {});
  /// An error with the caret at the start of `range`, which is underlined.
  void error(llvm::SMRange range, const llvm::Twine &message) {
    error(range.Start, message, range);
  }
  /// A note about the last error; dropped if that error was suppressed.
  void note(llvm::SMLoc loc, const llvm::Twine &message,
            llvm::ArrayRef<llvm::SMRange> ranges = {});
  void note(llvm::SMRange range, const llvm::Twine &message) {
    note(range.Start, message, range);
  }

  unsigned errorCount() const { return errors; }
  bool hadErrors() const { return errors != 0; }
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

private:
  void print(llvm::SourceMgr::DiagKind kind, llvm::SMLoc loc,
             const llvm::Twine &message, llvm::ArrayRef<llvm::SMRange> ranges);

  llvm::SourceMgr &sourceMgr;
  /// Null to count errors without printing them (the fuzzer).
  llvm::raw_ostream *os;
  unsigned errors = 0;
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANGUAGE_DIAGNOSTICS_H
