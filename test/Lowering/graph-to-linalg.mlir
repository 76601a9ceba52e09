// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-linalg | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-linalg | FileCheck %s --check-prefix=NO-GRAPH --implicit-check-not=graph.

// No graph op survives, composites included.
// NO-GRAPH: module

// Every graph op lowers to linalg/tensor/arith/math: elementwise ops to
// all-parallel generics whose indexing maps carry broadcasting, reductions and
// matmuls to generics with reduction loops, composites to their expansion.

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[I:.*]]: tensor<4xi32>, %[[B:.*]]: tensor<4xi1>, %[[F:.*]]: tensor<4xf32>, %[[D:.*]]: tensor<4xf64>)
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%[[I]] : tensor<4xi32>) outs(%[[E0]] : tensor<4xf32>)
// CHECK: ^bb0(%[[IN:.*]]: i32, %{{.*}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.sitofp %[[IN]] : i32 to f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
// Booleans convert as unsigned: true is 1, not -1.
// CHECK: ins(%[[B]] : tensor<4xi1>)
// CHECK: arith.uitofp %{{.*}} : i1 to f32
// CHECK: ins(%[[F]] : tensor<4xf32>)
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: ins(%[[D]] : tensor<4xf64>)
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @cast(%i: tensor<4xi32>, %b: tensor<4xi1>, %f: tensor<4xf32>, %d: tensor<4xf64>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xf32>) {
  %0 = graph.cast %i : tensor<4xi32> to tensor<4xf32>
  %1 = graph.cast %b : tensor<4xi1> to tensor<4xf32>
  %2 = graph.cast %f : tensor<4xf32> to tensor<4xi32>
  %3 = graph.cast %d : tensor<4xf64> to tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xf32>
}

// -----

// A lower-rank operand aligns on the right.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast_row
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<8xf32>) outs(%[[E]] : tensor<4x8xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @add_broadcast_row(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = graph.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// A size-1 dimension that the result stretches reads index 0.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @sub_broadcast_both_integer
// CHECK: linalg.generic {indexing_maps = [#[[$COL]], #[[$ROW]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4x1xi32>, tensor<1x8xi32>) outs(%{{.*}} : tensor<4x8xi32>)
// CHECK: arith.subi %{{.*}}, %{{.*}} : i32
func.func @sub_broadcast_both_integer(%a: tensor<4x1xi32>, %b: tensor<1x8xi32>) -> tensor<4x8xi32> {
  %0 = graph.sub %a, %b : (tensor<4x1xi32>, tensor<1x8xi32>) -> tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}

// -----

// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @mul_scalar
// CHECK: linalg.generic {indexing_maps = [#[[$SCALAR]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<f32>, tensor<4xf32>)
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-LABEL: func.func @mul_integer
// CHECK: arith.muli %{{.*}}, %{{.*}} : i64
func.func @mul_scalar(%a: tensor<f32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = graph.mul %a, %b : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @mul_integer(%a: tensor<4xi64>) -> tensor<4xi64> {
  %0 = graph.mul %a, %a : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Rank-3 result from a rank-3 and a rank-2 operand, stretching both.

// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @div_broadcast_rank3
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK-LABEL: func.func @div_integer
// CHECK: arith.divsi %{{.*}}, %{{.*}} : i32
func.func @div_broadcast_rank3(%a: tensor<2x1x8xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x8xf32> {
  %0 = graph.div %a, %b : (tensor<2x1x8xf32>, tensor<4x1xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}
func.func @div_integer(%a: tensor<4xi32>) -> tensor<4xi32> {
  %0 = graph.div %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @max_min
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.maxsi %{{.*}}, %{{.*}} : i32
// CHECK: arith.minimumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.minsi %{{.*}}, %{{.*}} : i32
func.func @max_min(%a: tensor<4xf32>, %i: tensor<4xi32>)
    -> (tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xi32>) {
  %0 = graph.max %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = graph.max %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %2 = graph.min %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = graph.min %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xi32>
}

// -----

// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @pow
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$SCALAR]], #[[$ID]]]
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[P:.*]] = math.powf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[P]]
func.func @pow(%a: tensor<4xf32>, %e: tensor<f32>) -> tensor<4xf32> {
  %0 = graph.pow %a, %e : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Float comparisons are ordered, except ne which is true on NaN.

// CHECK-LABEL: func.func @compare_float
// CHECK: outs(%{{.*}} : tensor<4xi1>)
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpf une
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf ole
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oge
func.func @compare_float(%a: tensor<4xf32>, %b: tensor<4xf32>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = graph.compare eq, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = graph.compare ne, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = graph.compare lt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %3 = graph.compare le, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %4 = graph.compare gt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %5 = graph.compare ge, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// Integer comparisons are signed.

// CHECK-DAG: #[[$COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @compare_integer
// CHECK: linalg.generic {indexing_maps = [#[[$COL]], #[[$ROW]], #[[$ID]]]
// CHECK-SAME: outs(%{{.*}} : tensor<3x4xi1>)
// CHECK: arith.cmpi eq
// CHECK: arith.cmpi ne
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi sle
// CHECK: arith.cmpi sgt
// CHECK: arith.cmpi sge
func.func @compare_integer(%a: tensor<3x1xi32>, %b: tensor<4xi32>)
    -> (tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>) {
  %0 = graph.compare eq, %a, %b : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  %1 = graph.compare ne, %a, %b : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  %2 = graph.compare lt, %a, %b : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  %3 = graph.compare le, %a, %b : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  %4 = graph.compare gt, %a, %b : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  %5 = graph.compare ge, %a, %b : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>
}

// -----

// All three operands of select broadcast together.

// CHECK-DAG: #[[$COND:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:.*]]: tensor<3x1xi1>, %[[A:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<f32>)
// CHECK: linalg.generic {indexing_maps = [#[[$COND]], #[[$ROW]], #[[$SCALAR]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[C]], %[[A]], %[[S]] : tensor<3x1xi1>, tensor<4xf32>, tensor<f32>) outs(%{{.*}} : tensor<3x4xf32>)
// CHECK-NEXT: ^bb0(%[[CI:.*]]: i1, %[[AI:.*]]: f32, %[[SI:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.select %[[CI]], %[[AI]], %[[SI]] : f32
// CHECK-NEXT: linalg.yield %[[V]]
func.func @select(%c: tensor<3x1xi1>, %a: tensor<4xf32>, %s: tensor<f32>) -> tensor<3x4xf32> {
  %0 = graph.select %c, %a, %s : (tensor<3x1xi1>, tensor<4xf32>, tensor<f32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @neg
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.negf %[[X]] : f32
// CHECK: ^bb0(%[[I:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT: arith.subi %[[ZERO]], %[[I]] : i32
func.func @neg(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = graph.neg %x : tensor<4xf32>
  %1 = graph.neg %i : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// Integer abs is max(x, 0 - x).

// CHECK-LABEL: func.func @abs
// CHECK: math.absf %{{.*}} : f32
// CHECK: ^bb0(%[[I:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[NEG:.*]] = arith.subi %[[ZERO]], %[[I]] : i32
// CHECK-NEXT: %[[ABS:.*]] = arith.maxsi %[[I]], %[[NEG]] : i32
// CHECK-NEXT: linalg.yield %[[ABS]] : i32
func.func @abs(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = graph.abs %x : tensor<4xf32>
  %1 = graph.abs %i : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @exp
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<4x8xf32>) outs(%[[E]] : tensor<4x8xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[V:.*]] = math.exp %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK: return %[[R]]
func.func @exp(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = graph.exp %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @log_sqrt_rsqrt_tanh
// CHECK: math.log %{{.*}} : f16
// CHECK: math.sqrt %{{.*}} : f16
// CHECK: math.rsqrt %{{.*}} : f16
// CHECK: math.tanh %{{.*}} : f16
func.func @log_sqrt_rsqrt_tanh(%x: tensor<4xf16>)
    -> (tensor<4xf16>, tensor<4xf16>, tensor<4xf16>, tensor<4xf16>) {
  %0 = graph.log %x : tensor<4xf16>
  %1 = graph.sqrt %x : tensor<4xf16>
  %2 = graph.rsqrt %x : tensor<4xf16>
  %3 = graph.tanh %x : tensor<4xf16>
  return %0, %1, %2, %3 : tensor<4xf16>, tensor<4xf16>, tensor<4xf16>, tensor<4xf16>
}

// -----

// sigmoid(x) = 1 / (1 + e^-x)

// CHECK-LABEL: func.func @sigmoid
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[NEG:.*]] = arith.negf %[[X]] : f32
// CHECK-DAG: %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK: %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK: %[[R:.*]] = arith.divf %[[ONE]], %[[DEN]] : f32
// CHECK: linalg.yield %[[R]]
func.func @sigmoid(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = graph.sigmoid %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @relu
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = arith.maximumf %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = graph.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Exact GELU: x * (1 + erf(x / sqrt(2))) / 2.

// CHECK-LABEL: func.func @gelu
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[INV_SQRT2:.*]] = arith.constant 0.707106769 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[SCALED:.*]] = arith.mulf %[[X]], %[[INV_SQRT2]] : f32
// CHECK-DAG: %[[ERF:.*]] = math.erf %[[SCALED]] : f32
// CHECK-DAG: %[[SUM:.*]] = arith.addf %[[ONE]], %[[ERF]] : f32
// CHECK-DAG: %[[HX:.*]] = arith.mulf %[[X]], %[[HALF]] : f32
// CHECK: %[[R:.*]] = arith.mulf %[[HX]], %[[SUM]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @gelu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = graph.gelu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Loops (m, n, k); the accumulator starts at zero.

// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8x16xf32>)
// CHECK-DAG: %[[E:.*]] = tensor.empty() : tensor<4x16xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<4x16xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[INIT]] : tensor<4x16xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = graph.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Transposed operands swap their (row, column) loop dimensions.

// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_transposed
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<3x2xf32>, tensor<5x3xf32>) outs(%{{.*}} : tensor<2x5xf32>)
func.func @matmul_transposed(%a: tensor<3x2xf32>, %b: tensor<5x3xf32>) -> tensor<2x5xf32> {
  %0 = graph.matmul %a, %b {transpose_lhs, transpose_rhs} : (tensor<3x2xf32>, tensor<5x3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Batch loops come first and broadcast: lhs [2, 1, 4, 3] reads batch
// index 0 of its size-1 dimension, rhs [5, 3, 6] has no first batch dim.

// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_batched_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<2x5x4x6xf32>)
func.func @matmul_batched_broadcast(%a: tensor<2x1x4x3xf32>, %b: tensor<5x3x6xf32>) -> tensor<2x5x4x6xf32> {
  %0 = graph.matmul %a, %b : (tensor<2x1x4x3xf32>, tensor<5x3x6xf32>) -> tensor<2x5x4x6xf32>
  return %0 : tensor<2x5x4x6xf32>
}

// -----

// Layer norm: the mean, then the mean square of the centered values, then
// their product with rsqrt(mean square + epsilon), all along the last axis.
// RMS norm skips the centering.

// CHECK-LABEL: func.func @layer_norm
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.addf
// CHECK: arith.subf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.constant dense<9.99999974E-6> : tensor<f32>
// CHECK: math.rsqrt
// CHECK-LABEL: func.func @rms_norm
// CHECK-NOT: arith.subf
// CHECK: arith.constant dense<9.99999997E-7> : tensor<f32>
// CHECK: math.rsqrt
func.func @layer_norm(%x: tensor<4x3x8xf32>) -> tensor<4x3x8xf32> {
  %0 = graph.layer_norm %x : tensor<4x3x8xf32>
  return %0 : tensor<4x3x8xf32>
}
func.func @rms_norm(%x: tensor<4x3x8xf32>) -> tensor<4x3x8xf32> {
  %0 = graph.rms_norm %x {epsilon = 1.0e-06 : f64} : tensor<4x3x8xf32>
  return %0 : tensor<4x3x8xf32>
}

// -----

// A solve is one parallel generic over the result that reads the system with
// tensor.extract: a square root per column of the factor, a selection of
// the element's own unknown.

// CHECK-LABEL: func.func @cholesky_solve
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<5x3x2xf32>)
// CHECK-COUNT-3: math.sqrt
// CHECK: arith.select
// CHECK: linalg.yield
func.func @cholesky_solve(%a: tensor<5x3x3xf32>, %b: tensor<5x3x2xf32>) -> tensor<5x3x2xf32> {
  %0 = graph.cholesky_solve %a, %b : (tensor<5x3x3xf32>, tensor<5x3x2xf32>) -> tensor<5x3x2xf32>
  return %0 : tensor<5x3x2xf32>
}

// -----

// A stack of rows times one matrix is one 2-D product over all the rows: the
// lhs [2, 3, 4, 8] collapses to [24, 8], the result expands back.

// CHECK-LABEL: func.func @matmul_rows_times_matrix
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4x8xf32>, %[[B:.*]]: tensor<16x8xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1, 2], [3]] : tensor<2x3x4x8xf32> into tensor<24x8xf32>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[FLAT]], %[[B]] : tensor<24x8xf32>, tensor<16x8xf32>) outs(%{{.*}} : tensor<24x16xf32>)
// CHECK: %[[OUT:.*]] = tensor.expand_shape %[[R]] {{\[\[}}0, 1, 2], [3]] output_shape [2, 3, 4, 16] : tensor<24x16xf32> into tensor<2x3x4x16xf32>
// CHECK: return %[[OUT]]
func.func @matmul_rows_times_matrix(%a: tensor<2x3x4x8xf32>, %b: tensor<16x8xf32>) -> tensor<2x3x4x16xf32> {
  %0 = graph.matmul %a, %b {transpose_rhs} : (tensor<2x3x4x8xf32>, tensor<16x8xf32>) -> tensor<2x3x4x16xf32>
  return %0 : tensor<2x3x4x16xf32>
}

// -----

// Batched attention scores q @ k^T.

// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_batched_transpose_rhs
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @matmul_batched_transpose_rhs(%q: tensor<4x16x8xf32>, %k: tensor<4x16x8xf32>) -> tensor<4x16x16xf32> {
  %0 = graph.matmul %q, %k {transpose_rhs} : (tensor<4x16x8xf32>, tensor<4x16x8xf32>) -> tensor<4x16x16xf32>
  return %0 : tensor<4x16x16xf32>
}

// -----

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @reduce_sum
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<4xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]] : tensor<4x8xf32>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[V]], %[[ACC]] : f32
// CHECK-NEXT: linalg.yield %[[S]]
// CHECK: return %[[R]]
func.func @reduce_sum(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = graph.reduce_sum %x {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Negative axes normalize; keepdims reinserts size-1 dims with expand_shape.

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @reduce_sum_keepdims_negative_axes
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["reduction", "parallel", "reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<3xi32>)
// CHECK: arith.addi %{{.*}}, %{{.*}} : i32
// CHECK: %[[K:.*]] = tensor.expand_shape %[[R]] {{\[\[}}0, 1, 2]] output_shape [1, 3, 1] : tensor<3xi32> into tensor<1x3x1xi32>
// CHECK: return %[[K]]
func.func @reduce_sum_keepdims_negative_axes(%x: tensor<2x3x4xi32>) -> tensor<1x3x1xi32> {
  %0 = graph.reduce_sum %x {axes = array<i64: -1, 0>, keepdims} : (tensor<2x3x4xi32>) -> tensor<1x3x1xi32>
  return %0 : tensor<1x3x1xi32>
}

// -----

// Reducing every axis gives a rank-0 tensor; keepdims expands it to all ones.

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @reduce_sum_all_keepdims
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["reduction", "reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<f32>)
// CHECK: %[[K:.*]] = tensor.expand_shape %[[R]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
// CHECK: return %[[K]]
func.func @reduce_sum_all_keepdims(%x: tensor<4x8xf32>) -> tensor<1x1xf32> {
  %0 = graph.reduce_sum %x {axes = array<i64: 0, 1>, keepdims} : (tensor<4x8xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// The identity of max is -inf for floats, the smallest value for integers.

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @reduce_max
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[E:.*]] = tensor.empty() : tensor<8xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%[[E]] : tensor<8xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["reduction", "parallel"]}
// CHECK-SAME: outs(%[[INIT]] : tensor<8xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: arith.maximumf %[[V]], %[[ACC]] : f32
// CHECK-LABEL: func.func @reduce_max_integer
// CHECK: %[[MIN:.*]] = arith.constant -2147483648 : i32
// CHECK: linalg.fill ins(%[[MIN]] : i32)
// CHECK: arith.maxsi %{{.*}}, %{{.*}} : i32
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [4, 1] : tensor<4xi32> into tensor<4x1xi32>
func.func @reduce_max(%x: tensor<4x8xf32>) -> tensor<8xf32> {
  %0 = graph.reduce_max %x {axes = array<i64: -2>} : (tensor<4x8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
func.func @reduce_max_integer(%x: tensor<4x8xi32>) -> tensor<4x1xi32> {
  %0 = graph.reduce_max %x {axes = array<i64: 1>, keepdims} : (tensor<4x8xi32>) -> tensor<4x1xi32>
  return %0 : tensor<4x1xi32>
}

// -----

// mean = sum * (1 / count), count being the product of the reduced dims.

// CHECK-LABEL: func.func @reduce_mean
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]
// CHECK: arith.addf
// CHECK: %[[SCALE:.*]] = arith.constant dense<1.250000e-01> : tensor<f32>
// CHECK: %[[R:.*]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]], %[[SCALE]] : tensor<3xf32>, tensor<f32>)
// CHECK: arith.mulf
// CHECK: return %[[R]]
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = graph.reduce_mean %x {axes = array<i64: 0, -1>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// softmax = exp(x - max) / sum(exp(x - max)) along the axis, the kept
// reductions broadcasting back over it.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROWS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$KEPT:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAX_INIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<4x8xf32>) outs(%[[MAX_INIT]] : tensor<4xf32>)
// CHECK: arith.maximumf
// CHECK: %[[MAX_KEPT:.*]] = tensor.expand_shape %[[MAX]] {{\[\[}}0, 1]] output_shape [4, 1]
// CHECK: %[[SHIFTED:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$KEPT]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX_KEPT]] : tensor<4x8xf32>, tensor<4x1xf32>)
// CHECK: arith.subf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[SHIFTED]] : tensor<4x8xf32>)
// CHECK: math.exp
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[SUM_INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<4x8xf32>) outs(%[[SUM_INIT]] : tensor<4xf32>)
// CHECK: arith.addf
// CHECK: %[[SUM_KEPT:.*]] = tensor.expand_shape %[[SUM]] {{\[\[}}0, 1]] output_shape [4, 1]
// CHECK: %[[EXP2:.*]] = linalg.generic {{.*}} ins(%[[SHIFTED]] : tensor<4x8xf32>)
// CHECK: math.exp
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$KEPT]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[EXP2]], %[[SUM_KEPT]] : tensor<4x8xf32>, tensor<4x1xf32>)
// CHECK: arith.divf
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = graph.softmax %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// log_softmax = (x - max) - log(sum(exp(x - max))), here along axis 0.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$COLS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$KEPT:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @log_softmax
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$COLS]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.maximumf
// CHECK: %[[MAX_KEPT:.*]] = tensor.expand_shape %[[MAX]] {{\[\[}}0, 1]] output_shape [1, 8]
// CHECK: %[[SHIFTED:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$KEPT]], #[[$ID]]]
// CHECK-SAME: ins(%{{.*}}, %[[MAX_KEPT]] : tensor<4x8xf32>, tensor<1x8xf32>)
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$COLS]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.addf
// CHECK: %[[SUM_KEPT:.*]] = tensor.expand_shape %[[SUM]]
// CHECK: %[[LOG:.*]] = linalg.generic {{.*}} ins(%[[SUM_KEPT]] : tensor<1x8xf32>)
// CHECK: math.log
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$KEPT]], #[[$ID]]]
// CHECK-SAME: ins(%[[SHIFTED]], %[[LOG]] : tensor<4x8xf32>, tensor<1x8xf32>)
// CHECK: arith.subf
// CHECK: return %[[R]]
func.func @log_softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = graph.log_softmax %x {axis = 0 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<4x2x3xf32>, %[[S:.*]]: tensor<1x1xi32>, %[[T:.*]]: tensor<i32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : tensor<4x2x3xf32> into tensor<24xf32>
// CHECK: %[[R0:.*]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [3, 8] : tensor<24xf32> into tensor<3x8xf32>
// CHECK: %[[R1:.*]] = tensor.collapse_shape %[[S]] [] : tensor<1x1xi32> into tensor<i32>
// CHECK: %[[R2:.*]] = tensor.expand_shape %[[T]] [] output_shape [1, 1] : tensor<i32> into tensor<1x1xi32>
// CHECK: return %[[R0]], %[[R1]], %[[R2]], %[[X]]
func.func @reshape(%x: tensor<4x2x3xf32>, %s: tensor<1x1xi32>, %t: tensor<i32>)
    -> (tensor<3x8xf32>, tensor<i32>, tensor<1x1xi32>, tensor<4x2x3xf32>) {
  %0 = graph.reshape %x : (tensor<4x2x3xf32>) -> tensor<3x8xf32>
  %1 = graph.reshape %s : (tensor<1x1xi32>) -> tensor<i32>
  %2 = graph.reshape %t : (tensor<i32>) -> tensor<1x1xi32>
  %3 = graph.reshape %x : (tensor<4x2x3xf32>) -> tensor<4x2x3xf32>
  return %0, %1, %2, %3 : tensor<3x8xf32>, tensor<i32>, tensor<1x1xi32>, tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xi32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x2x3xi32>
// CHECK: %[[R:.*]] = linalg.transpose ins(%[[X]] : tensor<2x3x4xi32>) outs(%[[E]] : tensor<4x2x3xi32>) permutation = [2, 0, 1]
// CHECK: return %[[R]]
func.func @transpose(%x: tensor<2x3x4xi32>) -> tensor<4x2x3xi32> {
  %0 = graph.transpose %x {permutation = array<i64: -1, 0, 1>} : (tensor<2x3x4xi32>) -> tensor<4x2x3xi32>
  return %0 : tensor<4x2x3xi32>
}

// -----

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast_to
// CHECK-SAME: (%[[X:.*]]: tensor<4x1xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<4x1xf32>) outs(%{{.*}} : tensor<2x4x8xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK: return %[[R]]
func.func @broadcast_to(%x: tensor<4x1xf32>) -> tensor<2x4x8xf32> {
  %0 = graph.broadcast_to %x : (tensor<4x1xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[R:.*]] = tensor.extract_slice %[[X]][1, 2] [2, 3] [1, 2] : tensor<4x8xf32> to tensor<2x3xf32>
// CHECK: return %[[R]]
func.func @slice(%x: tensor<4x8xf32>) -> tensor<2x3xf32> {
  %0 = graph.slice %x {starts = array<i64: 1, 2>, limits = array<i64: 3, 8>, strides = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<4x2xf32>, %[[B:.*]]: tensor<1x2xf32>)
// CHECK: %[[R:.*]] = tensor.concat dim(0) %[[A]], %[[B]], %[[A]] : (tensor<4x2xf32>, tensor<1x2xf32>, tensor<4x2xf32>) -> tensor<9x2xf32>
// CHECK: return %[[R]]
func.func @concat(%a: tensor<4x2xf32>, %b: tensor<1x2xf32>) -> tensor<9x2xf32> {
  %0 = graph.concat %a, %b, %a {axis = -2 : i64} : (tensor<4x2xf32>, tensor<1x2xf32>, tensor<4x2xf32>) -> tensor<9x2xf32>
  return %0 : tensor<9x2xf32>
}

// -----

// An embedding lookup: the generic iterates over the result, reads the index
// through its dims and the table with tensor.extract at the clamped index.

// CHECK-DAG: #[[$IDX:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[T:.*]]: tensor<64x32xf32>, %[[I:.*]]: tensor<8x16xi32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IDX]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[I]] : tensor<8x16xi32>) outs(%{{.*}} : tensor<8x16x32xf32>)
// CHECK-NEXT: ^bb0(%[[RAW:.*]]: i32, %{{.*}}: f32):
// CHECK-DAG: %[[IDX:.*]] = arith.index_cast %[[RAW]] : i32 to index
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C63:.*]] = arith.constant 63 : index
// CHECK: %[[LO:.*]] = arith.maxsi %[[IDX]], %[[C0]] : index
// CHECK: %[[ROW:.*]] = arith.minsi %[[LO]], %[[C63]] : index
// CHECK: %[[COL:.*]] = linalg.index 2 : index
// CHECK: %[[V:.*]] = tensor.extract %[[T]][%[[ROW]], %[[COL]]] : tensor<64x32xf32>
// CHECK: linalg.yield %[[V]] : f32
// CHECK: return %[[R]]
func.func @gather(%t: tensor<64x32xf32>, %i: tensor<8x16xi32>) -> tensor<8x16x32xf32> {
  %0 = graph.gather %t, %i : (tensor<64x32xf32>, tensor<8x16xi32>) -> tensor<8x16x32xf32>
  return %0 : tensor<8x16x32xf32>
}

// -----

// Gathering along the last axis: dims before it index the table directly.

// CHECK-DAG: #[[$IDX:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @gather_last_axis
// CHECK-SAME: (%[[T:.*]]: tensor<64x32xf32>, %[[I:.*]]: tensor<5xi64>)
// CHECK: linalg.generic {indexing_maps = [#[[$IDX]], #[[$OUT]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[I]] : tensor<5xi64>) outs(%{{.*}} : tensor<64x5xf32>)
// CHECK: %[[ROW:.*]] = linalg.index 0 : index
// CHECK: %[[C31:.*]] = arith.constant 31 : index
// CHECK: %[[COL:.*]] = arith.minsi %{{.*}}, %[[C31]] : index
// CHECK: tensor.extract %[[T]][%[[ROW]], %[[COL]]] : tensor<64x32xf32>
func.func @gather_last_axis(%t: tensor<64x32xf32>, %i: tensor<5xi64>) -> tensor<64x5xf32> {
  %0 = graph.gather %t, %i {axis = -1 : i64} : (tensor<64x32xf32>, tensor<5xi64>) -> tensor<64x5xf32>
  return %0 : tensor<64x5xf32>
}

// -----

// CHECK-DAG: #[[$IDX:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @one_hot
// CHECK-SAME: (%[[L:.*]]: tensor<4xi32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IDX]], #[[$OUT]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[L]] : tensor<4xi32>) outs(%{{.*}} : tensor<4x10xf32>)
// CHECK-NEXT: ^bb0(%[[RAW:.*]]: i32, %{{.*}}: f32):
// CHECK-NEXT: %[[IDX:.*]] = arith.index_cast %[[RAW]] : i32 to index
// CHECK-NEXT: %[[C:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[HIT:.*]] = arith.cmpi eq, %[[IDX]], %[[C]] : index
// CHECK-NEXT: %[[V:.*]] = arith.uitofp %[[HIT]] : i1 to f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK: return %[[R]]
func.func @one_hot(%l: tensor<4xi32>) -> tensor<4x10xf32> {
  %0 = graph.one_hot %l {depth = 10 : i64} : (tensor<4xi32>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// Per example: log(sum(exp(z - max))) - sum(one_hot(label) * (z - max)),
// then the mean over the batch.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROWS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax_cross_entropy
// CHECK-SAME: (%[[Z:.*]]: tensor<4x10xf32>, %[[L:.*]]: tensor<4xi32>)
// CHECK: arith.maximumf
// CHECK: %[[SHIFTED:.*]] = linalg.generic {{.*}} ins(%[[Z]], %{{.*}} : tensor<4x10xf32>, tensor<4x1xf32>)
// CHECK: arith.subf
// CHECK: linalg.generic {{.*}} ins(%[[SHIFTED]] : tensor<4x10xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf
// CHECK: math.log
// CHECK: %[[ONE_HOT:.*]] = linalg.generic {indexing_maps = [#[[$ROWS]], #[[$ID]]], {{.*}} ins(%[[L]] : tensor<4xi32>) outs(%{{.*}} : tensor<4x10xf32>)
// CHECK: arith.cmpi eq
// CHECK: %[[PICKED:.*]] = linalg.generic {{.*}} ins(%[[ONE_HOT]], %[[SHIFTED]] : tensor<4x10xf32>, tensor<4x10xf32>)
// CHECK: arith.mulf
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%[[PICKED]] : tensor<4x10xf32>)
// CHECK: arith.subf
// CHECK: %[[PER_EXAMPLE:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<4x1xf32> into tensor<4xf32>
// CHECK: %[[TOTAL:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[PER_EXAMPLE]] : tensor<4xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[TOTAL]], %{{.*}} : tensor<f32>, tensor<f32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.{{mulf|divf}}
// CHECK: return %[[MEAN]] : tensor<f32>
func.func @softmax_cross_entropy(%z: tensor<4x10xf32>, %l: tensor<4xi32>) -> tensor<f32> {
  %0 = graph.softmax_cross_entropy %z, %l : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// reduction = sum stops at the sum; reduction = none at the per-example loss.

// CHECK-LABEL: func.func @softmax_cross_entropy_sum
// CHECK: %[[PER_EXAMPLE:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<4x1xf32> into tensor<4xf32>
// CHECK: %[[TOTAL:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[PER_EXAMPLE]] : tensor<4xf32>)
// CHECK-NOT: arith.mulf
// CHECK: return %[[TOTAL]] : tensor<f32>
// CHECK-LABEL: func.func @softmax_cross_entropy_none
// CHECK: %[[PER_EXAMPLE:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<4x1xf32> into tensor<4xf32>
// CHECK-NEXT: return %[[PER_EXAMPLE]] : tensor<4xf32>
func.func @softmax_cross_entropy_sum(%z: tensor<4x10xf32>, %l: tensor<4xi32>) -> tensor<f32> {
  %0 = graph.softmax_cross_entropy %z, %l reduction = sum : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @softmax_cross_entropy_none(%z: tensor<4x10xf32>, %l: tensor<4xi32>) -> tensor<4xf32> {
  %0 = graph.softmax_cross_entropy %z, %l reduction = none : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// mse = mean((p - t)^2) over every dimension.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ALL:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @mse
// CHECK-SAME: (%[[P:.*]]: tensor<4x2xf32>, %[[T:.*]]: tensor<4x2xf32>)
// CHECK: %[[DIFF:.*]] = linalg.generic {{.*}} ins(%[[P]], %[[T]] : tensor<4x2xf32>, tensor<4x2xf32>)
// CHECK: arith.subf
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} ins(%[[DIFF]], %[[DIFF]] : tensor<4x2xf32>, tensor<4x2xf32>)
// CHECK: arith.mulf
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ALL]]], iterator_types = ["reduction", "reduction"]} ins(%[[SQ]] : tensor<4x2xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK: arith.addf
// CHECK: %[[SCALE:.*]] = arith.constant dense<1.250000e-01> : tensor<f32>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[SUM]], %[[SCALE]] : tensor<f32>, tensor<f32>)
// CHECK: arith.mulf
// CHECK: return %[[R]] : tensor<f32>
func.func @mse(%p: tensor<4x2xf32>, %t: tensor<4x2xf32>) -> tensor<f32> {
  %0 = graph.mse %p, %t : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
