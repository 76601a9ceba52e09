//===- Token.h - Tokens of the .kiln language -------------------*- C++ -*-===//

#ifndef KILN_FRONTENDS_LANGUAGE_TOKEN_H
#define KILN_FRONTENDS_LANGUAGE_TOKEN_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

namespace kiln::lang {

enum class TokenKind {
  Eof,
  Error,
  Identifier,
  Integer,
  Float,
  String,
  // Keywords.
  KwAnd,
  KwCheckpoint,
  KwConst,
  KwElse,
  KwExperiment,
  KwFalse,
  KwFn,
  KwFor,
  KwIf,
  KwImport,
  KwIn,
  KwLayer,
  KwLet,
  KwLog,
  KwMinimize,
  KwModel,
  KwNot,
  KwOr,
  KwParam,
  KwTrue,
  KwUsing,
  KwVar,
  // Punctuation.
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Semicolon,
  Dot,
  DotDot,
  Arrow,
  Question,
  Pipe,
  Assign,
  EqEq,
  NotEq,
  Less,
  LessEq,
  Greater,
  GreaterEq,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  At,
};

/// How a token kind is written in messages: "'('", "identifier".
llvm::StringRef spelling(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::Eof;
  /// The token's characters inside its source buffer (quotes included for
  /// strings); locations are derived from this pointer.
  llvm::StringRef text;

  bool is(TokenKind k) const { return kind == k; }
  llvm::SMLoc loc() const { return llvm::SMLoc::getFromPointer(text.data()); }
  llvm::SMLoc endLoc() const {
    return llvm::SMLoc::getFromPointer(text.data() + text.size());
  }
  llvm::SMRange range() const { return {loc(), endLoc()}; }
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANGUAGE_TOKEN_H
