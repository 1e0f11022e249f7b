// RUN: nnc-opt %s --nn-attach-loss="loss=output output=kl" | FileCheck %s

// A loss the model computes itself: no target argument; the output moves
// to the front under its own name, the others follow in order.

module attributes {nn.model = "m"} {
  func.func @m(%x: tensor<4x3xf32> {nn.name = "x"})
      -> (tensor<4x3xf32> {nn.name = "recon"}, tensor<f32> {nn.name = "kl"}, tensor<4xf32> {nn.name = "mu"}) {
    %k = nn.reduce_mean %x {dims = array<i64>} : tensor<4x3xf32> -> tensor<f32>
    %m = nn.reduce_sum %x {dims = array<i64: 1>} : tensor<4x3xf32> -> tensor<4xf32>
    return %x, %k, %m : tensor<4x3xf32>, tensor<f32>, tensor<4xf32>
  }
}

// CHECK-LABEL: func.func @m_loss(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x3xf32> {nn.name = "x"})
// CHECK-SAME:    -> (tensor<f32> {nn.name = "kl"}, tensor<4x3xf32> {nn.name = "recon"}, tensor<4xf32> {nn.name = "mu"})
// CHECK:         %[[K:.*]] = nn.reduce_mean %[[X]]
// CHECK:         %[[M:.*]] = nn.reduce_sum %[[X]]
// CHECK:         return %[[K]], %[[X]], %[[M]]
