// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-gpu-sequential-loops-to-parallel))' \
// RUN:   | FileCheck %s

// A scatter-add (an embedding's gradient): rows may repeat, features never
// collide. With a small table, a thread per (row, feature) scans the whole
// nest in order and adds what lands in its own element, which it keeps in a
// register: loaded once, updated only where the row is the thread's (the
// gradient is loaded only then), stored once.

// CHECK-LABEL: func.func @scatter_add
// CHECK-SAME: (%[[IDS:.*]]: memref<8x4xindex>, %[[G:.*]]: memref<8x4x16xf32>, %[[T:.*]]: memref<64x16xf32>)
// CHECK-DAG: %[[ROWS:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[FEATURES:.*]] = arith.constant 16 : index
// CHECK: scf.parallel (%[[OWN:.*]], %[[K:.*]]) = (%{{.*}}, %{{.*}}) to (%[[ROWS]], %[[FEATURES]])
// CHECK-NEXT: %[[INIT:.*]] = memref.load %[[T]][%[[OWN]], %[[K]]]
// CHECK-NEXT: %[[SUM:.*]] = scf.for %[[I:.*]] = {{.*}} iter_args(%[[A:.*]] = %[[INIT]])
// CHECK-NEXT: %[[INNER:.*]] = scf.for %[[J:.*]] = {{.*}} iter_args(%[[B:.*]] = %[[A]])
// CHECK-NEXT: %[[R:.*]] = memref.load %[[IDS]][%[[I]], %[[J]]]
// CHECK-NEXT: %[[MINE:.*]] = arith.cmpi eq, %[[R]], %[[OWN]]
// CHECK-NEXT: %[[NEW:.*]] = scf.if %[[MINE]] -> (f32) {
// CHECK-NEXT: %[[V:.*]] = memref.load %[[G]][%[[I]], %[[J]], %[[K]]]
// CHECK-NEXT: %[[ADDED:.*]] = arith.addf %[[B]], %[[V]]
// CHECK-NEXT: scf.yield %[[ADDED]]
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %[[B]]
// CHECK: scf.yield %[[NEW]]
// CHECK: scf.yield %[[INNER]]
// CHECK: memref.store %[[SUM]], %[[T]][%[[OWN]], %[[K]]]
func.func @scatter_add(%ids: memref<8x4xindex>, %g: memref<8x4x16xf32>, %t: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      scf.for %k = %c0 to %c16 step %c1 {
        %r = memref.load %ids[%i, %j] : memref<8x4xindex>
        %v = memref.load %g[%i, %j, %k] : memref<8x4x16xf32>
        %o = memref.load %t[%r, %k] : memref<64x16xf32>
        %s = arith.addf %o, %v : f32
        memref.store %s, %t[%r, %k] : memref<64x16xf32>
      }
    }
  }
  return
}

// -----

// With a large table, scanning the nest once per row would cost too much: a
// thread per feature adds the rows in order.

// CHECK-LABEL: func.func @scatter_add_large_table
// CHECK-SAME: (%[[IDS:.*]]: memref<8x4xindex>, %[[G:.*]]: memref<8x4x16xf32>, %[[T:.*]]: memref<1000000x16xf32>)
// CHECK: scf.parallel (%[[K:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK-NEXT: scf.for %[[I:.*]] =
// CHECK-NEXT: scf.for %[[J:.*]] =
// CHECK-NEXT: %[[R:.*]] = memref.load %[[IDS]][%[[I]], %[[J]]]
// CHECK: memref.store %{{.*}}, %[[T]][%[[R]], %[[K]]]
// CHECK-NOT: scf.if
func.func @scatter_add_large_table(%ids: memref<8x4xindex>, %g: memref<8x4x16xf32>, %t: memref<1000000x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      scf.for %k = %c0 to %c16 step %c1 {
        %r = memref.load %ids[%i, %j] : memref<8x4xindex>
        %v = memref.load %g[%i, %j, %k] : memref<8x4x16xf32>
        %o = memref.load %t[%r, %k] : memref<1000000x16xf32>
        %s = arith.addf %o, %v : f32
        memref.store %s, %t[%r, %k] : memref<1000000x16xf32>
      }
    }
  }
  return
}

// -----

// Iteration k reads what iteration k - 1 wrote: the nest runs whole in one
// thread, in order.

// CHECK-LABEL: func.func @running_sum
// CHECK: arith.constant 16 : index
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT: scf.parallel (%{{.*}}) = (%[[ZERO]]) to (%[[ONE]]) step (%[[ONE]]) {
// CHECK-NEXT: scf.for
func.func @running_sum(%t: memref<17xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %k = %c0 to %c16 step %c1 {
    %n = arith.addi %k, %c1 : index
    %a = memref.load %t[%k] : memref<17xf32>
    %b = memref.load %t[%n] : memref<17xf32>
    %s = arith.addf %a, %b : f32
    memref.store %s, %t[%n] : memref<17xf32>
  }
  return
}

// -----

// Loops inside kernels (a reduction's) are not the host side's: untouched.

// CHECK-LABEL: func.func @inside_a_parallel_loop
// CHECK: scf.parallel
// CHECK-NEXT: scf.for
// CHECK-NOT: scf.parallel
func.func @inside_a_parallel_loop(%x: memref<4x8xf32>, %y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %j = %c0 to %c8 step %c1 {
      %a = memref.load %x[%i, %j] : memref<4x8xf32>
      %b = memref.load %y[%i] : memref<4xf32>
      %s = arith.addf %a, %b : f32
      memref.store %s, %y[%i] : memref<4xf32>
    }
    scf.reduce
  }
  return
}
