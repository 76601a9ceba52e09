// RUN: kilnc emit --stage=experiment %kiln_src_root/examples/fashion_mlp.kiln | kiln-opt --kiln-aot-pipeline | FileCheck %s --check-prefix=MLP --implicit-check-not='{{(^|[^.[:alnum:]_])exp\.[a-z_]+}}'
// RUN: kilnc emit --stage=experiment %kiln_src_root/examples/permuted_fmnist_rehearsal.kiln | kiln-opt --kiln-aot-pipeline | FileCheck %s --check-prefix=REHEARSAL --implicit-check-not='{{(^|[^.[:alnum:]_])exp\.[a-z_]+}}'
// RUN: kilnc emit --stage=experiment %kiln_src_root/examples/induction_heads.kiln | kiln-opt --kiln-aot-pipeline | FileCheck %s --check-prefix=INDUCTION --implicit-check-not='{{(^|[^.[:alnum:]_])exp\.[a-z_]+}}'

// The examples through the whole AOT pipeline, from the front end: a native
// `main` that runs the train step, with nothing of the experiment left.

// MLP:         llvm.func @Classifier.loss.train_step(
// MLP:         llvm.func @main(%{{.*}}: i32, %{{.*}}: !llvm.ptr) -> i32
// MLP:           llvm.call @kiln_run_create(
// MLP:           llvm.call @Classifier.loss.train_step(
// MLP:           llvm.call @kiln_run_step_done(
// MLP:           llvm.call @Classifier.forward(
// MLP:           llvm.call @kiln_run_finish(

// REHEARSAL:   llvm.func @main(%{{.*}}: i32, %{{.*}}: !llvm.ptr) -> i32
// REHEARSAL:     llvm.call @kiln_replay_create(
// REHEARSAL:     llvm.call @Net.loss.train_step(

// The transformer: attention's batched products call the batched GEMM;
// sequences are generated, per-head scores read by index with bounds checks.
// INDUCTION:   llvm.func @InductionNet.loss.train_step(
// INDUCTION:     llvm.call @kiln_gemm_batched_f32(
// INDUCTION:   llvm.func @main(%{{.*}}: i32, %{{.*}}: !llvm.ptr) -> i32
// INDUCTION:     llvm.call @kiln_data_synthetic(
// INDUCTION:     llvm.call @InductionNet.loss.train_step(
// INDUCTION:     llvm.call @kiln_run_check_index(
