//===- KernelBundle.cpp - GPU functions as a runtime kernel bundle --------===//

#include "compiler/Target/KernelBundle.h"

#include "kernels_generated.h"

namespace kiln {

namespace fb = flatbuffers;

KernelBundleBuilder::KernelBundleBuilder()
    : fbb(std::make_unique<fb::FlatBufferBuilder>()) {}
KernelBundleBuilder::~KernelBundleBuilder() = default;

unsigned KernelBundleBuilder::moduleIndex(const GPUModule &gpu,
                                          const std::string &module) {
  auto [it, inserted] =
      modules.try_emplace({&gpu, module}, unsigned(moduleOffsets.size()));
  if (!inserted)
    return it->second;
  std::vector<fb::Offset<fb::String>> chips, ptx;
  auto byChip = gpu.allPTX().find(module);
  if (byChip != gpu.allPTX().end())
    for (const auto &entry : byChip->second) {
      chips.push_back(fbb->CreateString(entry.first().str()));
      ptx.push_back(fbb->CreateString(entry.second));
    }
  moduleOffsets.push_back(bundle::CreateModule(*fbb, fbb->CreateString(module),
                                               fbb->CreateVector(chips),
                                               fbb->CreateVector(ptx))
                              .o);
  return it->second;
}

unsigned KernelBundleBuilder::add(const GPUModule &gpu, llvm::StringRef name,
                                  llvm::StringRef bundleName) {
  const GPUFunction &f = *gpu.function(name);
  std::vector<fb::Offset<bundle::Buffer>> buffers;
  unsigned arguments = 0;
  for (const DeviceBuffer &buffer : f.buffers) {
    bundle::BufferRole role = bundle::BufferRole::Argument;
    if (buffer.role == DeviceBuffer::Role::Temporary)
      role = bundle::BufferRole::Temporary;
    else if (buffer.role == DeviceBuffer::Role::Constant)
      role = bundle::BufferRole::Constant;
    arguments += role == bundle::BufferRole::Argument;
    auto contents = fbb->CreateVector(
        reinterpret_cast<const uint8_t *>(buffer.contents.data()),
        buffer.contents.size());
    buffers.push_back(bundle::CreateBuffer(*fbb, role, buffer.bytes, contents));
  }
  std::vector<fb::Offset<bundle::Step>> steps;
  for (const KernelLaunch &launch : f.launches) {
    std::vector<fb::Offset<bundle::Operand>> operands;
    for (const KernelOperand &operand : launch.operands) {
      bool scalar = operand.kind == KernelOperand::Kind::Scalar;
      operands.push_back(bundle::CreateOperand(
          *fbb, scalar, operand.buffer, uint8_t(operand.elementBytes),
          operand.offset, fbb->CreateVector(operand.sizes),
          fbb->CreateVector(operand.strides), operand.reads, operand.writes,
          operand.bits));
    }
    if (launch.gemm) {
      steps.push_back(bundle::CreateStep(
          *fbb, bundle::StepKind::Gemm, 0, 0, 0, 0, fbb->CreateVector(operands),
          launch.transposeA, launch.transposeB, launch.accumulate));
      continue;
    }
    std::vector<uint32_t> grid(launch.grid.begin(), launch.grid.end());
    std::vector<uint32_t> block(launch.block.begin(), launch.block.end());
    unsigned module = moduleIndex(gpu, launch.module);
    steps.push_back(bundle::CreateStep(
        *fbb, bundle::StepKind::Kernel, module,
        fbb->CreateString(launch.kernel), fbb->CreateVector(grid),
        fbb->CreateVector(block), fbb->CreateVector(operands)));
  }
  functionOffsets.push_back(
      bundle::CreateFunction(*fbb, fbb->CreateString(bundleName.str()),
                             arguments, fbb->CreateVector(buffers),
                             fbb->CreateVector(steps))
          .o);
  return functionOffsets.size() - 1;
}

std::string KernelBundleBuilder::finish() {
  std::vector<fb::Offset<bundle::Function>> functions;
  for (uint32_t offset : functionOffsets)
    functions.push_back(fb::Offset<bundle::Function>(offset));
  std::vector<fb::Offset<bundle::Module>> moduleList;
  for (uint32_t offset : moduleOffsets)
    moduleList.push_back(fb::Offset<bundle::Module>(offset));
  bundle::FinishBundleBuffer(
      *fbb, bundle::CreateBundle(*fbb, fbb->CreateVector(functions),
                                 fbb->CreateVector(moduleList)));
  return std::string(reinterpret_cast<const char *>(fbb->GetBufferPointer()),
                     fbb->GetSize());
}

} // namespace kiln
