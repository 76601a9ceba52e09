//===- GPUTest.cpp - Graph functions on the GPU against the CPU JIT -------===//
//
// Each case is a module whose public @main is compiled twice: with the GPU
// pipeline, run through its launch list on device 0, and with the CPU
// pipeline, run by JitModule. Both get the same fresh random inputs and
// NaN-poisoned results (temporaries too, on the GPU); every GPU result must
// match the CPU's within 1e-5 of the result's largest magnitude, and a NaN
// never matches. Without libcuda or a device every case is compiled for both
// targets, then skipped.
//
// Each case prints "[ kiln-gpu ] NAME max-rel-error E pass|FAIL", which
// scripts/gpu-check.sh collects into a table.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/GPUModule.h"
#include "compiler/Target/JIT.h"

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
    std::uniform_real_distribution<float> value(-c.amplitude, c.amplitude);
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

/// Runs `f` on the device: allocates every buffer, uploads the inputs,
/// poisons results and temporaries, launches the kernels in order and
/// downloads the results.
llvm::Error runOnGPU(kiln::cuda::Driver &cu, const kiln::GPUModule &gpu,
                     const kiln::GPUFunction &f,
                     std::vector<HostTensor> &inputs,
                     std::vector<HostTensor> &results) {
  std::vector<kiln::cuda::DevicePtr> device;
  llvm::scope_exit release([&] {
    for (kiln::cuda::DevicePtr ptr : device)
      llvm::consumeError(cu.free(ptr));
  });
  for (const kiln::DeviceBuffer &buffer : f.buffers) {
    llvm::Expected<kiln::cuda::DevicePtr> ptr = cu.alloc(buffer.bytes);
    if (!ptr)
      return ptr.takeError();
    device.push_back(*ptr);
    llvm::Error e =
        buffer.role == kiln::DeviceBuffer::Role::Input
            ? cu.upload(*ptr, inputs[buffer.index].bytes.data(), buffer.bytes)
            : cu.fill(*ptr, 0xFF, buffer.bytes);
    if (e)
      return e;
  }

  for (const kiln::KernelLaunch &launch : f.launches) {
    if (launch.gemm) {
      const kiln::KernelOperand &a = launch.operands[0],
                                &b = launch.operands[1],
                                &c = launch.operands[2];
      for (const kiln::KernelOperand *operand : {&a, &b, &c})
        if (operand->strides[1] != 1)
          return llvm::createStringError("a GEMM operand is not row-major");
      auto at = [&](const kiln::KernelOperand &operand) {
        return device[operand.buffer] + 4 * operand.offset;
      };
      int64_t k = launch.transposeA ? a.sizes[0] : a.sizes[1];
      if (llvm::Error e =
              cu.gemm(launch.transposeA, launch.transposeB, launch.accumulate,
                      c.sizes[0], c.sizes[1], k, at(a), a.strides[0], at(b),
                      b.strides[0], at(c), c.strides[0]))
        return e;
      continue;
    }
    const std::string *ptx = gpu.ptx(launch.module, cu.chip());
    if (!ptx)
      return llvm::createStringError("no PTX for " + launch.module);
    llvm::Expected<kiln::cuda::Module> module = cu.loadModule(*ptx);
    if (!module)
      return module.takeError();
    llvm::Expected<kiln::cuda::Function> kernel =
        cu.function(*module, launch.kernel);
    if (!kernel)
      return kernel.takeError();
    // Each memref operand expands to its descriptor's fields: allocated and
    // aligned pointer, offset, sizes, strides.
    std::vector<uint64_t> words;
    for (const kiln::KernelOperand &operand : launch.operands) {
      if (operand.kind == kiln::KernelOperand::Kind::Scalar) {
        words.push_back(operand.bits);
        continue;
      }
      words.push_back(device[operand.buffer]);
      words.push_back(device[operand.buffer]);
      words.push_back(operand.offset);
      words.insert(words.end(), operand.sizes.begin(), operand.sizes.end());
      words.insert(words.end(), operand.strides.begin(), operand.strides.end());
    }
    // Every parameter is 8 bytes wide except narrower scalars, whose low
    // bytes a little-endian word already holds.
    std::vector<void *> params;
    for (uint64_t &word : words)
      params.push_back(&word);
    if (llvm::Error e =
            cu.launch(*kernel, launch.grid.data(), launch.block.data(), params))
      return e;
  }
  if (llvm::Error e = cu.synchronize())
    return e;

  for (const kiln::DeviceBuffer &buffer : f.buffers)
    if (buffer.role == kiln::DeviceBuffer::Role::Result)
      if (llvm::Error e =
              cu.download(results[buffer.index].bytes.data(),
                          device[&buffer - f.buffers.data()], buffer.bytes))
        return e;
  return llvm::Error::success();
}

/// max |gpu - cpu| / max |cpu|; infinite if either holds a NaN.
double relativeError(HostTensor &gpu, HostTensor &cpu) {
  double largest = 0, error = 0;
  for (int64_t i = 0; i < cpu.type.getNumElements(); ++i) {
    double g = gpu.floats()[i], c = cpu.floats()[i];
    if (std::isnan(g) || std::isnan(c))
      return INFINITY;
    largest = std::max(largest, std::fabs(c));
    error = std::max(error, std::fabs(g - c));
  }
  return error / std::max(largest, 1e-30);
}

class GPUTest : public ::testing::TestWithParam<Case> {};

/// Both compilations of one case; neither needs a GPU.
struct Compiled {
  MLIRContext context;
  OwningOpRef<ModuleOp> gpuModule, cpuModule;
  std::optional<kiln::GPUModule> gpu;
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
}

// Every machine checks that each case compiles for the GPU (PTX for sm_80
// and sm_90, launch list) and for the CPU.
TEST_P(GPUTest, Compiles) {
  Compiled compiled;
  compileCase(GetParam(), compiled);
}

TEST_P(GPUTest, MatchesCPU) {
  const Case &c = GetParam();
  Compiled compiled;
  compileCase(c, compiled);
  if (HasFatalFailure())
    return;
  llvm::Expected<kiln::cuda::Driver &> cu = kiln::cuda::Driver::get();
  if (!cu)
    GTEST_SKIP() << "no usable CUDA device: " << llvm::toString(cu.takeError());
  const kiln::GPUModule *gpu = &*compiled.gpu;
  const kiln::GPUFunction *f = compiled.function;
  kiln::JitModule *jit = compiled.jit.get();

  unsigned seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<HostTensor> inputs, cpuResults, gpuResults;
  for (RankedTensorType type : f->inputs)
    inputs.push_back(randomTensor(type, c, rng));
  for (RankedTensorType type : f->results) {
    ASSERT_TRUE(type.getElementType().isF32()) << "results must be f32";
    cpuResults.push_back(poisoned(type));
    gpuResults.push_back(poisoned(type));
  }

  std::vector<kiln::TensorRef> inputRefs, resultRefs;
  for (HostTensor &t : inputs)
    inputRefs.push_back(t.ref());
  for (HostTensor &t : cpuResults)
    resultRefs.push_back(t.ref());
  llvm::Error cpuRun = jit->call("main", inputRefs, resultRefs);
  ASSERT_FALSE(!!cpuRun) << llvm::toString(std::move(cpuRun));
  llvm::Error gpuRun = runOnGPU(*cu, *gpu, *f, inputs, gpuResults);
  ASSERT_FALSE(!!gpuRun) << llvm::toString(std::move(gpuRun));

  double worst = 0;
  for (size_t i = 0; i < cpuResults.size(); ++i) {
    double error = relativeError(gpuResults[i], cpuResults[i]);
    EXPECT_LE(error, kTolerance) << "result " << i;
    worst = std::max(worst, error);
  }
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
  };
}

std::string caseName(const ::testing::TestParamInfo<Case> &info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Functions, GPUTest, ::testing::ValuesIn(cases()),
                         caseName);

} // namespace
