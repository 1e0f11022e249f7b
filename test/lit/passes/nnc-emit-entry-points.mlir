// RUN: nnc-opt %s --nnc-emit-entry-points | FileCheck %s

// For every `nnc_metadata_<f>`, `nnc_entry_<f>(void **args)` passes args[i]
// (a pointer to the i-th memref descriptor) as the i-th argument of the C
// interface wrapper `_mlir_ciface_<f>`.

module {
  llvm.mlir.global external constant @nnc_metadata_mlp("{}\00") {addr_space = 0 : i32}
  llvm.mlir.global external constant @nnc_metadata_tiny("{}\00") {addr_space = 0 : i32}
  llvm.mlir.global private constant @other("x\00") {addr_space = 0 : i32}
  llvm.func @_mlir_ciface_mlp(%x: !llvm.ptr, %w: !llvm.ptr, %y: !llvm.ptr) {
    llvm.return
  }
  llvm.func @_mlir_ciface_tiny(%ws: !llvm.ptr) {
    llvm.return
  }
  llvm.func @_mlir_ciface_other(%ws: !llvm.ptr) {
    llvm.return
  }
}

// CHECK-LABEL: llvm.func @nnc_entry_mlp(
// CHECK-SAME:    %[[ARGS:[a-z0-9_]+]]: !llvm.ptr) {
// CHECK-NEXT:    %[[P0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[D0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[P1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[D1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    %[[P2:.*]] = llvm.getelementptr %[[ARGS]][2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT:    %[[D2:.*]] = llvm.load %[[P2]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT:    llvm.call @_mlir_ciface_mlp(%[[D0]], %[[D1]], %[[D2]]) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NEXT:    llvm.return
// CHECK-NEXT:  }
// CHECK-LABEL: llvm.func @nnc_entry_tiny(
// CHECK-SAME:    %[[ARGS:[a-z0-9_]+]]: !llvm.ptr) {
// CHECK-NEXT:    %[[P0:.*]] = llvm.getelementptr %[[ARGS]][0]
// CHECK-NEXT:    %[[D0:.*]] = llvm.load %[[P0]]
// CHECK-NEXT:    llvm.call @_mlir_ciface_tiny(%[[D0]])
// CHECK-NEXT:    llvm.return
// A wrapper without metadata is not an entry point.
// CHECK-NOT:   nnc_entry_other
