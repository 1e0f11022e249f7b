// RUN: nnc-opt %s --nn-resolve-choices | FileCheck %s
// RUN: nnc-opt %s --nn-resolve-choices="select=cell.edge=relu" | FileCheck %s --check-prefix=SELECT

// An unselected choice becomes the mean of its candidates; a selected one
// becomes that candidate. Candidate ops move in front of the choice.

func.func @edge(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %y = nn.choice "cell.edge" : tensor<2x4xf32> {
    "skip" {
      nn.yield %x : tensor<2x4xf32>
    },
    "relu" {
      %r = nn.relu %x : tensor<2x4xf32>
      nn.yield %r : tensor<2x4xf32>
    },
    "tanh" {
      %t = nn.tanh %x : tensor<2x4xf32>
      nn.yield %t : tensor<2x4xf32>
    }
  }
  return %y : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @edge(
// CHECK-SAME:    %[[X:.*]]: tensor<2x4xf32>
// CHECK-NOT:     nn.choice
// CHECK:         %[[R:.*]] = nn.relu %[[X]]
// CHECK:         %[[S1:.*]] = nn.add %[[X]], %[[R]]
// CHECK:         %[[T:.*]] = nn.tanh %[[X]]
// CHECK:         %[[S2:.*]] = nn.add %[[S1]], %[[T]]
// CHECK:         %[[THIRD:.*]] = nn.constant dense<0.333333343> : tensor<f32>
// CHECK:         %[[MEAN:.*]] = nn.mul %[[S2]], %[[THIRD]]
// CHECK:         return %[[MEAN]]

// SELECT-LABEL: func.func @edge(
// SELECT-SAME:    %[[X:.*]]: tensor<2x4xf32>
// SELECT-NEXT:    %[[R:.*]] = nn.relu %[[X]]
// SELECT-NEXT:    return %[[R]]
