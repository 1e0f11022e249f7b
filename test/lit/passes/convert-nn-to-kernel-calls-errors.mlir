// RUN: nnc-opt %s -split-input-file -allow-unregistered-dialect --convert-nn-to-kernel-calls -verify-diagnostics

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
  func.func @read(%x: tensor<4xf32>) -> tensor<4xf32> {
    %w = "test.use"() {p = @w} : () -> tensor<4xf32>
    return %w : tensor<4xf32>
  }
  // expected-error @+1 {{cannot be compiled here: @w is still read; run nn-params-to-arguments first}}
  nn.parameter @w : tensor<4xf32> {init = "zeros"}
}

// -----

// Reported at the choice, not at the first op inside it that has no kernel.

func.func @choice(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{cannot be compiled here: nn.choice must be resolved first (nn-resolve-choices, nn-params-to-arguments)}}
  %y = nn.choice "cell.edge" : tensor<2x4xf32> {
    "skip" {
      nn.yield %x : tensor<2x4xf32>
    },
    "relu" {
      %r = nn.relu %x : tensor<2x4xf32>
      nn.yield %r : tensor<2x4xf32>
    }
  }
  return %y : tensor<2x4xf32>
}

// -----

func.func @dynamic(%x: tensor<?x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<?x2x6x6xf32> {
  // expected-error @+1 {{needs static shapes (nn-specialize-shapes)}}
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>}
         : (tensor<?x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x6x6xf32>
  return %0 : tensor<?x2x6x6xf32>
}

// -----

// Constants are generated code only (convert-nn-to-linalg); the runtime
// has no kernel for one that pass left.

func.func @no_kernel() -> tensor<4xf32> {
  // expected-error @+1 {{nn.constant has no code generation pattern for these types and no runtime kernel}}
  %0 = nn.constant dense<1.0> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unencodable_attribute(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.relu': attribute 'table' has no kernel descriptor encoding}}
  %0 = nn.relu %x {table = dense<1.0> : tensor<2xf32>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}
