// RUN: nnc-opt %s --nnc-emit-entry-points | FileCheck %s

// For every `nnc_metadata_<f>`, the body of @f (converted with the
// bare-pointer calling convention: one pointer per memref) moves into
// `nnc_entry_<f>(void **args)`, which loads its i-th argument, the aligned
// pointer of the memref descriptor at args[i], just before its first use
// (in the entry block; before the body if a later block uses it). @f goes.

module {
  llvm.mlir.global external constant @nnc_metadata_mlp("{}\00") {addr_space = 0 : i32}
  llvm.mlir.global external constant @nnc_metadata_branchy("{}\00") {addr_space = 0 : i32}
  llvm.func @mlp(%x: !llvm.ptr, %y: !llvm.ptr) {
    %v = llvm.load %x : !llvm.ptr -> f32
    llvm.store %v, %y : f32, !llvm.ptr
    llvm.return
  }
  llvm.func @branchy(%ws: !llvm.ptr) {
    %c = llvm.mlir.constant(true) : i1
    llvm.cond_br %c, ^a, ^b
  ^a:
    llvm.return
  ^b:
    llvm.store %c, %ws : i1, !llvm.ptr
    llvm.return
  }
  llvm.func @other(%ws: !llvm.ptr) {
    llvm.return
  }
}

// CHECK-NOT:   llvm.func @mlp(
// CHECK-LABEL: llvm.func @nnc_entry_mlp(
// CHECK-SAME:    %[[ARGS:[a-z0-9_]+]]: !llvm.ptr) {
// CHECK-NEXT:    %[[P0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[D0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[A0:.*]] = llvm.getelementptr %[[D0]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[X:.*]] = llvm.load %[[A0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[V:.*]] = llvm.load %[[X]] : !llvm.ptr -> f32
// CHECK-NEXT:    %[[P1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[D1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[A1:.*]] = llvm.getelementptr %[[D1]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[Y:.*]] = llvm.load %[[A1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    llvm.store %[[V]], %[[Y]] : f32, !llvm.ptr
// CHECK-NEXT:    llvm.return
// CHECK-NEXT:  }
// A body with several blocks keeps them, after the prologue.
// CHECK-NOT:   llvm.func @branchy(
// CHECK-LABEL: llvm.func @nnc_entry_branchy(
// CHECK:         llvm.getelementptr %{{.*}}[1]
// CHECK-NEXT:    %[[WS:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[C:.*]] = llvm.mlir.constant(true) : i1
// CHECK-NEXT:    llvm.cond_br %[[C]], ^[[A:bb[0-9]+]], ^[[B:bb[0-9]+]]
// CHECK:       ^[[B]]:
// CHECK-NEXT:    llvm.store %[[C]], %[[WS]]
// A function without metadata is not an entry point.
// CHECK:       llvm.func @other(
// CHECK-NOT:   nnc_entry_other
