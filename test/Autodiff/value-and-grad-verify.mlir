// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}

func.func @g(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  // expected-error @+1 {{the first result of @f must be a scalar float tensor, got 'tensor<3xf32>'}}
  %l, %d = graph.value_and_grad @f(%x) {wrt = array<i64: 0>} : (tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %l, %d : tensor<3xf32>, tensor<3xf32>
}

// -----

func.func @f(%x: tensor<3xi32>) -> tensor<f32> {
  %c = graph.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

func.func @g(%x: tensor<3xi32>) -> (tensor<f32>, tensor<3xi32>) {
  // expected-error @+1 {{cannot differentiate with respect to operand #0 of integer type 'tensor<3xi32>'}}
  %l, %d = graph.value_and_grad @f(%x) {wrt = array<i64: 0>} : (tensor<3xi32>) -> (tensor<f32>, tensor<3xi32>)
  return %l, %d : tensor<f32>, tensor<3xi32>
}

// -----

func.func @f(%x: tensor<3xf32>) -> tensor<f32> {
  %c = graph.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

func.func @g(%x: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>) {
  // expected-error @+1 {{wrt index 0 is repeated}}
  %l, %d, %e = graph.value_and_grad @f(%x) {wrt = array<i64: 0, 0>} : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
  return %l, %d, %e : tensor<f32>, tensor<3xf32>, tensor<3xf32>
}

// -----

func.func @g(%x: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  // expected-error @+1 {{'missing' is not a function}}
  %l, %d = graph.value_and_grad @missing(%x) {wrt = array<i64: 0>} : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %l, %d : tensor<f32>, tensor<3xf32>
}

// -----

func.func @f(%x: tensor<3xf32>) -> tensor<f32> {
  %c = graph.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

func.func @g(%x: tensor<3xf32>) -> (tensor<f32>) {
  // expected-error @+1 {{results should be the callee's results followed by one gradient per wrt operand}}
  %l = graph.value_and_grad @f(%x) {wrt = array<i64: 0>} : (tensor<3xf32>) -> (tensor<f32>)
  return %l : tensor<f32>
}
