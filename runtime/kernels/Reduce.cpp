//===- Reduce.cpp - Sum, mean, max and min over dims ----------------------===//
//
// Every reduction becomes [outer, R, inner] (reduce the middle dim): size-1
// dims are dropped and adjacent dims of the same kind merged; if the reduced
// dims are still not one block, the input is first permuted so that they
// are trailing (except [outer, K, inner] with outer and inner reduced,
// which reduces rows in place). inner == 1 reduces contiguous rows with
// independent lanes; inner > 1 accumulates whole rows; both vectorise.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Reduce.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"
#include "runtime/kernels/Shape.h"

#include <limits>
#include <type_traits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Sum and mean: double accumulators for floats, wrapping uint64 for ints.
template <class T, bool IsMean> struct SumReducer {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
  static Acc init() { return Acc(0); }
  static Acc add(Acc a, T v) { return Acc(a + Acc(v)); }
  static Acc merge(Acc a, Acc b) { return Acc(a + b); }
  static T finish(Acc a, int64_t n) {
    if constexpr (!IsMean)
      return T(a);
    else if constexpr (std::is_floating_point_v<T>)
      return T(a / double(n)); // 0 / 0 is NaN, as in torch
    else
      return n == 0 ? T(0) : T(int64_t(a) / n);
  }
};

/// Max (IsMax) or min; a NaN wins so that it propagates.
template <class T, bool IsMax> struct ExtremumReducer {
  using Acc = T;
  static Acc init() {
    if constexpr (std::is_floating_point_v<T>)
      return IsMax ? -std::numeric_limits<T>::infinity()
                   : std::numeric_limits<T>::infinity();
    else
      return IsMax ? std::numeric_limits<T>::lowest()
                   : std::numeric_limits<T>::max();
  }
  static Acc add(Acc a, T v) {
    return ((IsMax ? v > a : v < a) || v != v) ? v : a;
  }
  static Acc merge(Acc a, Acc b) { return add(a, b); }
  static T finish(Acc a, int64_t) { return a; }
};

/// Reduces p[0..n) with 8 independent lanes, merged at the end.
template <class R, class T> typename R::Acc reduceRow(const T *p, int64_t n) {
  constexpr int L = 8;
  typename R::Acc acc[L];
  for (auto &a : acc)
    a = R::init();
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j)
      acc[j] = R::add(acc[j], p[i + j]);
  for (; i < n; ++i)
    acc[0] = R::add(acc[0], p[i]);
  for (int j = 1; j < L; ++j)
    acc[0] = R::merge(acc[0], acc[j]);
  return acc[0];
}

/// y[o, j] = reduce over r of x[o, r, j] for x [outer, len, inner].
template <class R, class T>
void reduceTyped(const T *x, T *y, int64_t outer, int64_t len, int64_t inner) {
  using Acc = typename R::Acc;
  if (inner > 1) {
    constexpr int64_t kBlock = 1024;
    int64_t blocks = (inner + kBlock - 1) / kBlock;
    parallelFor(0, outer * blocks, 1, [&](int64_t lo, int64_t hi) {
      Acc acc[kBlock];
      for (int64_t t = lo; t < hi; ++t) {
        int64_t o = t / blocks, j0 = (t % blocks) * kBlock;
        int64_t n = std::min(kBlock, inner - j0);
        for (int64_t j = 0; j < n; ++j)
          acc[j] = R::init();
        for (int64_t r = 0; r < len; ++r) {
          const T *row = x + (o * len + r) * inner + j0;
          for (int64_t j = 0; j < n; ++j)
            acc[j] = R::add(acc[j], row[j]);
        }
        for (int64_t j = 0; j < n; ++j)
          y[o * inner + j0 + j] = R::finish(acc[j], len);
      }
    });
    return;
  }
  // Few long rows (e.g. a full reduction): split each row into chunks.
  int64_t threads = numThreads();
  int64_t chunks =
      outer >= threads ? 1 : std::clamp<int64_t>(len >> 15, 1, 4 * threads);
  if (chunks == 1) {
    parallelFor(0, outer, std::max<int64_t>(1, 32768 / (len + 1)),
                [&](int64_t lo, int64_t hi) {
                  for (int64_t o = lo; o < hi; ++o)
                    y[o] = R::finish(reduceRow<R>(x + o * len, len), len);
                });
    return;
  }
  int64_t step = (len + chunks - 1) / chunks;
  std::vector<Acc> partial(outer * chunks, R::init());
  parallelFor(0, outer * chunks, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      int64_t o = t / chunks, from = (t % chunks) * step;
      int64_t to = std::min(len, from + step);
      if (from < to)
        partial[t] = reduceRow<R>(x + o * len + from, to - from);
    }
  });
  for (int64_t o = 0; o < outer; ++o) {
    Acc a = partial[o * chunks];
    for (int64_t c = 1; c < chunks; ++c)
      a = R::merge(a, partial[o * chunks + c]);
    y[o] = R::finish(a, len);
  }
}

/// y[k] = reduce over (a, j) of x[a, k, j] for x [outer, K, inner], both
/// outer and inner reduced (e.g. [N, C, H, W] to [C], the bias gradient of
/// a convolution): per k, each contiguous inner row is reduced with lanes
/// and the rows merged in order, so no permuted copy is needed.
template <class R, class T>
void reduceOuterInner(const T *x, T *y, int64_t outer, int64_t K,
                      int64_t inner) {
  parallelFor(0, K, std::max<int64_t>(1, 32768 / (outer * inner + 1)),
              [&](int64_t lo, int64_t hi) {
                for (int64_t k = lo; k < hi; ++k) {
                  typename R::Acc a = R::init();
                  for (int64_t o = 0; o < outer; ++o)
                    a = R::merge(a,
                                 reduceRow<R>(x + (o * K + k) * inner, inner));
                  y[k] = R::finish(a, outer * inner);
                }
              });
}

} // namespace

bool kernels::reduceOpFromName(const std::string &name, ReduceOp &op) {
  static const std::pair<const char *, ReduceOp> table[] = {
      {"reduce_sum", ReduceOp::Sum},
      {"reduce_mean", ReduceOp::Mean},
      {"reduce_max", ReduceOp::Max},
      {"reduce_min", ReduceOp::Min}};
  for (const auto &[n, o] : table)
    if (name == n) {
      op = o;
      return true;
    }
  return false;
}

Tensor kernels::reduce(ReduceOp op, const Tensor &x,
                       const std::vector<int64_t> &dims, bool keepdim) {
  if (isHalf(x.dtype()))
    return cast(reduce(op, widenHalf(x), dims, keepdim), x.dtype());
  int64_t rank = x.rank();
  std::vector<bool> reduced(rank, dims.empty());
  for (int64_t d : dims)
    reduced[normalizeAxis(d, rank)] = true;
  Shape outShape;
  for (int64_t d = 0; d < rank; ++d)
    if (!reduced[d])
      outShape.push_back(x.dim(d));
    else if (keepdim)
      outShape.push_back(1);

  // Merge runs of kept / reduced dims, ignoring size-1 dims.
  struct Block {
    int64_t size;
    bool reduced;
  };
  std::vector<Block> blocks;
  for (int64_t d = 0; d < rank; ++d) {
    if (x.dim(d) == 1)
      continue;
    if (!blocks.empty() && blocks.back().reduced == reduced[d])
      blocks.back().size *= x.dim(d);
    else
      blocks.push_back({x.dim(d), reduced[d]});
  }
  int64_t reducedBlocks = 0;
  for (const Block &b : blocks)
    reducedBlocks += b.reduced;

  Tensor src = x;
  int64_t outer = 1, len = 1, inner = 1;
  if (blocks.size() == 3 && blocks[0].reduced && !blocks[1].reduced &&
      blocks[2].reduced) {
    Tensor y = Tensor::uninitialized(x.dtype(), outShape); // all written
    dispatchNumeric(x.dtype(), "reduce", [&](auto tag) {
      using T = decltype(tag);
      const T *in = x.data<T>();
      T *out = y.data<T>();
      int64_t a = blocks[0].size, k = blocks[1].size, j = blocks[2].size;
      switch (op) {
      case ReduceOp::Sum:
        return reduceOuterInner<SumReducer<T, false>>(in, out, a, k, j);
      case ReduceOp::Mean:
        return reduceOuterInner<SumReducer<T, true>>(in, out, a, k, j);
      case ReduceOp::Max:
        return reduceOuterInner<ExtremumReducer<T, true>>(in, out, a, k, j);
      case ReduceOp::Min:
        return reduceOuterInner<ExtremumReducer<T, false>>(in, out, a, k, j);
      }
    });
    return y;
  }
  if (reducedBlocks <= 1) {
    bool seen = false;
    for (const Block &b : blocks) {
      if (b.reduced) {
        len = b.size;
        seen = true;
      } else {
        (seen ? inner : outer) *= b.size;
      }
    }
  } else {
    std::vector<int64_t> perm;
    for (int pass = 0; pass < 2; ++pass)
      for (int64_t d = 0; d < rank; ++d)
        if (reduced[d] == (pass == 1)) {
          perm.push_back(d);
          (pass == 1 ? len : outer) *= x.dim(d);
        }
    src = permute(x, perm);
  }

  Tensor y(x.dtype(), outShape);
  dispatchNumeric(x.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    const T *in = src.data<T>();
    T *out = y.data<T>();
    switch (op) {
    case ReduceOp::Sum:
      return reduceTyped<SumReducer<T, false>>(in, out, outer, len, inner);
    case ReduceOp::Mean:
      return reduceTyped<SumReducer<T, true>>(in, out, outer, len, inner);
    case ReduceOp::Max:
      return reduceTyped<ExtremumReducer<T, true>>(in, out, outer, len, inner);
    case ReduceOp::Min:
      return reduceTyped<ExtremumReducer<T, false>>(in, out, outer, len, inner);
    }
  });
  return y;
}
