//===- GradAttention.h - Backward kernels of the attention ops --*- C++ -*-===//
//
// Vector-Jacobian products of the kernels of Attention.h. Each takes the
// output gradient(s) followed by the forward kernel's own arguments and
// returns the gradient of every float operand (masks get none). The softmax
// probabilities are recomputed per (batch, head) block from the forward
// inputs; nothing is carried over from the forward call.
//
// Dtypes follow the forward kernels: f32 and f64 natively, f16/bf16 through
// f32, every gradient in its operand's dtype. A fully masked score row is NaN
// in the forward (PyTorch's softmax of all -inf); its gradients are NaN too,
// exactly as autograd through the additive -inf mask gives (the NaN
// probabilities reach dV, and dS of that row reaches dQ and dK). Masked
// positions of any other row get exactly zero gradient.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_GRADATTENTION_H
#define NNC_RUNTIME_KERNELS_GRADATTENTION_H

#include "runtime/Tensor.h"
#include "runtime/kernels/Attention.h"

#include <optional>

namespace nnc::rt::kernels {

struct SdpaGrads {
  Tensor query, key, value;
  /// The gradient of a float attn_mask (the pre-softmax score gradient,
  /// summed over the dims the mask was broadcast along); undefined for
  /// boolean or absent masks.
  Tensor mask;
};
/// Autograd of softmax(q k^T * scale + mask) v, i.e. torch 2.x's
/// F.scaled_dot_product_attention math path (additive -inf masks), with the
/// arguments of kernels::scaledDotProductAttention. Per block: dV = P^T dO,
/// dP = dO V^T, dS = P (dP - rowsum(dP P)), dQ = scale dS K,
/// dK = scale dS^T Q. Operands broadcast along batch dims get their
/// gradient summed over those dims (each gradient has its operand's shape).
SdpaGrads
scaledDotProductAttentionBackward(const Tensor &gradOutput, const Tensor &query,
                                  const Tensor &key, const Tensor &value,
                                  const Tensor &attnMask, bool isCausal,
                                  std::optional<double> scale = std::nullopt);

/// Autograd of kernels::relativePositionBias w.r.t. its weight
/// [numBuckets, heads]: each output gradient [1, heads, Tq, Tk] is added to
/// the row of its relative-position bucket.
Tensor relativePositionBiasBackward(const Tensor &gradOutput,
                                    const Shape &weightShape,
                                    int64_t numBuckets, int64_t maxDistance,
                                    bool bidirectional);

struct MultiHeadAttentionGrads {
  Tensor query, key, value;
  /// The gradient of each weight the forward was given, in the same field
  /// (packed inProjWeight or the three q/k/vProjWeight; biases only where
  /// defined); the other fields stay undefined.
  MultiHeadAttentionWeights weights;
};
/// Autograd of torch.nn.MultiheadAttention in eval mode
/// (F.multi_head_attention_forward(..., need_weights=False)[0]) with the
/// arguments of kernels::multiHeadAttention: the out projection's backward,
/// the per-head attention backward of scaledDotProductAttentionBackward on
/// strided head blocks, then each in projection's backward (dX = dY W,
/// dW = dY^T X, db = column sums of dY).
MultiHeadAttentionGrads multiHeadAttentionBackward(
    const Tensor &gradOutput, const Tensor &query, const Tensor &key,
    const Tensor &value, const MultiHeadAttentionWeights &weights,
    const Tensor &keyPaddingMask, const Tensor &attnMask, int64_t numHeads,
    bool batchFirst, bool isCausal, const AttentionDropout &dropout = {});

struct AdditiveAttentionGrads {
  Tensor query, keys, queryWeight, keyWeight, scoreWeight;
};
/// Autograd of the Bahdanau attention of kernels::additiveAttention for
/// both of its results: gradContext [B, Hk] and gradWeights [B, T] (either
/// may be undefined, meaning zeros). Reproduces autograd through
/// softmax(tanh(q Wq^T + k Wk^T) ws^T) and the weighted key sum.
AdditiveAttentionGrads
additiveAttentionBackward(const Tensor &gradContext, const Tensor &gradWeights,
                          const Tensor &query, const Tensor &keys,
                          const Tensor &queryWeight, const Tensor &keyWeight,
                          const Tensor &scoreWeight);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_GRADATTENTION_H
