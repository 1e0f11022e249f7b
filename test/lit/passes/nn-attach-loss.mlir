// RUN: nnc-opt %s --nn-attach-loss | FileCheck %s
// RUN: nnc-opt %s --nn-attach-loss="loss=mse_loss output=logits" | FileCheck %s --check-prefix=MSE
// RUN: nnc-opt %s --nn-attach-loss="loss=cross_entropy label-smoothing=0.1" | FileCheck %s --check-prefix=SMOOTH

// The loss function is the model's body, a loss of the chosen output against
// a new `target` argument, and the results (loss, outputs...).

module attributes {nn.model = "mlp"} {
  nn.parameter @"fc.weight" : tensor<10x4xf32> {init = "uniform", init_scale = 0.5 : f64}
  func.func @mlp(%x: tensor<?x4xf32> {nn.name = "x"}) -> (tensor<?x10xf32> {nn.name = "logits"}) {
    %w = nn.param @"fc.weight" : tensor<10x4xf32>
    %y = nn.linear %x, %w : (tensor<?x4xf32>, tensor<10x4xf32>) -> tensor<?x10xf32>
    return %y : tensor<?x10xf32>
  }
}

// CHECK-LABEL: func.func @mlp(
// CHECK-LABEL: func.func @mlp_loss(
// CHECK-SAME:    %[[X:.*]]: tensor<?x4xf32> {nn.name = "x"}, %[[T:.*]]: tensor<?xi64> {nn.name = "target"})
// CHECK-SAME:    -> (tensor<f32> {nn.name = "loss"}, tensor<?x10xf32> {nn.name = "logits"})
// CHECK:         %[[Y:.*]] = nn.linear %[[X]]
// CHECK:         %[[L:.*]] = nn.cross_entropy %[[Y]], %[[T]] : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
// CHECK:         return %[[L]], %[[Y]] : tensor<f32>, tensor<?x10xf32>

// MSE-LABEL: func.func @mlp_loss(
// MSE-SAME:    %{{.*}}: tensor<?x10xf32> {nn.name = "target"})
// MSE:         nn.mse_loss %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>

// SMOOTH:      nn.cross_entropy %{{.*}}, %{{.*}} {label_smoothing = 1.000000e-01 : f64}
