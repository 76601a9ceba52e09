// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-linalg | FileCheck %s

// With a key, dropout is one parallel generic drawing each element's
// Philox4x32-10 word from its row-major index (ten rounds: the multipliers
// appear ten times each), keeping it scaled by 1 / (1 - rate) when the word
// clears rate * 2^32.

// CHECK-LABEL: func.func @keyed
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[KEY:.*]]: tensor<2xi64>)
// CHECK-DAG: %[[SEED:.*]] = tensor.extract %[[KEY]][%{{.*}}] : tensor<2xi64>
// CHECK-DAG: %[[STEP:.*]] = tensor.extract %[[KEY]][%{{.*}}] : tensor<2xi64>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<4x8xf32>)
// CHECK: %[[ROW:.*]] = linalg.index 0 : index
// CHECK: %[[COL:.*]] = linalg.index 1 : index
// CHECK-COUNT-10: arith.constant 3528531795 : i64
// CHECK: %[[KEEP:.*]] = arith.cmpi uge, %{{.*}}, %{{.*}} : i32
// CHECK: %[[SCALED:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.select %[[KEEP]], %[[SCALED]], %{{.*}} : f32
func.func @keyed(%x: tensor<4x8xf32>, %key: tensor<2xi64>) -> tensor<4x8xf32> {
  %y = graph.dropout %x, %key {rate = 0.25 : f64, site = 1 : i64} : tensor<4x8xf32>, tensor<2xi64>
  return %y : tensor<4x8xf32>
}

// -----

// Without a key (evaluation) it is the identity.

// CHECK-LABEL: func.func @evaluation
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT: return %[[X]]
func.func @evaluation(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = graph.dropout %x {rate = 0.25 : f64, site = 0 : i64} : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
