//===- NNGradPointwiseOps.td - Gradients of pointwise ops ---*- tablegen -*-===//
//
// Gradients of the activations, broadcasting binary ops and losses that
// NNGradOps.td does not cover. Same conventions: `grad_output` first, then
// the forward values; each result has the type of the forward value it is
// the gradient of.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_NNGRADPOINTWISEOPS_TD
#define NNC_DIALECTS_NN_NNGRADPOINTWISEOPS_TD

include "dialects/nn/NNGradOps.td"

def NN_UnaryGradOp : NN_GradOp<"unary_grad",
    [AllTypesMatch<["grad_output", "input", "output", "result"]>]> {
  let summary = "Gradient of an attribute-free elementwise op, by name";
  let description = [{
    `op` names the forward op: silu, selu, abs, rsqrt, sqrt, exp, log,
    sigmoid, tanh or relu. `input` and `output` are the forward op's input
    and result (each kernel reads the one its formula needs).
    ```mlir
    %dx = nn.unary_grad "silu" %dy, %x, %y : tensor<8x10xf32>
    ```
  }];
  let arguments = (ins StrAttr:$op, NN_FloatTensor:$grad_output,
                       NN_FloatTensor:$input, NN_FloatTensor:$output);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $op $grad_output `,` $input `,` $output attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def NN_EluGradOp : NN_ActivationGradOp<"elu_grad", "elu", "from the input x"> {
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$value,
                       DefaultValuedAttr<NN_F64Attr, "1.0">:$alpha);
}
def NN_LeakyReluGradOp : NN_ActivationGradOp<"leaky_relu_grad", "leaky_relu",
                                             "from the input x"> {
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$value,
                       DefaultValuedAttr<NN_F64Attr, "0.01">:$negative_slope);
}
def NN_SoftplusGradOp : NN_ActivationGradOp<"softplus_grad", "softplus",
                                            "from the input x"> {
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$value,
                       DefaultValuedAttr<NN_F64Attr, "1.0">:$beta,
                       DefaultValuedAttr<NN_F64Attr, "20.0">:$threshold);
}

def NN_PReluGradOp : NN_GradOp<"prelu_grad", [
    AllTypesMatch<["grad_output", "input", "grad_input"]>,
    AllTypesMatch<["weight", "grad_weight"]>]> {
  let summary = "Gradient of nn.prelu w.r.t. its input and slopes";
  let description = [{
    ```mlir
    %dx, %dw = nn.prelu_grad %dy, %x, %w : tensor<2x3x4xf32>, tensor<3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_FloatTensor:$weight);
  let results = (outs NN_FloatTensor:$grad_input, NN_FloatTensor:$grad_weight);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $weight attr-dict `:` type($input) `,`
    type($weight)
  }];
}

def NN_BinaryGradOp : NN_GradOp<"binary_grad", [
    AllTypesMatch<["lhs", "grad_lhs"]>, AllTypesMatch<["rhs", "grad_rhs"]>]> {
  let summary = "Gradients of nn.pow / nn.maximum / nn.minimum";
  let description = [{
    `op` names the forward op; `grad_output` has the broadcast result's
    shape, each gradient its operand's (ties of maximum/minimum split the
    gradient evenly, as PyTorch).
    ```mlir
    %da, %db = nn.binary_grad "maximum" %dy, %a, %b : tensor<8x10xf32>, tensor<8x10xf32>, tensor<10xf32>
    ```
  }];
  let arguments = (ins StrAttr:$op, NN_FloatTensor:$grad_output,
                       NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$grad_lhs, NN_FloatTensor:$grad_rhs);
  let assemblyFormat = [{
    $op $grad_output `,` $lhs `,` $rhs attr-dict `:` type($grad_output) `,`
    type($lhs) `,` type($rhs)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def NN_PointwiseLossGradOp : NN_GradOp<"pointwise_loss_grad", [
    AllTypesMatch<["input", "target", "grad_input", "grad_target"]>]> {
  let summary = "Gradients of l1, bce, bce-with-logits and KL-divergence losses";
  let description = [{
    `loss` names the forward op (l1_loss, bce_loss, bce_with_logits_loss,
    kl_div_loss); `reduction` and `log_target` are the forward op's.
    ```mlir
    %dx, %dt = nn.pointwise_loss_grad "bce_with_logits_loss" %dl, %x, %t : tensor<f32>, tensor<8x4xf32>
    ```
  }];
  let arguments = (ins StrAttr:$loss, NN_FloatTensor:$grad_output,
                       NN_FloatTensor:$input, NN_FloatTensor:$target,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction,
                       DefaultValuedAttr<BoolAttr, "false">:$log_target);
  let results = (outs NN_FloatTensor:$grad_input, NN_FloatTensor:$grad_target);
  let assemblyFormat = [{
    $loss $grad_output `,` $input `,` $target attr-dict `:`
    type($grad_output) `,` type($input)
  }];
  let hasVerifier = 1;
}

def NN_NLLLossGradOp : NN_GradOp<"nll_loss_grad",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Gradient of nn.nll_loss w.r.t. the log-probabilities";
  let description = [{
    ```mlir
    %dx = nn.nll_loss_grad %dl, %logp, %labels : tensor<f32>, tensor<8x10xf32>, tensor<8xi64>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_IntTensor:$target,
                       DefaultValuedAttr<NN_I64Attr, "-100">:$ignore_index,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $target attr-dict `:` type($grad_output) `,`
    type($input) `,` type($target)
  }];
  let hasVerifier = 1;
}

def NN_CrossEntropyProbsGradOp : NN_GradOp<"cross_entropy_probs_grad", [
    AllTypesMatch<["input", "target", "grad_input", "grad_target"]>]> {
  let summary = "Gradients of nn.cross_entropy with probability targets";
  let description = [{
    ```mlir
    %dx, %dq = nn.cross_entropy_probs_grad %dl, %logits, %q : tensor<f32>, tensor<8x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$input,
                       NN_FloatTensor:$target,
                       DefaultValuedAttr<NN_F64Attr, "0.0">:$label_smoothing,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
  let results = (outs NN_FloatTensor:$grad_input, NN_FloatTensor:$grad_target);
  let assemblyFormat = [{
    $grad_output `,` $input `,` $target attr-dict `:` type($grad_output) `,`
    type($input)
  }];
  let hasVerifier = 1;
}

def NN_DistillationLossGradOp : NN_GradOp<"distillation_loss_grad", [
    AllTypesMatch<["student", "teacher", "grad_student", "grad_teacher"]>]> {
  let summary = "Gradients of nn.distillation_loss w.r.t. student and teacher";
  let description = [{
    ```mlir
    %ds, %dt = nn.distillation_loss_grad %dl, %s, %t, %y {alpha = 5.0e-01 : f64, temperature = 4.0 : f64}
        : tensor<f32>, tensor<8x10xf32>, tensor<8xi64>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$student,
                       NN_FloatTensor:$teacher, NN_IntTensor:$target,
                       NN_F64Attr:$temperature, NN_F64Attr:$alpha);
  let results = (outs NN_FloatTensor:$grad_student,
                      NN_FloatTensor:$grad_teacher);
  let assemblyFormat = [{
    $grad_output `,` $student `,` $teacher `,` $target attr-dict `:`
    type($grad_output) `,` type($student) `,` type($target)
  }];
  let hasVerifier = 1;
}

def NN_InfoNCELossGradOp : NN_GradOp<"info_nce_loss_grad", [
    AllTypesMatch<["anchor", "positive", "grad_anchor", "grad_positive"]>]> {
  let summary = "Gradients of nn.info_nce_loss";
  let description = [{
    ```mlir
    %da, %dp = nn.info_nce_loss_grad %dl, %a, %p {temperature = 1.0e-01 : f64} : tensor<f32>, tensor<16x128xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad_output, NN_FloatTensor:$anchor,
                       NN_FloatTensor:$positive, NN_F64Attr:$temperature);
  let results = (outs NN_FloatTensor:$grad_anchor,
                      NN_FloatTensor:$grad_positive);
  let assemblyFormat = [{
    $grad_output `,` $anchor `,` $positive attr-dict `:` type($grad_output)
    `,` type($anchor)
  }];
  let hasVerifier = 1;
}

#endif // NNC_DIALECTS_NN_NNGRADPOINTWISEOPS_TD
