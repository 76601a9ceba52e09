// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-gpu-attention-to-loops))' \
// RUN:   -verify-diagnostics | FileCheck %s

// Forward: the 20 keys are walked in 2 parts of 10. A thread per (batch
// element * head, query row, part) keeps its query row (head size 2: two
// scalars), finds its part's largest score, then sums the softmax's terms
// and the weighted value rows relative to it, keys masked with -inf
// skipped; a thread per query row combines the parts in order and divides
// once. Operands are read through contiguous buffers.

// CHECK-LABEL: func.func @forward
// CHECK-DAG: %[[K:[a-z0-9_]+]] = bufferization.to_buffer %arg1 read_only : tensor<1x20x4xf32> to memref<1x20x4xf32>
// CHECK-DAG: %[[V:[a-z0-9_]+]] = bufferization.to_buffer %arg2 read_only
// CHECK-DAG: %[[M:[a-z0-9_]+]] = bufferization.to_buffer %arg3 read_only
// CHECK: %[[Y:[a-z0-9_]+]] = memref.alloc() : memref<1x3x4xf32>
// CHECK: %[[MAXIMA:[a-z0-9_]+]] = memref.alloc() : memref<2x3x2xf32>
// CHECK: %[[SUMS:[a-z0-9_]+]] = memref.alloc() : memref<2x3x2xf32>
// CHECK: %[[ROWS:[a-z0-9_]+]] = memref.alloc() : memref<2x3x2x2xf32>
// CHECK: scf.parallel (%[[BH:[a-z0-9_]+]], %[[T:[a-z0-9_]+]], %[[PART:[a-z0-9_]+]]) =
// CHECK: %[[LO:[a-z0-9_]+]] = arith.muli %[[PART]], %{{.*}} : index
// CHECK: %[[HI:[a-z0-9_]+]] = arith.minui %{{.*}}, %{{.*}} : index
// CHECK: %[[MAX:[a-z0-9_]+]] = scf.for %[[S:[a-z0-9_]+]] = %[[LO]] to %[[HI]] {{.*}} -> (f32) {
// CHECK: %[[MS:[a-z0-9_]+]] = memref.load %[[M]][%[[T]], %[[S]]]
// CHECK: %[[OPEN:[a-z0-9_]+]] = arith.cmpf une, %[[MS]], %{{.*}} : f32
// CHECK: scf.if %[[OPEN]] -> (f32) {
// CHECK: memref.load %[[K]]
// CHECK: arith.maximumf
// CHECK: } else {
// CHECK: %[[PARTSUMS:[a-z0-9_]+]]:3 = scf.for {{.*}} = %[[LO]] to %[[HI]] {{.*}} -> (f32, f32, f32) {
// CHECK: arith.subf %{{.*}}, %[[MAX]] : f32
// CHECK: math.exp
// CHECK: memref.load %[[V]]
// CHECK: memref.store %[[MAX]], %[[MAXIMA]][%[[BH]], %[[T]], %[[PART]]]
// CHECK: memref.store %[[PARTSUMS]]#0, %[[SUMS]][%[[BH]], %[[T]], %[[PART]]]
// CHECK-COUNT-2: memref.store %{{.*}}, %[[ROWS]][%[[BH]], %[[T]], %[[PART]], %{{.*}}]
// CHECK: } {kiln.threads_per_block = 64 : i64}
// CHECK: scf.parallel
// CHECK: %[[TOP:[a-z0-9_]+]] = scf.for {{.*}} -> (f32) {
// CHECK: arith.maximumf
// CHECK: %[[ROW:[a-z0-9_]+]]:3 = scf.for {{.*}} -> (f32, f32, f32) {
// CHECK: arith.subf %{{.*}}, %[[TOP]] : f32
// CHECK: math.exp
// CHECK: %[[INV:[a-z0-9_]+]] = arith.divf %{{.*}}, %[[ROW]]#0 : f32
// CHECK: %[[Y0:[a-z0-9_]+]] = arith.mulf %[[ROW]]#1, %[[INV]] : f32
// CHECK: memref.store %[[Y0]], %[[Y]]
// CHECK: %[[Y1:[a-z0-9_]+]] = arith.mulf %[[ROW]]#2, %[[INV]] : f32
// CHECK: memref.store %[[Y1]], %[[Y]]
// CHECK: } {kiln.threads_per_block = 64 : i64}
// CHECK-NOT: scf.parallel
// CHECK: %[[R:[a-z0-9_]+]] = bufferization.to_tensor %[[Y]] restrict writable
// CHECK: return %[[R]]
func.func @forward(%q: tensor<1x3x4xf32>, %k: tensor<1x20x4xf32>, %v: tensor<1x20x4xf32>, %m: tensor<3x20xf32>) -> tensor<1x3x4xf32> {
  %y = graph.attention %q, %k, %v, %m {heads = 2 : i64, scale = 5.0e-01 : f64} : (tensor<1x3x4xf32>, tensor<1x20x4xf32>, tensor<1x20x4xf32>, tensor<3x20xf32>) -> tensor<1x3x4xf32>
  return %y : tensor<1x3x4xf32>
}

// -----

// Gradient: the forward's parts, combined into each query row's statistics
// (maximum, 1 / sum, dy . y); dq in parts of keys, then summed; dk and dv
// by key row in parts of queries (3 queries: one part), then summed.

// CHECK-LABEL: func.func @gradient
// CHECK: %[[DQ:[a-z0-9_]+]] = memref.alloc() : memref<1x3x4xf32>
// CHECK: %[[DK:[a-z0-9_]+]] = memref.alloc() : memref<1x20x4xf32>
// CHECK: %[[DV:[a-z0-9_]+]] = memref.alloc() : memref<1x20x4xf32>
// CHECK: %[[MAXIMA:[a-z0-9_]+]] = memref.alloc() : memref<2x3x1xf32>
// CHECK: %[[INVERSES:[a-z0-9_]+]] = memref.alloc() : memref<2x3x1xf32>
// CHECK: %[[DELTAS:[a-z0-9_]+]] = memref.alloc() : memref<2x3x1xf32>
// CHECK: scf.parallel
// CHECK: } {kiln.threads_per_block = 64 : i64}
// CHECK: scf.parallel
// CHECK: memref.store %{{.*}}, %[[MAXIMA]]
// CHECK: memref.store %{{.*}}, %[[INVERSES]]
// CHECK: memref.store %{{.*}}, %[[DELTAS]]
// CHECK: } {kiln.threads_per_block = 64 : i64}
// CHECK: %[[DQPARTS:[a-z0-9_]+]] = memref.alloc() : memref<2x3x2x2xf32>
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} -> (f32, f32) {
// CHECK-COUNT-2: memref.store %{{.*}}, %[[DQPARTS]]
// CHECK: scf.parallel
// CHECK-COUNT-2: memref.store %{{.*}}, %[[DQ]]
// CHECK: %[[DKPARTS:[a-z0-9_]+]] = memref.alloc() : memref<2x20x1x2xf32>
// CHECK: %[[DVPARTS:[a-z0-9_]+]] = memref.alloc() : memref<2x20x1x2xf32>
// CHECK: scf.parallel (%{{.*}}, %[[S:[a-z0-9_]+]]) =
// CHECK: scf.for %[[T:[a-z0-9_]+]] = {{.*}} -> (f32, f32, f32, f32) {
// CHECK: memref.load %{{.*}}[%[[T]], %[[S]]]
// CHECK-DAG: memref.load %[[MAXIMA]]
// CHECK-DAG: memref.load %[[INVERSES]]
// CHECK-DAG: memref.load %[[DELTAS]]
// CHECK: scf.parallel
// CHECK-COUNT-2: memref.store %{{.*}}, %[[DK]]
// CHECK-COUNT-2: memref.store %{{.*}}, %[[DV]]
// CHECK: bufferization.to_tensor %[[DQ]] restrict writable
// CHECK: bufferization.to_tensor %[[DK]] restrict writable
// CHECK: bufferization.to_tensor %[[DV]] restrict writable
func.func @gradient(%q: tensor<1x3x4xf32>, %k: tensor<1x20x4xf32>, %v: tensor<1x20x4xf32>, %m: tensor<3x20xf32>, %dy: tensor<1x3x4xf32>) -> (tensor<1x3x4xf32>, tensor<1x20x4xf32>, tensor<1x20x4xf32>) {
  %dq, %dk, %dv = graph.attention_grad %q, %k, %v, %m, %dy {heads = 2 : i64, scale = 5.0e-01 : f64} : (tensor<1x3x4xf32>, tensor<1x20x4xf32>, tensor<1x20x4xf32>, tensor<3x20xf32>, tensor<1x3x4xf32>) -> (tensor<1x3x4xf32>, tensor<1x20x4xf32>, tensor<1x20x4xf32>)
  return %dq, %dk, %dv : tensor<1x3x4xf32>, tensor<1x20x4xf32>, tensor<1x20x4xf32>
}

// -----

func.func @dynamic_batch(%q: tensor<?x8x32xf32>, %k: tensor<?x6x32xf32>, %v: tensor<?x6x32xf32>, %m: tensor<8x6xf32>) -> tensor<?x8x32xf32> {
  // expected-error @+1 {{'graph.attention' op needs static shapes on the GPU, got 'tensor<?x8x32xf32>'}}
  %y = graph.attention %q, %k, %v, %m {heads = 2 : i64, scale = 2.5e-01 : f64} : (tensor<?x8x32xf32>, tensor<?x6x32xf32>, tensor<?x6x32xf32>, tensor<8x6xf32>) -> tensor<?x8x32xf32>
  return %y : tensor<?x8x32xf32>
}
