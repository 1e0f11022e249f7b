// RUN: nnc-opt %s --convert-func-to-llvm="use-bare-ptr-memref-call-conv" --convert-to-llvm | FileCheck %s

// nnrt.parallel_call becomes nnc_parallel_for(body, args, extent, grain):
// args is a stack array with one 8-byte slot per operand (a memref by its
// aligned pointer, as the bare-pointer convention passes it), and
// @<callee>_parallel_body(args, begin, end) loads them back and calls the
// callee on the chunk. Two calls of one callee share one body.

// CHECK:       llvm.func @nnc_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64)

func.func private @chunk(%x: memref<32x64xf32>, %s: f32, %begin: index, %end: index) {
  return
}

// CHECK-LABEL: llvm.func @call(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: !llvm.ptr, %[[S:[a-z0-9_]+]]: f32)
// The slots are allocated in the entry block, one array per call.
// CHECK-COUNT-2: llvm.alloca %{{.*}} x !llvm.array<2 x i64> : (i64) -> !llvm.ptr
// CHECK:         %[[SLOT0:.*]] = llvm.getelementptr %[[ARGS:[0-9]+]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %{{.*}}, %[[SLOT0]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[SLOT1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[S]], %[[SLOT1]] : f32, !llvm.ptr
// CHECK-NEXT:    %[[BODY:.*]] = llvm.mlir.addressof @chunk_parallel_body : !llvm.ptr
// CHECK-NEXT:    %[[EXTENT:.*]] = llvm.mlir.constant(32 : i64) : i64
// CHECK-NEXT:    %[[GRAIN:.*]] = llvm.mlir.constant(4 : i64) : i64
// CHECK-NEXT:    llvm.call @nnc_parallel_for(%[[BODY]], %[[ARGS]], %[[EXTENT]], %[[GRAIN]]) : (!llvm.ptr, !llvm.ptr, i64, i64) -> ()
// CHECK:         llvm.call @nnc_parallel_for(
// CHECK:         llvm.return
func.func @call(%x: memref<32x64xf32>, %s: f32) {
  nnrt.parallel_call @chunk(%x, %s) extent 32 grain 4 : memref<32x64xf32>, f32
  nnrt.parallel_call @chunk(%x, %s) extent 32 grain 8 : memref<32x64xf32>, f32
  return
}

// CHECK-LABEL: llvm.func internal @chunk_parallel_body(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: !llvm.ptr, %[[BEGIN:[a-z0-9_]+]]: i64, %[[END:[a-z0-9_]+]]: i64)
// CHECK-NEXT:    %[[P0:.*]] = llvm.getelementptr %[[A]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[V0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[P1:.*]] = llvm.getelementptr %[[A]][1] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    %[[V1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> f32
// CHECK-NEXT:    llvm.call @chunk(%[[V0]], %[[V1]], %[[BEGIN]], %[[END]]) : (!llvm.ptr, f32, i64, i64) -> ()
// CHECK-NEXT:    llvm.return
// CHECK-NOT:   @chunk_parallel_body
