// RUN: nnc-opt %s -split-input-file --nn-attach-loss="loss=hinge" -verify-diagnostics

// expected-error @+1 {{unknown loss 'hinge'; expected cross_entropy, nll_loss, mse_loss, l1_loss, bce_loss, bce_with_logits_loss or output}}
module attributes {nn.model = "m"} {
  func.func @m(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
    return %x : tensor<4x10xf32>
  }
}
