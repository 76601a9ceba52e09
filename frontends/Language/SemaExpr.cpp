//===- SemaExpr.cpp - Types and shapes of expressions ---------------------===//

#include "frontends/Language/Sema.h"

#include "llvm/Support/MathExtras.h"

namespace kiln::lang {

using llvm::SMRange;
using llvm::StringRef;

static bool isInitializerName(StringRef name) {
  return name == "zeros" || name == "ones" || name == "glorot" ||
         name == "kaiming";
}

Type Sema::asTensor(const Type &t) {
  if (t.kind == TypeKind::Int)
    return Type::tensor(DType::I32, {}, /*weak=*/true);
  if (t.kind == TypeKind::Float)
    return Type::tensor(DType::F32, {}, /*weak=*/true);
  return t;
}

Type Sema::checkExpr(Expr *e) {
  Type t;
  switch (e->kind) {
  case Node::Kind::IntLit:
    t = Type::integer(llvm::cast<IntLit>(e)->value);
    break;
  case Node::Kind::FloatLit:
    t = Type::of(TypeKind::Float);
    break;
  case Node::Kind::BoolLit:
    t = Type::of(TypeKind::Bool);
    break;
  case Node::Kind::StrLit:
    t = Type::of(TypeKind::Str);
    break;
  case Node::Kind::Name:
    t = checkName(llvm::cast<Name>(e));
    break;
  case Node::Kind::Member:
    t = checkMember(llvm::cast<Member>(e));
    break;
  case Node::Kind::Call:
    t = checkCall(llvm::cast<Call>(e));
    break;
  case Node::Kind::Unary:
    t = checkUnary(llvm::cast<Unary>(e));
    break;
  case Node::Kind::Binary:
    t = checkBinary(llvm::cast<Binary>(e));
    break;
  case Node::Kind::Conditional:
    t = checkConditional(llvm::cast<Conditional>(e));
    break;
  case Node::Kind::Range:
    diags.error(e->range, "a range 'lo..hi' is only allowed in a 'for' loop");
    break;
  case Node::Kind::Index:
    t = checkIndex(llvm::cast<Index>(e));
    break;
  case Node::Kind::List:
    diags.error(e->range, "a list is only allowed as an argument of a "
                          "builtin, as in 'sum(x, axes = [1])'");
    break;
  default:
    break;
  }
  e->type = t;
  return t;
}

Type Sema::checkIndex(Index *e) {
  Type base = checkExpr(e->base);
  bool ok = !base.isError();
  for (Expr *index : e->indices)
    ok = !checkExpr(index).isError() && ok;
  if (!ok)
    return Type::error();
  if (!inExperiment) {
    diags.error(e->range, "indexing reads one element of a tensor an "
                          "experiment holds; a function computes with whole "
                          "tensors");
    return Type::error();
  }
  if (!base.isTensor()) {
    diags.error(e->base->range,
                "only a tensor can be indexed, found " + str(base));
    return Type::error();
  }
  if (e->indices.size() != base.shape.size()) {
    diags.error(e->range,
                "a tensor of rank " + std::to_string(base.shape.size()) +
                    " takes " + std::to_string(base.shape.size()) +
                    " indices, found " + std::to_string(e->indices.size()));
    return Type::error();
  }
  for (Expr *index : e->indices)
    if (!expectKind(index, TypeKind::Int, "an index"))
      return Type::error();
  // The element is a host number.
  if (isFloat(base.dtype))
    return Type::of(TypeKind::Float);
  return base.dtype == DType::I1 ? Type::of(TypeKind::Bool)
                                 : Type::integer(std::nullopt);
}

Type Sema::checkName(Name *e) {
  if (Local *local = lookupLocal(e->name)) {
    e->decl = local->decl;
    return local->type;
  }
  if (fnDims) {
    auto it = fnDims->find(e->name);
    if (it != fnDims->end())
      return Type::integer(it->second);
  }
  if (currentModel) {
    for (const ParamDecl *arg : currentModel->args) {
      if (arg->name == e->name) {
        e->decl = arg;
        return arg->resolved;
      }
    }
    if (const Decl *member = currentModel->findMember(e->name)) {
      e->decl = member;
      if (auto *p = llvm::dyn_cast<ParamDecl>(member))
        return p->resolved;
      if (auto *l = llvm::dyn_cast<LayerDecl>(member))
        return l->resolved;
      diags.error(e->range, "'" + e->name + "' is a function; call it");
      return Type::error();
    }
  }
  auto c = constInts.find(e->name);
  if (c != constInts.end())
    return Type::integer(c->second);
  auto g = globals.find(e->name);
  if (g != globals.end()) {
    e->decl = g->second;
    if (llvm::isa<ConstDecl>(g->second))
      return Type::error(); // its definition was reported
    if (llvm::isa<ModelDecl>(g->second))
      diags.error(e->range, "model '" + e->name +
                                "' must be called to "
                                "create an instance, as in '" +
                                e->name + "()'");
    else
      diags.error(e->range, "'" + e->name + "' is a function; call it");
    return Type::error();
  }
  if (isInitializerName(e->name))
    return Type::of(TypeKind::Initializer);
  diags.error(e->range, "unknown name '" + e->name + "'");
  return Type::error();
}

Type Sema::memberOfModel(const Type &model, StringRef name, SMRange range,
                         bool forCall) {
  const Decl *member = model.model->findMember(name);
  if (!member) {
    diags.error(range, "model '" + model.model->name + "' has no member '" +
                           name + "'");
    diags.note(model.model->nameRange,
               "model '" + model.model->name + "' is declared here");
    return Type::error();
  }
  DimBindings bindings;
  for (auto [formal, actual] : llvm::zip(model.model->argDims, model.modelDims))
    if (isSymbol(formal))
      bindings[formal] = actual;
  if (auto *p = llvm::dyn_cast<ParamDecl>(member))
    return substitute(p->resolved, bindings);
  if (auto *l = llvm::dyn_cast<LayerDecl>(member))
    return substitute(l->resolved, bindings);
  if (!forCall)
    diags.error(range, "'" + name + "' is a function; call it");
  return Type::error();
}

Type Sema::checkMember(Member *e) {
  Type base = checkExpr(e->base);
  switch (base.kind) {
  case TypeKind::Error:
    return base;
  case TypeKind::Model:
    return memberOfModel(base, e->name, e->nameRange, false);
  case TypeKind::Dataset: {
    const DatasetInfo::Field *field = base.dataset->find(e->name);
    if (!field) {
      std::string names;
      for (const DatasetInfo::Field &f : base.dataset->fields)
        names += (names.empty() ? "'" : ", '") + f.name + "'";
      diags.error(e->nameRange, "a dataset has no field '" + e->name +
                                    "'; its fields are " + names);
      return Type::error();
    }
    Shape shape{base.dataset->count};
    shape.append(field->shape.begin(), field->shape.end());
    return Type::tensor(field->dtype, std::move(shape));
  }
  default:
    diags.error(e->nameRange, "a value of type " + str(base) +
                                  " has no member '" + e->name + "'");
    return Type::error();
  }
}

Type Sema::checkUnary(Unary *e) {
  Type t = checkExpr(e->operand);
  if (t.isError())
    return t;
  if (e->op == UnaryOp::Not) {
    if (t.kind == TypeKind::Bool)
      return t;
    diags.error(e->operand->range, "'not' needs a bool, found " + str(t));
    return Type::error();
  }
  if (t.kind == TypeKind::Int) {
    if (t.value && !isSymbol(*t.value))
      t.value = -*t.value;
    else
      t.value.reset();
    return t;
  }
  if (t.kind == TypeKind::Float || t.isTensor())
    return t;
  diags.error(e->operand->range,
              "'-' needs a number or a tensor, found " + str(t));
  return Type::error();
}

/// Folds `a op b` on static integers; nullopt on overflow or division by 0.
static std::optional<int64_t> foldInt(BinaryOp op, int64_t a, int64_t b) {
  int64_t r;
  switch (op) {
  case BinaryOp::Add:
    return llvm::AddOverflow(a, b, r) ? std::nullopt : std::optional(r);
  case BinaryOp::Sub:
    return llvm::SubOverflow(a, b, r) ? std::nullopt : std::optional(r);
  case BinaryOp::Mul:
    return llvm::MulOverflow(a, b, r) ? std::nullopt : std::optional(r);
  case BinaryOp::Mod:
    if (b == 0 || (a == INT64_MIN && b == -1))
      return std::nullopt;
    return a % b;
  default:
    return std::nullopt;
  }
}

Type Sema::elementwise(llvm::SMLoc opLoc, llvm::ArrayRef<const Expr *> operands,
                       StringRef what) {
  // The dtype comes from the first non-weak operand; weak scalars adapt.
  std::optional<DType> dtype;
  const Expr *dtypeFrom = nullptr;
  bool anyFloat = false;
  llvm::SmallVector<llvm::ArrayRef<int64_t>, 3> shapes;
  llvm::SmallVector<SMRange, 3> ranges;
  llvm::SmallVector<Type, 3> types;
  for (const Expr *e : operands)
    types.push_back(asTensor(e->type));
  for (auto [e, t] : llvm::zip(operands, types)) {
    ranges.push_back(e->range);
    if (!t.isTensor()) {
      diags.error(e->range,
                  what + " needs numbers or tensors, found " + str(e->type));
      return Type::error();
    }
    anyFloat |= isFloat(t.dtype);
    if (t.weak)
      continue;
    if (dtype && *dtype != t.dtype) {
      diags.error(opLoc,
                  what + " mixes " + dtypeName(*dtype) + " and " +
                      dtypeName(t.dtype) + "; convert one with " +
                      dtypeName(*dtype) + "(...)",
                  ranges);
      diags.note(dtypeFrom->range, "this operand is " + str(dtypeFrom->type));
      return Type::error();
    }
    dtype = t.dtype;
    dtypeFrom = e;
  }
  for (const Type &t : types)
    shapes.push_back(t.shape);
  if (!dtype) // only host numbers
    dtype = anyFloat ? DType::F32 : DType::I32;
  else if (anyFloat && !isFloat(*dtype)) {
    diags.error(opLoc,
                what + " mixes a float with an integer tensor of type " +
                    str(dtypeFrom->type),
                ranges);
    return Type::error();
  }
  graph::ShapeOrError shape = graph::broadcastShapes(shapes);
  if (!shape.ok()) {
    diags.error(opLoc, what + ": " + symbols.render(shape.error), ranges);
    return Type::error();
  }
  bool allWeak = llvm::all_of(types, [](const Type &t) { return t.weak; });
  return Type::tensor(*dtype, shape.shape, allWeak);
}

Type Sema::checkBinary(Binary *e) {
  Type l = checkExpr(e->lhs), r = checkExpr(e->rhs);
  if (l.isError() || r.isError())
    return Type::error();
  StringRef op = spelling(e->op);
  std::string what = "'" + op.str() + "'";
  SMRange ranges[] = {e->lhs->range, e->rhs->range};

  if (e->op == BinaryOp::And || e->op == BinaryOp::Or) {
    for (auto [side, t] : {std::pair(e->lhs, l), std::pair(e->rhs, r)})
      if (t.kind != TypeKind::Bool) {
        diags.error(side->range, what + " needs bools, found " + str(t));
        return Type::error();
      }
    return l;
  }

  bool isComparison = e->op >= BinaryOp::Eq && e->op <= BinaryOp::Ge;
  if (l.kind == TypeKind::Str || r.kind == TypeKind::Str ||
      l.kind == TypeKind::Bool || r.kind == TypeKind::Bool) {
    bool equality = e->op == BinaryOp::Eq || e->op == BinaryOp::Ne;
    if (!equality || l.kind != r.kind) {
      diags.error(e->opLoc,
                  "cannot apply " + what + " to " + str(l) + " and " + str(r),
                  ranges);
      return Type::error();
    }
    // `policy == "powrlaw"` is always false: catch the typo.
    for (auto [var, lit] : {std::pair(l, e->rhs), std::pair(r, e->lhs)}) {
      auto *s = llvm::dyn_cast<StrLit>(lit);
      if (!s || var.choices.empty() ||
          llvm::is_contained(var.choices, s->value))
        continue;
      std::string list;
      for (const std::string &c : var.choices)
        list += (list.empty() ? "\"" : ", \"") + c + "\"";
      diags.error(s->range, "\"" + s->value + "\" is not one of the values " +
                                list + " this comparison can see");
      return Type::error();
    }
    return Type::of(TypeKind::Bool);
  }

  // Host arithmetic: ints stay ints (folded when static), '/' makes a float.
  if (l.isNumber() && r.isNumber()) {
    if (isComparison)
      return Type::of(TypeKind::Bool);
    if (e->op == BinaryOp::MatMul) {
      diags.error(e->opLoc, "'@' multiplies matrices, not numbers", ranges);
      return Type::error();
    }
    if (e->op == BinaryOp::Div)
      return Type::of(TypeKind::Float);
    if (l.kind == TypeKind::Float || r.kind == TypeKind::Float) {
      if (e->op == BinaryOp::Mod) {
        diags.error(e->opLoc, "'%' needs integers", ranges);
        return Type::error();
      }
      return Type::of(TypeKind::Float);
    }
    std::optional<int64_t> value;
    if (l.value && r.value && !isSymbol(*l.value) && !isSymbol(*r.value)) {
      value = foldInt(e->op, *l.value, *r.value);
      if (!value)
        diags.error(e->opLoc,
                    "integer overflow or division by zero in a "
                    "constant expression",
                    ranges);
    }
    return Type::integer(value);
  }

  if (e->op == BinaryOp::MatMul) {
    Type lt = asTensor(l), rt = asTensor(r);
    for (auto [side, t] : {std::pair(e->lhs, lt), std::pair(e->rhs, rt)})
      if (!t.isTensor() || !isFloat(t.dtype)) {
        diags.error(side->range,
                    "'@' needs float tensors, found " + str(side->type));
        return Type::error();
      }
    if (lt.dtype != rt.dtype) {
      diags.error(e->opLoc, "'@' mixes " + str(lt) + " and " + str(rt), ranges);
      return Type::error();
    }
    graph::ShapeOrError shape =
        graph::matmulShape(lt.shape, rt.shape, false, false);
    if (!shape.ok()) {
      diags.error(e->opLoc, "'@': " + symbols.render(shape.error), ranges);
      return Type::error();
    }
    return Type::tensor(lt.dtype, shape.shape);
  }

  if (e->op == BinaryOp::Mod) {
    diags.error(e->opLoc, "'%' applies to integers only", ranges);
    return Type::error();
  }
  const Expr *operands[] = {e->lhs, e->rhs};
  Type t = elementwise(e->opLoc, operands, what);
  if (!t.isError() && isComparison)
    t.dtype = DType::I1;
  return t;
}

Type Sema::checkConditional(Conditional *e) {
  Type c = checkExpr(e->cond);
  Type a = checkExpr(e->onTrue), b = checkExpr(e->onFalse);
  if (c.isError() || a.isError() || b.isError())
    return Type::error();
  if (c.kind != TypeKind::Bool) {
    diags.error(e->cond->range,
                "the condition of '?' must be a bool, found " + str(c));
    return Type::error();
  }
  if (a.isNumber() && b.isNumber()) {
    if (a.kind == TypeKind::Float || b.kind == TypeKind::Float)
      return Type::of(TypeKind::Float);
    return Type::integer(std::nullopt);
  }
  if (a.kind != b.kind || a.shape != b.shape || a.dtype != b.dtype ||
      a.kind == TypeKind::Model) {
    diags.error(e->onFalse->range,
                "the choices of '?' differ: " + str(a) + " and " + str(b));
    return Type::error();
  }
  return a;
}

Type Sema::checkCall(Call *call) {
  if (auto *member = llvm::dyn_cast<Member>(call->callee))
    return checkMethod(call, member);
  auto *callee = llvm::cast<Name>(call->callee);
  StringRef name = callee->name;

  auto checkArgs = [&] {
    for (Argument &a : call->args)
      checkExpr(a.value);
  };
  if (Local *local = lookupLocal(name)) {
    callee->decl = local->decl;
    if (local->type.kind == TypeKind::Model)
      return checkLayerCall(call, local->type);
    checkArgs();
    if (!local->type.isError())
      diags.error(callee->range, "'" + name + "' is a " + str(local->type) +
                                     ", not a function");
    return Type::error();
  }
  if (currentModel) {
    if (const Decl *member = currentModel->findMember(name)) {
      callee->decl = member;
      Type self = Type::of(TypeKind::Model);
      self.model = currentModel;
      self.modelDims = currentModel->argDims;
      if (auto *fn = llvm::dyn_cast<FnDecl>(member))
        return checkUserCall(call, fn, &self);
      if (auto *layer = llvm::dyn_cast<LayerDecl>(member))
        return layer->resolved.isError()
                   ? (checkArgs(), Type::error())
                   : checkLayerCall(call, layer->resolved);
      checkArgs();
      diags.error(callee->range, "parameter '" + name + "' is not a function");
      return Type::error();
    }
  }
  auto g = globals.find(name);
  if (g != globals.end()) {
    callee->decl = g->second;
    if (auto *fn = llvm::dyn_cast<FnDecl>(g->second))
      return checkUserCall(call, fn, nullptr);
    if (auto *model = llvm::dyn_cast<ModelDecl>(g->second))
      return checkModelInstance(call, model);
    checkArgs();
    diags.error(callee->range, "'" + name + "' is a constant, not a function");
    return Type::error();
  }
  if (std::optional<Type> t = checkTensorBuiltin(call, name))
    return *t;
  if (std::optional<Type> t = checkHostBuiltin(call, name))
    return *t;
  checkArgs();
  diags.error(callee->range, "unknown function '" + name + "'");
  return Type::error();
}

Type Sema::checkLayerCall(Call *call, const Type &layer) {
  const auto *forward =
      llvm::dyn_cast_or_null<FnDecl>(layer.model->findMember("forward"));
  if (!forward) {
    for (Argument &a : call->args)
      checkExpr(a.value);
    diags.error(call->callee->range,
                "model '" + layer.model->name +
                    "' has no 'forward' function, so it cannot be called");
    diags.note(layer.model->nameRange,
               "model '" + layer.model->name + "' is declared here");
    return Type::error();
  }
  return checkUserCall(call, forward, &layer);
}

Type Sema::checkUserCall(Call *call, const FnDecl *fn, const Type *self) {
  call->fn = fn;
  bool argsOk = true;
  for (Argument &a : call->args) {
    argsOk &= !checkExpr(a.value).isError();
    if (!a.name.empty()) {
      diags.error(a.nameRange, "'" + fn->name +
                                   "' takes its arguments by "
                                   "position, not by name");
      argsOk = false;
    }
  }
  if (call->args.size() != fn->params.size()) {
    diags.error(call->parenRange.Start,
                "'" + fn->name + "' takes " +
                    std::to_string(fn->params.size()) + " argument" +
                    (fn->params.size() == 1 ? "" : "s") + ", but " +
                    std::to_string(call->args.size()) +
                    (call->args.size() == 1 ? " was" : " were") + " given",
                call->parenRange);
    diags.note(fn->nameRange, "'" + fn->name + "' is declared here");
    return Type::error();
  }
  if (!argsOk || fn->resultType.isError())
    return Type::error();
  if (currentFn)
    calls[currentFn].insert(fn);

  DimBindings bindings;
  if (fn->owner && self)
    for (auto [formal, actual] : llvm::zip(fn->owner->argDims, self->modelDims))
      if (isSymbol(formal))
        bindings[formal] = actual;

  for (auto [i, arg, param] : llvm::enumerate(call->args, fn->params)) {
    const Type &want = param->resolved;
    if (want.isError())
      return Type::error();
    Type got = asTensor(arg.value->type);
    bool ok = got.isTensor() == want.isTensor();
    if (ok && !want.isTensor()) {
      const Type &g = arg.value->type;
      ok = g.kind == want.kind ||
           (want.kind == TypeKind::Float && g.kind == TypeKind::Int);
    } else if (ok) {
      ok = (got.weak ? isFloat(got.dtype) <= isFloat(want.dtype)
                     : got.dtype == want.dtype) &&
           got.shape.size() == want.shape.size();
      for (auto [w, g] : llvm::zip(want.shape, got.shape)) {
        if (!ok)
          break;
        auto bound = bindings.find(w);
        if (bound != bindings.end())
          ok = bound->second == g;
        else if (isSymbol(w))
          bindings[w] = g;
        else
          ok = w == g;
      }
    }
    if (!ok) {
      diags.error(arg.value->range,
                  "argument " + std::to_string(i + 1) + " of '" + fn->name +
                      "' has type " + str(arg.value->type) +
                      ", but parameter '" + param->name + "' expects " +
                      str(substitute(want, bindings)));
      diags.note(param->range,
                 "parameter '" + param->name + "' is declared here");
      return Type::error();
    }
  }
  return substitute(fn->resultType, bindings);
}

Type Sema::checkModelInstance(Call *call, const ModelDecl *model) {
  for (Argument &a : call->args)
    checkExpr(a.value);
  if (currentFn) {
    diags.error(call->range, "models are created in 'layer' declarations and "
                             "experiments, not inside functions");
    return Type::error();
  }
  if (call->args.size() != model->args.size()) {
    diags.error(call->parenRange.Start,
                "model '" + model->name + "' takes " +
                    std::to_string(model->args.size()) + " argument" +
                    (model->args.size() == 1 ? "" : "s") + ", but " +
                    std::to_string(call->args.size()) +
                    (call->args.size() == 1 ? " was" : " were") + " given",
                call->parenRange);
    diags.note(model->nameRange,
               "model '" + model->name + "' is declared here");
    return Type::error();
  }
  Type t = Type::of(TypeKind::Model);
  t.model = model;
  for (auto [arg, formal] : llvm::zip(call->args, model->args)) {
    const Type &got = arg.value->type;
    if (got.isError() || formal->resolved.isError())
      return Type::error();
    if (!arg.name.empty()) {
      diags.error(arg.nameRange, "model arguments are given by position");
      return Type::error();
    }
    if (formal->resolved.kind == TypeKind::Int) {
      if (got.kind != TypeKind::Int) {
        diags.error(arg.value->range, "argument '" + formal->name +
                                          "' of model '" + model->name +
                                          "' is an int, found " + str(got));
        return Type::error();
      }
      int64_t dim = dimOf(arg.value);
      if (!isSymbol(dim) && (dim < 1 || dim >= kMaxStaticDim)) {
        diags.error(arg.value->range, "dimension " + std::to_string(dim) +
                                          " is out of range [1, 2^40)");
        return Type::error();
      }
      t.modelDims.push_back(dim);
      continue;
    }
    bool ok = formal->resolved.kind == TypeKind::Float
                  ? got.isNumber()
                  : got.kind == TypeKind::Bool;
    if (!ok) {
      diags.error(arg.value->range, "argument '" + formal->name +
                                        "' of model '" + model->name +
                                        "' expects " + str(formal->resolved) +
                                        ", found " + str(got));
      return Type::error();
    }
    t.modelDims.push_back(0);
  }
  return t;
}

} // namespace kiln::lang
