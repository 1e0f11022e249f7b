// RUN: nnc-opt %s -split-input-file -verify-diagnostics

func.func @ce_target_shape(%x: tensor<8x10xf32>, %y: tensor<4xi64>) {
  // expected-error @+1 {{'nn.cross_entropy' op class-index target has shape [4] but expected [8]}}
  %0 = nn.cross_entropy %x, %y : (tensor<8x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_probabilities(%x: tensor<8x10xf32>, %y: tensor<8x5xf32>) {
  // expected-error @+1 {{'nn.cross_entropy' op probability target has shape [8, 5] but expected [8, 10]}}
  %0 = nn.cross_entropy %x, %y : (tensor<8x10xf32>, tensor<8x5xf32>) -> tensor<f32>
  return
}

// -----

func.func @ce_smoothing(%x: tensor<8x10xf32>, %y: tensor<8xi64>) {
  // expected-error @+1 {{'nn.cross_entropy' op label_smoothing must be in [0, 1], got 1.500000e+00}}
  %0 = nn.cross_entropy %x, %y {label_smoothing = 1.5 : f64} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_reduction(%x: tensor<8x10xf32>, %y: tensor<8xi64>) {
  // expected-error @+1 {{'nn.cross_entropy' op reduction must be one of 'mean', 'sum', 'none'; got 'batchmean'}}
  %0 = nn.cross_entropy %x, %y {reduction = "batchmean"} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_none_result(%x: tensor<8x10xf32>, %y: tensor<8xi64>) {
  // expected-error @+1 {{'nn.cross_entropy' op result 0 has type 'tensor<f32>' but the operands imply 'tensor<8xf32>'}}
  %0 = nn.cross_entropy %x, %y {reduction = "none"} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @nll_float_target(%x: tensor<8x10xf32>, %y: tensor<8x10xf32>) {
  // expected-error @+1 {{'nn.nll_loss' op operand #1 must be ranked tensor of 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values}}
  %0 = nn.nll_loss %x, %y : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<f32>
  return
}

// -----

func.func @nll_rank(%x: tensor<10xf32>, %y: tensor<i64>) {
  // expected-error @+1 {{'nn.nll_loss' op input must have rank >= 2, got rank 1 ('tensor<10xf32>')}}
  %0 = nn.nll_loss %x, %y : (tensor<10xf32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @mse_shape(%x: tensor<8x4xf32>, %y: tensor<8x5xf32>) {
  // expected-error @+1 {{'nn.mse_loss' op target has shape [8, 5] but expected [8, 4]}}
  %0 = nn.mse_loss %x, %y : (tensor<8x4xf32>, tensor<8x5xf32>) -> tensor<f32>
  return
}

// -----

func.func @l1_element_type(%x: tensor<8x4xf32>, %y: tensor<8x4xf16>) {
  // expected-error @+1 {{'nn.l1_loss' op target has element type 'f16' but input has 'f32'}}
  %0 = nn.l1_loss %x, %y : (tensor<8x4xf32>, tensor<8x4xf16>) -> tensor<f32>
  return
}

// -----

func.func @bce_reduction(%x: tensor<8xf32>) {
  // expected-error @+1 {{'nn.bce_loss' op reduction must be one of 'mean', 'sum', 'none'; got 'max'}}
  %0 = nn.bce_loss %x, %x {reduction = "max"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @bce_logits_result(%x: tensor<8xf32>) {
  // expected-error @+1 {{'nn.bce_with_logits_loss' op result 0 has type 'tensor<f16>' but the operands imply 'tensor<f32>'}}
  %0 = nn.bce_with_logits_loss %x, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<f16>
  return
}

// -----

func.func @kl_shape(%x: tensor<8x10xf32>, %y: tensor<8x9xf32>) {
  // expected-error @+1 {{'nn.kl_div_loss' op target has shape [8, 9] but expected [8, 10]}}
  %0 = nn.kl_div_loss %x, %y {reduction = "batchmean"} : (tensor<8x10xf32>, tensor<8x9xf32>) -> tensor<f32>
  return
}

// -----

func.func @info_nce_temperature(%a: tensor<16x128xf32>) {
  // expected-error @+1 {{'nn.info_nce_loss' op temperature must be > 0, got 0.000000e+00}}
  %0 = nn.info_nce_loss %a, %a {temperature = 0.0 : f64} : (tensor<16x128xf32>, tensor<16x128xf32>) -> tensor<f32>
  return
}

// -----

func.func @info_nce_shape(%a: tensor<16x128xf32>, %p: tensor<8x128xf32>) {
  // expected-error @+1 {{'nn.info_nce_loss' op positive has shape [8, 128] but expected [16, 128]}}
  %0 = nn.info_nce_loss %a, %p {temperature = 0.1 : f64} : (tensor<16x128xf32>, tensor<8x128xf32>) -> tensor<f32>
  return
}

// -----

func.func @distillation_alpha(%s: tensor<8x10xf32>, %y: tensor<8xi64>) {
  // expected-error @+1 {{'nn.distillation_loss' op alpha must be in [0, 1], got 2.000000e+00}}
  %0 = nn.distillation_loss %s, %s, %y {alpha = 2.0 : f64, temperature = 4.0 : f64} : (tensor<8x10xf32>, tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @distillation_teacher(%s: tensor<8x10xf32>, %t: tensor<8x12xf32>, %y: tensor<8xi64>) {
  // expected-error @+1 {{'nn.distillation_loss' op teacher has shape [8, 12] but expected [8, 10]}}
  %0 = nn.distillation_loss %s, %t, %y {alpha = 0.5 : f64, temperature = 4.0 : f64} : (tensor<8x10xf32>, tensor<8x12xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @distillation_target(%s: tensor<8x10xf32>, %y: tensor<4xi64>) {
  // expected-error @+1 {{'nn.distillation_loss' op target has shape [4] but expected [8]}}
  %0 = nn.distillation_loss %s, %s, %y {alpha = 0.5 : f64, temperature = 4.0 : f64} : (tensor<8x10xf32>, tensor<8x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}
