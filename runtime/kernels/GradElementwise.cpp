//===- GradElementwise.cpp - Backward of activations, softmax, losses -----===//
//
// Pointwise gradients run as one parallel flat loop (mapGrad); softmax-like
// gradients reduce along the axis per (outer, inner) line.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Grad.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/KernelUtil.h"

#include <cmath>
#include <limits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// out[i] = f(g[i], v[i]) over two same-shaped tensors, in parallel.
template <class F>
Tensor mapGrad(const char *name, const Tensor &g, const Tensor &v, F f) {
  return dispatchFloat(g.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    Tensor out = Tensor::uninitialized(g.dtype(), g.shape()); // all written
    const T *gd = g.data<T>(), *vd = v.data<T>();
    T *o = out.data<T>();
    parallelFor(0, g.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        o[i] = f(gd[i], vd[i]);
    });
    return out;
  });
}

/// Splits a shape around `axis` into (outer, axis size, inner).
void splitAxis(const Shape &s, int64_t axis, int64_t &outer, int64_t &n,
               int64_t &inner) {
  axis = normalizeAxis(axis, s.size());
  outer = inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= s[d];
  n = s[axis];
  for (size_t d = axis + 1; d < s.size(); ++d)
    inner *= s[d];
}

/// dx along each axis line: dx_i = combine(g_i, y_i, sum_j term(g_j, y_j)).
template <class Term, class Combine>
Tensor axisGrad(const char *name, const Tensor &g, const Tensor &y,
                int64_t axis, Term term, Combine combine) {
  int64_t outer, n, inner;
  splitAxis(y.shape(), axis, outer, n, inner);
  return dispatchFloat(g.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    Tensor out(g.dtype(), g.shape());
    const T *gd = g.data<T>(), *yd = y.data<T>();
    T *o = out.data<T>();
    parallelFor(0, outer * inner, std::max<int64_t>(1, 4096 / (n + 1)),
                [&](int64_t lo, int64_t hi) {
                  for (int64_t line = lo; line < hi; ++line) {
                    int64_t base = (line / inner) * n * inner + line % inner;
                    double s = 0;
                    for (int64_t j = 0; j < n; ++j)
                      s += double(
                          term(gd[base + j * inner], yd[base + j * inner]));
                    for (int64_t j = 0; j < n; ++j) {
                      int64_t i = base + j * inner;
                      o[i] = combine(gd[i], yd[i], T(s));
                    }
                  }
                });
    return out;
  });
}

} // namespace

Tensor kernels::reluBackward(const Tensor &g, const Tensor &x) {
  return mapGrad("reluBackward", g, x, [](auto gv, auto xv) {
    return xv > 0 ? gv : decltype(gv)(0);
  });
}

Tensor kernels::geluBackward(const Tensor &g, const Tensor &x,
                             bool tanhApproximation) {
  if (tanhApproximation)
    return mapGrad("geluBackward", g, x, [](auto gv, auto xv) {
      using T = decltype(gv);
      // y = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)
      const T k = T(0.7978845608028654), c = T(0.044715);
      T u = k * (xv + c * xv * xv * xv);
      T t = std::tanh(u);
      T du = k * (T(1) + T(3) * c * xv * xv);
      return gv * (T(0.5) * (T(1) + t) + T(0.5) * xv * (T(1) - t * t) * du);
    });
  return mapGrad("geluBackward", g, x, [](auto gv, auto xv) {
    using T = decltype(gv);
    // d/dx x Phi(x) = Phi(x) + x phi(x)
    T cdf = T(0.5) * (T(1) + std::erf(xv * T(0.7071067811865476)));
    T pdf = T(0.3989422804014327) * std::exp(T(-0.5) * xv * xv);
    return gv * (cdf + xv * pdf);
  });
}

Tensor kernels::sigmoidBackward(const Tensor &g, const Tensor &y) {
  return mapGrad("sigmoidBackward", g, y, [](auto gv, auto yv) {
    return gv * yv * (decltype(gv)(1) - yv);
  });
}

Tensor kernels::tanhBackward(const Tensor &g, const Tensor &y) {
  return mapGrad("tanhBackward", g, y, [](auto gv, auto yv) {
    return gv * (decltype(gv)(1) - yv * yv);
  });
}

Tensor kernels::softmaxBackward(const Tensor &g, const Tensor &y,
                                int64_t axis) {
  return axisGrad(
      "softmaxBackward", g, y, axis, [](auto gv, auto yv) { return gv * yv; },
      [](auto gv, auto yv, auto s) { return yv * (gv - s); });
}

Tensor kernels::logSoftmaxBackward(const Tensor &g, const Tensor &y,
                                   int64_t axis) {
  return axisGrad(
      "logSoftmaxBackward", g, y, axis, [](auto gv, auto) { return gv; },
      [](auto gv, auto yv, auto s) { return gv - std::exp(yv) * s; });
}

Tensor kernels::dropoutBackward(const Tensor &g, double p, bool spatial,
                                uint64_t seed, uint64_t stream) {
  // The mask depends only on (seed, stream, unit index), so dropping the
  // gradient with the forward's arguments applies exactly its mask and scale.
  return dropout(g, p, spatial, /*training=*/true, seed, stream).clone();
}

Tensor kernels::crossEntropyBackward(const Tensor &gy, const Tensor &x,
                                     const Tensor &target, double eps,
                                     int64_t ignoreIndex, Reduction reduction) {
  std::vector<int64_t> y =
      readIndices(target.reshaped({target.numel()}), "crossEntropyBackward");
  int64_t N = x.dim(0), C = x.dim(1);
  int64_t inner = N > 0 && C > 0 ? x.numel() / (N * C) : 0;
  int64_t counted = 0;
  for (int64_t v : y)
    counted += v != ignoreIndex;
  return dispatchFloat(x.dtype(), "crossEntropyBackward", [&](auto tag) {
    using T = decltype(tag);
    Tensor dx(x.dtype(), x.shape());
    const T *xd = x.data<T>(), *gd = gy.data<T>();
    T *o = dx.data<T>();
    double scale = reduction == Reduction::None ? 1.0 : double(gd[0]);
    if (reduction == Reduction::Mean)
      scale /= double(counted); // 0 counted: NaN, as the forward's 0 / 0
    parallelFor(0, N * inner, std::max<int64_t>(1, 1024 / (C + 1)),
                [&](int64_t lo, int64_t hi) {
                  for (int64_t pos = lo; pos < hi; ++pos) {
                    int64_t n = pos / inner, s = pos % inner;
                    int64_t t = y[pos];
                    const T *xs = xd + n * C * inner + s;
                    T *os = o + n * C * inner + s;
                    if (t == ignoreIndex)
                      continue;
                    double w =
                        reduction == Reduction::None ? double(gd[pos]) : scale;
                    if (t < 0 || t >= C) {
                      for (int64_t c = 0; c < C; ++c)
                        os[c * inner] = std::numeric_limits<T>::quiet_NaN();
                      continue;
                    }
                    double m = -std::numeric_limits<double>::infinity();
                    for (int64_t c = 0; c < C; ++c)
                      m = std::max(m, double(xs[c * inner]));
                    double z = 0;
                    for (int64_t c = 0; c < C; ++c)
                      z += std::exp(double(xs[c * inner]) - m);
                    for (int64_t c = 0; c < C; ++c) {
                      double p = std::exp(double(xs[c * inner]) - m) / z;
                      double q = eps / double(C) + (c == t ? 1.0 - eps : 0.0);
                      os[c * inner] = T(w * (p - q));
                    }
                  }
                });
    return dx;
  });
}

Tensor kernels::mseLossBackward(const Tensor &gy, const Tensor &x,
                                const Tensor &target, Reduction reduction) {
  return dispatchFloat(x.dtype(), "mseLossBackward", [&](auto tag) {
    using T = decltype(tag);
    Tensor dx(x.dtype(), x.shape());
    const T *xd = x.data<T>(), *yd = target.data<T>(), *gd = gy.data<T>();
    T *o = dx.data<T>();
    bool perElement = reduction == Reduction::None;
    T scale = perElement ? T(2) : T(2) * gd[0];
    if (reduction == Reduction::Mean)
      scale /= T(x.numel());
    parallelFor(0, x.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        o[i] = (perElement ? scale * gd[i] : scale) * (xd[i] - yd[i]);
    });
    return dx;
  });
}
