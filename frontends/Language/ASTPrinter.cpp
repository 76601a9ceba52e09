//===- ASTPrinter.cpp - Text dump of a checked .kiln program --------------===//

#include "frontends/Language/ASTPrinter.h"

namespace kiln::lang {

namespace {

class Printer {
public:
  Printer(const llvm::SourceMgr &sourceMgr, const SymbolTable &symbols,
          llvm::raw_ostream &os)
      : sourceMgr(sourceMgr), symbols(symbols), os(os) {}

  void decl(const Decl *d);

private:
  /// Starts a line: indentation, the label, the location.
  llvm::raw_ostream &line(const Node *n, const llvm::Twine &label) {
    os.indent(2 * depth) << label;
    auto [l, c] = sourceMgr.getLineAndColumn(n->loc());
    return os << " <" << l << ":" << c << ">";
  }
  void typeExpr(const TypeExpr &t);
  void expr(const Expr *e, llvm::StringRef role = "");
  void stmt(const Stmt *s);
  void block(const Block &b) {
    ++depth;
    for (const Stmt *s : b)
      stmt(s);
    --depth;
  }

  const llvm::SourceMgr &sourceMgr;
  const SymbolTable &symbols;
  llvm::raw_ostream &os;
  unsigned depth = 0;
};

} // namespace

void Printer::typeExpr(const TypeExpr &t) {
  if (t.name.empty()) {
    for (auto [i, c] : llvm::enumerate(t.choices))
      os << (i ? " | " : "") << '"' << c->value << '"';
    return;
  }
  os << t.name;
  if (!t.hasShape)
    return;
  os << "[";
  for (auto [i, d] : llvm::enumerate(t.dims)) {
    llvm::StringRef text(d->range.Start.getPointer(),
                         d->range.End.getPointer() -
                             d->range.Start.getPointer());
    os << (i ? ", " : "") << text;
  }
  os << "]";
}

void Printer::expr(const Expr *e, llvm::StringRef role) {
  std::string label = role.empty() ? "" : (role + ": ").str();
  switch (e->kind) {
  case Node::Kind::IntLit:
    line(e, label + "Int " + std::to_string(llvm::cast<IntLit>(e)->value));
    break;
  case Node::Kind::FloatLit:
    line(e, label + "Float") << " " << llvm::cast<FloatLit>(e)->value;
    break;
  case Node::Kind::BoolLit:
    line(e,
         label + (llvm::cast<BoolLit>(e)->value ? "Bool true" : "Bool false"));
    break;
  case Node::Kind::StrLit:
    line(e, label + "Str \"" + llvm::cast<StrLit>(e)->value + "\"");
    break;
  case Node::Kind::Name:
    line(e, label + "Name " + llvm::cast<Name>(e)->name);
    break;
  case Node::Kind::Member:
    line(e, label + "Member ." + llvm::cast<Member>(e)->name);
    break;
  case Node::Kind::Call:
    line(e, label + "Call");
    break;
  case Node::Kind::Unary:
    line(e, label + (llvm::cast<Unary>(e)->op == UnaryOp::Neg ? "Unary -"
                                                              : "Unary not"));
    break;
  case Node::Kind::Binary:
    line(e, label + "Binary " + spelling(llvm::cast<Binary>(e)->op));
    break;
  case Node::Kind::Conditional:
    line(e, label + "Conditional");
    break;
  case Node::Kind::Range:
    line(e, label + "Range");
    break;
  case Node::Kind::Index:
    line(e, label + "Index");
    break;
  case Node::Kind::List:
    line(e, label + "List");
    break;
  default:
    break;
  }
  if (!e->type.isError())
    os << " : " << symbols.formatType(e->type);
  os << "\n";
  ++depth;
  if (auto *m = llvm::dyn_cast<Member>(e)) {
    expr(m->base);
  } else if (auto *c = llvm::dyn_cast<Call>(e)) {
    expr(c->callee, "callee");
    for (const Argument &a : c->args)
      expr(a.value, a.name);
  } else if (auto *u = llvm::dyn_cast<Unary>(e)) {
    expr(u->operand);
  } else if (auto *b = llvm::dyn_cast<Binary>(e)) {
    expr(b->lhs);
    expr(b->rhs);
  } else if (auto *c = llvm::dyn_cast<Conditional>(e)) {
    expr(c->cond, "if");
    expr(c->onTrue, "then");
    expr(c->onFalse, "else");
  } else if (auto *r = llvm::dyn_cast<RangeExpr>(e)) {
    expr(r->lo);
    expr(r->hi);
  } else if (auto *i = llvm::dyn_cast<Index>(e)) {
    expr(i->base);
    for (const Expr *x : i->indices)
      expr(x);
  } else if (auto *l = llvm::dyn_cast<ListExpr>(e)) {
    for (const Expr *x : l->elements)
      expr(x);
  }
  --depth;
}

void Printer::stmt(const Stmt *s) {
  // Each statement prints a header line, then its parts one level deeper.
  switch (s->kind) {
  case Node::Kind::ExprStmt:
    expr(llvm::cast<ExprStmt>(s)->expr);
    return;
  case Node::Kind::Let: {
    auto *let = llvm::cast<LetStmt>(s);
    line(s, (let->isVar ? "Var " : "Let ") + let->name) << "\n";
    ++depth;
    expr(let->value);
    break;
  }
  case Node::Kind::Assign: {
    auto *a = llvm::cast<AssignStmt>(s);
    line(s, "Assign " + a->target->name) << "\n";
    ++depth;
    expr(a->value);
    break;
  }
  case Node::Kind::For: {
    auto *f = llvm::cast<ForStmt>(s);
    line(s, "For " + f->var) << "\n";
    ++depth;
    expr(f->iterable, "in");
    block(f->body);
    break;
  }
  case Node::Kind::If: {
    auto *i = llvm::cast<IfStmt>(s);
    line(s, "If") << "\n";
    ++depth;
    expr(i->cond, "cond");
    block(i->thenBody);
    if (!i->elseBody.empty()) {
      os.indent(2 * depth) << "Else\n";
      block(i->elseBody);
    }
    break;
  }
  case Node::Kind::Minimize: {
    auto *m = llvm::cast<MinimizeStmt>(s);
    line(s, "Minimize") << "\n";
    ++depth;
    expr(m->loss, "loss");
    expr(m->optimizer, "using");
    break;
  }
  case Node::Kind::Log: {
    auto *l = llvm::cast<LogStmt>(s);
    line(s, "Log \"" + l->metric->value + "\"") << "\n";
    ++depth;
    expr(l->value);
    for (const Argument &t : l->tags)
      expr(t.value, "tag " + t.name.str());
    break;
  }
  case Node::Kind::Checkpoint: {
    auto *c = llvm::cast<CheckpointStmt>(s);
    line(s, "Checkpoint") << (c->label ? " \"" + c->label->value + "\"" : "")
                          << "\n";
    ++depth;
    break;
  }
  default:
    return;
  }
  --depth;
}

void Printer::decl(const Decl *d) {
  auto args = [&](llvm::StringRef kind, const std::vector<ParamDecl *> &ps) {
    ++depth;
    for (const ParamDecl *p : ps) {
      line(p, kind + " " + p->name) << ": ";
      typeExpr(p->type);
      os << "\n";
      if (p->init) {
        ++depth;
        expr(p->init, "default");
        --depth;
      }
    }
    --depth;
  };
  switch (d->kind) {
  case Node::Kind::Import:
    line(d, "Import \"" + llvm::cast<ImportDecl>(d)->path->value + "\"")
        << "\n";
    break;
  case Node::Kind::Const:
    line(d, "Const " + d->name) << "\n";
    ++depth;
    expr(llvm::cast<ConstDecl>(d)->value);
    --depth;
    break;
  case Node::Kind::Param: {
    auto *p = llvm::cast<ParamDecl>(d);
    line(d, "Param " + p->name) << ": ";
    typeExpr(p->type);
    os << "\n";
    ++depth;
    expr(p->init, "init");
    --depth;
    break;
  }
  case Node::Kind::Layer:
    line(d, "Layer " + d->name) << "\n";
    ++depth;
    expr(llvm::cast<LayerDecl>(d)->init);
    --depth;
    break;
  case Node::Kind::Fn: {
    auto *f = llvm::cast<FnDecl>(d);
    line(d, "Fn " + f->name) << " -> ";
    typeExpr(f->result);
    os << "\n";
    args("Arg", f->params);
    block(f->body);
    break;
  }
  case Node::Kind::Model: {
    auto *m = llvm::cast<ModelDecl>(d);
    line(d, "Model " + m->name) << "\n";
    args("Arg", m->args);
    ++depth;
    for (const Decl *member : m->members)
      decl(member);
    --depth;
    break;
  }
  case Node::Kind::Experiment: {
    auto *e = llvm::cast<ExperimentDecl>(d);
    line(d, "Experiment " + e->name) << "\n";
    args("HyperParam", e->hyperParams);
    block(e->body);
    break;
  }
  default:
    break;
  }
}

void printAST(const Program &program, const llvm::SourceMgr &sourceMgr,
              unsigned bufferId, const SymbolTable &symbols,
              llvm::raw_ostream &os) {
  Printer printer(sourceMgr, symbols, os);
  for (const Decl *d : program.decls)
    if (sourceMgr.FindBufferContainingLoc(d->loc()) == bufferId)
      printer.decl(d);
}

} // namespace kiln::lang
