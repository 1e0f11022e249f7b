//===- RuntimeKernelsBAttentionTest.cpp - Attention kernels --------------===//
//
// scaled_dot_product_attention (the formula), nn.MultiheadAttention with
// both mask conventions, and Bahdanau attention. The harness is in
// RuntimeKernelsBOracle.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/RuntimeKernelsBOracle.h"

#include "runtime/kernels/Attention.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelsb_test;

//===----------------------------------------------------------------------===//
// Attention: the sdpa formula, nn.MultiheadAttention, Bahdanau's formula
//===----------------------------------------------------------------------===//

namespace {
struct SdpaCase {
  std::string name;
  Shape q, k, v;
  std::string mask; // none, bool, float
  Shape maskShape;
  bool causal;
  double scale; // <= 0: the default
  DType dtype;
};

const std::vector<SdpaCase> &sdpaCases() {
  static const std::vector<SdpaCase> cases = {
      {"plain",
       {2, 3, 5, 8},
       {2, 3, 7, 8},
       {2, 3, 7, 6},
       "none",
       {},
       false,
       0,
       DType::F32},
      // Batch dims broadcast between q, k and v.
      {"broadcast",
       {2, 1, 4, 8},
       {1, 3, 6, 8},
       {3, 6, 5},
       "none",
       {},
       false,
       0,
       DType::F32},
      // A [Tq, Tk] bool mask with a fully masked row (NaN in PyTorch).
      {"bool_mask",
       {2, 2, 4, 8},
       {2, 2, 6, 8},
       {2, 2, 6, 8},
       "bool",
       {4, 6},
       false,
       0,
       DType::F32},
      // A padding-style bool mask [B, 1, 1, Tk].
      {"pad_mask",
       {2, 3, 4, 8},
       {2, 3, 5, 8},
       {2, 3, 5, 8},
       "bool",
       {2, 1, 1, 5},
       false,
       0,
       DType::F32},
      {"float_mask",
       {2, 3, 4, 8},
       {2, 3, 6, 8},
       {2, 3, 6, 8},
       "float",
       {3, 1, 6},
       false,
       0,
       DType::F32},
      {"causal_short_q",
       {1, 2, 3, 4},
       {1, 2, 5, 4},
       {1, 2, 5, 4},
       "none",
       {},
       true,
       0,
       DType::F32},
      {"causal_long_q",
       {2, 5, 4},
       {2, 3, 4},
       {2, 3, 4},
       "none",
       {},
       true,
       0,
       DType::F32},
      {"scale_rank2_q1",
       {1, 8},
       {4, 8},
       {4, 3},
       "none",
       {},
       false,
       0.3,
       DType::F32},
      {"f64",
       {2, 2, 3, 4},
       {2, 2, 5, 4},
       {2, 2, 5, 4},
       "float",
       {2, 1, 3, 5},
       false,
       0,
       DType::F64},
  };
  return cases;
}

struct MhaCase {
  std::string name;
  int64_t embed, heads, batch, tq, tk, kdim, vdim; // kdim = 0: packed
  bool bias, batchFirst;
  std::string keyPadding; // none, bool, float, allmasked
  std::string attnMask;   // none, bool2, bool3, float2, float3
  bool causal;
};

const std::vector<MhaCase> &mhaCases() {
  static const std::vector<MhaCase> cases = {
      {"packed_bf_pad", 8, 2, 2, 3, 5, 0, 0, true, true, "bool", "none", false},
      {"packed_tbe_masks", 8, 2, 3, 4, 5, 0, 0, true, false, "bool", "bool2",
       false},
      {"separate_float3", 8, 4, 2, 3, 4, 6, 5, true, true, "none", "float3",
       false},
      {"single_head_b1_q1", 6, 1, 1, 1, 4, 0, 0, false, true, "none", "none",
       false},
      {"causal_tq_ne_tk", 8, 2, 2, 5, 3, 0, 0, true, false, "none", "none",
       true},
      {"causal_with_pad", 8, 2, 2, 4, 4, 0, 0, true, true, "bool", "none",
       true},
      {"float_pad_bool3", 8, 2, 2, 3, 4, 7, 7, true, false, "float", "bool3",
       false},
      {"fully_masked", 4, 2, 2, 3, 5, 0, 0, true, true, "allmasked", "float2",
       false},
  };
  return cases;
}

const char *kAttentionScript = R"PY(
import torch
import torch.nn.functional as F
inf = float('inf')
def causal(tq, tk):  # True = may attend
    return torch.ones(tq, tk, dtype=torch.bool).tril(0)
for c in CASES:
    kind, name = c[0], c[1]
    if kind == 'sdpa':
        mask, is_causal, scale = c[2], c[3] == '1', float(c[4])
        q, k, v = T(name + '.q'), T(name + '.k'), T(name + '.v')
        s = scale if scale > 0 else 1 / math.sqrt(q.shape[-1])
        att = q @ k.transpose(-2, -1) * s
        if is_causal:
            att = att.masked_fill(~causal(q.shape[-2], k.shape[-2]), -inf)
        if mask == 'bool':
            att = att.masked_fill(~T(name + '.mask'), -inf)
        elif mask == 'float':
            att = att + T(name + '.mask')
        put(name, torch.softmax(att, -1) @ v)
    elif kind == 'mha':
        E, H, B, tq, tk, kd, vd = map(int, c[2:9])
        bias, bf, kpm_kind, am_kind, is_causal = c[9] == '1', c[10] == '1', c[11], c[12], c[13] == '1'
        m = torch.nn.MultiheadAttention(E, H, bias=bias, batch_first=bf,
                                        kdim=kd or None, vdim=vd or None)
        with torch.no_grad():
            for pn, p in m.named_parameters(): p.copy_(T(name + '.' + pn))
        q, k, v = T(name + '.query'), T(name + '.key'), T(name + '.value')
        am = T(name + '.attn_mask') if am_kind != 'none' else None
        kpm = T(name + '.kpm') if kpm_kind != 'none' else None
        if is_causal:  # PyTorch's hint means: attn_mask is the causal mask
            am = ~causal(tq, tk)
        if kpm_kind == 'float':  # torch 1.13 has bool padding masks only
            am = torch.zeros(tq, tk).masked_fill(am, -inf) if am.dtype == torch.bool else am
            am = am.expand(B * H, tq, tk) + kpm[:, None, None, :].expand(B, H, tq, tk).reshape(B * H, tq, tk)
            kpm = None
        out, _ = m(q, k, v, key_padding_mask=kpm, need_weights=False, attn_mask=am)
        put(name, out)
    elif kind == 'additive':
        q, keys = T(name + '.query'), T(name + '.keys')
        wq, wk, ws = T(name + '.wq'), T(name + '.wk'), T(name + '.ws')
        score = (torch.tanh((q @ wq.T)[:, None, :] + keys @ wk.T) @ ws.T)[..., 0]
        w = torch.softmax(score, -1)
        put(name + '.weights', w)
        put(name + '.context', (w[..., None] * keys).sum(1))
)PY";
} // namespace

class RuntimeKernelsBAttention : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    oracle = std::make_unique<Oracle>();
    std::mt19937 rng(3);
    for (const SdpaCase &c : sdpaCases()) {
      oracle->input(c.name + ".q", uniform(rng, c.q, -1, 1, c.dtype));
      oracle->input(c.name + ".k", uniform(rng, c.k, -1, 1, c.dtype));
      oracle->input(c.name + ".v", uniform(rng, c.v, -1, 1, c.dtype));
      if (c.mask == "bool") {
        Tensor m = bernoulli(rng, c.maskShape, 0.7);
        if (c.name == "bool_mask") // row 1 attends to nothing
          for (int64_t j = 0; j < c.maskShape.back(); ++j)
            m.data<uint8_t>()[c.maskShape.back() + j] = 0;
        oracle->input(c.name + ".mask", m);
      } else if (c.mask == "float") {
        oracle->input(c.name + ".mask",
                      uniform(rng, c.maskShape, -2, 2, c.dtype));
      }
      std::ostringstream line;
      line << "sdpa " << c.name << ' ' << c.mask << ' ' << c.causal << ' '
           << c.scale;
      oracle->addCase(line.str());
    }
    for (const MhaCase &c : mhaCases()) {
      const int64_t e = c.embed, b = c.batch;
      const std::string p = c.name + ".";
      auto seq = [&](int64_t t, int64_t d) {
        return c.batchFirst ? Shape{b, t, d} : Shape{t, b, d};
      };
      oracle->input(p + "query", uniform(rng, seq(c.tq, e)));
      oracle->input(p + "key", uniform(rng, seq(c.tk, c.kdim ? c.kdim : e)));
      oracle->input(p + "value", uniform(rng, seq(c.tk, c.vdim ? c.vdim : e)));
      if (c.kdim) {
        oracle->input(p + "q_proj_weight", uniform(rng, {e, e}, -0.5, 0.5));
        oracle->input(p + "k_proj_weight",
                      uniform(rng, {e, c.kdim}, -0.5, 0.5));
        oracle->input(p + "v_proj_weight",
                      uniform(rng, {e, c.vdim}, -0.5, 0.5));
      } else {
        oracle->input(p + "in_proj_weight",
                      uniform(rng, {3 * e, e}, -0.5, 0.5));
      }
      if (c.bias)
        oracle->input(p + "in_proj_bias", uniform(rng, {3 * e}, -0.5, 0.5));
      oracle->input(p + "out_proj.weight", uniform(rng, {e, e}, -0.5, 0.5));
      if (c.bias)
        oracle->input(p + "out_proj.bias", uniform(rng, {e}, -0.5, 0.5));
      if (c.keyPadding == "bool" || c.keyPadding == "allmasked") {
        // Mask the last key of batch 0 and the first two of the last batch;
        // "allmasked" masks every key of batch 0 (NaN rows in PyTorch).
        Tensor m(DType::Bool, {b, c.tk});
        uint8_t *d = m.data<uint8_t>();
        d[c.tk - 1] = 1;
        d[(b - 1) * c.tk] = d[(b - 1) * c.tk + 1] = 1;
        if (c.keyPadding == "allmasked")
          std::fill(d, d + c.tk, 1);
        oracle->input(p + "kpm", m);
      } else if (c.keyPadding == "float") {
        oracle->input(p + "kpm", uniform(rng, {b, c.tk}, -2, 2));
      }
      Shape am = c.attnMask.back() == '3' ? Shape{b * c.heads, c.tq, c.tk}
                                          : Shape{c.tq, c.tk};
      if (c.attnMask.rfind("bool", 0) == 0) {
        Tensor m = bernoulli(rng, am, 0.25);
        for (int64_t r = 0; r < numElements(am) / c.tk; ++r)
          m.data<uint8_t>()[r * c.tk] = 0; // keep every row attendable
        oracle->input(p + "attn_mask", m);
      } else if (c.attnMask.rfind("float", 0) == 0) {
        oracle->input(p + "attn_mask", uniform(rng, am, -2, 2));
      }
      std::ostringstream line;
      line << "mha " << c.name << ' ' << e << ' ' << c.heads << ' ' << b << ' '
           << c.tq << ' ' << c.tk << ' ' << c.kdim << ' ' << c.vdim << ' '
           << c.bias << ' ' << c.batchFirst << ' ' << c.keyPadding << ' '
           << c.attnMask << ' ' << c.causal;
      oracle->addCase(line.str());
    }
    for (auto [name, b, t, hq, hk, a] :
         {std::make_tuple("additive", 3, 7, 5, 6, 4),
          std::make_tuple("additive_t1b1", 1, 1, 3, 2, 5)}) {
      const std::string p = std::string(name) + ".";
      oracle->input(p + "query", uniform(rng, {b, hq}));
      oracle->input(p + "keys", uniform(rng, {b, t, hk}));
      oracle->input(p + "wq", uniform(rng, {a, hq}));
      oracle->input(p + "wk", uniform(rng, {a, hk}));
      oracle->input(p + "ws", uniform(rng, {1, a}));
      oracle->addCase(std::string("additive ") + name);
    }
    oracle->run(kAttentionScript);
  }
  static void TearDownTestSuite() { oracle.reset(); }
  static std::unique_ptr<Oracle> oracle;
};
std::unique_ptr<Oracle> RuntimeKernelsBAttention::oracle;

TEST_F(RuntimeKernelsBAttention, ScaledDotProductMatchesFormula) {
  REQUIRE_ORACLE(*oracle);
  for (const SdpaCase &c : sdpaCases()) {
    SCOPED_TRACE(c.name);
    const std::string p = c.name + ".";
    Tensor mask = c.mask == "none" ? Tensor() : oracle->in(p + "mask");
    std::optional<double> scale;
    if (c.scale > 0)
      scale = c.scale;
    const Tensor expected = oracle->out(c.name);
    expectClose(
        scaledDotProductAttention(oracle->in(p + "q"), oracle->in(p + "k"),
                                  oracle->in(p + "v"), mask, c.causal, scale),
        expected, c.name);
    if (c.name == "bool_mask") // row 1 attends to nothing: NaN
      EXPECT_TRUE(std::isnan(expected.at(expected.dim(-1))));
  }
}

TEST_F(RuntimeKernelsBAttention, MultiHeadMatchesTorchModule) {
  REQUIRE_ORACLE(*oracle);
  for (const MhaCase &c : mhaCases()) {
    SCOPED_TRACE(c.name);
    const std::string p = c.name + ".";
    auto opt = [&](const std::string &n) {
      return oracle->has(p + n) ? oracle->in(p + n) : Tensor();
    };
    MultiHeadAttentionWeights w{opt("in_proj_weight"), opt("q_proj_weight"),
                                opt("k_proj_weight"),  opt("v_proj_weight"),
                                opt("in_proj_bias"),   opt("out_proj.weight"),
                                opt("out_proj.bias")};
    const Tensor expected = oracle->out(c.name);
    expectClose(multiHeadAttention(opt("query"), opt("key"), opt("value"), w,
                                   opt("kpm"), opt("attn_mask"), c.heads,
                                   c.batchFirst, c.causal),
                expected, c.name);
    // The convention pinned down: all keys ignored gives NaN, as in PyTorch.
    if (c.keyPadding == "allmasked")
      EXPECT_TRUE(std::isnan(expected.at(0)));
  }
}

TEST_F(RuntimeKernelsBAttention, AdditiveMatchesFormula) {
  REQUIRE_ORACLE(*oracle);
  for (std::string name : {"additive", "additive_t1b1"}) {
    SCOPED_TRACE(name);
    const std::string p = name + ".";
    AdditiveAttentionResult r = additiveAttention(
        oracle->in(p + "query"), oracle->in(p + "keys"), oracle->in(p + "wq"),
        oracle->in(p + "wk"), oracle->in(p + "ws"));
    expectClose(r.context, oracle->out(p + "context"), "context");
    expectClose(r.weights, oracle->out(p + "weights"), "weights");
  }
}

TEST(RuntimeKernelsBAttentionEdge, EmptyKeysAndHalfPrecision) {
  std::mt19937 rng(4);
  // No keys: softmax over nothing, so the output is all zeros (as PyTorch).
  Tensor out = scaledDotProductAttention(
      uniform(rng, {2, 3, 4}), Tensor(DType::F32, {2, 0, 4}),
      Tensor(DType::F32, {2, 0, 5}), Tensor(), false);
  EXPECT_EQ(shapeString(out.shape()), "[2, 3, 5]");
  for (int64_t i = 0; i < out.numel(); ++i)
    EXPECT_EQ(out.at(i), 0.0);
  // bf16 goes through f32 and comes back as bf16.
  Tensor q = uniform(rng, {2, 3, 4}), k = uniform(rng, {2, 5, 4}),
         v = uniform(rng, {2, 5, 4});
  Tensor ref = scaledDotProductAttention(q, k, v, Tensor(), true);
  auto toBF16 = [](const Tensor &t) {
    Tensor h(DType::BF16, t.shape());
    for (int64_t i = 0; i < t.numel(); ++i)
      h.set(i, t.at(i));
    return h;
  };
  Tensor half = scaledDotProductAttention(toBF16(q), toBF16(k), toBF16(v),
                                          Tensor(), true);
  ASSERT_EQ(half.dtype(), DType::BF16);
  for (int64_t i = 0; i < ref.numel(); ++i)
    EXPECT_NEAR(half.at(i), ref.at(i), 0.05);
}
