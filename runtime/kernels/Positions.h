//===- Positions.h - Position and timestep encodings ------------*- C++ -*-===//
//
// nn.sinusoidal_position_encoding, nn.timestep_embedding and
// nn.relative_position_bias. The tables are evaluated with the same float32
// operations as the PyTorch code they come from, so that long sequences and
// large timesteps round the same way (the argument t * f loses precision in
// float32 before sin/cos ever see it).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_POSITIONS_H
#define NNC_RUNTIME_KERNELS_POSITIONS_H

#include "runtime/Tensor.h"

namespace nnc::rt::kernels {

/// The Transformer's table [steps, dim] (dim even), as in the PyTorch
/// tutorial's PositionalEncoding:
///   div = exp(arange(0, dim, 2) * (-ln(10000) / dim))
///   pe[:, 0::2] = sin(pos * div); pe[:, 1::2] = cos(pos * div)
/// i.e. PE(pos, 2i) = sin(pos / 10000^(2i/dim)), PE(pos, 2i+1) = cos(...).
/// nn.sinusoidal_position_encoding of an input [..., steps, dim]. The table
/// is computed in float32 and then converted to `dtype` (what a float32
/// buffer of a PyTorch module converted with .to(dtype) holds).
Tensor sinusoidalPositionEncoding(int64_t steps, int64_t dim,
                                  DType dtype = DType::F32);

/// The DDPM/ADM `timestep_embedding(timesteps, dim, max_period)`:
///   half = dim / 2
///   freqs = exp(-ln(max_period) * arange(half) / half)
///   args = timesteps.float()[:, None] * freqs[None]
///   emb = cat([cos(args), sin(args)], -1)         -> [N, dim] float32
/// (cos half first, then sin, as the dialect documents). `timesteps` is 1-D of
/// any numeric dtype; dim is even.
Tensor timestepEmbedding(const Tensor &timesteps, int64_t dim,
                         double maxPeriod = 10000.0);

/// Hugging Face T5Attention._relative_position_bucket for
/// relative_position = key_pos - query_pos; always in [0, numBuckets).
/// (Degenerate settings the dialect admits but T5 never uses, such as
/// max_exact = 0, are clamped into range where PyTorch would index out of
/// bounds.)
int64_t relativePositionBucket(int64_t relativePosition, bool bidirectional,
                               int64_t numBuckets, int64_t maxDistance);

/// T5Attention.compute_bias(Tq, Tk): out[0, h, i, j] =
/// weight[bucket(j - i), h]; weight is [numBuckets, heads] of any float
/// dtype, the result [1, heads, queryLength, keyLength] of the same dtype.
Tensor relativePositionBias(int64_t queryLength, int64_t keyLength,
                            const Tensor &weight, int64_t numBuckets,
                            int64_t maxDistance, bool bidirectional);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_POSITIONS_H
