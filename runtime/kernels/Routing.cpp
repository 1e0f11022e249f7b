//===- Routing.cpp - Mixture-of-experts forward kernel --------------------===//

#include "runtime/kernels/Routing.h"

#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"
#include "runtime/kernels/RoutingUtil.h"

#include <cmath>
#include <cstring>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

/// Applies the expert activation in place.
template <class T>
static void activate(T *x, int64_t n, ExpertActivation activation) {
  switch (activation) {
  case ExpertActivation::ReLU:
    for (int64_t i = 0; i < n; ++i)
      x[i] = x[i] > T(0) ? x[i] : T(0);
    return;
  case ExpertActivation::GELU: // exact (erf) form, F.gelu's default
    for (int64_t i = 0; i < n; ++i)
      x[i] = T(0.5) * x[i] * (T(1) + std::erf(x[i] * T(M_SQRT1_2)));
    return;
  case ExpertActivation::SiLU:
    for (int64_t i = 0; i < n; ++i)
      x[i] = x[i] / (T(1) + std::exp(-x[i]));
    return;
  }
}

template <class T>
static MoEResult moeTyped(const Tensor &input, const Tensor &gateWeight,
                          const std::vector<Tensor> &expertWeights,
                          int64_t experts, int64_t topK,
                          ExpertActivation activation, bool hasBias) {
  const int64_t d = input.dim(-1);
  // Tokens are the leading dims (counted directly so that D = 0 works).
  const int64_t n =
      numElements(Shape(input.shape().begin(), input.shape().end() - 1));
  const T *x = input.data<T>();

  // Gate probabilities [N, E].
  Tensor logits(input.dtype(), {n, experts});
  gemm(false, true, n, experts, d, T(1), x, d, gateWeight.data<T>(), d, T(0),
       logits.data<T>(), experts);
  const Tensor probTensor = softmax(logits, -1);
  const T *probs = probTensor.data<T>();

  // Bucket the routed tokens by expert (counting sort keeps token order).
  const std::vector<int64_t> chosen = topExperts(probs, n, experts, topK);
  std::vector<int64_t> start(size_t(experts) + 1, 0);
  for (int64_t e : chosen)
    ++start[e + 1];
  for (int64_t e = 0; e < experts; ++e)
    start[e + 1] += start[e];
  std::vector<int64_t> routed(chosen.size()), next(start.begin(), start.end());
  for (int64_t i = 0; i < int64_t(chosen.size()); ++i)
    routed[next[chosen[i]]++] = i / topK;

  MoEResult result{Tensor(input.dtype(), input.shape()), Tensor::scalar(0)};
  T *y = result.output.data<T>();
  const int64_t perExpert = hasBias ? 4 : 2;
  std::vector<T> xs, hs, ys;
  for (int64_t e = 0; e < experts; ++e) {
    const int64_t begin = start[e], rows = start[e + 1] - begin;
    if (rows == 0)
      continue;
    const Tensor *w = &expertWeights[size_t(e * perExpert)];
    const Tensor &fc1 = w[0], &fc2 = w[hasBias ? 2 : 1];
    const T *b1 = hasBias ? w[1].data<T>() : nullptr;
    const T *b2 = hasBias ? w[3].data<T>() : nullptr;
    const int64_t h = fc1.dim(0);
    xs.resize(size_t(rows * d));
    hs.resize(size_t(rows * h));
    ys.resize(size_t(rows * d));
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(xs.data() + r * d, x + routed[begin + r] * d, sizeof(T) * d);
    linearRows(xs.data(), rows, d, fc1.data<T>(), b1, h, hs.data());
    activate(hs.data(), rows * h, activation);
    linearRows(hs.data(), rows, h, fc2.data<T>(), b2, d, ys.data());
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t t = routed[begin + r];
      const T weight = probs[t * experts + e];
      T *yt = y + t * d;
      const T *src = ys.data() + r * d;
      for (int64_t j = 0; j < d; ++j)
        yt[j] += weight * src[j];
    }
  }

  // Switch load balancing: E * sum_e (top-1 fraction) * (mean probability).
  std::vector<double> top1(size_t(experts), 0.0), mass(size_t(experts), 0.0);
  for (int64_t t = 0; t < n; ++t) {
    top1[chosen[t * topK]] += 1.0;
    for (int64_t e = 0; e < experts; ++e)
      mass[e] += double(probs[t * experts + e]);
  }
  double aux = 0.0;
  for (int64_t e = 0; e < experts; ++e)
    aux += (top1[e] / double(n)) * (mass[e] / double(n));
  result.auxLoss.data<float>()[0] = float(double(experts) * aux);
  return result;
}

MoEResult kernels::moe(const Tensor &input, const Tensor &gateWeight,
                       const std::vector<Tensor> &expertWeights,
                       int64_t numExperts, int64_t topK,
                       ExpertActivation activation, bool hasBias) {
  const DType dtype = input.dtype();
  if (isHalf(dtype)) {
    std::vector<Tensor> wide;
    for (const Tensor &w : expertWeights)
      wide.push_back(widenHalf(w));
    MoEResult r = moeTyped<float>(widenHalf(input), widenHalf(gateWeight), wide,
                                  numExperts, topK, activation, hasBias);
    return {cast(r.output, dtype), r.auxLoss};
  }
  return dispatchFloat(dtype, "moe", [&](auto tag) {
    return moeTyped<decltype(tag)>(input, gateWeight, expertWeights, numExperts,
                                   topK, activation, hasBias);
  });
}
