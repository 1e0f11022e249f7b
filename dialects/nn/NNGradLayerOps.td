//===- NNGradLayerOps.td - Gradients of structured layers ---*- tablegen -*-===//
//
// Gradients of the layers with several weights or results: transposed
// convolution, adaptive pooling, group norm, recurrent layers, attention,
// mixture of experts and the graph gather/scatter ops. Each gradient op takes
// the forward op's result gradients, then its operands in the same order
// (with the same optional operands present), and the same attributes; the
// results are the gradients of the float operands, in operand order.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_NNGRADLAYEROPS_TD
#define NNC_DIALECTS_NN_NNGRADLAYEROPS_TD

include "dialects/nn/NNGradOps.td"

def NN_ConvTransposeGradOp : NN_GradOp<"conv_transpose_grad", [
    AllTypesMatch<["input", "grad_input"]>,
    AllTypesMatch<["weight", "grad_weight"]>]> {
  let summary = "Input and weight gradients of nn.conv_transpose";
  let description = [{
    ```mlir
    %dx, %dw = nn.conv_transpose_grad %dy, %x, %w {dilation = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
        : tensor<1x8x14x14xf32>, tensor<1x16x7x7xf32>, tensor<16x8x3x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_FloatTensor:$weight,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$output_padding,
                       DenseI64ArrayAttr:$dilation,
                       DefaultValuedAttr<NN_I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$grad_input, NN_FloatTensor:$grad_weight);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $weight attr-dict `:` type($grad_output) `,`
    type($input) `,` type($weight)
  }];
  let hasVerifier = 1;
}

class NN_AdaptivePoolGradOp<string mnemonic, string what>
    : NN_GradOp<mnemonic, [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of nn.adaptive_" # what # "_pool";
  let description = [{
    ```mlir
    %dx = nn.}] # mnemonic # [{ %dy, %x : tensor<2x8x3x3xf32>, tensor<2x8x7x7xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input attr-dict `:` type($grad_output) `,` type($input)
  }];
  let hasVerifier = 1;
}
def NN_AdaptiveAvgPoolGradOp
    : NN_AdaptivePoolGradOp<"adaptive_avg_pool_grad", "avg">;
def NN_AdaptiveMaxPoolGradOp
    : NN_AdaptivePoolGradOp<"adaptive_max_pool_grad", "max">;

def NN_GroupNormGradOp : NN_GradOp<"group_norm_grad", [AttrSizedOperandSegments,
    AllTypesMatch<["input", "grad_input"]>,
    AllTypesMatch<["grad_weight", "grad_bias"]>]> {
  let summary = "Gradient of nn.group_norm";
  let description = [{
    `grad_weight` / `grad_bias` are [C] and zero without the operand.
    ```mlir
    %dx, %dg, %db = nn.group_norm_grad %dy, %x weight %g bias %b {num_groups = 4 : i64}
        : (tensor<2x16x8x8xf32>, tensor<2x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>)
        -> (tensor<2x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       Optional<NN_FloatTensor>:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       NN_I64Attr:$num_groups,
                       DefaultValuedAttr<NN_F64Attr, "1.0e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$grad_input, NN_FloatTensor:$grad_weight,
                      NN_FloatTensor:$grad_bias);
  let assemblyFormat = [{
    $grad_output `,` $input (`weight` $weight^)? (`bias` $bias^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Recurrent layers: backpropagation through time
//===----------------------------------------------------------------------===//

class NN_RecurrentGradOp<string mnemonic, string what, dag states,
                         dag resultGrads, dag extraAttrs>
    : NN_GradOp<mnemonic, [AttrSizedOperandSegments]> {
  let summary = "Backpropagation through time of nn." # what;
  let description = [{
    Result gradients first (output, h_n, and c_n for LSTM), then the forward
    operands and attributes. `grad_states_and_weights` holds the gradients of
    the present initial states (h0, then c0) followed by one per weight. The
    forward pass is recomputed; a `training_seed` (set by nn-differentiate
    when there is inter-layer dropout) regenerates the forward's masks.
  }];
  let arguments = !con(resultGrads,
                       (ins NN_FloatTensor:$input), states,
                       (ins Variadic<NN_FloatTensor>:$weights,
                            NN_I64Attr:$hidden_size,
                            DefaultValuedAttr<NN_I64Attr, "1">:$num_layers,
                            DefaultValuedAttr<BoolAttr, "false">:$bidirectional,
                            DefaultValuedAttr<BoolAttr, "false">:$batch_first,
                            DefaultValuedAttr<BoolAttr, "true">:$has_biases,
                            DefaultValuedAttr<NN_F64Attr, "0.0">:$dropout,
                            OptionalAttr<NN_I64Attr>:$training_seed),
                       extraAttrs);
  let results = (outs NN_FloatTensor:$grad_input,
                      Variadic<NN_FloatTensor>:$grad_states_and_weights);
  let assemblyFormat = [{
    `(` operands `)` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_RNNGradOp : NN_RecurrentGradOp<"rnn_grad", "rnn",
    (ins Optional<NN_FloatTensor>:$h0),
    (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$grad_h_n),
    (ins DefaultValuedStrAttr<StrAttr, "tanh">:$nonlinearity)>;
def NN_LSTMGradOp : NN_RecurrentGradOp<"lstm_grad", "lstm",
    (ins Optional<NN_FloatTensor>:$h0, Optional<NN_FloatTensor>:$c0),
    (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$grad_h_n,
         NN_FloatTensor:$grad_c_n),
    (ins)>;
def NN_GRUGradOp : NN_RecurrentGradOp<"gru_grad", "gru",
    (ins Optional<NN_FloatTensor>:$h0),
    (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$grad_h_n),
    (ins)>;

//===----------------------------------------------------------------------===//
// Attention and mixture of experts
//===----------------------------------------------------------------------===//

def NN_ScaledDotProductAttentionGradOp
    : NN_GradOp<"scaled_dot_product_attention_grad", [
        AllTypesMatch<["query", "grad_query"]>,
        AllTypesMatch<["key", "grad_key"]>,
        AllTypesMatch<["value", "grad_value"]>]> {
  let summary = "Gradients of nn.scaled_dot_product_attention";
  let description = [{
    The probabilities are recomputed per (batch, head) block; masked
    positions get no gradient. With a float `attn_mask` (an additive bias,
    such as T5's relative positions) `grad_attn_mask` is its gradient.
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$query,
                       NN_FloatTensor:$key, NN_FloatTensor:$value,
                       Optional<NN_MaskOrFloatTensor>:$attn_mask,
                       DefaultValuedAttr<BoolAttr, "false">:$is_causal,
                       OptionalAttr<NN_F64Attr>:$scale);
  let results = (outs NN_FloatTensor:$grad_query, NN_FloatTensor:$grad_key,
                      NN_FloatTensor:$grad_value,
                      Optional<NN_FloatTensor>:$grad_attn_mask);
  let assemblyFormat = [{
    `(` operands `)` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_RelativePositionBiasGradOp : NN_GradOp<"relative_position_bias_grad",
    [AllTypesMatch<["weight", "result"]>]> {
  let summary = "Weight gradient of nn.relative_position_bias";
  let description = [{
    Each bias gradient is added to its relative-position bucket's row.
    ```mlir
    %dw = nn.relative_position_bias_grad %dy, %w {max_distance = 128 : i64, num_buckets = 32 : i64}
        : tensor<1x4x16x16xf32>, tensor<32x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$weight,
                       NN_I64Attr:$num_buckets, NN_I64Attr:$max_distance,
                       DefaultValuedAttr<BoolAttr, "true">:$bidirectional);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $weight attr-dict `:` type($grad_output) `,`
    type($weight)
  }];
  let hasVerifier = 1;
}

def NN_MultiHeadAttentionGradOp
    : NN_GradOp<"multi_head_attention_grad", [AttrSizedOperandSegments,
        AllTypesMatch<["query", "grad_query"]>,
        AllTypesMatch<["key", "grad_key"]>,
        AllTypesMatch<["value", "grad_value"]>]> {
  let summary = "Gradients of nn.multi_head_attention";
  let description = [{
    `grad_weights` has one gradient per present projection operand, in
    operand order (in_proj_weight, q/k/v_proj_weight, in_proj_bias,
    out_proj_weight, out_proj_bias).
  }];
  let arguments = (ins NN_FloatTensor:$grad_output,
                       NN_FloatTensor:$query, NN_FloatTensor:$key,
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
  let results = (outs NN_FloatTensor:$grad_query, NN_FloatTensor:$grad_key,
                      NN_FloatTensor:$grad_value,
                      Variadic<NN_FloatTensor>:$grad_weights);
  let assemblyFormat = [{
    `(` operands `)` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_AdditiveAttentionGradOp : NN_GradOp<"additive_attention_grad", [
    AllTypesMatch<["query", "grad_query"]>, AllTypesMatch<["keys", "grad_keys"]>,
    AllTypesMatch<["query_weight", "grad_query_weight"]>,
    AllTypesMatch<["key_weight", "grad_key_weight"]>,
    AllTypesMatch<["score_weight", "grad_score_weight"]>]> {
  let summary = "Gradients of nn.additive_attention";
  let arguments = (ins NN_FloatTensor:$grad_context,
                       NN_FloatTensor:$grad_weights, NN_FloatTensor:$query,
                       NN_FloatTensor:$keys, NN_FloatTensor:$query_weight,
                       NN_FloatTensor:$key_weight,
                       NN_FloatTensor:$score_weight);
  let results = (outs NN_FloatTensor:$grad_query, NN_FloatTensor:$grad_keys,
                      NN_FloatTensor:$grad_query_weight,
                      NN_FloatTensor:$grad_key_weight,
                      NN_FloatTensor:$grad_score_weight);
  let assemblyFormat = [{
    `(` operands `)` attr-dict `:` functional-type(operands, results)
  }];
}

def NN_MoEGradOp : NN_GradOp<"moe_grad", [
    AllTypesMatch<["input", "grad_input"]>,
    AllTypesMatch<["gate_weight", "grad_gate_weight"]>]> {
  let summary = "Gradients of nn.moe";
  let description = [{
    The routing is recomputed; only the selected experts receive gradient,
    the gate through the selected experts' weights and the auxiliary loss.
    `grad_expert_weights` has one gradient per expert weight.
  }];
  let arguments = (ins NN_FloatTensor:$grad_output,
                       RankedTensorOf<[F32]>:$grad_aux_loss,
                       NN_FloatTensor:$input, NN_FloatTensor:$gate_weight,
                       Variadic<NN_FloatTensor>:$expert_weights,
                       NN_I64Attr:$num_experts,
                       DefaultValuedAttr<NN_I64Attr, "1">:$top_k,
                       DefaultValuedStrAttr<StrAttr, "relu">:$activation,
                       DefaultValuedAttr<BoolAttr, "false">:$has_bias);
  let results = (outs NN_FloatTensor:$grad_input,
                      NN_FloatTensor:$grad_gate_weight,
                      Variadic<NN_FloatTensor>:$grad_expert_weights);
  let assemblyFormat = [{
    `(` operands `)` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Graph message passing
//===----------------------------------------------------------------------===//

def NN_GatherGradOp : NN_GradOp<"gather_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of nn.gather: scatter-add into zeros";
  let description = [{
    ```mlir
    %dx = nn.gather_grad %dy, %x, %idx {axis = 0 : i64} : tensor<3x4xf32>, tensor<10x4xf32>, tensor<3xi64>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_IntTensor:$index, NN_I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $index attr-dict `:` type($grad_output) `,`
    type($input) `,` type($index)
  }];
  let hasVerifier = 1;
}

def NN_ScatterReduceGradOp : NN_GradOp<"scatter_reduce_grad",
    [AllTypesMatch<["src", "result"]>, AllTypesMatch<["grad_output", "output"]>]> {
  let summary = "Gradient of nn.scatter_reduce w.r.t. its source rows";
  let description = [{
    `output` is the forward result (max/min route the gradient to the rows
    that attained it, ties sharing it evenly).
    ```mlir
    %ds = nn.scatter_reduce_grad %dy, %src, %idx, %out {reduce = "mean"} : tensor<?x8xf32>, tensor<12x8xf32>, tensor<12xi64>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$src,
                       NN_IntTensor:$index, NN_FloatTensor:$output,
                       StrAttr:$reduce);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $src `,` $index `,` $output attr-dict `:`
    type($grad_output) `,` type($src) `,` type($index)
  }];
  let hasVerifier = 1;
}

#endif // NNC_DIALECTS_NN_NNGRADLAYEROPS_TD
