// RUN: nnc-opt %s --nn-differentiate | FileCheck %s
// RUN: nnc-opt %s --nn-differentiate="emit-gradients=true" | FileCheck %s --check-prefix=GRAD

// A residual block with batch norm and dropout, then a classifier:
//   h = relu(bn(x W1^T)) ; h = dropout(h) + x ; loss = CE(h W2^T + b2, t)

module attributes {nn.model = "net"} {
  nn.parameter @"fc1.weight" : tensor<4x4xf32> {init = "uniform", init_scale = 0.5 : f64}
  nn.parameter @"bn.weight" : tensor<4xf32> {init = "ones"}
  nn.parameter @"bn.bias" : tensor<4xf32> {init = "zeros"}
  nn.parameter @"bn.running_mean" : tensor<4xf32> {buffer, init = "zeros"}
  nn.parameter @"bn.running_var" : tensor<4xf32> {buffer, init = "ones"}
  nn.parameter @"fc2.weight" : tensor<3x4xf32> {init = "uniform", init_scale = 0.5 : f64}
  nn.parameter @"fc2.bias" : tensor<3xf32> {init = "uniform", init_scale = 0.5 : f64}
  func.func @net_loss(%x: tensor<?x4xf32> {nn.name = "x"}, %t: tensor<?xi64> {nn.name = "target"})
      -> (tensor<f32> {nn.name = "loss"}, tensor<?x3xf32> {nn.name = "logits"}) {
    %w1 = nn.param @"fc1.weight" : tensor<4x4xf32>
    %h0 = nn.linear %x, %w1 : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    %g = nn.param @"bn.weight" : tensor<4xf32>
    %b = nn.param @"bn.bias" : tensor<4xf32>
    %m = nn.param @"bn.running_mean" : tensor<4xf32>
    %v = nn.param @"bn.running_var" : tensor<4xf32>
    %h1 = nn.batch_norm %h0 weight %g bias %b running %m, %v : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %h2 = nn.relu %h1 : tensor<?x4xf32>
    %h3 = nn.dropout %h2 {p = 0.25 : f64} : tensor<?x4xf32>
    %h4 = nn.add %h3, %x : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
    %w2 = nn.param @"fc2.weight" : tensor<3x4xf32>
    %b2 = nn.param @"fc2.bias" : tensor<3xf32>
    %y = nn.linear %h4, %w2, %b2 : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    %l = nn.cross_entropy %y, %t : (tensor<?x3xf32>, tensor<?xi64>) -> tensor<f32>
    return %l, %y : tensor<f32>, tensor<?x3xf32>
  }
}

// The loss function is kept; the step follows it.
// CHECK-LABEL: func.func @net_loss(
// CHECK:         nn.batch_norm %
// CHECK-LABEL: func.func @net_loss_train_step(
// CHECK-SAME:    %[[X:.*]]: tensor<?x4xf32> {nn.name = "x"}, %[[T:.*]]: tensor<?xi64> {nn.name = "target"})
// CHECK-SAME:    -> (tensor<f32> {nn.name = "loss"}, tensor<?x3xf32> {nn.name = "logits"})
// Forward in training mode.
// CHECK:         %[[W1:.*]] = nn.param @fc1.weight
// CHECK:         %[[H0:.*]] = nn.linear %[[X]], %[[W1]]
// CHECK:         %[[BN:.*]], %[[MEAN:.*]], %[[ISTD:.*]], %[[RM:.*]], %[[RV:.*]] = nn.batch_norm_train %[[H0]]
// CHECK:         %[[H2:.*]] = nn.relu %[[BN]]
// CHECK:         %[[MASK:.*]] = nn.dropout_mask %[[H2]] {p = 2.500000e-01 : f64}
// CHECK:         %[[H3:.*]] = nn.mul %[[H2]], %[[MASK]]
// CHECK:         %[[H4:.*]] = nn.add %[[H3]], %[[X]]
// CHECK:         %[[Y:.*]] = nn.linear %[[H4]]
// CHECK:         %[[L:.*]] = nn.cross_entropy %[[Y]], %[[T]]
// Backward: seeded with 1, in reverse order.
// CHECK:         %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[DY:.*]] = nn.cross_entropy_grad %[[ONE]], %[[Y]], %[[T]]
// CHECK:         %[[DH4:.*]] = nn.matmul %[[DY]], %{{.*}} : tensor<?x3xf32>, tensor<3x4xf32> -> tensor<?x4xf32>
// CHECK:         %[[DW2:.*]] = nn.linear_grad_weight %[[DY]], %[[H4]], %{{.*}}
// CHECK:         %[[DB2:.*]] = nn.reduce_sum %[[DY]] {dims = array<i64: 0>} : tensor<?x3xf32> -> tensor<3xf32>
// The input x needs no gradient, so only the dropout branch is followed.
// CHECK-NOT:     nn.sum_to
// CHECK:         %[[DH2:.*]] = nn.mul %[[DH4]], %[[MASK]]
// CHECK:         %[[DBN:.*]] = nn.relu_grad %[[DH2]], %[[BN]]
// CHECK:         %[[DX0:.*]], %[[DG:.*]], %[[DB:.*]] = nn.batch_norm_grad %[[DBN]], %[[H0]] weight %{{.*}} stats %[[MEAN]], %[[ISTD]]
// CHECK:         %[[DW1:.*]] = nn.linear_grad_weight %[[DX0]], %[[X]], %[[W1]]
// Parameters in declaration order; running statistics assigned after.
// CHECK:         nn.optimizer_step [@fc1.weight, @bn.weight, @bn.bias, @fc2.weight, @fc2.bias] %[[DW1]], %[[DG]], %[[DB]], %[[DW2]], %[[DB2]]
// CHECK:         nn.assign @bn.running_mean, %[[RM]]
// CHECK:         nn.assign @bn.running_var, %[[RV]]
// CHECK:         return %[[L]], %[[Y]]

// GRAD-LABEL: func.func @net_loss_grad(
// GRAD-SAME:    -> (tensor<f32> {nn.name = "loss"}, tensor<?x3xf32> {nn.name = "logits"}, tensor<4x4xf32> {nn.name = "grad:fc1.weight"}, tensor<4xf32> {nn.name = "grad:bn.weight"}, tensor<4xf32> {nn.name = "grad:bn.bias"}, tensor<3x4xf32> {nn.name = "grad:fc2.weight"}, tensor<3xf32> {nn.name = "grad:fc2.bias"})
// GRAD-NOT:     nn.optimizer_step
// GRAD-NOT:     nn.assign
// GRAD:         return
