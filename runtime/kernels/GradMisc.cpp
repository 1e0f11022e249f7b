//===- GradMisc.cpp - Backward of activations, pooling, norm, GNN ops -----===//
//
// Pointwise gradients run as one parallel flat loop (mapGrad) with PyTorch's
// derivative formulas, including its choices at kinks (x == 0) and ties.
// Broadcasting binary ops compute the gradient at the broadcast shape and
// sum it back (sumToShape). Transposed convolution reuses the convolution
// kernels, being their adjoint. Scatter-style gradients split the work so
// that no two tasks write the same element.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/GradMisc.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Conv.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// PyTorch's SELU constants (as in Elementwise.cpp).
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

/// out[i] = f(g[i], a[i], b[i]) over same-shaped tensors, in parallel.
template <class F>
Tensor mapGrad(const char *name, const Tensor &g, const Tensor &a,
               const Tensor &b, F f) {
  return dispatchFloat(g.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    Tensor out = Tensor::uninitialized(g.dtype(), g.shape());
    const T *gd = g.data<T>(), *ad = a.data<T>(), *bd = b.data<T>();
    T *o = out.data<T>();
    parallelFor(0, g.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        o[i] = f(gd[i], ad[i], bd[i]);
    });
    return out;
  });
}

/// `full` (at the broadcast shape) summed to `shape`, without the copy
/// sumToShape makes when nothing was broadcast.
Tensor reduceTo(Tensor full, const Shape &shape) {
  return full.shape() == shape ? full : sumToShape(full, shape);
}

/// Products of the dims before and after `axis`.
void aroundAxis(const Shape &s, int64_t axis, int64_t &outer, int64_t &inner) {
  outer = inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= s[d];
  for (size_t d = axis + 1; d < s.size(); ++d)
    inner *= s[d];
}

/// Adaptive pooling windows, spatial dims padded to three as in Pool.cpp:
/// output cell o of dim j covers inputs [start, end) with
/// start = floor(o * in / out), end = ceil((o + 1) * in / out).
struct AdaptiveDims {
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  std::vector<int64_t> start[3], end[3];
  int64_t inPlane() const { return in[0] * in[1] * in[2]; }
  int64_t outPlane() const { return out[0] * out[1] * out[2]; }
};

AdaptiveDims adaptiveDims(const Shape &inShape, const Shape &outShape) {
  AdaptiveDims g;
  int64_t r = int64_t(inShape.size()) - 2;
  for (int64_t i = 0; i < r; ++i) {
    g.in[3 - r + i] = inShape[2 + i];
    g.out[3 - r + i] = outShape[2 + i];
  }
  for (int j = 0; j < 3; ++j)
    for (int64_t o = 0; o < g.out[j]; ++o) {
      g.start[j].push_back(o * g.in[j] / g.out[j]);
      g.end[j].push_back(((o + 1) * g.in[j] + g.out[j] - 1) / g.out[j]);
    }
  return g;
}

template <class T>
Tensor adaptivePoolBackwardT(const Tensor &gy, const Tensor *x,
                             const Shape &inShape) {
  Tensor dx(gy.dtype(), inShape);
  if (dx.numel() == 0 || gy.numel() == 0)
    return dx;
  AdaptiveDims g = adaptiveDims(inShape, gy.shape());
  int64_t I = g.inPlane(), P = g.outPlane(), planes = inShape[0] * inShape[1];
  const T *gd = gy.data<T>(), *xd = x ? x->data<T>() : nullptr;
  T *dd = dx.data<T>();
  // Windows overlap, but each task owns whole planes.
  parallelFor(
      0, planes, std::max<int64_t>(1, 4096 / P), [&](int64_t lo, int64_t hi) {
        for (int64_t plane = lo; plane < hi; ++plane) {
          const T *src = xd ? xd + plane * I : nullptr, *gp = gd + plane * P;
          T *dst = dd + plane * I;
          for (int64_t od = 0; od < g.out[0]; ++od)
            for (int64_t oh = 0; oh < g.out[1]; ++oh)
              for (int64_t ow = 0; ow < g.out[2]; ++ow) {
                int64_t d0 = g.start[0][od], d1 = g.end[0][od];
                int64_t h0 = g.start[1][oh], h1 = g.end[1][oh];
                int64_t w0 = g.start[2][ow], w1 = g.end[2][ow];
                T gv = gp[(od * g.out[1] + oh) * g.out[2] + ow];
                if (src) {
                  // The forward's scan order and update rule.
                  T m = -std::numeric_limits<T>::infinity();
                  int64_t arg = -1;
                  for (int64_t id = d0; id < d1; ++id)
                    for (int64_t ih = h0; ih < h1; ++ih)
                      for (int64_t iw = w0; iw < w1; ++iw) {
                        int64_t i = (id * g.in[1] + ih) * g.in[2] + iw;
                        if (arg < 0 || src[i] > m || src[i] != src[i]) {
                          m = src[i];
                          arg = i;
                        }
                      }
                  if (arg >= 0)
                    dst[arg] += gv;
                  continue;
                }
                T share = gv / T((d1 - d0) * (h1 - h0) * (w1 - w0));
                for (int64_t id = d0; id < d1; ++id)
                  for (int64_t ih = h0; ih < h1; ++ih) {
                    T *row = dst + (id * g.in[1] + ih) * g.in[2];
                    for (int64_t iw = w0; iw < w1; ++iw)
                      row[iw] += share;
                  }
              }
        }
      });
  return dx;
}

template <class T>
NormGrads groupNormBackwardT(const Tensor &gy, const Tensor &x,
                             const Tensor &weight, bool hasBias, int64_t G,
                             double eps) {
  const int64_t N = x.dim(0), C = x.dim(1);
  const int64_t inner =
      numElements(Shape(x.shape().begin() + 2, x.shape().end()));
  const int64_t perGroup = C / G, M = perGroup * inner;
  const T *xd = x.data<T>(), *gd = gy.data<T>();
  const T *wd = weight.defined() ? weight.data<T>() : nullptr;
  NormGrads r;
  r.input = Tensor(x.dtype(), x.shape());
  T *dx = r.input.data<T>();
  std::vector<double> means(N * G, 0.0), rstds(N * G, 0.0);
  // Channels of one group are adjacent, so each (n, g) block of M values is
  // contiguous; dX = rstd (gw - mean(gw) - xhat mean(gw xhat)), gw = dY w.
  parallelFor(
      0, N * G, std::max<int64_t>(1, 4096 / (M + 1)),
      [&](int64_t lo, int64_t hi) {
        for (int64_t t = lo; t < hi; ++t) {
          if (M == 0)
            continue;
          const T *xs = xd + t * M, *gs = gd + t * M;
          double mu = laneSum(xs, M) / double(M);
          double rstd =
              1.0 / std::sqrt(laneSquaredDeviation(xs, M, mu) / M + eps);
          means[t] = mu;
          rstds[t] = rstd;
          double sumG = 0, sumGX = 0;
          for (int64_t j = 0; j < perGroup; ++j) {
            int64_t c = (t % G) * perGroup + j;
            double w = wd ? double(wd[c]) : 1.0;
            for (int64_t i = j * inner; i < (j + 1) * inner; ++i) {
              double gw = double(gs[i]) * w;
              sumG += gw;
              sumGX += gw * (double(xs[i]) - mu) * rstd;
            }
          }
          T *ds = dx + t * M;
          for (int64_t j = 0; j < perGroup; ++j) {
            int64_t c = (t % G) * perGroup + j;
            double w = wd ? double(wd[c]) : 1.0;
            for (int64_t i = j * inner; i < (j + 1) * inner; ++i) {
              double xhat = (double(xs[i]) - mu) * rstd;
              ds[i] =
                  T(rstd * (double(gs[i]) * w - sumG / M - xhat * sumGX / M));
            }
          }
        }
      });
  if (!wd && !hasBias)
    return r;
  if (wd)
    r.weight = Tensor(x.dtype(), {C});
  if (hasBias)
    r.bias = Tensor(x.dtype(), {C});
  // Parameter gradients: per channel, summed over the batch.
  parallelFor(0, C, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; ++c) {
      double dw = 0, db = 0;
      for (int64_t n = 0; n < N; ++n) {
        int64_t t = n * G + c / perGroup;
        const T *xs = xd + (n * C + c) * inner, *gs = gd + (n * C + c) * inner;
        for (int64_t i = 0; i < inner; ++i) {
          dw += double(gs[i]) * (double(xs[i]) - means[t]) * rstds[t];
          db += double(gs[i]);
        }
      }
      if (wd)
        r.weight.data<T>()[c] = T(dw);
      if (hasBias)
        r.bias.data<T>()[c] = T(db);
    }
  });
  return r;
}

template <class T>
Tensor scatterReduceBackwardT(const Tensor &gy, const Tensor &src,
                              const std::vector<int64_t> &ids,
                              ScatterReduce reduce, const Tensor &y) {
  const int64_t N = gy.dim(0), E = int64_t(ids.size());
  const int64_t F =
      numElements(Shape(src.shape().begin() + 1, src.shape().end()));
  Tensor ds(src.dtype(), src.shape());
  if (F == 0 || E == 0)
    return ds;
  const T *gd = gy.data<T>(), *sd = src.data<T>();
  const T *yd = y.defined() ? y.data<T>() : nullptr;
  T *o = ds.data<T>();
  std::vector<int64_t> counts(N, 0);
  for (int64_t e = 0; e < E; ++e)
    if (ids[e] >= 0 && ids[e] < N)
      ++counts[ids[e]];
  const bool extremum =
      reduce == ScatterReduce::Max || reduce == ScatterReduce::Min;
  // Each task owns a column range of every row, as in the forward.
  parallelFor(0, F, 256, [&](int64_t lo, int64_t hi) {
    const int64_t W = hi - lo;
    std::vector<T> best, ties;
    if (extremum) {
      // The forward's result on these columns: given, or recomputed with
      // its update rule (rows that receive nothing stay 0).
      best.assign(size_t(N * W), T(0));
      if (yd) {
        for (int64_t n = 0; n < N; ++n)
          std::copy(yd + n * F + lo, yd + n * F + hi, best.begin() + n * W);
      } else {
        std::vector<char> seen(size_t(N), 0);
        for (int64_t e = 0; e < E; ++e) {
          int64_t n = ids[e];
          if (n < 0 || n >= N)
            continue;
          T *d = best.data() + n * W;
          const T *s = sd + e * F + lo;
          for (int64_t f = 0; f < W; ++f) {
            bool better =
                reduce == ScatterReduce::Max ? s[f] > d[f] : s[f] < d[f];
            d[f] = (!seen[n] || better || s[f] != s[f]) ? s[f] : d[f];
          }
          seen[n] = 1;
        }
      }
      // PyTorch: N = (self == y) + sum of (src == y) per destination, with
      // the zero self counted even though include_self=False.
      ties.resize(size_t(N * W));
      for (int64_t i = 0; i < N * W; ++i)
        ties[i] = best[i] == T(0) ? T(1) : T(0);
      for (int64_t e = 0; e < E; ++e) {
        int64_t n = ids[e];
        if (n < 0 || n >= N)
          continue;
        for (int64_t f = 0; f < W; ++f)
          ties[n * W + f] +=
              sd[e * F + lo + f] == best[n * W + f] ? T(1) : T(0);
      }
    }
    for (int64_t e = 0; e < E; ++e) {
      int64_t n = ids[e];
      if (n < 0 || n >= N)
        continue;
      const T *g = gd + n * F;
      T *d = o + e * F;
      switch (reduce) {
      case ScatterReduce::Sum:
        for (int64_t f = lo; f < hi; ++f)
          d[f] = g[f];
        break;
      case ScatterReduce::Mean:
        for (int64_t f = lo; f < hi; ++f)
          d[f] = g[f] / T(counts[n]);
        break;
      case ScatterReduce::Max:
      case ScatterReduce::Min:
        // A mask times the share, not a branch: a NaN result (no src equal
        // to it, N = 0) gives 0 * inf = NaN like PyTorch.
        for (int64_t f = lo; f < hi; ++f)
          d[f] = (sd[e * F + f] == best[n * W + f - lo] ? T(1) : T(0)) *
                 (g[f] / ties[n * W + f - lo]);
        break;
      }
    }
  });
  return ds;
}

} // namespace

//===----------------------------------------------------------------------===//
// Activations and binary ops
//===----------------------------------------------------------------------===//

Tensor kernels::unaryBackward(UnaryOp op, const Tensor &g, const Tensor &x,
                              const Tensor &output) {
  auto result = [&] { return output.defined() ? output : unary(op, x); };
  switch (op) {
  case UnaryOp::Relu:
    return reluBackward(g, x);
  case UnaryOp::Sigmoid:
    return sigmoidBackward(g, result());
  case UnaryOp::Tanh:
    return tanhBackward(g, result());
  case UnaryOp::Silu:
    return mapGrad("siluBackward", g, x, x, [](auto gv, auto xv, auto) {
      using T = decltype(gv);
      T s = T(1) / (T(1) + std::exp(-xv));
      return gv * s * (T(1) + xv * (T(1) - s));
    });
  case UnaryOp::Selu:
    // elu_backward with selu's coefficients; x == 0 takes the exp branch.
    return mapGrad("seluBackward", g, x, x, [](auto gv, auto xv, auto) {
      using T = decltype(gv);
      return xv <= T(0) ? gv * T(kSeluScale * kSeluAlpha) * std::exp(xv)
                        : gv * T(kSeluScale);
    });
  case UnaryOp::Exp:
    return mapGrad("expBackward", g, result(), result(),
                   [](auto gv, auto yv, auto) { return gv * yv; });
  case UnaryOp::Log:
    return mapGrad("logBackward", g, x, x,
                   [](auto gv, auto xv, auto) { return gv / xv; });
  case UnaryOp::Sqrt: {
    Tensor y = result();
    return mapGrad("sqrtBackward", g, y, y, [](auto gv, auto yv, auto) {
      return gv / (decltype(gv)(2) * yv);
    });
  }
  case UnaryOp::Rsqrt: {
    Tensor y = result();
    return mapGrad("rsqrtBackward", g, y, y, [](auto gv, auto yv, auto) {
      return decltype(gv)(-0.5) * gv * yv * yv * yv;
    });
  }
  case UnaryOp::Abs:
    return mapGrad("absBackward", g, x, x, [](auto gv, auto xv, auto) {
      using T = decltype(gv);
      return xv > T(0) ? gv : xv < T(0) ? -gv : T(0);
    });
  case UnaryOp::Neg:
    return mapGrad("negBackward", g, g, g,
                   [](auto gv, auto, auto) { return -gv; });
  }
  return Tensor();
}

Tensor kernels::eluBackward(const Tensor &g, const Tensor &x, double alpha) {
  return mapGrad("eluBackward", g, x, x, [alpha](auto gv, auto xv, auto) {
    using T = decltype(gv);
    return xv <= T(0) ? gv * T(alpha) * std::exp(xv) : gv;
  });
}

Tensor kernels::leakyReluBackward(const Tensor &g, const Tensor &x,
                                  double negativeSlope) {
  return mapGrad("leakyReluBackward", g, x, x,
                 [negativeSlope](auto gv, auto xv, auto) {
                   using T = decltype(gv);
                   return xv > T(0) ? gv : gv * T(negativeSlope);
                 });
}

Tensor kernels::softplusBackward(const Tensor &g, const Tensor &x, double beta,
                                 double threshold) {
  return mapGrad("softplusBackward", g, x, x,
                 [beta, threshold](auto gv, auto xv, auto) {
                   using T = decltype(gv);
                   T bx = xv * T(beta);
                   if (bx > T(threshold))
                     return gv;
                   T z = std::exp(bx);
                   return gv * z / (z + T(1));
                 });
}

PreluGrads kernels::preluBackward(const Tensor &g, const Tensor &x,
                                  const Tensor &weight) {
  return dispatchFloat(x.dtype(), "preluBackward", [&](auto tag) {
    using T = decltype(tag);
    PreluGrads r{Tensor::uninitialized(x.dtype(), x.shape()),
                 Tensor(x.dtype(), weight.shape())};
    const T *xd = x.data<T>(), *gd = g.data<T>(), *w = weight.data<T>();
    T *dx = r.input.data<T>();
    // Slope of element i: 0 for a single slope, else its channel (as in the
    // forward): planes of `inner` elements cycle through the channels.
    int64_t channels = weight.numel() == 1 ? 1 : x.dim(1);
    int64_t inner = 1;
    for (int64_t d = 2; channels > 1 && d < x.rank(); ++d)
      inner *= x.dim(d);
    int64_t planes = inner == 0 ? 0 : x.numel() / inner;
    parallelFor(0, planes,
                std::max<int64_t>(1, kElementwiseGrain / (inner + 1)),
                [&](int64_t lo, int64_t hi) {
                  for (int64_t p = lo; p < hi; ++p) {
                    T a = w[channels == 1 ? 0 : p % channels];
                    const T *xs = xd + p * inner, *gs = gd + p * inner;
                    T *ds = dx + p * inner;
                    for (int64_t i = 0; i < inner; ++i)
                      ds[i] = xs[i] > T(0) ? gs[i] : a * gs[i];
                  }
                });
    // dW[c] = sum of x dY over channel c's elements with x <= 0.
    parallelFor(0, channels, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t c = lo; c < hi; ++c) {
        double acc = 0;
        for (int64_t p = c; p < planes; p += channels) {
          const T *xs = xd + p * inner, *gs = gd + p * inner;
          for (int64_t i = 0; i < inner; ++i)
            acc += xs[i] > T(0) ? 0.0 : double(xs[i]) * double(gs[i]);
        }
        r.weight.template data<T>()[c] = T(acc);
      }
    });
    return r;
  });
}

BinaryGrads kernels::binaryOpBackward(BinaryOp op, const Tensor &g,
                                      const Tensor &lhs, const Tensor &rhs) {
  if (op != BinaryOp::Pow && op != BinaryOp::Maximum && op != BinaryOp::Minimum)
    return binaryBackward(op, g, lhs, rhs);
  // The formulas compare the operands elementwise, so both are materialised
  // at the broadcast (= gradient) shape first.
  Tensor a = expand(lhs, g.shape()), b = expand(rhs, g.shape());
  Tensor da, db;
  if (op == BinaryOp::Pow) {
    da = mapGrad("powBackward", g, a, b, [](auto gv, auto av, auto bv) {
      using T = decltype(gv);
      return bv == T(0) ? T(0) : gv * bv * std::pow(av, bv - T(1));
    });
    db = mapGrad("powBackward", g, a, b, [](auto gv, auto av, auto bv) {
      using T = decltype(gv);
      return av == T(0) && bv >= T(0) ? T(0)
                                      : gv * std::pow(av, bv) * std::log(av);
    });
  } else {
    // PyTorch: where(a == b, dY / 2, dY) masked to 0 where the other operand
    // wins; comparisons with NaN are false, so NaN sends dY to both.
    bool isMax = op == BinaryOp::Maximum;
    auto share = [isMax](bool forLhs) {
      return [isMax, forLhs](auto gv, auto av, auto bv) {
        using T = decltype(gv);
        bool loses = (isMax == forLhs) ? av < bv : av > bv;
        return loses ? T(0) : av == bv ? gv / T(2) : gv;
      };
    };
    da = mapGrad("maximumMinimumBackward", g, a, b, share(true));
    db = mapGrad("maximumMinimumBackward", g, a, b, share(false));
  }
  return {reduceTo(da, lhs.shape()), reduceTo(db, rhs.shape())};
}

//===----------------------------------------------------------------------===//
// Adaptive pooling, group norm, transposed convolution
//===----------------------------------------------------------------------===//

Tensor kernels::adaptiveAvgPoolBackward(const Tensor &g,
                                        const Shape &inputShape) {
  return dispatchFloat(g.dtype(), "adaptiveAvgPoolBackward", [&](auto tag) {
    return adaptivePoolBackwardT<decltype(tag)>(g, nullptr, inputShape);
  });
}

Tensor kernels::adaptiveMaxPoolBackward(const Tensor &g, const Tensor &x) {
  return dispatchFloat(x.dtype(), "adaptiveMaxPoolBackward", [&](auto tag) {
    return adaptivePoolBackwardT<decltype(tag)>(g, &x, x.shape());
  });
}

NormGrads kernels::groupNormBackward(const Tensor &g, const Tensor &x,
                                     const Tensor &weight, bool hasBias,
                                     int64_t numGroups, double epsilon) {
  return dispatchFloat(x.dtype(), "groupNormBackward", [&](auto tag) {
    return groupNormBackwardT<decltype(tag)>(g, x, weight, hasBias, numGroups,
                                             epsilon);
  });
}

ConvGrads kernels::convTransposeBackward(
    const Tensor &g, const Tensor &x, const Tensor &w, bool hasBias,
    const std::vector<int64_t> &stride, const std::vector<int64_t> &padding,
    const std::vector<int64_t> &outputPadding,
    const std::vector<int64_t> &dilation, int64_t groups) {
  // y = convTranspose(x, W) = A^T x, where A z = conv(z, W) maps the
  // output's space [N, O, *Sy] to the input's [N, C, *Sx] (W [C, O / groups,
  // *K] is a convolution weight with C outputs). output_padding < stride
  // (or dilation) makes conv(dY) land exactly on x's shape, so it only
  // fixed the forward's output size.
  (void)outputPadding;
  ConvGrads r;
  r.input = conv(g, w, Tensor(), stride, padding, dilation, groups);
  // <dY, A^T x> = <A dY, x>: dW is the convolution's weight gradient at
  // input dY with output gradient x. convBackward also forms that
  // convolution's input gradient, which is discarded: no separate
  // im2col/GEMM weight-gradient loop is duplicated here.
  r.weight =
      convBackward(x, g, w, false, stride, padding, dilation, groups).weight;
  if (hasBias) {
    int64_t N = g.dim(0), O = g.dim(1);
    int64_t P = numElements(Shape(g.shape().begin() + 2, g.shape().end()));
    r.bias = Tensor(g.dtype(), {O});
    dispatchFloat(g.dtype(), "convTransposeBackward", [&](auto tag) {
      using T = decltype(tag);
      const T *gd = g.data<T>();
      T *db = r.bias.data<T>();
      for (int64_t o = 0; o < O; ++o) {
        double s = 0;
        for (int64_t n = 0; n < N; ++n)
          s += laneSum(gd + (n * O + o) * P, P);
        db[o] = T(s);
      }
    });
  }
  return r;
}

//===----------------------------------------------------------------------===//
// GNN message passing
//===----------------------------------------------------------------------===//

Tensor kernels::gatherBackward(const Tensor &g, const Tensor &index,
                               int64_t axis, const Shape &inputShape) {
  std::vector<int64_t> ids = readIndices(index, "gatherBackward");
  int64_t a = normalizeAxis(axis, int64_t(inputShape.size()));
  int64_t outer, inner, size = inputShape[a], m = int64_t(ids.size());
  aroundAxis(inputShape, a, outer, inner);
  return dispatchFloat(g.dtype(), "gatherBackward", [&](auto tag) {
    using T = decltype(tag);
    Tensor dx(g.dtype(), inputShape);
    if (dx.numel() == 0 || g.numel() == 0)
      return dx;
    const T *gd = g.data<T>();
    T *o = dx.data<T>();
    // Repeated indices accumulate into one slice, so a task owns an outer
    // slice and a column range of it and walks all indices in order.
    const int64_t chunk = 256, chunks = (inner + chunk - 1) / chunk;
    parallelFor(0, outer * chunks,
                std::max<int64_t>(1, 16384 / (m * chunk + 1)),
                [&](int64_t lo, int64_t hi) {
                  for (int64_t t = lo; t < hi; ++t) {
                    int64_t k = t / chunks, c0 = (t % chunks) * chunk;
                    int64_t c1 = std::min(inner, c0 + chunk);
                    for (int64_t j = 0; j < m; ++j) {
                      if (ids[j] < 0 || ids[j] >= size)
                        continue;
                      const T *s = gd + (k * m + j) * inner;
                      T *d = o + (k * size + ids[j]) * inner;
                      for (int64_t c = c0; c < c1; ++c)
                        d[c] += s[c];
                    }
                  }
                });
    return dx;
  });
}

Tensor kernels::scatterReduceBackward(const Tensor &g, const Tensor &src,
                                      const Tensor &index, ScatterReduce reduce,
                                      const Tensor &output) {
  std::vector<int64_t> ids = readIndices(index, "scatterReduceBackward");
  return dispatchFloat(src.dtype(), "scatterReduceBackward", [&](auto tag) {
    return scatterReduceBackwardT<decltype(tag)>(g, src, ids, reduce, output);
  });
}
