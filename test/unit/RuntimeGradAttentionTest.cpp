//===- RuntimeGradAttentionTest.cpp - Attention backward vs autograd ------===//
//
// The backward kernels of GradAttention.h against torch.autograd (through
// the TorchOracle of RuntimeKernelsATestUtil.h): scaled dot-product
// attention as the matmul/softmax composition with additive -inf masks
// (Debian's torch 1.13 has no F.scaled_dot_product_attention), multi-head
// attention through F.multi_head_attention_forward and Bahdanau attention
// as its formula; plus central finite differences in f64 (no PyTorch) and
// the f16/bf16 path.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/GradAttention.h"

#include "RuntimeGradTestUtil.h"
#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

namespace {

/// Python for gradient `which` of f(params...) at `inputs`, contracted with
/// the output gradient `grad` (a tuple for several outputs):
/// torch.autograd.functional.vjp.
std::string vjp(const std::string &params, const std::string &body,
                const std::vector<std::string> &inputs, const std::string &grad,
                int which) {
  std::string ins;
  for (const std::string &i : inputs)
    ins += i + ", ";
  return "torch.autograd.functional.vjp(lambda " + params + ": " + body +
         ", (" + ins + "), " + grad + ")[1][" + std::to_string(which) + "]";
}

/// A double as an exact Python literal.
std::string num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

/// Python for the additive causal mask [tq, tk] (0 or -inf) of dtype `dt`.
std::string causalMask(int64_t tq, int64_t tk, const std::string &dt) {
  const std::string shape = std::to_string(tq) + ", " + std::to_string(tk);
  return "torch.zeros(" + shape + ", dtype=" + dt +
         ").masked_fill(~torch.ones(" + shape +
         ", dtype=torch.bool).tril(0), float('-inf'))";
}

/// Sets one row (over the last dim) of a Bool tensor to false (true = attend
/// in sdpa): a fully masked row.
void maskRow(Tensor &mask, int64_t row) {
  const int64_t n = mask.dim(-1);
  for (int64_t j = 0; j < n; ++j)
    mask.data<uint8_t>()[row * n + j] = 0;
}

Tensor bernoulliMask(Shape shape, uint64_t seed, double p) {
  Tensor u = uniform(shape, seed, 0, 1);
  Tensor m(DType::Bool, std::move(shape));
  for (int64_t i = 0; i < m.numel(); ++i)
    m.data<uint8_t>()[i] = u.at(i) < p;
  return m;
}

} // namespace

//===----------------------------------------------------------------------===//
// scaled_dot_product_attention
//===----------------------------------------------------------------------===//

TEST(RuntimeGradAttentionTorch, ScaledDotProduct) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 100;
  struct Case {
    Shape q, k, v;
    std::string mask; // none, bool, float
    Shape maskShape;
    bool causal;
    double scale; // <= 0: the default
    DType dt;
    int64_t maskedRow = -1; // a fully masked row of a bool mask (NaN)
  };
  for (const Case &c : std::vector<Case>{
           {{2, 3, 5, 8},
            {2, 3, 7, 8},
            {2, 3, 7, 6},
            "none",
            {},
            false,
            0,
            DType::F32},
           // Batch dims broadcast between q, k and v: gradients are summed.
           {{2, 1, 4, 8},
            {1, 3, 6, 8},
            {3, 6, 5},
            "none",
            {},
            false,
            0,
            DType::F32},
           {{2, 1, 4, 8},
            {1, 3, 6, 8},
            {3, 6, 5},
            "float",
            {3, 1, 6},
            true,
            0,
            DType::F64},
           // A padding-style bool mask [B, 1, 1, Tk].
           {{2, 3, 4, 8},
            {2, 3, 5, 8},
            {2, 3, 5, 8},
            "bool",
            {2, 1, 1, 5},
            false,
            0,
            DType::F32},
           {{2, 2, 4, 6},
            {2, 2, 6, 6},
            {2, 2, 6, 3},
            "bool",
            {4, 6},
            false,
            0,
            DType::F64},
           // A fully masked row: NaN, as autograd through the -inf mask.
           {{2, 2, 4, 8},
            {2, 2, 6, 8},
            {2, 2, 6, 8},
            "bool",
            {4, 6},
            false,
            0,
            DType::F32,
            1},
           {{2, 3, 4, 8},
            {2, 3, 6, 8},
            {2, 3, 6, 8},
            "float",
            {3, 1, 6},
            false,
            0,
            DType::F32},
           // Causal, Tq < Tk and Tq > Tk (top-left aligned).
           {{1, 2, 3, 4},
            {1, 2, 5, 4},
            {1, 2, 5, 4},
            "none",
            {},
            true,
            0,
            DType::F32},
           {{2, 5, 4}, {2, 3, 4}, {2, 3, 4}, "none", {}, true, 0, DType::F64},
           {{2, 5, 4},
            {2, 3, 4},
            {2, 3, 4},
            "bool",
            {5, 3},
            true,
            0,
            DType::F32},
           // Rank 2, one query, explicit scale.
           {{1, 8}, {4, 8}, {4, 3}, "none", {}, false, 0.3, DType::F32},
           {{3, 5}, {7, 5}, {7, 2}, "float", {3, 7}, false, 0.7, DType::F64},
       }) {
    Tensor q = uniform(c.q, ++seed, -1, 1, c.dt);
    Tensor k = uniform(c.k, ++seed, -1, 1, c.dt);
    Tensor v = uniform(c.v, ++seed, -1, 1, c.dt);
    Tensor mask;
    if (c.mask == "bool") {
      mask = bernoulliMask(c.maskShape, ++seed, 0.7);
      // Keep key 0 so that only maskedRow (if any) is fully masked.
      for (int64_t r = 0; r < mask.numel() / c.maskShape.back(); ++r)
        mask.data<uint8_t>()[r * c.maskShape.back()] = 1;
      if (c.maskedRow >= 0)
        maskRow(mask, c.maskedRow);
    } else if (c.mask == "float") {
      mask = uniform(c.maskShape, ++seed, -2, 2, c.dt);
    }
    std::optional<double> scale;
    if (c.scale > 0)
      scale = c.scale;
    Tensor y = scaledDotProductAttention(q, k, v, mask, c.causal, scale);
    Tensor g = uniform(y.shape(), ++seed, -1, 1, c.dt);
    SdpaGrads r =
        scaledDotProductAttentionBackward(g, q, k, v, mask, c.causal, scale);
    ASSERT_EQ(r.query.shape(), q.shape());
    ASSERT_EQ(r.key.shape(), k.shape());
    ASSERT_EQ(r.value.shape(), v.shape());

    const std::string dt =
        c.dt == DType::F64 ? "torch.float64" : "torch.float32";
    std::string att =
        "q @ k.transpose(-2, -1) * " +
        (scale ? num(*scale) : num(1 / std::sqrt(double(c.q.back()))));
    if (c.mask == "bool")
      att += " + torch.zeros(" + tup(c.maskShape) + ", dtype=" + dt +
             ").masked_fill(~" + o.in(mask) + ", float('-inf'))";
    else if (c.mask == "float")
      att += " + " + o.in(mask);
    if (c.causal)
      att += " + " + causalMask(c.q[c.q.size() - 2], c.k[c.k.size() - 2], dt);
    std::string body = "torch.softmax(" + att + ", -1) @ v";
    std::vector<std::string> ins = {o.in(q), o.in(k), o.in(v)};
    std::string G = o.in(g);
    o.expect(vjp("q, k, v", body, ins, G, 0), r.query);
    o.expect(vjp("q, k, v", body, ins, G, 1), r.key);
    o.expect(vjp("q, k, v", body, ins, G, 2), r.value);
    if (c.maskedRow >= 0) { // the NaN convention pinned down
      EXPECT_TRUE(std::isnan(r.query.at(c.maskedRow * c.q.back())));
      EXPECT_TRUE(std::isnan(r.value.at(0)));
    } else {
      for (const Tensor *t : {&r.query, &r.key, &r.value})
        for (int64_t i = 0; i < t->numel(); ++i)
          ASSERT_TRUE(std::isfinite(t->at(i)));
    }
  }
  o.check();
}

TEST(RuntimeGradAttentionEdge, MaskedKeysGetNoGradient) {
  // A key masked for every query gets exactly zero dK and dV.
  Tensor q = uniform({2, 3, 4}, 1), k = uniform({2, 5, 4}, 2),
         v = uniform({2, 5, 3}, 3), g = uniform({2, 3, 3}, 4);
  Tensor mask(DType::Bool, {1, 5});
  for (int64_t j : {0, 1, 3})
    mask.data<uint8_t>()[j] = 1;
  SdpaGrads r = scaledDotProductAttentionBackward(g, q, k, v, mask, false);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t j : {2, 4}) {
      for (int64_t c = 0; c < 4; ++c)
        EXPECT_EQ(r.key.at((b * 5 + j) * 4 + c), 0.0);
      for (int64_t c = 0; c < 3; ++c)
        EXPECT_EQ(r.value.at((b * 5 + j) * 3 + c), 0.0);
    }
  // No keys at all: the output is zeros, so every gradient is zero.
  SdpaGrads e = scaledDotProductAttentionBackward(
      g, q, Tensor(DType::F32, {2, 0, 4}), Tensor(DType::F32, {2, 0, 3}),
      Tensor(), false);
  EXPECT_EQ(e.key.shape(), (Shape{2, 0, 4}));
  EXPECT_EQ(e.value.shape(), (Shape{2, 0, 3}));
  for (int64_t i = 0; i < e.query.numel(); ++i)
    EXPECT_EQ(e.query.at(i), 0.0);
}

//===----------------------------------------------------------------------===//
// multi_head_attention
//===----------------------------------------------------------------------===//

TEST(RuntimeGradAttentionTorch, MultiHead) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 200;
  struct Case {
    int64_t embed, heads, batch, tq, tk, kdim, vdim; // kdim = 0: packed
    bool bias, batchFirst;
    std::string keyPadding; // none, bool, float, allmasked
    std::string attnMask;   // none, bool2, bool3, float2, float3
    bool causal;
    DType dt;
  };
  for (const Case &c : std::vector<Case>{
           {8, 2, 2, 3, 5, 0, 0, true, true, "bool", "none", false, DType::F32},
           {8, 2, 3, 4, 5, 0, 0, true, false, "bool", "bool2", false,
            DType::F32},
           {8, 4, 2, 3, 4, 6, 5, true, true, "none", "float3", false,
            DType::F32},
           {6, 1, 1, 1, 4, 0, 0, false, true, "none", "none", false,
            DType::F32},
           {8, 2, 2, 5, 3, 0, 0, true, false, "none", "none", true, DType::F64},
           {6, 3, 2, 4, 3, 5, 7, false, true, "float", "none", false,
            DType::F64},
           {6, 2, 2, 4, 4, 6, 6, false, false, "none", "bool3", true,
            DType::F32},
           {6, 2, 2, 3, 4, 0, 0, true, true, "none", "float2", false,
            DType::F64},
           // Every key of batch 0 masked: NaN as in PyTorch.
           {4, 2, 2, 3, 5, 0, 0, true, true, "allmasked", "float2", false,
            DType::F32},
       }) {
    const int64_t e = c.embed, b = c.batch, kd = c.kdim ? c.kdim : e,
                  vd = c.vdim ? c.vdim : e;
    const DType dt = c.dt;
    auto seq = [&](int64_t t, int64_t d) {
      return c.batchFirst ? Shape{b, t, d} : Shape{t, b, d};
    };
    Tensor query = uniform(seq(c.tq, e), ++seed, -1, 1, dt);
    Tensor key = uniform(seq(c.tk, kd), ++seed, -1, 1, dt);
    Tensor value = uniform(seq(c.tk, vd), ++seed, -1, 1, dt);
    MultiHeadAttentionWeights w;
    auto weight = [&](Shape s) { return uniform(s, ++seed, -0.5, 0.5, dt); };
    if (c.kdim) {
      w.qProjWeight = weight({e, e});
      w.kProjWeight = weight({e, kd});
      w.vProjWeight = weight({e, vd});
    } else {
      w.inProjWeight = weight({3 * e, e});
    }
    if (c.bias)
      w.inProjBias = weight({3 * e});
    w.outProjWeight = weight({e, e});
    if (c.bias)
      w.outProjBias = weight({e});
    Tensor kpm;
    if (c.keyPadding == "bool" || c.keyPadding == "allmasked") {
      kpm = Tensor(DType::Bool, {b, c.tk});
      uint8_t *d = kpm.data<uint8_t>();
      d[c.tk - 1] = 1;
      d[(b - 1) * c.tk] = d[(b - 1) * c.tk + 1] = 1;
      if (c.keyPadding == "allmasked")
        std::fill(d, d + c.tk, 1);
    } else if (c.keyPadding == "float") {
      kpm = uniform({b, c.tk}, ++seed, -2, 2, dt);
    }
    Tensor am;
    Shape amShape = c.attnMask.back() == '3' ? Shape{b * c.heads, c.tq, c.tk}
                                             : Shape{c.tq, c.tk};
    if (c.attnMask.rfind("bool", 0) == 0) {
      am = bernoulliMask(amShape, ++seed, 0.25);
      for (int64_t r = 0; r < numElements(amShape) / c.tk; ++r)
        am.data<uint8_t>()[r * c.tk] = 0; // every row keeps key 0
    } else if (c.attnMask.rfind("float", 0) == 0) {
      am = uniform(amShape, ++seed, -2, 2, dt);
    }

    Tensor y = multiHeadAttention(query, key, value, w, kpm, am, c.heads,
                                  c.batchFirst, c.causal);
    Tensor g = uniform(y.shape(), ++seed, -1, 1, dt);
    MultiHeadAttentionGrads r = multiHeadAttentionBackward(
        g, query, key, value, w, kpm, am, c.heads, c.batchFirst, c.causal);

    // The differentiable operands in F.multi_head_attention_forward's order
    // with the kernel's gradient of each.
    std::vector<std::pair<std::string, Tensor>> params = {
        {"q", r.query}, {"k", r.key}, {"v", r.value}};
    std::vector<std::string> ins = {o.in(query), o.in(key), o.in(value)};
    auto param = [&](const char *name, const Tensor &t, const Tensor &grad) {
      params.push_back({name, grad});
      ins.push_back(o.in(t));
      EXPECT_EQ(grad.shape(), t.shape()) << name;
    };
    if (c.kdim) {
      param("wq", w.qProjWeight, r.weights.qProjWeight);
      param("wk", w.kProjWeight, r.weights.kProjWeight);
      param("wv", w.vProjWeight, r.weights.vProjWeight);
      EXPECT_FALSE(r.weights.inProjWeight.defined());
    } else {
      param("wi", w.inProjWeight, r.weights.inProjWeight);
      EXPECT_FALSE(r.weights.qProjWeight.defined());
    }
    if (c.bias)
      param("bi", w.inProjBias, r.weights.inProjBias);
    param("wo", w.outProjWeight, r.weights.outProjWeight);
    if (c.bias)
      param("bo", w.outProjBias, r.weights.outProjBias);
    else
      EXPECT_FALSE(r.weights.outProjBias.defined() ||
                   r.weights.inProjBias.defined());
    std::string names;
    for (size_t i = 0; i < params.size(); ++i)
      names += (i ? ", " : "") + params[i].first;

    std::string amExpr = am.defined() ? o.in(am) : "None";
    if (c.causal) { // PyTorch's hint: the causal mask joins attn_mask
      std::string causal = "~torch.ones(" + std::to_string(c.tq) + ", " +
                           std::to_string(c.tk) + ", dtype=torch.bool).tril(0)";
      amExpr = am.defined() ? "(" + amExpr + " | " + causal + ")" : causal;
    }
    auto layout = [&](const std::string &t) {
      return c.batchFirst ? t + ".transpose(0, 1)" : t;
    };
    std::string body =
        "F.multi_head_attention_forward(" + layout("q") + ", " + layout("k") +
        ", " + layout("v") + ", " + std::to_string(e) + ", " +
        std::to_string(c.heads) + ", " + (c.kdim ? "None" : "wi") + ", " +
        (c.bias ? "bi" : "None") + ", None, None, False, 0.0, wo, " +
        (c.bias ? "bo" : "None") + ", training=False, key_padding_mask=" +
        (kpm.defined() ? o.in(kpm) : "None") +
        ", need_weights=False, attn_mask=" + amExpr +
        ", use_separate_proj_weight=" + pyBool(c.kdim != 0) +
        (c.kdim ? ", q_proj_weight=wq, k_proj_weight=wk, v_proj_weight=wv"
                : "") +
        ")[0]";
    body = layout("(" + body + ")");
    std::string G = o.in(g);
    for (size_t i = 0; i < params.size(); ++i)
      o.expect(vjp(names, body, ins, G, int(i)), params[i].second);
  }
  o.check();
}

//===----------------------------------------------------------------------===//
// additive_attention
//===----------------------------------------------------------------------===//

TEST(RuntimeGradAttentionTorch, Additive) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 300;
  for (auto [b, t, hq, hk, a, dt, bothGrads] :
       std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t,
                              DType, bool>>{
           {3, 7, 5, 6, 4, DType::F32, true},
           {1, 1, 3, 2, 5, DType::F32, false},
           {2, 4, 3, 5, 3, DType::F64, true},
           {2, 5, 4, 3, 6, DType::F64, false}}) {
    Tensor q = uniform({b, hq}, ++seed, -1, 1, dt);
    Tensor keys = uniform({b, t, hk}, ++seed, -1, 1, dt);
    Tensor wq = uniform({a, hq}, ++seed, -1, 1, dt);
    Tensor wk = uniform({a, hk}, ++seed, -1, 1, dt);
    Tensor ws = uniform({1, a}, ++seed, -1, 1, dt);
    Tensor gc = uniform({b, hk}, ++seed, -1, 1, dt);
    // Without a weights gradient the kernel gets an undefined tensor and
    // autograd explicit zeros.
    Tensor gw =
        bothGrads ? uniform({b, t}, ++seed, -1, 1, dt) : Tensor(dt, {b, t});
    AdditiveAttentionGrads r = additiveAttentionBackward(
        gc, bothGrads ? gw : Tensor(), q, keys, wq, wk, ws);
    std::string body =
        "(lambda w: ((w[..., None] * k).sum(1), w))(torch.softmax("
        "(torch.tanh((q @ wq.T)[:, None, :] + k @ wk.T) @ ws.T)[..., 0], -1))";
    std::vector<std::string> ins = {o.in(q), o.in(keys), o.in(wq), o.in(wk),
                                    o.in(ws)};
    std::string G = "(" + o.in(gc) + ", " + o.in(gw) + ")";
    std::string ps = "q, k, wq, wk, ws";
    o.expect(vjp(ps, body, ins, G, 0), r.query);
    o.expect(vjp(ps, body, ins, G, 1), r.keys);
    o.expect(vjp(ps, body, ins, G, 2), r.queryWeight);
    o.expect(vjp(ps, body, ins, G, 3), r.keyWeight);
    o.expect(vjp(ps, body, ins, G, 4), r.scoreWeight);
  }
  o.check();
}

//===----------------------------------------------------------------------===//
// Finite differences (f64, no PyTorch)
//===----------------------------------------------------------------------===//

TEST(RuntimeGradAttentionFiniteDifference, ScaledDotProduct) {
  // Broadcast batch dims, a float mask, causal and Tq != Tk at once; then a
  // bool mask with an explicit scale.
  Tensor q = f64({2, 3, 4}, 1), k = f64({1, 5, 4}, 2), v = f64({2, 5, 3}, 3);
  Tensor fm = f64({3, 5}, 4, -2, 2), g = f64({2, 3, 3}, 5);
  SdpaGrads r = scaledDotProductAttentionBackward(g, q, k, v, fm, true);
  auto at = [&](const Tensor &q2, const Tensor &k2, const Tensor &v2) {
    return dot(scaledDotProductAttention(q2, k2, v2, fm, true), g);
  };
  expectFiniteDifference(
      q, [&](const Tensor &a) { return at(a, k, v); }, r.query, "sdpa dQ");
  expectFiniteDifference(
      k, [&](const Tensor &a) { return at(q, a, v); }, r.key, "sdpa dK");
  expectFiniteDifference(
      v, [&](const Tensor &a) { return at(q, k, a); }, r.value, "sdpa dV");

  Tensor bm = bernoulliMask({2, 1, 5}, 6, 0.6);
  for (int64_t b = 0; b < 2; ++b)
    bm.data<uint8_t>()[b * 5 + 2] = 1;
  SdpaGrads s = scaledDotProductAttentionBackward(g, q, k, v, bm, false, 0.8);
  auto at2 = [&](const Tensor &q2, const Tensor &k2, const Tensor &v2) {
    return dot(scaledDotProductAttention(q2, k2, v2, bm, false, 0.8), g);
  };
  expectFiniteDifference(
      q, [&](const Tensor &a) { return at2(a, k, v); }, s.query, "bool dQ");
  expectFiniteDifference(
      k, [&](const Tensor &a) { return at2(q, a, v); }, s.key, "bool dK");
  expectFiniteDifference(
      v, [&](const Tensor &a) { return at2(q, k, a); }, s.value, "bool dV");
}

TEST(RuntimeGradAttentionFiniteDifference, MultiHead) {
  // Separate projections with biases, sequence-first layout, a padding mask
  // and causal; every operand.
  const int64_t e = 4, heads = 2, b = 2, tq = 3, tk = 4;
  Tensor query = f64({tq, b, e}, 10), key = f64({tk, b, 3}, 11),
         value = f64({tk, b, 5}, 12);
  MultiHeadAttentionWeights w{
      Tensor(),         f64({e, e}, 13), f64({e, 3}, 14), f64({e, 5}, 15),
      f64({3 * e}, 16), f64({e, e}, 17), f64({e}, 18)};
  Tensor kpm(DType::Bool, {b, tk});
  kpm.data<uint8_t>()[tk + 1] = 1;
  Tensor g = f64({tq, b, e}, 19);
  MultiHeadAttentionGrads r = multiHeadAttentionBackward(
      g, query, key, value, w, kpm, Tensor(), heads, false, true);
  auto objective = [&](const Tensor &qq, const Tensor &kk, const Tensor &vv,
                       const MultiHeadAttentionWeights &ww) {
    return dot(
        multiHeadAttention(qq, kk, vv, ww, kpm, Tensor(), heads, false, true),
        g);
  };
  expectFiniteDifference(
      query, [&](const Tensor &a) { return objective(a, key, value, w); },
      r.query, "mha dQuery");
  expectFiniteDifference(
      key, [&](const Tensor &a) { return objective(query, a, value, w); },
      r.key, "mha dKey");
  expectFiniteDifference(
      value, [&](const Tensor &a) { return objective(query, key, a, w); },
      r.value, "mha dValue");
  std::vector<std::pair<Tensor MultiHeadAttentionWeights::*, const char *>>
      fields = {{&MultiHeadAttentionWeights::qProjWeight, "q_proj"},
                {&MultiHeadAttentionWeights::kProjWeight, "k_proj"},
                {&MultiHeadAttentionWeights::vProjWeight, "v_proj"},
                {&MultiHeadAttentionWeights::inProjBias, "in_proj_bias"},
                {&MultiHeadAttentionWeights::outProjWeight, "out_proj"},
                {&MultiHeadAttentionWeights::outProjBias, "out_proj_bias"}};
  for (auto [field, name] : fields)
    expectFiniteDifference(
        w.*field,
        [&, field = field](const Tensor &a) {
          MultiHeadAttentionWeights ww = w;
          ww.*field = a;
          return objective(query, key, value, ww);
        },
        r.weights.*field, name);
}

TEST(RuntimeGradAttentionFiniteDifference, Additive) {
  Tensor q = f64({2, 3}, 20), keys = f64({2, 4, 5}, 21), wq = f64({3, 3}, 22),
         wk = f64({3, 5}, 23), ws = f64({1, 3}, 24);
  Tensor gc = f64({2, 5}, 25), gw = f64({2, 4}, 26);
  AdditiveAttentionGrads r =
      additiveAttentionBackward(gc, gw, q, keys, wq, wk, ws);
  std::vector<Tensor> args = {q, keys, wq, wk, ws};
  std::vector<Tensor> grads = {r.query, r.keys, r.queryWeight, r.keyWeight,
                               r.scoreWeight};
  for (size_t i = 0; i < args.size(); ++i)
    expectFiniteDifference(
        args[i],
        [&](const Tensor &a) {
          std::vector<Tensor> x = args;
          x[i] = a;
          AdditiveAttentionResult y =
              additiveAttention(x[0], x[1], x[2], x[3], x[4]);
          return dot(y.context, gc) + dot(y.weights, gw);
        },
        grads[i], "additive operand " + std::to_string(i));
}

//===----------------------------------------------------------------------===//
// f16 / bf16: computed through f32
//===----------------------------------------------------------------------===//

namespace {
Tensor toBF16(const Tensor &t) {
  if (!t.defined())
    return t;
  Tensor h(DType::BF16, t.shape());
  for (int64_t i = 0; i < t.numel(); ++i)
    h.set(i, t.at(i));
  return h;
}
/// bf16 gradients close to the f32 ones computed from the same (rounded)
/// values.
void expectNearF32(const Tensor &half, const Tensor &ref, const char *what) {
  ASSERT_EQ(half.dtype(), DType::BF16) << what;
  ASSERT_EQ(half.shape(), ref.shape()) << what;
  for (int64_t i = 0; i < ref.numel(); ++i)
    ASSERT_NEAR(half.at(i), ref.at(i),
                0.02 * std::max(1.0, std::fabs(ref.at(i))))
        << what << " [" << i << "]";
}
Tensor roundedUniform(Shape s, uint64_t seed) {
  Tensor h = toBF16(uniform(std::move(s), seed));
  Tensor f(DType::F32, h.shape());
  for (int64_t i = 0; i < h.numel(); ++i)
    f.set(i, h.at(i));
  return f;
}
} // namespace

TEST(RuntimeGradAttentionEdge, HalfPrecisionThroughF32) {
  Tensor q = roundedUniform({2, 3, 4}, 1), k = roundedUniform({2, 5, 4}, 2),
         v = roundedUniform({2, 5, 4}, 3), g = roundedUniform({2, 3, 4}, 4);
  SdpaGrads ref = scaledDotProductAttentionBackward(g, q, k, v, Tensor(), true);
  SdpaGrads half = scaledDotProductAttentionBackward(
      toBF16(g), toBF16(q), toBF16(k), toBF16(v), Tensor(), true);
  expectNearF32(half.query, ref.query, "sdpa dQ");
  expectNearF32(half.key, ref.key, "sdpa dK");
  expectNearF32(half.value, ref.value, "sdpa dV");

  MultiHeadAttentionWeights w{roundedUniform({12, 4}, 5),
                              {},
                              {},
                              {},
                              roundedUniform({12}, 6),
                              roundedUniform({4, 4}, 7),
                              roundedUniform({4}, 8)};
  MultiHeadAttentionWeights hw{toBF16(w.inProjWeight),
                               {},
                               {},
                               {},
                               toBF16(w.inProjBias),
                               toBF16(w.outProjWeight),
                               toBF16(w.outProjBias)};
  Tensor kv = roundedUniform({2, 5, 4}, 9);
  MultiHeadAttentionGrads mr = multiHeadAttentionBackward(
      g, q, kv, kv, w, Tensor(), Tensor(), 2, true, false);
  MultiHeadAttentionGrads mh =
      multiHeadAttentionBackward(toBF16(g), toBF16(q), toBF16(kv), toBF16(kv),
                                 hw, Tensor(), Tensor(), 2, true, false);
  expectNearF32(mh.query, mr.query, "mha dQuery");
  expectNearF32(mh.key, mr.key, "mha dKey");
  expectNearF32(mh.weights.inProjWeight, mr.weights.inProjWeight, "mha dWin");
  expectNearF32(mh.weights.outProjBias, mr.weights.outProjBias, "mha dBout");

  Tensor aq = roundedUniform({2, 3}, 10), wq = roundedUniform({3, 3}, 11),
         wk = roundedUniform({3, 4}, 12), ws = roundedUniform({1, 3}, 13),
         gc = roundedUniform({2, 4}, 14);
  Tensor keys = roundedUniform({2, 5, 4}, 15);
  AdditiveAttentionGrads ar =
      additiveAttentionBackward(gc, Tensor(), aq, keys, wq, wk, ws);
  AdditiveAttentionGrads ah =
      additiveAttentionBackward(toBF16(gc), Tensor(), toBF16(aq), toBF16(keys),
                                toBF16(wq), toBF16(wk), toBF16(ws));
  expectNearF32(ah.keys, ar.keys, "additive dKeys");
  expectNearF32(ah.scoreWeight, ar.scoreWeight, "additive dWs");
}
