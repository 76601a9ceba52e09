//===- ExperimentOps.cpp - Kiln experiment dialect operations -------------===//
//
// Verifiers. Names the runtime knows (datasets, generators, optimizers,
// schedules, initializers, replay policies) are checked here, so that a
// module that verifies can be lowered without further checks.
//
//===----------------------------------------------------------------------===//

#include "dialects/Experiment/IR/ExperimentOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace kiln::exp;

LogicalResult kiln::exp::verifyInExperiment(Operation *op) {
  if (!op->getParentOfType<ExperimentOp>())
    return op->emitOpError("must be nested in an 'exp.experiment'");
  return success();
}

/// The type a hyper-parameter with this default has, or null.
static Type hparamType(Attribute value) {
  MLIRContext *context = value.getContext();
  if (isa<BoolAttr>(value))
    return IntegerType::get(context, 1);
  if (auto i = dyn_cast<IntegerAttr>(value); i && i.getType().isInteger(64))
    return i.getType();
  if (auto f = dyn_cast<FloatAttr>(value); f && f.getType().isF64())
    return f.getType();
  if (isa<StringAttr>(value))
    return StrType::get(context);
  return nullptr;
}

static bool isOneOf(StringRef value, ArrayRef<StringRef> allowed) {
  return llvm::is_contained(allowed, value);
}

/// "'a', 'b' or 'c'", for messages.
static std::string listOf(ArrayRef<StringRef> names) {
  std::string out;
  for (auto [i, name] : llvm::enumerate(names)) {
    if (i)
      out += i + 1 == names.size() ? " or " : ", ";
    out += "'" + name.str() + "'";
  }
  return out;
}

static bool isStaticTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape();
}

//===----------------------------------------------------------------------===//
// Experiments and hyper-parameters
//===----------------------------------------------------------------------===//

void ExperimentOp::addFixedHparam(StringRef name) {
  if (isFixedHparam(name))
    return;
  SmallVector<StringRef> names;
  if (ArrayAttr fixed = getFixedAttr())
    for (Attribute n : fixed)
      names.push_back(cast<StringAttr>(n).getValue());
  names.push_back(name);
  llvm::sort(names);
  setFixedAttr(Builder(getContext()).getStrArrayAttr(names));
}

bool ExperimentOp::isFixedHparam(StringRef name) {
  ArrayAttr fixed = getFixedAttr();
  return fixed && llvm::any_of(fixed, [&](Attribute n) {
           return cast<StringAttr>(n).getValue() == name;
         });
}

LogicalResult ExperimentOp::verify() {
  for (NamedAttribute hparam : getHparams())
    if (!hparamType(hparam.getValue()))
      return emitOpError("hyper-parameter '")
             << hparam.getName().getValue()
             << "' must default to an i64, an f64, a bool or a string";
  if (ArrayAttr fixed = getFixedAttr()) {
    llvm::StringSet<> seen;
    for (StringRef name : fixed.getAsValueRange<StringAttr>()) {
      if (!getHparams().get(name))
        return emitOpError("fixed hyper-parameter '")
               << name << "' is not a hyper-parameter";
      if (!seen.insert(name).second)
        return emitOpError("fixed hyper-parameter '")
               << name << "' is listed twice";
    }
  }
  for (NamedAttribute range : getRangesAttr() ? getRangesAttr().getValue()
                                              : ArrayRef<NamedAttribute>()) {
    StringRef name = range.getName().getValue();
    Attribute value = getHparams().get(range.getName());
    std::optional<double> number;
    if (auto integer = dyn_cast_or_null<IntegerAttr>(value);
        integer && integer.getType().isInteger(64))
      number = double(integer.getInt());
    else if (auto real = dyn_cast_or_null<FloatAttr>(value))
      number = real.getValueAsDouble();
    if (!number)
      return emitOpError("a range for '")
             << name << "', which is not an int or float hyper-parameter";
    auto bounds = dyn_cast<ArrayAttr>(range.getValue());
    if (!bounds || bounds.size() != 2 ||
        !llvm::all_of(bounds, llvm::IsaPred<FloatAttr>))
      return emitOpError("the range of '")
             << name << "' must be an array of two floats";
    double low = cast<FloatAttr>(bounds[0]).getValueAsDouble(),
           high = cast<FloatAttr>(bounds[1]).getValueAsDouble();
    if (!(low <= high))
      return emitOpError("the range of '")
             << name << "' is empty: [" << low << ", " << high << "]";
    if (!(*number >= low && *number <= high))
      return emitOpError("the default ")
             << *number << " of '" << name << "' is not in [" << low << ", "
             << high << "]";
  }
  if (!getChoicesAttr())
    return success();
  for (NamedAttribute choice : getChoicesAttr()) {
    StringRef name = choice.getName().getValue();
    auto defaultValue =
        dyn_cast_or_null<StringAttr>(getHparams().get(choice.getName()));
    if (!defaultValue)
      return emitOpError("choices for '")
             << name << "', which is not a string hyper-parameter";
    auto values = dyn_cast<ArrayAttr>(choice.getValue());
    if (!values || values.empty() ||
        !llvm::all_of(values, llvm::IsaPred<StringAttr>))
      return emitOpError("the choices for '")
             << name << "' must be a non-empty array of strings";
    if (!llvm::is_contained(values, defaultValue))
      return emitOpError("the default ") << defaultValue << " of '" << name
                                         << "' is not one of its choices";
  }
  return success();
}

LogicalResult HParamOp::verify() {
  auto experiment = (*this)->getParentOfType<ExperimentOp>();
  Attribute value = experiment.getHparams().get(getName());
  if (!value)
    return emitOpError("experiment @")
           << experiment.getSymName() << " has no hyper-parameter '"
           << getName() << "'";
  if (hparamType(value) != getType())
    return emitOpError("hyper-parameter '")
           << getName() << "' is " << hparamType(value) << ", not "
           << getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Data
//===----------------------------------------------------------------------===//

LogicalResult DatasetOp::verify() {
  static const StringRef names[] = {"fashion_mnist", "mnist"};
  if (!isOneOf(getName(), names))
    return emitOpError("unknown dataset '")
           << getName() << "'; expected " << listOf(names);
  if (!isOneOf(getSplit(), {"train", "test"}))
    return emitOpError("the split is 'train' or 'test', not '")
           << getSplit() << "'";
  return success();
}

LogicalResult SyntheticOp::verify() {
  struct Generator {
    StringRef name, args, reals;
    size_t numArgs, numReals;
  };
  static const Generator generators[] = {
      {"gaussian_classes", "count, classes, dim, task_seed, seed", "", 5, 0},
      {"induction_tokens", "count, length, vocab, seed", "", 4, 0},
      {"icl_classification",
       "count, classes, dim, labels, context, burstiness, mode, task_seed, "
       "seed",
       "zipf, noise", 9, 2},
      {"icl_regression", "count, dim, points, tasks, task_seed, seed", "noise",
       6, 1},
  };
  const Generator *generator = nullptr;
  for (const Generator &candidate : generators)
    if (candidate.name == getGenerator())
      generator = &candidate;
  if (!generator)
    return emitOpError("unknown generator '")
           << getGenerator()
           << "'; expected 'gaussian_classes', 'induction_tokens', "
              "'icl_classification' or 'icl_regression'";
  if (getArgs().size() != generator->numArgs)
    return emitOpError("'")
           << getGenerator() << "' takes " << generator->numArgs
           << " integer arguments (" << generator->args << "), found "
           << getArgs().size();
  if (getReals().size() != generator->numReals) {
    auto diag = emitOpError("'") << getGenerator() << "' takes "
                                 << generator->numReals << " real arguments";
    if (generator->numReals)
      diag << " (" << generator->reals << ")";
    return diag << ", found " << getReals().size();
  }
  return success();
}

LogicalResult PermutationOp::verify() {
  if (getType().getRank() != 1 || !getType().hasStaticShape())
    return emitOpError("a permutation is a 1-D tensor of static size");
  return success();
}

LogicalResult PermuteOp::verify() {
  auto type = getPermutation().getType();
  if (type.getRank() != 1 || !type.hasStaticShape())
    return emitOpError("the permutation must be a 1-D tensor of static size");
  return success();
}

LogicalResult NumBatchesOp::verify() {
  if (getSizeAttr().getInt() < 1)
    return emitOpError("the batch size must be positive");
  return success();
}

LogicalResult BatchOp::verify() {
  if (getSizeAttr().getInt() < 1)
    return emitOpError("the batch size must be positive");
  return success();
}

LogicalResult FieldOp::verify() {
  if (getName().empty())
    return emitOpError("the field name must not be empty");
  if (!getType().hasStaticShape() || getType().getRank() < 1)
    return emitOpError("a field has a static shape with the rows first");
  return success();
}

//===----------------------------------------------------------------------===//
// Models and optimizers
//===----------------------------------------------------------------------===//

/// The numeric attributes each initializer needs.
static LogicalResult verifyInit(Operation *op, StringRef param,
                                DictionaryAttr init) {
  auto kind = init.getAs<StringAttr>("kind");
  if (!kind)
    return op->emitOpError("the initializer of '")
           << param << "' has no string 'kind'";
  llvm::SmallVector<StringRef, 2> needs;
  if (kind == "normal")
    needs = {"std", "mean"};
  else if (kind == "uniform")
    needs = {"low", "high"};
  else if (!isOneOf(kind, {"zeros", "ones", "glorot", "kaiming"}))
    return op->emitOpError("unknown initializer '")
           << kind.getValue() << "' for '" << param << "'";
  for (StringRef name : needs)
    if (!init.getAs<FloatAttr>(name))
      return op->emitOpError("initializer '")
             << kind.getValue() << "' of '" << param << "' needs a float '"
             << name << "'";
  if (init.size() != needs.size() + 1)
    return op->emitOpError("initializer '")
           << kind.getValue() << "' of '" << param
           << "' has unexpected entries";
  return success();
}

LogicalResult ParamsOp::verify() {
  size_t count = getNames().size();
  if (getTypes().size() != count || getInits().size() != count)
    return emitOpError("needs as many types and initializers as names");
  llvm::StringSet<> seen;
  for (auto [name, typeAttr, init] : llvm::zip(
           getNames().getAsValueRange<StringAttr>(), getTypes(), getInits())) {
    if (name.empty() || !seen.insert(name).second)
      return emitOpError("parameter names must be unique and non-empty, "
                         "found '")
             << name << "'";
    Type type = cast<TypeAttr>(typeAttr).getValue();
    if (!isStaticTensor(type) ||
        !isa<FloatType>(cast<RankedTensorType>(type).getElementType()))
      return emitOpError("parameter '")
             << name << "' must be a float tensor of static shape, found "
             << type;
    if (failed(verifyInit(*this, name, cast<DictionaryAttr>(init))))
      return failure();
  }
  return success();
}

LogicalResult OptimizerOp::verify() {
  llvm::SmallVector<StringRef, 4> hypers;
  if (getKind() == "sgd")
    hypers = {"momentum", "nesterov", "weight_decay"};
  else if (getKind() == "adam" || getKind() == "adamw")
    hypers = {"beta1", "beta2", "eps", "weight_decay"};
  else
    return emitOpError("unknown optimizer '")
           << getKind() << "'; expected 'sgd', 'adam' or 'adamw'";
  for (NamedAttribute attr : (*this)->getDiscardableAttrs()) {
    StringRef name = attr.getName().getValue();
    if (!isOneOf(name, hypers))
      return emitOpError("'") << getKind() << "' has no hyper-parameter '"
                              << name << "'; it has " << listOf(hypers);
    if (name == "nesterov") {
      if (!isa<BoolAttr>(attr.getValue()))
        return emitOpError("'nesterov' must be a bool");
      continue;
    }
    auto value = dyn_cast<FloatAttr>(attr.getValue());
    if (!value)
      return emitOpError("'") << name << "' must be a float";
    // The ranges graph.sgd_update and graph.adam_update accept.
    double x = value.getValueAsDouble();
    if ((name == "beta1" || name == "beta2") && !(x >= 0 && x < 1))
      return emitOpError("'") << name << "' must lie in [0, 1), found " << x;
    if (name == "eps" && !(x > 0))
      return emitOpError("'eps' must be positive, found ") << x;
    if ((name == "momentum" || name == "weight_decay") && !(x >= 0))
      return emitOpError("'") << name << "' must be non-negative, found " << x;
  }
  auto nesterov = (*this)->getAttrOfType<BoolAttr>("nesterov");
  auto momentum = (*this)->getAttrOfType<FloatAttr>("momentum");
  if (nesterov && nesterov.getValue() &&
      !(momentum && momentum.getValueAsDouble() > 0))
    return emitOpError("'nesterov' needs a positive 'momentum'");
  if (!getSchedule()) {
    if (!getScheduleArgs().empty())
      return emitOpError("schedule arguments without a schedule");
    return success();
  }
  MLIRContext *context = getContext();
  Type i64 = IntegerType::get(context, 64), f64 = Float64Type::get(context);
  llvm::SmallVector<Type, 2> want;
  if (*getSchedule() == "cosine")
    want = {i64, i64}; // steps, warmup
  else if (*getSchedule() == "linear")
    want = {f64, i64}; // end, steps
  else if (*getSchedule() == "step_decay")
    want = {i64, f64}; // every, factor
  else
    return emitOpError("unknown schedule '")
           << *getSchedule() << "'; expected 'cosine', 'linear' or "
           << "'step_decay'";
  if (TypeRange(getScheduleArgs()) != TypeRange(want))
    return emitOpError("schedule '")
           << *getSchedule() << "' takes arguments of types (" << want << ")";
  return success();
}

/// Checks a call of a graph function: its leading `kiln.param` arguments come
/// from `params` (if it has any), the others are `args`.
static LogicalResult verifyGraphCall(Operation *op, FlatSymbolRefAttr callee,
                                     ValueRange args, bool hasParams,
                                     SymbolTableCollection &symbols) {
  auto fn = symbols.lookupNearestSymbolFrom<func::FuncOp>(op, callee);
  if (!fn)
    return op->emitOpError("'")
           << callee.getValue() << "' is not a function in this module";
  FunctionType type = fn.getFunctionType();
  unsigned params = 0;
  while (params < type.getNumInputs() && fn.getArgAttr(params, "kiln.param"))
    ++params;
  if (hasParams != (params > 0))
    return op->emitOpError(params ? "needs the parameters of '"
                                  : "passes parameters to '")
           << callee.getValue() << "', which has " << params;
  if (TypeRange(args) != type.getInputs().drop_front(params))
    return op->emitOpError("argument types do not match '")
           << callee.getValue() << "' of type " << type;
  if (op->getResultTypes() != type.getResults())
    return op->emitOpError("result types do not match '")
           << callee.getValue() << "' of type " << type;
  return success();
}

LogicalResult StepOp::verifySymbolUses(SymbolTableCollection &symbols) {
  if (failed(verifyGraphCall(*this, getCalleeAttr(), getArgs(), true, symbols)))
    return failure();
  auto loss = getLoss().getType();
  if (loss.getRank() != 0 || !isa<FloatType>(loss.getElementType()))
    return emitOpError("the loss must be a scalar float tensor, found ")
           << loss;
  if (!getTrainStepAttr())
    return success();
  // (params..., state..., args..., step, lr[, dropout key]) ->
  // (loss, params..., state...).
  auto step =
      symbols.lookupNearestSymbolFrom<func::FuncOp>(*this, getTrainStepAttr());
  if (!step)
    return emitOpError("train step '")
           << *getTrainStep() << "' is not a function in this module";
  TypeRange params =
      symbols.lookupNearestSymbolFrom<func::FuncOp>(*this, getCalleeAttr())
          .getArgumentTypes()
          .drop_back(getArgs().size());
  FunctionType type = step.getFunctionType();
  TypeRange inputs = type.getInputs(), results = type.getResults();
  if (!inputs.empty() &&
      step.getArgAttr(inputs.size() - 1, "kiln.dropout_key")) {
    auto key = RankedTensorType::get({2}, IntegerType::get(getContext(), 64));
    if (inputs.back() != key)
      return emitOpError("train step '")
             << *getTrainStep() << "' takes a dropout key of type "
             << inputs.back() << ", not " << key;
    inputs = inputs.drop_back();
  }
  size_t fixed = params.size() + getArgs().size() + 2;
  Type scalar = RankedTensorType::get({}, Float32Type::get(getContext()));
  if (inputs.size() < fixed || inputs.take_front(params.size()) != params ||
      inputs.drop_back(2).take_back(getArgs().size()) != TypeRange(getArgs()) ||
      inputs.take_back(2) != TypeRange{scalar, scalar} || results.empty() ||
      results.front() != loss ||
      results.drop_front() !=
          inputs.take_front(inputs.size() - fixed + params.size()))
    return emitOpError("train step '")
           << *getTrainStep() << "' of type " << type
           << " does not take (parameters, state, arguments, step, learning "
              "rate) and return (loss, parameters, state)";
  return success();
}

LogicalResult CallGraphOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyGraphCall(*this, getCalleeAttr(), getArgs(),
                         static_cast<bool>(getParams()), symbols);
}

//===----------------------------------------------------------------------===//
// Metrics and checkpoints
//===----------------------------------------------------------------------===//

LogicalResult LogOp::verify() {
  Type type = getValue().getType();
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!(type.isInteger(64) || type.isF64() || type.isInteger(1) ||
        (tensor && tensor.getRank() == 0)))
    return emitOpError("a metric is an i64, an f64, an i1 or a scalar "
                       "tensor, found ")
           << type;
  size_t holes = llvm::count(getName(), '{');
  if (holes != getHoles().size())
    return emitOpError("the name '")
           << getName() << "' has " << holes << " holes but "
           << getHoles().size() << " values fill them";
  if (getTagNames().size() != getTags().size())
    return emitOpError("needs one name per tag");
  llvm::StringSet<> seen;
  for (StringRef tag : getTagNames().getAsValueRange<StringAttr>())
    if (tag.empty() || !seen.insert(tag).second)
      return emitOpError("tag names must be unique and non-empty, found '")
             << tag << "'";
  return success();
}

LogicalResult CheckpointOp::verify() {
  if (getLabel() && getLabel()->empty())
    return emitOpError("a checkpoint label must not be empty");
  return success();
}

//===----------------------------------------------------------------------===//
// Replay buffers
//===----------------------------------------------------------------------===//

LogicalResult ReplayCreateOp::verify() {
  if (getFields().empty())
    return emitOpError("a replay buffer needs at least one field");
  for (NamedAttribute field : getFields()) {
    auto type = dyn_cast<TypeAttr>(field.getValue());
    if (!type || !isStaticTensor(type.getValue()))
      return emitOpError("field '")
             << field.getName().getValue()
             << "' must be the static tensor type of one row";
  }
  if (!isOneOf(getInsert(),
               {"append", "reservoir", "class_balanced", "task_episodic"}))
    return emitOpError("unknown insertion policy '")
           << getInsert()
           << "'; expected 'append', 'reservoir', 'class_balanced' or "
              "'task_episodic'";
  if (!isOneOf(getSample(), {"uniform", "recency", "recency_exponential"}))
    return emitOpError("unknown sampling policy '")
           << getSample()
           << "'; expected 'uniform', 'recency' or 'recency_exponential'";
  return success();
}

//===----------------------------------------------------------------------===//
// The lowered host program
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Type>>
InvokeOp::bufferizedSignature(func::FuncOp callee) {
  FunctionType type = callee.getFunctionType();
  SmallVector<Type> buffers;
  auto asBuffer = [&](Type type) -> Type {
    if (auto memref = dyn_cast<MemRefType>(type))
      return memref;
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape())
      return nullptr;
    return MemRefType::get(tensor.getShape(), tensor.getElementType());
  };
  for (auto [i, input] : llvm::enumerate(type.getInputs())) {
    Type buffer = asBuffer(input);
    if (!buffer)
      return emitOpError("argument #")
             << i << " of '" << getCallee() << "' is " << input
             << ", not a statically shaped tensor or buffer";
    buffers.push_back(buffer);
  }
  for (auto [i, result] : llvm::enumerate(type.getResults())) {
    if (callee.getResultAttr(i, "kiln.updates"))
      continue;
    Type buffer = asBuffer(result);
    if (!buffer)
      return emitOpError("result #")
             << i << " of '" << getCallee() << "' is " << result
             << ", not a statically shaped tensor";
    buffers.push_back(buffer);
  }
  return buffers;
}

LogicalResult InvokeOp::verifySymbolUses(SymbolTableCollection &symbols) {
  auto callee =
      symbols.lookupNearestSymbolFrom<func::FuncOp>(*this, getCalleeAttr());
  if (!callee)
    return emitOpError("'")
           << getCallee() << "' is not a function in this module";
  FailureOr<SmallVector<Type>> expected = bufferizedSignature(callee);
  if (failed(expected))
    return failure();
  if (TypeRange(*expected) != getBuffers().getTypes())
    return emitOpError("buffers do not match '")
           << getCallee() << "', which takes (" << TypeRange(*expected)
           << ") once bufferized";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Experiment/IR/ExperimentOps.cpp.inc"
