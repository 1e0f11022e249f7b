//===- ElementwiseCast.cpp - dtype conversion and fill --------------------===//
//
// Casts go through typed loops for every pair of storage types. f16 and bf16
// have no C++ arithmetic type, so they are converted to or from f32 first;
// bool is stored as one byte holding 0 or 1.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Elementwise.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/KernelUtil.h"

#include <cmath>
#include <limits>
#include <type_traits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Converts one value. Float to integer truncates and saturates, with NaN
/// mapped to 0: a plain static_cast would be undefined out of range.
template <class To, class From> To convertValue(From v) {
  if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (v != v)
      return To(0);
    // In range: (bottom - 1, top) with top = 2^digits, exact in any float
    // type, and bottom = -top (signed) or 0 (unsigned).
    const From top = std::ldexp(From(1), std::numeric_limits<To>::digits);
    const From bottom = std::is_signed_v<To> ? -top : From(0);
    if (v >= top)
      return std::numeric_limits<To>::max();
    if (v <= bottom - From(1))
      return std::numeric_limits<To>::min();
    return To(v);
  } else {
    return To(v);
  }
}

template <class To, class From>
void convertLoop(const From *in, To *out, int64_t n) {
  parallelFor(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i)
      out[i] = convertValue<To>(in[i]);
  });
}

template <class From> void toBoolLoop(const From *in, uint8_t *out, int64_t n) {
  parallelFor(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i)
      out[i] = in[i] != From(0); // NaN is true, as in torch
  });
}

/// Calls f(T()) for the dtypes with a C++ arithmetic storage type.
template <class F> void dispatchPlain(DType t, F &&f) {
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
  case DType::U8:
  case DType::Bool:
    return f(uint8_t());
  default:
    unsupportedDType("cast", t);
  }
}

Tensor halfToF32(const Tensor &x) {
  Tensor y(DType::F32, x.shape());
  const uint16_t *in = x.data<uint16_t>();
  float *out = y.data<float>();
  bool bf = x.dtype() == DType::BF16;
  parallelFor(0, x.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i)
      out[i] = bf ? bf16ToFloat(in[i]) : f16ToFloat(in[i]);
  });
  return y;
}

Tensor f32ToHalf(const Tensor &x, DType to) {
  Tensor y(to, x.shape());
  const float *in = x.data<float>();
  uint16_t *out = y.data<uint16_t>();
  bool bf = to == DType::BF16;
  parallelFor(0, x.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i)
      out[i] = bf ? floatToBF16(in[i]) : floatToF16(in[i]);
  });
  return y;
}

} // namespace

Tensor kernels::cast(const Tensor &x, DType to) {
  if (x.dtype() == to)
    return x.clone();
  if (isHalf(x.dtype()))
    return cast(halfToF32(x), to);
  if (isHalf(to))
    return f32ToHalf(x.dtype() == DType::F32 ? x : cast(x, DType::F32), to);
  Tensor y(to, x.shape());
  int64_t n = x.numel();
  dispatchPlain(x.dtype(), [&](auto fromTag) {
    using From = decltype(fromTag);
    const From *in = x.data<From>();
    if (to == DType::Bool)
      return toBoolLoop(in, y.data<uint8_t>(), n);
    dispatchPlain(to, [&](auto toTag) {
      using To = decltype(toTag);
      convertLoop(in, y.data<To>(), n);
    });
  });
  return y;
}

Tensor kernels::fill(const Tensor &x, double value) {
  // Convert the value once (through a one-element cast, so the rules are
  // exactly cast's), then replicate its bytes.
  Tensor one(DType::F64, {});
  *one.data<double>() = value;
  Tensor v = cast(one, x.dtype());
  Tensor y(x.dtype(), x.shape());
  int64_t n = y.numel();
  dispatchBySize(x.dtype(), [&](auto tag) {
    using U = decltype(tag);
    U bits = *v.data<U>();
    U *out = y.data<U>();
    parallelFor(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        out[i] = bits;
    });
  });
  return y;
}
