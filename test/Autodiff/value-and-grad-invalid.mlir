// RUN: kiln-opt %s --kiln-autodiff-value-and-grad --split-input-file --verify-diagnostics

// A gradient cannot flow through a comparison: the error points at the op in
// the differentiated function, with a note at the request.

func.func @step(%x: tensor<4xf32>) -> tensor<f32> {
  %zero = graph.constant dense<0.0> : tensor<4xf32>
  %c = graph.compare gt, %x, %zero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // expected-error @+1 {{cannot differentiate through 'graph.cast': it would need a gradient for its integer operand #0}}
  %f = graph.cast %c : tensor<4xi1> to tensor<4xf32>
  %s = graph.reduce_sum %f {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

func.func @grad(%x: tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>) {
  // expected-note @+1 {{gradient requested here}}
  %l, %dx = graph.value_and_grad @step(%x) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %l, %dx : tensor<f32>, tensor<4xf32>
}

// -----

func.func @predicted(%logits: tensor<2x5xf32>) -> tensor<f32> {
  %i = graph.argmax %logits : (tensor<2x5xf32>) -> tensor<2xi32>
  // expected-error @+1 {{cannot differentiate through 'graph.cast'}}
  %f = graph.cast %i : tensor<2xi32> to tensor<2xf32>
  %s = graph.reduce_sum %f {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

func.func @grad(%x: tensor<2x5xf32>) -> (tensor<f32>, tensor<2x5xf32>) {
  // expected-note @+1 {{gradient requested here}}
  %l, %dx = graph.value_and_grad @predicted(%x) {wrt = array<i64: 0>} : (tensor<2x5xf32>) -> (tensor<f32>, tensor<2x5xf32>)
  return %l, %dx : tensor<f32>, tensor<2x5xf32>
}

// -----

func.func @callee(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}

func.func @calls(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{cannot differentiate through a call; run --inline before autodiff}}
  %y = func.call @callee(%x) : (tensor<f32>) -> tensor<f32>
  return %y : tensor<f32>
}

func.func @grad(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %l, %dx = graph.value_and_grad @calls(%x) {wrt = array<i64: 0>} : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %l, %dx : tensor<f32>, tensor<f32>
}

// -----

// Solves are for baselines: no gradient flows through them.

func.func @ridge(%a: tensor<3x3xf32>, %b: tensor<3x1xf32>) -> tensor<f32> {
  // expected-error @+1 {{cannot differentiate through 'graph.cholesky_solve'}}
  %x = graph.cholesky_solve %a, %b : (tensor<3x3xf32>, tensor<3x1xf32>) -> tensor<3x1xf32>
  %s = graph.reduce_sum %x {axes = array<i64: 0, 1>} : (tensor<3x1xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

func.func @grad(%a: tensor<3x3xf32>, %b: tensor<3x1xf32>) -> (tensor<f32>, tensor<3x1xf32>) {
  // expected-note @+1 {{gradient requested here}}
  %l, %db = graph.value_and_grad @ridge(%a, %b) {wrt = array<i64: 1>} : (tensor<3x3xf32>, tensor<3x1xf32>) -> (tensor<f32>, tensor<3x1xf32>)
  return %l, %db : tensor<f32>, tensor<3x1xf32>
}
