//===- GradConv.cpp - Backward of convolution and pooling -----------------===//
//
// As in Conv.cpp, every op is handled as 3-D (missing leading spatial dims
// become size 1). Convolution: the batch is cut into groups of images that
// are unfolded side by side (im2col) so that the GEMMs are wide; the groups
// run on the pool with single-threaded BLAS. dW sums dY * col^T (per-part
// partials reduced in a fixed order) and dX is col2im(W^T * dY).
// Pooling recomputes each window's range (and for max the argmax) and
// scatters the output gradient back, one plane per task.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Grad.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Spatial sizes padded to three dims; attribute entry i of a rank-r op
/// lands in slot 3 - r + i.
ConvDims3 makeDims(const Shape &inShape, const Shape &outShape,
                   const std::vector<int64_t> &k, const std::vector<int64_t> &s,
                   const std::vector<int64_t> &p,
                   const std::vector<int64_t> *d) {
  ConvDims3 g;
  int64_t r = int64_t(inShape.size()) - 2;
  for (int64_t i = 0; i < r; ++i) {
    int64_t j = 3 - r + i;
    g.in[j] = inShape[2 + i];
    g.out[j] = outShape[2 + i];
    g.kernel[j] = k[i];
    g.stride[j] = s[i];
    g.pad[j] = p[i];
    g.dil[j] = d ? (*d)[i] : 1;
  }
  return g;
}

/// Copies the [rows, P] blocks of `images` images (`imageStride` apart)
/// side by side into dst [rows, images * P], so that one GEMM covers them.
template <class T>
void gatherImages(const T *src, int64_t imageStride, int64_t images,
                  int64_t rows, int64_t P, T *dst) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < images; ++i)
      std::memcpy(dst + (r * images + i) * P, src + i * imageStride + r * P,
                  sizeof(T) * P);
}

/// The batch is cut into units of nb images; each unit unfolds its images
/// side by side (one wide col matrix) so that the GEMMs are large, and the
/// units run on the pool with single-threaded BLAS (KernelUtil's runUnits).
/// dX: each unit owns its images' input planes. dW: each part of the units
/// accumulates its own partial, and the partials are summed in part order.
template <class T>
ConvGrads convBackwardT(const Tensor &gy, const Tensor &x, const Tensor &w,
                        bool hasBias, const std::vector<int64_t> &stride,
                        const std::vector<int64_t> &padding,
                        const std::vector<int64_t> &dilation, int64_t groups,
                        bool needInput, bool needWeight) {
  Shape kernel(w.shape().begin() + 2, w.shape().end());
  ConvDims3 g =
      makeDims(x.shape(), gy.shape(), kernel, stride, padding, &dilation);
  int64_t N = x.dim(0), C = x.dim(1), O = w.dim(0);
  int64_t Cg = C / groups, Og = O / groups;
  int64_t rowsK = Cg * g.kernelSize(), P = g.outPlane(), I = g.inPlane();
  ConvGrads r;
  // col2im writes every element of dX; dW is summed from the partials.
  if (needInput)
    r.input = N * C * I > 0 ? Tensor::uninitialized(x.dtype(), x.shape())
                            : Tensor(x.dtype(), x.shape());
  if (needWeight)
    r.weight = Tensor(w.dtype(), w.shape());
  const T *xd = x.data<T>(), *wd = w.data<T>(), *gd = gy.data<T>();
  T *dx = needInput ? r.input.data<T>() : nullptr;
  T *dw = needWeight ? r.weight.data<T>() : nullptr;
  const bool pointwise = g.pointwise();
  const int64_t nb = imagesPerGemm(N, P, rowsK, sizeof(T));
  const int64_t units = (N + nb - 1) / nb, wSize = O * rowsK;
  UnitPlan plan = planUnits(units, needWeight);
  std::vector<T> partials(needWeight && N > 0 ? size_t(plan.parts * wSize) : 0);
  if (N > 0 && (needInput || needWeight))
    runUnits(plan, units, [&](int64_t part, int64_t u0, int64_t u1) {
      T *dwPart = needWeight ? partials.data() + part * wSize : nullptr;
      bool first = true;
      for (int64_t u = u0; u < u1; ++u) {
        int64_t n0 = u * nb, cnt = std::min(nb, N - n0), ld = cnt * P;
        for (int64_t gr = 0; gr < groups; ++gr) {
          const T *xg = xd + (n0 * C + gr * Cg) * I;
          const T *gyg = gd + (n0 * O + gr * Og) * P;
          const T *wg = wd + gr * Og * rowsK;
          // dY of the unit's images as one [Og, cnt * P] matrix.
          const T *dy = gyg;
          if (cnt > 1) {
            T *buf = scratch<T>(0, Og * ld);
            gatherImages(gyg, O * P, cnt, Og, P, buf);
            dy = buf;
          }
          if (needWeight) {
            const T *col = xg;
            if (!pointwise || cnt > 1) {
              T *buf = scratch<T>(1, rowsK * ld);
              im2col(xg, C * I, cnt, Cg, g, 0, g.out[0] * g.out[1], buf, ld);
              col = buf;
            }
            // dW^T [rowsK, Og] += col [rowsK, cnt P] dY^T [cnt P, Og]:
            // transposed, the GEMM's long side is rowsK rather than the
            // (often narrow) Og, which OpenBLAS runs faster.
            gemm(false, true, rowsK, Og, ld, T(1), col, ld, dy, ld,
                 T(first ? 0 : 1), dwPart + gr * Og * rowsK, Og);
          }
          if (needInput) {
            T *dxg = dx + (n0 * C + gr * Cg) * I;
            if (pointwise && cnt == 1) {
              gemm(true, false, rowsK, P, Og, T(1), wg, rowsK, dy, P, T(0), dxg,
                   P);
              continue;
            }
            // dcol [rowsK, cnt P] = W^T [rowsK, Og] dY [Og, cnt P]
            T *dcol = scratch<T>(2, rowsK * ld);
            gemm(true, false, rowsK, ld, Og, T(1), wg, rowsK, dy, ld, T(0),
                 dcol, ld);
            col2im(dcol, ld, cnt, Cg, g, dxg, C * I);
          }
        }
        first = false;
      }
    });
  if (needWeight && N > 0) {
    // Partials hold dW^T per group; they are summed in a fixed part order
    // (the same bits for the same thread count) and transposed back.
    parallelFor(0, O, std::max<int64_t>(1, kElementwiseGrain / (rowsK + 1)),
                [&](int64_t lo, int64_t hi) {
                  for (int64_t o = lo; o < hi; ++o) {
                    int64_t gr = o / Og, oc = o % Og;
                    const T *src = partials.data() + gr * Og * rowsK + oc;
                    for (int64_t r = 0; r < rowsK; ++r) {
                      T s = src[r * Og];
                      for (int64_t part = 1; part < plan.parts; ++part)
                        s += src[part * wSize + r * Og];
                      dw[o * rowsK + r] = s;
                    }
                  }
                });
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
std::vector<Window> windowsOf(const ConvDims3 &g, int j) {
  std::vector<Window> ws(g.out[j]);
  for (int64_t o = 0; o < g.out[j]; ++o) {
    Window &w = ws[o];
    w.start = o * g.stride[j] - g.pad[j];
    validRange(w.start, g.dil[j], g.in[j], g.kernel[j], w.lo, w.hi);
    w.span = std::min(w.start + g.kernel[j], g.in[j] + g.pad[j]) - w.start;
  }
  return ws;
}

enum class PoolKind { Max, AvgIncludePad, AvgExcludePad };

/// True for the common 2x2 max pool with stride 2 and no padding whose
/// windows all lie inside the input (per depth slice).
bool isPlain2x2(const ConvDims3 &g) {
  return g.kernel[0] == 1 && g.stride[0] == 1 && g.pad[0] == 0 &&
         g.kernel[1] == 2 && g.kernel[2] == 2 && g.stride[1] == 2 &&
         g.stride[2] == 2 && g.pad[1] == 0 && g.pad[2] == 0 && g.dil[1] == 1 &&
         g.dil[2] == 1 && g.out[0] <= g.in[0] && 2 * g.out[1] <= g.in[1] &&
         2 * g.out[2] <= g.in[2];
}

/// Max-pool backward of one plane for isPlain2x2: windows do not overlap,
/// so each of the four taps is written (gradient or zero) rather than
/// accumulated, and the argmax is a chain of selects that vectorises. Same
/// scan order and update rule as the forward kernel (NaN wins).
template <class T>
void maxPool2x2Plane(const ConvDims3 &g, const T *src, const T *gp, T *dst) {
  const int64_t W = g.in[2], OW = g.out[2];
  std::fill(dst, dst + g.inPlane(), T(0));
  for (int64_t od = 0; od < g.out[0]; ++od)
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      int64_t base = (od * g.in[1] + 2 * oh) * W;
      const T *r0 = src + base, *r1 = r0 + W;
      T *d0 = dst + base, *d1 = d0 + W;
      const T *gr = gp + (od * g.out[1] + oh) * OW;
      for (int64_t ow = 0; ow < OW; ++ow) {
        T a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow],
          d = r1[2 * ow + 1];
        T m = a;
        int best = 0;
        bool t = (b > m) | (b != b);
        m = t ? b : m;
        best = t ? 1 : best;
        t = (c > m) | (c != c);
        m = t ? c : m;
        best = t ? 2 : best;
        t = (d > m) | (d != d);
        best = t ? 3 : best;
        T gv = gr[ow];
        d0[2 * ow] = best == 0 ? gv : T(0);
        d0[2 * ow + 1] = best == 1 ? gv : T(0);
        d1[2 * ow] = best == 2 ? gv : T(0);
        d1[2 * ow + 1] = best == 3 ? gv : T(0);
      }
    }
}

template <class T>
Tensor poolBackwardT(const Tensor &gy, const Tensor *x, const Shape &inShape,
                     const ConvDims3 &g, PoolKind kind) {
  if (numElements(inShape) == 0 || gy.numel() == 0)
    return Tensor(gy.dtype(), inShape);
  // Each task zeroes its own planes (while they are in its cache).
  Tensor dx = Tensor::uninitialized(gy.dtype(), inShape);
  std::vector<Window> win[3] = {windowsOf(g, 0), windowsOf(g, 1),
                                windowsOf(g, 2)};
  int64_t I = g.inPlane(), P = g.outPlane(), planes = inShape[0] * inShape[1];
  const T *gd = gy.data<T>();
  const T *xd = x ? x->data<T>() : nullptr;
  T *dd = dx.data<T>();
  const bool plain2x2 = isPlain2x2(g);
  parallelFor(
      0, planes, std::max<int64_t>(1, 4096 / P), [&](int64_t lo, int64_t hi) {
        for (int64_t plane = lo; plane < hi; ++plane) {
          const T *src = xd ? xd + plane * I : nullptr;
          const T *gp = gd + plane * P;
          T *dst = dd + plane * I;
          if (kind == PoolKind::Max && plain2x2) {
            maxPool2x2Plane(g, src, gp, dst);
            continue;
          }
          std::fill(dst, dst + I, T(0));
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
                      int64_t row = ((wd.start + kd * g.dil[0]) * g.in[1] +
                                     wh.start + kh * g.dil[1]) *
                                    g.in[2];
                      for (int64_t kw = ww.lo; kw < ww.hi; ++kw) {
                        int64_t i = row + ww.start + kw * g.dil[2];
                        T v = src[i];
                        // Branch-free (selects): with random data the
                        // comparison mispredicts half the time.
                        bool take = (arg < 0) | (v > m) | (v != v);
                        m = take ? v : m;
                        arg = take ? i : arg;
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
  ConvDims3 g =
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
  ConvDims3 g =
      makeDims(inputShape, gy.shape(), kernelSize, stride, padding, nullptr);
  PoolKind kind =
      countIncludePad ? PoolKind::AvgIncludePad : PoolKind::AvgExcludePad;
  return dispatchFloat(gy.dtype(), "avgPoolBackward", [&](auto tag) {
    return poolBackwardT<decltype(tag)>(gy, nullptr, inputShape, g, kind);
  });
}
