//===- GradientTest.cpp - Finite-difference checks of every VJP rule ------===//
//
// For a function y = op(x...) each case checks the gradient of
// L(x) = sum(y * c), with a random cotangent c, as computed by
// graph.value_and_grad (autodiff + the CPU pipeline) against central
// differences (L(x + h e_i) - L(x - h e_i)) / 2h of the same compiled L, in
// f64. With h = 1e-6 the difference quotient is accurate to ~1e-9, so a
// relative error of 1e-6 separates a wrong rule from rounding.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/JIT.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/StringExtras.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir;

namespace {

enum class Draw { Any, Positive, Labels, Bool };

struct Input {
  std::string type; // e.g. "tensor<3x4xf64>"
  Draw draw = Draw::Any;
  bool wrt = true;
  int64_t labelBound = 0; // labels and indices are drawn in [0, labelBound)
};

struct GradCase {
  std::string name;
  std::vector<Input> inputs;
  /// Ops over %arg0... that define %y.
  std::string body;
  std::string resultType;
  /// Whether the gradient must be exactly zero (stop_gradient).
  bool expectZero = false;
  /// Step of the central difference, and the relative error allowed.
  double step = 1e-6, tolerance = 1e-6;
};

Input f64(std::string shape, Draw draw = Draw::Any) {
  return {"tensor<" + shape + "f64>", draw};
}
Input labels(std::string shape, int64_t bound) {
  return {"tensor<" + shape + "i32>", Draw::Labels, false, bound};
}

/// Returns the shape in "tensor<3x4xf64>".
std::vector<int64_t> shapeOf(const std::string &type) {
  std::vector<int64_t> shape;
  llvm::StringRef dims = llvm::StringRef(type).drop_front(7).drop_back(1);
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x');
  for (llvm::StringRef p : llvm::ArrayRef(parts).drop_back()) {
    int64_t d;
    p.getAsInteger(10, d);
    shape.push_back(d);
  }
  return shape;
}

int64_t count(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string moduleFor(const GradCase &c) {
  std::string args, names, types, wrt, gradTypes;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    args += "%arg" + std::to_string(i) + ": " + c.inputs[i].type + ", ";
    names += "%arg" + std::to_string(i) + ", ";
    types += c.inputs[i].type + ", ";
    if (c.inputs[i].wrt) {
      wrt += (wrt.empty() ? "" : ", ") + std::to_string(i);
      gradTypes += ", " + c.inputs[i].type;
    }
  }
  int64_t rank = shapeOf(c.resultType).size();
  std::string axes;
  for (int64_t i = 0; i < rank; ++i)
    axes += (i ? ", " : "") + std::to_string(i);
  return "func.func @loss(" + args + "%cot: " + c.resultType +
         ") -> tensor<f64> {\n" + c.body + "\n  %p = graph.mul %y, %cot : (" +
         c.resultType + ", " + c.resultType + ") -> " + c.resultType +
         "\n  %l = graph.reduce_sum %p {axes = array<i64" +
         (axes.empty() ? "" : ": " + axes) + ">} : (" + c.resultType +
         ") -> tensor<f64>\n  return %l : tensor<f64>\n}\n" +
         "func.func @grad(" + args + "%cot: " + c.resultType +
         ") -> (tensor<f64>" + gradTypes + ") {\n  %r:" +
         std::to_string(1 + std::count(wrt.begin(), wrt.end(), ',') +
                        (wrt.empty() ? 0 : 1)) +
         " = graph.value_and_grad @loss(" + names +
         "%cot) {wrt = array<i64: " + wrt + ">} : (" + types + c.resultType +
         ") -> (tensor<f64>" + gradTypes + ")\n  return %r#0" +
         [&] {
           std::string rest;
           int k = 1;
           for (const Input &in : c.inputs)
             if (in.wrt)
               rest += ", %r#" + std::to_string(k++);
           return rest;
         }() +
         " : tensor<f64>" + gradTypes + "\n}\n";
}

class GradientTest : public ::testing::TestWithParam<GradCase> {};

/// Shows a failing case by name rather than as raw bytes.
void PrintTo(const GradCase &c, std::ostream *os) { *os << c.name; }

TEST_P(GradientTest, MatchesCentralDifferences) {
  const GradCase &c = GetParam();
  DialectRegistry registry;
  kiln::registerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  std::string source = moduleFor(c);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  ASSERT_TRUE(module) << source;
  auto jit = kiln::JitModule::compile(*module);
  ASSERT_TRUE(!!jit) << llvm::toString(jit.takeError()) << "\n" << source;

  std::mt19937_64 rng(1234);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::vector<double>> floats(c.inputs.size());
  std::vector<std::vector<int32_t>> ints(c.inputs.size());
  std::vector<std::vector<uint8_t>> bools(c.inputs.size());
  std::vector<kiln::TensorRef> refs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const Input &in = c.inputs[i];
    std::vector<int64_t> shape = shapeOf(in.type);
    int64_t n = count(shape);
    void *data = nullptr;
    if (in.draw == Draw::Labels) {
      for (int64_t k = 0; k < n; ++k)
        ints[i].push_back(int32_t(unit(rng) * in.labelBound));
      data = ints[i].data();
    } else if (in.draw == Draw::Bool) {
      for (int64_t k = 0; k < n; ++k)
        bools[i].push_back(unit(rng) < 0.5);
      data = bools[i].data();
    } else {
      for (int64_t k = 0; k < n; ++k) {
        // Magnitudes in [0.2, 1.5]: away from kinks (relu, abs at 0) and
        // from ties (max, min, reduce_max) with probability one.
        double magnitude = 0.2 + 1.3 * unit(rng);
        bool negative = in.draw == Draw::Any && unit(rng) < 0.5;
        floats[i].push_back(negative ? -magnitude : magnitude);
      }
      data = floats[i].data();
    }
    refs.push_back({data, shape});
  }
  std::vector<int64_t> resultShape = shapeOf(c.resultType);
  std::vector<double> cotangent;
  for (int64_t k = 0; k < count(resultShape); ++k)
    cotangent.push_back(unit(rng) * 2 - 1);
  refs.push_back({cotangent.data(), resultShape});

  double loss = 0;
  auto evaluate = [&]() {
    llvm::Error e = (*jit)->call("loss", refs, {{&loss, {}}});
    EXPECT_FALSE(!!e) << llvm::toString(std::move(e));
    return loss;
  };

  double value = 0;
  std::vector<std::vector<double>> grads;
  std::vector<kiln::TensorRef> outs = {{&value, {}}};
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (c.inputs[i].wrt)
      grads.emplace_back(floats[i].size(), std::nan(""));
  for (size_t i = 0, k = 0; i < c.inputs.size(); ++i)
    if (c.inputs[i].wrt)
      outs.push_back({grads[k++].data(), shapeOf(c.inputs[i].type)});
  llvm::Error e = (*jit)->call("grad", refs, outs);
  ASSERT_FALSE(!!e) << llvm::toString(std::move(e));
  EXPECT_NEAR(value, evaluate(), 1e-12 * std::max(1.0, std::abs(value)));

  const double h = c.step;
  for (size_t i = 0, k = 0; i < c.inputs.size(); ++i) {
    if (!c.inputs[i].wrt)
      continue;
    std::vector<double> &analytic = grads[k++];
    for (size_t j = 0; j < floats[i].size(); ++j) {
      double saved = floats[i][j];
      floats[i][j] = saved + h;
      double up = evaluate();
      floats[i][j] = saved - h;
      double down = evaluate();
      floats[i][j] = saved;
      double numeric = (up - down) / (2 * h);
      if (c.expectZero) {
        EXPECT_EQ(analytic[j], 0.0) << "input " << i << " element " << j;
        continue;
      }
      EXPECT_LE(std::abs(analytic[j] - numeric),
                c.tolerance * std::max(1.0, std::abs(numeric)))
          << "input " << i << " element " << j << ": autodiff " << analytic[j]
          << ", central difference " << numeric << "\n"
          << source;
    }
  }
}

const char *unaryOps[] = {"neg",     "abs",  "exp",  "tanh",
                          "sigmoid", "relu", "gelu", "erf"};
const char *positiveUnaryOps[] = {"log", "log1p", "sqrt", "rsqrt"};

std::vector<GradCase> cases() {
  std::vector<GradCase> all;
  std::string t34 = "tensor<3x4xf64>";
  for (const char *op : unaryOps)
    all.push_back({op,
                   {f64("3x4x")},
                   std::string("  %y = graph.") + op + " %arg0 : " + t34,
                   t34});
  for (const char *op : positiveUnaryOps)
    all.push_back({op,
                   {f64("3x4x", Draw::Positive)},
                   std::string("  %y = graph.") + op + " %arg0 : " + t34,
                   t34});

  auto binary = [&](std::string op, std::string lhs, std::string rhs,
                    std::string out, Draw rhsDraw = Draw::Any,
                    Draw lhsDraw = Draw::Any) {
    all.push_back({op + "_" + lhs + "_" + rhs,
                   {f64(lhs, lhsDraw), f64(rhs, rhsDraw)},
                   "  %y = graph." + op + " %arg0, %arg1 : (tensor<" + lhs +
                       "f64>, tensor<" + rhs + "f64>) -> tensor<" + out +
                       "f64>",
                   "tensor<" + out + "f64>"});
  };
  for (std::string op : {"add", "sub", "mul", "max", "min"}) {
    binary(op, "3x4x", "3x4x", "3x4x");
    binary(op, "3x1x", "4x", "3x4x");
  }
  binary("div", "3x4x", "3x4x", "3x4x", Draw::Positive);
  binary("div", "3x4x", "", "3x4x", Draw::Positive);
  binary("pow", "3x4x", "3x4x", "3x4x", Draw::Any, Draw::Positive);
  binary("pow", "2x3x", "3x", "2x3x", Draw::Any, Draw::Positive);

  auto matmul = [&](std::string name, std::string lhs, std::string rhs,
                    std::string out, std::string attrs) {
    all.push_back({"matmul_" + name,
                   {f64(lhs), f64(rhs)},
                   "  %y = graph.matmul %arg0, %arg1 " + attrs + " : (tensor<" +
                       lhs + "f64>, tensor<" + rhs + "f64>) -> tensor<" + out +
                       "f64>",
                   "tensor<" + out + "f64>"});
  };
  matmul("plain", "3x5x", "5x2x", "3x2x", "");
  matmul("transpose_lhs", "5x3x", "5x2x", "3x2x", "{transpose_lhs}");
  matmul("transpose_rhs", "3x5x", "2x5x", "3x2x", "{transpose_rhs}");
  matmul("transpose_both", "5x3x", "2x5x", "3x2x",
         "{transpose_lhs, transpose_rhs}");
  matmul("batched", "2x3x4x", "2x4x2x", "2x3x2x", "");
  matmul("broadcast_rhs", "2x3x4x", "4x2x", "2x3x2x", "");
  matmul("broadcast_rhs_transposed", "2x3x4x", "2x4x", "2x3x2x",
         "{transpose_rhs}");
  matmul("broadcast_rhs_rank4", "2x2x3x4x", "4x2x", "2x2x3x2x", "");
  matmul("broadcast_batch", "1x3x4x", "2x4x2x", "2x3x2x", "");

  auto unaryWithType = [&](std::string name, Input in, std::string op,
                           std::string out) {
    all.push_back({name, {in}, "  %y = " + op, out});
  };
  unaryWithType("reduce_sum_axis1", f64("3x4x"),
                "graph.reduce_sum %arg0 {axes = array<i64: 1>} : "
                "(tensor<3x4xf64>) -> tensor<3xf64>",
                "tensor<3xf64>");
  unaryWithType("reduce_sum_keepdims", f64("2x3x4x"),
                "graph.reduce_sum %arg0 {axes = array<i64: 0, 2>, keepdims} : "
                "(tensor<2x3x4xf64>) -> tensor<1x3x1xf64>",
                "tensor<1x3x1xf64>");
  unaryWithType("reduce_mean", f64("3x4x"),
                "graph.reduce_mean %arg0 {axes = array<i64: -1>} : "
                "(tensor<3x4xf64>) -> tensor<3xf64>",
                "tensor<3xf64>");
  unaryWithType("reduce_max", f64("3x4x"),
                "graph.reduce_max %arg0 {axes = array<i64: 0>} : "
                "(tensor<3x4xf64>) -> tensor<4xf64>",
                "tensor<4xf64>");
  unaryWithType("softmax_last", f64("3x4x"),
                "graph.softmax %arg0 : tensor<3x4xf64>", t34);
  unaryWithType("softmax_axis0", f64("3x4x"),
                "graph.softmax %arg0 {axis = 0 : i64} : tensor<3x4xf64>", t34);
  unaryWithType("log_softmax", f64("3x4x"),
                "graph.log_softmax %arg0 : tensor<3x4xf64>", t34);
  unaryWithType("layer_norm", f64("3x4x"),
                "graph.layer_norm %arg0 : tensor<3x4xf64>", t34);
  unaryWithType("layer_norm_axis0", f64("3x4x"),
                "graph.layer_norm %arg0 {axis = 0 : i64, epsilon = 1.0e-02 "
                ": f64} : tensor<3x4xf64>",
                t34);
  unaryWithType("rms_norm", f64("3x4x"),
                "graph.rms_norm %arg0 : tensor<3x4xf64>", t34);
  unaryWithType("rms_norm_axis0", f64("3x4x"),
                "graph.rms_norm %arg0 {axis = 0 : i64, epsilon = 1.0e-02 : "
                "f64} : tensor<3x4xf64>",
                t34);
  unaryWithType("reshape", f64("3x4x"),
                "graph.reshape %arg0 : (tensor<3x4xf64>) -> tensor<2x6xf64>",
                "tensor<2x6xf64>");
  unaryWithType("transpose", f64("2x3x4x"),
                "graph.transpose %arg0 {permutation = array<i64: 2, 0, 1>} : "
                "(tensor<2x3x4xf64>) -> tensor<4x2x3xf64>",
                "tensor<4x2x3xf64>");
  unaryWithType("broadcast_to", f64("3x1x"),
                "graph.broadcast_to %arg0 : (tensor<3x1xf64>) -> "
                "tensor<2x3x4xf64>",
                "tensor<2x3x4xf64>");
  unaryWithType("slice", f64("4x6x"),
                "graph.slice %arg0 {starts = array<i64: 1, 0>, limits = "
                "array<i64: 4, 6>, strides = array<i64: 1, 2>} : "
                "(tensor<4x6xf64>) -> tensor<3x3xf64>",
                "tensor<3x3xf64>");
  // Expanded into matmuls and softmax (f64 has no fused kernel); the mask
  // takes no gradient.
  all.push_back({"attention",
                 {f64("2x4x6x"),
                  f64("2x5x6x"),
                  f64("2x5x6x"),
                  {"tensor<4x5xf64>", Draw::Any, /*wrt=*/false}},
                 "  %y = graph.attention %arg0, %arg1, %arg2, %arg3 {heads = 2 "
                 ": i64, scale = 0.6 : f64} : (tensor<2x4x6xf64>, "
                 "tensor<2x5x6xf64>, tensor<2x5x6xf64>, tensor<4x5xf64>) -> "
                 "tensor<2x4x6xf64>",
                 "tensor<2x4x6xf64>"});
  // Linear given its mask, which the gradient draws again from the key.
  all.push_back({"dropout",
                 {f64("6x7x"), {"tensor<2xi64>", Draw::Labels, false, 1000}},
                 "  %y = graph.dropout %arg0, %arg1 {rate = 0.4 : f64, site = "
                 "3 : i64} : tensor<6x7xf64>, tensor<2xi64>",
                 "tensor<6x7xf64>"});
  unaryWithType("stop_gradient", f64("3x4x"),
                "graph.stop_gradient %arg0 : tensor<3x4xf64>", t34);
  all.back().expectZero = true;

  all.push_back({"cast_f32_to_f64",
                 {f64("3x4x")},
                 "  %h = graph.cast %arg0 : tensor<3x4xf64> to tensor<3x4xf32>"
                 "\n  %e = graph.exp %h : tensor<3x4xf32>"
                 "\n  %y = graph.cast %e : tensor<3x4xf32> to tensor<3x4xf64>",
                 t34});
  // Rounding to f32 in the middle: a larger step, and f32 precision.
  all.back().step = 1e-2;
  all.back().tolerance = 1e-4;

  all.push_back(
      {"select",
       {{"tensor<3x4xi1>", Draw::Bool, false}, f64("3x4x"), f64("4x")},
       "  %y = graph.select %arg0, %arg1, %arg2 : (tensor<3x4xi1>, "
       "tensor<3x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>",
       t34});
  all.push_back({"concat",
                 {f64("3x2x"), f64("3x1x"), f64("3x3x")},
                 "  %y = graph.concat %arg0, %arg1, %arg2 {axis = 1 : i64} : "
                 "(tensor<3x2xf64>, tensor<3x1xf64>, tensor<3x3xf64>) -> "
                 "tensor<3x6xf64>",
                 "tensor<3x6xf64>"});
  all.push_back({"insert_slice",
                 {f64("2x2x"), f64("4x5x")},
                 "  %y = graph.insert_slice %arg0 into %arg1 {starts = "
                 "array<i64: 1, 1>, strides = array<i64: 2, 3>} : "
                 "tensor<2x2xf64> into tensor<4x5xf64>",
                 "tensor<4x5xf64>"});
  all.push_back({"gather",
                 {f64("5x3x"), labels("2x4x", 5)},
                 "  %y = graph.gather %arg0, %arg1 : (tensor<5x3xf64>, "
                 "tensor<2x4xi32>) -> tensor<2x4x3xf64>",
                 "tensor<2x4x3xf64>"});
  all.push_back({"gather_axis1",
                 {f64("3x5x"), labels("4x", 5)},
                 "  %y = graph.gather %arg0, %arg1 {axis = 1 : i64} : "
                 "(tensor<3x5xf64>, tensor<4xi32>) -> tensor<3x4xf64>",
                 "tensor<3x4xf64>"});
  all.push_back({"scatter_add",
                 {f64("6x3x"), labels("6x", 4), f64("4x3x")},
                 "  %y = graph.scatter_add %arg0, %arg1 into %arg2 : "
                 "(tensor<6x3xf64>, tensor<6xi32>) into tensor<4x3xf64>",
                 "tensor<4x3xf64>"});
  for (std::string reduction : {"mean", "sum"})
    all.push_back({"softmax_cross_entropy_" + reduction,
                   {f64("4x5x"), labels("4x", 5)},
                   "  %y = graph.softmax_cross_entropy %arg0, %arg1 "
                   "reduction = " +
                       reduction +
                       " : (tensor<4x5xf64>, tensor<4xi32>) -> tensor<f64>",
                   "tensor<f64>"});
  all.push_back({"softmax_cross_entropy_none_3d",
                 {f64("2x3x4x"), labels("2x3x", 4)},
                 "  %y = graph.softmax_cross_entropy %arg0, %arg1 reduction "
                 "= none : (tensor<2x3x4xf64>, tensor<2x3xi32>) -> "
                 "tensor<2x3xf64>",
                 "tensor<2x3xf64>"});
  all.push_back({"softmax_cross_entropy_smoothed_masked",
                 {f64("6x4x"), labels("6x", 5)}, // label 4 is masked
                 "  %y = graph.softmax_cross_entropy %arg0, %arg1 "
                 "{label_smoothing = 0.1 : f64} : (tensor<6x4xf64>, "
                 "tensor<6xi32>) -> tensor<f64>",
                 "tensor<f64>"});
  for (std::string reduction : {"mean", "none"})
    all.push_back(
        {"bce_with_logits_" + reduction,
         {f64("4x3x"), f64("4x3x", Draw::Positive)},
         "  %y = graph.bce_with_logits %arg0, %arg1 reduction = " + reduction +
             " : (tensor<4x3xf64>, tensor<4x3xf64>) -> " +
             (reduction == "none" ? "tensor<4x3xf64>" : "tensor<f64>"),
         reduction == "none" ? "tensor<4x3xf64>" : "tensor<f64>"});
  all.push_back({"mse",
                 {f64("4x3x"), f64("4x3x")},
                 "  %y = graph.mse %arg0, %arg1 : (tensor<4x3xf64>, "
                 "tensor<4x3xf64>) -> tensor<f64>",
                 "tensor<f64>"});

  // Composites.
  all.push_back(
      {"mlp_cross_entropy",
       {f64("4x6x"), f64("6x5x"), f64("5x"), f64("5x3x"), f64("3x"),
        labels("4x", 3)},
       R"(  %0 = graph.matmul %arg0, %arg1 : (tensor<4x6xf64>, tensor<6x5xf64>) -> tensor<4x5xf64>
  %1 = graph.add %0, %arg2 : (tensor<4x5xf64>, tensor<5xf64>) -> tensor<4x5xf64>
  %2 = graph.relu %1 : tensor<4x5xf64>
  %3 = graph.matmul %2, %arg3 : (tensor<4x5xf64>, tensor<5x3xf64>) -> tensor<4x3xf64>
  %4 = graph.add %3, %arg4 : (tensor<4x3xf64>, tensor<3xf64>) -> tensor<4x3xf64>
  %y = graph.softmax_cross_entropy %4, %arg5 : (tensor<4x3xf64>, tensor<4xi32>) -> tensor<f64>)",
       "tensor<f64>"});
  all.push_back({"softmax_then_log_likelihood",
                 {f64("4x5x"), f64("4x5x", Draw::Positive)},
                 R"(  %0 = graph.softmax %arg0 : tensor<4x5xf64>
  %1 = graph.log %0 : tensor<4x5xf64>
  %2 = graph.mul %1, %arg1 : (tensor<4x5xf64>, tensor<4x5xf64>) -> tensor<4x5xf64>
  %y = graph.reduce_sum %2 {axes = array<i64: 1>} : (tensor<4x5xf64>) -> tensor<4xf64>)",
                 "tensor<4xf64>"});
  all.push_back(
      {"layernorm_chain",
       {f64("3x8x"), f64("8x"), f64("8x")},
       R"(  %mean = graph.reduce_mean %arg0 {axes = array<i64: 1>, keepdims} : (tensor<3x8xf64>) -> tensor<3x1xf64>
  %c = graph.sub %arg0, %mean : (tensor<3x8xf64>, tensor<3x1xf64>) -> tensor<3x8xf64>
  %sq = graph.mul %c, %c : (tensor<3x8xf64>, tensor<3x8xf64>) -> tensor<3x8xf64>
  %var = graph.reduce_mean %sq {axes = array<i64: 1>, keepdims} : (tensor<3x8xf64>) -> tensor<3x1xf64>
  %eps = graph.constant dense<1.0e-5> : tensor<f64>
  %ve = graph.add %var, %eps : (tensor<3x1xf64>, tensor<f64>) -> tensor<3x1xf64>
  %inv = graph.rsqrt %ve : tensor<3x1xf64>
  %n = graph.mul %c, %inv : (tensor<3x8xf64>, tensor<3x1xf64>) -> tensor<3x8xf64>
  %s = graph.mul %n, %arg1 : (tensor<3x8xf64>, tensor<8xf64>) -> tensor<3x8xf64>
  %y = graph.add %s, %arg2 : (tensor<3x8xf64>, tensor<8xf64>) -> tensor<3x8xf64>)",
       "tensor<3x8xf64>"});
  all.push_back({"shared_subexpression",
                 {f64("3x4x")},
                 R"(  %e = graph.tanh %arg0 : tensor<3x4xf64>
  %y = graph.mul %e, %e : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>)",
                 t34});
  return all;
}

INSTANTIATE_TEST_SUITE_P(Ops, GradientTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<GradCase> &info) {
                           return info.param.name;
                         });

} // namespace
