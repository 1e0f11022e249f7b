// RUN: nnc-opt %s -split-input-file --nn-specialize-shapes="dims=B=2" -verify-diagnostics
// RUN: not nnc-opt %s -split-input-file --nn-specialize-shapes="dims=B" 2>&1 | FileCheck %s --check-prefix=NO-SIZE
// RUN: not nnc-opt %s -split-input-file --nn-specialize-shapes="dims==3" 2>&1 | FileCheck %s --check-prefix=NO-NAME
// RUN: not nnc-opt %s -split-input-file --nn-specialize-shapes="dims=B=0" 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: not nnc-opt %s -split-input-file --nn-specialize-shapes="dims=B=-4" 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not nnc-opt %s -split-input-file --nn-specialize-shapes="dims=B=2,T=x" 2>&1 | FileCheck %s --check-prefix=NOT-A-NUMBER

// NO-SIZE:      error: dims expects NAME=SIZE with a positive size, got 'B'
// NO-NAME:      error: dims expects NAME=SIZE with a positive size, got '=3'
// ZERO:         error: dims expects NAME=SIZE with a positive size, got 'B=0'
// NEGATIVE:     error: dims expects NAME=SIZE with a positive size, got 'B=-4'
// NOT-A-NUMBER: error: dims expects NAME=SIZE with a positive size, got 'T=x'

// A named dim without a size.

// expected-error @+1 {{dim 1 of argument 1 of @unbound is dynamic ('T'); give its size with dims=T=<size>}}
func.func @unbound(%x: tensor<?xf32> {nn.dims = ["B"]}, %y: tensor<?x?xf32> {nn.dims = ["B", "T"]}) {
  return
}

// -----

// A `?` without a name cannot be bound.

// expected-error @+1 {{dim 0 of argument 0 of @unnamed is dynamic and unnamed; give its size with dims=N=<size>}}
func.func @unnamed(%x: tensor<?x8xf32>) {
  return
}

// -----

// A size that does not come from the inputs' dims stays unknown.

func.func @still_dynamic(%x: tensor<?x8xf32> {nn.dims = ["B", "8"]}, %n: index) -> tensor<?x8xf32> {
  // expected-error @+1 {{the shape of this result stays dynamic ('tensor<?x8xf32>') after binding every input dim}}
  %0 = nn.reshape %x[%n] : tensor<?x8xf32> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
