//===- Elementwise.cpp - Activations, softmax, prelu, dropout -------------===//
//
// Unary kernels share one parallel map over a contiguous buffer; the formula
// is a lambda inlined into the loop, so the compiler sees plain scalar code
// per element (vectorised where the math library allows).
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Elementwise.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/KernelUtil.h"
#include "runtime/kernels/Random.h"

#include <array>
#include <cmath>
#include <limits>
#include <type_traits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// y[i] = f(x[i]) for a tensor of C++ element type T.
template <class T, class F> Tensor mapTyped(const Tensor &x, F f) {
  Tensor y(x.dtype(), x.shape());
  const T *in = x.data<T>();
  T *out = y.data<T>();
  parallelFor(0, x.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i)
      out[i] = f(in[i]);
  });
  return y;
}

/// Applies the formula built by makeF(T()) to a float tensor; half types
/// round-trip through f32.
template <class MakeF>
Tensor floatMap(const Tensor &x, const char *name, MakeF makeF) {
  if (isHalf(x.dtype()))
    return cast(floatMap(widenHalf(x), name, makeF), x.dtype());
  return dispatchFloat(x.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    return mapTyped<T>(x, makeF(tag));
  });
}

/// Like floatMap but also accepts i8/i32/i64 (abs and neg).
template <class MakeF>
Tensor numericMap(const Tensor &x, const char *name, MakeF makeF) {
  if (isHalf(x.dtype()))
    return cast(numericMap(widenHalf(x), name, makeF), x.dtype());
  return dispatchNumeric(x.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    return mapTyped<T>(x, makeF(tag));
  });
}

/// -x without signed overflow: integers wrap like torch's.
template <class T> T negate(T v) {
  if constexpr (std::is_integral_v<T>)
    return T(std::make_unsigned_t<T>(0) - std::make_unsigned_t<T>(v));
  else
    return -v;
}

// SELU's constants, as in PyTorch (Klambauer et al. 2017).
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

/// Softmax (or log-softmax) of one contiguous row.
template <class T> void softmaxRow(const T *x, T *y, int64_t n, bool log) {
  // The row maximum in independent lanes, so that the loop vectorises.
  constexpr int L = 16;
  T lanes[L];
  for (T &l : lanes)
    l = -std::numeric_limits<T>::infinity();
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j)
      lanes[j] = x[i + j] > lanes[j] ? x[i + j] : lanes[j];
  T m = -std::numeric_limits<T>::infinity();
  for (; i < n; ++i)
    m = x[i] > m ? x[i] : m;
  for (T l : lanes)
    m = l > m ? l : m;
  for (i = 0; i < n; ++i)
    y[i] = fastExp(x[i] - m);
  double s = laneSum(y, n);
  if (log) {
    T shift = m + T(std::log(s));
    for (int64_t i = 0; i < n; ++i)
      y[i] = x[i] - shift;
  } else {
    T inv = T(1.0 / s);
    for (int64_t i = 0; i < n; ++i)
      y[i] *= inv;
  }
}

/// Softmax over the middle dim of [outer, len, inner] with inner > 1: runs
/// across a block of `inner` at a time so every loop is contiguous.
template <class T>
void softmaxStrided(const T *x, T *y, int64_t outer, int64_t len, int64_t inner,
                    bool log) {
  constexpr int64_t kBlock = 256;
  int64_t blocks = (inner + kBlock - 1) / kBlock;
  parallelFor(0, outer * blocks, 1, [&](int64_t lo, int64_t hi) {
    T m[kBlock];
    double s[kBlock];
    for (int64_t t = lo; t < hi; ++t) {
      int64_t o = t / blocks, j0 = (t % blocks) * kBlock;
      int64_t n = std::min(kBlock, inner - j0);
      const T *xs = x + o * len * inner + j0;
      T *ys = y + o * len * inner + j0;
      for (int64_t j = 0; j < n; ++j) {
        m[j] = -std::numeric_limits<T>::infinity();
        s[j] = 0;
      }
      for (int64_t r = 0; r < len; ++r)
        for (int64_t j = 0; j < n; ++j)
          m[j] = xs[r * inner + j] > m[j] ? xs[r * inner + j] : m[j];
      for (int64_t r = 0; r < len; ++r)
        for (int64_t j = 0; j < n; ++j) {
          T e = fastExp(xs[r * inner + j] - m[j]);
          ys[r * inner + j] = e;
          s[j] += e;
        }
      for (int64_t j = 0; j < n; ++j)
        s[j] = log ? double(m[j]) + std::log(s[j]) : 1.0 / s[j];
      for (int64_t r = 0; r < len; ++r)
        for (int64_t j = 0; j < n; ++j)
          ys[r * inner + j] =
              log ? xs[r * inner + j] - T(s[j]) : ys[r * inner + j] * T(s[j]);
    }
  });
}

Tensor softmaxImpl(const Tensor &x, int64_t axis, bool log) {
  if (isHalf(x.dtype()))
    return cast(softmaxImpl(widenHalf(x), axis, log), x.dtype());
  return dispatchFloat(x.dtype(), "softmax", [&](auto tag) {
    using T = decltype(tag);
    Tensor y(x.dtype(), x.shape());
    if (x.numel() == 0)
      return y;
    int64_t a = normalizeAxis(axis, x.rank());
    int64_t len = x.rank() == 0 ? 1 : x.dim(a);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < a; ++d)
      outer *= x.dim(d);
    for (int64_t d = a + 1; d < x.rank(); ++d)
      inner *= x.dim(d);
    const T *in = x.data<T>();
    T *out = y.data<T>();
    if (inner == 1) {
      int64_t grain = std::max<int64_t>(1, 4096 / len);
      parallelFor(0, outer, grain, [&](int64_t lo, int64_t hi) {
        for (int64_t r = lo; r < hi; ++r)
          softmaxRow(in + r * len, out + r * len, len, log);
      });
    } else {
      softmaxStrided(in, out, outer, len, inner, log);
    }
    return y;
  });
}

} // namespace

bool kernels::unaryOpFromName(const std::string &name, UnaryOp &op) {
  static const std::pair<const char *, UnaryOp> table[] = {
      {"relu", UnaryOp::Relu},   {"sigmoid", UnaryOp::Sigmoid},
      {"tanh", UnaryOp::Tanh},   {"silu", UnaryOp::Silu},
      {"selu", UnaryOp::Selu},   {"exp", UnaryOp::Exp},
      {"log", UnaryOp::Log},     {"sqrt", UnaryOp::Sqrt},
      {"rsqrt", UnaryOp::Rsqrt}, {"abs", UnaryOp::Abs},
      {"neg", UnaryOp::Neg}};
  for (const auto &[n, o] : table)
    if (name == n) {
      op = o;
      return true;
    }
  return false;
}

Tensor kernels::unary(UnaryOp op, const Tensor &x) {
  switch (op) {
  case UnaryOp::Relu:
    return floatMap(x, "relu", [](auto t) {
      using T = decltype(t);
      return [](T v) { return v < T(0) ? T(0) : v; };
    });
  case UnaryOp::Sigmoid:
    return floatMap(x, "sigmoid", [](auto t) {
      using T = decltype(t);
      return [](T v) { return T(1) / (T(1) + fastExp(-v)); };
    });
  case UnaryOp::Tanh:
    return floatMap(x, "tanh", [](auto t) {
      using T = decltype(t);
      return [](T v) { return std::tanh(v); };
    });
  case UnaryOp::Silu:
    return floatMap(x, "silu", [](auto t) {
      using T = decltype(t);
      return [](T v) { return v / (T(1) + fastExp(-v)); };
    });
  case UnaryOp::Selu:
    return floatMap(x, "selu", [](auto t) {
      using T = decltype(t);
      return [](T v) {
        return v > T(0) ? T(kSeluScale) * v
                        : T(kSeluScale * kSeluAlpha) * std::expm1(v);
      };
    });
  case UnaryOp::Exp:
    return floatMap(x, "exp", [](auto t) {
      using T = decltype(t);
      return [](T v) { return fastExp(v); };
    });
  case UnaryOp::Log:
    return floatMap(x, "log", [](auto t) {
      using T = decltype(t);
      return [](T v) { return std::log(v); };
    });
  case UnaryOp::Sqrt:
    return floatMap(x, "sqrt", [](auto t) {
      using T = decltype(t);
      return [](T v) { return std::sqrt(v); };
    });
  case UnaryOp::Rsqrt:
    return floatMap(x, "rsqrt", [](auto t) {
      using T = decltype(t);
      return [](T v) { return T(1) / std::sqrt(v); };
    });
  case UnaryOp::Abs:
    return numericMap(x, "abs", [](auto t) {
      using T = decltype(t);
      return [](T v) { return v < T(0) ? negate(v) : v; };
    });
  case UnaryOp::Neg:
    return numericMap(x, "neg", [](auto t) {
      using T = decltype(t);
      return [](T v) { return negate(v); };
    });
  }
  return Tensor();
}

Tensor kernels::gelu(const Tensor &x, bool tanhApproximation) {
  if (tanhApproximation)
    return floatMap(x, "gelu", [](auto t) {
      using T = decltype(t);
      return [](T v) { return geluTanhForm(v); };
    });
  return floatMap(x, "gelu", [](auto t) {
    using T = decltype(t);
    return [](T v) { return geluExact(v); };
  });
}

Tensor kernels::elu(const Tensor &x, double alpha) {
  return floatMap(x, "elu", [alpha](auto t) {
    using T = decltype(t);
    T a = T(alpha);
    return [a](T v) { return v > T(0) ? v : a * std::expm1(v); };
  });
}

Tensor kernels::leakyRelu(const Tensor &x, double negativeSlope) {
  return floatMap(x, "leaky_relu", [negativeSlope](auto t) {
    using T = decltype(t);
    T s = T(negativeSlope);
    return [s](T v) { return v > T(0) ? v : v * s; };
  });
}

Tensor kernels::softplus(const Tensor &x, double beta, double threshold) {
  return floatMap(x, "softplus", [beta, threshold](auto t) {
    using T = decltype(t);
    T b = T(beta), th = T(threshold);
    return [b, th](T v) {
      return v * b > th ? v : std::log1p(std::exp(v * b)) / b;
    };
  });
}

Tensor kernels::softmax(const Tensor &x, int64_t axis) {
  return softmaxImpl(x, axis, /*log=*/false);
}

Tensor kernels::logSoftmax(const Tensor &x, int64_t axis) {
  return softmaxImpl(x, axis, /*log=*/true);
}

Tensor kernels::prelu(const Tensor &x, const Tensor &weight) {
  if (isHalf(x.dtype()))
    return cast(prelu(widenHalf(x), widenHalf(weight)), x.dtype());
  return dispatchFloat(x.dtype(), "prelu", [&](auto tag) {
    using T = decltype(tag);
    Tensor y(x.dtype(), x.shape());
    const T *in = x.data<T>(), *w = weight.data<T>();
    T *out = y.data<T>();
    // Slope index of element i: 0 for a single slope, else its channel.
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
                    const T *xs = in + p * inner;
                    T *ys = out + p * inner;
                    for (int64_t i = 0; i < inner; ++i)
                      ys[i] = xs[i] > T(0) ? xs[i] : a * xs[i];
                  }
                });
    return y;
  });
}

Tensor kernels::dropout(const Tensor &x, double p, bool spatial, bool training,
                        uint64_t seed, uint64_t stream) {
  if (!training)
    return x;
  if (isHalf(x.dtype()))
    return cast(dropout(widenHalf(x), p, spatial, training, seed, stream),
                x.dtype());
  return dispatchFloat(x.dtype(), "dropout", [&](auto tag) {
    using T = decltype(tag);
    Tensor y(x.dtype(), x.shape());
    if (p >= 1)
      return y; // everything dropped; avoids scaling by infinity
    if (p <= 0)
      return x.clone();
    // A unit is one element, or with `spatial` one (n, c) slice; units go
    // four to a Philox block, one 64-bit word each.
    int64_t unit = 1;
    for (int64_t d = 2; spatial && d < x.rank(); ++d)
      unit *= x.dim(d);
    int64_t units = unit == 0 ? 0 : x.numel() / unit;
    int64_t blocks = (units + 3) / 4;
    const T *in = x.data<T>();
    T *out = y.data<T>();
    T scale = T(1.0 / (1.0 - p));
    parallelFor(
        0, blocks, std::max<int64_t>(1, kElementwiseGrain / (4 * unit + 1)),
        [&](int64_t lo, int64_t hi) {
          for (int64_t b = lo; b < hi; ++b) {
            std::array<uint64_t, 4> words =
                philox4x64({uint64_t(b), 0, 0, 0}, {seed, stream});
            for (int64_t u = 4 * b; u < std::min(units, 4 * b + 4); ++u) {
              if (double(words[u - 4 * b] >> 11) * 0x1.0p-53 < p)
                continue; // dropped: stays zero
              for (int64_t i = u * unit; i < (u + 1) * unit; ++i)
                out[i] = in[i] * scale;
            }
          }
        });
    return y;
  });
}
