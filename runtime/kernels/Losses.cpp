//===- Losses.cpp - Loss function forward kernels -------------------------===//
//
// Per-element losses are computed in the input's precision like PyTorch;
// reductions accumulate in double so that large batches do not drift.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Losses.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

std::optional<Reduction> kernels::parseReduction(std::string_view name) {
  if (name == "none")
    return Reduction::None;
  if (name == "mean")
    return Reduction::Mean;
  if (name == "sum")
    return Reduction::Sum;
  if (name == "batchmean")
    return Reduction::BatchMean;
  return std::nullopt;
}

/// Runs `typed(T())` for f32/f64 and the f32 path for f16/bf16 (inputs
/// widened by the callee), casting the loss back to `dtype`.
template <class Typed>
static Tensor dispatchLoss(DType dtype, const char *kernel, Typed typed) {
  if (isHalf(dtype))
    return cast(typed(float()), dtype);
  return dispatchFloat(dtype, kernel, typed);
}

/// Reduces per-element losses: None keeps them, Sum adds them, Mean and
/// BatchMean divide the sum by `divisor`.
template <class T>
static Tensor reduceLoss(Tensor elementwise, Reduction reduction,
                         double divisor) {
  if (reduction == Reduction::None)
    return elementwise;
  double sum = laneSum(elementwise.data<T>(), elementwise.numel());
  if (reduction != Reduction::Sum)
    sum /= divisor;
  Tensor out(elementwise.dtype(), {});
  out.data<T>()[0] = T(sum);
  return out;
}

/// Log-softmax over the classes of one sample x [C, S] (classes strided by
/// S) into logp [C, S]; `scale` multiplies the logits first. `work` holds
/// 2 * S values.
template <class T>
static void logSoftmaxClasses(const T *x, int64_t classes, int64_t s, T scale,
                              T *logp, T *work) {
  if (s == 1) { // one contiguous row, the common [N, C] case
    // Independent lanes let the max and the sum vectorise without
    // reassociation flags.
    constexpr int64_t L = 8;
    T lanes[L], max = -std::numeric_limits<T>::infinity();
    std::fill(lanes, lanes + L, max);
    int64_t c = 0;
    for (; c + L <= classes; c += L)
      for (int64_t l = 0; l < L; ++l)
        lanes[l] = std::max(lanes[l], x[c + l] * scale);
    for (; c < classes; ++c)
      max = std::max(max, x[c] * scale);
    for (int64_t l = 0; l < L; ++l)
      max = std::max(max, lanes[l]);
    for (c = 0; c < classes; ++c)
      logp[c] = x[c] * scale - max;
    T sums[L] = {}, total = 0;
    for (c = 0; c + L <= classes; c += L)
      for (int64_t l = 0; l < L; ++l)
        sums[l] += std::exp(logp[c + l]);
    for (; c < classes; ++c)
      total += std::exp(logp[c]);
    for (int64_t l = 0; l < L; ++l)
      total += sums[l];
    const T shift = std::log(total);
    for (c = 0; c < classes; ++c)
      logp[c] -= shift;
    return;
  }
  T *max = work, *sum = work + s;
  std::fill(max, max + s, -std::numeric_limits<T>::infinity());
  std::fill(sum, sum + s, T(0));
  for (int64_t c = 0; c < classes; ++c)
    for (int64_t j = 0; j < s; ++j)
      max[j] = std::max(max[j], x[c * s + j] * scale);
  for (int64_t c = 0; c < classes; ++c)
    for (int64_t j = 0; j < s; ++j)
      sum[j] += std::exp(x[c * s + j] * scale - max[j]);
  for (int64_t j = 0; j < s; ++j)
    sum[j] = max[j] + std::log(sum[j]);
  for (int64_t c = 0; c < classes; ++c)
    for (int64_t j = 0; j < s; ++j)
      logp[c * s + j] = x[c * s + j] * scale - sum[j];
}

/// Cross entropy (`logits`) or NLL over [N, C, d...] with class indices or
/// (cross entropy only) probabilities.
template <class T>
static Tensor classLoss(const Tensor &input, const Tensor &target,
                        double smoothing, int64_t ignoreIndex,
                        Reduction reduction, bool logits) {
  const int64_t n = input.dim(0), classes = input.dim(1);
  const Shape tail(input.shape().begin() + 2, input.shape().end());
  const int64_t s = numElements(tail);
  Shape lossShape = {n};
  lossShape.insert(lossShape.end(), tail.begin(), tail.end());
  Tensor loss(input.dtype(), lossShape);
  const bool probabilities = isFloating(target.dtype());
  std::vector<int64_t> labels;
  if (!probabilities)
    labels = readIndices(target, logits ? "cross_entropy" : "nll_loss");
  const T eps = T(smoothing);
  const T uniform = classes > 0 ? eps / T(classes) : T(0);

  std::vector<uint8_t> counted(size_t(n * s), 0);
  parallelFor(0, n, 1, [&](int64_t lo, int64_t hi) {
    std::vector<T> logp(size_t(classes * s)), work(size_t(3 * s));
    for (int64_t i = lo; i < hi; ++i) {
      const T *x = input.data<T>() + i * classes * s;
      const T *lp = x;
      if (logits) {
        logSoftmaxClasses(x, classes, s, T(1), logp.data(), work.data());
        lp = logp.data();
      }
      T *out = loss.data<T>() + i * s;
      if (probabilities) {
        const T *q = target.data<T>() + i * classes * s;
        std::fill(out, out + s, T(0));
        for (int64_t c = 0; c < classes; ++c)
          for (int64_t j = 0; j < s; ++j)
            out[j] -= ((T(1) - eps) * q[c * s + j] + uniform) * lp[c * s + j];
        continue;
      }
      // The smoothing term needs -sum_c logp_c per position.
      T *smooth = work.data() + 2 * s;
      std::fill(smooth, smooth + s, T(0));
      if (eps > T(0) && s == 1)
        smooth[0] = -T(laneSum(lp, classes));
      else if (eps > T(0))
        for (int64_t c = 0; c < classes; ++c)
          for (int64_t j = 0; j < s; ++j)
            smooth[j] -= lp[c * s + j];
      for (int64_t j = 0; j < s; ++j) {
        const int64_t y = labels[i * s + j];
        if (y == ignoreIndex) {
          out[j] = T(0);
          continue;
        }
        counted[i * s + j] = 1;
        out[j] = y < 0 || y >= classes
                     ? std::numeric_limits<T>::quiet_NaN()
                     : -(T(1) - eps) * lp[y * s + j] + uniform * smooth[j];
      }
    }
  });

  double divisor = double(n * s);
  if (!probabilities)
    divisor = double(std::count(counted.begin(), counted.end(), 1));
  return reduceLoss<T>(loss, reduction, divisor);
}

Tensor kernels::crossEntropy(const Tensor &input, const Tensor &target,
                             double labelSmoothing, int64_t ignoreIndex,
                             Reduction reduction) {
  return dispatchLoss(input.dtype(), "cross_entropy", [&](auto tag) {
    return classLoss<decltype(tag)>(widenHalf(input), widenHalf(target),
                                    labelSmoothing, ignoreIndex, reduction,
                                    /*logits=*/true);
  });
}

Tensor kernels::nllLoss(const Tensor &input, const Tensor &target,
                        int64_t ignoreIndex, Reduction reduction) {
  return dispatchLoss(input.dtype(), "nll_loss", [&](auto tag) {
    return classLoss<decltype(tag)>(widenHalf(input), target, 0.0, ignoreIndex,
                                    reduction, /*logits=*/false);
  });
}

/// Applies loss(x, y) elementwise, then reduces (Mean over all elements,
/// BatchMean over dim 0).
template <class Fn>
static Tensor pointwiseLoss(const Tensor &input, const Tensor &target,
                            Reduction reduction, const char *kernel, Fn loss) {
  return dispatchLoss(input.dtype(), kernel, [&](auto tag) {
    using T = decltype(tag);
    const Tensor x = widenHalf(input), y = widenHalf(target);
    Tensor out(x.dtype(), x.shape());
    const T *xs = x.data<T>(), *ys = y.data<T>();
    T *o = out.data<T>();
    for (int64_t i = 0, n = x.numel(); i < n; ++i)
      o[i] = loss(xs[i], ys[i]);
    double divisor = double(x.numel());
    if (reduction == Reduction::BatchMean)
      divisor = x.rank() == 0 ? 1.0 : double(x.dim(0));
    return reduceLoss<T>(out, reduction, divisor);
  });
}

Tensor kernels::mseLoss(const Tensor &input, const Tensor &target,
                        Reduction reduction) {
  return pointwiseLoss(input, target, reduction, "mse_loss",
                       [](auto x, auto y) { return (x - y) * (x - y); });
}

Tensor kernels::l1Loss(const Tensor &input, const Tensor &target,
                       Reduction reduction) {
  return pointwiseLoss(input, target, reduction, "l1_loss",
                       [](auto x, auto y) { return std::fabs(x - y); });
}

Tensor kernels::bceLoss(const Tensor &input, const Tensor &target,
                        Reduction reduction) {
  return pointwiseLoss(input, target, reduction, "bce_loss",
                       [](auto x, auto y) {
                         using T = decltype(x);
                         const T logX = std::max(std::log(x), T(-100));
                         const T log1mX = std::max(std::log(T(1) - x), T(-100));
                         return (y - T(1)) * log1mX - y * logX;
                       });
}

Tensor kernels::bceWithLogitsLoss(const Tensor &input, const Tensor &target,
                                  Reduction reduction) {
  return pointwiseLoss(
      input, target, reduction, "bce_with_logits_loss", [](auto x, auto y) {
        using T = decltype(x);
        return std::max(x, T(0)) - x * y + std::log1p(std::exp(-std::fabs(x)));
      });
}

Tensor kernels::klDivLoss(const Tensor &input, const Tensor &target,
                          Reduction reduction, bool logTarget) {
  if (logTarget)
    return pointwiseLoss(input, target, reduction, "kl_div_loss",
                         [](auto x, auto t) { return std::exp(t) * (t - x); });
  return pointwiseLoss(input, target, reduction, "kl_div_loss",
                       [](auto x, auto t) {
                         using T = decltype(x);
                         // xlogy(t, t): 0 where t == 0.
                         const T tLogT = t == T(0) ? T(0) : t * std::log(t);
                         return tLogT - t * x;
                       });
}

/// Rows of x [n, d] divided by max(||row||, 1e-12) (F.normalize).
template <class T> static std::vector<T> normalizeRows(const Tensor &x) {
  const int64_t n = x.dim(0), d = x.dim(1);
  std::vector<T> out(x.data<T>(), x.data<T>() + n * d);
  for (int64_t i = 0; i < n; ++i) {
    T *row = out.data() + i * d;
    T norm = 0;
    for (int64_t j = 0; j < d; ++j)
      norm += row[j] * row[j];
    const T inv = T(1) / std::max(std::sqrt(norm), T(1e-12));
    for (int64_t j = 0; j < d; ++j)
      row[j] *= inv;
  }
  return out;
}

template <class T>
static Tensor infoNceTyped(const Tensor &anchor, const Tensor &positive,
                           double temperature) {
  const int64_t n = anchor.dim(0), d = anchor.dim(1);
  const std::vector<T> a = normalizeRows<T>(anchor);
  const std::vector<T> p = normalizeRows<T>(positive);
  std::vector<T> logits(size_t(n * n)), work(2);
  gemm(false, true, n, n, d, T(1) / T(temperature), a.data(), d, p.data(), d,
       T(0), logits.data(), n);
  // Row i's cross entropy against class i: -log_softmax(row)[i].
  std::vector<T> logp(static_cast<size_t>(n));
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    logSoftmaxClasses(logits.data() + i * n, n, 1, T(1), logp.data(),
                      work.data());
    sum -= double(logp[i]);
  }
  Tensor out(anchor.dtype(), {});
  out.data<T>()[0] = T(sum / double(n));
  return out;
}

Tensor kernels::infoNceLoss(const Tensor &anchor, const Tensor &positive,
                            double temperature) {
  return dispatchLoss(anchor.dtype(), "info_nce_loss", [&](auto tag) {
    return infoNceTyped<decltype(tag)>(widenHalf(anchor), widenHalf(positive),
                                       temperature);
  });
}

template <class T>
static Tensor distillationTyped(const Tensor &student, const Tensor &teacher,
                                const Tensor &target, double temperature,
                                double alpha) {
  const int64_t n = student.dim(0), classes = student.dim(1);
  const T invT = T(1) / T(temperature);
  const std::vector<int64_t> labels = readIndices(target, "distillation_loss");
  const size_t width = size_t(classes);
  std::vector<T> logS(width), logT(width), logP(width), work(2);
  double kl = 0.0, ce = 0.0;
  int64_t counted = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T *s = student.data<T>() + i * classes;
    const T *t = teacher.data<T>() + i * classes;
    logSoftmaxClasses(s, classes, 1, invT, logS.data(), work.data());
    logSoftmaxClasses(t, classes, 1, invT, logT.data(), work.data());
    for (int64_t c = 0; c < classes; ++c) {
      // p_t * (log p_t - log p_s); an underflowed p_t contributes 0 (xlogy).
      const T pt = std::exp(logT[c]);
      if (pt != T(0))
        kl += double(pt * (logT[c] - logS[c]));
    }
    const int64_t y = labels[i];
    if (y == -100) // F.cross_entropy's default ignore_index
      continue;
    ++counted;
    if (y < 0 || y >= classes) {
      ce = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    logSoftmaxClasses(s, classes, 1, T(1), logP.data(), work.data());
    ce -= double(logP[y]);
  }
  const double loss = alpha * temperature * temperature * (kl / double(n)) +
                      (1.0 - alpha) * (ce / double(counted));
  Tensor out(student.dtype(), {});
  out.data<T>()[0] = T(loss);
  return out;
}

Tensor kernels::distillationLoss(const Tensor &student, const Tensor &teacher,
                                 const Tensor &target, double temperature,
                                 double alpha) {
  return dispatchLoss(student.dtype(), "distillation_loss", [&](auto tag) {
    return distillationTyped<decltype(tag)>(
        widenHalf(student), widenHalf(teacher), target, temperature, alpha);
  });
}
