// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-gpu-linalg-to-parallel-loops))' \
// RUN:   | FileCheck %s

// A row reduction: one thread per row, the sum kept in a register (loaded
// before the loop, stored once after it).

// CHECK-LABEL: func.func @row_sums
// CHECK-SAME: (%[[X:.*]]: memref<16x64xf32>, %[[S:.*]]: memref<16xf32>)
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK-NEXT: %[[ROW:.*]] = affine.apply #{{.*}}(%[[I]])
// CHECK-NEXT: %[[INIT:.*]] = memref.load %[[S]][%[[ROW]]]
// CHECK-NEXT: %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
// CHECK-NOT: memref.store
// CHECK: arith.addf %{{.*}}, %[[ACC]]
// CHECK: memref.store %[[SUM]], %[[S]][%[[ROW]]]
#x = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
func.func @row_sums(%x: memref<16x64xf32>, %s: memref<16xf32>) {
  linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<16x64xf32>) outs(%s : memref<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %a, %acc : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A long full reduction runs in two kernels: 256 threads each sum 4 rows
// into a buffer of partial sums (from 0), then one thread adds the partials
// to the initial value, in order.

// CHECK-LABEL: func.func @full_sum
// CHECK-SAME: (%[[X:.*]]: memref<1024x8xf32>, %[[S:.*]]: memref<f32>)
// CHECK: %[[PARTS:.*]] = memref.alloc() : memref<256xf32>
// CHECK: scf.parallel (%[[P:.*]]) = (%{{.*}}) to (%[[PARTCOUNT:.*]]) step
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PART:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]])
// CHECK: memref.store %[[PART]], %[[PARTS]][%[[P]]]
// CHECK: scf.parallel
// CHECK: %[[INIT:.*]] = memref.load %[[S]][]
// CHECK: %[[SUM:.*]] = scf.for %[[Q:.*]] = %{{.*}} to %[[PARTCOUNT]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]])
// CHECK-NEXT: %[[V:.*]] = memref.load %[[PARTS]][%[[Q]]]
// CHECK-NEXT: arith.addf
// CHECK: memref.store %[[SUM]], %[[S]][]
#x = affine_map<(i, j) -> (i, j)>
#all = affine_map<(i, j) -> ()>
func.func @full_sum(%x: memref<1024x8xf32>, %s: memref<f32>) {
  linalg.generic {indexing_maps = [#x, #all], iterator_types = ["reduction", "reduction"]}
      ins(%x : memref<1024x8xf32>) outs(%s : memref<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %a, %acc : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A maximum's parts (64 of 16 elements) start from -infinity.

// CHECK-LABEL: func.func @full_max
// CHECK: memref.alloc() : memref<64xf32>
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
#v = affine_map<(i) -> (i)>
#all = affine_map<(i) -> ()>
func.func @full_max(%x: memref<1024xf32>, %m: memref<f32>) {
  linalg.generic {indexing_maps = [#v, #all], iterator_types = ["reduction"]}
      ins(%x : memref<1024xf32>) outs(%m : memref<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.maximumf %a, %acc : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A short full reduction (128 elements) stays one thread.

// CHECK-LABEL: func.func @short_sum
// CHECK-NOT: memref.alloc
// CHECK: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK: %[[ONE:.*]] = arith.constant 1 : index
// CHECK: scf.parallel (%{{.*}}) = (%[[ZERO]]) to (%[[ONE]]) step (%[[ONE]])
// CHECK-NOT: scf.parallel
#x = affine_map<(i, j) -> (i, j)>
#all = affine_map<(i, j) -> ()>
func.func @short_sum(%x: memref<16x8xf32>, %s: memref<f32>) {
  linalg.generic {indexing_maps = [#x, #all], iterator_types = ["reduction", "reduction"]}
      ins(%x : memref<16x8xf32>) outs(%s : memref<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %a, %acc : f32
    linalg.yield %t : f32
  }
  return
}
