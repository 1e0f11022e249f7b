//===- GradLosses.cpp - Backward of the remaining loss kernels ------------===//
//
// Pointwise losses run one parallel flat loop (pointwiseGrad) in the input's
// precision, like their forward kernels. Losses over class rows (nll,
// probability cross entropy, distillation, InfoNCE) recompute the
// log-softmax of each row in double, as the gradients are differences of
// probabilities that would otherwise lose digits in f32.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/GradMisc.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// The forward's divisor of the summed loss: numel for Mean, dim 0 for
/// BatchMean (1 for a scalar), 1 for Sum.
double lossDivisor(const Tensor &x, Reduction reduction) {
  if (reduction == Reduction::Mean)
    return double(x.numel());
  if (reduction == Reduction::BatchMean)
    return x.rank() == 0 ? 1.0 : double(x.dim(0));
  return 1.0;
}

/// Input and target gradients of a pointwise loss: f(x, y, dx, dy) writes
/// d loss_i / dx_i and d loss_i / dy_i, which are scaled by the element's
/// loss gradient (gradOutput[i] for None, gradOutput / divisor otherwise).
template <class F>
LossGrads pointwiseGrad(const char *name, const Tensor &gy, const Tensor &x,
                        const Tensor &y, Reduction reduction, F f) {
  return dispatchFloat(x.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    LossGrads r{Tensor::uninitialized(x.dtype(), x.shape()),
                Tensor::uninitialized(x.dtype(), x.shape())};
    const T *xd = x.data<T>(), *yd = y.data<T>(), *gd = gy.data<T>();
    T *dx = r.input.data<T>(), *dy = r.target.data<T>();
    const bool perElement = reduction == Reduction::None;
    const T scale =
        perElement ? T(1) : T(double(gd[0]) / lossDivisor(x, reduction));
    parallelFor(0, x.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) {
        T w = perElement ? gd[i] : scale, a, b;
        f(xd[i], yd[i], a, b);
        dx[i] = w * a;
        dy[i] = w * b;
      }
    });
    return r;
  });
}

/// Sizes of a class-loss input [N, C, d...]: N, C and prod(d).
void classDims(const Tensor &x, int64_t &n, int64_t &classes, int64_t &inner) {
  n = x.dim(0);
  classes = x.dim(1);
  inner = numElements(Shape(x.shape().begin() + 2, x.shape().end()));
}

/// logp[c] = log_softmax(scale * x[c * stride])_c over `classes` values, in
/// double.
template <class T>
void logSoftmaxLine(const T *x, int64_t classes, int64_t stride, double scale,
                    double *logp) {
  double m = -std::numeric_limits<double>::infinity();
  for (int64_t c = 0; c < classes; ++c)
    m = std::max(m, scale * double(x[c * stride]));
  double z = 0;
  for (int64_t c = 0; c < classes; ++c)
    z += std::exp(scale * double(x[c * stride]) - m);
  double shift = m + std::log(z);
  for (int64_t c = 0; c < classes; ++c)
    logp[c] = scale * double(x[c * stride]) - shift;
}

template <class T>
Tensor nllBackwardT(const Tensor &gy, const Tensor &x, const Tensor &target,
                    int64_t ignoreIndex, Reduction reduction) {
  std::vector<int64_t> y =
      readIndices(target.reshaped({target.numel()}), "nllLossBackward");
  int64_t N, C, inner;
  classDims(x, N, C, inner);
  int64_t counted = 0;
  for (int64_t v : y)
    counted += v != ignoreIndex;
  Tensor dx(x.dtype(), x.shape());
  const T *gd = gy.data<T>();
  T *o = dx.data<T>();
  const bool perElement = reduction == Reduction::None;
  double scale = perElement ? 1.0 : double(gd[0]);
  if (reduction == Reduction::Mean)
    scale /= double(counted); // 0 counted: NaN, as the forward's 0 / 0
  // Each position writes only its own class column.
  parallelFor(0, N * inner, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t pos = lo; pos < hi; ++pos) {
      int64_t t = y[pos];
      if (t == ignoreIndex)
        continue;
      T *os = o + (pos / inner) * C * inner + pos % inner;
      if (t < 0 || t >= C) {
        for (int64_t c = 0; c < C; ++c)
          os[c * inner] = std::numeric_limits<T>::quiet_NaN();
        continue;
      }
      os[t * inner] = T(-(perElement ? double(gd[pos]) : scale));
    }
  });
  return dx;
}

template <class T>
LossGrads crossEntropyProbsT(const Tensor &gy, const Tensor &x, const Tensor &q,
                             double eps, Reduction reduction) {
  int64_t N, C, inner;
  classDims(x, N, C, inner);
  LossGrads r{Tensor(x.dtype(), x.shape()), Tensor(x.dtype(), x.shape())};
  const T *xd = x.data<T>(), *qd = q.data<T>(), *gd = gy.data<T>();
  T *dx = r.input.data<T>(), *dq = r.target.data<T>();
  const bool perElement = reduction == Reduction::None;
  double scale = perElement ? 1.0 : double(gd[0]);
  if (reduction == Reduction::Mean)
    scale /= double(N * inner);
  const double uniform = C > 0 ? eps / double(C) : 0.0;
  parallelFor(0, N * inner, std::max<int64_t>(1, 1024 / (C + 1)),
              [&](int64_t lo, int64_t hi) {
                std::vector<double> logp(static_cast<size_t>(C));
                for (int64_t pos = lo; pos < hi; ++pos) {
                  int64_t off = (pos / inner) * C * inner + pos % inner;
                  double w = perElement ? double(gd[pos]) : scale;
                  logSoftmaxLine(xd + off, C, inner, 1.0, logp.data());
                  // loss = -sum_c q'_c logp_c, so d/dx_j = sum(q') p_j - q'_j
                  // (targets need not sum to one).
                  double qsum = 0;
                  for (int64_t c = 0; c < C; ++c)
                    qsum += (1.0 - eps) * double(qd[off + c * inner]) + uniform;
                  for (int64_t c = 0; c < C; ++c) {
                    int64_t i = off + c * inner;
                    double qc = (1.0 - eps) * double(qd[i]) + uniform;
                    dx[i] = T(w * (qsum * std::exp(logp[c]) - qc));
                    dq[i] = T(-w * (1.0 - eps) * logp[c]);
                  }
                }
              });
  return r;
}

template <class T>
DistillationGrads distillationT(const Tensor &gy, const Tensor &s,
                                const Tensor &t, const Tensor &target,
                                double temperature, double alpha) {
  const int64_t N = s.dim(0), C = s.dim(1);
  const std::vector<int64_t> y = readIndices(target, "distillationBackward");
  int64_t counted = 0;
  for (int64_t v : y)
    counted += v != -100; // F.cross_entropy's default ignore_index
  const double g = double(gy.data<T>()[0]);
  const double klScale = g * alpha * temperature / double(N);
  const double ceScale = g * (1.0 - alpha) / double(counted);
  DistillationGrads r{Tensor(s.dtype(), s.shape()),
                      Tensor(s.dtype(), s.shape())};
  const T *sd = s.data<T>(), *td = t.data<T>();
  T *ds = r.student.data<T>(), *dt = r.teacher.data<T>();
  parallelFor(
      0, N, std::max<int64_t>(1, 1024 / (C + 1)), [&](int64_t lo, int64_t hi) {
        std::vector<double> ls(static_cast<size_t>(C)),
            lt(static_cast<size_t>(C)), lp(static_cast<size_t>(C));
        for (int64_t i = lo; i < hi; ++i) {
          const T *si = sd + i * C, *ti = td + i * C;
          logSoftmaxLine(si, C, 1, 1.0 / temperature, ls.data());
          logSoftmaxLine(ti, C, 1, 1.0 / temperature, lt.data());
          logSoftmaxLine(si, C, 1, 1.0, lp.data());
          // The forward's xlogy: an underflowed teacher probability adds 0.
          double kl = 0;
          for (int64_t c = 0; c < C; ++c)
            if (std::exp(lt[c]) != 0)
              kl += std::exp(lt[c]) * (lt[c] - ls[c]);
          int64_t label = y[i];
          bool hasCe = label != -100,
               badLabel = hasCe && (label < 0 || label >= C);
          for (int64_t c = 0; c < C; ++c) {
            double pt = std::exp(lt[c]);
            double v = klScale * (std::exp(ls[c]) - pt);
            if (hasCe)
              v += ceScale * (std::exp(lp[c]) - (c == label ? 1.0 : 0.0));
            ds[i * C + c] =
                badLabel ? std::numeric_limits<T>::quiet_NaN() : T(v);
            dt[i * C + c] =
                pt == 0 ? T(0) : T(klScale * pt * (lt[c] - ls[c] - kl));
          }
        }
      });
  return r;
}

/// F.normalize rows of x [n, d] (norm clamped to >= 1e-12) and the
/// unclamped norms.
template <class T>
void normalizeRows(const Tensor &x, std::vector<T> &out,
                   std::vector<double> &norms) {
  const int64_t n = x.dim(0), d = x.dim(1);
  out.assign(x.data<T>(), x.data<T>() + n * d);
  norms.assign(size_t(n), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    T *row = out.data() + i * d;
    double sq = 0;
    for (int64_t j = 0; j < d; ++j)
      sq += double(row[j]) * double(row[j]);
    norms[i] = std::sqrt(sq);
    T inv = T(1.0 / std::max(norms[i], 1e-12));
    for (int64_t j = 0; j < d; ++j)
      row[j] *= inv;
  }
}

/// dx of y = x / max(||x||, 1e-12) given dy, row by row; clamp_min passes
/// the gradient for norm >= 1e-12, as in PyTorch.
template <class T>
Tensor normalizeBackward(const Tensor &x, const std::vector<T> &y,
                         const std::vector<double> &norms,
                         const std::vector<T> &dy) {
  const int64_t n = x.dim(0), d = x.dim(1);
  Tensor dx(x.dtype(), x.shape());
  T *o = dx.data<T>();
  for (int64_t i = 0; i < n; ++i) {
    const T *yi = y.data() + i * d, *gi = dy.data() + i * d;
    if (norms[i] < 1e-12) {
      for (int64_t j = 0; j < d; ++j)
        o[i * d + j] = T(double(gi[j]) / 1e-12);
      continue;
    }
    double dot = 0;
    for (int64_t j = 0; j < d; ++j)
      dot += double(yi[j]) * double(gi[j]);
    for (int64_t j = 0; j < d; ++j)
      o[i * d + j] = T((double(gi[j]) - double(yi[j]) * dot) / norms[i]);
  }
  return dx;
}

template <class T>
InfoNceGrads infoNceT(const Tensor &gy, const Tensor &anchor,
                      const Tensor &positive, double temperature) {
  const int64_t n = anchor.dim(0), d = anchor.dim(1);
  std::vector<T> a, p;
  std::vector<double> na, np;
  normalizeRows(anchor, a, na);
  normalizeRows(positive, p, np);
  const T invTau = T(1.0 / temperature);
  std::vector<T> z(size_t(n * n));
  gemm(false, true, n, n, d, invTau, a.data(), d, p.data(), d, T(0), z.data(),
       n);
  // dZ = dL / n (softmax(Z) - I): row i is the cross entropy against i.
  const double scale = double(gy.data<T>()[0]) / double(n);
  std::vector<double> logp(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    T *row = z.data() + i * n;
    logSoftmaxLine(row, n, 1, 1.0, logp.data());
    for (int64_t j = 0; j < n; ++j)
      row[j] = T(scale * (std::exp(logp[j]) - (i == j ? 1.0 : 0.0)));
  }
  // dA' = dZ P' / tau, dP' = dZ^T A' / tau.
  std::vector<T> da(size_t(n * d)), dp(size_t(n * d));
  gemm(false, false, n, d, n, invTau, z.data(), n, p.data(), d, T(0), da.data(),
       d);
  gemm(true, false, n, d, n, invTau, z.data(), n, a.data(), d, T(0), dp.data(),
       d);
  return {normalizeBackward(anchor, a, na, da),
          normalizeBackward(positive, p, np, dp)};
}

} // namespace

Tensor kernels::nllLossBackward(const Tensor &gy, const Tensor &x,
                                const Tensor &target, int64_t ignoreIndex,
                                Reduction reduction) {
  return dispatchFloat(x.dtype(), "nllLossBackward", [&](auto tag) {
    return nllBackwardT<decltype(tag)>(gy, x, target, ignoreIndex, reduction);
  });
}

LossGrads kernels::l1LossBackward(const Tensor &gy, const Tensor &x,
                                  const Tensor &y, Reduction reduction) {
  return pointwiseGrad("l1LossBackward", gy, x, y, reduction,
                       [](auto xv, auto yv, auto &dx, auto &dy) {
                         using T = std::decay_t<decltype(xv)>;
                         T d = xv - yv;
                         dx = d > T(0) ? T(1) : d < T(0) ? T(-1) : T(0);
                         dy = -dx;
                       });
}

LossGrads kernels::bceLossBackward(const Tensor &gy, const Tensor &x,
                                   const Tensor &y, Reduction reduction) {
  return pointwiseGrad("bceLossBackward", gy, x, y, reduction,
                       [](auto xv, auto yv, auto &dx, auto &dy) {
                         using T = std::decay_t<decltype(xv)>;
                         // PyTorch's EPSILON keeps the input gradient finite at
                         // 0 and 1.
                         dx = (xv - yv) / std::max((T(1) - xv) * xv, T(1e-12));
                         dy = std::log(T(1) - xv) - std::log(xv); // -logit(x)
                       });
}

LossGrads kernels::bceWithLogitsLossBackward(const Tensor &gy, const Tensor &x,
                                             const Tensor &y,
                                             Reduction reduction) {
  return pointwiseGrad("bceWithLogitsLossBackward", gy, x, y, reduction,
                       [](auto xv, auto yv, auto &dx, auto &dy) {
                         using T = std::decay_t<decltype(xv)>;
                         dx = T(1) / (T(1) + std::exp(-xv)) - yv;
                         dy = -xv;
                       });
}

LossGrads kernels::klDivLossBackward(const Tensor &gy, const Tensor &x,
                                     const Tensor &t, Reduction reduction,
                                     bool logTarget) {
  if (logTarget)
    return pointwiseGrad("klDivLossBackward", gy, x, t, reduction,
                         [](auto xv, auto tv, auto &dx, auto &dt) {
                           using T = std::decay_t<decltype(xv)>;
                           T e = std::exp(tv);
                           dx = -e;
                           dt = e * (tv - xv + T(1));
                         });
  return pointwiseGrad("klDivLossBackward", gy, x, t, reduction,
                       [](auto xv, auto tv, auto &dx, auto &dt) {
                         using T = std::decay_t<decltype(xv)>;
                         dx = -tv;
                         // PyTorch 1.13 differentiates xlogy(t, t) as log(t) +
                         // t / t, which is NaN at t == 0 (the true derivative
                         // is unbounded there).
                         dt = tv == T(0) ? std::numeric_limits<T>::quiet_NaN()
                                         : std::log(tv) + T(1) - xv;
                       });
}

LossGrads kernels::crossEntropyProbsBackward(const Tensor &gy, const Tensor &x,
                                             const Tensor &target,
                                             double labelSmoothing,
                                             Reduction reduction) {
  return dispatchFloat(x.dtype(), "crossEntropyProbsBackward", [&](auto tag) {
    return crossEntropyProbsT<decltype(tag)>(gy, x, target, labelSmoothing,
                                             reduction);
  });
}

DistillationGrads
kernels::distillationLossBackward(const Tensor &gy, const Tensor &student,
                                  const Tensor &teacher, const Tensor &target,
                                  double temperature, double alpha) {
  return dispatchFloat(student.dtype(), "distillationLossBackward",
                       [&](auto tag) {
                         return distillationT<decltype(tag)>(
                             gy, student, teacher, target, temperature, alpha);
                       });
}

InfoNceGrads kernels::infoNceLossBackward(const Tensor &gy,
                                          const Tensor &anchor,
                                          const Tensor &positive,
                                          double temperature) {
  return dispatchFloat(anchor.dtype(), "infoNceLossBackward", [&](auto tag) {
    return infoNceT<decltype(tag)>(gy, anchor, positive, temperature);
  });
}
