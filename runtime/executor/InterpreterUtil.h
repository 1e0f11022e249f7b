//===- InterpreterUtil.h - Attribute and operand helpers --------*- C++ -*-===//
//
// Conversions shared by the interpreter's gradient-op families
// (InterpreterGrad*.cpp). Forward ops run through their kernel adapters,
// which read the same attributes from descriptors (runtime/abi/AdapterUtil.h);
// these typed-accessor versions go once the gradient ops have adapters too.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_EXECUTOR_INTERPRETERUTIL_H
#define NNC_RUNTIME_EXECUTOR_INTERPRETERUTIL_H

#include "runtime/executor/Interpreter.h"
#include "runtime/kernels/Attention.h"
#include "runtime/kernels/Losses.h"
#include "runtime/kernels/Recurrent.h"
#include "runtime/kernels/Routing.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

namespace nnc::exec {

inline std::vector<int64_t> vec(llvm::ArrayRef<int64_t> a) {
  return std::vector<int64_t>(a.begin(), a.end());
}

inline std::vector<rt::Tensor> tensors(Interpreter &in,
                                       mlir::ValueRange values) {
  std::vector<rt::Tensor> out;
  for (mlir::Value v : values)
    out.push_back(in.tensor(v));
  return out;
}

inline rt::kernels::Reduction reduction(llvm::StringRef name) {
  return rt::kernels::parseReduction(std::string_view(name.data(), name.size()))
      .value_or(rt::kernels::Reduction::Mean);
}

inline rt::kernels::ExpertActivation expertActivation(llvm::StringRef a) {
  return a == "gelu"   ? rt::kernels::ExpertActivation::GELU
         : a == "silu" ? rt::kernels::ExpertActivation::SiLU
                       : rt::kernels::ExpertActivation::ReLU;
}

/// The options of a recurrent op or its gradient op. Inter-layer dropout
/// applies only when nn-differentiate gave the op a training seed.
template <typename OpT>
rt::kernels::RecurrentOptions recurrentOptions(Interpreter &in, OpT op) {
  rt::kernels::RecurrentOptions o;
  o.hiddenSize = op.getHiddenSize();
  o.numLayers = op.getNumLayers();
  o.bidirectional = op.getBidirectional();
  o.batchFirst = op.getBatchFirst();
  o.hasBiases = op.getHasBiases();
  if (auto seed = op.getTrainingSeed()) {
    o.dropout = op.getDropout();
    o.dropoutSeed = in.opSeed(uint64_t(*seed));
  }
  return o;
}

/// The attention-probability dropout of nn.multi_head_attention or its
/// gradient op: only in a training step (nn-differentiate sets the seed).
template <typename OpT>
rt::kernels::AttentionDropout attentionDropout(Interpreter &in, OpT op) {
  rt::kernels::AttentionDropout d;
  if (auto seed = op.getTrainingSeed()) {
    d.p = op.getDropout();
    d.seed = in.opSeed(uint64_t(*seed));
  }
  return d;
}

/// The projection weights of nn.multi_head_attention or its gradient op.
template <typename OpT>
rt::kernels::MultiHeadAttentionWeights attentionWeights(Interpreter &in,
                                                        OpT op) {
  rt::kernels::MultiHeadAttentionWeights w;
  w.inProjWeight = in.optional(op.getInProjWeight());
  w.qProjWeight = in.optional(op.getQProjWeight());
  w.kProjWeight = in.optional(op.getKProjWeight());
  w.vProjWeight = in.optional(op.getVProjWeight());
  w.inProjBias = in.optional(op.getInProjBias());
  w.outProjWeight = in.tensor(op.getOutProjWeight());
  w.outProjBias = in.optional(op.getOutProjBias());
  return w;
}

} // namespace nnc::exec

#endif // NNC_RUNTIME_EXECUTOR_INTERPRETERUTIL_H
