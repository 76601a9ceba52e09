// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize))' | FileCheck %s
// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-and-vectorize{vector-width=16}))' | FileCheck %s --check-prefix=W16

// Each static linalg op is tiled to one element of every loop but the
// vectorized one, which is kept whole when it fits in `vector-width` and is
// otherwise cut into the largest power-of-two tile that divides it; the tiles
// are then vectorized.

#id = affine_map<(d0, d1) -> (d0, d1)>

// A row of 10 fits in one vector: one loop over rows, vector<1x10xf32>.

// CHECK-LABEL: func.func @row_fits_in_one_vector
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[R:.*]] = scf.for %[[I:.*]] = %[[C0]] to %[[C4]] step %[[C1]] iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<4x10xf32>)
// CHECK-NOT: scf.for
// CHECK: %[[V:.*]] = vector.transfer_read %[[X]][%[[I]], %[[C0]]], %{{.*}} {in_bounds = [true, true]} : tensor<4x10xf32>, vector<1x10xf32>
// CHECK: %[[E:.*]] = math.exp %[[V]] : vector<1x10xf32>
// CHECK: %[[W:.*]] = vector.transfer_write %[[E]], %[[ACC]][%[[I]], %[[C0]]] {in_bounds = [true, true]} : vector<1x10xf32>, tensor<4x10xf32>
// CHECK: scf.yield %[[W]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @row_fits_in_one_vector(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %e = tensor.empty() : tensor<4x10xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x10xf32>) outs(%e : tensor<4x10xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = math.exp %in : f32
    linalg.yield %1 : f32
  } -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#rows = affine_map<(d0, d1) -> (d0)>

// A 96-wide reduction is cut into vector<1x32> tiles (default width 32), or
// vector<1x16> with vector-width=16; the fill of the 4 accumulators is one
// vector.

// CHECK-LABEL: func.func @wide_reduction
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C96:.*]] = arith.constant 96 : index
// CHECK-DAG: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<4xf32>
// CHECK: %[[INIT:.*]] = vector.transfer_write %[[ZEROS]], %{{.*}} : vector<4xf32>, tensor<4xf32>
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[OUTER:.*]] = %[[INIT]])
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[C96]] step %[[C32]] iter_args(%[[ACC:.*]] = %[[OUTER]])
// CHECK: %[[V:.*]] = vector.transfer_read %{{.*}}[%[[I]], %[[J]]], %{{.*}} : tensor<4x96xf32>, vector<1x32xf32>
// CHECK: %[[A:.*]] = vector.transfer_read %[[ACC]][%[[I]]], %{{.*}} : tensor<4xf32>, vector<1xf32>
// CHECK: %[[S:.*]] = vector.multi_reduction <add>, %[[V]], %[[A]] [1] : vector<1x32xf32> to vector<1xf32>
// CHECK: vector.transfer_write %[[S]], %[[ACC]][%[[I]]]
// CHECK-NOT: linalg.

// W16-LABEL: func.func @wide_reduction
// W16-DAG: %[[C16:.*]] = arith.constant 16 : index
// W16-DAG: %[[C96:.*]] = arith.constant 96 : index
// W16: scf.for %{{.*}} = %{{.*}} to %[[C96]] step %[[C16]]
// W16: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<1x16xf32> to vector<1xf32>
func.func @wide_reduction(%x: tensor<4x96xf32>) -> tensor<4xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%cst : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [#id, #rows], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x96xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %1 = arith.addf %in, %acc : f32
    linalg.yield %1 : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// 100 = 4 * 25: the largest power of two up to 32 that divides it is 4, so
// every tile keeps a static shape. Size-1 dimensions get no loop.

// CHECK-LABEL: func.func @tile_divides_extent
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C100:.*]] = arith.constant 100 : index
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[C100]] step %[[C4]]
// CHECK-NOT: scf.for
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}, %[[J]]], %{{.*}} : tensor<1x100xf32>, vector<1x4xf32>
// CHECK: math.tanh %{{.*}} : vector<1x4xf32>
func.func @tile_divides_extent(%x: tensor<1x100xf32>) -> tensor<1x100xf32> {
  %e = tensor.empty() : tensor<1x100xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1x100xf32>) outs(%e : tensor<1x100xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = math.tanh %in : f32
    linalg.yield %1 : f32
  } -> tensor<1x100xf32>
  return %0 : tensor<1x100xf32>
}

// -----

// A rank-0 op has no loop to tile and is vectorized as is.

// CHECK-LABEL: func.func @rank0
// CHECK-NOT: scf.for
// CHECK-NOT: linalg.generic
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[] : vector<f32>, tensor<f32>
func.func @rank0(%a: tensor<f32>, %b: tensor<f32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<f32>
  %0 = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []}
      ins(%a, %b : tensor<f32>, tensor<f32>) outs(%e : tensor<f32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %1 = arith.addf %x, %y : f32
    linalg.yield %1 : f32
  } -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// A contraction is vectorized along N, its last parallel loop, which reads
// the right operand and the accumulator contiguously; K is a scalar loop.
// Each K step multiplies one lhs element into 32 columns and accumulates.

// CHECK-LABEL: func.func @matmul_along_n
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8x64xf32>, %[[C:.*]]: tensor<4x64xf32>)
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: scf.for %[[M:.*]] = %{{.*}} to %{{.*}} step %[[C1]]
// CHECK: scf.for %[[N:.*]] = %{{.*}} to %[[C64]] step %[[C32]]
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %[[C8]] step %[[C1]]
// CHECK-DAG: %[[LHS:.*]] = vector.transfer_read %[[A]][%[[M]], %[[K]]], %{{.*}} : tensor<4x8xf32>, vector<1x1xf32>
// CHECK-DAG: %[[RHS:.*]] = vector.transfer_read %[[B]][%[[K]], %[[N]]], %{{.*}} : tensor<8x64xf32>, vector<1x32xf32>
// CHECK-DAG: %[[ACC:.*]] = vector.transfer_read %{{.*}}[%[[M]], %[[N]]], %{{.*}} : tensor<4x64xf32>, vector<1x32xf32>
// CHECK: %[[NEW:.*]] = vector.{{(contract|multi_reduction)}} {{.*}}, %[[ACC]]{{.*}} {{(into|to)}} vector<1x32xf32>
// CHECK: vector.transfer_write %[[NEW]], %{{.*}}[%[[M]], %[[N]]] {in_bounds = [true, true]} : vector<1x32xf32>, tensor<4x64xf32>
// CHECK-NOT: linalg.generic
func.func @matmul_along_n(%a: tensor<4x8xf32>, %b: tensor<8x64xf32>, %c: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<8x64xf32>) outs(%c : tensor<4x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %1 = arith.mulf %x, %y : f32
    %2 = arith.addf %acc, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

#idx = affine_map<(d0, d1) -> (d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// A gather (tensor.extract at a data-dependent index) is tiled but not
// vectorized: the tile stays a linalg.generic on tensor<1x32>.

// CHECK-LABEL: func.func @gather_stays_linalg
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-NOT: scf.for
// CHECK: %[[IDX:.*]] = tensor.extract_slice %{{.*}}[%[[I]]] [1] [1] : tensor<8xi32> to tensor<1xi32>
// CHECK: %[[OUT:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [1, 32] [1, 1] : tensor<8x32xf32> to tensor<1x32xf32>
// CHECK: %[[T:.*]] = linalg.generic {{.*}} ins(%[[IDX]] : tensor<1xi32>) outs(%[[OUT]] : tensor<1x32xf32>)
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<64x32xf32>
// CHECK: tensor.insert_slice %[[T]] into %{{.*}}[%[[I]], 0] [1, 32] [1, 1]
// CHECK-NOT: vector.
func.func @gather_stays_linalg(%t: tensor<64x32xf32>, %i: tensor<8xi32>) -> tensor<8x32xf32> {
  %e = tensor.empty() : tensor<8x32xf32>
  %0 = linalg.generic {indexing_maps = [#idx, #id], iterator_types = ["parallel", "parallel"]}
      ins(%i : tensor<8xi32>) outs(%e : tensor<8x32xf32>) {
  ^bb0(%in: i32, %out: f32):
    %1 = arith.index_cast %in : i32 to index
    %2 = linalg.index 1 : index
    %3 = tensor.extract %t[%1, %2] : tensor<64x32xf32>
    linalg.yield %3 : f32
  } -> tensor<8x32xf32>
  return %0 : tensor<8x32xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Ops on buffers are tiled the same way, but the tiles write in place: the
// loops carry nothing (no iter_args, no scf.yield of a value), each tile reads
// and writes a memref.subview of the operands with vector transfers, and the
// op is erased.

// CHECK-LABEL: func.func @memref_tiled
// CHECK-SAME: (%[[X:.*]]: memref<4x64xf32>, %[[Y:.*]]: memref<4x64xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[I:.*]] = %[[C0]] to %[[C4]] step %[[C1]] {
// CHECK-NEXT: scf.for %[[J:.*]] = %[[C0]] to %[[C64]] step %[[C32]] {
// CHECK-DAG: %[[XS:.*]] = memref.subview %[[X]][%[[I]], %[[J]]] [1, 32] [1, 1] : memref<4x64xf32> to memref<1x32xf32, strided<[64, 1], offset: ?>>
// CHECK-DAG: %[[YS:.*]] = memref.subview %[[Y]][%[[I]], %[[J]]] [1, 32] [1, 1] : memref<4x64xf32> to memref<1x32xf32, strided<[64, 1], offset: ?>>
// CHECK: %[[V:.*]] = vector.transfer_read %[[XS]][%[[C0]], %[[C0]]], %{{.*}} {in_bounds = [true, true]} : memref<1x32xf32, strided<[64, 1], offset: ?>>, vector<1x32xf32>
// CHECK: %[[E:.*]] = math.exp %[[V]] : vector<1x32xf32>
// CHECK: vector.transfer_write %[[E]], %[[YS]][%[[C0]], %[[C0]]] {in_bounds = [true, true]} : vector<1x32xf32>, memref<1x32xf32, strided<[64, 1], offset: ?>>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return
// CHECK-NOT: linalg.generic

// W16-LABEL: func.func @memref_tiled
// W16-DAG: %[[C16:.*]] = arith.constant 16 : index
// W16-DAG: %[[C64:.*]] = arith.constant 64 : index
// W16: scf.for %{{.*}} = %{{.*}} to %[[C64]] step %[[C16]] {
// W16: math.exp %{{.*}} : vector<1x16xf32>
// W16: vector.transfer_write %{{.*}} : vector<1x16xf32>, memref<1x16xf32, strided<[64, 1], offset: ?>>
func.func @memref_tiled(%x: memref<4x64xf32>, %y: memref<4x64xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x64xf32>) outs(%y : memref<4x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = math.exp %in : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A state update on buffers (an optimizer step after bufferization): the
// states are read from and written back into the same tiles of their own
// buffers; a row of 10 is one vector, so one loop over rows.

// CHECK-LABEL: func.func @memref_state_update
// CHECK-SAME: (%[[G:.*]]: memref<4x10xf32>, %[[P:.*]]: memref<4x10xf32>, %[[M:.*]]: memref<4x10xf32>)
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NOT: scf.for
// CHECK-DAG: %[[GS:.*]] = memref.subview %[[G]][%[[I]], 0] [1, 10] [1, 1]
// CHECK-DAG: %[[PS:.*]] = memref.subview %[[P]][%[[I]], 0] [1, 10] [1, 1]
// CHECK-DAG: %[[MS:.*]] = memref.subview %[[M]][%[[I]], 0] [1, 10] [1, 1]
// CHECK-DAG: %[[GV:.*]] = vector.transfer_read %[[GS]]{{.*}} : memref<1x10xf32, strided<[10, 1], offset: ?>>, vector<1x10xf32>
// CHECK-DAG: %[[PV:.*]] = vector.transfer_read %[[PS]]{{.*}} : memref<1x10xf32, strided<[10, 1], offset: ?>>, vector<1x10xf32>
// CHECK-DAG: %[[MV:.*]] = vector.transfer_read %[[MS]]{{.*}} : memref<1x10xf32, strided<[10, 1], offset: ?>>, vector<1x10xf32>
// CHECK-DAG: %[[NEWP:.*]] = arith.subf %[[PV]], %[[GV]] : vector<1x10xf32>
// CHECK-DAG: %[[NEWM:.*]] = arith.addf %[[MV]], %[[GV]] : vector<1x10xf32>
// CHECK-DAG: vector.transfer_write %[[NEWP]], %[[PS]]
// CHECK-DAG: vector.transfer_write %[[NEWM]], %[[MS]]
// CHECK: return
// CHECK-NOT: linalg.generic
func.func @memref_state_update(%g: memref<4x10xf32>, %p: memref<4x10xf32>, %m: memref<4x10xf32>) {
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g : memref<4x10xf32>) outs(%p, %m : memref<4x10xf32>, memref<4x10xf32>) {
  ^bb0(%gi: f32, %pi: f32, %mi: f32):
    %1 = arith.subf %pi, %gi : f32
    %2 = arith.addf %mi, %gi : f32
    linalg.yield %1, %2 : f32, f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#rows = affine_map<(d0, d1) -> (d0)>

// A reduction on buffers accumulates into a one-element view of its output.

// CHECK-LABEL: func.func @memref_reduction
// CHECK-SAME: (%[[X:.*]]: memref<4x96xf32>, %[[ACC:.*]]: memref<4xf32>)
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-DAG: %[[XS:.*]] = memref.subview %[[X]][%[[I]], %[[J]]] [1, 32] [1, 1]
// CHECK-DAG: %[[AS:.*]] = memref.subview %[[ACC]][%[[I]]] [1] [1]
// CHECK-DAG: %[[V:.*]] = vector.transfer_read %[[XS]]{{.*}} vector<1x32xf32>
// CHECK-DAG: %[[A:.*]] = vector.transfer_read %[[AS]]{{.*}} vector<1xf32>
// CHECK: %[[S:.*]] = vector.multi_reduction <add>, %[[V]], %[[A]] [1] : vector<1x32xf32> to vector<1xf32>
// CHECK: vector.transfer_write %[[S]], %[[AS]]
// CHECK-NOT: linalg.generic
func.func @memref_reduction(%x: memref<4x96xf32>, %acc: memref<4xf32>) {
  linalg.generic {indexing_maps = [#id, #rows], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x96xf32>) outs(%acc : memref<4xf32>) {
  ^bb0(%in: f32, %a: f32):
    %1 = arith.addf %in, %a : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A tensor op whose result is materialized into an argument (an in-place
// state update, see kiln-cpu-expose-entry-points) is left whole: tiles
// carrying that tensor through scf.for would defeat in-place bufferization.
// The op that computes its input is still tiled and vectorized.

// CHECK-LABEL: func.func @update_stays_whole
// CHECK-SAME: (%[[G:.*]]: tensor<4x64xf32>, %[[P:.*]]: tensor<4x64xf32> {bufferization.writable = true})
// CHECK: %[[SCALED:.*]] = scf.for
// CHECK: math.exp %{{.*}} : vector<1x32xf32>
// CHECK: scf.yield
// CHECK-NOT: scf.for
// CHECK-NOT: vector.
// CHECK: %[[NEW:.*]] = linalg.generic {{.*}} ins(%[[SCALED]] : tensor<4x64xf32>) outs(%[[P]] : tensor<4x64xf32>)
// CHECK: arith.subf %{{.*}}, %{{.*}} : f32
// CHECK: %[[W:.*]] = bufferization.materialize_in_destination %[[NEW]] in %[[P]]
// CHECK: return %[[W]]
func.func @update_stays_whole(%g: tensor<4x64xf32>, %p: tensor<4x64xf32> {bufferization.writable = true}) -> tensor<4x64xf32> {
  %e = tensor.empty() : tensor<4x64xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = math.exp %in : f32
    linalg.yield %1 : f32
  } -> tensor<4x64xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%scaled : tensor<4x64xf32>) outs(%p : tensor<4x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.subf %out, %in : f32
    linalg.yield %1 : f32
  } -> tensor<4x64xf32>
  %1 = bufferization.materialize_in_destination %0 in %p : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  return %1 : tensor<4x64xf32>
}

// -----

#scalar = affine_map<() -> ()>

// A rank-0 gather (one element at a data-dependent index) stays scalar:
// vectorizing it would produce a vector.gather with a scalar index, which does
// not verify.

// CHECK-LABEL: func.func @scalar_gather_stays_linalg
// CHECK-SAME: (%[[T:.*]]: tensor<10xf32>, %[[I:.*]]: tensor<i32>)
// CHECK-NOT: vector.
// CHECK: %[[R:.*]] = linalg.generic {{.*}} iterator_types = []} ins(%[[I]] : tensor<i32>)
// CHECK: tensor.extract %[[T]][%{{.*}}] : tensor<10xf32>
// CHECK-NOT: vector.
// CHECK: return %[[R]]
func.func @scalar_gather_stays_linalg(%t: tensor<10xf32>, %i: tensor<i32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<f32>
  %0 = linalg.generic {indexing_maps = [#scalar, #scalar], iterator_types = []}
      ins(%i : tensor<i32>) outs(%e : tensor<f32>) {
  ^bb0(%in: i32, %out: f32):
    %1 = arith.index_cast %in : i32 to index
    %2 = tensor.extract %t[%1] : tensor<10xf32>
    linalg.yield %2 : f32
  } -> tensor<f32>
  return %0 : tensor<f32>
}
