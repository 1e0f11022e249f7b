// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// nnrt.parallel_call names a function that takes its operands and then the
// chunk's begin and end.

func.func private @chunk(%x: memref<32x64xf32>, %s: f32, %begin: index, %end: index)

// CHECK-LABEL: func.func @call(
// CHECK-SAME:    %[[X:.*]]: memref<32x64xf32>, %[[S:.*]]: f32)
// CHECK:         nnrt.parallel_call @chunk(%[[X]], %[[S]]) extent 32 grain 4 : memref<32x64xf32>, f32
// GENERIC:       "nnrt.parallel_call"(%{{.*}}, %{{.*}}) <{callee = @chunk, extent = 32 : i64, grain = 4 : i64}> : (memref<32x64xf32>, f32) -> ()
func.func @call(%x: memref<32x64xf32>, %s: f32) {
  nnrt.parallel_call @chunk(%x, %s) extent 32 grain 4 : memref<32x64xf32>, f32
  return
}

// A callee with no operands but the chunk.
func.func private @bare(%begin: index, %end: index)

// CHECK-LABEL: func.func @no_operands(
// CHECK:         nnrt.parallel_call @bare() extent 2 grain 1
// CHECK-NEXT:    return
func.func @no_operands() {
  nnrt.parallel_call @bare() extent 2 grain 1
  return
}
