// RUN: nnc-opt %s -canonicalize | FileCheck %s

// Equal constants are uniqued and hoisted through the dialect's constant
// materializer; unused pure ops disappear, random ones stay.
// CHECK-LABEL: func.func @constants(
func.func @constants(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  // CHECK-NEXT: %[[C:.*]] = nn.constant dense<1.000000e+00> : tensor<2xf32>
  // CHECK-NEXT: %[[D:.*]] = nn.dropout %{{.*}} : tensor<2xf32>
  // nn.add is commutative: the constant moves to the right.
  // CHECK-NEXT: %[[A:.*]] = nn.add %[[D]], %[[C]]
  // CHECK-NEXT: return %[[C]], %[[C]], %[[A]]
  %unused = nn.relu %x : tensor<2xf32>
  %a = nn.constant dense<1.0> : tensor<2xf32>
  %d = nn.dropout %x : tensor<2xf32>
  %b = nn.constant dense<1.0> : tensor<2xf32>
  %s = nn.add %b, %d : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  return %a, %b, %s : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}
