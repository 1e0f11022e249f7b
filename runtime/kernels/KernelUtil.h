//===- KernelUtil.h - Helpers shared by the forward kernels -----*- C++ -*-===//
//
// Internal to the kernel library (not part of its API, not in Kernels.h):
// dtype dispatch, axis and broadcast arithmetic, strided loop nests, a typed
// GEMM wrapper, accurate lane sums and the f16/bf16 round trip through f32.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_KERNELUTIL_H
#define NNC_RUNTIME_KERNELS_KERNELUTIL_H

#include "runtime/Tensor.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace nnc::rt::kernels::detail {

/// Reports a dtype the kernel does not implement and aborts: the executor
/// must not pass one (the verifier's type constraints rule them out).
[[noreturn]] void unsupportedDType(const char *kernel, DType type);

inline int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

/// numpy broadcasting: shapes aligned on the right, size-1 dims stretch.
Shape broadcastShapes(const Shape &a, const Shape &b);

/// Element strides that read a contiguous tensor of `shape` as if it had the
/// (right-aligned, broadcast) `target` shape: 0 where `shape` stretches.
std::vector<int64_t> broadcastStrides(const Shape &shape, const Shape &target);

/// Row-major element strides of a contiguous tensor.
std::vector<int64_t> contiguousStrides(const Shape &shape);

/// A loop nest over a contiguous output with K strided operands, after
/// dropping size-1 dims and merging dims that are contiguous for every
/// operand. The innermost dim is last; `sizes` is never empty (a scalar
/// becomes one dim of size 1).
struct LoopNest {
  Shape sizes;
  std::vector<std::vector<int64_t>> strides; // [operand][dim]
  int64_t inner() const { return sizes.back(); }
  int64_t rows() const { return numElements(sizes) / sizes.back(); }
  /// Element offset of operand `k` at the start of outer row `row`.
  int64_t rowOffset(size_t k, int64_t row) const;
};
LoopNest makeLoopNest(const Shape &sizes,
                      std::vector<std::vector<int64_t>> strides);

inline bool isHalf(DType t) { return t == DType::F16 || t == DType::BF16; }

/// `t` converted to f32 when it is f16 or bf16, otherwise `t` itself
/// (undefined stays undefined). The float kernels compute half types in f32.
Tensor widenHalf(const Tensor &t);

/// Calls f(T()) with T the C++ type of a float dtype (f32 or f64).
template <class F> decltype(auto) dispatchFloat(DType t, const char *k, F &&f) {
  switch (t) {
  case DType::F32:
    return f(float());
  case DType::F64:
    return f(double());
  default:
    unsupportedDType(k, t);
  }
}

/// Calls f(T()) for f32, f64, i64, i32 and i8.
template <class F>
decltype(auto) dispatchNumeric(DType t, const char *k, F &&f) {
  switch (t) {
  case DType::F32:
    return f(float());
  case DType::F64:
    return f(double());
  case DType::I64:
    return f(int64_t());
  case DType::I32:
    return f(int32_t());
  case DType::I8:
    return f(int8_t());
  default:
    unsupportedDType(k, t);
  }
}

/// Calls f(T()) with an unsigned integer type of the dtype's byte size, for
/// kernels that only move elements.
template <class F> decltype(auto) dispatchBySize(DType t, F &&f) {
  switch (dtypeSize(t)) {
  case 8:
    return f(uint64_t());
  case 4:
    return f(uint32_t());
  case 2:
    return f(uint16_t());
  default:
    return f(uint8_t());
  }
}

/// Reads a 1-D integer tensor (i8/i32/i64) as int64 values.
std::vector<int64_t> readIndices(const Tensor &index, const char *kernel);

/// Row-major C = alpha * op(A) * op(B) + beta * C with op(A) [m, k] and
/// op(B) [k, n]. Degenerate sizes are handled here (BLAS rejects lda = 0).
inline void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                 float alpha, const float *a, int64_t lda, const float *b,
                 int64_t ldb, float beta, float *c, int64_t ldc) {
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        c[i * ldc + j] = beta == 0 ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), alpha,
              a, int(std::max<int64_t>(1, lda)), b,
              int(std::max<int64_t>(1, ldb)), beta, c,
              int(std::max<int64_t>(1, ldc)));
}
inline void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                 double alpha, const double *a, int64_t lda, const double *b,
                 int64_t ldb, double beta, double *c, int64_t ldc) {
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        c[i * ldc + j] = beta == 0 ? 0.0 : beta * c[i * ldc + j];
    return;
  }
  cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), alpha,
              a, int(std::max<int64_t>(1, lda)), b,
              int(std::max<int64_t>(1, ldb)), beta, c,
              int(std::max<int64_t>(1, ldc)));
}

/// Sum of p[0..n) in double with independent lanes: vectorises without
/// reassociation flags and loses far less precision than a serial float sum.
template <class T> double laneSum(const T *p, int64_t n) {
  constexpr int L = 8;
  double acc[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j)
      acc[j] += double(p[i + j]);
  double s = 0;
  for (; i < n; ++i)
    s += double(p[i]);
  for (int j = 0; j < L; ++j)
    s += acc[j];
  return s;
}

/// Sum of (p[i] - mean)^2, the second pass of a two-pass variance.
template <class T>
double laneSquaredDeviation(const T *p, int64_t n, double mean) {
  constexpr int L = 8;
  double acc[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j) {
      double d = double(p[i + j]) - mean;
      acc[j] += d * d;
    }
  double s = 0;
  for (; i < n; ++i) {
    double d = double(p[i]) - mean;
    s += d * d;
  }
  for (int j = 0; j < L; ++j)
    s += acc[j];
  return s;
}

/// The counters o in [lo, hi) within [0, count) for which o * s + off lies
/// in [0, size): the taps of a convolution or pooling window that hit the
/// input, so inner loops need no bounds checks.
inline void validRange(int64_t off, int64_t s, int64_t size, int64_t count,
                       int64_t &lo, int64_t &hi) {
  lo = off >= 0 ? 0 : (-off + s - 1) / s;
  hi = size - 1 - off < 0 ? 0 : (size - 1 - off) / s + 1;
  lo = std::min(lo, count);
  hi = std::max(lo, std::min(hi, count));
}

/// exp(x) for float, branch-free so that loops calling it vectorise (the
/// libm call does not): Cody-Waite reduction x = n ln2 + r and Cephes'
/// degree-6 polynomial, within 2 ulp. Overflow gives inf, x < -87.3 gives 0
/// (the true result is below FLT_MIN), NaN stays NaN. Doubles use std::exp.
inline float fastExp(float x) {
  constexpr float kMax = 88.7228391f, kMin = -87.3f;
  float c = std::min(std::max(x, kMin), kMax);
  c = c != c ? 0.0f : c;
  float n = std::floor(c * 1.44269504088896341f + 0.5f);
  float r = c - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = p * r * r + r + 1.0f;
  // 2^n as two factors: n reaches 128, beyond a float exponent.
  int32_t n1 = int32_t(n) >> 1, n2 = int32_t(n) - n1;
  int32_t b1 = (n1 + 127) << 23, b2 = (n2 + 127) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, sizeof s1);
  std::memcpy(&s2, &b2, sizeof s2);
  y = y * s1 * s2;
  y = x > kMax ? std::numeric_limits<float>::infinity() : y;
  y = x < kMin ? 0.0f : y;
  return x != x ? x : y;
}
inline double fastExp(double x) { return std::exp(x); }

/// Grain (elements) below which elementwise work stays on one thread.
constexpr int64_t kElementwiseGrain = 1 << 15;

} // namespace nnc::rt::kernels::detail

#endif // NNC_RUNTIME_KERNELS_KERNELUTIL_H
