// RUN: kiln-opt %s --kiln-cpu-attention-to-runtime --verify-diagnostics

// The runtime's kernels take f32 only; other types are expanded earlier.

func.func @f64(%q: tensor<2x4x6xf64>, %m: tensor<4x4xf64>) -> tensor<2x4x6xf64> {
  // expected-error @+1 {{'graph.attention' op has no CPU kernel for 'f64'; expand it first (--kiln-lower-expand-attention)}}
  %y = graph.attention %q, %q, %q, %m {heads = 3 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf64>, tensor<2x4x6xf64>, tensor<2x4x6xf64>, tensor<4x4xf64>) -> tensor<2x4x6xf64>
  return %y : tensor<2x4x6xf64>
}
