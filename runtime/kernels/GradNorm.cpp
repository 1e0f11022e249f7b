//===- GradNorm.cpp - Backward of batch and layer normalisation -----------===//
//
// Both use the closed form dX = invStd / M * (M g - sum(g) - xhat
// sum(g xhat)) with g = dY * weight, M the count each statistic was taken
// over; the sums are accumulated in double.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Grad.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/KernelUtil.h"

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// sumG += sum g[i] and sumGX += sum g[i] (x[i] - mu) in double with
/// independent lanes (as laneSum): vectorises, and the fixed lane order
/// keeps the result deterministic.
template <class T>
void laneSums(const T *g, const T *x, int64_t n, double mu, double &sumG,
              double &sumGX) {
  constexpr int L = 8;
  double a[L] = {}, b[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j) {
      double gv = double(g[i + j]);
      a[j] += gv;
      b[j] += gv * (double(x[i + j]) - mu);
    }
  double sa = 0, sb = 0;
  for (; i < n; ++i) {
    sa += double(g[i]);
    sb += double(g[i]) * (double(x[i]) - mu);
  }
  for (int j = 0; j < L; ++j) {
    sa += a[j];
    sb += b[j];
  }
  sumG += sa;
  sumGX += sb;
}

template <class T>
NormGrads batchNormBackwardT(const Tensor &gy, const Tensor &x,
                             const Tensor &weight, const Tensor &mean,
                             const Tensor &invStd) {
  int64_t N = x.dim(0), C = x.dim(1);
  int64_t inner = C > 0 && N > 0 ? x.numel() / (N * C) : 0;
  double M = double(N * inner);
  NormGrads r;
  // Every element is written below (none when M == 0: then x is empty).
  r.input = Tensor::uninitialized(x.dtype(), x.shape());
  bool affine = weight.defined();
  if (affine) {
    r.weight = Tensor(x.dtype(), {C});
    r.bias = Tensor(x.dtype(), {C});
  }
  const T *xd = x.data<T>(), *gd = gy.data<T>();
  T *dx = r.input.data<T>();
  parallelFor(0, C, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; ++c) {
      double mu = double(mean.data<T>()[c]), is = double(invStd.data<T>()[c]);
      double w = affine ? double(weight.data<T>()[c]) : 1.0;
      double sumG = 0, sumGX = 0;
      for (int64_t n = 0; n < N; ++n) {
        const T *xs = xd + (n * C + c) * inner, *gs = gd + (n * C + c) * inner;
        laneSums(gs, xs, inner, mu, sumG, sumGX);
      }
      if (affine) {
        r.weight.data<T>()[c] = T(sumGX * is);
        r.bias.data<T>()[c] = T(sumG);
      }
      if (M == 0)
        continue;
      // dX = w is (g - mean(g) - xhat mean(g xhat)), xhat = (x - mu) is.
      T a = T(w * is), meanG = T(sumG / M), k = T(sumGX * is * is / M);
      T muT = T(mu);
      for (int64_t n = 0; n < N; ++n) {
        const T *xs = xd + (n * C + c) * inner, *gs = gd + (n * C + c) * inner;
        T *ds = dx + (n * C + c) * inner;
        for (int64_t i = 0; i < inner; ++i)
          ds[i] = a * (gs[i] - meanG - (xs[i] - muT) * k);
      }
    }
  });
  return r;
}

template <class T>
NormGrads layerNormBackwardT(const Tensor &gy, const Tensor &x,
                             const Tensor &weight, bool hasBias,
                             const std::vector<int64_t> &normalizedShape,
                             double eps) {
  int64_t D = numElements(normalizedShape);
  int64_t rows = D > 0 ? x.numel() / D : 0;
  NormGrads r;
  r.input = Tensor(x.dtype(), x.shape());
  const T *xd = x.data<T>(), *gd = gy.data<T>();
  const T *wd = weight.defined() ? weight.data<T>() : nullptr;
  T *dx = r.input.data<T>();
  std::vector<double> rstd(rows), means(rows);
  parallelFor(0, rows, std::max<int64_t>(1, 4096 / (D + 1)),
              [&](int64_t lo, int64_t hi) {
                std::vector<double> g(D);
                for (int64_t row = lo; row < hi; ++row) {
                  const T *xs = xd + row * D, *gs = gd + row * D;
                  double mu = laneSum(xs, D) / double(D);
                  double is =
                      1.0 /
                      std::sqrt(laneSquaredDeviation(xs, D, mu) / D + eps);
                  means[row] = mu;
                  rstd[row] = is;
                  double sumG = 0, sumGX = 0;
                  for (int64_t i = 0; i < D; ++i) {
                    g[i] = double(gs[i]) * (wd ? double(wd[i]) : 1.0);
                    sumG += g[i];
                    sumGX += g[i] * (double(xs[i]) - mu) * is;
                  }
                  T *ds = dx + row * D;
                  for (int64_t i = 0; i < D; ++i) {
                    double xhat = (double(xs[i]) - mu) * is;
                    ds[i] = T(is * (g[i] - sumG / D - xhat * sumGX / D));
                  }
                }
              });
  // Parameter gradients sum over rows; columns are independent.
  if (weight.defined() || hasBias) {
    std::vector<double> dw(D, 0.0), db(D, 0.0);
    for (int64_t row = 0; row < rows; ++row) {
      const T *xs = xd + row * D, *gs = gd + row * D;
      for (int64_t i = 0; i < D; ++i) {
        dw[i] += double(gs[i]) * (double(xs[i]) - means[row]) * rstd[row];
        db[i] += double(gs[i]);
      }
    }
    if (weight.defined()) {
      r.weight = Tensor(x.dtype(), normalizedShape);
      for (int64_t i = 0; i < D; ++i)
        r.weight.data<T>()[i] = T(dw[i]);
    }
    if (hasBias) {
      r.bias = Tensor(x.dtype(), normalizedShape);
      for (int64_t i = 0; i < D; ++i)
        r.bias.data<T>()[i] = T(db[i]);
    }
  }
  return r;
}

} // namespace

NormGrads kernels::batchNormTrainBackward(const Tensor &gy, const Tensor &x,
                                          const Tensor &weight,
                                          const Tensor &mean,
                                          const Tensor &invStd) {
  return dispatchFloat(x.dtype(), "batchNormTrainBackward", [&](auto tag) {
    return batchNormBackwardT<decltype(tag)>(gy, x, weight, mean, invStd);
  });
}

NormGrads kernels::layerNormBackward(
    const Tensor &gy, const Tensor &x, const Tensor &weight, bool hasBias,
    const std::vector<int64_t> &normalizedShape, double epsilon) {
  return dispatchFloat(x.dtype(), "layerNormBackward", [&](auto tag) {
    return layerNormBackwardT<decltype(tag)>(gy, x, weight, hasBias,
                                             normalizedShape, epsilon);
  });
}
