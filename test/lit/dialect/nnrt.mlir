// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// On tensors: destination style, one result per `outs` operand.

// CHECK-LABEL: func.func @tensors(
// CHECK-SAME:    %[[X:.*]]: tensor<1x1x28x28xf32>, %[[W:.*]]: tensor<6x1x5x5xf32>)
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<1x6x24x24xf32>
// CHECK:         %[[Y:.*]] = nnrt.kernel_call "conv" ins(%[[X]], %[[W]] : tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>)
// CHECK-SAME:      outs(%[[INIT]] : tensor<1x6x24x24xf32>)
// CHECK-SAME:      {descriptor = "op=conv\0Ain=f32,f32\0Aout=f32\0Aa.stride=i:1,1"} -> tensor<1x6x24x24xf32>
// CHECK:         return %[[Y]]
// GENERIC-LABEL: "func.func"
// GENERIC:       "nnrt.kernel_call"(%{{.*}}, %{{.*}}, %{{.*}}) <{descriptor = "op=conv\0Ain=f32,f32\0Aout=f32\0Aa.stride=i:1,1", kernel = "conv", operandSegmentSizes = array<i32: 2, 1>}>
// GENERIC-SAME:    : (tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>, tensor<1x6x24x24xf32>) -> tensor<1x6x24x24xf32>
func.func @tensors(%x: tensor<1x1x28x28xf32>, %w: tensor<6x1x5x5xf32>) -> tensor<1x6x24x24xf32> {
  %init = tensor.empty() : tensor<1x6x24x24xf32>
  %y = nnrt.kernel_call "conv" ins(%x, %w : tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>)
         outs(%init : tensor<1x6x24x24xf32>) {descriptor = "op=conv\nin=f32,f32\nout=f32\na.stride=i:1,1"}
         -> tensor<1x6x24x24xf32>
  return %y : tensor<1x6x24x24xf32>
}

// Several results, and no `ins` at all.

// CHECK-LABEL: func.func @multiple_results(
// CHECK-SAME:    %[[V:.*]]: tensor<8x100xf32>, %[[O:.*]]: tensor<8x5xf32>, %[[I:.*]]: tensor<8x5xi64>)
// CHECK:         %[[R:.*]]:2 = nnrt.kernel_call "top_k" ins(%[[V]] : tensor<8x100xf32>) outs(%[[O]], %[[I]] : tensor<8x5xf32>, tensor<8x5xi64>)
// CHECK-SAME:      {descriptor = "op=top_k"} -> tensor<8x5xf32>, tensor<8x5xi64>
// CHECK:         %[[E:.*]] = nnrt.kernel_call "sinusoidal_position_encoding" outs(%[[O]] : tensor<8x5xf32>) {descriptor = "op=sinusoidal_position_encoding"} -> tensor<8x5xf32>
// CHECK:         return %[[R]]#0, %[[R]]#1, %[[E]]
// GENERIC-LABEL: "func.func"
// GENERIC:       "nnrt.kernel_call"(%{{.*}}, %{{.*}}, %{{.*}}) <{descriptor = "op=top_k", kernel = "top_k", operandSegmentSizes = array<i32: 1, 2>}>
// GENERIC:       "nnrt.kernel_call"(%{{.*}}) <{descriptor = "op=sinusoidal_position_encoding", kernel = "sinusoidal_position_encoding", operandSegmentSizes = array<i32: 0, 1>}>
func.func @multiple_results(%v: tensor<8x100xf32>, %o: tensor<8x5xf32>, %i: tensor<8x5xi64>)
    -> (tensor<8x5xf32>, tensor<8x5xi64>, tensor<8x5xf32>) {
  %r:2 = nnrt.kernel_call "top_k" ins(%v : tensor<8x100xf32>) outs(%o, %i : tensor<8x5xf32>, tensor<8x5xi64>)
           {descriptor = "op=top_k"} -> tensor<8x5xf32>, tensor<8x5xi64>
  %e = nnrt.kernel_call "sinusoidal_position_encoding" outs(%o : tensor<8x5xf32>)
         {descriptor = "op=sinusoidal_position_encoding"} -> tensor<8x5xf32>
  return %r#0, %r#1, %e : tensor<8x5xf32>, tensor<8x5xi64>, tensor<8x5xf32>
}

// On memrefs (after bufferization): no results, the op writes its `outs`;
// any layout is accepted.

// CHECK-LABEL: func.func @memrefs(
// CHECK-SAME:    %[[X:.*]]: memref<2x3xf32>, %[[Y:.*]]: memref<2x3xf32, strided<[?, 1], offset: ?>>, %[[S:.*]]: memref<i1>)
// CHECK:         nnrt.kernel_call "relu" ins(%[[X]] : memref<2x3xf32>) outs(%[[Y]] : memref<2x3xf32, strided<[?, 1], offset: ?>>) {descriptor = "op=relu"}{{$}}
// CHECK:         nnrt.kernel_call "reduce_max" ins(%[[X]], %[[Y]] : memref<2x3xf32>, memref<2x3xf32, strided<[?, 1], offset: ?>>) outs(%[[S]] : memref<i1>) {descriptor = "op=reduce_max"}{{$}}
// GENERIC-LABEL: "func.func"
// GENERIC:       "nnrt.kernel_call"(%{{.*}}, %{{.*}}) <{descriptor = "op=relu", kernel = "relu", operandSegmentSizes = array<i32: 1, 1>}> : (memref<2x3xf32>, memref<2x3xf32, strided<[?, 1], offset: ?>>) -> ()
// GENERIC:       "nnrt.kernel_call"(%{{.*}}, %{{.*}}, %{{.*}}) <{descriptor = "op=reduce_max", kernel = "reduce_max", operandSegmentSizes = array<i32: 2, 1>}>
func.func @memrefs(%x: memref<2x3xf32>, %y: memref<2x3xf32, strided<[?, 1], offset: ?>>, %s: memref<i1>) {
  nnrt.kernel_call "relu" ins(%x : memref<2x3xf32>) outs(%y : memref<2x3xf32, strided<[?, 1], offset: ?>>)
    {descriptor = "op=relu"}
  nnrt.kernel_call "reduce_max" ins(%x, %y : memref<2x3xf32>, memref<2x3xf32, strided<[?, 1], offset: ?>>)
    outs(%s : memref<i1>) {descriptor = "op=reduce_max"}
  return
}

// A kernel with effects beyond its operands may have no `outs` (and so no
// results); `outs` is then omitted. On buffers too.

// CHECK-LABEL: func.func @side_effects(
// CHECK-SAME:    %[[V:.*]]: tensor<16xf32>, %[[B:.*]]: memref<16xf32>)
// CHECK:         nnrt.kernel_call "assign" ins(%[[V]] : tensor<16xf32>) {descriptor = "op=assign", has_side_effects}{{$}}
// CHECK:         nnrt.kernel_call "assign" ins(%[[B]] : memref<16xf32>) {descriptor = "op=assign", has_side_effects}{{$}}
// CHECK:         nnrt.kernel_call "tick" {descriptor = "op=tick", has_side_effects}{{$}}
// GENERIC-LABEL: "func.func"
// GENERIC:       "nnrt.kernel_call"(%{{.*}}) <{descriptor = "op=assign", has_side_effects, kernel = "assign", operandSegmentSizes = array<i32: 1, 0>}> : (tensor<16xf32>) -> ()
// GENERIC:       "nnrt.kernel_call"(%{{.*}}) <{descriptor = "op=assign", has_side_effects, kernel = "assign", operandSegmentSizes = array<i32: 1, 0>}> : (memref<16xf32>) -> ()
// GENERIC:       "nnrt.kernel_call"() <{descriptor = "op=tick", has_side_effects, kernel = "tick", operandSegmentSizes = array<i32: 0, 0>}> : () -> ()
func.func @side_effects(%v: tensor<16xf32>, %b: memref<16xf32>) {
  nnrt.kernel_call "assign" ins(%v : tensor<16xf32>) {descriptor = "op=assign", has_side_effects}
  nnrt.kernel_call "assign" ins(%b : memref<16xf32>) {descriptor = "op=assign", has_side_effects}
  nnrt.kernel_call "tick" {descriptor = "op=tick", has_side_effects}
  return
}

// Discardable attributes are kept beside the descriptor.

// CHECK-LABEL: func.func @extra_attributes(
// CHECK:         nnrt.kernel_call "relu" ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<4xf32>) {descriptor = "op=relu", nnc.note = 1 : i64} -> tensor<4xf32>
func.func @extra_attributes(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nnrt.kernel_call "relu" ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>) {descriptor = "op=relu", nnc.note = 1 : i64} -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
