// RUN: kiln-opt %s --kiln-exp-lower-to-runtime=experiment=second | FileCheck %s --implicit-check-not=exp.experiment --implicit-check-not=first

// With several experiments, `experiment=NAME` picks the one to build; the
// others are removed.

// CHECK-DAG:   llvm.mlir.global private constant @[[NAME:kiln_str_[0-9]+]]("second\00")
// CHECK-DAG:   llvm.mlir.global private constant @[[K:kiln_str_[0-9]+]]("k\00")
// CHECK-LABEL: func.func @main(
// CHECK:         %[[N:.*]] = llvm.mlir.addressof @[[NAME]]
// CHECK:         %[[CTX:.*]] = call @kiln_run_create(%{{.*}}, %{{.*}}, %[[N]], %{{.*}})
// CHECK:         %[[KN:.*]] = llvm.mlir.addressof @[[K]]
// CHECK:         call @kiln_run_declare_int(%[[CTX]], %[[KN]],
// CHECK-NOT:     kiln_run_declare
// CHECK:         call @kiln_run_start(%[[CTX]])
// CHECK:         %[[V:.*]] = call @kiln_run_int(%[[CTX]], %{{.*}})
// CHECK:         call @kiln_run_log_i64(%[[CTX]], %{{.*}}, %[[V]])
// CHECK:         call @kiln_run_finish(%[[CTX]])

exp.experiment @first hparams {j = 1 : i64} {
  %j = exp.hparam "j" : i64
  exp.log "j"(%j : i64)
}
exp.experiment @second hparams {k = 2 : i64} {
  %k = exp.hparam "k" : i64
  exp.log "k"(%k : i64)
}
