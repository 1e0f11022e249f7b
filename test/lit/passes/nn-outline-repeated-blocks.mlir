// RUN: nnc-opt %s -split-input-file --nn-outline-repeated-blocks | FileCheck %s

// Two instances of one block (their ops' NameLocs name the instance path)
// share one function. A value read from outside becomes an argument; the
// constant both read is cloned into the function. The calls stand where
// each instance's last op was.

// CHECK-LABEL: func.func @twice(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<4xf32>, %[[Y:[a-z0-9_]+]]: tensor<4xf32>)
// CHECK-NOT:     nn.relu
// CHECK:         %[[A:.*]] = call @nn_block_0(%[[X]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:    %[[B:.*]] = call @nn_block_0(%[[Y]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:    %[[S:.*]] = nn.add %[[A]], %[[B]]
// CHECK-NEXT:    return %[[S]]
// CHECK-LABEL: func.func private @nn_block_0(
// CHECK-SAME:    %[[ARG:[a-z0-9_]+]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK-SAME:    attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
// CHECK-NEXT:    %[[C:.*]] = nn.constant dense<2.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[R:.*]] = nn.relu %[[ARG]]
// CHECK-NEXT:    %[[M:.*]] = nn.mul %[[R]], %[[C]]
// CHECK-NEXT:    return %[[M]]
// CHECK-NOT:   func.func
func.func @twice(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %c = nn.constant dense<2.0> : tensor<f32>
  %0 = nn.relu %x : tensor<4xf32> loc("b#1")
  %1 = nn.mul %0, %c : tensor<4xf32>, tensor<f32> -> tensor<4xf32> loc("b#1")
  %2 = nn.relu %y : tensor<4xf32> loc("b#2")
  %3 = nn.mul %2, %c : tensor<4xf32>, tensor<f32> -> tensor<4xf32> loc("b#2")
  %4 = nn.add %1, %3 : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// Instances that differ stay inline, and the instances inside them are
// tried next: the three `edge` instances of two different cells share one
// function.

// CHECK-LABEL: func.func @nested(
// CHECK:         call @nn_block_0
// CHECK-NEXT:    call @nn_block_0
// CHECK-NEXT:    nn.add
// CHECK-NEXT:    call @nn_block_0
// CHECK-NEXT:    nn.neg
// CHECK-LABEL: func.func private @nn_block_0(
// CHECK-NEXT:    nn.relu
// CHECK-NEXT:    return
// CHECK-NOT:   func.func
func.func @nested(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.relu %x : tensor<4xf32> loc("cell#1/edge#2")
  %1 = nn.relu %y : tensor<4xf32> loc("cell#1/edge#3")
  %2 = nn.add %0, %1 : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32> loc("cell#1")
  %3 = nn.relu %2 : tensor<4xf32> loc("cell#4/edge#5")
  %4 = nn.neg %3 : tensor<4xf32> loc("cell#4")
  return %2, %4 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Not outlined: instances whose results are read back between their ops
// (a call at the last op's place would come after that reader), and an
// instance without a twin.

// CHECK-LABEL: func.func @inline(
// CHECK-NOT:     call
// CHECK:         return
// CHECK-NOT:   func.func
func.func @inline(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.relu %x : tensor<4xf32> loc("b#1")
  %1 = nn.neg %0 : tensor<4xf32>
  %2 = nn.mul %0, %1 : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32> loc("b#1")
  %3 = nn.relu %y : tensor<4xf32> loc("b#2")
  %4 = nn.neg %3 : tensor<4xf32>
  %5 = nn.mul %3, %4 : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32> loc("b#2")
  %6 = nn.relu %5 : tensor<4xf32> loc("single#3")
  return %2, %5, %6 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
