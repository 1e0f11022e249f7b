//===- GradMisc.h - Backward of losses, activations, GNN ops ----*- C++ -*-===//
//
// Vector-Jacobian products of the forward kernels that Grad.h does not
// cover: the remaining losses (GradLosses.cpp), the remaining activations
// and binary ops, adaptive pooling, group norm, transposed convolution, and
// the GNN gather / scatter_reduce (GradMisc.cpp). Conventions as in Grad.h:
// each kernel takes the output gradient plus the forward inputs (and, where
// noted, optionally the forward output, recomputed when undefined) and
// returns a gradient per float input, documented with the PyTorch autograd
// function it reproduces. Float dtypes f32 and f64; index operands
// i8/i32/i64. A loss gradient `gradOutput` is rank 0 for Mean, Sum and
// BatchMean and has the per-element loss shape for None.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_GRADMISC_H
#define NNC_RUNTIME_KERNELS_GRADMISC_H

#include "runtime/Tensor.h"
#include "runtime/kernels/Grad.h"
#include "runtime/kernels/Shape.h"

#include <cstdint>
#include <vector>

namespace nnc::rt::kernels {

//===----------------------------------------------------------------------===//
// Losses (GradLosses.cpp)
//===----------------------------------------------------------------------===//

/// Gradients of a loss w.r.t. its prediction and its (float) target.
struct LossGrads {
  Tensor input, target;
};

/// Autograd of F.nll_loss(input [N, C, d...] log-probabilities, target
/// [N, d...] class indices, ignore_index, reduction) w.r.t. input: -dL at
/// [n, y, d], divided by the count of non-ignored positions for Mean.
/// Ignored positions get 0; a class index outside [0, C) gives NaN over
/// that position's classes (the forward's NaN loss).
Tensor nllLossBackward(const Tensor &gradOutput, const Tensor &input,
                       const Tensor &target, int64_t ignoreIndex,
                       Reduction reduction);

/// Autograd of F.l1_loss(input, target, reduction): dL sign(x - y) for the
/// input (0 where x == y, as torch.sgn) and its negation for the target.
LossGrads l1LossBackward(const Tensor &gradOutput, const Tensor &input,
                         const Tensor &target, Reduction reduction);

/// Autograd of F.binary_cross_entropy(input, target, reduction) with
/// PyTorch's formulas (binary_cross_entropy_backward and
/// binary_cross_entropy_target_backward): dL (x - y) / max(x (1 - x), 1e-12)
/// for the input and -dL logit(x) for the target (so +-inf at x = 0 or 1,
/// where the forward's log clamp makes the loss finite).
LossGrads bceLossBackward(const Tensor &gradOutput, const Tensor &input,
                          const Tensor &target, Reduction reduction);

/// Autograd of F.binary_cross_entropy_with_logits(input, target,
/// reduction) (no weights): dL (sigmoid(x) - y) for the input and -dL x for
/// the target.
LossGrads bceWithLogitsLossBackward(const Tensor &gradOutput,
                                    const Tensor &input, const Tensor &target,
                                    Reduction reduction);

/// Autograd of F.kl_div(input, target, reduction, log_target) (BatchMean
/// divides by input.size(0), by 1 for a scalar). Without `logTarget`:
/// dX = -dL t, dT = dL (log t + 1 - x), NaN where t == 0 as in PyTorch 1.13
/// (the composite xlogy's gradient there). With `logTarget`:
/// dX = -dL exp(t), dT = dL exp(t) (t - x + 1).
LossGrads klDivLossBackward(const Tensor &gradOutput, const Tensor &input,
                            const Tensor &target, Reduction reduction,
                            bool logTarget);

/// Autograd of F.cross_entropy(input [N, C, d...] logits, target [N, C,
/// d...] probabilities, reduction, label_smoothing): with
/// q' = (1 - eps) q + eps / C, dX = dL (sum_c q'_c softmax(x) - q') and
/// dQ = -dL (1 - eps) log_softmax(x); Mean divides by N * prod(d). (Class
/// index targets: crossEntropyBackward in Grad.h.)
LossGrads crossEntropyProbsBackward(const Tensor &gradOutput,
                                    const Tensor &input, const Tensor &target,
                                    double labelSmoothing, Reduction reduction);

struct DistillationGrads {
  Tensor student, teacher;
};
/// Autograd of kernels::distillationLoss (alpha T^2 batchmean-KL of the
/// temperature-softened distributions plus (1 - alpha) cross entropy with
/// ignore_index -100), gradOutput rank 0, w.r.t. both logit tensors:
///   dS = dL (alpha T / N (ps - pt) + (1 - alpha) / counted (softmax(s) -
///   onehot(y)))   and   dT = dL alpha T / N pt (log pt - log ps - KL_row)
/// with ps, pt the softmaxes of student / T and teacher / T. A class index
/// outside [0, C) gives NaN over that student row (as crossEntropyBackward).
DistillationGrads distillationLossBackward(const Tensor &gradOutput,
                                           const Tensor &student,
                                           const Tensor &teacher,
                                           const Tensor &target,
                                           double temperature, double alpha);

struct InfoNceGrads {
  Tensor anchor, positive;
};
/// Autograd of kernels::infoNceLoss(anchor [N, D], positive [N, D],
/// temperature), gradOutput rank 0: the cross entropy gradient dZ = dL / N
/// (softmax(Z) - I) of the logits Z = A' P'^T / tau, pushed through the
/// matmul and F.normalize (dx = (dy - y (y . dy)) / ||x||, or dy / 1e-12
/// where the norm was clamped).
InfoNceGrads infoNceLossBackward(const Tensor &gradOutput, const Tensor &anchor,
                                 const Tensor &positive, double temperature);

//===----------------------------------------------------------------------===//
// Activations and binary ops (GradMisc.cpp)
//===----------------------------------------------------------------------===//

/// Autograd of every parameterless unary op with PyTorch's derivative
/// formulas (derivatives.yaml): relu, sigmoid, tanh as in Grad.h; silu
/// s (1 + x (1 - s)); selu scale (x > 0) or scale alpha exp(x) (x <= 0);
/// exp y; log 1 / x; sqrt 1 / (2 y); rsqrt -y^3 / 2; abs sgn(x) (0 at 0);
/// neg -1. `output` is the forward's result (used by sigmoid, tanh, exp,
/// sqrt, rsqrt); when undefined it is recomputed from `input`.
Tensor unaryBackward(UnaryOp op, const Tensor &gradOutput, const Tensor &input,
                     const Tensor &output = Tensor());

/// Autograd of F.elu(x, alpha): dY for x > 0, dY alpha exp(x) otherwise.
Tensor eluBackward(const Tensor &gradOutput, const Tensor &input, double alpha);

/// Autograd of F.leaky_relu(x, negative_slope): dY for x > 0, dY slope
/// otherwise.
Tensor leakyReluBackward(const Tensor &gradOutput, const Tensor &input,
                         double negativeSlope);

/// Autograd of F.softplus(x, beta, threshold): dY where beta x > threshold,
/// else dY z / (z + 1) with z = exp(beta x).
Tensor softplusBackward(const Tensor &gradOutput, const Tensor &input,
                        double beta, double threshold);

struct PreluGrads {
  Tensor input, weight;
};
/// Autograd of F.prelu(x, weight) (one slope, or one per channel of dim
/// 1): dX = dY for x > 0, else weight dY; dW sums x dY over the x <= 0
/// elements of each slope's channel (in double).
PreluGrads preluBackward(const Tensor &gradOutput, const Tensor &input,
                         const Tensor &weight);

/// Autograd of torch.add/sub/mul/div/pow/maximum/minimum(lhs, rhs) with
/// broadcasting (each gradient summed to its operand's shape; add to div
/// forward to binaryBackward). pow: dA = dY b a^(b - 1) (0 where b == 0),
/// dB = dY a^b log(a) (0 where a == 0 and b >= 0). maximum/minimum: the
/// selected operand gets dY, ties split it evenly (dY / 2 each), and a NaN
/// in either operand sends dY to both, as PyTorch's formulas do.
BinaryGrads binaryOpBackward(BinaryOp op, const Tensor &gradOutput,
                             const Tensor &lhs, const Tensor &rhs);

//===----------------------------------------------------------------------===//
// Adaptive pooling, group norm, transposed convolution (GradMisc.cpp)
//===----------------------------------------------------------------------===//

/// Autograd of F.adaptive_avg_pool1d/2d/3d: each output gradient divided
/// by its window's size and spread over the window (the output size is
/// gradOutput's spatial shape).
Tensor adaptiveAvgPoolBackward(const Tensor &gradOutput,
                               const Shape &inputShape);

/// Autograd of F.adaptive_max_pool1d/2d/3d: each output gradient goes to
/// its window's argmax, recomputed from the input (first maximum in scan
/// order, the last NaN if any, as in PyTorch).
Tensor adaptiveMaxPoolBackward(const Tensor &gradOutput, const Tensor &input);

/// Autograd of F.group_norm(x [N, C, ...], num_groups, weight [C], bias
/// [C], eps); the (n, group) statistics are recomputed. Weight (undefined:
/// no affine) and bias (`hasBias`) gradients only where defined.
NormGrads groupNormBackward(const Tensor &gradOutput, const Tensor &input,
                            const Tensor &weight, bool hasBias,
                            int64_t numGroups, double epsilon);

/// Autograd of F.conv_transpose1d/2d/3d(input, weight [C, O / groups, *K],
/// bias, stride, padding, output_padding, groups, dilation) (the layouts of
/// kernels::convTranspose). Transposed convolution is the adjoint of the
/// convolution with the same weight, so dX = conv(dY, W) and dW is that
/// convolution's weight gradient at input dY and output gradient X
/// (convBackward); dB sums dY (only with `hasBias`).
ConvGrads convTransposeBackward(const Tensor &gradOutput, const Tensor &input,
                                const Tensor &weight, bool hasBias,
                                const std::vector<int64_t> &stride,
                                const std::vector<int64_t> &padding,
                                const std::vector<int64_t> &outputPadding,
                                const std::vector<int64_t> &dilation,
                                int64_t groups);

//===----------------------------------------------------------------------===//
// GNN message passing (GradMisc.cpp)
//===----------------------------------------------------------------------===//

/// Autograd of torch.index_select(x, axis, index) (kernels::gather) w.r.t.
/// x of `inputShape`: the slices of gradOutput scatter-added into a zero
/// tensor at their indices (torch's index_add). Indices outside the axis
/// are skipped (the forward kernel rejects them).
Tensor gatherBackward(const Tensor &gradOutput, const Tensor &index,
                      int64_t axis, const Shape &inputShape);

/// Autograd of kernels::scatterReduce(src [E, F...], index [E], dimSize,
/// reduce) w.r.t. src, reproducing PyTorch 1.13's scatter_reduce backward
/// for zeros(dimSize, F...).scatter_reduce(0, index, src, reduce,
/// include_self=False), the forward's definition (there is no `self`
/// operand, so no gradient for it):
/// - Sum: dY[index[e]]; Mean: dY[index[e]] / count(index[e]).
/// - Max/Min: dY[n] is split evenly among the tied maxima (minima) of row
///   n: dSrc[e] = (src[e] == y[n]) dY[n] / N, where N counts the tied src
///   rows plus one if y[n] == 0, because PyTorch counts the excluded zero
///   `self` as tied even with include_self=False (it then gets no share, so
///   the src gradients sum to less than dY). A NaN result (NaN propagates
///   in the forward) gives NaN to every src element reduced into it, also
///   as in PyTorch.
/// `output` is the forward's result (only Max/Min read it); when undefined
/// it is recomputed. Indices outside [0, dimSize) are skipped.
Tensor scatterReduceBackward(const Tensor &gradOutput, const Tensor &src,
                             const Tensor &index, ScatterReduce reduce,
                             const Tensor &output = Tensor());

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_GRADMISC_H
