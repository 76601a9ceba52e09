//===- TrainingOpsTest.cpp - Training-step ops against PyTorch formulas ---===//
//
// stop_gradient, insert_slice, scatter_add and argmax, the optimizer updates
// (sgd_update, adam_update), clip_by_global_norm and lr_schedule. An op with
// several results gets one case per result, in which @main returns only that
// one. Learning rates and steps are inputs drawn from a single choice, so the
// compiled code computes the per-step factors at run time.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "llvm/ADT/SmallVectorExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <functional>

namespace kiln::numeric {
namespace {

using llvm::ArrayRef;
using llvm::formatv;
using llvm::SmallVector;
using llvm::StringRef;

/// "array<i64: 0, 2>"
std::string i64Array(ArrayRef<int64_t> values) {
  return formatv("array<i64: {0:$[, ]}>",
                 llvm::make_range(values.begin(), values.end()))
      .str();
}

/// "name = <value> : f64", printed exactly.
std::string f64Attr(StringRef name, double value) {
  return formatv("{0} = {1:e16} : f64", name, value).str();
}

std::string i64Attr(StringRef name, int64_t value) {
  return formatv("{0} = {1} : i64", name, value).str();
}

/// " {a, b}", or "" without attributes.
std::string attrDict(ArrayRef<std::string> attrs) {
  return attrs.empty() ? "" : " {" + llvm::join(attrs, ", ") + "}";
}

/// "m3" for -3: test names hold no minus sign.
std::string signedName(int64_t value) {
  return value < 0 ? "m" + std::to_string(-value) : std::to_string(value);
}

/// A module whose @main takes `inputTypes` as %arg0, %arg1, ..., defines
/// `results` by `op` and returns `returned` of `resultType`.
std::string mainOf(ArrayRef<std::string> inputTypes, StringRef results,
                   StringRef op, StringRef returned, StringRef resultType) {
  std::string args;
  for (auto [i, type] : llvm::enumerate(inputTypes))
    args += formatv("{0}%arg{1}: {2}", i ? ", " : "", i, type).str();
  return formatv("func.func @main({0}) -> {1} {{\n"
                 "  {2} = {3}\n"
                 "  return {4} : {1}\n"
                 "}\n",
                 args, resultType, results, op, returned)
      .str();
}

using MultiReference = std::function<std::vector<Array>(ArrayRef<Array>)>;

/// One case per result of a multi-result op `op`: @main returns result i
/// only, and the case is named `name`_`resultNames[i]`. `cancels[i]` marks
/// results that are sums of terms that may cancel (Case::sumsTerms).
std::vector<Case> perResult(StringRef name, ArrayRef<std::string> inputTypes,
                            StringRef op, ArrayRef<std::string> resultTypes,
                            ArrayRef<std::string> resultNames,
                            ArrayRef<bool> cancels, MultiReference reference,
                            std::vector<Fill> fills) {
  std::string results = formatv("%0:{0}", resultTypes.size()).str();
  std::vector<Case> cases;
  for (size_t i = 0; i < resultTypes.size(); ++i)
    cases.push_back(
        {formatv("{0}_{1}", name, resultNames[i]).str(),
         mainOf(inputTypes, results, op, formatv("%0#{0}", i).str(),
                resultTypes[i]),
         [reference, i](ArrayRef<Array> in) { return reference(in)[i]; }, fills,
         cancels[i]});
  return cases;
}

/// Operands "%arg0, %arg1, ..., %arg<n-1>".
std::string operands(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s += formatv("{0}%arg{1}", i ? ", " : "", i).str();
  return s;
}

std::vector<Case> concatCases(ArrayRef<std::vector<Case>> groups) {
  std::vector<Case> all;
  for (const std::vector<Case> &g : groups)
    llvm::append_range(all, g);
  return all;
}

//===----------------------------------------------------------------------===//
// stop_gradient: the identity in the forward pass
//===----------------------------------------------------------------------===//

Array identity(ArrayRef<Array> in) { return in[0]; }

const Case kStopGradientCases[] = {
    {"f32_3x70", singleOp("graph.stop_gradient %arg0 : tensor<3x70xf32>"),
     identity},
    {"f32_scalar", singleOp("graph.stop_gradient %arg0 : tensor<f32>"),
     identity},
    {"i32_5x33", singleOp("graph.stop_gradient %arg0 : tensor<5x33xi32>"),
     identity},
    {"f64_784", singleOp("graph.stop_gradient %arg0 : tensor<784xf64>"),
     identity},
    // Between two computations, so that it cannot fold into an argument or
    // a result.
    {"f32_between_ops",
     R"(func.func @main(%arg0: tensor<4x70xf32>) -> tensor<4x70xf32> {
  %0 = graph.exp %arg0 : tensor<4x70xf32>
  %1 = graph.stop_gradient %0 : tensor<4x70xf32>
  %2 = graph.mul %1, %arg0 : (tensor<4x70xf32>, tensor<4x70xf32>) -> tensor<4x70xf32>
  return %2 : tensor<4x70xf32>
})",
     [](ArrayRef<Array> in) {
       return ref::map(
           in, [](ArrayRef<double> x) { return std::exp(x[0]) * x[0]; });
     }},
};

INSTANTIATE_TEST_SUITE_P(StopGradient, NumericTest,
                         testing::ValuesIn(kStopGradientCases), caseName);

//===----------------------------------------------------------------------===//
// insert_slice
//===----------------------------------------------------------------------===//

struct InsertSliceCase {
  Shape source, dest, starts, strides;
  StringRef element = "f32";
};

const InsertSliceCase kInsertSliceCases[] = {
    {{4, 3}, {4, 8}, {0, 2}, {1, 2}},
    {{3, 35}, {10, 70}, {1, 0}, {3, 2}},
    {{2, 3, 70}, {3, 5, 70}, {1, 0, 0}, {1, 2, 1}},
    {{1, 784}, {5, 784}, {2, 0}, {1, 1}},
    // The window is the whole of dest.
    {{4, 8}, {4, 8}, {0, 0}, {1, 1}},
    {{2, 2}, {6, 9}, {1, 1}, {2, 3}, "i32"},
    {{7, 11}, {7, 33}, {0, 1}, {1, 3}, "f64"},
};

Case insertSliceCase(const InsertSliceCase &c) {
  std::string source = tensorType(c.source, c.element);
  std::string dest = tensorType(c.dest, c.element);
  return {formatv("{0}_{1}_into_{2}_at_{3}_by_{4}", c.element,
                  shapeName(c.source), shapeName(c.dest), shapeName(c.starts),
                  shapeName(c.strides)),
          mainOf({source, dest}, "%0",
                 formatv("graph.insert_slice %arg0 into %arg1 {{starts = {0}, "
                         "strides = {1}} : {2} into {3}",
                         i64Array(c.starts), i64Array(c.strides), source, dest)
                     .str(),
                 "%0", dest),
          [c](ArrayRef<Array> in) {
            return ref::insertSlice(in[0], in[1], c.starts, c.strides);
          }};
}

INSTANTIATE_TEST_SUITE_P(
    InsertSlice, NumericTest,
    testing::ValuesIn(llvm::map_to_vector(kInsertSliceCases, insertSliceCase)),
    caseName);

//===----------------------------------------------------------------------===//
// scatter_add
//===----------------------------------------------------------------------===//

struct ScatterAddCase {
  StringRef name;
  Shape dest, indices;
  int64_t axis;
  /// Indices are drawn from [lo, hi]; outside [0, dest[axis]) they clamp.
  int64_t lo, hi;
  StringRef element = "f32";
  StringRef indexElement = "i32";
};

const ScatterAddCase kScatterAddCases[] = {
    // 15 indices into 10 rows: some repeat.
    {"embedding", {10, 70}, {3, 5}, 0, 0, 9},
    // 40 indices into 3 rows: every row accumulates many updates.
    {"repeated", {3, 7}, {40}, 0, 0, 2},
    {"clamped", {10, 7}, {6, 5}, 0, -5, 15},
    {"axis_1", {4, 9, 5}, {2, 3}, 1, 0, 8},
    {"axis_m1_clamped", {2, 784}, {5}, -1, -3, 790},
    {"scalar_index", {5, 33}, {}, 0, 0, 4},
    {"i64_indices", {50, 33}, {8}, 0, 0, 49, "f32", "i64"},
    {"f64", {6, 33}, {4, 2}, 0, 0, 5, "f64", "i64"},
};

Case scatterAddCase(const ScatterAddCase &c) {
  int64_t axis = c.axis;
  Shape updates = ref::gather(Array(c.dest), Array(c.indices), axis).shape;
  std::string updatesType = tensorType(updates, c.element);
  std::string indicesType = tensorType(c.indices, c.indexElement);
  std::string destType = tensorType(c.dest, c.element);
  return {formatv("{0}_{1}_{2}_into_{3}", c.name, c.element,
                  shapeName(c.indices), shapeName(c.dest)),
          mainOf({updatesType, indicesType, destType}, "%0",
                 formatv("graph.scatter_add %arg0, %arg1 into %arg2 {{axis = "
                         "{0} : i64} : ({1}, {2}) into {3}",
                         axis, updatesType, indicesType, destType)
                     .str(),
                 "%0", destType),
          [axis](ArrayRef<Array> in) {
            return ref::scatterAdd(in[0], in[1], in[2], axis);
          },
          {Fill::nonZero(0.1, 2.0), Fill::range(c.lo, c.hi),
           Fill::nonZero(0.1, 2.0)},
          /*sumsTerms=*/true};
}

INSTANTIATE_TEST_SUITE_P(ScatterAdd, NumericTest,
                         testing::ValuesIn(llvm::map_to_vector(kScatterAddCases,
                                                               scatterAddCase)),
                         caseName);

//===----------------------------------------------------------------------===//
// argmax
//===----------------------------------------------------------------------===//

struct ArgmaxCase {
  StringRef name;
  Shape shape;
  /// Left out of the op when it is the default, -1.
  int64_t axis;
  StringRef element, resultElement;
  Fill fill;
};

/// Few distinct values, so that the maximum is often tied.
const Fill kTies = Fill::choice({-1.0, 0.5, 2.0});

const ArgmaxCase kArgmaxCases[] = {
    {"distinct", {8, 10}, -1, "f32", "i32", Fill::nonZero(0.1, 2.0)},
    {"ties", {8, 10}, -1, "f32", "i32", kTies},
    {"ties_axis_0", {7, 33}, 0, "f32", "i32", kTies},
    {"ties_axis_1_of_3", {2, 3, 70}, 1, "f32", "i64", kTies},
    // A maximum below zero: the running maximum must start below any value.
    {"negative", {5, 70}, -1, "f32", "i32", Fill::choice({-3.0, -2.5, -7.0})},
    {"all_equal", {4, 6}, 0, "f32", "i32", Fill::choice({1.5})},
    {"int_ties", {5, 70}, -1, "i32", "i32", Fill::choice({1, 2, 3})},
    {"int_axis_0", {9, 4}, 0, "i32", "i64", Fill::nonZero(1, 20)},
    {"int_negative", {6, 5}, -1, "i64", "i32", Fill::choice({-9, -4, -5})},
    {"f64_to_scalar", {784}, 0, "f64", "i32", Fill::nonZero(0.1, 2.0)},
};

Case argmaxCase(const ArgmaxCase &c) {
  int64_t axis = c.axis;
  Shape out = c.shape;
  out.erase(out.begin() + normalizeAxes(axis, c.shape.size()).front());
  std::string attr =
      axis == -1 ? "" : formatv(" {{axis = {0} : i64}", axis).str();
  return {formatv("{0}_{1}_{2}_axis_{3}", c.name, c.element, shapeName(c.shape),
                  signedName(axis)),
          singleOp(formatv("graph.argmax %arg0{0} : ({1}) -> {2}", attr,
                           tensorType(c.shape, c.element),
                           tensorType(out, c.resultElement))
                       .str()),
          [axis](ArrayRef<Array> in) { return ref::argmax(in[0], axis); },
          {c.fill}};
}

INSTANTIATE_TEST_SUITE_P(Argmax, NumericTest,
                         testing::ValuesIn(llvm::map_to_vector(kArgmaxCases,
                                                               argmaxCase)),
                         caseName);

//===----------------------------------------------------------------------===//
// sgd_update, adam_update
//===----------------------------------------------------------------------===//

// A learning rate small enough that no parameter in [0.1, 2] changes sign,
// yet large enough that the update is far above f32 rounding of the parameter.
constexpr double kLr = 0.01;

struct SgdCase {
  StringRef name;
  ref::Sgd sgd;
  Shape shape;
  StringRef element = "f32";
};

const SgdCase kSgdCases[] = {
    {"plain", {}, {3, 70}},
    {"momentum", {0.9}, {784}},
    {"nesterov", {0.9, true}, {4, 33}},
    {"weight_decay", {0.0, false, 0.1}, {3, 70}},
    {"momentum_weight_decay", {0.9, false, 0.1}, {5, 7}},
    {"nesterov_weight_decay", {0.5, true, 0.1}, {2, 3, 70}},
    {"nesterov_weight_decay_f64", {0.5, true, 0.1}, {2, 3, 5}, "f64"},
};

std::vector<Case> sgdCases(const SgdCase &c) {
  std::vector<std::string> attrs;
  if (c.sgd.momentum != 0)
    attrs.push_back(f64Attr("momentum", c.sgd.momentum));
  if (c.sgd.nesterov)
    attrs.push_back("nesterov");
  if (c.sgd.weightDecay != 0)
    attrs.push_back(f64Attr("weight_decay", c.sgd.weightDecay));
  std::string type = tensorType(c.shape, c.element);
  std::string scalar = tensorType({}, c.element);
  ref::Sgd sgd = c.sgd;
  return perResult(
      formatv("{0}_{1}_{2}", c.name, c.element, shapeName(c.shape)).str(),
      {type, type, type, scalar},
      formatv("graph.sgd_update {0}{1} : {2}, {3}", operands(4),
              attrDict(attrs), type, scalar)
          .str(),
      {type, type}, {"new_param", "new_velocity"},
      // v' = momentum * v + g + weight_decay * p may cancel.
      {false, true},
      [sgd](ArrayRef<Array> in) {
        return ref::sgdUpdate(sgd, in[0], in[1], in[2], in[3].data[0]);
      },
      {Fill::nonZero(0.1, 2.0), Fill::nonZero(0.1, 2.0),
       Fill::nonZero(0.1, 2.0), Fill::choice({kLr})});
}

INSTANTIATE_TEST_SUITE_P(
    SgdUpdate, NumericTest,
    testing::ValuesIn(concatCases(llvm::map_to_vector(kSgdCases, sgdCases))),
    caseName);

struct AdamCase {
  StringRef name;
  ref::Adam adam;
  double step;
  Shape shape;
  StringRef element = "f32";
};

const AdamCase kAdamCases[] = {
    {"adam_step_1", {}, 1, {3, 70}},
    {"adam_step_10", {}, 10, {784}},
    {"adam_step_1000", {}, 1000, {4, 33}},
    // A large epsilon shows where it is added: outside the square root.
    {"adam_betas_epsilon", {0.8, 0.99, 0.1}, 3, {5, 7}},
    {"adam_weight_decay", {0.9, 0.999, 1e-8, 0.1}, 5, {3, 70}},
    {"adamw", {0.9, 0.999, 1e-8, 0.1, true}, 5, {3, 70}},
    {"adam_step_1", {}, 1, {33}, "f64"},
    {"adamw", {0.9, 0.99, 1e-8, 0.05, true}, 20, {2, 3, 5}, "f64"},
};

std::vector<Case> adamCases(const AdamCase &c) {
  ref::Adam defaults;
  std::vector<std::string> attrs;
  if (c.adam.beta1 != defaults.beta1)
    attrs.push_back(f64Attr("beta1", c.adam.beta1));
  if (c.adam.beta2 != defaults.beta2)
    attrs.push_back(f64Attr("beta2", c.adam.beta2));
  if (c.adam.epsilon != defaults.epsilon)
    attrs.push_back(f64Attr("epsilon", c.adam.epsilon));
  if (c.adam.weightDecay != 0)
    attrs.push_back(f64Attr("weight_decay", c.adam.weightDecay));
  if (c.adam.decoupled)
    attrs.push_back("decoupled");
  std::string type = tensorType(c.shape, c.element);
  std::string scalar = tensorType({}, c.element);
  ref::Adam adam = c.adam;
  return perResult(
      formatv("{0}_{1}_{2}", c.name, c.element, shapeName(c.shape)).str(),
      {type, type, type, type, scalar, scalar},
      formatv("graph.adam_update {0}{1} : {2}, {3}", operands(6),
              attrDict(attrs), type, scalar)
          .str(),
      {type, type, type}, {"new_param", "new_m", "new_v"},
      // m' = beta1 * m + (1 - beta1) * g may cancel; v' sums non-negative
      // terms.
      {false, true, false},
      [adam](ArrayRef<Array> in) {
        return ref::adamUpdate(adam, in[0], in[1], in[2], in[3], in[4].data[0],
                               in[5].data[0]);
      },
      {Fill::nonZero(0.1, 2.0), Fill::nonZero(0.1, 2.0),
       Fill::nonZero(0.1, 2.0), Fill::positive(0.1, 2.0), Fill::choice({kLr}),
       Fill::choice({c.step})});
}

INSTANTIATE_TEST_SUITE_P(
    AdamUpdate, NumericTest,
    testing::ValuesIn(concatCases(llvm::map_to_vector(kAdamCases, adamCases))),
    caseName);

//===----------------------------------------------------------------------===//
// clip_by_global_norm
//===----------------------------------------------------------------------===//

struct ClipCase {
  StringRef name;
  std::vector<Shape> grads;
  double maxNorm;
  StringRef element = "f32";
};

// Gradients drawn from [0.1, 2] in magnitude have a mean square near 1.4, so
// 385 of them have a norm near 23.
const ClipCase kClipCases[] = {
    {"below", {{4, 70}, {70}, {33}}, 1000.0},
    {"above", {{4, 70}, {70}, {33}}, 1.0},
    {"one_grad_above", {{784}}, 5.0},
    {"scalar_grad_above", {{}, {3, 5}}, 0.5},
    {"above", {{7, 5}, {5}}, 2.0, "f64"},
};

std::vector<Case> clipCases(const ClipCase &c) {
  std::vector<std::string> types, names;
  for (auto [i, shape] : llvm::enumerate(c.grads)) {
    types.push_back(tensorType(shape, c.element));
    names.push_back("clipped_" + std::to_string(i));
  }
  std::vector<std::string> resultTypes = types;
  resultTypes.push_back(tensorType({}, c.element));
  names.push_back("norm");
  double maxNorm = c.maxNorm;
  return perResult(
      formatv("{0}_{1}_{2}_grads", c.name, c.element, c.grads.size()).str(),
      types,
      formatv("graph.clip_by_global_norm {0} {{{1}} : {2}",
              operands(types.size()), f64Attr("max_norm", maxNorm),
              llvm::join(types, ", "))
          .str(),
      resultTypes, names, SmallVector<bool>(resultTypes.size(), false),
      [maxNorm](ArrayRef<Array> in) {
        return ref::clipByGlobalNorm(in, maxNorm);
      },
      {});
}

INSTANTIATE_TEST_SUITE_P(
    ClipByGlobalNorm, NumericTest,
    testing::ValuesIn(concatCases(llvm::map_to_vector(kClipCases, clipCases))),
    caseName);

//===----------------------------------------------------------------------===//
// lr_schedule
//===----------------------------------------------------------------------===//

using Kind = ref::LrSchedule::Kind;

StringRef kindName(Kind kind) {
  switch (kind) {
  case Kind::Constant:
    return "constant";
  case Kind::Cosine:
    return "cosine";
  case Kind::Step:
    return "step";
  case Kind::InverseSqrt:
    return "inverse_sqrt";
  case Kind::Infinite:
    return "infinite";
  }
  llvm_unreachable("unknown schedule");
}

/// The op's attributes, defaults left out.
std::string scheduleAttrs(const ref::LrSchedule &s) {
  ref::LrSchedule d{s.kind, s.baseLr};
  std::vector<std::string> attrs = {f64Attr("base_lr", s.baseLr)};
  auto i64 = [&](StringRef name, int64_t value, int64_t byDefault) {
    if (value != byDefault)
      attrs.push_back(i64Attr(name, value));
  };
  auto f64 = [&](StringRef name, double value, double byDefault) {
    if (value != byDefault)
      attrs.push_back(f64Attr(name, value));
  };
  i64("warmup_steps", s.warmupSteps, d.warmupSteps);
  f64("final_lr", s.finalLr, d.finalLr);
  i64("decay_steps", s.decaySteps, d.decaySteps);
  i64("cycle_steps", s.cycleSteps, d.cycleSteps);
  i64("step_size", s.stepSize, d.stepSize);
  f64("gamma", s.gamma, d.gamma);
  f64("constant_lr", s.constantLr, d.constantLr);
  i64("cooldown_steps", s.cooldownSteps, d.cooldownSteps);
  i64("anneal_start", s.annealStart, d.annealStart);
  i64("anneal_steps", s.annealSteps, d.annealSteps);
  return attrDict(attrs);
}

/// A schedule and the steps to read it at: inside the warmup, at its end,
/// through the decay and past it.
struct ScheduleCase {
  StringRef name;
  ref::LrSchedule schedule;
  std::vector<double> steps;
  StringRef element = "f32";
};

ref::LrSchedule schedule(Kind kind, double baseLr, int64_t warmupSteps) {
  return {kind, baseLr, warmupSteps};
}

ref::LrSchedule cosine(double baseLr, int64_t warmupSteps, double finalLr,
                       int64_t decaySteps, int64_t cycleSteps = 0) {
  ref::LrSchedule s = schedule(Kind::Cosine, baseLr, warmupSteps);
  s.finalLr = finalLr;
  s.decaySteps = decaySteps;
  s.cycleSteps = cycleSteps;
  return s;
}

ref::LrSchedule stepDecay(double baseLr, int64_t warmupSteps, int64_t stepSize,
                          double gamma) {
  ref::LrSchedule s = schedule(Kind::Step, baseLr, warmupSteps);
  s.stepSize = stepSize;
  s.gamma = gamma;
  return s;
}

ref::LrSchedule infinite(double baseLr, int64_t warmupSteps, double constantLr,
                         int64_t cooldownSteps, int64_t annealStart = 0,
                         int64_t annealSteps = 0, double finalLr = 0.0) {
  ref::LrSchedule s = schedule(Kind::Infinite, baseLr, warmupSteps);
  s.constantLr = constantLr;
  s.cooldownSteps = cooldownSteps;
  s.annealStart = annealStart;
  s.annealSteps = annealSteps;
  s.finalLr = finalLr;
  return s;
}

const ScheduleCase kScheduleCases[] = {
    {"constant", schedule(Kind::Constant, 0.1, 0), {0, 7, 100000}},
    {"constant_warmup", schedule(Kind::Constant, 0.1, 10), {0, 4, 9, 10, 500}},
    {"cosine", cosine(0.1, 0, 1e-3, 100), {0, 25, 50, 99, 100, 250}},
    {"cosine_warmup",
     cosine(0.1, 10, 0.0, 90),
     {0, 4, 9, 10, 55, 90, 100, 5000}},
    // Restarts every 60 steps after the warmup: 50 of decay, 10 at final_lr.
    {"cosine_cycle_warmup",
     cosine(0.1, 5, 0.01, 50, 60),
     {0, 4, 5, 30, 55, 64, 65, 95, 130, 1000}},
    // Near the end of a decay to 0, 1 + cos(pi * t) cancels in f32: step 30
    // rather than 39.
    {"cosine_cycle", cosine(0.1, 0, 0.0, 40, 40), {0, 20, 30, 40, 60, 1000}},
    {"step", stepDecay(0.1, 0, 30, 0.1), {0, 29, 30, 59, 60, 95}},
    {"step_warmup", stepDecay(1.0, 10, 20, 0.5), {0, 9, 10, 29, 30, 100}},
    {"inverse_sqrt", schedule(Kind::InverseSqrt, 0.01, 0), {0, 3, 99, 10000}},
    {"inverse_sqrt_warmup",
     schedule(Kind::InverseSqrt, 0.01, 100),
     {0, 50, 99, 100, 399, 10000}},
    {"infinite", infinite(0.1, 0, 0.02, 50), {0, 25, 49, 50, 1000}},
    {"infinite_warmup",
     infinite(0.1, 10, 0.02, 40),
     {0, 9, 10, 30, 50, 100000}},
    {"infinite_anneal",
     infinite(0.05, 0, 0.01, 20, 100, 50, 1e-3),
     {0, 10, 20, 99, 100, 125, 149, 150, 1000}},
    {"infinite_warmup_anneal",
     infinite(0.1, 10, 0.02, 40, 200, 100, 1e-4),
     {0, 9, 10, 30, 50, 199, 200, 250, 300, 10000}},
    {"cosine_warmup", cosine(0.1, 10, 1e-3, 90), {5, 10, 55, 200}, "f64"},
    {"infinite_warmup_anneal",
     infinite(0.1, 10, 0.02, 40, 200, 100, 1e-4),
     {5, 30, 199, 250, 10000},
     "f64"},
};

std::vector<Case> scheduleCases(const ScheduleCase &c) {
  std::string type = tensorType({}, c.element);
  std::string source = singleOp(formatv("graph.lr_schedule {0} %arg0{1} : {2}",
                                        kindName(c.schedule.kind),
                                        scheduleAttrs(c.schedule), type)
                                    .str());
  ref::LrSchedule s = c.schedule;
  std::vector<Case> cases;
  for (double step : c.steps)
    cases.push_back({formatv("{0}_{1}_at_step_{2}", c.name, c.element,
                             static_cast<int64_t>(step)),
                     source,
                     [s](ArrayRef<Array> in) {
                       return Array({}, ref::lrSchedule(s, in[0].data[0]));
                     },
                     {Fill::choice({step})}});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(LrSchedule, NumericTest,
                         testing::ValuesIn(concatCases(llvm::map_to_vector(
                             kScheduleCases, scheduleCases))),
                         caseName);

} // namespace
} // namespace kiln::numeric
