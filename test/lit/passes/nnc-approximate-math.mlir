// RUN: nnc-opt %s --nnc-approximate-math | FileCheck %s

// The transcendental functions of activations become arith polynomials that
// LLVM can vectorise; sqrt-like ops and other math stay as they are.
// CHECK-LABEL: func.func @gelu_tanh_exp
// CHECK-NOT:     math.erf
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.exp
// CHECK:         arith.mulf
// CHECK:         math.sqrt
// CHECK:         return
func.func @gelu_tanh_exp(%x: f32) -> (f32, f32, f32, f32) {
  %0 = math.erf %x : f32
  %1 = math.tanh %x : f32
  %2 = math.exp %x : f32
  %3 = math.sqrt %x : f32
  return %0, %1, %2, %3 : f32, f32, f32, f32
}

// Vectors too (what LLVM makes of the loops).
// CHECK-LABEL: func.func @vector
// CHECK-NOT:     math.log
// CHECK:         return
func.func @vector(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.log %x : vector<16xf32>
  return %0 : vector<16xf32>
}
