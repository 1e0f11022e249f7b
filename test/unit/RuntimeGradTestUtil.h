//===- RuntimeGradTestUtil.h - Finite-difference checks ---------*- C++ -*-===//
//
// Shared by the backward-kernel tests: central finite differences in f64,
// which need no PyTorch.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_TEST_UNIT_RUNTIMEGRADTESTUTIL_H
#define NNC_TEST_UNIT_RUNTIMEGRADTESTUTIL_H

#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

namespace nnc::rt::kernelstest {

/// sum(y * g).
inline double dot(const Tensor &y, const Tensor &g) {
  double s = 0;
  for (int64_t i = 0; i < y.numel(); ++i)
    s += y.at(i) * g.at(i);
  return s;
}

/// Checks grad = d objective / d x by central differences at every element
/// of x (f64; h = 1e-6 gives ~1e-9 truncation error). x is perturbed in
/// place, so an objective that reads a tensor sharing x's buffer sees the
/// perturbation too.
inline void
expectFiniteDifference(Tensor x, const std::function<double(const Tensor &)> &f,
                       const Tensor &grad, const std::string &what) {
  ASSERT_TRUE(grad.defined()) << what;
  ASSERT_EQ(grad.shape(), x.shape()) << what;
  const double h = 1e-6;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double v = x.at(i);
    x.set(i, v + h);
    const double up = f(x);
    x.set(i, v - h);
    const double down = f(x);
    x.set(i, v);
    const double fd = (up - down) / (2 * h);
    ASSERT_NEAR(grad.at(i), fd, 1e-6 * std::max(1.0, std::fabs(fd)))
        << what << " [" << i << "]";
  }
}

/// The same for grad = d/dx sum(g * f(x)).
inline void
expectFiniteDifference(Tensor x, const Tensor &g,
                       const std::function<Tensor(const Tensor &)> &f,
                       const Tensor &grad, const std::string &what) {
  expectFiniteDifference(
      std::move(x), [&](const Tensor &at) { return dot(f(at), g); }, grad,
      what);
}

/// Uniform f64 values in [lo, hi).
inline Tensor f64(Shape s, uint64_t seed, double lo = -1, double hi = 1) {
  return uniform(std::move(s), seed, lo, hi, DType::F64);
}

} // namespace nnc::rt::kernelstest

#endif // NNC_TEST_UNIT_RUNTIMEGRADTESTUTIL_H
