//===- Parser.cpp - Recursive-descent parser of .kiln files ---------------===//

#include "frontends/Language/Parser.h"

#include "llvm/ADT/StringExtras.h"

namespace kiln::lang {

using llvm::SMLoc;
using llvm::SMRange;
using llvm::StringRef;

static constexpr unsigned kMaxDepth = 200;

namespace {
/// Counts one level of nesting for the lifetime of a parse function.
struct DepthGuard {
  unsigned &depth;
  explicit DepthGuard(unsigned &depth) : depth(depth) { ++depth; }
  ~DepthGuard() { --depth; }
};
} // namespace

Parser::Parser(StringRef buffer, Program &program, DiagnosticEngine &diags)
    : lexer(buffer, diags), program(program), diags(diags) {
  prevEnd = SMLoc::getFromPointer(buffer.data());
  tok = lexer.next();
}

//===----------------------------------------------------------------------===//
// Token stream
//===----------------------------------------------------------------------===//

void Parser::advance() {
  if (tok.is(TokenKind::Eof))
    return;
  prevEnd = tok.endLoc();
  tok = lexer.next();
}

bool Parser::consumeIf(TokenKind kind) {
  if (!tok.is(kind))
    return false;
  advance();
  return true;
}

bool Parser::startsLine() const {
  const char *from = prevEnd.getPointer();
  const char *to = tok.text.data();
  return from && from < to && StringRef(from, to - from).contains('\n');
}

SMLoc Parser::missingLoc() const { return startsLine() ? prevEnd : tok.loc(); }

bool Parser::expect(TokenKind kind, StringRef context) {
  if (consumeIf(kind))
    return true;
  // The lexer already reported an invalid token.
  if (!tok.is(TokenKind::Error))
    diags.error(missingLoc(), "expected " + spelling(kind) + " " + context +
                                  ", found " + spelling(tok.kind));
  return false;
}

static bool startsStatement(TokenKind k) {
  switch (k) {
  case TokenKind::KwLet:
  case TokenKind::KwVar:
  case TokenKind::KwFor:
  case TokenKind::KwIf:
  case TokenKind::KwLog:
  case TokenKind::KwMinimize:
  case TokenKind::KwCheckpoint:
  case TokenKind::KwParam:
  case TokenKind::KwLayer:
  case TokenKind::KwFn:
    return true;
  default:
    return false;
  }
}

static bool startsDeclaration(TokenKind k) {
  return k == TokenKind::KwImport || k == TokenKind::KwConst ||
         k == TokenKind::KwModel || k == TokenKind::KwExperiment ||
         k == TokenKind::KwFn;
}

void Parser::skipToStatement() {
  // Skip balanced braces so a broken nested block is skipped whole; stop
  // before the '}' closing the enclosing block.
  unsigned braces = 0;
  while (!tok.is(TokenKind::Eof)) {
    if (braces == 0 &&
        (startsStatement(tok.kind) || startsDeclaration(tok.kind) ||
         tok.is(TokenKind::RBrace)))
      return;
    if (tok.is(TokenKind::LBrace))
      ++braces;
    else if (tok.is(TokenKind::RBrace))
      --braces;
    advance();
  }
}

void Parser::skipToDeclaration() {
  while (!tok.is(TokenKind::Eof) && !startsDeclaration(tok.kind))
    advance();
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

std::vector<Decl *> Parser::parseFile() {
  std::vector<Decl *> decls;
  while (!tok.is(TokenKind::Eof)) {
    if (Decl *d = parseDecl()) {
      decls.push_back(d);
      continue;
    }
    // Always make progress, then resynchronize.
    advance();
    skipToDeclaration();
  }
  return decls;
}

Decl *Parser::parseDecl() {
  switch (tok.kind) {
  case TokenKind::KwImport:
    return parseImport();
  case TokenKind::KwConst:
    return parseConst();
  case TokenKind::KwModel:
    return parseModel();
  case TokenKind::KwExperiment:
    return parseExperiment();
  case TokenKind::KwFn:
    return parseFn(nullptr);
  case TokenKind::Error:
    return nullptr;
  default:
    diags.error(tok.range(), "expected 'import', 'const', 'model', 'fn' or "
                             "'experiment' at the top level, found " +
                                 spelling(tok.kind));
    return nullptr;
  }
}

ImportDecl *Parser::parseImport() {
  SMLoc start = tok.loc();
  advance();
  if (!tok.is(TokenKind::String)) {
    expect(TokenKind::String, "naming the imported file");
    return nullptr;
  }
  StrLit *path = parseString();
  if (!path)
    return nullptr;
  return program.make<ImportDecl>(rangeFrom(start), path);
}

ConstDecl *Parser::parseConst() {
  SMLoc start = tok.loc();
  advance();
  Token name = tok;
  if (!expect(TokenKind::Identifier, "after 'const'") ||
      !expect(TokenKind::Assign, "after the constant's name"))
    return nullptr;
  Expr *value = parseExpr();
  if (!value)
    return nullptr;
  return program.make<ConstDecl>(rangeFrom(start), name.text, name.range(),
                                 value);
}

bool Parser::parseArgList(std::vector<ParamDecl *> &args, bool allowDefaults) {
  if (!expect(TokenKind::LParen, "to start the argument list"))
    return false;
  while (!tok.is(TokenKind::RParen)) {
    SMLoc start = tok.loc();
    Token name = tok;
    if (!expect(TokenKind::Identifier, "naming an argument") ||
        !expect(TokenKind::Colon, "before the argument's type"))
      return false;
    TypeExpr type;
    if (!parseType(type))
      return false;
    Expr *init = nullptr;
    if (tok.is(TokenKind::Assign)) {
      if (!allowDefaults) {
        diags.error(tok.range(), "arguments of a 'fn' have no defaults");
        return false;
      }
      advance();
      if (!(init = parseExpr()))
        return false;
    }
    args.push_back(program.make<ParamDecl>(
        rangeFrom(start), name.text, name.range(), std::move(type), init));
    if (!consumeIf(TokenKind::Comma))
      break;
  }
  return expect(TokenKind::RParen, "to end the argument list");
}

bool Parser::parseType(TypeExpr &type) {
  SMLoc start = tok.loc();
  if (tok.is(TokenKind::String)) {
    do {
      if (!tok.is(TokenKind::String)) {
        expect(TokenKind::String, "after '|'");
        return false;
      }
      StrLit *choice = parseString();
      if (!choice)
        return false;
      type.choices.push_back(choice);
    } while (consumeIf(TokenKind::Pipe));
    type.range = rangeFrom(start);
    return true;
  }
  type.name = tok.text;
  if (!expect(TokenKind::Identifier, "naming a type"))
    return false;
  if (consumeIf(TokenKind::LBracket)) {
    type.hasShape = true;
    while (!tok.is(TokenKind::RBracket)) {
      Expr *dim = parseAdditive();
      if (!dim)
        return false;
      type.dims.push_back(dim);
      if (!consumeIf(TokenKind::Comma))
        break;
    }
    if (!expect(TokenKind::RBracket, "to end the shape"))
      return false;
  }
  // A hyper-parameter's range: `lr: float in [0, 1] = 3e-4`.
  if (consumeIf(TokenKind::KwIn)) {
    if (!expect(TokenKind::LBracket, "to start the range, as in 'in [0, 1]'") ||
        !(type.low = parseUnary()) ||
        !expect(TokenKind::Comma, "between the two bounds of the range") ||
        !(type.high = parseUnary()) ||
        !expect(TokenKind::RBracket, "to end the range"))
      return false;
  }
  type.range = rangeFrom(start);
  return true;
}

ModelDecl *Parser::parseModel() {
  SMLoc start = tok.loc();
  advance();
  Token name = tok;
  if (!expect(TokenKind::Identifier, "naming the model"))
    return nullptr;
  auto *model = program.make<ModelDecl>(SMRange(), name.text, name.range());
  if (tok.is(TokenKind::LParen) && !parseArgList(model->args, false))
    return nullptr;
  if (!expect(TokenKind::LBrace, "to start the model's body"))
    return nullptr;
  while (!tok.is(TokenKind::RBrace) && !tok.is(TokenKind::Eof)) {
    Decl *member = nullptr;
    if (tok.is(TokenKind::KwParam))
      member = parseParamMember();
    else if (tok.is(TokenKind::KwLayer))
      member = parseLayerMember();
    else if (tok.is(TokenKind::KwFn))
      member = parseFn(model);
    else if (!tok.is(TokenKind::Error))
      diags.error(tok.range(), "expected 'param', 'layer' or 'fn' in a "
                               "model, found " +
                                   spelling(tok.kind));
    if (member) {
      model->members.push_back(member);
      continue;
    }
    advance();
    skipToStatement();
  }
  expect(TokenKind::RBrace, "to end the model");
  model->range = rangeFrom(start);
  return model;
}

ParamDecl *Parser::parseParamMember() {
  SMLoc start = tok.loc();
  advance();
  Token name = tok;
  if (!expect(TokenKind::Identifier, "naming the parameter") ||
      !expect(TokenKind::Colon, "before the parameter's type"))
    return nullptr;
  TypeExpr type;
  if (!parseType(type) ||
      !expect(TokenKind::Assign, "before the parameter's initializer"))
    return nullptr;
  Expr *init = parseExpr();
  if (!init)
    return nullptr;
  return program.make<ParamDecl>(rangeFrom(start), name.text, name.range(),
                                 std::move(type), init);
}

LayerDecl *Parser::parseLayerMember() {
  SMLoc start = tok.loc();
  advance();
  Token name = tok;
  if (!expect(TokenKind::Identifier, "naming the layer") ||
      !expect(TokenKind::Assign, "after the layer's name"))
    return nullptr;
  Expr *init = parseExpr();
  if (!init)
    return nullptr;
  auto *call = llvm::dyn_cast<Call>(init);
  if (!call) {
    diags.error(init->range, "a layer is created by calling a model, as in "
                             "'Linear(784, 256)'");
    return nullptr;
  }
  return program.make<LayerDecl>(rangeFrom(start), name.text, name.range(),
                                 call);
}

FnDecl *Parser::parseFn(const ModelDecl *owner) {
  SMLoc start = tok.loc();
  advance();
  Token name = tok;
  if (!expect(TokenKind::Identifier, "naming the function"))
    return nullptr;
  auto *fn = program.make<FnDecl>(SMRange(), name.text, name.range());
  fn->owner = owner;
  if (!parseArgList(fn->params, false) ||
      !expect(TokenKind::Arrow, "before the result type") ||
      !parseType(fn->result))
    return nullptr;
  unsigned errorsBefore = diags.errorCount();
  if (!parseBlock(fn->body))
    return nullptr;
  fn->malformed = diags.errorCount() != errorsBefore;
  fn->range = rangeFrom(start);
  return fn;
}

ExperimentDecl *Parser::parseExperiment() {
  SMLoc start = tok.loc();
  advance();
  Token name = tok;
  if (!expect(TokenKind::Identifier, "naming the experiment"))
    return nullptr;
  auto *exp = program.make<ExperimentDecl>(SMRange(), name.text, name.range());
  if (tok.is(TokenKind::LParen) && !parseArgList(exp->hyperParams, true))
    return nullptr;
  if (!parseBlock(exp->body))
    return nullptr;
  exp->range = rangeFrom(start);
  return exp;
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

bool Parser::parseBlock(Block &block) {
  SMLoc open = tok.loc();
  if (!expect(TokenKind::LBrace, "to start a block"))
    return false;
  DepthGuard guard(depth);
  if (depth > kMaxDepth) {
    diags.error(open, "blocks nested too deeply");
    return false;
  }
  while (!tok.is(TokenKind::RBrace) && !tok.is(TokenKind::Eof)) {
    if (consumeIf(TokenKind::Semicolon))
      continue;
    if (startsDeclaration(tok.kind) && !tok.is(TokenKind::KwFn))
      break; // a missing '}': let the caller report it here
    const char *start = tok.text.data();
    if (Stmt *s = parseStmt()) {
      block.push_back(s);
      continue;
    }
    // A statement that failed on its first token would fail there forever.
    if (tok.text.data() == start)
      advance();
    skipToStatement();
  }
  if (!tok.is(TokenKind::RBrace)) {
    diags.error(missingLoc(),
                "expected '}' to end the block, found " + spelling(tok.kind));
    diags.note(open, "the block starts here");
    return false;
  }
  advance();
  return true;
}

Stmt *Parser::parseStmt() {
  SMLoc start = tok.loc();
  switch (tok.kind) {
  case TokenKind::KwLet:
  case TokenKind::KwVar: {
    bool isVar = tok.is(TokenKind::KwVar);
    advance();
    Token name = tok;
    if (!expect(TokenKind::Identifier, "naming the binding") ||
        !expect(TokenKind::Assign, "after the binding's name"))
      return nullptr;
    Expr *value = parseExpr();
    if (!value)
      return nullptr;
    return program.make<LetStmt>(rangeFrom(start), isVar, name.text,
                                 name.range(), value);
  }
  case TokenKind::KwFor:
    return parseFor();
  case TokenKind::KwIf:
    return parseIf();
  case TokenKind::KwLog:
    return parseLog();
  case TokenKind::KwMinimize: {
    advance();
    Expr *loss = parseExpr();
    if (!loss || !expect(TokenKind::KwUsing, "before the optimizer"))
      return nullptr;
    Expr *opt = parseExpr();
    if (!opt)
      return nullptr;
    return program.make<MinimizeStmt>(rangeFrom(start), loss, opt);
  }
  case TokenKind::KwCheckpoint: {
    advance();
    StrLit *label = nullptr;
    if (tok.is(TokenKind::String) && !(label = parseString()))
      return nullptr;
    return program.make<CheckpointStmt>(rangeFrom(start), label);
  }
  case TokenKind::KwParam:
  case TokenKind::KwLayer:
  case TokenKind::KwFn:
    diags.error(tok.range(), spelling(tok.kind) +
                                 " declares a model member; it is only "
                                 "allowed directly inside 'model'");
    return nullptr;
  default:
    break;
  }
  Expr *expr = parseExpr();
  if (!expr)
    return nullptr;
  if (tok.is(TokenKind::Assign)) {
    auto *target = llvm::dyn_cast<Name>(expr);
    if (!target) {
      diags.error(expr->range, "only a 'var' can be assigned to");
      return nullptr;
    }
    advance();
    Expr *value = parseExpr();
    if (!value)
      return nullptr;
    return program.make<AssignStmt>(rangeFrom(start), target, value);
  }
  return program.make<ExprStmt>(rangeFrom(start), expr);
}

Stmt *Parser::parseFor() {
  SMLoc start = tok.loc();
  advance();
  Token var = tok;
  if (!expect(TokenKind::Identifier, "naming the loop variable") ||
      !expect(TokenKind::KwIn, "after the loop variable"))
    return nullptr;
  Expr *iterable = parseExpr();
  if (!iterable)
    return nullptr;
  if (consumeIf(TokenKind::DotDot)) {
    Expr *hi = parseExpr();
    if (!hi)
      return nullptr;
    iterable = program.make<RangeExpr>(
        SMRange(iterable->range.Start, hi->range.End), iterable, hi);
  }
  Block body;
  if (!parseBlock(body))
    return nullptr;
  return program.make<ForStmt>(rangeFrom(start), var.text, var.range(),
                               iterable, std::move(body));
}

Stmt *Parser::parseIf() {
  SMLoc start = tok.loc();
  advance();
  Expr *cond = parseExpr();
  Block thenBody, elseBody;
  if (!cond || !parseBlock(thenBody))
    return nullptr;
  if (consumeIf(TokenKind::KwElse)) {
    if (tok.is(TokenKind::KwIf)) {
      DepthGuard guard(depth);
      if (depth > kMaxDepth) {
        diags.error(tok.range(), "'else if' chain too long");
        return nullptr;
      }
      Stmt *nested = parseIf();
      if (!nested)
        return nullptr;
      elseBody.push_back(nested);
    } else if (!parseBlock(elseBody)) {
      return nullptr;
    }
  }
  return program.make<IfStmt>(rangeFrom(start), cond, std::move(thenBody),
                              std::move(elseBody));
}

Stmt *Parser::parseLog() {
  SMLoc start = tok.loc();
  advance();
  if (!tok.is(TokenKind::String)) {
    expect(TokenKind::String, "naming the metric");
    return nullptr;
  }
  StrLit *metric = parseString();
  if (!metric || !expect(TokenKind::Assign, "after the metric's name"))
    return nullptr;
  Expr *value = parseExpr();
  if (!value)
    return nullptr;
  std::vector<Argument> tags;
  while (consumeIf(TokenKind::Comma)) {
    Token name = tok;
    if (!expect(TokenKind::Identifier, "naming a tag") ||
        !expect(TokenKind::Assign, "after the tag's name"))
      return nullptr;
    Expr *tagValue = parseExpr();
    if (!tagValue)
      return nullptr;
    tags.push_back({name.text, name.range(), tagValue});
  }
  return program.make<LogStmt>(rangeFrom(start), metric, value,
                               std::move(tags));
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

Expr *Parser::parseExpr() {
  DepthGuard guard(depth);
  if (depth > kMaxDepth) {
    diags.error(tok.range(), "expression nested too deeply");
    return nullptr;
  }
  Expr *cond = parseOr();
  if (!cond || !tok.is(TokenKind::Question))
    return cond;
  advance();
  Expr *onTrue = parseExpr();
  if (!onTrue || !expect(TokenKind::Colon, "between the two choices of '?'"))
    return nullptr;
  Expr *onFalse = parseExpr();
  if (!onFalse)
    return nullptr;
  return program.make<Conditional>(SMRange(cond->range.Start, prevEnd), cond,
                                   onTrue, onFalse);
}

Expr *Parser::parseBinaryLevel(llvm::ArrayRef<OperatorEntry> ops,
                               Expr *(Parser::*next)()) {
  Expr *lhs = (this->*next)();
  // `a + b + c` nests to the left; each operator deepens the tree that the
  // checker later walks recursively, so it counts as nesting too.
  unsigned chain = 0;
  while (lhs) {
    const OperatorEntry *match = llvm::find_if(
        ops, [&](const OperatorEntry &e) { return tok.is(e.token); });
    if (match == ops.end())
      return lhs;
    if (depth + ++chain > kMaxDepth) {
      diags.error(tok.range(), "expression nested too deeply");
      return nullptr;
    }
    SMLoc opLoc = tok.loc();
    advance();
    Expr *rhs = (this->*next)();
    if (!rhs)
      return nullptr;
    lhs = program.make<Binary>(SMRange(lhs->range.Start, prevEnd), match->op,
                               opLoc, lhs, rhs);
  }
  return lhs;
}

Expr *Parser::parseOr() {
  static const OperatorEntry ops[] = {{TokenKind::KwOr, BinaryOp::Or}};
  return parseBinaryLevel(ops, &Parser::parseAnd);
}

Expr *Parser::parseAnd() {
  static const OperatorEntry ops[] = {{TokenKind::KwAnd, BinaryOp::And}};
  return parseBinaryLevel(ops, &Parser::parseNot);
}

Expr *Parser::parseNot() {
  return parsePrefix(TokenKind::KwNot, UnaryOp::Not, &Parser::parseNot,
                     &Parser::parseComparison);
}

Expr *Parser::parsePrefix(TokenKind prefix, UnaryOp op, Expr *(Parser::*self)(),
                          Expr *(Parser::*next)()) {
  if (!tok.is(prefix))
    return (this->*next)();
  SMLoc start = tok.loc();
  advance();
  DepthGuard guard(depth);
  if (depth > kMaxDepth) {
    diags.error(tok.range(), "expression nested too deeply");
    return nullptr;
  }
  Expr *operand = (this->*self)();
  if (!operand)
    return nullptr;
  return program.make<Unary>(rangeFrom(start), op, operand);
}

Expr *Parser::parseComparison() {
  static const OperatorEntry ops[] = {
      {TokenKind::EqEq, BinaryOp::Eq},    {TokenKind::NotEq, BinaryOp::Ne},
      {TokenKind::Less, BinaryOp::Lt},    {TokenKind::LessEq, BinaryOp::Le},
      {TokenKind::Greater, BinaryOp::Gt}, {TokenKind::GreaterEq, BinaryOp::Ge}};
  Expr *lhs = parseAdditive();
  if (!lhs)
    return nullptr;
  for (const OperatorEntry &e : ops) {
    if (!tok.is(e.token))
      continue;
    SMLoc opLoc = tok.loc();
    advance();
    Expr *rhs = parseAdditive();
    if (!rhs)
      return nullptr;
    for (const OperatorEntry &again : ops) {
      if (tok.is(again.token)) {
        diags.error(tok.range(), "comparisons do not chain; combine them "
                                 "with 'and'");
        return nullptr;
      }
    }
    return program.make<Binary>(SMRange(lhs->range.Start, prevEnd), e.op, opLoc,
                                lhs, rhs);
  }
  return lhs;
}

Expr *Parser::parseAdditive() {
  static const OperatorEntry ops[] = {{TokenKind::Plus, BinaryOp::Add},
                                      {TokenKind::Minus, BinaryOp::Sub}};
  return parseBinaryLevel(ops, &Parser::parseMultiplicative);
}

Expr *Parser::parseMultiplicative() {
  static const OperatorEntry ops[] = {{TokenKind::Star, BinaryOp::Mul},
                                      {TokenKind::Slash, BinaryOp::Div},
                                      {TokenKind::Percent, BinaryOp::Mod},
                                      {TokenKind::At, BinaryOp::MatMul}};
  return parseBinaryLevel(ops, &Parser::parseUnary);
}

Expr *Parser::parseUnary() {
  return parsePrefix(TokenKind::Minus, UnaryOp::Neg, &Parser::parseUnary,
                     &Parser::parsePostfix);
}

Expr *Parser::parsePostfix() {
  Expr *e = parsePrimary();
  unsigned chain = 0;
  while (e) {
    if ((tok.is(TokenKind::Dot) || tok.is(TokenKind::LParen) ||
         tok.is(TokenKind::LBracket)) &&
        depth + ++chain > kMaxDepth) {
      diags.error(tok.range(), "expression nested too deeply");
      return nullptr;
    }
    if (consumeIf(TokenKind::Dot)) {
      Token name = tok;
      if (!expect(TokenKind::Identifier, "after '.'"))
        return nullptr;
      e = program.make<Member>(SMRange(e->range.Start, prevEnd), e, name.text,
                               name.range());
    } else if (tok.is(TokenKind::LParen) && !startsLine()) {
      // A '(' starting a line begins a new expression, not a call.
      if (!llvm::isa<Name, Member>(e)) {
        diags.error(tok.range(), "only a name or a member can be called");
        return nullptr;
      }
      SMLoc open = tok.loc();
      std::vector<Argument> args;
      if (!parseCallArgs(args))
        return nullptr;
      auto *call = program.make<Call>(SMRange(e->range.Start, prevEnd), e,
                                      std::move(args));
      call->parenRange = rangeFrom(open);
      e = call;
    } else if (tok.is(TokenKind::LBracket) && !startsLine()) {
      // Likewise a '[' starting a line begins a list.
      advance();
      std::vector<Expr *> indices;
      do {
        Expr *index = parseExpr();
        if (!index)
          return nullptr;
        indices.push_back(index);
      } while (consumeIf(TokenKind::Comma));
      if (!expect(TokenKind::RBracket, "after the indices"))
        return nullptr;
      e = program.make<Index>(SMRange(e->range.Start, prevEnd), e,
                              std::move(indices));
    } else {
      return e;
    }
  }
  return e;
}

bool Parser::parseCallArgs(std::vector<Argument> &args) {
  SMLoc open = tok.loc();
  advance();
  while (!tok.is(TokenKind::RParen)) {
    Argument arg{};
    if (tok.is(TokenKind::Identifier) && lexer.nextIsAssign()) {
      arg.name = tok.text;
      arg.nameRange = tok.range();
      advance();
      advance();
    }
    if (!(arg.value = parseExpr()))
      return false;
    args.push_back(arg);
    if (!consumeIf(TokenKind::Comma))
      break;
  }
  if (!tok.is(TokenKind::RParen)) {
    if (!tok.is(TokenKind::Error)) {
      diags.error(missingLoc(), "expected ')' to end the arguments, found " +
                                    spelling(tok.kind));
      diags.note(open, "to match this '('");
    }
    return false;
  }
  advance();
  return true;
}

StrLit *Parser::parseString() {
  Token t = tok;
  advance();
  StringRef body = t.text.drop_front().drop_back();
  std::string value;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      value += body[i];
      continue;
    }
    char c = body[++i];
    switch (c) {
    case 'n':
      value += '\n';
      break;
    case 't':
      value += '\t';
      break;
    case '\\':
      value += '\\';
      break;
    case '"':
      value += '"';
      break;
    default:
      diags.error(SMLoc::getFromPointer(body.data() + i - 1),
                  "unknown escape sequence '\\" + StringRef(&c, 1) + "'");
      return nullptr;
    }
  }
  return program.make<StrLit>(t.range(), std::move(value));
}

Expr *Parser::parsePrimary() {
  Token t = tok;
  switch (t.kind) {
  case TokenKind::Integer: {
    advance();
    int64_t value;
    if (t.text.getAsInteger(10, value)) {
      diags.error(t.range(), "integer literal too large");
      return nullptr;
    }
    return program.make<IntLit>(t.range(), value);
  }
  case TokenKind::Float: {
    advance();
    double value;
    if (t.text.getAsDouble(value)) {
      diags.error(t.range(), "number out of range");
      return nullptr;
    }
    return program.make<FloatLit>(t.range(), value);
  }
  case TokenKind::String:
    return parseString();
  case TokenKind::KwTrue:
  case TokenKind::KwFalse:
    advance();
    return program.make<BoolLit>(t.range(), t.is(TokenKind::KwTrue));
  case TokenKind::Identifier:
    advance();
    return program.make<Name>(t.range(), t.text);
  case TokenKind::LParen: {
    advance();
    Expr *inner = parseExpr();
    if (!inner)
      return nullptr;
    if (!tok.is(TokenKind::RParen)) {
      if (!tok.is(TokenKind::Error)) {
        diags.error(missingLoc(), "expected ')', found " + spelling(tok.kind));
        diags.note(t.loc(), "to match this '('");
      }
      return nullptr;
    }
    advance();
    return inner;
  }
  case TokenKind::LBracket: {
    advance();
    std::vector<Expr *> elements;
    while (!tok.is(TokenKind::RBracket)) {
      Expr *e = parseExpr();
      if (!e)
        return nullptr;
      elements.push_back(e);
      if (!consumeIf(TokenKind::Comma))
        break;
    }
    if (!expect(TokenKind::RBracket, "to end the list"))
      return nullptr;
    return program.make<ListExpr>(rangeFrom(t.loc()), std::move(elements));
  }
  case TokenKind::Error:
    advance();
    return nullptr;
  default:
    diags.error(missingLoc(),
                "expected an expression, found " + spelling(t.kind));
    return nullptr;
  }
}

} // namespace kiln::lang
