//===- Passes.td - Passes of the lowering phase ------------*- tablegen -*-===//
//
// The lowering phase takes the graph dialect to upstream dialects: linalg on
// tensors, plus tensor and arith ops. Both the CPU and GPU pipelines start
// from its output.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_LOWERING_PASSES
#define KILN_COMPILER_LOWERING_PASSES

include "mlir/Pass/PassBase.td"

def LowerGraphToLinalg : Pass<"kiln-lower-graph-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower graph ops to linalg on tensors";
  let description = [{
    Elementwise ops become all-parallel `linalg.generic` ops whose indexing
    maps express broadcasting, reductions become generics with reduction
    loops, matmuls become contraction generics, and composite ops (softmax,
    log_softmax, reduce_mean, losses) are first expanded into simpler graph
    ops. Shapes must be static. Scatter-adds are one scalar loop nest
    (which the GPU pipeline maps to threads), or with `vector-scatter` (the
    CPU's) an scf.forall over 16-feature chunks, each adding whole vector
    rows in row order, so the sums are the same.
  }];
  let options = [
    Option<"vectorScatter", "vector-scatter", "bool", /*default=*/"false",
           "Scatter-adds of rows as 16-wide vectors in parallel chunks of "
           "features (CPU)">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect"
  ];
}

def ExpandAttention : Pass<"kiln-lower-expand-attention"> {
  let summary = "Expand fused attention ops into matmuls and a softmax";
  let description = [{
    Rewrites `graph.attention` into split heads, `matmul`, scaling, the mask,
    `softmax` and a second `matmul`, and `graph.attention_grad` into the
    same weights and the four products of their gradient. Both pipelines
    keep f32 ones (`keep-f32`) for their fused kernels (the CPU runtime's,
    `kiln-gpu-attention-to-loops` on the GPU) and expand the others (f64).
  }];
  let options = [
    Option<"keepF32", "keep-f32", "bool", /*default=*/"false",
           "Leave f32 attention ops for the targets' fused kernels">,
  ];
}

def FuseElementwise : Pass<"kiln-lower-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg producers into their consumers";
  let description = [{
    Upstream elementwise fusion with one Kiln policy: a producer is fused only
    where it is computed once per consumer iteration (its indexing map in the
    consumer is a permutation), so a chain of elementwise ops and the
    reduction consuming it become one loop nest, while an activation feeding a
    matmul is never recomputed inside the contraction.
  }];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect"
  ];
}

#endif // KILN_COMPILER_LOWERING_PASSES
