// RUN: kiln-opt %s --kiln-aot-pipeline | FileCheck %s --implicit-check-not=@malloc --implicit-check-not=_mlir_ciface_main
// RUN: kiln-opt %s --kiln-aot-pipeline | FileCheck %s --check-prefix=ONLY-LLVM --implicit-check-not='{{(^|[^.[:alnum:]_])(exp|graph|func|linalg|tensor|bufferization|memref|vector|scf|affine|cf|arith|math|ub)\.[a-z_]+}}' --implicit-check-not=unrealized_conversion_cast

// The AOT pipeline takes an experiment and its graph functions to the LLVM
// dialect of a native program: the train step is built, the experiment
// becomes `main` calling the runtime, the graph functions go through the CPU
// pipeline, exp.invoke becomes a call of the bufferized function, and every
// allocation (main's buffers, the step's temporaries) comes from the
// runtime's caching allocator rather than malloc.

// ONLY-LLVM: module {

// CHECK-DAG:   llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
// CHECK-DAG:   llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)

// The train step's temporaries (activations, gradients).
// CHECK-LABEL: llvm.func @Net.loss.train_step(
// CHECK:         llvm.call @_mlir_memref_to_llvm_alloc(
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_Net.loss.train_step(

// The host program is a plain C main, without a C-interface wrapper.
// CHECK-LABEL: llvm.func @main(%{{.*}}: i32, %{{.*}}: !llvm.ptr) -> i32
// CHECK:         llvm.call @kiln_run_create(
// CHECK:         llvm.call @kiln_run_start(
// CHECK:         llvm.call @_mlir_memref_to_llvm_alloc(
// CHECK:         llvm.call @kiln_data_batch(
// CHECK:         llvm.call @Net.loss.train_step(
// CHECK:         llvm.call @kiln_run_step_done(
// CHECK:         llvm.call @kiln_run_finish(
// CHECK:         llvm.return
// CHECK-DAG:   llvm.func @kiln_run_create(i32, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> !llvm.ptr
// CHECK-DAG:   llvm.func @kiln_run_step_done(!llvm.ptr, !llvm.ptr)

func.func @Net.loss(%w: tensor<784x10xf32> {kiln.param = "w"}, %b: tensor<10xf32> {kiln.param = "b"},
                    %x: tensor<8x784xf32> {kiln.arg = "x"}, %y: tensor<8xi32> {kiln.arg = "y"}) -> tensor<f32> {
  %0 = graph.matmul %x, %w : (tensor<8x784xf32>, tensor<784x10xf32>) -> tensor<8x10xf32>
  %1 = graph.add %0, %b : (tensor<8x10xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  %2 = graph.softmax_cross_entropy %1, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  return %2 : tensor<f32>
}

exp.experiment @small hparams {batch = 8 : i64, lr = 1.0e-3 : f64} fixed ["batch"] {
  %lr = exp.hparam "lr" : f64
  %train = exp.dataset "fashion_mnist" split "train"
  %net = exp.params "Net" names ["w", "b"] types [tensor<784x10xf32>, tensor<10xf32>]
      inits [{kind = "glorot"}, {kind = "zeros"}]
  %opt = exp.optimizer "adam" %net lr %lr
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %n = exp.num_batches %train size 8
  scf.for %i = %c0 to %n step %c1 : i64 {
    %batch = exp.batch %train[%i] size 8
    %x = exp.field %batch "x" : tensor<8x784xf32>
    %y = exp.field %batch "y" : tensor<8xi32>
    %loss = exp.step @Net.loss(%x, %y) params %net optimizer %opt
        : (tensor<8x784xf32>, tensor<8xi32>) -> tensor<f32>
    exp.log "train/loss"(%loss : tensor<f32>)
  }
}
