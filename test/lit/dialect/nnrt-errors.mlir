// RUN: nnc-opt %s -split-input-file -verify-diagnostics

func.func @mixed_tensors_and_memrefs(%x: tensor<2xf32>, %y: memref<2xf32>) {
  // expected-error @+1 {{'nnrt.kernel_call' op operands must be all tensors or all memrefs}}
  nnrt.kernel_call "relu" ins(%x : tensor<2xf32>) outs(%y : memref<2xf32>) {descriptor = "op=relu"}
  return
}

// -----

func.func @memref_with_results(%x: memref<2xf32>, %y: memref<2xf32>) {
  // expected-error @+1 {{'nnrt.kernel_call' op on memrefs has no results}}
  %0 = nnrt.kernel_call "relu" ins(%x : memref<2xf32>) outs(%y : memref<2xf32>) {descriptor = "op=relu"} -> tensor<2xf32>
  return
}

// -----

func.func @missing_result(%x: tensor<2xf32>, %y: tensor<2xf32>) {
  // expected-error @+1 {{'nnrt.kernel_call' op expects one result per outs operand, got 0 results for 1 outs}}
  nnrt.kernel_call "relu" ins(%x : tensor<2xf32>) outs(%y : tensor<2xf32>) {descriptor = "op=relu"}
  return
}

// -----

func.func @extra_result(%x: tensor<2xf32>, %y: tensor<2xf32>) {
  // expected-error @+1 {{'nnrt.kernel_call' op expects one result per outs operand, got 2 results for 1 outs}}
  %0:2 = nnrt.kernel_call "relu" ins(%x : tensor<2xf32>) outs(%y : tensor<2xf32>) {descriptor = "op=relu"} -> tensor<2xf32>, tensor<2xf32>
  return
}

// -----

func.func @result_type(%x: tensor<2xf32>, %y: tensor<2xf32>, %z: tensor<2xi64>) {
  // expected-error @+1 {{'nnrt.kernel_call' op result 1 has type 'tensor<2xf32>' but its outs operand has 'tensor<2xi64>'}}
  %0:2 = nnrt.kernel_call "top_k" ins(%x : tensor<2xf32>) outs(%y, %z : tensor<2xf32>, tensor<2xi64>) {descriptor = "op=top_k"} -> tensor<2xf32>, tensor<2xf32>
  return
}

// -----

func.func @unranked_result(%x: tensor<2xf32>, %y: tensor<2xf32>) {
  // expected-error @+1 {{'nnrt.kernel_call' op result #0 must be variadic of ranked tensor of any type values, but got 'tensor<*xf32>'}}
  %0 = nnrt.kernel_call "relu" ins(%x : tensor<2xf32>) outs(%y : tensor<2xf32>) {descriptor = "op=relu"} -> tensor<*xf32>
  return
}

// -----

func.func @scalar_operand(%x: f32, %y: tensor<2xf32>) {
  // expected-error @+1 {{'nnrt.kernel_call' op operand #0 must be variadic of ranked tensor or memref, but got 'f32'}}
  %0 = nnrt.kernel_call "fill" ins(%x : f32) outs(%y : tensor<2xf32>) {descriptor = "op=fill"} -> tensor<2xf32>
  return
}

// -----

// The LLVM lowering passes each operand's rank: unranked memrefs have none.

func.func @unranked_memref(%x: memref<*xf32>, %y: memref<2xf32>) {
  // expected-error @+1 {{'nnrt.kernel_call' op operand #0 must be variadic of ranked tensor or memref, but got 'memref<*xf32>'}}
  nnrt.kernel_call "relu" ins(%x : memref<*xf32>) outs(%y : memref<2xf32>) {descriptor = "op=relu"}
  return
}

// -----

func.func @unranked_tensor_operand(%x: tensor<*xf32>, %y: tensor<2xf32>) {
  // expected-error @+1 {{'nnrt.kernel_call' op operand #0 must be variadic of ranked tensor or memref, but got 'tensor<*xf32>'}}
  %0 = nnrt.kernel_call "relu" ins(%x : tensor<*xf32>) outs(%y : tensor<2xf32>) {descriptor = "op=relu"} -> tensor<2xf32>
  return
}

// -----

func.func @missing_descriptor(%x: tensor<2xf32>, %y: tensor<2xf32>) {
  // expected-error @+1 {{'nnrt.kernel_call' op requires attribute 'descriptor'}}
  %0 = nnrt.kernel_call "relu" ins(%x : tensor<2xf32>) outs(%y : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @no_operands_with_result() {
  // expected-error @+1 {{'nnrt.kernel_call' op without operands has no results}}
  %0 = nnrt.kernel_call "tick" {descriptor = "op=tick"} -> tensor<2xf32>
  return
}

// -----

func.func @parallel_call_unknown_callee(%x: memref<8xf32>) {
  // expected-error @+1 {{'nnrt.parallel_call' op 'missing' is not a function}}
  nnrt.parallel_call @missing(%x) extent 8 grain 1 : memref<8xf32>
  return
}

// -----

func.func private @no_chunk(%x: memref<8xf32>)

func.func @parallel_call_callee_without_chunk(%x: memref<8xf32>) {
  // expected-error @+1 {{'nnrt.parallel_call' op callee @no_chunk must take the operands and then the chunk's begin and end (index) and return nothing, but has type '(memref<8xf32>) -> ()'}}
  nnrt.parallel_call @no_chunk(%x) extent 8 grain 1 : memref<8xf32>
  return
}

// -----

func.func private @chunk(%x: memref<8xf32>, %begin: index, %end: index)

func.func @parallel_call_zero_extent(%x: memref<8xf32>) {
  // expected-error @+1 {{'nnrt.parallel_call' op attribute 'extent' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  nnrt.parallel_call @chunk(%x) extent 0 grain 1 : memref<8xf32>
  return
}
