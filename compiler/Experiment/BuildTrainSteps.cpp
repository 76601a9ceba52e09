//===- BuildTrainSteps.cpp - Graph-dialect train steps for exp.step -------===//

#include "compiler/Experiment/Passes.h"
#include "dialects/Experiment/IR/ExperimentOps.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"

namespace kiln::experiment {
#define GEN_PASS_DEF_BUILDTRAINSTEPS
#include "compiler/Experiment/Passes.h.inc"
} // namespace kiln::experiment

using namespace mlir;

namespace kiln {
namespace {

/// The schedule of an optimizer's learning rate, as graph.lr_schedule
/// attributes (null: the op's default). The base rate itself is an argument
/// of the train step, so that the built program can take it from the
/// command line.
struct LearningRate {
  std::optional<graph::ScheduleKind> schedule;
  IntegerAttr warmupSteps, decaySteps, stepSize;
  FloatAttr gamma;
};

/// The value of a host scalar that is fixed when the step is compiled: an
/// arith.constant, or the default of a hyper-parameter, which the experiment
/// then records as fixed.
FailureOr<Attribute> fixedValue(exp::OptimizerOp optimizer, Value value,
                                const Twine &what) {
  Attribute attr;
  if (matchPattern(value, m_Constant(&attr)))
    return attr;
  if (auto hparam = value.getDefiningOp<exp::HParamOp>()) {
    auto experiment = hparam->getParentOfType<exp::ExperimentOp>();
    experiment.addFixedHparam(hparam.getName());
    return experiment.getHparams().get(hparam.getName());
  }
  return optimizer.emitOpError()
         << what
         << " must be an arith.constant or a hyper-parameter to build a "
            "train step";
}

FailureOr<LearningRate> resolveSchedule(exp::OptimizerOp optimizer) {
  LearningRate rate;
  if (!optimizer.getSchedule())
    return rate;
  StringRef schedule = *optimizer.getSchedule();
  if (schedule == "linear")
    return optimizer.emitOpError("schedule 'linear' has no graph.lr_schedule "
                                 "counterpart; use 'cosine' or 'step_decay'");
  SmallVector<Attribute, 2> args;
  for (auto [i, arg] : llvm::enumerate(optimizer.getScheduleArgs())) {
    FailureOr<Attribute> value = fixedValue(
        optimizer, arg, "argument #" + Twine(i) + " of the schedule");
    if (failed(value))
      return failure();
    args.push_back(*value);
  }
  Builder b(optimizer.getContext());
  if (schedule == "cosine") {
    int64_t steps = cast<IntegerAttr>(args[0]).getInt();
    int64_t warmup = cast<IntegerAttr>(args[1]).getInt();
    if (warmup < 0 || steps <= warmup)
      return optimizer.emitOpError("a cosine schedule needs 0 <= warmup < "
                                   "steps, found warmup ")
             << warmup << " and steps " << steps;
    rate.schedule = graph::ScheduleKind::cosine;
    rate.warmupSteps = b.getI64IntegerAttr(warmup);
    rate.decaySteps = b.getI64IntegerAttr(steps - warmup);
    return rate;
  }
  // step_decay(every, factor), the only other schedule exp.optimizer has.
  int64_t every = cast<IntegerAttr>(args[0]).getInt();
  if (every <= 0)
    return optimizer.emitOpError(
               "a step_decay schedule needs every > 0, found ")
           << every;
  rate.schedule = graph::ScheduleKind::step;
  rate.stepSize = b.getI64IntegerAttr(every);
  rate.gamma = cast<FloatAttr>(args[1]);
  return rate;
}

/// The learning rate at `step` (counted from 1) for the base rate `lr`, both
/// `tensor<f32>`. Every schedule decays to 0, so it scales the base rate.
Value buildLearningRate(OpBuilder &b, Location loc, const LearningRate &rate,
                        Value step, Value lr) {
  if (!rate.schedule)
    return lr;
  // graph.lr_schedule counts steps from 0.
  auto scalar = cast<RankedTensorType>(step.getType());
  Value one = graph::ConstantOp::create(
      b, loc, DenseElementsAttr::get(scalar, b.getF32FloatAttr(1.0)));
  Value index = graph::SubOp::create(b, loc, step, one);
  Value factor = graph::LrScheduleOp::create(
      b, loc, graph::ScheduleKindAttr::get(b.getContext(), *rate.schedule),
      index, b.getF64FloatAttr(1.0), rate.warmupSteps,
      /*final_lr=*/nullptr, rate.decaySteps, /*cycle_steps=*/nullptr,
      rate.stepSize, rate.gamma, /*constant_lr=*/nullptr);
  return graph::MulOp::create(b, loc, factor, lr);
}

/// Builds the train step of `step`'s loss and optimizer next to the loss.
FailureOr<func::FuncOp> buildTrainStep(exp::StepOp step, SymbolTable &symbols) {
  auto optimizer = step.getOptimizer().getDefiningOp<exp::OptimizerOp>();
  if (!optimizer)
    return step.emitOpError("needs an optimizer from an 'exp.optimizer' to "
                            "build a train step");
  auto model = step.getParams().getDefiningOp<exp::ParamsOp>();
  if (!model)
    return step.emitOpError("needs parameters from an 'exp.params' to build "
                            "a train step");
  if (optimizer.getParams() != step.getParams())
    return step.emitOpError("updates other parameters than its optimizer's");

  // The loss's leading arguments must be the model's parameters, in order.
  auto loss = symbols.lookup<func::FuncOp>(step.getCallee());
  size_t numParams = model.getNames().size();
  size_t numArgs = step.getArgs().size();
  FunctionType lossType = loss.getFunctionType();
  if (lossType.getNumInputs() - numArgs != numParams)
    return step.emitOpError("'")
           << step.getCallee() << "' takes "
           << lossType.getNumInputs() - numArgs << " parameters but '"
           << model.getModel() << "' has " << numParams;
  for (size_t i = 0; i < numParams; ++i) {
    auto name = loss.getArgAttrOfType<StringAttr>(i, "kiln.param");
    Type type = cast<TypeAttr>(model.getTypes()[i]).getValue();
    if (name != model.getNames()[i] || lossType.getInput(i) != type)
      return step.emitOpError("parameter #")
             << i << " of '" << step.getCallee() << "' is '" << name.getValue()
             << "' of type " << lossType.getInput(i) << " but '"
             << model.getModel() << "' has '"
             << cast<StringAttr>(model.getNames()[i]).getValue() << "' of type "
             << type;
  }

  FailureOr<LearningRate> rate = resolveSchedule(optimizer);
  if (failed(rate))
    return failure();

  // The optimizer's settings; unset ones take PyTorch's defaults, which are
  // graph.sgd_update's and graph.adam_update's but for AdamW's weight decay.
  MLIRContext *context = step.getContext();
  Builder attrs(context);
  StringRef kind = optimizer.getKind();
  auto hyper = [&](StringRef name) {
    return optimizer->getAttrOfType<FloatAttr>(name);
  };
  FloatAttr momentum = hyper("momentum"), weightDecay = hyper("weight_decay");
  if (kind == "adamw" && !weightDecay)
    weightDecay = attrs.getF64FloatAttr(0.01);
  auto nesterov = optimizer->getAttrOfType<BoolAttr>("nesterov");
  // State slots: SGD's velocity (unused without momentum), Adam's moments.
  size_t slots = kind != "sgd"                                    ? 2
                 : momentum && momentum.getValueAsDouble() != 0.0 ? 1
                                                                  : 0;

  // Dropout is active only in train steps: they differentiate a copy of the
  // loss whose dropout ops read a key [seed, step], a trailing argument.
  bool dropout = false;
  loss.walk([&](graph::DropoutOp op) { dropout |= !op.getKey(); });
  auto keyType =
      RankedTensorType::get({2}, IntegerType::get(step.getContext(), 64));
  func::FuncOp differentiated = loss;
  if (dropout) {
    std::string name = (step.getCallee() + ".dropout").str();
    differentiated = symbols.lookup<func::FuncOp>(name);
    if (!differentiated) {
      differentiated = loss.clone();
      differentiated.setSymName(name);
      differentiated.setPrivate();
      OpBuilder after(loss);
      after.setInsertionPointAfter(loss);
      after.insert(differentiated);
      symbols.insert(differentiated);
      unsigned index = differentiated.getNumArguments();
      if (failed(differentiated.insertArgument(index, keyType, DictionaryAttr(),
                                               differentiated.getLoc())))
        return failure();
      Value key = differentiated.getArgument(index);
      differentiated.walk(
          [&](graph::DropoutOp op) { op.getKeyMutable().assign(key); });
    }
  }

  TypeRange paramTypes = lossType.getInputs().take_front(numParams);
  auto counter = RankedTensorType::get({}, Float32Type::get(context));
  SmallVector<Type> state;
  for (size_t s = 0; s < slots; ++s)
    llvm::append_range(state, paramTypes);
  SmallVector<Type> inputs(paramTypes);
  llvm::append_range(inputs, state);
  llvm::append_range(inputs, lossType.getInputs().drop_front(numParams));
  inputs.push_back(counter);
  inputs.push_back(counter); // the base learning rate
  if (dropout)
    inputs.push_back(keyType);
  SmallVector<Type> results{lossType.getResult(0)};
  llvm::append_range(results, paramTypes);
  llvm::append_range(results, state);

  Location loc = step.getLoc();
  OpBuilder b(context);
  b.setInsertionPointAfter(loss);
  auto fn =
      func::FuncOp::create(b, loc, (step.getCallee() + ".train_step").str(),
                           b.getFunctionType(inputs, results));
  symbols.insert(fn);
  size_t dataStart = numParams + state.size();
  for (size_t i = 0; i < numParams; ++i)
    fn.setArgAttrs(i, loss.getArgAttrDict(i));
  for (size_t i = 0; i < numArgs; ++i)
    fn.setArgAttrs(dataStart + i, loss.getArgAttrDict(numParams + i));
  for (size_t r = 1; r < results.size(); ++r)
    fn.setResultAttr(r, "kiln.updates", attrs.getI64IntegerAttr(r - 1));
  if (dropout)
    fn.setArgAttr(inputs.size() - 1, "kiln.dropout_key", attrs.getUnitAttr());

  b.setInsertionPointToStart(fn.addEntryBlock());
  ValueRange args = fn.getArguments();
  ValueRange params = args.take_front(numParams);
  ValueRange stateArgs = args.slice(numParams, state.size());
  size_t scalars = dataStart + numArgs;
  Value counterArg = args[scalars], lrArg = args[scalars + 1];
  SmallVector<Value> operands(params);
  llvm::append_range(operands, args.slice(dataStart, numArgs));
  if (dropout)
    operands.push_back(args.back());
  SmallVector<Type> gradTypes{lossType.getResult(0)};
  llvm::append_range(gradTypes, paramTypes);
  auto grad = graph::ValueAndGradOp::create(
      b, loc, gradTypes, differentiated.getSymName(), operands,
      llvm::to_vector(llvm::seq<int64_t>(0, numParams)));

  Value lr = buildLearningRate(b, optimizer.getLoc(), *rate, counterArg, lrArg);
  // The learning rate and step in each parameter's element type.
  DenseMap<std::pair<Value, Type>, Value> casts;
  auto inElementType = [&](Value scalar, Type element) -> Value {
    if (getElementTypeOrSelf(scalar) == element)
      return scalar;
    Value &cast = casts[{scalar, element}];
    if (!cast)
      cast = graph::CastOp::create(b, loc, RankedTensorType::get({}, element),
                                   scalar);
    return cast;
  };

  SmallVector<Value> returned{grad.getResult(0)};
  SmallVector<Value> newState(state.size());
  for (size_t i = 0; i < numParams; ++i) {
    Value param = params[i], g = grad.getResult(1 + i);
    Type element = getElementTypeOrSelf(param);
    Value paramLr = inElementType(lr, element);
    if (kind == "sgd") {
      // Without momentum the velocity is neither read nor kept: the
      // gradient stands in for it.
      auto update = graph::SgdUpdateOp::create(
          b, loc, param, g, slots ? stateArgs[i] : g, paramLr, momentum,
          nesterov && nesterov.getValue() ? b.getUnitAttr() : nullptr,
          weightDecay);
      returned.push_back(update.getNewParam());
      if (slots)
        newState[i] = update.getNewVelocity();
      continue;
    }
    auto update = graph::AdamUpdateOp::create(
        b, loc, param, g, stateArgs[i], stateArgs[numParams + i], paramLr,
        inElementType(counterArg, element), hyper("beta1"), hyper("beta2"),
        hyper("eps"), weightDecay, kind == "adamw" ? b.getUnitAttr() : nullptr);
    returned.push_back(update.getNewParam());
    newState[i] = update.getNewM();
    newState[numParams + i] = update.getNewV();
  }
  llvm::append_range(returned, newState);
  func::ReturnOp::create(b, loc, returned);
  return fn;
}

struct BuildTrainStepsPass
    : experiment::impl::BuildTrainStepsBase<BuildTrainStepsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<exp::StepOp> steps;
    module.walk([&](exp::StepOp step) {
      if (!step.getTrainStepAttr())
        steps.push_back(step);
    });
    // One train step per (loss, optimizer) pair.
    DenseMap<std::pair<Attribute, Value>, FlatSymbolRefAttr> built;
    for (exp::StepOp step : steps) {
      FlatSymbolRefAttr &name =
          built[{step.getCalleeAttr().getAttr(), step.getOptimizer()}];
      if (!name) {
        FailureOr<func::FuncOp> fn = buildTrainStep(step, symbols);
        if (failed(fn))
          return signalPassFailure();
        name = FlatSymbolRefAttr::get(*fn);
      }
      step.setTrainStepAttr(name);
    }
  }
};

} // namespace
} // namespace kiln
