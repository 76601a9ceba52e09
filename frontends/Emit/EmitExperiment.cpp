//===- EmitExperiment.cpp - Experiment bodies in the exp dialect ----------===//
//
// Each experiment becomes one `exp.experiment`: its hyper-parameters are read
// once at the top, `let` values are SSA values, loops are `scf.for` over i64
// bounds (batches are counted by `exp.num_batches`) and branches `scf.if`.
// A `var` assigned in a loop or branch is carried through it as an iter_arg
// or a result. Host numbers are i64, f64 and i1 arith values; scalar tensors
// returned by graph functions are extracted where they meet them. Calls of
// user functions call the graph functions emitted for them; tensor builtins
// called by the experiment itself are lifted into graph functions of their
// own.
//
//===----------------------------------------------------------------------===//

#include "frontends/Emit/EmitExperiment.h"

#include "frontends/Emit/GraphEmitter.h"
#include "frontends/Language/Generators.h"

#include "dialects/Experiment/IR/ExperimentOps.h"
#include "dialects/Graph/IR/GraphDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/SetVector.h"

namespace kiln::lang {

using llvm::SMLoc;
using llvm::StringRef;
using mlir::Value;

namespace {

/// Builtins of experiments that are not tensor builtins.
bool isHostBuiltin(StringRef name) {
  static const StringRef names[] = {
      "fashion_mnist", "mnist",  "permutation", "mix",        "sgd",   "adam",
      "adamw",         "cosine", "linear",      "step_decay", "replay"};
  return llvm::is_contained(names, name) || lookupGenerator(name);
}

/// A call of a tensor builtin (`cross_entropy(...)`), which experiments
/// compute in a lifted graph function.
bool isTensorBuiltin(const Expr *e) {
  const auto *call = llvm::dyn_cast<Call>(e);
  const auto *name = call ? llvm::dyn_cast<Name>(call->callee) : nullptr;
  return name && !call->fn && call->type.isTensor() &&
         !isHostBuiltin(name->name);
}

/// The tensor values a lifted function takes: the subexpressions of `e`
/// that are not tensor builtins or tensor arithmetic.
void collectLeaves(const Expr *e, llvm::SmallVectorImpl<const Expr *> &out) {
  if (isTensorBuiltin(e)) {
    for (const Argument &arg : llvm::cast<Call>(e)->args)
      collectLeaves(arg.value, out);
  } else if (const auto *binary = llvm::dyn_cast<Binary>(e);
             binary && e->type.isTensor()) {
    collectLeaves(binary->lhs, out);
    collectLeaves(binary->rhs, out);
  } else if (const auto *unary = llvm::dyn_cast<Unary>(e);
             unary && e->type.isTensor()) {
    collectLeaves(unary->operand, out);
  } else if (e->type.isTensor() && !e->type.weak) {
    out.push_back(e);
  }
}

/// The variables that assignments in `block` change, in source order.
void collectAssigned(const Block &block, llvm::SetVector<const Node *> &out) {
  for (const Stmt *s : block) {
    if (const auto *assign = llvm::dyn_cast<AssignStmt>(s)) {
      out.insert(assign->target->decl);
    } else if (const auto *loop = llvm::dyn_cast<ForStmt>(s)) {
      collectAssigned(loop->body, out);
    } else if (const auto *branch = llvm::dyn_cast<IfStmt>(s)) {
      collectAssigned(branch->thenBody, out);
      collectAssigned(branch->elseBody, out);
    }
  }
}

class ExperimentEmitter {
public:
  ExperimentEmitter(GraphEmitter &graph, mlir::ModuleOp module,
                    DiagnosticEngine &diags)
      : graph(graph), module(module), diags(diags),
        builder(module.getContext()) {}

  /// Emits one experiment at the end of the module; false on error.
  bool emit(const ExperimentDecl *experiment);

private:
  // Statements.
  void emitBlock(const Block &block);
  void emitStmt(const Stmt *s);
  void emitFor(const ForStmt *s);
  void emitIf(const IfStmt *s);
  void emitLog(const LogStmt *s);
  void emitEffect(const Call *call);
  /// The variables declared outside `blocks` that they assign.
  llvm::SmallVector<const Node *> carriedBy(llvm::ArrayRef<const Block *>);
  /// Emits `body` at the end of `block`, replacing its terminator if it has
  /// one, and yields the values of `carried`.
  void emitRegion(mlir::Block *block, const Block &body,
                  llvm::ArrayRef<const Node *> carried, SMLoc where);

  // Expressions.
  Value emitExpr(const Expr *e);
  Value emitName(const Name *e);
  Value emitUnary(const Unary *e);
  Value emitBinary(const Binary *e);
  Value emitConditional(const Conditional *e);
  Value emitCall(const Call *call);
  Value emitBuiltin(const Call *call, StringRef name);
  Value emitMethod(const Call *call, const Member *callee);
  /// `exp.step` when `optimizer` is set, `exp.call_graph` otherwise.
  Value emitGraphCall(const Call *call, Value optimizer);
  Value emitLifted(const Call *call, StringRef name);
  Value emitParams(const Call *call);
  Value emitOptimizer(const Call *call, StringRef kind);
  mlir::DictionaryAttr initAttr(const ParamDecl *param);
  mlir::Attribute defaultAttr(const ParamDecl *param);
  /// A new default given as text (`kilnc build --set name=text`).
  mlir::Attribute overrideAttr(const ParamDecl *param, StringRef text);

  // Host values.
  Value emitInt(const Expr *e);
  Value emitFloat(const Expr *e);
  Value emitSynthetic(const Call *call, StringRef name, mlir::Location at);
  Value emitIndex(const Index *e);
  /// A tensor's element as the host holds numbers: f64, i64 or i1.
  Value hostNumber(Value element, SMLoc where);
  Value intConstant(int64_t value, SMLoc where);
  Value floatConstant(double value, SMLoc where);
  /// A scalar tensor as an f64 or i64; other values unchanged.
  Value toHost(Value value, SMLoc where);
  Value toF64(Value value, SMLoc where);
  Value convertScalar(Value value, mlir::Type to, SMLoc where);
  Value toTensor(Value value, mlir::RankedTensorType type, SMLoc where);
  /// `value` as the type of the variable it is assigned to.
  Value coerce(Value value, mlir::Type type, SMLoc where);
  std::optional<double> evalNumber(const Expr *e);
  mlir::Type hostType(const Type &type);
  mlir::RankedTensorType tensorType(const Type &type, SMLoc where);

  const Node *lookup(StringRef name) const;
  mlir::Location loc(SMLoc where) const { return graph.loc(where); }
  void error(SMLoc where, const llvm::Twine &message);

  GraphEmitter &graph;
  mlir::ModuleOp module;
  DiagnosticEngine &diags;
  mlir::OpBuilder builder;
  /// The current value of each hyper-parameter, let, var and loop variable.
  llvm::DenseMap<const Node *, Value> values;
  /// Names in scope, innermost last.
  std::vector<std::pair<StringRef, const Node *>> scope;
  bool hadError = false;
};

} // namespace

//===----------------------------------------------------------------------===//
// Experiments and statements
//===----------------------------------------------------------------------===//

bool ExperimentEmitter::emit(const ExperimentDecl *experiment) {
  llvm::SmallVector<mlir::NamedAttribute> hparams, choices, ranges;
  for (const ParamDecl *p : experiment->hyperParams) {
    mlir::Attribute value = defaultAttr(p);
    if (!value)
      return false;
    hparams.push_back(builder.getNamedAttr(p->name, value));
    if (!p->resolved.choices.empty())
      choices.push_back(builder.getNamedAttr(
          p->name,
          builder.getStrArrayAttr(llvm::SmallVector<StringRef>(
              p->resolved.choices.begin(), p->resolved.choices.end()))));
    if (const auto &bounds = p->resolved.bounds)
      ranges.push_back(builder.getNamedAttr(
          p->name,
          builder.getArrayAttr({builder.getF64FloatAttr(bounds->first),
                                builder.getF64FloatAttr(bounds->second)})));
  }
  builder.setInsertionPointToEnd(module.getBody());
  auto op = exp::ExperimentOp::create(
      builder, loc(experiment->nameRange.Start), experiment->name,
      builder.getDictionaryAttr(hparams),
      choices.empty() ? nullptr : builder.getDictionaryAttr(choices),
      ranges.empty() ? nullptr : builder.getDictionaryAttr(ranges),
      /*fixed=*/nullptr);
  builder.setInsertionPointToStart(&op.getBody().emplaceBlock());
  for (const ParamDecl *p : experiment->hyperParams) {
    values[p] = exp::HParamOp::create(builder, loc(p->nameRange.Start),
                                      hostType(p->resolved), p->name);
    scope.emplace_back(p->name, p);
  }
  emitBlock(experiment->body);
  // Sizes and other values the program was specialized to cannot change
  // without rebuilding it.
  for (const ParamDecl *p : experiment->hyperParams)
    if (p->resolved.value && graph.isSpecialized(*p->resolved.value))
      op.addFixedHparam(p->name);
  return !hadError;
}

void ExperimentEmitter::emitBlock(const Block &block) {
  size_t depth = scope.size();
  for (const Stmt *s : block) {
    emitStmt(s);
    if (hadError)
      return;
  }
  scope.resize(depth);
}

void ExperimentEmitter::emitStmt(const Stmt *s) {
  switch (s->kind) {
  case Node::Kind::Let: {
    const auto *let = llvm::cast<LetStmt>(s);
    // A schedule is read by the optimizer that uses it.
    if (let->value->type.kind != TypeKind::Schedule)
      values[let] = emitExpr(let->value);
    scope.emplace_back(let->name, let);
    return;
  }
  case Node::Kind::Assign: {
    const auto *assign = llvm::cast<AssignStmt>(s);
    Value value = emitExpr(assign->value);
    if (hadError)
      return;
    Value &var = values[assign->target->decl];
    var = coerce(value, var.getType(), assign->value->loc());
    return;
  }
  case Node::Kind::ExprStmt:
    // Sema allows only calls that return nothing here.
    emitEffect(llvm::cast<Call>(llvm::cast<ExprStmt>(s)->expr));
    return;
  case Node::Kind::For:
    emitFor(llvm::cast<ForStmt>(s));
    return;
  case Node::Kind::If:
    emitIf(llvm::cast<IfStmt>(s));
    return;
  case Node::Kind::Minimize: {
    const auto *minimize = llvm::cast<MinimizeStmt>(s);
    const auto *call = llvm::dyn_cast<Call>(minimize->loss);
    if (!call || !call->fn || !call->fn->owner) {
      error(minimize->loss->loc(),
            "kilnc emits 'minimize' of a call of a model's function only, "
            "as in 'minimize net.loss(x, y) using opt'");
      return;
    }
    Value optimizer = emitExpr(minimize->optimizer);
    if (!hadError)
      emitGraphCall(call, optimizer);
    return;
  }
  case Node::Kind::Log:
    emitLog(llvm::cast<LogStmt>(s));
    return;
  case Node::Kind::Checkpoint: {
    const StrLit *label = llvm::cast<CheckpointStmt>(s)->label;
    exp::CheckpointOp::create(builder, loc(s->loc()),
                              label ? builder.getStringAttr(label->value)
                                    : nullptr);
    return;
  }
  default:
    error(s->loc(), "kilnc cannot emit this statement into an experiment");
    return;
  }
}

llvm::SmallVector<const Node *>
ExperimentEmitter::carriedBy(llvm::ArrayRef<const Block *> blocks) {
  llvm::SetVector<const Node *> assigned;
  for (const Block *block : blocks)
    collectAssigned(*block, assigned);
  llvm::SmallVector<const Node *> carried;
  for (const Node *var : assigned)
    if (values.count(var))
      carried.push_back(var);
  return carried;
}

void ExperimentEmitter::emitRegion(mlir::Block *block, const Block &body,
                                   llvm::ArrayRef<const Node *> carried,
                                   SMLoc where) {
  if (!block->empty() && block->back().hasTrait<mlir::OpTrait::IsTerminator>())
    block->back().erase();
  builder.setInsertionPointToEnd(block);
  emitBlock(body);
  if (hadError)
    return;
  llvm::SmallVector<Value> yielded;
  for (const Node *var : carried)
    yielded.push_back(values[var]);
  mlir::scf::YieldOp::create(builder, loc(where), yielded);
}

void ExperimentEmitter::emitFor(const ForStmt *s) {
  Value lo, hi, dataset;
  int64_t batchSize = 0;
  if (const auto *range = llvm::dyn_cast<RangeExpr>(s->iterable)) {
    lo = emitInt(range->lo);
    hi = emitInt(range->hi);
  } else {
    const auto *call = llvm::dyn_cast<Call>(s->iterable);
    const auto *member = call ? llvm::dyn_cast<Member>(call->callee) : nullptr;
    if (!member || member->name != "batches") {
      error(s->iterable->loc(), "kilnc emits 'for' over a range or over "
                                "'data.batches(size)' only");
      return;
    }
    const Expr *size = bindArguments(call, {"size"})[0];
    std::optional<int64_t> known =
        size->type.value ? graph.size(*size->type.value) : std::nullopt;
    if (!known) {
      error(size->loc(), "the batch size must be known at compile time");
      return;
    }
    batchSize = *known;
    dataset = emitExpr(member->base);
    if (hadError)
      return;
    lo = intConstant(0, s->iterable->loc());
    hi = exp::NumBatchesOp::create(builder, loc(call->loc()),
                                   builder.getI64Type(), dataset, batchSize);
  }
  if (hadError)
    return;
  llvm::SmallVector<const Node *> carried = carriedBy({&s->body});
  llvm::SmallVector<Value> inits;
  for (const Node *var : carried)
    inits.push_back(values[var]);
  auto loop = mlir::scf::ForOp::create(builder, loc(s->loc()), lo, hi,
                                       intConstant(1, s->loc()), inits);
  for (auto [var, arg] : llvm::zip(carried, loop.getRegionIterArgs()))
    values[var] = arg;
  mlir::Block *body = loop.getBody();
  builder.setInsertionPointToStart(body);
  Value element = loop.getInductionVar();
  if (dataset)
    element =
        exp::BatchOp::create(builder, loc(s->varRange.Start), dataset.getType(),
                             dataset, element, batchSize);
  values[s] = element;
  scope.emplace_back(s->var, s);
  emitRegion(body, s->body, carried, s->loc());
  scope.pop_back();
  builder.setInsertionPointAfter(loop);
  for (auto [var, result] : llvm::zip(carried, loop.getResults()))
    values[var] = result;
}

void ExperimentEmitter::emitIf(const IfStmt *s) {
  Value cond = emitExpr(s->cond);
  if (hadError)
    return;
  llvm::SmallVector<const Node *> carried =
      carriedBy({&s->thenBody, &s->elseBody});
  llvm::SmallVector<Value> before;
  llvm::SmallVector<mlir::Type> types;
  for (const Node *var : carried) {
    before.push_back(values[var]);
    types.push_back(values[var].getType());
  }
  bool hasElse = !s->elseBody.empty() || !carried.empty();
  auto branch = mlir::scf::IfOp::create(builder, loc(s->loc()), types, cond,
                                        /*addThenBlock=*/true, hasElse);
  emitRegion(branch.thenBlock(), s->thenBody, carried, s->loc());
  if (hasElse) {
    for (auto [var, value] : llvm::zip(carried, before))
      values[var] = value;
    emitRegion(branch.elseBlock(), s->elseBody, carried, s->loc());
  }
  builder.setInsertionPointAfter(branch);
  for (auto [var, result] : llvm::zip(carried, branch.getResults()))
    values[var] = result;
}

void ExperimentEmitter::emitLog(const LogStmt *s) {
  Value value = emitExpr(s->value);
  // The `{name}` holes of the metric name, in order.
  llvm::SmallVector<Value> holes;
  StringRef text = s->metric->value;
  for (size_t open = text.find('{'); open != StringRef::npos;
       open = text.find('{', open + 1)) {
    StringRef name = text.slice(open + 1, text.find('}', open));
    Value hole = values.lookup(lookup(name));
    if (!hole) {
      error(s->metric->loc(),
            "kilnc cannot fill '{" + name + "}' in an experiment yet");
      return;
    }
    holes.push_back(hole);
  }
  llvm::SmallVector<StringRef> tagNames;
  llvm::SmallVector<Value> tags;
  for (const Argument &tag : s->tags) {
    tagNames.push_back(tag.name);
    tags.push_back(emitExpr(tag.value));
  }
  if (hadError)
    return;
  exp::LogOp::create(builder, loc(s->loc()), s->metric->value, value, holes,
                     builder.getStrArrayAttr(tagNames), tags);
}

void ExperimentEmitter::emitEffect(const Call *call) {
  const auto *member = llvm::dyn_cast<Member>(call->callee);
  if (!member || member->name != "add" ||
      member->base->type.kind != TypeKind::Replay) {
    error(call->loc(), "kilnc cannot emit this call into an experiment yet");
    return;
  }
  llvm::SmallVector<const Expr *, 6> a = bindArguments(call, {"data", "task"});
  Value buffer = emitExpr(member->base);
  Value rows = emitExpr(a[0]);
  Value task = emitInt(a[1]);
  if (!hadError)
    exp::ReplayAddOp::create(builder, loc(call->loc()), buffer, rows, task);
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

Value ExperimentEmitter::emitExpr(const Expr *e) {
  switch (e->kind) {
  case Node::Kind::IntLit:
    return intConstant(llvm::cast<IntLit>(e)->value, e->loc());
  case Node::Kind::FloatLit:
    return floatConstant(llvm::cast<FloatLit>(e)->value, e->loc());
  case Node::Kind::BoolLit:
    return mlir::arith::ConstantOp::create(
        builder, loc(e->loc()),
        builder.getIntegerAttr(builder.getI1Type(),
                               llvm::cast<BoolLit>(e)->value));
  case Node::Kind::StrLit:
    return exp::StrConstantOp::create(builder, loc(e->loc()),
                                      builder.getType<exp::StrType>(),
                                      llvm::cast<StrLit>(e)->value);
  case Node::Kind::Name:
    return emitName(llvm::cast<Name>(e));
  case Node::Kind::Member: {
    // A field of a dataset, `b.x`.
    const auto *member = llvm::cast<Member>(e);
    Value base = emitExpr(member->base);
    mlir::RankedTensorType type = tensorType(e->type, e->loc());
    if (hadError)
      return nullptr;
    return exp::FieldOp::create(builder, loc(member->nameRange.Start), type,
                                base, member->name);
  }
  case Node::Kind::Unary:
    return emitUnary(llvm::cast<Unary>(e));
  case Node::Kind::Binary:
    return emitBinary(llvm::cast<Binary>(e));
  case Node::Kind::Conditional:
    return emitConditional(llvm::cast<Conditional>(e));
  case Node::Kind::Call:
    return emitCall(llvm::cast<Call>(e));
  case Node::Kind::Index:
    return emitIndex(llvm::cast<Index>(e));
  default:
    error(e->loc(), "kilnc cannot emit this expression into an experiment");
    return nullptr;
  }
}

Value ExperimentEmitter::emitName(const Name *e) {
  if (Value value = values.lookup(e->decl))
    return value;
  if (std::optional<double> number = evalNumber(e))
    return intConstant(static_cast<int64_t>(*number), e->loc());
  error(e->loc(), "kilnc cannot emit '" + e->name + "' here");
  return nullptr;
}

Value ExperimentEmitter::emitUnary(const Unary *e) {
  Value operand = toHost(emitExpr(e->operand), e->loc());
  if (hadError)
    return nullptr;
  mlir::Location at = loc(e->loc());
  if (e->op == UnaryOp::Not)
    return mlir::arith::XOrIOp::create(
        builder, at, operand,
        mlir::arith::ConstantIntOp::create(builder, at, 1, 1));
  if (operand.getType().isF64())
    return mlir::arith::NegFOp::create(builder, at, operand);
  return mlir::arith::SubIOp::create(builder, at, intConstant(0, e->loc()),
                                     operand);
}

Value ExperimentEmitter::emitBinary(const Binary *e) {
  if (e->op == BinaryOp::MatMul ||
      (e->type.isTensor() && !e->type.shape.empty())) {
    error(e->opLoc, "kilnc computes tensors in functions only; move this "
                    "into a 'fn'");
    return nullptr;
  }
  Value lhs = toHost(emitExpr(e->lhs), e->lhs->loc());
  Value rhs = toHost(emitExpr(e->rhs), e->rhs->loc());
  if (hadError)
    return nullptr;
  mlir::Location at = loc(e->opLoc);
  namespace arith = mlir::arith;
  switch (e->op) {
  case BinaryOp::And:
    return arith::AndIOp::create(builder, at, lhs, rhs);
  case BinaryOp::Or:
    return arith::OrIOp::create(builder, at, lhs, rhs);
  default:
    break;
  }
  bool isCompare = e->op >= BinaryOp::Eq && e->op <= BinaryOp::Ge;
  if (llvm::isa<exp::StrType>(lhs.getType())) {
    // Sema allows == and != on strings.
    Value same =
        exp::StrEqOp::create(builder, at, builder.getI1Type(), lhs, rhs);
    if (e->op == BinaryOp::Eq)
      return same;
    return arith::XOrIOp::create(
        builder, at, same, arith::ConstantIntOp::create(builder, at, 1, 1));
  }
  bool isFloat =
      lhs.getType().isF64() || rhs.getType().isF64() || e->op == BinaryOp::Div;
  if (isFloat) {
    lhs = toF64(lhs, e->lhs->loc());
    rhs = toF64(rhs, e->rhs->loc());
  }
  if (isCompare) {
    static const arith::CmpFPredicate floats[] = {
        arith::CmpFPredicate::OEQ, arith::CmpFPredicate::UNE,
        arith::CmpFPredicate::OLT, arith::CmpFPredicate::OLE,
        arith::CmpFPredicate::OGT, arith::CmpFPredicate::OGE};
    static const arith::CmpIPredicate ints[] = {
        arith::CmpIPredicate::eq,  arith::CmpIPredicate::ne,
        arith::CmpIPredicate::slt, arith::CmpIPredicate::sle,
        arith::CmpIPredicate::sgt, arith::CmpIPredicate::sge};
    size_t index = static_cast<size_t>(e->op) - size_t(BinaryOp::Eq);
    if (isFloat)
      return arith::CmpFOp::create(builder, at, floats[index], lhs, rhs);
    return arith::CmpIOp::create(builder, at, ints[index], lhs, rhs);
  }
  switch (e->op) {
  case BinaryOp::Add:
    return isFloat ? Value(arith::AddFOp::create(builder, at, lhs, rhs))
                   : Value(arith::AddIOp::create(builder, at, lhs, rhs));
  case BinaryOp::Sub:
    return isFloat ? Value(arith::SubFOp::create(builder, at, lhs, rhs))
                   : Value(arith::SubIOp::create(builder, at, lhs, rhs));
  case BinaryOp::Mul:
    return isFloat ? Value(arith::MulFOp::create(builder, at, lhs, rhs))
                   : Value(arith::MulIOp::create(builder, at, lhs, rhs));
  case BinaryOp::Div:
    return arith::DivFOp::create(builder, at, lhs, rhs);
  default: // BinaryOp::Mod, on host ints
    return arith::RemSIOp::create(builder, at, lhs, rhs);
  }
}

Value ExperimentEmitter::emitConditional(const Conditional *e) {
  Value cond = emitExpr(e->cond);
  Value onTrue = toHost(emitExpr(e->onTrue), e->onTrue->loc());
  Value onFalse = toHost(emitExpr(e->onFalse), e->onFalse->loc());
  if (hadError)
    return nullptr;
  if (onTrue.getType() != onFalse.getType()) {
    onTrue = toF64(onTrue, e->onTrue->loc());
    onFalse = toF64(onFalse, e->onFalse->loc());
  }
  return mlir::arith::SelectOp::create(builder, loc(e->loc()), cond, onTrue,
                                       onFalse);
}

Value ExperimentEmitter::emitCall(const Call *call) {
  if (call->fn)
    return emitGraphCall(call, nullptr);
  if (const auto *member = llvm::dyn_cast<Member>(call->callee))
    return emitMethod(call, member);
  if (call->type.kind == TypeKind::Model)
    return emitParams(call);
  StringRef name = llvm::cast<Name>(call->callee)->name;
  if (isHostBuiltin(name))
    return emitBuiltin(call, name);
  if (isTensorBuiltin(call))
    return emitLifted(call, name);
  error(call->loc(), "kilnc cannot emit this call into an experiment yet");
  return nullptr;
}

Value ExperimentEmitter::emitGraphCall(const Call *call, Value optimizer) {
  Value params;
  if (call->fn->owner) {
    // `net.loss(...)`, or `net(...)` for `net.forward(...)`.
    const Expr *model = call->callee;
    if (const auto *member = llvm::dyn_cast<Member>(call->callee)) {
      model = member->base;
      const ModelDecl *decl = model->type.model;
      if (!decl ||
          !llvm::isa_and_nonnull<FnDecl>(decl->findMember(member->name))) {
        error(member->nameRange.Start,
              "kilnc cannot emit calls of a layer from an experiment yet; "
              "call a function of the model");
        return nullptr;
      }
    }
    params = emitExpr(model);
    if (hadError)
      return nullptr;
  }
  mlir::StringAttr name = builder.getStringAttr(graph.rootName(call));
  auto fn = module.lookupSymbol<mlir::func::FuncOp>(name);
  mlir::FunctionType type = fn.getFunctionType();
  size_t skip = type.getNumInputs() - call->args.size();
  llvm::SmallVector<Value> args;
  for (auto [arg, input] :
       llvm::zip(call->args, type.getInputs().drop_front(skip))) {
    Value value = emitExpr(arg.value);
    if (hadError)
      return nullptr;
    args.push_back(toTensor(value, llvm::cast<mlir::RankedTensorType>(input),
                            arg.value->loc()));
  }
  if (hadError)
    return nullptr;
  auto callee = mlir::FlatSymbolRefAttr::get(name);
  mlir::Location at = loc(call->loc());
  if (optimizer)
    return exp::StepOp::create(builder, at, type.getResult(0), callee, args,
                               params, optimizer,
                               /*train_step=*/nullptr);
  return exp::CallGraphOp::create(builder, at, type.getResults(), callee, args,
                                  params)
      .getResult(0);
}

Value ExperimentEmitter::emitLifted(const Call *call, StringRef name) {
  llvm::SmallVector<const Expr *> leaves;
  collectLeaves(call, leaves);
  llvm::SmallVector<Value> args;
  llvm::SmallVector<mlir::Type> types;
  for (const Expr *leaf : leaves) {
    Value value = emitExpr(leaf);
    mlir::RankedTensorType type = tensorType(leaf->type, leaf->loc());
    if (hadError)
      return nullptr;
    args.push_back(toTensor(value, type, leaf->loc()));
    types.push_back(type);
  }
  if (hadError)
    return nullptr;
  mlir::func::FuncOp fn = graph.emitLifted(call, name, leaves, types);
  if (!fn) {
    hadError = true;
    return nullptr;
  }
  return exp::CallGraphOp::create(
             builder, loc(call->loc()), fn.getResultTypes(),
             mlir::FlatSymbolRefAttr::get(fn), args, nullptr)
      .getResult(0);
}

Value ExperimentEmitter::emitParams(const Call *call) {
  const Type &model = call->type;
  llvm::SmallVector<int64_t> sizes;
  for (auto [formal, actual] :
       llvm::zip(model.model->argDims, model.modelDims)) {
    std::optional<int64_t> size = isSymbol(formal) ? graph.size(actual) : 0;
    if (!size) {
      error(call->loc(), "a size of model '" + model.model->name +
                             "' is not known at compile time");
      return nullptr;
    }
    sizes.push_back(*size);
  }
  std::vector<GraphEmitter::ParamSlot> slots;
  graph.instantiate(model.model, sizes, "", slots);
  llvm::SmallVector<mlir::Attribute> names, types, inits;
  for (const GraphEmitter::ParamSlot &slot : slots) {
    mlir::DictionaryAttr init = initAttr(slot.decl);
    if (!slot.type || !init) {
      hadError = true;
      return nullptr;
    }
    names.push_back(builder.getStringAttr(slot.name));
    types.push_back(mlir::TypeAttr::get(slot.type));
    inits.push_back(init);
  }
  return exp::ParamsOp::create(
      builder, loc(call->loc()), builder.getType<exp::ParamsType>(),
      model.model->name, builder.getArrayAttr(names),
      builder.getArrayAttr(types), builder.getArrayAttr(inits));
}

mlir::DictionaryAttr ExperimentEmitter::initAttr(const ParamDecl *param) {
  const Expr *init = param->init;
  llvm::SmallVector<mlir::NamedAttribute> entries;
  if (const auto *name = llvm::dyn_cast<Name>(init)) {
    entries.push_back(
        builder.getNamedAttr("kind", builder.getStringAttr(name->name)));
    return builder.getDictionaryAttr(entries);
  }
  const auto *call = llvm::dyn_cast<Call>(init);
  const auto *callee = call ? llvm::dyn_cast<Name>(call->callee) : nullptr;
  if (!callee) {
    error(init->loc(), "kilnc cannot emit this initializer");
    return nullptr;
  }
  bool normal = callee->name == "normal";
  llvm::SmallVector<StringRef, 2> params =
      normal ? llvm::SmallVector<StringRef, 2>{"std", "mean"}
             : llvm::SmallVector<StringRef, 2>{"low", "high"};
  entries.push_back(
      builder.getNamedAttr("kind", builder.getStringAttr(callee->name)));
  for (auto [name, arg] : llvm::zip(params, bindArguments(call, params))) {
    // Only `mean` is optional, and defaults to 0.
    std::optional<double> value = arg ? evalNumber(arg) : 0.0;
    if (!value) {
      error(arg->loc(), "kilnc needs a number literal here");
      return nullptr;
    }
    entries.push_back(
        builder.getNamedAttr(name, builder.getF64FloatAttr(*value)));
  }
  return builder.getDictionaryAttr(entries);
}

Value ExperimentEmitter::emitBuiltin(const Call *call, StringRef name) {
  mlir::Location at = loc(call->loc());
  if (name == "fashion_mnist" || name == "mnist") {
    llvm::SmallVector<const Expr *, 6> a =
        bindArguments(call, {"split", "path"});
    mlir::StringAttr path;
    if (a[1]) {
      const auto *literal = llvm::dyn_cast<StrLit>(a[1]);
      if (!literal) {
        error(a[1]->loc(), "kilnc needs a string literal for the path");
        return nullptr;
      }
      path = builder.getStringAttr(literal->value);
    }
    return exp::DatasetOp::create(
        builder, at, builder.getType<exp::DatasetType>(),
        builder.getStringAttr(name),
        builder.getStringAttr(llvm::cast<StrLit>(a[0])->value), path);
  }
  if (lookupGenerator(name))
    return emitSynthetic(call, name, at);
  if (name == "mix") {
    auto args = bindArguments(call, {"first", "second"});
    Value first = emitExpr(args[0]), second = emitExpr(args[1]);
    if (hadError)
      return nullptr;
    return exp::MixOp::create(builder, at, builder.getType<exp::DatasetType>(),
                              first, second);
  }
  if (name == "permutation") {
    const Expr *seed = bindArguments(call, {"size", "seed"})[1];
    Value seedValue = seed ? emitInt(seed) : intConstant(0, call->loc());
    mlir::RankedTensorType type = tensorType(call->type, call->loc());
    if (hadError)
      return nullptr;
    return exp::PermutationOp::create(builder, at, type, seedValue);
  }
  if (name == "sgd" || name == "adam" || name == "adamw")
    return emitOptimizer(call, name);
  if (name == "replay") {
    auto args = bindArguments(call, {"capacity", "like", "insert", "sample"});
    auto policy = [&](const Expr *e, StringRef otherwise) {
      return e ? StringRef(llvm::cast<StrLit>(e)->value) : otherwise;
    };
    Value capacity = emitInt(args[0]);
    llvm::SmallVector<mlir::NamedAttribute> fields;
    for (const DatasetInfo::Field &field : call->type.dataset->fields) {
      mlir::RankedTensorType type =
          tensorType(Type::tensor(field.dtype, field.shape), call->loc());
      if (hadError)
        return nullptr;
      fields.push_back(
          builder.getNamedAttr(field.name, mlir::TypeAttr::get(type)));
    }
    if (hadError)
      return nullptr;
    return exp::ReplayCreateOp::create(
        builder, at, builder.getType<exp::ReplayType>(), capacity,
        builder.getDictionaryAttr(fields), policy(args[2], "append"),
        policy(args[3], "recency"));
  }
  error(call->loc(), "kilnc emits a learning-rate schedule only as the "
                     "learning rate of an optimizer");
  return nullptr;
}

Value ExperimentEmitter::emitOptimizer(const Call *call, StringRef kind) {
  llvm::SmallVector<StringRef, 6> params{"model", "lr"};
  if (kind == "sgd")
    params.push_back("momentum");
  else
    params.append({"beta1", "beta2", "eps"});
  if (kind == "adamw")
    params.push_back("weight_decay");
  llvm::SmallVector<const Expr *, 6> a = bindArguments(call, params);
  Value model = emitExpr(a[0]);

  // The learning rate: a number, or a schedule, possibly bound by a let.
  const Expr *lr = a[1];
  if (const auto *name = llvm::dyn_cast<Name>(lr))
    if (const auto *let = llvm::dyn_cast_or_null<LetStmt>(name->decl);
        let && let->value->type.kind == TypeKind::Schedule)
      lr = let->value;
  Value rate;
  mlir::StringAttr schedule;
  llvm::SmallVector<Value> scheduleArgs;
  const auto *scheduleCall = llvm::dyn_cast<Call>(lr);
  if (lr->type.kind == TypeKind::Schedule && scheduleCall) {
    StringRef scheduleName = llvm::cast<Name>(scheduleCall->callee)->name;
    schedule = builder.getStringAttr(scheduleName);
    if (scheduleName == "cosine") {
      auto s = bindArguments(scheduleCall, {"peak", "steps", "warmup"});
      rate = emitFloat(s[0]);
      scheduleArgs = {emitInt(s[1]),
                      s[2] ? emitInt(s[2]) : intConstant(0, lr->loc())};
    } else if (scheduleName == "linear") {
      auto s = bindArguments(scheduleCall, {"start", "end", "steps"});
      rate = emitFloat(s[0]);
      scheduleArgs = {emitFloat(s[1]), emitInt(s[2])};
    } else {
      auto s = bindArguments(scheduleCall, {"lr", "every", "factor"});
      rate = emitFloat(s[0]);
      scheduleArgs = {emitInt(s[1]), emitFloat(s[2])};
    }
  } else if (lr->type.kind == TypeKind::Schedule) {
    error(lr->loc(), "kilnc needs the schedule's call here");
  } else {
    rate = emitFloat(lr);
  }
  if (hadError)
    return nullptr;
  auto op = exp::OptimizerOp::create(
      builder, loc(call->loc()), builder.getType<exp::OptimizerType>(),
      builder.getStringAttr(kind), model, rate, schedule, scheduleArgs);
  for (auto [name, arg] : llvm::drop_begin(llvm::zip(params, a), 2)) {
    if (!arg)
      continue;
    std::optional<double> value = evalNumber(arg);
    if (!value) {
      error(arg->loc(), "kilnc needs a number literal for '" + name + "'");
      return nullptr;
    }
    op->setAttr(name, builder.getF64FloatAttr(*value));
  }
  return op;
}

Value ExperimentEmitter::emitMethod(const Call *call, const Member *callee) {
  StringRef name = callee->name;
  mlir::Location at = loc(callee->nameRange.Start);
  TypeKind base = callee->base->type.kind;
  if (base == TypeKind::Dataset && name != "batches") {
    Value input = emitExpr(callee->base);
    const Expr *arg = call->args.front().value;
    Value operand = name == "permute" ? emitExpr(arg) : emitInt(arg);
    if (hadError)
      return nullptr;
    auto dataset = builder.getType<exp::DatasetType>();
    if (name == "shuffle")
      return exp::ShuffleOp::create(builder, at, dataset, input, operand);
    if (name == "take")
      return exp::TakeOp::create(builder, at, dataset, input, operand);
    return exp::PermuteOp::create(builder, at, dataset, input, operand);
  }
  if (base == TypeKind::Replay && name == "sample") {
    llvm::SmallVector<const Expr *, 6> a =
        bindArguments(call, {"count", "alpha"});
    Value buffer = emitExpr(callee->base);
    Value count = emitInt(a[0]);
    Value alpha = a[1] ? emitFloat(a[1]) : floatConstant(0.0, call->loc());
    if (hadError)
      return nullptr;
    return exp::ReplaySampleOp::create(
        builder, at, builder.getType<exp::DatasetType>(), buffer, count, alpha);
  }
  error(callee->nameRange.Start,
        name == "batches"
            ? "kilnc emits 'batches' only as what a 'for' runs over"
            : "kilnc cannot emit this call into an experiment yet");
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Host values
//===----------------------------------------------------------------------===//

mlir::Attribute ExperimentEmitter::overrideAttr(const ParamDecl *param,
                                                StringRef text) {
  const Type &type = param->resolved;
  int64_t integer;
  double number;
  switch (type.kind) {
  case TypeKind::Int:
  case TypeKind::Float:
    if (type.kind == TypeKind::Int ? !llvm::to_integer(text, integer)
                                   : text.getAsDouble(number))
      break;
    if (type.kind == TypeKind::Int)
      number = double(integer);
    if (type.bounds &&
        !(number >= type.bounds->first && number <= type.bounds->second)) {
      error(param->nameRange.Start, "--set " + param->name + "=" + text +
                                        ": outside the range of '" +
                                        param->name + "'");
      return nullptr;
    }
    if (type.kind == TypeKind::Int)
      return builder.getI64IntegerAttr(integer);
    return builder.getF64FloatAttr(number);
  case TypeKind::Bool:
    if (text == "true" || text == "1")
      return builder.getBoolAttr(true);
    if (text == "false" || text == "0")
      return builder.getBoolAttr(false);
    break;
  case TypeKind::Str:
    if (type.choices.empty() || llvm::is_contained(type.choices, text))
      return builder.getStringAttr(text);
    error(param->nameRange.Start,
          "'" + text + "' is not one of the choices of '" + param->name +
              "': " + llvm::join(type.choices, ", "));
    return nullptr;
  default:
    break;
  }
  const char *expected = type.kind == TypeKind::Int     ? "an int"
                         : type.kind == TypeKind::Float ? "a float"
                                                        : "a bool";
  error(param->nameRange.Start, "--set " + param->name + "=" + text + ": '" +
                                    text + "' is not " + expected);
  return nullptr;
}

mlir::Attribute ExperimentEmitter::defaultAttr(const ParamDecl *param) {
  if (auto it = graph.getOptions().hparams.find(param->name);
      it != graph.getOptions().hparams.end())
    return overrideAttr(param, it->second);
  const Expr *init = param->init;
  switch (param->resolved.kind) {
  case TypeKind::Int:
    if (std::optional<double> value = evalNumber(init))
      return builder.getI64IntegerAttr(static_cast<int64_t>(*value));
    break;
  case TypeKind::Float:
    if (std::optional<double> value = evalNumber(init))
      return builder.getF64FloatAttr(*value);
    break;
  case TypeKind::Bool:
    if (const auto *literal = llvm::dyn_cast<BoolLit>(init))
      return builder.getBoolAttr(literal->value);
    break;
  case TypeKind::Str:
    if (const auto *literal = llvm::dyn_cast<StrLit>(init))
      return builder.getStringAttr(literal->value);
    break;
  default:
    break;
  }
  error(init->loc(), "kilnc needs a literal default for hyper-parameter '" +
                         param->name + "'");
  return nullptr;
}

Value ExperimentEmitter::emitInt(const Expr *e) {
  Value value = toHost(emitExpr(e), e->loc());
  if (hadError)
    return nullptr;
  if (!value.getType().isInteger(64)) {
    error(e->loc(), "kilnc expected an int here");
    return nullptr;
  }
  return value;
}

Value ExperimentEmitter::emitFloat(const Expr *e) {
  Value value = toHost(emitExpr(e), e->loc());
  if (hadError)
    return nullptr;
  return toF64(value, e->loc());
}

/// A generator's parameters in the language's order (Generators.h), with
/// the default of each omitted one.
Value ExperimentEmitter::emitSynthetic(const Call *call, StringRef name,
                                       mlir::Location at) {
  Generator generator = *lookupGenerator(name);
  llvm::SmallVector<StringRef> names;
  for (const GeneratorParam &param : generator.params)
    names.push_back(param.name);
  llvm::SmallVector<Value> ints, reals;
  for (auto [arg, param] :
       llvm::zip(bindArguments(call, names), generator.params)) {
    switch (param.kind) {
    case GeneratorParam::Kind::Real:
      reals.push_back(arg ? emitFloat(arg)
                          : floatConstant(param.otherwise, call->loc()));
      break;
    case GeneratorParam::Kind::Mode:
      ints.push_back(
          intConstant(arg ? *generatorMode(llvm::cast<StrLit>(arg)->value)
                          : int64_t(param.otherwise),
                      call->loc()));
      break;
    case GeneratorParam::Kind::Int:
      ints.push_back(arg ? emitInt(arg)
                         : intConstant(int64_t(param.otherwise), call->loc()));
      break;
    }
  }
  if (hadError)
    return nullptr;
  return exp::SyntheticOp::create(
      builder, at, builder.getType<exp::DatasetType>(), name, ints, reals);
}

Value ExperimentEmitter::intConstant(int64_t value, SMLoc where) {
  return mlir::arith::ConstantOp::create(builder, loc(where),
                                         builder.getI64IntegerAttr(value));
}

Value ExperimentEmitter::floatConstant(double value, SMLoc where) {
  return mlir::arith::ConstantOp::create(builder, loc(where),
                                         builder.getF64FloatAttr(value));
}

/// `t[i, j]`: the element as a host number (f64, i64 or i1).
Value ExperimentEmitter::emitIndex(const Index *e) {
  Value base = emitExpr(e->base);
  llvm::SmallVector<Value> indices;
  for (const Expr *index : e->indices) {
    Value value = emitInt(index);
    if (hadError)
      return nullptr;
    indices.push_back(mlir::arith::IndexCastOp::create(
        builder, loc(index->loc()), builder.getIndexType(), value));
  }
  if (hadError)
    return nullptr;
  return hostNumber(
      mlir::tensor::ExtractOp::create(builder, loc(e->loc()), base, indices),
      e->loc());
}

Value ExperimentEmitter::hostNumber(Value element, SMLoc where) {
  mlir::Type type = element.getType();
  if (type.isInteger(1))
    return element;
  return convertScalar(element,
                       llvm::isa<mlir::FloatType>(type)
                           ? mlir::Type(builder.getF64Type())
                           : mlir::Type(builder.getI64Type()),
                       where);
}

Value ExperimentEmitter::toHost(Value value, SMLoc where) {
  if (hadError)
    return nullptr;
  auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(value.getType());
  if (!tensor)
    return value;
  if (tensor.getRank() != 0) {
    error(where, "kilnc computes tensors in functions only; move this into "
                 "a 'fn'");
    return nullptr;
  }
  return hostNumber(mlir::tensor::ExtractOp::create(builder, loc(where), value,
                                                    mlir::ValueRange()),
                    where);
}

Value ExperimentEmitter::toF64(Value value, SMLoc where) {
  return convertScalar(value, builder.getF64Type(), where);
}

Value ExperimentEmitter::convertScalar(Value value, mlir::Type to,
                                       SMLoc where) {
  namespace arith = mlir::arith;
  mlir::Type from = value.getType();
  if (from == to)
    return value;
  mlir::Location at = loc(where);
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (llvm::isa<mlir::FloatType>(to)) {
    if (from.isInteger(1))
      return arith::UIToFPOp::create(builder, at, to, value);
    if (llvm::isa<mlir::IntegerType>(from))
      return arith::SIToFPOp::create(builder, at, to, value);
    if (fromWidth > toWidth)
      return arith::TruncFOp::create(builder, at, to, value);
    return arith::ExtFOp::create(builder, at, to, value);
  }
  if (llvm::isa<mlir::FloatType>(from))
    return arith::FPToSIOp::create(builder, at, to, value);
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(builder, at, to, value);
  if (from.isInteger(1))
    return arith::ExtUIOp::create(builder, at, to, value);
  return arith::ExtSIOp::create(builder, at, to, value);
}

Value ExperimentEmitter::toTensor(Value value, mlir::RankedTensorType type,
                                  SMLoc where) {
  if (value.getType() == type)
    return value;
  if (llvm::isa<mlir::RankedTensorType>(value.getType()) ||
      type.getRank() != 0 || llvm::isa<exp::StrType>(value.getType())) {
    error(where, "kilnc cannot pass this value as a tensor here");
    return nullptr;
  }
  Value scalar = convertScalar(value, type.getElementType(), where);
  return mlir::tensor::FromElementsOp::create(builder, loc(where), type,
                                              scalar);
}

Value ExperimentEmitter::coerce(Value value, mlir::Type type, SMLoc where) {
  if (value.getType() == type)
    return value;
  if (auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type))
    return toTensor(value, tensor, where);
  value = toHost(value, where);
  if (hadError || value.getType() == type)
    return value;
  return convertScalar(value, type, where);
}

std::optional<double> ExperimentEmitter::evalNumber(const Expr *e) {
  if (const auto *i = llvm::dyn_cast<IntLit>(e))
    return double(i->value);
  if (const auto *f = llvm::dyn_cast<FloatLit>(e))
    return f->value;
  if (const auto *unary = llvm::dyn_cast<Unary>(e);
      unary && unary->op == UnaryOp::Neg) {
    std::optional<double> value = evalNumber(unary->operand);
    return value ? std::optional(-*value) : std::nullopt;
  }
  // Constants (`VOCAB`): ints known at compile time, not symbols.
  if (e->type.kind == TypeKind::Int && e->type.value &&
      !isSymbol(*e->type.value))
    return double(*e->type.value);
  return std::nullopt;
}

mlir::Type ExperimentEmitter::hostType(const Type &type) {
  switch (type.kind) {
  case TypeKind::Int:
    return builder.getI64Type();
  case TypeKind::Float:
    return builder.getF64Type();
  case TypeKind::Bool:
    return builder.getI1Type();
  default: // TypeKind::Str: hyper-parameters are no other types
    return builder.getType<exp::StrType>();
  }
}

mlir::RankedTensorType ExperimentEmitter::tensorType(const Type &type,
                                                     SMLoc where) {
  mlir::RankedTensorType tensor = graph.tensorType(type, where);
  if (!tensor)
    hadError = true;
  return tensor;
}

const Node *ExperimentEmitter::lookup(StringRef name) const {
  for (const auto &[declared, decl] : llvm::reverse(scope))
    if (declared == name)
      return decl;
  return nullptr;
}

void ExperimentEmitter::error(SMLoc where, const llvm::Twine &message) {
  diags.error(where, message);
  hadError = true;
}

mlir::OwningOpRef<mlir::ModuleOp>
emitExperiment(mlir::MLIRContext &context, const Program &program,
               const Sema &sema, DiagnosticEngine &diags,
               const GraphEmitOptions &options) {
  context.loadDialect<graph::GraphDialect, exp::ExpDialect,
                      mlir::func::FuncDialect, mlir::arith::ArithDialect,
                      mlir::scf::SCFDialect, mlir::tensor::TensorDialect>();
  GraphEmitter graph(context, sema, diags, options);
  mlir::OwningOpRef<mlir::ModuleOp> module = graph.emit(program);
  if (!module)
    return nullptr;
  ExperimentEmitter emitter(graph, *module, diags);
  for (const Decl *d : program.decls)
    if (const auto *experiment = llvm::dyn_cast<ExperimentDecl>(d);
        experiment && !emitter.emit(experiment))
      return nullptr;
  if (mlir::failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

} // namespace kiln::lang
