//===- NNElementwiseOps.td - Activations and arithmetic -----*- tablegen -*-===//

#ifndef NNC_DIALECTS_NN_NNELEMENTWISEOPS_TD
#define NNC_DIALECTS_NN_NNELEMENTWISEOPS_TD

include "dialects/nn/NNDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Unary ops: the result has the operand's type
//===----------------------------------------------------------------------===//

// SameOperandsAndResultType lets ODS generate the result-type inference, but
// it accepts shape-compatible types; the custom form prints one type, so
// AllTypesMatch (checked first, with one diagnostic) requires equal types.
class NN_UnaryOp<string mnemonic, Type tensorType, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [
          AllTypesMatch<["input", "result"]>, SameOperandsAndResultType,
          InferTypeOpInterface])> {
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

class NN_UnaryFloatOp<string mnemonic, string formula>
    : NN_UnaryOp<mnemonic, NN_FloatTensor, [Pure]> {
  let summary = "Elementwise " # formula;
  let description = [{
    ```mlir
    %y = nn.}] # mnemonic # [{ %x : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
}

def NN_ReluOp : NN_UnaryFloatOp<"relu", "max(x, 0)">;
def NN_SigmoidOp : NN_UnaryFloatOp<"sigmoid", "1 / (1 + exp(-x))">;
def NN_TanhOp : NN_UnaryFloatOp<"tanh", "tanh(x)">;
def NN_SiluOp : NN_UnaryFloatOp<"silu", "x * sigmoid(x)">;
def NN_SeluOp : NN_UnaryFloatOp<"selu", "scale * elu(x, alpha) with PyTorch's constants">;
def NN_ExpOp : NN_UnaryFloatOp<"exp", "exp(x)">;
def NN_LogOp : NN_UnaryFloatOp<"log", "natural logarithm">;
def NN_SqrtOp : NN_UnaryFloatOp<"sqrt", "square root">;
def NN_RsqrtOp : NN_UnaryFloatOp<"rsqrt", "1 / sqrt(x)">;

// abs and neg also make sense on integer tensors (index arithmetic).
def NN_AbsOp : NN_UnaryOp<"abs", NN_NumericTensor, [Pure]> {
  let summary = "Elementwise absolute value";
  let arguments = (ins NN_NumericTensor:$input);
}
def NN_NegOp : NN_UnaryOp<"neg", NN_NumericTensor, [Pure]> {
  let summary = "Elementwise negation";
  let arguments = (ins NN_NumericTensor:$input);
}

def NN_GeluOp : NN_UnaryOp<"gelu", NN_FloatTensor, [Pure]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `approximate` is "none" (erf form) or "tanh", as in torch.nn.GELU.
    ```mlir
    %y = nn.gelu %x {approximate = "tanh"} : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let hasVerifier = 1;
}

def NN_EluOp : NN_UnaryOp<"elu", NN_FloatTensor, [Pure]> {
  let summary = "Exponential linear unit: x > 0 ? x : alpha * (exp(x) - 1)";
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<NN_F64Attr, "1.0">:$alpha);
  let hasVerifier = 1;
}

def NN_LeakyReluOp : NN_UnaryOp<"leaky_relu", NN_FloatTensor, [Pure]> {
  let summary = "x > 0 ? x : negative_slope * x";
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<NN_F64Attr, "0.01">:$negative_slope);
  let hasVerifier = 1;
}

def NN_SoftplusOp : NN_UnaryOp<"softplus", NN_FloatTensor, [Pure]> {
  let summary = "log(1 + exp(beta * x)) / beta, linear above threshold";
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<NN_F64Attr, "1.0">:$beta,
                       DefaultValuedAttr<NN_F64Attr, "20.0">:$threshold);
  let hasVerifier = 1;
}

// Not Pure: each evaluation draws a new mask, so two dropouts of the same
// value must neither be merged nor (in training) be dropped as dead code.
def NN_DropoutOp : NN_UnaryOp<"dropout", NN_FloatTensor> {
  let summary = "Dropout (identity at inference time)";
  let description = [{
    Zeroes elements with probability `p` and scales the rest by 1 / (1 - p).
    With `spatial` whole channels (dim 1) are dropped, as in nn.Dropout2d.
    ```mlir
    %y = nn.dropout %x {p = 0.1 : f64} : tensor<8x16xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<NN_F64Attr, "0.5">:$p,
                       DefaultValuedAttr<BoolAttr, "false">:$spatial);
  let hasVerifier = 1;
}

class NN_SoftmaxBase<string mnemonic, string what>
    : NN_UnaryOp<mnemonic, NN_FloatTensor, [Pure]> {
  let summary = what # " along `axis` (negative counts from the end)";
  let description = [{
    ```mlir
    %y = nn.}] # mnemonic # [{ %x {axis = -1 : i64} : tensor<2x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_I64Attr:$axis);
  let hasVerifier = 1;
}
def NN_SoftmaxOp : NN_SoftmaxBase<"softmax", "Softmax">;
def NN_LogSoftmaxOp : NN_SoftmaxBase<"log_softmax", "Log-softmax">;

def NN_PReluOp : NN_Op<"prelu", [Pure, NN_InferTensorType]> {
  let summary = "Parametric ReLU: x > 0 ? x : weight[c] * x";
  let description = [{
    `weight` is 1-D with one entry or one entry per channel (dim 1).
    ```mlir
    %y = nn.prelu %x, %a : tensor<2x3x4xf32>, tensor<3xf32> -> tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight) `->`
    type($result)
  }];
}

def NN_FillOp : NN_UnaryOp<"fill", NN_AnyTensor, [Pure]> {
  let summary = "A tensor of the input's type filled with `value`";
  let description = [{
    zeros_like / ones_like / full_like.
    ```mlir
    %z = nn.fill %x {value = 0.0 : f64} : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$input, NN_F64Attr:$value);
  let hasVerifier = 1;
}

// Not Pure for the same reason as nn.dropout.
def NN_RandomNormalOp : NN_UnaryOp<"random_normal", NN_FloatTensor> {
  let summary = "Standard normal samples of the input's type";
  let description = [{
    Used for the reparameterisation trick (e.g. torch.randn_like).
    ```mlir
    %eps = nn.random_normal %mu {seed = 42 : i64} : tensor<8x16xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<NN_I64Attr, "0">:$seed);
}

// The target element type only appears in the result type, so the result is
// verified against the input's shape rather than inferred.
def NN_CastOp : NN_Op<"cast", [Pure]> {
  let summary = "Converts the element type, keeping the shape";
  let description = [{
    ```mlir
    %y = nn.cast %x : tensor<4xi64> to tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$input);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Binary ops with numpy broadcasting
//===----------------------------------------------------------------------===//

class NN_BroadcastBinaryOp<string mnemonic, string formula,
                           list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, NN_InferTensorType])> {
  let summary = "Elementwise " # formula # " with numpy broadcasting";
  let description = [{
    Both operands have the same element type; the shapes broadcast as in
    numpy (aligned from the right, size-1 dims stretch).
    ```mlir
    %z = nn.}] # mnemonic # [{ %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs);
  let results = (outs NN_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

def NN_AddOp : NN_BroadcastBinaryOp<"add", "lhs + rhs", [Commutative]>;
def NN_SubOp : NN_BroadcastBinaryOp<"sub", "lhs - rhs">;
def NN_MulOp : NN_BroadcastBinaryOp<"mul", "lhs * rhs", [Commutative]>;
def NN_DivOp : NN_BroadcastBinaryOp<"div", "lhs / rhs">;
def NN_PowOp : NN_BroadcastBinaryOp<"pow", "lhs ^ rhs">;
def NN_MaximumOp : NN_BroadcastBinaryOp<"maximum", "max(lhs, rhs)", [Commutative]>;
def NN_MinimumOp : NN_BroadcastBinaryOp<"minimum", "min(lhs, rhs)", [Commutative]>;

#endif // NNC_DIALECTS_NN_NNELEMENTWISEOPS_TD
