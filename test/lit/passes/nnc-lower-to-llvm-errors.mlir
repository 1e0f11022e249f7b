// RUN: nnc-opt %s -split-input-file --nnc-lower-to-llvm="dims=T=4" -verify-diagnostics

// Compiled code has static shapes: every named dim needs a size.

// expected-error @+1 {{dim 0 of argument 0 of @unbound is dynamic ('B'); give its size with dims=B=<size>}}
func.func @unbound(%x: tensor<?x4xf32> {nn.dims = ["B", "4"]}) -> tensor<?x4xf32> {
  %0 = nn.relu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// An op with neither generated code nor a runtime kernel: constants are
// generated from dense elements only, and the runtime has no constant
// kernel.

func.func @no_kernel() -> tensor<2xf32> {
  // expected-error @+1 {{nn.constant has no code generation pattern for these types and no runtime kernel}}
  %0 = nn.constant dense_resource<blob> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F00000040"
    }
  }
#-}
