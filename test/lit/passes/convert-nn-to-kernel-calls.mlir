// RUN: nnc-opt %s --convert-nn-to-kernel-calls | FileCheck %s

// Each nn op becomes an nnrt.kernel_call of the runtime kernel of the same
// name, with a tensor.empty destination per result and its dtypes and
// attributes (sorted by name, defaults included) in the descriptor.

// CHECK-LABEL: func.func @conv(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<1x1x8x8xf32>, %[[W:[a-z0-9_]+]]: tensor<2x1x3x3xf32>, %[[B:[a-z0-9_]+]]: tensor<2xf32>)
// CHECK-NOT:     nn.conv
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<1x2x4x4xf32>
// CHECK-NEXT:    %[[Y:.*]] = nnrt.kernel_call "conv" ins(%[[X]], %[[W]], %[[B]] : tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>)
// CHECK-SAME:      outs(%[[INIT]] : tensor<1x2x4x4xf32>)
// CHECK-SAME:      {descriptor = "op=conv\0Ain=f32,f32,f32\0Aout=f32\0Aa.dilation=i:1,1\0Aa.groups=i:1\0Aa.padding=i:1,1\0Aa.stride=i:2,2"}
// CHECK-SAME:      -> tensor<1x2x4x4xf32>
// CHECK-NEXT:    return %[[Y]]
func.func @conv(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = nn.conv %x, %w, %b {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
         : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// One destination per result, in order, with each result's dtype.

// CHECK-LABEL: func.func @top_k(
// CHECK-SAME:    %[[V:[a-z0-9_]+]]: tensor<8x100xf32>)
// CHECK:         %[[VALUES:.*]] = tensor.empty() : tensor<8x5xf32>
// CHECK-NEXT:    %[[INDICES:.*]] = tensor.empty() : tensor<8x5xi64>
// CHECK-NEXT:    %[[R:.*]]:2 = nnrt.kernel_call "top_k" ins(%[[V]] : tensor<8x100xf32>) outs(%[[VALUES]], %[[INDICES]] : tensor<8x5xf32>, tensor<8x5xi64>)
// CHECK-SAME:      {descriptor = "op=top_k\0Ain=f32\0Aout=f32,i64\0Aa.axis=i:-1\0Aa.k=i:5"} -> tensor<8x5xf32>, tensor<8x5xi64>
// CHECK-NEXT:    return %[[R]]#1, %[[R]]#0
func.func @top_k(%v: tensor<8x100xf32>) -> (tensor<8x5xi64>, tensor<8x5xf32>) {
  %0:2 = nn.top_k %v {axis = -1 : i64, k = 5 : i64} : tensor<8x100xf32> -> tensor<8x5xf32>, tensor<8x5xi64>
  return %0#1, %0#0 : tensor<8x5xi64>, tensor<8x5xf32>
}

// Absent optional operands are absent from `ins`; the operand segment sizes
// in the descriptor say which ones are there (a weight, no bias).

// CHECK-LABEL: func.func @layer_norm(
// CHECK-SAME:    %[[H:[a-z0-9_]+]]: tensor<2x10x64xf32>, %[[G:[a-z0-9_]+]]: tensor<64xf32>)
// CHECK:         nnrt.kernel_call "layer_norm" ins(%[[H]], %[[G]] : tensor<2x10x64xf32>, tensor<64xf32>) outs(%{{.*}} : tensor<2x10x64xf32>)
// CHECK-SAME:      {descriptor = "op=layer_norm\0Ain=f32,f32\0Aout=f32\0Aa.epsilon=f:1.0000000000000001e-05\0Aa.normalized_shape=i:64\0Aa.operandSegmentSizes=i:1,1,0"}
func.func @layer_norm(%h: tensor<2x10x64xf32>, %g: tensor<64xf32>) -> tensor<2x10x64xf32> {
  %0 = nn.layer_norm %h weight %g {normalized_shape = array<i64: 64>} : (tensor<2x10x64xf32>, tensor<64xf32>) -> tensor<2x10x64xf32>
  return %0 : tensor<2x10x64xf32>
}

// Ops that convert-nn-to-linalg left (integer arithmetic here) take the
// kernel too; string attributes are `s:`; discardable attributes (with a
// dialect prefix) are not part of the descriptor.

// CHECK-LABEL: func.func @leftovers(
// CHECK:         nnrt.kernel_call "add" ins(%{{.*}}, %{{.*}} : tensor<4xi64>, tensor<4xi64>) outs(%{{.*}} : tensor<4xi64>) {descriptor = "op=add\0Ain=i64,i64\0Aout=i64"}
// CHECK:         nnrt.kernel_call "gelu" ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<4xf32>) {descriptor = "op=gelu\0Ain=f32\0Aout=f32\0Aa.approximate=s:tanh"}
// CHECK-NOT:     nn.
func.func @leftovers(%i: tensor<4xi64>, %x: tensor<4xf32>) -> (tensor<4xi64>, tensor<4xf32>) {
  %0 = nn.add %i, %i : tensor<4xi64>, tensor<4xi64> -> tensor<4xi64>
  %1 = nn.gelu %x {approximate = "tanh", nnc.origin = "block1"} : tensor<4xf32>
  return %0, %1 : tensor<4xi64>, tensor<4xf32>
}

// Ops that are not nn ops stay.

// CHECK-LABEL: func.func @chain(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK:         %[[A:.*]] = nnrt.kernel_call "softmax" ins(%[[X]] : tensor<2x3xf32>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK-NEXT:    %[[T:.*]] = linalg.transpose ins(%[[A]] : tensor<2x3xf32>) outs(%[[E]] : tensor<3x2xf32>)
// CHECK:         %[[B:.*]] = nnrt.kernel_call "log_softmax" ins(%[[T]] : tensor<3x2xf32>)
// CHECK:         return %[[B]]
func.func @chain(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = nn.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %1 = linalg.transpose ins(%0 : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  %2 = nn.log_softmax %1 {axis = 0 : i64} : tensor<3x2xf32>
  return %2 : tensor<3x2xf32>
}

// A kernel with effects beyond its operands (here a random draw) is marked,
// so canonicalization neither merges two draws nor drops an unused one.

// CHECK-LABEL: func.func @random(
// CHECK:         nnrt.kernel_call "random_normal" ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK-SAME:      {descriptor = "op=random_normal\0Ain=f32\0Aout=f32\0Aa.seed=i:3", has_side_effects} -> tensor<4xf32>
func.func @random(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.random_normal %x {seed = 3 : i64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}
