// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-cpu-drop-updated-results | FileCheck %s

// After bufferization, a result marked `kiln.updates = i` that is argument
// #i's buffer itself is removed from the signature and from the return: the
// caller already holds it. Other results keep their order and attributes.

// CHECK-LABEL: func.func @in_place
// CHECK-SAME: (%[[P:.*]]: memref<4xf32>, %[[G:.*]]: memref<4xf32>, %[[M:.*]]: memref<4xf32>)
// CHECK-SAME: -> (memref<4xf32> {kiln.tag = 1 : i64}) {
// CHECK: %[[NORM:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: return %[[NORM]] : memref<4xf32>
// CHECK-NOT: kiln.updates
func.func @in_place(%p: memref<4xf32>, %g: memref<4xf32>, %m: memref<4xf32>)
    -> (memref<4xf32> {kiln.updates = 2 : i64}, memref<4xf32> {kiln.tag = 1 : i64}, memref<4xf32> {kiln.updates = 0 : i64}) {
  %norm = memref.alloc() : memref<4xf32>
  return %m, %norm, %p : memref<4xf32>, memref<4xf32>, memref<4xf32>
}

// -----

// With every result an update, the function returns nothing.

// CHECK-LABEL: func.func @all_updates
// CHECK-SAME: (%{{.*}}: memref<4xf32>, %{{.*}}: memref<4x8xf64>) {
// CHECK-NEXT: return{{$}}
func.func @all_updates(%a: memref<4xf32>, %b: memref<4x8xf64>)
    -> (memref<4x8xf64> {kiln.updates = 1 : i64}, memref<4xf32> {kiln.updates = 0 : i64}) {
  return %b, %a : memref<4x8xf64>, memref<4xf32>
}

// -----

// Functions without kiln.updates, private functions (whose callers would
// lose the result) and declarations are left as they are.

// CHECK-LABEL: func.func @no_updates
// CHECK-SAME: -> memref<4xf32> {
// CHECK-NEXT: return %{{.*}} : memref<4xf32>
// CHECK-LABEL: func.func @caller
// CHECK: %[[R:.*]] = call @helper(%{{.*}}) : (memref<4xf32>) -> memref<4xf32>
// CHECK-NEXT: return %[[R]]
// CHECK-LABEL: func.func private @helper
// CHECK-SAME: -> (memref<4xf32> {kiln.updates = 0 : i64}) {
// CHECK-NEXT: return %{{.*}} : memref<4xf32>
// CHECK-LABEL: func.func private @declared
// CHECK-SAME: -> (memref<4xf32> {kiln.updates = 0 : i64})
func.func @no_updates(%a: memref<4xf32>) -> memref<4xf32> {
  return %a : memref<4xf32>
}
func.func @caller(%a: memref<4xf32>) -> memref<4xf32> {
  %0 = call @helper(%a) : (memref<4xf32>) -> memref<4xf32>
  return %0 : memref<4xf32>
}
func.func private @helper(%a: memref<4xf32>) -> (memref<4xf32> {kiln.updates = 0 : i64}) {
  return %a : memref<4xf32>
}
func.func private @declared(memref<4xf32>) -> (memref<4xf32> {kiln.updates = 0 : i64})

// -----

// Anything but the argument's buffer itself means that bufferization could
// not write the update in place: a new buffer...

// expected-error @+1 {{result #0 could not be computed in place into argument #0}}
func.func @copied(%p: memref<4xf32>) -> (memref<4xf32> {kiln.updates = 0 : i64}) {
  %new = memref.alloc() : memref<4xf32>
  memref.copy %p, %new : memref<4xf32> to memref<4xf32>
  return %new : memref<4xf32>
}

// -----

// ... another argument of the same type...

// expected-error @+1 {{result #1 could not be computed in place into argument #0}}
func.func @other_argument(%p: memref<4xf32>, %q: memref<4xf32>)
    -> (memref<4xf32>, memref<4xf32> {kiln.updates = 0 : i64}) {
  return %p, %q : memref<4xf32>, memref<4xf32>
}

// -----

// ... a view of the argument...

// expected-error @+1 {{result #0 could not be computed in place into argument #0}}
func.func @cast(%p: memref<4xf32>) -> (memref<?xf32> {kiln.updates = 0 : i64}) {
  %0 = memref.cast %p : memref<4xf32> to memref<?xf32>
  return %0 : memref<?xf32>
}

// -----

// ... or an argument that does not exist.

// expected-error @+1 {{result #0 could not be computed in place into argument #3}}
func.func @no_such_argument(%p: memref<4xf32>) -> (memref<4xf32> {kiln.updates = 3 : i64}) {
  return %p : memref<4xf32>
}
