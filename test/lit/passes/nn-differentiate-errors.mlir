// RUN: nnc-opt %s -split-input-file --nn-differentiate -verify-diagnostics

module attributes {nn.model = "m"} {
  nn.parameter @"w" : tensor<4x4xf32> {init = "zeros"}
  func.func @m_loss(%x: tensor<2x4xf32>) -> tensor<f32> {
    %w = nn.param @"w" : tensor<4x4xf32>
    %y = nn.linear %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    // Gradient ops have no gradients themselves (no second order yet).
    // expected-error @+1 {{'nn.relu_grad' op has no gradient rule yet, so a model cannot be trained through it}}
    %v = nn.relu_grad %y, %y : tensor<2x4xf32>
    %l = nn.reduce_sum %v {dims = array<i64>} : tensor<2x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

module attributes {nn.model = "m"} {
  // expected-error @+1 {{@m_loss must return a rank-0 float loss first (see nn-attach-loss)}}
  func.func @m_loss(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
    return %x : tensor<2x4xf32>
  }
}

// -----

module attributes {nn.model = "m"} {
  nn.parameter @"w" : tensor<4xf32> {init = "zeros"}
  // expected-error @+1 {{the loss of @m_loss does not depend on any trainable parameter}}
  func.func @m_loss(%x: tensor<2x4xf32>) -> tensor<f32> {
    %l = nn.reduce_sum %x {dims = array<i64>} : tensor<2x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

module attributes {nn.model = "m"} {
  nn.parameter @"w" : tensor<4xf32> {init = "zeros"}
  func.func @m_loss(%x: tensor<2x4xf32>) -> tensor<f32> {
    %w = nn.param @"w" : tensor<4xf32>
    // expected-error @+1 {{'nn.choice' op must be resolved (a candidate selected) before training}}
    %y = nn.choice "edge" : tensor<2x4xf32> {
      "scale" {
        %s = nn.mul %x, %w : tensor<2x4xf32>, tensor<4xf32> -> tensor<2x4xf32>
        nn.yield %s : tensor<2x4xf32>
      },
      "skip" {
        nn.yield %x : tensor<2x4xf32>
      }
    }
    %l = nn.reduce_sum %y {dims = array<i64>} : tensor<2x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// expected-error @+1 {{the module has no function @m_loss}}
module attributes {nn.model = "m"} {
  func.func @m(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
    return %x : tensor<2x4xf32>
  }
}
