// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-cpu-approximate-math))' | FileCheck %s

// exp, log and erf of f32, vector or scalar, become straight-line
// polynomial code: none is left for LLVM to scalarize into libm calls.

// CHECK-LABEL: func.func @vector_exp_log
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK: math.fma {{.*}} : vector<32xf32>
// CHECK: return
func.func @vector_exp_log(%x: vector<32xf32>) -> (vector<32xf32>, vector<32xf32>) {
  %e = math.exp %x : vector<32xf32>
  %l = math.log %x : vector<32xf32>
  return %e, %l : vector<32xf32>, vector<32xf32>
}

// -----

// CHECK-LABEL: func.func @vector_erf
// CHECK-NOT: math.erf
// CHECK: return
func.func @vector_erf(%x: vector<16xf32>) -> vector<16xf32> {
  %e = math.erf %x : vector<16xf32>
  return %e : vector<16xf32>
}

// -----

// CHECK-LABEL: func.func @scalar_exp
// CHECK-NOT: math.exp
// CHECK: math.fma {{.*}} : f32
func.func @scalar_exp(%x: f32) -> f32 {
  %e = math.exp %x : f32
  return %e : f32
}

// -----

// Other functions, and f64, are left to libm.

// CHECK-LABEL: func.func @others_stay
// CHECK: math.tanh %{{.*}} : vector<8xf32>
// CHECK: math.exp %{{.*}} : f64
func.func @others_stay(%x: vector<8xf32>, %y: f64) -> (vector<8xf32>, f64) {
  %t = math.tanh %x : vector<8xf32>
  %e = math.exp %y : f64
  return %t, %e : vector<8xf32>, f64
}
