// RUN: nnc-opt %s --nn-params-to-arguments | FileCheck %s

// Each parameter a function reads becomes one trailing argument, in order
// of first use, whatever the order of the declarations; the declarations go.
// `nnc.signature` records the ABI: the inputs, outputs (by `nn.name`, else
// by position) and parameters with their types.

// CHECK:       module attributes {nn.model = "m"} {
// CHECK-NOT:     nn.parameter
module attributes {nn.model = "m"} {
  nn.parameter @"fc.weight" : tensor<10x4xf32> {init = "uniform", init_scale = 0.5 : f64}
  nn.parameter @"fc.bias" : tensor<10xf32> {init = "uniform", init_scale = 0.5 : f64}
  nn.parameter @unused : tensor<3xf32> {init = "zeros"}

  // CHECK-LABEL: func.func @m(
  // CHECK-SAME:    %[[X:[^:]+]]: tensor<2x4xf32> {nn.name = "x"},
  // CHECK-SAME:    %[[B:[^:]+]]: tensor<10xf32> {nn.param = "fc.bias"},
  // CHECK-SAME:    %[[W:[^:]+]]: tensor<10x4xf32> {nn.param = "fc.weight"})
  // CHECK-SAME:    -> (tensor<2x10xf32> {nn.name = "logits"}, tensor<2x10xf32>)
  // CHECK-SAME:    attributes {nnc.signature = {
  // CHECK-SAME:      inputs = [{name = "x", type = tensor<2x4xf32>}],
  // CHECK-SAME:      outputs = [{name = "logits", type = tensor<2x10xf32>}, {name = "output1", type = tensor<2x10xf32>}],
  // CHECK-SAME:      params = [{name = "fc.bias", type = tensor<10xf32>}, {name = "fc.weight", type = tensor<10x4xf32>}]}}
  // CHECK-NOT:     nn.param
  // CHECK:         %[[Y:.*]] = nn.linear %[[X]], %[[W]], %[[B]]
  // CHECK-NOT:     nn.param
  // The second read of fc.bias is the same argument.
  // CHECK:         %[[Z:.*]] = nn.add %[[Y]], %[[B]]
  // CHECK:         return %[[Y]], %[[Z]]
  func.func @m(%x: tensor<2x4xf32> {nn.name = "x"}) -> (tensor<2x10xf32> {nn.name = "logits"}, tensor<2x10xf32>) {
    %b = nn.param @"fc.bias" : tensor<10xf32>
    %w = nn.param @"fc.weight" : tensor<10x4xf32>
    %y = nn.linear %x, %w, %b : (tensor<2x4xf32>, tensor<10x4xf32>, tensor<10xf32>) -> tensor<2x10xf32>
    %b2 = nn.param @"fc.bias" : tensor<10xf32>
    %z = nn.add %y, %b2 : tensor<2x10xf32>, tensor<10xf32> -> tensor<2x10xf32>
    return %y, %z : tensor<2x10xf32>, tensor<2x10xf32>
  }

  // Without parameters or names: positional names, no new arguments.

  // CHECK-LABEL: func.func @no_params(
  // CHECK-SAME:    %{{[^:]+}}: tensor<3xf32>) -> tensor<3xf32>
  // CHECK-SAME:    attributes {nnc.signature = {inputs = [{name = "input0", type = tensor<3xf32>}], outputs = [{name = "output0", type = tensor<3xf32>}], params = []}}
  func.func @no_params(%a: tensor<3xf32>) -> tensor<3xf32> {
    return %a : tensor<3xf32>
  }

  // A parameter read inside a region (an unresolved choice) is an argument
  // of the enclosing function too.

  // CHECK-LABEL: func.func @nested(
  // CHECK-SAME:    %[[X:[^:]+]]: tensor<2x10xf32>, %[[B:[^:]+]]: tensor<10xf32> {nn.param = "fc.bias"})
  // CHECK:         nn.choice
  // CHECK:           nn.add %[[X]], %[[B]]
  func.func @nested(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
    %y = nn.choice "edge" : tensor<2x10xf32> {
      "skip" {
        nn.yield %x : tensor<2x10xf32>
      },
      "bias" {
        %b = nn.param @"fc.bias" : tensor<10xf32>
        %s = nn.add %x, %b : tensor<2x10xf32>, tensor<10xf32> -> tensor<2x10xf32>
        nn.yield %s : tensor<2x10xf32>
      }
    }
    return %y : tensor<2x10xf32>
  }

  // Declarations are not touched.

  // CHECK-LABEL: func.func private @external(tensor<3xf32>){{$}}
  func.func private @external(tensor<3xf32>)
}
