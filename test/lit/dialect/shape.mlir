// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// CHECK-LABEL: func.func @reshape(
// CHECK: %{{.*}} = nn.reshape %{{.*}} : tensor<8x16x5x5xf32> -> tensor<8x400xf32>
// CHECK: %{{.*}} = nn.reshape %{{.*}}[%{{.*}}] : tensor<?x16x5x5xf32> -> tensor<?x400xf32>
// CHECK: %{{.*}} = nn.reshape %{{.*}}[%{{.*}}, %{{.*}}] : tensor<8x16x5x5xf32> -> tensor<?x?xf32>
func.func @reshape(%x: tensor<8x16x5x5xf32>, %d: tensor<?x16x5x5xf32>, %n: index) {
  %0 = nn.reshape %x : tensor<8x16x5x5xf32> -> tensor<8x400xf32>
  %1 = nn.reshape %d [%n] : tensor<?x16x5x5xf32> -> tensor<?x400xf32>
  %2 = nn.reshape %x [%n, %n] : tensor<8x16x5x5xf32> -> tensor<?x?xf32>
  return
}

// CHECK-LABEL: func.func @expand(
// CHECK: %{{.*}} = nn.expand %{{.*}} : tensor<1x16xf32> -> tensor<8x16xf32>
// CHECK: %{{.*}} = nn.expand %{{.*}}[%{{.*}}] : tensor<3x1xi64> -> tensor<?x3x5xi64>
func.func @expand(%x: tensor<1x16xf32>, %y: tensor<3x1xi64>, %n: index) {
  %0 = nn.expand %x : tensor<1x16xf32> -> tensor<8x16xf32>
  %1 = nn.expand %y [%n] : tensor<3x1xi64> -> tensor<?x3x5xi64>
  return
}

// CHECK-LABEL: func.func @permute_concat(
// CHECK: %{{.*}} = nn.permute %{{.*}} {permutation = array<i64: 0, 2, 1>} : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
// CHECK: %{{.*}} = nn.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
// CHECK: %{{.*}} = nn.concat %{{.*}}, %{{.*}}, %{{.*}} {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>, tensor<?x7xf32>) -> tensor<2x15xf32>
// CHECK: %{{.*}} = nn.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
func.func @permute_concat(%x: tensor<2x3x4xf32>, %a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %c: tensor<?x7xf32>) {
  %0 = nn.permute %x {permutation = array<i64: 0, 2, 1>} : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  %1 = nn.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %2 = nn.concat %a, %b, %c {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>, tensor<?x7xf32>) -> tensor<2x15xf32>
  %3 = nn.concat %a, %a {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return
}

// CHECK-LABEL: func.func @slice_split(
// CHECK: %{{.*}} = nn.slice %{{.*}} {axis = 1 : i64, end = 9223372036854775807 : i64, start = -2 : i64} : tensor<4x10xf32> -> tensor<4x2xf32>
// CHECK: %{{.*}} = nn.slice %{{.*}} {axis = 1 : i64, end = 9 : i64, start = 1 : i64, step = 3 : i64} : tensor<4x10xf32> -> tensor<4x3xf32>
// CHECK: %{{.*}} = nn.slice %{{.*}} {axis = 0 : i64, end = 1 : i64, start = 3 : i64} : tensor<4x10xf32> -> tensor<0x10xf32>
// CHECK: %{{.*}} = nn.slice %{{.*}} {axis = 0 : i64, end = 5 : i64, start = 0 : i64} : tensor<?x8xf32> -> tensor<?x8xf32>
// CHECK: %{{.*}}:2 = nn.split %{{.*}} {axis = 1 : i64, sizes = array<i64: 2, 8>} : tensor<4x10xf32> -> tensor<4x2xf32>, tensor<4x8xf32>
// CHECK: %{{.*}}:3 = nn.split %{{.*}} {axis = 1 : i64, sizes = array<i64: 4, 2, 2>} : tensor<?x8xf32> -> tensor<?x4xf32>, tensor<?x2xf32>, tensor<?x2xf32>
func.func @slice_split(%x: tensor<4x10xf32>, %d: tensor<?x8xf32>) {
  %0 = nn.slice %x {axis = 1 : i64, end = 9223372036854775807 : i64, start = -2 : i64} : tensor<4x10xf32> -> tensor<4x2xf32>
  %1 = nn.slice %x {axis = 1 : i64, end = 9 : i64, start = 1 : i64, step = 3 : i64} : tensor<4x10xf32> -> tensor<4x3xf32>
  %2 = nn.slice %x {axis = 0 : i64, end = 1 : i64, start = 3 : i64} : tensor<4x10xf32> -> tensor<0x10xf32>
  %3 = nn.slice %d {axis = 0 : i64, end = 5 : i64, start = 0 : i64} : tensor<?x8xf32> -> tensor<?x8xf32>
  %4:2 = nn.split %x {axis = 1 : i64, sizes = array<i64: 2, 8>} : tensor<4x10xf32> -> tensor<4x2xf32>, tensor<4x8xf32>
  %5:3 = nn.split %d {axis = 1 : i64, sizes = array<i64: 4, 2, 2>} : tensor<?x8xf32> -> tensor<?x4xf32>, tensor<?x2xf32>, tensor<?x2xf32>
  return
}

// CHECK-LABEL: func.func @patches_topk(
// CHECK: %{{.*}} = nn.patchify %{{.*}} {patch_size = array<i64: 4, 4>} : tensor<2x3x32x32xf32> -> tensor<2x64x48xf32>
// CHECK: %{{.*}}, %{{.*}} = nn.top_k %{{.*}} {axis = -1 : i64, k = 5 : i64} : tensor<8x100xf32> -> tensor<8x5xf32>, tensor<8x5xi64>
// CHECK: %{{.*}}, %{{.*}} = nn.top_k %{{.*}} {axis = 0 : i64, k = 2 : i64} : tensor<?x6xi32> -> tensor<2x6xi32>, tensor<2x6xi64>
func.func @patches_topk(%img: tensor<2x3x32x32xf32>, %x: tensor<8x100xf32>, %i: tensor<?x6xi32>) {
  %0 = nn.patchify %img {patch_size = array<i64: 4, 4>} : tensor<2x3x32x32xf32> -> tensor<2x64x48xf32>
  %1:2 = nn.top_k %x {axis = -1 : i64, k = 5 : i64} : tensor<8x100xf32> -> tensor<8x5xf32>, tensor<8x5xi64>
  %2:2 = nn.top_k %i {axis = 0 : i64, k = 2 : i64} : tensor<?x6xi32> -> tensor<2x6xi32>, tensor<2x6xi64>
  return
}

// CHECK-LABEL: func.func @gather_scatter(
// CHECK: %{{.*}} = nn.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : tensor<10x4xf32>, tensor<3xi64> -> tensor<3x4xf32>
// CHECK: %{{.*}} = nn.gather %{{.*}}, %{{.*}} {axis = -1 : i64} : tensor<10x4xf32>, tensor<3xi64> -> tensor<10x3xf32>
// CHECK: %{{.*}} = nn.scatter_reduce %{{.*}}, %{{.*}} {reduce = "sum"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<10x16xf32>
// CHECK: %{{.*}} = nn.scatter_reduce %{{.*}}, %{{.*}} size %{{.*}} {reduce = "mean"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<?x16xf32>
// CHECK: %{{.*}} = nn.scatter_reduce %{{.*}}, %{{.*}} size %{{.*}} {reduce = "max"} : tensor<?x16xf32>, tensor<?xi32> -> tensor<?x16xf32>
// CHECK: %{{.*}} = nn.scatter_reduce %{{.*}}, %{{.*}} {reduce = "min"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<7x16xf32>
func.func @gather_scatter(%x: tensor<10x4xf32>, %idx: tensor<3xi64>, %msg: tensor<40x16xf32>, %dst: tensor<40xi64>, %n: index, %m: tensor<?x16xf32>, %dst2: tensor<?xi32>) {
  %0 = nn.gather %x, %idx {axis = 0 : i64} : tensor<10x4xf32>, tensor<3xi64> -> tensor<3x4xf32>
  %1 = nn.gather %x, %idx {axis = -1 : i64} : tensor<10x4xf32>, tensor<3xi64> -> tensor<10x3xf32>
  %2 = nn.scatter_reduce %msg, %dst {reduce = "sum"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<10x16xf32>
  %3 = nn.scatter_reduce %msg, %dst size %n {reduce = "mean"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<?x16xf32>
  %4 = nn.scatter_reduce %m, %dst2 size %n {reduce = "max"} : tensor<?x16xf32>, tensor<?xi32> -> tensor<?x16xf32>
  %5 = nn.scatter_reduce %msg, %dst {reduce = "min"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<7x16xf32>
  return
}
