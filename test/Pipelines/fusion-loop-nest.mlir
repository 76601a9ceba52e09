// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-lower-graph-to-linalg,canonicalize,cse,kiln-lower-fuse-elementwise,func.func(kiln-cpu-tile-and-vectorize),canonicalize,cse,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-linalg-to-loops))' | FileCheck %s --check-prefix=VEC
// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-lower-graph-to-linalg,canonicalize,cse,kiln-lower-fuse-elementwise,canonicalize,cse,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(convert-linalg-to-loops))' | FileCheck %s --check-prefix=LOOPS

// The CPU pipeline up to loops: sum(exp(x * y + z), axis 1) over a 2-D tensor
// is ONE loop nest that computes exp and accumulates it, with no intermediate
// 16x64 buffer. Unfused, it would be a nest writing exp to memory followed by
// a second nest reading it back.

// With tiling and vectorization: a row loop around a loop over vector<1x32>
// tiles whose body reduces into the row's accumulator.

// VEC-LABEL: func.func @sum_exp_fma
// VEC-SAME: (%[[X:.*]]: memref<16x64xf32>, %[[Y:.*]]: memref<16x64xf32>, %[[Z:.*]]: memref<64xf32>) -> memref<16xf32>
// VEC-NOT: scf.for
// VEC-NOT: math.exp
// VEC: %[[SUMS:.*]] = memref.alloc() {{.*}} : memref<16xf32>
// VEC-NOT: memref.alloc
// VEC-NOT: scf.for
// VEC: %[[NEST:.*]] = scf.for %[[I:[^ ]+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[OUTER:[^ ]+]] = %[[SUMS]]) -> (memref<16xf32>) {
// VEC-NEXT: %[[INNER:.*]] = scf.for %[[J:[^ ]+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:[^ ]+]] = %[[OUTER]]) -> (memref<16xf32>) {
// VEC-NOT: scf.for
// VEC-DAG: %[[XV:.*]] = vector.transfer_read %[[X]][%[[I]], %[[J]]]{{.*}} : memref<16x64xf32>, vector<1x32xf32>
// VEC-DAG: %[[YV:.*]] = vector.transfer_read %[[Y]][%[[I]], %[[J]]]{{.*}} : memref<16x64xf32>, vector<1x32xf32>
// VEC-DAG: %[[ZV:.*]] = vector.transfer_read %[[Z]][%[[J]]]{{.*}} : memref<64xf32>, vector<32xf32>
// VEC-DAG: %[[OLD:.*]] = vector.transfer_read %[[ACC]][%[[I]]]{{.*}} : memref<16xf32>, vector<1xf32>
// VEC-DAG: %[[PROD:.*]] = arith.mulf %[[XV]], %[[YV]] : vector<1x32xf32>
// VEC-DAG: %[[ZB:.*]] = vector.broadcast %[[ZV]] : vector<32xf32> to vector<1x32xf32>
// VEC: %[[SUM:.*]] = arith.addf %[[PROD]], %[[ZB]] : vector<1x32xf32>
// VEC-NEXT: %[[EXP:.*]] = math.exp %[[SUM]] : vector<1x32xf32>
// VEC-NEXT: %[[NEW:.*]] = vector.multi_reduction <add>, %[[EXP]], %[[OLD]] [1] : vector<1x32xf32> to vector<1xf32>
// VEC-NEXT: vector.transfer_write %[[NEW]], %[[ACC]][%[[I]]]
// VEC-NEXT: scf.yield %[[ACC]] : memref<16xf32>
// VEC-NEXT: }
// VEC-NEXT: scf.yield %[[INNER]] : memref<16xf32>
// VEC-NEXT: }
// VEC-NOT: scf.for
// VEC-NOT: math.exp
// VEC-NEXT: return %[[NEST]] : memref<16xf32>

// Without vectorization: scalar loops, the fill of the sums aside.

// LOOPS-LABEL: func.func @sum_exp_fma
// LOOPS-SAME: (%[[X:.*]]: memref<16x64xf32>, %[[Y:.*]]: memref<16x64xf32>, %[[Z:.*]]: memref<64xf32>) -> memref<16xf32>
// LOOPS-DAG: %[[C0:.*]] = arith.constant 0 : index
// LOOPS-DAG: %[[C1:.*]] = arith.constant 1 : index
// LOOPS-DAG: %[[C16:.*]] = arith.constant 16 : index
// LOOPS-DAG: %[[C64:.*]] = arith.constant 64 : index
// LOOPS-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// LOOPS: %[[SUMS:.*]] = memref.alloc() {{.*}} : memref<16xf32>
// LOOPS-NOT: memref.alloc
// LOOPS-NEXT: scf.for %[[K:[^ ]+]] = %[[C0]] to %[[C16]] step %[[C1]] {
// LOOPS-NEXT: memref.store %[[ZERO]], %[[SUMS]][%[[K]]] : memref<16xf32>
// LOOPS-NEXT: }
// LOOPS-NEXT: scf.for %[[I:[^ ]+]] = %[[C0]] to %[[C16]] step %[[C1]] {
// LOOPS-NEXT: scf.for %[[J:[^ ]+]] = %[[C0]] to %[[C64]] step %[[C1]] {
// LOOPS-DAG: %[[XS:.*]] = memref.load %[[X]][%[[I]], %[[J]]] : memref<16x64xf32>
// LOOPS-DAG: %[[YS:.*]] = memref.load %[[Y]][%[[I]], %[[J]]] : memref<16x64xf32>
// LOOPS-DAG: %[[ZS:.*]] = memref.load %[[Z]][%[[J]]] : memref<64xf32>
// LOOPS-DAG: %[[OLD:.*]] = memref.load %[[SUMS]][%[[I]]] : memref<16xf32>
// LOOPS: %[[PROD:.*]] = arith.mulf %[[XS]], %[[YS]] : f32
// LOOPS-NEXT: %[[SUM:.*]] = arith.addf %[[PROD]], %[[ZS]] : f32
// LOOPS-NEXT: %[[EXP:.*]] = math.exp %[[SUM]] : f32
// LOOPS-NEXT: %[[NEW:.*]] = arith.addf %[[EXP]], %[[OLD]] : f32
// LOOPS-NEXT: memref.store %[[NEW]], %[[SUMS]][%[[I]]] : memref<16xf32>
// LOOPS-NEXT: }
// LOOPS-NEXT: }
// LOOPS-NEXT: return %[[SUMS]] : memref<16xf32>
func.func @sum_exp_fma(%x: tensor<16x64xf32>, %y: tensor<16x64xf32>, %z: tensor<64xf32>) -> tensor<16xf32> {
  %0 = graph.mul %x, %y : (tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xf32>
  %1 = graph.add %0, %z : (tensor<16x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  %2 = graph.exp %1 : tensor<16x64xf32>
  %3 = graph.reduce_sum %2 {axes = array<i64: 1>} : (tensor<16x64xf32>) -> tensor<16xf32>
  return %3 : tensor<16xf32>
}
