// RUN: kiln-opt %s --kiln-cpu-pipeline | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-pipeline | FileCheck %s --check-prefix=ONLY-LLVM --implicit-check-not='{{(^|[^.[:alnum:]_])(graph|func|linalg|tensor|bufferization|memref|vector|scf|affine|cf|arith|math|ub)\.[a-z_]+}}' --implicit-check-not=unrealized_conversion_cast

// The whole CPU pipeline takes graph ops to the LLVM dialect and nothing else
// (the ONLY-LLVM implicit checks reject any op left in another dialect, from
// the module to the end of the output), with a C wrapper for every public
// function.

// ONLY-LLVM: module {

// A two-layer MLP with a softmax cross-entropy loss.

// CHECK-LABEL: llvm.func @mlp(
// CHECK-SAME: attributes {llvm.emit_c_interface}
// Bias + ReLU survives as an intrinsic; the loss's exp and the log of its
// sum become polynomials (kiln-cpu-approximate-math), no libm call.
// CHECK: llvm.intr.maximum
// CHECK-NOT: llvm.intr.exp
// CHECK-NOT: llvm.intr.log
// CHECK-NOT: @expf
// CHECK-NOT: @logf
// CHECK: llvm.return

// Five inputs and the scalar loss as an out-parameter, each a descriptor
// pointer.
// CHECK-LABEL: llvm.func @_mlir_ciface_mlp(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK: llvm.call @mlp(
// CHECK: llvm.return

// Private functions get no wrapper.
// CHECK-LABEL: llvm.func @helper(
// CHECK-NOT: llvm.emit_c_interface
// CHECK-NOT: _mlir_ciface_helper
// CHECK-LABEL: llvm.func @uses_helper(
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK: llvm.call @helper(
// CHECK-LABEL: llvm.func @_mlir_ciface_uses_helper(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK: llvm.call @uses_helper(
func.func @mlp(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>, %b1: tensor<32xf32>,
               %w2: tensor<32x10xf32>, %labels: tensor<8xi32>) -> tensor<f32> {
  %0 = graph.matmul %x, %w1 : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %1 = graph.add %0, %b1 : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %2 = graph.relu %1 : tensor<8x32xf32>
  %3 = graph.matmul %2, %w2 : (tensor<8x32xf32>, tensor<32x10xf32>) -> tensor<8x10xf32>
  %4 = graph.softmax_cross_entropy %3, %labels : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  return %4 : tensor<f32>
}

func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = graph.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

func.func @uses_helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @helper(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// A single-element lookup (rank-0 gather) compiles to a clamped load.

// CHECK-LABEL: llvm.func @lookup(
// CHECK-DAG: %[[LO:.*]] = llvm.mlir.constant(0 : index) : i64
// CHECK-DAG: %[[HI:.*]] = llvm.mlir.constant(9 : index) : i64
// CHECK: %[[MAX:.*]] = llvm.intr.smax(%{{.*}}, %[[LO]])
// CHECK: %[[IDX:.*]] = llvm.intr.smin(%[[MAX]], %[[HI]])
// CHECK: %[[P:.*]] = llvm.getelementptr {{.*}}[%[[IDX]]]
// CHECK: llvm.load %[[P]] : !llvm.ptr -> f32
// CHECK-LABEL: llvm.func @_mlir_ciface_lookup(
func.func @lookup(%t: tensor<10xf32>, %i: tensor<i32>) -> tensor<f32> {
  %0 = graph.gather %t, %i : (tensor<10xf32>, tensor<i32>) -> tensor<f32>
  return %0 : tensor<f32>
}
