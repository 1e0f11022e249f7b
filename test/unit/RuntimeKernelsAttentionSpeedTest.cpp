//===- RuntimeKernelsAttentionSpeedTest.cpp - Small-head attention paths --===//
//
// The attention kernels compute heads up to 64 wide with register-blocked
// loops, and self-attention with a packed weight projects Q, K and V in
// one GEMM. The PyTorch-fixture tests use tiny shapes that stay inside one
// block; these check shapes that span several blocks, partial blocks,
// heads that are not whole vectors, the BLAS path for wide heads, and the
// fused projection, against the formula evaluated in double.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::kernels;

namespace {

Tensor seeded(Shape shape, uint64_t seed, DType dtype = DType::F32) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1, 1);
  Tensor t(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, dist(rng));
  return t;
}

std::vector<double> values(const Tensor &t) {
  std::vector<double> v(size_t(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i)
    v[i] = t.at(i);
  return v;
}

/// out[tq, ev] = softmax(scale * q k^T (+ causal mask)) v for one head;
/// row r of q/k/v/out is at base + r * ld.
void referenceHead(const double *q, int64_t ldq, const double *k, int64_t ldk,
                   const double *v, int64_t ldv, int64_t tq, int64_t tk,
                   int64_t e, int64_t ev, double scale, bool causal,
                   double *out, int64_t ldo) {
  std::vector<double> p(static_cast<size_t>(tk));
  for (int64_t i = 0; i < tq; ++i) {
    double max = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < tk; ++j) {
      double s = 0;
      for (int64_t d = 0; d < e; ++d)
        s += q[i * ldq + d] * k[j * ldk + d];
      p[j] = causal && j > i ? -std::numeric_limits<double>::infinity()
                             : s * scale;
      max = std::max(max, p[j]);
    }
    double sum = 0;
    for (int64_t j = 0; j < tk; ++j)
      sum += (p[j] = std::exp(p[j] - max));
    for (int64_t c = 0; c < ev; ++c) {
      double acc = 0;
      for (int64_t j = 0; j < tk; ++j)
        acc += p[j] / sum * v[j * ldv + c];
      out[i * ldo + c] = acc;
    }
  }
}

void expectNear(const Tensor &got, const std::vector<double> &want,
                double tol) {
  ASSERT_EQ(got.numel(), int64_t(want.size()));
  for (int64_t i = 0; i < got.numel(); ++i)
    ASSERT_NEAR(got.at(i), want[i], tol * (1 + std::abs(want[i])))
        << "element " << i;
}

struct SdpaShape {
  int64_t n, tq, tk, e, ev;
  bool causal;
  DType dtype;
};

TEST(RuntimeKernelsAttentionSpeed, SdpaMatchesFormulaAcrossBlocks) {
  const SdpaShape shapes[] = {
      {3, 37, 70, 16, 16, false, DType::F32}, // several row/column blocks
      {2, 9, 33, 20, 24, true, DType::F32},   // heads not whole vectors
      {2, 65, 65, 64, 64, false, DType::F32}, // the widest small head
      {2, 5, 7, 3, 17, true, DType::F64},     // double, partial blocks
      {1, 8, 40, 80, 72, true, DType::F32},   // wide heads: the BLAS path
  };
  uint64_t seed = 1;
  for (const SdpaShape &s : shapes) {
    SCOPED_TRACE(::testing::Message()
                 << "n=" << s.n << " tq=" << s.tq << " tk=" << s.tk
                 << " e=" << s.e << " ev=" << s.ev);
    Tensor q = seeded({s.n, s.tq, s.e}, seed++, s.dtype);
    Tensor k = seeded({s.n, s.tk, s.e}, seed++, s.dtype);
    Tensor v = seeded({s.n, s.tk, s.ev}, seed++, s.dtype);
    Tensor out =
        scaledDotProductAttention(q, k, v, Tensor(), s.causal, std::nullopt);
    std::vector<double> qd = values(q), kd = values(k), vd = values(v);
    std::vector<double> want(size_t(s.n * s.tq * s.ev));
    for (int64_t n = 0; n < s.n; ++n)
      referenceHead(qd.data() + n * s.tq * s.e, s.e, kd.data() + n * s.tk * s.e,
                    s.e, vd.data() + n * s.tk * s.ev, s.ev, s.tq, s.tk, s.e,
                    s.ev, 1 / std::sqrt(double(s.e)), s.causal,
                    want.data() + n * s.tq * s.ev, s.ev);
    expectNear(out, want, s.dtype == DType::F64 ? 1e-12 : 2e-5);
  }
}

struct MhaShape {
  int64_t batch, steps, embed, heads;
  bool batchFirst, causal;
};

/// torch.nn.MultiheadAttention's self-attention with a packed in_proj
/// weight, in double.
std::vector<double> referenceMha(const Tensor &x, const Tensor &win,
                                 const Tensor &bin, const Tensor &wout,
                                 const Tensor &bout, const MhaShape &s) {
  const int64_t b = s.batch, t = s.steps, e = s.embed, hd = e / s.heads;
  const int64_t rows = b * t;
  std::vector<double> xd = values(x), wi = values(win), bi = values(bin),
                      wo = values(wout), bo = values(bout);
  // qkv[r, 3E] for the rows in x's own layout.
  std::vector<double> qkv(size_t(rows * 3 * e)), attn(size_t(rows * e));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < 3 * e; ++o) {
      double acc = bi[o];
      for (int64_t i = 0; i < e; ++i)
        acc += xd[r * e + i] * wi[o * e + i];
      qkv[r * 3 * e + o] = acc;
    }
  // Batch b's step t is row b*T + t (batch first) or t*B + b.
  const int64_t ld = s.batchFirst ? 3 * e : b * 3 * e;
  const int64_t ldo = s.batchFirst ? e : b * e;
  for (int64_t n = 0; n < b; ++n)
    for (int64_t h = 0; h < s.heads; ++h) {
      const double *base =
          qkv.data() + (s.batchFirst ? n * t * 3 * e : n * 3 * e) + h * hd;
      referenceHead(base, ld, base + e, ld, base + 2 * e, ld, t, t, hd, hd,
                    1 / std::sqrt(double(hd)), s.causal,
                    attn.data() + (s.batchFirst ? n * t * e : n * e) + h * hd,
                    ldo);
    }
  std::vector<double> out(size_t(rows * e));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < e; ++o) {
      double acc = bo[o];
      for (int64_t i = 0; i < e; ++i)
        acc += attn[r * e + i] * wo[o * e + i];
      out[r * e + o] = acc;
    }
  return out;
}

TEST(RuntimeKernelsAttentionSpeed, SelfAttentionMatchesModuleFusedOrNot) {
  const MhaShape shapes[] = {
      {3, 37, 64, 4, true, false}, // ViT-like: 16-wide heads
      {2, 21, 40, 2, false, true}, // 20-wide heads, sequence first, causal
      {2, 11, 96, 1, true, false}, // a 96-wide head: the BLAS path
  };
  uint64_t seed = 100;
  for (const MhaShape &s : shapes) {
    SCOPED_TRACE(::testing::Message()
                 << "B=" << s.batch << " T=" << s.steps << " E=" << s.embed
                 << " heads=" << s.heads);
    const int64_t e = s.embed;
    Tensor x = seeded(s.batchFirst ? Shape{s.batch, s.steps, e}
                                   : Shape{s.steps, s.batch, e},
                      seed++);
    MultiHeadAttentionWeights w;
    w.inProjWeight = seeded({3 * e, e}, seed++);
    w.inProjBias = seeded({3 * e}, seed++);
    w.outProjWeight = seeded({e, e}, seed++);
    w.outProjBias = seeded({e}, seed++);
    std::vector<double> want = referenceMha(x, w.inProjWeight, w.inProjBias,
                                            w.outProjWeight, w.outProjBias, s);
    // The same tensor three times takes the one-GEMM projection; a copy as
    // key and value takes the three separate ones.
    Tensor fused = multiHeadAttention(x, x, x, w, Tensor(), Tensor(), s.heads,
                                      s.batchFirst, s.causal, {});
    expectNear(fused, want, 1e-4);
    Tensor copy = x.clone();
    Tensor separate = multiHeadAttention(x, copy, copy, w, Tensor(), Tensor(),
                                         s.heads, s.batchFirst, s.causal, {});
    expectNear(separate, want, 1e-4);
  }
}

} // namespace
