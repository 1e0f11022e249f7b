// RUN: nnc-opt %s -split-input-file --nnc-emit-metadata | FileCheck %s

// A function with an `nnc.signature` gets `nnc_metadata_<function>`, the JSON
// the runtime's C API reads (keys sorted; shapes, dtypes and names of the
// inputs, outputs and parameters; the workspace size). The nn and nnc
// attributes it no longer needs go.

// CHECK:       module {
// CHECK-LABEL: func.func @mlp(
// CHECK-SAME:    %{{[a-z0-9_]+}}: memref<2x4xf32>, %{{[a-z0-9_]+}}: memref<10x4xf32>, %{{[a-z0-9_]+}}: memref<2x10xi1>, %{{[a-z0-9_]+}}: memref<256xi8>)
// CHECK-NOT:     attributes
// CHECK-SAME:    {
// A function without a signature is not an entry point.
// CHECK-LABEL: func.func @helper(
// CHECK-SAME:    %{{[a-z0-9_]+}}: memref<2xf32> {nn.name = "h"}) {
// CHECK:       llvm.mlir.global external constant @nnc_metadata_mlp("{
// CHECK-SAME:    \22abi\22:1,
// CHECK-SAME:    \22function\22:\22mlp\22,
// CHECK-SAME:    \22inputs\22:[{\22dtype\22:\22f32\22,\22name\22:\22x\22,\22shape\22:[2,4]}],
// CHECK-SAME:    \22model\22:\22mlp\22,
// CHECK-SAME:    \22outputs\22:[{\22dtype\22:\22i1\22,\22name\22:\22mask\22,\22shape\22:[2,10]}],
// CHECK-SAME:    \22params\22:[{\22dtype\22:\22f32\22,\22name\22:\22fc.weight\22,\22shape\22:[10,4]}],
// CHECK-SAME:    \22workspace_bytes\22:256}\00")
// CHECK-NOT:   nnc_metadata_helper
module attributes {nn.model = "mlp"} {
  func.func @mlp(%x: memref<2x4xf32> {nn.name = "x"}, %w: memref<10x4xf32> {nn.param = "fc.weight"},
                 %y: memref<2x10xi1>, %ws: memref<256xi8>)
      attributes {nnc.signature = {inputs = [{name = "x", type = tensor<2x4xf32>}],
                                   outputs = [{name = "mask", type = tensor<2x10xi1>}],
                                   params = [{name = "fc.weight", type = tensor<10x4xf32>}]},
                  nnc.workspace_bytes = 256 : i64} {
    return
  }
  func.func @helper(%h: memref<2xf32> {nn.name = "h"}) {
    return
  }
}

// -----

// Every runtime dtype; a function without a workspace has 0 bytes of it.

// CHECK-LABEL: func.func @dtypes(
// CHECK:        llvm.mlir.global external constant @nnc_metadata_dtypes("{\22abi\22:1,\22function\22:\22dtypes\22,\22inputs\22:[
// CHECK-SAME:    {\22dtype\22:\22f64\22,\22name\22:\22a\22,\22shape\22:[]},
// CHECK-SAME:    {\22dtype\22:\22f16\22,\22name\22:\22b\22,\22shape\22:[1]},
// CHECK-SAME:    {\22dtype\22:\22bf16\22,\22name\22:\22c\22,\22shape\22:[1]},
// CHECK-SAME:    {\22dtype\22:\22i64\22,\22name\22:\22d\22,\22shape\22:[1]},
// CHECK-SAME:    {\22dtype\22:\22i32\22,\22name\22:\22e\22,\22shape\22:[1]},
// CHECK-SAME:    {\22dtype\22:\22i8\22,\22name\22:\22f\22,\22shape\22:[1]},
// CHECK-SAME:    {\22dtype\22:\22u8\22,\22name\22:\22g\22,\22shape\22:[1]}],
// CHECK-SAME:    \22model\22:\22dtypes\22,\22outputs\22:[],\22params\22:[],\22workspace_bytes\22:0}\00")
func.func @dtypes() attributes {nnc.signature = {
    inputs = [{name = "a", type = tensor<f64>}, {name = "b", type = tensor<1xf16>}, {name = "c", type = tensor<1xbf16>},
              {name = "d", type = tensor<1xi64>}, {name = "e", type = tensor<1xi32>}, {name = "f", type = tensor<1xi8>},
              {name = "g", type = tensor<1xui8>}],
    outputs = [], params = []}} {
  return
}
