//===- NNLossOps.td - Loss functions ------------------------*- tablegen -*-===//

#ifndef NNC_DIALECTS_NN_NNLOSSOPS_TD
#define NNC_DIALECTS_NN_NNLOSSOPS_TD

include "dialects/nn/NNDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Losses return a rank-0 tensor of the input's float type, except with
// reduction = "none" where they return the per-element loss.
class NN_LossOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, NN_InferTensorType])> {
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    operands attr-dict `:` functional-type(operands, results)
  }];
}

def NN_CrossEntropyLossOp : NN_LossOp<"cross_entropy"> {
  let summary = "Cross entropy of logits against class indices or probabilities";
  let description = [{
    input [N, C] or [N, C, d...] (logits); target integer [N, d...] (class
    indices; entries equal to `ignore_index` are skipped) or float with the
    input's shape (class probabilities). With reduction = "none" the result is
    [N, d...].
    ```mlir
    %l = nn.cross_entropy %logits, %labels : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_NumericTensor:$target,
                       DefaultValuedAttr<NN_F64Attr, "0.0">:$label_smoothing,
                       DefaultValuedAttr<NN_I64Attr, "-100">:$ignore_index,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
}

def NN_NLLLossOp : NN_LossOp<"nll_loss"> {
  let summary = "Negative log likelihood of log-probabilities";
  let description = [{
    input [N, C] or [N, C, d...] (log-probabilities), target integer [N, d...].
    ```mlir
    %l = nn.nll_loss %logp, %labels {reduction = "sum"} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_IntTensor:$target,
                       DefaultValuedAttr<NN_I64Attr, "-100">:$ignore_index,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
}

class NN_PointwiseLossOp<string mnemonic, string what> : NN_LossOp<mnemonic> {
  let summary = what # " between input and target of the same shape";
  let description = [{
    ```mlir
    %l = nn.}] # mnemonic # [{ %x, %y : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
}
def NN_MSELossOp : NN_PointwiseLossOp<"mse_loss", "Squared error">;
def NN_L1LossOp : NN_PointwiseLossOp<"l1_loss", "Absolute error">;
def NN_BCELossOp : NN_PointwiseLossOp<"bce_loss",
                                      "Binary cross entropy of probabilities">;
def NN_BCEWithLogitsLossOp : NN_PointwiseLossOp<"bce_with_logits_loss",
                                                "Binary cross entropy of logits">;

def NN_KLDivLossOp : NN_LossOp<"kl_div_loss"> {
  let summary = "KL divergence with log-probability input (torch.nn.KLDivLoss)";
  let description = [{
    reduction is "mean", "sum", "none" or "batchmean"; with `log_target` the
    target holds log-probabilities.
    ```mlir
    %l = nn.kl_div_loss %logp, %q {reduction = "batchmean"} : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction,
                       DefaultValuedAttr<BoolAttr, "false">:$log_target);
}

def NN_InfoNCELossOp : NN_LossOp<"info_nce_loss"> {
  let summary = "InfoNCE contrastive loss with in-batch negatives";
  let description = [{
    Row i of `anchor` should match row i of `positive` against every other
    row: cross entropy of cosine similarities / temperature.
    ```mlir
    %l = nn.info_nce_loss %a, %p {temperature = 1.0e-01 : f64} : (tensor<16x128xf32>, tensor<16x128xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$anchor, NN_FloatTensor:$positive,
                       NN_F64Attr:$temperature);
}

def NN_DistillationLossOp : NN_LossOp<"distillation_loss"> {
  let summary = "Knowledge distillation loss (Hinton et al.)";
  let description = [{
    alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T))
    + (1 - alpha) * CE(student, target).
    ```mlir
    %l = nn.distillation_loss %s, %t, %y {alpha = 5.0e-01 : f64, temperature = 4.0 : f64}
        : (tensor<8x10xf32>, tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$student, NN_FloatTensor:$teacher,
                       NN_IntTensor:$target, NN_F64Attr:$temperature,
                       NN_F64Attr:$alpha);
}

#endif // NNC_DIALECTS_NN_NNLOSSOPS_TD
