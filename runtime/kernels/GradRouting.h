//===- GradRouting.h - Backward kernel of mixture of experts ----*- C++ -*-===//
//
// The vector-Jacobian product of kernels::moe (Routing.h). The routing is
// recomputed from the forward inputs exactly as the forward does it (same
// gate GEMM, softmax and top-k tie rule), so the same experts are selected.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_GRADROUTING_H
#define NNC_RUNTIME_KERNELS_GRADROUTING_H

#include "runtime/Tensor.h"
#include "runtime/kernels/Routing.h"

#include <vector>

namespace nnc::rt::kernels {

struct MoEGrads {
  Tensor input, gateWeight;
  /// Same order and shapes as the forward's `expertWeights`; an expert no
  /// token was routed to gets zeros.
  std::vector<Tensor> expertWeights;
};
/// Autograd of the top-k mixture of experts of kernels::moe (whose PyTorch
/// reference composition is documented there) for both results:
/// gradOutput (the input's shape) and gradAuxLoss (rank 0; either may be
/// undefined, meaning zeros). Each selected expert's MLP is differentiated
/// on its routed tokens with the combine weight probs[n, e]; the gate gets
/// d probs[n, e] = dY[n] . expert_e(x[n]) for the selected experts (zero for
/// the others, the top-k choice being piecewise constant) plus the
/// load-balancing term E f_e / N dAux for every expert, then the softmax
/// backward couples all of a token's logits. The top-1 fractions f_e carry
/// no gradient (one_hot of indices in PyTorch).
MoEGrads moeBackward(const Tensor &gradOutput, const Tensor &gradAuxLoss,
                     const Tensor &input, const Tensor &gateWeight,
                     const std::vector<Tensor> &expertWeights,
                     int64_t numExperts, int64_t topK,
                     ExpertActivation activation, bool hasBias);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_GRADROUTING_H
