//===- NNLayerOps.td - Dense, conv, pooling, reduction, norm -*- tablegen -*-=//

#ifndef NNC_DIALECTS_NN_NNLAYEROPS_TD
#define NNC_DIALECTS_NN_NNLAYEROPS_TD

include "dialects/nn/NNDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Dense
//===----------------------------------------------------------------------===//

def NN_LinearOp : NN_Op<"linear", [Pure, NN_InferTensorType]> {
  let summary = "Affine map y = x * weight^T + bias over the last dim";
  let description = [{
    input [..., in], weight [out, in], optional bias [out] -> [..., out].
    ```mlir
    %y = nn.linear %x, %w, %b : (tensor<8x784xf32>, tensor<10x784xf32>, tensor<10xf32>) -> tensor<8x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_FusedLinearOp : NN_Op<"fused_linear", [Pure, AttrSizedOperandSegments,
                                              NN_InferTensorType]> {
  let summary = "A linear layer with its inference epilogue applied as it is stored";
  let description = [{
    `nn.linear` of input, weight and bias, then, each when present: batch
    normalisation of its features with the running statistics (a rank-2
    result, whose dim 1 is the feature dim; `running_mean` and
    `running_var`, affine with `bn_weight` and `bn_bias`, `epsilon`), the
    addition of `residual` (of the result's type), and ReLU (`relu`) or
    GELU (`gelu`, its `approximate` mode: "none" or "tanh").
    nn-fuse-epilogues forms it for inference; the runtime applies the
    epilogue to each part of the GEMM's output as soon as it is computed.
    ```mlir
    %y = nn.fused_linear %x, %w, %b residual %r {relu}
        : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
    %z = nn.fused_linear %x, %w, %b {gelu = "tanh"}
        : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<8x32xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       Optional<NN_FloatTensor>:$running_mean,
                       Optional<NN_FloatTensor>:$running_var,
                       Optional<NN_FloatTensor>:$bn_weight,
                       Optional<NN_FloatTensor>:$bn_bias,
                       Optional<NN_FloatTensor>:$residual,
                       DefaultValuedAttr<NN_F64Attr, "1.0e-5">:$epsilon,
                       UnitAttr:$relu, OptionalAttr<StrAttr>:$gelu);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)?
    (`running` $running_mean^ `,` $running_var)?
    (`bn_weight` $bn_weight^)? (`bn_bias` $bn_bias^)?
    (`residual` $residual^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_MatmulOp : NN_Op<"matmul", [Pure, NN_InferTensorType]> {
  let summary = "Batched matrix product with broadcast batch dims";
  let description = [{
    torch.matmul for operands of rank >= 2: [..., n, k] x [..., k, m] ->
    [broadcast(...), n, m].
    ```mlir
    %c = nn.matmul %a, %b : tensor<4x8x16xf32>, tensor<16x32xf32> -> tensor<4x8x32xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs);
  let results = (outs NN_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

def NN_EmbeddingOp : NN_Op<"embedding", [Pure, NN_InferTensorType]> {
  let summary = "Table lookup: weight[indices]";
  let description = [{
    indices (any rank, integer) and weight [num, dim] -> indices.shape + [dim].
    ```mlir
    %e = nn.embedding %ids, %table : tensor<4x7xi64>, tensor<100x16xf32> -> tensor<4x7x16xf32>
    ```
  }];
  let arguments = (ins NN_IntTensor:$indices, NN_FloatTensor:$weight,
                       OptionalAttr<NN_I64Attr>:$padding_idx);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $indices `,` $weight attr-dict `:` type($indices) `,` type($weight) `->`
    type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Convolution and pooling: [N, C, *spatial], 1 to 3 spatial dims
//===----------------------------------------------------------------------===//

def NN_ConvOp : NN_Op<"conv", [Pure, NN_InferTensorType]> {
  let summary = "N-d convolution (cross-correlation) with groups";
  let description = [{
    input [N, C, *S], weight [O, C/groups, *K], optional bias [O].
    Output size per spatial dim:
    floor((S + 2 * padding - dilation * (K - 1) - 1) / stride) + 1.
    ```mlir
    %y = nn.conv %x, %w, %b {dilation = array<i64: 1, 1>, padding = array<i64: 2, 2>, stride = array<i64: 1, 1>}
        : (tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>, tensor<6xf32>) -> tensor<1x6x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation,
                       DefaultValuedAttr<NN_I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_FusedConvOp : NN_Op<"fused_conv", [Pure, AttrSizedOperandSegments,
                                          NN_InferTensorType]> {
  let summary = "A convolution with its inference epilogue applied as it is stored";
  let description = [{
    `nn.conv` of input, weight and bias, then, each when present: batch
    normalisation with the running statistics (`running_mean` and
    `running_var`, affine with `bn_weight` and `bn_bias`, `epsilon`), the
    addition of `residual` (of the result's type), and ReLU (`relu`).
    nn-fuse-epilogues forms it from those ops for inference; the
    runtime's convolution applies the epilogue to each output tile while it
    is still in registers, instead of a second pass over memory.
    ```mlir
    %y = nn.fused_conv %x, %w running %m, %v residual %r {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1>, relu, stride = array<i64: 1, 1>}
        : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       Optional<NN_FloatTensor>:$running_mean,
                       Optional<NN_FloatTensor>:$running_var,
                       Optional<NN_FloatTensor>:$bn_weight,
                       Optional<NN_FloatTensor>:$bn_bias,
                       Optional<NN_FloatTensor>:$residual,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation,
                       DefaultValuedAttr<NN_I64Attr, "1">:$groups,
                       DefaultValuedAttr<NN_F64Attr, "1.0e-5">:$epsilon,
                       UnitAttr:$relu);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)?
    (`running` $running_mean^ `,` $running_var)?
    (`bn_weight` $bn_weight^)? (`bn_bias` $bn_bias^)?
    (`residual` $residual^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_ConvTransposeOp : NN_Op<"conv_transpose", [Pure, NN_InferTensorType]> {
  let summary = "N-d transposed convolution with groups";
  let description = [{
    input [N, C, *S], weight [C, O/groups, *K], optional bias [O]. Output size:
    (S - 1) * stride - 2 * padding + dilation * (K - 1) + output_padding + 1.
    ```mlir
    %y = nn.conv_transpose %x, %w {dilation = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
        : (tensor<1x16x7x7xf32>, tensor<16x8x3x3xf32>) -> tensor<1x8x14x14xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$output_padding,
                       DenseI64ArrayAttr:$dilation,
                       DefaultValuedAttr<NN_I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

class NN_PoolOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, NN_InferTensorType])> {
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
}

def NN_MaxPoolOp : NN_PoolOp<"max_pool"> {
  let summary = "N-d max pooling";
  let description = [{
    PyTorch's output size, including the ceil_mode rule that the last window
    must start inside the input or the left padding.
    ```mlir
    %y = nn.max_pool %x {dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>}
        : tensor<1x6x28x28xf32> -> tensor<1x6x14x14xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
}

def NN_AvgPoolOp : NN_PoolOp<"avg_pool"> {
  let summary = "N-d average pooling";
  let description = [{
    ```mlir
    %y = nn.avg_pool %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>}
        : tensor<1x6x28x28xf32> -> tensor<1x6x14x14xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "true">:$count_include_pad);
}

class NN_AdaptivePoolOp<string mnemonic, string what> : NN_PoolOp<mnemonic> {
  let summary = "N-d adaptive " # what # " pooling to a fixed output size";
  let description = [{
    [N, C, *S] -> [N, C, *output_size].
    ```mlir
    %y = nn.}] # mnemonic # [{ %x {output_size = array<i64: 1, 1>} : tensor<2x512x7x7xf32> -> tensor<2x512x1x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$output_size);
}
def NN_AdaptiveAvgPoolOp : NN_AdaptivePoolOp<"adaptive_avg_pool", "average">;
def NN_AdaptiveMaxPoolOp : NN_AdaptivePoolOp<"adaptive_max_pool", "max">;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class NN_ReduceOp<string mnemonic, string what, Type tensorType>
    : NN_Op<mnemonic, [Pure, NN_InferTensorType]> {
  let summary = what # " over `dims`";
  let description = [{
    `dims` are distinct, negative values count from the end; an empty list
    reduces over every dim. With `keepdim` the reduced dims stay as size 1.
    ```mlir
    %s = nn.}] # mnemonic # [{ %x {dims = array<i64: -1>, keepdim = true} : tensor<4x10xf32> -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins tensorType:$input, DenseI64ArrayAttr:$dims,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs tensorType:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
}
def NN_ReduceSumOp : NN_ReduceOp<"reduce_sum", "Sum", NN_NumericTensor>;
def NN_ReduceMeanOp : NN_ReduceOp<"reduce_mean", "Mean", NN_FloatTensor>;
def NN_ReduceMaxOp : NN_ReduceOp<"reduce_max", "Maximum", NN_NumericTensor>;
def NN_ReduceMinOp : NN_ReduceOp<"reduce_min", "Minimum", NN_NumericTensor>;

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def NN_BatchNormOp : NN_Op<"batch_norm", [Pure, AttrSizedOperandSegments,
                                          NN_InferTensorType]> {
  let summary = "Batch normalisation over the channel dim (dim 1)";
  let description = [{
    input [N, C, ...]; weight, bias, running_mean and running_var are [C].
    ```mlir
    %y = nn.batch_norm %x weight %g bias %b running %m, %v {epsilon = 1.0e-05 : f64}
        : (tensor<8x6x14x14xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<8x6x14x14xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       Optional<NN_FloatTensor>:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       NN_FloatTensor:$running_mean,
                       NN_FloatTensor:$running_var,
                       DefaultValuedAttr<NN_F64Attr, "1.0e-5">:$epsilon,
                       DefaultValuedAttr<NN_F64Attr, "0.1">:$momentum);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`weight` $weight^)? (`bias` $bias^)?
    `running` $running_mean `,` $running_var attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_LayerNormOp : NN_Op<"layer_norm", [Pure, AttrSizedOperandSegments,
                                          NN_InferTensorType]> {
  let summary = "Layer normalisation over the trailing `normalized_shape` dims";
  let description = [{
    ```mlir
    %y = nn.layer_norm %x weight %g bias %b {normalized_shape = array<i64: 64>}
        : (tensor<2x10x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x10x64xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       Optional<NN_FloatTensor>:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$normalized_shape,
                       DefaultValuedAttr<NN_F64Attr, "1.0e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`weight` $weight^)? (`bias` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_GroupNormOp : NN_Op<"group_norm", [Pure, AttrSizedOperandSegments,
                                          NN_InferTensorType]> {
  let summary = "Group normalisation (instance norm when num_groups = C)";
  let description = [{
    input [N, C, ...] with C divisible by num_groups; weight and bias are [C].
    ```mlir
    %y = nn.group_norm %x weight %g bias %b {num_groups = 4 : i64}
        : (tensor<2x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x16x8x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       Optional<NN_FloatTensor>:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       NN_I64Attr:$num_groups,
                       DefaultValuedAttr<NN_F64Attr, "1.0e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`weight` $weight^)? (`bias` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

#endif // NNC_DIALECTS_NN_NNLAYEROPS_TD
