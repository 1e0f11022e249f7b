// RUN: nnc-opt %s --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s

// nnrt.kernel_call bufferizes like a destination-style linalg op: the call
// on buffers writes into the buffer of each `outs` operand, which becomes
// the buffer of the matching result.

// CHECK-LABEL: func.func @fresh_destination(
// CHECK-SAME:    %[[X:.*]]: memref<1x1x8x8xf32>, %[[W:.*]]: memref<2x1x3x3xf32>) -> memref<1x2x6x6xf32>
// CHECK:         %[[OUT:.*]] = memref.alloc() {{.*}}: memref<1x2x6x6xf32>
// CHECK-NEXT:    nnrt.kernel_call "conv" ins(%[[X]], %[[W]] : memref<1x1x8x8xf32>, memref<2x1x3x3xf32>) outs(%[[OUT]] : memref<1x2x6x6xf32>) {descriptor = "op=conv"}{{$}}
// CHECK-NEXT:    return %[[OUT]] : memref<1x2x6x6xf32>
func.func @fresh_destination(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %init = tensor.empty() : tensor<1x2x6x6xf32>
  %y = nnrt.kernel_call "conv" ins(%x, %w : tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) outs(%init : tensor<1x2x6x6xf32>)
         {descriptor = "op=conv"} -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// A destination that is not used afterwards is written in place.

// CHECK-LABEL: func.func @in_place(
// CHECK-SAME:    %[[X:.*]]: memref<4xf32>, %[[Y:.*]]: memref<4xf32>) -> memref<4xf32>
// CHECK-NEXT:    nnrt.kernel_call "relu" ins(%[[X]] : memref<4xf32>) outs(%[[Y]] : memref<4xf32>) {descriptor = "op=relu"}{{$}}
// CHECK-NEXT:    return %[[Y]] : memref<4xf32>
func.func @in_place(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nnrt.kernel_call "relu" ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>) {descriptor = "op=relu"} -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// A destination whose value is still needed is not overwritten.

// CHECK-LABEL: func.func @live_destination(
// CHECK-SAME:    %[[X:.*]]: memref<4xf32>, %[[Y:.*]]: memref<4xf32>)
// CHECK:         %[[OUT:.*]] = memref.alloc()
// CHECK:         nnrt.kernel_call "relu" ins(%[[X]] : memref<4xf32>) outs(%[[OUT]] : memref<4xf32>)
// CHECK-NEXT:    return %[[OUT]], %[[Y]] : memref<4xf32>, memref<4xf32>
func.func @live_destination(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = nnrt.kernel_call "relu" ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>) {descriptor = "op=relu"} -> tensor<4xf32>
  return %0, %y : tensor<4xf32>, tensor<4xf32>
}

// Several results, one buffer each, in order.

// CHECK-LABEL: func.func @two_results(
// CHECK-SAME:    %[[X:.*]]: memref<8x100xf32>) -> (memref<8x5xf32>, memref<8x5xi64>)
// CHECK-DAG:     %[[V:.*]] = memref.alloc() {{.*}}: memref<8x5xf32>
// CHECK-DAG:     %[[I:.*]] = memref.alloc() {{.*}}: memref<8x5xi64>
// CHECK:         nnrt.kernel_call "top_k" ins(%[[X]] : memref<8x100xf32>) outs(%[[V]], %[[I]] : memref<8x5xf32>, memref<8x5xi64>)
// CHECK-NEXT:    return %[[V]], %[[I]] : memref<8x5xf32>, memref<8x5xi64>
func.func @two_results(%x: tensor<8x100xf32>) -> (tensor<8x5xf32>, tensor<8x5xi64>) {
  %v = tensor.empty() : tensor<8x5xf32>
  %i = tensor.empty() : tensor<8x5xi64>
  %r:2 = nnrt.kernel_call "top_k" ins(%x : tensor<8x100xf32>) outs(%v, %i : tensor<8x5xf32>, tensor<8x5xi64>)
           {descriptor = "op=top_k"} -> tensor<8x5xf32>, tensor<8x5xi64>
  return %r#0, %r#1 : tensor<8x5xf32>, tensor<8x5xi64>
}

// A kernel's input is only read: the same tensor can feed a later op that
// writes into it in place.

// CHECK-LABEL: func.func @input_then_destination(
// CHECK-SAME:    %[[X:.*]]: memref<4xf32>) -> memref<4xf32>
// CHECK:         %[[T:.*]] = memref.alloc()
// CHECK-NEXT:    nnrt.kernel_call "relu" ins(%[[X]] : memref<4xf32>) outs(%[[T]] : memref<4xf32>)
// CHECK-NEXT:    nnrt.kernel_call "neg" ins(%[[T]] : memref<4xf32>) outs(%[[X]] : memref<4xf32>)
// CHECK-NEXT:    return %[[X]]
func.func @input_then_destination(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %t = nnrt.kernel_call "relu" ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {descriptor = "op=relu"} -> tensor<4xf32>
  %y = nnrt.kernel_call "neg" ins(%t : tensor<4xf32>) outs(%x : tensor<4xf32>) {descriptor = "op=neg"} -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// `has_side_effects` survives bufferization, with or without `outs`.

// CHECK-LABEL: func.func @side_effects(
// CHECK-SAME:    %[[X:.*]]: memref<4xf32>) -> memref<4xf32>
// CHECK:         %[[R:.*]] = memref.alloc() {{.*}}: memref<4xf32>
// CHECK-NEXT:    nnrt.kernel_call "random_normal" ins(%[[X]] : memref<4xf32>) outs(%[[R]] : memref<4xf32>) {descriptor = "op=random_normal", has_side_effects}{{$}}
// CHECK-NEXT:    nnrt.kernel_call "assign" ins(%[[R]] : memref<4xf32>) {descriptor = "op=assign", has_side_effects}{{$}}
// CHECK-NEXT:    return %[[R]]
func.func @side_effects(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r = nnrt.kernel_call "random_normal" ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {descriptor = "op=random_normal", has_side_effects} -> tensor<4xf32>
  nnrt.kernel_call "assign" ins(%r : tensor<4xf32>) {descriptor = "op=assign", has_side_effects}
  return %r : tensor<4xf32>
}
