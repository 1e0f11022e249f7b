// RUN: nnc-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

func.func @missing_parameter() -> tensor<4xf32> {
  // expected-error @+1 {{'nn.param' op refers to unknown parameter @fc.weight}}
  %w = nn.param @"fc.weight" : tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

nn.parameter @"fc.bias" : tensor<4xf32> {init = "zeros"}
func.func @param_type_mismatch() -> tensor<5xf32> {
  // expected-error @+1 {{'nn.param' op reads 'tensor<5xf32>' but parameter @fc.bias has type 'tensor<4xf32>'}}
  %w = nn.param @"fc.bias" : tensor<5xf32>
  return %w : tensor<5xf32>
}

// -----

func.func @not_a_parameter() -> tensor<4xf32> {
  // expected-error @+1 {{refers to @not_a_parameter, which is a 'func.func', not an nn.parameter}}
  %w = nn.param @not_a_parameter : tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

// expected-error @+1 {{'nn.parameter' op init must be one of 'uniform', 'normal', 'constant', 'zeros', 'ones'; got 'xavier'}}
nn.parameter @w : tensor<4xf32> {init = "xavier"}

// -----

// expected-error @+1 {{init 'normal' needs a float parameter, got 'i64'}}
nn.parameter @steps : tensor<i64> {init = "normal", init_scale = 1.0 : f64}

// -----

// expected-error @+1 {{init_scale (the uniform bound) must be >= 0, got -1.000000e-01}}
nn.parameter @w : tensor<4xf32> {init = "uniform", init_scale = -0.1 : f64}

// -----

// expected-error @+1 {{attribute 'type' failed to satisfy constraint}}
nn.parameter @w : tensor<?x4xf32> {init = "zeros"}

// -----

func.func @nested() {
  // expected-error @+1 {{'nn.parameter' op expects parent op 'builtin.module'}}
  nn.parameter @w : tensor<4xf32> {init = "zeros"}
  return
}

// -----

func.func @constant_type() {
  // expected-error @+1 {{'nn.constant' op has result type 'tensor<3xf32>' but its value has type 'tensor<2xf32>'}}
  %c = "nn.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return
}

// -----

func.func @choice_one_candidate(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.choice' op needs at least 2 candidates, got 1}}
  %y = nn.choice "c" : tensor<4xf32> {
    "skip" {
      nn.yield %x : tensor<4xf32>
    }
  }
  return %y : tensor<4xf32>
}

// -----

func.func @choice_duplicate(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.choice' op candidate 'skip' appears twice}}
  %y = nn.choice "c" : tensor<4xf32> {
    "skip" {
      nn.yield %x : tensor<4xf32>
    },
    "skip" {
      nn.yield %x : tensor<4xf32>
    }
  }
  return %y : tensor<4xf32>
}

// -----

func.func @choice_wrong_yield_type(%x: tensor<4xf32>, %z: tensor<8xf32>) -> tensor<4xf32> {
  %y = nn.choice "cells.0.edge1" : tensor<4xf32> {
    "skip" {
      nn.yield %x : tensor<4xf32>
    },
    "other" {
      // expected-error @+1 {{'nn.yield' op yields 'tensor<8xf32>' in candidate "other" but the enclosing nn.choice produces 'tensor<4xf32>'}}
      nn.yield %z : tensor<8xf32>
    }
  }
  return %y : tensor<4xf32>
}

// -----

func.func @choice_region_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.choice' op has 3 candidates but 2 regions}}
  %y = "nn.choice"() ({
    nn.yield %x : tensor<4xf32>
  }, {
    nn.yield %x : tensor<4xf32>
  }) {name = "c", candidates = ["a", "b", "c"]} : () -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @choice_missing_yield(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.choice' op candidate 'b' must end in nn.yield}}
  %y = "nn.choice"() ({
    nn.yield %x : tensor<4xf32>
  }, {
    "test.terminator"(%x) : (tensor<4xf32>) -> ()
  }) {name = "c", candidates = ["a", "b"]} : () -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @yield_outside_choice(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.yield' op expects parent op 'nn.choice'}}
  nn.yield %x : tensor<4xf32>
}
