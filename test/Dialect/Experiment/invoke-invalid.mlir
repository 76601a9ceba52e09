// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// exp.invoke checks its buffers against the callee's signature once
// bufferized: arguments, then out-buffers for results without kiln.updates.

func.func @step(%w: tensor<4xf32>, %t: tensor<f32>)
    -> (tensor<f32>, tensor<4xf32> {kiln.updates = 0 : i64}) {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0, %w : tensor<f32>, tensor<4xf32>
}
func.func @host(%w: memref<4xf32>, %t: memref<f32>, %loss: memref<f32>) {
  // The updated parameter needs no buffer of its own.
  // expected-error @+1 {{'exp.invoke' op buffers do not match 'step', which takes ('memref<4xf32>', 'memref<f32>', 'memref<f32>') once bufferized}}
  exp.invoke @step(%w, %t, %loss, %w) : memref<4xf32>, memref<f32>, memref<f32>, memref<4xf32>
  return
}

// -----

func.func @step(%w: tensor<4xf32>, %t: tensor<f32>)
    -> (tensor<f32>, tensor<4xf32> {kiln.updates = 0 : i64}) {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0, %w : tensor<f32>, tensor<4xf32>
}
func.func @host(%w: memref<4xf32>, %t: memref<f32>) {
  // The loss has no out-buffer.
  // expected-error @+1 {{'exp.invoke' op buffers do not match 'step', which takes ('memref<4xf32>', 'memref<f32>', 'memref<f32>') once bufferized}}
  exp.invoke @step(%w, %t) : memref<4xf32>, memref<f32>
  return
}

// -----

func.func @forward(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %0 = graph.constant dense<0.0> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
func.func @host(%x: memref<2x4xf64>, %out: memref<2x3xf32>) {
  // expected-error @+1 {{'exp.invoke' op buffers do not match 'forward', which takes ('memref<2x4xf32>', 'memref<2x3xf32>') once bufferized}}
  exp.invoke @forward(%x, %out) : memref<2x4xf64>, memref<2x3xf32>
  return
}

// -----

func.func @forward(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %0 = graph.constant dense<0.0> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
func.func @host(%x: memref<2x4xf32>, %out: memref<3x2xf32>) {
  // expected-error @+1 {{'exp.invoke' op buffers do not match 'forward', which takes ('memref<2x4xf32>', 'memref<2x3xf32>') once bufferized}}
  exp.invoke @forward(%x, %out) : memref<2x4xf32>, memref<3x2xf32>
  return
}

// -----

// A bufferized callee is taken as it is.
func.func @bufferized(%x: memref<2x4xf32>, %out: memref<f32>) {
  return
}
func.func @host(%x: memref<2x4xf32>, %out: memref<f32>) {
  // expected-error @+1 {{'exp.invoke' op buffers do not match 'bufferized', which takes ('memref<2x4xf32>', 'memref<f32>') once bufferized}}
  exp.invoke @bufferized(%x) : memref<2x4xf32>
  return
}

// -----

func.func @host(%x: memref<2x4xf32>) {
  // expected-error @+1 {{'exp.invoke' op 'nowhere' is not a function in this module}}
  exp.invoke @nowhere(%x) : memref<2x4xf32>
  return
}

// -----

exp.experiment @run hparams {} {
}
func.func @host() {
  // An experiment is a symbol but not a function. (Without buffers, the
  // generic form: the custom one cannot parse an empty type list.)
  // expected-error @+1 {{'exp.invoke' op 'run' is not a function in this module}}
  "exp.invoke"() {callee = @run} : () -> ()
  return
}

// -----

func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @host(%x: memref<2x4xf32>, %out: memref<f32>) {
  // expected-error @+1 {{'exp.invoke' op argument #0 of 'dynamic' is 'tensor<?x4xf32>', not a statically shaped tensor or buffer}}
  exp.invoke @dynamic(%x, %out) : memref<2x4xf32>, memref<f32>
  return
}

// -----

func.func @dynamic_result(%x: tensor<2x4xf32>, %n: tensor<i64>) -> (tensor<2x4xf32>, tensor<?xf32>) {
  %0 = graph.constant dense<0.0> : tensor<4xf32>
  %1 = tensor.cast %0 : tensor<4xf32> to tensor<?xf32>
  return %x, %1 : tensor<2x4xf32>, tensor<?xf32>
}
func.func @host(%x: memref<2x4xf32>, %n: memref<i64>, %out: memref<2x4xf32>, %dyn: memref<4xf32>) {
  // expected-error @+1 {{'exp.invoke' op result #1 of 'dynamic_result' is 'tensor<?xf32>', not a statically shaped tensor}}
  exp.invoke @dynamic_result(%x, %n, %out, %dyn) : memref<2x4xf32>, memref<i64>, memref<2x4xf32>, memref<4xf32>
  return
}

// -----

func.func @scalar(%x: f32) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @host(%x: memref<f32>, %out: memref<f32>) {
  // expected-error @+1 {{'exp.invoke' op argument #0 of 'scalar' is 'f32', not a statically shaped tensor or buffer}}
  exp.invoke @scalar(%x, %out) : memref<f32>, memref<f32>
  return
}

// -----

func.func @forward(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}
func.func @host(%x: memref<?x4xf32>, %out: memref<2x4xf32>) {
  // expected-error @+1 {{'exp.invoke' op operand #0 must be variadic of statically shaped memref of any type values, but got 'memref<?x4xf32>'}}
  exp.invoke @forward(%x, %out) : memref<?x4xf32>, memref<2x4xf32>
  return
}
