//===- GraphOps.td - Kiln graph dialect operations ---------*- tablegen -*-===//
//
// Result types are inferred (InferTypeOpAdaptor) everywhere they can be, so
// the verifier checks every shape rule in one place: GraphShapes.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_GRAPH_OPS
#define KILN_GRAPH_OPS

include "dialects/Graph/IR/GraphDialect.td"
include "dialects/Graph/IR/GraphInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"

def Differentiable : DeclareOpInterfaceMethods<Graph_DifferentiableOpInterface>;
// Differentiable, with some operands that take no gradient by design.
def DifferentiableInSome : DeclareOpInterfaceMethods<
    Graph_DifferentiableOpInterface, ["isDifferentiableOperand"]>;

def Graph_FloatTensor : RankedTensorOf<[AnyFloat]>;
// Indices and labels: i1 is excluded, since a true read as a signed index
// would be -1.
def Graph_IndexTensor : RankedTensorOf<[I8, I16, I32, I64]>;
def Graph_BoolTensor : RankedTensorOf<[I1]>;
def Graph_Tensor : RankedTensorOf<[AnyFloat, AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

def Graph_ConstantOp : Graph_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "a constant tensor";
  let description = [{
    ```mlir
    %w = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Graph_CastOp : Graph_Op<"cast",
    [Pure, SameOperandsAndResultShape, Differentiable]> {
  let summary = "elementwise conversion of the element type";
  let description = [{
    Floats convert by rounding to nearest, integers to floats as signed values,
    floats to integers by truncation towards zero, `i1` to 0 or 1, and
    anything to `i1` as `x != 0`.
    ```mlir
    %f = graph.cast %labels : tensor<64xi32> to tensor<64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
}

//===----------------------------------------------------------------------===//
// Elementwise ops with NumPy broadcasting
//===----------------------------------------------------------------------===//

class Graph_BinaryOp<string mnemonic, string expr, Type operandType>
    : Graph_Op<mnemonic, [Pure, InferTypeOpAdaptor, Differentiable]> {
  let summary = "elementwise " # expr # " with NumPy broadcasting";
  let description = [{
    Operands broadcast as in NumPy: shapes align on the right, and a dimension
    of size 1 stretches to match the other operand.
    ```mlir
    %y = graph.}] # mnemonic # [{ %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs operandType:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Graph_AddOp : Graph_BinaryOp<"add", "lhs + rhs", Graph_Tensor>;
def Graph_SubOp : Graph_BinaryOp<"sub", "lhs - rhs", Graph_Tensor>;
def Graph_MulOp : Graph_BinaryOp<"mul", "lhs * rhs", Graph_Tensor>;
def Graph_DivOp : Graph_BinaryOp<"div", "lhs / rhs", Graph_Tensor>;
def Graph_MaxOp : Graph_BinaryOp<"max", "max(lhs, rhs)", Graph_Tensor>;
def Graph_MinOp : Graph_BinaryOp<"min", "min(lhs, rhs)", Graph_Tensor>;
def Graph_PowOp : Graph_BinaryOp<"pow", "lhs ^ rhs", Graph_FloatTensor>;

def Graph_CompareOp : Graph_Op<"compare", [Pure, InferTypeOpAdaptor]> {
  let summary = "elementwise comparison with NumPy broadcasting";
  let description = [{
    Yields an `i1` tensor. Float comparisons are ordered: any comparison with
    NaN is false except `ne`.
    ```mlir
    %m = graph.compare lt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins Graph_ComparePredicate:$predicate, Graph_Tensor:$lhs,
                   Graph_Tensor:$rhs);
  let results = (outs Graph_BoolTensor:$result);
  let assemblyFormat = "$predicate `,` $lhs `,` $rhs attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_SelectOp : Graph_Op<"select",
    [Pure, InferTypeOpAdaptor, DifferentiableInSome]> {
  let summary = "elementwise choice: condition ? on_true : on_false";
  let description = [{
    All three operands broadcast together.
    ```mlir
    %y = graph.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Graph_BoolTensor:$condition, Graph_Tensor:$on_true,
                   Graph_Tensor:$on_false);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$condition `,` $on_true `,` $on_false attr-dict `:` "
                       "functional-type(operands, results)";
}

class Graph_UnaryOp<string mnemonic, string expr, Type operandType>
    : Graph_Op<mnemonic, [Pure, SameOperandsAndResultType, Differentiable]> {
  let summary = "elementwise " # expr;
  let description = [{
    ```mlir
    %y = graph.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Graph_NegOp : Graph_UnaryOp<"neg", "-x", Graph_Tensor>;
def Graph_AbsOp : Graph_UnaryOp<"abs", "|x|", Graph_Tensor>;
def Graph_ExpOp : Graph_UnaryOp<"exp", "e^x", Graph_FloatTensor>;
def Graph_LogOp : Graph_UnaryOp<"log", "natural logarithm", Graph_FloatTensor>;
def Graph_Log1pOp : Graph_UnaryOp<"log1p",
    "log(1 + x), accurate for small x", Graph_FloatTensor>;
def Graph_SqrtOp : Graph_UnaryOp<"sqrt", "square root", Graph_FloatTensor>;
def Graph_RsqrtOp : Graph_UnaryOp<"rsqrt", "1 / sqrt(x)", Graph_FloatTensor>;
def Graph_TanhOp : Graph_UnaryOp<"tanh", "hyperbolic tangent", Graph_FloatTensor>;
def Graph_SigmoidOp
    : Graph_UnaryOp<"sigmoid", "logistic 1 / (1 + e^-x)", Graph_FloatTensor>;
def Graph_ReluOp : Graph_UnaryOp<"relu", "max(x, 0)", Graph_FloatTensor>;
def Graph_ErfOp : Graph_UnaryOp<"erf", "error function", Graph_FloatTensor>;
def Graph_GeluOp : Graph_UnaryOp<"gelu",
    "GELU x * Phi(x), with the exact error function", Graph_FloatTensor>;

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Graph_MatmulOp : Graph_Op<"matmul",
    [Pure, InferTypeOpAdaptor, Differentiable]> {
  let summary = "matrix product, batched over leading dimensions";
  let description = [{
    Operands have rank 2 or more; the last two dimensions multiply as matrices
    (`[M, K] x [K, N] -> [M, N]`) and leading batch dimensions broadcast as in
    NumPy. `transpose_lhs` / `transpose_rhs` swap an operand's last two
    dimensions first.
    ```mlir
    %y = graph.matmul %x, %w : (tensor<64x784xf32>, tensor<784x256xf32>) -> tensor<64x256xf32>
    %s = graph.matmul %q, %k {transpose_rhs} : (tensor<4x16x8xf32>, tensor<4x16x8xf32>) -> tensor<4x16x16xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$lhs, Graph_FloatTensor:$rhs,
                   UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Graph_AttentionOp : Graph_Op<"attention",
    [Pure, InferTypeOpAdaptor, DifferentiableInSome]> {
  let summary = "fused multi-head scaled dot-product attention";
  let description = [{
    With `query` [B, T, H*D], `key` and `value` [B, S, H*D] and an additive
    `mask` [T, S] (0 where a query may attend, -inf where not), each of the
    `heads` heads h (columns h*D to h*D + D - 1) computes
    `softmax(scale * q_h k_h^T + mask) v_h`, and the result [B, T, H*D]
    holds the heads side by side. In f32, the CPU runs it as one fused
    kernel and the GPU as one flash-style kernel
    (`--kiln-gpu-attention-to-loops`); neither materializes the
    [B, H, T, S] scores, and both skip keys masked with -inf. f64 is
    expanded into matmuls and a softmax (`--kiln-lower-expand-attention`). A row masked everywhere gives NaN. The
    mask takes no gradient.
    ```mlir
    %y = graph.attention %q, %k, %v, %mask {heads = 4 : i64, scale = 2.5e-01 : f64} : (tensor<32x64x64xf32>, tensor<32x64x64xf32>, tensor<32x64x64xf32>, tensor<64x64xf32>) -> tensor<32x64x64xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$query, Graph_FloatTensor:$key,
                   Graph_FloatTensor:$value, Graph_FloatTensor:$mask,
                   I64Attr:$heads, F64Attr:$scale);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$query `,` $key `,` $value `,` $mask attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_AttentionGradOp : Graph_Op<"attention_grad",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "gradients of graph.attention with respect to q, k and v";
  let description = [{
    Given the gradient `result_grad` of a `graph.attention` result with the
    same operands and attributes, the gradients with respect to its query,
    key and value. The attention weights are recomputed, not stored. Built by
    the attention's VJP rule; not itself differentiable.
    ```mlir
    %dq, %dk, %dv = graph.attention_grad %q, %k, %v, %mask, %dy {heads = 4 : i64, scale = 2.5e-01 : f64} : (tensor<32x64x64xf32>, tensor<32x64x64xf32>, tensor<32x64x64xf32>, tensor<64x64xf32>, tensor<32x64x64xf32>) -> (tensor<32x64x64xf32>, tensor<32x64x64xf32>, tensor<32x64x64xf32>)
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$query, Graph_FloatTensor:$key,
                   Graph_FloatTensor:$value, Graph_FloatTensor:$mask,
                   Graph_FloatTensor:$result_grad, I64Attr:$heads,
                   F64Attr:$scale);
  let results = (outs Graph_FloatTensor:$query_grad,
                 Graph_FloatTensor:$key_grad, Graph_FloatTensor:$value_grad);
  let assemblyFormat = "$query `,` $key `,` $value `,` $mask `,` $result_grad "
                       "attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

class Graph_ReduceOp<string mnemonic, string what, Type operandType>
    : Graph_Op<mnemonic, [Pure, InferTypeOpAdaptor, Differentiable]> {
  let summary = what # " over the given axes";
  let description = [{
    `axes` lists distinct dimensions (negative values count from the end);
    `keepdims` keeps them with size 1.
    ```mlir
    %s = graph.}] # mnemonic # [{ %x {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins operandType:$input, DenseI64ArrayAttr:$axes,
                   UnitAttr:$keepdims);
  let results = (outs operandType:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_ReduceSumOp : Graph_ReduceOp<"reduce_sum", "sum", Graph_Tensor>;
def Graph_ReduceMeanOp
    : Graph_ReduceOp<"reduce_mean", "arithmetic mean", Graph_FloatTensor>;
def Graph_ReduceMaxOp : Graph_ReduceOp<"reduce_max", "maximum", Graph_Tensor>;

class Graph_SoftmaxLikeOp<string mnemonic, string what>
    : Graph_Op<mnemonic, [Pure, SameOperandsAndResultType, Differentiable]> {
  let summary = what # " along one axis, computed stably";
  let description = [{
    Subtracts the maximum along `axis` (default: the last) before
    exponentiating, so large logits never overflow.
    ```mlir
    %p = graph.}] # mnemonic # [{ %logits {axis = 1 : i64} : tensor<64x10xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Graph_SoftmaxOp : Graph_SoftmaxLikeOp<"softmax", "softmax">;
def Graph_LogSoftmaxOp : Graph_SoftmaxLikeOp<"log_softmax", "log-softmax">;

class Graph_NormOp<string mnemonic, string what>
    : Graph_Op<mnemonic, [Pure, SameOperandsAndResultType, Differentiable]> {
  let summary = what # " along one axis";
  let description = [{
    Normalizes along `axis` (default: the last); a gain and a bias, when a
    model has them, are separate elementwise ops.
    ```mlir
    %y = graph.}] # mnemonic # [{ %x {epsilon = 1.0e-05 : f64} : tensor<32x64xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Graph_LayerNormOp
    : Graph_NormOp<"layer_norm", "(x - mean(x)) / sqrt(var(x) + epsilon)">;
def Graph_RmsNormOp
    : Graph_NormOp<"rms_norm", "x / sqrt(mean(x^2) + epsilon)">;

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_Op<"reshape", [Pure, Differentiable]> {
  let summary = "same elements in row-major order, new shape";
  let description = [{
    ```mlir
    %y = graph.reshape %x : (tensor<4x2x3xf32>) -> tensor<4x6xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_TransposeOp : Graph_Op<"transpose",
    [Pure, InferTypeOpAdaptor, Differentiable]> {
  let summary = "permutes dimensions: result dim i is input dim perm[i]";
  let description = [{
    ```mlir
    %y = graph.transpose %x {permutation = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_BroadcastToOp : Graph_Op<"broadcast_to", [Pure, Differentiable]> {
  let summary = "broadcasts to the result shape under NumPy rules";
  let description = [{
    ```mlir
    %y = graph.broadcast_to %b : (tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_SliceOp : Graph_Op<"slice",
    [Pure, InferTypeOpAdaptor, Differentiable]> {
  let summary = "strided window: input[starts:limits:strides] per dimension";
  let description = [{
    `limits` are exclusive; `strides` are positive.
    ```mlir
    %y = graph.slice %x {starts = array<i64: 0, 2>, limits = array<i64: 4, 8>, strides = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$limits, DenseI64ArrayAttr:$strides);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_ConcatOp : Graph_Op<"concat",
    [Pure, InferTypeOpAdaptor, Differentiable]> {
  let summary = "joins tensors along one axis";
  let description = [{
    ```mlir
    %y = graph.concat %a, %b {axis = 1 : i64} : (tensor<4x2xf32>, tensor<4x3xf32>) -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Variadic<Graph_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type(operands, results)";
}

def Graph_GatherOp : Graph_Op<"gather",
    [Pure, InferTypeOpAdaptor, DifferentiableInSome]> {
  let summary = "takes slices of `table` at `indices` along `axis`";
  let description = [{
    NumPy `take`: the result shape is `table.shape[:axis] + indices.shape +
    table.shape[axis+1:]`. With `axis = 0` this is an embedding lookup. An
    index outside `[0, table.shape[axis])` is clamped into range.
    ```mlir
    %e = graph.gather %table, %tokens : (tensor<64x32xf32>, tensor<8x16xi32>) -> tensor<8x16x32xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$table, Graph_IndexTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat =
      "$table `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Graph_OneHotOp : Graph_Op<"one_hot", [Pure]> {
  let summary = "one-hot encoding: appends a dimension of size `depth`";
  let description = [{
    `result[..., c] = (indices[...] == c) ? 1 : 0`; an index outside
    `[0, depth)` gives a row of zeros.
    ```mlir
    %t = graph.one_hot %labels {depth = 10 : i64} : (tensor<64xi32>) -> tensor<64x10xf32>
    ```
  }];
  let arguments = (ins Graph_IndexTensor:$indices, I64Attr:$depth);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat =
      "$indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_InsertSliceOp : Graph_Op<"insert_slice",
    [Pure, AllTypesMatch<["dest", "result"]>, Differentiable]> {
  let summary = "dest with a strided window replaced by source";
  let description = [{
    The inverse of `graph.slice`: the window starting at `starts` with
    `strides` and the shape of `source` is overwritten.
    ```mlir
    %y = graph.insert_slice %src into %dest {starts = array<i64: 0, 2>, strides = array<i64: 1, 2>} : tensor<4x3xf32> into tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$source, Graph_Tensor:$dest,
                   DenseI64ArrayAttr:$starts, DenseI64ArrayAttr:$strides);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$source `into` $dest attr-dict `:` type($source) "
                       "`into` type($dest)";
  let hasVerifier = 1;
}

def Graph_ScatterAddOp : Graph_Op<"scatter_add",
    [Pure, AllTypesMatch<["dest", "result"]>, DifferentiableInSome]> {
  let summary = "adds slices of `updates` into `dest` at `indices`";
  let description = [{
    The adjoint of `graph.gather` (NumPy `np.add.at`): for every position `p`
    of `indices`, `result[..., indices[p], ...] += updates[..., p, ...]`, with
    `updates` shaped like the gather of `dest` at `indices` along `axis`.
    Repeated indices accumulate, in index order, so the result is
    deterministic. Out-of-range indices are clamped, as in gather.
    ```mlir
    %t = graph.scatter_add %grads, %tokens into %table : (tensor<8x16x32xf32>, tensor<8x16xi32>) into tensor<64x32xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$updates, Graph_IndexTensor:$indices,
                   Graph_FloatTensor:$dest,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$updates `,` $indices `into` $dest attr-dict `:` "
                       "`(` type($updates) `,` type($indices) `)` `into` "
                       "type($dest)";
  let hasVerifier = 1;
}

def Graph_ArgmaxOp : Graph_Op<"argmax", [Pure]> {
  let summary = "index of the largest element along one axis";
  let description = [{
    The first index of the maximum along `axis` (default: the last), which is
    removed from the shape. Not differentiable.
    ```mlir
    %pred = graph.argmax %logits : (tensor<64x10xf32>) -> tensor<64xi32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Graph_IndexTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_CholeskySolveOp : Graph_Op<"cholesky_solve", [Pure]> {
  let summary = "X with A X = B for symmetric positive-definite A, batched";
  let description = [{
    Solves through the Cholesky factor of `matrix` [..., n, n] (only its
    lower triangle is read) for every column of `rhs` [..., n, m], the
    leading dimensions being a batch of independent systems. For the small
    systems of least-squares and ridge baselines: n is at most 16. A matrix
    that is not positive definite gives NaN. Not differentiable.
    ```mlir
    %w = graph.cholesky_solve %gram, %xty : (tensor<64x8x8xf64>, tensor<64x8x1xf64>) -> tensor<64x8x1xf64>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$matrix, Graph_FloatTensor:$rhs);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat =
      "$matrix `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Differentiation
//===----------------------------------------------------------------------===//

def Graph_DropoutOp : Graph_Op<"dropout",
    [Pure, AllTypesMatch<["input", "result"]>, DifferentiableInSome]> {
  let summary = "zeroes each element with probability `rate` during training";
  let description = [{
    With a `key` [seed, step] (a train step's), keeps element i (row-major)
    when word 0 of Philox4x32-10(key = seed, counter = i, stream = 2^63 +
    site * 2^32 + step mod 2^32) is at least `rate` * 2^32, scaling kept
    elements by 1 / (1 - rate), and zeroes the others: a mask that is a
    function of the seed, the step and the call site (`site`) alone, the
    same on every thread count and device, recomputed by the gradient (the
    op is linear in its input given the mask). Without a key (outside a
    train step: evaluation) it is the identity. The key takes no gradient.
    ```mlir
    %y = graph.dropout %x, %key {rate = 1.000000e-01 : f64, site = 0 : i64} : tensor<32x64xf32>, tensor<2xi64>
    %z = graph.dropout %x {rate = 1.000000e-01 : f64, site = 0 : i64} : tensor<32x64xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input,
                   Optional<TensorOf<[I64]>>:$key, F64Attr:$rate,
                   I64Attr:$site);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input (`,` $key^)? attr-dict `:` type($input) "
                       "(`,` type($key)^)?";
  let hasVerifier = 1;
}

def Graph_StopGradientOp : Graph_Op<"stop_gradient",
    [Pure, SameOperandsAndResultType, DifferentiableInSome]> {
  let summary = "identity whose gradient is zero";
  let description = [{
    ```mlir
    %target = graph.stop_gradient %q : tensor<64x4xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Graph_ValueAndGradOp : Graph_Op<"value_and_grad",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "calls a function and differentiates its first result";
  let description = [{
    Yields every result of `callee` applied to `operands`, followed by the
    gradient of its first result, a scalar float, with respect to each operand
    listed in `wrt`. `--kiln-autodiff-value-and-grad` replaces the op with the
    callee's body and its reverse-mode derivative.
    ```mlir
    %loss, %logits, %dw, %db = graph.value_and_grad @loss(%w, %b, %x, %y) {wrt = array<i64: 0, 1>}
        : (tensor<784x10xf32>, tensor<10xf32>, tensor<64x784xf32>, tensor<64xi32>)
        -> (tensor<f32>, tensor<64x10xf32>, tensor<784x10xf32>, tensor<10xf32>)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
                   Variadic<AnyRankedTensor>:$operands,
                   DenseI64ArrayAttr:$wrt);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = "$callee `(` $operands `)` attr-dict `:` "
                       "functional-type($operands, $results)";
}

//===----------------------------------------------------------------------===//
// Optimizers and schedules
//===----------------------------------------------------------------------===//

def Graph_Scalar : 0DTensorOf<[AnyFloat]>;

def Graph_SgdUpdateOp : Graph_Op<"sgd_update",
    [Pure, AllTypesMatch<["param", "grad", "velocity", "new_param",
                          "new_velocity"]>]> {
  let summary = "one SGD step with momentum, Nesterov and weight decay";
  let description = [{
    As PyTorch's `torch.optim.SGD` (no dampening):
    `g' = g + weight_decay * p`, `v' = momentum * v + g'`,
    `p' = p - lr * (nesterov ? g' + momentum * v' : v')`. With momentum 0 the
    velocity is unused and `p' = p - lr * g'`. Lowers to one loop over the
    parameter's elements.
    ```mlir
    %p2, %v2 = graph.sgd_update %p, %g, %v, %lr {momentum = 0.9 : f64, nesterov}
        : tensor<256x10xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$param, Graph_FloatTensor:$grad,
                   Graph_FloatTensor:$velocity, Graph_Scalar:$lr,
                   DefaultValuedAttr<F64Attr, "0.0">:$momentum,
                   UnitAttr:$nesterov,
                   DefaultValuedAttr<F64Attr, "0.0">:$weight_decay);
  let results = (outs Graph_FloatTensor:$new_param,
                      Graph_FloatTensor:$new_velocity);
  let assemblyFormat = "$param `,` $grad `,` $velocity `,` $lr attr-dict `:` "
                       "type($param) `,` type($lr)";
  let hasVerifier = 1;
}

def Graph_AdamUpdateOp : Graph_Op<"adam_update",
    [Pure, AllTypesMatch<["param", "grad", "m", "v", "new_param", "new_m",
                          "new_v"]>, AllTypesMatch<["lr", "step"]>]> {
  let summary = "one Adam or AdamW step with bias correction";
  let description = [{
    `step` counts from 1. As PyTorch's `torch.optim.Adam`:
    `m' = b1 m + (1 - b1) g`, `v' = b2 v + (1 - b2) g^2`,
    `p' = p - lr * (m' / (1 - b1^t)) / (sqrt(v' / (1 - b2^t)) + eps)`.
    `weight_decay` adds `wd * p` to the gradient, or with `decoupled`
    (AdamW) multiplies `p` by `1 - lr * wd` first. Lowers to one loop over the
    parameter's elements that reads each tensor once.
    ```mlir
    %p2, %m2, %v2 = graph.adam_update %p, %g, %m, %v, %lr, %t {weight_decay = 0.01 : f64, decoupled}
        : tensor<256x10xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$param, Graph_FloatTensor:$grad,
                   Graph_FloatTensor:$m, Graph_FloatTensor:$v,
                   Graph_Scalar:$lr, Graph_Scalar:$step,
                   DefaultValuedAttr<F64Attr, "0.9">:$beta1,
                   DefaultValuedAttr<F64Attr, "0.999">:$beta2,
                   DefaultValuedAttr<F64Attr, "1e-8">:$epsilon,
                   DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                   UnitAttr:$decoupled);
  let results = (outs Graph_FloatTensor:$new_param, Graph_FloatTensor:$new_m,
                      Graph_FloatTensor:$new_v);
  let assemblyFormat = "$param `,` $grad `,` $m `,` $v `,` $lr `,` $step "
                       "attr-dict `:` type($param) `,` type($lr)";
  let hasVerifier = 1;
}

def Graph_ClipByGlobalNormOp : Graph_Op<"clip_by_global_norm",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "scales gradients so that their joint L2 norm is at most max_norm";
  let description = [{
    `norm = sqrt(sum_i |g_i|^2)`; every gradient is multiplied by
    `min(1, max_norm / (norm + 1e-6))`, as `torch.nn.utils.clip_grad_norm_`.
    Also yields the norm before clipping, for logging.
    ```mlir
    %c:3 = graph.clip_by_global_norm %g0, %g1 {max_norm = 1.0 : f64}
        : tensor<784x256xf32>, tensor<256xf32>
    ```
  }];
  let arguments = (ins Variadic<Graph_FloatTensor>:$grads, F64Attr:$max_norm);
  let results = (outs Variadic<Graph_FloatTensor>:$clipped,
                      Graph_Scalar:$norm);
  let assemblyFormat = "$grads attr-dict `:` type($grads)";
  let hasVerifier = 1;
}

def Graph_LrScheduleOp : Graph_Op<"lr_schedule",
    [Pure, AllTypesMatch<["step", "lr"]>]> {
  let summary = "learning rate at a step, from a schedule";
  let description = [{
    `step` counts from 0 (a float scalar, exact up to 2^24 steps in f32).
    Every kind first warms up linearly from 0 over
    `warmup_steps` steps (`lr = base_lr * (step + 1) / warmup_steps`); then,
    with `t = step - warmup_steps`:
    - `constant`: `base_lr`.
    - `cosine`: from `base_lr` down to `final_lr` over `decay_steps` along half
      a cosine, `final_lr` afterwards; with `cycle_steps` > 0 it restarts
      every `cycle_steps` steps (SGDR, no warm restarts of the warmup).
    - `step`: `base_lr * gamma ^ floor(t / step_size)`.
    - `inverse_sqrt`: `base_lr * sqrt(max(warmup_steps, 1) / (step + 1))`.
    - `infinite` (Beyond Cosine Decay, Singh et al.): a cosine cooldown from
      `base_lr` to `constant_lr` over `cooldown_steps`, then `constant_lr`;
      from `anneal_start` (if > 0) an exponential anneal reaching `final_lr`
      after `anneal_steps`.
    ```mlir
    %lr = graph.lr_schedule cosine %step {base_lr = 1.0e-3 : f64, warmup_steps = 100 : i64, decay_steps = 900 : i64} : tensor<f32>
    ```
  }];
  let arguments = (ins Graph_ScheduleKind:$kind, Graph_Scalar:$step,
                   F64Attr:$base_lr,
                   DefaultValuedAttr<I64Attr, "0">:$warmup_steps,
                   DefaultValuedAttr<F64Attr, "0.0">:$final_lr,
                   DefaultValuedAttr<I64Attr, "0">:$decay_steps,
                   DefaultValuedAttr<I64Attr, "0">:$cycle_steps,
                   DefaultValuedAttr<I64Attr, "0">:$step_size,
                   DefaultValuedAttr<F64Attr, "0.1">:$gamma,
                   DefaultValuedAttr<F64Attr, "0.0">:$constant_lr,
                   DefaultValuedAttr<I64Attr, "0">:$cooldown_steps,
                   DefaultValuedAttr<I64Attr, "0">:$anneal_start,
                   DefaultValuedAttr<I64Attr, "0">:$anneal_steps);
  let results = (outs Graph_Scalar:$lr);
  let assemblyFormat = "$kind $step attr-dict `:` type($step)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Graph_SoftmaxCrossEntropyOp : Graph_Op<"softmax_cross_entropy",
    [Pure, InferTypeOpAdaptor, DifferentiableInSome]> {
  let summary = "cross-entropy of softmax(logits) against class indices";
  let description = [{
    `logits` is `[..., C]`, `labels` holds class indices of shape `[...]`.
    Per example the loss is `logsumexp(logits) - logits[label]`, or with
    `label_smoothing` e the cross-entropy against the target
    `(1 - e) * onehot(label) + e / C`. A label outside `[0, C)` (say -1)
    masks its position: it has loss 0, no gradient, and does not count in the
    mean. `reduction` (default `mean`) averages over unmasked positions or
    sums to a scalar, or keeps the per-example losses (`none`).
    ```mlir
    %l = graph.softmax_cross_entropy %logits, %labels : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
    %s = graph.softmax_cross_entropy %logits, %labels reduction = sum {label_smoothing = 0.1 : f64} : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$logits, Graph_IndexTensor:$labels,
                   DefaultValuedAttr<Graph_LossReduction,
                                     "::kiln::graph::LossReduction::mean">:$reduction,
                   DefaultValuedAttr<F64Attr, "0.0">:$label_smoothing);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$logits `,` $labels (`reduction` `=` $reduction^)? "
                       "attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Builds, from graph ops, the target distribution `[..., C]` (smoothed
    /// one-hot, zero at masked positions) and the mask `[..., 1]` (1 where
    /// the label is in range): shared by the lowering and the VJP.
    std::pair<::mlir::Value, ::mlir::Value>
    buildTargetAndMask(::mlir::OpBuilder &builder);
  }];
}

def Graph_BceWithLogitsOp : Graph_Op<"bce_with_logits",
    [Pure, InferTypeOpAdaptor, Differentiable]> {
  let summary = "binary cross-entropy of sigmoid(logits) against targets";
  let description = [{
    Elementwise `max(z, 0) - z * t + log(1 + exp(-|z|))`, which equals
    `-t log(sigmoid(z)) - (1 - t) log(1 - sigmoid(z))` without overflow, for
    targets `t` in [0, 1]; reduced like softmax_cross_entropy.
    ```mlir
    %l = graph.bce_with_logits %z, %t : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$logits, Graph_FloatTensor:$targets,
                   DefaultValuedAttr<Graph_LossReduction,
                                     "::kiln::graph::LossReduction::mean">:$reduction);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$logits `,` $targets (`reduction` `=` $reduction^)? "
                       "attr-dict `:` functional-type(operands, results)";
}

def Graph_AccuracyOp : Graph_Op<"accuracy", [Pure, InferTypeOpAdaptor]> {
  let summary = "fraction of positions whose argmax is the label";
  let description = [{
    `logits` is `[..., C]`, `labels` `[...]`. Positions with a label outside
    `[0, C)` are masked, as in softmax_cross_entropy; with no unmasked
    position the accuracy is 0. Not differentiable.
    ```mlir
    %a = graph.accuracy %logits, %labels : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$logits, Graph_IndexTensor:$labels);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_MseOp : Graph_Op<"mse",
    [Pure, InferTypeOpAdaptor, Differentiable]> {
  let summary = "mean squared error of two same-shaped tensors";
  let description = [{
    ```mlir
    %l = graph.mse %pred, %target : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$prediction,
                   Graph_FloatTensor:$target);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$prediction `,` $target attr-dict `:` "
                       "functional-type(operands, results)";
}

#endif // KILN_GRAPH_OPS
