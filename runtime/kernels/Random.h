//===- Random.h - Seeded random sampling kernels ----------------*- C++ -*-===//
//
// nn.random_normal, and uniform samples for parameter initialisation. Both
// come from a counter-based generator (Philox4x64 with 10 rounds, as NumPy's
// Philox bit generator), so element i depends only on (seed, stream, i):
// results are reproducible, independent of thread count, and any slice can
// be generated on its own.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_RANDOM_H
#define NNC_RUNTIME_KERNELS_RANDOM_H

#include "runtime/Tensor.h"

#include <array>

namespace nnc::rt::kernels {

/// One Philox4x64-10 block: the bijection of `counter` under `key`.
/// Equal to NumPy's Philox(counter=c, key=k).random_raw(4) for counter c + 1
/// (NumPy increments its counter before each block).
std::array<uint64_t, 4> philox4x64(std::array<uint64_t, 4> counter,
                                   std::array<uint64_t, 2> key);

/// torch.randn_like(input) analogue: standard normal samples of the given
/// shape and floating dtype (F32, F64, F16 or BF16). Element i is Box-Muller
/// sample i % 4 of the Philox block with counter {i / 4, 0, 0, 0} and key
/// {seed, stream}: with raw words w0..w3, u = (w >> 11) * 2^-53,
/// r_a = sqrt(-2 ln(1 - u(w0))), theta_a = 2 pi u(w1), samples r_a cos,
/// r_a sin, then likewise from w2, w3. `stream` lets a caller draw fresh
/// numbers for each evaluation of the same op (nn.random_normal is not pure)
/// while staying reproducible.
Tensor randomNormal(const Shape &shape, DType dtype, uint64_t seed,
                    uint64_t stream = 0);

/// torch.empty(shape).uniform_(low, high) analogue: element i is
/// low + (high - low) * u, u from the top 53 bits of word i % 4 of the
/// Philox block {i / 4, 0, 0, 0} under key {seed, stream}. Used for
/// parameter initialisation.
Tensor randomUniform(const Shape &shape, DType dtype, uint64_t seed,
                     uint64_t stream, double low, double high);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_RANDOM_H
