//===- Dense.cpp - Linear, matmul and embedding kernels -------------------===//

#include "runtime/kernels/Dense.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"

#include <cstring>
#include <type_traits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// C[n, m] = A[n, k] * B[k, m] for integers, row by row so that the inner
/// loop runs along contiguous rows of B and C.
template <class T>
void integerMatmul(const T *a, const T *b, T *c, int64_t n, int64_t k,
                   int64_t m) {
  using U = std::make_unsigned_t<T>;
  std::vector<U> acc(m);
  for (int64_t i = 0; i < n; ++i) {
    std::fill(acc.begin(), acc.end(), U(0));
    for (int64_t p = 0; p < k; ++p) {
      U av = U(a[i * k + p]);
      const T *brow = b + p * m;
      for (int64_t j = 0; j < m; ++j)
        acc[j] = U(acc[j] + U(av * U(brow[j])));
    }
    for (int64_t j = 0; j < m; ++j)
      c[i * m + j] = T(acc[j]);
  }
}

template <class T>
void matmulBlock(const T *a, const T *b, T *c, int64_t n, int64_t k,
                 int64_t m) {
  if constexpr (std::is_floating_point_v<T>)
    gemm(false, false, n, m, k, T(1), a, k, b, m, T(0), c, m);
  else
    integerMatmul(a, b, c, n, k, m);
}

template <class T> Tensor matmulTyped(const Tensor &lhs, const Tensor &rhs) {
  int64_t n = lhs.dim(-2), k = lhs.dim(-1), m = rhs.dim(-1);
  Shape lb(lhs.shape().begin(), lhs.shape().end() - 2);
  Shape rb(rhs.shape().begin(), rhs.shape().end() - 2);
  Shape batch = broadcastShapes(lb, rb);
  Shape shape = batch;
  shape.push_back(n);
  shape.push_back(m);
  Tensor out(lhs.dtype(), shape);
  int64_t batches = numElements(batch);
  if (out.numel() == 0)
    return out;
  const T *a = lhs.data<T>(), *b = rhs.data<T>();
  T *c = out.data<T>();
  // A shared right operand (e.g. [B, T, k] x [k, m]) with a contiguous left
  // batch is one tall GEMM.
  if (numElements(rb) == 1 && numElements(lb) == batches) {
    matmulBlock(a, b, c, batches * n, k, m);
    return out;
  }
  std::vector<int64_t> sa = broadcastStrides(lb, batch);
  std::vector<int64_t> sb = broadcastStrides(rb, batch);
  for (int64_t i = 0; i < batches; ++i) {
    int64_t offA = 0, offB = 0;
    for (size_t d = batch.size(), rest = size_t(i); d-- > 0;) {
      offA += int64_t(rest % batch[d]) * sa[d];
      offB += int64_t(rest % batch[d]) * sb[d];
      rest /= batch[d];
    }
    matmulBlock(a + offA * n * k, b + offB * k * m, c + i * n * m, n, k, m);
  }
  return out;
}

template <class T>
Tensor linearTyped(const Tensor &x, const Tensor &w, const Tensor &bias,
                   const Epilogue &epilogue) {
  int64_t in = x.dim(-1), outF = w.dim(0);
  Shape shape = x.shape();
  shape.back() = outF;
  Tensor y(x.dtype(), shape);
  int64_t rows = numElements(Shape(shape.begin(), shape.end() - 1));
  T *out = y.data<T>();
  T beta = T(0);
  if (bias.defined()) {
    // Start from the bias rows and let the GEMM accumulate onto them.
    const T *bv = bias.data<T>();
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(out + r * outF, bv, sizeof(T) * outF);
    beta = T(1);
  }
  auto data = [](const Tensor &t) {
    return t.defined() ? t.data<T>() : nullptr;
  };
  GemmEpilogue<T> fused{data(epilogue.scale), data(epilogue.shift),
                        data(epilogue.residual), outF, epilogue.activation};
  gemm(false, true, rows, outF, in, T(1), x.data<T>(), in, w.data<T>(), in,
       beta, out, outF, fused);
  return y;
}

} // namespace

Tensor kernels::linear(const Tensor &x, const Tensor &w, const Tensor &bias,
                       const Epilogue &epilogue) {
  if (isHalf(x.dtype()))
    return cast(
        linear(widenHalf(x), widenHalf(w), widenHalf(bias), widen(epilogue)),
        x.dtype());
  return dispatchFloat(x.dtype(), "linear", [&](auto tag) {
    return linearTyped<decltype(tag)>(x, w, bias, epilogue);
  });
}

Tensor kernels::matmul(const Tensor &lhs, const Tensor &rhs) {
  if (isHalf(lhs.dtype()))
    return cast(matmul(widenHalf(lhs), widenHalf(rhs)), lhs.dtype());
  return dispatchNumeric(lhs.dtype(), "matmul", [&](auto tag) {
    return matmulTyped<decltype(tag)>(lhs, rhs);
  });
}

Tensor kernels::embedding(const Tensor &indices, const Tensor &weight,
                          std::string &error) {
  std::vector<int64_t> ids = readIndices(indices, "embedding");
  int64_t num = weight.dim(0), dim = weight.dim(1);
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] < 0 || ids[i] >= num) {
      error = "embedding: index " + std::to_string(ids[i]) + " at position " +
              std::to_string(i) + " is out of range [0, " +
              std::to_string(num) + ")";
      return Tensor();
    }
  Shape shape = indices.shape();
  shape.push_back(dim);
  Tensor y(weight.dtype(), shape);
  size_t rowBytes = size_t(dim) * dtypeSize(weight.dtype());
  const char *table = static_cast<const char *>(weight.raw());
  char *out = static_cast<char *>(y.raw());
  for (size_t i = 0; i < ids.size(); ++i)
    std::memcpy(out + i * rowBytes, table + ids[i] * rowBytes, rowBytes);
  return y;
}
