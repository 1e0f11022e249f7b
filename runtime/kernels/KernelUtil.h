//===- KernelUtil.h - Helpers shared by the forward kernels -----*- C++ -*-===//
//
// Internal to the kernel library (not part of its API, not in Kernels.h):
// dtype dispatch, axis and broadcast arithmetic, strided loop nests, a typed
// GEMM wrapper, accurate lane sums, the f16/bf16 round trip through f32, and
// the convolution helpers (im2col/col2im, batch units with serial BLAS).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_KERNELUTIL_H
#define NNC_RUNTIME_KERNELS_KERNELUTIL_H

#include "runtime/Tensor.h"
#include "runtime/ThreadPool.h"
#include "runtime/kernels/Epilogue.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
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

inline void blasGemm(bool transA, bool transB, int m, int n, int k, float alpha,
                     const float *a, int lda, const float *b, int ldb,
                     float beta, float *c, int ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
              ldb, beta, c, ldc);
}
inline void blasGemm(bool transA, bool transB, int m, int n, int k,
                     double alpha, const double *a, int lda, const double *b,
                     int ldb, double beta, double *c, int ldc) {
  cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
              ldb, beta, c, ldc);
}

/// Multiply-adds below which a GEMM stays on one thread, and the fewest a
/// thread gets: a few microseconds of work, what handing a part to another
/// thread costs.
constexpr int64_t kGemmParallelMacs = int64_t(1) << 18;
constexpr int64_t kGemmMacsPerPart = int64_t(1) << 17;

/// row[j] = act(row[j]) over n values (defined below).
template <class T> void activateRow(Activation a, T *row, int64_t n);

/// What gemm applies to each part of C right after computing it, while the
/// part is still in cache (kernels::Epilogue as pointers, channels along
/// the columns): C[i, j] = act(C[i, j] * scale[j] + shift[j] +
/// residual[i * ldr + j]), each part optional.
template <class T> struct GemmEpilogue {
  const T *scale = nullptr, *shift = nullptr, *residual = nullptr;
  int64_t ldr = 0;
  Activation activation = Activation::None;

  /// Applies it to rows [i0, i1) and columns [j0, j1) of C, one simple
  /// loop per step so that each vectorises.
  void apply(T *c, int64_t ldc, int64_t i0, int64_t i1, int64_t j0,
             int64_t j1) const {
    if (!scale && !shift && !residual && activation == Activation::None)
      return;
    const int64_t n = j1 - j0;
    const T *sc = scale ? scale + j0 : nullptr;
    const T *sh = shift ? shift + j0 : nullptr;
    for (int64_t i = i0; i < i1; ++i) {
      T *row = c + i * ldc + j0;
      if (sc && sh)
        for (int64_t j = 0; j < n; ++j)
          row[j] = row[j] * sc[j] + sh[j];
      else if (sc)
        for (int64_t j = 0; j < n; ++j)
          row[j] *= sc[j];
      else if (sh)
        for (int64_t j = 0; j < n; ++j)
          row[j] += sh[j];
      if (residual) {
        const T *res = residual + i * ldr + j0;
        for (int64_t j = 0; j < n; ++j)
          row[j] += res[j];
      }
      activateRow(activation, row, n);
    }
  }
};

/// Row-major C = alpha * op(A) * op(B) + beta * C with op(A) [m, k] and
/// op(B) [k, n], then `epilogue` on each part of C as it is done.
/// Degenerate sizes are handled here (BLAS rejects lda = 0).
/// A large GEMM is split over the runtime's thread pool, by rows of C (by
/// columns when there are too few rows), each part one OpenBLAS call:
/// OpenBLAS itself runs single-threaded (see ThreadPool.cpp), so the runtime
/// has one pool and no second set of threads spinning against it. Every
/// element of C is computed by one call, so results do not depend on the
/// split beyond the kernel OpenBLAS picks for a part's shape.
template <class T>
void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, T alpha,
          const T *a, int64_t lda, const T *b, int64_t ldb, T beta, T *c,
          int64_t ldc, const GemmEpilogue<T> &epilogue = {}) {
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        c[i * ldc + j] = beta == 0 ? T(0) : beta * c[i * ldc + j];
    epilogue.apply(c, ldc, 0, m, 0, n);
    return;
  }
  int ilda = int(std::max<int64_t>(1, lda)),
      ildb = int(std::max<int64_t>(1, ldb)),
      ildc = int(std::max<int64_t>(1, ldc));
  int64_t macs = m * n * k;
  if (numThreads() == 1 || macs < kGemmParallelMacs) {
    blasGemm(transA, transB, int(m), int(n), int(k), alpha, a, ilda, b, ildb,
             beta, c, ildc);
    epilogue.apply(c, ldc, 0, m, 0, n);
    return;
  }
  // At most one part per thread: every call packs its operands again.
  int64_t threads = numThreads();
  int64_t rowGrain =
      std::max(kGemmMacsPerPart / (n * k), (m + threads - 1) / threads);
  if (rowGrain < m) {
    parallelFor(0, m, rowGrain, [&](int64_t i0, int64_t i1) {
      const T *rows = transA ? a + i0 : a + i0 * lda;
      blasGemm(transA, transB, int(i1 - i0), int(n), int(k), alpha, rows, ilda,
               b, ildb, beta, c + i0 * ldc, ildc);
      epilogue.apply(c, ldc, i0, i1, 0, n);
    });
    return;
  }
  int64_t columnGrain = std::max(
      {int64_t(16), kGemmMacsPerPart / (m * k), (n + threads - 1) / threads});
  parallelFor(0, n, columnGrain, [&](int64_t j0, int64_t j1) {
    const T *columns = transB ? b + j0 * ldb : b + j0;
    blasGemm(transA, transB, int(m), int(j1 - j0), int(k), alpha, a, ilda,
             columns, ildb, beta, c + j0, ildc);
    epilogue.apply(c, ldc, 0, m, j0, j1);
  });
}

/// y[rows, out] = x[rows, in] w[out, in]^T + bias (bias may be null).
template <class T>
void linearRows(const T *x, int64_t rows, int64_t in, const T *w, const T *bias,
                int64_t out, T *y) {
  if (bias)
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(y + r * out, bias, sizeof(T) * out);
  gemm(false, true, rows, out, in, T(1), x, in, w, in, T(bias ? 1 : 0), y, out);
}

/// The backward of linearRows given dY [rows, out]: dX = dY W (into dx,
/// may be null), dW = dY^T X (into dw) and db = column sums of dY (into db,
/// may be null; accumulated in double).
template <class T>
void linearRowsBackward(const T *dy, const T *x, int64_t rows, int64_t in,
                        const T *w, int64_t out, T *dx, T *dw, T *db) {
  if (dx)
    gemm(false, false, rows, in, out, T(1), dy, out, w, in, T(0), dx, in);
  gemm(true, false, out, in, rows, T(1), dy, out, x, in, T(0), dw, in);
  if (db) {
    std::vector<double> sums(size_t(out), 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < out; ++j)
        sums[j] += double(dy[r * out + j]);
    for (int64_t j = 0; j < out; ++j)
      db[j] = T(sums[j]);
  }
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

// Always inlined: a call per element would keep the loops that use these
// scalar (GELU in fused epilogues did not vectorise without it).
#define NNC_ALWAYS_INLINE inline __attribute__((always_inline))

/// exp(x) for float, branch-free so that loops calling it vectorise (the
/// libm call does not): Cody-Waite reduction x = n ln2 + r and Cephes'
/// degree-6 polynomial, within 2 ulp. Overflow gives inf, x < -87.3 gives 0
/// (the true result is below FLT_MIN), NaN stays NaN. Doubles use std::exp.
NNC_ALWAYS_INLINE float fastExp(float x) {
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

// GELU only needs erf and tanh to ~1e-7 absolute (they are added to 1),
// so f32 uses vectorisable forms built on fastExp instead of libm calls.
/// erf by Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7).
NNC_ALWAYS_INLINE float geluErf(float v) {
  float a = std::fabs(v), t = 1.0f / (1.0f + 0.3275911f * a);
  float p = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t -
              0.284496736f) *
                 t +
             0.254829592f) *
            t;
  return std::copysign(1.0f - p * fastExp(-a * a), v);
}
inline double geluErf(double v) { return std::erf(v); }
/// tanh(z) = 1 - 2 / (exp(2z) + 1): exact limits, ~1e-7 absolute error.
NNC_ALWAYS_INLINE float geluTanh(float z) {
  return 1.0f - 2.0f / (fastExp(2.0f * z) + 1.0f);
}
inline double geluTanh(double z) { return std::tanh(z); }

/// F.gelu(v) with approximate = "none" (erf form).
template <class T> NNC_ALWAYS_INLINE T geluExact(T v) {
  return T(0.5) * v * (T(1) + geluErf(v * T(0.7071067811865476)));
}
/// F.gelu(v) with approximate = "tanh" (sqrt(2 / pi), as in PyTorch).
template <class T> NNC_ALWAYS_INLINE T geluTanhForm(T v) {
  const T k = T(0.7978845608028654), c = T(0.044715);
  return T(0.5) * v * (T(1) + geluTanh(k * (v + c * v * v * v)));
}

template <class T> void activateRow(Activation a, T *row, int64_t n) {
  // One loop per activation: a switch inside the loop would keep it scalar.
  switch (a) {
  case Activation::Relu:
    for (int64_t j = 0; j < n; ++j)
      row[j] = row[j] < T(0) ? T(0) : row[j]; // NaN stays NaN
    break;
  case Activation::Gelu:
    for (int64_t j = 0; j < n; ++j)
      row[j] = geluExact(row[j]);
    break;
  case Activation::GeluTanh:
    for (int64_t j = 0; j < n; ++j)
      row[j] = geluTanhForm(row[j]);
    break;
  case Activation::None:
    break;
  }
}

/// Per-thread scratch that grows and is reused across calls, uninitialised
/// (every element read is written first): a fresh zeroed buffer per call
/// costs a memset and page faults on every convolution. Three slots per
/// element type; a kernel must not hand a slot to code that uses it too.
template <class T> T *scratch(int slot, int64_t count) {
  struct Slot {
    std::unique_ptr<T[]> data;
    int64_t size = 0;
  };
  thread_local Slot slots[3];
  Slot &sl = slots[slot];
  if (sl.size < count) {
    sl.data.reset(new T[size_t(count)]);
    sl.size = count;
  }
  return sl.data.get();
}

/// Grain (elements) below which elementwise work stays on one thread.
constexpr int64_t kElementwiseGrain = 1 << 15;

/// How a batch of `units` independent pieces of GEMM work (image groups of
/// a convolution) is spread: `parallel` when there are enough units to keep
/// every pool thread busy, each running its GEMMs on its own thread;
/// otherwise the units run one after the other on the caller, each GEMM
/// split over the pool. `parts` is the number of disjoint unit ranges, fixed by
/// the unit and thread counts alone, so that per-part partial sums reduced in
/// part order give the same bits on every run with the same thread count;
/// without `partialSums` every unit is its own part.
struct UnitPlan {
  bool parallel = false;
  int64_t parts = 1;
  int64_t partBegin(int64_t units, int64_t part) const {
    return part * units / parts;
  }
};
UnitPlan planUnits(int64_t units, bool partialSums);

/// Runs fn(part, unitBegin, unitEnd) for every part of `plan` (on the pool
/// with single-threaded BLAS when plan.parallel, else serially).
void runUnits(const UnitPlan &plan, int64_t units,
              const std::function<void(int64_t, int64_t, int64_t)> &fn);

/// Images unfolded side by side into one column matrix so that the GEMMs of
/// a convolution are wide enough to run near peak: about `targetColumns`
/// output positions per GEMM, the col matrix (`colRows` rows) kept within
/// about the L2 cache, and at least two units per thread when the batch
/// allows it.
int64_t imagesPerGemm(int64_t batch, int64_t plane, int64_t colRows,
                      int64_t elementBytes);

/// A convolution's spatial geometry padded to three dims: missing leading
/// spatial dims are size 1 with kernel 1, stride 1, no padding and dilation
/// 1, so one loop nest serves 1-D, 2-D and 3-D.
struct ConvDims3 {
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dil[3] = {1, 1, 1};

  int64_t inPlane() const { return in[0] * in[1] * in[2]; }
  int64_t outPlane() const { return out[0] * out[1] * out[2]; }
  int64_t kernelSize() const { return kernel[0] * kernel[1] * kernel[2]; }
  /// A 1x1 kernel with stride 1 and no padding: the input planes already
  /// are the im2col matrix.
  bool pointwise() const {
    for (int j = 0; j < 3; ++j)
      if (kernel[j] != 1 || stride[j] != 1 || pad[j] != 0)
        return false;
    return true;
  }
};

/// Vectorise the next loop 8 wide without interleaving: the width loops of
/// im2col/col2im run over one image row (tens of elements), shorter than
/// the 32-element main loop clang picks by default, which would leave all
/// of them to the scalar remainder.
#if defined(__clang__)
#define NNC_SHORT_LOOP                                                         \
  _Pragma("clang loop vectorize_width(8) interleave_count(1)")
#else
#define NNC_SHORT_LOOP
#endif

/// Unfolds output lines [line0, line1) (a line is one (od, oh) pair, i.e. a
/// row of the output plane) of `images` images (`imageStride` elements
/// apart) of `channels` input planes into col rows (c, kd, kh, kw), rows
/// `ld` apart; image i's columns start at i * (line1 - line0) * out[2].
/// Every col element in range is written (padding taps as zeros). Rows are
/// spread over the pool (inline when called from a parallel region).
template <class T>
void im2col(const T *x, int64_t imageStride, int64_t images, int64_t channels,
            const ConvDims3 &g, int64_t line0, int64_t line1, T *col,
            int64_t ld) {
  const int64_t K = g.kernelSize(), inPlane = g.inPlane();
  const int64_t *k = g.kernel, *o = g.out, *in = g.in, *s = g.stride,
                *d = g.dil, *p = g.pad;
  const int64_t span = (line1 - line0) * o[2];
  // Stride 1 in height and width with rows as wide as the output's ("same"
  // padding): the lines of one depth slice read one contiguous input block
  // shifted by the tap's offset, copied at once; the columns that wrapped
  // around from the neighbouring row are zeroed afterwards.
  const bool shifted = s[1] == 1 && s[2] == 1 && in[2] == o[2];
  // One task per col row (c, kd, kh, kw) with the images inner, so the
  // index decomposition is paid once per row, not once per (tiny) plane.
  const int64_t grain = std::max<int64_t>(1, 4096 / (span * images + 1));
  parallelFor(0, channels * K, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      int64_t c = r / K, rem = r % K;
      int64_t kd = rem / (k[1] * k[2]), kh = rem / k[2] % k[1], kw = rem % k[2];
      int64_t offW = kw * d[2] - p[2], wlo, whi;
      validRange(offW, s[2], in[2], o[2], wlo, whi);
      for (int64_t image = 0; image < images; ++image) {
        const T *xc = x + image * imageStride + c * inPlane;
        T *dst = col + r * ld + image * span;
        if (shifted) {
          const int64_t W = o[2], offH = kh * d[1] - p[1];
          for (int64_t l = line0; l < line1;) {
            int64_t od = l / o[1], ohA = l % o[1];
            int64_t ohB = std::min(o[1], ohA + (line1 - l));
            T *seg = dst + (l - line0) * W;
            int64_t id = od * s[0] + kd * d[0] - p[0];
            // Valid output rows: 0 <= oh + offH < in[1].
            int64_t va = std::clamp<int64_t>(-offH, ohA, ohB);
            int64_t vb = std::clamp<int64_t>(in[1] - offH, va, ohB);
            if (id < 0 || id >= in[0])
              va = vb = ohA;
            std::fill(seg, seg + (va - ohA) * W, T(0));
            std::fill(seg + (vb - ohA) * W, seg + (ohB - ohA) * W, T(0));
            if (va < vb) {
              // Block [first, last) of the depth slice, clipped to it; the
              // clipped ends are wrap columns, zeroed below.
              const T *slice = xc + id * in[1] * W;
              int64_t first = (va + offH) * W + offW;
              int64_t last = first + (vb - va) * W;
              int64_t f = std::max<int64_t>(first, 0);
              int64_t e = std::min<int64_t>(last, in[1] * W);
              T *out = seg + (va - ohA) * W;
              if (f < e)
                std::copy(slice + f, slice + e, out + (f - first));
              for (int64_t oh = va; oh < vb; ++oh) {
                T *row = seg + (oh - ohA) * W;
                for (int64_t ow = 0; ow < wlo; ++ow)
                  row[ow] = T(0);
                for (int64_t ow = whi; ow < W; ++ow)
                  row[ow] = T(0);
              }
            }
            l += ohB - ohA;
          }
          continue;
        }
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
          bool inside = id >= 0 && id < in[0] && ih >= 0 && ih < in[1];
          int64_t a = inside ? wlo : o[2], b = inside ? whi : o[2];
          const T *src = xc + (inside ? (id * in[1] + ih) * in[2] : 0);
          NNC_SHORT_LOOP
          for (int64_t ow = 0; ow < a; ++ow)
            row[ow] = T(0);
          if (s[2] == 1) {
            NNC_SHORT_LOOP
            for (int64_t ow = a; ow < b; ++ow)
              row[ow] = src[ow + offW];
          } else {
            NNC_SHORT_LOOP
            for (int64_t ow = a; ow < b; ++ow)
              row[ow] = src[ow * s[2] + offW];
          }
          NNC_SHORT_LOOP
          for (int64_t ow = b; ow < o[2]; ++ow)
            row[ow] = T(0);
        }
      }
    }
  });
}

/// The adjoint of im2col over whole planes: dx of `images` images
/// (`imageStride` apart) and `channels` planes is set to the fold of col
/// rows (c, kd, kh, kw) (`ld` apart, image i's columns at i * outPlane).
/// Each (image, channel) plane is one task that zeroes and then accumulates
/// its taps in a fixed order, so the result is deterministic. `col` is
/// scratch to the caller: the stride-1 path zeroes its padding columns.
template <class T>
void col2im(T *col, int64_t ld, int64_t images, int64_t channels,
            const ConvDims3 &g, T *dx, int64_t imageStride) {
  const int64_t K = g.kernelSize(), inPlane = g.inPlane(), P = g.outPlane();
  const int64_t *k = g.kernel, *o = g.out, *in = g.in, *s = g.stride,
                *d = g.dil, *p = g.pad;
  // As in im2col: with stride 1 and same-width rows the valid output rows
  // of a tap and depth slice add onto one contiguous input block. Zeroing
  // the tap's padding columns in col first makes the wrapped-around
  // elements add nothing, so the block is one long vectorised add.
  const bool shifted = s[1] == 1 && s[2] == 1 && in[2] == o[2];
  const int64_t W = o[2];
  parallelFor(0, images * channels, std::max<int64_t>(1, 4096 / (K * P + 1)),
              [&](int64_t lo, int64_t hi) {
                for (int64_t t = lo; t < hi; ++t) {
                  int64_t image = t / channels, c = t % channels;
                  T *dst = dx + image * imageStride + c * inPlane;
                  std::fill(dst, dst + inPlane, T(0));
                  for (int64_t tap = 0; tap < K; ++tap) {
                    int64_t kd = tap / (k[1] * k[2]), kh = tap / k[2] % k[1],
                            kw = tap % k[2];
                    int64_t offW = kw * d[2] - p[2], wlo, whi;
                    validRange(offW, s[2], in[2], o[2], wlo, whi);
                    T *src = col + (c * K + tap) * ld + image * P;
                    for (int64_t od = 0; od < o[0]; ++od) {
                      int64_t id = od * s[0] + kd * d[0] - p[0];
                      if (id < 0 || id >= in[0])
                        continue;
                      if (shifted) {
                        int64_t offH = kh * d[1] - p[1];
                        int64_t va = std::clamp<int64_t>(-offH, 0, o[1]);
                        int64_t vb =
                            std::clamp<int64_t>(in[1] - offH, va, o[1]);
                        if (va == vb)
                          continue;
                        T *seg = src + od * o[1] * W;
                        if (wlo > 0 || whi < W)
                          for (int64_t oh = va; oh < vb; ++oh) {
                            for (int64_t ow = 0; ow < wlo; ++ow)
                              seg[oh * W + ow] = T(0);
                            for (int64_t ow = whi; ow < W; ++ow)
                              seg[oh * W + ow] = T(0);
                          }
                        // Output positions [va W, vb W) land on slice elements
                        // [first, first + n), clipped to the slice (the clipped
                        // ends are zeroed padding columns).
                        T *slice = dst + id * in[1] * W;
                        int64_t first = (va + offH) * W + offW;
                        int64_t f = std::max<int64_t>(first, 0);
                        int64_t e =
                            std::min<int64_t>(first + (vb - va) * W, in[1] * W);
                        const T *from = seg + va * W - first;
                        for (int64_t i = f; i < e; ++i)
                          slice[i] += from[i];
                        continue;
                      }
                      for (int64_t oh = 0; oh < o[1]; ++oh) {
                        int64_t ih = oh * s[1] + kh * d[1] - p[1];
                        if (ih < 0 || ih >= in[1])
                          continue;
                        const T *srow = src + (od * o[1] + oh) * o[2];
                        T *drow = dst + (id * in[1] + ih) * in[2];
                        if (s[2] == 1) {
                          NNC_SHORT_LOOP
                          for (int64_t ow = wlo; ow < whi; ++ow)
                            drow[ow + offW] += srow[ow];
                        } else {
                          NNC_SHORT_LOOP
                          for (int64_t ow = wlo; ow < whi; ++ow)
                            drow[ow * s[2] + offW] += srow[ow];
                        }
                      }
                    }
                  }
                }
              });
}

} // namespace nnc::rt::kernels::detail

#endif // NNC_RUNTIME_KERNELS_KERNELUTIL_H
