// RUN: kiln-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(kiln-gpu-sink-host-scalars,canonicalize))' \
// RUN:   | FileCheck %s

// A learning rate and Adam's bias correction, loaded and computed on the
// host side, are recomputed inside the kernel that uses them: the host side
// keeps nothing but the launch.

// CHECK-LABEL: func.func @scalars_sink
// CHECK-SAME: (%[[P:.*]]: memref<16xf32>, %[[LR:.*]]: memref<f32>, %[[T:.*]]: memref<f32>)
// CHECK-NOT: memref.load
// CHECK: gpu.launch
// CHECK-DAG: memref.load %[[LR]][]
// CHECK-DAG: memref.load %[[T]][]
// CHECK-DAG: math.powf
// CHECK: memref.store
// CHECK: gpu.terminator
func.func @scalars_sink(%p: memref<16xf32>, %lr: memref<f32>, %t: memref<f32>) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %beta = arith.constant 0.9 : f32
  %one = arith.constant 1.0 : f32
  %a = memref.load %lr[] : memref<f32>
  %s = memref.load %t[] : memref<f32>
  %pow = math.powf %beta, %s : f32
  %corr = arith.subf %one, %pow : f32
  %step = arith.divf %a, %corr : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c16, %sy = %c1, %sz = %c1) {
    %v = memref.load %p[%tx] : memref<16xf32>
    %n = arith.subf %v, %step : f32
    memref.store %n, %p[%tx] : memref<16xf32>
    gpu.terminator
  }
  return
}

// -----

// A value the host side stores into a buffer is stored by a one-thread
// kernel. A load of that buffer from before the store must not move into a
// later kernel (it would read the new value): it stays on the host side,
// captured by the kernel.

// CHECK-LABEL: func.func @load_before_a_write
// CHECK-SAME: (%[[P:.*]]: memref<16xf32>, %[[S:.*]]: memref<f32>)
// CHECK: %[[OLD:.*]] = memref.load %[[S]][]
// CHECK: gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %{{.*}}, {{.*}} = %{{.*}})
// CHECK: memref.store %{{.*}}, %[[S]][]
// CHECK: gpu.launch
// CHECK-NOT: memref.load %[[S]]
// CHECK: arith.mulf %{{.*}}, %[[OLD]]
func.func @load_before_a_write(%p: memref<16xf32>, %s: memref<f32>) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %two = arith.constant 2.0 : f32
  %old = memref.load %s[] : memref<f32>
  memref.store %two, %s[] : memref<f32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c16, %sy = %c1, %sz = %c1) {
    %v = memref.load %p[%tx] : memref<16xf32>
    %n = arith.mulf %v, %old : f32
    memref.store %n, %p[%tx] : memref<16xf32>
    gpu.terminator
  }
  return
}
