// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// CHECK-LABEL: func.func @sdpa(
// CHECK: %{{.*}} = nn.scaled_dot_product_attention %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x4x10x16xf32>, tensor<2x4x12x16xf32>, tensor<2x4x12x32xf32>) -> tensor<2x4x10x32xf32>
// CHECK: %{{.*}} = nn.scaled_dot_product_attention %{{.*}}, %{{.*}}, %{{.*}} {is_causal = true, scale = 1.250000e-01 : f64} : (tensor<2x4x10x16xf32>, tensor<2x4x10x16xf32>, tensor<2x4x10x16xf32>) -> tensor<2x4x10x16xf32>
// CHECK: %{{.*}} = nn.scaled_dot_product_attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : (tensor<2x4x10x16xf32>, tensor<2x4x12x16xf32>, tensor<2x4x12x32xf32>, tensor<10x12xi1>) -> tensor<2x4x10x32xf32>
// CHECK: %{{.*}} = nn.scaled_dot_product_attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : (tensor<2x4x10x16xf32>, tensor<2x4x12x16xf32>, tensor<2x4x12x32xf32>, tensor<2x1x10x12xf32>) -> tensor<2x4x10x32xf32>
func.func @sdpa(%q: tensor<2x4x10x16xf32>, %k: tensor<2x4x12x16xf32>, %v: tensor<2x4x12x32xf32>, %m: tensor<10x12xi1>, %fm: tensor<2x1x10x12xf32>) {
  %0 = nn.scaled_dot_product_attention %q, %k, %v : (tensor<2x4x10x16xf32>, tensor<2x4x12x16xf32>, tensor<2x4x12x32xf32>) -> tensor<2x4x10x32xf32>
  %1 = nn.scaled_dot_product_attention %q, %q, %q {is_causal = true, scale = 0.125 : f64} : (tensor<2x4x10x16xf32>, tensor<2x4x10x16xf32>, tensor<2x4x10x16xf32>) -> tensor<2x4x10x16xf32>
  %2 = nn.scaled_dot_product_attention %q, %k, %v mask %m : (tensor<2x4x10x16xf32>, tensor<2x4x12x16xf32>, tensor<2x4x12x32xf32>, tensor<10x12xi1>) -> tensor<2x4x10x32xf32>
  %3 = nn.scaled_dot_product_attention %q, %k, %v mask %fm : (tensor<2x4x10x16xf32>, tensor<2x4x12x16xf32>, tensor<2x4x12x32xf32>, tensor<2x1x10x12xf32>) -> tensor<2x4x10x32xf32>
  return
}

// CHECK-LABEL: func.func @mha(
// CHECK: %{{.*}} = nn.multi_head_attention %{{.*}}, %{{.*}}, %{{.*}} in_proj_weight %{{.*}} in_proj_bias %{{.*}} out_proj_weight %{{.*}} out_proj_bias %{{.*}} {batch_first = true, num_heads = 4 : i64} : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x10x64xf32>
// CHECK: %{{.*}} = nn.multi_head_attention %{{.*}}, %{{.*}}, %{{.*}} q_proj_weight %{{.*}} k_proj_weight %{{.*}} v_proj_weight %{{.*}} out_proj_weight %{{.*}} key_padding_mask %{{.*}} attn_mask %{{.*}} {dropout = 1.000000e-01 : f64, num_heads = 8 : i64} : (tensor<5x2x64xf32>, tensor<7x2x32xf32>, tensor<7x2x32xf32>, tensor<64x64xf32>, tensor<64x32xf32>, tensor<64x32xf32>, tensor<64x64xf32>, tensor<2x7xi1>, tensor<5x7xf32>) -> tensor<5x2x64xf32>
// CHECK: %{{.*}} = nn.multi_head_attention %{{.*}}, %{{.*}}, %{{.*}} in_proj_weight %{{.*}} out_proj_weight %{{.*}} attn_mask %{{.*}} {batch_first = true, is_causal = true, num_heads = 4 : i64} : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<192x64xf32>, tensor<64x64xf32>, tensor<8x10x10xi1>) -> tensor<2x10x64xf32>
func.func @mha(%x: tensor<2x10x64xf32>, %w: tensor<192x64xf32>, %b: tensor<192xf32>, %ow: tensor<64x64xf32>, %ob: tensor<64xf32>,
               %kv: tensor<7x2x32xf32>, %q: tensor<5x2x64xf32>, %kw: tensor<64x32xf32>, %kpm: tensor<2x7xi1>, %am: tensor<5x7xf32>, %am3: tensor<8x10x10xi1>) {
  %0 = nn.multi_head_attention %x, %x, %x in_proj_weight %w in_proj_bias %b out_proj_weight %ow out_proj_bias %ob {batch_first = true, num_heads = 4 : i64}
      : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<192x64xf32>, tensor<192xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x10x64xf32>
  %1 = nn.multi_head_attention %q, %kv, %kv q_proj_weight %ow k_proj_weight %kw v_proj_weight %kw out_proj_weight %ow key_padding_mask %kpm attn_mask %am {dropout = 0.1 : f64, num_heads = 8 : i64}
      : (tensor<5x2x64xf32>, tensor<7x2x32xf32>, tensor<7x2x32xf32>, tensor<64x64xf32>, tensor<64x32xf32>, tensor<64x32xf32>, tensor<64x64xf32>, tensor<2x7xi1>, tensor<5x7xf32>) -> tensor<5x2x64xf32>
  %2 = nn.multi_head_attention %x, %x, %x in_proj_weight %w out_proj_weight %ow attn_mask %am3 {batch_first = true, is_causal = true, num_heads = 4 : i64}
      : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<192x64xf32>, tensor<64x64xf32>, tensor<8x10x10xi1>) -> tensor<2x10x64xf32>
  return
}

// CHECK-LABEL: func.func @additive(
// CHECK: %{{.*}}, %{{.*}} = nn.additive_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x32xf32>, tensor<4x7x64xf32>, tensor<16x32xf32>, tensor<16x64xf32>, tensor<1x16xf32>) -> (tensor<4x64xf32>, tensor<4x7xf32>)
func.func @additive(%q: tensor<4x32xf32>, %k: tensor<4x7x64xf32>, %wq: tensor<16x32xf32>, %wk: tensor<16x64xf32>, %v: tensor<1x16xf32>) {
  %0:2 = nn.additive_attention %q, %k, %wq, %wk, %v : (tensor<4x32xf32>, tensor<4x7x64xf32>, tensor<16x32xf32>, tensor<16x64xf32>, tensor<1x16xf32>) -> (tensor<4x64xf32>, tensor<4x7xf32>)
  return
}

// CHECK-LABEL: func.func @positions(
// CHECK: %{{.*}} = nn.sinusoidal_position_encoding %{{.*}} : tensor<2x10x64xf32> -> tensor<10x64xf32>
// CHECK: %{{.*}} = nn.timestep_embedding %{{.*}} {dim = 128 : i64} : tensor<8xi64> -> tensor<8x128xf32>
// CHECK: %{{.*}} = nn.timestep_embedding %{{.*}} {dim = 64 : i64, max_period = 1.000000e+03 : f64} : tensor<?xf32> -> tensor<?x64xf32>
// CHECK: %{{.*}} = nn.relative_position_bias %{{.*}}, %{{.*}}, %{{.*}} {max_distance = 128 : i64, num_buckets = 32 : i64} : (tensor<2x10x64xf32>, tensor<2x12x64xf32>, tensor<32x8xf32>) -> tensor<1x8x10x12xf32>
// CHECK: %{{.*}} = nn.relative_position_bias %{{.*}}, %{{.*}}, %{{.*}} {bidirectional = false, max_distance = 64 : i64, num_buckets = 32 : i64} : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<32x8xf32>) -> tensor<1x8x10x10xf32>
func.func @positions(%x: tensor<2x10x64xf32>, %t: tensor<8xi64>, %tf: tensor<?xf32>, %q: tensor<2x10x64xf32>, %k: tensor<2x12x64xf32>, %table: tensor<32x8xf32>) {
  %0 = nn.sinusoidal_position_encoding %x : tensor<2x10x64xf32> -> tensor<10x64xf32>
  %1 = nn.timestep_embedding %t {dim = 128 : i64} : tensor<8xi64> -> tensor<8x128xf32>
  %2 = nn.timestep_embedding %tf {dim = 64 : i64, max_period = 1000.0 : f64} : tensor<?xf32> -> tensor<?x64xf32>
  %3 = nn.relative_position_bias %q, %k, %table {max_distance = 128 : i64, num_buckets = 32 : i64} : (tensor<2x10x64xf32>, tensor<2x12x64xf32>, tensor<32x8xf32>) -> tensor<1x8x10x12xf32>
  %4 = nn.relative_position_bias %q, %q, %table {bidirectional = false, max_distance = 64 : i64, num_buckets = 32 : i64} : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<32x8xf32>) -> tensor<1x8x10x10xf32>
  return
}

// CHECK-LABEL: func.func @moe(
// CHECK: %{{.*}}, %{{.*}} = nn.moe %{{.*}}, %{{.*}} experts(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {activation = "gelu", num_experts = 2 : i64} : (tensor<4x16xf32>, tensor<2x16xf32>, tensor<32x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<16x32xf32>) -> (tensor<4x16xf32>, tensor<f32>)
// CHECK: %{{.*}}, %{{.*}} = nn.moe %{{.*}}, %{{.*}} experts(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {has_bias = true, num_experts = 2 : i64, top_k = 2 : i64} : (tensor<4x16xf32>, tensor<2x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<f32>)
func.func @moe(%x: tensor<4x16xf32>, %gate: tensor<2x16xf32>, %w1: tensor<32x16xf32>, %b1: tensor<32xf32>, %w2: tensor<16x32xf32>, %b2: tensor<16xf32>, %w1b: tensor<8x16xf32>, %w2b: tensor<16x8xf32>, %b1b: tensor<8xf32>) {
  %0:2 = nn.moe %x, %gate experts(%w1, %w2, %w1, %w2) {activation = "gelu", num_experts = 2 : i64}
      : (tensor<4x16xf32>, tensor<2x16xf32>, tensor<32x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<16x32xf32>) -> (tensor<4x16xf32>, tensor<f32>)
  // Experts may have different hidden sizes.
  %1:2 = nn.moe %x, %gate experts(%w1, %b1, %w2, %b2, %w1b, %b1b, %w2b, %b2) {has_bias = true, num_experts = 2 : i64, top_k = 2 : i64}
      : (tensor<4x16xf32>, tensor<2x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<f32>)
  return
}
