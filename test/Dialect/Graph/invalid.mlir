// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// Every graph op rejects malformed IR with a message that names the rule.
// Shape errors of ops with inferred result types are reported twice: once
// with the rule, then as a failed inference.

//===----------------------------------------------------------------------===//
// constant, cast
//===----------------------------------------------------------------------===//

func.func @constant_not_tensor() {
  // expected-error @+1 {{'graph.constant' op result #0 must be ranked tensor of any type values, but got 'vector<4xf32>'}}
  %0 = graph.constant dense<1.0> : vector<4xf32>
  return
}

// -----

func.func @constant_result_type() {
  // expected-error @+2 {{'graph.constant' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'graph.constant' op failed to infer returned types}}
  %0 = "graph.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return
}

// -----

func.func @cast_shape(%a: tensor<4xf32>) {
  // expected-error @+1 {{'graph.cast' op requires the same shape for all operands and results}}
  %0 = graph.cast %a : tensor<4xf32> to tensor<4x1xi32>
  return
}

// -----

func.func @cast_unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{'graph.cast' op operand #0 must be ranked tensor of floating-point or signless integer values, but got 'tensor<*xf32>'}}
  %0 = "graph.cast"(%a) : (tensor<*xf32>) -> tensor<*xi32>
  return
}

// -----

// Casts convert between floats and signless integers (i1 included) only: the
// lowering has no conversion for index or complex elements.
func.func @cast_from_index(%a: tensor<4xindex>) {
  // expected-error @+1 {{'graph.cast' op operand #0 must be ranked tensor of floating-point or signless integer values, but got 'tensor<4xindex>'}}
  %0 = graph.cast %a : tensor<4xindex> to tensor<4xf32>
  return
}

// -----

func.func @cast_to_complex(%a: tensor<4xf32>) {
  // expected-error @+1 {{'graph.cast' op result #0 must be ranked tensor of floating-point or signless integer values, but got 'tensor<4xcomplex<f32>>'}}
  %0 = graph.cast %a : tensor<4xf32> to tensor<4xcomplex<f32>>
  return
}

//===----------------------------------------------------------------------===//
// Binary elementwise ops
//===----------------------------------------------------------------------===//

// -----

func.func @add_broadcast_mismatch(%a: tensor<4x8xf32>, %b: tensor<4x4xf32>) {
  // expected-error @+2 {{shapes [4, 8] and [4, 4] cannot be broadcast together}}
  // expected-error @+1 {{'graph.add' op failed to infer returned types}}
  %0 = graph.add %a, %b : (tensor<4x8xf32>, tensor<4x4xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @add_result_type(%a: tensor<4x1xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{'graph.add' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<4x1xf32>'}}
  // expected-error @+1 {{'graph.add' op failed to infer returned types}}
  %0 = graph.add %a, %b : (tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x1xf32>
  return
}

// -----

func.func @add_result_element_type(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'graph.add' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4xf16>'}}
  // expected-error @+1 {{'graph.add' op failed to infer returned types}}
  %0 = graph.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @sub_broadcast_mismatch(%a: tensor<2x3x4xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{shapes [2, 3, 4] and [2, 4] cannot be broadcast together}}
  // expected-error @+1 {{'graph.sub' op failed to infer returned types}}
  %0 = graph.sub %a, %b : (tensor<2x3x4xf32>, tensor<2x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @mul_element_types(%a: tensor<4xi32>, %b: tensor<4xi64>) {
  // expected-error @+2 {{element types 'i32' and 'i64' differ}}
  // expected-error @+1 {{'graph.mul' op failed to infer returned types}}
  %0 = graph.mul %a, %b : (tensor<4xi32>, tensor<4xi64>) -> tensor<4xi32>
  return
}

// -----

func.func @div_result_rank(%a: tensor<3x1xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'graph.div' op inferred type(s) 'tensor<3x4xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'graph.div' op failed to infer returned types}}
  %0 = graph.div %a, %b : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @max_index_elements(%a: tensor<4xindex>) {
  // expected-error @+1 {{'graph.max' op operand #0 must be ranked tensor of floating-point or signless integer values, but got 'tensor<4xindex>'}}
  %0 = graph.max %a, %a : (tensor<4xindex>, tensor<4xindex>) -> tensor<4xindex>
  return
}

// -----

func.func @min_broadcast_mismatch(%a: tensor<3xi32>, %b: tensor<4xi32>) {
  // expected-error @+2 {{shapes [3] and [4] cannot be broadcast together}}
  // expected-error @+1 {{'graph.min' op failed to infer returned types}}
  %0 = graph.min %a, %b : (tensor<3xi32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @pow_integer(%a: tensor<4x8xi32>) {
  // expected-error @+1 {{'graph.pow' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4x8xi32>'}}
  %0 = graph.pow %a, %a : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi32>
  return
}

// -----

func.func @pow_broadcast_mismatch(%a: tensor<2xf32>, %b: tensor<3x1x5xf32>) {
  // expected-error @+2 {{shapes [2] and [3, 1, 5] cannot be broadcast together}}
  // expected-error @+1 {{'graph.pow' op failed to infer returned types}}
  %0 = graph.pow %a, %b : (tensor<2xf32>, tensor<3x1x5xf32>) -> tensor<3x1x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// compare, select
//===----------------------------------------------------------------------===//

// -----

func.func @compare_element_types(%a: tensor<4xi32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{element types 'i32' and 'f32' differ}}
  // expected-error @+1 {{'graph.compare' op failed to infer returned types}}
  %0 = graph.compare lt, %a, %b : (tensor<4xi32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @compare_result_not_bool(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'graph.compare' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = graph.compare eq, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{shapes [2, 3] and [2] cannot be broadcast together}}
  // expected-error @+1 {{'graph.compare' op failed to infer returned types}}
  %0 = graph.compare ge, %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xi1>
  return
}

// -----

func.func @compare_bad_predicate(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'predicate' [eq, ne, lt, le, gt, ge]}}
  %0 = graph.compare foo, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @select_condition_not_bool(%c: tensor<4xi32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'graph.select' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = graph.select %c, %a, %a : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @select_branch_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+2 {{element types 'f32' and 'i32' differ}}
  // expected-error @+1 {{'graph.select' op failed to infer returned types}}
  %0 = graph.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

// The condition broadcasts together with both branches.
func.func @select_condition_shape(%c: tensor<3xi1>, %a: tensor<4xf32>) {
  // expected-error @+2 {{shapes [3] and [4] and [4] cannot be broadcast together}}
  // expected-error @+1 {{'graph.select' op failed to infer returned types}}
  %0 = graph.select %c, %a, %a : (tensor<3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Unary elementwise ops
//===----------------------------------------------------------------------===//

// -----

func.func @neg_result_type(%a: tensor<4xf32>) {
  // expected-error @+1 {{'graph.neg' op requires the same type for all operands and results}}
  %0 = "graph.neg"(%a) : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @abs_complex(%a: tensor<4xcomplex<f32>>) {
  // expected-error @+1 {{'graph.abs' op operand #0 must be ranked tensor of floating-point or signless integer values, but got 'tensor<4xcomplex<f32>>'}}
  %0 = graph.abs %a : tensor<4xcomplex<f32>>
  return
}

// -----

func.func @exp_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'graph.exp' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = graph.exp %a : tensor<4xi32>
  return
}

// -----

func.func @log_integer(%a: tensor<4xi64>) {
  // expected-error @+1 {{'graph.log' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi64>'}}
  %0 = graph.log %a : tensor<4xi64>
  return
}

// -----

func.func @sqrt_shape_change(%a: tensor<4xf32>) {
  // expected-error @+1 {{'graph.sqrt' op requires the same type for all operands and results}}
  %0 = "graph.sqrt"(%a) : (tensor<4xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @rsqrt_integer(%a: tensor<4xi8>) {
  // expected-error @+1 {{'graph.rsqrt' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi8>'}}
  %0 = graph.rsqrt %a : tensor<4xi8>
  return
}

// -----

func.func @tanh_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'graph.tanh' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = graph.tanh %a : tensor<4xi32>
  return
}

// -----

func.func @sigmoid_unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{'graph.sigmoid' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<*xf32>'}}
  %0 = "graph.sigmoid"(%a) : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @relu_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'graph.relu' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = graph.relu %a : tensor<4xi32>
  return
}

// -----

func.func @gelu_integer(%a: tensor<4xi1>) {
  // expected-error @+1 {{'graph.gelu' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi1>'}}
  %0 = graph.gelu %a : tensor<4xi1>
  return
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_contraction(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) {
  // expected-error @+2 {{matmul contraction dimensions differ: [4, 8] @ [4, 8] contracts 8 with 4}}
  // expected-error @+1 {{'graph.matmul' op failed to infer returned types}}
  %0 = graph.matmul %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// transpose_rhs contracts the last dimension of both operands: 8 with 16.
func.func @matmul_transposed_contraction(%q: tensor<4x16x8xf32>, %k: tensor<4x8x16xf32>) {
  // expected-error @+2 {{matmul contraction dimensions differ: [4, 16, 8] @ [4, 8, 16] contracts 8 with 16}}
  // expected-error @+1 {{'graph.matmul' op failed to infer returned types}}
  %0 = graph.matmul %q, %k {transpose_rhs} : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x8xf32>
  return
}

// -----

func.func @matmul_rank1(%a: tensor<8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+2 {{matmul operands need rank 2 or more, got [8] and [8, 4]}}
  // expected-error @+1 {{'graph.matmul' op failed to infer returned types}}
  %0 = graph.matmul %a, %b : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x4xf32>) {
  // expected-error @+2 {{matmul batch dimensions of [2, 4, 8] and [3, 8, 4] do not broadcast}}
  // expected-error @+1 {{'graph.matmul' op failed to infer returned types}}
  %0 = graph.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x4xf32>) -> tensor<2x4x4xf32>
  return
}

// -----

func.func @matmul_element_types(%a: tensor<4x8xf32>, %b: tensor<8x4xf16>) {
  // expected-error @+2 {{element types 'f32' and 'f16' differ}}
  // expected-error @+1 {{'graph.matmul' op failed to infer returned types}}
  %0 = graph.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf16>) -> tensor<4x4xf32>
  return
}

// -----

func.func @matmul_result_type(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) {
  // expected-error @+2 {{'graph.matmul' op inferred type(s) 'tensor<4x2xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{'graph.matmul' op failed to infer returned types}}
  %0 = graph.matmul %a, %b : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @matmul_integer(%a: tensor<4x4xi32>) {
  // expected-error @+1 {{'graph.matmul' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4x4xi32>'}}
  %0 = graph.matmul %a, %a : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi32>
  return
}

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_sum_axis_range(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'graph.reduce_sum' op failed to infer returned types}}
  %0 = graph.reduce_sum %a {axes = array<i64: 2>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

// 1 and -1 name the same dimension of a rank-2 tensor.
func.func @reduce_sum_repeated_axis(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{axis -1 is repeated}}
  // expected-error @+1 {{'graph.reduce_sum' op failed to infer returned types}}
  %0 = graph.reduce_sum %a {axes = array<i64: 1, -1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @reduce_sum_keepdims_result(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{'graph.reduce_sum' op inferred type(s) 'tensor<4x1xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'graph.reduce_sum' op failed to infer returned types}}
  %0 = graph.reduce_sum %a {axes = array<i64: 1>, keepdims} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @reduce_sum_missing_axes(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.reduce_sum' op requires attribute 'axes'}}
  %0 = graph.reduce_sum %a : (tensor<4x8xf32>) -> tensor<f32>
  return
}

// -----

func.func @reduce_mean_negative_axis_range(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{axis -3 is out of range for rank 2}}
  // expected-error @+1 {{'graph.reduce_mean' op failed to infer returned types}}
  %0 = graph.reduce_mean %a {axes = array<i64: -3>} : (tensor<4x8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @reduce_mean_integer(%a: tensor<4x8xi32>) {
  // expected-error @+1 {{'graph.reduce_mean' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4x8xi32>'}}
  %0 = graph.reduce_mean %a {axes = array<i64: 1>} : (tensor<4x8xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @reduce_max_repeated_axis(%a: tensor<2x3x4xi32>) {
  // expected-error @+2 {{axis 0 is repeated}}
  // expected-error @+1 {{'graph.reduce_max' op failed to infer returned types}}
  %0 = graph.reduce_max %a {axes = array<i64: 0, 2, 0>} : (tensor<2x3x4xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @softmax_axis_range(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.softmax' op axis 2 is out of range for rank 2}}
  %0 = graph.softmax %a {axis = 2 : i64} : tensor<4x8xf32>
  return
}

// -----

func.func @solve_not_square(%a: tensor<4x3xf32>, %b: tensor<4x1xf32>) {
  // expected-error @+1 {{'graph.cholesky_solve' op needs square n x n matrices and n rows on the right, found 'tensor<4x3xf32>' and 'tensor<4x1xf32>'}}
  %0 = graph.cholesky_solve %a, %b : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  return
}

// -----

func.func @solve_batch(%a: tensor<2x4x4xf32>, %b: tensor<3x4x1xf32>) {
  // expected-error @+1 {{'graph.cholesky_solve' op the batch dimensions differ: 'tensor<2x4x4xf32>' and 'tensor<3x4x1xf32>'}}
  %0 = graph.cholesky_solve %a, %b : (tensor<2x4x4xf32>, tensor<3x4x1xf32>) -> tensor<3x4x1xf32>
  return
}

// -----

func.func @solve_too_large(%a: tensor<17x17xf32>, %b: tensor<17x1xf32>) {
  // expected-error @+1 {{'graph.cholesky_solve' op solves systems of at most 16 unknowns, found 17}}
  %0 = graph.cholesky_solve %a, %b : (tensor<17x17xf32>, tensor<17x1xf32>) -> tensor<17x1xf32>
  return
}

// -----

func.func @solve_result_type(%a: tensor<4x4xf32>, %b: tensor<4x1xf32>) {
  // expected-error @+1 {{'graph.cholesky_solve' op the matrix, the right-hand side and the result must have one element type, and the result the right-hand side's type}}
  %0 = graph.cholesky_solve %a, %b : (tensor<4x4xf32>, tensor<4x1xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @norm_axis_range(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.layer_norm' op axis -3 is out of range for rank 2}}
  %0 = graph.layer_norm %a {axis = -3 : i64} : tensor<4x8xf32>
  return
}

// -----

func.func @norm_negative_epsilon(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.rms_norm' op epsilon must be non-negative, found -1.000000e-05}}
  %0 = graph.rms_norm %a {epsilon = -1.0e-05 : f64} : tensor<4x8xf32>
  return
}

// -----

func.func @norm_integer(%a: tensor<4x8xi32>) {
  // expected-error @+1 {{'graph.layer_norm' op operand #0 must be ranked tensor of floating-point values}}
  %0 = graph.layer_norm %a : tensor<4x8xi32>
  return
}

// -----

func.func @softmax_scalar(%a: tensor<f32>) {
  // expected-error @+1 {{'graph.softmax' op axis -1 is out of range for rank 0}}
  %0 = graph.softmax %a : tensor<f32>
  return
}

// -----

func.func @log_softmax_negative_axis_range(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.log_softmax' op axis -3 is out of range for rank 2}}
  %0 = graph.log_softmax %a {axis = -3 : i64} : tensor<4x8xf32>
  return
}

// -----

func.func @log_softmax_integer(%a: tensor<4x8xi32>) {
  // expected-error @+1 {{'graph.log_softmax' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4x8xi32>'}}
  %0 = graph.log_softmax %a : tensor<4x8xi32>
  return
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_element_count(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.reshape' op cannot reshape [4, 8] (32 elements) to [5, 6] (30 elements)}}
  %0 = graph.reshape %a : (tensor<4x8xf32>) -> tensor<5x6xf32>
  return
}

// -----

func.func @reshape_element_type(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.reshape' op element type changes from 'f32' to 'i32'}}
  %0 = graph.reshape %a : (tensor<4x8xf32>) -> tensor<32xi32>
  return
}

// -----

func.func @transpose_repeated(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{invalid permutation: axis 0 is repeated}}
  // expected-error @+1 {{'graph.transpose' op failed to infer returned types}}
  %0 = graph.transpose %a {permutation = array<i64: 0, 0>} : (tensor<4x8xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @transpose_length(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{permutation has 1 entries for a tensor of rank 2}}
  // expected-error @+1 {{'graph.transpose' op failed to infer returned types}}
  %0 = graph.transpose %a {permutation = array<i64: 0>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @transpose_out_of_range(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{invalid permutation: axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'graph.transpose' op failed to infer returned types}}
  %0 = graph.transpose %a {permutation = array<i64: 2, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @transpose_result_type(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'graph.transpose' op inferred type(s) 'tensor<4x2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x4x2xf32>'}}
  // expected-error @+1 {{'graph.transpose' op failed to infer returned types}}
  %0 = graph.transpose %a {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  return
}

// -----

func.func @broadcast_to_incompatible(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.broadcast_to' op cannot broadcast [4, 8] to [4, 4]}}
  %0 = graph.broadcast_to %a : (tensor<4x8xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @broadcast_to_lower_rank(%a: tensor<1x8xf32>) {
  // expected-error @+1 {{'graph.broadcast_to' op cannot broadcast [1, 8] to [8]}}
  %0 = graph.broadcast_to %a : (tensor<1x8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @broadcast_to_element_type(%a: tensor<8xf32>) {
  // expected-error @+1 {{'graph.broadcast_to' op element type changes from 'f32' to 'f64'}}
  %0 = graph.broadcast_to %a : (tensor<8xf32>) -> tensor<2x8xf64>
  return
}

// -----

func.func @slice_limit_out_of_bounds(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{slice [2:9] is out of bounds for dimension 1 of [4, 8]}}
  // expected-error @+1 {{'graph.slice' op failed to infer returned types}}
  %0 = graph.slice %a {starts = array<i64: 0, 2>, limits = array<i64: 4, 9>, strides = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @slice_negative_start(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{slice [-1:4] is out of bounds for dimension 0 of [4, 8]}}
  // expected-error @+1 {{'graph.slice' op failed to infer returned types}}
  %0 = graph.slice %a {starts = array<i64: -1, 0>, limits = array<i64: 4, 8>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<5x8xf32>
  return
}

// -----

func.func @slice_start_after_limit(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{slice [3:2] is out of bounds for dimension 0 of [4, 8]}}
  // expected-error @+1 {{'graph.slice' op failed to infer returned types}}
  %0 = graph.slice %a {starts = array<i64: 3, 0>, limits = array<i64: 2, 8>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<0x8xf32>
  return
}

// -----

func.func @slice_stride(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{slice stride 0 must be positive}}
  // expected-error @+1 {{'graph.slice' op failed to infer returned types}}
  %0 = graph.slice %a {starts = array<i64: 0, 2>, limits = array<i64: 4, 8>, strides = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @slice_rank(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{slice needs one start, limit and stride per dimension of [4, 8]}}
  // expected-error @+1 {{'graph.slice' op failed to infer returned types}}
  %0 = graph.slice %a {starts = array<i64: 0>, limits = array<i64: 4>, strides = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_result_type(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{'graph.slice' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<4x4xf32>'}}
  // expected-error @+1 {{'graph.slice' op failed to infer returned types}}
  %0 = graph.slice %a {starts = array<i64: 0, 2>, limits = array<i64: 4, 8>, strides = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @concat_dimension(%a: tensor<4x8xf32>, %b: tensor<3x8xf32>) {
  // expected-error @+2 {{concat inputs [4, 8] and [3, 8] differ in dimension 0}}
  // expected-error @+1 {{'graph.concat' op failed to infer returned types}}
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<4x8xf32>, tensor<3x8xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{concat inputs [4, 8] and [8] differ in rank}}
  // expected-error @+1 {{'graph.concat' op failed to infer returned types}}
  %0 = graph.concat %a, %b {axis = 0 : i64} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<5x8xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{axis -3 is out of range for rank 2}}
  // expected-error @+1 {{'graph.concat' op failed to infer returned types}}
  %0 = graph.concat %a, %a {axis = -3 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<8x8xf32>
  return
}

// -----

func.func @concat_element_types(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+2 {{element types 'f32' and 'f16' differ}}
  // expected-error @+1 {{'graph.concat' op failed to infer returned types}}
  %0 = graph.concat %a, %b {axis = 0 : i64} : (tensor<4xf32>, tensor<4xf16>) -> tensor<8xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+2 {{concat needs at least one input}}
  // expected-error @+1 {{'graph.concat' op failed to infer returned types}}
  %0 = graph.concat {axis = 0 : i64} : () -> tensor<4xf32>
  return
}

// -----

func.func @concat_result_type(%a: tensor<4x2xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{'graph.concat' op inferred type(s) 'tensor<4x5xf32>' are incompatible with return type(s) of operation 'tensor<8x3xf32>'}}
  // expected-error @+1 {{'graph.concat' op failed to infer returned types}}
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<4x2xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// gather, one_hot
//===----------------------------------------------------------------------===//

// -----

func.func @gather_axis(%a: tensor<4x8xf32>, %i: tensor<3xi32>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'graph.gather' op failed to infer returned types}}
  %0 = graph.gather %a, %i {axis = 2 : i64} : (tensor<4x8xf32>, tensor<3xi32>) -> tensor<3x8xf32>
  return
}

// -----

func.func @gather_float_indices(%a: tensor<4x8xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{'graph.gather' op operand #1 must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = graph.gather %a, %i : (tensor<4x8xf32>, tensor<3xf32>) -> tensor<3x8xf32>
  return
}

// -----

// With axis = 1 the index dimensions replace dimension 1 of the table.
func.func @gather_result_type(%a: tensor<4x8xf32>, %i: tensor<3x2xi32>) {
  // expected-error @+2 {{'graph.gather' op inferred type(s) 'tensor<4x3x2xf32>' are incompatible with return type(s) of operation 'tensor<3x2x8xf32>'}}
  // expected-error @+1 {{'graph.gather' op failed to infer returned types}}
  %0 = graph.gather %a, %i {axis = 1 : i64} : (tensor<4x8xf32>, tensor<3x2xi32>) -> tensor<3x2x8xf32>
  return
}

// -----

func.func @one_hot_shape(%i: tensor<3xi32>) {
  // expected-error @+1 {{'graph.one_hot' op result shape [3, 5] should be [3, 4]}}
  %0 = graph.one_hot %i {depth = 4 : i64} : (tensor<3xi32>) -> tensor<3x5xf32>
  return
}

// -----

func.func @one_hot_depth_position(%i: tensor<3xi32>) {
  // expected-error @+1 {{'graph.one_hot' op result shape [4, 3] should be [3, 4]}}
  %0 = graph.one_hot %i {depth = 4 : i64} : (tensor<3xi32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @one_hot_depth(%i: tensor<3xi32>) {
  // expected-error @+1 {{'graph.one_hot' op depth must be positive, got 0}}
  %0 = graph.one_hot %i {depth = 0 : i64} : (tensor<3xi32>) -> tensor<3x0xf32>
  return
}

// -----

func.func @one_hot_integer_result(%i: tensor<3xi32>) {
  // expected-error @+1 {{'graph.one_hot' op result #0 must be ranked tensor of floating-point values, but got 'tensor<3x4xi32>'}}
  %0 = graph.one_hot %i {depth = 4 : i64} : (tensor<3xi32>) -> tensor<3x4xi32>
  return
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

// -----

func.func @softmax_cross_entropy_labels(%a: tensor<4x10xf32>, %l: tensor<5xi32>) {
  // expected-error @+2 {{labels [5] do not match logits [4, 10] without their class dimension}}
  // expected-error @+1 {{'graph.softmax_cross_entropy' op failed to infer returned types}}
  %0 = graph.softmax_cross_entropy %a, %l : (tensor<4x10xf32>, tensor<5xi32>) -> tensor<f32>
  return
}

// -----

func.func @softmax_cross_entropy_labels_rank(%a: tensor<4x10xf32>, %l: tensor<4x10xi32>) {
  // expected-error @+2 {{labels [4, 10] do not match logits [4, 10] without their class dimension}}
  // expected-error @+1 {{'graph.softmax_cross_entropy' op failed to infer returned types}}
  %0 = graph.softmax_cross_entropy %a, %l : (tensor<4x10xf32>, tensor<4x10xi32>) -> tensor<f32>
  return
}

// -----

func.func @softmax_cross_entropy_scalar_logits(%a: tensor<f32>, %l: tensor<i32>) {
  // expected-error @+2 {{logits need a class dimension}}
  // expected-error @+1 {{'graph.softmax_cross_entropy' op failed to infer returned types}}
  %0 = graph.softmax_cross_entropy %a, %l : (tensor<f32>, tensor<i32>) -> tensor<f32>
  return
}

// -----

// reduction = none keeps one loss per example.
func.func @softmax_cross_entropy_none_result(%a: tensor<4x10xf32>, %l: tensor<4xi32>) {
  // expected-error @+2 {{'graph.softmax_cross_entropy' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<f32>'}}
  // expected-error @+1 {{'graph.softmax_cross_entropy' op failed to infer returned types}}
  %0 = graph.softmax_cross_entropy %a, %l reduction = none : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return
}

// -----

func.func @softmax_cross_entropy_float_labels(%a: tensor<4x10xf32>, %l: tensor<4xf32>) {
  // expected-error @+1 {{'graph.softmax_cross_entropy' op operand #1 must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = graph.softmax_cross_entropy %a, %l : (tensor<4x10xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @softmax_cross_entropy_bad_reduction(%a: tensor<4x10xf32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'reduction' [mean, sum, none]}}
  %0 = graph.softmax_cross_entropy %a, %l reduction = max : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return
}

// -----

func.func @mse_shapes(%p: tensor<4x1xf32>, %t: tensor<4xf32>) {
  // expected-error @+2 {{prediction 'tensor<4x1xf32>' and target 'tensor<4xf32>' must have the same type}}
  // expected-error @+1 {{'graph.mse' op failed to infer returned types}}
  %0 = graph.mse %p, %t : (tensor<4x1xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @mse_element_types(%p: tensor<4x10xf32>, %t: tensor<4x10xf16>) {
  // expected-error @+2 {{prediction 'tensor<4x10xf32>' and target 'tensor<4x10xf16>' must have the same type}}
  // expected-error @+1 {{'graph.mse' op failed to infer returned types}}
  %0 = graph.mse %p, %t : (tensor<4x10xf32>, tensor<4x10xf16>) -> tensor<f32>
  return
}

// -----

func.func @mse_result_not_scalar(%p: tensor<4xf32>) {
  // expected-error @+2 {{'graph.mse' op inferred type(s) 'tensor<f32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'graph.mse' op failed to infer returned types}}
  %0 = graph.mse %p, %p : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Booleans are not indices: a true read as a signed index would be -1.
func.func @gather_bool_indices(%t: tensor<4x3xf32>, %i: tensor<2xi1>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand #1 must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values}}
  %0 = graph.gather %t, %i : (tensor<4x3xf32>, tensor<2xi1>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// attention, attention_grad
//===----------------------------------------------------------------------===//

func.func @attention_heads(%q: tensor<2x4x6xf32>, %m: tensor<4x4xf32>) {
  // expected-error @+2 {{attention needs a number of heads that divides the width 6, got 4}}
  // expected-error @+1 {{'graph.attention' op failed to infer returned types}}
  %0 = graph.attention %q, %q, %q, %m {heads = 4 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<4x4xf32>) -> tensor<2x4x6xf32>
  return
}

// -----

func.func @attention_mask(%q: tensor<2x4x6xf32>, %k: tensor<2x5x6xf32>, %m: tensor<4x4xf32>) {
  // expected-error @+2 {{the attention mask must be [T, S] = [4, 5] (queries, keys), got [4, 4]}}
  // expected-error @+1 {{'graph.attention' op failed to infer returned types}}
  %0 = graph.attention %q, %k, %k, %m {heads = 2 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf32>, tensor<2x5x6xf32>, tensor<2x5x6xf32>, tensor<4x4xf32>) -> tensor<2x4x6xf32>
  return
}

// -----

func.func @attention_rank(%q: tensor<4x6xf32>, %m: tensor<4x4xf32>) {
  // expected-error @+2 {{attention needs a query [B, T, W] and a key and value [B, S, W], got [4, 6], [4, 6] and [4, 6]}}
  // expected-error @+1 {{'graph.attention' op failed to infer returned types}}
  %0 = graph.attention %q, %q, %q, %m {heads = 2 : i64, scale = 0.5 : f64} : (tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x4xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @attention_width(%q: tensor<2x4x6xf32>, %k: tensor<2x4x8xf32>, %m: tensor<4x4xf32>) {
  // expected-error @+2 {{attention needs a query [B, T, W] and a key and value [B, S, W] of one batch and width, got [2, 4, 6], [2, 4, 8] and [2, 4, 8]}}
  // expected-error @+1 {{'graph.attention' op failed to infer returned types}}
  %0 = graph.attention %q, %k, %k, %m {heads = 2 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x4xf32>) -> tensor<2x4x6xf32>
  return
}

// -----

func.func @attention_dtypes(%q: tensor<2x4x6xf32>, %m: tensor<4x4xf64>) {
  // expected-error @+2 {{element types 'f32' and 'f64' differ}}
  // expected-error @+1 {{'graph.attention' op failed to infer returned types}}
  %0 = graph.attention %q, %q, %q, %m {heads = 2 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<4x4xf64>) -> tensor<2x4x6xf32>
  return
}

// -----

func.func @attention_grad_type(%q: tensor<2x4x6xf32>, %m: tensor<4x4xf32>, %g: tensor<2x4x4xf32>) {
  // expected-error @+2 {{the result's gradient must have the query's type 'tensor<2x4x6xf32>', found 'tensor<2x4x4xf32>'}}
  // expected-error @+1 {{'graph.attention_grad' op failed to infer returned types}}
  %0:3 = graph.attention_grad %q, %q, %q, %m, %g {heads = 2 : i64, scale = 0.5 : f64} : (tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<4x4xf32>, tensor<2x4x4xf32>) -> (tensor<2x4x6xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// dropout
//===----------------------------------------------------------------------===//

func.func @dropout_rate(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.dropout' op rate must be in [0, 1), found 1.000000e+00}}
  %0 = graph.dropout %x {rate = 1.0 : f64, site = 0 : i64} : tensor<4xf32>
  return
}

// -----

func.func @dropout_key(%x: tensor<4xf32>, %key: tensor<3xi64>) {
  // expected-error @+1 {{'graph.dropout' op key must be a tensor<2xi64> [seed, step], found 'tensor<3xi64>'}}
  %0 = graph.dropout %x, %key {rate = 0.5 : f64, site = 0 : i64} : tensor<4xf32>, tensor<3xi64>
  return
}

// -----

func.func @dropout_site(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.dropout' op site must be in [0, 2^31), found -1}}
  %0 = graph.dropout %x {rate = 0.5 : f64, site = -1 : i64} : tensor<4xf32>
  return
}
