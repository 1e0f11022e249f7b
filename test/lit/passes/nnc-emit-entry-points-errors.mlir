// RUN: nnc-opt %s -split-input-file --nnc-emit-entry-points -verify-diagnostics

// Metadata without the function it describes.

// expected-error @+1 {{no function body for @mlp}}
module {
  llvm.mlir.global external constant @nnc_metadata_mlp("{}\00") {addr_space = 0 : i32}
  llvm.func @mlp(!llvm.ptr)
}

// -----

// A memref passed as a whole descriptor (not the bare-pointer convention).

module {
  llvm.mlir.global external constant @nnc_metadata_mlp("{}\00") {addr_space = 0 : i32}
  // expected-error @+1 {{a compiled function must return nothing and take one pointer per memref}}
  llvm.func @mlp(%x: !llvm.ptr, %size: i64) {
    llvm.return
  }
}

// -----

// The body becomes the entry point, so nothing else may call the function.

module {
  llvm.mlir.global external constant @nnc_metadata_mlp("{}\00") {addr_space = 0 : i32}
  // expected-error @+1 {{a compiled function cannot be called inside the module}}
  llvm.func @mlp(%x: !llvm.ptr) {
    llvm.return
  }
  llvm.func @caller(%x: !llvm.ptr) {
    llvm.call @mlp(%x) : (!llvm.ptr) -> ()
    llvm.return
  }
}
