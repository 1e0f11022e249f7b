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

template <class T>
Tensor runPool(const Tensor &x, const PoolPlan &plan, Mode mode) {
  Tensor y(x.dtype(), plan.outShape);
  if (y.numel() == 0)
    return y;
  const int64_t *in = plan.in, *out = plan.out, *dil = plan.dil;
  const int64_t inPlane = in[0] * in[1] * in[2];
  const int64_t outPlane = out[0] * out[1] * out[2];
  const int64_t planes = x.dim(0) * x.dim(1);
  const T *xd = x.data<T>();
  T *yd = y.data<T>();
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
