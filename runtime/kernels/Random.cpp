//===- Random.cpp - Seeded random sampling kernels ------------------------===//

#include "runtime/kernels/Random.h"

#include "runtime/ThreadPool.h"

#include <cmath>

using namespace nnc::rt;
using namespace nnc::rt::kernels;

// Philox4x64 constants (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC'11): the round multipliers and the Weyl key increments.
static constexpr uint64_t kMul0 = 0xD2E7470EE14C6C93ull;
static constexpr uint64_t kMul1 = 0xCA5A826395121157ull;
static constexpr uint64_t kWeyl0 = 0x9E3779B97F4A7C15ull;
static constexpr uint64_t kWeyl1 = 0xBB67AE8584CAA73Bull;

std::array<uint64_t, 4> kernels::philox4x64(std::array<uint64_t, 4> ctr,
                                            std::array<uint64_t, 2> key) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kWeyl0;
      key[1] += kWeyl1;
    }
    const unsigned __int128 p0 = (unsigned __int128)kMul0 * ctr[0];
    const unsigned __int128 p1 = (unsigned __int128)kMul1 * ctr[2];
    const uint64_t hi0 = uint64_t(p0 >> 64), lo0 = uint64_t(p0);
    const uint64_t hi1 = uint64_t(p1 >> 64), lo1 = uint64_t(p1);
    ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
  }
  return ctr;
}

/// A uniform double in [0, 1) from the top 53 bits.
static double unitInterval(uint64_t word) {
  return double(word >> 11) * 0x1.0p-53;
}

/// The four normal samples of block `index`.
static std::array<double, 4> normalBlock(uint64_t index, uint64_t seed,
                                         uint64_t stream) {
  const std::array<uint64_t, 4> w =
      philox4x64({index, 0, 0, 0}, {seed, stream});
  std::array<double, 4> out;
  for (int pair = 0; pair < 2; ++pair) {
    // 1 - u lies in (0, 1], so the log is finite.
    const double r =
        std::sqrt(-2.0 * std::log(1.0 - unitInterval(w[2 * pair])));
    const double theta = 2.0 * M_PI * unitInterval(w[2 * pair + 1]);
    out[2 * pair] = r * std::cos(theta);
    out[2 * pair + 1] = r * std::sin(theta);
  }
  return out;
}

/// Stores one sample in the tensor's dtype.
static void store(Tensor &t, int64_t i, double v) {
  switch (t.dtype()) {
  case DType::F32:
    t.data<float>()[i] = float(v);
    return;
  case DType::F64:
    t.data<double>()[i] = v;
    return;
  default: // F16 / BF16 (and anything else through the generic path)
    t.set(i, v);
    return;
  }
}

Tensor kernels::randomNormal(const Shape &shape, DType dtype, uint64_t seed,
                             uint64_t stream) {
  Tensor out(dtype, shape);
  const int64_t n = out.numel();
  const int64_t blocks = (n + 3) / 4;
  parallelFor(0, blocks, 4096, [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; ++b) {
      const std::array<double, 4> z = normalBlock(uint64_t(b), seed, stream);
      for (int64_t j = 0; j < 4 && 4 * b + j < n; ++j)
        store(out, 4 * b + j, z[j]);
    }
  });
  return out;
}

Tensor kernels::randomUniform(const Shape &shape, DType dtype, uint64_t seed,
                              uint64_t stream, double low, double high) {
  Tensor out(dtype, shape);
  const int64_t n = out.numel();
  const int64_t blocks = (n + 3) / 4;
  parallelFor(0, blocks, 4096, [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; ++b) {
      const std::array<uint64_t, 4> w =
          philox4x64({uint64_t(b), 0, 0, 0}, {seed, stream});
      for (int64_t j = 0; j < 4 && 4 * b + j < n; ++j)
        store(out, 4 * b + j, low + (high - low) * unitInterval(w[j]));
    }
  });
  return out;
}
