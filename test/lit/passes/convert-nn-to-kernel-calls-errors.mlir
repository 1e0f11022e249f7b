// RUN: nnc-opt %s -split-input-file --convert-nn-to-kernel-calls -verify-diagnostics

module {
  func.func @param() -> tensor<4xf32> {
    // expected-error @+1 {{cannot be compiled here: nn.param must be resolved first (nn-resolve-choices, nn-params-to-arguments)}}
    %w = nn.param @w : tensor<4xf32>
    return %w : tensor<4xf32>
  }
  nn.parameter @w : tensor<4xf32> {init = "zeros"}
}

// -----

module {
  // expected-error @+1 {{cannot be compiled here: nn.parameter must be resolved first (nn-resolve-choices, nn-params-to-arguments)}}
  nn.parameter @w : tensor<4xf32> {init = "zeros"}
}

// -----

func.func @dynamic(%x: tensor<?x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<?x2x6x6xf32> {
  // expected-error @+1 {{needs static shapes (nn-specialize-shapes)}}
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>}
         : (tensor<?x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x6x6xf32>
  return %0 : tensor<?x2x6x6xf32>
}

// -----

// Gradient ops are for the reference executor's training step.

func.func @no_kernel(%dy: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{nn.relu_grad has no code generation pattern for these types and no runtime kernel}}
  %0 = nn.relu_grad %dy, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unencodable_attribute(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.relu': attribute 'table' has no kernel descriptor encoding}}
  %0 = nn.relu %x {table = dense<1.0> : tensor<2xf32>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}
