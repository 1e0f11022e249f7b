// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// CHECK-LABEL: func.func @dense(
// CHECK: %{{.*}} = nn.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<8x784xf32>, tensor<10x784xf32>, tensor<10xf32>) -> tensor<8x10xf32>
// CHECK: %{{.*}} = nn.linear %{{.*}}, %{{.*}} : (tensor<2x?x16xf32>, tensor<32x16xf32>) -> tensor<2x?x32xf32>
func.func @dense(%x: tensor<8x784xf32>, %w: tensor<10x784xf32>, %b: tensor<10xf32>, %s: tensor<2x?x16xf32>, %w2: tensor<32x16xf32>) {
  %0 = nn.linear %x, %w, %b : (tensor<8x784xf32>, tensor<10x784xf32>, tensor<10xf32>) -> tensor<8x10xf32>
  %1 = nn.linear %s, %w2 : (tensor<2x?x16xf32>, tensor<32x16xf32>) -> tensor<2x?x32xf32>
  return
}

// CHECK-LABEL: func.func @matmul(
// CHECK: %{{.*}} = nn.matmul %{{.*}}, %{{.*}} : tensor<4x8x16xf32>, tensor<16x32xf32> -> tensor<4x8x32xf32>
// CHECK: %{{.*}} = nn.matmul %{{.*}}, %{{.*}} : tensor<?x1x8x16xf32>, tensor<3x16x5xf32> -> tensor<?x3x8x5xf32>
func.func @matmul(%a: tensor<4x8x16xf32>, %b: tensor<16x32xf32>, %c: tensor<?x1x8x16xf32>, %d: tensor<3x16x5xf32>) {
  %0 = nn.matmul %a, %b : tensor<4x8x16xf32>, tensor<16x32xf32> -> tensor<4x8x32xf32>
  %1 = nn.matmul %c, %d : tensor<?x1x8x16xf32>, tensor<3x16x5xf32> -> tensor<?x3x8x5xf32>
  return
}

// CHECK-LABEL: func.func @embedding(
// CHECK: %{{.*}} = nn.embedding %{{.*}}, %{{.*}} : tensor<4x7xi64>, tensor<100x16xf32> -> tensor<4x7x16xf32>
// CHECK: %{{.*}} = nn.embedding %{{.*}}, %{{.*}} {padding_idx = 0 : i64} : tensor<?xi32>, tensor<100x16xf32> -> tensor<?x16xf32>
func.func @embedding(%ids: tensor<4x7xi64>, %table: tensor<100x16xf32>, %ids32: tensor<?xi32>) {
  %0 = nn.embedding %ids, %table : tensor<4x7xi64>, tensor<100x16xf32> -> tensor<4x7x16xf32>
  %1 = nn.embedding %ids32, %table {padding_idx = 0 : i64} : tensor<?xi32>, tensor<100x16xf32> -> tensor<?x16xf32>
  return
}

// CHECK-LABEL: func.func @conv(
// CHECK: %{{.*}} = nn.conv %{{.*}}, %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, padding = array<i64: 2, 2>, stride = array<i64: 1, 1>} : (tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>, tensor<6xf32>) -> tensor<1x6x28x28xf32>
// CHECK: %{{.*}} = nn.conv %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<1x6x12x12xf32>
// CHECK: %{{.*}} = nn.conv %{{.*}}, %{{.*}} {dilation = array<i64: 2>, groups = 2 : i64, padding = array<i64: 1>, stride = array<i64: 1>} : (tensor<2x4x100xf32>, tensor<8x2x3xf32>) -> tensor<2x8x98xf32>
// CHECK: %{{.*}} = nn.conv %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1, 1>, padding = array<i64: 1, 1, 1>, stride = array<i64: 2, 2, 2>} : (tensor<1x2x8x8x8xf32>, tensor<4x2x3x3x3xf32>) -> tensor<1x4x4x4x4xf32>
// CHECK: %{{.*}} = nn.conv %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x3x?x?xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x?x?xf32>
func.func @conv(%x: tensor<1x1x28x28xf32>, %w: tensor<6x1x5x5xf32>, %b: tensor<6xf32>,
                %x1: tensor<2x4x100xf32>, %w1: tensor<8x2x3xf32>,
                %x3: tensor<1x2x8x8x8xf32>, %w3: tensor<4x2x3x3x3xf32>, %xd: tensor<?x3x?x?xf32>, %wd: tensor<16x3x3x3xf32>) {
  %0 = nn.conv %x, %w, %b {dilation = array<i64: 1, 1>, padding = array<i64: 2, 2>, stride = array<i64: 1, 1>} : (tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>, tensor<6xf32>) -> tensor<1x6x28x28xf32>
  %1 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>) -> tensor<1x6x12x12xf32>
  %2 = nn.conv %x1, %w1 {dilation = array<i64: 2>, groups = 2 : i64, padding = array<i64: 1>, stride = array<i64: 1>} : (tensor<2x4x100xf32>, tensor<8x2x3xf32>) -> tensor<2x8x98xf32>
  %3 = nn.conv %x3, %w3 {dilation = array<i64: 1, 1, 1>, padding = array<i64: 1, 1, 1>, stride = array<i64: 2, 2, 2>} : (tensor<1x2x8x8x8xf32>, tensor<4x2x3x3x3xf32>) -> tensor<1x4x4x4x4xf32>
  %4 = nn.conv %xd, %wd {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x3x?x?xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x?x?xf32>
  return
}

// CHECK-LABEL: func.func @conv_transpose(
// CHECK: %{{.*}} = nn.conv_transpose %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x16x7x7xf32>, tensor<16x8x3x3xf32>) -> tensor<1x8x14x14xf32>
// CHECK: %{{.*}} = nn.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x16x7x7xf32>, tensor<16x8x3x3xf32>, tensor<8xf32>) -> tensor<1x8x9x9xf32>
// CHECK: %{{.*}} = nn.conv_transpose %{{.*}}, %{{.*}} {dilation = array<i64: 1>, groups = 2 : i64, output_padding = array<i64: 0>, padding = array<i64: 1>, stride = array<i64: 2>} : (tensor<2x4x10xf32>, tensor<4x3x4xf32>) -> tensor<2x6x20xf32>
func.func @conv_transpose(%x: tensor<1x16x7x7xf32>, %w: tensor<16x8x3x3xf32>, %b: tensor<8xf32>, %x1: tensor<2x4x10xf32>, %w1: tensor<4x3x4xf32>) {
  %0 = nn.conv_transpose %x, %w {dilation = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x16x7x7xf32>, tensor<16x8x3x3xf32>) -> tensor<1x8x14x14xf32>
  %1 = nn.conv_transpose %x, %w, %b {dilation = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x16x7x7xf32>, tensor<16x8x3x3xf32>, tensor<8xf32>) -> tensor<1x8x9x9xf32>
  %2 = nn.conv_transpose %x1, %w1 {dilation = array<i64: 1>, groups = 2 : i64, output_padding = array<i64: 0>, padding = array<i64: 1>, stride = array<i64: 2>} : (tensor<2x4x10xf32>, tensor<4x3x4xf32>) -> tensor<2x6x20xf32>
  return
}

// CHECK-LABEL: func.func @pooling(
// CHECK: %{{.*}} = nn.max_pool %{{.*}} {dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x6x28x28xf32> -> tensor<1x6x14x14xf32>
// CHECK: %{{.*}} = nn.max_pool %{{.*}} {ceil_mode = true, dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
// CHECK: %{{.*}} = nn.max_pool %{{.*}} {dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x2x2xf32>
// CHECK: %{{.*}} = nn.avg_pool %{{.*}} {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x6x28x28xf32> -> tensor<1x6x14x14xf32>
// CHECK: %{{.*}} = nn.avg_pool %{{.*}} {ceil_mode = true, count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
// CHECK: %{{.*}} = nn.adaptive_avg_pool %{{.*}} {output_size = array<i64: 1, 1>} : tensor<2x512x7x7xf32> -> tensor<2x512x1x1xf32>
// CHECK: %{{.*}} = nn.adaptive_max_pool %{{.*}} {output_size = array<i64: 4>} : tensor<4x8x10xf32> -> tensor<4x8x4xf32>
// CHECK: %{{.*}} = nn.max_pool %{{.*}} {dilation = array<i64: 2>, kernel_size = array<i64: 3>, padding = array<i64: 1>, stride = array<i64: 1>} : tensor<4x8x10xf32> -> tensor<4x8x8xf32>
func.func @pooling(%x: tensor<1x6x28x28xf32>, %y: tensor<1x3x5x5xf32>, %z: tensor<2x512x7x7xf32>, %s: tensor<4x8x10xf32>) {
  %0 = nn.max_pool %x {dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x6x28x28xf32> -> tensor<1x6x14x14xf32>
  // ceil_mode keeps the partial last window: ceil((5 - 2) / 2) + 1 = 3.
  %1 = nn.max_pool %y {ceil_mode = true, dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
  %2 = nn.max_pool %y {dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x2x2xf32>
  %3 = nn.avg_pool %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x6x28x28xf32> -> tensor<1x6x14x14xf32>
  %4 = nn.avg_pool %y {ceil_mode = true, count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
  %5 = nn.adaptive_avg_pool %z {output_size = array<i64: 1, 1>} : tensor<2x512x7x7xf32> -> tensor<2x512x1x1xf32>
  %6 = nn.adaptive_max_pool %s {output_size = array<i64: 4>} : tensor<4x8x10xf32> -> tensor<4x8x4xf32>
  %7 = nn.max_pool %s {dilation = array<i64: 2>, kernel_size = array<i64: 3>, padding = array<i64: 1>, stride = array<i64: 1>} : tensor<4x8x10xf32> -> tensor<4x8x8xf32>
  return
}

// CHECK-LABEL: func.func @reductions(
// CHECK: %{{.*}} = nn.reduce_sum %{{.*}} {dims = array<i64: -1>} : tensor<4x10x3xf32> -> tensor<4x10xf32>
// CHECK: %{{.*}} = nn.reduce_mean %{{.*}} {dims = array<i64: 1, 2>, keepdim = true} : tensor<4x10x3xf32> -> tensor<4x1x1xf32>
// CHECK: %{{.*}} = nn.reduce_max %{{.*}} {dims = array<i64: 0>} : tensor<5x?xi32> -> tensor<?xi32>
// CHECK: %{{.*}} = nn.reduce_min %{{.*}} {dims = array<i64>} : tensor<4x10x3xf32> -> tensor<f32>
func.func @reductions(%x: tensor<4x10x3xf32>, %i: tensor<5x?xi32>) {
  %0 = nn.reduce_sum %x {dims = array<i64: -1>} : tensor<4x10x3xf32> -> tensor<4x10xf32>
  %1 = nn.reduce_mean %x {dims = array<i64: 1, 2>, keepdim = true} : tensor<4x10x3xf32> -> tensor<4x1x1xf32>
  %2 = nn.reduce_max %i {dims = array<i64: 0>} : tensor<5x?xi32> -> tensor<?xi32>
  %3 = nn.reduce_min %x {dims = array<i64>} : tensor<4x10x3xf32> -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @norms(
// CHECK: %{{.*}} = nn.batch_norm %{{.*}} weight %{{.*}} bias %{{.*}} running %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64, momentum = 1.000000e-02 : f64} : (tensor<8x6x14x14xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<8x6x14x14xf32>
// CHECK: %{{.*}} = nn.batch_norm %{{.*}} running %{{.*}}, %{{.*}} : (tensor<8x6x14x14xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<8x6x14x14xf32>
// CHECK: %{{.*}} = nn.layer_norm %{{.*}} weight %{{.*}} bias %{{.*}} {normalized_shape = array<i64: 64>} : (tensor<2x10x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x10x64xf32>
// CHECK: %{{.*}} = nn.layer_norm %{{.*}} {epsilon = 9.9999999999999995E-7 : f64, normalized_shape = array<i64: 10, 64>} : (tensor<2x10x64xf32>) -> tensor<2x10x64xf32>
// CHECK: %{{.*}} = nn.layer_norm %{{.*}} weight %{{.*}} {normalized_shape = array<i64: 64>} : (tensor<2x10x64xf32>, tensor<64xf32>) -> tensor<2x10x64xf32>
// CHECK: %{{.*}} = nn.group_norm %{{.*}} weight %{{.*}} bias %{{.*}} {num_groups = 4 : i64} : (tensor<2x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x16x8x8xf32>
// CHECK: %{{.*}} = nn.group_norm %{{.*}} {num_groups = 16 : i64} : (tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32>
func.func @norms(%x: tensor<8x6x14x14xf32>, %c: tensor<6xf32>, %s: tensor<2x10x64xf32>, %v: tensor<64xf32>, %g: tensor<2x16x8x8xf32>, %gw: tensor<16xf32>) {
  %0 = nn.batch_norm %x weight %c bias %c running %c, %c {epsilon = 1.0e-3 : f64, momentum = 0.01 : f64} : (tensor<8x6x14x14xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<8x6x14x14xf32>
  %1 = nn.batch_norm %x running %c, %c : (tensor<8x6x14x14xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<8x6x14x14xf32>
  %2 = nn.layer_norm %s weight %v bias %v {normalized_shape = array<i64: 64>} : (tensor<2x10x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x10x64xf32>
  %3 = nn.layer_norm %s {epsilon = 1.0e-6 : f64, normalized_shape = array<i64: 10, 64>} : (tensor<2x10x64xf32>) -> tensor<2x10x64xf32>
  %4 = nn.layer_norm %s weight %v {normalized_shape = array<i64: 64>} : (tensor<2x10x64xf32>, tensor<64xf32>) -> tensor<2x10x64xf32>
  %5 = nn.group_norm %g weight %gw bias %gw {num_groups = 4 : i64} : (tensor<2x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x16x8x8xf32>
  %6 = nn.group_norm %g {num_groups = 16 : i64} : (tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32>
  return
}

// CHECK-LABEL: func.func @fused_conv(
// CHECK: %{{.*}} = nn.fused_conv %{{.*}}, %{{.*}} running %{{.*}}, %{{.*}} residual %{{.*}} {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, relu, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
// CHECK: %{{.*}} = nn.fused_conv %{{.*}}, %{{.*}}, %{{.*}} running %{{.*}}, %{{.*}} bn_weight %{{.*}} bn_bias %{{.*}} {dilation = array<i64: 1, 1>, epsilon = 1.000000e-03 : f64, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : (tensor<2x4x8x8xf32>, tensor<4x4x1x1xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x4x4xf32>
// CHECK: %{{.*}} = nn.fused_conv %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, groups = 4 : i64, padding = array<i64: 1, 1>, relu, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<2x4x8x8xf32>
func.func @fused_conv(%x: tensor<2x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %w1: tensor<4x4x1x1xf32>, %dw: tensor<4x1x3x3xf32>, %v: tensor<4xf32>, %r: tensor<2x4x8x8xf32>) {
  %0 = nn.fused_conv %x, %w running %v, %v residual %r {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, relu, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %1 = nn.fused_conv %x, %w1, %v running %v, %v bn_weight %v bn_bias %v {dilation = array<i64: 1, 1>, epsilon = 1.0e-3 : f64, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : (tensor<2x4x8x8xf32>, tensor<4x4x1x1xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x4x4xf32>
  %2 = nn.fused_conv %x, %dw {dilation = array<i64: 1, 1>, groups = 4 : i64, padding = array<i64: 1, 1>, relu, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<2x4x8x8xf32>
  return
}

// CHECK-LABEL: func.func @fused_linear(
// CHECK: %{{.*}} = nn.fused_linear %{{.*}}, %{{.*}}, %{{.*}} residual %{{.*}} {relu} : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
// CHECK: %{{.*}} = nn.fused_linear %{{.*}}, %{{.*}} running %{{.*}}, %{{.*}} bn_weight %{{.*}} bn_bias %{{.*}} {epsilon = 1.000000e-03 : f64} : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
// CHECK: %{{.*}} = nn.fused_linear %{{.*}}, %{{.*}}, %{{.*}} {gelu = "tanh"} : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<8x32xf32>
func.func @fused_linear(%x: tensor<8x64xf32>, %w: tensor<32x64xf32>, %b: tensor<32xf32>, %r: tensor<8x32xf32>) {
  %0 = nn.fused_linear %x, %w, %b residual %r {relu} : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  %1 = nn.fused_linear %x, %w running %b, %b bn_weight %b bn_bias %b {epsilon = 1.0e-3 : f64} : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %2 = nn.fused_linear %x, %w, %b {gelu = "tanh"} : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return
}
