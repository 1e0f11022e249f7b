// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// Round trip of the gradient ops of NNGradPointwiseOps.td and
// NNGradLayerOps.td.

// CHECK-LABEL: func.func @pointwise(
// CHECK: nn.unary_grad "silu" %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x10xf32>
// CHECK: nn.elu_grad %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f64} : tensor<8x10xf32>
// CHECK: nn.leaky_relu_grad %{{.*}}, %{{.*}} {negative_slope = 2.000000e-01 : f64} : tensor<8x10xf32>
// CHECK: nn.softplus_grad %{{.*}}, %{{.*}} {beta = 2.000000e+00 : f64} : tensor<8x10xf32>
// CHECK: nn.prelu_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x10xf32>, tensor<10xf32>
// CHECK: nn.binary_grad "maximum" %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x10xf32>, tensor<8x10xf32>, tensor<10xf32>
func.func @pointwise(%dy: tensor<8x10xf32>, %x: tensor<8x10xf32>, %w: tensor<10xf32>) {
  %0 = nn.unary_grad "silu" %dy, %x, %x : tensor<8x10xf32>
  %1 = nn.elu_grad %dy, %x {alpha = 0.5 : f64} : tensor<8x10xf32>
  %2 = nn.leaky_relu_grad %dy, %x {negative_slope = 0.2 : f64} : tensor<8x10xf32>
  %3 = nn.softplus_grad %dy, %x {beta = 2.0 : f64} : tensor<8x10xf32>
  %4:2 = nn.prelu_grad %dy, %x, %w : tensor<8x10xf32>, tensor<10xf32>
  %5:2 = nn.binary_grad "maximum" %dy, %x, %w : tensor<8x10xf32>, tensor<8x10xf32>, tensor<10xf32>
  return
}

// CHECK-LABEL: func.func @losses(
// CHECK: nn.pointwise_loss_grad "kl_div_loss" %{{.*}}, %{{.*}}, %{{.*}} {log_target = true, reduction = "batchmean"} : tensor<f32>, tensor<8x10xf32>
// CHECK: nn.nll_loss_grad %{{.*}}, %{{.*}}, %{{.*}} {ignore_index = 0 : i64} : tensor<f32>, tensor<8x10xf32>, tensor<8xi64>
// CHECK: nn.cross_entropy_probs_grad %{{.*}}, %{{.*}}, %{{.*}} {reduction = "sum"} : tensor<f32>, tensor<8x10xf32>
// CHECK: nn.distillation_loss_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f64, temperature = 4.000000e+00 : f64} : tensor<f32>, tensor<8x10xf32>, tensor<8xi64>
// CHECK: nn.info_nce_loss_grad %{{.*}}, %{{.*}}, %{{.*}} {temperature = 1.000000e-01 : f64} : tensor<f32>, tensor<8x10xf32>
func.func @losses(%dl: tensor<f32>, %x: tensor<8x10xf32>, %t: tensor<8xi64>) {
  %0:2 = nn.pointwise_loss_grad "kl_div_loss" %dl, %x, %x {log_target = true, reduction = "batchmean"} : tensor<f32>, tensor<8x10xf32>
  %1 = nn.nll_loss_grad %dl, %x, %t {ignore_index = 0 : i64} : tensor<f32>, tensor<8x10xf32>, tensor<8xi64>
  %2:2 = nn.cross_entropy_probs_grad %dl, %x, %x {reduction = "sum"} : tensor<f32>, tensor<8x10xf32>
  %3:2 = nn.distillation_loss_grad %dl, %x, %x, %t {alpha = 0.5 : f64, temperature = 4.0 : f64} : tensor<f32>, tensor<8x10xf32>, tensor<8xi64>
  %4:2 = nn.info_nce_loss_grad %dl, %x, %x {temperature = 0.1 : f64} : tensor<f32>, tensor<8x10xf32>
  return
}

// CHECK-LABEL: func.func @conv_pool_norm(
// CHECK: nn.conv_transpose_grad %{{.*}}, %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : tensor<?x1x28x28xf32>, tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>
// CHECK: nn.adaptive_avg_pool_grad %{{.*}}, %{{.*}} : tensor<?x16x3x3xf32>, tensor<?x16x14x14xf32>
// CHECK: nn.adaptive_max_pool_grad %{{.*}}, %{{.*}} : tensor<?x16x3x3xf32>, tensor<?x16x14x14xf32>
// CHECK: nn.group_norm_grad %{{.*}}, %{{.*}} weight %{{.*}} bias %{{.*}} {num_groups = 4 : i64} : (tensor<?x16x14x14xf32>, tensor<?x16x14x14xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<?x16x14x14xf32>, tensor<16xf32>, tensor<16xf32>)
func.func @conv_pool_norm(%dy: tensor<?x1x28x28xf32>, %x: tensor<?x16x14x14xf32>, %w: tensor<16x1x3x3xf32>,
                          %dp: tensor<?x16x3x3xf32>, %c: tensor<16xf32>) {
  %0:2 = nn.conv_transpose_grad %dy, %x, %w {dilation = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : tensor<?x1x28x28xf32>, tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>
  %1 = nn.adaptive_avg_pool_grad %dp, %x : tensor<?x16x3x3xf32>, tensor<?x16x14x14xf32>
  %2 = nn.adaptive_max_pool_grad %dp, %x : tensor<?x16x3x3xf32>, tensor<?x16x14x14xf32>
  %3:3 = nn.group_norm_grad %x, %x weight %c bias %c {num_groups = 4 : i64} : (tensor<?x16x14x14xf32>, tensor<?x16x14x14xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<?x16x14x14xf32>, tensor<16xf32>, tensor<16xf32>)
  return
}

// CHECK-LABEL: func.func @recurrent(
// CHECK: nn.lstm_grad(%{{.*}}) {hidden_size = 4 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 4>, training_seed = 0 : i64} : (tensor<2x5x4xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>, tensor<2x5x3xf32>, tensor<1x5x4xf32>, tensor<16x3xf32>, tensor<16x4xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x5x3xf32>, tensor<1x5x4xf32>, tensor<16x3xf32>, tensor<16x4xf32>, tensor<16xf32>, tensor<16xf32>)
// CHECK: nn.gru_grad(%{{.*}}) {has_biases = false, hidden_size = 4 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 2>} : (tensor<2x5x4xf32>, tensor<1x5x4xf32>, tensor<2x5x3xf32>, tensor<12x3xf32>, tensor<12x4xf32>) -> (tensor<2x5x3xf32>, tensor<12x3xf32>, tensor<12x4xf32>)
// CHECK: nn.rnn_grad(%{{.*}}) {has_biases = false, hidden_size = 4 : i64, nonlinearity = "relu", operandSegmentSizes = array<i32: 1, 1, 1, 0, 2>} : (tensor<2x5x4xf32>, tensor<1x5x4xf32>, tensor<2x5x3xf32>, tensor<4x3xf32>, tensor<4x4xf32>) -> (tensor<2x5x3xf32>, tensor<4x3xf32>, tensor<4x4xf32>)
func.func @recurrent(%dout: tensor<2x5x4xf32>, %dh: tensor<1x5x4xf32>, %x: tensor<2x5x3xf32>,
                     %wi: tensor<16x3xf32>, %wh: tensor<16x4xf32>, %b: tensor<16xf32>,
                     %gi: tensor<12x3xf32>, %gh: tensor<12x4xf32>, %ri: tensor<4x3xf32>, %rh: tensor<4x4xf32>) {
  %0:6 = nn.lstm_grad(%dout, %dh, %dh, %x, %dh, %wi, %wh, %b, %b) {hidden_size = 4 : i64, training_seed = 0 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 4>} : (tensor<2x5x4xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>, tensor<2x5x3xf32>, tensor<1x5x4xf32>, tensor<16x3xf32>, tensor<16x4xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x5x3xf32>, tensor<1x5x4xf32>, tensor<16x3xf32>, tensor<16x4xf32>, tensor<16xf32>, tensor<16xf32>)
  %1:3 = nn.gru_grad(%dout, %dh, %x, %gi, %gh) {hidden_size = 4 : i64, has_biases = false, operandSegmentSizes = array<i32: 1, 1, 1, 0, 2>} : (tensor<2x5x4xf32>, tensor<1x5x4xf32>, tensor<2x5x3xf32>, tensor<12x3xf32>, tensor<12x4xf32>) -> (tensor<2x5x3xf32>, tensor<12x3xf32>, tensor<12x4xf32>)
  %2:3 = nn.rnn_grad(%dout, %dh, %x, %ri, %rh) {hidden_size = 4 : i64, has_biases = false, nonlinearity = "relu", operandSegmentSizes = array<i32: 1, 1, 1, 0, 2>} : (tensor<2x5x4xf32>, tensor<1x5x4xf32>, tensor<2x5x3xf32>, tensor<4x3xf32>, tensor<4x4xf32>) -> (tensor<2x5x3xf32>, tensor<4x3xf32>, tensor<4x4xf32>)
  return
}

// CHECK-LABEL: func.func @attention(
// CHECK: nn.scaled_dot_product_attention_grad(%{{.*}}) {is_causal = true} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>)
// CHECK: nn.multi_head_attention_grad(%{{.*}}) {batch_first = true, num_heads = 4 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0>} : (tensor<?x32x64xf32>, tensor<?x32x64xf32>, tensor<?x32x64xf32>, tensor<?x32x64xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<64x64xf32>, tensor<64xf32>, tensor<?x32xi1>) -> (tensor<?x32x64xf32>, tensor<?x32x64xf32>, tensor<?x32x64xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<64x64xf32>, tensor<64xf32>)
// CHECK: nn.additive_attention_grad(%{{.*}}) : (tensor<?x128xf32>, tensor<?x?xf32>, tensor<?x64xf32>, tensor<?x?x128xf32>, tensor<64x64xf32>, tensor<64x128xf32>, tensor<1x64xf32>) -> (tensor<?x64xf32>, tensor<?x?x128xf32>, tensor<64x64xf32>, tensor<64x128xf32>, tensor<1x64xf32>)
// CHECK: nn.moe_grad(%{{.*}}) {activation = "gelu", num_experts = 2 : i64} : (tensor<?x8xf32>, tensor<f32>, tensor<?x8xf32>, tensor<2x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>, tensor<16x8xf32>, tensor<8x16xf32>) -> (tensor<?x8xf32>, tensor<2x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>, tensor<16x8xf32>, tensor<8x16xf32>)
func.func @attention(%q: tensor<2x4x8x16xf32>, %x: tensor<?x32x64xf32>, %wi: tensor<192x64xf32>, %bi: tensor<192xf32>,
                     %wo: tensor<64x64xf32>, %bo: tensor<64xf32>, %mask: tensor<?x32xi1>,
                     %dc: tensor<?x128xf32>, %dw: tensor<?x?xf32>, %aq: tensor<?x64xf32>, %ak: tensor<?x?x128xf32>,
                     %wq: tensor<64x64xf32>, %wk: tensor<64x128xf32>, %ws: tensor<1x64xf32>,
                     %m: tensor<?x8xf32>, %daux: tensor<f32>, %g: tensor<2x8xf32>, %e1: tensor<16x8xf32>, %e2: tensor<8x16xf32>) {
  %0:3 = nn.scaled_dot_product_attention_grad(%q, %q, %q, %q) {is_causal = true} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>)
  %1:7 = nn.multi_head_attention_grad(%x, %x, %x, %x, %wi, %bi, %wo, %bo, %mask) {batch_first = true, num_heads = 4 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0>} : (tensor<?x32x64xf32>, tensor<?x32x64xf32>, tensor<?x32x64xf32>, tensor<?x32x64xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<64x64xf32>, tensor<64xf32>, tensor<?x32xi1>) -> (tensor<?x32x64xf32>, tensor<?x32x64xf32>, tensor<?x32x64xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<64x64xf32>, tensor<64xf32>)
  %2:5 = nn.additive_attention_grad(%dc, %dw, %aq, %ak, %wq, %wk, %ws) : (tensor<?x128xf32>, tensor<?x?xf32>, tensor<?x64xf32>, tensor<?x?x128xf32>, tensor<64x64xf32>, tensor<64x128xf32>, tensor<1x64xf32>) -> (tensor<?x64xf32>, tensor<?x?x128xf32>, tensor<64x64xf32>, tensor<64x128xf32>, tensor<1x64xf32>)
  %3:6 = nn.moe_grad(%m, %daux, %m, %g, %e1, %e2, %e1, %e2) {activation = "gelu", num_experts = 2 : i64} : (tensor<?x8xf32>, tensor<f32>, tensor<?x8xf32>, tensor<2x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>, tensor<16x8xf32>, tensor<8x16xf32>) -> (tensor<?x8xf32>, tensor<2x8xf32>, tensor<16x8xf32>, tensor<8x16xf32>, tensor<16x8xf32>, tensor<8x16xf32>)
  return
}

// CHECK-LABEL: func.func @graph(
// CHECK: nn.gather_grad %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : tensor<?x7xf32>, tensor<10x7xf32>, tensor<?xi64>
// CHECK: nn.scatter_reduce_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {reduce = "max"} : tensor<10x7xf32>, tensor<?x7xf32>, tensor<?xi64>
func.func @graph(%d: tensor<?x7xf32>, %x: tensor<10x7xf32>, %i: tensor<?xi64>) {
  %0 = nn.gather_grad %d, %x, %i {axis = 0 : i64} : tensor<?x7xf32>, tensor<10x7xf32>, tensor<?xi64>
  %1 = nn.scatter_reduce_grad %x, %d, %i, %x {reduce = "max"} : tensor<10x7xf32>, tensor<?x7xf32>, tensor<?xi64>
  return
}

// CHECK-LABEL: func.func @selections(
// CHECK: nn.reduce_select_grad %{{.*}}, %{{.*}}, %{{.*}} {dims = array<i64: 1>} : tensor<4xf32>, tensor<4x10xf32>, tensor<4xf32>
// CHECK: nn.top_k_grad %{{.*}}, %{{.*}}, %{{.*}} {axis = -1 : i64} : tensor<4x3xf32>, tensor<4x10xf32>, tensor<4x3xi64>
// CHECK: nn.patchify_grad %{{.*}}, %{{.*}} {patch_size = array<i64: 4, 4>} : tensor<2x4x48xf32>, tensor<2x3x8x8xf32>
// CHECK: nn.timestep_embedding_grad %{{.*}}, %{{.*}} {max_period = 1.000000e+02 : f64} : tensor<4x8xf32>, tensor<4xf32>
// CHECK: nn.relative_position_bias_grad %{{.*}}, %{{.*}} {max_distance = 16 : i64, num_buckets = 8 : i64} : tensor<1x2x5x5xf32>, tensor<8x2xf32>
// CHECK: nn.scaled_dot_product_attention_grad(%{{.*}}) : (tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x5xf32>) -> (tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x5xf32>)
func.func @selections(%dy: tensor<4xf32>, %x: tensor<4x10xf32>, %y: tensor<4xf32>, %dv: tensor<4x3xf32>,
                      %idx: tensor<4x3xi64>, %dp: tensor<2x4x48xf32>, %img: tensor<2x3x8x8xf32>,
                      %db: tensor<1x2x5x5xf32>, %w: tensor<8x2xf32>, %q: tensor<2x5x4xf32>, %m: tensor<2x5x5xf32>, %dv8: tensor<4x8xf32>) {
  %0 = nn.reduce_select_grad %dy, %x, %y {dims = array<i64: 1>} : tensor<4xf32>, tensor<4x10xf32>, tensor<4xf32>
  %1 = nn.top_k_grad %dv, %x, %idx {axis = -1 : i64} : tensor<4x3xf32>, tensor<4x10xf32>, tensor<4x3xi64>
  %2 = nn.patchify_grad %dp, %img {patch_size = array<i64: 4, 4>} : tensor<2x4x48xf32>, tensor<2x3x8x8xf32>
  %te = nn.timestep_embedding_grad %dv8, %y {max_period = 100.0 : f64} : tensor<4x8xf32>, tensor<4xf32>
  %3 = nn.relative_position_bias_grad %db, %w {max_distance = 16 : i64, num_buckets = 8 : i64} : tensor<1x2x5x5xf32>, tensor<8x2xf32>
  %4:4 = nn.scaled_dot_product_attention_grad(%q, %q, %q, %q, %m) : (tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x5xf32>) -> (tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x4xf32>, tensor<2x5x5xf32>)
  return
}
