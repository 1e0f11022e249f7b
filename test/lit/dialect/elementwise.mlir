// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// CHECK-LABEL: func.func @unary(
// CHECK: %{{.*}} = nn.relu %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.sigmoid %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.tanh %{{.*}} : tensor<?x8xf16>
// CHECK: %{{.*}} = nn.silu %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.selu %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.exp %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.log %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.sqrt %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.rsqrt %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.abs %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.abs %{{.*}} : tensor<4xi32>
// CHECK: %{{.*}} = nn.neg %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.neg %{{.*}} : tensor<4xi32>
func.func @unary(%x: tensor<2x3xf32>, %h: tensor<?x8xf16>, %i: tensor<4xi32>) {
  %0 = nn.relu %x : tensor<2x3xf32>
  %1 = nn.sigmoid %x : tensor<2x3xf32>
  %2 = nn.tanh %h : tensor<?x8xf16>
  %3 = nn.silu %x : tensor<2x3xf32>
  %4 = nn.selu %x : tensor<2x3xf32>
  %5 = nn.exp %x : tensor<2x3xf32>
  %6 = nn.log %x : tensor<2x3xf32>
  %7 = nn.sqrt %x : tensor<2x3xf32>
  %8 = nn.rsqrt %x : tensor<2x3xf32>
  %9 = nn.abs %x : tensor<2x3xf32>
  %10 = nn.abs %i : tensor<4xi32>
  %11 = nn.neg %x : tensor<2x3xf32>
  %12 = nn.neg %i : tensor<4xi32>
  return
}

// CHECK-LABEL: func.func @unary_attrs(
// CHECK: %{{.*}} = nn.gelu %{{.*}} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.gelu %{{.*}} {approximate = "tanh"} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.elu %{{.*}} {alpha = 5.000000e-01 : f64} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.leaky_relu %{{.*}} {negative_slope = 2.000000e-01 : f64} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.softplus %{{.*}} {beta = 2.000000e+00 : f64, threshold = 1.000000e+01 : f64} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.dropout %{{.*}} {p = 1.000000e-01 : f64} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.dropout %{{.*}} {p = 2.500000e-01 : f64, spatial = true} : tensor<4x3x8x8xbf16>
// CHECK: %{{.*}} = nn.softmax %{{.*}} {axis = -1 : i64} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.log_softmax %{{.*}} {axis = 0 : i64} : tensor<2x3xf32>
// CHECK: %{{.*}} = nn.elu %{{.*}} : tensor<2x3xf32>
func.func @unary_attrs(%x: tensor<2x3xf32>, %b: tensor<4x3x8x8xbf16>) {
  %0 = nn.gelu %x : tensor<2x3xf32>
  %1 = nn.gelu %x {approximate = "tanh"} : tensor<2x3xf32>
  %2 = nn.elu %x {alpha = 0.5 : f64} : tensor<2x3xf32>
  %3 = nn.leaky_relu %x {negative_slope = 0.2 : f64} : tensor<2x3xf32>
  %4 = nn.softplus %x {beta = 2.0 : f64, threshold = 10.0 : f64} : tensor<2x3xf32>
  %5 = nn.dropout %x {p = 0.1 : f64} : tensor<2x3xf32>
  %6 = nn.dropout %b {p = 0.25 : f64, spatial = true} : tensor<4x3x8x8xbf16>
  %7 = nn.softmax %x {axis = -1 : i64} : tensor<2x3xf32>
  %8 = nn.log_softmax %x {axis = 0 : i64} : tensor<2x3xf32>
  %9 = nn.elu %x : tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @prelu(
// CHECK: %{{.*}} = nn.prelu %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<3xf32> -> tensor<2x3x4xf32>
// CHECK: %{{.*}} = nn.prelu %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<1xf32> -> tensor<2x3x4xf32>
func.func @prelu(%x: tensor<2x3x4xf32>, %a: tensor<3xf32>, %s: tensor<1xf32>) {
  %0 = nn.prelu %x, %a : tensor<2x3x4xf32>, tensor<3xf32> -> tensor<2x3x4xf32>
  %1 = nn.prelu %x, %s : tensor<2x3x4xf32>, tensor<1xf32> -> tensor<2x3x4xf32>
  return
}

// CHECK-LABEL: func.func @binary(
// CHECK: %{{.*}} = nn.add %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
// CHECK: %{{.*}} = nn.sub %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
// CHECK: %{{.*}} = nn.mul %{{.*}}, %{{.*}} : tensor<?x1x5xf32>, tensor<4x1xf32> -> tensor<?x4x5xf32>
// CHECK: %{{.*}} = nn.div %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
// CHECK: %{{.*}} = nn.pow %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
// CHECK: %{{.*}} = nn.maximum %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
// CHECK: %{{.*}} = nn.minimum %{{.*}}, %{{.*}} : tensor<8xi64>, tensor<8xi64> -> tensor<8xi64>
// CHECK: %{{.*}} = nn.add %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32> -> tensor<?x3xf32>
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<f32>, %d: tensor<?x1x5xf32>, %e: tensor<4x1xf32>, %i: tensor<8xi64>) {
  %0 = nn.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %1 = nn.sub %a, %c : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %2 = nn.mul %d, %e : tensor<?x1x5xf32>, tensor<4x1xf32> -> tensor<?x4x5xf32>
  %3 = nn.div %b, %a : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = nn.pow %a, %c : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %5 = nn.maximum %a, %a : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %6 = nn.minimum %i, %i : tensor<8xi64>, tensor<8xi64> -> tensor<8xi64>
  // A less static explicit result type is accepted.
  %7 = nn.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<?x3xf32>
  return
}

// CHECK-LABEL: func.func @conversions(
// CHECK: %{{.*}} = nn.cast %{{.*}} : tensor<4xi64> to tensor<4xf32>
// CHECK: %{{.*}} = nn.cast %{{.*}} : tensor<2x?xf32> to tensor<2x?xf16>
// CHECK: %{{.*}} = nn.fill %{{.*}} {value = 0.000000e+00 : f64} : tensor<2x?xf32>
// CHECK: %{{.*}} = nn.fill %{{.*}} {value = 1.000000e+00 : f64} : tensor<4xi64>
// CHECK: %{{.*}} = nn.random_normal %{{.*}} {seed = 42 : i64} : tensor<2x?xf32>
// CHECK: %{{.*}} = nn.random_normal %{{.*}} : tensor<2x?xf32>
func.func @conversions(%x: tensor<4xi64>, %y: tensor<2x?xf32>) {
  %0 = nn.cast %x : tensor<4xi64> to tensor<4xf32>
  %1 = nn.cast %y : tensor<2x?xf32> to tensor<2x?xf16>
  %2 = nn.fill %y {value = 0.0 : f64} : tensor<2x?xf32>
  %3 = nn.fill %x {value = 1.0 : f64} : tensor<4xi64>
  %4 = nn.random_normal %y {seed = 42 : i64} : tensor<2x?xf32>
  %5 = nn.random_normal %y : tensor<2x?xf32>
  return
}
