// RUN: nnc-opt %s -split-input-file --nnc-plan-memory | FileCheck %s

// Entry functions (those with an nnc.signature) are planned, the runtime
// passes their workspace; so are the private functions only they call.

// Three intermediates, largest first: %a (128 bytes) at 0; %b (64) is live
// with %a, so it goes after it; %c (32 bytes, padded to 64) is live with %b
// but not with %a, so it reuses %a's offset. A view keeps its buffer live:
// %a is read through %av until the second call. Deallocations of planned
// buffers go; the returned buffer keeps its allocation.

// CHECK-LABEL: func.func @plan(
// CHECK-SAME:    %[[IN:[a-z0-9_]+]]: memref<32xf32>, %[[OUT:[a-z0-9_]+]]: memref<8xf32>, %[[WS:[a-z0-9_]+]]: memref<192xi8>) -> memref<4xf32>
// CHECK-SAME:    nnc.workspace_bytes = 192 : i64}
// CHECK-NOT:     memref.alloc()
// CHECK:         %[[OFF_A:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[A:.*]] = memref.view %[[WS]][%[[OFF_A]]][] : memref<192xi8> to memref<32xf32>
// CHECK-NEXT:    nnrt.kernel_call "relu" ins(%[[IN]] : memref<32xf32>) outs(%[[A]] : memref<32xf32>)
// CHECK-NEXT:    %[[AV:.*]] = memref.subview %[[A]][0] [16] [1]
// CHECK-NEXT:    %[[OFF_B:.*]] = arith.constant 128 : index
// CHECK-NEXT:    %[[B:.*]] = memref.view %[[WS]][%[[OFF_B]]][] : memref<192xi8> to memref<16xf32>
// CHECK-NEXT:    nnrt.kernel_call "relu" ins(%[[AV]] : {{.*}}) outs(%[[B]] : memref<16xf32>)
// CHECK-NEXT:    %[[BV:.*]] = memref.subview %[[B]][0] [8] [1]
// CHECK-NEXT:    %[[OFF_C:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C:.*]] = memref.view %[[WS]][%[[OFF_C]]][] : memref<192xi8> to memref<8xf32>
// CHECK-NEXT:    nnrt.kernel_call "relu" ins(%[[BV]] : {{.*}}) outs(%[[C]] : memref<8xf32>)
// CHECK-NEXT:    nnrt.kernel_call "relu" ins(%[[C]] : memref<8xf32>) outs(%[[OUT]] : memref<8xf32>)
// CHECK-NOT:     memref.dealloc
// CHECK-NEXT:    %[[R:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT:    return %[[R]]
func.func @plan(%in: memref<32xf32>, %out: memref<8xf32>) -> memref<4xf32> attributes {nnc.signature = {inputs = [], outputs = [], params = []}} {
  %a = memref.alloc() : memref<32xf32>
  nnrt.kernel_call "relu" ins(%in : memref<32xf32>) outs(%a : memref<32xf32>) {descriptor = "op=relu"}
  %av = memref.subview %a[0] [16] [1] : memref<32xf32> to memref<16xf32, strided<[1]>>
  %b = memref.alloc() : memref<16xf32>
  nnrt.kernel_call "relu" ins(%av : memref<16xf32, strided<[1]>>) outs(%b : memref<16xf32>) {descriptor = "op=relu"}
  %bv = memref.subview %b[0] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1]>>
  %c = memref.alloc() : memref<8xf32>
  nnrt.kernel_call "relu" ins(%bv : memref<8xf32, strided<[1]>>) outs(%c : memref<8xf32>) {descriptor = "op=relu"}
  nnrt.kernel_call "relu" ins(%c : memref<8xf32>) outs(%out : memref<8xf32>) {descriptor = "op=relu"}
  memref.dealloc %c : memref<8xf32>
  %r = memref.alloc() : memref<4xf32>
  return %r : memref<4xf32>
}

// -----

// Two buffers live at the same time never share memory, whatever their
// sizes; i1 takes a byte per element.

// CHECK-LABEL: func.func @overlap(
// CHECK-SAME:    %[[WS:[a-z0-9_]+]]: memref<128xi8>)
// CHECK-SAME:    nnc.workspace_bytes = 128 : i64}
// CHECK:         %[[OFF_M:.*]] = arith.constant 0 : index
// CHECK-NEXT:    memref.view %[[WS]][%[[OFF_M]]][] : memref<128xi8> to memref<40xi1>
// CHECK:         %[[OFF_N:.*]] = arith.constant 64 : index
// CHECK-NEXT:    memref.view %[[WS]][%[[OFF_N]]][] : memref<128xi8> to memref<2xf64>
func.func @overlap(%x: memref<40xi1>, %y: memref<2xf64>) attributes {nnc.signature = {inputs = [], outputs = [], params = []}} {
  %m = memref.alloc() : memref<40xi1>
  %n = memref.alloc() : memref<2xf64>
  nnrt.kernel_call "k" ins(%x : memref<40xi1>) outs(%m : memref<40xi1>) {descriptor = "op=k"}
  nnrt.kernel_call "k" ins(%m, %y : memref<40xi1>, memref<2xf64>) outs(%n : memref<2xf64>) {descriptor = "op=k"}
  nnrt.kernel_call "k" ins(%n : memref<2xf64>) outs(%y : memref<2xf64>) {descriptor = "op=k"}
  return
}

// -----

// Not planned: a returned buffer, one used inside a nested region, one with
// a dynamic size. With nothing planned the workspace is empty.

// CHECK-LABEL: func.func @unplanned(
// CHECK-SAME:    %[[N:[a-z0-9_]+]]: index, %{{[a-z0-9_]+}}: memref<0xi8>) -> memref<4xf32>
// CHECK-SAME:    nnc.workspace_bytes = 0 : i64}
// CHECK-NOT:     memref.view
// CHECK:         %[[R:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         %[[L:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         %[[D:.*]] = memref.alloc(%[[N]]) : memref<?xf32>
// CHECK:         scf.for
// CHECK-NEXT:      nnrt.kernel_call "relu" ins(%[[R]] : memref<4xf32>) outs(%[[L]] : memref<4xf32>)
// CHECK:         memref.dealloc %[[L]]
// CHECK:         memref.dealloc %[[D]]
// CHECK:         return %[[R]]
func.func @unplanned(%n: index) -> memref<4xf32> attributes {nnc.signature = {inputs = [], outputs = [], params = []}} {
  %r = memref.alloc() : memref<4xf32>
  %l = memref.alloc() : memref<4xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c2 step %c1 {
    nnrt.kernel_call "relu" ins(%r : memref<4xf32>) outs(%l : memref<4xf32>) {descriptor = "op=relu"}
  }
  nnrt.kernel_call "relu" ins(%d : memref<?xf32>) outs(%d : memref<?xf32>) {descriptor = "op=relu"}
  memref.dealloc %l : memref<4xf32>
  memref.dealloc %d : memref<?xf32>
  return %r : memref<4xf32>
}

// -----

// A private function that only planned functions call is planned first,
// and at each call its workspace is one more buffer of the caller's, live
// for the call: @entry's %t (64 bytes) and @helper's workspace (64) are
// both live at the call. A private function that an unplanned function
// also calls keeps its signature and its allocations, so calls of it still
// match.

// CHECK-LABEL: func.func private @helper(
// CHECK-SAME:    %{{[a-z0-9_]+}}: memref<4xf32>, %{{[a-z0-9_]+}}: memref<4xf32>, %[[HWS:[a-z0-9_]+]]: memref<64xi8>)
// CHECK-SAME:    nnc.workspace_bytes = 64 : i64
// CHECK-NOT:     memref.alloc
// CHECK:         memref.view %[[HWS]]
// CHECK-NOT:     memref.alloc
// CHECK-LABEL: func.func private @shared(
// CHECK-SAME:    %{{[a-z0-9_]+}}: memref<4xf32>) {
// CHECK-NEXT:    memref.alloc() : memref<4xf32>
// CHECK:         call @leaf(%{{.*}}) : (memref<4xf32>) -> ()
// What only an unplanned function calls is not planned either.
// CHECK-LABEL: func.func private @leaf(
// CHECK-SAME:    %{{[a-z0-9_]+}}: memref<4xf32>) {
// CHECK-NEXT:    memref.alloc() : memref<4xf32>
// CHECK-LABEL: func.func @entry(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: memref<4xf32>, %[[Y:[a-z0-9_]+]]: memref<4xf32>, %[[WS:[a-z0-9_]+]]: memref<128xi8>)
// CHECK-SAME:    nnc.workspace_bytes = 128 : i64}
// CHECK:         %[[T:.*]] = memref.view %[[WS]][%{{.*}}][] : memref<128xi8> to memref<4xf32>
// CHECK:         %[[OFF:.*]] = arith.constant 64 : index
// CHECK-NEXT:    %[[CWS:.*]] = memref.view %[[WS]][%[[OFF]]][] : memref<128xi8> to memref<64xi8>
// CHECK-NEXT:    call @helper(%[[T]], %[[Y]], %[[CWS]]) : (memref<4xf32>, memref<4xf32>, memref<64xi8>) -> ()
// CHECK-NEXT:    call @shared(%[[Y]]) : (memref<4xf32>) -> ()
// CHECK-LABEL: func.func @other(
// CHECK-NEXT:    call @shared(%{{.*}}) : (memref<4xf32>) -> ()
func.func private @helper(%x: memref<4xf32>, %y: memref<4xf32>) {
  %t = memref.alloc() : memref<4xf32>
  nnrt.kernel_call "relu" ins(%x : memref<4xf32>) outs(%t : memref<4xf32>) {descriptor = "op=relu"}
  nnrt.kernel_call "neg" ins(%t : memref<4xf32>) outs(%y : memref<4xf32>) {descriptor = "op=neg"}
  memref.dealloc %t : memref<4xf32>
  return
}
func.func private @shared(%x: memref<4xf32>) {
  %t = memref.alloc() : memref<4xf32>
  nnrt.kernel_call "relu" ins(%x : memref<4xf32>) outs(%t : memref<4xf32>) {descriptor = "op=relu"}
  memref.dealloc %t : memref<4xf32>
  func.call @leaf(%x) : (memref<4xf32>) -> ()
  return
}
func.func private @leaf(%x: memref<4xf32>) {
  %t = memref.alloc() : memref<4xf32>
  nnrt.kernel_call "relu" ins(%x : memref<4xf32>) outs(%t : memref<4xf32>) {descriptor = "op=relu"}
  memref.dealloc %t : memref<4xf32>
  return
}
func.func @entry(%x: memref<4xf32>, %y: memref<4xf32>) attributes {nnc.signature = {inputs = [], outputs = [], params = []}} {
  %t = memref.alloc() : memref<4xf32>
  nnrt.kernel_call "relu" ins(%x : memref<4xf32>) outs(%t : memref<4xf32>) {descriptor = "op=relu"}
  func.call @helper(%t, %y) : (memref<4xf32>, memref<4xf32>) -> ()
  func.call @shared(%y) : (memref<4xf32>) -> ()
  return
}
func.func @other(%x: memref<4xf32>) {
  func.call @shared(%x) : (memref<4xf32>) -> ()
  return
}
