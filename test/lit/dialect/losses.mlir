// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// CHECK-LABEL: func.func @classification(
// CHECK: %{{.*}} = nn.cross_entropy %{{.*}}, %{{.*}} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
// CHECK: %{{.*}} = nn.cross_entropy %{{.*}}, %{{.*}} {label_smoothing = 1.000000e-01 : f64} : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<f32>
// CHECK: %{{.*}} = nn.cross_entropy %{{.*}}, %{{.*}} {ignore_index = 255 : i64, reduction = "none"} : (tensor<2x5x4x4xf32>, tensor<2x4x4xi32>) -> tensor<2x4x4xf32>
// CHECK: %{{.*}} = nn.nll_loss %{{.*}}, %{{.*}} {reduction = "sum"} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
func.func @classification(%logits: tensor<8x10xf32>, %labels: tensor<8xi64>, %probs: tensor<8x10xf32>, %seg: tensor<2x5x4x4xf32>, %segl: tensor<2x4x4xi32>) {
  %0 = nn.cross_entropy %logits, %labels : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  %1 = nn.cross_entropy %logits, %probs {label_smoothing = 0.1 : f64} : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<f32>
  %2 = nn.cross_entropy %seg, %segl {ignore_index = 255 : i64, reduction = "none"} : (tensor<2x5x4x4xf32>, tensor<2x4x4xi32>) -> tensor<2x4x4xf32>
  %3 = nn.nll_loss %logits, %labels {reduction = "sum"} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @regression(
// CHECK: %{{.*}} = nn.mse_loss %{{.*}}, %{{.*}} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<f32>
// CHECK: %{{.*}} = nn.l1_loss %{{.*}}, %{{.*}} {reduction = "none"} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK: %{{.*}} = nn.bce_loss %{{.*}}, %{{.*}} {reduction = "sum"} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<f32>
// CHECK: %{{.*}} = nn.bce_with_logits_loss %{{.*}}, %{{.*}} : (tensor<?x4xf16>, tensor<?x4xf16>) -> tensor<f16>
// CHECK: %{{.*}} = nn.kl_div_loss %{{.*}}, %{{.*}} {reduction = "batchmean"} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<f32>
// CHECK: %{{.*}} = nn.kl_div_loss %{{.*}}, %{{.*}} {log_target = true, reduction = "none"} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
func.func @regression(%x: tensor<8x4xf32>, %y: tensor<8x4xf32>, %d: tensor<?x4xf16>) {
  %0 = nn.mse_loss %x, %y : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<f32>
  %1 = nn.l1_loss %x, %y {reduction = "none"} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %2 = nn.bce_loss %x, %y {reduction = "sum"} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<f32>
  %3 = nn.bce_with_logits_loss %d, %d : (tensor<?x4xf16>, tensor<?x4xf16>) -> tensor<f16>
  %4 = nn.kl_div_loss %x, %y {reduction = "batchmean"} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<f32>
  %5 = nn.kl_div_loss %x, %y {log_target = true, reduction = "none"} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return
}

// CHECK-LABEL: func.func @contrastive(
// CHECK: %{{.*}} = nn.info_nce_loss %{{.*}}, %{{.*}} {temperature = 1.000000e-01 : f64} : (tensor<16x128xf32>, tensor<16x128xf32>) -> tensor<f32>
// CHECK: %{{.*}} = nn.distillation_loss %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f64, temperature = 4.000000e+00 : f64} : (tensor<8x10xf32>, tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
func.func @contrastive(%a: tensor<16x128xf32>, %p: tensor<16x128xf32>, %s: tensor<8x10xf32>, %t: tensor<8x10xf32>, %y: tensor<8xi64>) {
  %0 = nn.info_nce_loss %a, %p {temperature = 0.1 : f64} : (tensor<16x128xf32>, tensor<16x128xf32>) -> tensor<f32>
  %1 = nn.distillation_loss %s, %t, %y {alpha = 0.5 : f64, temperature = 4.0 : f64} : (tensor<8x10xf32>, tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return
}
