// RUN: kiln-opt %s --split-input-file --kiln-gpu-read-only-inputs \
// RUN:   -verify-diagnostics | FileCheck %s

// A train step's updated parameter is written into its argument (which
// becomes writable); every other input is read-only.

// CHECK-LABEL: func.func @step
// CHECK-SAME: %[[P:.*]]: tensor<4xf32> {bufferization.writable = true}
// CHECK-SAME: %{{.*}}: tensor<4xf32> {bufferization.writable = false}
// CHECK: %[[NEW:.*]] = graph.add
// CHECK: %[[W:.*]] = bufferization.materialize_in_destination %[[NEW]] in %[[P]]
// CHECK: return %{{.*}}, %[[W]]
func.func @step(%p: tensor<4xf32>, %g: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32> {kiln.updates = 0 : i64}) {
  %n = graph.add %p, %g : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %g, %n : tensor<4xf32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{result #0 cannot update argument #2: it does not exist or has another type}}
func.func @no_such_argument(%p: tensor<4xf32>, %g: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 2 : i64}) {
  return %p : tensor<4xf32>
}

// -----

// expected-error @+1 {{argument #0 is updated twice}}
func.func @updated_twice(%p: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 0 : i64}, tensor<4xf32> {kiln.updates = 0 : i64}) {
  return %p, %p : tensor<4xf32>, tensor<4xf32>
}
