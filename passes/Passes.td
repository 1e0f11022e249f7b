//===- Passes.td - nnc's own passes -------------------------*- tablegen -*-===//
//
// Passes that upstream MLIR has no counterpart for. Each one has a lit test
// file named after it in test/lit/passes/, beside an -errors.mlir file for
// its diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_PASSES_TD
#define NNC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttachLoss : Pass<"nn-attach-loss", "mlir::ModuleOp"> {
  let summary = "Builds a loss function from a model function and a loss";
  let description = [{
    Adds `@<function>_loss`: the model function's body followed by a loss of
    one of its outputs against a new trailing `target` argument. The loss
    function returns the rank-0 loss first, then the model's outputs (so a
    training loop can report accuracy without a second forward pass).

    `loss=cross_entropy` and `loss=nll_loss` take class-index targets
    (i64, the output's shape without the class dim 1); `mse_loss`,
    `l1_loss`, `bce_loss` and `bce_with_logits_loss` take targets of the
    output's type. `loss=output` uses the model output named by `output`,
    which must be a rank-0 float tensor the model computes itself (a VAE's
    ELBO, a contrastive or distillation loss); no target is added, and that
    output moves to the front under its own name.
  }];
  let options = [
    Option<"function", "function", "std::string", "\"\"",
           "The model function (default: the module's nn.model)">,
    Option<"loss", "loss", "std::string", "\"cross_entropy\"",
           "cross_entropy, nll_loss, mse_loss, l1_loss, bce_loss, "
           "bce_with_logits_loss or output">,
    Option<"output", "output", "std::string", "\"\"",
           "The output the loss is computed from, by name (default: the "
           "first)">,
    Option<"labelSmoothing", "label-smoothing", "double", "0.0",
           "Label smoothing of the cross-entropy loss">,
  ];
}

def ResolveChoices : Pass<"nn-resolve-choices", "mlir::ModuleOp"> {
  let summary = "Replaces search-space choices by a candidate or their mixture";
  let description = [{
    Each `nn.choice` named in `select` ("name=label") is replaced by that
    candidate's operations; every other choice becomes DARTS' continuous
    relaxation with equal architecture weights, the mean of all candidates
    (what the reference executor computes for an unselected choice). The
    result has no regions left, so it can be differentiated and trained: a
    fixed architecture found by search, or the supernet.
  }];
  let options = [
    ListOption<"select", "select", "std::string",
               "Candidates to keep, as choice-name=label">,
  ];
}

def Differentiate : Pass<"nn-differentiate", "mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation into a training-step function";
  let description = [{
    Adds `@<function>_train_step` for a function whose first result is a
    rank-0 float loss (see nn-attach-loss). The new function has the same
    arguments and results and runs:

    1. the forward computation in training mode: `nn.batch_norm` uses batch
       statistics (`nn.batch_norm_train`) and `nn.dropout` multiplies by a
       fresh `nn.dropout_mask`;
    2. the backward sweep: every op on a path from a trainable parameter to
       the loss, in reverse order, contributes the vector-Jacobian product
       of its operands as nn ops (gradient ops such as `nn.conv_grad_input`
       where no composition of forward ops is as good); gradients of values
       used several times are summed;
    3. `nn.optimizer_step` with the gradient of every parameter the loss
       depends on, and `nn.assign` of the updated running statistics.

    With `emit-gradients` the function is named `@<function>_grad`, keeps
    inference-free training semantics, and returns the parameter gradients
    as extra results (named `grad:<parameter>`) instead of updating: used to
    check gradients against PyTorch.

    An op without a gradient rule is reported by name. `nn.choice` must be
    resolved before differentiation.
  }];
  let options = [
    Option<"function", "function", "std::string", "\"\"",
           "The loss function to differentiate (default: the module's "
           "nn.model followed by _loss)">,
    Option<"emitGradients", "emit-gradients", "bool", "false",
           "Return the parameter gradients instead of updating">,
  ];
}

#endif // NNC_PASSES_PASSES_TD
