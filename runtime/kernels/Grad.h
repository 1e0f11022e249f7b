//===- Grad.h - Backward kernels for reverse-mode differentiation -*- C++
//-*-===//
//
// Vector-Jacobian products of the core forward kernels, for the gradient ops
// the differentiation pass emits. Each kernel takes the output gradient and
// whichever forward inputs/outputs it needs, and returns the input
// gradients; it is documented with the PyTorch autograd function it
// reproduces. Float dtypes f32 and f64 (all operands share one dtype; index
// operands are i8/i32/i64). Optional gradients (bias, affine parameters)
// are undefined when the forward op had no such operand.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_GRAD_H
#define NNC_RUNTIME_KERNELS_GRAD_H

#include "runtime/Tensor.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Losses.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace nnc::rt::kernels {

//===----------------------------------------------------------------------===//
// Dense, broadcasting and reductions (GradDense.cpp)
//===----------------------------------------------------------------------===//

/// Sums `grad` over the dims along which a tensor of `shape` was broadcast
/// to grad's shape (numpy rules, right-aligned): the gradient of an operand
/// of a broadcasting op (torch's sum_to_size).
Tensor sumToShape(const Tensor &grad, const Shape &shape);

struct BinaryGrads {
  Tensor lhs, rhs;
};
/// Autograd of torch.add/sub/mul/div(lhs, rhs) with broadcasting, for
/// op in {Add, Sub, Mul, Div}; each gradient has its operand's shape.
BinaryGrads binaryBackward(BinaryOp op, const Tensor &gradOutput,
                           const Tensor &lhs, const Tensor &rhs);

/// Autograd of torch.sum / torch.mean(x, dims, keepdim) (ReduceOp Sum or
/// Mean semantics, `mean` selects): gradOutput broadcast back to
/// inputShape (divided by the reduced count for the mean).
Tensor reduceBackward(const Tensor &gradOutput, const Shape &inputShape,
                      const std::vector<int64_t> &dims, bool keepdim,
                      bool mean);

/// Autograd of torch.amax / torch.amin(x, dims, keepdim) given the result
/// `output`: the gradient is split evenly among the elements equal to their
/// reduction's result.
Tensor reduceSelectBackward(const Tensor &gradOutput, const Tensor &input,
                            const Tensor &output,
                            const std::vector<int64_t> &dims, bool keepdim);

/// Autograd of torch.topk(x, k, axis).values given the returned `indices`:
/// each value's gradient goes back to its position.
Tensor topKBackward(const Tensor &gradOutput, const Tensor &indices,
                    const Shape &inputShape, int64_t axis);

/// Autograd of kernels::patchify: the inverse rearrangement, from
/// [N, (H / ph) * (W / pw), C * ph * pw] back to [N, C, H, W].
Tensor patchifyBackward(const Tensor &gradOutput, const Shape &inputShape,
                        const std::vector<int64_t> &patchSize);

/// Autograd of kernels::timestepEmbedding w.r.t. float timesteps [N]:
/// sum_i f_i (-sin(t f_i) dcos_i + cos(t f_i) dsin_i), in the timesteps'
/// dtype.
Tensor timestepEmbeddingBackward(const Tensor &gradOutput,
                                 const Tensor &timesteps, double maxPeriod);

struct LinearGrads {
  Tensor input, weight, bias;
};
/// Autograd of F.linear(input [..., in], weight [out, in], bias [out]):
/// dX = dY W, dW = dY^T X, dB = sum of dY over rows (only with `hasBias`).
LinearGrads linearBackward(const Tensor &gradOutput, const Tensor &input,
                           const Tensor &weight, bool hasBias);

/// The weight part of linearBackward alone: dW = dY^T X over all rows.
Tensor linearWeightBackward(const Tensor &gradOutput, const Tensor &input,
                            const Shape &weightShape);

/// Autograd of x[start:end:step] along `axis` (kernels::slice semantics):
/// gradOutput scattered into zeros of `inputShape`.
Tensor sliceBackward(const Tensor &gradOutput, const Shape &inputShape,
                     int64_t axis, int64_t start, int64_t end, int64_t step);

struct MatmulGrads {
  Tensor lhs, rhs;
};
/// Autograd of torch.matmul for ranks >= 2 with batch broadcasting:
/// dA = dY B^T, dB = A^T dY, each summed over the batch dims its operand
/// was broadcast along.
MatmulGrads matmulBackward(const Tensor &gradOutput, const Tensor &lhs,
                           const Tensor &rhs);

/// Autograd of F.embedding(indices, weight, padding_idx) w.r.t. weight
/// [numEmbeddings, dim]: rows of gradOutput [indices.shape..., dim]
/// scatter-added into a zero table; the paddingIdx row (negative counts
/// from the end) gets no gradient. Indices outside the table are skipped
/// (the forward kernel rejects them).
Tensor embeddingBackward(const Tensor &gradOutput, const Tensor &indices,
                         int64_t numEmbeddings,
                         std::optional<int64_t> paddingIdx);

//===----------------------------------------------------------------------===//
// Convolution and pooling (GradConv.cpp)
//===----------------------------------------------------------------------===//

struct ConvGrads {
  Tensor input, weight, bias;
};
/// Autograd of F.conv1d/2d/3d(input, weight, bias, stride, padding,
/// dilation, groups) with the layouts of kernels::conv: dW by GEMM against
/// the im2col of the input, dX by the transposed GEMM and col2im, dB by
/// summing dY (only with `hasBias`). `needInput` / `needWeight` skip the
/// work of a gradient nobody reads (the first layer's input gradient); the
/// skipped field is undefined.
ConvGrads convBackward(const Tensor &gradOutput, const Tensor &input,
                       const Tensor &weight, bool hasBias,
                       const std::vector<int64_t> &stride,
                       const std::vector<int64_t> &padding,
                       const std::vector<int64_t> &dilation, int64_t groups,
                       bool needInput = true, bool needWeight = true);

/// Autograd of F.max_pool1d/2d/3d (same arguments as kernels::maxPool): each
/// output gradient goes to its window's argmax, recomputed from the input
/// (first maximum in scan order, the last NaN if any, as in PyTorch).
Tensor maxPoolBackward(const Tensor &gradOutput, const Tensor &input,
                       const std::vector<int64_t> &kernelSize,
                       const std::vector<int64_t> &stride,
                       const std::vector<int64_t> &padding,
                       const std::vector<int64_t> &dilation, bool ceilMode);

/// Autograd of F.avg_pool1d/2d/3d (same arguments as kernels::avgPool):
/// each output gradient divided by its window's divisor and spread over the
/// window's input positions.
Tensor avgPoolBackward(const Tensor &gradOutput, const Shape &inputShape,
                       const std::vector<int64_t> &kernelSize,
                       const std::vector<int64_t> &stride,
                       const std::vector<int64_t> &padding, bool ceilMode,
                       bool countIncludePad);

//===----------------------------------------------------------------------===//
// Normalisation (GradNorm.cpp)
//===----------------------------------------------------------------------===//

struct NormGrads {
  Tensor input, weight, bias;
};
/// Autograd of F.batch_norm(x, ..., weight, bias, training=True, eps) with
/// the batch `mean` and `invStd` that batchNormTrain returned (weight
/// undefined: no affine, and no weight/bias gradients).
NormGrads batchNormTrainBackward(const Tensor &gradOutput, const Tensor &input,
                                 const Tensor &weight, const Tensor &mean,
                                 const Tensor &invStd);

/// Autograd of F.layer_norm(x, normalizedShape, weight, bias, eps); the row
/// statistics are recomputed. Weight/bias gradients only where defined
/// (`hasBias` for the bias).
NormGrads layerNormBackward(const Tensor &gradOutput, const Tensor &input,
                            const Tensor &weight, bool hasBias,
                            const std::vector<int64_t> &normalizedShape,
                            double epsilon);

//===----------------------------------------------------------------------===//
// Activations, softmax, dropout and losses (GradElementwise.cpp)
//===----------------------------------------------------------------------===//

/// Autograd of torch.relu: dY where x > 0, else 0.
Tensor reluBackward(const Tensor &gradOutput, const Tensor &input);
/// Autograd of F.gelu(x, approximate = "tanh" or "none").
Tensor geluBackward(const Tensor &gradOutput, const Tensor &input,
                    bool tanhApproximation);
/// Autograd of torch.sigmoid from its output y: dY y (1 - y).
Tensor sigmoidBackward(const Tensor &gradOutput, const Tensor &output);
/// Autograd of torch.tanh from its output y: dY (1 - y^2).
Tensor tanhBackward(const Tensor &gradOutput, const Tensor &output);
/// Autograd of F.softmax(x, axis) from its output y:
/// y (dY - sum(dY y, axis)).
Tensor softmaxBackward(const Tensor &gradOutput, const Tensor &output,
                       int64_t axis);
/// Autograd of F.log_softmax(x, axis) from its output y:
/// dY - exp(y) sum(dY, axis).
Tensor logSoftmaxBackward(const Tensor &gradOutput, const Tensor &output,
                          int64_t axis);
/// Autograd of F.dropout / F.dropout2d in training mode with the same p,
/// spatial, seed and stream as the forward kernels::dropout: the mask is
/// regenerated, so dX = dY * mask / (1 - p).
Tensor dropoutBackward(const Tensor &gradOutput, double p, bool spatial,
                       uint64_t seed, uint64_t stream = 0);

/// Autograd of F.cross_entropy(input [N, C, d...], target [N, d...] class
/// indices, ignore_index, reduction, label_smoothing) w.r.t. the logits:
/// (softmax - q) times the loss gradient, q = (1 - eps) onehot + eps / C.
/// gradOutput is rank 0 for Mean/Sum, target-shaped for None. Ignored
/// positions get 0; a class index outside [0, C) gives NaN there.
Tensor crossEntropyBackward(const Tensor &gradOutput, const Tensor &input,
                            const Tensor &target, double labelSmoothing,
                            int64_t ignoreIndex, Reduction reduction);

/// Autograd of F.mse_loss(input, target, reduction) w.r.t. input:
/// 2 (x - y) dL (divided by numel for Mean); the target's gradient is the
/// negation.
Tensor mseLossBackward(const Tensor &gradOutput, const Tensor &input,
                       const Tensor &target, Reduction reduction);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_GRAD_H
