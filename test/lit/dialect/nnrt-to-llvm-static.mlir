// RUN: nnc-opt %s --convert-to-llvm | FileCheck %s

// nnrt.kernel_call on memrefs whose shapes, strides and offsets are all
// static (every call in a compiled model) becomes
//   nnc_kernel_call_static(descriptor, num_args, layouts, data)
// where layouts is a private constant table, {rank, offset, sizes,
// strides} per operand (one global per distinct table), and data a stack
// array of the operands' aligned pointers.

// CHECK-DAG:   llvm.mlir.global private constant @[[LAYOUTS:nnc_kernel_layouts_[0-9A-F_]+]](dense<[2, 0, 2, 3, 3, 1, 1, 0, 5, 1, 0, 0]> : tensor<12xi64>) {addr_space = 0 : i32} : !llvm.array<12 x i64>
// CHECK-DAG:   llvm.mlir.global private constant @[[STRIDED:nnc_kernel_layouts_[0-9A-F_]+]](dense<[1, 6, 3, 1, 1, 0, 3, 1]> : tensor<8xi64>) {addr_space = 0 : i32} : !llvm.array<8 x i64>
// CHECK-DAG:   llvm.func @nnc_kernel_call_static(!llvm.ptr, i64, !llvm.ptr, !llvm.ptr)

// CHECK-LABEL: llvm.func @call(
// The pointer arrays are allocated in the entry block, one per call.
// CHECK-COUNT-2: llvm.alloca %{{.*}} x !llvm.array<3 x ptr> : (i64) -> !llvm.ptr
// CHECK:         %[[SLOT0:.*]] = llvm.getelementptr %[[DATA:[0-9]+]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[X:.*]] = llvm.extractvalue %{{.*}}[1] : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK-NEXT:    llvm.store %[[X]], %[[SLOT0]] : !llvm.ptr, !llvm.ptr
// CHECK:         llvm.getelementptr %[[DATA]][1]
// CHECK:         llvm.getelementptr %[[DATA]][2]
// CHECK:         %[[L:.*]] = llvm.mlir.addressof @[[LAYOUTS]] : !llvm.ptr
// CHECK-NEXT:    %[[D:.*]] = llvm.mlir.addressof @{{nnc_kernel_descriptor_[0-9A-F_]+}} : !llvm.ptr
// CHECK-NEXT:    %[[N:.*]] = llvm.mlir.constant(3 : i64) : i64
// CHECK-NEXT:    llvm.call @nnc_kernel_call_static(%[[D]], %[[N]], %[[L]], %[[DATA]]) : (!llvm.ptr, i64, !llvm.ptr, !llvm.ptr) -> ()
// A second call with the same operand types reads the same table.
// CHECK:         llvm.mlir.addressof @[[LAYOUTS]] : !llvm.ptr
// CHECK:         llvm.call @nnc_kernel_call_static(
// CHECK-NEXT:    llvm.return
func.func @call(%x: memref<2x3xf32>, %i: memref<5xi64>, %y: memref<f32>) {
  nnrt.kernel_call "embedding" ins(%x, %i : memref<2x3xf32>, memref<5xi64>) outs(%y : memref<f32>)
    {descriptor = "op=embedding\nin=f32,i64\nout=f32"}
  nnrt.kernel_call "embedding" ins(%x, %i : memref<2x3xf32>, memref<5xi64>) outs(%y : memref<f32>)
    {descriptor = "op=embedding\nin=f32,i64\nout=f32"}
  return
}

// A strided view keeps its static offset and strides in the table; the
// pointer is the view's aligned pointer (the offset is applied by the
// runtime).

// CHECK-LABEL: llvm.func @strided(
// CHECK:         llvm.mlir.addressof @[[STRIDED]]
// CHECK:         llvm.call @nnc_kernel_call_static(
func.func @strided(%x: memref<4x3xf32>, %y: memref<3xf32>) {
  %row = memref.subview %x[2, 0] [1, 3] [1, 1] : memref<4x3xf32> to memref<3xf32, strided<[1], offset: 6>>
  nnrt.kernel_call "relu" ins(%row : memref<3xf32, strided<[1], offset: 6>>) outs(%y : memref<3xf32>) {descriptor = "op=relu"}
  return
}
