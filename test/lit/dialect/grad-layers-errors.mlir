// RUN: nnc-opt %s -split-input-file -verify-diagnostics

func.func @unary_grad_op(%x: tensor<8xf32>) {
  // expected-error @+1 {{'nn.unary_grad' op op must be one of 'silu', 'selu', 'abs', 'rsqrt', 'sqrt', 'exp', 'log', 'sigmoid', 'tanh', 'relu'; got 'gelu'}}
  %0 = nn.unary_grad "gelu" %x, %x, %x : tensor<8xf32>
  return
}

// -----

func.func @binary_grad_shape(%dy: tensor<8x9xf32>, %a: tensor<8x10xf32>, %b: tensor<10xf32>) {
  // expected-error @+1 {{'nn.binary_grad' op grad_output has shape [8, 9] but expected [8, 10]}}
  %0:2 = nn.binary_grad "pow" %dy, %a, %b : tensor<8x9xf32>, tensor<8x10xf32>, tensor<10xf32>
  return
}

// -----

func.func @pointwise_loss_batchmean(%dl: tensor<f32>, %x: tensor<8x4xf32>) {
  // expected-error @+1 {{'nn.pointwise_loss_grad' op reduction must be one of 'mean', 'sum', 'none'; got 'batchmean'}}
  %0:2 = nn.pointwise_loss_grad "l1_loss" %dl, %x, %x {reduction = "batchmean"} : tensor<f32>, tensor<8x4xf32>
  return
}

// -----

func.func @pointwise_loss_name(%dl: tensor<f32>, %x: tensor<8x4xf32>) {
  // expected-error @+1 {{'nn.pointwise_loss_grad' op loss must be one of 'l1_loss', 'bce_loss', 'bce_with_logits_loss', 'kl_div_loss'; got 'mse_loss'}}
  %0:2 = nn.pointwise_loss_grad "mse_loss" %dl, %x, %x : tensor<f32>, tensor<8x4xf32>
  return
}

// -----

func.func @nll_target(%dl: tensor<f32>, %x: tensor<8x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'nn.nll_loss_grad' op target has shape [4] but expected [8]}}
  %0 = nn.nll_loss_grad %dl, %x, %t : tensor<f32>, tensor<8x10xf32>, tensor<4xi64>
  return
}

// -----

func.func @distillation_grad_rank(%dl: tensor<8xf32>, %x: tensor<8x10xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'nn.distillation_loss_grad' op grad_output must have rank 0, got rank 1}}
  %0:2 = nn.distillation_loss_grad %dl, %x, %x, %t {alpha = 0.5 : f64, temperature = 2.0 : f64} : tensor<8xf32>, tensor<8x10xf32>, tensor<8xi64>
  return
}

// -----

func.func @conv_transpose_attrs(%dy: tensor<1x8x14x14xf32>, %x: tensor<1x16x7x7xf32>, %w: tensor<16x8x3x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose_grad' op output_padding has 1 entries but the input has 2 spatial dims}}
  %0:2 = nn.conv_transpose_grad %dy, %x, %w {dilation = array<i64: 1, 1>, output_padding = array<i64: 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : tensor<1x8x14x14xf32>, tensor<1x16x7x7xf32>, tensor<16x8x3x3xf32>
  return
}

// -----

func.func @adaptive_pool_channels(%dy: tensor<2x4x3x3xf32>, %x: tensor<2x8x7x7xf32>) {
  // expected-error @+1 {{'nn.adaptive_avg_pool_grad' op grad_output [2, 4, 3, 3] must keep the input's N and C [2, 8, 7, 7]}}
  %0 = nn.adaptive_avg_pool_grad %dy, %x : tensor<2x4x3x3xf32>, tensor<2x8x7x7xf32>
  return
}

// -----

func.func @group_norm_groups(%x: tensor<2x6x4xf32>) {
  // expected-error @+1 {{'nn.group_norm_grad' op num_groups 4 must divide the 6 channels}}
  %0:3 = nn.group_norm_grad %x, %x {num_groups = 4 : i64} : (tensor<2x6x4xf32>, tensor<2x6x4xf32>) -> (tensor<2x6x4xf32>, tensor<6xf32>, tensor<6xf32>)
  return
}

// -----

func.func @lstm_grad_count(%d: tensor<2x5x4xf32>, %h: tensor<1x5x4xf32>, %x: tensor<2x5x3xf32>, %wi: tensor<16x3xf32>, %wh: tensor<16x4xf32>) {
  // expected-error @+1 {{'nn.lstm_grad' op has 1 grad_states_and_weights but 2 operands they are the gradients of}}
  %0:2 = nn.lstm_grad(%d, %h, %h, %x, %wi, %wh) {hidden_size = 4 : i64, has_biases = false, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 2>} : (tensor<2x5x4xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>, tensor<2x5x3xf32>, tensor<16x3xf32>, tensor<16x4xf32>) -> (tensor<2x5x3xf32>, tensor<16x3xf32>)
  return
}

// -----

func.func @gru_grad_type(%d: tensor<2x5x4xf32>, %h: tensor<1x5x4xf32>, %x: tensor<2x5x3xf32>, %wi: tensor<12x3xf32>, %wh: tensor<12x4xf32>) {
  // expected-error @+1 {{'nn.gru_grad' op grad_states_and_weights #1 has type 'tensor<12x3xf32>' but its operand has type 'tensor<12x4xf32>'}}
  %0:3 = nn.gru_grad(%d, %h, %x, %wi, %wh) {hidden_size = 4 : i64, has_biases = false, operandSegmentSizes = array<i32: 1, 1, 1, 0, 2>} : (tensor<2x5x4xf32>, tensor<1x5x4xf32>, tensor<2x5x3xf32>, tensor<12x3xf32>, tensor<12x4xf32>) -> (tensor<2x5x3xf32>, tensor<12x3xf32>, tensor<12x3xf32>)
  return
}

// -----

func.func @rnn_grad_input(%d: tensor<2x5x4xf32>, %h: tensor<1x5x4xf32>, %x: tensor<2x5x3xf32>, %wi: tensor<4x3xf32>, %wh: tensor<4x4xf32>) {
  // expected-error @+1 {{'nn.rnn_grad' op grad_input must have the input's type}}
  %0:3 = nn.rnn_grad(%d, %h, %x, %wi, %wh) {hidden_size = 4 : i64, has_biases = false, operandSegmentSizes = array<i32: 1, 1, 1, 0, 2>} : (tensor<2x5x4xf32>, tensor<1x5x4xf32>, tensor<2x5x3xf32>, tensor<4x3xf32>, tensor<4x4xf32>) -> (tensor<2x5x4xf32>, tensor<4x3xf32>, tensor<4x4xf32>)
  return
}

// -----

func.func @sdpa_grad_rank(%d: tensor<8x16xf32>, %q: tensor<2x8x16xf32>) {
  // expected-error @+1 {{'nn.scaled_dot_product_attention_grad' op grad_output must have rank 3}}
  %0:3 = nn.scaled_dot_product_attention_grad(%d, %q, %q, %q) : (tensor<8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>)
  return
}

// -----

func.func @mha_grad_weights(%x: tensor<2x4x8xf32>, %wi: tensor<24x8xf32>, %wo: tensor<8x8xf32>) {
  // expected-error @+1 {{'nn.multi_head_attention_grad' op has 1 grad_weights but 2 operands they are the gradients of}}
  %0:4 = nn.multi_head_attention_grad(%x, %x, %x, %x, %wi, %wo) {num_heads = 2 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0>} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<24x8xf32>, tensor<8x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x8xf32>)
  return
}

// -----

func.func @moe_grad_experts(%x: tensor<4x8xf32>, %a: tensor<f32>, %g: tensor<2x8xf32>, %e: tensor<8x8xf32>) {
  // expected-error @+1 {{'nn.moe_grad' op has 1 grad_expert_weights but 2 operands they are the gradients of}}
  %0:3 = nn.moe_grad(%x, %a, %x, %g, %e, %e) {num_experts = 2 : i64} : (tensor<4x8xf32>, tensor<f32>, tensor<4x8xf32>, tensor<2x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<2x8xf32>, tensor<8x8xf32>)
  return
}

// -----

func.func @gather_grad_axis(%d: tensor<3x4xf32>, %x: tensor<10x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{'nn.gather_grad' op axis 2 is out of range for rank 2}}
  %0 = nn.gather_grad %d, %x, %i {axis = 2 : i64} : tensor<3x4xf32>, tensor<10x4xf32>, tensor<3xi64>
  return
}

// -----

func.func @scatter_grad_reduce(%d: tensor<10x4xf32>, %s: tensor<12x4xf32>, %i: tensor<12xi64>) {
  // expected-error @+1 {{'nn.scatter_reduce_grad' op reduce must be one of 'sum', 'mean', 'max', 'min'; got 'prod'}}
  %0 = nn.scatter_reduce_grad %d, %s, %i, %d {reduce = "prod"} : tensor<10x4xf32>, tensor<12x4xf32>, tensor<12xi64>
  return
}

// -----

func.func @reduce_select_output(%dy: tensor<4x1xf32>, %x: tensor<4x10xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{'nn.reduce_select_grad' op grad_output must have the type of the forward result}}
  %0 = nn.reduce_select_grad %dy, %x, %y {dims = array<i64: 1>} : tensor<4x1xf32>, tensor<4x10xf32>, tensor<4xf32>
  return
}

// -----

func.func @top_k_indices(%dv: tensor<4x3xf32>, %x: tensor<4x10xf32>, %idx: tensor<4x2xi64>) {
  // expected-error @+1 {{'nn.top_k_grad' op indices must have the shape of grad_output}}
  %0 = nn.top_k_grad %dv, %x, %idx {axis = -1 : i64} : tensor<4x3xf32>, tensor<4x10xf32>, tensor<4x2xi64>
  return
}

// -----

func.func @patchify_rank(%dp: tensor<2x4x48xf32>, %x: tensor<3x8x8xf32>) {
  // expected-error @+1 {{'nn.patchify_grad' op input must have rank 4, got rank 3}}
  %0 = nn.patchify_grad %dp, %x {patch_size = array<i64: 4, 4>} : tensor<2x4x48xf32>, tensor<3x8x8xf32>
  return
}

// -----

func.func @relative_bias_buckets(%db: tensor<1x2x5x5xf32>, %w: tensor<8x2xf32>) {
  // expected-error @+1 {{'nn.relative_position_bias_grad' op weight has 8 rows but num_buckets is 16}}
  %0 = nn.relative_position_bias_grad %db, %w {max_distance = 16 : i64, num_buckets = 16 : i64} : tensor<1x2x5x5xf32>, tensor<8x2xf32>
  return
}

// -----

func.func @sdpa_mask_grad(%q: tensor<2x5x4xf32>, %m: tensor<2x5x5xi1>) {
  // expected-error @+1 {{'nn.scaled_dot_product_attention_grad' op grad_attn_mask must be present exactly when attn_mask is a float mask}}
  %0:4 = nn.scaled_dot_product_attention_grad(%q, %q, %q, %q, %m) : (tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x5xi1>) -> (tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x5xf32>)
  return
}

// -----

func.func @timestep_grad_shape(%d: tensor<4x7xf32>, %t: tensor<4xf32>) {
  // expected-error @+1 {{'nn.timestep_embedding_grad' op grad_output [4, 7] must be [N, even dim] for [4] timesteps}}
  %0 = nn.timestep_embedding_grad %d, %t : tensor<4x7xf32>, tensor<4xf32>
  return
}
