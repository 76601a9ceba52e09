// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-gpu-map-parallel-loops))' \
// RUN:   -verify-diagnostics | FileCheck %s

// Threads go to the innermost dimension first (x), up to the option's 256
// per block; the rest of the nest becomes blocks.

// CHECK-LABEL: func.func @default_blocks
// CHECK: %[[C256:[a-z0-9_]+]] = arith.constant 256 : index
// CHECK: %[[X:[a-z0-9_]+]] = arith.muli %{{.*}}, %[[C256]] : index
// CHECK: scf.parallel {{.*}} step (%{{.*}}, %[[X]]) {
// CHECK: scf.parallel {{.*}} to (%{{.*}}, %[[X]]) step
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_y
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_y, map = (d0) -> (d0), bound = (d0) -> (d0)>, #gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
func.func @default_blocks(%out: memref<8x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c1024 = arith.constant 1024 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c1024) step (%c1, %c1) {
    memref.store %zero, %out[%i, %j] : memref<8x1024xf32>
  }
  return
}

// -----

// kiln.threads_per_block overrides the option: blocks of 64 threads.

// CHECK-LABEL: func.func @small_blocks
// CHECK: %[[C64:[a-z0-9_]+]] = arith.constant 64 : index
// CHECK: %[[X:[a-z0-9_]+]] = arith.muli %{{.*}}, %[[C64]] : index
// CHECK: scf.parallel {{.*}} step (%{{.*}}, %[[X]]) {
// CHECK: scf.parallel {{.*}} to (%{{.*}}, %[[X]]) step
func.func @small_blocks(%out: memref<8x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c1024 = arith.constant 1024 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c1024) step (%c1, %c1) {
    memref.store %zero, %out[%i, %j] : memref<8x1024xf32>
  } {kiln.threads_per_block = 64 : i64}
  return
}

// -----

func.func @dynamic_bounds(%out: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{needs constant bounds to map to the GPU}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %zero, %out[%i] : memref<?xf32>
  }
  return
}
