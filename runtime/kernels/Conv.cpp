//===- Conv.cpp - Convolution and transposed convolution ------------------===//
//
// Every convolution is handled as 3-D: missing leading spatial dims become
// size 1 (kernel 1, stride 1, no padding), which keeps one loop nest for
// 1-D, 2-D and 3-D. The innermost (width) loops compute the range of
// positions that fall inside the input once, so they run without per-element
// bounds checks.
//
// f32 convolutions (other than depthwise) run ConvTiled's register-tiled
// kernel where the build has AVX-512. The GEMM path below serves f64 and
// other CPUs: it splits the batch over the pool with single-threaded GEMMs
// when it has enough images (KernelUtil's runUnits), otherwise OpenBLAS
// threads each GEMM and im2col spreads its rows over the pool.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Conv.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/ConvTiled.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Target size of one im2col tile: about the L2 cache.
constexpr int64_t kTileBytes = int64_t(512) << 10;

/// A convolution's sizes with the spatial dims padded to three.
struct Geometry : ConvSizes {
  int64_t spatialRank = 0;

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

/// y = act(y * scale[o] + shift[o] + residual) over [N, O, P], for what
/// the tiled kernel does not apply as it stores.
template <class T>
void applyEpilogue(T *y, const Epilogue &e, int64_t batch, int64_t channels,
                   int64_t P) {
  if (e.empty())
    return;
  const T *scale = e.scale.defined() ? e.scale.data<T>() : nullptr;
  const T *shift = e.shift.defined() ? e.shift.data<T>() : nullptr;
  const T *residual = e.residual.defined() ? e.residual.data<T>() : nullptr;
  parallelFor(0, batch * channels, std::max<int64_t>(1, 16384 / (P + 1)),
              [&](int64_t lo, int64_t hi) {
                for (int64_t t = lo; t < hi; ++t) {
                  const int64_t o = t % channels;
                  const T s = scale ? scale[o] : T(1);
                  const T b = shift ? shift[o] : T(0);
                  T *row = y + t * P;
                  const T *res = residual ? residual + t * P : nullptr;
                  if (scale || shift)
                    for (int64_t i = 0; i < P; ++i)
                      row[i] = row[i] * s + b;
                  if (res)
                    for (int64_t i = 0; i < P; ++i)
                      row[i] += res[i];
                  activateRow(e.activation, row, P);
                }
              });
}

template <class T>
Tensor convTyped(const Tensor &x, const Tensor &w, const Tensor &bias,
                 Geometry g, const Epilogue &epilogue) {
  const int64_t N = g.batch, C = g.inChannels, O = g.outChannels;
  const int64_t cg = C / g.groups, og = O / g.groups;
  const int64_t K = g.kernelSize(), P = g.outPlane(), inPlane = g.inPlane();
  // Depthwise accumulates into y; the GEMM paths (beta = 0) and the
  // scatter of batched results write every element, so skip the zero fill.
  const bool isDepthwise = g.groups == C && cg == 1 && g.groups > 1;
  Tensor y = isDepthwise ? Tensor(x.dtype(), g.outputShape())
                         : Tensor::uninitialized(x.dtype(), g.outputShape());
  if (y.numel() == 0)
    return y;
  const T *xd = x.data<T>(), *wd = w.data<T>();
  T *yd = y.data<T>();

  if (isDepthwise) {
    depthwise(xd, wd, yd, g);
    addBias(yd, bias, N, O, P);
    applyEpilogue(yd, epilogue, N, O, P);
    return y;
  }
  if constexpr (std::is_same_v<T, float>) {
    auto data = [](const Tensor &t) {
      return t.defined() ? t.data<float>() : nullptr;
    };
    // ReLU is applied in registers; GELU in one pass after the tiles.
    const bool relu = epilogue.activation == Activation::Relu;
    TileEpilogue tiled{data(epilogue.scale), data(epilogue.shift),
                       data(epilogue.residual), relu};
    if (convTiled(xd, wd, data(bias), yd, g, tiled)) {
      if (!relu && epilogue.activation != Activation::None)
        applyEpilogue(yd, Epilogue{{}, {}, {}, epilogue.activation}, N, O, P);
      return y;
    }
  }
  // The batch is cut into units of nb images that run on the pool with
  // single-threaded GEMMs (runUnits). Small planes make thin GEMMs, so a
  // unit unfolds its images side by side and scatters the result; a unit
  // of one large image is unfolded a few output lines at a time so that the
  // col tile stays in cache between im2col and the GEMM.
  const int64_t rows = cg * K, lines = g.out[0] * g.out[1];
  const bool pointwise = g.pointwise();
  const int64_t nb = imagesPerGemm(N, P, rows, sizeof(T));
  const int64_t units = (N + nb - 1) / nb;
  const int64_t lineBytes = rows * g.out[2] * int64_t(sizeof(T));
  const int64_t tile = std::clamp<int64_t>(
      kTileBytes / std::max<int64_t>(1, lineBytes), 1, lines);
  // Every unit writes its own images: no partial sums.
  const UnitPlan plan = planUnits(units, /*partialSums=*/false);
  runUnits(plan, units, [&](int64_t, int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      int64_t n0 = u * nb, cnt = std::min(nb, N - n0);
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        const T *wg = wd + gr * og * rows;
        const T *xg = xd + (n0 * C + gr * cg) * inPlane;
        T *yg = yd + (n0 * O + gr * og) * P;
        if (cnt == 1 && pointwise) {
          gemm(false, false, og, P, cg, T(1), wg, cg, xg, P, T(0), yg, P);
          continue;
        }
        if (cnt == 1) {
          T *col = scratch<T>(0, rows * tile * g.out[2]);
          for (int64_t l0 = 0; l0 < lines; l0 += tile) {
            int64_t l1 = std::min(lines, l0 + tile), ld = (l1 - l0) * g.out[2];
            im2col(xg, C * inPlane, 1, cg, g, l0, l1, col, ld);
            gemm(false, false, og, ld, rows, T(1), wg, rows, col, ld, T(0),
                 yg + l0 * g.out[2], P);
          }
          continue;
        }
        int64_t ld = cnt * P;
        T *col = scratch<T>(0, rows * ld);
        T *tmp = scratch<T>(1, og * ld);
        im2col(xg, C * inPlane, cnt, cg, g, 0, lines, col, ld);
        gemm(false, false, og, ld, rows, T(1), wg, rows, col, ld, T(0), tmp,
             ld);
        for (int64_t i = 0; i < cnt; ++i)
          for (int64_t oc = 0; oc < og; ++oc)
            std::memcpy(yg + (i * O + oc) * P, tmp + oc * ld + i * P,
                        sizeof(T) * P);
      }
    }
  });
  addBias(yd, bias, N, O, P);
  applyEpilogue(yd, epilogue, N, O, P);
  return y;
}

/// Scatters the GEMM result col [og * K, inPlane] (rows `ldcol` apart) of
/// one image and group onto its og output planes (each task owns one plane,
/// so no races).
template <class T>
void foldTransposed(const T *col, int64_t ldcol, int64_t og, const Geometry &g,
                    T *y) {
  const int64_t K = g.kernelSize(), Pout = g.outPlane();
  const int64_t *k = g.kernel, *o = g.out, *in = g.in, *s = g.stride,
                *d = g.dil, *p = g.pad;
  parallelFor(0, og, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t oc = lo; oc < hi; ++oc) {
      T *dst = y + oc * Pout;
      for (int64_t kd = 0; kd < k[0]; ++kd)
        for (int64_t kh = 0; kh < k[1]; ++kh)
          for (int64_t kw = 0; kw < k[2]; ++kw) {
            const T *crow =
                col + (oc * K + (kd * k[1] + kh) * k[2] + kw) * ldcol;
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
  // Small input planes (a generator's first layers) make thin GEMMs, so a
  // unit multiplies the planes of several images side by side:
  // col [og * K, cnt * Pin] = W_g^T [og * K, cg] x X_g [cg, cnt * Pin].
  // Units run on the pool with single-threaded GEMMs when there are enough.
  const int64_t nb = imagesPerGemm(N, Pin, og * K, sizeof(T));
  const int64_t units = (N + nb - 1) / nb;
  const UnitPlan plan = planUnits(units, /*partialSums=*/false);
  runUnits(plan, units, [&](int64_t, int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t n0 = u * nb, cnt = std::min(nb, N - n0), ld = cnt * Pin;
      T *col = scratch<T>(0, og * K * ld);
      T *xs = cnt > 1 ? scratch<T>(1, cg * ld) : nullptr;
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        const T *xg = xd + (n0 * C + gr * cg) * Pin;
        if (cnt > 1) {
          for (int64_t i = 0; i < cnt; ++i)
            for (int64_t c = 0; c < cg; ++c)
              std::memcpy(xs + c * ld + i * Pin, xg + (i * C + c) * Pin,
                          sizeof(T) * Pin);
          xg = xs;
        }
        gemm(true, false, og * K, ld, cg, T(1), wd + gr * cg * og * K, og * K,
             xg, ld, T(0), col, ld);
        for (int64_t i = 0; i < cnt; ++i)
          foldTransposed(col + i * Pin, ld, og, g,
                         yd + ((n0 + i) * O + gr * og) * Pout);
      }
    }
  });
  addBias(yd, bias, N, O, Pout);
  return y;
}

} // namespace

Tensor kernels::conv(const Tensor &x, const Tensor &w, const Tensor &bias,
                     const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &padding,
                     const std::vector<int64_t> &dilation, int64_t groups,
                     const Epilogue &epilogue) {
  if (isHalf(x.dtype())) {
    return cast(conv(widenHalf(x), widenHalf(w), widenHalf(bias), stride,
                     padding, dilation, groups, widen(epilogue)),
                x.dtype());
  }
  Geometry g = makeGeometry(x, w, stride, padding, dilation, groups);
  g.outChannels = w.dim(0);
  for (int64_t j = 0; j < 3; ++j) {
    int64_t span = g.in[j] + 2 * g.pad[j] - g.dil[j] * (g.kernel[j] - 1) - 1;
    g.out[j] = span < 0 ? 0 : span / g.stride[j] + 1;
  }
  return dispatchFloat(x.dtype(), "conv", [&](auto tag) {
    return convTyped<decltype(tag)>(x, w, bias, g, epilogue);
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
