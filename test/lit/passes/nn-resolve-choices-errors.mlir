// RUN: nnc-opt %s -split-input-file --nn-resolve-choices="select=cell.edge=conv" -verify-diagnostics

func.func @edge(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{choice 'cell.edge' has no candidate 'conv'}}
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

// expected-error @+1 {{the model has no choice named 'cell.edge'}}
module {
  func.func @plain(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
    return %x : tensor<2x4xf32>
  }
}
