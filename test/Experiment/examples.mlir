// RUN: kilnc emit %kiln_src_root/examples/fashion_mlp.kiln --stage=experiment | kiln-opt --kiln-exp-build-train-steps | FileCheck %s --check-prefix=MLP
// RUN: kilnc emit %kiln_src_root/test/Frontend/Inputs/induction_cosine.kiln --stage=experiment | kiln-opt --kiln-exp-build-train-steps | FileCheck %s --check-prefix=INDUCTION
// RUN: kilnc emit %kiln_src_root/examples/fashion_mlp.kiln --stage=experiment \
// RUN:   | kiln-opt --kiln-exp-build-train-steps \
// RUN:       --symbol-privatize=exclude=Classifier.loss.train_step --symbol-dce \
// RUN:       --kiln-cpu-pipeline \
// RUN:   | FileCheck %s --check-prefix=LLVM

// The train steps of the examples, built from their experiments' exp.step.

// fashion_mlp: Adam on the six parameters of the MLP, their twelve moments,
// a batch, the step number and the base learning rate, which the step uses
// as is (no schedule). Only `batch`, which sizes tensors, is fixed; `lr` is
// read when the program runs.
// MLP-LABEL: func.func @Classifier.loss.train_step(
// MLP-SAME:    %[[W1:[^:]*]]: tensor<784x256xf32> {kiln.param = "mlp.l1.w"},
// MLP-SAME:    %[[M1:[^:]*]]: tensor<784x256xf32>,
// MLP-SAME:    %[[V1:[^:]*]]: tensor<784x256xf32>,
// MLP-SAME:    %[[X:[^:]*]]: tensor<64x784xf32> {kiln.arg = "x"}, %[[Y:[^:]*]]: tensor<64xi32> {kiln.arg = "y"}, %[[T:[^:]*]]: tensor<f32>, %[[LR:[^:]*]]: tensor<f32>)
// MLP-SAME:    -> (tensor<f32>, tensor<784x256xf32> {kiln.updates = 0 : i64},
// MLP-SAME:        tensor<10xf32> {kiln.updates = 17 : i64})
// MLP:         %[[G:.*]]:7 = graph.value_and_grad @Classifier.loss({{.*}}, %[[X]], %[[Y]]) {wrt = array<i64: 0, 1, 2, 3, 4, 5>}
// MLP-NOT:     graph.lr_schedule
// MLP:         graph.adam_update %[[W1]], %[[G]]#1, %[[M1]], %[[V1]], %[[LR]], %[[T]] : tensor<784x256xf32>, tensor<f32>
// MLP-COUNT-5: graph.adam_update
// MLP:         return %[[G]]#0,
// MLP:         exp.experiment @fashion_mlp hparams {batch = 64 : i64, epochs = 5 : i64, lr = 1.000000e-03 : f64, seed = 0 : i64} fixed ["batch"] {
// MLP:         exp.step @Classifier.loss(%{{.*}}, %{{.*}}) params %{{.*}} optimizer %{{.*}} train_step @Classifier.loss.train_step

// induction_heads: AdamW (weight decay 0.01) with cosine(lr, steps, warmup =
// 100) at steps = 2000: the schedule from 1 scales the base rate, the last
// argument. `steps` joins `batch` among the fixed hyper-parameters.
// INDUCTION-LABEL: func.func @InductionNet.loss.train_step(
// INDUCTION-SAME:    %[[T:[^:]*]]: tensor<f32>, %[[BASE:[^:]*]]: tensor<f32>) -> (
// INDUCTION:         %[[FACTOR:.*]] = graph.lr_schedule cosine %{{.*}} {base_lr = 1.000000e+00 : f64, decay_steps = 1900 : i64, warmup_steps = 100 : i64} : tensor<f32>
// INDUCTION:         %[[LR:.*]] = graph.mul %[[FACTOR]], %[[BASE]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
// INDUCTION:         graph.adam_update {{.*}}, %[[LR]], %[[T]] {decoupled, weight_decay = 1.000000e-02 : f64}
// INDUCTION:       exp.experiment @induction hparams {batch = 32 : i64, lr = 1.000000e-03 : f64, steps = 2000 : i64} fixed ["batch", "steps"] {

// The train step alone compiles for the CPU, with the parameters and moments
// updated in place: its C interface takes the 22 arguments and an out
// pointer for the loss, and returns nothing.
// LLVM-NOT:  exp.
// LLVM:      llvm.func @_mlir_ciface_Classifier.loss.train_step(
// LLVM-SAME:   %arg21: !llvm.ptr, %arg22: !llvm.ptr) attributes {llvm.emit_c_interface}
