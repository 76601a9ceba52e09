// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-linalg | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-linalg | FileCheck %s --check-prefix=NO-GRAPH --implicit-check-not=graph.
// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-linalg | FileCheck %s --check-prefix=ONCE

// No graph op survives.
// NO-GRAPH: module

// The ops a training step adds around the model. Optimizer updates become ONE
// generic over the parameter's elements in destination-passing style: it
// reads the gradient and updates the states (parameter and moments) through
// its outs, with no fresh destination and the per-step scalars computed once
// before it (ONCE); clipping expands into graph ops that lower as usual;
// schedules are scalar arithmetic.

// CHECK-LABEL: func.func @erf
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[E:.*]] = math.erf %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[E]] : f32
func.func @erf(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = graph.erf %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// stop_gradient is the identity once gradients are built: it disappears.

// CHECK-LABEL: func.func @stop_gradient
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT: return %[[X]] : tensor<4x8xf32>
func.func @stop_gradient(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = graph.stop_gradient %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @insert_slice
// CHECK-SAME: (%[[S:.*]]: tensor<4x3xf32>, %[[D:.*]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[R:.*]] = tensor.insert_slice %[[S]] into %[[D]][0, 2] [4, 3] [1, 2] : tensor<4x3xf32> into tensor<4x8xf32>
// CHECK-NEXT: return %[[R]]
func.func @insert_slice(%s: tensor<4x3xf32>, %d: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = graph.insert_slice %s into %d {starts = array<i64: 0, 2>, strides = array<i64: 1, 2>} : tensor<4x3xf32> into tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// One scf.for per dimension of the updates, in order, carrying the
// destination: repeated indices accumulate deterministically. The index is
// clamped into [0, 9].

// CHECK-LABEL: func.func @scatter_add
// CHECK-SAME: (%[[U:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<3xi32>, %[[D:.*]]: tensor<10x4xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[OUTER:.*]] = scf.for %[[P:.*]] = %[[C0]] to %[[C3]] step %[[C1]] iter_args(%[[ACC0:.*]] = %[[D]]) -> (tensor<10x4xf32>) {
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[INNER:.*]] = scf.for %[[Q:.*]] = %[[C0]] to %[[C4]] step %[[C1]] iter_args(%[[ACC:.*]] = %[[ACC0]]) -> (tensor<10x4xf32>) {
// CHECK: %[[RAW:.*]] = tensor.extract %[[I]][%[[P]]] : tensor<3xi32>
// CHECK: %[[IDX:.*]] = arith.index_cast %[[RAW]] : i32 to index
// CHECK-DAG: %[[LO:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[HI:.*]] = arith.constant 9 : index
// CHECK: %[[ABOVE:.*]] = arith.maxsi %[[IDX]], %[[LO]] : index
// CHECK: %[[ROW:.*]] = arith.minsi %[[ABOVE]], %[[HI]] : index
// CHECK: %[[UPD:.*]] = tensor.extract %[[U]][%[[P]], %[[Q]]] : tensor<3x4xf32>
// CHECK: %[[OLD:.*]] = tensor.extract %[[ACC]][%[[ROW]], %[[Q]]] : tensor<10x4xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[OLD]], %[[UPD]] : f32
// CHECK: %[[NEW:.*]] = tensor.insert %[[SUM]] into %[[ACC]][%[[ROW]], %[[Q]]] : tensor<10x4xf32>
// CHECK: scf.yield %[[NEW]] : tensor<10x4xf32>
// CHECK: scf.yield %[[INNER]] : tensor<10x4xf32>
// CHECK: return %[[OUTER]]
func.func @scatter_add(%u: tensor<3x4xf32>, %i: tensor<3xi32>, %d: tensor<10x4xf32>) -> tensor<10x4xf32> {
  %0 = graph.scatter_add %u, %i into %d : (tensor<3x4xf32>, tensor<3xi32>) into tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

// Along axis 1 the index selects the middle coordinate.

// CHECK-LABEL: func.func @scatter_add_axis_1
// CHECK-SAME: (%[[U:.*]]: tensor<2x5xf64>, %[[I:.*]]: tensor<5xi64>, %[[D:.*]]: tensor<2x7xf64>)
// CHECK: scf.for %[[P:.*]] = {{.*}} iter_args(%{{.*}} = %[[D]])
// CHECK: scf.for %[[Q:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %{{.*}})
// CHECK: tensor.extract %[[I]][%[[Q]]] : tensor<5xi64>
// CHECK: arith.constant 6 : index
// CHECK: %[[COL:.*]] = arith.minsi
// CHECK: tensor.extract %[[U]][%[[P]], %[[Q]]] : tensor<2x5xf64>
// CHECK: tensor.extract %[[ACC]][%[[P]], %[[COL]]] : tensor<2x7xf64>
// CHECK: arith.addf %{{.*}}, %{{.*}} : f64
// CHECK: tensor.insert %{{.*}} into %[[ACC]][%[[P]], %[[COL]]] : tensor<2x7xf64>
func.func @scatter_add_axis_1(%u: tensor<2x5xf64>, %i: tensor<5xi64>, %d: tensor<2x7xf64>) -> tensor<2x7xf64> {
  %0 = graph.scatter_add %u, %i into %d {axis = 1 : i64} : (tensor<2x5xf64>, tensor<5xi64>) into tensor<2x7xf64>
  return %0 : tensor<2x7xf64>
}

// -----

// argmax: a max reduction from -inf, then a min reduction over the indices
// whose element equals the maximum, from the largest index value: the first
// maximum wins ties.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @argmax
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAXINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]] : tensor<4x10xf32>) outs(%[[MAXINIT]] : tensor<4xf32>)
// CHECK: arith.maximumf
// CHECK: %[[NONE:.*]] = arith.constant 2147483647 : i32
// CHECK: %[[IDXINIT:.*]] = linalg.fill ins(%[[NONE]] : i32) outs(%{{.*}} : tensor<4xi32>)
// CHECK: %[[ARG:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[MAX]] : tensor<4x10xf32>, tensor<4xf32>) outs(%[[IDXINIT]] : tensor<4xi32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[M:.*]]: f32, %[[ACC:.*]]: i32):
// CHECK-NEXT: %[[HIT:.*]] = arith.cmpf oeq, %[[V]], %[[M]] : f32
// CHECK-NEXT: %[[J:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[JI:.*]] = arith.index_cast %[[J]] : index to i32
// CHECK-NEXT: %[[CAND:.*]] = arith.select %[[HIT]], %[[JI]], %[[ACC]] : i32
// CHECK-NEXT: %[[MIN:.*]] = arith.minsi %[[CAND]], %[[ACC]] : i32
// CHECK-NEXT: linalg.yield %[[MIN]] : i32
// CHECK: return %[[ARG]]
func.func @argmax(%x: tensor<4x10xf32>) -> tensor<4xi32> {
  %0 = graph.argmax %x : (tensor<4x10xf32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Integer input along axis 0: the maximum starts from the smallest i64.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @argmax_int_axis_0
// CHECK: arith.constant -9223372036854775808 : i64
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$COL]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.maxsi
// CHECK: arith.constant 9223372036854775807 : i64
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$COL]], #[[$COL]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.cmpi eq
// CHECK: linalg.index 0 : index
// CHECK: arith.minsi
func.func @argmax_int_axis_0(%x: tensor<5x7xi64>) -> tensor<7xi64> {
  %0 = graph.argmax %x {axis = 0 : i64} : (tensor<5x7xi64>) -> tensor<7xi64>
  return %0 : tensor<7xi64>
}

// -----

// SGD: v' = momentum * v + (g + wd * p), p' = p - lr * (g' + momentum * v')
// (Nesterov), in one generic with two results. The gradient is its only
// input; the parameter and the velocity are its destinations (outs), read
// through their block arguments (g, p, v) and overwritten with p' and v'.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @sgd_nesterov
// CHECK-SAME: (%[[P:.*]]: tensor<4x8xf32>, %[[G:.*]]: tensor<4x8xf32>, %[[V:.*]]: tensor<4x8xf32>, %[[LR:.*]]: tensor<f32>)
// CHECK: %[[LRS:.*]] = tensor.extract %[[LR]][] : tensor<f32>
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[G]] : tensor<4x8xf32>) outs(%[[P]], %[[V]] : tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK-NEXT: ^bb0(%[[GI:[^:]*]]: f32, %[[PI:[^:]*]]: f32, %[[VI:[^:]*]]: f32):
// CHECK: %[[WD:.*]] = arith.constant 0.00999999977 : f32
// CHECK: %[[DECAY:.*]] = arith.mulf %[[WD]], %[[PI]] : f32
// CHECK: %[[G2:.*]] = arith.addf %[[GI]], %[[DECAY]] : f32
// CHECK: %[[MU:.*]] = arith.constant 0.899999976 : f32
// CHECK: %[[KEPT:.*]] = arith.mulf %[[MU]], %[[VI]] : f32
// CHECK: %[[NEWV:.*]] = arith.addf %[[KEPT]], %[[G2]] : f32
// CHECK: %[[LOOK:.*]] = arith.mulf %{{.*}}, %[[NEWV]] : f32
// CHECK: %[[DIR:.*]] = arith.addf %[[G2]], %[[LOOK]] : f32
// CHECK: %[[STEP:.*]] = arith.mulf %[[LRS]], %[[DIR]] : f32
// CHECK: %[[NEWP:.*]] = arith.subf %[[PI]], %[[STEP]] : f32
// CHECK: linalg.yield %[[NEWP]], %[[NEWV]] : f32, f32
// CHECK: return %[[R]]#0, %[[R]]#1

// ONCE-LABEL: func.func @sgd_nesterov
// ONCE-NOT: tensor.empty
// ONCE: tensor.extract
// ONCE-NOT: tensor.empty
// ONCE: linalg.generic
// ONCE-NOT: tensor.extract
// ONCE-NOT: linalg.generic
// ONCE-NOT: tensor.empty
// ONCE: return
func.func @sgd_nesterov(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %v: tensor<4x8xf32>, %lr: tensor<f32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0:2 = graph.sgd_update %p, %g, %v, %lr {momentum = 0.9 : f64, nesterov, weight_decay = 0.01 : f64} : tensor<4x8xf32>, tensor<f32>
  return %0#0, %0#1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Without momentum the velocity is not read: p' = p - lr * g, v' = g. It is
// still the second destination, but its block argument has no use.

// CHECK-LABEL: func.func @sgd_plain
// CHECK-SAME: (%[[P:.*]]: tensor<8xf32>, %[[G:.*]]: tensor<8xf32>, %[[V:.*]]: tensor<8xf32>, %[[LR:.*]]: tensor<f32>)
// CHECK: %[[LRS:.*]] = tensor.extract %[[LR]][] : tensor<f32>
// CHECK: %[[R:.*]]:2 = linalg.generic
// CHECK-SAME: ins(%[[G]] : tensor<8xf32>) outs(%[[P]], %[[V]] : tensor<8xf32>, tensor<8xf32>)
// CHECK-NEXT: ^bb0(%[[GI:[^:]*]]: f32, %[[PI:[^:]*]]: f32, %[[VI:[^:]*]]: f32):
// CHECK-NEXT: %[[STEP:.*]] = arith.mulf %[[LRS]], %[[GI]] : f32
// CHECK-NEXT: %[[NEWP:.*]] = arith.subf %[[PI]], %[[STEP]] : f32
// CHECK-NEXT: linalg.yield %[[NEWP]], %[[GI]] : f32, f32
// CHECK: return %[[R]]#0, %[[R]]#1

// ONCE-LABEL: func.func @sgd_plain
// ONCE-NOT: tensor.empty
// ONCE: linalg.generic
// ONCE-NOT: linalg.generic
// ONCE-NOT: tensor.empty
// ONCE: return
func.func @sgd_plain(%p: tensor<8xf32>, %g: tensor<8xf32>, %v: tensor<8xf32>, %lr: tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0:2 = graph.sgd_update %p, %g, %v, %lr : tensor<8xf32>, tensor<f32>
  return %0#0, %0#1 : tensor<8xf32>, tensor<8xf32>
}

// -----

// AdamW: the bias corrections lr / (1 - b1^t) and 1 / sqrt(1 - b2^t) (so
// that the loop multiplies by it instead of dividing) and the decay factor
// 1 - lr * wd are computed once; the generic reads g (its only input) and
// p, m and v (its destinations) once each, block arguments (g, p, m, v), and
// yields p', m' and v' into them.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @adamw
// CHECK-SAME: (%[[P:.*]]: tensor<4x8xf32>, %[[G:.*]]: tensor<4x8xf32>, %[[M:.*]]: tensor<4x8xf32>, %[[V:.*]]: tensor<4x8xf32>, %[[LR:.*]]: tensor<f32>, %[[T:.*]]: tensor<f32>)
// CHECK: %[[LRS:.*]] = tensor.extract %[[LR]][] : tensor<f32>
// CHECK: %[[TS:.*]] = tensor.extract %[[T]][] : tensor<f32>
// CHECK: %[[B1:.*]] = arith.constant 0.899999976 : f32
// CHECK: %[[POW1:.*]] = math.powf %[[B1]], %[[TS]] : f32
// CHECK: %[[BC1:.*]] = arith.subf %{{.*}}, %[[POW1]] : f32
// CHECK: %[[STEPSIZE:.*]] = arith.divf %[[LRS]], %[[BC1]] : f32
// CHECK: %[[B2:.*]] = arith.constant 9.990000e-01 : f32
// CHECK: %[[POW2:.*]] = math.powf %[[B2]], %[[TS]] : f32
// CHECK: %[[BC2:.*]] = arith.subf %{{.*}}, %[[POW2]] : f32
// CHECK: %[[RSQRTBC2:.*]] = math.rsqrt %[[BC2]] : f32
// CHECK: %[[LRWD:.*]] = arith.mulf %[[LRS]], %{{.*}} : f32
// CHECK: %[[SHRINK:.*]] = arith.subf %{{.*}}, %[[LRWD]] : f32
// CHECK: %[[R:.*]]:3 = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[G]] : tensor<4x8xf32>) outs(%[[P]], %[[M]], %[[V]] : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK-NEXT: ^bb0(%[[GI:[^:]*]]: f32, %[[PI:[^:]*]]: f32, %[[MI:[^:]*]]: f32, %[[VI:[^:]*]]: f32):
// CHECK-NEXT: %[[PS:.*]] = arith.mulf %[[PI]], %[[SHRINK]] : f32
// CHECK: %[[MG:.*]] = arith.mulf %{{.*}}, %[[GI]] : f32
// CHECK: %[[MK:.*]] = arith.mulf %{{.*}}, %[[MI]] : f32
// CHECK: %[[NEWM:.*]] = arith.addf %[[MK]], %[[MG]] : f32
// CHECK: %[[GG:.*]] = arith.mulf %[[GI]], %[[GI]] : f32
// CHECK: %[[VG:.*]] = arith.mulf %{{.*}}, %[[GG]] : f32
// CHECK: %[[VK:.*]] = arith.mulf %{{.*}}, %[[VI]] : f32
// CHECK: %[[NEWV:.*]] = arith.addf %[[VK]], %[[VG]] : f32
// CHECK: %[[EPS:.*]] = arith.constant 9.99999993E-9 : f32
// CHECK: %[[ROOT:.*]] = math.sqrt %[[NEWV]] : f32
// CHECK: %[[VHAT:.*]] = arith.mulf %[[ROOT]], %[[RSQRTBC2]] : f32
// CHECK: %[[DENOM:.*]] = arith.addf %[[VHAT]], %[[EPS]] : f32
// CHECK: %[[RATIO:.*]] = arith.divf %[[NEWM]], %[[DENOM]] : f32
// CHECK: %[[UPD:.*]] = arith.mulf %[[STEPSIZE]], %[[RATIO]] : f32
// CHECK: %[[NEWP:.*]] = arith.subf %[[PS]], %[[UPD]] : f32
// CHECK: linalg.yield %[[NEWP]], %[[NEWM]], %[[NEWV]] : f32, f32, f32
// CHECK: return %[[R]]#0, %[[R]]#1, %[[R]]#2

// ONCE-LABEL: func.func @adamw
// ONCE-NOT: tensor.empty
// ONCE-COUNT-2: math.powf
// ONCE-NOT: tensor.empty
// ONCE: linalg.generic
// ONCE-NOT: math.powf
// ONCE-NOT: math.rsqrt
// ONCE-NOT: tensor.extract
// ONCE-NOT: linalg.generic
// ONCE-NOT: tensor.empty
// ONCE: return
func.func @adamw(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %v: tensor<4x8xf32>, %lr: tensor<f32>, %t: tensor<f32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0:3 = graph.adam_update %p, %g, %m, %v, %lr, %t {weight_decay = 0.01 : f64, decoupled} : tensor<4x8xf32>, tensor<f32>
  return %0#0, %0#1, %0#2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Adam's coupled weight decay adds wd * p to the gradient inside the loop and
// leaves the parameter unscaled.

// CHECK-LABEL: func.func @adam_weight_decay
// CHECK-SAME: (%[[P:.*]]: tensor<8xf64>, %[[G:.*]]: tensor<8xf64>, %[[M:.*]]: tensor<8xf64>, %[[V:.*]]: tensor<8xf64>, %[[LR:.*]]: tensor<f64>, %[[T:.*]]: tensor<f64>)
// CHECK: %[[R:.*]]:3 = linalg.generic
// CHECK-SAME: ins(%[[G]] : tensor<8xf64>) outs(%[[P]], %[[M]], %[[V]] : tensor<8xf64>, tensor<8xf64>, tensor<8xf64>)
// CHECK-NEXT: ^bb0(%[[GI:[^:]*]]: f64, %[[PI:[^:]*]]: f64, %[[MI:[^:]*]]: f64, %[[VI:[^:]*]]: f64):
// CHECK-NEXT: %[[WD:.*]] = arith.constant 5.000000e-01 : f64
// CHECK-NEXT: %[[DECAY:.*]] = arith.mulf %[[WD]], %[[PI]] : f64
// CHECK-NEXT: %[[G2:.*]] = arith.addf %[[GI]], %[[DECAY]] : f64
// CHECK: arith.mulf %{{.*}}, %[[MI]] : f64
// CHECK: arith.mulf %[[G2]], %[[G2]] : f64
// CHECK: arith.mulf %{{.*}}, %[[VI]] : f64
// CHECK: %[[NEWP:.*]] = arith.subf %[[PI]], %{{.*}} : f64
// CHECK: linalg.yield %[[NEWP]], %{{.*}}, %{{.*}} : f64, f64, f64
// CHECK: return %[[R]]#0, %[[R]]#1, %[[R]]#2

// ONCE-LABEL: func.func @adam_weight_decay
// ONCE-NOT: tensor.empty
// ONCE-COUNT-2: math.powf
// ONCE-NOT: tensor.empty
// ONCE: linalg.generic
// ONCE-NOT: math.powf
// ONCE-NOT: math.rsqrt
// ONCE-NOT: linalg.generic
// ONCE-NOT: tensor.empty
// ONCE: return
func.func @adam_weight_decay(%p: tensor<8xf64>, %g: tensor<8xf64>, %m: tensor<8xf64>, %v: tensor<8xf64>, %lr: tensor<f64>, %t: tensor<f64>)
    -> (tensor<8xf64>, tensor<8xf64>, tensor<8xf64>) {
  %0:3 = graph.adam_update %p, %g, %m, %v, %lr, %t {weight_decay = 0.5 : f64} : tensor<8xf64>, tensor<f64>
  return %0#0, %0#1, %0#2 : tensor<8xf64>, tensor<8xf64>, tensor<8xf64>
}

// -----

// Clipping: per gradient, its squares and their full reduction; the sum of
// those, its square root (the norm), min(1, max_norm / (norm + 1e-6)), and
// one scaling generic per gradient.

// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ALL2:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$ALL1:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @clip_by_global_norm
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[SQA:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[A]] : tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK: arith.mulf
// CHECK: %[[SUMA:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ALL2]]], iterator_types = ["reduction", "reduction"]} ins(%[[SQA]] : tensor<4x8xf32>)
// CHECK: arith.addf
// CHECK: %[[SQB:.*]] = linalg.generic {{.*}} ins(%[[B]], %[[B]] : tensor<8xf32>, tensor<8xf32>)
// CHECK: arith.mulf
// CHECK: %[[SUMB:.*]] = linalg.generic {indexing_maps = [#[[$ID1]], #[[$ALL1]]], iterator_types = ["reduction"]} ins(%[[SQB]] : tensor<8xf32>)
// CHECK: arith.addf
// CHECK: %[[TOTAL:.*]] = linalg.generic {{.*}} ins(%[[SUMA]], %[[SUMB]] : tensor<f32>, tensor<f32>)
// CHECK: arith.addf
// CHECK: %[[NORM:.*]] = linalg.generic {{.*}} ins(%[[TOTAL]] : tensor<f32>)
// CHECK: math.sqrt
// CHECK: %[[TINY:.*]] = arith.constant dense<9.99999997E-7> : tensor<f32>
// CHECK: %[[GUARDED:.*]] = linalg.generic {{.*}} ins(%[[NORM]], %[[TINY]] : tensor<f32>, tensor<f32>)
// CHECK: arith.addf
// CHECK: %[[MAXNORM:.*]] = arith.constant dense<2.500000e+00> : tensor<f32>
// CHECK: %[[RATIO:.*]] = linalg.generic {{.*}} ins(%[[MAXNORM]], %[[GUARDED]] : tensor<f32>, tensor<f32>)
// CHECK: arith.divf
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[SCALE:.*]] = linalg.generic {{.*}} ins(%[[RATIO]], %[[ONE]] : tensor<f32>, tensor<f32>)
// CHECK: arith.minimumf
// CHECK: %[[CA:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ALL2]], #[[$ID2]]], {{.*}} ins(%[[A]], %[[SCALE]] : tensor<4x8xf32>, tensor<f32>)
// CHECK: arith.mulf
// CHECK: %[[CB:.*]] = linalg.generic {indexing_maps = [#[[$ID1]], #[[$ALL1]], #[[$ID1]]], {{.*}} ins(%[[B]], %[[SCALE]] : tensor<8xf32>, tensor<f32>)
// CHECK: arith.mulf
// CHECK: return %[[CA]], %[[CB]], %[[NORM]] : tensor<4x8xf32>, tensor<8xf32>, tensor<f32>
func.func @clip_by_global_norm(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<f32>) {
  %0:3 = graph.clip_by_global_norm %a, %b {max_norm = 2.5 : f64} : tensor<4x8xf32>, tensor<8xf32>
  return %0#0, %0#1, %0#2 : tensor<4x8xf32>, tensor<8xf32>, tensor<f32>
}

// -----

// Schedules are scalar arithmetic on the extracted step, wrapped back into a
// tensor; no loop.

// CHECK-LABEL: func.func @lr_cosine_warmup
// CHECK-SAME: (%[[T:.*]]: tensor<f32>)
// CHECK: %[[S:.*]] = tensor.extract %[[T]][] : tensor<f32>
// CHECK: %[[SINCE:.*]] = arith.subf %[[S]], %{{.*}} : f32
// CHECK: %[[AFTER:.*]] = arith.maximumf %[[SINCE]], %{{.*}} : f32
// CHECK: %[[DECAY:.*]] = arith.constant 9.000000e+02 : f32
// CHECK: %[[FRAC:.*]] = arith.divf %[[AFTER]], %[[DECAY]] : f32
// CHECK: %[[CLAMPED:.*]] = arith.minimumf %[[FRAC]], %{{.*}} : f32
// CHECK: %[[ANGLE:.*]] = arith.mulf %{{.*}}, %[[CLAMPED]] : f32
// CHECK: %[[COS:.*]] = math.cos %[[ANGLE]] : f32
// CHECK: %[[ONEPLUS:.*]] = arith.addf %{{.*}}, %[[COS]] : f32
// CHECK: %[[HALF:.*]] = arith.mulf %[[ONEPLUS]], %{{.*}} : f32
// CHECK: %[[SPAN:.*]] = arith.mulf %{{.*}}, %[[HALF]] : f32
// CHECK: %[[COSINE:.*]] = arith.addf %{{.*}}, %[[SPAN]] : f32
// CHECK: %[[NEXT:.*]] = arith.addf %[[S]], %{{.*}} : f32
// CHECK: %[[SCALED:.*]] = arith.mulf %{{.*}}, %[[NEXT]] : f32
// CHECK: %[[RAMP:.*]] = arith.divf %[[SCALED]], %{{.*}} : f32
// CHECK: %[[WARMUP:.*]] = arith.constant 1.000000e+02 : f32
// CHECK: %[[IN:.*]] = arith.cmpf olt, %[[S]], %[[WARMUP]] : f32
// CHECK: %[[LR:.*]] = arith.select %[[IN]], %[[RAMP]], %[[COSINE]] : f32
// CHECK: %[[R:.*]] = tensor.from_elements %[[LR]] : tensor<f32>
// CHECK: return %[[R]]
// CHECK-NOT: linalg.generic
// CHECK-NOT: scf.for
func.func @lr_cosine_warmup(%t: tensor<f32>) -> tensor<f32> {
  %0 = graph.lr_schedule cosine %t {base_lr = 1.0e-3 : f64, warmup_steps = 100 : i64, decay_steps = 900 : i64} : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// SGDR restarts: the step wraps modulo cycle_steps.

// CHECK-LABEL: func.func @lr_cosine_cycle
// CHECK: %[[S:.*]] = tensor.extract
// CHECK: %[[T:.*]] = arith.maximumf
// CHECK: %[[PERIOD:.*]] = arith.constant 5.000000e+02 : f32
// CHECK: %[[Q:.*]] = arith.divf %[[T]], %[[PERIOD]] : f32
// CHECK: %[[N:.*]] = math.floor %[[Q]] : f32
// CHECK: %[[DONE:.*]] = arith.mulf %[[PERIOD]], %[[N]] : f32
// CHECK: %[[LOCAL:.*]] = arith.subf %[[T]], %[[DONE]] : f32
// CHECK: arith.divf %[[LOCAL]], %{{.*}} : f32
// CHECK: math.cos
// CHECK-NOT: arith.select
// CHECK: tensor.from_elements
func.func @lr_cosine_cycle(%t: tensor<f32>) -> tensor<f32> {
  %0 = graph.lr_schedule cosine %t {base_lr = 1.0e-3 : f64, final_lr = 1.0e-5 : f64, decay_steps = 400 : i64, cycle_steps = 500 : i64} : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @lr_constant
// CHECK: %[[BASE:.*]] = arith.constant 1.000000e-03 : f32
// CHECK: %[[R:.*]] = tensor.from_elements %[[BASE]] : tensor<f32>
// CHECK: return %[[R]]
func.func @lr_constant(%t: tensor<f32>) -> tensor<f32> {
  %0 = graph.lr_schedule constant %t {base_lr = 1.0e-3 : f64} : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// base_lr * gamma ^ floor(t / step_size).

// CHECK-LABEL: func.func @lr_step
// CHECK: %[[T:.*]] = arith.maximumf
// CHECK: %[[SIZE:.*]] = arith.constant 3.000000e+01 : f32
// CHECK: %[[Q:.*]] = arith.divf %[[T]], %[[SIZE]] : f32
// CHECK: %[[DROPS:.*]] = math.floor %[[Q]] : f32
// CHECK: %[[GAMMA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[POW:.*]] = math.powf %[[GAMMA]], %[[DROPS]] : f32
// CHECK: %[[LR:.*]] = arith.mulf %{{.*}}, %[[POW]] : f32
// CHECK: tensor.from_elements %[[LR]] : tensor<f32>
func.func @lr_step(%t: tensor<f32>) -> tensor<f32> {
  %0 = graph.lr_schedule step %t {base_lr = 0.1 : f64, step_size = 30 : i64, gamma = 0.5 : f64} : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// base_lr * sqrt(max(warmup_steps, 1) / (step + 1)), after the warmup.

// CHECK-LABEL: func.func @lr_inverse_sqrt
// CHECK: %[[S:.*]] = tensor.extract
// CHECK: %[[NEXT:.*]] = arith.addf %[[S]], %{{.*}} : f64
// CHECK: %[[WARMUP:.*]] = arith.constant 4.000000e+03 : f64
// CHECK: %[[Q:.*]] = arith.divf %[[WARMUP]], %[[NEXT]] : f64
// CHECK: %[[ROOT:.*]] = math.sqrt %[[Q]] : f64
// CHECK: %[[DECAYED:.*]] = arith.mulf %{{.*}}, %[[ROOT]] : f64
// CHECK: %[[IN:.*]] = arith.cmpf olt, %[[S]], %{{.*}} : f64
// CHECK: %[[LR:.*]] = arith.select %[[IN]], %{{.*}}, %[[DECAYED]] : f64
// CHECK: tensor.from_elements %[[LR]] : tensor<f64>
func.func @lr_inverse_sqrt(%t: tensor<f64>) -> tensor<f64> {
  %0 = graph.lr_schedule inverse_sqrt %t {base_lr = 1.0e-3 : f64, warmup_steps = 4000 : i64} : tensor<f64>
  return %0 : tensor<f64>
}

// -----

// The cosine cooldown to constant_lr, then from anneal_start the exponential
// anneal constant_lr * (final_lr / constant_lr) ^ progress.

// CHECK-LABEL: func.func @lr_infinite_anneal
// CHECK: %[[S:.*]] = tensor.extract
// CHECK: %[[COOLDOWN:.*]] = arith.constant 1.000000e+03 : f32
// CHECK: arith.divf %{{.*}}, %[[COOLDOWN]] : f32
// CHECK: %[[COS:.*]] = math.cos
// CHECK: %[[ONEPLUS:.*]] = arith.addf %{{.*}}, %[[COS]] : f32
// CHECK: %[[HALF:.*]] = arith.mulf %[[ONEPLUS]], %{{.*}} : f32
// CHECK: %[[SPAN:.*]] = arith.mulf %{{.*}}, %[[HALF]] : f32
// CHECK: %[[CONSTANT:.*]] = arith.constant 9.99999974E-5 : f32
// CHECK: %[[COSINE:.*]] = arith.addf %[[CONSTANT]], %[[SPAN]] : f32
// CHECK: %[[START:.*]] = arith.constant 5.000000e+03 : f32
// CHECK: %[[INTO:.*]] = arith.subf %[[S]], %[[START]] : f32
// CHECK: %[[STEPS:.*]] = arith.constant 5.000000e+02 : f32
// CHECK: %[[P:.*]] = arith.divf %{{.*}}, %[[STEPS]] : f32
// CHECK: %[[PROGRESS:.*]] = arith.minimumf %[[P]], %{{.*}} : f32
// CHECK: %[[RATIO:.*]] = arith.constant 0.00999999977 : f32
// CHECK: %[[POW:.*]] = math.powf %[[RATIO]], %[[PROGRESS]] : f32
// CHECK: %[[ANNEALED:.*]] = arith.mulf %{{.*}}, %[[POW]] : f32
// CHECK: %[[BEFORE:.*]] = arith.cmpf olt, %[[S]], %{{.*}} : f32
// CHECK: %[[LR:.*]] = arith.select %[[BEFORE]], %[[COSINE]], %[[ANNEALED]] : f32
// CHECK: tensor.from_elements %[[LR]] : tensor<f32>
func.func @lr_infinite_anneal(%t: tensor<f32>) -> tensor<f32> {
  %0 = graph.lr_schedule infinite %t {base_lr = 1.0e-3 : f64, constant_lr = 1.0e-4 : f64, cooldown_steps = 1000 : i64, anneal_start = 5000 : i64, anneal_steps = 500 : i64, final_lr = 1.0e-6 : f64} : tensor<f32>
  return %0 : tensor<f32>
}
