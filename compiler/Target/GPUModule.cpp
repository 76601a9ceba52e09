//===- GPUModule.cpp - Kernels and launch lists of a graph module ---------===//

#include "compiler/Target/GPUModule.h"
#include "compiler/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;

namespace kiln {

namespace {
llvm::Error unsupported(Operation *op, const llvm::Twine &why) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << why << ": ";
  op->print(os, OpPrintingFlags().skipRegions());
  return llvm::createStringError(text);
}

int64_t bytesOf(MemRefType type) {
  return type.getNumElements() *
         llvm::divideCeil(type.getElementTypeBitWidth(), 8);
}

/// Whether the kernel reads and writes the memory behind `memref`, following
/// views of it.
void collectAccess(Value memref, bool &reads, bool &writes) {
  for (OpOperand &use : memref.getUses()) {
    Operation *user = use.getOwner();
    auto view = dyn_cast<ViewLikeOpInterface>(user);
    if (view && view.getViewSource() == memref) {
      for (Value result : user->getResults())
        collectAccess(result, reads, writes);
      continue;
    }
    auto effects = dyn_cast<MemoryEffectOpInterface>(user);
    if (!effects) {
      reads = writes = true;
      continue;
    }
    SmallVector<MemoryEffects::EffectInstance> instances;
    effects.getEffectsOnValue(memref, instances);
    for (const MemoryEffects::EffectInstance &e : instances) {
      reads |= isa<MemoryEffects::Read>(e.getEffect());
      writes |= isa<MemoryEffects::Write>(e.getEffect());
    }
  }
}

llvm::Expected<KernelOperand> bufferOperand(Value value, unsigned buffer,
                                            BlockArgument kernelArg,
                                            Operation *launch) {
  auto type = cast<MemRefType>(value.getType());
  KernelOperand operand{KernelOperand::Kind::Buffer};
  operand.buffer = buffer;
  SmallVector<int64_t> strides;
  if (failed(type.getStridesAndOffset(strides, operand.offset)) ||
      !type.hasStaticShape() || ShapedType::isDynamic(operand.offset) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return unsupported(launch, "a kernel operand has a dynamic layout");
  operand.sizes.assign(type.getShape().begin(), type.getShape().end());
  operand.strides.assign(strides.begin(), strides.end());
  operand.elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  collectAccess(kernelArg, operand.reads, operand.writes);
  return operand;
}

llvm::Expected<KernelOperand> scalarOperand(Value value, Operation *launch) {
  KernelOperand operand{KernelOperand::Kind::Scalar};
  Attribute constant;
  if (!matchPattern(value, m_Constant(&constant)))
    return unsupported(launch, "a scalar kernel operand is not a constant");
  if (auto integer = dyn_cast<IntegerAttr>(constant)) {
    operand.bits = integer.getValue().getZExtValue();
    operand.bytes = operand.elementBytes =
        integer.getType().isIndex()
            ? 8
            : llvm::divideCeil(integer.getType().getIntOrFloatBitWidth(), 8);
  } else if (auto real = dyn_cast<FloatAttr>(constant)) {
    operand.bits = real.getValue().bitcastToAPInt().getZExtValue();
    operand.bytes = operand.elementBytes =
        real.getType().getIntOrFloatBitWidth() / 8;
  } else {
    return unsupported(launch, "a scalar kernel operand is not a number");
  }
  return operand;
}

/// The bytes of a dense constant as a kernel reads them: elements of
/// whole bytes, an i1 in one byte.
llvm::Error constantBytes(DenseElementsAttr value, DeviceBuffer &buffer) {
  Type element = value.getElementType();
  unsigned width = llvm::divideCeil(element.getIntOrFloatBitWidth(), 8);
  int64_t count = value.getNumElements();
  buffer.contents.resize(count * width);
  char *out = buffer.contents.data();
  if (element.isInteger(1)) {
    for (auto [i, bit] : llvm::enumerate(value.getValues<bool>()))
      out[i] = bit;
    return llvm::Error::success();
  }
  if (element.getIntOrFloatBitWidth() % 8 != 0)
    return llvm::createStringError("a constant of sub-byte elements");
  ArrayRef<char> raw = value.getRawData();
  for (int64_t i = 0; i < count; ++i)
    std::memcpy(out + i * width, raw.data() + (value.isSplat() ? 0 : i * width),
                width);
  return llvm::Error::success();
}

/// A call of kiln_gpu_gemm(A, B, C, transpose_a, transpose_b, accumulate)
/// or kiln_gpu_gemm_batched (the same on rank-4 views) as a launch-list
/// step.
llvm::Expected<KernelLaunch>
gemmStep(func::CallOp call, const DenseMap<Value, unsigned> &bufferOf,
         const DenseMap<Value, Value> &staticView) {
  KernelLaunch step;
  step.gemm = true;
  for (unsigned i = 0; i < 3; ++i) {
    Value view = staticView.lookup(call.getOperand(i));
    if (!view || !bufferOf.count(view))
      return unsupported(call, "a GEMM operand is not a known buffer view");
    auto type = cast<MemRefType>(view.getType());
    KernelOperand operand{KernelOperand::Kind::Buffer};
    operand.buffer = bufferOf.lookup(view);
    SmallVector<int64_t> strides;
    if (failed(type.getStridesAndOffset(strides, operand.offset)) ||
        !type.hasStaticShape() || ShapedType::isDynamic(operand.offset) ||
        llvm::any_of(strides, ShapedType::isDynamic))
      return unsupported(call, "a GEMM operand has a dynamic layout");
    operand.sizes.assign(type.getShape().begin(), type.getShape().end());
    operand.strides.assign(strides.begin(), strides.end());
    operand.reads = i < 2;
    operand.writes = i == 2;
    step.operands.push_back(std::move(operand));
  }
  bool *flags[3] = {&step.transposeA, &step.transposeB, &step.accumulate};
  for (unsigned i = 0; i < 3; ++i) {
    std::optional<int64_t> flag = getConstantIntValue(call.getOperand(3 + i));
    if (!flag)
      return unsupported(call, "a GEMM flag is not a constant");
    *flags[i] = *flag != 0;
  }
  step.operands[2].reads = step.accumulate;
  return step;
}

/// Reads back the launch list of a public function after the kernel
/// pipeline: its first `numInputs` arguments are the inputs, the others the
/// results' out-parameters.
llvm::Error interpretHostFunction(func::FuncOp func, unsigned numInputs,
                                  GPUFunction &out) {
  DenseMap<Value, unsigned> bufferOf;
  // Casts to dynamic layouts (GEMM operands) -> the statically laid out view.
  DenseMap<Value, Value> staticView;
  unsigned temporaries = 0, constants = 0;
  auto addBuffer = [&](Value value, DeviceBuffer::Role role, unsigned index) {
    bufferOf[value] = out.buffers.size();
    out.buffers.push_back(
        {role, index, bytesOf(cast<MemRefType>(value.getType())), {}});
  };
  for (BlockArgument arg : func.getArguments()) {
    if (!isa<MemRefType>(arg.getType()))
      return unsupported(func, "a non-memref argument");
    bool input = arg.getArgNumber() < numInputs;
    addBuffer(arg,
              input ? DeviceBuffer::Role::Input : DeviceBuffer::Role::Result,
              input ? arg.getArgNumber() : arg.getArgNumber() - numInputs);
  }

  for (Operation &op : func.getBody().getOps()) {
    if (isa<func::ReturnOp>(op) || matchPattern(&op, m_Constant()))
      continue;
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      if (!alloc.getType().hasStaticShape())
        return unsupported(&op, "a dynamic allocation");
      addBuffer(alloc, DeviceBuffer::Role::Temporary, temporaries++);
      continue;
    }
    if (auto get = dyn_cast<memref::GetGlobalOp>(op)) {
      auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
          get, get.getNameAttr());
      auto value = global ? dyn_cast_or_null<DenseElementsAttr>(
                                global.getConstantInitValue())
                          : nullptr;
      if (!value)
        return unsupported(&op, "a global that is not a dense constant");
      addBuffer(get, DeviceBuffer::Role::Constant, constants++);
      if (llvm::Error e = constantBytes(value, out.buffers.back()))
        return e;
      continue;
    }
    if (auto cast = dyn_cast<memref::CastOp>(op)) {
      auto source = bufferOf.find(cast.getSource());
      if (source == bufferOf.end())
        return unsupported(&op, "a cast of an unknown buffer");
      bufferOf[cast.getResult()] = source->second;
      staticView[cast.getResult()] = cast.getSource();
      continue;
    }
    if (auto view = dyn_cast<ViewLikeOpInterface>(op)) {
      auto source = bufferOf.find(view.getViewSource());
      if (source == bufferOf.end())
        return unsupported(&op, "a view of an unknown buffer");
      for (Value result : op.getResults())
        bufferOf[result] = source->second;
      continue;
    }
    if (auto call = dyn_cast<func::CallOp>(op);
        call && (call.getCallee() == "kiln_gpu_gemm" ||
                 call.getCallee() == "kiln_gpu_gemm_batched")) {
      llvm::Expected<KernelLaunch> gemm = gemmStep(call, bufferOf, staticView);
      if (!gemm)
        return gemm.takeError();
      out.launches.push_back(std::move(*gemm));
      continue;
    }
    auto launch = dyn_cast<gpu::LaunchFuncOp>(op);
    if (!launch)
      return unsupported(&op, "the host side is not straight-line launches");
    auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
        launch, launch.getKernel());
    if (!kernel)
      return unsupported(&op, "the kernel is missing");

    KernelLaunch record;
    record.module = launch.getKernelModuleName().str();
    record.kernel = launch.getKernelName().str();
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    Value sizes[6] = {grid.x, grid.y, grid.z, block.x, block.y, block.z};
    for (unsigned i = 0; i < 6; ++i) {
      std::optional<int64_t> size = getConstantIntValue(sizes[i]);
      if (!size)
        return unsupported(&op, "a launch size is not a constant");
      (i < 3 ? record.grid[i] : record.block[i - 3]) = *size;
    }
    for (auto [i, value] : llvm::enumerate(launch.getKernelOperands())) {
      llvm::Expected<KernelOperand> operand =
          isa<MemRefType>(value.getType())
              ? (bufferOf.count(value)
                     ? bufferOperand(value, bufferOf.lookup(value),
                                     kernel.getArgument(i), &op)
                     : unsupported(&op, "an operand is an unknown buffer"))
              : scalarOperand(value, &op);
      if (!operand)
        return operand.takeError();
      record.operands.push_back(std::move(*operand));
    }
    out.launches.push_back(std::move(record));
  }
  return llvm::Error::success();
}

const char *roleName(DeviceBuffer::Role role) {
  switch (role) {
  case DeviceBuffer::Role::Input:
    return "input";
  case DeviceBuffer::Role::Result:
    return "result";
  case DeviceBuffer::Role::Temporary:
    return "temporary";
  case DeviceBuffer::Role::Constant:
    return "constant";
  }
  llvm_unreachable("unknown buffer role");
}
} // namespace

llvm::Expected<GPUModule> GPUModule::compile(ModuleOp module) {
  GPUModule result;
  SmallVector<func::FuncOp> publicFuncs;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    GPUFunction &f = result.functions[func.getName()];
    result.functionOrder.push_back(func.getName().str());
    for (Type t : func.getArgumentTypes())
      if (auto r = dyn_cast<RankedTensorType>(t))
        f.inputs.push_back(r);
    for (auto [i, t] : llvm::enumerate(func.getResultTypes()))
      if (auto r = dyn_cast<RankedTensorType>(t);
          r && !func.getResultAttr(i, "kiln.updates"))
        f.results.push_back(r);
  }

  PassManager kernels(module.getContext());
  buildGPUKernelPipeline(kernels);
  if (failed(kernels.run(module)))
    return llvm::createStringError("the GPU kernel pipeline failed");
  for (const std::string &name : result.functionOrder) {
    auto func = module.lookupSymbol<func::FuncOp>(name);
    GPUFunction &f = result.functions[name];
    if (llvm::Error error = interpretHostFunction(func, f.inputs.size(), f))
      return std::move(error);
  }

  PassManager toPTX(module.getContext());
  buildGPUToPTXPipeline(toPTX);
  if (failed(toPTX.run(module)))
    return llvm::createStringError("serializing the kernels to PTX failed");
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute attr : binary.getObjects()) {
      auto object = cast<gpu::ObjectAttr>(attr);
      auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget());
      if (!target || object.getFormat() != gpu::CompilationTarget::Assembly)
        return llvm::createStringError("expected PTX for an NVVM target");
      result.ptxByModule[binary.getName()][target.getChip()] =
          object.getObject().getValue().str();
    }
  return result;
}

const GPUFunction *GPUModule::function(llvm::StringRef name) const {
  auto it = functions.find(name);
  return it == functions.end() ? nullptr : &it->second;
}

const std::string *GPUModule::ptx(llvm::StringRef module,
                                  llvm::StringRef chip) const {
  auto byChip = ptxByModule.find(module);
  if (byChip == ptxByModule.end())
    return nullptr;
  auto it = byChip->second.find(chip);
  return it == byChip->second.end() ? nullptr : &it->second;
}

llvm::Error GPUModule::writePTX(llvm::StringRef dir,
                                llvm::StringRef prefix) const {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError(ec, "cannot create " + dir);
  for (const auto &module : ptxByModule)
    for (const auto &chip : module.second) {
      llvm::SmallString<128> path(dir);
      llvm::sys::path::append(path, (prefix.empty() ? "" : prefix + ".") +
                                        module.first() + "." + chip.first() +
                                        ".ptx");
      std::error_code ec;
      llvm::raw_fd_ostream os(path, ec);
      if (ec)
        return llvm::createStringError(ec, "cannot write " + path);
      os << chip.second;
    }
  return llvm::Error::success();
}

void GPUModule::print(llvm::raw_ostream &os) const {
  auto list = [&](llvm::ArrayRef<int64_t> values) {
    os << "[";
    llvm::interleaveComma(values, os);
    os << "]";
  };
  for (const std::string &name : functionOrder) {
    const GPUFunction &f = functions.find(name)->second;
    os << "func @" << name << "\n";
    for (auto [i, buffer] : llvm::enumerate(f.buffers))
      os << "  buffer " << i << ": " << roleName(buffer.role) << " "
         << buffer.index << ", " << buffer.bytes << " bytes\n";
    for (const KernelLaunch &launch : f.launches) {
      if (launch.gemm) {
        os << "  gemm" << (launch.transposeA ? " transpose_a" : "")
           << (launch.transposeB ? " transpose_b" : "")
           << (launch.accumulate ? " accumulate" : "") << "\n";
      } else {
        os << "  launch @" << launch.module << "::@" << launch.kernel
           << " grid ";
        list(launch.grid);
        os << " block ";
        list(launch.block);
        os << "\n";
      }
      for (const KernelOperand &operand : launch.operands) {
        if (operand.kind == KernelOperand::Kind::Scalar) {
          os << "    scalar " << operand.bits << " (" << operand.bytes
             << " bytes)\n";
          continue;
        }
        os << "    buffer " << operand.buffer << " sizes ";
        list(operand.sizes);
        os << " strides ";
        list(operand.strides);
        os << " offset " << operand.offset << ":"
           << (operand.reads ? " reads" : "")
           << (operand.writes ? " writes" : "") << "\n";
      }
    }
  }
}

} // namespace kiln
