// RUN: nnc-opt %s -split-input-file -verify-diagnostics

func.func @linear_features(%x: tensor<8x784xf32>, %w: tensor<10x100xf32>) {
  // expected-error @+1 {{'nn.linear' op input has 784 features but weight [10, 100] expects 100}}
  %0 = nn.linear %x, %w : (tensor<8x784xf32>, tensor<10x100xf32>) -> tensor<8x10xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<8x4xf32>, %w: tensor<10x4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'nn.linear' op bias has shape [5] but expected [10]}}
  %0 = nn.linear %x, %w, %b : (tensor<8x4xf32>, tensor<10x4xf32>, tensor<5xf32>) -> tensor<8x10xf32>
  return
}

// -----

func.func @linear_result(%x: tensor<8x4xf32>, %w: tensor<10x4xf32>) {
  // expected-error @+1 {{'nn.linear' op result 0 has type 'tensor<8x4xf32>' but the operands imply 'tensor<8x10xf32>'}}
  %0 = nn.linear %x, %w : (tensor<8x4xf32>, tensor<10x4xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @matmul_k(%a: tensor<4x8x16xf32>, %b: tensor<8x32xf32>) {
  // expected-error @+1 {{'nn.matmul' op lhs has 16 columns but rhs has 8 rows}}
  %0 = nn.matmul %a, %b : tensor<4x8x16xf32>, tensor<8x32xf32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<4x8x16xf32>, %b: tensor<3x16x32xf32>) {
  // expected-error @+1 {{'nn.matmul' op batch dims [4] and [3] are not broadcast-compatible}}
  %0 = nn.matmul %a, %b : tensor<4x8x16xf32>, tensor<3x16x32xf32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<16xf32>, %b: tensor<16x32xf32>) {
  // expected-error @+1 {{'nn.matmul' op lhs must have rank >= 2, got rank 1 ('tensor<16xf32>')}}
  %0 = nn.matmul %a, %b : tensor<16xf32>, tensor<16x32xf32> -> tensor<32xf32>
  return
}

// -----

func.func @embedding_table(%ids: tensor<4xi64>, %t: tensor<100xf32>) {
  // expected-error @+1 {{'nn.embedding' op weight must have rank 2, got rank 1 ('tensor<100xf32>')}}
  %0 = nn.embedding %ids, %t : tensor<4xi64>, tensor<100xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @embedding_padding(%ids: tensor<4xi64>, %t: tensor<100x16xf32>) {
  // expected-error @+1 {{'nn.embedding' op padding_idx 100 is out of range for 100 embeddings}}
  %0 = nn.embedding %ids, %t {padding_idx = 100 : i64} : tensor<4xi64>, tensor<100x16xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @embedding_float_ids(%ids: tensor<4xf32>, %t: tensor<100x16xf32>) {
  // expected-error @+1 {{'nn.embedding' op operand #0 must be ranked tensor of 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values}}
  %0 = nn.embedding %ids, %t : tensor<4xf32>, tensor<100x16xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x3x28x28xf32>, %w: tensor<6x4x5x5xf32>) {
  // expected-error @+1 {{'nn.conv' op input has 3 channels but weight expects 4 (groups=1)}}
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x28x28xf32>, tensor<6x4x5x5xf32>) -> tensor<1x6x24x24xf32>
  return
}

// -----

func.func @conv_groups(%x: tensor<1x6x8x8xf32>, %w: tensor<6x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv' op input has 6 channels, which is not divisible by groups=4}}
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, groups = 4 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x6x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv_out_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<5x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv' op weight has 5 output channels, which is not divisible by groups=2}}
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<5x2x3x3xf32>) -> tensor<1x5x6x6xf32>
  return
}

// -----

func.func @conv_attr_length(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) {
  // expected-error @+1 {{'nn.conv' op stride has 1 entries but the input has 2 spatial dims}}
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
  return
}

// -----

func.func @conv_stride_zero(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) {
  // expected-error @+1 {{'nn.conv' op stride[1] is 0 but must be >= 1}}
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 0>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
  return
}

// -----

func.func @conv_kernel_too_large(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x7x7xf32>) {
  // expected-error @+1 {{'nn.conv' op output spatial dim 0 would have size -2 (input size 4, kernel 7)}}
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x7x7xf32>) -> tensor<1x2x1x1xf32>
  return
}

// -----

func.func @conv_rank(%x: tensor<8x16xf32>, %w: tensor<4x16xf32>) {
  // expected-error @+1 {{'nn.conv' op input must be [N, C, *spatial] with 1 to 3 spatial dims, got rank 2 ('tensor<8x16xf32>')}}
  %0 = nn.conv %x, %w {dilation = array<i64>, padding = array<i64>, stride = array<i64>} : (tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<1x1x28x28xf32>, %w: tensor<6x1x5x5xf32>) {
  // expected-error @+1 {{'nn.conv' op result 0 has type 'tensor<1x6x28x28xf32>' but the operands imply 'tensor<1x6x24x24xf32>'}}
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<1x6x28x28xf32>
  return
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x16x7x7xf32>, %w: tensor<16x8x3x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op output_padding[0] = 2 must be smaller than stride (2) or dilation (1)}}
  %0 = nn.conv_transpose %x, %w {dilation = array<i64: 1, 1>, output_padding = array<i64: 2, 0>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x16x7x7xf32>, tensor<16x8x3x3xf32>) -> tensor<1x8x15x13xf32>
  return
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x16x7x7xf32>, %w: tensor<8x8x3x3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op input has 16 channels but weight expects 8 (groups=1)}}
  %0 = nn.conv_transpose %x, %w {dilation = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x16x7x7xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x9x9xf32>
  return
}

// -----

func.func @conv_transpose_bias(%x: tensor<1x4x7x7xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'nn.conv_transpose' op bias has shape [3] but expected [6]}}
  %0 = nn.conv_transpose %x, %w, %b {dilation = array<i64: 1, 1>, groups = 2 : i64, output_padding = array<i64: 0, 0>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x7x7xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x6x9x9xf32>
  return
}

// -----

func.func @max_pool_padding(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'nn.max_pool' op padding[0] = 2 must be at most half the kernel size 3}}
  %0 = nn.max_pool %x {dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>, padding = array<i64: 2, 0>, stride = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x10x6xf32>
  return
}

// -----

func.func @max_pool_result(%x: tensor<1x3x5x5xf32>) {
  // expected-error @+1 {{'nn.max_pool' op result 0 has type 'tensor<1x3x3x3xf32>' but the operands imply 'tensor<1x3x2x2xf32>'}}
  %0 = nn.max_pool %x {dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @avg_pool_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'nn.avg_pool' op kernel_size[1] is 0 but must be >= 1}}
  %0 = nn.avg_pool %x {kernel_size = array<i64: 2, 0>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @avg_pool_too_small(%x: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'nn.avg_pool' op output spatial dim 0 would have size 0 (input size 2, kernel 3)}}
  %0 = nn.avg_pool %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : tensor<1x3x2x2xf32> -> tensor<1x3x1x1xf32>
  return
}

// -----

func.func @adaptive_avg_pool_size(%x: tensor<2x512x7x7xf32>) {
  // expected-error @+1 {{'nn.adaptive_avg_pool' op output_size has 1 entries but the input has 2 spatial dims}}
  %0 = nn.adaptive_avg_pool %x {output_size = array<i64: 1>} : tensor<2x512x7x7xf32> -> tensor<2x512x1xf32>
  return
}

// -----

func.func @adaptive_max_pool_zero(%x: tensor<2x8x10xf32>) {
  // expected-error @+1 {{'nn.adaptive_max_pool' op output_size[0] is 0 but must be >= 1}}
  %0 = nn.adaptive_max_pool %x {output_size = array<i64: 0>} : tensor<2x8x10xf32> -> tensor<2x8x0xf32>
  return
}

// -----

func.func @reduce_dims_range(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'nn.reduce_sum' op dims entry 2 is out of range for rank 2 (expected -2 to 1)}}
  %0 = nn.reduce_sum %x {dims = array<i64: 2>} : tensor<4x10xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_dims_twice(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'nn.reduce_mean' op dims lists dim 1 twice}}
  %0 = nn.reduce_mean %x {dims = array<i64: 1, -1>} : tensor<4x10xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_max_result(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'nn.reduce_max' op result 0 has type 'tensor<4xf32>' but the operands imply 'tensor<4x1xf32>'}}
  %0 = nn.reduce_max %x {dims = array<i64: 1>, keepdim = true} : tensor<4x10xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_min_result(%x: tensor<4x10xi32>) {
  // expected-error @+1 {{'nn.reduce_min' op result 0 has type 'tensor<10xi32>' but the operands imply 'tensor<4xi32>'}}
  %0 = nn.reduce_min %x {dims = array<i64: 1>} : tensor<4x10xi32> -> tensor<10xi32>
  return
}

// -----

func.func @batch_norm_channels(%x: tensor<8x6x14x14xf32>, %c: tensor<6xf32>, %d: tensor<5xf32>) {
  // expected-error @+1 {{'nn.batch_norm' op running_var has shape [5] but expected [6]}}
  %0 = nn.batch_norm %x running %c, %d : (tensor<8x6x14x14xf32>, tensor<6xf32>, tensor<5xf32>) -> tensor<8x6x14x14xf32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<6xf32>, %c: tensor<6xf32>) {
  // expected-error @+1 {{'nn.batch_norm' op input must have rank >= 2, got rank 1 ('tensor<6xf32>')}}
  %0 = nn.batch_norm %x running %c, %c : (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @batch_norm_momentum(%x: tensor<8x6xf32>, %c: tensor<6xf32>) {
  // expected-error @+1 {{'nn.batch_norm' op momentum must be in [0, 1], got 2.000000e+00}}
  %0 = nn.batch_norm %x running %c, %c {momentum = 2.0 : f64} : (tensor<8x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<8x6xf32>
  return
}

// -----

func.func @layer_norm_shape(%x: tensor<2x10x64xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op normalized_shape [32] does not match the trailing input dims [64]}}
  %0 = nn.layer_norm %x {normalized_shape = array<i64: 32>} : (tensor<2x10x64xf32>) -> tensor<2x10x64xf32>
  return
}

// -----

func.func @layer_norm_weight(%x: tensor<2x10x64xf32>, %w: tensor<10x64xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op weight has shape [10, 64] but expected [64]}}
  %0 = nn.layer_norm %x weight %w {normalized_shape = array<i64: 64>} : (tensor<2x10x64xf32>, tensor<10x64xf32>) -> tensor<2x10x64xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x10x64xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op epsilon must be >= 0, got -1.000000e+00}}
  %0 = nn.layer_norm %x {epsilon = -1.0 : f64, normalized_shape = array<i64: 64>} : (tensor<2x10x64xf32>) -> tensor<2x10x64xf32>
  return
}

// -----

func.func @group_norm_groups(%x: tensor<2x16x8x8xf32>) {
  // expected-error @+1 {{'nn.group_norm' op input has 16 channels, which is not divisible by num_groups=3}}
  %0 = nn.group_norm %x {num_groups = 3 : i64} : (tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32>
  return
}

// -----

func.func @group_norm_bias(%x: tensor<2x16x8x8xf32>, %b: tensor<16xf16>) {
  // expected-error @+1 {{'nn.group_norm' op bias has element type 'f16' but input has 'f32'}}
  %0 = nn.group_norm %x bias %b {num_groups = 4 : i64} : (tensor<2x16x8x8xf32>, tensor<16xf16>) -> tensor<2x16x8x8xf32>
  return
}

// -----

func.func @fused_conv_stats(%x: tensor<2x4x8x8xf32>, %w: tensor<4x4x1x1xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{'nn.fused_conv' op bn_weight and bn_bias need the running statistics}}
  %0 = nn.fused_conv %x, %w bn_weight %v {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x1x1xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @fused_conv_stat_size(%x: tensor<2x4x8x8xf32>, %w: tensor<4x4x1x1xf32>, %v: tensor<4xf32>, %m: tensor<3xf32>) {
  // expected-error @+1 {{'nn.fused_conv' op running_mean has shape [3] but expected [4]}}
  %0 = nn.fused_conv %x, %w running %m, %v {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x1x1xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @fused_conv_residual(%x: tensor<2x4x8x8xf32>, %w: tensor<4x4x1x1xf32>, %r: tensor<2x4x4x4xf32>) {
  // expected-error @+1 {{'nn.fused_conv' op residual must have the result type 'tensor<2x4x8x8xf32>', got 'tensor<2x4x4x4xf32>'}}
  %0 = nn.fused_conv %x, %w residual %r {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x1x1xf32>, tensor<2x4x4x4xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

func.func @fused_linear_bn_rank(%x: tensor<2x8x64xf32>, %w: tensor<32x64xf32>, %v: tensor<8xf32>) {
  // expected-error @+1 {{'nn.fused_linear' op batch norm of a linear layer's features needs a rank-2 result, got 'tensor<2x8x32xf32>'}}
  %0 = nn.fused_linear %x, %w running %v, %v : (tensor<2x8x64xf32>, tensor<32x64xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8x32xf32>
  return
}

// -----

func.func @fused_linear_residual(%x: tensor<8x64xf32>, %w: tensor<32x64xf32>, %r: tensor<8x64xf32>) {
  // expected-error @+1 {{'nn.fused_linear' op residual must have the result type 'tensor<8x32xf32>', got 'tensor<8x64xf32>'}}
  %0 = nn.fused_linear %x, %w residual %r : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<8x64xf32>) -> tensor<8x32xf32>
  return
}

// -----

func.func @fused_linear_gelu_mode(%x: tensor<8x64xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{'nn.fused_linear' op gelu must be "none" or "tanh", got "erf"}}
  %0 = nn.fused_linear %x, %w {gelu = "erf"} : (tensor<8x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
  return
}

// -----

func.func @fused_linear_two_activations(%x: tensor<8x64xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{'nn.fused_linear' op ends with one activation, relu or gelu}}
  %0 = nn.fused_linear %x, %w {gelu = "none", relu} : (tensor<8x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
  return
}
