//===- RuntimeKernelsATestUtil.h - PyTorch oracle for kernels --*- C++ -*-===//
//
// Shared by the RuntimeKernelsA* tests. A TorchOracle queues cases: inputs
// are written as raw little-endian files, each case is one Python expression
// over them (torch / torch.nn.functional), and one /usr/bin/python3 run
// evaluates all of them. Results must match within
// 1e-4 * max(1, max|expected|) (half types: 2e-3), NaN where PyTorch gives
// NaN, integers exactly. Suites skip when torch is not installed.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_TEST_UNIT_RUNTIMEKERNELSATESTUTIL_H
#define NNC_TEST_UNIT_RUNTIMEKERNELSATESTUTIL_H

#include "runtime/Tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace nnc::rt::kernelstest {

inline const char *const kPrelude = R"PY(
import sys, numpy as np, torch, torch.nn.functional as F
torch.set_grad_enabled(False)
D = sys.argv[1]
def L(i, dt, *shape):
    a = np.fromfile('%s/in%d.bin' % (D, i), dtype=dt).reshape(shape)
    return torch.from_numpy(a.copy())
def S(i, f, dt):
    try:
        a = torch.as_tensor(f()).contiguous().numpy().astype(dt)
        open('%s/out%d.shape' % (D, i), 'w').write(' '.join(map(str, a.shape)))
        a.tofile('%s/out%d.bin' % (D, i))
    except Exception as e:
        open('%s/out%d.err' % (D, i), 'w').write(repr(e))
def bn_train(x, rm, rv, w, b, m, eps):
    rm, rv = rm.clone(), rv.clone()
    return F.batch_norm(x, rm, rv, w, b, True, m, eps), rm, rv
def scatter(src, idx, n, red):
    out = torch.zeros((n,) + tuple(src.shape[1:]), dtype=src.dtype)
    index = idx.reshape((-1,) + (1,) * (src.dim() - 1)).expand_as(src)
    return out.scatter_reduce(0, index, src, red, include_self=False)
def patchify(x, ph, pw):
    n, c, h, w = x.shape
    y = x.reshape(n, c, h // ph, ph, w // pw, pw).permute(0, 2, 4, 1, 3, 5)
    return y.reshape(n, -1, c * ph * pw)
def slice_(x, a, s, e, st):
    return x.movedim(a, 0)[s:e:st].movedim(0, a)
)PY";

inline const char *numpyDType(DType t) {
  switch (t) {
  case DType::F32:
    return "'<f4'";
  case DType::F64:
    return "'<f8'";
  case DType::F16:
    return "'<f2'";
  case DType::I64:
    return "'<i8'";
  case DType::I32:
    return "'<i4'";
  case DType::I8:
    return "'i1'";
  case DType::U8:
    return "'u1'";
  case DType::Bool:
    return "'?'";
  case DType::BF16:
    break;
  }
  ADD_FAILURE() << "no numpy dtype for " << dtypeName(t);
  return "'?'";
}

inline bool torchAvailable() {
  static const bool ok =
      std::system("/usr/bin/python3 -c 'import torch, numpy' >/dev/null "
                  "2>&1") == 0;
  return ok;
}

inline std::string tup(const std::vector<int64_t> &v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i)
    s += std::to_string(v[i]) + (v.size() == 1 || i + 1 < v.size() ? "," : "");
  return s + ")";
}

inline std::string pyBool(bool b) { return b ? "True" : "False"; }

/// Cases checked against PyTorch in one Python run (see the file comment).
class TorchOracle {
public:
  TorchOracle() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "nnc-kernelsa-XXXXXX")
            .string();
    if (mkdtemp(pattern.data()))
      dir = pattern;
  }
  ~TorchOracle() {
    if (!dir.empty())
      std::filesystem::remove_all(dir);
  }

  /// Writes `t`; returns the Python expression that loads it.
  std::string in(const Tensor &t) {
    int i = inputs++;
    std::ofstream(path("in", i, ".bin"), std::ios::binary)
        .write(static_cast<const char *>(t.raw()), t.bytes());
    std::string e = "L(" + std::to_string(i) + ", " + numpyDType(t.dtype());
    for (int64_t d : t.shape())
      e += ", " + std::to_string(d);
    return e + ")";
  }

  /// Expects `actual` to equal the tensor computed by Python `expr`.
  void expect(const std::string &expr, const Tensor &actual) {
    script << "S(" << cases.size() << ", lambda: " << expr << ", "
           << numpyDType(actual.dtype()) << ")\n";
    cases.push_back({expr, actual});
  }

  /// Runs the script and compares every case.
  void check() {
    ASSERT_FALSE(dir.empty());
    std::ofstream(dir + "/ref.py") << kPrelude << script.str();
    std::string cmd = "/usr/bin/python3 " + dir + "/ref.py " + dir + " >" +
                      dir + "/log.txt 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << read(dir + "/log.txt");
    for (size_t i = 0; i < cases.size(); ++i)
      compare(i);
  }

private:
  struct Case {
    std::string expr;
    Tensor actual;
  };

  std::string path(const char *kind, size_t i, const char *ext) const {
    return dir + "/" + kind + std::to_string(i) + ext;
  }
  static std::string read(const std::string &file) {
    std::stringstream s;
    s << std::ifstream(file, std::ios::binary).rdbuf();
    return s.str();
  }

  void compare(size_t i) {
    const Case &c = cases[i];
    if (std::filesystem::exists(path("out", i, ".err"))) {
      ADD_FAILURE() << c.expr << ": Python raised "
                    << read(path("out", i, ".err"));
      return;
    }
    ASSERT_TRUE(c.actual.defined()) << c.expr << ": kernel gave no result";
    Shape shape;
    std::istringstream dims(read(path("out", i, ".shape")));
    for (int64_t d; dims >> d;)
      shape.push_back(d);
    ASSERT_EQ(shapeString(c.actual.shape()), shapeString(shape)) << c.expr;
    Tensor expected(c.actual.dtype(), shape);
    std::string bytes = read(path("out", i, ".bin"));
    ASSERT_EQ(bytes.size(), expected.bytes()) << c.expr;
    std::copy(bytes.begin(), bytes.end(), static_cast<char *>(expected.raw()));
    DType t = c.actual.dtype();
    double scale = 1;
    for (int64_t k = 0; k < expected.numel(); ++k)
      if (std::isfinite(expected.at(k)))
        scale = std::max(scale, std::fabs(expected.at(k)));
    double tol = !isFloating(t)  ? 0
                 : isHalfType(t) ? 2e-3 * scale
                                 : 1e-4 * scale;
    for (int64_t k = 0; k < expected.numel(); ++k) {
      double a = c.actual.at(k), e = expected.at(k);
      if (std::isnan(e) || std::isinf(e)) {
        ASSERT_TRUE(std::isnan(e) ? std::isnan(a) : a == e)
            << c.expr << " [" << k << "]: " << a << " vs " << e;
        continue;
      }
      ASSERT_LE(std::fabs(a - e), tol)
          << c.expr << " [" << k << "] of " << shapeString(shape) << ": " << a
          << " vs " << e;
    }
  }
  static bool isHalfType(DType t) {
    return t == DType::F16 || t == DType::BF16;
  }

  std::string dir;
  std::ostringstream script;
  std::vector<Case> cases;
  int inputs = 0;
};

#define REQUIRE_TORCH()                                                        \
  if (!torchAvailable())                                                       \
  GTEST_SKIP() << "/usr/bin/python3 with torch and numpy is not available"

/// Seeded uniform values in [lo, hi).
inline Tensor uniform(Shape shape, uint64_t seed, double lo = -1, double hi = 1,
                      DType dtype = DType::F32) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, dist(rng));
  return t;
}

/// Seeded integers in [lo, hi].
inline Tensor integers(Shape shape, uint64_t seed, int64_t lo, int64_t hi,
                       DType dtype = DType::I64) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  Tensor t(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, double(dist(rng)));
  return t;
}

/// "fn(a, b, ...)".
inline std::string call(const std::string &fn,
                        const std::vector<std::string> &args) {
  std::string s = fn + "(";
  for (size_t i = 0; i < args.size(); ++i)
    s += (i ? ", " : "") + args[i];
  return s + ")";
}

} // namespace nnc::rt::kernelstest

#endif // NNC_TEST_UNIT_RUNTIMEKERNELSATESTUTIL_H
