//===- GradLayerKernels.cpp - Adapters: pointwise and layer gradients -----===//
//
// The ops of NNGradPointwiseOps.td (activations, binary ops, losses) and
// NNGradLayerOps.td (transposed convolution, adaptive pooling, group norm,
// recurrent layers, attention, experts, message passing): one backward
// kernel each. Ops named by a string attribute (unary_grad's `op`,
// pointwise_loss_grad's `loss`, ...) reject names they do not know.
//
//===----------------------------------------------------------------------===//

#include "runtime/abi/AdapterUtil.h"
#include "runtime/abi/Kernels.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Grad.h"
#include "runtime/kernels/GradAttention.h"
#include "runtime/kernels/GradMisc.h"
#include "runtime/kernels/GradRecurrent.h"
#include "runtime/kernels/GradRouting.h"
#include "runtime/kernels/Shape.h"

#include <optional>

using namespace nnc::rt;
using namespace nnc::rt::abi;
namespace k = nnc::rt::kernels;

//===----------------------------------------------------------------------===//
// Pointwise
//===----------------------------------------------------------------------===//

/// grad_output, input, output of the forward op `op` names.
static bool unaryGrad(KernelCall &c) {
  std::string name = c.attrs.getString("op");
  k::UnaryOp op;
  if (!k::unaryOpFromName(name, op))
    return c.fail("unknown unary op '" + name + "'");
  return c.setResult(
      0, k::unaryBackward(op, c.operand(0), c.operand(1), c.operand(2)));
}

static bool eluGrad(KernelCall &c) {
  return c.setResult(0, k::eluBackward(c.operand(0), c.operand(1),
                                       c.attrs.getFloat("alpha", 1.0)));
}

static bool leakyReluGrad(KernelCall &c) {
  return c.setResult(
      0, k::leakyReluBackward(c.operand(0), c.operand(1),
                              c.attrs.getFloat("negative_slope", 0.01)));
}

static bool softplusGrad(KernelCall &c) {
  return c.setResult(0,
                     k::softplusBackward(c.operand(0), c.operand(1),
                                         c.attrs.getFloat("beta", 1.0),
                                         c.attrs.getFloat("threshold", 20.0)));
}

static bool preluGrad(KernelCall &c) {
  k::PreluGrads g = k::preluBackward(c.operand(0), c.operand(1), c.operand(2));
  return c.setResult(0, std::move(g.input)) &&
         c.setResult(1, std::move(g.weight));
}

/// grad_output, lhs, rhs of the forward op `op` names.
static bool binaryGrad(KernelCall &c) {
  std::string name = c.attrs.getString("op");
  k::BinaryOp op;
  if (!k::binaryOpFromName(name, op))
    return c.fail("unknown binary op '" + name + "'");
  k::BinaryGrads g =
      k::binaryOpBackward(op, c.operand(0), c.operand(1), c.operand(2));
  return c.setResult(0, std::move(g.lhs)) && c.setResult(1, std::move(g.rhs));
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// grad_output, input, target of the loss `loss` names. A target gradient
/// the kernel does not compute is zero.
static bool pointwiseLossGrad(KernelCall &c) {
  const Tensor &dl = c.operand(0), &x = c.operand(1), &t = c.operand(2);
  k::Reduction r = reduction(c);
  std::string loss = c.attrs.getString("loss");
  k::LossGrads g;
  if (loss == "l1_loss")
    g = k::l1LossBackward(dl, x, t, r);
  else if (loss == "bce_loss")
    g = k::bceLossBackward(dl, x, t, r);
  else if (loss == "bce_with_logits_loss")
    g = k::bceWithLogitsLossBackward(dl, x, t, r);
  else if (loss == "kl_div_loss")
    g = k::klDivLossBackward(dl, x, t, r, c.attrs.getBool("log_target"));
  else
    return c.fail("unknown pointwise loss '" + loss + "'");
  return c.setResult(0, std::move(g.input)) &&
         c.setResult(1, zerosIfUndefined(std::move(g.target), t));
}

static bool nllLossGrad(KernelCall &c) {
  return c.setResult(0, k::nllLossBackward(c.operand(0), c.operand(1),
                                           c.operand(2),
                                           c.attrs.getInt("ignore_index", -100),
                                           reduction(c)));
}

static bool crossEntropyProbsGrad(KernelCall &c) {
  const Tensor &target = c.operand(2);
  k::LossGrads g = k::crossEntropyProbsBackward(
      c.operand(0), c.operand(1), target, c.attrs.getFloat("label_smoothing"),
      reduction(c));
  return c.setResult(0, std::move(g.input)) &&
         c.setResult(1, zerosIfUndefined(std::move(g.target), target));
}

/// grad_output, student, teacher, target.
static bool distillationLossGrad(KernelCall &c) {
  k::DistillationGrads g = k::distillationLossBackward(
      c.operand(0), c.operand(1), c.operand(2), c.operand(3),
      c.attrs.getFloat("temperature"), c.attrs.getFloat("alpha"));
  return c.setResult(0, std::move(g.student)) &&
         c.setResult(1, std::move(g.teacher));
}

static bool infoNceLossGrad(KernelCall &c) {
  k::InfoNceGrads g =
      k::infoNceLossBackward(c.operand(0), c.operand(1), c.operand(2),
                             c.attrs.getFloat("temperature"));
  return c.setResult(0, std::move(g.anchor)) &&
         c.setResult(1, std::move(g.positive));
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, normalisation
//===----------------------------------------------------------------------===//

static bool convTransposeGrad(KernelCall &c) {
  k::ConvGrads g = k::convTransposeBackward(
      c.operand(0), c.operand(1), c.operand(2), /*hasBias=*/false,
      c.attrs.getInts("stride"), c.attrs.getInts("padding"),
      c.attrs.getInts("output_padding"), c.attrs.getInts("dilation"),
      c.attrs.getInt("groups", 1));
  return c.setResult(0, std::move(g.input)) &&
         c.setResult(1, std::move(g.weight));
}

static bool adaptiveAvgPoolGrad(KernelCall &c) {
  return c.setResult(
      0, k::adaptiveAvgPoolBackward(c.operand(0), c.operand(1).shape()));
}

static bool adaptiveMaxPoolGrad(KernelCall &c) {
  return c.setResult(0, k::adaptiveMaxPoolBackward(c.operand(0), c.operand(1)));
}

/// grad_output, input [N, C, ...], weight?, bias?; the affine gradients
/// are [C].
static bool groupNormGrad(KernelCall &c) {
  const Tensor &x = c.operand(1);
  if (x.rank() < 2)
    return c.fail("the input must have rank 2 or more");
  k::NormGrads g = k::groupNormBackward(
      c.operand(0), x, c.optional(2), c.optional(3).defined(),
      c.attrs.getInt("num_groups"), c.attrs.getFloat("epsilon", 1e-5));
  Shape channels{x.dim(1)};
  return c.setResult(0, std::move(g.input)) &&
         c.setResult(
             1, zerosIfUndefined(std::move(g.weight), x.dtype(), channels)) &&
         c.setResult(2,
                     zerosIfUndefined(std::move(g.bias), x.dtype(), channels));
}

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

/// The results: the input gradient, then the gradients of the present
/// initial states (h0, c0), then one per weight.
static bool setRecurrentGrads(KernelCall &c, k::RecurrentGrads &g, bool hasH0,
                              bool hasC0) {
  std::vector<Tensor> all{std::move(g.input)};
  if (hasH0)
    all.push_back(std::move(g.h0));
  if (hasC0)
    all.push_back(std::move(g.c0));
  for (Tensor &w : g.weights)
    all.push_back(std::move(w));
  if (all.size() != c.results.size())
    return c.fail("the kernel computed " + std::to_string(all.size()) +
                  " gradients for " + std::to_string(c.results.size()) +
                  " results");
  for (size_t i = 0; i < all.size(); ++i)
    if (!c.setResult(i, std::move(all[i])))
      return false;
  return true;
}

// Operands: grad_output, grad_h_n, (grad_c_n,) input, h0?, (c0?,) weights*.
static bool rnnGrad(KernelCall &c) {
  Tensor h0 = c.optional(3);
  k::RecurrentGrads g = k::rnnBackward(
      c.operand(0), c.operand(1), c.operand(2), h0, c.variadic(4),
      recurrentOptions(c), c.attrs.getString("nonlinearity", "tanh") == "relu");
  return setRecurrentGrads(c, g, h0.defined(), false);
}

static bool lstmGrad(KernelCall &c) {
  Tensor h0 = c.optional(4), c0 = c.optional(5);
  k::RecurrentGrads g =
      k::lstmBackward(c.operand(0), c.operand(1), c.operand(2), c.operand(3),
                      h0, c0, c.variadic(6), recurrentOptions(c));
  return setRecurrentGrads(c, g, h0.defined(), c0.defined());
}

static bool gruGrad(KernelCall &c) {
  Tensor h0 = c.optional(3);
  k::RecurrentGrads g = k::gruBackward(c.operand(0), c.operand(1), c.operand(2),
                                       h0, c.variadic(4), recurrentOptions(c));
  return setRecurrentGrads(c, g, h0.defined(), false);
}

//===----------------------------------------------------------------------===//
// Attention and experts
//===----------------------------------------------------------------------===//

/// grad_output, query, key, value, attn_mask? -> the query, key and value
/// gradients, and the mask's when the op asks for it (a float mask).
static bool sdpaGrad(KernelCall &c) {
  if (c.results.size() != 3 && c.results.size() != 4)
    return c.fail("expected 3 or 4 results, got " +
                  std::to_string(c.results.size()));
  std::optional<double> scale;
  if (c.attrs.has("scale"))
    scale = c.attrs.getFloat("scale");
  k::SdpaGrads g = k::scaledDotProductAttentionBackward(
      c.operand(0), c.operand(1), c.operand(2), c.operand(3), c.optional(4),
      c.attrs.getBool("is_causal"), scale);
  return c.setResult(0, std::move(g.query)) &&
         c.setResult(1, std::move(g.key)) &&
         c.setResult(2, std::move(g.value)) &&
         (c.results.size() == 3 || c.setResult(3, std::move(g.mask)));
}

static bool relativePositionBiasGrad(KernelCall &c) {
  return c.setResult(0, k::relativePositionBiasBackward(
                            c.operand(0), c.operand(1).shape(),
                            c.attrs.getInt("num_buckets"),
                            c.attrs.getInt("max_distance"),
                            c.attrs.getBool("bidirectional", true)));
}

/// Groups: grad_output, query, key, value, then the projections (4 to 10,
/// as attentionWeights reads them), key_padding_mask?, attn_mask?. One
/// weight-gradient result per present projection, in operand order.
static bool multiHeadAttentionGrad(KernelCall &c) {
  k::MultiHeadAttentionGrads g = k::multiHeadAttentionBackward(
      c.operand(0), c.operand(1), c.operand(2), c.operand(3),
      attentionWeights(c, 4), c.optional(11), c.optional(12),
      c.attrs.getInt("num_heads"), c.attrs.getBool("batch_first"),
      c.attrs.getBool("is_causal"), attentionDropout(c));
  if (!c.setResult(0, std::move(g.query)) ||
      !c.setResult(1, std::move(g.key)) || !c.setResult(2, std::move(g.value)))
    return false;
  k::MultiHeadAttentionWeights &w = g.weights;
  Tensor *grads[] = {&w.inProjWeight, &w.qProjWeight, &w.kProjWeight,
                     &w.vProjWeight,  &w.inProjBias,  &w.outProjWeight,
                     &w.outProjBias};
  size_t next = 3;
  for (size_t i = 0; i < 7; ++i) {
    Tensor weight = c.optional(4 + i);
    if (weight.defined() &&
        !c.setResult(next++, zerosIfUndefined(std::move(*grads[i]), weight)))
      return false;
  }
  if (next != c.results.size())
    return c.fail("the op has " + std::to_string(c.results.size()) +
                  " results for " + std::to_string(next) + " gradients");
  return true;
}

/// grad_context, grad_weights, query, keys, query_weight, key_weight,
/// score_weight.
static bool additiveAttentionGrad(KernelCall &c) {
  k::AdditiveAttentionGrads g = k::additiveAttentionBackward(
      c.operand(0), c.operand(1), c.operand(2), c.operand(3), c.operand(4),
      c.operand(5), c.operand(6));
  return c.setResult(0, std::move(g.query)) &&
         c.setResult(1, std::move(g.keys)) &&
         c.setResult(2, std::move(g.queryWeight)) &&
         c.setResult(3, std::move(g.keyWeight)) &&
         c.setResult(4, std::move(g.scoreWeight));
}

/// grad_output, grad_aux_loss, input, gate_weight, expert_weights* ->
/// input, gate and one gradient per expert weight.
static bool moeGrad(KernelCall &c) {
  k::MoEGrads g = k::moeBackward(
      c.operand(0), c.operand(1), c.operand(2), c.operand(3), c.variadic(4),
      c.attrs.getInt("num_experts"), c.attrs.getInt("top_k", 1),
      expertActivation(c), c.attrs.getBool("has_bias"));
  if (g.expertWeights.size() + 2 != c.results.size())
    return c.fail("the kernel computed " +
                  std::to_string(g.expertWeights.size()) +
                  " expert-weight gradients for " +
                  std::to_string(c.results.size()) + " results");
  if (!c.setResult(0, std::move(g.input)) ||
      !c.setResult(1, std::move(g.gateWeight)))
    return false;
  for (size_t i = 0; i < g.expertWeights.size(); ++i)
    if (!c.setResult(i + 2, std::move(g.expertWeights[i])))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Graph message passing
//===----------------------------------------------------------------------===//

/// grad_output, input (only its shape is read), index.
static bool gatherGrad(KernelCall &c) {
  return c.setResult(0, k::gatherBackward(c.operand(0), c.operand(2),
                                          c.attrs.getInt("axis"),
                                          c.operand(1).shape()));
}

/// grad_output, src, index, output (the forward result).
static bool scatterReduceGrad(KernelCall &c) {
  std::string name = c.attrs.getString("reduce");
  k::ScatterReduce reduce;
  if (!k::scatterReduceFromName(name, reduce))
    return c.fail("unknown reduction '" + name + "'");
  return c.setResult(0, k::scatterReduceBackward(c.operand(0), c.operand(1),
                                                 c.operand(2), reduce,
                                                 c.operand(3)));
}

void nnc::rt::abi::registerGradLayerKernels(Registry &r) {
  r.add("unary_grad", unaryGrad, "111", 1, {"op"});
  r.add("elu_grad", eluGrad, "11");
  r.add("leaky_relu_grad", leakyReluGrad, "11");
  r.add("softplus_grad", softplusGrad, "11");
  r.add("prelu_grad", preluGrad, "111", 2);
  r.add("binary_grad", binaryGrad, "111", 2, {"op"});
  r.add("pointwise_loss_grad", pointwiseLossGrad, "111", 2, {"loss"});
  r.add("nll_loss_grad", nllLossGrad, "111");
  r.add("cross_entropy_probs_grad", crossEntropyProbsGrad, "111", 2);
  r.add("distillation_loss_grad", distillationLossGrad, "1111", 2,
        {"temperature", "alpha"});
  r.add("info_nce_loss_grad", infoNceLossGrad, "111", 2, {"temperature"});
  r.add("conv_transpose_grad", convTransposeGrad, "111", 2,
        {"stride", "padding", "output_padding", "dilation"});
  r.add("adaptive_avg_pool_grad", adaptiveAvgPoolGrad, "11");
  r.add("adaptive_max_pool_grad", adaptiveMaxPoolGrad, "11");
  r.add("group_norm_grad", groupNormGrad, "11??", 3, {"num_groups"});
  r.add("rnn_grad", rnnGrad, "111?*", -1, {"hidden_size"});
  r.add("lstm_grad", lstmGrad, "1111??*", -1, {"hidden_size"});
  r.add("gru_grad", gruGrad, "111?*", -1, {"hidden_size"});
  r.add("scaled_dot_product_attention_grad", sdpaGrad, "1111?", -1);
  r.add("relative_position_bias_grad", relativePositionBiasGrad, "11", 1,
        {"num_buckets", "max_distance"});
  r.add("multi_head_attention_grad", multiHeadAttentionGrad, "1111?????1???",
        -1, {"num_heads"});
  r.add("additive_attention_grad", additiveAttentionGrad, "1111111", 5);
  r.add("moe_grad", moeGrad, "1111*", -1, {"num_experts"});
  r.add("gather_grad", gatherGrad, "111", 1, {"axis"});
  r.add("scatter_reduce_grad", scatterReduceGrad, "1111", 1, {"reduce"});
}
