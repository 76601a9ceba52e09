//===- Parser.h - Recursive-descent parser of .kiln files -------*- C++ -*-===//

#ifndef KILN_FRONTENDS_LANGUAGE_PARSER_H
#define KILN_FRONTENDS_LANGUAGE_PARSER_H

#include "frontends/Language/AST.h"
#include "frontends/Language/Lexer.h"

namespace kiln::lang {

/// Parses one buffer into declarations owned by `program`. After an
/// error the parser skips to the next statement or declaration and goes on,
/// so one run reports every independent mistake.
class Parser {
public:
  Parser(llvm::StringRef buffer, Program &program, DiagnosticEngine &diags);

  std::vector<Decl *> parseFile();

private:
  // Token stream.
  void advance();
  bool consumeIf(TokenKind kind);
  bool expect(TokenKind kind, llvm::StringRef context);
  /// Whether the current token is the first on its line.
  bool startsLine() const;
  /// Where a missing token is reported: after the previous token when the
  /// current one starts a new line.
  llvm::SMLoc missingLoc() const;
  llvm::SMRange rangeFrom(llvm::SMLoc start) const { return {start, prevEnd}; }
  void skipToStatement();
  void skipToDeclaration();

  // Declarations.
  Decl *parseDecl();
  ImportDecl *parseImport();
  ConstDecl *parseConst();
  ModelDecl *parseModel();
  ExperimentDecl *parseExperiment();
  FnDecl *parseFn(const ModelDecl *owner);
  ParamDecl *parseParamMember();
  LayerDecl *parseLayerMember();
  bool parseArgList(std::vector<ParamDecl *> &args, bool allowDefaults);
  bool parseType(TypeExpr &type);

  // Statements.
  bool parseBlock(Block &block);
  Stmt *parseStmt();
  Stmt *parseFor();
  Stmt *parseIf();
  Stmt *parseLog();

  // Expressions, by increasing precedence.
  struct OperatorEntry {
    TokenKind token;
    BinaryOp op;
  };
  /// One level of left-associative binary operators over `next`.
  Expr *parseBinaryLevel(llvm::ArrayRef<OperatorEntry> ops,
                         Expr *(Parser::*next)());
  Expr *parseExpr();
  Expr *parseOr();
  Expr *parseAnd();
  Expr *parseNot();
  /// `prefix operand`, where the operand is parsed by `self` (prefixes
  /// repeat), or else whatever `next` parses.
  Expr *parsePrefix(TokenKind prefix, UnaryOp op, Expr *(Parser::*self)(),
                    Expr *(Parser::*next)());
  Expr *parseComparison();
  Expr *parseAdditive();
  Expr *parseMultiplicative();
  Expr *parseUnary();
  Expr *parsePostfix();
  Expr *parsePrimary();
  bool parseCallArgs(std::vector<Argument> &args);
  StrLit *parseString();

  Lexer lexer;
  Program &program;
  DiagnosticEngine &diags;
  Token tok;
  llvm::SMLoc prevEnd;
  /// Nesting of blocks and parentheses; bounded so that hostile input cannot
  /// exhaust the stack.
  unsigned depth = 0;
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANGUAGE_PARSER_H
