// RUN: nnc-opt %s -split-input-file -verify-diagnostics

func.func @linear_grad_weight_features(%dy: tensor<8x10xf32>, %x: tensor<8x80xf32>, %w: tensor<10x84xf32>) {
  // expected-error @+1 {{'nn.linear_grad_weight' op input has 80 features but weight [10, 84] expects 84}}
  %0 = nn.linear_grad_weight %dy, %x, %w : tensor<8x10xf32>, tensor<8x80xf32>, tensor<10x84xf32>
  return
}

// -----

func.func @linear_grad_weight_grad(%dy: tensor<8x9xf32>, %x: tensor<8x84xf32>, %w: tensor<10x84xf32>) {
  // expected-error @+1 {{'nn.linear_grad_weight' op grad_output has shape [8, 9] but expected [8, 10]}}
  %0 = nn.linear_grad_weight %dy, %x, %w : tensor<8x9xf32>, tensor<8x84xf32>, tensor<10x84xf32>
  return
}

// -----

func.func @sum_to_not_broadcast(%g: tensor<8x10xf32>, %b: tensor<9xf32>) {
  // expected-error @+1 {{'nn.sum_to' op cannot sum [8, 10] to [9]: it is not a broadcast of that shape}}
  %0 = nn.sum_to %g, %b : tensor<8x10xf32>, tensor<9xf32>
  return
}

// -----

func.func @reduce_grad_shape(%dy: tensor<4x10xf32>, %x: tensor<4x10xf32>) {
  // expected-error @+1 {{'nn.reduce_grad' op grad_output has shape [4, 10] but expected [4]}}
  %0 = nn.reduce_grad %dy, %x {dims = array<i64: 1>} : tensor<4x10xf32>, tensor<4x10xf32>
  return
}

// -----

func.func @embedding_grad_shape(%dy: tensor<4x7x8xf32>, %ids: tensor<4x7xi64>, %w: tensor<100x16xf32>) {
  // expected-error @+1 {{'nn.embedding_grad' op grad_output has shape [4, 7, 8] but expected [4, 7, 16]}}
  %0 = nn.embedding_grad %dy, %ids, %w : tensor<4x7x8xf32>, tensor<4x7xi64>, tensor<100x16xf32>
  return
}

// -----

func.func @slice_grad_step(%dy: tensor<1x8xf32>, %x: tensor<4x8xf32>) {
  // expected-error @+1 {{'nn.slice_grad' op step must be positive, got 0}}
  %0 = nn.slice_grad %dy, %x {axis = 0 : i64, start = 0 : i64, end = 1 : i64, step = 0 : i64} : tensor<1x8xf32>, tensor<4x8xf32>
  return
}

// -----

func.func @conv_grad_channels(%dy: tensor<8x16x10x10xf32>, %x: tensor<8x5x14x14xf32>, %w: tensor<16x6x5x5xf32>) {
  // expected-error @+1 {{'nn.conv_grad_input' op input has 5 channels but weight [16, 6, 5, 5] with 1 groups expects 6}}
  %0 = nn.conv_grad_input %dy, %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : tensor<8x16x10x10xf32>, tensor<8x5x14x14xf32>, tensor<16x6x5x5xf32>
  return
}

// -----

func.func @conv_grad_output(%dy: tensor<8x16x11x10xf32>, %x: tensor<8x6x14x14xf32>, %w: tensor<16x6x5x5xf32>) {
  // expected-error @+1 {{'nn.conv_grad_weight' op grad_output has shape [8, 16, 11, 10] but expected [8, 16, 10, 10]}}
  %0 = nn.conv_grad_weight %dy, %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : tensor<8x16x11x10xf32>, tensor<8x6x14x14xf32>, tensor<16x6x5x5xf32>
  return
}

// -----

func.func @max_pool_grad_output(%dy: tensor<8x6x7x7xf32>, %x: tensor<8x6x28x28xf32>) {
  // expected-error @+1 {{'nn.max_pool_grad' op grad_output has shape [8, 6, 7, 7] but expected [8, 6, 14, 14]}}
  %0 = nn.max_pool_grad %dy, %x {dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<8x6x7x7xf32>, tensor<8x6x28x28xf32>
  return
}

// -----

func.func @avg_pool_grad_kernel(%dy: tensor<8x6x14x14xf32>, %x: tensor<8x6x28x28xf32>) {
  // expected-error @+1 {{'nn.avg_pool_grad' op kernel_size has 1 entries but the input has 2 spatial dims}}
  %0 = nn.avg_pool_grad %dy, %x {kernel_size = array<i64: 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<8x6x14x14xf32>, tensor<8x6x28x28xf32>
  return
}

// -----

func.func @batch_norm_train_momentum(%x: tensor<8x6xf32>, %c: tensor<6xf32>) {
  // expected-error @+1 {{'nn.batch_norm_train' op momentum must be in [0, 1], got 2.000000e+00}}
  %y:5 = nn.batch_norm_train %x running %c, %c {momentum = 2.0 : f64} : (tensor<8x6xf32>, tensor<6xf32>, tensor<6xf32>) -> (tensor<8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>)
  return
}

// -----

func.func @batch_norm_train_stats(%x: tensor<8x6xf32>, %c: tensor<6xf32>, %d: tensor<5xf32>) {
  // expected-error @+1 {{'nn.batch_norm_train' op running_var has shape [5] but expected [6]}}
  %y:5 = nn.batch_norm_train %x running %c, %d : (tensor<8x6xf32>, tensor<6xf32>, tensor<5xf32>) -> (tensor<8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>)
  return
}

// -----

func.func @batch_norm_grad_shape(%dy: tensor<8x5xf32>, %x: tensor<8x6xf32>, %c: tensor<6xf32>) {
  // expected-error @+1 {{'nn.batch_norm_grad' op grad_output [8, 5] must have the shape of the input [8, 6]}}
  %g:3 = nn.batch_norm_grad %dy, %x stats %c, %c : (tensor<8x5xf32>, tensor<8x6xf32>, tensor<6xf32>, tensor<6xf32>) -> (tensor<8x6xf32>, tensor<6xf32>, tensor<6xf32>)
  return
}

// -----

func.func @layer_norm_grad_shape(%x: tensor<2x6xf32>, %c: tensor<6xf32>) {
  // expected-error @+1 {{'nn.layer_norm_grad' op normalized_shape [4] must be the input's trailing dims}}
  %g:3 = nn.layer_norm_grad %x, %x weight %c {normalized_shape = array<i64: 4>} : (tensor<2x6xf32>, tensor<2x6xf32>, tensor<6xf32>) -> (tensor<2x6xf32>, tensor<6xf32>, tensor<6xf32>)
  return
}

// -----

func.func @activation_grad_types(%dy: tensor<8x10xf32>, %x: tensor<8x11xf32>) {
  // expected-error @+1 {{'nn.relu_grad' op failed to verify that all of {grad_output, value, result} have same type}}
  %0 = "nn.relu_grad"(%dy, %x) : (tensor<8x10xf32>, tensor<8x11xf32>) -> tensor<8x10xf32>
  return
}

// -----

func.func @dropout_mask_p(%x: tensor<8x10xf32>) {
  // expected-error @+1 {{'nn.dropout_mask' op p must be in [0, 1), got 1.000000e+00}}
  %0 = nn.dropout_mask %x {p = 1.0 : f64} : tensor<8x10xf32>
  return
}

// -----

func.func @cross_entropy_grad_reduction(%dl: tensor<f32>, %x: tensor<8x10xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'nn.cross_entropy_grad' op reduction must be one of 'mean', 'sum', 'none'; got 'batchmean'}}
  %0 = nn.cross_entropy_grad %dl, %x, %t {reduction = "batchmean"} : tensor<f32>, tensor<8x10xf32>, tensor<8xi64>
  return
}

// -----

func.func @cross_entropy_grad_none(%dl: tensor<f32>, %x: tensor<8x10xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'nn.cross_entropy_grad' op grad_output has shape [] but expected [8]}}
  %0 = nn.cross_entropy_grad %dl, %x, %t {reduction = "none"} : tensor<f32>, tensor<8x10xf32>, tensor<8xi64>
  return
}

// -----

func.func @mse_loss_grad_rank(%dl: tensor<8xf32>, %x: tensor<8x4xf32>) {
  // expected-error @+1 {{'nn.mse_loss_grad' op grad_output must have rank 0, got rank 1}}
  %0 = nn.mse_loss_grad %dl, %x, %x : tensor<8xf32>, tensor<8x4xf32>
  return
}

// -----

nn.parameter @"w" : tensor<4xf32> {init = "zeros"}
nn.parameter @"m" : tensor<4xf32> {buffer, init = "zeros"}

func.func @optimizer_step_buffer(%g: tensor<4xf32>) {
  // expected-error @+1 {{'nn.optimizer_step' op @m is a buffer, which the optimiser does not update}}
  nn.optimizer_step [@m] %g : tensor<4xf32>
  return
}

// -----

nn.parameter @"w" : tensor<4xf32> {init = "zeros"}

func.func @optimizer_step_count(%g: tensor<4xf32>) {
  // expected-error @+1 {{'nn.optimizer_step' op has 2 parameters but 1 gradients}}
  nn.optimizer_step [@w, @w] %g : tensor<4xf32>
  return
}

// -----

nn.parameter @"w" : tensor<4xf32> {init = "zeros"}

func.func @optimizer_step_twice(%g: tensor<4xf32>) {
  // expected-error @+1 {{'nn.optimizer_step' op updates @w twice}}
  nn.optimizer_step [@w, @w] %g, %g : tensor<4xf32>, tensor<4xf32>
  return
}

// -----

nn.parameter @"w" : tensor<4xf32> {init = "zeros"}

func.func @optimizer_step_type(%g: tensor<5xf32>) {
  // expected-error @+1 {{'nn.optimizer_step' op gives 'tensor<5xf32>' for parameter @w of type 'tensor<4xf32>'}}
  nn.optimizer_step [@w] %g : tensor<5xf32>
  return
}

// -----

func.func @assign_unknown(%v: tensor<4xf32>) {
  // expected-error @+1 {{'nn.assign' op refers to @nothing, which is not an nn.parameter}}
  nn.assign @nothing, %v : tensor<4xf32>
  return
}
