//===- EmitExpr.cpp - Function bodies and expressions ---------------------===//
//
// Tensor expressions become graph ops with the types Sema computed, with
// every symbol replaced by its size. Host numbers (literals, model sizes such
// as `width`) are folded and become scalar constants where they meet a
// tensor. User calls are inlined.
//
//===----------------------------------------------------------------------===//

#include "frontends/Emit/GraphEmitter.h"

#include "dialects/Graph/IR/GraphOps.h"

namespace kiln::lang {

using llvm::StringRef;

mlir::Value GraphEmitter::emitBody(const FnDecl *fn) {
  mlir::Value result;
  for (const Stmt *s : fn->body) {
    if (const auto *let = llvm::dyn_cast<LetStmt>(s)) {
      // Host values are folded where they are used.
      if (!let->value->type.isTensor())
        continue;
      mlir::Value value = emitExpr(let->value);
      if (!value)
        return nullptr;
      frame->locals[let->name] = value;
    } else {
      result = emitTensor(llvm::cast<ExprStmt>(s)->expr, fn->resultType.dtype);
    }
  }
  return result;
}

mlir::Value GraphEmitter::emitExpr(const Expr *e) {
  if (auto it = frame->bound.find(e); it != frame->bound.end())
    return it->second;
  if (!e->type.isTensor()) {
    DType dtype = e->type.kind == TypeKind::Float  ? DType::F32
                  : e->type.kind == TypeKind::Bool ? DType::I1
                                                   : DType::I32;
    return emitConstant(e, dtype);
  }
  switch (e->kind) {
  case Node::Kind::Name:
    return emitName(llvm::cast<Name>(e));
  case Node::Kind::Member:
    return emitMember(llvm::cast<Member>(e));
  case Node::Kind::Unary:
    return emitUnary(llvm::cast<Unary>(e));
  case Node::Kind::Binary:
    return emitBinary(llvm::cast<Binary>(e));
  case Node::Kind::Call: {
    const auto *call = llvm::cast<Call>(e);
    if (call->fn)
      return emitUserCall(call);
    if (const auto *name = llvm::dyn_cast<Name>(call->callee))
      return emitBuiltin(call, name->name);
    break;
  }
  case Node::Kind::Conditional:
    error(e->loc(), "kilnc cannot emit '?:' into the graph dialect yet; use "
                    "'where(condition, a, b)' on tensors");
    return nullptr;
  default:
    break;
  }
  error(e->loc(), "kilnc cannot emit this expression into the graph dialect");
  return nullptr;
}

mlir::Value GraphEmitter::emitTensor(const Expr *e, DType dtype) {
  if (!e->type.isTensor())
    return emitConstant(e, dtype);
  mlir::Value value = emitExpr(e);
  if (!value)
    return nullptr;
  auto type = llvm::cast<mlir::RankedTensorType>(value.getType());
  mlir::Type element = elementType(dtype);
  if (type.getElementType() == element)
    return value;
  return graph::CastOp::create(builder, loc(e->loc()), type.clone(element),
                               value);
}

mlir::Value GraphEmitter::emitConstant(const Expr *e, DType dtype) {
  std::optional<double> value = evalHost(e);
  mlir::RankedTensorType type = tensorType(Type::tensor(dtype, {}), e->loc());
  if (!value || !type)
    return nullptr;
  mlir::Type element = type.getElementType();
  mlir::Attribute attr =
      llvm::isa<mlir::FloatType>(element)
          ? mlir::Attribute(builder.getFloatAttr(element, *value))
          : mlir::Attribute(
                builder.getIntegerAttr(element, static_cast<int64_t>(*value)));
  return graph::ConstantOp::create(builder, loc(e->loc()),
                                   mlir::DenseElementsAttr::get(type, attr));
}

std::optional<double> GraphEmitter::evalHost(const Expr *e) {
  // Ints known at compile time: literals, constants, model sizes.
  if (e->type.kind == TypeKind::Int && e->type.value) {
    if (std::optional<int64_t> s = size(*e->type.value))
      return double(*s);
  }
  switch (e->kind) {
  case Node::Kind::IntLit:
    return double(llvm::cast<IntLit>(e)->value);
  case Node::Kind::FloatLit:
    return llvm::cast<FloatLit>(e)->value;
  case Node::Kind::BoolLit:
    return double(llvm::cast<BoolLit>(e)->value);
  case Node::Kind::Unary: {
    const auto *unary = llvm::cast<Unary>(e);
    if (unary->op != UnaryOp::Neg)
      break;
    std::optional<double> v = evalHost(unary->operand);
    return v ? std::optional(-*v) : std::nullopt;
  }
  case Node::Kind::Binary: {
    const auto *binary = llvm::cast<Binary>(e);
    if (binary->op < BinaryOp::Add || binary->op > BinaryOp::Div)
      break;
    std::optional<double> l = evalHost(binary->lhs);
    std::optional<double> r = l ? evalHost(binary->rhs) : std::nullopt;
    if (!r)
      return std::nullopt;
    switch (binary->op) {
    case BinaryOp::Add:
      return *l + *r;
    case BinaryOp::Sub:
      return *l - *r;
    case BinaryOp::Mul:
      return *l * *r;
    default:
      return *l / *r;
    }
  }
  case Node::Kind::Name: {
    const Node *decl = llvm::cast<Name>(e)->decl;
    if (const auto *let = llvm::dyn_cast_or_null<LetStmt>(decl))
      return evalHost(let->value);
    if (llvm::isa_and_nonnull<ParamDecl>(decl) && frame->self &&
        llvm::is_contained(frame->self->decl->args, decl)) {
      error(e->loc(), "kilnc cannot emit the " +
                          sema.getSymbols().formatType(e->type) +
                          " model argument '" + llvm::cast<Name>(e)->name +
                          "' yet; only int model arguments (sizes) are "
                          "supported");
      return std::nullopt;
    }
    break;
  }
  default:
    break;
  }
  error(e->loc(), "kilnc cannot compute this " +
                      sema.getSymbols().formatType(e->type) +
                      " at compile time to emit it");
  return std::nullopt;
}

mlir::Value GraphEmitter::emitName(const Name *e) {
  auto it = frame->locals.find(e->name);
  if (it != frame->locals.end())
    return it->second;
  if (const auto *param = llvm::dyn_cast_or_null<ParamDecl>(e->decl))
    if (frame->self)
      return emitParam(frame->self, param, e);
  error(e->loc(), "kilnc cannot emit '" + e->name + "' here");
  return nullptr;
}

mlir::Value GraphEmitter::emitParam(const ModelInstance *instance,
                                    const ParamDecl *param, const Expr *use) {
  auto it = instance->params.find(param);
  if (it == instance->params.end()) {
    error(use->loc(), "'" + param->name + "' is not a parameter of model '" +
                          instance->decl->name + "'");
    return nullptr;
  }
  return entry->getArgument(it->second);
}

mlir::Value GraphEmitter::emitMember(const Member *e) {
  if (const ModelInstance *instance = instanceOf(e->base))
    if (const auto *param = llvm::dyn_cast_or_null<ParamDecl>(
            instance->decl->findMember(e->name)))
      return emitParam(instance, param, e);
  error(e->loc(), "kilnc cannot emit '." + e->name + "' in a function");
  return nullptr;
}

mlir::Value GraphEmitter::emitUnary(const Unary *e) {
  mlir::Value operand = emitExpr(e->operand);
  if (!operand)
    return nullptr;
  return graph::NegOp::create(builder, loc(e->loc()), operand);
}

/// The dtype operands of `lhs op rhs` meet in: a non-weak tensor's.
static DType operandDType(const Binary *e) {
  for (const Expr *side : {e->lhs, e->rhs})
    if (side->type.isTensor() && !side->type.weak)
      return side->type.dtype;
  for (const Expr *side : {e->lhs, e->rhs})
    if (side->type.kind == TypeKind::Float ||
        (side->type.isTensor() && isFloat(side->type.dtype)))
      return DType::F32;
  return DType::I32;
}

mlir::Value GraphEmitter::emitBinary(const Binary *e) {
  mlir::RankedTensorType type = tensorType(e->type, e->opLoc);
  if (!type)
    return nullptr;
  DType dtype = operandDType(e);
  mlir::Value l = emitTensor(e->lhs, dtype);
  mlir::Value r = l ? emitTensor(e->rhs, dtype) : nullptr;
  if (!r)
    return nullptr;
  mlir::Location at = loc(e->opLoc);
  auto compare = [&](graph::ComparePredicate predicate) -> mlir::Value {
    return graph::CompareOp::create(builder, at, type, predicate, l, r);
  };
  switch (e->op) {
  case BinaryOp::Add:
    return graph::AddOp::create(builder, at, type, l, r);
  case BinaryOp::Sub:
    return graph::SubOp::create(builder, at, type, l, r);
  case BinaryOp::Mul:
    return graph::MulOp::create(builder, at, type, l, r);
  case BinaryOp::Div:
    return graph::DivOp::create(builder, at, type, l, r);
  case BinaryOp::MatMul:
    return graph::MatmulOp::create(builder, at, type, l, r);
  case BinaryOp::Eq:
    return compare(graph::ComparePredicate::eq);
  case BinaryOp::Ne:
    return compare(graph::ComparePredicate::ne);
  case BinaryOp::Lt:
    return compare(graph::ComparePredicate::lt);
  case BinaryOp::Le:
    return compare(graph::ComparePredicate::le);
  case BinaryOp::Gt:
    return compare(graph::ComparePredicate::gt);
  case BinaryOp::Ge:
    return compare(graph::ComparePredicate::ge);
  default:
    error(e->opLoc, "kilnc cannot emit '" + spelling(e->op) +
                        "' on tensors into the graph dialect");
    return nullptr;
  }
}

const ModelInstance *GraphEmitter::instanceOf(const Expr *e) {
  if (const auto *name = llvm::dyn_cast<Name>(e)) {
    const auto *layer = llvm::dyn_cast_or_null<LayerDecl>(name->decl);
    return layer && frame->self ? frame->self->layer(layer->name) : nullptr;
  }
  if (const auto *member = llvm::dyn_cast<Member>(e))
    if (const ModelInstance *base = instanceOf(member->base))
      return base->layer(member->name);
  return nullptr;
}

const ModelInstance *GraphEmitter::calleeInstance(const Call *call) {
  if (const auto *name = llvm::dyn_cast<Name>(call->callee))
    return llvm::isa_and_nonnull<FnDecl>(name->decl) ? frame->self
                                                     : instanceOf(name);
  const auto *member = llvm::cast<Member>(call->callee);
  const ModelInstance *base = instanceOf(member->base);
  if (!base ||
      llvm::isa_and_nonnull<FnDecl>(base->decl->findMember(member->name)))
    return base;                    // `l1.forward(x)`
  return base->layer(member->name); // `mlp.l1(x)`
}

mlir::Value GraphEmitter::emitUserCall(const Call *call) {
  const FnDecl *fn = call->fn;
  Frame callee;
  if (fn->owner) {
    callee.self = calleeInstance(call);
    if (!callee.self) {
      error(call->loc(), "kilnc cannot tell which instance of model '" +
                             fn->owner->name + "' this call runs in");
      return nullptr;
    }
    callee.dims = callee.self->dims;
  }
  for (auto [arg, param] : llvm::zip(call->args, fn->params)) {
    if (!param->resolved.isTensor()) {
      error(arg.value->loc(),
            "kilnc emits functions of tensors only; argument '" + param->name +
                "' of '" + fn->name + "' is " +
                sema.getSymbols().formatType(param->resolved));
      return nullptr;
    }
    mlir::Value value = emitTensor(arg.value, param->resolved.dtype);
    if (!value)
      return nullptr;
    unify(param->resolved, llvm::cast<mlir::RankedTensorType>(value.getType()),
          callee.dims);
    callee.locals[param->name] = value;
  }
  if (!fn->resultType.isTensor()) {
    error(call->loc(), "kilnc emits functions of tensors only; '" + fn->name +
                           "' returns " +
                           sema.getSymbols().formatType(fn->resultType));
    return nullptr;
  }
  callee.callSite = loc(call->loc());
  Frame *caller = std::exchange(frame, &callee);
  mlir::Value result = emitBody(fn);
  frame = caller;
  return result;
}

} // namespace kiln::lang
