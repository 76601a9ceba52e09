// The forward pass and loss of the Fashion-MNIST classifier, MLP
// 784-256-256-10 at batch 64, written directly in Kiln's graph dialect.
// `kilnc jit` compiles it for this CPU and calls a function on random inputs:
//
//   kilnc jit examples/mlp_forward.mlir --function forward
//   kilnc jit examples/mlp_forward.mlir --function loss

func.func @forward(%x: tensor<64x784xf32>,
                   %w1: tensor<784x256xf32>, %b1: tensor<256xf32>,
                   %w2: tensor<256x256xf32>, %b2: tensor<256xf32>,
                   %w3: tensor<256x10xf32>, %b3: tensor<10xf32>)
    -> tensor<64x10xf32> {
  %0 = graph.matmul %x, %w1 : (tensor<64x784xf32>, tensor<784x256xf32>) -> tensor<64x256xf32>
  %1 = graph.add %0, %b1 : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %2 = graph.relu %1 : tensor<64x256xf32>
  %3 = graph.matmul %2, %w2 : (tensor<64x256xf32>, tensor<256x256xf32>) -> tensor<64x256xf32>
  %4 = graph.add %3, %b2 : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %5 = graph.relu %4 : tensor<64x256xf32>
  %6 = graph.matmul %5, %w3 : (tensor<64x256xf32>, tensor<256x10xf32>) -> tensor<64x10xf32>
  %7 = graph.add %6, %b3 : (tensor<64x10xf32>, tensor<10xf32>) -> tensor<64x10xf32>
  %8 = graph.softmax %7 : tensor<64x10xf32>
  return %8 : tensor<64x10xf32>
}

func.func @loss(%x: tensor<64x784xf32>, %labels: tensor<64xi32>,
                %w1: tensor<784x256xf32>, %b1: tensor<256xf32>,
                %w2: tensor<256x256xf32>, %b2: tensor<256xf32>,
                %w3: tensor<256x10xf32>, %b3: tensor<10xf32>)
    -> (tensor<f32>, tensor<f32>) {
  %0 = graph.matmul %x, %w1 : (tensor<64x784xf32>, tensor<784x256xf32>) -> tensor<64x256xf32>
  %1 = graph.add %0, %b1 : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %2 = graph.relu %1 : tensor<64x256xf32>
  %3 = graph.matmul %2, %w2 : (tensor<64x256xf32>, tensor<256x256xf32>) -> tensor<64x256xf32>
  %4 = graph.add %3, %b2 : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %5 = graph.relu %4 : tensor<64x256xf32>
  %6 = graph.matmul %5, %w3 : (tensor<64x256xf32>, tensor<256x10xf32>) -> tensor<64x10xf32>
  %logits = graph.add %6, %b3 : (tensor<64x10xf32>, tensor<10xf32>) -> tensor<64x10xf32>
  %loss = graph.softmax_cross_entropy %logits, %labels : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
  %best = graph.reduce_max %logits {axes = array<i64: 1>, keepdims} : (tensor<64x10xf32>) -> tensor<64x1xf32>
  %onehot = graph.one_hot %labels {depth = 10 : i64} : (tensor<64xi32>) -> tensor<64x10xf32>
  %picked = graph.mul %onehot, %logits : (tensor<64x10xf32>, tensor<64x10xf32>) -> tensor<64x10xf32>
  %label_logit = graph.reduce_sum %picked {axes = array<i64: 1>, keepdims} : (tensor<64x10xf32>) -> tensor<64x1xf32>
  %hit = graph.compare ge, %label_logit, %best : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<64x1xi1>
  %hit_f = graph.cast %hit : tensor<64x1xi1> to tensor<64x1xf32>
  %accuracy = graph.reduce_mean %hit_f {axes = array<i64: 0, 1>} : (tensor<64x1xf32>) -> tensor<f32>
  return %loss, %accuracy : tensor<f32>, tensor<f32>
}
