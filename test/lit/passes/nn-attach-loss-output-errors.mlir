// RUN: nnc-opt %s -split-input-file --nn-attach-loss="loss=output output=recon" -verify-diagnostics

// A model-computed loss must be a scalar.
module attributes {nn.model = "m"} {
  // expected-error @+1 {{output 'recon' is used as the loss but is not a scalar: 'tensor<4x10xf32>'}}
  func.func @m(%x: tensor<4x10xf32>) -> (tensor<4x10xf32> {nn.name = "recon"}) {
    return %x : tensor<4x10xf32>
  }
}

// -----

module attributes {nn.model = "m"} {
  // expected-error @+1 {{@m has no output named 'recon'}}
  func.func @m(%x: tensor<4x10xf32>) -> (tensor<4x10xf32> {nn.name = "y"}) {
    return %x : tensor<4x10xf32>
  }
}

// -----

// expected-error @+1 {{no function given and the module has no nn.model attribute}}
module {
  func.func @m(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
    return %x : tensor<4x10xf32>
  }
}
