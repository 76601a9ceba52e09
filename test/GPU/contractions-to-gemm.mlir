// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(kiln-gpu-contractions-to-gemm,cse)' \
// RUN:   | FileCheck %s

// A rank-2 product after bufferization becomes one GEMM call; its zero fill
// goes, and the call overwrites C (accumulate = 0).

// CHECK-LABEL: func.func @plain
// CHECK-SAME: (%[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<8x16xf32>, %[[C:.*]]: memref<4x16xf32>)
// CHECK-NOT: linalg.fill
// CHECK-DAG: %[[CA:.*]] = memref.cast %[[A]] : memref<4x8xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK-DAG: %[[CB:.*]] = memref.cast %[[B]]
// CHECK-DAG: %[[CC:.*]] = memref.cast %[[C]]
// CHECK-DAG: %[[NO:.*]] = arith.constant 0 : i8
// CHECK: call @kiln_gpu_gemm(%[[CA]], %[[CB]], %[[CC]], %[[NO]], %[[NO]], %[[NO]])
// CHECK-NOT: linalg.generic
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @plain(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<4x16xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Transposed operands set the flags; without a zero fill right before it the
// call accumulates into C.

// CHECK-LABEL: func.func @transposed_accumulating
// CHECK-DAG: %[[NO:.*]] = arith.constant 0 : i8
// CHECK-DAG: %[[YES:.*]] = arith.constant 1 : i8
// CHECK: call @kiln_gpu_gemm(%{{.*}}, %{{.*}}, %{{.*}}, %[[YES]], %[[NO]], %[[YES]])
#at = affine_map<(m, n, k) -> (k, m)>
#b2 = affine_map<(m, n, k) -> (k, n)>
#c2 = affine_map<(m, n, k) -> (m, n)>
func.func @transposed_accumulating(%a: memref<8x4xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.generic {indexing_maps = [#at, #b2, #c2], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x4xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A batched product calls the batched GEMM on rank-4 views, a single batch
// dimension preceded by a unit one; without a zero fill it accumulates.

// CHECK-LABEL: func.func @batched
// CHECK-SAME: (%[[A:.*]]: memref<2x4x8xf32>, %[[B:.*]]: memref<2x8x16xf32>, %[[C:.*]]: memref<2x4x16xf32>)
// CHECK: %[[EA:.*]] = memref.expand_shape %[[A]] {{\[}}[0, 1], [2], [3]] output_shape [1, 2, 4, 8]
// CHECK: %[[CA:.*]] = memref.cast %[[EA]] : memref<1x2x4x8xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: %[[EB:.*]] = memref.expand_shape %[[B]]
// CHECK: %[[CB:.*]] = memref.cast %[[EB]]
// CHECK: %[[EC:.*]] = memref.expand_shape %[[C]]
// CHECK: %[[CC:.*]] = memref.cast %[[EC]]
// CHECK-DAG: %[[NO:.*]] = arith.constant 0 : i8
// CHECK-DAG: %[[YES:.*]] = arith.constant 1 : i8
// CHECK: call @kiln_gpu_gemm_batched(%[[CA]], %[[CB]], %[[CC]], %[[NO]], %[[NO]], %[[YES]])
// CHECK-NOT: linalg.generic
#ba = affine_map<(b, m, n, k) -> (b, m, k)>
#bb = affine_map<(b, m, n, k) -> (b, k, n)>
#bc = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @batched(%a: memref<2x4x8xf32>, %b: memref<2x8x16xf32>, %c: memref<2x4x16xf32>) {
  linalg.generic {indexing_maps = [#ba, #bb, #bc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x4x8xf32>, memref<2x8x16xf32>) outs(%c : memref<2x4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
