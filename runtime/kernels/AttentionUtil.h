//===- AttentionUtil.h - Shared by the attention kernels --------*- C++ -*-===//
//
// Internal to Attention.cpp and GradAttention.cpp: the backward recomputes
// the attention probabilities with the forward's scaling, masks and softmax.
// The forward's register-blocked products for small heads and the
// backward's GEMMs agree to float rounding, not bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_ATTENTIONUTIL_H
#define NNC_RUNTIME_KERNELS_ATTENTIONUTIL_H

#include "runtime/Tensor.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace nnc::rt::kernels::detail {

template <class T> constexpr T negInf() {
  return -std::numeric_limits<T>::infinity();
}

/// In-place softmax of `rows` contiguous rows of length n, max-subtracted.
/// An all -inf row gives (-inf) - (-inf) = NaN everywhere, as in PyTorch.
/// The max and the sum run over independent lanes and the exponentials use
/// fastExp, so every pass vectorises: at the short rows of small-head
/// attention the scalar libm loop was a large part of the whole kernel.
template <class T> void softmaxRows(T *x, int64_t rows, int64_t n) {
  constexpr int64_t L = 16;
  for (int64_t r = 0; r < rows; ++r) {
    T *row = x + r * n;
    T lanes[L];
    for (int64_t l = 0; l < L; ++l)
      lanes[l] = negInf<T>();
    int64_t j = 0;
    for (; j + L <= n; j += L)
      for (int64_t l = 0; l < L; ++l)
        lanes[l] = std::max(lanes[l], row[j + l]);
    T max = negInf<T>();
    for (; j < n; ++j)
      max = std::max(max, row[j]);
    for (int64_t l = 0; l < L; ++l)
      max = std::max(max, lanes[l]);
    for (j = 0; j < n; ++j)
      row[j] = fastExp(row[j] - max);
    for (int64_t l = 0; l < L; ++l)
      lanes[l] = T(0);
    for (j = 0; j + L <= n; j += L)
      for (int64_t l = 0; l < L; ++l)
        lanes[l] += row[j + l];
    T sum = 0;
    for (; j < n; ++j)
      sum += row[j];
    for (int64_t l = 0; l < L; ++l)
      sum += lanes[l];
    const T inv = T(1) / sum;
    for (j = 0; j < n; ++j)
      row[j] *= inv;
  }
}

/// Adds -inf above the diagonal, j > i (the causal mask, top-left aligned).
template <class T> void addCausalMask(T *scores, int64_t tq, int64_t tk) {
  for (int64_t i = 0; i < tq; ++i)
    for (int64_t j = i + 1; j < tk; ++j)
      scores[i * tk + j] += negInf<T>();
}

/// Adds a [Tq, Tk] mask with MultiheadAttention's convention (Bool: true =
/// masked out; float: added).
template <class T>
void addMhaMask(T *scores, int64_t tq, int64_t tk, const Tensor &mask,
                int64_t offset, int64_t rowStride) {
  for (int64_t i = 0; i < tq; ++i) {
    T *row = scores + i * tk;
    if (mask.dtype() == DType::Bool) {
      const uint8_t *m = mask.data<uint8_t>() + offset + i * rowStride;
      for (int64_t j = 0; j < tk; ++j)
        row[j] += m[j] ? negInf<T>() : T(0);
    } else {
      const T *m = mask.data<T>() + offset + i * rowStride;
      for (int64_t j = 0; j < tk; ++j)
        row[j] += m[j];
    }
  }
}

/// Heads per parallel chunk so that a chunk is worth a task (~64K flops).
inline int64_t headGrain(int64_t tq, int64_t tk, int64_t width) {
  return std::max<int64_t>(1, 65536 / std::max<int64_t>(1, tq * tk * width));
}

/// The batch dims of a [..., rows, cols] operand.
inline Shape batchDims(const Tensor &t) {
  return Shape(t.shape().begin(), t.shape().end() - 2);
}

/// Offset of batch element `index` (flat over `batch`) for the given strides.
inline int64_t batchOffset(int64_t index, const Shape &batch,
                           const std::vector<int64_t> &strides) {
  int64_t offset = 0;
  for (size_t d = batch.size(); d-- > 0;) {
    offset += (index % batch[d]) * strides[d];
    index /= batch[d];
  }
  return offset;
}

} // namespace nnc::rt::kernels::detail

#endif // NNC_RUNTIME_KERNELS_ATTENTIONUTIL_H
