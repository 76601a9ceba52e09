// RUN: kiln-opt %s --kiln-autodiff-value-and-grad --canonicalize --cse \
// RUN:   --split-input-file | FileCheck %s

// The pass may build gradients nobody uses (of data operands); the canonicalizer
// removes them and CSE merges repeated subexpressions, as in the pipeline.

// The body is copied, then each op's VJP runs in reverse order: d(x * w) / dw
// is the seed 1 times x, unbroadcast from [4] to the scalar w by a sum.

func.func @scale(%x: tensor<4xf32>, %w: tensor<f32>) -> tensor<f32> {
  %y = graph.mul %x, %w : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %s = graph.reduce_sum %y {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// CHECK-LABEL: func.func @grad_scale
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[W:.*]]: tensor<f32>)
// CHECK: %[[SEED:.*]] = graph.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[Y:.*]] = graph.mul %[[X]], %[[W]]
// CHECK: %[[S:.*]] = graph.reduce_sum %[[Y]]
// CHECK: %[[KEPT:.*]] = graph.reshape %[[SEED]] : (tensor<f32>) -> tensor<1xf32>
// CHECK: %[[DY:.*]] = graph.broadcast_to %[[KEPT]] : (tensor<1xf32>) -> tensor<4xf32>
// CHECK: %[[P:.*]] = graph.mul %[[DY]], %[[X]]
// CHECK: %[[DW:.*]] = graph.reduce_sum %[[P]] {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
// CHECK-NOT: graph.value_and_grad
// CHECK: return %[[S]], %[[DW]]
func.func @grad_scale(%x: tensor<4xf32>, %w: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %l, %dw = graph.value_and_grad @scale(%x, %w) {wrt = array<i64: 1>} : (tensor<4xf32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %l, %dw : tensor<f32>, tensor<f32>
}

// -----

// A value used twice gets the sum of both gradients.

func.func @square(%x: tensor<3xf32>) -> tensor<f32> {
  %y = graph.mul %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %s = graph.reduce_sum %y {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// CHECK-LABEL: func.func @grad_square
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK: %[[DY:.*]] = graph.broadcast_to
// CHECK: %[[A:.*]] = graph.mul %[[DY]], %[[X]] : (tensor<3xf32>, tensor<3xf32>)
// CHECK-NOT: graph.mul
// CHECK: %[[DX:.*]] = graph.add %[[A]], %[[A]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @grad_square(%x: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %l, %dx = graph.value_and_grad @square(%x) {wrt = array<i64: 0>} : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %l, %dx : tensor<f32>, tensor<3xf32>
}

// -----

// Gradients flow only into wrt operands: nothing is built for the data %x,
// and a stop_gradient cuts the path through %w's second use.

func.func @partial(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = graph.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %frozen = graph.stop_gradient %w : tensor<3x4xf32>
  %z = graph.matmul %x, %frozen : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %p = graph.mul %y, %z : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %s = graph.reduce_sum %p {axes = array<i64: 0, 1>} : (tensor<2x4xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// CHECK-LABEL: func.func @grad_partial
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[W:.*]]: tensor<3x4xf32>)
// CHECK: %[[FROZEN:.*]] = graph.stop_gradient %[[W]]
// CHECK: %[[Z:.*]] = graph.matmul %[[X]], %[[FROZEN]]
// The gradient of %w is x^T @ (dp * z): one transposed matmul, no second
// contribution through the stop_gradient.
// CHECK: %[[DY:.*]] = graph.broadcast_to
// CHECK: %[[DP:.*]] = graph.mul %[[DY]], %[[Z]]
// CHECK: %[[DW:.*]] = graph.matmul %[[X]], %[[DP]] {transpose_lhs} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
// CHECK-NOT: graph.matmul
// CHECK-NOT: graph.add
// CHECK: return %{{.*}}, %[[DW]]
func.func @grad_partial(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %l, %dw = graph.value_and_grad @partial(%x, %w) {wrt = array<i64: 1>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %l, %dw : tensor<f32>, tensor<3x4xf32>
}

// -----

// Auxiliary results come back too; an argument the loss ignores gets zeros.

func.func @aux(%x: tensor<2xf32>, %unused: tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>) {
  %e = graph.exp %x : tensor<2xf32>
  %s = graph.reduce_sum %e {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
  return %s, %e : tensor<f32>, tensor<2xf32>
}

// CHECK-LABEL: func.func @grad_aux
// CHECK: %[[ZERO:.*]] = graph.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: %[[E:.*]] = graph.exp
// CHECK: %[[DX:.*]] = graph.mul %{{.*}}, %[[E]]
// CHECK: return %{{.*}}, %[[E]], %[[DX]], %[[ZERO]]
func.func @grad_aux(%x: tensor<2xf32>, %u: tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %l, %e, %dx, %du = graph.value_and_grad @aux(%x, %u) {wrt = array<i64: 0, 1>} : (tensor<2xf32>, tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
  return %l, %e, %dx, %du : tensor<f32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// attention's rule is one graph.attention_grad for q, k and v; the mask
// takes no gradient (a mask computed from a differentiated value is cut).

func.func @attend(%x: tensor<2x4x6xf32>, %m: tensor<4x4xf32>) -> tensor<f32> {
  %y = graph.attention %x, %x, %x, %m {heads = 2 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<4x4xf32>) -> tensor<2x4x6xf32>
  %s = graph.reduce_sum %y {axes = array<i64: 0, 1, 2>} : (tensor<2x4x6xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// CHECK-LABEL: func.func @grad_attend
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x6xf32>, %[[M:.*]]: tensor<4x4xf32>)
// CHECK: %[[ZERO:.*]] = graph.constant dense<0.000000e+00> : tensor<4x4xf32>
// CHECK: %[[DY:.*]] = graph.broadcast_to
// CHECK: %[[DQ:.*]], %[[DK:.*]], %[[DV:.*]] = graph.attention_grad %[[X]], %[[X]], %[[X]], %[[M]], %[[DY]] {heads = 2 : i64, scale = 5.000000e-01 : f64}
// CHECK: %[[S:.*]] = graph.add %[[DQ]], %[[DK]]
// CHECK: %[[DX:.*]] = graph.add %[[S]], %[[DV]]
// CHECK: return %{{.*}}, %[[DX]], %[[ZERO]]
func.func @grad_attend(%x: tensor<2x4x6xf32>, %m: tensor<4x4xf32>) -> (tensor<f32>, tensor<2x4x6xf32>, tensor<4x4xf32>) {
  %l, %dx, %dm = graph.value_and_grad @attend(%x, %m) {wrt = array<i64: 0, 1>} : (tensor<2x4x6xf32>, tensor<4x4xf32>) -> (tensor<f32>, tensor<2x4x6xf32>, tensor<4x4xf32>)
  return %l, %dx, %dm : tensor<f32>, tensor<2x4x6xf32>, tensor<4x4xf32>
}
