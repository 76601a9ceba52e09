// The GPU executor's checks that need no GPU: kernel bundles are verified
// before anything runs (every index, view and size in bounds), and without
// a driver the executor says why it cannot start. Running bundles on a GPU
// is test/gpu's.
#include "cuda/executor.h"

#include "kernels_generated.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

namespace fb = flatbuffers;
namespace bundle = kiln::bundle;
using ::testing::HasSubstr;

/// A bundle of one function: `buffers` of the given sizes (the first
/// `arguments` the caller's), one step with `operands`.
struct Spec {
  std::vector<int64_t> buffers = {64, 64};
  uint32_t arguments = 2;
  bundle::StepKind kind = bundle::StepKind::Kernel;
  struct View {
    uint32_t buffer;
    int64_t offset;
    std::vector<int64_t> sizes, strides;
    uint8_t elementBytes = 4;
  };
  std::vector<View> operands = {{0, 0, {16}, {1}}, {1, 0, {4, 4}, {4, 1}}};
  uint32_t module = 0;
  std::vector<uint32_t> grid = {1, 1, 1};
  int64_t constantBytes = -1; ///< >= 0: buffer 1 is a constant this long
};

std::vector<uint8_t> build(const Spec &spec) {
  fb::FlatBufferBuilder fbb;
  std::vector<fb::Offset<bundle::Buffer>> buffers;
  for (size_t b = 0; b < spec.buffers.size(); ++b) {
    bool constant = b == 1 && spec.constantBytes >= 0;
    std::vector<uint8_t> contents(constant ? spec.constantBytes : 0);
    buffers.push_back(bundle::CreateBuffer(
        fbb,
        constant             ? bundle::BufferRole::Constant
        : b < spec.arguments ? bundle::BufferRole::Argument
                             : bundle::BufferRole::Temporary,
        spec.buffers[b], fbb.CreateVector(contents)));
  }
  std::vector<fb::Offset<bundle::Operand>> operands;
  for (const Spec::View &view : spec.operands)
    operands.push_back(
        bundle::CreateOperand(fbb, false, view.buffer, view.elementBytes,
                              view.offset, fbb.CreateVector(view.sizes),
                              fbb.CreateVector(view.strides), true, true));
  std::vector<uint32_t> block = {32, 1, 1};
  auto step =
      bundle::CreateStep(fbb, spec.kind, spec.module, fbb.CreateString("k"),
                         fbb.CreateVector(spec.grid), fbb.CreateVector(block),
                         fbb.CreateVector(operands));
  std::vector<fb::Offset<bundle::Step>> steps = {step};
  auto function = bundle::CreateFunction(
      fbb, fbb.CreateString("f"), spec.arguments, fbb.CreateVector(buffers),
      fbb.CreateVector(steps));
  std::vector<fb::Offset<fb::String>> chips = {fbb.CreateString("sm_90")};
  std::vector<fb::Offset<fb::String>> ptx = {fbb.CreateString("// ptx")};
  auto module =
      bundle::CreateModule(fbb, fbb.CreateString("m"), fbb.CreateVector(chips),
                           fbb.CreateVector(ptx));
  std::vector<fb::Offset<bundle::Function>> functions = {function};
  std::vector<fb::Offset<bundle::Module>> modules = {module};
  bundle::FinishBundleBuffer(
      fbb, bundle::CreateBundle(fbb, fbb.CreateVector(functions),
                                fbb.CreateVector(modules)));
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

std::string verify(const Spec &spec) {
  std::vector<uint8_t> bytes = build(spec);
  std::string error;
  bool ok = kiln::cuda::verifyBundle(bytes.data(), bytes.size(), error);
  EXPECT_EQ(ok, error.empty());
  return ok ? "ok" : error;
}

TEST(KernelBundle, AWellFormedBundleVerifies) { EXPECT_EQ(verify({}), "ok"); }

TEST(KernelBundle, GarbageAndTruncationAreRejected) {
  std::string error;
  std::vector<uint8_t> garbage(256, 0xAB);
  EXPECT_FALSE(kiln::cuda::verifyBundle(garbage.data(), garbage.size(), error));
  EXPECT_THAT(error, HasSubstr("not a well-formed kernel bundle"));
  std::vector<uint8_t> bytes = build({});
  for (size_t size : {size_t(0), size_t(4), bytes.size() / 2}) {
    error.clear();
    EXPECT_FALSE(kiln::cuda::verifyBundle(bytes.data(), size, error)) << size;
    EXPECT_FALSE(error.empty());
  }
}

TEST(KernelBundle, ViewsMustStayInsideTheirBuffer) {
  Spec spec;
  spec.operands[1].sizes = {4, 5}; // 20 floats in a 64-byte buffer
  EXPECT_THAT(verify(spec), HasSubstr("out of bounds"));
  spec = {};
  spec.operands[0].offset = 1; // 16 floats from offset 1: one too many
  EXPECT_THAT(verify(spec), HasSubstr("out of bounds"));
  spec = {};
  spec.operands[0].buffer = 7;
  EXPECT_THAT(verify(spec), HasSubstr("out of bounds"));
  spec = {};
  spec.operands[0].strides = {1, 1}; // rank mismatch
  EXPECT_THAT(verify(spec), HasSubstr("out of bounds"));
  spec = {};
  spec.operands[0].elementBytes = 3;
  EXPECT_THAT(verify(spec), HasSubstr("out of bounds"));
}

TEST(KernelBundle, LaunchesNameAModuleAndThreeDimensions) {
  Spec spec;
  spec.module = 1;
  EXPECT_THAT(verify(spec), HasSubstr("launch is malformed"));
  spec = {};
  spec.grid = {1, 1};
  EXPECT_THAT(verify(spec), HasSubstr("launch is malformed"));
}

TEST(KernelBundle, GemmOperandsAreRowMajorMatricesOrBatches) {
  Spec spec;
  spec.kind = bundle::StepKind::Gemm;
  spec.buffers = {64, 64, 64};
  spec.arguments = 3;
  spec.operands = {
      {0, 0, {4, 4}, {4, 1}}, {1, 0, {4, 4}, {4, 1}}, {2, 0, {4, 4}, {4, 1}}};
  EXPECT_EQ(verify(spec), "ok");
  spec.operands[1].strides = {1, 4}; // column-major
  EXPECT_THAT(verify(spec), HasSubstr("not a row-major f32 matrix"));
  spec.operands[1] = {1, 0, {16}, {1}}; // rank 1
  EXPECT_THAT(verify(spec), HasSubstr("not a row-major f32 matrix"));
  spec.operands.pop_back();
  EXPECT_THAT(verify(spec), HasSubstr("three operands"));
}

TEST(KernelBundle, ConstantsHoldTheirBytesAfterTheArguments) {
  Spec spec;
  spec.arguments = 1;
  spec.constantBytes = 64;
  EXPECT_EQ(verify(spec), "ok");
  spec.constantBytes = 63;
  EXPECT_THAT(verify(spec), HasSubstr("buffer 1 is malformed"));
  spec.constantBytes = 64;
  spec.arguments = 2; // a constant among the caller's buffers
  EXPECT_THAT(verify(spec), HasSubstr("buffer 1 is malformed"));
}

TEST(Executor, WithoutADriverSaysWhy) {
  std::vector<uint8_t> bytes = build({});
  std::string error;
  std::unique_ptr<kiln::cuda::Executor> executor =
      kiln::cuda::Executor::create(bytes.data(), bytes.size(), error);
  if (executor)
    GTEST_SKIP() << "this machine has a GPU (" << executor->deviceName()
                 << "): test/gpu runs bundles on it";
  EXPECT_THAT(error, HasSubstr("libcuda.so.1"));
}

} // namespace
