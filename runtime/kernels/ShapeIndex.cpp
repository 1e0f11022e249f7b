//===- ShapeIndex.cpp - top_k, gather and scatter_reduce ------------------===//
//
// The data-dependent indexing kernels. Indices come from user data, so
// gather and scatter_reduce validate every index before touching memory and
// report the first bad one.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Shape.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Sizes before and after `axis`.
void aroundAxis(const Tensor &x, int64_t axis, int64_t &outer, int64_t &inner) {
  outer = inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d)
    inner *= x.dim(d);
}

/// The first entry of `ids` outside [0, size), formatted as an error.
bool checkIndices(const std::vector<int64_t> &ids, int64_t size,
                  const std::string &what, std::string &error) {
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] < 0 || ids[i] >= size) {
      error = what + ": index " + std::to_string(ids[i]) + " at position " +
              std::to_string(i) + " is out of range [0, " +
              std::to_string(size) + ")";
      return false;
    }
  return true;
}

template <class T>
void topKTyped(const T *x, T *values, int64_t *indices, int64_t outer,
               int64_t len, int64_t inner, int64_t k) {
  parallelFor(0, outer * inner, std::max<int64_t>(1, 4096 / (len + 1)),
              [&](int64_t lo, int64_t hi) {
                std::vector<T> row(len);
                std::vector<int64_t> order(len);
                // NaN first (as the largest), then descending, ties by index.
                auto before = [&](int64_t a, int64_t b) {
                  T va = row[a], vb = row[b];
                  bool na = va != va, nb = vb != vb;
                  if (na != nb)
                    return na;
                  if (!na && va != vb)
                    return va > vb;
                  return a < b;
                };
                for (int64_t t = lo; t < hi; ++t) {
                  int64_t o = t / inner, j = t % inner;
                  const T *base = x + o * len * inner + j;
                  for (int64_t r = 0; r < len; ++r) {
                    row[r] = base[r * inner];
                    order[r] = r;
                  }
                  std::partial_sort(order.begin(), order.begin() + k,
                                    order.end(), before);
                  for (int64_t q = 0; q < k; ++q) {
                    values[(o * k + q) * inner + j] = row[order[q]];
                    indices[(o * k + q) * inner + j] = order[q];
                  }
                }
              });
}

/// Segment reduction of rows [lo, hi) of the feature dim.
template <class T>
void scatterColumns(const T *src, T *out, const std::vector<int64_t> &ids,
                    const std::vector<int64_t> &firstEdge, int64_t F,
                    ScatterReduce reduce, int64_t lo, int64_t hi) {
  for (size_t e = 0; e < ids.size(); ++e) {
    const T *s = src + int64_t(e) * F;
    T *d = out + ids[e] * F;
    bool first = firstEdge[ids[e]] == int64_t(e);
    switch (reduce) {
    case ScatterReduce::Sum:
    case ScatterReduce::Mean:
      for (int64_t f = lo; f < hi; ++f) {
        if constexpr (std::is_integral_v<T>) // wraps instead of overflowing
          d[f] =
              T(std::make_unsigned_t<T>(d[f]) + std::make_unsigned_t<T>(s[f]));
        else
          d[f] += s[f];
      }
      break;
    case ScatterReduce::Max:
      for (int64_t f = lo; f < hi; ++f)
        d[f] = (first || s[f] > d[f] || s[f] != s[f]) ? s[f] : d[f];
      break;
    case ScatterReduce::Min:
      for (int64_t f = lo; f < hi; ++f)
        d[f] = (first || s[f] < d[f] || s[f] != s[f]) ? s[f] : d[f];
      break;
    }
  }
}

template <class T>
void scatterTyped(const T *src, T *out, const std::vector<int64_t> &ids,
                  int64_t N, int64_t F, ScatterReduce reduce) {
  std::vector<int64_t> counts(N, 0), firstEdge(N, -1);
  for (size_t e = 0; e < ids.size(); ++e)
    if (counts[ids[e]]++ == 0)
      firstEdge[ids[e]] = int64_t(e);
  // Each task owns a column range of every row: no two tasks write the
  // same element, whatever the index pattern.
  parallelFor(0, F, 256, [&](int64_t lo, int64_t hi) {
    scatterColumns(src, out, ids, firstEdge, F, reduce, lo, hi);
  });
  if (reduce != ScatterReduce::Mean)
    return;
  for (int64_t n = 0; n < N; ++n) {
    if (counts[n] <= 1)
      continue;
    T *d = out + n * F;
    int64_t c = counts[n];
    for (int64_t f = 0; f < F; ++f) {
      if constexpr (std::is_integral_v<T>) {
        int64_t v = d[f], q = v / c;
        d[f] = T((v % c != 0 && v < 0) ? q - 1 : q);
      } else {
        d[f] /= T(c);
      }
    }
  }
}

} // namespace

TopKResult kernels::topK(const Tensor &x, int64_t k, int64_t axis) {
  if (isHalf(x.dtype())) {
    TopKResult r = topK(widenHalf(x), k, axis);
    r.values = cast(r.values, x.dtype());
    return r;
  }
  int64_t a = normalizeAxis(axis, x.rank());
  int64_t outer, inner, len = x.dim(a);
  aroundAxis(x, a, outer, inner);
  Shape shape = x.shape();
  shape[a] = k;
  TopKResult r{Tensor(x.dtype(), shape), Tensor(DType::I64, shape)};
  if (r.values.numel() == 0)
    return r;
  dispatchNumeric(x.dtype(), "top_k", [&](auto tag) {
    using T = decltype(tag);
    topKTyped(x.data<T>(), r.values.data<T>(), r.indices.data<int64_t>(), outer,
              len, inner, k);
  });
  return r;
}

Tensor kernels::gather(const Tensor &x, const Tensor &index, int64_t axis,
                       std::string &error) {
  std::vector<int64_t> ids = readIndices(index, "gather");
  int64_t a = normalizeAxis(axis, x.rank()), size = x.dim(a);
  if (!checkIndices(ids, size, "gather along axis " + std::to_string(a), error))
    return Tensor();
  int64_t outer, inner, m = int64_t(ids.size());
  aroundAxis(x, a, outer, inner);
  Shape shape = x.shape();
  shape[a] = m;
  Tensor y(x.dtype(), shape);
  if (y.numel() == 0)
    return y;
  dispatchBySize(x.dtype(), [&](auto tag) {
    using U = decltype(tag);
    const U *in = x.data<U>();
    U *out = y.data<U>();
    parallelFor(0, outer * m, std::max<int64_t>(1, 16384 / inner),
                [&](int64_t lo, int64_t hi) {
                  for (int64_t t = lo; t < hi; ++t) {
                    int64_t o = t / m, j = t % m;
                    const U *s = in + (o * size + ids[j]) * inner;
                    U *d = out + t * inner;
                    if (inner == 1)
                      *d = *s;
                    else
                      std::memcpy(d, s, sizeof(U) * inner);
                  }
                });
  });
  return y;
}

bool kernels::scatterReduceFromName(const std::string &name,
                                    ScatterReduce &reduce) {
  static const std::pair<const char *, ScatterReduce> table[] = {
      {"sum", ScatterReduce::Sum},
      {"mean", ScatterReduce::Mean},
      {"max", ScatterReduce::Max},
      {"min", ScatterReduce::Min}};
  for (const auto &[n, r] : table)
    if (name == n) {
      reduce = r;
      return true;
    }
  return false;
}

Tensor kernels::scatterReduce(const Tensor &src, const Tensor &index,
                              int64_t dimSize, ScatterReduce reduce,
                              std::string &error) {
  if (isHalf(src.dtype())) {
    Tensor y = scatterReduce(widenHalf(src), index, dimSize, reduce, error);
    return y.defined() ? cast(y, src.dtype()) : y;
  }
  if (dimSize < 0) { // a run-time size operand can come from data
    error =
        "scatter_reduce: dim_size " + std::to_string(dimSize) + " is negative";
    return Tensor();
  }
  std::vector<int64_t> ids = readIndices(index, "scatter_reduce");
  if (!checkIndices(ids, dimSize, "scatter_reduce", error))
    return Tensor();
  Shape shape = src.shape();
  shape[0] = dimSize;
  int64_t F = numElements(Shape(shape.begin() + 1, shape.end()));
  Tensor y(src.dtype(), shape);
  if (F == 0 || ids.empty())
    return y;
  dispatchNumeric(src.dtype(), "scatter_reduce", [&](auto tag) {
    using T = decltype(tag);
    scatterTyped(src.data<T>(), y.data<T>(), ids, dimSize, F, reduce);
  });
  return y;
}
