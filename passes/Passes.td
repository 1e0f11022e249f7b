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

//===----------------------------------------------------------------------===//
// Compilation to native code
//===----------------------------------------------------------------------===//

def SpecializeShapes : Pass<"nn-specialize-shapes", "mlir::ModuleOp"> {
  let summary = "Binds the symbolic input dims and makes every shape static";
  let description = [{
    Each `?` dim of a function argument that carries an `nn.dims` name (the
    front end's `B`, `T`, ...) takes the size given in `dims` ("B=32").
    Result types are then re-inferred op by op (InferTypeOpInterface; the
    `?` dims of ops that take their sizes from index operands, such as
    nn.reshape, resolve once those operands fold to constants), and the
    function types follow. Compiled code is specialised to one shape, as in
    ahead-of-time compilers: buffers get static sizes, so the memory plan is
    static too. A dim that stays dynamic is an error naming the function
    argument and the dim.
  }];
  let options = [
    ListOption<"dims", "dims", "std::string", "Sizes of named dims, NAME=SIZE">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def ParamsToArguments : Pass<"nn-params-to-arguments", "mlir::ModuleOp"> {
  let summary = "Turns parameter reads into function arguments";
  let description = [{
    Every `nn.param @p` of a function becomes a trailing argument of the
    function (after its inputs, in order of first use, with the argument
    attribute `nn.param = "p"`), so compiled code takes its weights from
    the caller: loaded from safetensors at run time or embedded. The
    function's ABI signature is recorded in the `nnc.signature` attribute
    (names and types of inputs, outputs and parameters) for the metadata
    that compiled artefacts carry.
  }];
}

def OutlineRepeatedBlocks : Pass<"nn-outline-repeated-blocks", "mlir::ModuleOp"> {
  let summary = "Moves the instances of a repeated block into one shared function";
  let description = [{
    The front end inlines block instances; each op's location is a `NameLoc`
    naming the instance path it was elaborated in (`cell0#3/edge_0_2#7`,
    one `label#k` segment per enclosing block call). This pass finds the
    instances again, outermost first, and replaces every instance that has
    an equivalent one (the same ops, attributes and types, wired the same
    way, reading equal constants) by a `func.call` of a private, never
    inlined function they share; the values an instance reads become the
    function's arguments, the values it defines and others use its results.
    The instances inside an instance that is not repeated are tried next.

    Everything after this pass then handles each distinct block once: a
    DARTS supernet's 42 mixed ops become three functions, and one-shot
    bufferization and LLVM, whose cost grows faster than the size of the
    function they work on, no longer see one huge function. An instance is
    left inline when a user of its results comes before its last op, or when
    moving its ops would reorder side effects.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect"];
}

def FuseEpilogues : Pass<"nn-fuse-epilogues", "mlir::ModuleOp"> {
  let summary = "Fuses batch norm, a residual add and an activation into the convolution or linear layer before them";
  let description = [{
    For inference: `nn.conv` or `nn.linear`, then `nn.batch_norm` (running
    statistics; for a linear layer only with a rank-2 result, whose dim 1
    is the features), then `nn.add` of a tensor of the result's type (a
    residual), then `nn.relu` (or, after a linear layer, `nn.gelu`), each
    optional but in that order, become one `nn.fused_conv` or
    `nn.fused_linear` when each op is the only user of the one before. The
    runtime's convolution applies the epilogue to each output tile while it
    is still in registers, the linear layer to each part of its GEMM's
    output right after computing it: the separate pass over the output that
    the epilogue would otherwise be costs as much memory traffic as the
    layer's own store (ResNet's conv -> bn -> relu and
    conv -> bn -> add -> relu, a transformer's linear -> gelu and
    x + linear(...)).
  }];
  let dependentDialects = ["nnc::nn::NNDialect"];
}

def ConvertNNToLinalg : Pass<"convert-nn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Generates code for elementwise and data-movement nn ops";
  let description = [{
    Lowers the nn ops for which generated code is the right choice to
    linalg, tensor and arith: elementwise activations and arithmetic with
    broadcasting (linalg.generic, so chains fuse), casts, fills and
    constants, reshapes, permutations, broadcasts, slices and
    concatenation. Static shapes are required (nn-specialize-shapes).
    Other nn ops are left for convert-nn-to-kernel-calls; docs/design.md
    records which op goes where and why.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect"
  ];
}

def ConvertNNToKernelCalls : Pass<"convert-nn-to-kernel-calls", "mlir::ModuleOp"> {
  let summary = "Lowers the remaining nn ops to calls of runtime kernels";
  let description = [{
    Each nn op left after convert-nn-to-linalg becomes an
    `nnrt.kernel_call` of the runtime's kernel for it (OpenBLAS GEMMs,
    convolutions, recurrent layers, attention, ...), with its attributes
    encoded in the call's descriptor and a `tensor.empty` destination per
    result. Calls of ops that are not free of memory effects (random draws,
    `nn.optimizer_step`, `nn.assign`) carry `has_side_effects`, so they are
    kept even without results. An op that has neither a code generation
    pattern nor a runtime kernel is reported by name, and so is an
    unresolved `nn.choice` or `nn.param`.
  }];
  let dependentDialects = [
    "mlir::tensor::TensorDialect", "nnc::nnrt::NNRTDialect"
  ];
}

def ApproximateMath : Pass<"nnc-approximate-math", "mlir::ModuleOp"> {
  let summary = "Vectorisable polynomial approximations of math functions";
  let description = [{
    Rewrites tanh, erf, exp, expm1, log, log1p, (r)sqrt-free forms of the
    math dialect into arith polynomials (upstream's
    populateMathPolynomialApproximationPatterns, which upstream only exposes
    as a test pass). Left alone they become calls of libm's scalar `tanhf`,
    `erff`, ..., which keep LLVM from vectorising the loops of activations
    such as GELU and tanh. The approximations are accurate to a few float32
    ulps (the PyTorch fixtures compare at 1e-4 relative).
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::vector::VectorDialect"
  ];
}

def PlanMemory : Pass<"nnc-plan-memory", "mlir::ModuleOp"> {
  let summary = "Places every intermediate buffer in one static workspace";
  let description = [{
    After bufferization, each `memref.alloc` with a static shape whose
    buffer does not escape the function gets an offset in a workspace that
    the caller passes as a new last argument (`memref<Nxi8>`). The compiled
    entry functions, those with an `nnc.signature`
    (nn-params-to-arguments), are planned: the runtime passes their
    workspace. So are the private functions that only planned functions
    call (the blocks nn-outline-repeated-blocks outlined), callees first:
    at each call, the callee's workspace is one more buffer of the caller's,
    live for the call. Other functions keep their signatures, which calls
    elsewhere must match. Buffers whose
    lifetimes (from the allocation to the last use of the buffer or of a
    view of it) do not overlap share memory; offsets are assigned greedily,
    largest buffer first, 64-byte aligned. The function gets the
    `nnc.workspace_bytes` attribute: the planned peak of intermediate
    memory. Deallocations of planned buffers are removed.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def OutlineLoopNests : Pass<"nnc-outline-loop-nests", "mlir::ModuleOp"> {
  let summary = "Moves each linalg op on buffers into a shared function";
  let description = [{
    After bufferization, every linalg op on buffers is replaced by a call of
    a private function that holds it, marked `no_inline`. Structurally
    identical ops (the same op, attributes, region and operand types, with
    the same operands repeated) call the same function, so each distinct loop
    nest is lowered and optimised once. The op's operands and the values
    its region uses from above become arguments, except constants (a fill's
    value, say), which are cloned in. A model
    with repeated blocks (a DARTS supernet repeats the same few loop nests
    hundreds of times) compiles in time linear in its distinct loop nests,
    and no function grows large enough for LLVM's loop passes, whose cost
    grows faster than the size of the function they run on, to dominate.

    A loop nest whose outer loop is parallel, whose buffers are each indexed
    by that loop through one plain dimension (or not at all, for inputs),
    and which is big enough to share (at least 8192 iterations of the whole
    nest per chunk, two chunks or more) runs on the runtime's threads: its
    function takes the chunk's begin and end as two more `index` arguments
    and computes that slice of its buffers, and its calls become
    `nnrt.parallel_call` with the outer loop's trip count and the chunk
    size.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect",
    "mlir::LLVM::LLVMDialect", "mlir::memref::MemRefDialect",
    "nnc::nnrt::NNRTDialect"
  ];
}

def EmitMetadata : Pass<"nnc-emit-metadata", "mlir::ModuleOp"> {
  let summary = "Emits each compiled function's ABI metadata";
  let description = [{
    For every function with an `nnc.signature` (nn-params-to-arguments),
    emits the constant `nnc_metadata_<function>`: a JSON string with the
    names, dtypes and shapes of the inputs, outputs and parameters and the
    workspace size, which the runtime's C API reads (runtime/compiled).
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def EmitEntryPoints : Pass<"nnc-emit-entry-points", "mlir::ModuleOp"> {
  let summary = "Turns each compiled function into `nnc_entry_<function>(void **args)`";
  let description = [{
    Runs on the LLVM dialect, after the functions were converted with the
    bare-pointer calling convention (one pointer per memref; compiled shapes
    are static). For each function with metadata, the body moves into
    `void nnc_entry_<function>(void **args)`, which loads its i-th argument
    from the memref descriptor at `args[i]` (inputs, parameters, outputs,
    workspace): one signature for every model, so the runtime calls any
    compiled function without generated glue. The body moves instead of
    being called: a call with one argument per parameter costs LLVM's
    interprocedural passes and instruction selection time quadratic in the
    number of arguments, seconds for a model with a thousand parameters.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // NNC_PASSES_PASSES_TD
