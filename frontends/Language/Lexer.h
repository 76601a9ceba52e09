//===- Lexer.h - Tokenizer of the .kiln language ----------------*- C++ -*-===//

#ifndef KILN_FRONTENDS_LANGUAGE_LEXER_H
#define KILN_FRONTENDS_LANGUAGE_LEXER_H

#include "frontends/Language/Diagnostics.h"
#include "frontends/Language/Token.h"

namespace kiln::lang {

/// Produces tokens on demand. Malformed input yields an Error token after a
/// diagnostic, so the parser never sees a character it cannot handle.
class Lexer {
public:
  Lexer(llvm::StringRef buffer, DiagnosticEngine &diags)
      : buffer(buffer), cur(buffer.begin()), diags(diags) {}

  Token next();
  /// Whether the next token is '=' (not '=='), without consuming anything:
  /// `f(name = value)` versus `f(name == value)`.
  bool nextIsAssign() const;

private:
  void skipWhitespaceAndComments();
  Token make(TokenKind kind, const char *start) const {
    return {kind, llvm::StringRef(start, cur - start)};
  }
  Token lexIdentifier(const char *start);
  Token lexNumber(const char *start);
  Token lexString(const char *start);

  llvm::StringRef buffer;
  const char *cur;
  DiagnosticEngine &diags;
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANGUAGE_LEXER_H
