//===- Lexer.cpp - Tokenizer of the .kiln language ------------------------===//

#include "frontends/Language/Lexer.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"

namespace kiln::lang {

using llvm::StringRef;

StringRef spelling(TokenKind kind) {
  switch (kind) {
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::Error:
    return "invalid token";
  case TokenKind::Identifier:
    return "identifier";
  case TokenKind::Integer:
    return "integer";
  case TokenKind::Float:
    return "number";
  case TokenKind::String:
    return "string";
  case TokenKind::KwAnd:
    return "'and'";
  case TokenKind::KwCheckpoint:
    return "'checkpoint'";
  case TokenKind::KwConst:
    return "'const'";
  case TokenKind::KwElse:
    return "'else'";
  case TokenKind::KwExperiment:
    return "'experiment'";
  case TokenKind::KwFalse:
    return "'false'";
  case TokenKind::KwFn:
    return "'fn'";
  case TokenKind::KwFor:
    return "'for'";
  case TokenKind::KwIf:
    return "'if'";
  case TokenKind::KwImport:
    return "'import'";
  case TokenKind::KwIn:
    return "'in'";
  case TokenKind::KwLayer:
    return "'layer'";
  case TokenKind::KwLet:
    return "'let'";
  case TokenKind::KwLog:
    return "'log'";
  case TokenKind::KwMinimize:
    return "'minimize'";
  case TokenKind::KwModel:
    return "'model'";
  case TokenKind::KwNot:
    return "'not'";
  case TokenKind::KwOr:
    return "'or'";
  case TokenKind::KwParam:
    return "'param'";
  case TokenKind::KwTrue:
    return "'true'";
  case TokenKind::KwUsing:
    return "'using'";
  case TokenKind::KwVar:
    return "'var'";
  case TokenKind::LParen:
    return "'('";
  case TokenKind::RParen:
    return "')'";
  case TokenKind::LBracket:
    return "'['";
  case TokenKind::RBracket:
    return "']'";
  case TokenKind::LBrace:
    return "'{'";
  case TokenKind::RBrace:
    return "'}'";
  case TokenKind::Comma:
    return "','";
  case TokenKind::Colon:
    return "':'";
  case TokenKind::Semicolon:
    return "';'";
  case TokenKind::Dot:
    return "'.'";
  case TokenKind::DotDot:
    return "'..'";
  case TokenKind::Arrow:
    return "'->'";
  case TokenKind::Question:
    return "'?'";
  case TokenKind::Pipe:
    return "'|'";
  case TokenKind::Assign:
    return "'='";
  case TokenKind::EqEq:
    return "'=='";
  case TokenKind::NotEq:
    return "'!='";
  case TokenKind::Less:
    return "'<'";
  case TokenKind::LessEq:
    return "'<='";
  case TokenKind::Greater:
    return "'>'";
  case TokenKind::GreaterEq:
    return "'>='";
  case TokenKind::Plus:
    return "'+'";
  case TokenKind::Minus:
    return "'-'";
  case TokenKind::Star:
    return "'*'";
  case TokenKind::Slash:
    return "'/'";
  case TokenKind::Percent:
    return "'%'";
  case TokenKind::At:
    return "'@'";
  }
  llvm_unreachable("unknown token kind");
}

static bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool isDigit(char c) { return c >= '0' && c <= '9'; }
static bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

void Lexer::skipWhitespaceAndComments() {
  const char *end = buffer.end();
  while (cur != end) {
    char c = *cur;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++cur;
    } else if (c == '/' && cur + 1 != end && cur[1] == '/') {
      while (cur != end && *cur != '\n')
        ++cur;
    } else {
      return;
    }
  }
}

bool Lexer::nextIsAssign() const {
  Lexer probe = *this;
  probe.skipWhitespaceAndComments();
  const char *end = buffer.end();
  return probe.cur != end && *probe.cur == '=' &&
         (probe.cur + 1 == end || probe.cur[1] != '=');
}

Token Lexer::next() {
  skipWhitespaceAndComments();
  const char *start = cur;
  if (cur == buffer.end())
    return make(TokenKind::Eof, start);
  char c = *cur++;
  auto peekIs = [&](char want) {
    if (cur != buffer.end() && *cur == want) {
      ++cur;
      return true;
    }
    return false;
  };
  if (isIdentStart(c))
    return lexIdentifier(start);
  if (isDigit(c))
    return lexNumber(start);
  switch (c) {
  case '"':
    return lexString(start);
  case '(':
    return make(TokenKind::LParen, start);
  case ')':
    return make(TokenKind::RParen, start);
  case '[':
    return make(TokenKind::LBracket, start);
  case ']':
    return make(TokenKind::RBracket, start);
  case '{':
    return make(TokenKind::LBrace, start);
  case '}':
    return make(TokenKind::RBrace, start);
  case ',':
    return make(TokenKind::Comma, start);
  case ':':
    return make(TokenKind::Colon, start);
  case ';':
    return make(TokenKind::Semicolon, start);
  case '?':
    return make(TokenKind::Question, start);
  case '|':
    return make(TokenKind::Pipe, start);
  case '+':
    return make(TokenKind::Plus, start);
  case '*':
    return make(TokenKind::Star, start);
  case '/':
    return make(TokenKind::Slash, start);
  case '%':
    return make(TokenKind::Percent, start);
  case '@':
    return make(TokenKind::At, start);
  case '.':
    return make(peekIs('.') ? TokenKind::DotDot : TokenKind::Dot, start);
  case '-':
    return make(peekIs('>') ? TokenKind::Arrow : TokenKind::Minus, start);
  case '=':
    return make(peekIs('=') ? TokenKind::EqEq : TokenKind::Assign, start);
  case '<':
    return make(peekIs('=') ? TokenKind::LessEq : TokenKind::Less, start);
  case '>':
    return make(peekIs('=') ? TokenKind::GreaterEq : TokenKind::Greater, start);
  case '!':
    if (peekIs('='))
      return make(TokenKind::NotEq, start);
    diags.error(llvm::SMLoc::getFromPointer(start),
                "'!' is written 'not' in .kiln");
    return make(TokenKind::Error, start);
  default:
    break;
  }
  // Swallow the rest of a multi-byte UTF-8 character so it is reported once.
  while (cur != buffer.end() &&
         (static_cast<unsigned char>(*cur) & 0xC0) == 0x80)
    ++cur;
  diags.error(llvm::SMLoc::getFromPointer(start),
              "unexpected character '" + StringRef(start, cur - start) + "'");
  return make(TokenKind::Error, start);
}

Token Lexer::lexIdentifier(const char *start) {
  while (cur != buffer.end() && isIdentChar(*cur))
    ++cur;
  StringRef text(start, cur - start);
  TokenKind kind = llvm::StringSwitch<TokenKind>(text)
                       .Case("and", TokenKind::KwAnd)
                       .Case("checkpoint", TokenKind::KwCheckpoint)
                       .Case("const", TokenKind::KwConst)
                       .Case("else", TokenKind::KwElse)
                       .Case("experiment", TokenKind::KwExperiment)
                       .Case("false", TokenKind::KwFalse)
                       .Case("fn", TokenKind::KwFn)
                       .Case("for", TokenKind::KwFor)
                       .Case("if", TokenKind::KwIf)
                       .Case("import", TokenKind::KwImport)
                       .Case("in", TokenKind::KwIn)
                       .Case("layer", TokenKind::KwLayer)
                       .Case("let", TokenKind::KwLet)
                       .Case("log", TokenKind::KwLog)
                       .Case("minimize", TokenKind::KwMinimize)
                       .Case("model", TokenKind::KwModel)
                       .Case("not", TokenKind::KwNot)
                       .Case("or", TokenKind::KwOr)
                       .Case("param", TokenKind::KwParam)
                       .Case("true", TokenKind::KwTrue)
                       .Case("using", TokenKind::KwUsing)
                       .Case("var", TokenKind::KwVar)
                       .Default(TokenKind::Identifier);
  return make(kind, start);
}

Token Lexer::lexNumber(const char *start) {
  const char *end = buffer.end();
  auto digits = [&] {
    while (cur != end && isDigit(*cur))
      ++cur;
  };
  digits();
  bool isFloat = false;
  // "0..10" is a range, not the float "0." followed by ".10".
  if (cur != end && *cur == '.' && cur + 1 != end && isDigit(cur[1])) {
    isFloat = true;
    ++cur;
    digits();
  }
  if (cur != end && (*cur == 'e' || *cur == 'E')) {
    const char *exponent = cur++;
    if (cur != end && (*cur == '+' || *cur == '-'))
      ++cur;
    if (cur == end || !isDigit(*cur)) {
      diags.error(llvm::SMRange(llvm::SMLoc::getFromPointer(exponent),
                                llvm::SMLoc::getFromPointer(cur)),
                  "expected digits in the exponent of a number");
      return make(TokenKind::Error, start);
    }
    isFloat = true;
    digits();
  }
  if (cur != end && isIdentStart(*cur)) {
    while (cur != end && isIdentChar(*cur))
      ++cur;
    diags.error(llvm::SMRange(llvm::SMLoc::getFromPointer(start),
                              llvm::SMLoc::getFromPointer(cur)),
                "invalid number '" + StringRef(start, cur - start) + "'");
    return make(TokenKind::Error, start);
  }
  return make(isFloat ? TokenKind::Float : TokenKind::Integer, start);
}

Token Lexer::lexString(const char *start) {
  const char *end = buffer.end();
  while (cur != end && *cur != '"' && *cur != '\n') {
    if (*cur == '\\' && cur + 1 != end && cur[1] != '\n')
      ++cur;
    ++cur;
  }
  if (cur == end || *cur != '"') {
    diags.error(llvm::SMLoc::getFromPointer(start), "unterminated string");
    return make(TokenKind::Error, start);
  }
  ++cur;
  return make(TokenKind::String, start);
}

} // namespace kiln::lang
