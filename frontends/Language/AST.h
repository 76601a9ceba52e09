//===- AST.h - Syntax tree of a .kiln program -------------------*- C++ -*-===//
//
// Nodes are owned by their Program and carry the source range they were
// parsed from. Semantic analysis fills in each expression's type and what
// each name refers to; emission reads both.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_LANGUAGE_AST_H
#define KILN_FRONTENDS_LANGUAGE_AST_H

#include "frontends/Language/Types.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"

#include <memory>
#include <vector>

namespace kiln::lang {

struct Node {
  enum class Kind {
    // Expressions.
    IntLit,
    FloatLit,
    BoolLit,
    StrLit,
    Name,
    Member,
    Call,
    Unary,
    Binary,
    Conditional,
    Range,
    Index,
    List,
    // Statements.
    Let,
    Assign,
    ExprStmt,
    For,
    If,
    Minimize,
    Log,
    Checkpoint,
    // Declarations.
    Import,
    Const,
    Param,
    Layer,
    Fn,
    Model,
    Experiment,
  };
  const Kind kind;
  llvm::SMRange range;

  Node(Kind kind, llvm::SMRange range) : kind(kind), range(range) {}
  virtual ~Node() = default;
  llvm::SMLoc loc() const { return range.Start; }
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

struct Expr : Node {
  /// Set by semantic analysis.
  Type type;
  using Node::Node;
  static bool classof(const Node *n) { return n->kind <= Kind::List; }
};

struct IntLit : Expr {
  int64_t value;
  IntLit(llvm::SMRange r, int64_t value)
      : Expr(Kind::IntLit, r), value(value) {}
  static bool classof(const Node *n) { return n->kind == Kind::IntLit; }
};

struct FloatLit : Expr {
  double value;
  FloatLit(llvm::SMRange r, double value)
      : Expr(Kind::FloatLit, r), value(value) {}
  static bool classof(const Node *n) { return n->kind == Kind::FloatLit; }
};

struct BoolLit : Expr {
  bool value;
  BoolLit(llvm::SMRange r, bool value) : Expr(Kind::BoolLit, r), value(value) {}
  static bool classof(const Node *n) { return n->kind == Kind::BoolLit; }
};

struct StrLit : Expr {
  /// Unescaped contents, without the quotes.
  std::string value;
  StrLit(llvm::SMRange r, std::string value)
      : Expr(Kind::StrLit, r), value(std::move(value)) {}
  static bool classof(const Node *n) { return n->kind == Kind::StrLit; }
  /// Where the contents start in the source (just after the quote).
  const char *contentStart() const { return range.Start.getPointer() + 1; }
};

struct Name : Expr {
  llvm::StringRef name;
  /// The declaration it names, if any (params, layers, functions, models,
  /// lets); null for builtins and arguments.
  const Node *decl = nullptr;
  Name(llvm::SMRange r, llvm::StringRef name)
      : Expr(Kind::Name, r), name(name) {}
  static bool classof(const Node *n) { return n->kind == Kind::Name; }
};

struct Member : Expr {
  Expr *base;
  llvm::StringRef name;
  llvm::SMRange nameRange;
  Member(llvm::SMRange r, Expr *base, llvm::StringRef name,
         llvm::SMRange nameRange)
      : Expr(Kind::Member, r), base(base), name(name), nameRange(nameRange) {}
  static bool classof(const Node *n) { return n->kind == Kind::Member; }
};

/// `name = value` or `value` in a call's argument list.
struct Argument {
  llvm::StringRef name; // empty when positional
  llvm::SMRange nameRange;
  Expr *value;
};

struct FnDecl;

struct Call : Expr {
  Expr *callee; // a Name or a Member
  std::vector<Argument> args;
  llvm::SMRange parenRange;
  /// Set by semantic analysis: the user function called, if any, and the
  /// arguments in parameter order (defaults filled in for builtins).
  const FnDecl *fn = nullptr;
  Call(llvm::SMRange r, Expr *callee, std::vector<Argument> args)
      : Expr(Kind::Call, r), callee(callee), args(std::move(args)) {}
  static bool classof(const Node *n) { return n->kind == Kind::Call; }
};

enum class UnaryOp { Neg, Not };

struct Unary : Expr {
  UnaryOp op;
  Expr *operand;
  Unary(llvm::SMRange r, UnaryOp op, Expr *operand)
      : Expr(Kind::Unary, r), op(op), operand(operand) {}
  static bool classof(const Node *n) { return n->kind == Kind::Unary; }
};

enum class BinaryOp {
  Or,
  And,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  MatMul,
};
llvm::StringRef spelling(BinaryOp op);

struct Binary : Expr {
  BinaryOp op;
  llvm::SMLoc opLoc;
  Expr *lhs, *rhs;
  Binary(llvm::SMRange r, BinaryOp op, llvm::SMLoc opLoc, Expr *lhs, Expr *rhs)
      : Expr(Kind::Binary, r), op(op), opLoc(opLoc), lhs(lhs), rhs(rhs) {}
  static bool classof(const Node *n) { return n->kind == Kind::Binary; }
};

struct Conditional : Expr {
  Expr *cond, *onTrue, *onFalse;
  Conditional(llvm::SMRange r, Expr *cond, Expr *onTrue, Expr *onFalse)
      : Expr(Kind::Conditional, r), cond(cond), onTrue(onTrue),
        onFalse(onFalse) {}
  static bool classof(const Node *n) { return n->kind == Kind::Conditional; }
};

struct RangeExpr : Expr {
  Expr *lo, *hi;
  RangeExpr(llvm::SMRange r, Expr *lo, Expr *hi)
      : Expr(Kind::Range, r), lo(lo), hi(hi) {}
  static bool classof(const Node *n) { return n->kind == Kind::Range; }
};

/// `base[i, j]`: one element of a tensor the experiment holds.
struct Index : Expr {
  Expr *base;
  std::vector<Expr *> indices;
  Index(llvm::SMRange r, Expr *base, std::vector<Expr *> indices)
      : Expr(Kind::Index, r), base(base), indices(std::move(indices)) {}
  static bool classof(const Node *n) { return n->kind == Kind::Index; }
};

struct ListExpr : Expr {
  std::vector<Expr *> elements;
  ListExpr(llvm::SMRange r, std::vector<Expr *> elements)
      : Expr(Kind::List, r), elements(std::move(elements)) {}
  static bool classof(const Node *n) { return n->kind == Kind::List; }
};

//===----------------------------------------------------------------------===//
// Types as written
//===----------------------------------------------------------------------===//

/// `f32[B, 784]`, `f32`, `int`, or `"a" | "b"`.
struct TypeExpr {
  llvm::SMRange range;
  llvm::StringRef name; // empty for a union of strings
  bool hasShape = false;
  std::vector<Expr *> dims;
  std::vector<StrLit *> choices;
  /// `in [low, high]` after an int or float hyper-parameter's type.
  Expr *low = nullptr, *high = nullptr;
};

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

struct Stmt : Node {
  using Node::Node;
  static bool classof(const Node *n) {
    return n->kind >= Kind::Let && n->kind <= Kind::Checkpoint;
  }
};

using Block = std::vector<Stmt *>;

struct LetStmt : Stmt {
  bool isVar;
  llvm::StringRef name;
  llvm::SMRange nameRange;
  Expr *value;
  LetStmt(llvm::SMRange r, bool isVar, llvm::StringRef name,
          llvm::SMRange nameRange, Expr *value)
      : Stmt(Kind::Let, r), isVar(isVar), name(name), nameRange(nameRange),
        value(value) {}
  static bool classof(const Node *n) { return n->kind == Kind::Let; }
};

struct AssignStmt : Stmt {
  Name *target;
  Expr *value;
  AssignStmt(llvm::SMRange r, Name *target, Expr *value)
      : Stmt(Kind::Assign, r), target(target), value(value) {}
  static bool classof(const Node *n) { return n->kind == Kind::Assign; }
};

struct ExprStmt : Stmt {
  Expr *expr;
  ExprStmt(llvm::SMRange r, Expr *expr) : Stmt(Kind::ExprStmt, r), expr(expr) {}
  static bool classof(const Node *n) { return n->kind == Kind::ExprStmt; }
};

struct ForStmt : Stmt {
  llvm::StringRef var;
  llvm::SMRange varRange;
  Expr *iterable; // a RangeExpr or an expression of type Batches
  Block body;
  ForStmt(llvm::SMRange r, llvm::StringRef var, llvm::SMRange varRange,
          Expr *iterable, Block body)
      : Stmt(Kind::For, r), var(var), varRange(varRange), iterable(iterable),
        body(std::move(body)) {}
  static bool classof(const Node *n) { return n->kind == Kind::For; }
};

struct IfStmt : Stmt {
  Expr *cond;
  Block thenBody, elseBody;
  IfStmt(llvm::SMRange r, Expr *cond, Block thenBody, Block elseBody)
      : Stmt(Kind::If, r), cond(cond), thenBody(std::move(thenBody)),
        elseBody(std::move(elseBody)) {}
  static bool classof(const Node *n) { return n->kind == Kind::If; }
};

struct MinimizeStmt : Stmt {
  Expr *loss;
  Expr *optimizer;
  MinimizeStmt(llvm::SMRange r, Expr *loss, Expr *optimizer)
      : Stmt(Kind::Minimize, r), loss(loss), optimizer(optimizer) {}
  static bool classof(const Node *n) { return n->kind == Kind::Minimize; }
};

struct LogStmt : Stmt {
  StrLit *metric; // may hold `{name}` holes
  Expr *value;
  std::vector<Argument> tags;
  LogStmt(llvm::SMRange r, StrLit *metric, Expr *value,
          std::vector<Argument> tags)
      : Stmt(Kind::Log, r), metric(metric), value(value),
        tags(std::move(tags)) {}
  static bool classof(const Node *n) { return n->kind == Kind::Log; }
};

struct CheckpointStmt : Stmt {
  StrLit *label; // optional
  CheckpointStmt(llvm::SMRange r, StrLit *label)
      : Stmt(Kind::Checkpoint, r), label(label) {}
  static bool classof(const Node *n) { return n->kind == Kind::Checkpoint; }
};

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

struct Decl : Node {
  llvm::StringRef name;
  llvm::SMRange nameRange;
  Decl(Kind kind, llvm::SMRange r, llvm::StringRef name,
       llvm::SMRange nameRange)
      : Node(kind, r), name(name), nameRange(nameRange) {}
  static bool classof(const Node *n) { return n->kind >= Kind::Import; }
};

struct ImportDecl : Decl {
  StrLit *path;
  ImportDecl(llvm::SMRange r, StrLit *path)
      : Decl(Kind::Import, r, "", r), path(path) {}
  static bool classof(const Node *n) { return n->kind == Kind::Import; }
};

struct ConstDecl : Decl {
  Expr *value;
  ConstDecl(llvm::SMRange r, llvm::StringRef name, llvm::SMRange nameRange,
            Expr *value)
      : Decl(Kind::Const, r, name, nameRange), value(value) {}
  static bool classof(const Node *n) { return n->kind == Kind::Const; }
};

/// `param w: f32[in, out] = glorot` in a model; also an argument of a fn,
/// a model or an experiment (`lr: float = 1e-3`), where `init` is the default.
struct ParamDecl : Decl {
  TypeExpr type;
  Expr *init; // may be null
  /// Set by semantic analysis.
  Type resolved;
  ParamDecl(llvm::SMRange r, llvm::StringRef name, llvm::SMRange nameRange,
            TypeExpr type, Expr *init)
      : Decl(Kind::Param, r, name, nameRange), type(std::move(type)),
        init(init) {}
  static bool classof(const Node *n) { return n->kind == Kind::Param; }
};

/// `layer l1 = Linear(784, 256)` in a model.
struct LayerDecl : Decl {
  Call *init;
  Type resolved;
  LayerDecl(llvm::SMRange r, llvm::StringRef name, llvm::SMRange nameRange,
            Call *init)
      : Decl(Kind::Layer, r, name, nameRange), init(init) {}
  static bool classof(const Node *n) { return n->kind == Kind::Layer; }
};

struct FnDecl : Decl {
  std::vector<ParamDecl *> params;
  TypeExpr result;
  Block body; // lets, then one ExprStmt: the result
  const ModelDecl *owner = nullptr;
  /// Its body had syntax errors: its result is not checked, to avoid
  /// reporting the same mistake twice.
  bool malformed = false;
  /// Set by semantic analysis.
  Type resultType;
  FnDecl(llvm::SMRange r, llvm::StringRef name, llvm::SMRange nameRange)
      : Decl(Kind::Fn, r, name, nameRange) {}
  static bool classof(const Node *n) { return n->kind == Kind::Fn; }
};

struct ModelDecl : Decl {
  std::vector<ParamDecl *> args;
  std::vector<Decl *> members; // ParamDecl, LayerDecl, FnDecl
  /// Set by semantic analysis: the symbol standing for each argument.
  Shape argDims;
  ModelDecl(llvm::SMRange r, llvm::StringRef name, llvm::SMRange nameRange)
      : Decl(Kind::Model, r, name, nameRange) {}
  static bool classof(const Node *n) { return n->kind == Kind::Model; }
  const Decl *findMember(llvm::StringRef name) const;
};

struct ExperimentDecl : Decl {
  std::vector<ParamDecl *> hyperParams;
  Block body;
  ExperimentDecl(llvm::SMRange r, llvm::StringRef name, llvm::SMRange nameRange)
      : Decl(Kind::Experiment, r, name, nameRange) {}
  static bool classof(const Node *n) { return n->kind == Kind::Experiment; }
};

/// All declarations of a file and of the files it imports, imports first.
class Program {
public:
  template <typename T, typename... Args> T *make(Args &&...args) {
    auto node = std::make_unique<T>(std::forward<Args>(args)...);
    T *raw = node.get();
    nodes.push_back(std::move(node));
    return raw;
  }
  std::vector<Decl *> decls;

private:
  std::vector<std::unique_ptr<Node>> nodes;
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANGUAGE_AST_H
