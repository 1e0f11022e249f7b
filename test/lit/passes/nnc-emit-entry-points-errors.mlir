// RUN: nnc-opt %s --nnc-emit-entry-points -verify-diagnostics

// Metadata without the C interface wrapper (nnc-emit-metadata asks for it
// with llvm.emit_c_interface; convert-to-llvm creates it).

// expected-error @+1 {{no C interface wrapper for @mlp}}
module {
  llvm.mlir.global external constant @nnc_metadata_mlp("{}\00") {addr_space = 0 : i32}
  llvm.func @mlp(%x: !llvm.ptr) {
    llvm.return
  }
}
