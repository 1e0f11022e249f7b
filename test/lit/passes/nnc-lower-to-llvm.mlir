// RUN: nnc-opt %s --nnc-lower-to-llvm="dims=B=2" | FileCheck %s
// RUN: nnc-opt %s --nnc-lower-to-llvm="dims=B=2 opt-level=0" | FileCheck %s
// RUN: nnc-opt %s --nnc-lower-to-llvm="dims=B=2" | FileCheck %s --check-prefix=LLVM-ONLY

// The whole compile pipeline on a small model: weights become arguments,
// the linear layer and the softmax call runtime kernels, neg and add are
// generated loops, and the result is the LLVM dialect alone with the ABI
// of compiled functions (metadata and entry point).

module attributes {nn.model = "tiny"} {
  nn.parameter @"fc.weight" : tensor<3x4xf32> {init = "uniform", init_scale = 0.5 : f64}
  nn.parameter @"fc.bias" : tensor<3xf32> {init = "uniform", init_scale = 0.5 : f64}
  func.func @tiny(%x: tensor<?x4xf32> {nn.dims = ["B", "4"], nn.name = "x"}) -> (tensor<?x3xf32> {nn.name = "y"}) {
    %w = nn.param @"fc.weight" : tensor<3x4xf32>
    %b = nn.param @"fc.bias" : tensor<3xf32>
    %h = nn.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    %r = nn.neg %h : tensor<?x3xf32>
    %s = nn.softmax %r {axis = 1 : i64} : tensor<?x3xf32>
    %y = nn.add %s, %r : tensor<?x3xf32>, tensor<?x3xf32> -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }
}

// CHECK-NOT:   nn.model
// CHECK-DAG:   llvm.mlir.global private constant @[[LINEAR:nnc_kernel_descriptor_[0-9A-F_]+]]("op=linear\0Ain=f32,f32,f32\0Aout=f32\00")
// CHECK-DAG:   llvm.mlir.global private constant @[[SOFTMAX:nnc_kernel_descriptor_[0-9A-F_]+]]("op=softmax\0Ain=f32\0Aout=f32\0Aa.axis=i:1\00")
// CHECK-DAG:   llvm.func @nnc_kernel_call_static(!llvm.ptr, i64, !llvm.ptr, !llvm.ptr)
//
// The function's body is the entry point, with the static shapes of B=2.
// It loads the aligned pointer of each memref descriptor in args (x,
// weight, bias, y, the workspace) just before its first use: four for the
// linear kernel's operands (its result is y's or a workspace buffer).
// CHECK-LABEL: llvm.func @nnc_entry_tiny(
// CHECK-SAME:    %[[ARGS:[a-z0-9_]+]]: !llvm.ptr) {
// CHECK-DAG:     %[[ARGS4:.*]] = llvm.alloca %{{.*}} x !llvm.array<4 x ptr>
// CHECK-DAG:     %[[ARGS2:.*]] = llvm.alloca %{{.*}} x !llvm.array<2 x ptr>
// CHECK-COUNT-4: llvm.getelementptr %[[ARGS]][{{[0-4]}}] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// linear(x, weight, bias) -> y, then neg in an outlined loop nest (in
// place at -O1 and above, so two or three buffers), then
// softmax, then add in another loop nest.
// CHECK:         llvm.call @nnc_kernel_call_static(%{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %[[ARGS4]]) : (!llvm.ptr, i64, !llvm.ptr, !llvm.ptr) -> ()
// CHECK:         llvm.call @[[NEG:nnc_loop_nest_[0-9]+]](%{{[0-9]+}}, %{{[0-9]+}}{{(, %[0-9]+)?}}) : (!llvm.ptr, !llvm.ptr{{(, !llvm.ptr)?}}) -> ()
// CHECK:         llvm.call @nnc_kernel_call_static(%{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %[[ARGS2]]) : (!llvm.ptr, i64, !llvm.ptr, !llvm.ptr) -> ()
// CHECK:         llvm.call @[[ADD:nnc_loop_nest_[0-9]+]](%{{[0-9]+}}, %{{[0-9]+}}{{(, %[0-9]+)?}}) : (!llvm.ptr, !llvm.ptr{{(, !llvm.ptr)?}}) -> ()
// CHECK-NEXT:    llvm.return
//
// CHECK:       llvm.mlir.global external constant @nnc_metadata_tiny("{\22abi\22:1,\22function\22:\22tiny\22,
// CHECK-SAME:    \22inputs\22:[{\22dtype\22:\22f32\22,\22name\22:\22x\22,\22shape\22:[2,4]}],
// CHECK-SAME:    \22model\22:\22tiny\22,
// CHECK-SAME:    \22outputs\22:[{\22dtype\22:\22f32\22,\22name\22:\22y\22,\22shape\22:[2,3]}],
// CHECK-SAME:    \22params\22:[{\22dtype\22:\22f32\22,\22name\22:\22fc.weight\22,\22shape\22:[3,4]},{\22dtype\22:\22f32\22,\22name\22:\22fc.bias\22,\22shape\22:[3]}],
// CHECK-SAME:    \22workspace_bytes\22:{{[0-9]+}}}\00")
//
// The loop nests take one pointer per buffer and are never inlined.
// CHECK:       llvm.func internal @[[NEG]](%{{[a-z0-9_]+}}: !llvm.ptr, %{{[a-z0-9_]+}}: !llvm.ptr{{(, %[a-z0-9_]+: !llvm.ptr)?}}) attributes {passthrough = ["noinline"]
// CHECK:         llvm.fneg
// CHECK:       llvm.func internal @[[ADD]](
// CHECK:         llvm.fadd
// CHECK-NOT:   llvm.func @tiny(

// Nothing but the LLVM dialect is left.
// LLVM-ONLY-NOT: {{(func|nn|nnrt|memref|linalg|tensor|arith|math|scf|cf|bufferization)\.}}
// LLVM-ONLY:     llvm.func @nnc_entry_tiny(
// LLVM-ONLY-NOT: {{(func|nn|nnrt|memref|linalg|tensor|arith|math|scf|cf|bufferization)\.}}
