//===- NNSequenceOps.td - Recurrent layers and attention ----*- tablegen -*-===//

#ifndef NNC_DIALECTS_NN_NNSEQUENCEOPS_TD
#define NNC_DIALECTS_NN_NNSEQUENCEOPS_TD

include "dialects/nn/NNDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

class NN_RecurrentOp<string mnemonic, string what, int gates>
    : NN_Op<mnemonic, [Pure, AttrSizedOperandSegments, NN_InferTensorType]> {
  let summary = "Multi-layer " # what # " (PyTorch layout and weight order)";
  let description = [{
    input is [B, T, I] with `batch_first`, else [T, B, I]. `weights` holds, per
    layer and per direction (forward, then reverse), weight_ih [G*H, in_l] and
    weight_hh [G*H, H], followed by bias_ih [G*H] and bias_hh [G*H] when
    `has_biases`; in_0 = I and in_l = H * D for later layers (D = 2 when
    bidirectional). G = }] # gates # [{. Results: output [B, T, D*H] (or
    [T, B, D*H]) and h_n [L*D, B, H] (plus c_n for nn.lstm). `dropout`
    between layers applies in training only: nn-differentiate sets
    `training_seed` (the op's stream of dropout masks within a step).
  }];
  let results = (outs NN_FloatTensor:$output, NN_FloatTensor:$h_n);
  // Common attributes; each op appends its own below.
  dag commonAttrs = (ins NN_I64Attr:$hidden_size,
                         DefaultValuedAttr<NN_I64Attr, "1">:$num_layers,
                         DefaultValuedAttr<BoolAttr, "false">:$bidirectional,
                         DefaultValuedAttr<BoolAttr, "false">:$batch_first,
                         DefaultValuedAttr<BoolAttr, "true">:$has_biases,
                         DefaultValuedAttr<NN_F64Attr, "0.0">:$dropout,
                         OptionalAttr<NN_I64Attr>:$training_seed);
  let extraClassDeclaration = [{
    /// Number of gate blocks stacked in each weight matrix.
    static constexpr int64_t kNumGates = }] # gates # [{;
  }];
}

def NN_RNNOp : NN_RecurrentOp<"rnn", "Elman RNN", 1> {
  let arguments = !con((ins NN_FloatTensor:$input,
                            Optional<NN_FloatTensor>:$h0,
                            Variadic<NN_FloatTensor>:$weights),
                       commonAttrs,
                       (ins DefaultValuedStrAttr<StrAttr, "tanh">:$nonlinearity));
  let assemblyFormat = [{
    $input (`h0` $h0^)? `weights` `(` $weights `)` attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_LSTMOp : NN_RecurrentOp<"lstm", "LSTM", 4> {
  let arguments = !con((ins NN_FloatTensor:$input,
                            Optional<NN_FloatTensor>:$h0,
                            Optional<NN_FloatTensor>:$c0,
                            Variadic<NN_FloatTensor>:$weights),
                       commonAttrs);
  let results = (outs NN_FloatTensor:$output, NN_FloatTensor:$h_n,
                      NN_FloatTensor:$c_n);
  let assemblyFormat = [{
    $input (`h0` $h0^)? (`c0` $c0^)? `weights` `(` $weights `)` attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_GRUOp : NN_RecurrentOp<"gru", "GRU", 3> {
  let arguments = !con((ins NN_FloatTensor:$input,
                            Optional<NN_FloatTensor>:$h0,
                            Variadic<NN_FloatTensor>:$weights),
                       commonAttrs);
  let assemblyFormat = [{
    $input (`h0` $h0^)? `weights` `(` $weights `)` attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def NN_ScaledDotProductAttentionOp
    : NN_Op<"scaled_dot_product_attention", [Pure, NN_InferTensorType]> {
  let summary = "softmax(q k^T * scale + mask) v";
  let description = [{
    query [..., Tq, E], key [..., Tk, E], value [..., Tk, Ev] -> [..., Tq, Ev]
    (batch dims broadcast). `attn_mask` is i1 (true = attend) or a float
    tensor added to the scores, broadcastable to [..., Tq, Tk]. `scale`
    defaults to 1 / sqrt(E).
    ```mlir
    %o = nn.scaled_dot_product_attention %q, %k, %v {is_causal = true}
        : (tensor<2x4x10x16xf32>, tensor<2x4x10x16xf32>, tensor<2x4x10x16xf32>) -> tensor<2x4x10x16xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$query, NN_FloatTensor:$key,
                       NN_FloatTensor:$value,
                       Optional<NN_MaskOrFloatTensor>:$attn_mask,
                       DefaultValuedAttr<BoolAttr, "false">:$is_causal,
                       OptionalAttr<NN_F64Attr>:$scale);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $attn_mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_MultiHeadAttentionOp
    : NN_Op<"multi_head_attention", [Pure, AttrSizedOperandSegments,
                                     NN_InferTensorType]> {
  let summary = "torch.nn.MultiheadAttention (the attention output only)";
  let description = [{
    Either the packed in_proj_weight [3E, E] or the three separate projections
    q [E, E], k [E, kdim], v [E, vdim]; in_proj_bias [3E]; out_proj_weight
    [E, E], out_proj_bias [E]. query is [B, Tq, E] with `batch_first`, else
    [Tq, B, E]; the result has the query's type. key_padding_mask [B, Tk]
    (i1: true = ignore); attn_mask [Tq, Tk] or [B * num_heads, Tq, Tk].
    ```mlir
    %o = nn.multi_head_attention %x, %x, %x in_proj_weight %w in_proj_bias %b
        out_proj_weight %ow out_proj_bias %ob {batch_first = true, num_heads = 4 : i64}
        : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<192x64xf32>,
           tensor<192xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x10x64xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$query, NN_FloatTensor:$key,
                       NN_FloatTensor:$value,
                       Optional<NN_FloatTensor>:$in_proj_weight,
                       Optional<NN_FloatTensor>:$q_proj_weight,
                       Optional<NN_FloatTensor>:$k_proj_weight,
                       Optional<NN_FloatTensor>:$v_proj_weight,
                       Optional<NN_FloatTensor>:$in_proj_bias,
                       NN_FloatTensor:$out_proj_weight,
                       Optional<NN_FloatTensor>:$out_proj_bias,
                       Optional<NN_MaskOrFloatTensor>:$key_padding_mask,
                       Optional<NN_MaskOrFloatTensor>:$attn_mask,
                       NN_I64Attr:$num_heads,
                       DefaultValuedAttr<BoolAttr, "false">:$batch_first,
                       DefaultValuedAttr<BoolAttr, "false">:$is_causal,
                       DefaultValuedAttr<NN_F64Attr, "0.0">:$dropout,
                       OptionalAttr<NN_I64Attr>:$training_seed);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value
    (`in_proj_weight` $in_proj_weight^)?
    (`q_proj_weight` $q_proj_weight^)?
    (`k_proj_weight` $k_proj_weight^)?
    (`v_proj_weight` $v_proj_weight^)?
    (`in_proj_bias` $in_proj_bias^)?
    `out_proj_weight` $out_proj_weight
    (`out_proj_bias` $out_proj_bias^)?
    (`key_padding_mask` $key_padding_mask^)?
    (`attn_mask` $attn_mask^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def NN_AdditiveAttentionOp
    : NN_Op<"additive_attention", [Pure, NN_InferTensorType]> {
  let summary = "Bahdanau attention of one query over a sequence of keys";
  let description = [{
    score[b, t] = score_weight . tanh(query_weight q[b] + key_weight k[b, t]);
    weights = softmax over t; context = sum_t weights[b, t] k[b, t].
    query [B, Hq], keys [B, T, Hk], query_weight [A, Hq], key_weight [A, Hk],
    score_weight [1, A] -> context [B, Hk], weights [B, T].
    ```mlir
    %c, %a = nn.additive_attention %q, %k, %wq, %wk, %v
        : (tensor<4x32xf32>, tensor<4x7x64xf32>, tensor<16x32xf32>, tensor<16x64xf32>, tensor<1x16xf32>)
          -> (tensor<4x64xf32>, tensor<4x7xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$query, NN_FloatTensor:$keys,
                       NN_FloatTensor:$query_weight, NN_FloatTensor:$key_weight,
                       NN_FloatTensor:$score_weight);
  let results = (outs NN_FloatTensor:$context, NN_FloatTensor:$weights);
  let assemblyFormat = [{
    $query `,` $keys `,` $query_weight `,` $key_weight `,` $score_weight
    attr-dict `:` functional-type(operands, results)
  }];
}

def NN_SinusoidalPositionEncodingOp
    : NN_Op<"sinusoidal_position_encoding", [Pure, NN_InferTensorType]> {
  let summary = "The Transformer's sinusoidal position table for an input";
  let description = [{
    input [..., T, D] (D even) -> [T, D] with PE(pos, 2i) =
    sin(pos / 10000^(2i/D)) and PE(pos, 2i+1) = cos(pos / 10000^(2i/D)).
    Only the input's shape is read.
    ```mlir
    %pe = nn.sinusoidal_position_encoding %x : tensor<2x10x64xf32> -> tensor<10x64xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def NN_TimestepEmbeddingOp
    : NN_Op<"timestep_embedding", [Pure, NN_InferTensorType]> {
  let summary = "Sinusoidal embedding of diffusion timesteps";
  let description = [{
    timesteps [N] -> [N, dim] f32: [cos(t * f_i), sin(t * f_i)] with
    f_i = max_period^(-i / (dim / 2)), as in the DDPM/ADM code.
    ```mlir
    %e = nn.timestep_embedding %t {dim = 128 : i64} : tensor<8xi64> -> tensor<8x128xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$timesteps, NN_I64Attr:$dim,
                       DefaultValuedAttr<NN_F64Attr, "10000.0">:$max_period);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $timesteps attr-dict `:` type($timesteps) `->` type($result)
  }];
}

def NN_RelativePositionBiasOp
    : NN_Op<"relative_position_bias", [Pure, NN_InferTensorType]> {
  let summary = "T5 bucketed relative position bias";
  let description = [{
    query [B, Tq, ...], key [B, Tk, ...] (only their lengths are read),
    weight [num_buckets, num_heads] -> [1, num_heads, Tq, Tk].
    ```mlir
    %bias = nn.relative_position_bias %q, %k, %table {max_distance = 128 : i64, num_buckets = 32 : i64}
        : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<32x8xf32>) -> tensor<1x8x10x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$query, NN_FloatTensor:$key,
                       NN_FloatTensor:$weight, NN_I64Attr:$num_buckets,
                       NN_I64Attr:$max_distance,
                       DefaultValuedAttr<BoolAttr, "true">:$bidirectional);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $weight attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_MoEOp : NN_Op<"moe", [Pure, NN_InferTensorType]> {
  let summary = "Top-k gated mixture of two-layer MLP experts";
  let description = [{
    input [..., D], gate_weight [E, D]; per expert in order fc1_weight [H, D],
    fc1_bias [H], fc2_weight [D, H], fc2_bias [D] (biases iff `has_bias`).
    Results: output (input's type) and aux_loss, a rank-0 f32 Switch-style
    load-balancing loss.
    ```mlir
    %y, %aux = nn.moe %x, %gate experts(%w1a, %w2a, %w1b, %w2b) {activation = "gelu", num_experts = 2 : i64, top_k = 1 : i64}
        : (tensor<4x16xf32>, tensor<2x16xf32>, tensor<32x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<16x32xf32>)
          -> (tensor<4x16xf32>, tensor<f32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$gate_weight,
                       Variadic<NN_FloatTensor>:$expert_weights,
                       NN_I64Attr:$num_experts,
                       DefaultValuedAttr<NN_I64Attr, "1">:$top_k,
                       DefaultValuedStrAttr<StrAttr, "relu">:$activation,
                       DefaultValuedAttr<BoolAttr, "false">:$has_bias);
  let results = (outs NN_FloatTensor:$output, RankedTensorOf<[F32]>:$aux_loss);
  let assemblyFormat = [{
    $input `,` $gate_weight `experts` `(` $expert_weights `)` attr-dict `:`
    functional-type(operands, results)
  }];
}

#endif // NNC_DIALECTS_NN_NNSEQUENCEOPS_TD
