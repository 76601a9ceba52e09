// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(kiln-cpu-contractions-to-blas,cse)' \
// RUN:   | FileCheck %s

// A rank-2 product left whole by tiling becomes one sgemm call; its zero fill
// goes, and the call overwrites C (accumulate = 0).

// CHECK-LABEL: func.func @plain
// CHECK-SAME: (%[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<8x16xf32>, %[[C:.*]]: memref<4x16xf32>)
// CHECK-NOT: linalg.fill
// CHECK-DAG: %[[CA:.*]] = memref.cast %[[A]] : memref<4x8xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK-DAG: %[[CB:.*]] = memref.cast %[[B]]
// CHECK-DAG: %[[CC:.*]] = memref.cast %[[C]]
// CHECK-DAG: %[[NO:.*]] = arith.constant 0 : i8
// CHECK: call @kiln_gemm_f32(%[[CA]], %[[CB]], %[[CC]], %[[NO]], %[[NO]], %[[NO]])
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
// CHECK: call @kiln_gemm_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[YES]], %[[NO]], %[[YES]])
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

// Batched products call the batched GEMM with rank-4 views: one batch
// dimension gets a leading unit dimension.

// CHECK-LABEL: func.func @batched
// CHECK-NOT: linalg.generic
// CHECK: %[[A:.*]] = memref.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] output_shape [1, 2, 4, 8]
// CHECK: %[[CA:.*]] = memref.cast %[[A]] : memref<1x2x4x8xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: call @kiln_gemm_batched_f32(%[[CA]], %{{.*}}, %{{.*}}, %c0_i8, %c0_i8, %c1_i8)
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

// -----

// Two batch dimensions (attention's batch and heads), B transposed: the
// views go as they are.

// CHECK-LABEL: func.func @two_batch_dims
// CHECK-NOT: memref.expand_shape
// CHECK: call @kiln_gemm_batched_f32(%{{.*}}, %{{.*}}, %{{.*}}, %c0_i8, %c1_i8, %c1_i8)
#qa = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#qb = affine_map<(b, h, m, n, k) -> (b, h, n, k)>
#qc = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
func.func @two_batch_dims(%a: memref<2x3x4x8xf32>, %b: memref<2x3x5x8xf32>, %c: memref<2x3x4x5xf32>) {
  linalg.generic {indexing_maps = [#qa, #qb, #qc], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x3x4x8xf32>, memref<2x3x5x8xf32>) outs(%c : memref<2x3x4x5xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A batch dimension that one operand broadcasts, or three of them, stays
// generated code.

// CHECK-LABEL: func.func @broadcast_batch_stays
// CHECK-NOT: call
// CHECK: linalg.generic
// CHECK-LABEL: func.func @three_batch_dims_stay
// CHECK-NOT: call
// CHECK: linalg.generic
#ra = affine_map<(b, m, n, k) -> (b, m, k)>
#rb = affine_map<(b, m, n, k) -> (k, n)>
#rc = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @broadcast_batch_stays(%a: memref<2x4x8xf32>, %b: memref<8x16xf32>, %c: memref<2x4x16xf32>) {
  linalg.generic {indexing_maps = [#ra, #rb, #rc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x4x8xf32>, memref<8x16xf32>) outs(%c : memref<2x4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
#ta = affine_map<(a, b, c, m, n, k) -> (a, b, c, m, k)>
#tb = affine_map<(a, b, c, m, n, k) -> (a, b, c, k, n)>
#tc = affine_map<(a, b, c, m, n, k) -> (a, b, c, m, n)>
func.func @three_batch_dims_stay(%a: memref<2x2x2x4x8xf32>, %b: memref<2x2x2x8x16xf32>, %c: memref<2x2x2x4x16xf32>) {
  linalg.generic {indexing_maps = [#ta, #tb, #tc], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x2x2x4x8xf32>, memref<2x2x2x8x16xf32>) outs(%c : memref<2x2x2x4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// One zero fill shared by two products: bufferization copies it into each
// product's buffer. Both calls overwrite instead of accumulating, and the
// copies go; so does the fill, once nothing reads it.
// CHECK-LABEL: func.func @shared_zero_fill
// CHECK-NOT:     memref.copy
// CHECK-NOT:     linalg.fill
// CHECK:         %[[OVERWRITE:.*]] = arith.constant 0 : i8
// CHECK:         call @kiln_gemm_f32({{.*}}, %[[OVERWRITE]])
// CHECK:         call @kiln_gemm_f32({{.*}}, %[[OVERWRITE]])
// CHECK-NOT:     memref.copy
func.func @shared_zero_fill(%a: memref<4x8xf32>, %b: memref<8x16xf32>,
                            %c: memref<4x16xf32>, %d: memref<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %zeros = memref.alloc() : memref<4x16xf32>
  linalg.fill ins(%zero : f32) outs(%zeros : memref<4x16xf32>)
  memref.copy %zeros, %c : memref<4x16xf32> to memref<4x16xf32>
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>)
                outs(%c : memref<4x16xf32>)
  memref.copy %zeros, %d : memref<4x16xf32> to memref<4x16xf32>
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>)
                outs(%d : memref<4x16xf32>)
  memref.dealloc %zeros : memref<4x16xf32>
  return
}

// -----

// A loop writing the buffer between its zero fill and the product: the call
// accumulates into what the loop left.
// CHECK-LABEL: func.func @written_in_a_loop
// CHECK:         linalg.fill
// CHECK:         scf.for
// CHECK:         %[[ACCUMULATE:.*]] = arith.constant 1 : i8
// CHECK:         call @kiln_gemm_f32({{.*}}, %[[ACCUMULATE]])
func.func @written_in_a_loop(%a: memref<4x8xf32>, %b: memref<8x16xf32>,
                             %c: memref<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  linalg.fill ins(%zero : f32) outs(%c : memref<4x16xf32>)
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %one, %c[%i, %c0] : memref<4x16xf32>
  }
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>)
                outs(%c : memref<4x16xf32>)
  return
}
