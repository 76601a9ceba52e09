// RUN: kiln-opt %s --split-input-file --kiln-exp-resolve-invokes --verify-diagnostics

// A callee must be bufferized before its invokes become calls.

func.func @forward(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %0 = graph.constant dense<0.0> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
func.func @main(%x: memref<2x4xf32>, %out: memref<2x3xf32>) {
  // expected-error @+1 {{'exp.invoke' op 'forward' of type '(tensor<2x4xf32>) -> tensor<2x3xf32>' is not yet bufferized to take these buffers; run the graph pipeline's bufferization first}}
  exp.invoke @forward(%x, %out) : memref<2x4xf32>, memref<2x3xf32>
  return
}

// -----

// Updated in place, the parameter is no result of the bufferized step; a
// step still returning it is not bufferized yet.
func.func @step(%w: tensor<4xf32>, %t: tensor<f32>)
    -> (tensor<f32>, tensor<4xf32> {kiln.updates = 0 : i64}) {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0, %w : tensor<f32>, tensor<4xf32>
}
func.func @main(%w: memref<4xf32>, %t: memref<f32>, %loss: memref<f32>) {
  // expected-error @+1 {{'exp.invoke' op 'step' of type '(tensor<4xf32>, tensor<f32>) -> (tensor<f32>, tensor<4xf32>)' is not yet bufferized to take these buffers}}
  exp.invoke @step(%w, %t, %loss) : memref<4xf32>, memref<f32>, memref<f32>
  return
}

// -----

// On buffers but returning its result: the results must be out-parameters.
func.func @returns(%x: memref<2x4xf32>) -> memref<2x3xf32> {
  %0 = memref.alloc() : memref<2x3xf32>
  return %0 : memref<2x3xf32>
}
func.func @main(%x: memref<2x4xf32>, %out: memref<2x3xf32>) {
  // expected-error @+1 {{'exp.invoke' op 'returns' of type '(memref<2x4xf32>) -> memref<2x3xf32>' is not yet bufferized to take these buffers}}
  exp.invoke @returns(%x, %out) : memref<2x4xf32>, memref<2x3xf32>
  return
}
