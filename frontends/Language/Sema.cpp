//===- Sema.cpp - Declarations, signatures and types ----------------------===//

#include "frontends/Language/Sema.h"

#include <limits>

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"

#include <functional>

namespace kiln::lang {

using llvm::SMRange;
using llvm::StringRef;

bool Sema::check() {
  unsigned before = diags.errorCount();
  collectGlobals();
  for (Decl *d : program.decls)
    if (auto *c = llvm::dyn_cast<ConstDecl>(d))
      checkConst(c);
  for (Decl *d : program.decls)
    if (auto *m = llvm::dyn_cast<ModelDecl>(d))
      declareModelArgs(m);
  for (Decl *d : program.decls)
    if (auto *m = llvm::dyn_cast<ModelDecl>(d))
      checkModelMembers(m);
  checkModelCycles();
  // Every signature first: bodies call functions declared after them.
  std::vector<FnDecl *> fns = allFunctions();
  for (FnDecl *fn : fns)
    checkFnSignature(fn);
  for (FnDecl *fn : fns)
    checkFnBody(fn);
  checkRecursion();
  for (Decl *d : program.decls)
    if (auto *e = llvm::dyn_cast<ExperimentDecl>(d))
      checkExperiment(e);
  return diags.errorCount() == before;
}

std::vector<FnDecl *> Sema::allFunctions() const {
  std::vector<FnDecl *> fns;
  for (Decl *d : program.decls) {
    if (auto *f = llvm::dyn_cast<FnDecl>(d))
      fns.push_back(f);
    if (auto *m = llvm::dyn_cast<ModelDecl>(d))
      for (Decl *member : m->members)
        if (auto *f = llvm::dyn_cast<FnDecl>(member))
          fns.push_back(f);
  }
  return fns;
}

std::optional<int64_t> Sema::symbolDefault(int64_t symbol) const {
  auto it = hyperDefaults.find(symbol);
  if (it == hyperDefaults.end())
    return std::nullopt;
  return it->second;
}

std::optional<std::pair<int64_t, int64_t>>
Sema::symbolSum(int64_t symbol) const {
  auto it = sums.find(symbol);
  if (it == sums.end())
    return std::nullopt;
  return it->second;
}

void Sema::collectGlobals() {
  for (Decl *d : program.decls) {
    if (llvm::isa<ImportDecl>(d))
      continue;
    auto [it, inserted] = globals.try_emplace(d->name, d);
    if (!inserted) {
      diags.error(d->nameRange, "'" + d->name + "' is already defined");
      diags.note(it->second->nameRange, "previous definition is here");
    }
  }
}

void Sema::checkConst(ConstDecl *decl) {
  Type t = checkExpr(decl->value);
  if (t.isError())
    return;
  if (t.kind != TypeKind::Int || !t.value || isSymbol(*t.value)) {
    diags.error(decl->value->range,
                "a constant must be an integer known at compile time");
    return;
  }
  constInts[decl->name] = *t.value;
}

void Sema::declareModelArgs(ModelDecl *model) {
  for (ParamDecl *arg : model->args) {
    StringRef typeName = arg->type.name;
    if (typeName == "int") {
      int64_t symbol = symbols.create(arg->name);
      model->argDims.push_back(symbol);
      arg->resolved = Type::integer(symbol);
    } else {
      // Only int arguments size tensors; others hold a placeholder.
      model->argDims.push_back(0);
      arg->resolved = resolveType(arg->type, false);
      if (!arg->resolved.isError() && arg->resolved.kind != TypeKind::Float &&
          arg->resolved.kind != TypeKind::Bool)
        diags.error(arg->type.range, "a model argument is an int, a float "
                                     "or a bool");
    }
  }
}

void Sema::checkModelMembers(ModelDecl *model) {
  currentModel = model;
  llvm::StringMap<const Decl *> seen;
  for (ParamDecl *arg : model->args)
    seen.try_emplace(arg->name, arg);
  for (Decl *member : model->members) {
    auto [it, inserted] = seen.try_emplace(member->name, member);
    if (!inserted) {
      diags.error(member->nameRange, "'" + member->name +
                                         "' is already defined in model '" +
                                         model->name + "'");
      diags.note(it->second->nameRange, "previous definition is here");
    }
    if (auto *param = llvm::dyn_cast<ParamDecl>(member)) {
      param->resolved = resolveType(param->type, false);
      if (!param->resolved.isError() && !param->resolved.isTensor()) {
        diags.error(param->type.range,
                    "a parameter is a tensor, as in 'f32[784, 256]'");
        param->resolved = Type::error();
      } else if (!param->resolved.isError() &&
                 !isFloat(param->resolved.dtype)) {
        diags.error(param->type.range, "a trained parameter needs a float "
                                       "dtype, not " +
                                           dtypeName(param->resolved.dtype));
      }
      Type init = checkExpr(param->init);
      if (!init.isError() && init.kind != TypeKind::Initializer)
        diags.error(param->init->range,
                    "expected an initializer (zeros, ones, normal(std), "
                    "uniform(low, high), glorot, kaiming), found " +
                        str(init));
    } else if (auto *layer = llvm::dyn_cast<LayerDecl>(member)) {
      layer->resolved = checkExpr(layer->init);
      if (!layer->resolved.isError() &&
          layer->resolved.kind != TypeKind::Model) {
        diags.error(layer->init->range,
                    "a layer is an instance of a model, found " +
                        str(layer->resolved));
        layer->resolved = Type::error();
      }
    }
  }
  currentModel = nullptr;
}

void Sema::checkModelCycles() {
  // Depth-first search over "has a layer of"; a model on the stack again is
  // a cycle, which would make the model infinitely large.
  enum class State { Unvisited, Active, Done };
  llvm::DenseMap<const ModelDecl *, State> state;
  std::function<bool(const ModelDecl *)> visit = [&](const ModelDecl *m) {
    State &s = state[m];
    if (s == State::Done)
      return true;
    if (s == State::Active)
      return false;
    s = State::Active;
    for (const Decl *member : m->members) {
      const auto *layer = llvm::dyn_cast<LayerDecl>(member);
      if (!layer || layer->resolved.kind != TypeKind::Model)
        continue;
      if (!visit(layer->resolved.model)) {
        if (state[m] == State::Active)
          diags.error(layer->init->range, "model '" + m->name +
                                              "' contains itself through "
                                              "layer '" +
                                              layer->name + "'");
        state[m] = State::Done;
        return false;
      }
    }
    state[m] = State::Done;
    return true;
  };
  for (Decl *d : program.decls)
    if (auto *m = llvm::dyn_cast<ModelDecl>(d))
      visit(m);
}

void Sema::checkRecursion() {
  // Graph functions are inlined into one dataflow graph, so a call cycle
  // would never end.
  enum class State { Unvisited, Active, Done };
  llvm::DenseMap<const FnDecl *, State> state;
  std::function<void(const FnDecl *)> visit = [&](const FnDecl *fn) {
    state[fn] = State::Active;
    for (const FnDecl *callee : calls.lookup(fn)) {
      State s = state.lookup(callee);
      if (s == State::Active) {
        diags.error(fn->nameRange, "'" + fn->name + "' calls '" + callee->name +
                                       "' recursively; "
                                       "functions cannot recurse");
        if (callee != fn)
          diags.note(callee->nameRange,
                     "'" + callee->name + "' is declared here");
      } else if (s == State::Unvisited) {
        visit(callee);
      }
    }
    state[fn] = State::Done;
  };
  for (const FnDecl *fn : allFunctions())
    if (state.lookup(fn) == State::Unvisited)
      visit(fn);
}

void Sema::checkFnSignature(FnDecl *fn) {
  currentModel = fn->owner;
  llvm::StringMap<int64_t> &dims = fnDimSymbols[fn];
  fnDims = &dims;
  llvm::StringMap<const ParamDecl *> seen;
  for (ParamDecl *p : fn->params) {
    auto [it, inserted] = seen.try_emplace(p->name, p);
    if (!inserted) {
      diags.error(p->nameRange, "argument '" + p->name + "' is repeated");
      diags.note(it->second->nameRange, "previous argument is here");
    }
    p->resolved = resolveType(p->type, true);
  }
  // The result may not introduce symbols: every dimension of it must follow
  // from the arguments.
  size_t symbolsBefore = dims.size();
  fn->resultType = resolveType(fn->result, true);
  if (dims.size() != symbolsBefore) {
    diags.error(fn->result.range,
                "the result shape of '" + fn->name +
                    "' uses a dimension no argument determines");
    fn->resultType = Type::error();
  }
  fnDims = nullptr;
  currentModel = nullptr;
}

void Sema::checkFnBody(FnDecl *fn) {
  currentModel = fn->owner;
  currentFn = fn;
  fnDims = &fnDimSymbols[fn];
  pushScope();
  for (ParamDecl *p : fn->params)
    declareLocal(p->name, p->nameRange, {p->resolved, p, false});
  Type result = Type::error();
  const Expr *resultExpr = nullptr;
  for (auto [i, s] : llvm::enumerate(fn->body)) {
    bool last = i + 1 == fn->body.size();
    if (auto *let = llvm::dyn_cast<LetStmt>(s); let && !let->isVar) {
      checkStmt(let);
      if (last && !fn->malformed)
        diags.error(let->range, "a function body ends with its result "
                                "expression, not a 'let'");
    } else if (auto *es = llvm::dyn_cast<ExprStmt>(s); es && last) {
      resultExpr = es->expr;
      result = checkExpr(es->expr);
    } else {
      diags.error(s->range, "a function body holds 'let' bindings and ends "
                            "with its result expression");
    }
  }
  if (fn->body.empty() && !fn->malformed)
    diags.error(fn->range.End, "'" + fn->name + "' has no result expression");
  if (resultExpr && !result.isError() && !fn->resultType.isError()) {
    Type r = asTensor(result);
    const Type &want = fn->resultType;
    // A weak literal result adapts, but a float never becomes an integer.
    bool dtypeOk = r.weak ? isFloat(r.dtype) <= isFloat(want.dtype)
                          : r.dtype == want.dtype;
    if (!r.isTensor() || !dtypeOk || r.shape != want.shape) {
      diags.error(resultExpr->range, "'" + fn->name + "' returns " +
                                         str(result) +
                                         ", but its declared "
                                         "result type is " +
                                         str(want));
      diags.note(fn->result.range, "result type declared here");
    }
  }
  popScope();
  fnDims = nullptr;
  currentFn = nullptr;
  currentModel = nullptr;
}

/// The value of a range bound: a number literal, possibly negated, or inf.
static std::optional<double> boundValue(const Expr *e) {
  if (const auto *i = llvm::dyn_cast<IntLit>(e))
    return double(i->value);
  if (const auto *f = llvm::dyn_cast<FloatLit>(e))
    return f->value;
  if (const auto *n = llvm::dyn_cast<Name>(e); n && n->name == "inf")
    return std::numeric_limits<double>::infinity();
  if (const auto *u = llvm::dyn_cast<Unary>(e); u && u->op == UnaryOp::Neg)
    if (std::optional<double> inner = boundValue(u->operand))
      return -*inner;
  return std::nullopt;
}

Type Sema::resolveType(const TypeExpr &type, bool allowNewSymbols,
                       bool hyperParam) {
  if (type.low) {
    Type t = resolveType(TypeExpr{type.range, type.name, type.hasShape,
                                  type.dims, type.choices, nullptr, nullptr},
                         allowNewSymbols, hyperParam);
    if (t.isError())
      return t;
    if (!hyperParam || (t.kind != TypeKind::Int && t.kind != TypeKind::Float) ||
        t.isTensor()) {
      diags.error(type.low->range, "only an experiment's int and float "
                                   "hyper-parameters take a range");
      return Type::error();
    }
    std::optional<double> low = boundValue(type.low),
                          high = boundValue(type.high);
    for (auto [bound, value] : {std::pair{type.low, low}, {type.high, high}})
      if (!value) {
        diags.error(bound->range, "a bound of a range is a number or "
                                  "'inf', as in 'in [0, inf]'");
        return Type::error();
      }
    if (!(*low <= *high)) {
      diags.error(type.low->range, "the range is empty: its low bound is "
                                   "above its high bound");
      return Type::error();
    }
    t.bounds = {*low, *high};
    return t;
  }
  if (type.name.empty()) {
    Type t = Type::of(TypeKind::Str);
    for (StrLit *c : type.choices)
      t.choices.push_back(c->value);
    return t;
  }
  if (type.name == "bool" && !type.hasShape)
    return Type::of(TypeKind::Bool);
  if (!type.hasShape) {
    if (type.name == "int")
      return Type::of(TypeKind::Int);
    if (type.name == "float")
      return Type::of(TypeKind::Float);
    if (type.name == "str")
      return Type::of(TypeKind::Str);
  }
  std::optional<DType> dtype =
      type.name == "bool" ? std::optional(DType::I1) : parseDType(type.name);
  if (!dtype) {
    diags.error(
        SMRange(type.range.Start, llvm::SMLoc::getFromPointer(type.name.end())),
        "unknown type '" + type.name +
            "'; expected int, float, bool, str or a tensor type such "
            "as f32[B, 784]");
    return Type::error();
  }
  Shape shape;
  bool ok = true;
  for (Expr *dim : type.dims) {
    std::optional<int64_t> d = resolveDim(dim, allowNewSymbols);
    ok &= d.has_value();
    shape.push_back(d.value_or(1));
  }
  if (!ok)
    return Type::error();
  return Type::tensor(*dtype, std::move(shape));
}

std::optional<int64_t> Sema::resolveDim(Expr *dim, bool allowNewSymbols) {
  if (auto *name = llvm::dyn_cast<Name>(dim)) {
    if (fnDims) {
      auto it = fnDims->find(name->name);
      if (it != fnDims->end())
        return it->second;
    }
    bool known = (currentModel && llvm::any_of(currentModel->args,
                                               [&](const ParamDecl *a) {
                                                 return a->name == name->name;
                                               })) ||
                 globals.count(name->name);
    // An unknown capitalized name is a new symbol (`B`); an unknown
    // lowercase name is more likely a typo than a new dimension.
    if (!known && allowNewSymbols && fnDims && llvm::isUpper(name->name[0])) {
      int64_t symbol = symbols.create(name->name);
      (*fnDims)[name->name] = symbol;
      return symbol;
    }
    if (!known) {
      diags.error(name->range,
                  "unknown dimension '" + name->name + "'" +
                      (allowNewSymbols && fnDims
                           ? "; a new symbolic dimension starts with a "
                             "capital letter, as in 'B'"
                           : ""));
      return std::nullopt;
    }
  }
  Type t = checkExpr(dim);
  if (t.isError())
    return std::nullopt;
  if (t.kind != TypeKind::Int || !t.value) {
    diags.error(dim->range, "a dimension is an integer known at compile time "
                            "or a symbol, found " +
                                str(t));
    return std::nullopt;
  }
  if (!isSymbol(*t.value) && (*t.value < 1 || *t.value >= kMaxStaticDim)) {
    diags.error(dim->range, "dimension " + std::to_string(*t.value) +
                                " is out of range [1, 2^40)");
    return std::nullopt;
  }
  return *t.value;
}

void Sema::declareLocal(StringRef name, SMRange range, Local local) {
  auto [it, inserted] = scopes.back().try_emplace(name, local);
  if (!inserted) {
    diags.error(range, "'" + name + "' is already defined in this scope");
    if (it->second.decl)
      diags.note(it->second.decl->range, "previous definition is here");
  }
}

Sema::Local *Sema::lookupLocal(StringRef name) {
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    auto found = it->find(name);
    if (found != it->end())
      return &found->second;
  }
  return nullptr;
}

Shape Sema::substitute(llvm::ArrayRef<int64_t> shape,
                       const DimBindings &bindings) const {
  Shape out;
  for (int64_t d : shape) {
    auto it = bindings.find(d);
    out.push_back(it == bindings.end() ? d : it->second);
  }
  return out;
}

Type Sema::substitute(const Type &type, const DimBindings &bindings) const {
  Type out = type;
  out.shape = substitute(type.shape, bindings);
  out.modelDims = substitute(type.modelDims, bindings);
  if (out.value)
    out.value = substitute(llvm::ArrayRef<int64_t>(*type.value), bindings)[0];
  return out;
}

} // namespace kiln::lang
