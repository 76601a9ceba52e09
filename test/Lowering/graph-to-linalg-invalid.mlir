// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-lower-graph-to-linalg

// Shapes must be static: the lowering reports every dynamic op where it is,
// instead of producing ill-formed linalg.

func.func @dynamic_operand(%a: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{dynamic shapes cannot be lowered yet; specialize the batch dimension first}}
  %0 = graph.exp %a : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// Only the dynamic op is reported; the static one before it is fine.
func.func @dynamic_result(%x: tensor<4x8xf32>, %l: tensor<?xi32>) -> tensor<?x8xf32> {
  %0 = graph.relu %x : tensor<4x8xf32>
  // expected-error @+1 {{dynamic shapes cannot be lowered yet; specialize the batch dimension first}}
  %1 = graph.gather %0, %l : (tensor<4x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  return %1 : tensor<?x8xf32>
}

// -----

func.func @dynamic_matmul(%a: tensor<?x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x?xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{dynamic shapes cannot be lowered yet}}
  %0 = graph.matmul %a, %b : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  // expected-error @+1 {{dynamic shapes cannot be lowered yet}}
  %1 = graph.matmul %0, %c : (tensor<?x4xf32>, tensor<4x?xf32>) -> tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}
