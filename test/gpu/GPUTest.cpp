//===- GPUTest.cpp - Graph functions on the GPU against the CPU JIT -------===//
//
// Each case is a module whose public @main is compiled twice: with the GPU
// pipeline into a kernel bundle, run on device 0 by the runtime's executor
// (what native programs run with --device cuda), and with the CPU pipeline,
// run by JitModule. Both get the same fresh random inputs and NaN-poisoned
// results; every GPU result must match the CPU's within 1e-5 of the
// result's largest magnitude, and a NaN never matches. The GPU runs each
// case three times (launches, recording a CUDA graph, replaying it) and
// each must match. Without libcuda or a device every case is compiled for
// both targets, then skipped.
//
// With KILN_GPU_CASES=DIR, the Compiles test also writes each case (bundle,
// inputs, the CPU's results) to DIR/NAME for kiln-gpu-cases, which checks
// them on a GPU machine that has the runtime but not MLIR.
//
// Each case prints "[ kiln-gpu ] NAME max-rel-error E pass|FAIL", which
// scripts/gpu-check.sh collects into a table.
//
//===----------------------------------------------------------------------===//

#include "CaseFiles.h"

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/GPUModule.h"
#include "compiler/Target/JIT.h"
#include "compiler/Target/KernelBundle.h"
#include "cuda/executor.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/ScopeExit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <random>

using namespace mlir;

namespace {

constexpr double kTolerance = 1e-5;

struct Case {
  std::string name;
  /// A module with a public @main over f32 and i32 tensors.
  std::string source;
  /// Float inputs are drawn in [-amplitude, amplitude): the MLP needs small
  /// weights, or its logits reach ~1e3 and softmax turns their rounding
  /// differences (~1e-4) into output errors over the tolerance.
  float amplitude = 1.0f;
  /// Integer inputs (labels) are drawn in [0, labelBound).
  int64_t labelBound = 10;
  /// Float inputs are drawn in [0.5, 1.5) instead (Adam's step and second
  /// moments must be positive).
  bool positive = false;
};

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

/// Host bytes of one tensor.
struct HostTensor {
  RankedTensorType type;
  std::vector<char> bytes;

  explicit HostTensor(RankedTensorType type)
      : type(type), bytes(type.getNumElements() *
                          llvm::divideCeil(type.getElementTypeBitWidth(), 8)) {}
  float *floats() { return reinterpret_cast<float *>(bytes.data()); }
  kiln::TensorRef ref() {
    return {bytes.data(), {type.getShape().begin(), type.getShape().end()}};
  }
};

HostTensor randomTensor(RankedTensorType type, const Case &c,
                        std::mt19937 &rng) {
  HostTensor t(type);
  if (type.getElementType().isF32()) {
    std::uniform_real_distribution<float> value(
        c.positive ? 0.5f : -c.amplitude, c.positive ? 1.5f : c.amplitude);
    for (int64_t i = 0; i < type.getNumElements(); ++i)
      t.floats()[i] = value(rng);
  } else {
    std::uniform_int_distribution<int32_t> label(0, c.labelBound - 1);
    auto *ints = reinterpret_cast<int32_t *>(t.bytes.data());
    for (int64_t i = 0; i < type.getNumElements(); ++i)
      ints[i] = label(rng);
  }
  return t;
}

HostTensor poisoned(RankedTensorType type) {
  HostTensor t(type);
  std::memset(t.bytes.data(), 0xFF, t.bytes.size());
  return t;
}

double relativeError(HostTensor &gpu, HostTensor &cpu) {
  return kiln::gpucases::relativeError(gpu.floats(), cpu.floats(),
                                       cpu.type.getNumElements());
}

class GPUTest : public ::testing::TestWithParam<Case> {};

/// Both compilations of one case; neither needs a GPU.
struct Compiled {
  MLIRContext context;
  OwningOpRef<ModuleOp> gpuModule, cpuModule;
  std::optional<kiln::GPUModule> gpu;
  /// The kernel bundle of @main alone.
  std::string bundle;
  std::unique_ptr<kiln::JitModule> jit;
  const kiln::GPUFunction *function = nullptr;
};

void compileCase(const Case &c, Compiled &out) {
  DialectRegistry registry;
  kiln::registerDialects(registry);
  out.context.appendDialectRegistry(registry);
  out.gpuModule = parseSourceString<ModuleOp>(c.source, &out.context);
  out.cpuModule = parseSourceString<ModuleOp>(c.source, &out.context);
  ASSERT_TRUE(out.gpuModule && out.cpuModule) << c.source;
  llvm::Expected<kiln::GPUModule> gpu =
      kiln::GPUModule::compile(*out.gpuModule);
  ASSERT_TRUE(!!gpu) << llvm::toString(gpu.takeError());
  out.gpu.emplace(std::move(*gpu));
  auto jit = kiln::JitModule::compile(*out.cpuModule);
  ASSERT_TRUE(!!jit) << llvm::toString(jit.takeError());
  out.jit = std::move(*jit);
  out.function = out.gpu->function("main");
  ASSERT_NE(out.function, nullptr);
  kiln::KernelBundleBuilder builder;
  builder.add(*out.gpu, "main", "main");
  out.bundle = builder.finish();
}

/// Fresh random inputs for `f`, and the CPU's results on them.
void runOnCPU(const Case &c, Compiled &compiled, unsigned seed,
              std::vector<HostTensor> &inputs,
              std::vector<HostTensor> &results) {
  std::mt19937 rng(seed);
  for (RankedTensorType type : compiled.function->inputs)
    inputs.push_back(randomTensor(type, c, rng));
  for (RankedTensorType type : compiled.function->results) {
    ASSERT_TRUE(type.getElementType().isF32()) << "results must be f32";
    results.push_back(poisoned(type));
  }
  std::vector<kiln::TensorRef> inputRefs, resultRefs;
  for (HostTensor &t : inputs)
    inputRefs.push_back(t.ref());
  for (HostTensor &t : results)
    resultRefs.push_back(t.ref());
  llvm::Error run = compiled.jit->call("main", inputRefs, resultRefs);
  ASSERT_FALSE(!!run) << llvm::toString(std::move(run));
}

/// KILN_GPU_CASES=DIR: the case's bundle, inputs and CPU results in
/// DIR/NAME, for kiln-gpu-cases.
void writeCase(const Case &c, Compiled &compiled, const std::string &root) {
  constexpr unsigned kSeed = 1;
  std::vector<HostTensor> after, results;
  runOnCPU(c, compiled, kSeed, after, results);
  if (::testing::Test::HasFatalFailure())
    return;
  kiln::gpucases::Files files;
  files.bundle = compiled.bundle;
  std::mt19937 rng(kSeed);
  for (HostTensor &t : after) {
    HostTensor input = randomTensor(t.type, c, rng);
    files.inputs.push_back(std::string(input.bytes.begin(), input.bytes.end()));
    files.after.push_back(std::string(t.bytes.begin(), t.bytes.end()));
    files.floatInputs.push_back(t.type.getElementType().isF32());
  }
  for (HostTensor &t : results)
    files.results.push_back(std::string(t.bytes.begin(), t.bytes.end()));
  std::string error = kiln::gpucases::write(root + "/" + c.name, files);
  ASSERT_TRUE(error.empty()) << error;
}

// Every machine checks that each case compiles for the GPU (PTX for sm_80
// and sm_90, launch list) and for the CPU.
TEST_P(GPUTest, Compiles) {
  Compiled compiled;
  compileCase(GetParam(), compiled);
  if (HasFatalFailure())
    return;
  if (const char *dir = std::getenv("KILN_GPU_CASES"))
    writeCase(GetParam(), compiled, dir);
}

TEST_P(GPUTest, MatchesCPU) {
  const Case &c = GetParam();
  Compiled compiled;
  compileCase(c, compiled);
  if (HasFatalFailure())
    return;
  std::string why;
  std::unique_ptr<kiln::cuda::Executor> gpu = kiln::cuda::Executor::create(
      compiled.bundle.data(), compiled.bundle.size(), why);
  if (!gpu)
    GTEST_SKIP() << "no usable CUDA device: " << why;

  unsigned seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::vector<HostTensor> inputs, cpuResults;
  runOnCPU(c, compiled, seed, inputs, cpuResults);
  if (HasFatalFailure())
    return;
  // A train step updates inputs in place (kiln.updates): the CPU's updated
  // inputs are results to match, and each GPU call starts from the
  // original inputs.
  std::vector<HostTensor> cpuInputs = inputs, original;
  {
    std::mt19937 rng(seed);
    for (RankedTensorType type : compiled.function->inputs)
      original.push_back(randomTensor(type, c, rng));
    inputs = original;
  }
  std::vector<HostTensor> gpuResults;
  std::vector<void *> buffers;
  for (HostTensor &t : inputs)
    buffers.push_back(t.bytes.data());
  for (RankedTensorType type : compiled.function->results) {
    gpuResults.push_back(poisoned(type));
    buffers.push_back(gpuResults.back().bytes.data());
  }
  // Launches, then a CUDA graph recorded, then replayed: each must match.
  auto callGPU = [&] {
    for (size_t i = 0; i < inputs.size(); ++i) {
      ASSERT_TRUE(gpu->hostUse(inputs[i].bytes.data(), why)) << why;
      inputs[i].bytes = original[i].bytes;
    }
    ASSERT_TRUE(gpu->invoke(0, buffers.data(), buffers.size(), why)) << why;
    for (HostTensor &t : gpuResults)
      ASSERT_TRUE(gpu->hostUse(t.bytes.data(), why)) << why;
    for (HostTensor &t : inputs)
      ASSERT_TRUE(gpu->hostUse(t.bytes.data(), why)) << why;
  };
  for (int call = 0; call < 3; ++call) {
    SCOPED_TRACE("call " + std::to_string(call));
    callGPU();
    if (HasFatalFailure())
      return;
    for (size_t i = 0; i < cpuResults.size(); ++i)
      EXPECT_LE(relativeError(gpuResults[i], cpuResults[i]), kTolerance)
          << "result " << i;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].type.getElementType().isF32()) {
        EXPECT_LE(relativeError(inputs[i], cpuInputs[i]), kTolerance)
            << "input " << i;
      }
    }
    for (HostTensor &t : gpuResults)
      std::memset(t.bytes.data(), 0xFF, t.bytes.size());
  }
  callGPU();
  if (HasFatalFailure())
    return;

  double worst = 0;
  for (size_t i = 0; i < cpuResults.size(); ++i) {
    double error = relativeError(gpuResults[i], cpuResults[i]);
    EXPECT_LE(error, kTolerance) << "result " << i;
    worst = std::max(worst, error);
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].type.getElementType().isF32())
      worst = std::max(worst, relativeError(inputs[i], cpuInputs[i]));
  std::printf("[ kiln-gpu ] %s max-rel-error %.3g %s\n", c.name.c_str(), worst,
              worst <= kTolerance ? "pass" : "FAIL");
}

// The MLP of examples/mlp_forward.mlir at batch 64.
constexpr const char *kMLPArgs =
    "%x: tensor<64x784xf32>, %w1: tensor<784x256xf32>, %b1: tensor<256xf32>, "
    "%w2: tensor<256x256xf32>, %b2: tensor<256xf32>, "
    "%w3: tensor<256x10xf32>, %b3: tensor<10xf32>";
constexpr const char *kMLPLogits = R"(
  %0 = graph.matmul %x, %w1 : (tensor<64x784xf32>, tensor<784x256xf32>) -> tensor<64x256xf32>
  %1 = graph.add %0, %b1 : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %2 = graph.relu %1 : tensor<64x256xf32>
  %3 = graph.matmul %2, %w2 : (tensor<64x256xf32>, tensor<256x256xf32>) -> tensor<64x256xf32>
  %4 = graph.add %3, %b2 : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %5 = graph.relu %4 : tensor<64x256xf32>
  %6 = graph.matmul %5, %w3 : (tensor<64x256xf32>, tensor<256x10xf32>) -> tensor<64x10xf32>
  %logits = graph.add %6, %b3 : (tensor<64x10xf32>, tensor<10xf32>) -> tensor<64x10xf32>
)";

std::string mlpForward() {
  return std::string("func.func @main(") + kMLPArgs +
         ") -> tensor<64x10xf32> {" + kMLPLogits + R"(
  %p = graph.softmax %logits : tensor<64x10xf32>
  return %p : tensor<64x10xf32>
})";
}

std::string mlpLoss(const char *name) {
  return std::string("func.func @") + name + "(" + kMLPArgs +
         ", %labels: tensor<64xi32>) -> tensor<f32> {" + kMLPLogits + R"(
  %l = graph.softmax_cross_entropy %logits, %labels : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
  return %l : tensor<f32>
})";
}

/// A loss of fused attention (queries [B, T, 64], keys and values
/// [B, S, 64], 4 heads) and @main returning the output and its gradients
/// with respect to q, k and v. `mask`: an argument [T, S], or a causal
/// constant (-inf above the diagonal) when T = S.
std::string fusedAttention(int64_t batch, int64_t queries, int64_t keys,
                           bool causal) {
  std::string q = "tensor<" + std::to_string(batch) + "x" +
                  std::to_string(queries) + "x64xf32>";
  std::string kv = "tensor<" + std::to_string(batch) + "x" +
                   std::to_string(keys) + "x64xf32>";
  std::string m = "tensor<" + std::to_string(queries) + "x" +
                  std::to_string(keys) + "xf32>";
  std::string maskArg = causal ? "" : ", %m: " + m;
  std::string maskDef;
  if (causal) {
    maskDef = "  %m = graph.constant dense<[";
    for (int64_t i = 0; i < queries; ++i) {
      maskDef += i ? ", [" : "[";
      for (int64_t j = 0; j < keys; ++j)
        maskDef += std::string(j ? ", " : "") + (j <= i ? "0.0" : "0xFF800000");
      maskDef += "]";
    }
    maskDef += "]> : " + m + "\n";
  }
  std::string types = q + ", " + kv + ", " + kv + (causal ? "" : ", " + m);
  std::string args = "%q, %k, %v" + std::string(causal ? "" : ", %m");
  return "func.func private @loss(%q: " + q + ", %k: " + kv + ", %v: " + kv +
         maskArg + ") -> tensor<f32> {\n" + maskDef +
         "  %y = graph.attention %q, %k, %v, %m {heads = 4 : i64, scale = "
         "2.5e-01 : f64} : (" +
         q + ", " + kv + ", " + kv + ", " + m + ") -> " + q +
         "\n  %t = graph.tanh %y : " + q +
         "\n  %r = graph.reduce_sum %t {axes = array<i64: 0, 1, 2>} : (" + q +
         ") -> tensor<f32>\n  return %r : tensor<f32>\n}\n"
         "func.func @main(%q: " +
         q + ", %k: " + kv + ", %v: " + kv + maskArg + ") -> (tensor<f32>, " +
         q + ", " + kv + ", " + kv +
         ") {\n"
         "  %r:4 = graph.value_and_grad @loss(" +
         args + ") {wrt = array<i64: 0, 1, 2>} : (" + types +
         ") -> (tensor<f32>, " + q + ", " + kv + ", " + kv +
         ")\n  return %r#0, %r#1, %r#2, %r#3 : "
         "tensor<f32>, " +
         q + ", " + kv + ", " + kv + "\n}\n";
}

std::vector<Case> cases() {
  return {
      {"broadcast_elementwise", R"(
func.func @main(%x: tensor<33x65xf32>, %b: tensor<65xf32>, %c: tensor<33x1xf32>) -> tensor<33x65xf32> {
  %0 = graph.add %x, %b : (tensor<33x65xf32>, tensor<65xf32>) -> tensor<33x65xf32>
  %1 = graph.mul %0, %c : (tensor<33x65xf32>, tensor<33x1xf32>) -> tensor<33x65xf32>
  %2 = graph.tanh %1 : tensor<33x65xf32>
  %3 = graph.exp %2 : tensor<33x65xf32>
  return %3 : tensor<33x65xf32>
})"},
      {"softmax", R"(
func.func @main(%x: tensor<37x300xf32>) -> tensor<37x300xf32> {
  %0 = graph.softmax %x : tensor<37x300xf32>
  return %0 : tensor<37x300xf32>
})"},
      {"reductions", R"(
func.func @main(%x: tensor<17x40x9xf32>) -> (tensor<40x9xf32>, tensor<17x9xf32>, tensor<17x40xf32>, tensor<f32>) {
  %0 = graph.reduce_sum %x {axes = array<i64: 0>} : (tensor<17x40x9xf32>) -> tensor<40x9xf32>
  %1 = graph.reduce_max %x {axes = array<i64: 1>} : (tensor<17x40x9xf32>) -> tensor<17x9xf32>
  %2 = graph.reduce_mean %x {axes = array<i64: 2>} : (tensor<17x40x9xf32>) -> tensor<17x40xf32>
  %3 = graph.reduce_sum %x {axes = array<i64: 0, 1, 2>} : (tensor<17x40x9xf32>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<40x9xf32>, tensor<17x9xf32>, tensor<17x40xf32>, tensor<f32>
})"},
      {"fused_exp_sum", R"(
func.func @main(%x: tensor<16x64xf32>, %y: tensor<16x64xf32>, %z: tensor<64xf32>) -> tensor<16xf32> {
  %0 = graph.mul %x, %y : (tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xf32>
  %1 = graph.add %0, %z : (tensor<16x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  %2 = graph.exp %1 : tensor<16x64xf32>
  %3 = graph.reduce_sum %2 {axes = array<i64: 1>} : (tensor<16x64xf32>) -> tensor<16xf32>
  return %3 : tensor<16xf32>
})"},
      {"matmul", R"(
func.func @main(%a: tensor<37x129xf32>, %b: tensor<129x65xf32>) -> tensor<37x65xf32> {
  %0 = graph.matmul %a, %b : (tensor<37x129xf32>, tensor<129x65xf32>) -> tensor<37x65xf32>
  return %0 : tensor<37x65xf32>
})"},
      {"batched_matmul", R"(
func.func @main(%a: tensor<3x20x30xf32>, %b: tensor<30x24xf32>) -> tensor<3x20x24xf32> {
  %0 = graph.matmul %a, %b : (tensor<3x20x30xf32>, tensor<30x24xf32>) -> tensor<3x20x24xf32>
  return %0 : tensor<3x20x24xf32>
})"},
      {"mlp_forward", mlpForward(), 0.1f},
      {"mlp_softmax_cross_entropy", mlpLoss("main"), 0.1f},
      {"grad_tanh_matmul", R"(
func.func private @loss(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>) -> tensor<f32> {
  %0 = graph.matmul %x, %w : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  %1 = graph.tanh %0 : tensor<8x4xf32>
  %2 = graph.reduce_sum %1 {axes = array<i64: 0, 1>} : (tensor<8x4xf32>) -> tensor<f32>
  return %2 : tensor<f32>
}
func.func @main(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>) -> (tensor<f32>, tensor<8x16xf32>, tensor<16x4xf32>) {
  %r:3 = graph.value_and_grad @loss(%x, %w) {wrt = array<i64: 0, 1>} : (tensor<8x16xf32>, tensor<16x4xf32>) -> (tensor<f32>, tensor<8x16xf32>, tensor<16x4xf32>)
  return %r#0, %r#1, %r#2 : tensor<f32>, tensor<8x16xf32>, tensor<16x4xf32>
})"},
      {"grad_mlp_loss",
       mlpLoss("loss") + R"(
func.func @main()" +
           kMLPArgs +
           R"(, %labels: tensor<64xi32>) -> (tensor<f32>, tensor<784x256xf32>, tensor<256xf32>, tensor<256x10xf32>) {
  %r:7 = graph.value_and_grad @loss(%x, %w1, %b1, %w2, %b2, %w3, %b3, %labels) {wrt = array<i64: 1, 2, 3, 4, 5, 6>} : (tensor<64x784xf32>, tensor<784x256xf32>, tensor<256xf32>, tensor<256x256xf32>, tensor<256xf32>, tensor<256x10xf32>, tensor<10xf32>, tensor<64xi32>) -> (tensor<f32>, tensor<784x256xf32>, tensor<256xf32>, tensor<256x256xf32>, tensor<256xf32>, tensor<256x10xf32>, tensor<10xf32>)
  return %r#0, %r#1, %r#2, %r#5 : tensor<f32>, tensor<784x256xf32>, tensor<256xf32>, tensor<256x10xf32>
})",
       0.1f},
      // Per-head attention products: batched GEMMs (two batch dimensions)
      // and their gradients, a transposed operand among them.
      {"attention_heads", R"(
func.func private @loss(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<f32> {
  %kt = graph.transpose %k {permutation = array<i64: 0, 1, 3, 2>} : (tensor<2x4x8x16xf32>) -> tensor<2x4x16x8xf32>
  %s = graph.matmul %q, %kt : (tensor<2x4x8x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x8x8xf32>
  %p = graph.softmax %s : tensor<2x4x8x8xf32>
  %o = graph.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  %t = graph.tanh %o : tensor<2x4x8x16xf32>
  %r = graph.reduce_sum %t {axes = array<i64: 0, 1, 2, 3>} : (tensor<2x4x8x16xf32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @main(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> (tensor<f32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) {
  %r:4 = graph.value_and_grad @loss(%q, %k, %v) {wrt = array<i64: 0, 1, 2>} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<f32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>)
  return %r#0, %r#1, %r#2, %r#3 : tensor<f32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>
})"},
      // Fused attention (kiln-gpu-attention-to-loops): a thread per query
      // row forward, per query row and per key row for the gradient.
      {"fused_attention_causal", fusedAttention(8, 64, 64, /*causal=*/true)},
      {"fused_attention_cross", fusedAttention(3, 24, 40, /*causal=*/false)},
      // The transformer blocks' normalizations and activation, and their
      // gradients (composite lowerings: reductions along rows).
      {"norms_gelu_grad", R"(
func.func private @loss(%x: tensor<64x96xf32>, %g: tensor<96xf32>) -> tensor<f32> {
  %0 = graph.layer_norm %x : tensor<64x96xf32>
  %1 = graph.mul %0, %g : (tensor<64x96xf32>, tensor<96xf32>) -> tensor<64x96xf32>
  %2 = graph.gelu %1 : tensor<64x96xf32>
  %3 = graph.rms_norm %2 {epsilon = 1.0e-03 : f64} : tensor<64x96xf32>
  %4 = graph.tanh %3 : tensor<64x96xf32>
  %5 = graph.reduce_sum %4 {axes = array<i64: 0, 1>} : (tensor<64x96xf32>) -> tensor<f32>
  return %5 : tensor<f32>
}
func.func @main(%x: tensor<64x96xf32>, %g: tensor<96xf32>) -> (tensor<f32>, tensor<64x96xf32>, tensor<96xf32>) {
  %r:3 = graph.value_and_grad @loss(%x, %g) {wrt = array<i64: 0, 1>} : (tensor<64x96xf32>, tensor<96xf32>) -> (tensor<f32>, tensor<64x96xf32>, tensor<96xf32>)
  return %r#0, %r#1, %r#2 : tensor<f32>, tensor<64x96xf32>, tensor<96xf32>
})"},
      // Batched Cholesky solves (the regression baselines): A = x x^T + 6 I
      // is positive definite for x drawn in [-1, 1).
      {"cholesky_solve", R"(
func.func @main(%x: tensor<16x6x6xf32>, %b: tensor<16x6x2xf32>) -> tensor<16x6x2xf32> {
  %0 = graph.matmul %x, %x {transpose_rhs} : (tensor<16x6x6xf32>, tensor<16x6x6xf32>) -> tensor<16x6x6xf32>
  %i = graph.constant dense<[[6.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 6.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 6.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 6.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 6.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 6.0]]> : tensor<6x6xf32>
  %1 = graph.add %0, %i : (tensor<16x6x6xf32>, tensor<6x6xf32>) -> tensor<16x6x6xf32>
  %2 = graph.cholesky_solve %1, %b : (tensor<16x6x6xf32>, tensor<16x6x2xf32>) -> tensor<16x6x2xf32>
  return %2 : tensor<16x6x2xf32>
})"},
      // Small products over a long inner dimension (weight gradients over
      // many positions): split into parts summed in a fixed order.
      {"long_inner_products", R"(
func.func private @loss(%x: tensor<2048x32xf32>, %w: tensor<32x16xf32>) -> tensor<f32> {
  %0 = graph.matmul %x, %w : (tensor<2048x32xf32>, tensor<32x16xf32>) -> tensor<2048x16xf32>
  %1 = graph.tanh %0 : tensor<2048x16xf32>
  %2 = graph.reduce_sum %1 {axes = array<i64: 0, 1>} : (tensor<2048x16xf32>) -> tensor<f32>
  return %2 : tensor<f32>
}
func.func @main(%x: tensor<2048x32xf32>, %w: tensor<32x16xf32>, %a: tensor<24x4096xf32>, %b: tensor<4096x40xf32>) -> (tensor<f32>, tensor<32x16xf32>, tensor<24x40xf32>) {
  %r:2 = graph.value_and_grad @loss(%x, %w) {wrt = array<i64: 1>} : (tensor<2048x32xf32>, tensor<32x16xf32>) -> (tensor<f32>, tensor<32x16xf32>)
  %p = graph.matmul %a, %b : (tensor<24x4096xf32>, tensor<4096x40xf32>) -> tensor<24x40xf32>
  return %r#0, %r#1, %p : tensor<f32>, tensor<32x16xf32>, tensor<24x40xf32>
})"},
      {"embedding_grad", R"(
func.func private @loss(%table: tensor<64x16xf32>, %ids: tensor<8x4xi32>) -> tensor<f32> {
  %0 = graph.gather %table, %ids : (tensor<64x16xf32>, tensor<8x4xi32>) -> tensor<8x4x16xf32>
  %1 = graph.tanh %0 : tensor<8x4x16xf32>
  %2 = graph.reduce_sum %1 {axes = array<i64: 0, 1, 2>} : (tensor<8x4x16xf32>) -> tensor<f32>
  return %2 : tensor<f32>
}
func.func @main(%table: tensor<64x16xf32>, %ids: tensor<8x4xi32>) -> (tensor<f32>, tensor<64x16xf32>) {
  %r:2 = graph.value_and_grad @loss(%table, %ids) {wrt = array<i64: 0>} : (tensor<64x16xf32>, tensor<8x4xi32>) -> (tensor<f32>, tensor<64x16xf32>)
  return %r#0, %r#1 : tensor<f32>, tensor<64x16xf32>
})",
       1.0f, /*labelBound=*/64},
      // A train step: parameters and Adam's moments updated in place, the
      // step and learning rate read from 0-d buffers inside the kernels.
      {"adam_step_in_place", R"(
func.func private @loss(%w: tensor<16x8xf32>, %x: tensor<4x16xf32>) -> tensor<f32> {
  %0 = graph.matmul %x, %w : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %1 = graph.tanh %0 : tensor<4x8xf32>
  %2 = graph.reduce_sum %1 {axes = array<i64: 0, 1>} : (tensor<4x8xf32>) -> tensor<f32>
  return %2 : tensor<f32>
}
func.func @main(%w: tensor<16x8xf32>, %m: tensor<16x8xf32>, %v: tensor<16x8xf32>, %x: tensor<4x16xf32>, %step: tensor<f32>, %lr: tensor<f32>) -> (tensor<f32>, tensor<16x8xf32> {kiln.updates = 0 : i64}, tensor<16x8xf32> {kiln.updates = 1 : i64}, tensor<16x8xf32> {kiln.updates = 2 : i64}) {
  %r:2 = graph.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>} : (tensor<16x8xf32>, tensor<4x16xf32>) -> (tensor<f32>, tensor<16x8xf32>)
  %p, %m2, %v2 = graph.adam_update %w, %r#1, %m, %v, %lr, %step : tensor<16x8xf32>, tensor<f32>
  return %r#0, %p, %m2, %v2 : tensor<f32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>
})",
       1.0f, 10, /*positive=*/true},
  };
}

std::string caseName(const ::testing::TestParamInfo<Case> &info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Functions, GPUTest, ::testing::ValuesIn(cases()),
                         caseName);

} // namespace
