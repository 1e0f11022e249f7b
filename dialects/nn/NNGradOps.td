//===- NNGradOps.td - Gradient and training-step ops --------*- tablegen -*-===//
//
// The ops the differentiation pass (passes/Differentiate.cpp) emits: one
// gradient op per forward op whose vector-Jacobian product is not a
// composition of other nn ops, the training-mode forms of batch norm and
// dropout, and the two side-effecting ops that end a training step.
//
// Convention: a gradient op takes the output gradient `grad_output` first,
// then the forward values the product needs. The forward value a result is
// the gradient of is always an operand, so its type is the result type
// (AllTypesMatch) and the verifier only relates `grad_output` to it.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_NNGRADOPS_TD
#define NNC_DIALECTS_NN_NNGRADOPS_TD

include "dialects/nn/NNDialect.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class NN_GradOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure])>;

//===----------------------------------------------------------------------===//
// Dense and broadcasting
//===----------------------------------------------------------------------===//

def NN_LinearGradWeightOp : NN_GradOp<"linear_grad_weight",
    [AllTypesMatch<["weight", "result"]>]> {
  let summary = "Weight gradient of nn.linear: grad_output^T * input";
  let description = [{
    Sums over every leading dim of `input` [..., in] and `grad_output`
    [..., out]; the result has the weight's type [out, in]. (The input
    gradient is `nn.matmul %dy, %w`, the bias gradient a `nn.reduce_sum`.)
    ```mlir
    %dw = nn.linear_grad_weight %dy, %x, %w : tensor<8x10xf32>, tensor<8x84xf32>, tensor<10x84xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_FloatTensor:$weight);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $weight attr-dict `:` type($grad_output) `,`
    type($input) `,` type($weight)
  }];
  let hasVerifier = 1;
}

def NN_SumToOp : NN_GradOp<"sum_to", [AllTypesMatch<["like", "result"]>]> {
  let summary = "Sums a gradient over the dims `like` was broadcast along";
  let description = [{
    The adjoint of numpy broadcasting (torch's sum_to_size): `grad` has the
    broadcast shape, the result has the shape of `like`, whose values are
    not read.
    ```mlir
    %db = nn.sum_to %dy, %b : tensor<8x10xf32>, tensor<10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$like);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $like attr-dict `:` type($grad) `,` type($like)
  }];
  let hasVerifier = 1;
}

def NN_ReduceGradOp : NN_GradOp<"reduce_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of nn.reduce_sum / nn.reduce_mean";
  let description = [{
    Broadcasts `grad_output` (the reduction's result type) back over the
    reduced `dims` of `input`; with `mean` it is divided by the number of
    reduced elements.
    ```mlir
    %dx = nn.reduce_grad %dy, %x {dims = array<i64: 1>, mean} : tensor<4xf32>, tensor<4x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$dims,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim,
                       UnitAttr:$mean);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input attr-dict `:` type($grad_output) `,` type($input)
  }];
  let hasVerifier = 1;
}

def NN_ReduceSelectGradOp : NN_GradOp<"reduce_select_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of nn.reduce_max / nn.reduce_min";
  let description = [{
    `output` is the forward result; the gradient is split evenly among the
    elements equal to their reduction's result (torch.amax / amin).
    ```mlir
    %dx = nn.reduce_select_grad %dy, %x, %y {dims = array<i64: 1>} : tensor<4xf32>, tensor<4x10xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_FloatTensor:$output, DenseI64ArrayAttr:$dims,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $output attr-dict `:` type($grad_output) `,`
    type($input) `,` type($output)
  }];
  let hasVerifier = 1;
}

def NN_TopKGradOp : NN_GradOp<"top_k_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of the values of nn.top_k";
  let description = [{
    ```mlir
    %dx = nn.top_k_grad %dv, %x, %idx {axis = -1 : i64} : tensor<2x3xf32>, tensor<2x10xf32>, tensor<2x3xi64>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_IntTensor:$indices, NN_I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $indices attr-dict `:` type($grad_output) `,`
    type($input) `,` type($indices)
  }];
  let hasVerifier = 1;
}

def NN_PatchifyGradOp : NN_GradOp<"patchify_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of nn.patchify (the inverse rearrangement)";
  let description = [{
    ```mlir
    %dx = nn.patchify_grad %dp, %x {patch_size = array<i64: 4, 4>} : tensor<2x64x48xf32>, tensor<2x3x32x32xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$patch_size);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input attr-dict `:` type($grad_output) `,` type($input)
  }];
  let hasVerifier = 1;
}

def NN_TimestepEmbeddingGradOp : NN_GradOp<"timestep_embedding_grad",
    [AllTypesMatch<["timesteps", "result"]>]> {
  let summary = "Gradient of nn.timestep_embedding w.r.t. float timesteps";
  let description = [{
    ```mlir
    %dt = nn.timestep_embedding_grad %de, %t : tensor<8x128xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$grad_output,
                       NN_FloatTensor:$timesteps,
                       DefaultValuedAttr<NN_F64Attr, "10000.0">:$max_period);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $timesteps attr-dict `:` type($grad_output) `,`
    type($timesteps)
  }];
  let hasVerifier = 1;
}

def NN_EmbeddingGradOp : NN_GradOp<"embedding_grad",
    [AllTypesMatch<["weight", "result"]>]> {
  let summary = "Weight gradient of nn.embedding (scatter-add of rows)";
  let description = [{
    ```mlir
    %dw = nn.embedding_grad %dy, %ids, %w {padding_idx = 0 : i64}
        : tensor<4x7x16xf32>, tensor<4x7xi64>, tensor<100x16xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_IntTensor:$indices,
                       NN_FloatTensor:$weight,
                       OptionalAttr<NN_I64Attr>:$padding_idx);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $indices `,` $weight attr-dict `:` type($grad_output) `,`
    type($indices) `,` type($weight)
  }];
  let hasVerifier = 1;
}

def NN_SliceGradOp : NN_GradOp<"slice_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of nn.slice: grad_output placed in zeros";
  let description = [{
    Same attributes as the forward nn.slice of `input`.
    ```mlir
    %dx = nn.slice_grad %dy, %x {axis = 0 : i64, end = 4 : i64, start = 3 : i64}
        : tensor<1x8x16xf32>, tensor<4x8x16xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_I64Attr:$axis, NN_I64Attr:$start, NN_I64Attr:$end,
                       DefaultValuedAttr<NN_I64Attr, "1">:$step);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input attr-dict `:` type($grad_output) `,` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

class NN_ConvGradOp<string mnemonic, string what, string of>
    : NN_GradOp<mnemonic, [AllTypesMatch<[of, "result"]>]> {
  let summary = what # " gradient of nn.conv";
  let description = [{
    Same attributes as the forward convolution of `input` by `weight`.
    ```mlir
    %d = nn.}] # mnemonic # [{ %dy, %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>}
        : tensor<8x16x10x10xf32>, tensor<8x6x14x14xf32>, tensor<16x6x5x5xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_FloatTensor:$weight,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation,
                       DefaultValuedAttr<NN_I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $weight attr-dict `:` type($grad_output) `,`
    type($input) `,` type($weight)
  }];
  let hasVerifier = 1;
}
def NN_ConvGradInputOp : NN_ConvGradOp<"conv_grad_input", "Input", "input">;
def NN_ConvGradWeightOp : NN_ConvGradOp<"conv_grad_weight", "Weight", "weight">;

def NN_MaxPoolGradOp : NN_GradOp<"max_pool_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of nn.max_pool (routed to each window's argmax)";
  let description = [{
    ```mlir
    %dx = nn.max_pool_grad %dy, %x {dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>}
        : tensor<8x6x14x14xf32>, tensor<8x6x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input attr-dict `:` type($grad_output) `,` type($input)
  }];
  let hasVerifier = 1;
}

def NN_AvgPoolGradOp : NN_GradOp<"avg_pool_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of nn.avg_pool";
  let description = [{
    ```mlir
    %dx = nn.avg_pool_grad %dy, %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>}
        : tensor<8x6x14x14xf32>, tensor<8x6x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "true">:$count_include_pad);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input attr-dict `:` type($grad_output) `,` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def NN_BatchNormTrainOp : NN_Op<"batch_norm_train", [Pure,
    AttrSizedOperandSegments, AllTypesMatch<["input", "result"]>]> {
  let summary = "Training-mode batch normalisation";
  let description = [{
    Normalises with the batch statistics over every dim but the channel dim
    1, and returns them (`mean`, `inv_std` = 1 / sqrt(var + eps), biased
    variance) with the updated running statistics: (1 - momentum) * running +
    momentum * batch, the variance unbiased, as torch.nn.BatchNorm does.
    ```mlir
    %y, %mean, %istd, %rm, %rv = nn.batch_norm_train %x weight %g bias %b running %m, %v {epsilon = 1.0e-05 : f64, momentum = 1.0e-01 : f64}
        : (tensor<8x6x14x14xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>)
        -> (tensor<8x6x14x14xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       Optional<NN_FloatTensor>:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       NN_FloatTensor:$running_mean,
                       NN_FloatTensor:$running_var,
                       DefaultValuedAttr<NN_F64Attr, "1.0e-5">:$epsilon,
                       DefaultValuedAttr<NN_F64Attr, "0.1">:$momentum);
  let results = (outs NN_FloatTensor:$result, NN_FloatTensor:$mean,
                      NN_FloatTensor:$inv_std, NN_FloatTensor:$new_running_mean,
                      NN_FloatTensor:$new_running_var);
  let assemblyFormat = [{
    $input (`weight` $weight^)? (`bias` $bias^)?
    `running` $running_mean `,` $running_var attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_BatchNormGradOp : NN_GradOp<"batch_norm_grad", [
    AllTypesMatch<["input", "grad_input"]>,
    AllTypesMatch<["mean", "grad_weight", "grad_bias"]>]> {
  let summary = "Gradient of nn.batch_norm_train";
  let description = [{
    From the batch `mean` and `inv_std` of the forward op. Without `weight`
    the affine scale is 1; `grad_weight` and `grad_bias` are still computed.
    ```mlir
    %dx, %dg, %db = nn.batch_norm_grad %dy, %x weight %g stats %mean, %istd
        : (tensor<8x6x14x14xf32>, tensor<8x6x14x14xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>)
        -> (tensor<8x6x14x14xf32>, tensor<6xf32>, tensor<6xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       Optional<NN_FloatTensor>:$weight,
                       NN_FloatTensor:$mean, NN_FloatTensor:$inv_std);
  let results = (outs NN_FloatTensor:$grad_input, NN_FloatTensor:$grad_weight,
                      NN_FloatTensor:$grad_bias);
  let assemblyFormat = [{
    $grad_output `,` $input (`weight` $weight^)? `stats` $mean `,` $inv_std
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_LayerNormGradOp : NN_GradOp<"layer_norm_grad", [AttrSizedOperandSegments,
    AllTypesMatch<["input", "grad_input"]>,
    AllTypesMatch<["grad_weight", "grad_bias"]>]> {
  let summary = "Gradient of nn.layer_norm";
  let description = [{
    Same attributes as the forward op; the statistics are recomputed.
    `grad_weight` / `grad_bias` have the `normalized_shape` and are zero
    when the forward op has no such operand.
    ```mlir
    %dx, %dg, %db = nn.layer_norm_grad %dy, %x weight %g bias %b {normalized_shape = array<i64: 64>}
        : (tensor<2x10x64xf32>, tensor<2x10x64xf32>, tensor<64xf32>, tensor<64xf32>)
        -> (tensor<2x10x64xf32>, tensor<64xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       Optional<NN_FloatTensor>:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$normalized_shape,
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
// Activations and dropout
//===----------------------------------------------------------------------===//

// `value` is the forward input (x) or output (y), as the name says.
class NN_ActivationGradOp<string mnemonic, string what, string formula>
    : NN_GradOp<mnemonic, [AllTypesMatch<["grad_output", "value", "result"]>]> {
  let summary = "Gradient of nn." # what # ": " # formula;
  let description = [{
    ```mlir
    %dx = nn.}] # mnemonic # [{ %dy, %v : tensor<8x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$value);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $value attr-dict `:` type($result)
  }];
}
def NN_ReluGradOp : NN_ActivationGradOp<"relu_grad", "relu",
                                        "dy where x > 0, else 0">;
def NN_SigmoidGradOp : NN_ActivationGradOp<"sigmoid_grad", "sigmoid",
                                           "dy * y * (1 - y), from the output y">;
def NN_TanhGradOp : NN_ActivationGradOp<"tanh_grad", "tanh",
                                        "dy * (1 - y^2), from the output y">;
def NN_GeluGradOp : NN_ActivationGradOp<"gelu_grad", "gelu",
                                        "from the input x"> {
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$value,
                       DefaultValuedStrAttr<StrAttr, "none">:$approximate);
}
def NN_SoftmaxGradOp : NN_ActivationGradOp<"softmax_grad", "softmax",
                                           "y * (dy - sum(dy * y, axis))"> {
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$value,
                       NN_I64Attr:$axis);
}
def NN_LogSoftmaxGradOp : NN_ActivationGradOp<"log_softmax_grad",
    "log_softmax", "dy - exp(y) * sum(dy, axis)"> {
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$value,
                       NN_I64Attr:$axis);
}

// Not Pure: each evaluation draws a new mask.
def NN_DropoutMaskOp : NN_Op<"dropout_mask",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "A training-mode dropout mask: 0 or 1 / (1 - p)";
  let description = [{
    A mask of the input's type whose entries are 0 with probability `p` and
    1 / (1 - p) otherwise (with `spatial`, one draw per (sample, channel)),
    from the run's seeded random stream. Training-mode dropout is
    `nn.mul %x, %mask`, so its gradient is `nn.mul %dy, %mask`.
    ```mlir
    %m = nn.dropout_mask %x {p = 0.2 : f64} : tensor<8x16xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<NN_F64Attr, "0.5">:$p,
                       DefaultValuedAttr<BoolAttr, "false">:$spatial);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def NN_CrossEntropyGradOp : NN_GradOp<"cross_entropy_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of nn.cross_entropy (class indices) w.r.t. logits";
  let description = [{
    Same attributes as the forward loss; `grad_output` has the loss's type.
    ```mlir
    %dx = nn.cross_entropy_grad %dl, %logits, %labels : tensor<f32>, tensor<8x10xf32>, tensor<8xi64>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_IntTensor:$target,
                       DefaultValuedAttr<NN_F64Attr, "0.0">:$label_smoothing,
                       DefaultValuedAttr<NN_I64Attr, "-100">:$ignore_index,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $target attr-dict `:` type($grad_output) `,`
    type($input) `,` type($target)
  }];
  let hasVerifier = 1;
}

def NN_MSELossGradOp : NN_GradOp<"mse_loss_grad",
    [AllTypesMatch<["input", "target", "result"]>]> {
  let summary = "Gradient of nn.mse_loss w.r.t. its input";
  let description = [{
    2 (input - target) dL, divided by the element count for "mean"; the
    target's gradient is its negation.
    ```mlir
    %dx = nn.mse_loss_grad %dl, %x, %y : tensor<f32>, tensor<8x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_FloatTensor:$target,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $target attr-dict `:` type($grad_output) `,`
    type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// The end of a training step
//===----------------------------------------------------------------------===//

def NN_OptimizerStepOp : NN_Op<"optimizer_step", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "Hands the gradients of a step to the optimiser";
  let description = [{
    `grads[i]` is the gradient of the loss w.r.t. parameter `parameters[i]`.
    The optimiser (SGD, Adam, AdamW with their state, schedule, clipping and
    parameter groups) is chosen when the step function runs, so a schedule,
    a resume or a change of learning rate needs no recompilation. One op for
    all parameters: global-norm clipping needs every gradient before any
    update.
    ```mlir
    nn.optimizer_step [@"fc.weight", @"fc.bias"] %dw, %db : tensor<10x84xf32>, tensor<10xf32>
    ```
  }];
  let arguments = (ins SymbolRefArrayAttr:$parameters,
                       Variadic<NN_FloatTensor>:$grads);
  let assemblyFormat = [{
    $parameters ($grads^ `:` type($grads))? attr-dict
  }];
}

def NN_AssignOp : NN_Op<"assign", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    MemoryEffects<[MemWrite]>]> {
  let summary = "Overwrites a buffer (batch-norm running statistics)";
  let description = [{
    The new value is visible to the next run of any function of the module.
    ```mlir
    nn.assign @"bn1.running_mean", %new : tensor<16xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, NN_AnyTensor:$value);
  let assemblyFormat = "$name `,` $value attr-dict `:` type($value)";
}

#endif // NNC_DIALECTS_NN_NNGRADOPS_TD
