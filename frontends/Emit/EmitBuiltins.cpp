//===- EmitBuiltins.cpp - Tensor builtins as graph ops --------------------===//
//
// Each tensor builtin is one graph op (SemaBuiltins.cpp checked it against
// that op's shape rule); `causal_mask`, `arange` and `sinusoidal_positions`
// are constants. The result type is the call's checked type with its sizes
// filled in.
//
//===----------------------------------------------------------------------===//

#include "frontends/Emit/GraphEmitter.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <limits>

namespace kiln::lang {

using llvm::StringRef;
using mlir::Value;

namespace {

bool flagValue(const Expr *e) {
  const auto *lit = llvm::dyn_cast_or_null<BoolLit>(e);
  return lit && lit->value;
}

int64_t intValue(const Expr *e, int64_t fallback) {
  return e ? *e->type.value : fallback;
}

llvm::SmallVector<int64_t> intList(const Expr *e) {
  llvm::SmallVector<int64_t> values;
  for (const Expr *element : llvm::cast<ListExpr>(e)->elements)
    values.push_back(*element->type.value);
  return values;
}

using UnaryBuilder = Value (*)(mlir::OpBuilder &, mlir::Location, Value);
template <typename OpTy>
Value unary(mlir::OpBuilder &b, mlir::Location loc, Value x) {
  return OpTy::create(b, loc, x);
}

using BinaryBuilder = Value (*)(mlir::OpBuilder &, mlir::Location, mlir::Type,
                                Value, Value);
template <typename OpTy>
Value binary(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, Value x,
             Value y) {
  return OpTy::create(b, loc, type, x, y);
}

using ReduceBuilder = Value (*)(mlir::OpBuilder &, mlir::Location, mlir::Type,
                                Value, llvm::ArrayRef<int64_t>, bool);
template <typename OpTy>
Value reduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, Value x,
             llvm::ArrayRef<int64_t> axes, bool keepdims) {
  return OpTy::create(b, loc, type, x, axes, keepdims);
}

/// 0 on and below the diagonal, -inf above it.
mlir::DenseElementsAttr causalMask(mlir::RankedTensorType type) {
  int64_t n = type.getDimSize(0);
  std::vector<float> values(n * n, 0.0f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j)
      values[i * n + j] = -std::numeric_limits<float>::infinity();
  return mlir::DenseElementsAttr::get(type, llvm::ArrayRef<float>(values));
}

/// Position p, feature 2i: sin(p / 10000^(2i / width)); feature 2i + 1:
/// the cosine of the same.
mlir::DenseElementsAttr sinusoidalPositions(mlir::RankedTensorType type) {
  int64_t length = type.getDimSize(0), width = type.getDimSize(1);
  std::vector<float> values(size_t(length * width));
  for (int64_t p = 0; p < length; ++p)
    for (int64_t i = 0; i < width; ++i) {
      double angle =
          double(p) / std::pow(10000.0, double(i - i % 2) / double(width));
      values[p * width + i] = float(i % 2 ? std::cos(angle) : std::sin(angle));
    }
  return mlir::DenseElementsAttr::get(type, llvm::ArrayRef<float>(values));
}

} // namespace

llvm::SmallVector<const Expr *, 6>
bindArguments(const Call *call, llvm::ArrayRef<StringRef> params) {
  llvm::SmallVector<const Expr *, 6> out(params.size(), nullptr);
  size_t positional = 0;
  for (const Argument &arg : call->args) {
    size_t index = arg.name.empty()
                       ? positional++
                       : llvm::find(params, arg.name) - params.begin();
    out[index] = arg.value;
  }
  return out;
}

Value GraphEmitter::emitBuiltin(const Call *call, StringRef name) {
  mlir::RankedTensorType type = tensorType(call->type, call->loc());
  if (!type)
    return nullptr;
  mlir::Location at = loc(call->loc());
  DType dtype = call->type.dtype;
  auto operand = [&](const Expr *e) { return emitTensor(e, dtype); };

  if (UnaryBuilder build = llvm::StringSwitch<UnaryBuilder>(name)
                               .Case("abs", unary<graph::AbsOp>)
                               .Case("exp", unary<graph::ExpOp>)
                               .Case("log", unary<graph::LogOp>)
                               .Case("sqrt", unary<graph::SqrtOp>)
                               .Case("rsqrt", unary<graph::RsqrtOp>)
                               .Case("tanh", unary<graph::TanhOp>)
                               .Case("sigmoid", unary<graph::SigmoidOp>)
                               .Case("relu", unary<graph::ReluOp>)
                               .Case("gelu", unary<graph::GeluOp>)
                               .Default(nullptr)) {
    Value x = operand(bindArguments(call, {"x"})[0]);
    return x ? build(builder, at, x) : nullptr;
  }

  if (BinaryBuilder build = llvm::StringSwitch<BinaryBuilder>(name)
                                .Case("maximum", binary<graph::MaxOp>)
                                .Case("minimum", binary<graph::MinOp>)
                                .Case("pow", binary<graph::PowOp>)
                                .Case("mse", binary<graph::MseOp>)
                                .Default(nullptr)) {
    StringRef mseParams[] = {"prediction", "target"}, params[] = {"a", "b"};
    auto a = bindArguments(call, name == "mse" ? mseParams : params);
    Value x = operand(a[0]);
    Value y = x ? operand(a[1]) : nullptr;
    return y ? build(builder, at, type, x, y) : nullptr;
  }

  if (ReduceBuilder build = llvm::StringSwitch<ReduceBuilder>(name)
                                .Case("sum", reduce<graph::ReduceSumOp>)
                                .Case("mean", reduce<graph::ReduceMeanOp>)
                                .Case("max", reduce<graph::ReduceMaxOp>)
                                .Default(nullptr)) {
    auto a = bindArguments(call, {"x", "axes", "keepdims"});
    Value x = operand(a[0]);
    if (!x)
      return nullptr;
    llvm::SmallVector<int64_t> axes;
    if (a[1])
      axes = intList(a[1]);
    else
      for (int64_t
               i = 0,
               e = llvm::cast<mlir::RankedTensorType>(x.getType()).getRank();
           i < e; ++i)
        axes.push_back(i);
    return build(builder, at, type, x, axes, flagValue(a[2]));
  }

  if (name == "where") {
    auto a = bindArguments(call, {"condition", "on_true", "on_false"});
    Value condition = emitExpr(a[0]);
    Value onTrue = condition ? operand(a[1]) : nullptr;
    Value onFalse = onTrue ? operand(a[2]) : nullptr;
    return onFalse ? graph::SelectOp::create(builder, at, type, condition,
                                             onTrue, onFalse)
                   : nullptr;
  }

  if (name == "matmul") {
    auto a = bindArguments(call, {"a", "b", "transpose_a", "transpose_b"});
    Value x = operand(a[0]);
    Value y = x ? operand(a[1]) : nullptr;
    return y ? graph::MatmulOp::create(builder, at, type, x, y, flagValue(a[2]),
                                       flagValue(a[3]))
             : nullptr;
  }

  if (name == "softmax" || name == "log_softmax") {
    auto a = bindArguments(call, {"x", "axis"});
    Value x = operand(a[0]);
    if (!x)
      return nullptr;
    mlir::IntegerAttr axis = builder.getI64IntegerAttr(intValue(a[1], -1));
    if (name == "softmax")
      return graph::SoftmaxOp::create(builder, at, type, x, axis);
    return graph::LogSoftmaxOp::create(builder, at, type, x, axis);
  }

  if (name == "dropout") {
    auto a = bindArguments(call, {"x", "rate"});
    Value x = operand(a[0]);
    if (!x)
      return nullptr;
    double rate = 0;
    if (const auto *literal = llvm::dyn_cast<FloatLit>(a[1]))
      rate = literal->value;
    else if (const auto *literal = llvm::dyn_cast<IntLit>(a[1]))
      rate = double(literal->value);
    return graph::DropoutOp::create(builder, at, x, /*key=*/Value(),
                                    builder.getF64FloatAttr(rate),
                                    builder.getI64IntegerAttr(dropoutSites++));
  }

  if (name == "attention") {
    auto a = bindArguments(call, {"q", "k", "v", "heads", "mask", "scale"});
    Value q = operand(a[0]);
    Value k = q ? operand(a[1]) : nullptr;
    Value v = k ? operand(a[2]) : nullptr;
    if (!v)
      return nullptr;
    int64_t width = type.getDimSize(2);
    std::optional<int64_t> heads = size(*a[3]->type.value);
    if (!heads || *heads < 1 || width % *heads != 0) {
      error(a[3]->loc(),
            "'heads' (" + (heads ? std::to_string(*heads) : "unknown") +
                ") must divide the width " + std::to_string(width));
      return nullptr;
    }
    Value mask;
    if (a[4]) {
      mask = operand(a[4]);
      if (!mask)
        return nullptr;
    } else {
      auto maskType = mlir::RankedTensorType::get(
          {type.getDimSize(1),
           llvm::cast<mlir::RankedTensorType>(k.getType()).getDimSize(1)},
          type.getElementType());
      mask = graph::ConstantOp::create(
          builder, at,
          mlir::DenseElementsAttr::get(
              maskType, builder.getFloatAttr(type.getElementType(), 0.0)));
    }
    double scale = 1.0 / std::sqrt(double(width / *heads));
    if (const auto *literal = llvm::dyn_cast_or_null<FloatLit>(a[5]))
      scale = literal->value;
    else if (const auto *literal = llvm::dyn_cast_or_null<IntLit>(a[5]))
      scale = double(literal->value);
    return graph::AttentionOp::create(builder, at, type, q, k, v, mask,
                                      builder.getI64IntegerAttr(*heads),
                                      builder.getF64FloatAttr(scale));
  }

  if (name == "cholesky_solve") {
    auto a = bindArguments(call, {"a", "b"});
    Value matrix = operand(a[0]);
    Value rhs = matrix ? operand(a[1]) : nullptr;
    return rhs ? graph::CholeskySolveOp::create(builder, at, type, matrix, rhs)
               : nullptr;
  }

  if (name == "layer_norm" || name == "rms_norm") {
    auto a = bindArguments(call, {"x", "axis", "eps"});
    Value x = operand(a[0]);
    if (!x)
      return nullptr;
    mlir::IntegerAttr axis = builder.getI64IntegerAttr(intValue(a[1], -1));
    double epsilon = 1e-5;
    if (const auto *literal = llvm::dyn_cast_or_null<FloatLit>(a[2]))
      epsilon = literal->value;
    else if (const auto *literal = llvm::dyn_cast_or_null<IntLit>(a[2]))
      epsilon = double(literal->value);
    mlir::FloatAttr eps = builder.getF64FloatAttr(epsilon);
    if (name == "layer_norm")
      return graph::LayerNormOp::create(builder, at, type, x, axis, eps);
    return graph::RmsNormOp::create(builder, at, type, x, axis, eps);
  }

  if (name == "reshape") {
    Value x = operand(bindArguments(call, {"x", "shape"})[0]);
    return x ? graph::ReshapeOp::create(builder, at, type, x) : nullptr;
  }

  if (name == "transpose") {
    auto a = bindArguments(call, {"x", "permutation"});
    Value x = operand(a[0]);
    return x ? graph::TransposeOp::create(builder, at, type, x, intList(a[1]))
             : nullptr;
  }

  if (name == "concat") {
    auto a = bindArguments(call, {"tensors", "axis"});
    llvm::SmallVector<Value> inputs;
    for (const Expr *e : llvm::cast<ListExpr>(a[0])->elements) {
      inputs.push_back(operand(e));
      if (!inputs.back())
        return nullptr;
    }
    return graph::ConcatOp::create(
        builder, at, type, inputs,
        builder.getI64IntegerAttr(intValue(a[1], 0)));
  }

  if (name == "gather") {
    auto a = bindArguments(call, {"table", "indices", "axis"});
    Value table = operand(a[0]);
    Value indices = table ? emitExpr(a[1]) : nullptr;
    return indices ? graph::GatherOp::create(
                         builder, at, type, table, indices,
                         builder.getI64IntegerAttr(intValue(a[2], 0)))
                   : nullptr;
  }

  if (name == "one_hot") {
    Value indices = emitExpr(bindArguments(call, {"indices", "depth"})[0]);
    return indices ? graph::OneHotOp::create(
                         builder, at, type, indices,
                         builder.getI64IntegerAttr(type.getShape().back()))
                   : nullptr;
  }

  if (name == "cross_entropy") {
    auto a = bindArguments(call, {"logits", "labels"});
    Value logits = operand(a[0]);
    Value labels = logits ? emitExpr(a[1]) : nullptr;
    return labels ? graph::SoftmaxCrossEntropyOp::create(
                        builder, at, type, logits, labels,
                        graph::LossReduction::mean, llvm::APFloat(0.0))
                  : nullptr;
  }

  if (name == "causal_mask")
    return graph::ConstantOp::create(builder, at, causalMask(type));
  if (name == "sinusoidal_positions")
    return graph::ConstantOp::create(builder, at, sinusoidalPositions(type));
  if (name == "arange") {
    std::vector<int32_t> values(size_t(type.getDimSize(0)));
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = int32_t(i);
    return graph::ConstantOp::create(
        builder, at,
        mlir::DenseElementsAttr::get(type, llvm::ArrayRef<int32_t>(values)));
  }

  if (name != "bool" && !parseDType(name)) {
    error(call->loc(),
          "kilnc cannot emit '" + name + "' into the graph dialect yet");
    return nullptr;
  }
  // The casts: f32(x), i32(x), bool(x), ...
  const Expr *x = bindArguments(call, {"x"})[0];
  if (!x->type.isTensor())
    return emitConstant(x, dtype);
  Value input = emitExpr(x);
  if (!input || input.getType() == type)
    return input;
  return graph::CastOp::create(builder, at, type, input);
}

} // namespace kiln::lang
