//===- Attention.h - Attention forward kernels ------------------*- C++ -*-===//
//
// nn.scaled_dot_product_attention, nn.multi_head_attention and
// nn.additive_attention. Float tensors of one dtype: f32 and f64 are computed
// natively, f16/bf16 through f32, and results have the query's dtype. An
// undefined Tensor stands for an absent optional operand.
//
// Mask conventions differ between the PyTorch APIs and are kept as PyTorch
// has them:
//  - scaled_dot_product_attention: a bool attn_mask is true = ATTEND;
//  - multi_head_attention: a bool attn_mask or key_padding_mask is
//    true = IGNORE (masked out);
//  - a float mask is always added to the scores.
// A masked score becomes score + (-inf); a row whose scores are all -inf
// yields NaN, exactly as PyTorch's softmax does.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_ATTENTION_H
#define NNC_RUNTIME_KERNELS_ATTENTION_H

#include "runtime/Tensor.h"

#include <optional>

namespace nnc::rt::kernels {

/// F.scaled_dot_product_attention(query, key, value, attn_mask, is_causal,
/// scale) (torch >= 2.1), i.e. softmax(q k^T * scale + mask) v.
/// query [..., Tq, E], key [..., Tk, E], value [..., Tk, Ev] with
/// broadcasting batch dims -> [..., Tq, Ev]. `attnMask` is Bool
/// (true = attend) or F32 (added), broadcastable to [..., Tq, Tk].
/// `isCausal` lets query i attend to keys j <= i (torch.ones(Tq, Tk).tril(0),
/// aligned top-left also when Tq != Tk). `scale` defaults to 1/sqrt(E).
Tensor scaledDotProductAttention(const Tensor &query, const Tensor &key,
                                 const Tensor &value, const Tensor &attnMask,
                                 bool isCausal,
                                 std::optional<double> scale = std::nullopt);

/// The parameters of torch.nn.MultiheadAttention: either `inProjWeight`
/// [3E, E] (q, k, v stacked) or the three `q/k/vProjWeight` [E, E], [E, kdim],
/// [E, vdim]; `inProjBias` [3E] and `outProjBias` [E] are optional;
/// `outProjWeight` is [E, E].
struct MultiHeadAttentionWeights {
  Tensor inProjWeight, qProjWeight, kProjWeight, vProjWeight, inProjBias;
  Tensor outProjWeight, outProjBias;
};

/// Training-mode dropout of the attention probabilities (the nn.Dropout that
/// torch.nn.MultiheadAttention applies to them): probability `p`, masks
/// drawn from a Philox stream keyed by (seed, batch * numHeads + head).
struct AttentionDropout {
  double p = 0;
  uint64_t seed = 0;
};

/// Multiplies the `count` probabilities of attention block `stream` by its
/// dropout mask: 0 with probability p, 1 / (1 - p) otherwise. The mask is a
/// pure function of (seed, stream, element), so the backward pass draws the
/// same one.
void applyAttentionDropout(float *probs, int64_t count,
                           const AttentionDropout &dropout, uint64_t stream);
void applyAttentionDropout(double *probs, int64_t count,
                           const AttentionDropout &dropout, uint64_t stream);

/// torch.nn.MultiheadAttention(E, numHeads, batch_first=batchFirst)(query,
/// key, value, key_padding_mask, need_weights=False, attn_mask)[0] in eval
/// mode (dropout off). query [B, Tq, E] if `batchFirst` else [Tq, B, E]; key
/// and value likewise with Tk and kdim / vdim. Scores are
/// (q_h k_h^T) / sqrt(E / numHeads).
/// - keyPaddingMask [B, Tk]: Bool with true = ignore that key, or F32 added.
/// - attnMask [Tq, Tk] or [B * numHeads, Tq, Tk] (index b * numHeads + h):
///   Bool with true = not allowed to attend, or F32 added.
/// - isCausal applies the causal mask of scaledDotProductAttention on top of
///   any attnMask (PyTorch treats is_causal as a hint that attn_mask is that
///   mask, so both readings agree).
/// The result has the query's shape. With `dropout.p > 0` (training) the
/// attention probabilities are dropped as torch's module does in train mode.
Tensor multiHeadAttention(const Tensor &query, const Tensor &key,
                          const Tensor &value,
                          const MultiHeadAttentionWeights &weights,
                          const Tensor &keyPaddingMask, const Tensor &attnMask,
                          int64_t numHeads, bool batchFirst, bool isCausal,
                          const AttentionDropout &dropout = {});

struct AdditiveAttentionResult {
  Tensor context; ///< [B, Hk]
  Tensor weights; ///< [B, T]
};

/// Bahdanau attention (no PyTorch module; the usual hand-written one):
/// score[b, t] = score_weight . tanh(query_weight q[b] + key_weight k[b, t]),
/// weights = softmax over t, context = sum_t weights[b, t] k[b, t].
/// query [B, Hq], keys [B, T, Hk], queryWeight [A, Hq], keyWeight [A, Hk],
/// scoreWeight [1, A].
AdditiveAttentionResult additiveAttention(const Tensor &query,
                                          const Tensor &keys,
                                          const Tensor &queryWeight,
                                          const Tensor &keyWeight,
                                          const Tensor &scoreWeight);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_ATTENTION_H
