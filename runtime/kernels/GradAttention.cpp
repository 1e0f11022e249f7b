//===- GradAttention.cpp - Backward of the attention kernels --------------===//
//
// Every (batch, head) block recomputes its probabilities the way the forward
// does (S = Q K^T, scale, masks, row softmax) and then runs four GEMMs:
// dV = P^T dO, dP = dO V^T, dQ = scale dS K and dK = scale dS^T Q, with
// dS = P (dP - rowsum(dP P)) in between. Blocks are independent and spread
// over the thread pool, each worker owning its P and dP buffers; they write
// disjoint rows (sdpa) or disjoint column blocks (multi-head attention) of
// the gradients. Projection gradients are plain GEMMs after the heads.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/GradAttention.h"
#include "runtime/kernels/Positions.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/AttentionUtil.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Grad.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// In place dP -> dS = P (dP - sum_j dP_j P_j) per row (softmax backward),
/// the row sum in double. Masked positions have P = 0 and so get dS = 0; a
/// NaN row of P stays NaN, as autograd gives.
template <class T>
void softmaxBackwardRows(T *dp, const T *p, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    T *d = dp + r * n;
    const T *pr = p + r * n;
    double s = 0;
    for (int64_t j = 0; j < n; ++j)
      s += double(d[j]) * double(pr[j]);
    const T sum = T(s);
    for (int64_t j = 0; j < n; ++j)
      d[j] = pr[j] * (d[j] - sum);
  }
}

/// The backward of one attention block O = P V with P = softmax(scale Q K^T
/// + masks) already recomputed in `p` [tq, tk]. Q/K/V and dO are read and
/// dQ/dK/dV written with leading dimensions (multi-head attention reads head
/// column blocks); `dp` is [tq, tk] scratch.
template <class T> struct BlockBackward {
  int64_t tq, tk, e, ev;
  T scale;
  /// With attention dropout, `dropped` is P' = P * M (the probabilities
  /// the forward multiplied V by) and `keep` the mask M; both null without.
  void operator()(const T *p, T *dp, const T *q, int64_t ldq, const T *k,
                  int64_t ldk, const T *v, int64_t ldv, const T *dO,
                  int64_t ldo, T *dq, int64_t lddq, T *dk, int64_t lddk, T *dv,
                  int64_t lddv, const T *dropped = nullptr,
                  const T *keep = nullptr) const {
    // dV [tk, ev] = P'^T dO
    gemm(true, false, tk, ev, tq, T(1), dropped ? dropped : p, tk, dO, ldo,
         T(0), dv, lddv);
    // dP' [tq, tk] = dO V^T; dP = dP' * M; then dS in place.
    gemm(false, true, tq, tk, ev, T(1), dO, ldo, v, ldv, T(0), dp, tk);
    if (keep)
      for (int64_t i = 0; i < tq * tk; ++i)
        dp[i] *= keep[i];
    softmaxBackwardRows(dp, p, tq, tk);
    // The forward scales after the product: d(Q K^T) = scale dS.
    gemm(false, false, tq, e, tk, scale, dp, tk, k, ldk, T(0), dq, lddq);
    gemm(true, false, tk, e, tq, scale, dp, tk, q, ldq, T(0), dk, lddk);
  }
};

/// Casts every defined gradient back to `dtype` (for f16/bf16 operands,
/// which are computed in f32 as in the forward kernels).
void narrow(std::initializer_list<Tensor *> grads, DType dtype) {
  for (Tensor *g : grads)
    if (g->defined())
      *g = cast(*g, dtype);
}

/// `full` reduced to `shape` over the broadcast dims; `full` itself when no
/// dim was broadcast (no copy).
Tensor reduceTo(Tensor full, const Shape &shape) {
  return full.shape() == shape ? full : sumToShape(full, shape);
}

//===----------------------------------------------------------------------===//
// scaled_dot_product_attention
//===----------------------------------------------------------------------===//

template <class T>
SdpaGrads sdpaBackwardTyped(const Tensor &gradOutput, const Tensor &query,
                            const Tensor &key, const Tensor &value,
                            const Tensor &attnMask, bool isCausal,
                            std::optional<double> scale) {
  const int64_t tq = query.dim(-2), e = query.dim(-1);
  const int64_t tk = key.dim(-2), ev = value.dim(-1);
  const Shape batch = broadcastShapes(
      broadcastShapes(batchDims(query), batchDims(key)), batchDims(value));
  auto fullShape = [&](int64_t rows, int64_t cols) {
    Shape s = batch;
    s.insert(s.end(), {rows, cols});
    return s;
  };
  auto stridesOf = [&](const Tensor &t, int64_t rows, int64_t cols) {
    return broadcastStrides(t.shape(), fullShape(rows, cols));
  };
  const std::vector<int64_t> qs = stridesOf(query, tq, e);
  const std::vector<int64_t> ks = stridesOf(key, tk, e);
  const std::vector<int64_t> vs = stridesOf(value, tk, ev);
  std::vector<int64_t> ms;
  if (attnMask.defined())
    ms = stridesOf(attnMask, tq, tk);
  const bool boolMask = attnMask.defined() && attnMask.dtype() == DType::Bool;
  const int64_t msq = ms.empty() ? 0 : ms[ms.size() - 2];
  const int64_t msk = ms.empty() ? 0 : ms.back();
  const T s = scale ? T(*scale) : T(1) / std::sqrt(T(e));

  // Gradients over the full broadcast batch (every element is written by
  // its block's GEMMs), reduced to the operand shapes afterwards.
  Tensor dq = Tensor::uninitialized(query.dtype(), fullShape(tq, e));
  Tensor dk = Tensor::uninitialized(query.dtype(), fullShape(tk, e));
  Tensor dv = Tensor::uninitialized(query.dtype(), fullShape(tk, ev));
  // A float mask is added to the scores, so its gradient is dS itself.
  const bool floatMask = attnMask.defined() && !boolMask;
  Tensor dmask;
  if (floatMask)
    dmask = Tensor::uninitialized(query.dtype(), fullShape(tq, tk));
  const BlockBackward<T> block{tq, tk, e, ev, s};
  const int64_t heads = numElements(batch);
  parallelFor(
      0, heads, headGrain(tq, tk, 2 * e + 3 * ev), [&](int64_t lo, int64_t hi) {
        std::vector<T> probs(size_t(tq * tk)), scratch(size_t(tq * tk));
        T *P = probs.data();
        for (int64_t n = lo; n < hi; ++n) {
          const T *q = query.data<T>() + batchOffset(n, batch, qs);
          const T *k = key.data<T>() + batchOffset(n, batch, ks);
          const T *v = value.data<T>() + batchOffset(n, batch, vs);
          // P as the forward computes it (same masks and softmax).
          gemm(false, true, tq, tk, e, T(1), q, e, k, e, T(0), P, tk);
          for (int64_t i = 0; i < tq * tk; ++i)
            P[i] *= s;
          if (attnMask.defined()) {
            const int64_t base = batchOffset(n, batch, ms);
            for (int64_t i = 0; i < tq; ++i) {
              T *row = P + i * tk;
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
            addCausalMask(P, tq, tk);
          softmaxRows(P, tq, tk);
          block(P, scratch.data(), q, e, k, e, v, ev,
                gradOutput.data<T>() + n * tq * ev, ev,
                dq.data<T>() + n * tq * e, e, dk.data<T>() + n * tk * e, e,
                dv.data<T>() + n * tk * ev, ev);
          if (floatMask)
            std::memcpy(dmask.data<T>() + n * tq * tk, scratch.data(),
                        sizeof(T) * size_t(tq * tk));
        }
      });
  return {reduceTo(dq, query.shape()), reduceTo(dk, key.shape()),
          reduceTo(dv, value.shape()),
          floatMask ? reduceTo(dmask, attnMask.shape()) : Tensor()};
}

//===----------------------------------------------------------------------===//
// multi_head_attention
//===----------------------------------------------------------------------===//

template <class T>
MultiHeadAttentionGrads mhaBackwardTyped(
    const Tensor &gradOutput, const Tensor &query, const Tensor &key,
    const Tensor &value, const MultiHeadAttentionWeights &w,
    const Tensor &keyPaddingMask, const Tensor &attnMask, int64_t numHeads,
    bool batchFirst, bool isCausal, const AttentionDropout &dropout) {
  const DType dt = query.dtype();
  const int64_t batch = query.dim(batchFirst ? 0 : 1);
  const int64_t tq = query.dim(batchFirst ? 1 : 0);
  const int64_t tk = key.dim(batchFirst ? 1 : 0);
  const int64_t e = query.dim(2), kdim = key.dim(2), vdim = value.dim(2);
  const int64_t hd = e / numHeads;

  // Recompute the projections as the forward does.
  const bool packed = w.inProjWeight.defined();
  const bool inBias = w.inProjBias.defined();
  const T *wq = packed ? w.inProjWeight.data<T>() : w.qProjWeight.data<T>();
  const T *wk = packed ? wq + e * e : w.kProjWeight.data<T>();
  const T *wv = packed ? wq + 2 * e * e : w.vProjWeight.data<T>();
  const T *bq = inBias ? w.inProjBias.data<T>() : nullptr;
  const int64_t nq = batch * tq, nk = batch * tk;
  std::vector<T> q(size_t(nq * e)), k(size_t(nk * e)), v(size_t(nk * e));
  linearRows(query.data<T>(), nq, e, wq, bq, e, q.data());
  linearRows(key.data<T>(), nk, kdim, wk, bq ? bq + e : nullptr, e, k.data());
  linearRows(value.data<T>(), nk, vdim, wv, bq ? bq + 2 * e : nullptr, e,
             v.data());

  // Out projection first: dAttn = dOut Wo (dWo needs the recomputed heads).
  const T *dOut = gradOutput.data<T>();
  const T *wo = w.outProjWeight.data<T>();
  std::vector<T> dAttn(size_t(nq * e));
  gemm(false, false, nq, e, e, T(1), dOut, e, wo, e, T(0), dAttn.data(), e);

  // Head h of batch b is the column block [h*hd, (h+1)*hd) of b's rows, as
  // in the forward: rows b*T + t (batch first) or t*B + b.
  auto base = [&](int64_t b, int64_t steps) {
    return batchFirst ? b * steps * e : b * e;
  };
  const int64_t ld = batchFirst ? e : batch * e;
  const T scale = T(1) / std::sqrt(T(hd));
  std::vector<T> attn(size_t(nq * e)), dq(size_t(nq * e)), dk(size_t(nk * e)),
      dv(size_t(nk * e));
  const BlockBackward<T> block{tq, tk, hd, hd, scale};
  parallelFor(
      0, batch * numHeads, headGrain(tq, tk, 6 * hd),
      [&](int64_t lo, int64_t hi) {
        std::vector<T> probs(size_t(tq * tk)), scratch(size_t(tq * tk));
        // With dropout: the dropped probabilities P' and the mask M (the
        // mask is P' / P only where P > 0, so it is drawn on a ones block).
        const bool drop = dropout.p > 0;
        std::vector<T> dropped(drop ? size_t(tq * tk) : 0),
            keep(drop ? size_t(tq * tk) : 0);
        T *P = probs.data();
        for (int64_t n = lo; n < hi; ++n) {
          const int64_t b = n / numHeads, h = n % numHeads;
          const int64_t qb = base(b, tq) + h * hd, kb = base(b, tk) + h * hd;
          gemm(false, true, tq, tk, hd, T(1), q.data() + qb, ld, k.data() + kb,
               ld, T(0), P, tk);
          for (int64_t i = 0; i < tq * tk; ++i)
            P[i] *= scale;
          if (attnMask.defined())
            addMhaMask(P, tq, tk, attnMask,
                       attnMask.rank() == 3 ? n * tq * tk : 0, tk);
          if (keyPaddingMask.defined())
            addMhaMask(P, tq, tk, keyPaddingMask, b * tk, 0);
          if (isCausal)
            addCausalMask(P, tq, tk);
          softmaxRows(P, tq, tk);
          const T *used = P;
          if (drop) {
            std::fill(keep.begin(), keep.end(), T(1));
            applyAttentionDropout(keep.data(), tq * tk, dropout, uint64_t(n));
            for (int64_t i = 0; i < tq * tk; ++i)
              dropped[i] = P[i] * keep[i];
            used = dropped.data();
          }
          gemm(false, false, tq, hd, tk, T(1), used, tk, v.data() + kb, ld,
               T(0), attn.data() + qb, ld);
          block(P, scratch.data(), q.data() + qb, ld, k.data() + kb, ld,
                v.data() + kb, ld, dAttn.data() + qb, ld, dq.data() + qb, ld,
                dk.data() + kb, ld, dv.data() + kb, ld,
                drop ? dropped.data() : nullptr, drop ? keep.data() : nullptr);
        }
      });

  MultiHeadAttentionGrads g;
  g.query = Tensor::uninitialized(dt, query.shape());
  g.key = Tensor::uninitialized(dt, key.shape());
  g.value = Tensor::uninitialized(dt, value.shape());
  MultiHeadAttentionWeights &gw = g.weights;
  gw.outProjWeight = Tensor::uninitialized(dt, {e, e});
  if (w.outProjBias.defined())
    gw.outProjBias = Tensor::uninitialized(dt, {e});
  linearRowsBackward(dOut, attn.data(), nq, e, wo, e, static_cast<T *>(nullptr),
                     gw.outProjWeight.data<T>(),
                     gw.outProjBias.defined() ? gw.outProjBias.data<T>()
                                              : nullptr);

  // In projections; the packed weight/bias gradients are the three blocks
  // stacked in q, k, v order.
  T *dwq, *dwk, *dwv;
  if (packed) {
    gw.inProjWeight = Tensor::uninitialized(dt, {3 * e, e});
    dwq = gw.inProjWeight.data<T>();
    dwk = dwq + e * e;
    dwv = dwq + 2 * e * e;
  } else {
    gw.qProjWeight = Tensor::uninitialized(dt, {e, e});
    gw.kProjWeight = Tensor::uninitialized(dt, {e, kdim});
    gw.vProjWeight = Tensor::uninitialized(dt, {e, vdim});
    dwq = gw.qProjWeight.data<T>();
    dwk = gw.kProjWeight.data<T>();
    dwv = gw.vProjWeight.data<T>();
  }
  T *dbq = nullptr;
  if (inBias) {
    gw.inProjBias = Tensor::uninitialized(dt, {3 * e});
    dbq = gw.inProjBias.data<T>();
  }
  linearRowsBackward(dq.data(), query.data<T>(), nq, e, wq, e,
                     g.query.data<T>(), dwq, dbq);
  linearRowsBackward(dk.data(), key.data<T>(), nk, kdim, wk, e, g.key.data<T>(),
                     dwk, dbq ? dbq + e : nullptr);
  linearRowsBackward(dv.data(), value.data<T>(), nk, vdim, wv, e,
                     g.value.data<T>(), dwv, dbq ? dbq + 2 * e : nullptr);
  return g;
}

//===----------------------------------------------------------------------===//
// additive_attention
//===----------------------------------------------------------------------===//

template <class T>
AdditiveAttentionGrads
additiveBackwardTyped(const Tensor &gradContext, const Tensor &gradWeights,
                      const Tensor &query, const Tensor &keys,
                      const Tensor &queryWeight, const Tensor &keyWeight,
                      const Tensor &scoreWeight) {
  const DType dt = query.dtype();
  const int64_t batch = query.dim(0), hq = query.dim(1);
  const int64_t steps = keys.dim(1), hk = keys.dim(2);
  const int64_t a = queryWeight.dim(0);
  const int64_t rows = batch * steps;
  const T *kd = keys.data<T>(), *sw = scoreWeight.data<T>();

  // u = tanh(q Wq^T + k Wk^T) [B*T, A], recomputed.
  std::vector<T> qp(size_t(batch * a)), u(size_t(rows * a));
  linearRows(query.data<T>(), batch, hq, queryWeight.data<T>(),
             static_cast<const T *>(nullptr), a, qp.data());
  linearRows(kd, rows, hk, keyWeight.data<T>(), static_cast<const T *>(nullptr),
             a, u.data());

  AdditiveAttentionGrads g;
  g.keys = Tensor(dt, keys.shape()); // the context term accumulates into it
  // dscore [B*T]; dpre [B*T, A] = dscore ws (1 - u^2), the gradient of both
  // projections' sum.
  std::vector<T> dscore(static_cast<size_t>(rows)), dpre(size_t(rows * a));
  parallelFor(0, batch, 1, [&](int64_t lo, int64_t hi) {
    std::vector<T> weights(static_cast<size_t>(steps));
    for (int64_t b = lo; b < hi; ++b) {
      const T *qb = qp.data() + b * a;
      for (int64_t t = 0; t < steps; ++t) {
        T *ut = u.data() + (b * steps + t) * a;
        T score = 0;
        for (int64_t j = 0; j < a; ++j) {
          ut[j] = std::tanh(qb[j] + ut[j]);
          score += sw[j] * ut[j];
        }
        weights[t] = score;
      }
      softmaxRows(weights.data(), 1, steps);
      // dw[t] = dWeights[t] + dContext . k[t]; dk[t] = w[t] dContext (the
      // projection term is added after the loop).
      T *ds = dscore.data() + b * steps;
      const T *dc =
          gradContext.defined() ? gradContext.data<T>() + b * hk : nullptr;
      for (int64_t t = 0; t < steps; ++t) {
        const T *kt = kd + (b * steps + t) * hk;
        T *dkt = g.keys.data<T>() + (b * steps + t) * hk;
        double dw = gradWeights.defined()
                        ? double(gradWeights.data<T>()[b * steps + t])
                        : 0.0;
        if (dc)
          for (int64_t j = 0; j < hk; ++j) {
            dw += double(dc[j]) * double(kt[j]);
            dkt[j] = weights[t] * dc[j];
          }
        ds[t] = T(dw);
      }
      softmaxBackwardRows(ds, weights.data(), 1, steps);
      for (int64_t t = 0; t < steps; ++t) {
        const T *ut = u.data() + (b * steps + t) * a;
        T *dp = dpre.data() + (b * steps + t) * a;
        for (int64_t j = 0; j < a; ++j)
          dp[j] = ds[t] * sw[j] * (T(1) - ut[j] * ut[j]);
      }
    }
  });

  // dws [1, A] = dscore [1, B*T] u; the query projection's gradient is the
  // sum of dpre over t.
  g.scoreWeight = Tensor::uninitialized(dt, scoreWeight.shape());
  gemm(false, false, 1, a, rows, T(1), dscore.data(), rows, u.data(), a, T(0),
       g.scoreWeight.data<T>(), a);
  std::vector<T> dqp(size_t(batch * a), T(0));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < steps; ++t)
      for (int64_t j = 0; j < a; ++j)
        dqp[b * a + j] += dpre[(b * steps + t) * a + j];
  g.query = Tensor::uninitialized(dt, query.shape());
  g.queryWeight = Tensor::uninitialized(dt, queryWeight.shape());
  linearRowsBackward(dqp.data(), query.data<T>(), batch, hq,
                     queryWeight.data<T>(), a, g.query.data<T>(),
                     g.queryWeight.data<T>(), static_cast<T *>(nullptr));
  // dKeys += dpre Wk (beta 1 keeps the context term); dWk = dpre^T keys.
  g.keyWeight = Tensor::uninitialized(dt, keyWeight.shape());
  gemm(false, false, rows, hk, a, T(1), dpre.data(), a, keyWeight.data<T>(), hk,
       T(1), g.keys.data<T>(), hk);
  gemm(true, false, a, hk, rows, T(1), dpre.data(), a, kd, hk, T(0),
       g.keyWeight.data<T>(), hk);
  return g;
}

} // namespace

SdpaGrads kernels::scaledDotProductAttentionBackward(
    const Tensor &gradOutput, const Tensor &query, const Tensor &key,
    const Tensor &value, const Tensor &attnMask, bool isCausal,
    std::optional<double> scale) {
  const DType dt = query.dtype();
  if (isHalf(dt)) {
    SdpaGrads g = sdpaBackwardTyped<float>(
        widenHalf(gradOutput), widenHalf(query), widenHalf(key),
        widenHalf(value), widenHalf(attnMask), isCausal, scale);
    narrow({&g.query, &g.key, &g.value, &g.mask}, dt);
    return g;
  }
  return dispatchFloat(
      dt, "scaled_dot_product_attention_backward", [&](auto tag) {
        return sdpaBackwardTyped<decltype(tag)>(gradOutput, query, key, value,
                                                attnMask, isCausal, scale);
      });
}

Tensor kernels::relativePositionBiasBackward(const Tensor &gradOutput,
                                             const Shape &weightShape,
                                             int64_t numBuckets,
                                             int64_t maxDistance,
                                             bool bidirectional) {
  const int64_t heads = weightShape[1];
  const int64_t tq = gradOutput.dim(2), tk = gradOutput.dim(3);
  // Sums in double per (bucket, head): many (i, j) share a bucket.
  std::vector<double> sums(size_t(numBuckets * heads), 0.0);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < tq; ++i)
      for (int64_t j = 0; j < tk; ++j) {
        int64_t b = relativePositionBucket(j - i, bidirectional, numBuckets,
                                           maxDistance);
        sums[size_t(b * heads + h)] += gradOutput.at((h * tq + i) * tk + j);
      }
  Tensor dw(gradOutput.dtype(), weightShape);
  for (size_t i = 0; i < sums.size(); ++i)
    dw.set(int64_t(i), sums[i]);
  return dw;
}

MultiHeadAttentionGrads kernels::multiHeadAttentionBackward(
    const Tensor &gradOutput, const Tensor &query, const Tensor &key,
    const Tensor &value, const MultiHeadAttentionWeights &w,
    const Tensor &keyPaddingMask, const Tensor &attnMask, int64_t numHeads,
    bool batchFirst, bool isCausal, const AttentionDropout &dropout) {
  const DType dt = query.dtype();
  if (isHalf(dt)) {
    MultiHeadAttentionWeights wide{
        widenHalf(w.inProjWeight), widenHalf(w.qProjWeight),
        widenHalf(w.kProjWeight),  widenHalf(w.vProjWeight),
        widenHalf(w.inProjBias),   widenHalf(w.outProjWeight),
        widenHalf(w.outProjBias)};
    MultiHeadAttentionGrads g = mhaBackwardTyped<float>(
        widenHalf(gradOutput), widenHalf(query), widenHalf(key),
        widenHalf(value), wide, widenHalf(keyPaddingMask), widenHalf(attnMask),
        numHeads, batchFirst, isCausal, dropout);
    MultiHeadAttentionWeights &gw = g.weights;
    narrow({&g.query, &g.key, &g.value, &gw.inProjWeight, &gw.qProjWeight,
            &gw.kProjWeight, &gw.vProjWeight, &gw.inProjBias, &gw.outProjWeight,
            &gw.outProjBias},
           dt);
    return g;
  }
  return dispatchFloat(dt, "multi_head_attention_backward", [&](auto tag) {
    return mhaBackwardTyped<decltype(tag)>(gradOutput, query, key, value, w,
                                           keyPaddingMask, attnMask, numHeads,
                                           batchFirst, isCausal, dropout);
  });
}

AdditiveAttentionGrads kernels::additiveAttentionBackward(
    const Tensor &gradContext, const Tensor &gradWeights, const Tensor &query,
    const Tensor &keys, const Tensor &queryWeight, const Tensor &keyWeight,
    const Tensor &scoreWeight) {
  const DType dt = query.dtype();
  if (isHalf(dt)) {
    AdditiveAttentionGrads g = additiveBackwardTyped<float>(
        widenHalf(gradContext), widenHalf(gradWeights), widenHalf(query),
        widenHalf(keys), widenHalf(queryWeight), widenHalf(keyWeight),
        widenHalf(scoreWeight));
    narrow({&g.query, &g.keys, &g.queryWeight, &g.keyWeight, &g.scoreWeight},
           dt);
    return g;
  }
  return dispatchFloat(dt, "additive_attention_backward", [&](auto tag) {
    return additiveBackwardTyped<decltype(tag)>(gradContext, gradWeights, query,
                                                keys, queryWeight, keyWeight,
                                                scoreWeight);
  });
}
