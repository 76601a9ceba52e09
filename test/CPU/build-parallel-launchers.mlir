// RUN: kiln-opt %s --split-input-file --kiln-cpu-build-parallel-launchers --verify-diagnostics | FileCheck %s

// The launcher stores its arguments in a stack struct and calls
// kiln_parallel_for with the task, which loads them back and calls the
// chunk function with the chunk index first.

// CHECK-LABEL: llvm.func internal @kiln_parallel_launch.f.chunk0
// CHECK-SAME: (%[[N:.*]]: i64, %[[P:.*]]: !llvm.ptr, %[[K:.*]]: i64)
// CHECK: %[[CTX:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(ptr, i64)>
// CHECK: %[[F0:.*]] = llvm.getelementptr %[[CTX]][0, 0]
// CHECK: llvm.store %[[P]], %[[F0]]
// CHECK: %[[F1:.*]] = llvm.getelementptr %[[CTX]][0, 1]
// CHECK: llvm.store %[[K]], %[[F1]]
// CHECK: %[[TASK:.*]] = llvm.mlir.addressof @kiln_parallel_task.f.chunk0
// CHECK: llvm.call @kiln_parallel_for(%[[N]], %[[TASK]], %[[CTX]])
// CHECK: llvm.func @kiln_parallel_for(i64, !llvm.ptr, !llvm.ptr)
// CHECK-LABEL: llvm.func internal @kiln_parallel_task.f.chunk0
// CHECK-SAME: (%[[C:.*]]: !llvm.ptr, %[[I:.*]]: i64)
// CHECK: %[[G0:.*]] = llvm.getelementptr %[[C]][0, 0]
// CHECK: %[[V0:.*]] = llvm.load %[[G0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[G1:.*]] = llvm.getelementptr %[[C]][0, 1]
// CHECK: %[[V1:.*]] = llvm.load %[[G1]] : !llvm.ptr -> i64
// CHECK: llvm.call @f.chunk0(%[[I]], %[[V0]], %[[V1]])
llvm.func @f.chunk0(%i: i64, %p: !llvm.ptr, %k: i64) {
  llvm.return
}
llvm.func @kiln_parallel_launch.f.chunk0(i64, !llvm.ptr, i64)
llvm.func @f(%p: !llvm.ptr) {
  %n = llvm.mlir.constant(4 : i64) : i64
  llvm.call @kiln_parallel_launch.f.chunk0(%n, %p, %n) : (i64, !llvm.ptr, i64) -> ()
  llvm.return
}

// -----

// expected-error @+1 {{no chunk function 'g.chunk0'}}
llvm.func @kiln_parallel_launch.g.chunk0(i64, !llvm.ptr)
