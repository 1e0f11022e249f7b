//===- AdapterUtil.h - Attribute readers shared by adapters ------*- C++
//-*-===//
//
// Attributes and operands that several ops (and their gradient ops) read the
// same way.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_ABI_ADAPTERUTIL_H
#define NNC_RUNTIME_ABI_ADAPTERUTIL_H

#include "runtime/abi/Kernels.h"
#include "runtime/kernels/Attention.h"
#include "runtime/kernels/Losses.h"
#include "runtime/kernels/Recurrent.h"
#include "runtime/kernels/Routing.h"

namespace nnc::rt::abi {

/// A loss's `reduction` (verified by the dialect; "mean" by default).
inline kernels::Reduction reduction(const KernelCall &c) {
  return kernels::parseReduction(c.attrs.getString("reduction", "mean"))
      .value_or(kernels::Reduction::Mean);
}

/// nn.moe's `activation` ("relu" by default).
inline kernels::ExpertActivation expertActivation(const KernelCall &c) {
  std::string a = c.attrs.getString("activation", "relu");
  return a == "gelu"   ? kernels::ExpertActivation::GELU
         : a == "silu" ? kernels::ExpertActivation::SiLU
                       : kernels::ExpertActivation::ReLU;
}

/// The options of a recurrent op or its gradient op. Inter-layer dropout
/// applies only when nn-differentiate gave the op a training seed.
inline kernels::RecurrentOptions recurrentOptions(const KernelCall &c) {
  kernels::RecurrentOptions o;
  o.hiddenSize = c.attrs.getInt("hidden_size");
  o.numLayers = c.attrs.getInt("num_layers", 1);
  o.bidirectional = c.attrs.getBool("bidirectional");
  o.batchFirst = c.attrs.getBool("batch_first");
  o.hasBiases = c.attrs.getBool("has_biases", true);
  if (c.attrs.has("training_seed")) {
    o.dropout = c.attrs.getFloat("dropout");
    o.dropoutSeed = c.context.opSeed(uint64_t(c.attrs.getInt("training_seed")));
  }
  return o;
}

/// The attention-probability dropout of nn.multi_head_attention or its
/// gradient op: only in a training step (nn-differentiate sets the seed).
inline kernels::AttentionDropout attentionDropout(const KernelCall &c) {
  kernels::AttentionDropout d;
  if (c.attrs.has("training_seed")) {
    d.p = c.attrs.getFloat("dropout");
    d.seed = c.context.opSeed(uint64_t(c.attrs.getInt("training_seed")));
  }
  return d;
}

/// The projection weights of nn.multi_head_attention or its gradient op,
/// whose operand groups from `first` on are in_proj_weight?,
/// q/k/v_proj_weight?, in_proj_bias?, out_proj_weight, out_proj_bias?.
inline kernels::MultiHeadAttentionWeights attentionWeights(const KernelCall &c,
                                                           size_t first) {
  kernels::MultiHeadAttentionWeights w;
  w.inProjWeight = c.optional(first);
  w.qProjWeight = c.optional(first + 1);
  w.kProjWeight = c.optional(first + 2);
  w.vProjWeight = c.optional(first + 3);
  w.inProjBias = c.optional(first + 4);
  w.outProjWeight = c.operand(first + 5);
  w.outProjBias = c.optional(first + 6);
  return w;
}

/// A gradient a backward kernel left undefined (no affine weight, a target
/// it does not differentiate) is zero, of the type of the value it belongs
/// to.
inline Tensor zerosIfUndefined(Tensor grad, DType dtype, const Shape &shape) {
  return grad.defined() ? std::move(grad) : Tensor(dtype, shape);
}
inline Tensor zerosIfUndefined(Tensor grad, const Tensor &like) {
  return zerosIfUndefined(std::move(grad), like.dtype(), like.shape());
}

} // namespace nnc::rt::abi

#endif // NNC_RUNTIME_ABI_ADAPTERUTIL_H
