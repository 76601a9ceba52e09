// RUN: kilnc emit --stage=experiment %kiln_src_root/examples/fashion_mlp.kiln | kiln-opt --kiln-aot-pipeline | FileCheck %s --check-prefix=MLP --implicit-check-not='{{(^|[^.[:alnum:]_])exp\.[a-z_]+}}'
// RUN: kilnc emit --stage=experiment %kiln_src_root/examples/permuted_fmnist_rehearsal.kiln | kiln-opt --kiln-aot-pipeline | FileCheck %s --check-prefix=REHEARSAL --implicit-check-not='{{(^|[^.[:alnum:]_])exp\.[a-z_]+}}'
// RUN: kilnc emit --stage=experiment %kiln_src_root/examples/induction_heads.kiln | not kiln-opt --kiln-aot-pipeline 2>&1 | FileCheck %s --check-prefix=INDUCTION

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

// Synthetic data sets are not in native builds yet.
// INDUCTION: error: 'exp.synthetic' op generator 'induction_tokens' is not supported by native builds yet (kilnc build)
