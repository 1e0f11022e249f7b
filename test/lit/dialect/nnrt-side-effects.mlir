// RUN: nnc-opt %s --canonicalize --cse | FileCheck %s

// On tensors a kernel call only reads `ins` and writes its results, so an
// unused one is dead and two identical ones are one. With `has_side_effects`
// (a random draw, a training-state update) the call is kept, results or not,
// and never merged.

// CHECK-LABEL: func.func @pure(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT:    %[[R:.*]] = nnrt.kernel_call "relu"
// CHECK-NEXT:    return %[[R]], %[[R]]
func.func @pure(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %unused = nnrt.kernel_call "neg" ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>) {descriptor = "op=neg"} -> tensor<4xf32>
  %0 = nnrt.kernel_call "relu" ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>) {descriptor = "op=relu"} -> tensor<4xf32>
  %1 = nnrt.kernel_call "relu" ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>) {descriptor = "op=relu"} -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @side_effects(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT:    nnrt.kernel_call "random_normal" ins(%[[X]] : tensor<4xf32>) outs(%[[Y]] : tensor<4xf32>) {descriptor = "op=random_normal", has_side_effects} -> tensor<4xf32>
// CHECK-NEXT:    %[[A:.*]] = nnrt.kernel_call "random_normal" ins(%[[X]] : tensor<4xf32>) outs(%[[Y]] : tensor<4xf32>) {descriptor = "op=random_normal", has_side_effects} -> tensor<4xf32>
// CHECK-NEXT:    %[[B:.*]] = nnrt.kernel_call "random_normal" ins(%[[X]] : tensor<4xf32>) outs(%[[Y]] : tensor<4xf32>) {descriptor = "op=random_normal", has_side_effects} -> tensor<4xf32>
// CHECK-NEXT:    nnrt.kernel_call "assign" ins(%[[A]] : tensor<4xf32>) {descriptor = "op=assign", has_side_effects}{{$}}
// CHECK-NEXT:    return %[[A]], %[[B]]
func.func @side_effects(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %unused = nnrt.kernel_call "random_normal" ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>) {descriptor = "op=random_normal", has_side_effects} -> tensor<4xf32>
  %0 = nnrt.kernel_call "random_normal" ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>) {descriptor = "op=random_normal", has_side_effects} -> tensor<4xf32>
  %1 = nnrt.kernel_call "random_normal" ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>) {descriptor = "op=random_normal", has_side_effects} -> tensor<4xf32>
  nnrt.kernel_call "assign" ins(%0 : tensor<4xf32>) {descriptor = "op=assign", has_side_effects}
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// Without operands only the attribute tells a kernel with an effect from
// one with none.

// CHECK-LABEL: func.func @no_operands(
// CHECK-NEXT:    nnrt.kernel_call "tick" {descriptor = "op=tick", has_side_effects}{{$}}
// CHECK-NEXT:    return
func.func @no_operands() {
  nnrt.kernel_call "nothing" {descriptor = "op=nothing"}
  nnrt.kernel_call "tick" {descriptor = "op=tick", has_side_effects}
  return
}
