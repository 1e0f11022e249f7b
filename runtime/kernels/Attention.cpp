//===- Attention.cpp - Attention forward kernels --------------------------===//
//
// Every attention head is computed as: S = Q K^T, S = S * scale + masks
// (one pass), row softmax, O = S V. The two products are BLAS GEMMs for
// wide heads and register-blocked loops for heads up to 64 wide (see
// kSmallHeadDim). Heads are independent and are spread over the thread
// pool; each worker owns its score buffer.
// Multi-head attention reads the heads as strided column blocks of the
// projected [rows, E] matrices, so no head is ever copied out.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Attention.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/AttentionUtil.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"
#include "runtime/kernels/Random.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Runs `typed(T())` for f32/f64 and the f32 path for f16/bf16, casting the
/// tensor results back to `dtype` with `narrow`.
template <class Typed, class Narrow>
auto dispatchAttention(DType dtype, const char *kernel, Typed typed,
                       Narrow narrow) {
  if (isHalf(dtype))
    return narrow(typed(float()));
  return dispatchFloat(dtype, kernel, typed);
}

/// Head dims up to this take the register-blocked loops below instead of
/// two BLAS calls per head: at 8 to 64 wide heads the products are a few
/// hundred thousand flops and OpenBLAS's per-call overhead (argument
/// checks, packing, dispatch) costs as much as the arithmetic.
constexpr int64_t kSmallHeadDim = 64;

/// A 64-byte SIMD vector of T (one AVX-512 register, two AVX2 ones). The
/// blocked loops below spell out their vectors: left to the vectoriser,
/// the register blocks came out as 4-wide code with spills.
template <class T> struct VecOf {
  typedef T type __attribute__((vector_size(64)));
};
template <class T> using Vec = typename VecOf<T>::type;
template <class T> constexpr int64_t kLanes = int64_t(64 / sizeof(T));

template <class T> Vec<T> loadVec(const T *p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// Scratch elements smallScores and smallValues need for one head: K^T
/// padded to whole blocks of 2 vectors, then V padded to whole vectors.
template <class T> int64_t smallHeadScratch(int64_t tk, int64_t e, int64_t ev) {
  constexpr int64_t CS = 2 * kLanes<T>, CV = kLanes<T>;
  return e * ((tk + CS - 1) / CS * CS) + tk * ((ev + CV - 1) / CV * CV);
}

/// S[tq, tk] = scale * Q K^T for one head (Q rows ldq apart, K rows ldk
/// apart, both e wide), scaled after the product as PyTorch does. K is
/// transposed into `kt` (padded with zero columns to whole blocks) so that
/// an R x 2-vector block of S is accumulated in registers over the e
/// products.
template <class T>
void smallScores(const T *q, int64_t ldq, const T *k, int64_t ldk, int64_t tq,
                 int64_t tk, int64_t e, T scale, T *S, T *kt) {
  constexpr int64_t R = 4, L = kLanes<T>, C = 2 * L;
  const int64_t tkPad = (tk + C - 1) / C * C;
  for (int64_t d = 0; d < e; ++d) {
    T *row = kt + d * tkPad;
    for (int64_t j = 0; j < tk; ++j)
      row[j] = k[j * ldk + d];
    std::fill(row + tk, row + tkPad, T(0));
  }
  for (int64_t i0 = 0; i0 < tq; i0 += R) {
    // A partial last block recomputes the last row instead of branching.
    const T *qr[R];
    for (int64_t r = 0; r < R; ++r)
      qr[r] = q + std::min(i0 + r, tq - 1) * ldq;
    const int64_t rows = std::min(R, tq - i0);
    for (int64_t j0 = 0; j0 < tkPad; j0 += C) {
      Vec<T> acc[R][2] = {};
      for (int64_t d = 0; d < e; ++d) {
        const Vec<T> k0 = loadVec(kt + d * tkPad + j0);
        const Vec<T> k1 = loadVec(kt + d * tkPad + j0 + L);
        for (int64_t r = 0; r < R; ++r) {
          acc[r][0] += qr[r][d] * k0;
          acc[r][1] += qr[r][d] * k1;
        }
      }
      const int64_t cols = std::min(C, tk - j0);
      for (int64_t r = 0; r < rows; ++r) {
        T block[C];
        std::memcpy(block, &acc[r][0], sizeof(Vec<T>));
        std::memcpy(block + L, &acc[r][1], sizeof(Vec<T>));
        for (int64_t c = 0; c < cols; ++c)
          S[(i0 + r) * tk + j0 + c] = block[c] * scale;
      }
    }
  }
}

/// O[tq, ev] (rows ldo apart) = P[tq, tk] V (V rows ldv apart) for one
/// head: an R x 1-vector block of O is accumulated in registers over the tk
/// rows. V is read in place when its rows are whole vectors, else copied
/// into `vp` with rows padded with zeros to whole vectors.
template <class T>
void smallValues(const T *P, int64_t tq, int64_t tk, const T *v, int64_t ldv,
                 int64_t ev, T *o, int64_t ldo, T *vp) {
  constexpr int64_t R = 8, C = kLanes<T>;
  const int64_t evPad = (ev + C - 1) / C * C;
  if (evPad != ev) {
    for (int64_t j = 0; j < tk; ++j) {
      for (int64_t c = 0; c < ev; ++c)
        vp[j * evPad + c] = v[j * ldv + c];
      for (int64_t c = ev; c < evPad; ++c)
        vp[j * evPad + c] = T(0);
    }
    v = vp;
    ldv = evPad;
  }
  for (int64_t i0 = 0; i0 < tq; i0 += R) {
    const T *pr[R];
    for (int64_t r = 0; r < R; ++r)
      pr[r] = P + std::min(i0 + r, tq - 1) * tk;
    const int64_t rows = std::min(R, tq - i0);
    for (int64_t c0 = 0; c0 < evPad; c0 += C) {
      Vec<T> acc[R] = {};
      for (int64_t j = 0; j < tk; ++j) {
        const Vec<T> vj = loadVec(v + j * ldv + c0);
        for (int64_t r = 0; r < R; ++r)
          acc[r] += pr[r][j] * vj;
      }
      const int64_t cols = std::min(C, ev - c0);
      for (int64_t r = 0; r < rows; ++r)
        std::memcpy(o + (i0 + r) * ldo + c0, &acc[r], sizeof(T) * cols);
    }
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// scaled_dot_product_attention
//===----------------------------------------------------------------------===//

template <class T>
static Tensor sdpaTyped(const Tensor &query, const Tensor &key,
                        const Tensor &value, const Tensor &attnMask,
                        bool isCausal, std::optional<double> scale) {
  const int64_t tq = query.dim(-2), e = query.dim(-1);
  const int64_t tk = key.dim(-2), ev = value.dim(-1);
  const Shape batch = broadcastShapes(
      broadcastShapes(batchDims(query), batchDims(key)), batchDims(value));
  Shape outShape = batch;
  outShape.insert(outShape.end(), {tq, ev});
  Tensor out(query.dtype(), outShape);

  // Strides of whole matrices along the (broadcast) batch dims.
  auto stridesOf = [&](const Tensor &t, int64_t rows, int64_t cols) {
    Shape full = batch;
    full.insert(full.end(), {rows, cols});
    return broadcastStrides(t.shape(), full);
  };
  const std::vector<int64_t> qs = stridesOf(query, tq, e);
  const std::vector<int64_t> ks = stridesOf(key, tk, e);
  const std::vector<int64_t> vs = stridesOf(value, tk, ev);
  std::vector<int64_t> ms;
  if (attnMask.defined())
    ms = stridesOf(attnMask, tq, tk);
  const bool boolMask = attnMask.defined() && attnMask.dtype() == DType::Bool;
  // Mask strides along Tq and Tk (0 where the mask broadcasts).
  const int64_t msq = ms.empty() ? 0 : ms[ms.size() - 2];
  const int64_t msk = ms.empty() ? 0 : ms.back();
  const T s = scale ? T(*scale) : T(1) / std::sqrt(T(e));

  const int64_t heads = numElements(batch);
  const bool small = std::max(e, ev) <= kSmallHeadDim;
  parallelFor(0, heads, headGrain(tq, tk, e + ev), [&](int64_t lo, int64_t hi) {
    std::vector<T> scores(
        size_t(tq * tk + (small ? smallHeadScratch<T>(tk, e, ev) : 0)));
    T *S = scores.data(), *work = S + tq * tk;
    for (int64_t n = lo; n < hi; ++n) {
      const T *q = query.data<T>() + batchOffset(n, batch, qs);
      const T *k = key.data<T>() + batchOffset(n, batch, ks);
      const T *v = value.data<T>() + batchOffset(n, batch, vs);
      if (small) {
        smallScores(q, e, k, e, tq, tk, e, s, S, work);
      } else {
        gemm(false, true, tq, tk, e, T(1), q, e, k, e, T(0), S, tk);
        // Scale after the product, as PyTorch does (so E = 0 behaves alike).
        for (int64_t i = 0; i < tq * tk; ++i)
          S[i] *= s;
      }
      if (attnMask.defined()) {
        const int64_t base = batchOffset(n, batch, ms);
        for (int64_t i = 0; i < tq; ++i) {
          T *row = S + i * tk;
          if (boolMask) {
            const uint8_t *m = attnMask.data<uint8_t>() + base + i * msq;
            for (int64_t j = 0; j < tk; ++j)
              row[j] += m[j * msk] ? T(0) : negInf<T>();
          } else {
            const T *m = attnMask.data<T>() + base + i * msq;
            for (int64_t j = 0; j < tk; ++j)
              row[j] += m[j * msk];
          }
        }
      }
      if (isCausal)
        addCausalMask(S, tq, tk);
      softmaxRows(S, tq, tk);
      T *o = out.data<T>() + n * tq * ev;
      if (small)
        smallValues(S, tq, tk, v, ev, ev, o, ev, work);
      else
        gemm(false, false, tq, ev, tk, T(1), S, tk, v, ev, T(0), o, ev);
    }
  });
  return out;
}

Tensor kernels::scaledDotProductAttention(const Tensor &query,
                                          const Tensor &key,
                                          const Tensor &value,
                                          const Tensor &attnMask, bool isCausal,
                                          std::optional<double> scale) {
  return dispatchAttention(
      query.dtype(), "scaled_dot_product_attention",
      [&](auto tag) {
        return sdpaTyped<decltype(tag)>(widenHalf(query), widenHalf(key),
                                        widenHalf(value), widenHalf(attnMask),
                                        isCausal, scale);
      },
      [&](Tensor t) { return cast(t, query.dtype()); });
}

//===----------------------------------------------------------------------===//
// multi_head_attention
//===----------------------------------------------------------------------===//

template <class T>
static void dropProbabilities(T *probs, int64_t count,
                              const AttentionDropout &d, uint64_t stream) {
  if (d.p <= 0)
    return;
  // One Philox block per four probabilities; a word's top 53 bits as a
  // uniform in [0, 1).
  const T keep = d.p >= 1 ? T(0) : T(1.0 / (1.0 - d.p));
  for (int64_t b = 0; b * 4 < count; ++b) {
    std::array<uint64_t, 4> words =
        philox4x64({uint64_t(b), 0, 0, 0}, {d.seed, stream});
    for (int64_t i = 4 * b; i < std::min(count, 4 * b + 4); ++i) {
      double u = double(words[i - 4 * b] >> 11) * 0x1.0p-53;
      probs[i] = u < d.p ? T(0) : probs[i] * keep;
    }
  }
}

void kernels::applyAttentionDropout(float *probs, int64_t count,
                                    const AttentionDropout &dropout,
                                    uint64_t stream) {
  dropProbabilities(probs, count, dropout, stream);
}
void kernels::applyAttentionDropout(double *probs, int64_t count,
                                    const AttentionDropout &dropout,
                                    uint64_t stream) {
  dropProbabilities(probs, count, dropout, stream);
}

template <class T>
static Tensor mhaTyped(const Tensor &query, const Tensor &key,
                       const Tensor &value, const MultiHeadAttentionWeights &w,
                       const Tensor &keyPaddingMask, const Tensor &attnMask,
                       int64_t numHeads, bool batchFirst, bool isCausal,
                       const AttentionDropout &dropout) {
  const int64_t batch = query.dim(batchFirst ? 0 : 1);
  const int64_t tq = query.dim(batchFirst ? 1 : 0);
  const int64_t tk = key.dim(batchFirst ? 1 : 0);
  const int64_t e = query.dim(2), kdim = key.dim(2), vdim = value.dim(2);
  const int64_t hd = e / numHeads;

  // Projections, row by row in the inputs' own layout. Self-attention with
  // the packed weight projects Q, K and V in one GEMM into [rows, 3E] (the
  // three projections side by side in each row): one wide product instead
  // of three narrow ones.
  const bool packed = w.inProjWeight.defined();
  const T *wq = packed ? w.inProjWeight.data<T>() : w.qProjWeight.data<T>();
  const T *wk = packed ? wq + e * e : w.kProjWeight.data<T>();
  const T *wv = packed ? wq + 2 * e * e : w.vProjWeight.data<T>();
  const T *bq = w.inProjBias.defined() ? w.inProjBias.data<T>() : nullptr;
  const int64_t nq = batch * tq, nk = batch * tk;
  const bool fused = packed && query.data<T>() == key.data<T>() &&
                     key.data<T>() == value.data<T>() && tq == tk &&
                     kdim == e && vdim == e;
  // Row widths of the projected Q and of K/V.
  const int64_t wqRow = fused ? 3 * e : e, wkvRow = fused ? 3 * e : e;
  // Uninitialised: the projections write every element.
  std::unique_ptr<T[]> qkv(
      new T[size_t(fused ? nq * 3 * e : (nq + 2 * nk) * e)]);
  const T *qp = qkv.get(), *kp, *vp;
  if (fused) {
    linearRows(query.data<T>(), nq, e, wq, bq, 3 * e, qkv.get());
    kp = qp + e;
    vp = qp + 2 * e;
  } else {
    T *k = qkv.get() + nq * e, *v = k + nk * e;
    linearRows(query.data<T>(), nq, e, wq, bq, e, qkv.get());
    linearRows(key.data<T>(), nk, kdim, wk, bq ? bq + e : nullptr, e, k);
    linearRows(value.data<T>(), nk, vdim, wv, bq ? bq + 2 * e : nullptr, e, v);
    kp = k;
    vp = v;
  }

  // Head h of batch b is the column block [h*hd, (h+1)*hd) of b's rows:
  // rows b*T + t (batch first) or t*B + b, `width` elements each.
  auto base = [&](int64_t b, int64_t steps, int64_t width) {
    return batchFirst ? b * steps * width : b * width;
  };
  auto ldOf = [&](int64_t width) { return batchFirst ? width : batch * width; };
  const int64_t ldq = ldOf(wqRow), ldkv = ldOf(wkvRow), ldo = ldOf(e);
  const T scale = T(1) / std::sqrt(T(hd));
  const bool small = hd <= kSmallHeadDim;
  // Uninitialised: the heads' column blocks tile it.
  std::unique_ptr<T[]> attn(new T[size_t(nq * e)]);
  parallelFor(
      0, batch * numHeads, headGrain(tq, tk, 2 * hd),
      [&](int64_t lo, int64_t hi) {
        std::vector<T> scores(
            size_t(tq * tk + (small ? smallHeadScratch<T>(tk, hd, hd) : 0)));
        T *S = scores.data(), *work = S + tq * tk;
        for (int64_t n = lo; n < hi; ++n) {
          const int64_t b = n / numHeads, h = n % numHeads;
          const T *qh = qp + base(b, tq, wqRow) + h * hd;
          const T *kh = kp + base(b, tk, wkvRow) + h * hd;
          const T *vh = vp + base(b, tk, wkvRow) + h * hd;
          T *oh = attn.get() + base(b, tq, e) + h * hd;
          if (small) {
            smallScores(qh, ldq, kh, ldkv, tq, tk, hd, scale, S, work);
          } else {
            gemm(false, true, tq, tk, hd, T(1), qh, ldq, kh, ldkv, T(0), S, tk);
            for (int64_t i = 0; i < tq * tk; ++i)
              S[i] *= scale;
          }
          if (attnMask.defined())
            addMhaMask(S, tq, tk, attnMask,
                       attnMask.rank() == 3 ? n * tq * tk : 0, tk);
          if (keyPaddingMask.defined())
            addMhaMask(S, tq, tk, keyPaddingMask, b * tk, 0);
          if (isCausal)
            addCausalMask(S, tq, tk);
          softmaxRows(S, tq, tk);
          applyAttentionDropout(S, tq * tk, dropout, uint64_t(n));
          if (small)
            smallValues(S, tq, tk, vh, ldkv, hd, oh, ldo, work);
          else
            gemm(false, false, tq, hd, tk, T(1), S, tk, vh, ldkv, T(0), oh,
                 ldo);
        }
      });

  Tensor out = Tensor::uninitialized(query.dtype(), query.shape());
  linearRows(attn.get(), nq, e, w.outProjWeight.data<T>(),
             w.outProjBias.defined() ? w.outProjBias.data<T>() : nullptr, e,
             out.data<T>());
  return out;
}

Tensor kernels::multiHeadAttention(const Tensor &query, const Tensor &key,
                                   const Tensor &value,
                                   const MultiHeadAttentionWeights &w,
                                   const Tensor &keyPaddingMask,
                                   const Tensor &attnMask, int64_t numHeads,
                                   bool batchFirst, bool isCausal,
                                   const AttentionDropout &dropout) {
  return dispatchAttention(
      query.dtype(), "multi_head_attention",
      [&](auto tag) {
        MultiHeadAttentionWeights wide{
            widenHalf(w.inProjWeight), widenHalf(w.qProjWeight),
            widenHalf(w.kProjWeight),  widenHalf(w.vProjWeight),
            widenHalf(w.inProjBias),   widenHalf(w.outProjWeight),
            widenHalf(w.outProjBias)};
        return mhaTyped<decltype(tag)>(
            widenHalf(query), widenHalf(key), widenHalf(value), wide,
            widenHalf(keyPaddingMask), widenHalf(attnMask), numHeads,
            batchFirst, isCausal, dropout);
      },
      [&](Tensor t) { return cast(t, query.dtype()); });
}

//===----------------------------------------------------------------------===//
// additive_attention
//===----------------------------------------------------------------------===//

template <class T>
static AdditiveAttentionResult
additiveTyped(const Tensor &query, const Tensor &keys,
              const Tensor &queryWeight, const Tensor &keyWeight,
              const Tensor &scoreWeight) {
  const int64_t batch = query.dim(0), hq = query.dim(1);
  const int64_t steps = keys.dim(1), hk = keys.dim(2);
  const int64_t a = queryWeight.dim(0);
  std::vector<T> qp(size_t(batch * a)), kp(size_t(batch * steps * a));
  linearRows(query.data<T>(), batch, hq, queryWeight.data<T>(),
             static_cast<const T *>(nullptr), a, qp.data());
  linearRows(keys.data<T>(), batch * steps, hk, keyWeight.data<T>(),
             static_cast<const T *>(nullptr), a, kp.data());

  AdditiveAttentionResult result{Tensor(query.dtype(), {batch, hk}),
                                 Tensor(query.dtype(), {batch, steps})};
  T *weights = result.weights.data<T>();
  const T *v = scoreWeight.data<T>();
  parallelFor(0, batch, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; ++b) {
      const T *qb = qp.data() + b * a;
      for (int64_t t = 0; t < steps; ++t) {
        const T *kt = kp.data() + (b * steps + t) * a;
        T score = 0;
        for (int64_t j = 0; j < a; ++j)
          score += v[j] * std::tanh(qb[j] + kt[j]);
        weights[b * steps + t] = score;
      }
      softmaxRows(weights + b * steps, 1, steps);
      // context[b] = sum_t weights[b, t] * keys[b, t].
      T *ctx = result.context.data<T>() + b * hk;
      for (int64_t t = 0; t < steps; ++t) {
        const T wt = weights[b * steps + t];
        const T *kt = keys.data<T>() + (b * steps + t) * hk;
        for (int64_t j = 0; j < hk; ++j)
          ctx[j] += wt * kt[j];
      }
    }
  });
  return result;
}

AdditiveAttentionResult kernels::additiveAttention(const Tensor &query,
                                                   const Tensor &keys,
                                                   const Tensor &queryWeight,
                                                   const Tensor &keyWeight,
                                                   const Tensor &scoreWeight) {
  return dispatchAttention(
      query.dtype(), "additive_attention",
      [&](auto tag) {
        return additiveTyped<decltype(tag)>(
            widenHalf(query), widenHalf(keys), widenHalf(queryWeight),
            widenHalf(keyWeight), widenHalf(scoreWeight));
      },
      [&](AdditiveAttentionResult r) {
        return AdditiveAttentionResult{cast(r.context, query.dtype()),
                                       cast(r.weights, query.dtype())};
      });
}
