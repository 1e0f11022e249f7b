//===- Routing.h - Mixture-of-experts forward kernel ------------*- C++ -*-===//
//
// nn.moe: top-k gated mixture of two-layer MLP experts with a Switch-style
// load-balancing loss. There is no PyTorch module for it; the semantics below
// are the reference (and what the PyTorch twin of a model must implement).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_ROUTING_H
#define NNC_RUNTIME_KERNELS_ROUTING_H

#include "runtime/Tensor.h"

#include <vector>

namespace nnc::rt::kernels {

enum class ExpertActivation { ReLU, GELU, SiLU };

struct MoEResult {
  Tensor output;  ///< the input's shape
  Tensor auxLoss; ///< rank-0 float32
};

/// Float tensors of one dtype (f32/f64 natively, f16/bf16 through f32).
/// For input x [..., D] read as N tokens [N, D]; gateWeight [E, D];
/// `expertWeights` per expert in order fc1_weight [H_e, D], (fc1_bias [H_e]),
/// fc2_weight [D, H_e], (fc2_bias [D]), biases iff `hasBias`:
///   probs = softmax(x @ gateWeight^T, -1)                       [N, E]
///   top = torch.topk(probs, topK): the k largest, ties to the lower index
///   y[n] = sum_{e in top[n]} probs[n, e] * fc2_e(act(fc1_e(x[n])))
/// The combine weights are the selected softmax probabilities themselves,
/// NOT renormalised over the top k. act is ReLU, exact (erf) GELU or SiLU.
///   aux_loss = E * sum_e f_e * P_e, with f_e the fraction of tokens whose
///   top-1 expert is e and P_e = mean_n probs[n, e] (Switch Transformer);
///   NaN when there are no tokens (a mean over nothing, as in PyTorch).
/// Each expert runs only on the tokens routed to it (gather, two SGEMMs,
/// weighted scatter-add).
MoEResult moe(const Tensor &input, const Tensor &gateWeight,
              const std::vector<Tensor> &expertWeights, int64_t numExperts,
              int64_t topK, ExpertActivation activation, bool hasBias);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_ROUTING_H
