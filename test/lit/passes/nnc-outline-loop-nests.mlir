// RUN: nnc-opt %s -split-input-file --nnc-outline-loop-nests | FileCheck %s

// Each linalg op on buffers becomes a call of a private function that is
// never inlined; identical ops (here relu on two different buffers of one
// type) share it. A different shape is a different function, and so is the
// in-place form (input and output the same buffer): one argument, not two.

#id = affine_map<(d0) -> (d0)>
func.func @relus(%a: memref<8xf32>, %b: memref<8xf32>, %c: memref<8xf32>,
                 %d: memref<4xf32>, %e: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<8xf32>) outs(%b : memref<8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%b : memref<8xf32>) outs(%c : memref<8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%d : memref<4xf32>) outs(%e : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%c : memref<8xf32>) outs(%c : memref<8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// CHECK-LABEL: func.func @relus(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: memref<8xf32>, %[[B:[a-z0-9_]+]]: memref<8xf32>, %[[C:[a-z0-9_]+]]: memref<8xf32>, %[[D:[a-z0-9_]+]]: memref<4xf32>, %[[E:[a-z0-9_]+]]: memref<4xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         call @[[RELU8:nnc_loop_nest_[0-9]+]](%[[A]], %[[B]]) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK-NEXT:    call @[[RELU8]](%[[B]], %[[C]]) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK-NEXT:    call @[[RELU4:nnc_loop_nest_[0-9]+]](%[[D]], %[[E]]) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT:    call @[[INPLACE:nnc_loop_nest_[0-9]+]](%[[C]]) : (memref<8xf32>) -> ()
// CHECK-NEXT:    return
//
// The constant the body captured is cloned into each function.
// CHECK:       func.func private @[[RELU8]](%[[X:[a-z0-9_]+]]: memref<8xf32>, %[[Y:[a-z0-9_]+]]: memref<8xf32>)
// CHECK-SAME:    attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
// CHECK-NEXT:    %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    linalg.generic
// CHECK-SAME:      ins(%[[X]] : memref<8xf32>) outs(%[[Y]] : memref<8xf32>)
// CHECK:           arith.maximumf %{{.*}}, %[[ZERO]] : f32
// CHECK:         return
// CHECK:       func.func private @[[RELU4]](%{{[a-z0-9_]+}}: memref<4xf32>, %{{[a-z0-9_]+}}: memref<4xf32>)
// CHECK:       func.func private @[[INPLACE]](%[[Z:[a-z0-9_]+]]: memref<8xf32>)
// CHECK:         ins(%[[Z]] : memref<8xf32>) outs(%[[Z]] : memref<8xf32>)
// CHECK-NOT:   func.func private

// -----

// Different constants, captured by the body or operands (a fill's value),
// are different loop nests, with the constant cloned in; a value that is
// not a constant becomes an argument, so two fills of %s share a function.

#id = affine_map<(d0) -> (d0)>
func.func @captures(%a: memref<8xf32>, %b: memref<8xf32>, %s: f32) {
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  %inf = arith.constant 0x7F800000 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<8xf32>) outs(%b : memref<8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.addf %x, %one : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<8xf32>) outs(%b : memref<8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.addf %x, %two : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<8xf32>) outs(%b : memref<8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %r = arith.addf %x, %s : f32
    linalg.yield %r : f32
  }
  linalg.fill ins(%one : f32) outs(%a : memref<8xf32>)
  linalg.fill ins(%inf : f32) outs(%b : memref<8xf32>)
  linalg.fill ins(%s : f32) outs(%a : memref<8xf32>)
  linalg.fill ins(%s : f32) outs(%b : memref<8xf32>)
  return
}

// CHECK-LABEL: func.func @captures(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: memref<8xf32>, %[[B:[a-z0-9_]+]]: memref<8xf32>, %[[S:[a-z0-9_]+]]: f32)
// CHECK:         call @[[ADD1:nnc_loop_nest_[0-9]+]](%[[A]], %[[B]])
// CHECK-NEXT:    call @[[ADD2:nnc_loop_nest_[0-9]+]](%[[A]], %[[B]])
// CHECK-NEXT:    call @[[ADDS:nnc_loop_nest_[0-9]+]](%[[A]], %[[B]], %[[S]]) : (memref<8xf32>, memref<8xf32>, f32) -> ()
// CHECK-NEXT:    call @[[FILL1:nnc_loop_nest_[0-9]+]](%[[A]]) : (memref<8xf32>) -> ()
// CHECK-NEXT:    call @[[FILLINF:nnc_loop_nest_[0-9]+]](%[[B]]) : (memref<8xf32>) -> ()
// CHECK-NEXT:    call @[[FILL:nnc_loop_nest_[0-9]+]](%[[S]], %[[A]]) : (f32, memref<8xf32>) -> ()
// CHECK-NEXT:    call @[[FILL]](%[[S]], %[[B]]) : (f32, memref<8xf32>) -> ()
// CHECK:       func.func private @[[ADD1]](
// CHECK-NEXT:    arith.constant 1.000000e+00 : f32
// CHECK:       func.func private @[[ADD2]](
// CHECK-NEXT:    arith.constant 2.000000e+00 : f32
// CHECK:       func.func private @[[ADDS]](%{{[a-z0-9_]+}}: memref<8xf32>, %{{[a-z0-9_]+}}: memref<8xf32>, %[[SARG:[a-z0-9_]+]]: f32)
// CHECK:           arith.addf %{{.*}}, %[[SARG]] : f32
// CHECK:       func.func private @[[FILL1]](%[[OUT1:[a-z0-9_]+]]: memref<8xf32>)
// CHECK-NEXT:    %[[C1:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:    linalg.fill ins(%[[C1]] : f32) outs(%[[OUT1]] : memref<8xf32>)
// CHECK:       func.func private @[[FILLINF]](%[[OUTINF:[a-z0-9_]+]]: memref<8xf32>)
// CHECK-NEXT:    %[[CINF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-NEXT:    linalg.fill ins(%[[CINF]] : f32) outs(%[[OUTINF]] : memref<8xf32>)
// CHECK:       func.func private @[[FILL]](%[[V:[a-z0-9_]+]]: f32, %[[OUT:[a-z0-9_]+]]: memref<8xf32>)
// CHECK-NEXT:    linalg.fill ins(%[[V]] : f32) outs(%[[OUT]] : memref<8xf32>)

// -----

// Ops on tensors are not loop nests yet: bufferization comes first.

// CHECK-LABEL: func.func @tensors(
// CHECK-NEXT:    linalg.fill
// CHECK-NEXT:    return
// CHECK-NOT:   func.func private
func.func @tensors(%t: tensor<8xf32>, %v: f32) -> tensor<8xf32> {
  %0 = linalg.fill ins(%v : f32) outs(%t : tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// A loop nest big enough to share (64 x 1024 iterations) whose outer loop
// is parallel runs in chunks of that loop on the runtime's threads: its
// function takes the chunk's begin and end and slices the buffers that the
// outer loop indexes (the first dim of %x and %y, the second of the
// transposed %t); the broadcast %bias is read whole. Chunks get at least
// 8192 iterations: 8 outer iterations of 1024.

#rows = affine_map<(d0, d1) -> (d0, d1)>
#cols = affine_map<(d0, d1) -> (d1)>
#transposed = affine_map<(d0, d1) -> (d1, d0)>
func.func @big(%x: memref<64x1024xf32>, %bias: memref<1024xf32>,
               %t: memref<1024x64xf32>, %y: memref<64x1024xf32>) {
  linalg.generic {indexing_maps = [#rows, #cols, #transposed, #rows],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %bias, %t : memref<64x1024xf32>, memref<1024xf32>, memref<1024x64xf32>)
      outs(%y : memref<64x1024xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.addf %s, %c : f32
    linalg.yield %r : f32
  }
  return
}

// CHECK-LABEL: func.func @big(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: memref<64x1024xf32>, %[[BIAS:[a-z0-9_]+]]: memref<1024xf32>, %[[T:[a-z0-9_]+]]: memref<1024x64xf32>, %[[Y:[a-z0-9_]+]]: memref<64x1024xf32>)
// CHECK-NEXT:    nnrt.parallel_call @[[F:nnc_loop_nest_[0-9]+]](%[[X]], %[[BIAS]], %[[T]], %[[Y]]) extent 64 grain 8
// CHECK:       func.func private @[[F]](%[[FX:[a-z0-9_]+]]: memref<64x1024xf32>, %[[FB:[a-z0-9_]+]]: memref<1024xf32>, %[[FT:[a-z0-9_]+]]: memref<1024x64xf32>, %[[FY:[a-z0-9_]+]]: memref<64x1024xf32>, %[[BEGIN:[a-z0-9_]+]]: index, %[[END:[a-z0-9_]+]]: index)
// CHECK-NEXT:    %[[SIZE:.*]] = arith.subi %[[END]], %[[BEGIN]] : index
// CHECK-NEXT:    %[[SX:.*]] = memref.subview %[[FX]][%[[BEGIN]], 0] [%[[SIZE]], 1024] [1, 1]
// CHECK-NEXT:    %[[ST:.*]] = memref.subview %[[FT]][0, %[[BEGIN]]] [1024, %[[SIZE]]] [1, 1]
// CHECK-NEXT:    %[[SY:.*]] = memref.subview %[[FY]][%[[BEGIN]], 0] [%[[SIZE]], 1024] [1, 1]
// CHECK-NEXT:    linalg.generic
// CHECK-SAME:      ins(%[[SX]], %[[FB]], %[[ST]] :
// CHECK-SAME:      outs(%[[SY]] :

// -----

// Not shared between threads: too small a nest, an outer reduction, an outer
// loop that an output does not index (every chunk would write all of it),
// and a body that reads loop indices.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @serial(%small: memref<4x8xf32>, %x: memref<64x1024xf32>,
                  %sum: memref<1024xf32>, %y: memref<64x1024xf32>) {
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%small : memref<4x8xf32>) outs(%small : memref<4x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [#id2, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<64x1024xf32>) outs(%sum : memref<1024xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id2, #col], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<64x1024xf32>) outs(%sum : memref<1024xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]}
      outs(%y : memref<64x1024xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %n = arith.index_cast %i : index to i64
    %f = arith.sitofp %n : i64 to f32
    linalg.yield %f : f32
  }
  return
}

// CHECK-LABEL: func.func @serial(
// CHECK-NOT:     nnrt.parallel_call
// CHECK-COUNT-4: call @nnc_loop_nest_
// CHECK-NOT:     nnrt.parallel_call
// CHECK:         return
