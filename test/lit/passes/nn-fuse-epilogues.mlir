// RUN: nnc-opt %s -split-input-file --nn-fuse-epilogues | FileCheck %s

// conv -> batch_norm -> relu (a ResNet stem or first block conv) becomes one
// nn.fused_conv carrying the batch norm's operands and epsilon.

// CHECK-LABEL: func.func @bn_relu(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<2x4x8x8xf32>, %[[W:[a-z0-9_]+]]: tensor<4x4x3x3xf32>, %[[G:[a-z0-9_]+]]: tensor<4xf32>, %[[B:[a-z0-9_]+]]: tensor<4xf32>, %[[M:[a-z0-9_]+]]: tensor<4xf32>, %[[V:[a-z0-9_]+]]: tensor<4xf32>)
// CHECK-NEXT:    %[[Y:.*]] = nn.fused_conv %[[X]], %[[W]] running %[[M]], %[[V]] bn_weight %[[G]] bn_bias %[[B]] {dilation = array<i64: 1, 1>, epsilon = 1.000000e-03 : f64, padding = array<i64: 1, 1>, relu, stride = array<i64: 1, 1>}
// CHECK-NEXT:    return %[[Y]]
func.func @bn_relu(%x: tensor<2x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<2x4x8x8xf32> {
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  %1 = nn.batch_norm %0 weight %g bias %b running %m, %v {epsilon = 1.0e-3 : f64} : (tensor<2x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  %2 = nn.relu %1 : tensor<2x4x8x8xf32>
  return %2 : tensor<2x4x8x8xf32>
}

// -----

// conv -> batch_norm -> add(shortcut) -> relu, the end of a ResNet basic
// block, with the convolution on either side of the add; the bias stays
// the convolution's.

// CHECK-LABEL: func.func @residual(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<2x4x8x8xf32>, %[[W:[a-z0-9_]+]]: tensor<4x4x3x3xf32>, %[[C:[a-z0-9_]+]]: tensor<4xf32>, %[[M:[a-z0-9_]+]]: tensor<4xf32>, %[[V:[a-z0-9_]+]]: tensor<4xf32>, %[[S:[a-z0-9_]+]]: tensor<2x4x8x8xf32>)
// CHECK-NEXT:    %[[Y:.*]] = nn.fused_conv %[[X]], %[[W]], %[[C]] running %[[M]], %[[V]] residual %[[S]] {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, relu, stride = array<i64: 1, 1>}
// CHECK-NEXT:    %[[Z:.*]] = nn.fused_conv %[[X]], %[[W]] residual %[[S]] {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>}
// CHECK-NEXT:    return %[[Y]], %[[Z]]
func.func @residual(%x: tensor<2x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %c: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %s: tensor<2x4x8x8xf32>) -> (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) {
  %0 = nn.conv %x, %w, %c {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  %1 = nn.batch_norm %0 running %m, %v : (tensor<2x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  %2 = nn.add %1, %s : tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32> -> tensor<2x4x8x8xf32>
  %3 = nn.relu %2 : tensor<2x4x8x8xf32>
  %4 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  %5 = nn.add %s, %4 : tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32> -> tensor<2x4x8x8xf32>
  return %3, %5 : tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>
}

// -----

// Not fused: a convolution something else also reads; a batch norm or add
// after the ReLU (the epilogue's order is batch norm, residual, ReLU); an
// add that broadcasts.

// CHECK-LABEL: func.func @unfused(
// CHECK-NEXT:    %[[A:.*]] = nn.conv
// CHECK-NEXT:    nn.batch_norm %[[A]]
// CHECK-NEXT:    nn.neg %[[A]]
// CHECK-NEXT:    %[[R:.*]] = nn.fused_conv {{.*}}relu
// CHECK-NEXT:    nn.add %[[R]]
// CHECK-NEXT:    %[[P:.*]] = nn.conv
// CHECK-NEXT:    nn.add %[[P]]
// CHECK-NEXT:    return
func.func @unfused(%x: tensor<2x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %s: tensor<2x4x8x8xf32>, %t: tensor<1x4x1x1xf32>) -> (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) {
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  %1 = nn.batch_norm %0 running %m, %v : (tensor<2x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x8x8xf32>
  %2 = nn.neg %0 : tensor<2x4x8x8xf32>
  %3 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  %4 = nn.relu %3 : tensor<2x4x8x8xf32>
  %5 = nn.add %4, %s : tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32> -> tensor<2x4x8x8xf32>
  %6 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  %7 = nn.add %6, %t : tensor<2x4x8x8xf32>, tensor<1x4x1x1xf32> -> tensor<2x4x8x8xf32>
  return %1, %2, %5, %7 : tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>
}

// -----

// linear -> relu (a feed-forward layer), x + linear(...) (a transformer's
// residual), and linear -> batch_norm over a rank-2 result (BatchNorm1d of
// the features); batch norm over a rank-3 result normalises dim 1, which is
// not the features, and stays.

// CHECK-LABEL: func.func @linear(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<8x16xf32>, %[[W:[a-z0-9_]+]]: tensor<16x16xf32>, %[[B:[a-z0-9_]+]]: tensor<16xf32>, %[[V:[a-z0-9_]+]]: tensor<16xf32>, %[[S:[a-z0-9_]+]]: tensor<2x4x16xf32>, %[[U:[a-z0-9_]+]]: tensor<4xf32>)
// CHECK-NEXT:    %[[H:.*]] = nn.fused_linear %[[X]], %[[W]], %[[B]] {relu}
// CHECK-NEXT:    %[[R:.*]] = nn.fused_linear %[[H]], %[[W]] residual %[[X]] : (tensor<8x16xf32>, tensor<16x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK-NEXT:    %[[N:.*]] = nn.fused_linear %[[R]], %[[W]] running %[[V]], %[[V]] {relu}
// CHECK-NEXT:    %[[T:.*]] = nn.linear %[[S]], %[[W]]
// CHECK-NEXT:    nn.batch_norm %[[T]]
func.func @linear(%x: tensor<8x16xf32>, %w: tensor<16x16xf32>, %b: tensor<16xf32>, %v: tensor<16xf32>, %s: tensor<2x4x16xf32>, %u: tensor<4xf32>) -> (tensor<8x16xf32>, tensor<2x4x16xf32>) {
  %0 = nn.linear %x, %w, %b : (tensor<8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %1 = nn.relu %0 : tensor<8x16xf32>
  %2 = nn.linear %1, %w : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
  %3 = nn.add %x, %2 : tensor<8x16xf32>, tensor<8x16xf32> -> tensor<8x16xf32>
  %4 = nn.linear %3, %w : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
  %5 = nn.batch_norm %4 running %v, %v : (tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %6 = nn.relu %5 : tensor<8x16xf32>
  %7 = nn.linear %s, %w : (tensor<2x4x16xf32>, tensor<16x16xf32>) -> tensor<2x4x16xf32>
  %8 = nn.batch_norm %7 running %u, %u : (tensor<2x4x16xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x16xf32>
  return %6, %8 : tensor<8x16xf32>, tensor<2x4x16xf32>
}

// -----

// GELU ends a linear layer's epilogue, in either approximate mode; after a
// convolution it stays a separate op, and so does a second activation.

// CHECK-LABEL: func.func @gelu(
// CHECK-NEXT:    %[[H:.*]] = nn.fused_linear %{{.*}}, %{{.*}}, %{{.*}} {gelu = "none"}
// CHECK-NEXT:    %[[T:.*]] = nn.fused_linear %[[H]], %{{.*}} residual %{{.*}} {gelu = "tanh"}
// CHECK-NEXT:    %[[R:.*]] = nn.fused_linear %[[T]], %{{.*}} {relu}
// CHECK-NEXT:    nn.gelu %[[R]]
// CHECK-NEXT:    %[[C:.*]] = nn.conv
// CHECK-NEXT:    nn.gelu %[[C]]
func.func @gelu(%x: tensor<8x16xf32>, %w: tensor<16x16xf32>, %b: tensor<16xf32>, %i: tensor<2x4x8x8xf32>, %k: tensor<4x4x3x3xf32>) -> (tensor<8x16xf32>, tensor<2x4x8x8xf32>) {
  %0 = nn.linear %x, %w, %b : (tensor<8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %1 = nn.gelu %0 : tensor<8x16xf32>
  %2 = nn.linear %1, %w : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
  %3 = nn.add %2, %x : tensor<8x16xf32>, tensor<8x16xf32> -> tensor<8x16xf32>
  %4 = nn.gelu %3 {approximate = "tanh"} : tensor<8x16xf32>
  %5 = nn.linear %4, %w : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
  %6 = nn.relu %5 : tensor<8x16xf32>
  %7 = nn.gelu %6 : tensor<8x16xf32>
  %8 = nn.conv %i, %k {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  %9 = nn.gelu %8 : tensor<2x4x8x8xf32>
  return %7, %9 : tensor<8x16xf32>, tensor<2x4x8x8xf32>
}
