//===- ElementwiseBinary.cpp - Broadcasting binary arithmetic -------------===//
//
// Same-shape and scalar operands take flat loops. Everything else becomes a
// loop nest over the output (see LoopNest) whose innermost dim reads each
// operand with stride 1 or 0; the three stride combinations get their own
// loops so that row ([N, C] + [C]) and column ([N, C] + [N, 1]) broadcasts
// vectorise too.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Elementwise.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/KernelUtil.h"

#include <cmath>
#include <type_traits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

template <class T> using Unsigned = std::make_unsigned_t<T>;

struct AddFn {
  template <class T> T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return T(Unsigned<T>(a) + Unsigned<T>(b)); // wraps, no UB
    else
      return a + b;
  }
};
struct SubFn {
  template <class T> T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return T(Unsigned<T>(a) - Unsigned<T>(b));
    else
      return a - b;
  }
};
struct MulFn {
  template <class T> T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return T(Unsigned<T>(a) * Unsigned<T>(b));
    else
      return a * b;
  }
};
struct DivFn {
  template <class T> T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      // Floor division; x / 0 and MIN / -1 would trap, so define them.
      if (b == 0)
        return T(0);
      if (b == T(-1))
        return T(Unsigned<T>(0) - Unsigned<T>(a));
      T q = T(a / b);
      return (a % b != 0 && ((a < 0) != (b < 0))) ? T(q - 1) : q;
    } else {
      return a / b;
    }
  }
};
struct PowFn {
  template <class T> T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if (b < 0)
        return a == 1 ? T(1) : a == T(-1) ? T((b & 1) ? -1 : 1) : T(0);
      Unsigned<T> result = 1, base = Unsigned<T>(a);
      for (auto e = Unsigned<T>(b); e; e >>= 1) {
        if (e & 1)
          result = Unsigned<T>(result * base);
        base = Unsigned<T>(base * base);
      }
      return T(result);
    } else {
      return std::pow(a, b);
    }
  }
};
struct MaxFn {
  template <class T> T operator()(T a, T b) const {
    return (a > b || a != a) ? a : b; // NaN in either operand propagates
  }
};
struct MinFn {
  template <class T> T operator()(T a, T b) const {
    return (a < b || a != a) ? a : b;
  }
};

/// out[i] = op(a[i * sa], b[i * sb]) for n elements, sa and sb in {0, 1}
/// (other strides take the generic loop).
template <class T, class Op>
void innerLoop(const T *a, int64_t sa, const T *b, int64_t sb, T *out,
               int64_t n, Op op) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = op(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    T bv = *b;
    for (int64_t i = 0; i < n; ++i)
      out[i] = op(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    T av = *a;
    for (int64_t i = 0; i < n; ++i)
      out[i] = op(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i] = op(a[i * sa], b[i * sb]);
  }
}

template <class T, class Op>
Tensor binaryTyped(const Tensor &lhs, const Tensor &rhs, Op op) {
  Shape shape = broadcastShapes(lhs.shape(), rhs.shape());
  // Both loops below write every element.
  Tensor out = Tensor::uninitialized(lhs.dtype(), shape);
  const T *a = lhs.data<T>(), *b = rhs.data<T>();
  T *y = out.data<T>();
  int64_t n = out.numel();
  if (n == 0)
    return out;
  if (lhs.shape() == rhs.shape() || (lhs.numel() == n && rhs.numel() == 1) ||
      (lhs.numel() == 1 && rhs.numel() == n)) {
    int64_t sa = lhs.numel() == 1 ? 0 : 1, sb = rhs.numel() == 1 ? 0 : 1;
    parallelFor(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      innerLoop(a + lo * sa, sa, b + lo * sb, sb, y + lo, hi - lo, op);
    });
    return out;
  }
  LoopNest nest = makeLoopNest(shape, {broadcastStrides(lhs.shape(), shape),
                                       broadcastStrides(rhs.shape(), shape)});
  int64_t inner = nest.inner();
  int64_t sa = nest.strides[0].back(), sb = nest.strides[1].back();
  parallelFor(0, nest.rows(), std::max<int64_t>(1, kElementwiseGrain / inner),
              [&](int64_t lo, int64_t hi) {
                for (int64_t r = lo; r < hi; ++r)
                  innerLoop(a + nest.rowOffset(0, r), sa,
                            b + nest.rowOffset(1, r), sb, y + r * inner, inner,
                            op);
              });
  return out;
}

template <class Op>
Tensor binaryWith(const Tensor &lhs, const Tensor &rhs, Op op) {
  if (isHalf(lhs.dtype()))
    return cast(binaryWith(widenHalf(lhs), widenHalf(rhs), op), lhs.dtype());
  return dispatchNumeric(lhs.dtype(), "binary", [&](auto tag) {
    return binaryTyped<decltype(tag)>(lhs, rhs, op);
  });
}

} // namespace

bool kernels::binaryOpFromName(const std::string &name, BinaryOp &op) {
  static const std::pair<const char *, BinaryOp> table[] = {
      {"add", BinaryOp::Add},        {"sub", BinaryOp::Sub},
      {"mul", BinaryOp::Mul},        {"div", BinaryOp::Div},
      {"pow", BinaryOp::Pow},        {"maximum", BinaryOp::Maximum},
      {"minimum", BinaryOp::Minimum}};
  for (const auto &[n, o] : table)
    if (name == n) {
      op = o;
      return true;
    }
  return false;
}

Tensor kernels::binary(BinaryOp op, const Tensor &lhs, const Tensor &rhs) {
  switch (op) {
  case BinaryOp::Add:
    return binaryWith(lhs, rhs, AddFn());
  case BinaryOp::Sub:
    return binaryWith(lhs, rhs, SubFn());
  case BinaryOp::Mul:
    return binaryWith(lhs, rhs, MulFn());
  case BinaryOp::Div:
    return binaryWith(lhs, rhs, DivFn());
  case BinaryOp::Pow:
    return binaryWith(lhs, rhs, PowFn());
  case BinaryOp::Maximum:
    return binaryWith(lhs, rhs, MaxFn());
  case BinaryOp::Minimum:
    return binaryWith(lhs, rhs, MinFn());
  }
  return Tensor();
}
