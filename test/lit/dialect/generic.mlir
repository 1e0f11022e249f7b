// Ops built the way the front end builds them: generic form, inherent
// attributes in the attribute dictionary, defaults omitted, explicit
// operandSegmentSizes. They must verify, print in custom form and survive a
// generic round trip.
// RUN: nnc-opt %s | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

"nn.parameter"() {sym_name = "fc.weight", type = tensor<10x4xf32>, init = "uniform", init_scale = 0.5 : f64} : () -> ()
"nn.parameter"() {sym_name = "bn.running_mean", type = tensor<6xf32>, init = "zeros", buffer} : () -> ()
// CHECK: nn.parameter @fc.weight : tensor<10x4xf32> {init = "uniform", init_scale = 5.000000e-01 : f64}
// CHECK: nn.parameter @bn.running_mean : tensor<6xf32> {buffer, init = "zeros"}
// GENERIC: "nn.parameter"() <{buffer, init = "zeros", sym_name = "bn.running_mean", type = tensor<6xf32>}> : () -> ()

// CHECK-LABEL: func.func @front_end_style(
func.func @front_end_style(%x: tensor<2x4xf32>, %img: tensor<1x6x8x8xf32>, %m: tensor<2x?xf32>, %n: index) {
  // CHECK: nn.param @fc.weight : tensor<10x4xf32>
  %w = "nn.param"() {name = @"fc.weight"} : () -> tensor<10x4xf32>
  // CHECK: nn.linear %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<10x4xf32>) -> tensor<2x10xf32>
  %y = "nn.linear"(%x, %w) : (tensor<2x4xf32>, tensor<10x4xf32>) -> tensor<2x10xf32>
  // CHECK: nn.batch_norm %{{.*}} running %{{.*}}, %{{.*}} : (tensor<1x6x8x8xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x8x8xf32>
  // GENERIC: "nn.batch_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{epsilon = 1.000000e-05 : f64, momentum = 1.000000e-01 : f64, operandSegmentSizes = array<i32: 1, 0, 0, 1, 1>}>
  %rm = "nn.param"() {name = @"bn.running_mean"} : () -> tensor<6xf32>
  %bn = "nn.batch_norm"(%img, %rm, %rm) {operandSegmentSizes = array<i32: 1, 0, 0, 1, 1>} : (tensor<1x6x8x8xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x8x8xf32>
  // The explicit result may be less static than the inferred tensor<1x6x4x4xf32>.
  // CHECK: nn.max_pool %{{.*}} {{.*}} : tensor<1x6x8x8xf32> -> tensor<?x6x?x4xf32>
  %p = "nn.max_pool"(%bn) {kernel_size = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : (tensor<1x6x8x8xf32>) -> tensor<?x6x?x4xf32>
  // CHECK: nn.reshape %{{.*}}[%{{.*}}] : tensor<2x?xf32> -> tensor<?xf32>
  // GENERIC: "nn.reshape"(%{{.*}}, %{{.*}}) : (tensor<2x?xf32>, index) -> tensor<?xf32>
  %r = "nn.reshape"(%m, %n) : (tensor<2x?xf32>, index) -> tensor<?xf32>
  // CHECK: nn.choice "edge" : tensor<2x4xf32> {
  // CHECK-NEXT: "skip" {
  // CHECK: "relu" {
  // GENERIC: "nn.choice"() <{candidates = ["skip", "relu"], name = "edge"}> ({
  %c = "nn.choice"() ({
    "nn.yield"(%x) : (tensor<2x4xf32>) -> ()
  }, {
    %t = "nn.relu"(%x) : (tensor<2x4xf32>) -> tensor<2x4xf32>
    "nn.yield"(%t) : (tensor<2x4xf32>) -> ()
  }) {name = "edge", candidates = ["skip", "relu"]} : () -> tensor<2x4xf32>
  return
}

// CHECK-LABEL: func.func @segments(
func.func @segments(%x: tensor<5x2x8xf32>, %h: tensor<1x2x8xf32>, %wih: tensor<32x8xf32>, %whh: tensor<32x8xf32>,
                    %q: tensor<2x10x64xf32>, %w: tensor<192x64xf32>, %ow: tensor<64x64xf32>, %kpm: tensor<2x10xi1>) {
  // CHECK: nn.lstm %{{.*}} c0 %{{.*}} weights(%{{.*}}, %{{.*}}) {has_biases = false, hidden_size = 8 : i64}
  // GENERIC: operandSegmentSizes = array<i32: 1, 0, 1, 2>
  %o:3 = "nn.lstm"(%x, %h, %wih, %whh) {hidden_size = 8 : i64, has_biases = false, operandSegmentSizes = array<i32: 1, 0, 1, 2>}
      : (tensor<5x2x8xf32>, tensor<1x2x8xf32>, tensor<32x8xf32>, tensor<32x8xf32>) -> (tensor<5x2x8xf32>, tensor<1x2x8xf32>, tensor<1x2x8xf32>)
  // CHECK: nn.multi_head_attention %{{.*}}, %{{.*}}, %{{.*}} in_proj_weight %{{.*}} out_proj_weight %{{.*}} key_padding_mask %{{.*}} {batch_first = true, num_heads = 8 : i64}
  // GENERIC: operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0>
  %a = "nn.multi_head_attention"(%q, %q, %q, %w, %ow, %kpm) {num_heads = 8 : i64, batch_first = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0>}
      : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<192x64xf32>, tensor<64x64xf32>, tensor<2x10xi1>) -> tensor<2x10x64xf32>
  return
}
