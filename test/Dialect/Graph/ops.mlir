// RUN: kiln-opt %s --split-input-file | kiln-opt --split-input-file | FileCheck %s
// RUN: kiln-opt %s --split-input-file --mlir-print-op-generic | kiln-opt --split-input-file | FileCheck %s

// Round trip of every graph op: the custom form parses, prints and parses
// again to the same ops, attributes and inferred types.

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = graph.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[I:.*]] = graph.constant dense<3> : tensor<2x2xi32>
// CHECK: %[[S:.*]] = graph.constant dense<5.000000e-01> : tensor<f32>
// CHECK: return %[[C]], %[[I]], %[[S]]
func.func @constant() -> (tensor<2xf32>, tensor<2x2xi32>, tensor<f32>) {
  %0 = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = graph.constant dense<3> : tensor<2x2xi32>
  %2 = graph.constant dense<0.5> : tensor<f32>
  return %0, %1, %2 : tensor<2xf32>, tensor<2x2xi32>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[L:.*]]: tensor<64xi32>, %[[B:.*]]: tensor<4xi1>, %[[F:.*]]: tensor<2x3xf32>)
// CHECK: graph.cast %[[L]] : tensor<64xi32> to tensor<64xf32>
// CHECK: graph.cast %[[B]] : tensor<4xi1> to tensor<4xf16>
// CHECK: graph.cast %[[F]] : tensor<2x3xf32> to tensor<2x3xi64>
func.func @cast(%l: tensor<64xi32>, %b: tensor<4xi1>, %f: tensor<2x3xf32>)
    -> (tensor<64xf32>, tensor<4xf16>, tensor<2x3xi64>) {
  %0 = graph.cast %l : tensor<64xi32> to tensor<64xf32>
  %1 = graph.cast %b : tensor<4xi1> to tensor<4xf16>
  %2 = graph.cast %f : tensor<2x3xf32> to tensor<2x3xi64>
  return %0, %1, %2 : tensor<64xf32>, tensor<4xf16>, tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @binary_same_shape
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<4x8xf32>)
// CHECK: graph.add %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: graph.sub %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: graph.mul %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: graph.div %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: graph.max %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: graph.min %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: graph.pow %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
func.func @binary_same_shape(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) {
  %0 = graph.add %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = graph.sub %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = graph.mul %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %3 = graph.div %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = graph.max %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %5 = graph.min %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %6 = graph.pow %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Broadcasting: a lower-rank operand aligns on the right, size-1 dimensions
// stretch (on either side), and a scalar broadcasts to anything.

// CHECK-LABEL: func.func @binary_broadcast
// CHECK: graph.add %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: graph.sub %{{.*}}, %{{.*}} : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
// CHECK: graph.mul %{{.*}}, %{{.*}} : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: graph.div %{{.*}}, %{{.*}} : (tensor<2x1x8xf32>, tensor<4x1xf32>) -> tensor<2x4x8xf32>
// CHECK: graph.max %{{.*}}, %{{.*}} : (tensor<4x8xi32>, tensor<i32>) -> tensor<4x8xi32>
// CHECK: graph.min %{{.*}}, %{{.*}} : (tensor<1xi64>, tensor<3xi64>) -> tensor<3xi64>
// CHECK: graph.pow %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
func.func @binary_broadcast(%a: tensor<4x8xf32>, %row: tensor<8xf32>,
                            %col: tensor<4x1xf32>, %r1: tensor<1x8xf32>,
                            %s: tensor<f32>, %b3: tensor<2x1x8xf32>,
                            %i: tensor<4x8xi32>, %is: tensor<i32>,
                            %j1: tensor<1xi64>, %j3: tensor<3xi64>) {
  %0 = graph.add %a, %row : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %1 = graph.sub %col, %r1 : (tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  %2 = graph.mul %s, %a : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %3 = graph.div %b3, %col : (tensor<2x1x8xf32>, tensor<4x1xf32>) -> tensor<2x4x8xf32>
  %4 = graph.max %i, %is : (tensor<4x8xi32>, tensor<i32>) -> tensor<4x8xi32>
  %5 = graph.min %j1, %j3 : (tensor<1xi64>, tensor<3xi64>) -> tensor<3xi64>
  %6 = graph.pow %a, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  return
}

// -----

// CHECK-LABEL: func.func @compare
// CHECK: graph.compare eq, %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK: graph.compare ne, %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK: graph.compare lt, %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
// CHECK: graph.compare le, %{{.*}}, %{{.*}} : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
// CHECK: graph.compare gt, %{{.*}}, %{{.*}} : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
// CHECK: graph.compare ge, %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
func.func @compare(%a: tensor<4xf32>, %b: tensor<4xf32>, %s: tensor<f32>,
                   %i: tensor<3x1xi32>, %j: tensor<4xi32>) {
  %0 = graph.compare eq, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = graph.compare ne, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = graph.compare lt, %a, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
  %3 = graph.compare le, %i, %j : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  %4 = graph.compare gt, %i, %j : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  %5 = graph.compare ge, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>, %[[A:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<f32>, %[[M:.*]]: tensor<3x1xi1>)
// CHECK: graph.select %[[C]], %[[A]], %[[S]] : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK: graph.select %[[M]], %[[A]], %[[A]] : (tensor<3x1xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
func.func @select(%c: tensor<4xi1>, %a: tensor<4xf32>, %s: tensor<f32>,
                  %m: tensor<3x1xi1>) {
  %0 = graph.select %c, %a, %s : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = graph.select %m, %a, %a : (tensor<3x1xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[I:.*]]: tensor<3xi32>)
// CHECK: graph.neg %[[X]] : tensor<4x8xf32>
// CHECK: graph.neg %[[I]] : tensor<3xi32>
// CHECK: graph.abs %[[X]] : tensor<4x8xf32>
// CHECK: graph.abs %[[I]] : tensor<3xi32>
// CHECK: graph.exp %[[X]] : tensor<4x8xf32>
// CHECK: graph.log %[[X]] : tensor<4x8xf32>
// CHECK: graph.sqrt %[[X]] : tensor<4x8xf32>
// CHECK: graph.rsqrt %[[X]] : tensor<4x8xf32>
// CHECK: graph.tanh %[[X]] : tensor<4x8xf32>
// CHECK: graph.sigmoid %[[X]] : tensor<4x8xf32>
// CHECK: graph.relu %[[X]] : tensor<4x8xf32>
// CHECK: graph.gelu %[[X]] : tensor<4x8xf32>
func.func @unary(%x: tensor<4x8xf32>, %i: tensor<3xi32>) {
  %0 = graph.neg %x : tensor<4x8xf32>
  %1 = graph.neg %i : tensor<3xi32>
  %2 = graph.abs %x : tensor<4x8xf32>
  %3 = graph.abs %i : tensor<3xi32>
  %4 = graph.exp %x : tensor<4x8xf32>
  %5 = graph.log %x : tensor<4x8xf32>
  %6 = graph.sqrt %x : tensor<4x8xf32>
  %7 = graph.rsqrt %x : tensor<4x8xf32>
  %8 = graph.tanh %x : tensor<4x8xf32>
  %9 = graph.sigmoid %x : tensor<4x8xf32>
  %10 = graph.relu %x : tensor<4x8xf32>
  %11 = graph.gelu %x : tensor<4x8xf32>
  return
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK: graph.matmul %{{.*}}, %{{.*}} : (tensor<64x784xf32>, tensor<784x256xf32>) -> tensor<64x256xf32>
// CHECK: graph.matmul %{{.*}}, %{{.*}} {transpose_rhs} : (tensor<4x16x8xf32>, tensor<4x16x8xf32>) -> tensor<4x16x16xf32>
// CHECK: graph.matmul %{{.*}}, %{{.*}} {transpose_lhs} : (tensor<4x16x8xf32>, tensor<4x16x8xf32>) -> tensor<4x8x8xf32>
// CHECK: graph.matmul %{{.*}}, %{{.*}} {transpose_lhs, transpose_rhs} : (tensor<3x2xf32>, tensor<5x3xf32>) -> tensor<2x5xf32>
// CHECK: graph.matmul %{{.*}}, %{{.*}} : (tensor<2x1x4x3xf32>, tensor<5x3x6xf32>) -> tensor<2x5x4x6xf32>
// CHECK: graph.matmul %{{.*}}, %{{.*}} : (tensor<4x16x8xf32>, tensor<8x2xf32>) -> tensor<4x16x2xf32>
func.func @matmul(%x: tensor<64x784xf32>, %w: tensor<784x256xf32>,
                  %q: tensor<4x16x8xf32>, %a: tensor<3x2xf32>,
                  %b: tensor<5x3xf32>, %c: tensor<2x1x4x3xf32>,
                  %d: tensor<5x3x6xf32>, %e: tensor<8x2xf32>) {
  %0 = graph.matmul %x, %w : (tensor<64x784xf32>, tensor<784x256xf32>) -> tensor<64x256xf32>
  %1 = graph.matmul %q, %q {transpose_rhs} : (tensor<4x16x8xf32>, tensor<4x16x8xf32>) -> tensor<4x16x16xf32>
  %2 = graph.matmul %q, %q {transpose_lhs} : (tensor<4x16x8xf32>, tensor<4x16x8xf32>) -> tensor<4x8x8xf32>
  %3 = graph.matmul %a, %b {transpose_lhs, transpose_rhs} : (tensor<3x2xf32>, tensor<5x3xf32>) -> tensor<2x5xf32>
  %4 = graph.matmul %c, %d : (tensor<2x1x4x3xf32>, tensor<5x3x6xf32>) -> tensor<2x5x4x6xf32>
  %5 = graph.matmul %q, %e : (tensor<4x16x8xf32>, tensor<8x2xf32>) -> tensor<4x16x2xf32>
  return
}

// -----

// CHECK-LABEL: func.func @reductions
// CHECK: graph.reduce_sum %{{.*}} {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
// CHECK: graph.reduce_sum %{{.*}} {axes = array<i64: 0, 1>} : (tensor<4x8xf32>) -> tensor<f32>
// CHECK: graph.reduce_sum %{{.*}} {axes = array<i64: 0>, keepdims} : (tensor<4x8xi32>) -> tensor<1x8xi32>
// CHECK: graph.reduce_sum %{{.*}} {axes = array<i64>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: graph.reduce_mean %{{.*}} {axes = array<i64: -1>} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
// CHECK: graph.reduce_mean %{{.*}} {axes = array<i64: -1, 0>, keepdims} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
// CHECK: graph.reduce_max %{{.*}} {axes = array<i64: -2>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
// CHECK: graph.reduce_max %{{.*}} {axes = array<i64: 1>, keepdims} : (tensor<4x8xi32>) -> tensor<4x1xi32>
func.func @reductions(%x: tensor<4x8xf32>, %i: tensor<4x8xi32>,
                      %y: tensor<2x3x4xf32>) {
  %0 = graph.reduce_sum %x {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  %1 = graph.reduce_sum %x {axes = array<i64: 0, 1>} : (tensor<4x8xf32>) -> tensor<f32>
  %2 = graph.reduce_sum %i {axes = array<i64: 0>, keepdims} : (tensor<4x8xi32>) -> tensor<1x8xi32>
  %3 = graph.reduce_sum %x {axes = array<i64>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = graph.reduce_mean %y {axes = array<i64: -1>} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  %5 = graph.reduce_mean %y {axes = array<i64: -1, 0>, keepdims} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  %6 = graph.reduce_max %y {axes = array<i64: -2>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  %7 = graph.reduce_max %i {axes = array<i64: 1>, keepdims} : (tensor<4x8xi32>) -> tensor<4x1xi32>
  return
}

// -----

// The default axis (-1) is elided when printing.

// CHECK-LABEL: func.func @softmax
// CHECK: graph.softmax %{{.*}} : tensor<64x10xf32>
// CHECK: graph.softmax %{{.*}} {axis = 0 : i64} : tensor<64x10xf32>
// CHECK: graph.log_softmax %{{.*}} : tensor<64x10xf32>
// CHECK: graph.log_softmax %{{.*}} {axis = -2 : i64} : tensor<2x3x4xf32>
func.func @softmax(%x: tensor<64x10xf32>, %y: tensor<2x3x4xf32>) {
  %0 = graph.softmax %x : tensor<64x10xf32>
  %1 = graph.softmax %x {axis = 0 : i64} : tensor<64x10xf32>
  %2 = graph.log_softmax %x {axis = -1 : i64} : tensor<64x10xf32>
  %3 = graph.log_softmax %y {axis = -2 : i64} : tensor<2x3x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @cholesky_solve
// CHECK: graph.cholesky_solve %{{.*}}, %{{.*}} : (tensor<4x8x8xf64>, tensor<4x8x1xf64>) -> tensor<4x8x1xf64>
func.func @cholesky_solve(%a: tensor<4x8x8xf64>, %b: tensor<4x8x1xf64>) {
  %0 = graph.cholesky_solve %a, %b : (tensor<4x8x8xf64>, tensor<4x8x1xf64>) -> tensor<4x8x1xf64>
  return
}

// -----

// Defaults (the last axis, epsilon 1e-5) are elided when printing.

// CHECK-LABEL: func.func @norms
// CHECK: graph.layer_norm %{{.*}} : tensor<2x3x64xf32>
// CHECK: graph.layer_norm %{{.*}} {axis = 1 : i64, epsilon = 9.9999999999999995E-7 : f64} : tensor<2x3x64xf32>
// CHECK: graph.rms_norm %{{.*}} : tensor<2x3x64xf32>
// CHECK: graph.rms_norm %{{.*}} {epsilon = 0.000000e+00 : f64} : tensor<2x3x64xf32>
func.func @norms(%x: tensor<2x3x64xf32>) {
  %0 = graph.layer_norm %x : tensor<2x3x64xf32>
  %1 = graph.layer_norm %x {axis = 1 : i64, epsilon = 1.0e-06 : f64} : tensor<2x3x64xf32>
  %2 = graph.rms_norm %x {axis = -1 : i64, epsilon = 1.0e-05 : f64} : tensor<2x3x64xf32>
  %3 = graph.rms_norm %x {epsilon = 0.0 : f64} : tensor<2x3x64xf32>
  return
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK: graph.reshape %{{.*}} : (tensor<4x2x3xf32>) -> tensor<4x6xf32>
// CHECK: graph.reshape %{{.*}} : (tensor<4x2x3xf32>) -> tensor<24xf32>
// CHECK: graph.reshape %{{.*}} : (tensor<1x1xi32>) -> tensor<i32>
// CHECK: graph.reshape %{{.*}} : (tensor<i32>) -> tensor<1x1x1xi32>
func.func @reshape(%x: tensor<4x2x3xf32>, %s: tensor<1x1xi32>, %t: tensor<i32>) {
  %0 = graph.reshape %x : (tensor<4x2x3xf32>) -> tensor<4x6xf32>
  %1 = graph.reshape %x : (tensor<4x2x3xf32>) -> tensor<24xf32>
  %2 = graph.reshape %s : (tensor<1x1xi32>) -> tensor<i32>
  %3 = graph.reshape %t : (tensor<i32>) -> tensor<1x1x1xi32>
  return
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: graph.transpose %{{.*}} {permutation = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
// CHECK: graph.transpose %{{.*}} {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xi32>) -> tensor<4x2x3xi32>
// CHECK: graph.transpose %{{.*}} {permutation = array<i64: -1, 0, 1>} : (tensor<2x3x4xi32>) -> tensor<4x2x3xi32>
func.func @transpose(%x: tensor<4x8xf32>, %y: tensor<2x3x4xi32>) {
  %0 = graph.transpose %x {permutation = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %1 = graph.transpose %y {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xi32>) -> tensor<4x2x3xi32>
  %2 = graph.transpose %y {permutation = array<i64: -1, 0, 1>} : (tensor<2x3x4xi32>) -> tensor<4x2x3xi32>
  return
}

// -----

// CHECK-LABEL: func.func @broadcast_to
// CHECK: graph.broadcast_to %{{.*}} : (tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: graph.broadcast_to %{{.*}} : (tensor<4x1xf32>) -> tensor<2x4x8xf32>
// CHECK: graph.broadcast_to %{{.*}} : (tensor<i32>) -> tensor<3xi32>
// CHECK: graph.broadcast_to %{{.*}} : (tensor<8xf32>) -> tensor<8xf32>
func.func @broadcast_to(%b: tensor<8xf32>, %c: tensor<4x1xf32>, %s: tensor<i32>) {
  %0 = graph.broadcast_to %b : (tensor<8xf32>) -> tensor<4x8xf32>
  %1 = graph.broadcast_to %c : (tensor<4x1xf32>) -> tensor<2x4x8xf32>
  %2 = graph.broadcast_to %s : (tensor<i32>) -> tensor<3xi32>
  %3 = graph.broadcast_to %b : (tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK: graph.slice %{{.*}} {limits = array<i64: 4, 8>, starts = array<i64: 0, 2>, strides = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<4x3xf32>
// CHECK: graph.slice %{{.*}} {limits = array<i64: 3, 8>, starts = array<i64: 1, 0>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<2x8xf32>
// CHECK: graph.slice %{{.*}} {limits = array<i64: 2>, starts = array<i64: 2>, strides = array<i64: 1>} : (tensor<5xi32>) -> tensor<0xi32>
func.func @slice(%x: tensor<4x8xf32>, %v: tensor<5xi32>) {
  %0 = graph.slice %x {starts = array<i64: 0, 2>, limits = array<i64: 4, 8>, strides = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<4x3xf32>
  %1 = graph.slice %x {starts = array<i64: 1, 0>, limits = array<i64: 3, 8>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<2x8xf32>
  %2 = graph.slice %v {starts = array<i64: 2>, limits = array<i64: 2>, strides = array<i64: 1>} : (tensor<5xi32>) -> tensor<0xi32>
  return
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK: graph.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<4x2xf32>, tensor<4x3xf32>) -> tensor<4x5xf32>
// CHECK: graph.concat %{{.*}}, %{{.*}}, %{{.*}} {axis = -2 : i64} : (tensor<4x2xf32>, tensor<1x2xf32>, tensor<4x2xf32>) -> tensor<9x2xf32>
// CHECK: graph.concat %{{.*}} {axis = 0 : i64} : (tensor<3xi32>) -> tensor<3xi32>
func.func @concat(%a: tensor<4x2xf32>, %b: tensor<4x3xf32>, %c: tensor<1x2xf32>,
                  %i: tensor<3xi32>) {
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<4x2xf32>, tensor<4x3xf32>) -> tensor<4x5xf32>
  %1 = graph.concat %a, %c, %a {axis = -2 : i64} : (tensor<4x2xf32>, tensor<1x2xf32>, tensor<4x2xf32>) -> tensor<9x2xf32>
  %2 = graph.concat %i {axis = 0 : i64} : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

// CHECK-LABEL: func.func @gather
// CHECK: graph.gather %{{.*}}, %{{.*}} : (tensor<64x32xf32>, tensor<8x16xi32>) -> tensor<8x16x32xf32>
// CHECK: graph.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<64x32xf32>, tensor<8x16xi32>) -> tensor<64x8x16xf32>
// CHECK: graph.gather %{{.*}}, %{{.*}} {axis = -1 : i64} : (tensor<64x32xf32>, tensor<5xi64>) -> tensor<64x5xf32>
// CHECK: graph.gather %{{.*}}, %{{.*}} : (tensor<64x32xf32>, tensor<i32>) -> tensor<32xf32>
func.func @gather(%t: tensor<64x32xf32>, %i: tensor<8x16xi32>, %j: tensor<5xi64>,
                  %s: tensor<i32>) {
  %0 = graph.gather %t, %i : (tensor<64x32xf32>, tensor<8x16xi32>) -> tensor<8x16x32xf32>
  %1 = graph.gather %t, %i {axis = 1 : i64} : (tensor<64x32xf32>, tensor<8x16xi32>) -> tensor<64x8x16xf32>
  %2 = graph.gather %t, %j {axis = -1 : i64} : (tensor<64x32xf32>, tensor<5xi64>) -> tensor<64x5xf32>
  %3 = graph.gather %t, %s {axis = 0 : i64} : (tensor<64x32xf32>, tensor<i32>) -> tensor<32xf32>
  return
}

// -----

// CHECK-LABEL: func.func @one_hot
// CHECK: graph.one_hot %{{.*}} {depth = 10 : i64} : (tensor<64xi32>) -> tensor<64x10xf32>
// CHECK: graph.one_hot %{{.*}} {depth = 3 : i64} : (tensor<2x4xi64>) -> tensor<2x4x3xbf16>
// CHECK: graph.one_hot %{{.*}} {depth = 5 : i64} : (tensor<i32>) -> tensor<5xf32>
func.func @one_hot(%l: tensor<64xi32>, %m: tensor<2x4xi64>, %s: tensor<i32>) {
  %0 = graph.one_hot %l {depth = 10 : i64} : (tensor<64xi32>) -> tensor<64x10xf32>
  %1 = graph.one_hot %m {depth = 3 : i64} : (tensor<2x4xi64>) -> tensor<2x4x3xbf16>
  %2 = graph.one_hot %s {depth = 5 : i64} : (tensor<i32>) -> tensor<5xf32>
  return
}

// -----

// The default reduction (mean) is elided; `none` keeps per-example losses.

// CHECK-LABEL: func.func @softmax_cross_entropy
// CHECK: graph.softmax_cross_entropy %{{.*}}, %{{.*}} : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
// CHECK: graph.softmax_cross_entropy %{{.*}}, %{{.*}} reduction = sum : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
// CHECK: graph.softmax_cross_entropy %{{.*}}, %{{.*}} reduction = none : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<64xf32>
// CHECK: graph.softmax_cross_entropy %{{.*}}, %{{.*}} reduction = none : (tensor<2x8x10xf32>, tensor<2x8xi64>) -> tensor<2x8xf32>
func.func @softmax_cross_entropy(%x: tensor<64x10xf32>, %l: tensor<64xi32>,
                                 %y: tensor<2x8x10xf32>, %m: tensor<2x8xi64>) {
  %0 = graph.softmax_cross_entropy %x, %l : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
  %1 = graph.softmax_cross_entropy %x, %l reduction = sum : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
  %2 = graph.softmax_cross_entropy %x, %l reduction = none : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<64xf32>
  %3 = graph.softmax_cross_entropy %y, %m reduction = none : (tensor<2x8x10xf32>, tensor<2x8xi64>) -> tensor<2x8xf32>
  return
}

// -----

// CHECK-LABEL: func.func @mse
// CHECK: graph.mse %{{.*}}, %{{.*}} : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
// CHECK: graph.mse %{{.*}}, %{{.*}} : (tensor<f64>, tensor<f64>) -> tensor<f64>
func.func @mse(%p: tensor<64x1xf32>, %t: tensor<64x1xf32>, %s: tensor<f64>) {
  %0 = graph.mse %p, %t : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
  %1 = graph.mse %s, %s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return
}

// -----

// CHECK-LABEL: func.func @attention
// CHECK: %[[Y:.*]] = graph.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {heads = 2 : i64, scale = 2.500000e-01 : f64} : (tensor<3x4x8xf32>, tensor<3x5x8xf32>, tensor<3x5x8xf32>, tensor<4x5xf32>) -> tensor<3x4x8xf32>
// CHECK: graph.attention_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[Y]] {heads = 2 : i64, scale = 2.500000e-01 : f64} : (tensor<3x4x8xf32>, tensor<3x5x8xf32>, tensor<3x5x8xf32>, tensor<4x5xf32>, tensor<3x4x8xf32>) -> (tensor<3x4x8xf32>, tensor<3x5x8xf32>, tensor<3x5x8xf32>)
func.func @attention(%q: tensor<3x4x8xf32>, %k: tensor<3x5x8xf32>, %v: tensor<3x5x8xf32>, %m: tensor<4x5xf32>) {
  %y = graph.attention %q, %k, %v, %m {heads = 2 : i64, scale = 0.25 : f64} : (tensor<3x4x8xf32>, tensor<3x5x8xf32>, tensor<3x5x8xf32>, tensor<4x5xf32>) -> tensor<3x4x8xf32>
  %dq, %dk, %dv = graph.attention_grad %q, %k, %v, %m, %y {heads = 2 : i64, scale = 0.25 : f64} : (tensor<3x4x8xf32>, tensor<3x5x8xf32>, tensor<3x5x8xf32>, tensor<4x5xf32>, tensor<3x4x8xf32>) -> (tensor<3x4x8xf32>, tensor<3x5x8xf32>, tensor<3x5x8xf32>)
  return
}

// -----

// CHECK-LABEL: func.func @dropout
// CHECK: graph.dropout %{{.*}}, %{{.*}} {rate = 1.000000e-01 : f64, site = 2 : i64} : tensor<4x8xf32>, tensor<2xi64>
// CHECK: graph.dropout %{{.*}} {rate = 5.000000e-01 : f64, site = 0 : i64} : tensor<4x8xf32>
func.func @dropout(%x: tensor<4x8xf32>, %key: tensor<2xi64>) {
  %0 = graph.dropout %x, %key {rate = 0.1 : f64, site = 2 : i64} : tensor<4x8xf32>, tensor<2xi64>
  %1 = graph.dropout %x {rate = 0.5 : f64, site = 0 : i64} : tensor<4x8xf32>
  return
}
