//===- GradRouting.cpp - Backward of the mixture-of-experts kernel --------===//
//
// The routing is recomputed exactly as kernels::moe computes it (same gate
// GEMM, the softmax kernel, the same top-k scan), so the backward sees the
// forward's experts. Each expert then re-runs its MLP on its routed tokens
// (gather, two GEMMs) and runs the MLP backward (four GEMMs), scattering dX
// back to the tokens; the gate gradient ends with one softmax backward and
// two GEMMs over all tokens.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/GradRouting.h"

#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"
#include "runtime/kernels/RoutingUtil.h"

#include <cmath>
#include <cstring>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// out[i] = act(x[i]) and dact[i] = act'(x[i]) (PyTorch's relu, exact gelu
/// and silu derivatives; relu'(0) = 0 as in threshold_backward).
template <class T>
void activateWithDerivative(const T *x, int64_t n, ExpertActivation activation,
                            T *out, T *dact) {
  switch (activation) {
  case ExpertActivation::ReLU:
    for (int64_t i = 0; i < n; ++i) {
      out[i] = x[i] > T(0) ? x[i] : T(0);
      dact[i] = x[i] > T(0) ? T(1) : T(0);
    }
    return;
  case ExpertActivation::GELU: // x Phi(x): Phi(x) + x phi(x)
    for (int64_t i = 0; i < n; ++i) {
      const T cdf = T(0.5) * (T(1) + std::erf(x[i] * T(M_SQRT1_2)));
      const T pdf =
          std::exp(T(-0.5) * x[i] * x[i]) * T(0.5 * M_2_SQRTPI) * T(M_SQRT1_2);
      out[i] = x[i] * cdf;
      dact[i] = cdf + x[i] * pdf;
    }
    return;
  case ExpertActivation::SiLU: // x s(x): s(x) (1 + x (1 - s(x)))
    for (int64_t i = 0; i < n; ++i) {
      const T sig = T(1) / (T(1) + std::exp(-x[i]));
      out[i] = x[i] * sig;
      dact[i] = sig * (T(1) + x[i] * (T(1) - sig));
    }
    return;
  }
}

/// Column sums of dy [rows, out] into db, accumulated in double.
template <class T>
void columnSums(const T *dy, int64_t rows, int64_t out, T *db) {
  std::vector<double> sums(size_t(out), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < out; ++j)
      sums[j] += double(dy[r * out + j]);
  for (int64_t j = 0; j < out; ++j)
    db[j] = T(sums[j]);
}

template <class T>
MoEGrads moeBackwardTyped(const Tensor &gradOutput, const Tensor &gradAuxLoss,
                          const Tensor &input, const Tensor &gateWeight,
                          const std::vector<Tensor> &expertWeights,
                          int64_t experts, int64_t topK,
                          ExpertActivation activation, bool hasBias) {
  const DType dt = input.dtype();
  const int64_t d = input.dim(-1);
  const int64_t n =
      numElements(Shape(input.shape().begin(), input.shape().end() - 1));
  const T *x = input.data<T>();

  // Gate probabilities [N, E] and the selected experts, as in the forward.
  Tensor logits(dt, {n, experts});
  gemm(false, true, n, experts, d, T(1), x, d, gateWeight.data<T>(), d, T(0),
       logits.data<T>(), experts);
  const Tensor probTensor = softmax(logits, -1);
  const T *probs = probTensor.data<T>();
  const std::vector<int64_t> chosen = topExperts(probs, n, experts, topK);
  std::vector<int64_t> start(size_t(experts) + 1, 0);
  for (int64_t e : chosen)
    ++start[e + 1];
  for (int64_t e = 0; e < experts; ++e)
    start[e + 1] += start[e];
  std::vector<int64_t> routed(chosen.size()), next(start.begin(), start.end());
  for (int64_t i = 0; i < int64_t(chosen.size()); ++i)
    routed[next[chosen[i]]++] = i / topK;

  MoEGrads g;
  g.input = Tensor(dt, input.shape()); // experts and the gate accumulate
  for (const Tensor &w : expertWeights)
    g.expertWeights.push_back(Tensor(dt, w.shape()));
  // d loss / d probs [N, E]: zero for the experts a token did not select.
  std::vector<T> dprobs(size_t(n * experts), T(0));
  const T *dy = gradOutput.defined() ? gradOutput.data<T>() : nullptr;
  T *dx = g.input.data<T>();

  const int64_t perExpert = hasBias ? 4 : 2;
  std::vector<T> xs, pre, hs, dact, ys, dys, dhs, dxs;
  for (int64_t e = 0; e < experts && dy; ++e) {
    const int64_t begin = start[e], rows = start[e + 1] - begin;
    if (rows == 0)
      continue;
    const Tensor *w = &expertWeights[size_t(e * perExpert)];
    Tensor *gw = &g.expertWeights[size_t(e * perExpert)];
    const Tensor &fc1 = w[0], &fc2 = w[hasBias ? 2 : 1];
    const T *b1 = hasBias ? w[1].data<T>() : nullptr;
    const T *b2 = hasBias ? w[3].data<T>() : nullptr;
    const int64_t h = fc1.dim(0);
    xs.resize(size_t(rows * d));
    pre.resize(size_t(rows * h));
    hs.resize(size_t(rows * h));
    dact.resize(size_t(rows * h));
    ys.resize(size_t(rows * d));
    dys.resize(size_t(rows * d));
    dhs.resize(size_t(rows * h));
    dxs.resize(size_t(rows * d));
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(xs.data() + r * d, x + routed[begin + r] * d, sizeof(T) * d);
    linearRows(xs.data(), rows, d, fc1.data<T>(), b1, h, pre.data());
    activateWithDerivative(pre.data(), rows * h, activation, hs.data(),
                           dact.data());
    linearRows(hs.data(), rows, h, fc2.data<T>(), b2, d, ys.data());
    // y[t] += probs[t, e] ys[r]: the expert sees probs[t, e] dY[t], the
    // gate sees dY[t] . ys[r].
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t t = routed[begin + r];
      const T weight = probs[t * experts + e];
      const T *dyt = dy + t * d;
      const T *yr = ys.data() + r * d;
      T *dyr = dys.data() + r * d;
      double dot = 0;
      for (int64_t j = 0; j < d; ++j) {
        dot += double(dyt[j]) * double(yr[j]);
        dyr[j] = weight * dyt[j];
      }
      dprobs[t * experts + e] = T(dot);
    }
    // fc2: dW2 [D, H] = dys^T hs, db2 = sum dys, dhs = dys W2 [rows, H].
    gemm(true, false, d, h, rows, T(1), dys.data(), d, hs.data(), h, T(0),
         gw[hasBias ? 2 : 1].data<T>(), h);
    if (hasBias)
      columnSums(dys.data(), rows, d, gw[3].data<T>());
    gemm(false, false, rows, h, d, T(1), dys.data(), d, fc2.data<T>(), h, T(0),
         dhs.data(), h);
    for (int64_t i = 0; i < rows * h; ++i)
      dhs[i] *= dact[i];
    // fc1: dW1 [H, D] = dhs^T xs, db1 = sum dhs, dxs = dhs W1 [rows, D].
    gemm(true, false, h, d, rows, T(1), dhs.data(), h, xs.data(), d, T(0),
         gw[0].data<T>(), d);
    if (hasBias)
      columnSums(dhs.data(), rows, h, gw[1].data<T>());
    gemm(false, false, rows, d, h, T(1), dhs.data(), h, fc1.data<T>(), d, T(0),
         dxs.data(), d);
    for (int64_t r = 0; r < rows; ++r) {
      T *dxt = dx + routed[begin + r] * d;
      const T *src = dxs.data() + r * d;
      for (int64_t j = 0; j < d; ++j)
        dxt[j] += src[j];
    }
  }

  // aux = E sum_e f_e mean_n probs[n, e]: d aux / d probs[n, e] = E f_e / N
  // (f_e, the top-1 fraction, is piecewise constant).
  if (gradAuxLoss.defined() && n > 0) {
    const double scale = gradAuxLoss.at(0) * double(experts) / double(n);
    std::vector<double> top1(size_t(experts), 0.0);
    for (int64_t t = 0; t < n; ++t)
      top1[chosen[t * topK]] += 1.0 / double(n);
    for (int64_t t = 0; t < n; ++t)
      for (int64_t e = 0; e < experts; ++e)
        dprobs[t * experts + e] += T(scale * top1[e]);
  }

  // Softmax backward to the logits, then logits = x G^T.
  T *dl = logits.data<T>(); // reused for d logits
  for (int64_t t = 0; t < n; ++t) {
    const T *p = probs + t * experts;
    const T *dp = dprobs.data() + t * experts;
    double s = 0;
    for (int64_t e = 0; e < experts; ++e)
      s += double(dp[e]) * double(p[e]);
    for (int64_t e = 0; e < experts; ++e)
      dl[t * experts + e] = p[e] * (dp[e] - T(s));
  }
  gemm(false, false, n, d, experts, T(1), dl, experts, gateWeight.data<T>(), d,
       T(1), dx, d);
  g.gateWeight = Tensor::uninitialized(dt, gateWeight.shape());
  gemm(true, false, experts, d, n, T(1), dl, experts, x, d, T(0),
       g.gateWeight.data<T>(), d);
  return g;
}

} // namespace

MoEGrads kernels::moeBackward(const Tensor &gradOutput,
                              const Tensor &gradAuxLoss, const Tensor &input,
                              const Tensor &gateWeight,
                              const std::vector<Tensor> &expertWeights,
                              int64_t numExperts, int64_t topK,
                              ExpertActivation activation, bool hasBias) {
  const DType dt = input.dtype();
  if (isHalf(dt)) {
    // Computed in f32 as the forward does, gradients cast back.
    std::vector<Tensor> wide;
    for (const Tensor &w : expertWeights)
      wide.push_back(widenHalf(w));
    MoEGrads g = moeBackwardTyped<float>(
        widenHalf(gradOutput), gradAuxLoss, widenHalf(input),
        widenHalf(gateWeight), wide, numExperts, topK, activation, hasBias);
    g.input = cast(g.input, dt);
    g.gateWeight = cast(g.gateWeight, dt);
    for (Tensor &w : g.expertWeights)
      w = cast(w, dt);
    return g;
  }
  return dispatchFloat(dt, "moe_backward", [&](auto tag) {
    return moeBackwardTyped<decltype(tag)>(
        gradOutput, gradAuxLoss, input, gateWeight, expertWeights, numExperts,
        topK, activation, hasBias);
  });
}
