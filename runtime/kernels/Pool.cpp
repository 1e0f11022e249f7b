//===- Pool.cpp - Max, average and adaptive pooling -----------------------===//
//
// All pooling kernels share one plan: per spatial dim (padded to three, as
// in Conv.cpp) and per output index, the window's first input position and
// the range of its taps that hit the input, computed once. The plane loop
// then runs without bounds checks.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Pool.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <limits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// One output index along one dim: taps k in [lo, hi) read input position
/// start + k * dilation; `span` is the divisor share of count_include_pad.
struct Window {
  int64_t start = 0, lo = 0, hi = 1, span = 1;
};

enum class Mode { Max, AvgIncludePad, AvgExcludePad };

struct PoolPlan {
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, dil[3] = {1, 1, 1};
  /// Sliding windows only: kernel size and stride (windows of output o
  /// start at o * stride - padding; 0 for adaptive plans).
  int64_t kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1};
  std::vector<Window> windows[3];
  Shape outShape;
};

/// The plan's sizes for `input`; spatial dim i of the input is plan dim
/// 3 - spatialRank + i. Windows of unused dims stay a single tap.
PoolPlan startPlan(const Tensor &x) {
  PoolPlan plan;
  int64_t rank = x.rank() - 2;
  plan.outShape = {x.dim(0), x.dim(1)};
  for (int64_t i = 0; i < rank; ++i)
    plan.in[3 - rank + i] = x.dim(2 + i);
  for (auto &w : plan.windows)
    w.assign(1, Window());
  return plan;
}

/// PyTorch's pooling output size (see poolOutputSize in the dialect).
int64_t poolOutputSize(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d,
                       bool ceilMode) {
  int64_t span = in + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0);
  if (span < 0)
    return 0;
  int64_t out = span / s + 1;
  if (ceilMode && (out - 1) * s >= in + p)
    --out;
  return out;
}

/// Plans a sliding-window pool (max or average; dilation 1 for average).
PoolPlan slidingPlan(const Tensor &x, const std::vector<int64_t> &kernel,
                     const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &padding,
                     const std::vector<int64_t> *dilation, bool ceilMode) {
  PoolPlan plan = startPlan(x);
  int64_t rank = x.rank() - 2;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t j = 3 - rank + i, in = plan.in[j];
    int64_t k = kernel[i], s = stride[i], p = padding[i];
    int64_t d = dilation ? (*dilation)[i] : 1;
    plan.dil[j] = d;
    plan.kernel[j] = k;
    plan.stride[j] = s;
    plan.out[j] = poolOutputSize(in, k, s, p, d, ceilMode);
    plan.outShape.push_back(plan.out[j]);
    plan.windows[j].resize(plan.out[j]);
    for (int64_t o = 0; o < plan.out[j]; ++o) {
      Window &w = plan.windows[j][o];
      w.start = o * s - p;
      validRange(w.start, d, in, k, w.lo, w.hi);
      w.span = std::min(w.start + k, in + p) - w.start;
    }
  }
  return plan;
}

PoolPlan adaptivePlan(const Tensor &x, const std::vector<int64_t> &size) {
  PoolPlan plan = startPlan(x);
  int64_t rank = x.rank() - 2;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t j = 3 - rank + i, in = plan.in[j], out = size[i];
    plan.out[j] = out;
    plan.kernel[j] = plan.stride[j] = 0;
    plan.outShape.push_back(out);
    plan.windows[j].resize(out);
    for (int64_t o = 0; o < out; ++o) {
      Window &w = plan.windows[j][o];
      w.start = o * in / out;
      w.lo = 0;
      w.hi = ((o + 1) * in + out - 1) / out - w.start;
      w.span = w.hi;
    }
  }
  return plan;
}

/// The max of a and b, NaN if either is (as PyTorch's max pooling).
template <class T> inline T maxNan(T a, T b) {
  return (b > a || b != b) ? b : a;
}

/// out[o] = max over taps k < K of row[o * S + k] for o in [0, n): the
/// columns of full windows. Constant strides let the loads vectorise as
/// interleaved loads instead of gathers.
template <class T, int S>
void windowMax(const T *row, int64_t K, T *out, int64_t n) {
  for (int64_t o = 0; o < n; ++o)
    out[o] = row[o * S];
  for (int64_t k = 1; k < K; ++k)
    for (int64_t o = 0; o < n; ++o)
      out[o] = maxNan(out[o], row[o * S + k]);
}

/// Max pooling with dilation 1, separably per output line: first the
/// elementwise max of the input rows the line's windows cover (contiguous,
/// vectorised), then the max over each window's columns of that one row.
/// The generic loop reads every tap of every window instead, kernel-size
/// times more loads.
template <class T>
void maxPoolSeparable(const T *xd, T *yd, const PoolPlan &plan,
                      int64_t planes) {
  const int64_t *in = plan.in, *out = plan.out;
  const int64_t inPlane = in[0] * in[1] * in[2];
  const int64_t outPlane = out[0] * out[1] * out[2];
  const int64_t W = in[2];
  // Output columns whose window lies entirely inside the row.
  const std::vector<Window> &ws = plan.windows[2];
  int64_t full0 = 0, full1 = 0;
  if (plan.kernel[2] > 0) {
    while (full0 < out[2] && ws[full0].lo != 0)
      ++full0;
    full1 = full0;
    while (full1 < out[2] && ws[full1].lo == 0 &&
           ws[full1].hi == plan.kernel[2])
      ++full1;
  }
  parallelFor(
      0, planes, std::max<int64_t>(1, kElementwiseGrain / (inPlane + 1)),
      [&](int64_t lo, int64_t hi) {
        std::vector<T> rowMax(size_t(std::max<int64_t>(1, W)));
        T *m = rowMax.data();
        for (int64_t plane = lo; plane < hi; ++plane) {
          const T *src = xd + plane * inPlane;
          T *dst = yd + plane * outPlane;
          for (int64_t od = 0; od < out[0]; ++od) {
            const Window &wd = plan.windows[0][od];
            for (int64_t oh = 0; oh < out[1]; ++oh) {
              const Window &wh = plan.windows[1][oh];
              bool first = true;
              for (int64_t kd = wd.lo; kd < wd.hi; ++kd)
                for (int64_t kh = wh.lo; kh < wh.hi; ++kh) {
                  const T *row =
                      src + ((wd.start + kd) * in[1] + wh.start + kh) * W;
                  if (first)
                    std::copy(row, row + W, m);
                  else
                    for (int64_t i = 0; i < W; ++i)
                      m[i] = maxNan(m[i], row[i]);
                  first = false;
                }
              if (first)
                std::fill(m, m + W, -std::numeric_limits<T>::infinity());
              T *line = dst + (od * out[1] + oh) * out[2];
              for (int64_t ow = 0; ow < out[2]; ++ow) {
                if (ow == full0 && full1 > full0) {
                  const T *row = m + ws[full0].start;
                  int64_t n = full1 - full0, K = plan.kernel[2];
                  switch (plan.stride[2]) {
                  case 1:
                    windowMax<T, 1>(row, K, line + full0, n);
                    break;
                  case 2:
                    windowMax<T, 2>(row, K, line + full0, n);
                    break;
                  default:
                    for (int64_t o = 0; o < n; ++o) {
                      T v = row[o * plan.stride[2]];
                      for (int64_t k = 1; k < K; ++k)
                        v = maxNan(v, row[o * plan.stride[2] + k]);
                      line[full0 + o] = v;
                    }
                  }
                  ow = full1 - 1;
                  continue;
                }
                const Window &ww = ws[ow];
                T v = -std::numeric_limits<T>::infinity();
                for (int64_t kw = ww.lo; kw < ww.hi; ++kw)
                  v = maxNan(v, m[ww.start + kw]);
                line[ow] = v;
              }
            }
          }
        }
      });
}

template <class T>
Tensor runPool(const Tensor &x, const PoolPlan &plan, Mode mode) {
  // Every output element is written below.
  Tensor y = Tensor::uninitialized(x.dtype(), plan.outShape);
  if (y.numel() == 0)
    return y;
  const int64_t *in = plan.in, *out = plan.out, *dil = plan.dil;
  const int64_t inPlane = in[0] * in[1] * in[2];
  const int64_t outPlane = out[0] * out[1] * out[2];
  const int64_t planes = x.dim(0) * x.dim(1);
  const T *xd = x.data<T>();
  T *yd = y.data<T>();
  if (mode == Mode::Max && dil[0] == 1 && dil[1] == 1 && dil[2] == 1) {
    maxPoolSeparable(xd, yd, plan, planes);
    return y;
  }
  parallelFor(
      0, planes, std::max<int64_t>(1, 4096 / outPlane),
      [&](int64_t lo, int64_t hi) {
        for (int64_t plane = lo; plane < hi; ++plane) {
          const T *src = xd + plane * inPlane;
          T *dst = yd + plane * outPlane;
          for (int64_t od = 0; od < out[0]; ++od) {
            const Window &wd = plan.windows[0][od];
            for (int64_t oh = 0; oh < out[1]; ++oh) {
              const Window &wh = plan.windows[1][oh];
              for (int64_t ow = 0; ow < out[2]; ++ow) {
                const Window &ww = plan.windows[2][ow];
                T m = -std::numeric_limits<T>::infinity();
                double sum = 0;
                for (int64_t kd = wd.lo; kd < wd.hi; ++kd) {
                  int64_t id = wd.start + kd * dil[0];
                  for (int64_t kh = wh.lo; kh < wh.hi; ++kh) {
                    const T *row =
                        src + (id * in[1] + wh.start + kh * dil[1]) * in[2];
                    if (mode == Mode::Max) {
                      for (int64_t kw = ww.lo; kw < ww.hi; ++kw) {
                        T v = row[ww.start + kw * dil[2]];
                        m = (v > m || v != v) ? v : m;
                      }
                    } else {
                      sum += laneSum(row + (ww.start + ww.lo), ww.hi - ww.lo);
                    }
                  }
                }
                T *cell = dst + (od * out[1] + oh) * out[2] + ow;
                if (mode == Mode::Max) {
                  *cell = m;
                  continue;
                }
                int64_t count =
                    mode == Mode::AvgIncludePad
                        ? wd.span * wh.span * ww.span
                        : (wd.hi - wd.lo) * (wh.hi - wh.lo) * (ww.hi - ww.lo);
                *cell = count > 0 ? T(sum / double(count)) : T(0);
              }
            }
          }
        }
      });
  return y;
}

Tensor pool(const Tensor &x, const PoolPlan &plan, Mode mode) {
  return dispatchFloat(x.dtype(), "pool", [&](auto tag) {
    return runPool<decltype(tag)>(x, plan, mode);
  });
}

} // namespace

Tensor kernels::maxPool(const Tensor &x, const std::vector<int64_t> &kernel,
                        const std::vector<int64_t> &stride,
                        const std::vector<int64_t> &padding,
                        const std::vector<int64_t> &dilation, bool ceilMode) {
  if (isHalf(x.dtype()))
    return cast(
        maxPool(widenHalf(x), kernel, stride, padding, dilation, ceilMode),
        x.dtype());
  return pool(x, slidingPlan(x, kernel, stride, padding, &dilation, ceilMode),
              Mode::Max);
}

Tensor kernels::avgPool(const Tensor &x, const std::vector<int64_t> &kernel,
                        const std::vector<int64_t> &stride,
                        const std::vector<int64_t> &padding, bool ceilMode,
                        bool countIncludePad) {
  if (isHalf(x.dtype()))
    return cast(avgPool(widenHalf(x), kernel, stride, padding, ceilMode,
                        countIncludePad),
                x.dtype());
  return pool(x, slidingPlan(x, kernel, stride, padding, nullptr, ceilMode),
              countIncludePad ? Mode::AvgIncludePad : Mode::AvgExcludePad);
}

Tensor kernels::adaptiveAvgPool(const Tensor &x,
                                const std::vector<int64_t> &outputSize) {
  if (isHalf(x.dtype()))
    return cast(adaptiveAvgPool(widenHalf(x), outputSize), x.dtype());
  return pool(x, adaptivePlan(x, outputSize), Mode::AvgExcludePad);
}

Tensor kernels::adaptiveMaxPool(const Tensor &x,
                                const std::vector<int64_t> &outputSize) {
  if (isHalf(x.dtype()))
    return cast(adaptiveMaxPool(widenHalf(x), outputSize), x.dtype());
  return pool(x, adaptivePlan(x, outputSize), Mode::Max);
}
