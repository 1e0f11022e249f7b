// RUN: nnc-opt %s --nn-differentiate | FileCheck %s

// Dropout inside fused layers: nn-differentiate gives each recurrent layer
// with inter-layer dropout and each attention with probability dropout its
// own `training_seed`, and the gradient op carries the same one, so both
// draw the same masks within a step. The inference function keeps none.

module attributes {nn.model = "m"} {
  nn.parameter @"w0" : tensor<2x2xf32> {init = "uniform", init_scale = 0.5 : f64}
  nn.parameter @"in_proj" : tensor<6x2xf32> {init = "uniform", init_scale = 0.5 : f64}
  nn.parameter @"out_proj" : tensor<2x2xf32> {init = "uniform", init_scale = 0.5 : f64}
  func.func @m_loss(%x: tensor<3x4x2xf32>) -> tensor<f32> {
    %w = nn.param @"w0" : tensor<2x2xf32>
    %o, %h = nn.rnn %x weights(%w, %w, %w, %w) {batch_first = true, dropout = 0.5 : f64, has_biases = false, hidden_size = 2 : i64, num_layers = 2 : i64, nonlinearity = "tanh"} : (tensor<3x4x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> (tensor<3x4x2xf32>, tensor<2x3x2xf32>)
    %wi = nn.param @"in_proj" : tensor<6x2xf32>
    %wo = nn.param @"out_proj" : tensor<2x2xf32>
    %a = nn.multi_head_attention %o, %o, %o in_proj_weight %wi out_proj_weight %wo {batch_first = true, dropout = 0.1 : f64, num_heads = 1 : i64} : (tensor<3x4x2xf32>, tensor<3x4x2xf32>, tensor<3x4x2xf32>, tensor<6x2xf32>, tensor<2x2xf32>) -> tensor<3x4x2xf32>
    %l = nn.reduce_sum %a {dims = array<i64>} : tensor<3x4x2xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// CHECK-LABEL: func.func @m_loss(
// CHECK-NOT:     training_seed
// CHECK-LABEL: func.func @m_loss_train_step(
// CHECK:         nn.rnn {{.*}}training_seed = 0 : i64
// CHECK:         nn.multi_head_attention {{.*}}training_seed = 1 : i64
// CHECK:         nn.multi_head_attention_grad({{.*}}training_seed = 1 : i64
// CHECK:         nn.rnn_grad({{.*}}training_seed = 0 : i64
// CHECK:         nn.optimizer_step
