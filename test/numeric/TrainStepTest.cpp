//===- TrainStepTest.cpp - Ten Adam steps of the MLP against C++ ----------===//
//
// The Fashion-MNIST MLP 784-256-256-10 at batch 64: forward, softmax
// cross-entropy, autodiff and Adam, compiled into one step function, run for
// ten steps and compared with a plain C++ implementation of the same
// arithmetic in double precision. Parameters and optimizer state must agree
// to 1e-5 relative (max |kiln - ref| / max |ref| per tensor).
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/JIT.h"
#include "kiln/runtime.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace mlir;

namespace {

constexpr int kBatch = 64, kSteps = 10;
const std::vector<int> kWidths = {784, 256, 256, 10};
constexpr double kLr = 1e-3, kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;

template <typename Real> struct Param {
  std::vector<int64_t> shape;
  std::vector<Real> value, m, v;
};

std::string type(const std::vector<int64_t> &shape, const char *element) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + element + ">";
}

/// @loss(w1, b1, w2, b2, w3, b3, x, y) and @step(params, ms, vs, x, y, t),
/// over `real` (f32 or f64).
std::string trainStepModule(const std::vector<std::vector<int64_t>> &shapes,
                            std::string real) {
  const char *f = real.c_str();
  std::string x = type({kBatch, 784}, f), y = type({kBatch}, "i32");
  std::string scalar = "tensor<" + real + ">";
  std::string paramArgs, paramTypes, loss = "func.func @loss(";
  for (size_t i = 0; i < shapes.size(); ++i) {
    loss += "%p" + std::to_string(i) + ": " + type(shapes[i], f) + ", ";
    paramTypes += type(shapes[i], f) + ", ";
  }
  loss += "%x: " + x + ", %y: " + y + ") -> " + scalar + " {\n";
  std::string h = "%x";
  for (size_t layer = 0; layer < 3; ++layer) {
    std::string in = type({kBatch, kWidths[layer]}, f);
    std::string out = type({kBatch, kWidths[layer + 1]}, f);
    std::string l = std::to_string(layer);
    std::string w = "%p" + std::to_string(2 * layer);
    std::string b = "%p" + std::to_string(2 * layer + 1);
    loss += "  %mm" + l + " = graph.matmul " + h + ", " + w + " : (" + in +
            ", " + type(shapes[2 * layer], f) + ") -> " + out + "\n";
    loss += "  %z" + l + " = graph.add %mm" + l + ", " + b + " : (" + out +
            ", " + type(shapes[2 * layer + 1], f) + ") -> " + out + "\n";
    if (layer < 2) {
      loss += "  %h" + l + " = graph.relu %z" + l + " : " + out + "\n";
      h = "%h" + l;
    }
  }
  loss += "  %l = graph.softmax_cross_entropy %z2, %y : (" +
          type({kBatch, 10}, f) + ", " + y + ") -> " + scalar + "\n";
  loss += "  return %l : " + scalar + "\n}\n";

  std::string step = "func.func @step(";
  std::string results = scalar;
  for (const char *prefix : {"p", "m", "v"})
    for (size_t i = 0; i < shapes.size(); ++i) {
      step += "%" + std::string(prefix) + std::to_string(i) + ": " +
              type(shapes[i], f) + ", ";
      results += ", " + type(shapes[i], f);
    }
  step += "%x: " + x + ", %y: " + y + ", %t: " + scalar + ") -> (" + results +
          ") {\n";
  std::string operands;
  for (size_t i = 0; i < shapes.size(); ++i)
    operands += "%p" + std::to_string(i) + ", ";
  step += "  %r:7 = graph.value_and_grad @loss(" + operands +
          "%x, %y) {wrt = array<i64: 0, 1, 2, 3, 4, 5>} : (" + paramTypes + x +
          ", " + y + ") -> (" + scalar + ", " +
          paramTypes.substr(0, paramTypes.size() - 2) + ")\n";
  step += "  %lr = graph.constant dense<1.0e-3> : " + scalar + "\n";
  std::string ret = "%r#0", newP, newM, newV;
  for (size_t i = 0; i < shapes.size(); ++i) {
    std::string n = std::to_string(i);
    step += "  %np" + n + ", %nm" + n + ", %nv" + n +
            " = graph.adam_update %p" + n + ", %r#" + std::to_string(i + 1) +
            ", %m" + n + ", %v" + n + ", %lr, %t : " + type(shapes[i], f) +
            ", " + scalar + "\n";
    newP += ", %np" + n;
    newM += ", %nm" + n;
    newV += ", %nv" + n;
  }
  step += "  return " + ret + newP + newM + newV + " : " + results + "\n}\n";
  return loss + step;
}

/// Plain C++ in double: the same step.
struct Reference {
  std::vector<std::vector<int64_t>> shapes;
  std::vector<std::vector<double>> p, m, v;

  template <typename Real>
  double step(const std::vector<Real> &x, const std::vector<int32_t> &y,
              int t) {
    // Forward.
    std::vector<std::vector<double>> acts = {
        std::vector<double>(x.begin(), x.end())};
    for (int layer = 0; layer < 3; ++layer) {
      int in = kWidths[layer], out = kWidths[layer + 1];
      const std::vector<double> &w = p[2 * layer], &b = p[2 * layer + 1];
      std::vector<double> z(kBatch * out);
      for (int n = 0; n < kBatch; ++n)
        for (int j = 0; j < out; ++j) {
          double s = b[j];
          for (int k = 0; k < in; ++k)
            s += acts.back()[n * in + k] * w[k * out + j];
          z[n * out + j] = layer < 2 ? std::max(s, 0.0) : s;
        }
      acts.push_back(z);
    }
    // Softmax cross-entropy and its gradient.
    std::vector<double> dz(kBatch * 10);
    double loss = 0;
    for (int n = 0; n < kBatch; ++n) {
      const double *z = &acts[3][n * 10];
      double mx = *std::max_element(z, z + 10), sum = 0;
      for (int j = 0; j < 10; ++j)
        sum += std::exp(z[j] - mx);
      loss += std::log(sum) + mx - z[y[n]];
      for (int j = 0; j < 10; ++j)
        dz[n * 10 + j] =
            (std::exp(z[j] - mx) / sum - (j == y[n] ? 1.0 : 0.0)) / kBatch;
    }
    loss /= kBatch;
    // Backward.
    std::vector<std::vector<double>> grads(6);
    std::vector<double> delta = dz;
    for (int layer = 2; layer >= 0; --layer) {
      int in = kWidths[layer], out = kWidths[layer + 1];
      const std::vector<double> &a = acts[layer];
      std::vector<double> dw(in * out, 0.0), db(out, 0.0), da(kBatch * in, 0.0);
      for (int n = 0; n < kBatch; ++n)
        for (int j = 0; j < out; ++j) {
          double d = delta[n * out + j];
          db[j] += d;
          for (int k = 0; k < in; ++k) {
            dw[k * out + j] += a[n * in + k] * d;
            da[n * in + k] += p[2 * layer][k * out + j] * d;
          }
        }
      grads[2 * layer] = dw;
      grads[2 * layer + 1] = db;
      // Through the ReLU that produced this layer's input.
      delta = da;
      for (int i = 0; i < kBatch * in; ++i)
        if (a[i] <= 0)
          delta[i] = 0;
    }
    // Adam, as torch.optim.Adam.
    double bc1 = 1 - std::pow(kBeta1, t), bc2 = 1 - std::pow(kBeta2, t);
    for (size_t i = 0; i < p.size(); ++i)
      for (size_t k = 0; k < p[i].size(); ++k) {
        double g = grads[i][k];
        m[i][k] = kBeta1 * m[i][k] + (1 - kBeta1) * g;
        v[i][k] = kBeta2 * v[i][k] + (1 - kBeta2) * g * g;
        double denom = std::sqrt(v[i][k]) / std::sqrt(bc2) + kEps;
        p[i][k] -= kLr / bc1 * m[i][k] / denom;
      }
    return loss;
  }
};

template <typename Real>
double relativeError(const std::vector<Real> &kiln,
                     const std::vector<double> &ref) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(kiln[i]))
      return INFINITY;
    diff = std::max(diff, std::abs(kiln[i] - ref[i]));
    scale = std::max(scale, std::abs(ref[i]));
  }
  return diff / scale;
}

/// Runs `steps` steps over `Real` and checks losses, parameters and Adam
/// state against the reference to `tolerance`.
template <typename Real>
void checkTrainSteps(const char *real, int steps, double tolerance) {
  std::vector<Param<Real>> params;
  for (int layer = 0; layer < 3; ++layer) {
    int64_t in = kWidths[layer], out = kWidths[layer + 1];
    for (std::vector<int64_t> shape :
         {std::vector<int64_t>{in, out}, std::vector<int64_t>{out}}) {
      Param<Real> p;
      p.shape = shape;
      size_t n = shape.size() == 2 ? in * out : out;
      p.value.resize(n);
      // Kaiming-normal weights, small random biases.
      float stddev = shape.size() == 2 ? std::sqrt(2.0f / in) : 0.1f;
      std::vector<float> init(n);
      kiln_rng_normal_f32(7, params.size(), 0, init.data(), n, 0.f, stddev);
      p.value.assign(init.begin(), init.end());
      p.m.assign(n, 0);
      p.v.assign(n, 0);
      params.push_back(std::move(p));
    }
  }
  Reference ref;
  for (const Param<Real> &p : params) {
    ref.shapes.push_back(p.shape);
    ref.p.emplace_back(p.value.begin(), p.value.end());
    ref.m.emplace_back(p.value.size(), 0.0);
    ref.v.emplace_back(p.value.size(), 0.0);
  }

  DialectRegistry registry;
  kiln::registerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  std::vector<std::vector<int64_t>> shapes;
  for (const Param<Real> &p : params)
    shapes.push_back(p.shape);
  std::string source = trainStepModule(shapes, real);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  ASSERT_TRUE(module) << source;
  auto jit = kiln::JitModule::compile(*module);
  ASSERT_TRUE(!!jit) << llvm::toString(jit.takeError());

  std::vector<Real> x(kBatch * 784);
  std::vector<int32_t> y(kBatch);
  for (int t = 1; t <= steps; ++t) {
    // A fresh batch per step: pixels in [0, 1), labels in [0, 10).
    std::vector<float> pixels(x.size());
    kiln_rng_uniform_f32(11, 100 + t, 0, pixels.data(), x.size(), 0.f, 1.f);
    x.assign(pixels.begin(), pixels.end());
    std::vector<float> labels(kBatch);
    kiln_rng_uniform_f32(11, 200 + t, 0, labels.data(), kBatch, 0.f, 10.f);
    for (int n = 0; n < kBatch; ++n)
      y[n] = std::min(9, int(labels[n]));

    Real loss = 0, step = Real(t);
    std::vector<Param<Real>> next = params;
    std::vector<kiln::TensorRef> inputs, outputs = {{&loss, {}}};
    for (auto member : {&Param<Real>::value, &Param<Real>::m, &Param<Real>::v})
      for (size_t i = 0; i < params.size(); ++i) {
        inputs.push_back({(params[i].*member).data(), params[i].shape});
        outputs.push_back({(next[i].*member).data(), params[i].shape});
      }
    inputs.push_back({x.data(), {kBatch, 784}});
    inputs.push_back({y.data(), {kBatch}});
    inputs.push_back({&step, {}});
    llvm::Error e = (*jit)->call("step", inputs, outputs);
    ASSERT_FALSE(!!e) << llvm::toString(std::move(e));
    params = std::move(next);

    double refLoss = ref.step(x, y, t);
    EXPECT_NEAR(loss, refLoss, tolerance * std::abs(refLoss)) << "step " << t;
  }
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_LE(relativeError(params[i].value, ref.p[i]), tolerance)
        << "param " << i;
    EXPECT_LE(relativeError(params[i].m, ref.m[i]), tolerance) << "m " << i;
    EXPECT_LE(relativeError(params[i].v, ref.v[i]), tolerance) << "v " << i;
  }
}

// The acceptance check: ten steps, computed in f64 so that the comparison
// measures the compiler's arithmetic, not f32 rounding amplified by Adam.
TEST(TrainStep, TenAdamStepsOfTheMlpMatchAReferenceInF64) {
  checkTrainSteps<double>("f64", kSteps, 1e-5);
}

// In f32, Adam divides each gradient by its own magnitude (plus 1e-8), so an
// element whose gradient is within rounding of eps, or a ReLU that flips on a
// rounding difference, moves by a visibly different amount; over many steps
// the trajectories drift apart. The first steps still agree to 1e-4.
TEST(TrainStep, FirstAdamStepsOfTheMlpMatchAReferenceInF32) {
  checkTrainSteps<float>("f32", 3, 1e-4);
}

} // namespace
