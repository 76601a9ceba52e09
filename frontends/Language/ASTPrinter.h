//===- ASTPrinter.h - Text dump of a checked .kiln program -------*- C++
//-*-===//

#ifndef KILN_FRONTENDS_LANGUAGE_ASTPRINTER_H
#define KILN_FRONTENDS_LANGUAGE_ASTPRINTER_H

#include "frontends/Language/AST.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln::lang {

/// Prints the declarations of buffer `bufferId` one node per line, indented
/// by depth, each with its line:col and, for expressions, its type.
void printAST(const Program &program, const llvm::SourceMgr &sourceMgr,
              unsigned bufferId, const SymbolTable &symbols,
              llvm::raw_ostream &os);

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANGUAGE_ASTPRINTER_H
