// RUN: kiln-opt %s --split-input-file --kiln-cpu-attention-to-runtime | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-cpu-attention-to-runtime \
// RUN:   --one-shot-bufferize=bufferize-function-boundaries | FileCheck %s --check-prefix=BUF

// f32 attention becomes a call of the runtime's kernel: operands read in
// place through read-only to_buffer views of any layout, the result a fresh
// buffer seen again as a tensor.

// CHECK: func.func private @kiln_attention_f32(memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, i64, f32) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x6xf32>, %[[K:.*]]: tensor<2x5x6xf32>, %[[V:.*]]: tensor<2x5x6xf32>, %[[M:.*]]: tensor<4x5xf32>)
// CHECK: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only : tensor<2x4x6xf32> to memref<2x4x6xf32, strided<[?, ?, ?], offset: ?>>
// CHECK: %[[QV:.*]] = memref.cast %[[QB]]
// CHECK: bufferization.to_buffer %[[K]] read_only
// CHECK: bufferization.to_buffer %[[V]] read_only
// CHECK: bufferization.to_buffer %[[M]] read_only
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x4x6xf32>
// CHECK: %[[OV:.*]] = memref.cast %[[OUT]]
// CHECK-DAG: %[[HEADS:.*]] = arith.constant 3 : i64
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: call @kiln_attention_f32(%[[QV]], %{{.*}}, %{{.*}}, %{{.*}}, %[[OV]], %[[HEADS]], %[[SCALE]])
// CHECK: %[[Y:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<2x4x6xf32> to tensor<2x4x6xf32>
// CHECK: return %[[Y]]
// After bufferization only buffers remain, passed to the kernel directly.
// BUF-LABEL: func.func @forward
// BUF-NOT: bufferization.
// BUF: call @kiln_attention_f32(
func.func @forward(%q: tensor<2x4x6xf32>, %k: tensor<2x5x6xf32>, %v: tensor<2x5x6xf32>, %m: tensor<4x5xf32>) -> tensor<2x4x6xf32> {
  %y = graph.attention %q, %k, %v, %m {heads = 3 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>, tensor<4x5xf32>) -> tensor<2x4x6xf32>
  return %y : tensor<2x4x6xf32>
}

// -----

// The gradient writes three fresh buffers.

// CHECK: func.func private @kiln_attention_grad_f32(
// CHECK-LABEL: func.func @gradient
// CHECK-COUNT-5: bufferization.to_buffer
// CHECK: %[[DQ:.*]] = memref.alloc() : memref<2x4x6xf32>
// CHECK: %[[DK:.*]] = memref.alloc() : memref<2x5x6xf32>
// CHECK: %[[DV:.*]] = memref.alloc() : memref<2x5x6xf32>
// CHECK: call @kiln_attention_grad_f32(
// CHECK-DAG: bufferization.to_tensor %[[DQ]] restrict writable
// CHECK-DAG: bufferization.to_tensor %[[DK]] restrict writable
// CHECK-DAG: bufferization.to_tensor %[[DV]] restrict writable
func.func @gradient(%q: tensor<2x4x6xf32>, %k: tensor<2x5x6xf32>, %v: tensor<2x5x6xf32>, %m: tensor<4x5xf32>, %g: tensor<2x4x6xf32>) -> (tensor<2x4x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>) {
  %dq, %dk, %dv = graph.attention_grad %q, %k, %v, %m, %g {heads = 3 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>, tensor<4x5xf32>, tensor<2x4x6xf32>) -> (tensor<2x4x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>)
  return %dq, %dk, %dv : tensor<2x4x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>
}
