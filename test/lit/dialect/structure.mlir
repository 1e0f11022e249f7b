// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// CHECK: nn.parameter @conv1.weight : tensor<6x1x5x5xf32> {init = "uniform", init_scale = 2.000000e-01 : f64}
// CHECK: nn.parameter @layers.0.fc.bias : tensor<10xf32> {init = "normal", init_scale = 2.000000e-02 : f64}
// CHECK: nn.parameter @bn1.running_var : tensor<6xf32> {buffer, init = "ones"}
// CHECK: nn.parameter @bn1.num_batches_tracked : tensor<i64> {buffer, init = "zeros"}
// CHECK: nn.parameter @scale : tensor<1xf16> {init = "constant", init_scale = 5.000000e-01 : f64}
module {
  nn.parameter @"conv1.weight" : tensor<6x1x5x5xf32> {init = "uniform", init_scale = 0.2 : f64}
  nn.parameter @"layers.0.fc.bias" : tensor<10xf32> {init = "normal", init_scale = 0.02 : f64}
  nn.parameter @"bn1.running_var" : tensor<6xf32> {buffer, init = "ones"}
  nn.parameter @"bn1.num_batches_tracked" : tensor<i64> {buffer, init = "zeros"}
  nn.parameter @scale : tensor<1xf16> {init = "constant", init_scale = 0.5 : f64}

  // CHECK-LABEL: func.func @params(
  // CHECK: %{{.*}} = nn.param @conv1.weight : tensor<6x1x5x5xf32>
  // CHECK: %{{.*}} = nn.param @layers.0.fc.bias : tensor<10xf32>
  // CHECK: %{{.*}} = nn.param @bn1.num_batches_tracked : tensor<i64>
  func.func @params() -> (tensor<6x1x5x5xf32>, tensor<10xf32>, tensor<i64>) {
    %w = nn.param @"conv1.weight" : tensor<6x1x5x5xf32>
    %b = nn.param @"layers.0.fc.bias" : tensor<10xf32>
    %n = nn.param @"bn1.num_batches_tracked" : tensor<i64>
    return %w, %b, %n : tensor<6x1x5x5xf32>, tensor<10xf32>, tensor<i64>
  }

  // CHECK-LABEL: func.func @constants(
  // CHECK: %{{.*}} = nn.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK: %{{.*}} = nn.constant dense<7> : tensor<2x2xi64>
  // CHECK: %{{.*}} = nn.constant dense<[true, false, true]> : tensor<3xi1>
  func.func @constants() -> (tensor<2xf32>, tensor<2x2xi64>, tensor<3xi1>) {
    %a = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %b = nn.constant dense<7> : tensor<2x2xi64>
    %c = nn.constant dense<[true, false, true]> : tensor<3xi1>
    return %a, %b, %c : tensor<2xf32>, tensor<2x2xi64>, tensor<3xi1>
  }

  // CHECK-LABEL: func.func @choice(
  // CHECK-SAME:      %[[X:[a-z0-9]+]]: tensor<1x8x16x16xf32>
  // CHECK:         %[[Y:.*]] = nn.choice "cells.0.edge2" : tensor<1x8x16x16xf32> {
  // CHECK-NEXT:      "skip_connect" {
  // CHECK-NEXT:        nn.yield %[[X]] : tensor<1x8x16x16xf32>
  // CHECK-NEXT:      },
  // CHECK-NEXT:      "relu" {
  // CHECK-NEXT:        %[[R:.*]] = nn.relu %[[X]] : tensor<1x8x16x16xf32>
  // CHECK-NEXT:        nn.yield %[[R]] : tensor<1x8x16x16xf32>
  // CHECK-NEXT:      },
  // CHECK-NEXT:      "max_pool_3x3" {
  // CHECK-NEXT:        %[[P:.*]] = nn.max_pool %[[X]] {dilation = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : tensor<1x8x16x16xf32> -> tensor<1x8x16x16xf32>
  // CHECK-NEXT:        nn.yield %[[P]] : tensor<1x8x16x16xf32>
  // CHECK-NEXT:      }
  // CHECK-NEXT:    }
  // CHECK-NEXT:    return %[[Y]]
  func.func @choice(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32> {
    %y = nn.choice "cells.0.edge2" : tensor<1x8x16x16xf32> {
      "skip_connect" {
        nn.yield %x : tensor<1x8x16x16xf32>
      },
      "relu" {
        %r = nn.relu %x : tensor<1x8x16x16xf32>
        nn.yield %r : tensor<1x8x16x16xf32>
      },
      "max_pool_3x3" {
        %p = nn.max_pool %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : tensor<1x8x16x16xf32> -> tensor<1x8x16x16xf32>
        nn.yield %p : tensor<1x8x16x16xf32>
      }
    }
    return %y : tensor<1x8x16x16xf32>
  }

  // CHECK-LABEL: func.func @choice_attrs(
  // CHECK: %{{.*}} = nn.choice "act" {note = "extra"} : tensor<?x4xf32> {
  // CHECK: "tanh" {
  // CHECK: %{{.*}} = nn.tanh %{{.*}} : tensor<?x4xf32>
  // CHECK: nn.yield %{{.*}} : tensor<?x4xf32>
  // CHECK: "sigmoid" {
  // CHECK: %{{.*}} = nn.sigmoid %{{.*}} : tensor<?x4xf32>
  // CHECK: nn.yield %{{.*}} : tensor<?x4xf32>
  func.func @choice_attrs(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %y = nn.choice "act" {note = "extra"} : tensor<?x4xf32> {
      "tanh" {
        %t = nn.tanh %x : tensor<?x4xf32>
        nn.yield %t : tensor<?x4xf32>
      },
      "sigmoid" {
        %s = nn.sigmoid %x : tensor<?x4xf32>
        nn.yield %s : tensor<?x4xf32>
      }
    }
    return %y : tensor<?x4xf32>
  }
}
