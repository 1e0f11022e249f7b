//===- Elementwise.h - Activations, arithmetic, casts -----------*- C++ -*-===//
//
// Elementwise forward kernels of the nn dialect. Every kernel returns a new
// tensor of the input's shape (binary ops: the broadcast shape). Float
// kernels compute f32 and f64 natively and f16/bf16 through f32; unless noted
// the result has the input's dtype.
//
// Accuracy: in f32, exp, sigmoid, silu and softmax use a vectorised exp
// within 2 ulp, and gelu an erf / tanh within ~2e-7 absolute (both added to
// 1); everything else is libm. f64 is libm throughout.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_ELEMENTWISE_H
#define NNC_RUNTIME_KERNELS_ELEMENTWISE_H

#include "runtime/Tensor.h"

#include <cstdint>
#include <string>

namespace nnc::rt::kernels {

/// The parameterless unary ops (nn.relu ... nn.neg).
enum class UnaryOp {
  Relu,    // torch.relu (NaN stays NaN)
  Sigmoid, // torch.sigmoid
  Tanh,    // torch.tanh
  Silu,    // F.silu: x * sigmoid(x)
  Selu,    // F.selu with PyTorch's alpha and scale
  Exp,     // torch.exp
  Log,     // torch.log
  Sqrt,    // torch.sqrt
  Rsqrt,   // torch.rsqrt
  Abs,     // torch.abs (also i8/i32/i64; wraps on the minimum value)
  Neg,     // torch.neg (also i8/i32/i64; wraps on the minimum value)
};

/// Maps an nn mnemonic ("relu", "sigmoid", ..., "neg") to its UnaryOp;
/// false if `name` is not one of them.
bool unaryOpFromName(const std::string &name, UnaryOp &op);

/// Applies `op` elementwise.
Tensor unary(UnaryOp op, const Tensor &input);

/// F.gelu(x, approximate = "tanh" if tanhApproximation else "none").
Tensor gelu(const Tensor &input, bool tanhApproximation);

/// F.elu(x, alpha).
Tensor elu(const Tensor &input, double alpha);

/// F.leaky_relu(x, negative_slope).
Tensor leakyRelu(const Tensor &input, double negativeSlope);

/// F.softplus(x, beta, threshold): x where beta * x > threshold, else
/// log1p(exp(beta * x)) / beta.
Tensor softplus(const Tensor &input, double beta, double threshold);

/// F.softmax(x, dim=axis) and F.log_softmax (numerically stable: the row
/// maximum is subtracted first). Negative axes count from the end.
Tensor softmax(const Tensor &input, int64_t axis);
Tensor logSoftmax(const Tensor &input, int64_t axis);

/// F.prelu(x, weight): weight has one entry, or one per channel (dim 1).
Tensor prelu(const Tensor &input, const Tensor &weight);

/// F.dropout / F.dropout2d. When `training` is false this is the identity
/// and returns `input` itself (no copy). Otherwise each element (with
/// `spatial`: each (n, c) slice of dims 2..) is kept with probability 1 - p
/// and scaled by 1 / (1 - p); p >= 1 gives zeros. Unit u is kept iff
/// (w >> 11) * 2^-53 >= p for w = word u % 4 of philox4x64({u / 4, 0, 0, 0},
/// {seed, stream}) (Random.h), so masks are reproducible on any thread
/// count. Use a different seed per op and a different stream per
/// MC-dropout pass.
Tensor dropout(const Tensor &input, double p, bool spatial, bool training,
               uint64_t seed, uint64_t stream = 0);

/// The broadcasting binary ops (nn.add ... nn.minimum).
enum class BinaryOp {
  Add,     // torch.add
  Sub,     // torch.sub
  Mul,     // torch.mul
  Div,     // torch.div; integers: rounding_mode="floor", x / 0 gives 0
  Pow,     // torch.pow; integers: negative exponents give 0 (|base| != 1)
  Maximum, // torch.maximum (NaN propagates)
  Minimum, // torch.minimum (NaN propagates)
};

/// Maps an nn mnemonic ("add", ..., "minimum") to its BinaryOp.
bool binaryOpFromName(const std::string &name, BinaryOp &op);

/// `op` with numpy broadcasting. Both operands have the same dtype (f32,
/// f64, f16, bf16, i64, i32 or i8); integer add/sub/mul wrap on overflow.
Tensor binary(BinaryOp op, const Tensor &lhs, const Tensor &rhs);

/// x.to(dtype) between any two dtypes. Float to integer truncates toward
/// zero and saturates (NaN gives 0); anything to bool is x != 0; float to
/// f16/bf16 rounds to nearest even.
Tensor cast(const Tensor &input, DType to);

/// torch.full_like(x, value): the input's dtype and shape (value converted
/// as by cast).
Tensor fill(const Tensor &input, double value);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_ELEMENTWISE_H
