//===- RuntimeIOTestUtil.h - Helpers for the runtime I/O tests ---*- C++
//-*-===//
//
// Shared by RuntimeIOTest.cpp and RuntimeIOHostileTest.cpp: a scratch
// directory per test, raw file access, the value pattern that tensors are
// filled with (and that the Python generators reproduce independently), and
// running /usr/bin/python3 when it and the needed modules are present.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_TEST_UNIT_RUNTIMEIOTESTUTIL_H
#define NNC_TEST_UNIT_RUNTIMEIOTESTUTIL_H

#include "runtime/Tensor.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace nnc::rt::iotest {

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
public:
  TempDir() {
    const char *base = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(base && *base ? base : "/tmp") + "/nnc-io-test-XXXXXX";
    if (char *made = ::mkdtemp(tmpl.data()))
      dir = made;
  }
  ~TempDir() {
    std::error_code ec;
    if (!dir.empty())
      std::filesystem::remove_all(dir, ec);
  }
  std::string path(const std::string &name) const { return dir + "/" + name; }
  const std::string &root() const { return dir; }

private:
  std::string dir;
};

inline void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Little-endian bytes of `v`, `n` of them.
inline std::string le(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += char((v >> (8 * i)) & 0xFF);
  return s;
}

/// The value of element `i` of a pattern tensor of type `t`: exactly
/// representable in `t`, different from its neighbours, and using the full
/// range of the integer types (negative values, > 32 bits for i64).
inline double patternValue(DType t, int64_t i) {
  switch (t) {
  case DType::F32:
  case DType::F64:
  case DType::F16:
  case DType::BF16:
    return double(i % 17) * 0.25 - 2.0;
  case DType::I64:
    return double(i * 3000000007LL - 10);
  case DType::I32:
    return double(i * 100003 - 500000);
  case DType::I8:
    return double((i * 37) % 256 - 128);
  case DType::U8:
    return double((i * 37) % 256);
  case DType::Bool:
    return i % 3 == 0 ? 1.0 : 0.0;
  }
  return 0;
}

/// The same formulas in Python, for the generator and checker scripts.
inline const char *pythonPattern() {
  return R"PY(
import torch
def pattern(code, shape):
    n = 1
    for d in shape:
        n *= d
    i = torch.arange(n, dtype=torch.int64)
    if code in ('F32', 'F64', 'F16', 'BF16'):
        v = (i % 17).double() * 0.25 - 2.0
    elif code == 'I64':
        v = i * 3000000007 - 10
    elif code == 'I32':
        v = i * 100003 - 500000
    elif code == 'I8':
        v = (i * 37) % 256 - 128
    elif code == 'U8':
        v = (i * 37) % 256
    else:
        v = (i % 3) == 0
    dt = {'F32': torch.float32, 'F64': torch.float64, 'F16': torch.float16,
          'BF16': torch.bfloat16, 'I64': torch.int64, 'I32': torch.int32,
          'I8': torch.int8, 'U8': torch.uint8, 'BOOL': torch.bool}[code]
    return v.to(dt).reshape(shape)
)PY";
}

/// A tensor of `shape` filled with patternValue, written through typed
/// pointers (not Tensor::set) so every dtype's storage is exercised directly.
inline Tensor makePattern(DType t, Shape shape) {
  Tensor x(t, std::move(shape));
  for (int64_t i = 0, n = x.numel(); i < n; ++i) {
    double v = patternValue(t, i);
    switch (t) {
    case DType::F32:
      x.data<float>()[i] = float(v);
      break;
    case DType::F64:
      x.data<double>()[i] = v;
      break;
    case DType::F16:
      x.data<uint16_t>()[i] = floatToF16(float(v));
      break;
    case DType::BF16:
      x.data<uint16_t>()[i] = floatToBF16(float(v));
      break;
    case DType::I64:
      x.data<int64_t>()[i] = int64_t(v);
      break;
    case DType::I32:
      x.data<int32_t>()[i] = int32_t(v);
      break;
    case DType::I8:
      x.data<int8_t>()[i] = int8_t(v);
      break;
    case DType::U8:
    case DType::Bool:
      x.data<uint8_t>()[i] = uint8_t(v);
      break;
    }
  }
  return x;
}

inline void expectPattern(const Tensor &x, DType t, const Shape &shape,
                          const std::string &what) {
  ASSERT_TRUE(x.defined()) << what;
  EXPECT_EQ(x.dtype(), t) << what;
  ASSERT_EQ(x.shape(), shape) << what;
  for (int64_t i = 0, n = x.numel(); i < n; ++i)
    ASSERT_EQ(x.at(i), patternValue(t, i)) << what << " element " << i;
}

const DType kAllDTypes[] = {DType::F32,  DType::F64, DType::F16,
                            DType::BF16, DType::I64, DType::I32,
                            DType::I8,   DType::U8,  DType::Bool};

/// The safetensors name of `t` ("F32", ..., "BOOL").
inline std::string stName(DType t) {
  switch (t) {
  case DType::Bool:
    return "BOOL";
  default: {
    std::string s = dtypeName(t);
    for (char &c : s)
      c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  }
}

/// True if /usr/bin/python3 can import `modules` ("numpy, torch").
inline bool pythonHas(const std::string &modules) {
  std::string cmd =
      "/usr/bin/python3 -c 'import " + modules + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

/// Writes `script` into `dir` and runs it with the one argument `arg`;
/// returns its exit status (0 = success), its output going to
/// `dir`/python.log.
inline int runPython(const TempDir &dir, const std::string &script,
                     const std::string &arg) {
  std::string file = dir.path("script.py");
  writeFile(file, script);
  std::string cmd = "/usr/bin/python3 '" + file + "' '" + arg + "' >'" +
                    dir.path("python.log") + "' 2>&1";
  return std::system(cmd.c_str());
}

} // namespace nnc::rt::iotest

#endif // NNC_TEST_UNIT_RUNTIMEIOTESTUTIL_H
