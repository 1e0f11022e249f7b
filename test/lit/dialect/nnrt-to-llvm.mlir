// RUN: nnc-opt %s --convert-scf-to-cf --convert-to-llvm | FileCheck %s
// RUN: nnc-opt %s --convert-scf-to-cf --convert-to-llvm | grep -c 'llvm.mlir.global.*"op=relu\\00"' | FileCheck %s --check-prefix=ONE-GLOBAL
// Global names derive from a stable hash of the descriptor, so two runs
// (two processes) give the same module: builds are reproducible.
// RUN: nnc-opt %s --convert-scf-to-cf --convert-to-llvm > %t.first
// RUN: nnc-opt %s --convert-scf-to-cf --convert-to-llvm | diff %t.first -

// nnrt.kernel_call on memrefs whose layouts are not all static (see
// nnrt-to-llvm-static.mlir for those that are) becomes
//   nnc_kernel_call(descriptor, num_args, args)
// where args is a stack array of unranked memrefs {rank, descriptor*}: the
// operands in order, then the outs. Each distinct descriptor string is one
// private NUL-terminated constant.

// CHECK-DAG:   llvm.mlir.global private constant @[[EMBEDDING:nnc_kernel_descriptor_[0-9A-F_]+]]("op=embedding\0Ain=f32,i64\0Aout=f32\00")
// CHECK-DAG:   llvm.mlir.global private constant @[[RELU:nnc_kernel_descriptor_[0-9A-F_]+]]("op=relu\00")
// CHECK-DAG:   llvm.func @nnc_kernel_call(!llvm.ptr, i64, !llvm.ptr)
// The three relu calls share one global.
// ONE-GLOBAL: {{^}}1{{$}}

// CHECK-LABEL: llvm.func @call(
// CHECK:         %[[ONE:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT:    %[[ARGS:.*]] = llvm.alloca %[[ONE]] x !llvm.array<3 x struct<(i64, ptr)>> : (i64) -> !llvm.ptr
// CHECK-NEXT:    %[[S0:.*]] = llvm.alloca %[[ONE]] x !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK-NEXT:    %[[S1:.*]] = llvm.alloca %[[ONE]] x !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK-NEXT:    %[[S2:.*]] = llvm.alloca %[[ONE]] x !llvm.struct<(ptr, ptr, i64)>
//
// args[0]: %x, rank 2.
// CHECK:         llvm.store %{{.*}}, %[[S0]] : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, !llvm.ptr
// CHECK-NEXT:    %[[U0:.*]] = llvm.mlir.undef : !llvm.struct<(i64, ptr)>
// CHECK-NEXT:    %[[R0:.*]] = llvm.mlir.constant(2 : i64) : i64
// CHECK-NEXT:    %[[E0:.*]] = llvm.insertvalue %[[R0]], %[[U0]][0]
// CHECK-NEXT:    %[[F0:.*]] = llvm.insertvalue %[[S0]], %[[E0]][1]
// CHECK-NEXT:    %[[A0:.*]] = llvm.getelementptr %[[ARGS]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<3 x struct<(i64, ptr)>>
// CHECK-NEXT:    llvm.store %[[F0]], %[[A0]] : !llvm.struct<(i64, ptr)>, !llvm.ptr
//
// args[1]: %i, rank 1.
// CHECK-NEXT:    llvm.store %{{.*}}, %[[S1]] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, !llvm.ptr
// CHECK-NEXT:    %[[U1:.*]] = llvm.mlir.undef : !llvm.struct<(i64, ptr)>
// CHECK-NEXT:    %[[R1:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT:    %[[E1:.*]] = llvm.insertvalue %[[R1]], %[[U1]][0]
// CHECK-NEXT:    %[[F1:.*]] = llvm.insertvalue %[[S1]], %[[E1]][1]
// CHECK-NEXT:    %[[A1:.*]] = llvm.getelementptr %[[ARGS]][0, 1]
// CHECK-NEXT:    llvm.store %[[F1]], %[[A1]]
//
// args[2]: the out %y, rank 0.
// CHECK-NEXT:    llvm.store %{{.*}}, %[[S2]] : !llvm.struct<(ptr, ptr, i64)>, !llvm.ptr
// CHECK-NEXT:    %[[U2:.*]] = llvm.mlir.undef : !llvm.struct<(i64, ptr)>
// CHECK-NEXT:    %[[R2:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT:    %[[E2:.*]] = llvm.insertvalue %[[R2]], %[[U2]][0]
// CHECK-NEXT:    %[[F2:.*]] = llvm.insertvalue %[[S2]], %[[E2]][1]
// CHECK-NEXT:    %[[A2:.*]] = llvm.getelementptr %[[ARGS]][0, 2]
// CHECK-NEXT:    llvm.store %[[F2]], %[[A2]]
//
// CHECK-NEXT:    %[[D:.*]] = llvm.mlir.addressof @[[EMBEDDING]] : !llvm.ptr
// CHECK-NEXT:    %[[N:.*]] = llvm.mlir.constant(3 : i64) : i64
// CHECK-NEXT:    llvm.call @nnc_kernel_call(%[[D]], %[[N]], %[[ARGS]]) : (!llvm.ptr, i64, !llvm.ptr) -> ()
// CHECK-NEXT:    llvm.return
func.func @call(%x: memref<?x3xf32>, %i: memref<?xi64>, %y: memref<f32>) {
  nnrt.kernel_call "embedding" ins(%x, %i : memref<?x3xf32>, memref<?xi64>) outs(%y : memref<f32>)
    {descriptor = "op=embedding\nin=f32,i64\nout=f32"}
  return
}

// A call in a loop takes its stack slots from the entry block, so the
// stack does not grow with the trip count.

// CHECK-LABEL: llvm.func @in_loop(
// CHECK:         %[[ARGS:.*]] = llvm.alloca %{{.*}} x !llvm.array<2 x struct<(i64, ptr)>>
// CHECK:         llvm.br ^[[HEAD:.*]](
// CHECK:       ^[[HEAD]](
// CHECK:         llvm.cond_br %{{.*}}, ^[[BODY:.*]], ^
// CHECK:       ^[[BODY]]:
// CHECK-NOT:     llvm.alloca
// CHECK:         %[[D:.*]] = llvm.mlir.addressof @[[RELU]]
// CHECK-NEXT:    %[[N:.*]] = llvm.mlir.constant(2 : i64) : i64
// CHECK-NEXT:    llvm.call @nnc_kernel_call(%[[D]], %[[N]], %[[ARGS]])
// CHECK:         llvm.br ^[[HEAD]]
func.func @in_loop(%x: memref<?xf32>, %y: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %k = %c0 to %c4 step %c1 {
    nnrt.kernel_call "relu" ins(%x : memref<?xf32>) outs(%y : memref<?xf32>) {descriptor = "op=relu"}
  }
  return
}

// Two calls with one descriptor read the same global.

// CHECK-LABEL: llvm.func @same_descriptor(
// CHECK:         %[[D1:.*]] = llvm.mlir.addressof @[[RELU]]
// CHECK-NEXT:    llvm.mlir.constant(2 : i64)
// CHECK-NEXT:    llvm.call @nnc_kernel_call(%[[D1]],
// CHECK:         %[[D2:.*]] = llvm.mlir.addressof @[[RELU]]
// CHECK-NEXT:    llvm.mlir.constant(2 : i64)
// CHECK-NEXT:    llvm.call @nnc_kernel_call(%[[D2]],
func.func @same_descriptor(%x: memref<?xf32>, %y: memref<?xf32>) {
  nnrt.kernel_call "relu" ins(%x : memref<?xf32>) outs(%y : memref<?xf32>) {descriptor = "op=relu"}
  nnrt.kernel_call "relu" ins(%y : memref<?xf32>) outs(%x : memref<?xf32>) {descriptor = "op=relu"}
  return
}

// A call without `outs` (a kernel with side effects only) passes just its
// operands; the llvm.call is never dead, so nothing marks it.

// CHECK-LABEL: llvm.func @no_outs(
// CHECK:         %[[ARGS:.*]] = llvm.alloca %{{.*}} x !llvm.array<1 x struct<(i64, ptr)>>
// CHECK:         %[[D:.*]] = llvm.mlir.addressof @{{nnc_kernel_descriptor_[0-9A-F_]+}}
// CHECK-NEXT:    %[[N:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT:    llvm.call @nnc_kernel_call(%[[D]], %[[N]], %[[ARGS]])
// CHECK-NEXT:    llvm.return
func.func @no_outs(%v: memref<?xf32>) {
  nnrt.kernel_call "assign" ins(%v : memref<?xf32>) {descriptor = "op=assign", has_side_effects}
  return
}
