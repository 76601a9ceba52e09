//===- Diagnostics.cpp - Located errors and notes for .kiln sources -------===//

#include "frontends/Language/Diagnostics.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln::lang {

void DiagnosticEngine::error(llvm::SMLoc loc, const llvm::Twine &message,
                             llvm::ArrayRef<llvm::SMRange> ranges) {
  ++errors;
  if (errors == kMaxErrors + 1 && os)
    *os << "error: too many errors emitted, stopping now\n";
  print(llvm::SourceMgr::DK_Error, loc, message, ranges);
}

void DiagnosticEngine::note(llvm::SMLoc loc, const llvm::Twine &message,
                            llvm::ArrayRef<llvm::SMRange> ranges) {
  print(llvm::SourceMgr::DK_Note, loc, message, ranges);
}

void DiagnosticEngine::print(llvm::SourceMgr::DiagKind kind, llvm::SMLoc loc,
                             const llvm::Twine &message,
                             llvm::ArrayRef<llvm::SMRange> ranges) {
  if (!os || errors > kMaxErrors)
    return;
  // Empty ranges would print a stray '~'; a point needs only the caret.
  llvm::SmallVector<llvm::SMRange, 2> underlined;
  for (llvm::SMRange r : ranges)
    if (r.isValid() && r.Start != r.End)
      underlined.push_back(r);
  sourceMgr.PrintMessage(*os, loc, kind, message, underlined);
}

} // namespace kiln::lang
