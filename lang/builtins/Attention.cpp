//===- Attention.cpp - Attention, positions, routing and top-k ------------===//
//
// scaled_dot_product_attention, multi_head_attention (torch.nn.
// MultiheadAttention with packed projections), Bahdanau additive attention,
// sinusoidal and T5 relative positions, diffusion timestep embeddings, the
// mixture-of-experts layer and top_k (its routing primitive).
//
//===----------------------------------------------------------------------===//

#include "lang/SemaImpl.h"

#include <cmath>

using namespace nnc;
using namespace nnc::sema;

namespace {

using Attrs = std::vector<std::pair<std::string, Attr>>;

/// A dimension that must be a known size of at least 1 (sizes parameters
/// are made from).
std::optional<int64_t> knownSize(Call &c, int value, int64_t axis,
                                 const char *param, const std::string &what) {
  auto d = c.staticDim(value, axis, param, what);
  if (d && *d < 1) {
    c.error(param, what + " of '" + c.op() + "' is " + std::to_string(*d) +
                       "; it must be at least 1");
    return std::nullopt;
  }
  return d;
}

/// Requires `param` to have the element type of the tensor argument `ref`.
bool requireSameDType(Call &c, const char *param, const char *ref) {
  const TensorType &t = c.type(c.tensor(param));
  const TensorType &r = c.type(c.tensor(ref));
  if (t.dtype == r.dtype)
    return true;
  c.error(param, "'" + std::string(param) + "' of '" + c.op() + "' is " +
                     t.str() + " but '" + ref + "' is " + r.str() +
                     "; their element types must match");
  return false;
}

/// Requires a float argument in [0, 1).
bool requireProbability(Call &c, const char *param) {
  double p = c.real(param);
  if (p >= 0 && p < 1)
    return true;
  c.error(param, "'" + std::string(param) + "' of '" + c.op() +
                     "' must be in [0, 1), got " + realString(p));
  return false;
}

/// Requires an optional mask to be i1 or the query's float type (then added
/// to the attention scores).
bool checkMaskType(Call &c, const char *param) {
  if (c.isNone(param))
    return true;
  const TensorType &m = c.type(c.tensor(param));
  DType q = c.type(c.tensor("query")).dtype;
  if (m.dtype == DType::I1 || m.dtype == q)
    return true;
  c.error(param, "'" + std::string(param) + "' of '" + c.op() +
                     "' must be i1 or " + dtypeName(q) +
                     " (the query's element type), got " + m.str());
  return false;
}

} // namespace

namespace nnc::sema::handlers {

Value sdpa(Call &c) {
  for (const char *p : {"query", "key", "value"})
    if (!c.requireFloat(p) || !requireSameDType(c, p, "query"))
      return Value::poison();
  int q = c.tensor("query"), k = c.tensor("key"), v = c.tensor("value");
  const Shape &qs = c.shape(q), &ks = c.shape(k), &vs = c.shape(v);
  size_t rank = qs.size();
  if (rank < 2 || ks.size() != rank || vs.size() != rank)
    return c.errorAt(c.loc, "query, key and value of '" + c.op() +
                                "' must have the same rank, at least 2 "
                                "([..., T, E]); got " +
                                c.type(q).str() + ", " + c.type(k).str() +
                                " and " + c.type(v).str());
  if (qs[rank - 1] != ks[rank - 1])
    return c.error("key", "the key's feature size " + ks[rank - 1].str() +
                              " differs from the query's " +
                              qs[rank - 1].str() + " (query " +
                              c.type(q).str() + ", key " + c.type(k).str() +
                              ")");
  if (ks[rank - 2] != vs[rank - 2])
    return c.error("value",
                   "the value's sequence length " + vs[rank - 2].str() +
                       " differs from the key's " + ks[rank - 2].str() +
                       " (key " + c.type(k).str() + ", value " +
                       c.type(v).str() + ")");
  Shape qb(qs.begin(), qs.end() - 2), kb(ks.begin(), ks.end() - 2),
      vb(vs.begin(), vs.end() - 2);
  auto batch = c.el.broadcastShapes(qb, kb, c.argLoc("key"));
  if (batch)
    batch = c.el.broadcastShapes(*batch, vb, c.argLoc("value"));
  if (!batch) {
    c.failed = true;
    return Value::poison();
  }
  if (!c.isNone("attn_mask") && c.flag("is_causal"))
    return c.error("is_causal", "'" + c.op() +
                                    "' takes either attn_mask or "
                                    "is_causal=true, not both");
  Shape scores = *batch;
  scores.push_back(qs[rank - 2]);
  scores.push_back(ks[rank - 2]);
  if (!checkMaskType(c, "attn_mask"))
    return Value::poison();
  if (!c.isNone("attn_mask")) {
    // The mask broadcasts to the scores but must not enlarge them.
    const Shape &m = c.shape(c.tensor("attn_mask"));
    bool ok = m.size() <= scores.size();
    for (size_t i = 1; ok && i <= m.size(); ++i) {
      const Dim &d = m[m.size() - i];
      ok = d == scores[scores.size() - i] || (d.isConstant() && d.value() == 1);
    }
    if (!ok)
      return c.error("attn_mask", "attn_mask of shape " + shapeString(m) +
                                      " cannot be broadcast to the attention "
                                      "scores' shape " +
                                      shapeString(scores) +
                                      " [..., query length, key length]");
  }

  Attrs attrs = {{"is_causal", Attr::boolean(c.flag("is_causal"))}};
  if (!c.isNone("scale")) {
    double s = c.real("scale");
    if (!(s > 0) || !std::isfinite(s))
      return c.error("scale", "'scale' of '" + c.op() +
                                  "' must be a positive number, got " +
                                  realString(s));
    attrs.push_back({"scale", Attr::real(s)});
  }
  std::vector<int> operands = {q, k, v};
  if (!c.isNone("attn_mask"))
    operands.push_back(c.tensor("attn_mask"));
  Shape out = *batch;
  out.push_back(qs[rank - 2]);
  out.push_back(vs[rank - 1]);
  return tensorOrPoison(c.emit1("scaled_dot_product_attention", operands,
                                std::move(attrs), {c.type(q).dtype, out}));
}

Value mha(Call &c) {
  const bool batchFirst = c.flag("batch_first");
  const std::string layout = batchFirst ? "[B, T, E] (batch_first=true)"
                                        : "[T, B, E] (batch_first=false)";
  for (const char *p : {"query", "key", "value"}) {
    if (!c.requireFloat(p) || !requireSameDType(c, p, "query"))
      return Value::poison();
    if (c.rank(c.tensor(p)) != 3)
      return c.error(p, "'" + std::string(p) + "' of '" + c.op() +
                            "' must be 3-D " + layout + ", got " +
                            c.type(c.tensor(p)).str());
  }
  int q = c.tensor("query"), k = c.tensor("key"), v = c.tensor("value");
  auto embed = knownSize(c, q, 2, "query", "embed_dim");
  if (!embed)
    return Value::poison();
  const int64_t E = *embed;
  if (!c.intIn("num_heads", 1))
    return Value::poison();
  const int64_t heads = c.integer("num_heads");
  if (E % heads != 0)
    return c.error("num_heads", "embed_dim " + std::to_string(E) +
                                    " is not divisible by num_heads " +
                                    std::to_string(heads));
  for (const char *p : {"key", "value"}) {
    const Dim &f = c.shape(c.tensor(p))[2];
    if (f != Dim::constant(E))
      return c.error(p, "the " + std::string(p) + "'s last dimension is " +
                            f.str() + " but embed_dim is " + std::to_string(E) +
                            "; '" + c.op() +
                            "' projects key and value from embed_dim "
                            "features (a separate kdim/vdim is not "
                            "supported)");
  }
  const int bAxis = batchFirst ? 0 : 1, tAxis = batchFirst ? 1 : 0;
  const Dim B = c.shape(q)[bAxis], Tq = c.shape(q)[tAxis],
            Tk = c.shape(k)[tAxis];
  for (const char *p : {"key", "value"}) {
    const Dim &b = c.shape(c.tensor(p))[bAxis];
    if (b != B)
      return c.error(p, "the " + std::string(p) + "'s batch size " + b.str() +
                            " differs from the query's " + B.str() +
                            " (layout " + layout + ")");
  }
  if (c.shape(v)[tAxis] != Tk)
    return c.error("value", "the value's sequence length " +
                                c.shape(v)[tAxis].str() +
                                " differs from the key's " + Tk.str());
  if (!requireProbability(c, "dropout"))
    return Value::poison();
  if (!checkMaskType(c, "key_padding_mask") || !checkMaskType(c, "attn_mask"))
    return Value::poison();
  if (!c.isNone("key_padding_mask") &&
      c.shape(c.tensor("key_padding_mask")) != Shape{B, Tk})
    return c.error("key_padding_mask",
                   "key_padding_mask must be [batch, key length] " +
                       shapeString({B, Tk}) + ", got " +
                       c.type(c.tensor("key_padding_mask")).str());
  if (!c.isNone("attn_mask")) {
    // PyTorch takes [Tq, Tk] or one mask per batch element and head.
    auto bh = Dim::mul(B, Dim::constant(heads));
    const TensorType &m = c.type(c.tensor("attn_mask"));
    bool ok = m.shape == Shape{Tq, Tk} || (bh && m.shape == Shape{*bh, Tq, Tk});
    if (!ok)
      return c.error("attn_mask",
                     "attn_mask must be [query length, key length] " +
                         shapeString({Tq, Tk}) +
                         (bh ? " or [batch * num_heads, query length, key "
                               "length] " +
                                   shapeString({*bh, Tq, Tk})
                             : std::string()) +
                         ", got " + m.str());
  }

  // torch.nn.MultiheadAttention._reset_parameters: xavier_uniform_ on the
  // packed [3E, E] projection, zero biases; out_proj keeps its Linear init.
  DType dt = c.type(q).dtype;
  const bool bias = c.flag("bias");
  const Dim e = Dim::constant(E), e3 = Dim::constant(3 * E);
  // Stops at the first parameter that cannot be created (too large).
  auto param = [&](const char *name, Shape shape, const char *init,
                   double scale) {
    return c.failed
               ? -1
               : c.parameter(name, std::move(shape), init, scale, false, dt);
  };
  int inW = param("in_proj_weight", {e3, e}, "uniform",
                  std::sqrt(6.0 / double(4 * E)));
  int inB = bias ? param("in_proj_bias", {e3}, "zeros", 0) : -1;
  int outW =
      param("out_proj.weight", {e, e}, "uniform", 1.0 / std::sqrt(double(E)));
  int outB = bias ? param("out_proj.bias", {e}, "zeros", 0) : -1;
  if (c.failed)
    return Value::poison();

  std::vector<int> operands = {q, k, v, inW};
  if (bias)
    operands.push_back(inB);
  operands.push_back(outW);
  if (bias)
    operands.push_back(outB);
  const bool kpm = !c.isNone("key_padding_mask"), am = !c.isNone("attn_mask");
  if (kpm)
    operands.push_back(c.tensor("key_padding_mask"));
  if (am)
    operands.push_back(c.tensor("attn_mask"));
  // query, key, value, in_proj_weight, q/k/v_proj_weight, in_proj_bias,
  // out_proj_weight, out_proj_bias, key_padding_mask, attn_mask.
  std::vector<int32_t> segments = {1, 1, 1, 1, 0, 0, 0, bias, 1, bias, kpm, am};
  Attrs attrs = {{"num_heads", Attr::integer(heads)},
                 {"batch_first", Attr::boolean(batchFirst)},
                 {"is_causal", Attr::boolean(c.flag("is_causal"))},
                 {"dropout", Attr::real(c.real("dropout"))}};
  auto ids = c.emit("multi_head_attention", operands, std::move(attrs),
                    {c.type(q)}, segments);
  return ids.empty() ? Value::poison() : tensorOrPoison(ids[0]);
}

Value additiveAttention(Call &c) {
  for (const char *p : {"query", "keys"})
    if (!c.requireFloat(p) || !requireSameDType(c, p, "query"))
      return Value::poison();
  int q = c.tensor("query"), k = c.tensor("keys");
  if (c.rank(q) != 2)
    return c.error("query", "query of '" + c.op() +
                                "' must be [batch, query features], got " +
                                c.type(q).str());
  if (c.rank(k) != 3)
    return c.error("keys", "keys of '" + c.op() +
                               "' must be [batch, time, key features], got " +
                               c.type(k).str());
  const Dim B = c.shape(q)[0]; // a copy: parameters grow the value table
  if (c.shape(k)[0] != B)
    return c.error("keys", "the keys' batch size " + c.shape(k)[0].str() +
                               " differs from the query's " + B.str());
  auto hq = knownSize(c, q, 1, "query", "the query size");
  auto hk = knownSize(c, k, 2, "keys", "the key size");
  if (!hq || !hk || !c.intIn("attention_dim", 1))
    return Value::poison();
  const int64_t A = c.integer("attention_dim");
  DType dt = c.type(q).dtype;
  // Each projection is a bias-free nn.Linear: U(-1/sqrt(in), 1/sqrt(in)).
  auto linear = [&](const char *name, int64_t out, int64_t in) {
    if (c.failed)
      return -1;
    return c.parameter(name, {Dim::constant(out), Dim::constant(in)}, "uniform",
                       1.0 / std::sqrt(double(in)), false, dt);
  };
  int wq = linear("query_layer.weight", A, *hq);
  int wk = linear("key_layer.weight", A, *hk);
  int ws = linear("energy_layer.weight", 1, A);
  if (c.failed)
    return Value::poison();
  return tensorListOrPoison(
      c.emit("additive_attention", {q, k, wq, wk, ws}, {},
             {{dt, {B, Dim::constant(*hk)}}, {dt, {B, c.shape(k)[1]}}}));
}

Value positionalEncoding(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  int x = c.tensor("input");
  int64_t rank = c.rank(x);
  if (rank < 2)
    return c.error("input", "'" + c.op() +
                                "' needs an input [..., T, D] of rank 2 or "
                                "more, got " +
                                c.type(x).str());
  auto d = knownSize(c, x, rank - 1, "input", "the model dimension D");
  if (!d)
    return Value::poison();
  if (*d % 2 != 0)
    return c.error("input", "the model dimension D of '" + c.op() +
                                "' must be even (sin and cos pairs), got " +
                                std::to_string(*d));
  const Shape &s = c.shape(x);
  int pe = c.emit1("sinusoidal_position_encoding", {x}, {},
                   {c.type(x).dtype, {s[rank - 2], s[rank - 1]}});
  if (pe < 0)
    return Value::poison();
  return c.el.binaryTensorOp("+", Value::ofTensor(x), Value::ofTensor(pe),
                             c.loc);
}

Value timestepEmbedding(Call &c) {
  int t = c.tensor("timesteps");
  const TensorType &tt = c.type(t);
  if (tt.shape.size() != 1 || tt.dtype == DType::I1)
    return c.error("timesteps", "timesteps of '" + c.op() +
                                    "' must be a 1-D tensor of numbers [N], "
                                    "got " +
                                    tt.str());
  if (!c.intIn("dim", 2))
    return Value::poison();
  int64_t dim = c.integer("dim");
  if (dim % 2 != 0)
    return c.error("dim", "dim of '" + c.op() +
                              "' must be even (cos and sin halves), got " +
                              std::to_string(dim));
  double period = c.real("max_period");
  if (!(period > 0) || !std::isfinite(period))
    return c.error("max_period", "'max_period' of '" + c.op() +
                                     "' must be a positive number, got " +
                                     realString(period));
  return tensorOrPoison(
      c.emit1("timestep_embedding", {t},
              {{"dim", Attr::integer(dim)}, {"max_period", Attr::real(period)}},
              {DType::F32, {tt.shape[0], Dim::constant(dim)}}));
}

Value relativePositionBias(Call &c) {
  for (const char *p : {"query", "key"}) {
    if (!c.requireFloat(p) || !requireSameDType(c, p, "query"))
      return Value::poison();
    if (c.rank(c.tensor(p)) < 2)
      return c.error(p, "'" + std::string(p) + "' of '" + c.op() +
                            "' must be [B, T, ...], got " +
                            c.type(c.tensor(p)).str());
  }
  int q = c.tensor("query"), k = c.tensor("key");
  if (c.shape(k)[0] != c.shape(q)[0])
    return c.error("key", "the key's batch size " + c.shape(k)[0].str() +
                              " differs from the query's " +
                              c.shape(q)[0].str());
  if (!c.intIn("num_heads", 1))
    return Value::poison();
  // T5's bucketing (halved when bidirectional) keeps max_exact = buckets / 2
  // exact offsets and spreads the rest logarithmically up to max_distance,
  // so it needs max_exact >= 1 and max_distance > max_exact.
  const bool bidirectional = c.flag("bidirectional");
  const int64_t minBuckets = bidirectional ? 4 : 2;
  if (!c.intIn("num_buckets", minBuckets))
    return Value::poison();
  int64_t buckets = c.integer("num_buckets");
  int64_t maxExact = (bidirectional ? buckets / 2 : buckets) / 2;
  int64_t maxDistance = c.integer("max_distance");
  if (maxDistance <= maxExact)
    return c.error(
        "max_distance",
        "max_distance must be larger than the " + std::to_string(maxExact) +
            " exact buckets (num_buckets=" + std::to_string(buckets) +
            (bidirectional ? ", bidirectional" : "") + "), got " +
            std::to_string(maxDistance));
  int64_t heads = c.integer("num_heads");
  DType dt = c.type(q).dtype;
  int w = c.parameter("relative_attention_bias.weight",
                      {Dim::constant(buckets), Dim::constant(heads)}, "normal",
                      1.0, false, dt);
  if (w < 0)
    return Value::poison();
  return tensorOrPoison(
      c.emit1("relative_position_bias", {q, k, w},
              {{"num_buckets", Attr::integer(buckets)},
               {"max_distance", Attr::integer(maxDistance)},
               {"bidirectional", Attr::boolean(bidirectional)}},
              {dt,
               {Dim::constant(1), Dim::constant(heads), c.shape(q)[1],
                c.shape(k)[1]}}));
}

Value moe(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  int x = c.tensor("input");
  int64_t rank = c.rank(x);
  if (rank < 1)
    return c.error("input", "'" + c.op() +
                                "' needs an input [..., D], got a scalar " +
                                c.type(x).str());
  auto dModel = knownSize(c, x, rank - 1, "input", "the model dimension D");
  if (!dModel)
    return Value::poison();
  // Every expert adds four parameters and its share of the graph; the limit
  // matches the one on repeat counts.
  if (!c.intIn("num_experts", 2, Elaborator::kMaxRepeat) ||
      !c.intIn("top_k", 1, c.integer("num_experts")) ||
      !c.intIn("hidden_size", 1) ||
      !c.oneOf("activation", {"relu", "gelu", "silu"}))
    return Value::poison();
  const int64_t E = c.integer("num_experts"), H = c.integer("hidden_size"),
                D = *dModel;
  const bool bias = c.flag("bias");
  DType dt = c.type(x).dtype;
  auto param = [&](const std::string &name, Shape shape, int64_t fanIn) {
    if (c.failed)
      return -1;
    return c.parameter(name, std::move(shape), "uniform",
                       1.0 / std::sqrt(double(fanIn)), false, dt);
  };
  const Dim d = Dim::constant(D), h = Dim::constant(H);
  int gate = param("gate.weight", {Dim::constant(E), d}, D);
  std::vector<int> experts;
  for (int64_t i = 0; i < E; ++i) {
    // Each expert is fc1 = Linear(D, H), fc2 = Linear(H, D).
    std::string p = "experts." + std::to_string(i) + ".";
    experts.push_back(param(p + "fc1.weight", {h, d}, D));
    if (bias)
      experts.push_back(param(p + "fc1.bias", {h}, D));
    experts.push_back(param(p + "fc2.weight", {d, h}, H));
    if (bias)
      experts.push_back(param(p + "fc2.bias", {d}, H));
  }
  if (c.failed)
    return Value::poison();
  std::vector<int> operands = {x, gate};
  operands.insert(operands.end(), experts.begin(), experts.end());
  return tensorListOrPoison(
      c.emit("moe", operands,
             {{"num_experts", Attr::integer(E)},
              {"top_k", Attr::integer(c.integer("top_k"))},
              {"activation", Attr::string(c.str("activation"))},
              {"has_bias", Attr::boolean(bias)}},
             {c.type(x), {DType::F32, {}}}));
}

Value topK(Call &c) {
  int x = c.tensor("input");
  TensorType t = c.type(x);
  if (t.dtype == DType::I1)
    return c.error("input", "'" + c.op() + "' needs a tensor of numbers, got " +
                                t.str());
  if (t.shape.empty())
    return c.error("input", "'" + c.op() +
                                "' needs a tensor of rank 1 or "
                                "more, got a scalar " +
                                t.str());
  auto axis = c.axis("dim", t.shape.size());
  if (!axis || !c.intIn("k", 1))
    return Value::poison();
  int64_t k = c.integer("k");
  const Dim &size = t.shape[*axis];
  if (size.isConstant() && k > size.value())
    return c.error("k", "k=" + std::to_string(k) +
                            " is larger than dimension " +
                            std::to_string(*axis) + " of " + t.str() +
                            " (size " + size.str() + ")");
  t.shape[*axis] = Dim::constant(k);
  TensorType indices{DType::I64, t.shape};
  return tensorListOrPoison(c.emit(
      "top_k", {x}, {{"k", Attr::integer(k)}, {"axis", Attr::integer(*axis)}},
      {t, indices}));
}

} // namespace nnc::sema::handlers
