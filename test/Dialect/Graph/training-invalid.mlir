// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// The ops a training step adds around the model reject malformed IR with a
// message that names the rule.

//===----------------------------------------------------------------------===//
// erf, stop_gradient
//===----------------------------------------------------------------------===//

func.func @erf_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'graph.erf' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = graph.erf %a : tensor<4xi32>
  return
}

// -----

func.func @stop_gradient_result_type(%a: tensor<4xf32>) {
  // expected-error @+1 {{'graph.stop_gradient' op requires the same type for all operands and results}}
  %0 = "graph.stop_gradient"(%a) : (tensor<4xf32>) -> tensor<4xf64>
  return
}

// -----

func.func @stop_gradient_unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{'graph.stop_gradient' op operand #0 must be ranked tensor of floating-point or signless integer values, but got 'tensor<*xf32>'}}
  %0 = "graph.stop_gradient"(%a) : (tensor<*xf32>) -> tensor<*xf32>
  return
}

//===----------------------------------------------------------------------===//
// insert_slice
//===----------------------------------------------------------------------===//

// -----

// Columns 2, 4, 6 and 8 of a dest with 8 columns: the last is out of range.
func.func @insert_slice_does_not_fit(%s: tensor<4x4xf32>, %d: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.insert_slice' op slice [2:9] is out of bounds for dimension 1 of [4, 8]}}
  %0 = graph.insert_slice %s into %d {starts = array<i64: 0, 2>, strides = array<i64: 1, 2>} : tensor<4x4xf32> into tensor<4x8xf32>
  return
}

// -----

func.func @insert_slice_larger_than_dest(%s: tensor<5x8xf32>, %d: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.insert_slice' op slice [0:5] is out of bounds for dimension 0 of [4, 8]}}
  %0 = graph.insert_slice %s into %d {starts = array<i64: 0, 0>, strides = array<i64: 1, 1>} : tensor<5x8xf32> into tensor<4x8xf32>
  return
}

// -----

func.func @insert_slice_rank(%s: tensor<3xf32>, %d: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.insert_slice' op source [3] and dest [4, 8] differ in rank}}
  %0 = graph.insert_slice %s into %d {starts = array<i64: 0>, strides = array<i64: 1>} : tensor<3xf32> into tensor<4x8xf32>
  return
}

// -----

func.func @insert_slice_element_type(%s: tensor<4x3xf64>, %d: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.insert_slice' op source element type 'f64' differs from dest element type 'f32'}}
  %0 = graph.insert_slice %s into %d {starts = array<i64: 0, 2>, strides = array<i64: 1, 2>} : tensor<4x3xf64> into tensor<4x8xf32>
  return
}

// -----

func.func @insert_slice_starts(%s: tensor<4x3xf32>, %d: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.insert_slice' op needs one start and stride per dimension of [4, 8]}}
  %0 = graph.insert_slice %s into %d {starts = array<i64: 2>, strides = array<i64: 1, 2>} : tensor<4x3xf32> into tensor<4x8xf32>
  return
}

// -----

func.func @insert_slice_zero_stride(%s: tensor<4x3xf32>, %d: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.insert_slice' op slice stride 0 must be positive}}
  %0 = graph.insert_slice %s into %d {starts = array<i64: 0, 2>, strides = array<i64: 1, 0>} : tensor<4x3xf32> into tensor<4x8xf32>
  return
}

// -----

func.func @insert_slice_result_type(%s: tensor<4x3xf32>, %d: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.insert_slice' op failed to verify that all of {dest, result} have same type}}
  %0 = "graph.insert_slice"(%s, %d) {starts = array<i64: 0, 2>, strides = array<i64: 1, 2>} : (tensor<4x3xf32>, tensor<4x8xf32>) -> tensor<4x9xf32>
  return
}

//===----------------------------------------------------------------------===//
// scatter_add
//===----------------------------------------------------------------------===//

// -----

func.func @scatter_add_updates_shape(%u: tensor<8x32xf32>, %i: tensor<8x16xi32>, %t: tensor<64x32xf32>) {
  // expected-error @+1 {{'graph.scatter_add' op updates [8, 32] should have the gathered shape [8, 16, 32]}}
  %0 = graph.scatter_add %u, %i into %t : (tensor<8x32xf32>, tensor<8x16xi32>) into tensor<64x32xf32>
  return
}

// -----

func.func @scatter_add_updates_shape_axis_1(%u: tensor<4x5x9xf32>, %i: tensor<5xi32>, %t: tensor<4x9xf32>) {
  // expected-error @+1 {{'graph.scatter_add' op updates [4, 5, 9] should have the gathered shape [4, 5]}}
  %0 = graph.scatter_add %u, %i into %t {axis = 1 : i64} : (tensor<4x5x9xf32>, tensor<5xi32>) into tensor<4x9xf32>
  return
}

// -----

func.func @scatter_add_axis(%u: tensor<8x32xf32>, %i: tensor<8xi32>, %t: tensor<64x32xf32>) {
  // expected-error @+1 {{'graph.scatter_add' op axis 2 is out of range for rank 2}}
  %0 = graph.scatter_add %u, %i into %t {axis = 2 : i64} : (tensor<8x32xf32>, tensor<8xi32>) into tensor<64x32xf32>
  return
}

// -----

func.func @scatter_add_element_type(%u: tensor<8x32xf64>, %i: tensor<8xi32>, %t: tensor<64x32xf32>) {
  // expected-error @+1 {{'graph.scatter_add' op updates and dest differ in element type}}
  %0 = graph.scatter_add %u, %i into %t : (tensor<8x32xf64>, tensor<8xi32>) into tensor<64x32xf32>
  return
}

// -----

func.func @scatter_add_float_indices(%u: tensor<8x32xf32>, %i: tensor<8xf32>, %t: tensor<64x32xf32>) {
  // expected-error @+1 {{'graph.scatter_add' op operand #1 must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<8xf32>'}}
  %0 = graph.scatter_add %u, %i into %t : (tensor<8x32xf32>, tensor<8xf32>) into tensor<64x32xf32>
  return
}

// -----

func.func @scatter_add_integer_dest(%u: tensor<8x32xi32>, %i: tensor<8xi32>, %t: tensor<64x32xi32>) {
  // expected-error @+1 {{'graph.scatter_add' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<8x32xi32>'}}
  %0 = graph.scatter_add %u, %i into %t : (tensor<8x32xi32>, tensor<8xi32>) into tensor<64x32xi32>
  return
}

//===----------------------------------------------------------------------===//
// argmax
//===----------------------------------------------------------------------===//

// -----

func.func @argmax_axis(%x: tensor<64x10xf32>) {
  // expected-error @+1 {{'graph.argmax' op axis 2 is out of range for rank 2}}
  %0 = graph.argmax %x {axis = 2 : i64} : (tensor<64x10xf32>) -> tensor<64xi32>
  return
}

// -----

func.func @argmax_negative_axis(%x: tensor<64x10xf32>) {
  // expected-error @+1 {{'graph.argmax' op axis -3 is out of range for rank 2}}
  %0 = graph.argmax %x {axis = -3 : i64} : (tensor<64x10xf32>) -> tensor<64xi32>
  return
}

// -----

func.func @argmax_result_shape(%x: tensor<64x10xf32>) {
  // expected-error @+1 {{'graph.argmax' op result shape [10] should be [64]}}
  %0 = graph.argmax %x : (tensor<64x10xf32>) -> tensor<10xi32>
  return
}

// -----

func.func @argmax_result_keeps_axis(%x: tensor<64x10xf32>) {
  // expected-error @+1 {{'graph.argmax' op result shape [1, 10] should be [10]}}
  %0 = graph.argmax %x {axis = 0 : i64} : (tensor<64x10xf32>) -> tensor<1x10xi32>
  return
}

// -----

func.func @argmax_float_result(%x: tensor<64x10xf32>) {
  // expected-error @+1 {{'graph.argmax' op result #0 must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<64xf32>'}}
  %0 = graph.argmax %x : (tensor<64x10xf32>) -> tensor<64xf32>
  return
}

// -----

func.func @argmax_bool_result(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'graph.argmax' op result #0 must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = graph.argmax %x : (tensor<4x10xf32>) -> tensor<4xi1>
  return
}

// -----

// i8 holds indices up to 127: an axis of 129 elements is one too many.
func.func @argmax_narrow_result(%x: tensor<129x2xi32>) {
  // expected-error @+1 {{'graph.argmax' op result element type 'i8' cannot hold index 128}}
  %0 = graph.argmax %x {axis = 0 : i64} : (tensor<129x2xi32>) -> tensor<2xi8>
  return
}

//===----------------------------------------------------------------------===//
// sgd_update
//===----------------------------------------------------------------------===//

// -----

func.func @sgd_negative_momentum(%p: tensor<8xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'graph.sgd_update' op momentum must be non-negative}}
  %0:2 = graph.sgd_update %p, %p, %p, %lr {momentum = -0.5 : f64} : tensor<8xf32>, tensor<f32>
  return
}

// -----

func.func @sgd_nesterov_without_momentum(%p: tensor<8xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'graph.sgd_update' op nesterov needs a positive momentum}}
  %0:2 = graph.sgd_update %p, %p, %p, %lr {nesterov} : tensor<8xf32>, tensor<f32>
  return
}

// -----

func.func @sgd_lr_element_type(%p: tensor<8xf32>, %lr: tensor<f64>) {
  // expected-error @+1 {{'graph.sgd_update' op scalar 'tensor<f64>' must have the parameter's element type 'f32'}}
  %0:2 = graph.sgd_update %p, %p, %p, %lr : tensor<8xf32>, tensor<f64>
  return
}

// -----

func.func @sgd_lr_not_scalar(%p: tensor<8xf32>, %lr: tensor<1xf32>) {
  // expected-error @+1 {{'graph.sgd_update' op operand #3 must be 0D tensor of floating-point values, but got 'tensor<1xf32>'}}
  %0:2 = graph.sgd_update %p, %p, %p, %lr : tensor<8xf32>, tensor<1xf32>
  return
}

// -----

func.func @sgd_grad_type(%p: tensor<8xf32>, %g: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'graph.sgd_update' op failed to verify that all of {param, grad, velocity, new_param, new_velocity} have same type}}
  %0:2 = "graph.sgd_update"(%p, %g, %p, %lr) : (tensor<8xf32>, tensor<4xf32>, tensor<8xf32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>)
  return
}

//===----------------------------------------------------------------------===//
// adam_update
//===----------------------------------------------------------------------===//

// -----

func.func @adam_beta1_one(%p: tensor<8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'graph.adam_update' op betas must lie in [0, 1), got 1.000000e+00}}
  %0:3 = graph.adam_update %p, %p, %p, %p, %s, %s {beta1 = 1.0 : f64} : tensor<8xf32>, tensor<f32>
  return
}

// -----

func.func @adam_beta2_negative(%p: tensor<8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'graph.adam_update' op betas must lie in [0, 1), got -5.000000e-01}}
  %0:3 = graph.adam_update %p, %p, %p, %p, %s, %s {beta2 = -0.5 : f64} : tensor<8xf32>, tensor<f32>
  return
}

// -----

func.func @adam_epsilon_zero(%p: tensor<8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'graph.adam_update' op epsilon must be positive}}
  %0:3 = graph.adam_update %p, %p, %p, %p, %s, %s {epsilon = 0.0 : f64} : tensor<8xf32>, tensor<f32>
  return
}

// -----

func.func @adam_epsilon_negative(%p: tensor<8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'graph.adam_update' op epsilon must be positive}}
  %0:3 = graph.adam_update %p, %p, %p, %p, %s, %s {epsilon = -1.0e-8 : f64} : tensor<8xf32>, tensor<f32>
  return
}

// -----

func.func @adam_scalar_element_type(%p: tensor<8xf32>, %s: tensor<f64>) {
  // expected-error @+1 {{'graph.adam_update' op scalar 'tensor<f64>' must have the parameter's element type 'f32'}}
  %0:3 = graph.adam_update %p, %p, %p, %p, %s, %s : tensor<8xf32>, tensor<f64>
  return
}

// -----

// The custom form spells one type for lr and step; the generic form can
// give them different ones.
func.func @adam_lr_step_types(%p: tensor<8xf32>, %lr: tensor<f32>, %t: tensor<f64>) {
  // expected-error @+1 {{'graph.adam_update' op failed to verify that all of {lr, step} have same type}}
  %0:3 = "graph.adam_update"(%p, %p, %p, %p, %lr, %t) : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>, tensor<f64>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @adam_state_type(%p: tensor<8xf32>, %v: tensor<8xf64>, %s: tensor<f32>) {
  // expected-error @+1 {{'graph.adam_update' op failed to verify that all of {param, grad, m, v, new_param, new_m, new_v} have same type}}
  %0:3 = "graph.adam_update"(%p, %p, %p, %v, %s, %s) : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf64>, tensor<f32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

//===----------------------------------------------------------------------===//
// clip_by_global_norm
//===----------------------------------------------------------------------===//

// -----

func.func @clip_max_norm_zero(%g: tensor<8xf32>) {
  // expected-error @+1 {{'graph.clip_by_global_norm' op max_norm must be positive}}
  %0:2 = graph.clip_by_global_norm %g {max_norm = 0.0 : f64} : tensor<8xf32>
  return
}

// -----

func.func @clip_max_norm_negative(%g: tensor<8xf32>, %h: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.clip_by_global_norm' op max_norm must be positive}}
  %0:3 = graph.clip_by_global_norm %g, %h {max_norm = -1.0 : f64} : tensor<8xf32>, tensor<2x3xf32>
  return
}

// -----

func.func @clip_mixed_element_types(%g: tensor<8xf32>, %h: tensor<3xf64>) {
  // expected-error @+1 {{element types 'f32' and 'f64' differ}}
  %0:3 = graph.clip_by_global_norm %g, %h {max_norm = 1.0 : f64} : tensor<8xf32>, tensor<3xf64>
  return
}

// -----

func.func @clip_no_gradients() {
  // expected-error @+2 {{needs at least one gradient}}
  // expected-error @+1 {{'graph.clip_by_global_norm' op failed to infer returned types}}
  %0 = "graph.clip_by_global_norm"() {max_norm = 1.0 : f64} : () -> tensor<f32>
  return
}

// -----

func.func @clip_missing_max_norm(%g: tensor<8xf32>) {
  // expected-error @+1 {{'graph.clip_by_global_norm' op requires attribute 'max_norm'}}
  %0:2 = graph.clip_by_global_norm %g : tensor<8xf32>
  return
}

// -----

func.func @clip_norm_type(%g: tensor<8xf32>) {
  // expected-error @+2 {{'graph.clip_by_global_norm' op inferred type(s) 'tensor<8xf32>', 'tensor<f32>' are incompatible with return type(s) of operation 'tensor<8xf32>', 'tensor<f64>'}}
  // expected-error @+1 {{'graph.clip_by_global_norm' op failed to infer returned types}}
  %0:2 = "graph.clip_by_global_norm"(%g) {max_norm = 1.0 : f64} : (tensor<8xf32>) -> (tensor<8xf32>, tensor<f64>)
  return
}

//===----------------------------------------------------------------------===//
// lr_schedule
//===----------------------------------------------------------------------===//

// -----

func.func @cosine_without_decay_steps(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op a cosine schedule needs decay_steps > 0}}
  %0 = graph.lr_schedule cosine %t {base_lr = 1.0e-3 : f64, warmup_steps = 100 : i64} : tensor<f32>
  return
}

// -----

func.func @cosine_negative_cycle(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op cycle_steps must be non-negative}}
  %0 = graph.lr_schedule cosine %t {base_lr = 1.0e-3 : f64, decay_steps = 100 : i64, cycle_steps = -1 : i64} : tensor<f32>
  return
}

// -----

func.func @step_without_step_size(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op a step schedule needs step_size > 0}}
  %0 = graph.lr_schedule step %t {base_lr = 0.1 : f64, gamma = 0.5 : f64} : tensor<f32>
  return
}

// -----

func.func @infinite_without_cooldown_steps(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op an infinite schedule needs cooldown_steps > 0}}
  %0 = graph.lr_schedule infinite %t {base_lr = 1.0e-3 : f64, constant_lr = 1.0e-4 : f64} : tensor<f32>
  return
}

// -----

func.func @anneal_without_anneal_steps(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op an anneal needs anneal_steps > 0}}
  %0 = graph.lr_schedule infinite %t {base_lr = 1.0e-3 : f64, constant_lr = 1.0e-4 : f64, cooldown_steps = 100 : i64, anneal_start = 1000 : i64, final_lr = 1.0e-5 : f64} : tensor<f32>
  return
}

// -----

// The anneal scales by (final_lr / constant_lr) ^ progress, which a zero
// constant_lr (the default) turns into NaN.
func.func @anneal_without_constant_lr(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op an exponential anneal needs constant_lr > 0 and final_lr > 0}}
  %0 = graph.lr_schedule infinite %t {base_lr = 1.0e-3 : f64, cooldown_steps = 100 : i64, anneal_start = 1000 : i64, anneal_steps = 100 : i64, final_lr = 1.0e-5 : f64} : tensor<f32>
  return
}

// -----

func.func @anneal_to_zero(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op an exponential anneal needs constant_lr > 0 and final_lr > 0}}
  %0 = graph.lr_schedule infinite %t {base_lr = 1.0e-3 : f64, constant_lr = 1.0e-4 : f64, cooldown_steps = 100 : i64, anneal_start = 1000 : i64, anneal_steps = 100 : i64} : tensor<f32>
  return
}

// -----

func.func @negative_base_lr(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op base_lr must be non-negative}}
  %0 = graph.lr_schedule constant %t {base_lr = -1.0e-3 : f64} : tensor<f32>
  return
}

// -----

func.func @negative_warmup(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op warmup_steps must be non-negative}}
  %0 = graph.lr_schedule inverse_sqrt %t {base_lr = 1.0e-3 : f64, warmup_steps = -5 : i64} : tensor<f32>
  return
}

// -----

func.func @missing_base_lr(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op requires attribute 'base_lr'}}
  %0 = graph.lr_schedule constant %t : tensor<f32>
  return
}

// -----

// The custom form spells one type for the step and the rate; the generic
// form can give them different ones.
func.func @lr_step_types(%t: tensor<f32>) {
  // expected-error @+1 {{'graph.lr_schedule' op failed to verify that all of {step, lr} have same type}}
  %0 = "graph.lr_schedule"(%t) {kind = 0 : i64, base_lr = 1.0e-3 : f64} : (tensor<f32>) -> tensor<f64>
  return
}

// -----

func.func @integer_step(%t: tensor<i32>) {
  // expected-error @+1 {{'graph.lr_schedule' op operand #0 must be 0D tensor of floating-point values, but got 'tensor<i32>'}}
  %0 = graph.lr_schedule constant %t {base_lr = 1.0e-3 : f64} : tensor<i32>
  return
}

// -----

func.func @step_not_scalar(%t: tensor<1xf32>) {
  // expected-error @+1 {{'graph.lr_schedule' op operand #0 must be 0D tensor of floating-point values, but got 'tensor<1xf32>'}}
  %0 = graph.lr_schedule constant %t {base_lr = 1.0e-3 : f64} : tensor<1xf32>
  return
}

// -----

func.func @unknown_kind(%t: tensor<f32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'kind' [constant, cosine, step, inverse_sqrt, infinite]}}
  %0 = graph.lr_schedule linear %t {base_lr = 1.0e-3 : f64} : tensor<f32>
  return
}

// -----

func.func @sgd_negative_decay(%p: tensor<4xf32>, %g: tensor<4xf32>, %v: tensor<4xf32>, %lr: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.sgd_update' op weight_decay must be non-negative}}
  %0:2 = graph.sgd_update %p, %g, %v, %lr {weight_decay = -0.1 : f64} : tensor<4xf32>, tensor<f32>
  return %0#0 : tensor<4xf32>
}

// -----

func.func @adam_negative_decay(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: tensor<f32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.adam_update' op weight_decay must be non-negative}}
  %0:3 = graph.adam_update %p, %g, %m, %v, %lr, %t {weight_decay = -0.01 : f64, decoupled} : tensor<4xf32>, tensor<f32>
  return %0#0 : tensor<4xf32>
}

// -----

func.func @step_schedule_zero_gamma(%t: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'graph.lr_schedule' op a step schedule needs gamma > 0}}
  %0 = graph.lr_schedule step %t {base_lr = 0.1 : f64, step_size = 10 : i64, gamma = 0.0 : f64} : tensor<f32>
  return %0 : tensor<f32>
}
