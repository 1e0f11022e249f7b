//===- RecurrentUtil.h - Shared by the recurrent kernels --------*- C++ -*-===//
//
// Internal to Recurrent.cpp and GradRecurrent.cpp: the backward recomputes
// the forward's gates and must compute them exactly as the forward does.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_RECURRENTUTIL_H
#define NNC_RUNTIME_KERNELS_RECURRENTUTIL_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace nnc::rt::kernels::detail {

enum class Cell { RNNTanh, RNNRelu, LSTM, GRU };

/// Gate blocks stacked in each weight matrix.
inline int64_t gatesOf(Cell cell) {
  switch (cell) {
  case Cell::LSTM:
    return 4;
  case Cell::GRU:
    return 3;
  default:
    return 1;
  }
}

template <class T> T sigmoid(T x) { return T(1) / (T(1) + std::exp(-x)); }

/// tanh for the recurrence's inner loop, where glibc's tanhf (~35 ns) costs
/// more than the GEMMs. In double, 1 - 2 / (exp(2x) + 1) loses only ~1e-16
/// absolute, far below float's rounding, and is ~3x faster; tiny |x|, where
/// that would cancel x's own digits, takes the odd series instead.
inline float tanhFast(float x) {
  const double d = x;
  if (std::fabs(d) < 0x1p-10)
    return float(d - d * d * d / 3.0);
  return float(1.0 - 2.0 / (std::exp(2.0 * d) + 1.0));
}
inline double tanhFast(double x) { return std::tanh(x); }

/// Copies [A, B, C] to [B, A, C] (the batch-first <-> time-major swap).
template <class T>
void swapLeadingDims(const T *src, T *dst, int64_t a, int64_t b, int64_t c) {
  for (int64_t i = 0; i < a; ++i)
    for (int64_t j = 0; j < b; ++j)
      std::memcpy(dst + (j * a + i) * c, src + (i * b + j) * c, sizeof(T) * c);
}

} // namespace nnc::rt::kernels::detail

#endif // NNC_RUNTIME_KERNELS_RECURRENTUTIL_H
