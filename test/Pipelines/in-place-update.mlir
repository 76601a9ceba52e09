// RUN: kiln-opt %s --split-input-file --kiln-cpu-pipeline --mlir-print-ir-after=convert-linalg-to-loops -o /dev/null 2>&1 | FileCheck %s --check-prefix=BUF
// RUN: kiln-opt %s --split-input-file --kiln-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// An optimizer step whose three states are marked `kiln.updates` is computed
// in place through the whole CPU pipeline: the parameter and both moments are
// read from and written back into the caller's buffers, with no new buffer
// of their size and no copy, and the function returns nothing.

// BUF checks the IR right after the bufferization part of the pipeline (the
// first pass after it is convert-linalg-to-loops, which leaves this function
// as it is); LLVM checks the final LLVM dialect.

// BUF-LABEL: IR Dump After ConvertLinalgToLoopsPass
// BUF-NEXT: func.func @adam_step(%[[P:.*]]: memref<16x64xf32>, %[[G:.*]]: memref<16x64xf32>, %[[M:.*]]: memref<16x64xf32>, %[[V:.*]]: memref<16x64xf32>, %[[LR:.*]]: memref<f32>, %[[T:.*]]: memref<f32>) attributes {llvm.emit_c_interface} {
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// The per-step scalars, once, before the loops.
// BUF-COUNT-2: math.powf
// BUF: scf.for %[[I:.*]] = {{.*}} {
// BUF-NEXT: scf.for %[[J:.*]] = {{.*}} {
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF-DAG: %[[GS:.*]] = memref.subview %[[G]][%[[I]], %[[J]]] [1, 32] [1, 1]
// BUF-DAG: %[[PS:.*]] = memref.subview %[[P]][%[[I]], %[[J]]] [1, 32] [1, 1]
// BUF-DAG: %[[MS:.*]] = memref.subview %[[M]][%[[I]], %[[J]]] [1, 32] [1, 1]
// BUF-DAG: %[[VS:.*]] = memref.subview %[[V]][%[[I]], %[[J]]] [1, 32] [1, 1]
// BUF-DAG: vector.transfer_read %[[GS]]{{.*}} vector<1x32xf32>
// BUF-DAG: vector.transfer_read %[[PS]]{{.*}} vector<1x32xf32>
// BUF-DAG: vector.transfer_read %[[MS]]{{.*}} vector<1x32xf32>
// BUF-DAG: vector.transfer_read %[[VS]]{{.*}} vector<1x32xf32>
// BUF-NOT: math.powf
// BUF-DAG: vector.transfer_write %{{.*}}, %[[PS]]{{.*}} : vector<1x32xf32>
// BUF-DAG: vector.transfer_write %{{.*}}, %[[MS]]{{.*}} : vector<1x32xf32>
// BUF-DAG: vector.transfer_write %{{.*}}, %[[VS]]{{.*}} : vector<1x32xf32>
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF-NOT: vector.transfer_write
// BUF: return{{$}}
// BUF-NEXT: }

// In the LLVM dialect: four descriptors of rank 2 (7 words each: allocated
// and aligned pointers, offset, 2 sizes, 2 strides) then two of rank 0, and
// no result. No allocation or copy anywhere; the new states are stored
// through the aligned pointers of the parameter (%arg1), the first moment
// (%arg15) and the second (%arg22), the gradient (%arg8) is only read.

// LLVM-LABEL: llvm.func @adam_step(
// LLVM-SAME: %arg33: i64) attributes {llvm.emit_c_interface} {
// LLVM-NOT: malloc
// LLVM-NOT: memcpy
// LLVM-NOT: llvm.call
// LLVM-DAG: %[[GROW:.*]] = llvm.getelementptr %arg8[
// LLVM-DAG: %[[PROW:.*]] = llvm.getelementptr %arg1[
// LLVM-DAG: %[[MROW:.*]] = llvm.getelementptr %arg15[
// LLVM-DAG: %[[VROW:.*]] = llvm.getelementptr %arg22[
// LLVM-DAG: %[[GPTR:.*]] = llvm.getelementptr %[[GROW]][
// LLVM-DAG: %[[PPTR:.*]] = llvm.getelementptr %[[PROW]][
// LLVM-DAG: %[[MPTR:.*]] = llvm.getelementptr %[[MROW]][
// LLVM-DAG: %[[VPTR:.*]] = llvm.getelementptr %[[VROW]][
// LLVM-DAG: llvm.load %[[GPTR]] {{.*}} -> vector<32xf32>
// LLVM-DAG: llvm.load %[[PPTR]] {{.*}} -> vector<32xf32>
// LLVM-DAG: llvm.load %[[MPTR]] {{.*}} -> vector<32xf32>
// LLVM-DAG: llvm.load %[[VPTR]] {{.*}} -> vector<32xf32>
// LLVM-DAG: llvm.store %{{.*}}, %[[PPTR]] {{.*}} : vector<32xf32>, !llvm.ptr
// LLVM-DAG: llvm.store %{{.*}}, %[[MPTR]] {{.*}} : vector<32xf32>, !llvm.ptr
// LLVM-DAG: llvm.store %{{.*}}, %[[VPTR]] {{.*}} : vector<32xf32>, !llvm.ptr
// LLVM-NOT: llvm.store
// LLVM-NOT: malloc
// LLVM-NOT: memcpy
// LLVM: llvm.return{{$}}

// The C wrapper takes the six descriptors and nothing else, and returns
// nothing.

// LLVM-LABEL: llvm.func @_mlir_ciface_adam_step(
// LLVM-SAME: %{{[^,]*}}: !llvm.ptr, %{{[^,]*}}: !llvm.ptr, %{{[^,]*}}: !llvm.ptr, %{{[^,]*}}: !llvm.ptr, %{{[^,]*}}: !llvm.ptr, %{{[^,]*}}: !llvm.ptr) attributes
// LLVM: llvm.call @adam_step({{.*}}) : ({{.*}}) -> ()
func.func @adam_step(%p: tensor<16x64xf32>, %g: tensor<16x64xf32>, %m: tensor<16x64xf32>, %v: tensor<16x64xf32>, %lr: tensor<f32>, %t: tensor<f32>)
    -> (tensor<16x64xf32> {kiln.updates = 0 : i64}, tensor<16x64xf32> {kiln.updates = 2 : i64}, tensor<16x64xf32> {kiln.updates = 3 : i64}) {
  %0:3 = graph.adam_update %p, %g, %m, %v, %lr, %t {weight_decay = 0.01 : f64, decoupled} : tensor<16x64xf32>, tensor<f32>
  return %0#0, %0#1, %0#2 : tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>
}

// -----

// The same step without kiln.updates, for contrast: the new states are
// returned in out-parameters, which start as copies of the old ones.

// BUF-LABEL: IR Dump After ConvertLinalgToLoopsPass
// BUF-NEXT: func.func @adam_step_returned(%[[P:.*]]: memref<16x64xf32>, %{{.*}}: memref<16x64xf32>, %[[M:.*]]: memref<16x64xf32>, %[[V:.*]]: memref<16x64xf32>, %{{.*}}: memref<f32>, %{{.*}}: memref<f32>, %[[OUTP:.*]]: memref<16x64xf32>, %[[OUTM:.*]]: memref<16x64xf32>, %[[OUTV:.*]]: memref<16x64xf32>)
// BUF-DAG: memref.copy %[[P]], %[[OUTP]]
// BUF-DAG: memref.copy %[[M]], %[[OUTM]]
// BUF-DAG: memref.copy %[[V]], %[[OUTV]]

func.func @adam_step_returned(%p: tensor<16x64xf32>, %g: tensor<16x64xf32>, %m: tensor<16x64xf32>, %v: tensor<16x64xf32>, %lr: tensor<f32>, %t: tensor<f32>)
    -> (tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>) {
  %0:3 = graph.adam_update %p, %g, %m, %v, %lr, %t {weight_decay = 0.01 : f64, decoupled} : tensor<16x64xf32>, tensor<f32>
  return %0#0, %0#1, %0#2 : tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>
}
