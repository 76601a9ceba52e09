// One training step of the Fashion-MNIST MLP 784-256-256-10 at batch 64:
// forward, softmax cross-entropy, reverse-mode gradients and Adam (lr 1e-3),
// compiled into one function that updates parameters and Adam moments in
// place (`kiln.updates`). bench/mlp_train_step times it.

func.func @loss(%w1: tensor<784x256xf32>, %b1: tensor<256xf32>, %w2: tensor<256x256xf32>, %b2: tensor<256xf32>, %w3: tensor<256x10xf32>, %b3: tensor<10xf32>,
                %x: tensor<64x784xf32>, %y: tensor<64xi32>) -> tensor<f32> {
  %mm0 = graph.matmul %x, %w1 : (tensor<64x784xf32>, tensor<784x256xf32>) -> tensor<64x256xf32>
  %z0 = graph.add %mm0, %b1 : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %h0 = graph.relu %z0 : tensor<64x256xf32>
  %mm1 = graph.matmul %h0, %w2 : (tensor<64x256xf32>, tensor<256x256xf32>) -> tensor<64x256xf32>
  %z1 = graph.add %mm1, %b2 : (tensor<64x256xf32>, tensor<256xf32>) -> tensor<64x256xf32>
  %h1 = graph.relu %z1 : tensor<64x256xf32>
  %mm2 = graph.matmul %h1, %w3 : (tensor<64x256xf32>, tensor<256x10xf32>) -> tensor<64x10xf32>
  %z2 = graph.add %mm2, %b3 : (tensor<64x10xf32>, tensor<10xf32>) -> tensor<64x10xf32>
  %l = graph.softmax_cross_entropy %z2, %y : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @train_step(%w1: tensor<784x256xf32>, %b1: tensor<256xf32>, %w2: tensor<256x256xf32>, %b2: tensor<256xf32>, %w3: tensor<256x10xf32>, %b3: tensor<10xf32>,
    %m_w1: tensor<784x256xf32>, %m_b1: tensor<256xf32>, %m_w2: tensor<256x256xf32>, %m_b2: tensor<256xf32>, %m_w3: tensor<256x10xf32>, %m_b3: tensor<10xf32>,
    %v_w1: tensor<784x256xf32>, %v_b1: tensor<256xf32>, %v_w2: tensor<256x256xf32>, %v_b2: tensor<256xf32>, %v_w3: tensor<256x10xf32>, %v_b3: tensor<10xf32>,
    %x: tensor<64x784xf32>, %y: tensor<64xi32>, %step: tensor<f32>)
    -> (tensor<f32>,
        tensor<784x256xf32> {kiln.updates = 0 : i64}, tensor<256xf32> {kiln.updates = 1 : i64}, tensor<256x256xf32> {kiln.updates = 2 : i64},
        tensor<256xf32> {kiln.updates = 3 : i64}, tensor<256x10xf32> {kiln.updates = 4 : i64}, tensor<10xf32> {kiln.updates = 5 : i64},
        tensor<784x256xf32> {kiln.updates = 6 : i64}, tensor<256xf32> {kiln.updates = 7 : i64}, tensor<256x256xf32> {kiln.updates = 8 : i64},
        tensor<256xf32> {kiln.updates = 9 : i64}, tensor<256x10xf32> {kiln.updates = 10 : i64}, tensor<10xf32> {kiln.updates = 11 : i64},
        tensor<784x256xf32> {kiln.updates = 12 : i64}, tensor<256xf32> {kiln.updates = 13 : i64}, tensor<256x256xf32> {kiln.updates = 14 : i64},
        tensor<256xf32> {kiln.updates = 15 : i64}, tensor<256x10xf32> {kiln.updates = 16 : i64}, tensor<10xf32> {kiln.updates = 17 : i64}) {
  %r:7 = graph.value_and_grad @loss(%w1, %b1, %w2, %b2, %w3, %b3, %x, %y) {wrt = array<i64: 0, 1, 2, 3, 4, 5>}
      : (tensor<784x256xf32>, tensor<256xf32>, tensor<256x256xf32>, tensor<256xf32>, tensor<256x10xf32>, tensor<10xf32>, tensor<64x784xf32>, tensor<64xi32>)
      -> (tensor<f32>, tensor<784x256xf32>, tensor<256xf32>, tensor<256x256xf32>, tensor<256xf32>, tensor<256x10xf32>, tensor<10xf32>)
  %lr = graph.constant dense<1.0e-3> : tensor<f32>
  %p_w1, %nm_w1, %nv_w1 = graph.adam_update %w1, %r#1, %m_w1, %v_w1, %lr, %step : tensor<784x256xf32>, tensor<f32>
  %p_b1, %nm_b1, %nv_b1 = graph.adam_update %b1, %r#2, %m_b1, %v_b1, %lr, %step : tensor<256xf32>, tensor<f32>
  %p_w2, %nm_w2, %nv_w2 = graph.adam_update %w2, %r#3, %m_w2, %v_w2, %lr, %step : tensor<256x256xf32>, tensor<f32>
  %p_b2, %nm_b2, %nv_b2 = graph.adam_update %b2, %r#4, %m_b2, %v_b2, %lr, %step : tensor<256xf32>, tensor<f32>
  %p_w3, %nm_w3, %nv_w3 = graph.adam_update %w3, %r#5, %m_w3, %v_w3, %lr, %step : tensor<256x10xf32>, tensor<f32>
  %p_b3, %nm_b3, %nv_b3 = graph.adam_update %b3, %r#6, %m_b3, %v_b3, %lr, %step : tensor<10xf32>, tensor<f32>
  return %r#0, %p_w1, %p_b1, %p_w2, %p_b2, %p_w3, %p_b3, %nm_w1, %nm_b1, %nm_w2, %nm_b2, %nm_w3, %nm_b3, %nv_w1, %nv_b1, %nv_w2, %nv_b2, %nv_w3, %nv_b3
      : tensor<f32>, tensor<784x256xf32>, tensor<256xf32>, tensor<256x256xf32>, tensor<256xf32>, tensor<256x10xf32>, tensor<10xf32>,
        tensor<784x256xf32>, tensor<256xf32>, tensor<256x256xf32>, tensor<256xf32>, tensor<256x10xf32>, tensor<10xf32>,
        tensor<784x256xf32>, tensor<256xf32>, tensor<256x256xf32>, tensor<256xf32>, tensor<256x10xf32>, tensor<10xf32>
}
