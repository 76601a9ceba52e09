//===- SemaBuiltins.cpp - Tensor builtins and argument binding ------------===//
//
// The tensor builtins map one-to-one onto graph dialect ops; their shape
// rules are the dialect's own (GraphShapes.h), reported at the call.
//
//===----------------------------------------------------------------------===//

#include "frontends/Language/Sema.h"

#include "llvm/ADT/StringSwitch.h"

namespace kiln::lang {

using llvm::SMRange;
using llvm::StringRef;

bool Sema::bindArgs(Call *call, StringRef callee,
                    llvm::ArrayRef<StringRef> params, unsigned required,
                    llvm::SmallVectorImpl<Expr *> &out) {
  out.assign(params.size(), nullptr);
  bool ok = true;
  size_t positional = 0;
  for (Argument &arg : call->args) {
    // Lists are literal arguments (axes, shapes); their builtin reads them.
    if (!llvm::isa<ListExpr>(arg.value))
      ok &= !checkExpr(arg.value).isError();
    size_t index;
    if (arg.name.empty()) {
      index = positional++;
      if (index >= params.size()) {
        diags.error(arg.value->range, "too many arguments to '" + callee +
                                          "', which takes at most " +
                                          std::to_string(params.size()));
        return false;
      }
    } else {
      const StringRef *it = llvm::find(params, arg.name);
      if (it == params.end()) {
        std::string list;
        for (StringRef p : params)
          list += (list.empty() ? "'" : ", '") + p.str() + "'";
        diags.error(arg.nameRange, "'" + callee + "' has no argument '" +
                                       arg.name + "'; its arguments are " +
                                       list);
        return false;
      }
      index = it - params.begin();
    }
    if (out[index]) {
      diags.error(arg.name.empty() ? arg.value->range : arg.nameRange,
                  "argument '" + params[index] + "' of '" + callee +
                      "' is given twice");
      return false;
    }
    out[index] = arg.value;
  }
  for (unsigned i = 0; i < required; ++i) {
    if (!out[i]) {
      diags.error(call->parenRange.Start,
                  "'" + callee + "' needs argument '" + params[i] + "'",
                  call->parenRange);
      return false;
    }
  }
  return ok;
}

int64_t Sema::dimOf(const Expr *e) {
  if (e->type.value)
    return *e->type.value;
  // A run-time int sizing a tensor: a symbol that prints as its source.
  StringRef text(e->range.Start.getPointer(),
                 e->range.End.getPointer() - e->range.Start.getPointer());
  return symbols.create(text);
}

int64_t Sema::addDims(int64_t first, int64_t second) {
  if (!isSymbol(first) && !isSymbol(second))
    return first + second;
  int64_t sum = symbols.create(symbols.formatDim(first) + "+" +
                               symbols.formatDim(second));
  sums[sum] = {first, second};
  return sum;
}

std::optional<int64_t> Sema::constInt(const Expr *e, const llvm::Twine &what) {
  if (e->type.isError())
    return std::nullopt;
  if (e->type.kind != TypeKind::Int || !e->type.value ||
      isSymbol(*e->type.value)) {
    diags.error(e->range, what + " must be an integer known at compile time");
    return std::nullopt;
  }
  return *e->type.value;
}

bool Sema::constIntList(const Expr *e, const llvm::Twine &what,
                        llvm::SmallVectorImpl<int64_t> &out) {
  const auto *list = llvm::dyn_cast<ListExpr>(e);
  if (!list) {
    if (!e->type.isError())
      diags.error(e->range, what + " is a list of integers, as in [0, 1]");
    return false;
  }
  for (Expr *element : list->elements) {
    if (checkExpr(element).isError())
      return false;
    if (element->type.kind != TypeKind::Int || !element->type.value) {
      diags.error(element->range, what +
                                      " holds integers known at compile "
                                      "time, found " +
                                      str(element->type));
      return false;
    }
    out.push_back(*element->type.value);
  }
  return true;
}

bool Sema::expectKind(const Expr *e, TypeKind kind, const llvm::Twine &what) {
  if (e->type.isError())
    return false;
  if (e->type.kind == kind ||
      (kind == TypeKind::Float && e->type.kind == TypeKind::Int))
    return true;
  diags.error(e->range, what + " must be " + str(Type::of(kind)) + ", found " +
                            str(e->type));
  return false;
}

bool Sema::expectNumber(const Expr *e, const llvm::Twine &what) {
  return expectKind(e, TypeKind::Float, what);
}

bool Sema::expectFloatTensor(const Expr *e, const llvm::Twine &what) {
  if (e->type.isError())
    return false;
  Type t = asTensor(e->type);
  if (t.isTensor() && isFloat(t.dtype))
    return true;
  diags.error(e->range,
              what + " must be a float tensor, found " + str(e->type));
  return false;
}

/// Reports a failed shape rule at the call, with the rule's own words.
static Type shapeResult(DiagnosticEngine &diags, const SymbolTable &symbols,
                        Call *call, StringRef callee,
                        const graph::ShapeOrError &shape, DType dtype) {
  if (shape.ok())
    return Type::tensor(dtype, shape.shape);
  diags.error(call->callee->range.Start,
              "'" + callee + "': " + symbols.render(shape.error),
              call->parenRange);
  return Type::error();
}

std::optional<Type> Sema::checkTensorBuiltin(Call *call, StringRef name) {
  llvm::SmallVector<Expr *, 4> a;
  auto result = [&](const graph::ShapeOrError &shape, DType dtype) {
    return shapeResult(diags, symbols, call, name, shape, dtype);
  };

  bool unaryFloat = llvm::StringSwitch<bool>(name)
                        .Cases({"exp", "log", "sqrt", "rsqrt", "tanh"}, true)
                        .Cases({"sigmoid", "relu", "gelu"}, true)
                        .Default(false);
  if (unaryFloat || name == "abs") {
    if (!bindArgs(call, name, {"x"}, 1, a))
      return Type::error();
    if (unaryFloat &&
        !expectFloatTensor(a[0], "the argument of '" + name + "'"))
      return Type::error();
    Type t = asTensor(a[0]->type);
    if (!t.isTensor()) {
      diags.error(a[0]->range, "'abs' needs a number or a tensor");
      return Type::error();
    }
    if (t.weak)
      return Type::of(unaryFloat ? TypeKind::Float : a[0]->type.kind);
    return t;
  }

  if (name == "maximum" || name == "minimum" || name == "pow") {
    if (!bindArgs(call, name, {"a", "b"}, 2, a))
      return Type::error();
    const Expr *operands[] = {a[0], a[1]};
    Type t = elementwise(call->callee->range.Start, operands,
                         "'" + name.str() + "'");
    if (!t.isError() && name == "pow" && !isFloat(t.dtype)) {
      diags.error(call->parenRange, "'pow' needs float operands");
      return Type::error();
    }
    return t;
  }

  if (name == "where") {
    if (!bindArgs(call, name, {"condition", "on_true", "on_false"}, 3, a))
      return Type::error();
    Type c = a[0]->type;
    if (!c.isTensor() || c.dtype != DType::I1) {
      diags.error(a[0]->range, "the condition of 'where' is a bool tensor, "
                               "such as 'x > 0', found " +
                                   str(c));
      return Type::error();
    }
    const Expr *values[] = {a[1], a[2]};
    Type v = elementwise(call->callee->range.Start, values, "'where'");
    if (v.isError())
      return v;
    llvm::ArrayRef<int64_t> shapes[] = {c.shape, v.shape};
    return result(graph::broadcastShapes(shapes), v.dtype);
  }

  if (name == "matmul") {
    if (!bindArgs(call, name, {"a", "b", "transpose_a", "transpose_b"}, 2, a))
      return Type::error();
    if (!expectFloatTensor(a[0], "the first operand of 'matmul'") ||
        !expectFloatTensor(a[1], "the second operand of 'matmul'"))
      return Type::error();
    for (Expr *flag : {a[2], a[3]})
      if (flag && !expectKind(flag, TypeKind::Bool, "a transpose flag"))
        return Type::error();
    auto flagValue = [](Expr *flag) {
      auto *lit = llvm::dyn_cast_or_null<BoolLit>(flag);
      return lit && lit->value;
    };
    for (Expr *flag : {a[2], a[3]})
      if (flag && !llvm::isa<BoolLit>(flag)) {
        diags.error(flag->range, "a transpose flag is 'true' or 'false'");
        return Type::error();
      }
    return result(graph::matmulShape(a[0]->type.shape, a[1]->type.shape,
                                     flagValue(a[2]), flagValue(a[3])),
                  a[0]->type.dtype);
  }

  if (name == "dropout") {
    if (!bindArgs(call, name, {"x", "rate"}, 2, a) ||
        !expectFloatTensor(a[0], "the argument of 'dropout'"))
      return Type::error();
    double rate = -1;
    if (const auto *literal = llvm::dyn_cast<FloatLit>(a[1]))
      rate = literal->value;
    else if (const auto *literal = llvm::dyn_cast<IntLit>(a[1]))
      rate = double(literal->value);
    if (!(rate >= 0 && rate < 1)) {
      diags.error(a[1]->range, "the rate of 'dropout' is a number literal in "
                               "[0, 1), as in 'dropout(x, 0.1)'");
      return Type::error();
    }
    return asTensor(a[0]->type);
  }

  if (name == "attention") {
    if (!bindArgs(call, name, {"q", "k", "v", "heads", "mask", "scale"}, 4,
                  a) ||
        !expectFloatTensor(a[0], "the query of 'attention'") ||
        !expectFloatTensor(a[1], "the key of 'attention'") ||
        !expectFloatTensor(a[2], "the value of 'attention'") ||
        (a[4] && !expectFloatTensor(a[4], "the mask of 'attention'")))
      return Type::error();
    if (a[3]->type.kind != TypeKind::Int || !a[3]->type.value) {
      diags.error(a[3]->range, "'heads' must be an integer known at compile "
                               "time or a model's int argument");
      return Type::error();
    }
    if (a[5] && !llvm::isa<FloatLit, IntLit>(a[5])) {
      diags.error(a[5]->range,
                  "'scale' is a number literal, as in 'scale = 0.125'");
      return Type::error();
    }
    const Shape &q = a[0]->type.shape, &k = a[1]->type.shape;
    for (int i = 1; i < 5; ++i)
      if (a[i] && a[i]->type.dtype != a[0]->type.dtype) {
        diags.error(a[i]->range, "'attention' needs operands of one dtype, "
                                 "found " +
                                     str(a[0]->type) + " and " +
                                     str(a[i]->type));
        return Type::error();
      }
    // A model's int argument is known per instance: emission checks that
    // it divides the width.
    int64_t heads = isSymbol(*a[3]->type.value) ? 1 : *a[3]->type.value;
    Shape mask =
        a[4] ? a[4]->type.shape
             : Shape{q.size() == 3 ? q[1] : 0, k.size() == 3 ? k[1] : 0};
    return result(graph::attentionShape(q, k, a[2]->type.shape, mask, heads),
                  a[0]->type.dtype);
  }

  if (name == "cholesky_solve") {
    // x with a x = b, a symmetric positive definite: ridge and least-squares
    // baselines.
    if (!bindArgs(call, name, {"a", "b"}, 2, a) ||
        !expectFloatTensor(a[0], "the matrix of 'cholesky_solve'") ||
        !expectFloatTensor(a[1], "the right-hand side of 'cholesky_solve'"))
      return Type::error();
    const Shape &matrix = a[0]->type.shape, &rhs = a[1]->type.shape;
    size_t rank = matrix.size();
    bool ok = rank >= 2 && rhs.size() == rank &&
              matrix[rank - 1] == matrix[rank - 2] &&
              rhs[rank - 2] == matrix[rank - 1] &&
              std::equal(matrix.begin(), matrix.end() - 2, rhs.begin()) &&
              a[0]->type.dtype == a[1]->type.dtype;
    if (!ok) {
      diags.error(call->callee->range.Start,
                  "'cholesky_solve' needs matrices [..., n, n] and right-hand "
                  "sides [..., n, m] of one dtype, found " +
                      str(a[0]->type) + " and " + str(a[1]->type),
                  call->parenRange);
      return Type::error();
    }
    return a[1]->type;
  }

  if (name == "sum" || name == "mean" || name == "max") {
    if (!bindArgs(call, name, {"x", "axes", "keepdims"}, 1, a))
      return Type::error();
    Type x = asTensor(a[0]->type);
    if (!x.isTensor() || (name == "mean" && !isFloat(x.dtype))) {
      diags.error(a[0]->range, "'" + name + "' needs a" +
                                   (name == "mean" ? " float" : "") +
                                   " tensor, found " + str(a[0]->type));
      return Type::error();
    }
    llvm::SmallVector<int64_t> axes;
    if (a[1] && !constIntList(a[1], "'axes'", axes))
      return Type::error();
    if (!a[1])
      for (size_t i = 0; i < x.shape.size(); ++i)
        axes.push_back(i);
    if (a[2] && !llvm::isa<BoolLit>(a[2])) {
      diags.error(a[2]->range, "'keepdims' is 'true' or 'false'");
      return Type::error();
    }
    bool keepdims = a[2] && llvm::cast<BoolLit>(a[2])->value;
    return result(graph::reduceShape(x.shape, axes, keepdims), x.dtype);
  }

  if (name == "softmax" || name == "log_softmax" || name == "layer_norm" ||
      name == "rms_norm") {
    bool norm = name == "layer_norm" || name == "rms_norm";
    if (!bindArgs(call, name,
                  norm ? llvm::ArrayRef<StringRef>{"x", "axis", "eps"}
                       : llvm::ArrayRef<StringRef>{"x", "axis"},
                  1, a) ||
        !expectFloatTensor(a[0], "the argument of '" + name + "'"))
      return Type::error();
    if (norm && a[2] && !llvm::isa<FloatLit, IntLit>(a[2])) {
      diags.error(a[2]->range, "'eps' is a number literal, as in 'eps = 1e-6'");
      return Type::error();
    }
    Type x = asTensor(a[0]->type);
    if (a[1]) {
      std::optional<int64_t> axis = constInt(a[1], "'axis'");
      if (!axis)
        return Type::error();
      int64_t axes[] = {*axis};
      graph::ShapeOrError ok = graph::normalizeAxes(axes, x.shape.size());
      if (!ok.ok())
        return result(ok, x.dtype);
    }
    return x;
  }

  if (name == "reshape" || name == "transpose") {
    if (!bindArgs(call, name,
                  {"x", name == "reshape" ? "shape" : "permutation"}, 2, a))
      return Type::error();
    Type x = asTensor(a[0]->type);
    if (!x.isTensor()) {
      diags.error(a[0]->range, "'" + name + "' needs a tensor");
      return Type::error();
    }
    llvm::SmallVector<int64_t> list;
    if (!constIntList(a[1], name == "reshape" ? "the shape" : "the permutation",
                      list))
      return Type::error();
    if (name == "transpose")
      return result(graph::transposeShape(x.shape, list), x.dtype);
    // Element counts must agree: the same symbols and the same static product.
    auto split = [](llvm::ArrayRef<int64_t> shape,
                    llvm::SmallVectorImpl<int64_t> &syms) {
      double product = 1;
      for (int64_t d : shape) {
        if (isSymbol(d))
          syms.push_back(d);
        else
          product *= double(d);
      }
      llvm::sort(syms);
      return product;
    };
    llvm::SmallVector<int64_t> fromSyms, toSyms;
    for (int64_t d : list)
      if (!isSymbol(d) && (d < 1 || d >= kMaxStaticDim)) {
        diags.error(a[1]->range, "dimension " + std::to_string(d) +
                                     " is out of range [1, 2^40)");
        return Type::error();
      }
    // A model's int arguments are known only per instance (width = heads *
    // head_size): with any on either side, emission checks the counts.
    auto isModelArg = [&](int64_t symbol) {
      return currentModel && llvm::is_contained(currentModel->argDims, symbol);
    };
    double fromCount = split(x.shape, fromSyms), toCount = split(list, toSyms);
    bool perInstance =
        llvm::any_of(fromSyms, isModelArg) || llvm::any_of(toSyms, isModelArg);
    if (perInstance) {
      llvm::SmallVector<int64_t> fromOthers, toOthers;
      for (int64_t symbol : fromSyms)
        if (!isModelArg(symbol))
          fromOthers.push_back(symbol);
      for (int64_t symbol : toSyms)
        if (!isModelArg(symbol))
          toOthers.push_back(symbol);
      fromSyms = fromOthers;
      toSyms = toOthers;
      fromCount = toCount;
    }
    if (fromCount != toCount || fromSyms != toSyms) {
      diags.error(call->callee->range.Start,
                  "'reshape' cannot turn " + str(x.shape) + " into " +
                      str(list) + ": the element counts differ",
                  call->parenRange);
      return Type::error();
    }
    return Type::tensor(x.dtype, Shape(list.begin(), list.end()));
  }

  if (name == "concat") {
    if (!bindArgs(call, name, {"tensors", "axis"}, 2, a))
      return Type::error();
    auto *list = llvm::dyn_cast<ListExpr>(a[0]);
    if (!list || list->elements.empty()) {
      diags.error(a[0]->range, "'concat' takes a list of tensors, as in "
                               "[a, b]");
      return Type::error();
    }
    std::optional<int64_t> axis = constInt(a[1], "'axis'");
    if (!axis)
      return Type::error();
    llvm::SmallVector<llvm::ArrayRef<int64_t>> shapes;
    std::optional<DType> dtype;
    for (Expr *e : list->elements) {
      Type t = checkExpr(e);
      if (t.isError())
        return t;
      if (!t.isTensor() || (dtype && *dtype != t.dtype)) {
        diags.error(e->range,
                    "'concat' joins tensors of one dtype, found " + str(t));
        return Type::error();
      }
      dtype = t.dtype;
      shapes.push_back(e->type.shape);
      int64_t rank = t.shape.size();
      int64_t normalized = *axis < 0 ? *axis + rank : *axis;
      if (normalized >= 0 && normalized < rank &&
          isSymbol(t.shape[normalized])) {
        diags.error(e->range, "'concat' along a symbolic dimension is not "
                              "supported");
        return Type::error();
      }
    }
    return result(graph::concatShape(shapes, *axis), *dtype);
  }

  if (name == "gather") {
    if (!bindArgs(call, name, {"table", "indices", "axis"}, 2, a))
      return Type::error();
    Type table = a[0]->type, indices = a[1]->type;
    if (!table.isTensor() || !indices.isTensor() || isFloat(indices.dtype) ||
        indices.dtype == DType::I1) {
      diags.error(call->parenRange, "'gather' takes a tensor and integer "
                                    "indices, found " +
                                        str(table) + " and " + str(indices));
      return Type::error();
    }
    int64_t axis = 0;
    if (a[2]) {
      std::optional<int64_t> v = constInt(a[2], "'axis'");
      if (!v)
        return Type::error();
      axis = *v;
    }
    return result(graph::gatherShape(table.shape, indices.shape, axis),
                  table.dtype);
  }

  if (name == "one_hot") {
    if (!bindArgs(call, name, {"indices", "depth"}, 2, a))
      return Type::error();
    Type indices = a[0]->type;
    if (!indices.isTensor() || isFloat(indices.dtype)) {
      diags.error(a[0]->range,
                  "'one_hot' needs integer indices, found " + str(indices));
      return Type::error();
    }
    if (!expectKind(a[1], TypeKind::Int, "'depth'"))
      return Type::error();
    Shape shape = indices.shape;
    shape.push_back(dimOf(a[1]));
    return Type::tensor(DType::F32, std::move(shape));
  }

  if (name == "cross_entropy") {
    if (!bindArgs(call, name, {"logits", "labels"}, 2, a) ||
        !expectFloatTensor(a[0], "the logits"))
      return Type::error();
    Type labels = a[1]->type;
    if (!labels.isTensor() || isFloat(labels.dtype)) {
      diags.error(a[1]->range,
                  "the labels are integer class indices, found " + str(labels));
      return Type::error();
    }
    graph::ShapeOrError shape =
        graph::crossEntropyShape(a[0]->type.shape, labels.shape);
    if (!shape.ok())
      return result(shape, a[0]->type.dtype);
    return Type::tensor(a[0]->type.dtype, {});
  }

  if (name == "mse") {
    if (!bindArgs(call, name, {"prediction", "target"}, 2, a) ||
        !expectFloatTensor(a[0], "the prediction") ||
        !expectFloatTensor(a[1], "the target"))
      return Type::error();
    if (a[0]->type.shape != a[1]->type.shape) {
      diags.error(call->callee->range.Start,
                  "'mse' compares tensors of one shape, found " +
                      str(a[0]->type.shape) + " and " + str(a[1]->type.shape),
                  call->parenRange);
      return Type::error();
    }
    return Type::tensor(a[0]->type.dtype, {});
  }

  if (name == "arange") {
    // 0, 1, ..., size - 1: positions, from which masks are compared.
    if (!bindArgs(call, name, {"size"}, 1, a) ||
        !expectKind(a[0], TypeKind::Int, "the size"))
      return Type::error();
    return Type::tensor(DType::I32, {dimOf(a[0])});
  }

  if (name == "sinusoidal_positions") {
    // Vaswani et al.'s fixed position encodings, [length, width].
    if (!bindArgs(call, name, {"length", "width"}, 2, a) ||
        !expectKind(a[0], TypeKind::Int, "the length") ||
        !expectKind(a[1], TypeKind::Int, "the width"))
      return Type::error();
    return Type::tensor(DType::F32, {dimOf(a[0]), dimOf(a[1])});
  }

  if (name == "causal_mask") {
    if (!bindArgs(call, name, {"size"}, 1, a) ||
        !expectKind(a[0], TypeKind::Int, "the size"))
      return Type::error();
    int64_t n = dimOf(a[0]);
    return Type::tensor(DType::F32, {n, n});
  }

  std::optional<DType> cast =
      name == "bool" ? std::optional(DType::I1) : parseDType(name);
  if (cast) {
    if (!bindArgs(call, name, {"x"}, 1, a))
      return Type::error();
    Type x = asTensor(a[0]->type);
    if (!x.isTensor()) {
      diags.error(a[0]->range,
                  "'" + name + "' converts a tensor, found " + str(a[0]->type));
      return Type::error();
    }
    return Type::tensor(*cast, x.shape);
  }
  return std::nullopt;
}

} // namespace kiln::lang
