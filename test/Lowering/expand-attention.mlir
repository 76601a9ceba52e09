// RUN: kiln-opt %s --split-input-file --kiln-lower-expand-attention | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-lower-expand-attention=keep-f32 | FileCheck %s --check-prefix=KEEP

// graph.attention becomes split heads, scaled scores, the mask, softmax and
// the weighted sum, with the heads merged back.

// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x6xf64>, %[[K:.*]]: tensor<2x5x6xf64>, %[[V:.*]]: tensor<2x5x6xf64>, %[[M:.*]]: tensor<4x5xf64>)
// CHECK-DAG: %[[SCALE:.*]] = graph.constant dense<5.000000e-01> : tensor<f64>
// CHECK-DAG: %[[QR:.*]] = graph.reshape %[[Q]] : (tensor<2x4x6xf64>) -> tensor<2x4x3x2xf64>
// CHECK-DAG: %[[QH:.*]] = graph.transpose %[[QR]] {permutation = array<i64: 0, 2, 1, 3>} : (tensor<2x4x3x2xf64>) -> tensor<2x3x4x2xf64>
// CHECK-DAG: %[[KR:.*]] = graph.reshape %[[K]] : (tensor<2x5x6xf64>) -> tensor<2x5x3x2xf64>
// CHECK-DAG: %[[KH:.*]] = graph.transpose %[[KR]] {{.*}} -> tensor<2x3x5x2xf64>
// CHECK: %[[S:.*]] = graph.matmul %[[QH]], %[[KH]] {transpose_rhs} : (tensor<2x3x4x2xf64>, tensor<2x3x5x2xf64>) -> tensor<2x3x4x5xf64>
// CHECK: %[[SS:.*]] = graph.mul %[[S]], %[[SCALE]]
// CHECK: %[[L:.*]] = graph.add %[[SS]], %[[M]] : (tensor<2x3x4x5xf64>, tensor<4x5xf64>) -> tensor<2x3x4x5xf64>
// CHECK: %[[P:.*]] = graph.softmax %[[L]] : tensor<2x3x4x5xf64>
// CHECK: %[[VR:.*]] = graph.reshape %[[V]]
// CHECK: %[[VH:.*]] = graph.transpose %[[VR]]
// CHECK: %[[O:.*]] = graph.matmul %[[P]], %[[VH]] : (tensor<2x3x4x5xf64>, tensor<2x3x5x2xf64>) -> tensor<2x3x4x2xf64>
// CHECK: %[[OT:.*]] = graph.transpose %[[O]] {{.*}} -> tensor<2x4x3x2xf64>
// CHECK: %[[Y:.*]] = graph.reshape %[[OT]] : (tensor<2x4x3x2xf64>) -> tensor<2x4x6xf64>
// CHECK: return %[[Y]]
// KEEP-LABEL: func.func @forward
// KEEP-NOT: graph.attention
// KEEP: graph.softmax
func.func @forward(%q: tensor<2x4x6xf64>, %k: tensor<2x5x6xf64>, %v: tensor<2x5x6xf64>, %m: tensor<4x5xf64>) -> tensor<2x4x6xf64> {
  %y = graph.attention %q, %k, %v, %m {heads = 3 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf64>, tensor<2x5x6xf64>, tensor<2x5x6xf64>, tensor<4x5xf64>) -> tensor<2x4x6xf64>
  return %y : tensor<2x4x6xf64>
}

// -----

// The gradient recomputes the weights w, then dscores = w (dw - sum(w dw))
// scale with dw = g v^T, dq = dscores k, dk = dscores^T q, dv = w^T g.

// CHECK-LABEL: func.func @gradient
// CHECK: %[[W:.*]] = graph.softmax
// CHECK: %[[DW:.*]] = graph.matmul %[[G:.*]], %[[VH:.*]] {transpose_rhs} : (tensor<2x3x4x2xf32>, tensor<2x3x5x2xf32>) -> tensor<2x3x4x5xf32>
// CHECK: %[[WDW:.*]] = graph.mul %[[W]], %[[DW]]
// CHECK: %[[DELTA:.*]] = graph.reduce_sum %[[WDW]] {axes = array<i64: 3>, keepdims} : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x1xf32>
// CHECK: %[[D:.*]] = graph.sub %[[DW]], %[[DELTA]]
// CHECK: %[[WD:.*]] = graph.mul %[[W]], %[[D]]
// CHECK: %[[DS:.*]] = graph.mul %[[WD]], %{{.*}}
// CHECK: graph.matmul %[[DS]], %{{.*}} : (tensor<2x3x4x5xf32>, tensor<2x3x5x2xf32>) -> tensor<2x3x4x2xf32>
// CHECK: graph.matmul %[[DS]], %{{.*}} {transpose_lhs} : (tensor<2x3x4x5xf32>, tensor<2x3x4x2xf32>) -> tensor<2x3x5x2xf32>
// CHECK: graph.matmul %[[W]], %[[G]] {transpose_lhs} : (tensor<2x3x4x5xf32>, tensor<2x3x4x2xf32>) -> tensor<2x3x5x2xf32>
// CHECK-NOT: graph.attention_grad
// The CPU pipeline keeps f32 attention for its fused kernels.
// KEEP-LABEL: func.func @gradient
// KEEP: graph.attention_grad
// KEEP-NOT: graph.softmax
func.func @gradient(%q: tensor<2x4x6xf32>, %k: tensor<2x5x6xf32>, %v: tensor<2x5x6xf32>, %m: tensor<4x5xf32>, %g: tensor<2x4x6xf32>) -> (tensor<2x4x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>) {
  %dq, %dk, %dv = graph.attention_grad %q, %k, %v, %m, %g {heads = 3 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>, tensor<4x5xf32>, tensor<2x4x6xf32>) -> (tensor<2x4x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>)
  return %dq, %dk, %dv : tensor<2x4x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>
}
