// RUN: nnc-opt %s -split-input-file -verify-diagnostics

func.func @relu_int(%x: tensor<4xi32>) {
  // expected-error @+1 {{'nn.relu' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = nn.relu %x : tensor<4xi32>
  return
}

// -----

func.func @unary_result_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.sigmoid' op failed to verify that all of {input, result} have same type}}
  %0 = "nn.sigmoid"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @gelu_mode(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.gelu' op approximate must be one of 'none', 'tanh'; got 'erf'}}
  %0 = nn.gelu %x {approximate = "erf"} : tensor<4xf32>
  return
}

// -----

func.func @elu_alpha(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.elu' op alpha must be finite, got INF}}
  %0 = nn.elu %x {alpha = 0x7FF0000000000000 : f64} : tensor<4xf32>
  return
}

// -----

func.func @leaky_relu_slope(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.leaky_relu' op negative_slope must be finite, got nan}}
  %0 = nn.leaky_relu %x {negative_slope = 0x7FF8000000000000 : f64} : tensor<4xf32>
  return
}

// -----

func.func @softplus_beta(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.softplus' op beta must be > 0, got 0.000000e+00}}
  %0 = nn.softplus %x {beta = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @dropout_p(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.dropout' op p must be in [0, 1), got 1.000000e+00}}
  %0 = nn.dropout %x {p = 1.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @dropout_spatial(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.dropout' op spatial dropout drops channels (dim 1) and needs rank >= 2, got rank 1}}
  %0 = nn.dropout %x {spatial = true} : tensor<4xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.softmax' op axis 2 is out of range for rank 2 (expected -2 to 1)}}
  %0 = nn.softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @log_softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.log_softmax' op axis -3 is out of range for rank 2 (expected -2 to 1)}}
  %0 = nn.log_softmax %x {axis = -3 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @prelu_channels(%x: tensor<2x3x4xf32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.prelu' op weight has 4 entries but the input has 3 channels}}
  %0 = nn.prelu %x, %a : tensor<2x3x4xf32>, tensor<4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @prelu_rank(%x: tensor<2x3x4xf32>, %a: tensor<3x1xf32>) {
  // expected-error @+1 {{'nn.prelu' op weight must have rank 1, got rank 2 ('tensor<3x1xf32>')}}
  %0 = nn.prelu %x, %a : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'nn.add' op operand shapes [2, 3] and [4] are not broadcast-compatible}}
  %0 = nn.add %a, %b : tensor<2x3xf32>, tensor<4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @binary_element_types(%a: tensor<3xf32>, %b: tensor<3xf16>) {
  // expected-error @+1 {{'nn.mul' op operands have different element types ('f32' and 'f16')}}
  %0 = nn.mul %a, %b : tensor<3xf32>, tensor<3xf16> -> tensor<3xf32>
  return
}

// -----

func.func @binary_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'nn.sub' op result 0 has type 'tensor<3x3xf32>' but the operands imply 'tensor<2x3xf32>'}}
  %0 = nn.sub %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @binary_masks(%a: tensor<3xi1>) {
  // expected-error @+1 {{'nn.maximum' op operand #0 must be ranked tensor of}}
  %0 = nn.maximum %a, %a : tensor<3xi1>, tensor<3xi1> -> tensor<3xi1>
  return
}

// -----

func.func @cast_shape(%x: tensor<4xi64>) {
  // expected-error @+1 {{'nn.cast' op changes the shape from [4] to [5]; nn.cast only converts the element type}}
  %0 = nn.cast %x : tensor<4xi64> to tensor<5xf32>
  return
}

// -----

func.func @fill_int(%x: tensor<4xi8>) {
  // expected-error @+1 {{'nn.fill' op value 3.000000e+02 is out of range for 'i8'}}
  %0 = nn.fill %x {value = 300.0 : f64} : tensor<4xi8>
  return
}

// -----

func.func @fill_fraction(%x: tensor<4xi1>) {
  // expected-error @+1 {{'nn.fill' op value 5.000000e-01 is not representable in 'i1'}}
  %0 = nn.fill %x {value = 0.5 : f64} : tensor<4xi1>
  return
}

// -----

func.func @random_normal_int(%x: tensor<4xi32>) {
  // expected-error @+1 {{'nn.random_normal' op operand #0 must be ranked tensor of 16-bit float}}
  %0 = nn.random_normal %x : tensor<4xi32>
  return
}

// -----

func.func @div_pow_types(%a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'nn.div' op operands have different element types ('f32' and 'i32')}}
  %0 = nn.div %a, %b : tensor<3xf32>, tensor<3xi32> -> tensor<3xf32>
  return
}

// -----

func.func @pow_broadcast(%a: tensor<2x?xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{'nn.pow' op operand shapes [2, ?] and [3, 5] are not broadcast-compatible}}
  %0 = nn.pow %a, %b : tensor<2x?xf32>, tensor<3x5xf32> -> tensor<3x5xf32>
  return
}

// -----

func.func @minimum_result(%a: tensor<3xi64>) {
  // expected-error @+1 {{'nn.minimum' op result 0 has type 'tensor<3xi32>' but the operands imply 'tensor<3xi64>'}}
  %0 = nn.minimum %a, %a : tensor<3xi64>, tensor<3xi64> -> tensor<3xi32>
  return
}

// -----

func.func @abs_mask(%x: tensor<3xi1>) {
  // expected-error @+1 {{'nn.abs' op operand #0 must be ranked tensor of}}
  %0 = nn.abs %x : tensor<3xi1>
  return
}

// -----

func.func @tanh_int(%x: tensor<4xi64>) {
  // expected-error @+1 {{'nn.tanh' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi64>'}}
  %0 = nn.tanh %x : tensor<4xi64>
  return
}

// -----

func.func @silu_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{'nn.silu' op operand #0 must be ranked tensor of}}
  %0 = "nn.silu"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @selu_result(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.selu' op failed to verify that all of {input, result} have same type}}
  %0 = "nn.selu"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @exp_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.exp' op failed to verify that all of {input, result} have same type}}
  %0 = "nn.exp"(%x) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @log_int(%x: tensor<4xi8>) {
  // expected-error @+1 {{'nn.log' op operand #0 must be ranked tensor of}}
  %0 = nn.log %x : tensor<4xi8>
  return
}

// -----

func.func @sqrt_mask(%x: tensor<4xi1>) {
  // expected-error @+1 {{'nn.sqrt' op operand #0 must be ranked tensor of}}
  %0 = nn.sqrt %x : tensor<4xi1>
  return
}

// -----

func.func @rsqrt_result(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.rsqrt' op failed to verify that all of {input, result} have same type}}
  %0 = "nn.rsqrt"(%x) : (tensor<4xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @neg_result(%x: tensor<4xi32>) {
  // expected-error @+1 {{'nn.neg' op failed to verify that all of {input, result} have same type}}
  %0 = "nn.neg"(%x) : (tensor<4xi32>) -> tensor<4xi64>
  return
}
