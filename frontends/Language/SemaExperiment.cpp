//===- SemaExperiment.cpp - Experiment statements and host builtins -------===//
//
// An experiment is the host program: data sources, optimizers, loops, train
// steps, replay buffers, checkpoints and logged metrics.
//
//===----------------------------------------------------------------------===//

#include "frontends/Language/Sema.h"

#include "frontends/Language/Generators.h"

#include "llvm/ADT/StringExtras.h"

namespace kiln::lang {

/// A default's value when it is a number literal, possibly negated.
static std::optional<double> numberValue(const Expr *e) {
  if (const auto *i = llvm::dyn_cast<IntLit>(e))
    return double(i->value);
  if (const auto *f = llvm::dyn_cast<FloatLit>(e))
    return f->value;
  if (const auto *u = llvm::dyn_cast<Unary>(e); u && u->op == UnaryOp::Neg)
    if (std::optional<double> inner = numberValue(u->operand))
      return -*inner;
  return std::nullopt;
}

using llvm::SMRange;
using llvm::StringRef;

void Sema::checkExperiment(ExperimentDecl *exp) {
  inExperiment = true;
  pushScope();
  for (ParamDecl *p : exp->hyperParams) {
    Type t = resolveType(p->type, false, /*hyperParam=*/true);
    if (!t.isError() && t.isTensor()) {
      diags.error(p->type.range, "a hyper-parameter is an int, a float, a "
                                 "bool, a str or a choice of strings");
      t = Type::error();
    }
    if (!p->init) {
      diags.error(p->nameRange, "hyper-parameter '" + p->name +
                                    "' needs a default, as in '" + p->name +
                                    ": int = 10'");
    } else if (!t.isError()) {
      Type d = checkExpr(p->init);
      bool ok = d.kind == t.kind ||
                (t.kind == TypeKind::Float && d.kind == TypeKind::Int);
      if (!d.isError() && !ok) {
        diags.error(p->init->range, "the default of '" + p->name +
                                        "' must be " + str(t) + ", found " +
                                        str(d));
      } else if (auto *s = llvm::dyn_cast<StrLit>(p->init);
                 s && !t.choices.empty() &&
                 !llvm::is_contained(t.choices, s->value)) {
        diags.error(s->range, "the default \"" + s->value +
                                  "\" is not one of the choices");
        diags.note(p->type.range, "choices are declared here");
      } else if (std::optional<double> value = numberValue(p->init);
                 t.bounds && value &&
                 !(*value >= t.bounds->first && *value <= t.bounds->second)) {
        diags.error(p->init->range,
                    "the default of '" + p->name + "' is outside its range");
        diags.note(p->type.low->range, "the range is declared here");
      } else if (t.kind == TypeKind::Int && d.value && !isSymbol(*d.value)) {
        // An int hyper-parameter can size tensors: it is a symbol that the
        // emitter specializes to the default.
        int64_t symbol = symbols.create(p->name);
        hyperDefaults[symbol] = *d.value;
        t.value = symbol;
      }
    }
    p->resolved = t;
    declareLocal(p->name, p->nameRange, {t, p, false});
  }
  checkBlock(exp->body);
  popScope();
  inExperiment = false;
}

void Sema::checkBlock(Block &block) {
  pushScope();
  for (Stmt *s : block)
    checkStmt(s);
  popScope();
}

void Sema::checkStmt(Stmt *s) {
  switch (s->kind) {
  case Node::Kind::Let: {
    auto *let = llvm::cast<LetStmt>(s);
    Type t = checkExpr(let->value);
    if (t.kind == TypeKind::Void) {
      diags.error(let->value->range, "this call has no value to bind");
      t = Type::error();
    }
    if (let->isVar) {
      // A var changes at run time: only its kind is known.
      t.value.reset();
      if (!t.isError() && !t.isNumber() && t.kind != TypeKind::Bool &&
          t.kind != TypeKind::Str && !t.isScalarTensor())
        diags.error(let->value->range, "a 'var' holds a number, a bool or a "
                                       "str, found " +
                                           str(t));
    }
    declareLocal(let->name, let->nameRange, {t, let, let->isVar});
    return;
  }
  case Node::Kind::Assign: {
    auto *assign = llvm::cast<AssignStmt>(s);
    Type value = checkExpr(assign->value);
    Local *local = lookupLocal(assign->target->name);
    if (!local) {
      diags.error(assign->target->range,
                  "unknown name '" + assign->target->name + "'");
      return;
    }
    assign->target->decl = local->decl;
    assign->target->type = local->type;
    if (!local->isVar) {
      diags.error(assign->target->range, "cannot assign to '" +
                                             assign->target->name +
                                             "', which is not a 'var'");
      if (local->decl)
        diags.note(local->decl->range,
                   "'" + assign->target->name + "' is defined here");
      return;
    }
    const Type &want = local->type;
    bool ok = value.isError() || want.isError() || value.kind == want.kind ||
              (want.kind == TypeKind::Float &&
               (value.kind == TypeKind::Int || value.isScalarTensor()));
    if (!ok)
      diags.error(assign->value->range, "cannot assign " + str(value) +
                                            " to '" + assign->target->name +
                                            "' of type " + str(want));
    return;
  }
  case Node::Kind::ExprStmt: {
    auto *es = llvm::cast<ExprStmt>(s);
    Type t = checkExpr(es->expr);
    if (!t.isError() && t.kind != TypeKind::Void)
      diags.error(es->expr->range, "the value of this expression is unused; "
                                   "bind it with 'let' or log it");
    return;
  }
  case Node::Kind::For:
    checkFor(llvm::cast<ForStmt>(s));
    return;
  case Node::Kind::If: {
    auto *ifs = llvm::cast<IfStmt>(s);
    Type c = checkExpr(ifs->cond);
    if (!c.isError() && c.kind != TypeKind::Bool)
      diags.error(ifs->cond->range, "the condition of 'if' must be a bool, "
                                    "found " +
                                        str(c));
    checkBlock(ifs->thenBody);
    checkBlock(ifs->elseBody);
    return;
  }
  case Node::Kind::Minimize: {
    auto *m = llvm::cast<MinimizeStmt>(s);
    Type loss = checkExpr(m->loss);
    Type opt = checkExpr(m->optimizer);
    if (!loss.isError() &&
        !(loss.isScalarTensor() && isFloat(loss.dtype) && !loss.weak))
      diags.error(m->loss->range, "'minimize' needs a scalar float loss "
                                  "computed by the model, found " +
                                      str(loss));
    if (!opt.isError() && opt.kind != TypeKind::Optimizer)
      diags.error(m->optimizer->range, "expected an optimizer after 'using', "
                                       "such as 'sgd(net, lr)', found " +
                                           str(opt));
    return;
  }
  case Node::Kind::Log:
    checkLog(llvm::cast<LogStmt>(s));
    return;
  case Node::Kind::Checkpoint:
    return;
  default:
    return;
  }
}

void Sema::checkFor(ForStmt *s) {
  Type element;
  if (auto *range = llvm::dyn_cast<RangeExpr>(s->iterable)) {
    range->type = Type::of(TypeKind::Range);
    for (Expr *bound : {range->lo, range->hi}) {
      Type t = checkExpr(bound);
      if (!t.isError() && t.kind != TypeKind::Int)
        diags.error(bound->range,
                    "a range bound must be an int, found " + str(t));
    }
    element = Type::integer(std::nullopt);
  } else {
    Type t = checkExpr(s->iterable);
    if (t.kind == TypeKind::Batches) {
      element = datasetType(t.dataset->count, t.dataset->fields);
    } else if (!t.isError()) {
      diags.error(s->iterable->range, "'for' runs over a range 'lo..hi' or "
                                      "over batches, as in "
                                      "'train.batches(64)', found " +
                                          str(t));
    }
  }
  pushScope();
  declareLocal(s->var, s->varRange, {element, s, false});
  checkBlock(s->body);
  popScope();
}

void Sema::checkMetricName(StrLit *metric) {
  // `{name}` holes are filled in at run time; each must name an int or str.
  StringRef text = metric->value;
  const char *base = metric->contentStart();
  size_t sourceLength =
      metric->range.End.getPointer() - metric->range.Start.getPointer();
  bool escapes = metric->value.size() + 2 != sourceLength;
  for (size_t open = text.find('{'); open != StringRef::npos;
       open = text.find('{', open + 1)) {
    size_t close = text.find('}', open);
    auto at = [&](size_t offset) {
      // Columns are exact unless escapes shifted the text.
      return llvm::SMLoc::getFromPointer(escapes ? base : base + offset);
    };
    if (close == StringRef::npos) {
      diags.error(at(open), "unclosed '{' in the metric name");
      return;
    }
    StringRef name = text.slice(open + 1, close);
    SMRange range(at(open + 1), at(close));
    Local *local = lookupLocal(name);
    if (!local) {
      diags.error(range, "unknown name '" + name + "' in the metric name");
      continue;
    }
    TypeKind k = local->type.kind;
    if (k != TypeKind::Int && k != TypeKind::Str && k != TypeKind::Error)
      diags.error(range, "'" + name + "' is " + str(local->type) +
                             "; a metric name can hold ints and strs");
  }
}

void Sema::checkLog(LogStmt *s) {
  checkMetricName(s->metric);
  Type t = checkExpr(s->value);
  if (!t.isError() && !t.isNumber() && t.kind != TypeKind::Bool &&
      !t.isScalarTensor())
    diags.error(s->value->range, "a logged metric is a number or a scalar "
                                 "tensor, found " +
                                     str(t));
  llvm::StringMap<SMRange> seen;
  for (Argument &tag : s->tags) {
    Type v = checkExpr(tag.value);
    if (!v.isError() && v.kind != TypeKind::Int && v.kind != TypeKind::Str)
      diags.error(tag.value->range,
                  "a tag is an int or a str, found " + str(v));
    if (!seen.try_emplace(tag.name, tag.nameRange).second)
      diags.error(tag.nameRange, "tag '" + tag.name + "' is given twice");
  }
}

Type Sema::datasetType(int64_t count, std::vector<DatasetInfo::Field> fields) {
  Type t = Type::of(TypeKind::Dataset);
  auto info = std::make_shared<DatasetInfo>();
  info->count = count;
  info->fields = std::move(fields);
  t.dataset = std::move(info);
  return t;
}

std::optional<Type> Sema::checkHostBuiltin(Call *call, StringRef name) {
  llvm::SmallVector<Expr *, 6> a;
  auto requireExperiment = [&] {
    if (inExperiment)
      return true;
    diags.error(call->callee->range,
                "'" + name + "' is only available in an experiment");
    return false;
  };

  // Initializers of parameters.
  if (name == "normal" || name == "uniform") {
    bool normal = name == "normal";
    if (!bindArgs(call, name,
                  normal ? llvm::ArrayRef<StringRef>{"std", "mean"}
                         : llvm::ArrayRef<StringRef>{"low", "high"},
                  normal ? 1 : 2, a))
      return Type::error();
    for (Expr *e : a)
      if (e && !expectNumber(e, "an initializer's argument"))
        return Type::error();
    return Type::of(TypeKind::Initializer);
  }

  if (name == "fashion_mnist" || name == "mnist") {
    if (!bindArgs(call, name, {"split", "path"}, 1, a) || !requireExperiment())
      return Type::error();
    auto *split = llvm::dyn_cast<StrLit>(a[0]);
    if (!split || (split->value != "train" && split->value != "test")) {
      diags.error(a[0]->range, "the split is \"train\" or \"test\"");
      return Type::error();
    }
    if (a[1] && !expectKind(a[1], TypeKind::Str, "the path"))
      return Type::error();
    int64_t count = split->value == "train" ? 60000 : 10000;
    return datasetType(count,
                       {{"x", DType::F32, {784}}, {"y", DType::I32, {}}});
  }

  if (std::optional<Generator> generator = lookupGenerator(name)) {
    llvm::SmallVector<StringRef, 11> names;
    for (const GeneratorParam &param : generator->params)
      names.push_back(param.name);
    if (!bindArgs(call, name, names, generator->required, a) ||
        !requireExperiment())
      return Type::error();
    for (auto [e, param] : llvm::zip(a, generator->params)) {
      if (!e)
        continue;
      std::string what = "'" + param.name.str() + "'";
      if (param.kind == GeneratorParam::Kind::Mode) {
        auto *mode = llvm::dyn_cast<StrLit>(e);
        if (!mode || !generatorMode(mode->value)) {
          diags.error(e->range, "the mode is \"train\", \"icl\" (two novel "
                                "classes in context) or \"iwl\" (the "
                                "query's class not in context)");
          return Type::error();
        }
      } else if (!(param.kind == GeneratorParam::Kind::Real
                       ? expectNumber(e, what)
                       : expectKind(e, TypeKind::Int, what))) {
        return Type::error();
      }
    }
    // A size: the argument's, else the parameter's default.
    auto size = [&](size_t i) {
      return a[i] ? dimOf(a[i]) : int64_t(generator->params[i].otherwise);
    };
    int64_t count = dimOf(a[0]);
    if (name == "induction_tokens")
      // Sequences `... a b ... a` whose next token is `b`: the task that
      // induction heads solve.
      return datasetType(
          count, {{"x", DType::I32, {size(1)}}, {"y", DType::I32, {size(1)}}});
    if (name == "gaussian_classes")
      // `classes` Gaussian clusters in `dim` dimensions, labelled by
      // cluster.
      return datasetType(count,
                         {{"x", DType::F32, {size(2)}}, {"y", DType::I32, {}}});
    if (name == "icl_classification")
      // Contexts of exemplar-label pairs and a query whose label is asked.
      return datasetType(count, {{"x", DType::F32, {size(4), size(2)}},
                                 {"labels", DType::I32, {size(4)}},
                                 {"query", DType::F32, {size(2)}},
                                 {"y", DType::I32, {}}});
    // icl_regression: prompts of (x, y = w.x + noise) pairs for one w each.
    return datasetType(count, {{"x", DType::F32, {size(2), size(1)}},
                               {"y", DType::F32, {size(2)}},
                               {"w", DType::F32, {size(1)}}});
  }

  if (name == "mix") {
    // The rows of `first` then those of `second`: a batch of current data
    // with one of rehearsal, say.
    if (!bindArgs(call, name, {"first", "second"}, 2, a) ||
        !requireExperiment() ||
        !expectKind(a[0], TypeKind::Dataset, "the first rows") ||
        !expectKind(a[1], TypeKind::Dataset, "the second rows"))
      return Type::error();
    const DatasetInfo &first = *a[0]->type.dataset,
                      &second = *a[1]->type.dataset;
    bool same = first.fields.size() == second.fields.size();
    for (size_t f = 0; same && f < first.fields.size(); ++f)
      same = first.fields[f].name == second.fields[f].name &&
             first.fields[f].dtype == second.fields[f].dtype &&
             first.fields[f].shape == second.fields[f].shape;
    if (!same) {
      diags.error(call->range, "'mix' needs rows with the same fields");
      return Type::error();
    }
    return datasetType(addDims(first.count, second.count), first.fields);
  }

  if (name == "permutation") {
    if (!bindArgs(call, name, {"size", "seed"}, 1, a) || !requireExperiment() ||
        !expectKind(a[0], TypeKind::Int, "the size") ||
        (a[1] && !expectKind(a[1], TypeKind::Int, "the seed")))
      return Type::error();
    return Type::tensor(DType::I32, {dimOf(a[0])});
  }

  if (name == "sgd" || name == "adam" || name == "adamw") {
    llvm::SmallVector<StringRef, 6> params{"model", "lr"};
    if (name == "sgd")
      params.push_back("momentum");
    else
      params.append({"beta1", "beta2", "eps"});
    if (name == "adamw")
      params.push_back("weight_decay");
    if (!bindArgs(call, name, params, 2, a) || !requireExperiment() ||
        !expectKind(a[0], TypeKind::Model, "the optimized model"))
      return Type::error();
    if (a[1]->type.kind != TypeKind::Schedule &&
        !expectNumber(a[1], "the learning rate"))
      return Type::error();
    for (size_t i = 2; i < a.size(); ++i)
      if (a[i] && !expectNumber(a[i], "'" + params[i].str() + "'"))
        return Type::error();
    return Type::of(TypeKind::Optimizer);
  }

  if (name == "cosine" || name == "linear" || name == "step_decay") {
    static const StringRef cosine[] = {"peak", "steps", "warmup"};
    static const StringRef linear[] = {"start", "end", "steps"};
    static const StringRef stepDecay[] = {"lr", "every", "factor"};
    llvm::ArrayRef<StringRef> params = name == "cosine"   ? cosine
                                       : name == "linear" ? linear
                                                          : stepDecay;
    if (!bindArgs(call, name, params, name == "cosine" ? 2 : 3, a) ||
        !requireExperiment())
      return Type::error();
    for (auto [e, p] : llvm::zip(a, params))
      if (e && !expectNumber(e, "'" + p.str() + "'"))
        return Type::error();
    return Type::of(TypeKind::Schedule);
  }

  if (name == "replay") {
    if (!bindArgs(call, name, {"capacity", "like", "insert", "sample"}, 2, a) ||
        !requireExperiment() ||
        !expectKind(a[0], TypeKind::Int, "the capacity") ||
        !expectKind(a[1], TypeKind::Dataset, "'like'"))
      return Type::error();
    // The policies are fixed when the buffer is built: string literals.
    auto policy = [&](Expr *e, StringRef what,
                      llvm::ArrayRef<StringRef> allowed) {
      auto *literal = llvm::dyn_cast_or_null<StrLit>(e);
      if (!e || (literal && llvm::is_contained(allowed, literal->value)))
        return true;
      diags.error(e->range, "the " + what.str() + " policy is one of \"" +
                                llvm::join(allowed, "\", \"") + "\"");
      return false;
    };
    if (!policy(a[2], "insertion",
                {"append", "reservoir", "class_balanced", "task_episodic"}) ||
        !policy(a[3], "sampling",
                {"uniform", "recency", "recency_exponential"}))
      return Type::error();
    Type t = Type::of(TypeKind::Replay);
    t.dataset = a[1]->type.dataset;
    return t;
  }
  return std::nullopt;
}

Type Sema::checkMethod(Call *call, Member *callee) {
  Type base = checkExpr(callee->base);
  callee->type = Type::error();
  StringRef name = callee->name;
  llvm::SmallVector<Expr *, 4> a;
  if (base.isError()) {
    for (Argument &arg : call->args)
      checkExpr(arg.value);
    return base;
  }
  if (base.kind == TypeKind::Model) {
    if (const auto *fn =
            llvm::dyn_cast_or_null<FnDecl>(base.model->findMember(name)))
      return checkUserCall(call, fn, &base);
    Type layer = memberOfModel(base, name, callee->nameRange, true);
    if (layer.kind == TypeKind::Model)
      return checkLayerCall(call, layer);
    for (Argument &arg : call->args)
      checkExpr(arg.value);
    if (!layer.isError())
      diags.error(callee->nameRange, "'" + name + "' is not a function");
    return Type::error();
  }

  if (base.kind == TypeKind::Dataset) {
    const DatasetInfo &d = *base.dataset;
    if (name == "batches") {
      if (!bindArgs(call, name, {"size"}, 1, a) ||
          !expectKind(a[0], TypeKind::Int, "the batch size"))
        return Type::error();
      Type t = datasetType(dimOf(a[0]), d.fields);
      t.kind = TypeKind::Batches;
      return t;
    }
    if (name == "shuffle") {
      if (!bindArgs(call, name, {"seed"}, 1, a) ||
          !expectKind(a[0], TypeKind::Int, "the seed"))
        return Type::error();
      return base;
    }
    if (name == "take") {
      if (!bindArgs(call, name, {"count"}, 1, a) ||
          !expectKind(a[0], TypeKind::Int, "the count"))
        return Type::error();
      return datasetType(dimOf(a[0]), d.fields);
    }
    if (name == "permute") {
      // Permutes the features of `x` (pixels for images).
      if (!bindArgs(call, name, {"permutation"}, 1, a))
        return Type::error();
      const DatasetInfo::Field *x = d.find("x");
      Type p = a[0]->type;
      if (!x || x->shape.size() != 1 || !p.isTensor() ||
          p.dtype != DType::I32 || p.shape != x->shape) {
        diags.error(
            a[0]->range,
            "'permute' needs an i32 permutation of the features of "
            "'x'" +
                (x ? ", " + str(Type::tensor(DType::I32, x->shape)) : "") +
                ", found " + str(p));
        return Type::error();
      }
      return base;
    }
    for (Argument &arg : call->args)
      checkExpr(arg.value);
    diags.error(callee->nameRange, "a dataset has no method '" + name +
                                       "'; its methods are 'batches', "
                                       "'shuffle', 'take' and 'permute'");
    return Type::error();
  }

  if (base.kind == TypeKind::Replay) {
    if (name == "add") {
      if (!bindArgs(call, name, {"data", "task"}, 2, a) ||
          !expectKind(a[0], TypeKind::Dataset, "the added data") ||
          !expectKind(a[1], TypeKind::Int, "the task"))
        return Type::error();
      return Type::of(TypeKind::Void);
    }
    if (name == "sample") {
      // Tasks are drawn with probability proportional to
      // (blocks since the task was last drawn) ^ -alpha; alpha = 0 is uniform.
      if (!bindArgs(call, name, {"count", "alpha"}, 1, a) ||
          !expectKind(a[0], TypeKind::Int, "the count") ||
          (a[1] && !expectNumber(a[1], "'alpha'")))
        return Type::error();
      return datasetType(dimOf(a[0]), base.dataset->fields);
    }
    for (Argument &arg : call->args)
      checkExpr(arg.value);
    diags.error(callee->nameRange, "a replay buffer has no method '" + name +
                                       "'; its methods are 'add' and "
                                       "'sample'");
    return Type::error();
  }

  for (Argument &arg : call->args)
    checkExpr(arg.value);
  diags.error(callee->nameRange,
              "a value of type " + str(base) + " has no method '" + name + "'");
  return Type::error();
}

} // namespace kiln::lang
