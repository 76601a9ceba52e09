//===- AttentionToRuntime.cpp - Fused attention as runtime kernel calls ---===//
//
// f32 graph.attention and graph.attention_grad become calls of the runtime's
// fused kernels (kiln_attention_f32, kiln_attention_grad_f32): the operands'
// buffers are read in place (bufferization.to_buffer, read-only), the
// results are fresh buffers the kernel fills, seen as tensors again through
// bufferization.to_tensor. One-shot bufferization then sees plain buffers.
//
//===----------------------------------------------------------------------===//

#include "compiler/CPU/Passes.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_ATTENTIONTORUNTIME
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;
using namespace kiln;

namespace {

/// memref<?x...xf32, strided<[?, ...], offset: ?>> of `shape`'s rank, or of
/// `shape` itself when `keepShape`.
MemRefType anyLayout(MLIRContext *context, ArrayRef<int64_t> shape,
                     bool keepShape) {
  int64_t dynamic = ShapedType::kDynamic;
  SmallVector<int64_t> dims(shape.size(), dynamic);
  return MemRefType::get(keepShape ? shape : ArrayRef<int64_t>(dims),
                         Float32Type::get(context),
                         StridedLayoutAttr::get(context, dynamic, dims));
}

/// The kernel's declaration: views of any layout (rank 3, the mask rank 2),
/// then the head count and the scale.
func::FuncOp declareKernel(ModuleOp module, StringRef name, unsigned views) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  MLIRContext *context = module.getContext();
  SmallVector<Type> inputs;
  for (unsigned i = 0; i < views; ++i)
    inputs.push_back(anyLayout(context, SmallVector<int64_t>(i == 3 ? 2 : 3, 0),
                               /*keepShape=*/false));
  inputs.push_back(IntegerType::get(context, 64));
  inputs.push_back(Float32Type::get(context));
  OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
  auto kernel = func::FuncOp::create(builder, module.getLoc(), name,
                                     FunctionType::get(context, inputs, {}));
  kernel.setPrivate();
  kernel->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(context));
  return kernel;
}

/// Replaces `op` (operands: tensors it reads) by a call of `kernel` that
/// writes its results into fresh buffers.
void replaceWithCall(Operation *op, func::FuncOp kernel, int64_t heads,
                     double scale) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  MLIRContext *context = b.getContext();
  auto view = [&](Value buffer) {
    auto type = cast<MemRefType>(buffer.getType());
    return memref::CastOp::create(
        b, loc, anyLayout(context, type.getShape(), /*keepShape=*/false),
        buffer);
  };
  SmallVector<Value> args;
  for (Value operand : op->getOperands()) {
    auto type = cast<RankedTensorType>(operand.getType());
    Value buffer = bufferization::ToBufferOp::create(
        b, loc, anyLayout(context, type.getShape(), /*keepShape=*/true),
        operand, /*read_only=*/true);
    args.push_back(view(buffer));
  }
  SmallVector<Value> results;
  for (Value result : op->getResults()) {
    auto type = cast<RankedTensorType>(result.getType());
    Value buffer = memref::AllocOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()));
    args.push_back(view(buffer));
    results.push_back(buffer);
  }
  args.push_back(arith::ConstantIntOp::create(b, loc, heads, 64));
  args.push_back(arith::ConstantOp::create(b, loc, b.getF32FloatAttr(scale)));
  func::CallOp::create(b, loc, kernel, args);
  for (auto [result, buffer] : llvm::zip(op->getResults(), results))
    result.replaceAllUsesWith(bufferization::ToTensorOp::create(
        b, loc, result.getType(), buffer, /*restrict=*/true,
        /*writable=*/true));
  op->erase();
}

struct AttentionToRuntimePass
    : cpu::impl::AttentionToRuntimeBase<AttentionToRuntimePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<graph::AttentionOp, graph::AttentionGradOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      auto element =
          cast<RankedTensorType>(op->getOperand(0).getType()).getElementType();
      if (!element.isF32()) {
        op->emitOpError("has no CPU kernel for ")
            << element << "; expand it first (--kiln-lower-expand-attention)";
        return signalPassFailure();
      }
      if (auto forward = dyn_cast<graph::AttentionOp>(op))
        replaceWithCall(op, declareKernel(module, "kiln_attention_f32", 5),
                        forward.getHeads(),
                        forward.getScale().convertToDouble());
      else if (auto gradient = dyn_cast<graph::AttentionGradOp>(op))
        replaceWithCall(op, declareKernel(module, "kiln_attention_grad_f32", 8),
                        gradient.getHeads(),
                        gradient.getScale().convertToDouble());
    }
  }
};

} // namespace
