//===- mlp_train_step.cpp - Time Kiln's MLP train step and its GEMM floor -===//
//
//   kiln-bench-mlp examples/mlp_train_step.mlir [steps]
//
// JIT-compiles the train step (forward, cross-entropy, autodiff, Adam) of the
// MLP 784-256-256-10 at batch 64, times it on one thread, and times the
// step's eight matrix products alone through the same BLAS (the GEMM floor).
// Prints `kiln_us=<median per step>` and `gemm_floor_us=<median per step>`.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/JIT.h"
#include "kiln/runtime.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/raw_ostream.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

using namespace mlir;

namespace {

constexpr int kBatch = 64;
const int kWidths[] = {784, 256, 256, 10};

double nowUs() {
  return std::chrono::duration<double, std::micro>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <typename Fn> double medianUs(int repeats, Fn &&fn) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    double start = nowUs();
    fn();
    times.push_back(nowUs() - start);
  }
  std::nth_element(times.begin(), times.begin() + repeats / 2, times.end());
  return times[repeats / 2];
}

/// The eight products of one step: three forward, five backward (the input
/// gradient of the first layer is not needed).
double gemmFloorUs(int repeats) {
  struct Gemm {
    bool ta, tb;
    int m, n, k;
  };
  const Gemm gemms[] = {
      {false, false, 64, 256, 784}, {false, false, 64, 256, 256},
      {false, false, 64, 10, 256},  {true, false, 256, 10, 64},
      {false, true, 64, 256, 10},   {true, false, 256, 256, 64},
      {false, true, 64, 256, 256},  {true, false, 784, 256, 64},
  };
  std::vector<std::vector<float>> a, b, c;
  for (const Gemm &g : gemms) {
    a.emplace_back(size_t(g.m) * g.k, 0.5f);
    b.emplace_back(size_t(g.k) * g.n, 0.25f);
    c.emplace_back(size_t(g.m) * g.n, 0.0f);
  }
  auto step = [&] {
    for (size_t i = 0; i < std::size(gemms); ++i) {
      const Gemm &g = gemms[i];
      cblas_sgemm(CblasRowMajor, g.ta ? CblasTrans : CblasNoTrans,
                  g.tb ? CblasTrans : CblasNoTrans, g.m, g.n, g.k, 1.0f,
                  a[i].data(), g.ta ? g.m : g.k, b[i].data(), g.tb ? g.k : g.n,
                  1.0f, c[i].data(), g.n);
    }
  };
  for (int i = 0; i < 20; ++i)
    step();
  return medianUs(repeats, step);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    llvm::errs() << "usage: kiln-bench-mlp examples/mlp_train_step.mlir "
                    "[steps]\n";
    return 2;
  }
  int steps = argc > 2 ? std::atoi(argv[2]) : 300;
  kiln_gemm_set_threads(1);

  DialectRegistry registry;
  kiln::registerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(argv[1], &context);
  if (!module)
    return 1;
  auto jit = kiln::JitModule::compile(*module);
  if (!jit) {
    llvm::errs() << llvm::toString(jit.takeError()) << "\n";
    return 1;
  }

  // Parameters (Kaiming-normal weights, zero biases) and Adam moments, which
  // the step updates in place (`kiln.updates`), and one batch.
  std::vector<std::vector<float>> state[3];
  std::vector<std::vector<int64_t>> shapes;
  for (int layer = 0; layer < 3; ++layer) {
    int in = kWidths[layer], out = kWidths[layer + 1];
    shapes.push_back({in, out});
    shapes.push_back({out});
  }
  for (size_t i = 0; i < shapes.size(); ++i) {
    size_t n =
        shapes[i].size() == 2 ? shapes[i][0] * shapes[i][1] : shapes[i][0];
    std::vector<float> p(n, 0.0f);
    if (shapes[i].size() == 2)
      kiln_init_kaiming_normal_f32(3, i, p.data(), n, shapes[i][0]);
    state[0].push_back(p);
    state[1].emplace_back(n, 0.0f);
    state[2].emplace_back(n, 0.0f);
  }
  std::vector<float> x(kBatch * 784);
  kiln_rng_uniform_f32(3, 100, 0, x.data(), x.size(), 0.f, 1.f);
  std::vector<int32_t> y(kBatch);
  for (int i = 0; i < kBatch; ++i)
    y[i] = i % 10;

  float loss = 0, t = 0;
  auto step = [&] {
    t += 1;
    std::vector<kiln::TensorRef> inputs, outputs = {{&loss, {}}};
    for (int s = 0; s < 3; ++s)
      for (size_t i = 0; i < shapes.size(); ++i)
        inputs.push_back({state[s][i].data(), shapes[i]});
    inputs.push_back({x.data(), {kBatch, 784}});
    inputs.push_back({y.data(), {kBatch}});
    inputs.push_back({&t, {}});
    if (llvm::Error e = (*jit)->call("train_step", inputs, outputs)) {
      llvm::errs() << llvm::toString(std::move(e)) << "\n";
      std::exit(1);
    }
  };
  for (int i = 0; i < 20; ++i)
    step();
  float early = loss;
  double kiln = medianUs(steps, step);
  // The same batch over and over: a working step drives its loss down.
  if (!std::isfinite(loss) || !(loss < early)) {
    llvm::errs() << "the step does not train: loss " << early << " after 20 "
                 << "steps, " << loss << " at the end\n";
    return 1;
  }
  double floor = gemmFloorUs(steps);
  llvm::outs() << "kiln_us=" << kiln << "\ngemm_floor_us=" << floor
               << "\nfinal_loss=" << loss << "\n";
  return 0;
}
