// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-gpu-attention-to-loops))' \
// RUN:   -verify-diagnostics | FileCheck %s

// Forward: one thread per (batch element, head, query row); a walk over the
// keys for the row's maximum, one for the softmax's sum and the weighted
// value rows (head size 2: two accumulators), keys masked with -inf
// skipped; the row divided once at the end. Operands are read in place.

// CHECK-LABEL: func.func @forward
// CHECK-DAG: %[[K:[a-z0-9_]+]] = bufferization.to_buffer %arg1 read_only : tensor<1x5x4xf32> to memref<1x5x4xf32>
// CHECK-DAG: %[[V:[a-z0-9_]+]] = bufferization.to_buffer %arg2 read_only
// CHECK-DAG: %[[M:[a-z0-9_]+]] = bufferization.to_buffer %arg3 read_only
// CHECK: %[[Y:[a-z0-9_]+]] = memref.alloc() : memref<1x3x4xf32>
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %[[T:[a-z0-9_]+]]) =
// CHECK: %[[MAX:[a-z0-9_]+]] = scf.for %[[S:[a-z0-9_]+]] = {{.*}} -> (f32) {
// CHECK: %[[MS:[a-z0-9_]+]] = memref.load %[[M]][%[[T]], %[[S]]]
// CHECK: %[[OPEN:[a-z0-9_]+]] = arith.cmpf une, %[[MS]], %{{.*}} : f32
// CHECK: scf.if %[[OPEN]] -> (f32) {
// CHECK: memref.load %[[K]]
// CHECK: arith.maximumf
// CHECK: } else {
// CHECK: %[[SUMS:[a-z0-9_]+]]:3 = scf.for {{.*}} -> (f32, f32, f32) {
// CHECK: arith.subf %{{.*}}, %[[MAX]] : f32
// CHECK: math.exp
// CHECK: memref.load %[[V]]
// CHECK: %[[INV:[a-z0-9_]+]] = arith.divf %{{.*}}, %[[SUMS]]#0 : f32
// CHECK: %[[Y0:[a-z0-9_]+]] = arith.mulf %[[SUMS]]#1, %[[INV]] : f32
// CHECK: memref.store %[[Y0]], %[[Y]]
// CHECK: %[[Y1:[a-z0-9_]+]] = arith.mulf %[[SUMS]]#2, %[[INV]] : f32
// CHECK: memref.store %[[Y1]], %[[Y]]
// CHECK: } {kiln.threads_per_block = 64 : i64}
// CHECK-NOT: scf.parallel
// CHECK: %[[R:[a-z0-9_]+]] = bufferization.to_tensor %[[Y]] restrict writable
// CHECK: return %[[R]]
func.func @forward(%q: tensor<1x3x4xf32>, %k: tensor<1x5x4xf32>, %v: tensor<1x5x4xf32>, %m: tensor<3x5xf32>) -> tensor<1x3x4xf32> {
  %y = graph.attention %q, %k, %v, %m {heads = 2 : i64, scale = 5.0e-01 : f64} : (tensor<1x3x4xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>, tensor<3x5xf32>) -> tensor<1x3x4xf32>
  return %y : tensor<1x3x4xf32>
}

// -----

// Gradient: a thread per query row stores the row's statistics (maximum,
// 1 / sum, dy . y: three [B, H, T] buffers) and sums dq; then a thread per
// key row walks the queries (the mask's column) and sums dk and dv.

// CHECK-LABEL: func.func @gradient
// CHECK: %[[DQ:[a-z0-9_]+]] = memref.alloc() : memref<1x3x4xf32>
// CHECK: %[[DK:[a-z0-9_]+]] = memref.alloc() : memref<1x5x4xf32>
// CHECK: %[[DV:[a-z0-9_]+]] = memref.alloc() : memref<1x5x4xf32>
// CHECK: %[[MAXIMA:[a-z0-9_]+]] = memref.alloc() : memref<1x2x3xf32>
// CHECK: %[[INVERSES:[a-z0-9_]+]] = memref.alloc() : memref<1x2x3xf32>
// CHECK: %[[DELTAS:[a-z0-9_]+]] = memref.alloc() : memref<1x2x3xf32>
// CHECK: scf.parallel (%[[N:[a-z0-9_]+]], %[[H:[a-z0-9_]+]], %[[T:[a-z0-9_]+]]) = {{.*}} to (%{{.*}}, %{{.*}}, %[[QUERIES:[a-z0-9_]+]]) step
// CHECK: memref.store %{{.*}}, %[[MAXIMA]][%[[N]], %[[H]], %[[T]]]
// CHECK: memref.store %{{.*}}, %[[INVERSES]][%[[N]], %[[H]], %[[T]]]
// CHECK: memref.store %{{.*}}, %[[DELTAS]][%[[N]], %[[H]], %[[T]]]
// CHECK: scf.for {{.*}} -> (f32, f32) {
// CHECK-COUNT-2: memref.store %{{.*}}, %[[DQ]]
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %[[S:[a-z0-9_]+]]) =
// CHECK: scf.for %[[T2:[a-z0-9_]+]] = {{.*}} -> (f32, f32, f32, f32) {
// CHECK: memref.load %{{.*}}[%[[T2]], %[[S]]]
// CHECK-DAG: memref.load %[[MAXIMA]]
// CHECK-DAG: memref.load %[[INVERSES]]
// CHECK-DAG: memref.load %[[DELTAS]]
// CHECK-COUNT-2: memref.store %{{.*}}, %[[DK]]
// CHECK-COUNT-2: memref.store %{{.*}}, %[[DV]]
// CHECK: bufferization.to_tensor %[[DQ]] restrict writable
// CHECK: bufferization.to_tensor %[[DK]] restrict writable
// CHECK: bufferization.to_tensor %[[DV]] restrict writable
func.func @gradient(%q: tensor<1x3x4xf32>, %k: tensor<1x5x4xf32>, %v: tensor<1x5x4xf32>, %m: tensor<3x5xf32>, %dy: tensor<1x3x4xf32>) -> (tensor<1x3x4xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>) {
  %dq, %dk, %dv = graph.attention_grad %q, %k, %v, %m, %dy {heads = 2 : i64, scale = 5.0e-01 : f64} : (tensor<1x3x4xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>, tensor<3x5xf32>, tensor<1x3x4xf32>) -> (tensor<1x3x4xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>)
  return %dq, %dk, %dv : tensor<1x3x4xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>
}

// -----

func.func @dynamic_batch(%q: tensor<?x8x32xf32>, %k: tensor<?x6x32xf32>, %v: tensor<?x6x32xf32>, %m: tensor<8x6xf32>) -> tensor<?x8x32xf32> {
  // expected-error @+1 {{'graph.attention' op needs static shapes on the GPU, got 'tensor<?x8x32xf32>'}}
  %y = graph.attention %q, %k, %v, %m {heads = 2 : i64, scale = 2.5e-01 : f64} : (tensor<?x8x32xf32>, tensor<?x6x32xf32>, tensor<?x6x32xf32>, tensor<8x6xf32>) -> tensor<?x8x32xf32>
  return %y : tensor<?x8x32xf32>
}
