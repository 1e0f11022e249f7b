//===- Positions.cpp - Position and timestep encodings --------------------===//

#include "runtime/kernels/Positions.h"

#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cmath>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

Tensor kernels::sinusoidalPositionEncoding(int64_t steps, int64_t dim,
                                           DType dtype) {
  Tensor out(DType::F32, {steps, dim});
  const int64_t half = dim / 2;
  // div_term in float32, exactly as torch.exp(arange(0, dim, 2) * c) forms it.
  const float c = float(-std::log(10000.0) / double(dim));
  std::vector<float> div(static_cast<size_t>(half));
  for (int64_t i = 0; i < half; ++i)
    div[i] = std::exp(float(2 * i) * c);
  float *pe = out.data<float>();
  for (int64_t pos = 0; pos < steps; ++pos) {
    float *row = pe + pos * dim;
    for (int64_t i = 0; i < half; ++i) {
      const float arg = float(pos) * div[i];
      row[2 * i] = float(std::sin(double(arg)));
      row[2 * i + 1] = float(std::cos(double(arg)));
    }
  }
  return dtype == DType::F32 ? out : cast(out, dtype);
}

Tensor kernels::timestepEmbedding(const Tensor &timesteps, int64_t dim,
                                  double maxPeriod) {
  const int64_t n = timesteps.dim(0), half = dim / 2;
  Tensor out(DType::F32, {n, dim});
  // freqs = exp((-ln(max_period) * arange(half)) / half), all float32.
  const float c = float(-std::log(maxPeriod));
  std::vector<float> freqs(static_cast<size_t>(half));
  for (int64_t i = 0; i < half; ++i)
    freqs[i] = std::exp(c * float(i) / float(half));
  float *emb = out.data<float>();
  for (int64_t r = 0; r < n; ++r) {
    // Timesteps are few and of any numeric dtype: the generic read is fine.
    const float t = float(timesteps.at(r));
    float *row = emb + r * dim;
    for (int64_t i = 0; i < half; ++i) {
      const double arg = double(t * freqs[i]);
      row[i] = float(std::cos(arg));
      row[half + i] = float(std::sin(arg));
    }
  }
  return out;
}

int64_t kernels::relativePositionBucket(int64_t relativePosition,
                                        bool bidirectional, int64_t numBuckets,
                                        int64_t maxDistance) {
  int64_t buckets = numBuckets, bucket = 0, distance = relativePosition;
  if (bidirectional) {
    buckets /= 2;
    if (distance > 0)
      bucket += buckets;
    distance = distance < 0 ? -distance : distance;
  } else {
    distance = distance < 0 ? -distance : 0;
  }
  const int64_t maxExact = buckets / 2;
  if (distance < maxExact)
    return bucket + distance;
  // The logarithmic buckets, in float32 like the Hugging Face code:
  // log(d / max_exact) / log(max_distance / max_exact) * (buckets - max_exact)
  const float scaled = std::log(float(distance) / float(maxExact)) /
                       float(std::log(double(maxDistance) / double(maxExact))) *
                       float(buckets - maxExact);
  // Guard the float -> int conversion: NaN/inf only arise for degenerate
  // settings (max_exact = 0, max_distance <= max_exact).
  int64_t large = buckets - 1;
  if (std::isnan(scaled))
    large = 0;
  else if (scaled < float(buckets))
    large = maxExact + int64_t(std::max(scaled, -float(buckets)));
  large = std::clamp<int64_t>(large, 0, std::max<int64_t>(buckets - 1, 0));
  return bucket + large;
}

Tensor kernels::relativePositionBias(int64_t queryLength, int64_t keyLength,
                                     const Tensor &weight, int64_t numBuckets,
                                     int64_t maxDistance, bool bidirectional) {
  const int64_t heads = weight.dim(1);
  Tensor out(weight.dtype(), {1, heads, queryLength, keyLength});
  if (queryLength == 0 || keyLength == 0)
    return out;
  // The bucket depends only on j - i in [-(Tq - 1), Tk - 1].
  const int64_t offsets = queryLength + keyLength - 1;
  std::vector<int64_t> bucketOf(static_cast<size_t>(offsets));
  for (int64_t d = 0; d < offsets; ++d)
    bucketOf[d] = relativePositionBucket(d - (queryLength - 1), bidirectional,
                                         numBuckets, maxDistance);
  // A pure gather: move the elements by size, whatever the float dtype.
  dispatchBySize(weight.dtype(), [&](auto tag) {
    using E = decltype(tag);
    const E *w = weight.data<E>();
    E *o = out.data<E>();
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < queryLength; ++i) {
        E *row = o + (h * queryLength + i) * keyLength;
        const int64_t *b = bucketOf.data() + (queryLength - 1 - i);
        for (int64_t j = 0; j < keyLength; ++j)
          row[j] = w[b[j] * heads + h];
      }
  });
  return out;
}
