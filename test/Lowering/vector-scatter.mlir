// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-linalg=vector-scatter | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-linalg | FileCheck %s --check-prefix=SCALAR

// On the CPU a scatter-add of rows (an embedding gradient) is an scf.forall
// over 16-feature chunks, each adding whole rows as vectors in row order
// (indices of any rank flattened): every element sums the same terms in the
// same order as the scalar nest the GPU pipeline maps to threads.

// CHECK-LABEL: func.func @embedding_grad
// CHECK-SAME: (%[[U:.*]]: tensor<4x8x64xf32>, %[[I:.*]]: tensor<4x8xi32>, %[[T:.*]]: tensor<10x64xf32>)
// CHECK-DAG: %[[FI:.*]] = tensor.collapse_shape %[[I]] {{\[}}[0, 1]] : tensor<4x8xi32> into tensor<32xi32>
// CHECK-DAG: %[[FU:.*]] = tensor.collapse_shape %[[U]] {{\[}}[0, 1], [2]] : tensor<4x8x64xf32> into tensor<32x64xf32>
// CHECK: scf.forall (%[[C:.*]]) in (4) shared_outs(%[[ACC:.*]] = %[[T]])
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[ACC]][0, %{{.*}}] [10, 16] [1, 1]
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[S:.*]] = %[[SLICE]])
// CHECK: tensor.extract %[[FI]][%[[ROW]]]
// CHECK: %[[UPDATE:.*]] = vector.transfer_read %[[FU]][%[[ROW]], %{{.*}}]{{.*}} : tensor<32x64xf32>, vector<16xf32>
// CHECK: %[[OLD:.*]] = vector.transfer_read %[[S]]
// CHECK: %[[SUM:.*]] = arith.addf %[[OLD]], %[[UPDATE]] : vector<16xf32>
// CHECK: vector.transfer_write %[[SUM]], %[[S]]
// CHECK: tensor.parallel_insert_slice
// SCALAR-LABEL: func.func @embedding_grad
// SCALAR-NOT: scf.forall
// SCALAR: scf.for
// SCALAR: tensor.insert
func.func @embedding_grad(%u: tensor<4x8x64xf32>, %i: tensor<4x8xi32>, %t: tensor<10x64xf32>) -> tensor<10x64xf32> {
  %s = graph.scatter_add %u, %i into %t : (tensor<4x8x64xf32>, tensor<4x8xi32>) into tensor<10x64xf32>
  return %s : tensor<10x64xf32>
}

// -----

// Rows that are not a multiple of 16 features (or under 32) keep the
// scalar nest.

// CHECK-LABEL: func.func @narrow
// CHECK-NOT: scf.forall
// CHECK: tensor.insert
func.func @narrow(%u: tensor<32x24xf32>, %i: tensor<32xi32>, %t: tensor<10x24xf32>) -> tensor<10x24xf32> {
  %s = graph.scatter_add %u, %i into %t : (tensor<32x24xf32>, tensor<32xi32>) into tensor<10x24xf32>
  return %s : tensor<10x24xf32>
}
