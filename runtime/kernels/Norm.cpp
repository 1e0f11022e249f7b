//===- Norm.cpp - Batch, layer and group normalisation --------------------===//
//
// Batch and group norm reduce to per-(n, c)-plane affine maps y = a * x + b
// once the statistics are known, so both finish with affinePlanes (training
// batch norm applies the map per channel right after its statistics, while
// the channel is in cache). Variances are two-pass (mean first) in double:
// one-pass formulas lose precision on inputs with a large mean.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Norm.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"

#include <cmath>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Product of dims [from, rank).
int64_t trailingSize(const Tensor &x, int64_t from) {
  int64_t n = 1;
  for (int64_t d = from; d < x.rank(); ++d)
    n *= x.dim(d);
  return n;
}

/// y[p, i] = scale[p] * x[p, i] + shift[p] over `planes` planes of `inner`.
template <class T>
void affinePlanes(const T *x, T *y, int64_t planes, int64_t inner,
                  const std::vector<double> &scale,
                  const std::vector<double> &shift) {
  parallelFor(0, planes, std::max<int64_t>(1, kElementwiseGrain / (inner + 1)),
              [&](int64_t lo, int64_t hi) {
                for (int64_t p = lo; p < hi; ++p) {
                  T a = T(scale[p]), b = T(shift[p]);
                  const T *xs = x + p * inner;
                  T *ys = y + p * inner;
                  for (int64_t i = 0; i < inner; ++i)
                    ys[i] = a * xs[i] + b;
                }
              });
}

/// Reads an optional per-channel parameter as double (`fallback` if absent).
template <class T>
std::vector<double> channelValues(const Tensor &t, int64_t n, double fallback) {
  std::vector<double> v(n, fallback);
  if (t.defined())
    for (int64_t i = 0; i < n; ++i)
      v[i] = double(t.data<T>()[i]);
  return v;
}

/// Applies per-channel (mean, invStd) and the affine parameters to x
/// [N, C, inner].
template <class T>
Tensor normalizeChannels(const Tensor &x, const std::vector<double> &mean,
                         const std::vector<double> &invStd,
                         const Tensor &weight, const Tensor &bias) {
  int64_t N = x.dim(0), C = x.dim(1), inner = trailingSize(x, 2);
  std::vector<double> w = channelValues<T>(weight, C, 1.0);
  std::vector<double> b = channelValues<T>(bias, C, 0.0);
  std::vector<double> scale(N * C), shift(N * C);
  for (int64_t p = 0; p < N * C; ++p) {
    int64_t c = p % C;
    scale[p] = w[c] * invStd[c];
    shift[p] = b[c] - mean[c] * scale[p];
  }
  Tensor y = Tensor::uninitialized(x.dtype(), x.shape()); // all written
  affinePlanes(x.data<T>(), y.data<T>(), N * C, inner, scale, shift);
  return y;
}

template <class T>
BatchNormTrainResult batchNormTrainTyped(const Tensor &x, const Tensor &weight,
                                         const Tensor &bias, const Tensor &rm,
                                         const Tensor &rv, double momentum,
                                         double eps) {
  int64_t N = x.dim(0), C = x.dim(1), inner = trailingSize(x, 2);
  int64_t count = N * inner;
  const T *xd = x.data<T>();
  std::vector<double> mean(C, 0.0), var(C, 0.0), invStd(C);
  std::vector<double> w = channelValues<T>(weight, C, 1.0);
  std::vector<double> b = channelValues<T>(bias, C, 0.0);
  BatchNormTrainResult r;
  r.output = Tensor::uninitialized(x.dtype(), x.shape()); // all written
  T *yd = r.output.data<T>();
  // Statistics and output per channel: the channel's planes are still in
  // cache for the normalising pass (as normalizeChannels would compute).
  parallelFor(0, C, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; ++c) {
      double s = 0;
      for (int64_t n = 0; n < N; ++n)
        s += laneSum(xd + (n * C + c) * inner, inner);
      mean[c] = count > 0 ? s / double(count) : 0.0;
      double q = 0;
      for (int64_t n = 0; n < N; ++n)
        q += laneSquaredDeviation(xd + (n * C + c) * inner, inner, mean[c]);
      var[c] = count > 0 ? q / double(count) : 0.0;
      invStd[c] = 1.0 / std::sqrt(var[c] + eps);
      double scale = w[c] * invStd[c];
      T a = T(scale), sh = T(b[c] - mean[c] * scale);
      for (int64_t n = 0; n < N; ++n) {
        const T *xs = xd + (n * C + c) * inner;
        T *ys = yd + (n * C + c) * inner;
        for (int64_t i = 0; i < inner; ++i)
          ys[i] = a * xs[i] + sh;
      }
    }
  });

  r.mean = Tensor(x.dtype(), {C});
  r.invStd = Tensor(x.dtype(), {C});
  for (int64_t c = 0; c < C; ++c) {
    r.mean.data<T>()[c] = T(mean[c]);
    r.invStd.data<T>()[c] = T(invStd[c]);
  }
  // Absent running statistics (F.batch_norm with None) stay absent.
  double unbias = count > 1 ? double(count) / double(count - 1) : 1.0;
  if (rm.defined()) {
    r.runningMean = Tensor(rm.dtype(), rm.shape());
    for (int64_t c = 0; c < C; ++c)
      r.runningMean.data<T>()[c] =
          T((1 - momentum) * double(rm.data<T>()[c]) + momentum * mean[c]);
  }
  if (rv.defined()) {
    r.runningVar = Tensor(rv.dtype(), rv.shape());
    for (int64_t c = 0; c < C; ++c)
      r.runningVar.data<T>()[c] = T((1 - momentum) * double(rv.data<T>()[c]) +
                                    momentum * var[c] * unbias);
  }
  return r;
}

template <class T>
Tensor layerNormTyped(const Tensor &x, const Tensor &weight, const Tensor &bias,
                      int64_t D, double eps) {
  Tensor y(x.dtype(), x.shape());
  int64_t rows = D == 0 ? 0 : x.numel() / D;
  const T *xd = x.data<T>();
  const T *w = weight.defined() ? weight.data<T>() : nullptr;
  const T *b = bias.defined() ? bias.data<T>() : nullptr;
  T *yd = y.data<T>();
  parallelFor(0, rows, std::max<int64_t>(1, 8192 / (D + 1)),
              [&](int64_t lo, int64_t hi) {
                for (int64_t r = lo; r < hi; ++r) {
                  const T *xs = xd + r * D;
                  T *ys = yd + r * D;
                  double mean = laneSum(xs, D) / double(D);
                  double var = laneSquaredDeviation(xs, D, mean) / double(D);
                  T rstd = T(1.0 / std::sqrt(var + eps)), m = T(mean);
                  for (int64_t i = 0; i < D; ++i) {
                    T v = (xs[i] - m) * rstd;
                    if (w)
                      v *= w[i];
                    if (b)
                      v += b[i];
                    ys[i] = v;
                  }
                }
              });
  return y;
}

template <class T>
Tensor groupNormTyped(const Tensor &x, const Tensor &weight, const Tensor &bias,
                      int64_t G, double eps) {
  int64_t N = x.dim(0), C = x.dim(1), inner = trailingSize(x, 2);
  int64_t perGroup = C / G, block = perGroup * inner;
  const T *xd = x.data<T>();
  std::vector<double> w = channelValues<T>(weight, C, 1.0);
  std::vector<double> b = channelValues<T>(bias, C, 0.0);
  std::vector<double> scale(N * C), shift(N * C);
  // Channels of one group are adjacent, so each (n, g) block is contiguous.
  parallelFor(0, N * G, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const T *xs = xd + t * block;
      double mean = block > 0 ? laneSum(xs, block) / double(block) : 0.0;
      double var = block > 0
                       ? laneSquaredDeviation(xs, block, mean) / double(block)
                       : 0.0;
      double rstd = 1.0 / std::sqrt(var + eps);
      for (int64_t j = 0; j < perGroup; ++j) {
        int64_t c = (t % G) * perGroup + j, p = (t / G) * C + c;
        scale[p] = w[c] * rstd;
        shift[p] = b[c] - mean * scale[p];
      }
    }
  });
  Tensor y(x.dtype(), x.shape());
  affinePlanes(xd, y.data<T>(), N * C, inner, scale, shift);
  return y;
}

} // namespace

Tensor kernels::batchNorm(const Tensor &x, const Tensor &weight,
                          const Tensor &bias, const Tensor &runningMean,
                          const Tensor &runningVar, double epsilon) {
  if (isHalf(x.dtype()))
    return cast(batchNorm(widenHalf(x), widenHalf(weight), widenHalf(bias),
                          widenHalf(runningMean), widenHalf(runningVar),
                          epsilon),
                x.dtype());
  return dispatchFloat(x.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    int64_t C = x.dim(1);
    std::vector<double> mean = channelValues<T>(runningMean, C, 0.0);
    std::vector<double> invStd = channelValues<T>(runningVar, C, 1.0);
    for (double &v : invStd)
      v = 1.0 / std::sqrt(v + epsilon);
    return normalizeChannels<T>(x, mean, invStd, weight, bias);
  });
}

BatchNormTrainResult kernels::batchNormTrain(const Tensor &x,
                                             const Tensor &weight,
                                             const Tensor &bias,
                                             const Tensor &runningMean,
                                             const Tensor &runningVar,
                                             double momentum, double epsilon) {
  if (isHalf(x.dtype())) {
    BatchNormTrainResult r = batchNormTrain(
        widenHalf(x), widenHalf(weight), widenHalf(bias),
        widenHalf(runningMean), widenHalf(runningVar), momentum, epsilon);
    for (Tensor *t :
         {&r.output, &r.runningMean, &r.runningVar, &r.mean, &r.invStd})
      if (t->defined())
        *t = cast(*t, x.dtype());
    return r;
  }
  return dispatchFloat(x.dtype(), "batch_norm", [&](auto tag) {
    return batchNormTrainTyped<decltype(tag)>(x, weight, bias, runningMean,
                                              runningVar, momentum, epsilon);
  });
}

Tensor kernels::layerNorm(const Tensor &x, const Tensor &weight,
                          const Tensor &bias,
                          const std::vector<int64_t> &normalizedShape,
                          double epsilon) {
  if (isHalf(x.dtype()))
    return cast(layerNorm(widenHalf(x), widenHalf(weight), widenHalf(bias),
                          normalizedShape, epsilon),
                x.dtype());
  int64_t D = numElements(normalizedShape);
  return dispatchFloat(x.dtype(), "layer_norm", [&](auto tag) {
    return layerNormTyped<decltype(tag)>(x, weight, bias, D, epsilon);
  });
}

Tensor kernels::groupNorm(const Tensor &x, const Tensor &weight,
                          const Tensor &bias, int64_t numGroups,
                          double epsilon) {
  if (isHalf(x.dtype()))
    return cast(groupNorm(widenHalf(x), widenHalf(weight), widenHalf(bias),
                          numGroups, epsilon),
                x.dtype());
  return dispatchFloat(x.dtype(), "group_norm", [&](auto tag) {
    return groupNormTyped<decltype(tag)>(x, weight, bias, numGroups, epsilon);
  });
}
