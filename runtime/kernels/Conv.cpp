//===- Conv.cpp - Convolution and transposed convolution ------------------===//
//
// Every convolution is handled as 3-D: missing leading spatial dims become
// size 1 (kernel 1, stride 1, no padding), which keeps one loop nest for
// 1-D, 2-D and 3-D. The innermost (width) loops compute the range of
// positions that fall inside the input once, so they run without per-element
// bounds checks.
//
// GEMMs run on the calling thread (OpenBLAS threads them itself); only the
// data movement around them (im2col, col2im, depthwise) uses parallelFor.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Conv.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cstring>
#include <memory>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Target size of one im2col tile: about the L2 cache.
constexpr int64_t kTileBytes = int64_t(512) << 10;
/// Bound on the col buffer when several small images are unfolded at once:
/// it must stay in L2 until the GEMM packs it.
constexpr int64_t kBatchedColBytes = int64_t(4) << 20;

/// Per-thread scratch that grows and is reused across calls, uninitialised
/// (every element read is written first): a fresh zeroed buffer per call
/// costs a memset and page faults on every convolution.
template <class T> T *scratch(int slot, int64_t count) {
  struct Slot {
    std::unique_ptr<T[]> data;
    int64_t size = 0;
  };
  thread_local Slot slots[2];
  Slot &sl = slots[slot];
  if (sl.size < count) {
    sl.data.reset(new T[size_t(count)]);
    sl.size = count;
  }
  return sl.data.get();
}

/// A convolution's sizes with the spatial dims padded to three.
struct Geometry {
  int64_t batch = 0, inChannels = 0, outChannels = 0, groups = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dil[3] = {1, 1, 1};
  int64_t spatialRank = 0;

  int64_t inPlane() const { return in[0] * in[1] * in[2]; }
  int64_t outPlane() const { return out[0] * out[1] * out[2]; }
  int64_t kernelSize() const { return kernel[0] * kernel[1] * kernel[2]; }
  Shape outputShape() const {
    Shape s = {batch, outChannels};
    for (int64_t i = 3 - spatialRank; i < 3; ++i)
      s.push_back(out[i]);
    return s;
  }
};

Geometry makeGeometry(const Tensor &x, const Tensor &w,
                      const std::vector<int64_t> &stride,
                      const std::vector<int64_t> &padding,
                      const std::vector<int64_t> &dilation, int64_t groups) {
  Geometry g;
  g.batch = x.dim(0);
  g.inChannels = x.dim(1);
  g.groups = groups;
  g.spatialRank = x.rank() - 2;
  for (int64_t i = 0; i < g.spatialRank; ++i) {
    int64_t j = 3 - g.spatialRank + i;
    g.in[j] = x.dim(2 + i);
    g.kernel[j] = w.dim(2 + i);
    g.stride[j] = stride[i];
    g.pad[j] = padding[i];
    g.dil[j] = dilation[i];
  }
  return g;
}

/// Unfolds output lines [line0, line1) (a line is one (od, oh) pair, i.e.
/// a row of the output plane) of `images` images (`imageStride` elements
/// apart) of `channels` input planes into col rows (c, kd, kh, kw), rows
/// `ld` apart; image i's columns start at i * (line1 - line0) * out[2].
template <class T>
void im2col(const T *x, int64_t imageStride, int64_t images, int64_t channels,
            const Geometry &g, int64_t line0, int64_t line1, T *col,
            int64_t ld) {
  const int64_t K = g.kernelSize(), inPlane = g.inPlane();
  const int64_t *k = g.kernel, *o = g.out, *in = g.in, *s = g.stride,
                *d = g.dil, *p = g.pad;
  const int64_t span = (line1 - line0) * o[2];
  // One task per col row (c, kd, kh, kw) with the images inner, so the
  // index decomposition is paid once per row, not once per (tiny) plane.
  const int64_t grain = std::max<int64_t>(1, 4096 / (span * images));
  parallelFor(0, channels * K, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      int64_t c = r / K, rem = r % K;
      int64_t kd = rem / (k[1] * k[2]), kh = rem / k[2] % k[1], kw = rem % k[2];
      int64_t offW = kw * d[2] - p[2], wlo, whi;
      validRange(offW, s[2], in[2], o[2], wlo, whi);
      for (int64_t image = 0; image < images; ++image) {
        const T *xc = x + image * imageStride + c * inPlane;
        T *dst = col + r * ld + image * span;
        // (od, oh) advance with the line: no divisions per row.
        int64_t od = line0 / o[1], oh = line0 % o[1];
        for (int64_t line = line0; line < line1; ++line) {
          int64_t id = od * s[0] + kd * d[0] - p[0];
          int64_t ih = oh * s[1] + kh * d[1] - p[1];
          if (++oh == o[1]) {
            oh = 0;
            ++od;
          }
          T *row = dst + (line - line0) * o[2];
          if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1]) {
            std::fill(row, row + o[2], T(0));
            continue;
          }
          const T *src = xc + (id * in[1] + ih) * in[2];
          for (int64_t ow = 0; ow < wlo; ++ow)
            row[ow] = T(0);
          if (s[2] == 1)
            for (int64_t ow = wlo; ow < whi; ++ow)
              row[ow] = src[ow + offW];
          else
            for (int64_t ow = wlo; ow < whi; ++ow)
              row[ow] = src[ow * s[2] + offW];
          for (int64_t ow = whi; ow < o[2]; ++ow)
            row[ow] = T(0);
        }
      }
    }
  });
}

/// Direct convolution for groups == C (one input channel per group): a
/// GEMM would have a reduction length of just the kernel size.
template <class T>
void depthwise(const T *x, const T *w, T *y, const Geometry &g) {
  const int64_t C = g.inChannels, O = g.outChannels, mult = O / C;
  const int64_t P = g.outPlane(), inPlane = g.inPlane();
  const int64_t *k = g.kernel, *o = g.out, *in = g.in, *s = g.stride,
                *d = g.dil, *p = g.pad;
  parallelFor(0, g.batch * O, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      int64_t n = t / O, oc = t % O;
      const T *src = x + (n * C + oc / mult) * inPlane;
      const T *wk = w + oc * g.kernelSize();
      T *dst = y + t * P;
      for (int64_t kd = 0; kd < k[0]; ++kd)
        for (int64_t kh = 0; kh < k[1]; ++kh)
          for (int64_t kw = 0; kw < k[2]; ++kw) {
            T wv = wk[(kd * k[1] + kh) * k[2] + kw];
            int64_t offW = kw * d[2] - p[2], wlo, whi;
            validRange(offW, s[2], in[2], o[2], wlo, whi);
            for (int64_t od = 0; od < o[0]; ++od) {
              int64_t id = od * s[0] + kd * d[0] - p[0];
              if (id < 0 || id >= in[0])
                continue;
              for (int64_t oh = 0; oh < o[1]; ++oh) {
                int64_t ih = oh * s[1] + kh * d[1] - p[1];
                if (ih < 0 || ih >= in[1])
                  continue;
                const T *srow = src + (id * in[1] + ih) * in[2];
                T *drow = dst + (od * o[1] + oh) * o[2];
                if (s[2] == 1)
                  for (int64_t ow = wlo; ow < whi; ++ow)
                    drow[ow] += wv * srow[ow + offW];
                else
                  for (int64_t ow = wlo; ow < whi; ++ow)
                    drow[ow] += wv * srow[ow * s[2] + offW];
              }
            }
          }
    }
  });
}

/// y[n, o, :] += bias[o] over planes of P elements.
template <class T>
void addBias(T *y, const Tensor &bias, int64_t batch, int64_t channels,
             int64_t P) {
  if (!bias.defined())
    return;
  const T *b = bias.data<T>();
  parallelFor(0, batch * channels, std::max<int64_t>(1, 16384 / (P + 1)),
              [&](int64_t lo, int64_t hi) {
                for (int64_t t = lo; t < hi; ++t) {
                  T bv = b[t % channels];
                  T *row = y + t * P;
                  for (int64_t i = 0; i < P; ++i)
                    row[i] += bv;
                }
              });
}

template <class T>
Tensor convTyped(const Tensor &x, const Tensor &w, const Tensor &bias,
                 Geometry g) {
  const int64_t N = g.batch, C = g.inChannels, O = g.outChannels;
  const int64_t cg = C / g.groups, og = O / g.groups;
  const int64_t K = g.kernelSize(), P = g.outPlane(), inPlane = g.inPlane();
  // Depthwise accumulates into y; the GEMM paths (beta = 0) and the
  // scatter of batched results write every element, so skip the zero fill.
  const bool isDepthwise = g.groups == C && cg == 1;
  Tensor y = isDepthwise ? Tensor(x.dtype(), g.outputShape())
                         : Tensor::uninitialized(x.dtype(), g.outputShape());
  if (y.numel() == 0)
    return y;
  const T *xd = x.data<T>(), *wd = w.data<T>();
  T *yd = y.data<T>();

  if (isDepthwise) {
    depthwise(xd, wd, yd, g);
  } else if (K == 1 && g.stride[0] == 1 && g.stride[1] == 1 &&
             g.stride[2] == 1 && g.pad[0] == 0 && g.pad[1] == 0 &&
             g.pad[2] == 0) {
    // Pointwise: the input planes already are the im2col matrix.
    for (int64_t n = 0; n < N; ++n)
      for (int64_t gr = 0; gr < g.groups; ++gr)
        gemm(false, false, og, P, cg, T(1), wd + gr * og * cg, cg,
             xd + (n * C + gr * cg) * inPlane, P, T(0),
             yd + (n * O + gr * og) * P, P);
  } else {
    // Small output planes make thin GEMMs: unfold several images side by
    // side (up to ~4096 columns) and scatter the result. Large planes are
    // unfolded a few output lines at a time so that the col tile stays in
    // cache between im2col and the GEMM.
    const int64_t rows = cg * K, lines = g.out[0] * g.out[1];
    const int64_t lineBytes = rows * g.out[2] * int64_t(sizeof(T));
    int64_t nb = P >= 1024 ? 1 : std::min(N, std::max<int64_t>(1, 4096 / P));
    nb = std::max<int64_t>(
        1, std::min(nb, kBatchedColBytes /
                            std::max<int64_t>(1, lineBytes * lines)));
    int64_t tile =
        nb > 1 ? lines
               : std::clamp<int64_t>(
                     kTileBytes / std::max<int64_t>(1, lineBytes), 1, lines);
    T *col = scratch<T>(0, rows * nb * tile * g.out[2]);
    T *tmp = scratch<T>(1, nb > 1 ? og * nb * P : 0);
    for (int64_t n0 = 0; n0 < N; n0 += nb) {
      int64_t cnt = std::min(nb, N - n0);
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        const T *wg = wd + gr * og * rows;
        const T *xg = xd + (n0 * C + gr * cg) * inPlane;
        T *yg = yd + (n0 * O + gr * og) * P;
        if (cnt == 1) {
          for (int64_t l0 = 0; l0 < lines; l0 += tile) {
            int64_t l1 = std::min(lines, l0 + tile), ld = (l1 - l0) * g.out[2];
            im2col(xg, C * inPlane, 1, cg, g, l0, l1, col, ld);
            gemm(false, false, og, ld, rows, T(1), wg, rows, col, ld, T(0),
                 yg + l0 * g.out[2], P);
          }
          continue;
        }
        int64_t ld = cnt * P;
        im2col(xg, C * inPlane, cnt, cg, g, 0, lines, col, ld);
        gemm(false, false, og, ld, rows, T(1), wg, rows, col, ld, T(0), tmp,
             ld);
        for (int64_t i = 0; i < cnt; ++i)
          for (int64_t oc = 0; oc < og; ++oc)
            std::memcpy(yg + (i * O + oc) * P, tmp + oc * ld + i * P,
                        sizeof(T) * P);
      }
    }
  }
  addBias(yd, bias, N, O, P);
  return y;
}

/// Scatters the GEMM result col [og * K, inPlane] of one image and group
/// onto its og output planes (each task owns one plane, so no races).
template <class T>
void col2im(const T *col, int64_t og, const Geometry &g, T *y) {
  const int64_t K = g.kernelSize(), Pin = g.inPlane(), Pout = g.outPlane();
  const int64_t *k = g.kernel, *o = g.out, *in = g.in, *s = g.stride,
                *d = g.dil, *p = g.pad;
  parallelFor(0, og, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t oc = lo; oc < hi; ++oc) {
      T *dst = y + oc * Pout;
      for (int64_t kd = 0; kd < k[0]; ++kd)
        for (int64_t kh = 0; kh < k[1]; ++kh)
          for (int64_t kw = 0; kw < k[2]; ++kw) {
            const T *crow = col + (oc * K + (kd * k[1] + kh) * k[2] + kw) * Pin;
            int64_t offW = kw * d[2] - p[2], wlo, whi;
            validRange(offW, s[2], o[2], in[2], wlo, whi);
            for (int64_t id = 0; id < in[0]; ++id) {
              int64_t od = id * s[0] + kd * d[0] - p[0];
              if (od < 0 || od >= o[0])
                continue;
              for (int64_t ih = 0; ih < in[1]; ++ih) {
                int64_t oh = ih * s[1] + kh * d[1] - p[1];
                if (oh < 0 || oh >= o[1])
                  continue;
                const T *c = crow + (id * in[1] + ih) * in[2];
                T *drow = dst + (od * o[1] + oh) * o[2];
                for (int64_t iw = wlo; iw < whi; ++iw)
                  drow[iw * s[2] + offW] += c[iw];
              }
            }
          }
    }
  });
}

template <class T>
Tensor convTransposeTyped(const Tensor &x, const Tensor &w, const Tensor &bias,
                          Geometry g) {
  Tensor y(x.dtype(), g.outputShape());
  if (y.numel() == 0)
    return y;
  const int64_t N = g.batch, C = g.inChannels, O = g.outChannels;
  const int64_t cg = C / g.groups, og = O / g.groups;
  const int64_t K = g.kernelSize(), Pin = g.inPlane(), Pout = g.outPlane();
  const T *xd = x.data<T>(), *wd = w.data<T>();
  T *yd = y.data<T>();
  std::vector<T> col(size_t(og * K * Pin));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      // col = W_g^T X_g with W_g [cg, og * K] and X_g [cg, Pin].
      gemm(true, false, og * K, Pin, cg, T(1), wd + gr * cg * og * K, og * K,
           xd + (n * C + gr * cg) * Pin, Pin, T(0), col.data(), Pin);
      col2im(col.data(), og, g, yd + (n * O + gr * og) * Pout);
    }
  addBias(yd, bias, N, O, Pout);
  return y;
}

} // namespace

Tensor kernels::conv(const Tensor &x, const Tensor &w, const Tensor &bias,
                     const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &padding,
                     const std::vector<int64_t> &dilation, int64_t groups) {
  if (isHalf(x.dtype()))
    return cast(conv(widenHalf(x), widenHalf(w), widenHalf(bias), stride,
                     padding, dilation, groups),
                x.dtype());
  Geometry g = makeGeometry(x, w, stride, padding, dilation, groups);
  g.outChannels = w.dim(0);
  for (int64_t j = 0; j < 3; ++j) {
    int64_t span = g.in[j] + 2 * g.pad[j] - g.dil[j] * (g.kernel[j] - 1) - 1;
    g.out[j] = span < 0 ? 0 : span / g.stride[j] + 1;
  }
  return dispatchFloat(x.dtype(), "conv", [&](auto tag) {
    return convTyped<decltype(tag)>(x, w, bias, g);
  });
}

Tensor kernels::convTranspose(const Tensor &x, const Tensor &w,
                              const Tensor &bias,
                              const std::vector<int64_t> &stride,
                              const std::vector<int64_t> &padding,
                              const std::vector<int64_t> &outputPadding,
                              const std::vector<int64_t> &dilation,
                              int64_t groups) {
  if (isHalf(x.dtype()))
    return cast(convTranspose(widenHalf(x), widenHalf(w), widenHalf(bias),
                              stride, padding, outputPadding, dilation, groups),
                x.dtype());
  Geometry g = makeGeometry(x, w, stride, padding, dilation, groups);
  g.outChannels = w.dim(1) * groups;
  for (int64_t i = 0; i < g.spatialRank; ++i) {
    int64_t j = 3 - g.spatialRank + i;
    int64_t size = (g.in[j] - 1) * g.stride[j] - 2 * g.pad[j] +
                   g.dil[j] * (g.kernel[j] - 1) + outputPadding[i] + 1;
    g.out[j] = std::max<int64_t>(0, size);
  }
  return dispatchFloat(x.dtype(), "conv_transpose", [&](auto tag) {
    return convTransposeTyped<decltype(tag)>(x, w, bias, g);
  });
}
