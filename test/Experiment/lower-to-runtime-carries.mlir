// RUN: kiln-opt %s --kiln-exp-lower-to-runtime | FileCheck %s

// A loop that carries a host value is announced to the runtime, which then
// lets no checkpoint land inside it; a loop that carries none is not.
// CHECK-LABEL: func.func @main
// CHECK:         %[[FIRST:.*]] = call @kiln_run_loop_enter(%{{.*}}, %[[C0:.*]], %{{.*}})
// CHECK-NOT:     kiln_run_loop_carries
// CHECK:         call @kiln_run_loop_carries(%{{.*}}, %[[ID:.*]]) : (!llvm.ptr, i64) -> ()
// CHECK-NEXT:    %[[SAME:.*]] = arith.constant 1 : i64
// CHECK-NEXT:    call @kiln_run_loop_enter(%{{.*}}, %[[SAME]], %{{.*}})
// CHECK:         scf.for {{.*}} iter_args
exp.experiment @sums hparams {} {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %c3 = arith.constant 3 : i64
  scf.for %i = %c0 to %c3 step %c1 : i64 {
    exp.log "i"(%i : i64)
  }
  %zero = arith.constant 0.0 : f64
  %total = scf.for %j = %c0 to %c3 step %c1 iter_args(%sum = %zero) -> (f64) : i64 {
    %one = arith.constant 1.0 : f64
    %next = arith.addf %sum, %one : f64
    scf.yield %next : f64
  }
  exp.log "total"(%total : f64)
}
