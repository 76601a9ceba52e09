// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-cpu-expose-entry-points

// A result can only update an existing argument of its own tensor type.

// expected-error @+1 {{result #1 cannot update argument #2: it does not exist or has another type}}
func.func @no_such_argument(%p: tensor<4xf32>, %g: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32> {kiln.updates = 2 : i64}) {
  return %g, %p : tensor<4xf32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{result #0 cannot update argument #-1: it does not exist or has another type}}
func.func @negative_index(%p: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = -1 : i64}) {
  return %p : tensor<4xf32>
}

// -----

// expected-error @+1 {{result #0 cannot update argument #0: it does not exist or has another type}}
func.func @other_shape(%p: tensor<4xf32>, %q: tensor<8xf32>) -> (tensor<8xf32> {kiln.updates = 0 : i64}) {
  return %q : tensor<8xf32>
}

// -----

// expected-error @+1 {{result #0 cannot update argument #0: it does not exist or has another type}}
func.func @other_element_type(%p: tensor<4xf16>, %q: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 0 : i64}) {
  return %q : tensor<4xf32>
}

// -----

// Only tensors have a buffer to update: a scalar or a memref cannot be
// updated in place.

// expected-error @+1 {{result #0 cannot update argument #0: it does not exist or has another type}}
func.func @scalar(%x: f32) -> (f32 {kiln.updates = 0 : i64}) {
  return %x : f32
}

// -----

// expected-error @+1 {{result #0 cannot update argument #0: it does not exist or has another type}}
func.func @memref(%x: memref<4xf32>) -> (memref<4xf32> {kiln.updates = 0 : i64}) {
  return %x : memref<4xf32>
}

// -----

// Two results cannot both be written into one argument.

// expected-error @+1 {{argument #0 is updated twice}}
func.func @updated_twice(%p: tensor<4xf32>, %g: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 0 : i64}, tensor<4xf32>, tensor<4xf32> {kiln.updates = 0 : i64}) {
  %0 = arith.subf %p, %g : tensor<4xf32>
  return %0, %g, %0 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Every entry point is checked, not only the first.

func.func @fine(%p: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 0 : i64}) {
  return %p : tensor<4xf32>
}

// expected-error @+1 {{result #0 cannot update argument #1: it does not exist or has another type}}
func.func @second_is_wrong(%p: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 1 : i64}) {
  return %p : tensor<4xf32>
}
