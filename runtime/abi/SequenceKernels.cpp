//===- SequenceKernels.cpp - Adapters: recurrent, attention, positions ----===//

#include "runtime/abi/AdapterUtil.h"
#include "runtime/abi/Kernels.h"
#include "runtime/kernels/Attention.h"
#include "runtime/kernels/Positions.h"
#include "runtime/kernels/Recurrent.h"
#include "runtime/kernels/Routing.h"

#include <optional>

using namespace nnc::rt;
using namespace nnc::rt::abi;
namespace k = nnc::rt::kernels;

// Recurrent ops: input, h0?, (c0?,) weights*.
static bool rnn(KernelCall &c) {
  auto r =
      k::rnn(c.operand(0), c.optional(1), c.variadic(2), recurrentOptions(c),
             c.attrs.getString("nonlinearity", "tanh") == "relu");
  return c.setResult(0, std::move(r.output)) && c.setResult(1, std::move(r.hN));
}

static bool lstm(KernelCall &c) {
  auto r = k::lstm(c.operand(0), c.optional(1), c.optional(2), c.variadic(3),
                   recurrentOptions(c));
  return c.setResult(0, std::move(r.output)) &&
         c.setResult(1, std::move(r.hN)) && c.setResult(2, std::move(r.cN));
}

static bool gru(KernelCall &c) {
  auto r =
      k::gru(c.operand(0), c.optional(1), c.variadic(2), recurrentOptions(c));
  return c.setResult(0, std::move(r.output)) && c.setResult(1, std::move(r.hN));
}

static bool scaledDotProductAttention(KernelCall &c) {
  std::optional<double> scale;
  if (c.attrs.has("scale"))
    scale = c.attrs.getFloat("scale");
  return c.setResult(
      0, k::scaledDotProductAttention(c.operand(0), c.operand(1), c.operand(2),
                                      c.optional(3),
                                      c.attrs.getBool("is_causal"), scale));
}

/// Groups: query, key, value, in_proj_weight?, q/k/v_proj_weight?,
/// in_proj_bias?, out_proj_weight, out_proj_bias?, key_padding_mask?,
/// attn_mask?.
static bool multiHeadAttention(KernelCall &c) {
  return c.setResult(0, k::multiHeadAttention(
                            c.operand(0), c.operand(1), c.operand(2),
                            attentionWeights(c, 3), c.optional(10),
                            c.optional(11), c.attrs.getInt("num_heads"),
                            c.attrs.getBool("batch_first"),
                            c.attrs.getBool("is_causal"), attentionDropout(c)));
}

static bool additiveAttention(KernelCall &c) {
  auto r = k::additiveAttention(c.operand(0), c.operand(1), c.operand(2),
                                c.operand(3), c.operand(4));
  return c.setResult(0, std::move(r.context)) &&
         c.setResult(1, std::move(r.weights));
}

/// Only the input's last two sizes are read.
static bool sinusoidalPositionEncoding(KernelCall &c) {
  const Tensor &x = c.operand(0);
  if (x.rank() < 2)
    return c.fail("the input must have rank 2 or more");
  return c.setResult(0, k::sinusoidalPositionEncoding(x.dim(-2), x.dim(-1)));
}

static bool timestepEmbedding(KernelCall &c) {
  return c.setResult(
      0, k::timestepEmbedding(c.operand(0), c.attrs.getInt("dim"),
                              c.attrs.getFloat("max_period", 10000.0)));
}

/// Only the query's and key's lengths (dim 1) are read.
static bool relativePositionBias(KernelCall &c) {
  if (c.operand(0).rank() < 2 || c.operand(1).rank() < 2)
    return c.fail("query and key must have rank 2 or more");
  return c.setResult(
      0, k::relativePositionBias(c.operand(0).dim(1), c.operand(1).dim(1),
                                 c.operand(2), c.attrs.getInt("num_buckets"),
                                 c.attrs.getInt("max_distance"),
                                 c.attrs.getBool("bidirectional", true)));
}

static bool moe(KernelCall &c) {
  auto r = k::moe(c.operand(0), c.operand(1), c.variadic(2),
                  c.attrs.getInt("num_experts"), c.attrs.getInt("top_k", 1),
                  expertActivation(c), c.attrs.getBool("has_bias"));
  return c.setResult(0, std::move(r.output)) &&
         c.setResult(1, std::move(r.auxLoss));
}

void nnc::rt::abi::registerSequenceKernels(Registry &r) {
  r.add("rnn", rnn, "1?*", 2, {"hidden_size"});
  r.add("lstm", lstm, "1??*", 3, {"hidden_size"});
  r.add("gru", gru, "1?*", 2, {"hidden_size"});
  r.add("scaled_dot_product_attention", scaledDotProductAttention, "111?");
  r.add("multi_head_attention", multiHeadAttention, "111?????1???", 1,
        {"num_heads"});
  r.add("additive_attention", additiveAttention, "11111", 2);
  r.add("sinusoidal_position_encoding", sinusoidalPositionEncoding, "1");
  r.add("timestep_embedding", timestepEmbedding, "1", 1, {"dim"});
  r.add("relative_position_bias", relativePositionBias, "111", 1,
        {"num_buckets", "max_distance"});
  r.add("moe", moe, "11*", 2, {"num_experts"});
}
