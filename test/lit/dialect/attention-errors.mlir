// RUN: nnc-opt %s -split-input-file -verify-diagnostics

func.func @sdpa_embedding(%q: tensor<2x10x16xf32>, %k: tensor<2x12x8xf32>, %v: tensor<2x12x8xf32>) {
  // expected-error @+1 {{'nn.scaled_dot_product_attention' op query has embedding size 16 but key has 8}}
  %0 = nn.scaled_dot_product_attention %q, %k, %v : (tensor<2x10x16xf32>, tensor<2x12x8xf32>, tensor<2x12x8xf32>) -> tensor<2x10x8xf32>
  return
}

// -----

func.func @sdpa_lengths(%q: tensor<2x10x16xf32>, %k: tensor<2x12x16xf32>, %v: tensor<2x11x8xf32>) {
  // expected-error @+1 {{'nn.scaled_dot_product_attention' op key has 12 positions but value has 11}}
  %0 = nn.scaled_dot_product_attention %q, %k, %v : (tensor<2x10x16xf32>, tensor<2x12x16xf32>, tensor<2x11x8xf32>) -> tensor<2x10x8xf32>
  return
}

// -----

func.func @sdpa_mask(%q: tensor<2x10x16xf32>, %m: tensor<10x11xi1>) {
  // expected-error @+1 {{'nn.scaled_dot_product_attention' op attn_mask [10, 11] does not broadcast to the scores [2, 10, 10]}}
  %0 = nn.scaled_dot_product_attention %q, %q, %q mask %m : (tensor<2x10x16xf32>, tensor<2x10x16xf32>, tensor<2x10x16xf32>, tensor<10x11xi1>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @sdpa_mask_causal(%q: tensor<2x10x16xf32>, %m: tensor<10x10xi1>) {
  // expected-error @+1 {{'nn.scaled_dot_product_attention' op takes either is_causal or an attn_mask, not both}}
  %0 = nn.scaled_dot_product_attention %q, %q, %q mask %m {is_causal = true} : (tensor<2x10x16xf32>, tensor<2x10x16xf32>, tensor<2x10x16xf32>, tensor<10x10xi1>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @sdpa_mask_type(%q: tensor<2x10x16xf32>, %m: tensor<10x10xf16>) {
  // expected-error @+1 {{'nn.scaled_dot_product_attention' op attn_mask must be i1 or 'f32', got 'f16'}}
  %0 = nn.scaled_dot_product_attention %q, %q, %q mask %m : (tensor<2x10x16xf32>, tensor<2x10x16xf32>, tensor<2x10x16xf32>, tensor<10x10xf16>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @mha_heads(%x: tensor<2x10x64xf32>, %w: tensor<192x64xf32>, %ow: tensor<64x64xf32>) {
  // expected-error @+1 {{'nn.multi_head_attention' op embedding size 64 is not divisible by num_heads=6}}
  %0 = nn.multi_head_attention %x, %x, %x in_proj_weight %w out_proj_weight %ow {batch_first = true, num_heads = 6 : i64}
      : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<192x64xf32>, tensor<64x64xf32>) -> tensor<2x10x64xf32>
  return
}

// -----

func.func @mha_no_projection(%x: tensor<2x10x64xf32>, %ow: tensor<64x64xf32>) {
  // expected-error @+1 {{'nn.multi_head_attention' op needs in_proj_weight or all of q_proj_weight, k_proj_weight and v_proj_weight}}
  %0 = nn.multi_head_attention %x, %x, %x q_proj_weight %ow out_proj_weight %ow {num_heads = 4 : i64}
      : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<2x10x64xf32>
  return
}

// -----

func.func @mha_both_projections(%x: tensor<2x10x64xf32>, %w: tensor<192x64xf32>, %ow: tensor<64x64xf32>) {
  // expected-error @+1 {{'nn.multi_head_attention' op takes either in_proj_weight or q/k/v_proj_weight, not both}}
  %0 = nn.multi_head_attention %x, %x, %x in_proj_weight %w q_proj_weight %ow out_proj_weight %ow {num_heads = 4 : i64}
      : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<192x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<2x10x64xf32>
  return
}

// -----

func.func @mha_packed_kdim(%q: tensor<5x2x64xf32>, %kv: tensor<7x2x32xf32>, %w: tensor<192x64xf32>, %ow: tensor<64x64xf32>) {
  // expected-error @+1 {{'nn.multi_head_attention' op packed in_proj_weight needs key and value of embedding size 64, got 32 and 32; use q/k/v_proj_weight}}
  %0 = nn.multi_head_attention %q, %kv, %kv in_proj_weight %w out_proj_weight %ow {num_heads = 4 : i64}
      : (tensor<5x2x64xf32>, tensor<7x2x32xf32>, tensor<7x2x32xf32>, tensor<192x64xf32>, tensor<64x64xf32>) -> tensor<5x2x64xf32>
  return
}

// -----

func.func @mha_in_proj_shape(%x: tensor<2x10x64xf32>, %w: tensor<128x64xf32>, %ow: tensor<64x64xf32>) {
  // expected-error @+1 {{'nn.multi_head_attention' op in_proj_weight has shape [128, 64] but expected [192, 64]}}
  %0 = nn.multi_head_attention %x, %x, %x in_proj_weight %w out_proj_weight %ow {num_heads = 4 : i64}
      : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<128x64xf32>, tensor<64x64xf32>) -> tensor<2x10x64xf32>
  return
}

// -----

func.func @mha_padding_mask(%x: tensor<10x2x64xf32>, %w: tensor<192x64xf32>, %ow: tensor<64x64xf32>, %m: tensor<10x2xi1>) {
  // expected-error @+1 {{'nn.multi_head_attention' op key_padding_mask has shape [10, 2] but expected [2, 10]}}
  %0 = nn.multi_head_attention %x, %x, %x in_proj_weight %w out_proj_weight %ow key_padding_mask %m {num_heads = 4 : i64}
      : (tensor<10x2x64xf32>, tensor<10x2x64xf32>, tensor<10x2x64xf32>, tensor<192x64xf32>, tensor<64x64xf32>, tensor<10x2xi1>) -> tensor<10x2x64xf32>
  return
}

// -----

func.func @mha_attn_mask(%x: tensor<2x10x64xf32>, %w: tensor<192x64xf32>, %ow: tensor<64x64xf32>, %m: tensor<2x10x10xi1>) {
  // expected-error @+1 {{'nn.multi_head_attention' op attn_mask has shape [2, 10, 10] but expected [8, 10, 10]}}
  %0 = nn.multi_head_attention %x, %x, %x in_proj_weight %w out_proj_weight %ow attn_mask %m {batch_first = true, num_heads = 4 : i64}
      : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<192x64xf32>, tensor<64x64xf32>, tensor<2x10x10xi1>) -> tensor<2x10x64xf32>
  return
}

// -----

func.func @additive_keys(%q: tensor<4x32xf32>, %k: tensor<4x7x64xf32>, %wq: tensor<16x32xf32>, %wk: tensor<16x32xf32>, %v: tensor<1x16xf32>) {
  // expected-error @+1 {{'nn.additive_attention' op key_weight has shape [16, 32] but expected [16, 64]}}
  %0:2 = nn.additive_attention %q, %k, %wq, %wk, %v : (tensor<4x32xf32>, tensor<4x7x64xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<1x16xf32>) -> (tensor<4x64xf32>, tensor<4x7xf32>)
  return
}

// -----

func.func @additive_batch(%q: tensor<3x32xf32>, %k: tensor<4x7x64xf32>, %wq: tensor<16x32xf32>, %wk: tensor<16x64xf32>, %v: tensor<1x16xf32>) {
  // expected-error @+1 {{'nn.additive_attention' op query has batch size 3 but keys have 4}}
  %0:2 = nn.additive_attention %q, %k, %wq, %wk, %v : (tensor<3x32xf32>, tensor<4x7x64xf32>, tensor<16x32xf32>, tensor<16x64xf32>, tensor<1x16xf32>) -> (tensor<3x64xf32>, tensor<3x7xf32>)
  return
}

// -----

func.func @position_odd(%x: tensor<2x10x63xf32>) {
  // expected-error @+1 {{'nn.sinusoidal_position_encoding' op model dim 63 must be even}}
  %0 = nn.sinusoidal_position_encoding %x : tensor<2x10x63xf32> -> tensor<10x63xf32>
  return
}

// -----

func.func @timestep_dim(%t: tensor<8xi64>) {
  // expected-error @+1 {{'nn.timestep_embedding' op dim must be even and >= 2, got 7}}
  %0 = nn.timestep_embedding %t {dim = 7 : i64} : tensor<8xi64> -> tensor<8x7xf32>
  return
}

// -----

func.func @timestep_rank(%t: tensor<8x1xi64>) {
  // expected-error @+1 {{'nn.timestep_embedding' op timesteps must have rank 1, got rank 2 ('tensor<8x1xi64>')}}
  %0 = nn.timestep_embedding %t {dim = 8 : i64} : tensor<8x1xi64> -> tensor<8x8xf32>
  return
}

// -----

func.func @relative_buckets(%q: tensor<2x10x64xf32>, %table: tensor<16x8xf32>) {
  // expected-error @+1 {{'nn.relative_position_bias' op weight has 16 rows but num_buckets=32}}
  %0 = nn.relative_position_bias %q, %q, %table {max_distance = 128 : i64, num_buckets = 32 : i64} : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<16x8xf32>) -> tensor<1x8x10x10xf32>
  return
}

// -----

func.func @relative_distance(%q: tensor<2x10x64xf32>, %table: tensor<32x8xf32>) {
  // expected-error @+1 {{'nn.relative_position_bias' op max_distance must be >= 1, got 0}}
  %0 = nn.relative_position_bias %q, %q, %table {max_distance = 0 : i64, num_buckets = 32 : i64} : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<32x8xf32>) -> tensor<1x8x10x10xf32>
  return
}

// -----

func.func @moe_top_k(%x: tensor<4x16xf32>, %gate: tensor<2x16xf32>, %w1: tensor<32x16xf32>, %w2: tensor<16x32xf32>) {
  // expected-error @+1 {{'nn.moe' op top_k must be in [1, 2], got 3}}
  %0:2 = nn.moe %x, %gate experts(%w1, %w2, %w1, %w2) {num_experts = 2 : i64, top_k = 3 : i64}
      : (tensor<4x16xf32>, tensor<2x16xf32>, tensor<32x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<16x32xf32>) -> (tensor<4x16xf32>, tensor<f32>)
  return
}

// -----

func.func @moe_weight_count(%x: tensor<4x16xf32>, %gate: tensor<2x16xf32>, %w1: tensor<32x16xf32>, %w2: tensor<16x32xf32>) {
  // expected-error @+1 {{'nn.moe' op expects 8 expert weights (2 experts x 4), got 4}}
  %0:2 = nn.moe %x, %gate experts(%w1, %w2, %w1, %w2) {has_bias = true, num_experts = 2 : i64}
      : (tensor<4x16xf32>, tensor<2x16xf32>, tensor<32x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<16x32xf32>) -> (tensor<4x16xf32>, tensor<f32>)
  return
}

// -----

func.func @moe_fc2(%x: tensor<4x16xf32>, %gate: tensor<2x16xf32>, %w1: tensor<32x16xf32>, %w2: tensor<16x8xf32>) {
  // expected-error @+1 {{'nn.moe' op expert 0 fc2_weight has shape [16, 8] but expected [16, 32]}}
  %0:2 = nn.moe %x, %gate experts(%w1, %w2, %w1, %w2) {num_experts = 2 : i64}
      : (tensor<4x16xf32>, tensor<2x16xf32>, tensor<32x16xf32>, tensor<16x8xf32>, tensor<32x16xf32>, tensor<16x8xf32>) -> (tensor<4x16xf32>, tensor<f32>)
  return
}

// -----

func.func @moe_activation(%x: tensor<4x16xf32>, %gate: tensor<1x16xf32>, %w1: tensor<32x16xf32>, %w2: tensor<16x32xf32>) {
  // expected-error @+1 {{'nn.moe' op activation must be one of 'relu', 'gelu', 'silu'; got 'tanh'}}
  %0:2 = nn.moe %x, %gate experts(%w1, %w2) {activation = "tanh", num_experts = 1 : i64}
      : (tensor<4x16xf32>, tensor<1x16xf32>, tensor<32x16xf32>, tensor<16x32xf32>) -> (tensor<4x16xf32>, tensor<f32>)
  return
}

// -----

func.func @moe_gate(%x: tensor<4x16xf32>, %gate: tensor<3x16xf32>, %w1: tensor<32x16xf32>, %w2: tensor<16x32xf32>) {
  // expected-error @+1 {{'nn.moe' op gate_weight has shape [3, 16] but expected [2, 16]}}
  %0:2 = nn.moe %x, %gate experts(%w1, %w2, %w1, %w2) {num_experts = 2 : i64}
      : (tensor<4x16xf32>, tensor<3x16xf32>, tensor<32x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<16x32xf32>) -> (tensor<4x16xf32>, tensor<f32>)
  return
}
