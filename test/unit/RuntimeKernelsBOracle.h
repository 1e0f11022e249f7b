//===- RuntimeKernelsBOracle.h - PyTorch references for tests --*- C++ -*-===//
//
// The harness of the RuntimeKernelsB* suites. A suite builds its inputs with
// a fixed seed, writes them as raw files into a temporary directory together
// with one line per case, and runs one Python script (Debian's
// /usr/bin/python3 with PyTorch 1.13 / NumPy) that computes the references
// with torch modules / torch.nn.functional or, where PyTorch has no such op,
// with the defining formula. Kernels must match within
// 1e-4 * max(1, max|expected|) (f64 references: 1e-9), NaN where PyTorch
// gives NaN. Without the Python modules the suites are skipped.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_TEST_UNIT_RUNTIMEKERNELSBORACLE_H
#define NNC_TEST_UNIT_RUNTIMEKERNELSBORACLE_H

#include "runtime/Tensor.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace nnc::rt::kernelsb_test {

/// Loads the inputs and case lines and collects the outputs; a missing
/// module exits with 77, which the harness reports as a skip.
inline constexpr const char *kPrelude = R"PY(
import math, os, sys
try:
    import numpy as np
    if sys.argv[2] == 'torch':
        import torch
except ImportError:
    sys.exit(77)
D = sys.argv[1]
DT = {'f32': np.float32, 'f64': np.float64, 'i64': np.int64, 'i1': np.bool_}
IN, OUT = {}, []
for line in open(os.path.join(D, 'inputs.txt')):
    name, dt, *shape = line.split()
    a = np.fromfile(os.path.join(D, 'in_%s.bin' % name), dtype=DT[dt])
    IN[name] = a.reshape([int(s) for s in shape])
CASES = [l.split() for l in open(os.path.join(D, 'cases.txt')) if l.strip()]
def put(name, a):
    a = np.asarray(a.detach().numpy() if hasattr(a, 'detach') else a)
    dt = 'f64' if a.dtype == np.float64 else 'f32'
    a.astype(DT[dt]).tofile(os.path.join(D, 'out_%s.bin' % name))
    OUT.append(' '.join([name, dt] + [str(s) for s in a.shape]))
def T(name):
    return torch.from_numpy(IN[name].copy())
)PY";

inline constexpr const char *kEpilogue = R"PY(
open(os.path.join(D, 'outputs.txt'), 'w').write('\n'.join(OUT) + '\n')
)PY";

inline const char *dtypeTag(DType t) {
  switch (t) {
  case DType::F64:
    return "f64";
  case DType::I64:
    return "i64";
  case DType::Bool:
    return "i1";
  default:
    return "f32";
  }
}

/// One suite's inputs, cases and the outputs its Python script computed.
class Oracle {
public:
  Oracle() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "nnc-kernelsb-XXXXXX")
            .string();
    if (mkdtemp(pattern.data()))
      dir = pattern;
  }
  ~Oracle() {
    if (!dir.empty())
      std::filesystem::remove_all(dir);
  }
  Oracle(const Oracle &) = delete;
  Oracle &operator=(const Oracle &) = delete;

  /// Registers (and returns) an input; the script sees it as IN[name].
  const Tensor &input(const std::string &name, Tensor t) {
    std::ofstream(dir + "/in_" + name + ".bin", std::ios::binary)
        .write(static_cast<const char *>(t.raw()), t.bytes());
    manifest << name << ' ' << dtypeTag(t.dtype());
    for (int64_t d : t.shape())
      manifest << ' ' << d;
    manifest << '\n';
    return inputs[name] = std::move(t);
  }
  const Tensor &in(const std::string &name) const { return inputs.at(name); }
  bool has(const std::string &name) const { return inputs.count(name) != 0; }
  void addCase(const std::string &line) { cases << line << '\n'; }

  /// Runs the script (after the prelude, importing torch if `torch`).
  void run(const char *script, bool torch = true) {
    std::ofstream(dir + "/inputs.txt") << manifest.str();
    std::ofstream(dir + "/cases.txt") << cases.str();
    std::ofstream(dir + "/ref.py") << kPrelude << script << kEpilogue;
    std::string cmd = "/usr/bin/python3 " + dir + "/ref.py " + dir +
                      (torch ? " torch" : " numpy") + " >" + dir +
                      "/log.txt 2>&1";
    int status = std::system(cmd.c_str());
    std::stringstream text;
    text << std::ifstream(dir + "/log.txt").rdbuf();
    log = text.str();
    skipped = WIFEXITED(status) && WEXITSTATUS(status) == 77;
    failed = !skipped && status != 0;
    if (status != 0)
      return;
    std::ifstream list(dir + "/outputs.txt");
    for (std::string line; std::getline(list, line);) {
      std::istringstream words(line);
      std::string name, dt;
      words >> name >> dt;
      Shape shape;
      for (int64_t d; words >> d;)
        shape.push_back(d);
      Tensor t(dt == "f64" ? DType::F64 : DType::F32, shape);
      std::ifstream(dir + "/out_" + name + ".bin", std::ios::binary)
          .read(static_cast<char *>(t.raw()), t.bytes());
      outputs[name] = t;
    }
  }
  Tensor out(const std::string &name) const {
    auto it = outputs.find(name);
    return it == outputs.end() ? Tensor() : it->second;
  }

  std::string log;
  bool skipped = false, failed = false;

private:
  std::string dir;
  std::ostringstream manifest, cases;
  std::map<std::string, Tensor> inputs, outputs;
};

/// Skips without the Python modules; fails with the script's log if it did
/// not run.
#define REQUIRE_ORACLE(oracle)                                                 \
  do {                                                                         \
    if ((oracle).skipped)                                                      \
      GTEST_SKIP() << "no Python reference (torch/numpy missing)";             \
    ASSERT_FALSE((oracle).failed) << (oracle).log;                             \
  } while (0)

inline void expectClose(const Tensor &actual, const Tensor &expected,
                        const std::string &what) {
  ASSERT_TRUE(expected.defined()) << what << ": no reference";
  ASSERT_TRUE(actual.defined()) << what << ": no result";
  ASSERT_EQ(shapeString(actual.shape()), shapeString(expected.shape())) << what;
  double scale = 1.0;
  for (int64_t i = 0; i < expected.numel(); ++i)
    if (std::isfinite(expected.at(i)))
      scale = std::max(scale, std::fabs(expected.at(i)));
  const double tol = (expected.dtype() == DType::F64 ? 1e-9 : 1e-4) * scale;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const double a = actual.at(i), e = expected.at(i);
    if (std::isnan(e)) {
      ASSERT_TRUE(std::isnan(a))
          << what << "[" << i << "]: " << a << ", PyTorch gives NaN";
      continue;
    }
    ASSERT_NEAR(a, e, tol) << what << "[" << i << "] of "
                           << shapeString(expected.shape());
  }
}

/// Uniform values in [lo, hi) of the given shape from a seeded generator.
inline Tensor uniform(std::mt19937 &rng, Shape shape, double lo = -1,
                      double hi = 1, DType dtype = DType::F32) {
  Tensor t(dtype, std::move(shape));
  std::uniform_real_distribution<double> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, dist(rng));
  return t;
}

/// A Bool tensor, true with probability p.
inline Tensor bernoulli(std::mt19937 &rng, Shape shape, double p) {
  Tensor t(DType::Bool, std::move(shape));
  std::bernoulli_distribution dist(p);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<uint8_t>()[i] = dist(rng);
  return t;
}

/// A 1-D i64 tensor.
inline Tensor indices(const std::vector<int64_t> &values) {
  Tensor t(DType::I64, {int64_t(values.size())});
  std::copy(values.begin(), values.end(), t.data<int64_t>());
  return t;
}

} // namespace nnc::rt::kernelsb_test

#endif // NNC_TEST_UNIT_RUNTIMEKERNELSBORACLE_H
