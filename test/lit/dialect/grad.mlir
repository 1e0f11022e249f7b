// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// Round trip of every gradient and training-step op (NNGradOps.td).

nn.parameter @"fc.weight" : tensor<10x84xf32> {init = "uniform", init_scale = 0.1 : f64}
nn.parameter @"fc.bias" : tensor<10xf32> {init = "zeros"}
nn.parameter @"bn.running_mean" : tensor<6xf32> {buffer, init = "zeros"}

// CHECK-LABEL: func.func @dense(
// CHECK: nn.linear_grad_weight %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x10xf32>, tensor<?x84xf32>, tensor<10x84xf32>
// CHECK: nn.sum_to %{{.*}}, %{{.*}} : tensor<?x10xf32>, tensor<10xf32>
// CHECK: nn.reduce_grad %{{.*}}, %{{.*}} {dims = array<i64: 1>, mean} : tensor<?xf32>, tensor<?x10xf32>
// CHECK: nn.reduce_grad %{{.*}}, %{{.*}} {dims = array<i64: -1>, keepdim = true} : tensor<?x1xf32>, tensor<?x10xf32>
// CHECK: nn.embedding_grad %{{.*}}, %{{.*}}, %{{.*}} {padding_idx = 0 : i64} : tensor<4x7x16xf32>, tensor<4x7xi64>, tensor<100x16xf32>
// CHECK: nn.slice_grad %{{.*}}, %{{.*}} {axis = 0 : i64, end = 4 : i64, start = 3 : i64} : tensor<1x8xf32>, tensor<4x8xf32>
func.func @dense(%dy: tensor<?x10xf32>, %x: tensor<?x84xf32>, %w: tensor<10x84xf32>, %b: tensor<10xf32>,
                 %dr: tensor<?xf32>, %dk: tensor<?x1xf32>, %ids: tensor<4x7xi64>, %de: tensor<4x7x16xf32>,
                 %t: tensor<100x16xf32>, %ds: tensor<1x8xf32>, %s: tensor<4x8xf32>) {
  %0 = nn.linear_grad_weight %dy, %x, %w : tensor<?x10xf32>, tensor<?x84xf32>, tensor<10x84xf32>
  %1 = nn.sum_to %dy, %b : tensor<?x10xf32>, tensor<10xf32>
  %2 = nn.reduce_grad %dr, %dy {dims = array<i64: 1>, mean} : tensor<?xf32>, tensor<?x10xf32>
  %3 = nn.reduce_grad %dk, %dy {dims = array<i64: -1>, keepdim = true} : tensor<?x1xf32>, tensor<?x10xf32>
  %4 = nn.embedding_grad %de, %ids, %t {padding_idx = 0 : i64} : tensor<4x7x16xf32>, tensor<4x7xi64>, tensor<100x16xf32>
  %5 = nn.slice_grad %ds, %s {axis = 0 : i64, start = 3 : i64, end = 4 : i64} : tensor<1x8xf32>, tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @conv_pool(
// CHECK: nn.conv_grad_input %{{.*}}, %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : tensor<8x16x10x10xf32>, tensor<8x6x14x14xf32>, tensor<16x6x5x5xf32>
// CHECK: nn.conv_grad_weight %{{.*}}, %{{.*}}, %{{.*}} {dilation = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 2, 2>, stride = array<i64: 2, 2>} : tensor<?x4x7x7xf32>, tensor<?x6x14x14xf32>, tensor<4x3x3x3xf32>
// CHECK: nn.max_pool_grad %{{.*}}, %{{.*}} {ceil_mode = true, dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<8x6x7x7xf32>, tensor<8x6x13x13xf32>
// CHECK: nn.avg_pool_grad %{{.*}}, %{{.*}} {count_include_pad = false, kernel_size = array<i64: 3>, padding = array<i64: 1>, stride = array<i64: 1>} : tensor<2x3x9xf32>, tensor<2x3x9xf32>
func.func @conv_pool(%dy: tensor<8x16x10x10xf32>, %x: tensor<8x6x14x14xf32>, %w: tensor<16x6x5x5xf32>,
                     %dg: tensor<?x4x7x7xf32>, %xg: tensor<?x6x14x14xf32>, %wg: tensor<4x3x3x3xf32>,
                     %dp: tensor<8x6x7x7xf32>, %xp: tensor<8x6x13x13xf32>, %x1: tensor<2x3x9xf32>) {
  %0 = nn.conv_grad_input %dy, %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : tensor<8x16x10x10xf32>, tensor<8x6x14x14xf32>, tensor<16x6x5x5xf32>
  %1 = nn.conv_grad_weight %dg, %xg, %wg {dilation = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 2, 2>, stride = array<i64: 2, 2>} : tensor<?x4x7x7xf32>, tensor<?x6x14x14xf32>, tensor<4x3x3x3xf32>
  %2 = nn.max_pool_grad %dp, %xp {ceil_mode = true, dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<8x6x7x7xf32>, tensor<8x6x13x13xf32>
  %3 = nn.avg_pool_grad %x1, %x1 {count_include_pad = false, kernel_size = array<i64: 3>, padding = array<i64: 1>, stride = array<i64: 1>} : tensor<2x3x9xf32>, tensor<2x3x9xf32>
  return
}

// CHECK-LABEL: func.func @norm(
// CHECK: = nn.batch_norm_train %{{.*}} weight %{{.*}} bias %{{.*}} running %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : (tensor<?x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> (tensor<?x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>)
// CHECK: = nn.batch_norm_grad %{{.*}}, %{{.*}} stats %{{.*}}, %{{.*}} : (tensor<?x6x4x4xf32>, tensor<?x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> (tensor<?x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>)
// CHECK: = nn.layer_norm_grad %{{.*}}, %{{.*}} weight %{{.*}} {normalized_shape = array<i64: 6>} : (tensor<2x6xf32>, tensor<2x6xf32>, tensor<6xf32>) -> (tensor<2x6xf32>, tensor<6xf32>, tensor<6xf32>)
func.func @norm(%x: tensor<?x6x4x4xf32>, %c: tensor<6xf32>, %l: tensor<2x6xf32>) {
  %y:5 = nn.batch_norm_train %x weight %c bias %c running %c, %c {epsilon = 1.0e-3 : f64} : (tensor<?x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> (tensor<?x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>)
  %g:3 = nn.batch_norm_grad %x, %x stats %y#1, %y#2 : (tensor<?x6x4x4xf32>, tensor<?x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> (tensor<?x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>)
  %h:3 = nn.layer_norm_grad %l, %l weight %c {normalized_shape = array<i64: 6>} : (tensor<2x6xf32>, tensor<2x6xf32>, tensor<6xf32>) -> (tensor<2x6xf32>, tensor<6xf32>, tensor<6xf32>)
  return
}

// CHECK-LABEL: func.func @activations(
// CHECK: nn.relu_grad %{{.*}}, %{{.*}} : tensor<?x10xf32>
// CHECK: nn.sigmoid_grad %{{.*}}, %{{.*}} : tensor<?x10xf32>
// CHECK: nn.tanh_grad %{{.*}}, %{{.*}} : tensor<?x10xf32>
// CHECK: nn.gelu_grad %{{.*}}, %{{.*}} {approximate = "tanh"} : tensor<?x10xf32>
// CHECK: nn.softmax_grad %{{.*}}, %{{.*}} {axis = -1 : i64} : tensor<?x10xf32>
// CHECK: nn.log_softmax_grad %{{.*}}, %{{.*}} {axis = 1 : i64} : tensor<?x10xf32>
// CHECK: nn.dropout_mask %{{.*}} {p = 2.000000e-01 : f64} : tensor<?x10xf32>
func.func @activations(%dy: tensor<?x10xf32>, %x: tensor<?x10xf32>) {
  %0 = nn.relu_grad %dy, %x : tensor<?x10xf32>
  %1 = nn.sigmoid_grad %dy, %x : tensor<?x10xf32>
  %2 = nn.tanh_grad %dy, %x : tensor<?x10xf32>
  %3 = nn.gelu_grad %dy, %x {approximate = "tanh"} : tensor<?x10xf32>
  %4 = nn.softmax_grad %dy, %x {axis = -1 : i64} : tensor<?x10xf32>
  %5 = nn.log_softmax_grad %dy, %x {axis = 1 : i64} : tensor<?x10xf32>
  %6 = nn.dropout_mask %x {p = 0.2 : f64} : tensor<?x10xf32>
  return
}

// CHECK-LABEL: func.func @losses_and_updates(
// CHECK: nn.cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} {label_smoothing = 1.000000e-01 : f64} : tensor<f32>, tensor<?x10xf32>, tensor<?xi64>
// CHECK: nn.cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} {reduction = "none"} : tensor<?xf32>, tensor<?x10xf32>, tensor<?xi64>
// CHECK: nn.mse_loss_grad %{{.*}}, %{{.*}}, %{{.*}} {reduction = "sum"} : tensor<f32>, tensor<?x10xf32>
// CHECK: nn.optimizer_step [@fc.weight, @fc.bias] %{{.*}}, %{{.*}} : tensor<10x84xf32>, tensor<10xf32>
// CHECK: nn.assign @bn.running_mean, %{{.*}} : tensor<6xf32>
func.func @losses_and_updates(%dl: tensor<f32>, %dn: tensor<?xf32>, %x: tensor<?x10xf32>, %t: tensor<?xi64>,
                              %dw: tensor<10x84xf32>, %db: tensor<10xf32>, %m: tensor<6xf32>) {
  %0 = nn.cross_entropy_grad %dl, %x, %t {label_smoothing = 0.1 : f64} : tensor<f32>, tensor<?x10xf32>, tensor<?xi64>
  %1 = nn.cross_entropy_grad %dn, %x, %t {reduction = "none"} : tensor<?xf32>, tensor<?x10xf32>, tensor<?xi64>
  %2 = nn.mse_loss_grad %dl, %x, %x {reduction = "sum"} : tensor<f32>, tensor<?x10xf32>
  nn.optimizer_step [@"fc.weight", @"fc.bias"] %dw, %db : tensor<10x84xf32>, tensor<10xf32>
  nn.assign @"bn.running_mean", %m : tensor<6xf32>
  return
}
