// RUN: kiln-opt %s --split-input-file | kiln-opt --split-input-file | FileCheck %s
// RUN: kiln-opt %s --split-input-file --mlir-print-op-generic | kiln-opt --split-input-file | FileCheck %s

// Round trip of the ops a training step adds around the model: the custom
// form parses, prints and parses again to the same ops, attributes and types.
// Attributes at their default values are not printed.

// CHECK-LABEL: func.func @erf
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[D:.*]]: tensor<f64>)
// CHECK: graph.erf %[[X]] : tensor<4x8xf32>
// CHECK: graph.erf %[[D]] : tensor<f64>
func.func @erf(%x: tensor<4x8xf32>, %d: tensor<f64>) {
  %0 = graph.erf %x : tensor<4x8xf32>
  %1 = graph.erf %d : tensor<f64>
  return
}

// -----

// CHECK-LABEL: func.func @stop_gradient
// CHECK-SAME: (%[[Q:.*]]: tensor<64x4xf32>, %[[I:.*]]: tensor<3xi32>)
// CHECK: %[[S:.*]] = graph.stop_gradient %[[Q]] : tensor<64x4xf32>
// CHECK: graph.stop_gradient %[[I]] : tensor<3xi32>
// CHECK: return %[[S]]
func.func @stop_gradient(%q: tensor<64x4xf32>, %i: tensor<3xi32>) -> tensor<64x4xf32> {
  %0 = graph.stop_gradient %q : tensor<64x4xf32>
  %1 = graph.stop_gradient %i : tensor<3xi32>
  return %0 : tensor<64x4xf32>
}

// -----

// CHECK-LABEL: func.func @insert_slice
// CHECK-SAME: (%[[S:.*]]: tensor<4x3xf32>, %[[D:.*]]: tensor<4x8xf32>, %[[SI:.*]]: tensor<2xi64>, %[[DI:.*]]: tensor<5xi64>)
// CHECK: graph.insert_slice %[[S]] into %[[D]] {starts = array<i64: 0, 2>, strides = array<i64: 1, 2>} : tensor<4x3xf32> into tensor<4x8xf32>
// CHECK: graph.insert_slice %[[SI]] into %[[DI]] {starts = array<i64: 3>, strides = array<i64: 1>} : tensor<2xi64> into tensor<5xi64>
func.func @insert_slice(%s: tensor<4x3xf32>, %d: tensor<4x8xf32>, %si: tensor<2xi64>, %di: tensor<5xi64>) {
  %0 = graph.insert_slice %s into %d {starts = array<i64: 0, 2>, strides = array<i64: 1, 2>} : tensor<4x3xf32> into tensor<4x8xf32>
  %1 = graph.insert_slice %si into %di {starts = array<i64: 3>, strides = array<i64: 1>} : tensor<2xi64> into tensor<5xi64>
  return
}

// -----

// CHECK-LABEL: func.func @scatter_add
// CHECK-SAME: (%[[G:.*]]: tensor<8x16x32xf32>, %[[T:.*]]: tensor<8x16xi32>, %[[E:.*]]: tensor<64x32xf32>, %[[U:.*]]: tensor<4x5xf64>, %[[I:.*]]: tensor<5xi64>, %[[D:.*]]: tensor<4x9xf64>)
// CHECK: graph.scatter_add %[[G]], %[[T]] into %[[E]] : (tensor<8x16x32xf32>, tensor<8x16xi32>) into tensor<64x32xf32>
// CHECK: graph.scatter_add %[[U]], %[[I]] into %[[D]] {axis = 1 : i64} : (tensor<4x5xf64>, tensor<5xi64>) into tensor<4x9xf64>
func.func @scatter_add(%g: tensor<8x16x32xf32>, %t: tensor<8x16xi32>, %e: tensor<64x32xf32>,
                       %u: tensor<4x5xf64>, %i: tensor<5xi64>, %d: tensor<4x9xf64>) {
  %0 = graph.scatter_add %g, %t into %e : (tensor<8x16x32xf32>, tensor<8x16xi32>) into tensor<64x32xf32>
  %1 = graph.scatter_add %u, %i into %d {axis = 1 : i64} : (tensor<4x5xf64>, tensor<5xi64>) into tensor<4x9xf64>
  return
}

// -----

// The default axis, -1, is elided.

// CHECK-LABEL: func.func @argmax
// CHECK-SAME: (%[[L:.*]]: tensor<64x10xf32>, %[[I:.*]]: tensor<5x7xi64>, %[[B:.*]]: tensor<128x2xf32>)
// CHECK: graph.argmax %[[L]] : (tensor<64x10xf32>) -> tensor<64xi32>
// CHECK: graph.argmax %[[L]] : (tensor<64x10xf32>) -> tensor<64xi64>
// CHECK: graph.argmax %[[I]] {axis = 0 : i64} : (tensor<5x7xi64>) -> tensor<7xi32>
// CHECK: graph.argmax %[[B]] {axis = 0 : i64} : (tensor<128x2xf32>) -> tensor<2xi8>
func.func @argmax(%l: tensor<64x10xf32>, %i: tensor<5x7xi64>, %b: tensor<128x2xf32>) {
  %0 = graph.argmax %l : (tensor<64x10xf32>) -> tensor<64xi32>
  %1 = graph.argmax %l {axis = -1 : i64} : (tensor<64x10xf32>) -> tensor<64xi64>
  %2 = graph.argmax %i {axis = 0 : i64} : (tensor<5x7xi64>) -> tensor<7xi32>
  // i8 holds every index of an axis of 128 elements.
  %3 = graph.argmax %b {axis = 0 : i64} : (tensor<128x2xf32>) -> tensor<2xi8>
  return
}

// -----

// CHECK-LABEL: func.func @sgd_update
// CHECK-SAME: (%[[P:.*]]: tensor<256x10xf32>, %[[G:.*]]: tensor<256x10xf32>, %[[V:.*]]: tensor<256x10xf32>, %[[LR:.*]]: tensor<f32>)
// CHECK: %[[P1:.*]], %[[V1:.*]] = graph.sgd_update %[[P]], %[[G]], %[[V]], %[[LR]] : tensor<256x10xf32>, tensor<f32>
// CHECK: %[[P2:.*]], %[[V2:.*]] = graph.sgd_update %[[P1]], %[[G]], %[[V1]], %[[LR]] {momentum = 9.000000e-01 : f64, nesterov, weight_decay = 1.000000e-04 : f64} : tensor<256x10xf32>, tensor<f32>
// CHECK: return %[[P2]], %[[V2]]
func.func @sgd_update(%p: tensor<256x10xf32>, %g: tensor<256x10xf32>, %v: tensor<256x10xf32>, %lr: tensor<f32>)
    -> (tensor<256x10xf32>, tensor<256x10xf32>) {
  %0:2 = graph.sgd_update %p, %g, %v, %lr : tensor<256x10xf32>, tensor<f32>
  %1:2 = graph.sgd_update %0#0, %g, %0#1, %lr {momentum = 0.9 : f64, nesterov, weight_decay = 1.0e-4 : f64} : tensor<256x10xf32>, tensor<f32>
  return %1#0, %1#1 : tensor<256x10xf32>, tensor<256x10xf32>
}

// -----

// CHECK-LABEL: func.func @adam_update
// CHECK-SAME: (%[[P:.*]]: tensor<256x10xf32>, %[[G:.*]]: tensor<256x10xf32>, %[[M:.*]]: tensor<256x10xf32>, %[[V:.*]]: tensor<256x10xf32>, %[[LR:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>, %[[D:.*]]: tensor<3xf64>, %[[S:.*]]: tensor<f64>)
// CHECK: %[[P1:.*]], %[[M1:.*]], %[[V1:.*]] = graph.adam_update %[[P]], %[[G]], %[[M]], %[[V]], %[[LR]], %[[T]] : tensor<256x10xf32>, tensor<f32>
// CHECK: %[[P2:.*]], %[[M2:.*]], %[[V2:.*]] = graph.adam_update %[[P1]], %[[G]], %[[M1]], %[[V1]], %[[LR]], %[[T]] {beta1 = 8.000000e-01 : f64, beta2 = 0.98999999999999999 : f64, decoupled, epsilon = 9.9999999999999995E-7 : f64, weight_decay = 1.000000e-02 : f64} : tensor<256x10xf32>, tensor<f32>
// CHECK: graph.adam_update %[[D]], %[[D]], %[[D]], %[[D]], %[[S]], %[[S]] {weight_decay = 5.000000e-01 : f64} : tensor<3xf64>, tensor<f64>
// CHECK: return %[[P2]], %[[M2]], %[[V2]]
func.func @adam_update(%p: tensor<256x10xf32>, %g: tensor<256x10xf32>, %m: tensor<256x10xf32>, %v: tensor<256x10xf32>,
                       %lr: tensor<f32>, %t: tensor<f32>, %d: tensor<3xf64>, %s: tensor<f64>)
    -> (tensor<256x10xf32>, tensor<256x10xf32>, tensor<256x10xf32>) {
  %0:3 = graph.adam_update %p, %g, %m, %v, %lr, %t : tensor<256x10xf32>, tensor<f32>
  %1:3 = graph.adam_update %0#0, %g, %0#1, %0#2, %lr, %t {beta1 = 0.8 : f64, beta2 = 0.99 : f64, epsilon = 1.0e-6 : f64, weight_decay = 0.01 : f64, decoupled} : tensor<256x10xf32>, tensor<f32>
  %2:3 = graph.adam_update %d, %d, %d, %d, %s, %s {weight_decay = 0.5 : f64} : tensor<3xf64>, tensor<f64>
  return %1#0, %1#1, %1#2 : tensor<256x10xf32>, tensor<256x10xf32>, tensor<256x10xf32>
}

// -----

// One clipped gradient per input, then the scalar norm.

// CHECK-LABEL: func.func @clip_by_global_norm
// CHECK-SAME: (%[[A:.*]]: tensor<784x256xf32>, %[[B:.*]]: tensor<256xf32>, %[[C:.*]]: tensor<f32>, %[[D:.*]]: tensor<2x3xf64>)
// CHECK: %[[CLIP:.*]]:3, %[[NORM:.*]] = graph.clip_by_global_norm %[[A]], %[[B]], %[[C]] {max_norm = 1.000000e+00 : f64} : tensor<784x256xf32>, tensor<256xf32>, tensor<f32>
// CHECK: %[[CLIP64:.*]], %[[NORM64:.*]] = graph.clip_by_global_norm %[[D]] {max_norm = 5.000000e-01 : f64} : tensor<2x3xf64>
// CHECK: return %[[CLIP]]#0, %[[CLIP]]#1, %[[CLIP]]#2, %[[NORM]], %[[CLIP64]], %[[NORM64]] : tensor<784x256xf32>, tensor<256xf32>, tensor<f32>, tensor<f32>, tensor<2x3xf64>, tensor<f64>
func.func @clip_by_global_norm(%a: tensor<784x256xf32>, %b: tensor<256xf32>, %c: tensor<f32>, %d: tensor<2x3xf64>)
    -> (tensor<784x256xf32>, tensor<256xf32>, tensor<f32>, tensor<f32>, tensor<2x3xf64>, tensor<f64>) {
  %0:4 = graph.clip_by_global_norm %a, %b, %c {max_norm = 1.0 : f64} : tensor<784x256xf32>, tensor<256xf32>, tensor<f32>
  %1:2 = graph.clip_by_global_norm %d {max_norm = 0.5 : f64} : tensor<2x3xf64>
  return %0#0, %0#1, %0#2, %0#3, %1#0, %1#1 : tensor<784x256xf32>, tensor<256xf32>, tensor<f32>, tensor<f32>, tensor<2x3xf64>, tensor<f64>
}

// -----

// Every schedule kind, with and without its optional attributes.

// CHECK-LABEL: func.func @lr_schedule
// CHECK-SAME: (%[[T:.*]]: tensor<f32>, %[[T64:.*]]: tensor<f64>)
// CHECK: graph.lr_schedule constant %[[T]] {base_lr = 1.000000e-03 : f64} : tensor<f32>
// CHECK: graph.lr_schedule constant %[[T]] {base_lr = 1.000000e-03 : f64, warmup_steps = 10 : i64} : tensor<f32>
// CHECK: graph.lr_schedule cosine %[[T]] {base_lr = 1.000000e-03 : f64, decay_steps = 900 : i64, warmup_steps = 100 : i64} : tensor<f32>
// CHECK: graph.lr_schedule cosine %[[T]] {base_lr = 1.000000e-03 : f64, cycle_steps = 500 : i64, decay_steps = 400 : i64, final_lr = 1.000000e-05 : f64} : tensor<f32>
// CHECK: graph.lr_schedule step %[[T]] {base_lr = 1.000000e-01 : f64, gamma = 5.000000e-01 : f64, step_size = 30 : i64} : tensor<f32>
// CHECK: graph.lr_schedule step %[[T]] {base_lr = 1.000000e-01 : f64, step_size = 30 : i64} : tensor<f32>
// CHECK: graph.lr_schedule inverse_sqrt %[[T]] {base_lr = 1.000000e-03 : f64, warmup_steps = 4000 : i64} : tensor<f32>
// CHECK: graph.lr_schedule infinite %[[T]] {base_lr = 1.000000e-03 : f64, constant_lr = 1.000000e-04 : f64, cooldown_steps = 1000 : i64} : tensor<f32>
// CHECK: graph.lr_schedule infinite %[[T64]] {anneal_start = 5000 : i64, anneal_steps = 500 : i64, base_lr = 1.000000e-03 : f64, constant_lr = 1.000000e-04 : f64, cooldown_steps = 1000 : i64, final_lr = 9.9999999999999995E-7 : f64, warmup_steps = 100 : i64} : tensor<f64>
func.func @lr_schedule(%t: tensor<f32>, %t64: tensor<f64>) {
  %0 = graph.lr_schedule constant %t {base_lr = 1.0e-3 : f64} : tensor<f32>
  %1 = graph.lr_schedule constant %t {base_lr = 1.0e-3 : f64, warmup_steps = 10 : i64} : tensor<f32>
  %2 = graph.lr_schedule cosine %t {base_lr = 1.0e-3 : f64, warmup_steps = 100 : i64, decay_steps = 900 : i64} : tensor<f32>
  %3 = graph.lr_schedule cosine %t {base_lr = 1.0e-3 : f64, final_lr = 1.0e-5 : f64, decay_steps = 400 : i64, cycle_steps = 500 : i64} : tensor<f32>
  %4 = graph.lr_schedule step %t {base_lr = 0.1 : f64, step_size = 30 : i64, gamma = 0.5 : f64} : tensor<f32>
  // gamma at its default, 0.1, is elided.
  %5 = graph.lr_schedule step %t {base_lr = 0.1 : f64, step_size = 30 : i64, gamma = 0.1 : f64} : tensor<f32>
  %6 = graph.lr_schedule inverse_sqrt %t {base_lr = 1.0e-3 : f64, warmup_steps = 4000 : i64} : tensor<f32>
  %7 = graph.lr_schedule infinite %t {base_lr = 1.0e-3 : f64, constant_lr = 1.0e-4 : f64, cooldown_steps = 1000 : i64} : tensor<f32>
  %8 = graph.lr_schedule infinite %t64 {base_lr = 1.0e-3 : f64, warmup_steps = 100 : i64, constant_lr = 1.0e-4 : f64, cooldown_steps = 1000 : i64, anneal_start = 5000 : i64, anneal_steps = 500 : i64, final_lr = 1.0e-6 : f64} : tensor<f64>
  return
}

// -----

// value_and_grad yields the callee's results, then one gradient per wrt
// operand.

func.func private @loss(%w: tensor<4x3xf32>, %x: tensor<2x4xf32>, %y: tensor<2xi32>) -> (tensor<f32>, tensor<2x3xf32>)

// CHECK-LABEL: func.func @value_and_grad
// CHECK-SAME: (%[[W:.*]]: tensor<4x3xf32>, %[[X:.*]]: tensor<2x4xf32>, %[[Y:.*]]: tensor<2xi32>)
// CHECK: %[[R:.*]]:3 = graph.value_and_grad @loss(%[[W]], %[[X]], %[[Y]]) {wrt = array<i64: 0>} : (tensor<4x3xf32>, tensor<2x4xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<4x3xf32>)
// CHECK: graph.value_and_grad @loss(%[[W]], %[[X]], %[[Y]]) {wrt = array<i64: 1, 0>} : (tensor<4x3xf32>, tensor<2x4xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<2x4xf32>, tensor<4x3xf32>)
// CHECK: return %[[R]]#0, %[[R]]#2
func.func @value_and_grad(%w: tensor<4x3xf32>, %x: tensor<2x4xf32>, %y: tensor<2xi32>) -> (tensor<f32>, tensor<4x3xf32>) {
  %0:3 = graph.value_and_grad @loss(%w, %x, %y) {wrt = array<i64: 0>}
      : (tensor<4x3xf32>, tensor<2x4xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<4x3xf32>)
  %1:4 = graph.value_and_grad @loss(%w, %x, %y) {wrt = array<i64: 1, 0>}
      : (tensor<4x3xf32>, tensor<2x4xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<2x4xf32>, tensor<4x3xf32>)
  return %0#0, %0#2 : tensor<f32>, tensor<4x3xf32>
}
