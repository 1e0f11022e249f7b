//===- GradConv.cpp - Backward of convolution and pooling -----------------===//
//
// As in Conv.cpp, every op is handled as 3-D (missing leading spatial dims
// become size 1). Convolution: per image and group, the input is unfolded
// (im2col) once; dW accumulates dY * col^T and dX is col2im(W^T * dY).
// Pooling recomputes each window's range (and for max the argmax) and
// scatters the output gradient back, one plane per task.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Grad.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <limits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Spatial sizes padded to three dims; attribute entry i of a rank-r op
/// lands in slot 3 - r + i.
struct Dims3 {
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1};
  int64_t s[3] = {1, 1, 1}, p[3] = {0, 0, 0}, d[3] = {1, 1, 1};
  int64_t inPlane() const { return in[0] * in[1] * in[2]; }
  int64_t outPlane() const { return out[0] * out[1] * out[2]; }
  int64_t kernel() const { return k[0] * k[1] * k[2]; }
};

Dims3 makeDims(const Shape &inShape, const Shape &outShape,
               const std::vector<int64_t> &k, const std::vector<int64_t> &s,
               const std::vector<int64_t> &p, const std::vector<int64_t> *d) {
  Dims3 g;
  int64_t r = int64_t(inShape.size()) - 2;
  for (int64_t i = 0; i < r; ++i) {
    int64_t j = 3 - r + i;
    g.in[j] = inShape[2 + i];
    g.out[j] = outShape[2 + i];
    g.k[j] = k[i];
    g.s[j] = s[i];
    g.p[j] = p[i];
    g.d[j] = d ? (*d)[i] : 1;
  }
  return g;
}

/// Calls f(tap, inputIndex, outputIndex-range) style loops: for each kernel
/// tap (kd, kh, kw) and output row (od, oh), the output columns
/// [lo, hi) whose input position is inside; `fn(tap, od, oh, id, ih, lo, hi,
/// iwStart)` with input column iwStart + ow * stride.
template <class F> void forEachTapRow(const Dims3 &g, F &&fn) {
  int64_t tap = 0;
  for (int64_t kd = 0; kd < g.k[0]; ++kd)
    for (int64_t kh = 0; kh < g.k[1]; ++kh)
      for (int64_t kw = 0; kw < g.k[2]; ++kw, ++tap) {
        int64_t offW = kw * g.d[2] - g.p[2], lo, hi;
        validRange(offW, g.s[2], g.in[2], g.out[2], lo, hi);
        for (int64_t od = 0; od < g.out[0]; ++od) {
          int64_t id = od * g.s[0] - g.p[0] + kd * g.d[0];
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            int64_t ih = oh * g.s[1] - g.p[1] + kh * g.d[1];
            bool inside = id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1];
            fn(tap, od, oh, id, ih, inside ? lo : 0, inside ? hi : 0, offW);
          }
        }
      }
}

/// Runs fn(c) for every channel on the pool; channels touch disjoint
/// col rows and input planes, so they need no synchronisation.
template <class F> void forEachChannel(int64_t channels, int64_t work, F &&fn) {
  parallelFor(0, channels, std::max<int64_t>(1, kElementwiseGrain / (work + 1)),
              [&](int64_t lo, int64_t hi) {
                for (int64_t c = lo; c < hi; ++c)
                  fn(c);
              });
}

/// col [channels * kernel, outPlane] = unfold(x [channels, inPlane]).
template <class T>
void im2col(const Dims3 &g, int64_t channels, const T *x, T *col) {
  int64_t K = g.kernel(), P = g.outPlane(), W = g.out[2];
  forEachChannel(channels, K * P, [&](int64_t c) {
    forEachTapRow(g, [&](int64_t tap, int64_t od, int64_t oh, int64_t id,
                         int64_t ih, int64_t lo, int64_t hi, int64_t offW) {
      T *dst = col + (c * K + tap) * P + (od * g.out[1] + oh) * W;
      const T *src = x + c * g.inPlane() + (id * g.in[1] + ih) * g.in[2];
      std::fill(dst, dst + W, T(0));
      for (int64_t ow = lo; ow < hi; ++ow)
        dst[ow] = src[ow * g.s[2] + offW];
    });
  });
}

/// dx [channels, inPlane] += fold(col [channels * kernel, outPlane]).
template <class T>
void col2im(const Dims3 &g, int64_t channels, const T *col, T *dx) {
  int64_t K = g.kernel(), P = g.outPlane(), W = g.out[2];
  forEachChannel(channels, K * P, [&](int64_t c) {
    forEachTapRow(g, [&](int64_t tap, int64_t od, int64_t oh, int64_t id,
                         int64_t ih, int64_t lo, int64_t hi, int64_t offW) {
      const T *src = col + (c * K + tap) * P + (od * g.out[1] + oh) * W;
      T *dst = dx + c * g.inPlane() + (id * g.in[1] + ih) * g.in[2];
      for (int64_t ow = lo; ow < hi; ++ow)
        dst[ow * g.s[2] + offW] += src[ow];
    });
  });
}

template <class T>
ConvGrads convBackwardT(const Tensor &gy, const Tensor &x, const Tensor &w,
                        bool hasBias, const std::vector<int64_t> &stride,
                        const std::vector<int64_t> &padding,
                        const std::vector<int64_t> &dilation, int64_t groups,
                        bool needInput, bool needWeight) {
  Shape kernel(w.shape().begin() + 2, w.shape().end());
  Dims3 g = makeDims(x.shape(), gy.shape(), kernel, stride, padding, &dilation);
  int64_t N = x.dim(0), C = x.dim(1), O = w.dim(0);
  int64_t Cg = C / groups, Og = O / groups;
  int64_t rowsK = Cg * g.kernel(), P = g.outPlane(), I = g.inPlane();
  ConvGrads r;
  if (needInput)
    r.input = Tensor(x.dtype(), x.shape());
  if (needWeight)
    r.weight = Tensor(w.dtype(), w.shape());
  std::vector<T> col(needWeight ? size_t(rowsK * P) : 0),
      dcol(needInput ? size_t(rowsK * P) : 0);
  const T *xd = x.data<T>(), *wd = w.data<T>(), *gd = gy.data<T>();
  T *dx = needInput ? r.input.data<T>() : nullptr;
  T *dw = needWeight ? r.weight.data<T>() : nullptr;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t gr = 0; gr < groups; ++gr) {
      const T *xg = xd + (n * C + gr * Cg) * I;
      const T *gyg = gd + (n * O + gr * Og) * P;
      const T *wg = wd + gr * Og * rowsK;
      if (needWeight) {
        im2col(g, Cg, xg, col.data());
        // dW [Og, rowsK] += dY [Og, P] col^T [P, rowsK]
        gemm(false, true, Og, rowsK, P, T(1), gyg, P, col.data(), P, T(1),
             dw + gr * Og * rowsK, rowsK);
      }
      if (needInput) {
        // dcol [rowsK, P] = W^T [rowsK, Og] dY [Og, P]
        gemm(true, false, rowsK, P, Og, T(1), wg, rowsK, gyg, P, T(0),
             dcol.data(), P);
        col2im(g, Cg, dcol.data(), dx + (n * C + gr * Cg) * I);
      }
    }
  if (hasBias) {
    r.bias = Tensor(w.dtype(), {O});
    T *db = r.bias.data<T>();
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < O; ++o)
        db[o] += T(laneSum(gd + (n * O + o) * P, P));
  }
  return r;
}

/// One pooling window along one dim: taps k in [lo, hi) read input
/// start + k * dilation; `span` is the count_include_pad divisor share.
struct Window {
  int64_t start = 0, lo = 0, hi = 1, span = 1;
};

/// Windows of each padded dim, with the forward kernels' ranges and
/// divisors (Pool.cpp's slidingPlan).
std::vector<Window> windowsOf(const Dims3 &g, int j) {
  std::vector<Window> ws(g.out[j]);
  for (int64_t o = 0; o < g.out[j]; ++o) {
    Window &w = ws[o];
    w.start = o * g.s[j] - g.p[j];
    validRange(w.start, g.d[j], g.in[j], g.k[j], w.lo, w.hi);
    w.span = std::min(w.start + g.k[j], g.in[j] + g.p[j]) - w.start;
  }
  return ws;
}

enum class PoolKind { Max, AvgIncludePad, AvgExcludePad };

template <class T>
Tensor poolBackwardT(const Tensor &gy, const Tensor *x, const Shape &inShape,
                     const Dims3 &g, PoolKind kind) {
  Tensor dx(gy.dtype(), inShape);
  if (dx.numel() == 0 || gy.numel() == 0)
    return dx;
  std::vector<Window> win[3] = {windowsOf(g, 0), windowsOf(g, 1),
                                windowsOf(g, 2)};
  int64_t I = g.inPlane(), P = g.outPlane(), planes = inShape[0] * inShape[1];
  const T *gd = gy.data<T>();
  const T *xd = x ? x->data<T>() : nullptr;
  T *dd = dx.data<T>();
  parallelFor(
      0, planes, std::max<int64_t>(1, 4096 / P), [&](int64_t lo, int64_t hi) {
        for (int64_t plane = lo; plane < hi; ++plane) {
          const T *src = xd ? xd + plane * I : nullptr;
          const T *gp = gd + plane * P;
          T *dst = dd + plane * I;
          for (int64_t od = 0; od < g.out[0]; ++od) {
            const Window &wd = win[0][od];
            for (int64_t oh = 0; oh < g.out[1]; ++oh) {
              const Window &wh = win[1][oh];
              for (int64_t ow = 0; ow < g.out[2]; ++ow) {
                const Window &ww = win[2][ow];
                T gv = gp[(od * g.out[1] + oh) * g.out[2] + ow];
                if (kind == PoolKind::Max) {
                  // Same scan order and update rule as the forward kernel.
                  T m = -std::numeric_limits<T>::infinity();
                  int64_t arg = -1;
                  for (int64_t kd = wd.lo; kd < wd.hi; ++kd)
                    for (int64_t kh = wh.lo; kh < wh.hi; ++kh) {
                      int64_t row = ((wd.start + kd * g.d[0]) * g.in[1] +
                                     wh.start + kh * g.d[1]) *
                                    g.in[2];
                      for (int64_t kw = ww.lo; kw < ww.hi; ++kw) {
                        int64_t i = row + ww.start + kw * g.d[2];
                        T v = src[i];
                        if (arg < 0 || v > m || v != v) {
                          m = v;
                          arg = i;
                        }
                      }
                    }
                  if (arg >= 0)
                    dst[arg] += gv;
                  continue;
                }
                int64_t count =
                    kind == PoolKind::AvgIncludePad
                        ? wd.span * wh.span * ww.span
                        : (wd.hi - wd.lo) * (wh.hi - wh.lo) * (ww.hi - ww.lo);
                if (count <= 0)
                  continue;
                T share = gv / T(count);
                for (int64_t kd = wd.lo; kd < wd.hi; ++kd)
                  for (int64_t kh = wh.lo; kh < wh.hi; ++kh) {
                    T *row =
                        dst +
                        ((wd.start + kd) * g.in[1] + wh.start + kh) * g.in[2] +
                        ww.start;
                    for (int64_t kw = ww.lo; kw < ww.hi; ++kw)
                      row[kw] += share;
                  }
              }
            }
          }
        }
      });
  return dx;
}

} // namespace

ConvGrads kernels::convBackward(const Tensor &gy, const Tensor &x,
                                const Tensor &w, bool hasBias,
                                const std::vector<int64_t> &stride,
                                const std::vector<int64_t> &padding,
                                const std::vector<int64_t> &dilation,
                                int64_t groups, bool needInput,
                                bool needWeight) {
  return dispatchFloat(x.dtype(), "convBackward", [&](auto tag) {
    return convBackwardT<decltype(tag)>(gy, x, w, hasBias, stride, padding,
                                        dilation, groups, needInput,
                                        needWeight);
  });
}

Tensor kernels::maxPoolBackward(const Tensor &gy, const Tensor &x,
                                const std::vector<int64_t> &kernelSize,
                                const std::vector<int64_t> &stride,
                                const std::vector<int64_t> &padding,
                                const std::vector<int64_t> &dilation,
                                bool ceilMode) {
  (void)ceilMode; // the output gradient's shape already fixes the windows
  Dims3 g =
      makeDims(x.shape(), gy.shape(), kernelSize, stride, padding, &dilation);
  return dispatchFloat(x.dtype(), "maxPoolBackward", [&](auto tag) {
    return poolBackwardT<decltype(tag)>(gy, &x, x.shape(), g, PoolKind::Max);
  });
}

Tensor kernels::avgPoolBackward(const Tensor &gy, const Shape &inputShape,
                                const std::vector<int64_t> &kernelSize,
                                const std::vector<int64_t> &stride,
                                const std::vector<int64_t> &padding,
                                bool ceilMode, bool countIncludePad) {
  (void)ceilMode; // the output gradient's shape already fixes the windows
  Dims3 g =
      makeDims(inputShape, gy.shape(), kernelSize, stride, padding, nullptr);
  PoolKind kind =
      countIncludePad ? PoolKind::AvgIncludePad : PoolKind::AvgExcludePad;
  return dispatchFloat(gy.dtype(), "avgPoolBackward", [&](auto tag) {
    return poolBackwardT<decltype(tag)>(gy, nullptr, inputShape, g, kind);
  });
}
