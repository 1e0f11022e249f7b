//===- Recurrent.cpp - RNN, LSTM and GRU forward kernels ------------------===//
//
// Each layer/direction runs in two phases: the input projection of all time
// steps at once (one SGEMM of [T*B, in] x [in, G*H]), then the recurrence,
// one small SGEMM of [B, H] x [H, G*H] per step followed by the gate update.
// Activations are kept time-major ([T, B, *]) internally so that every step
// reads and writes contiguous [B, *] blocks.
//
// In f32 the recurrence skips BLAS: at these sizes (B x H x G*H with H in
// the tens) a BLAS call costs more in dispatch than in arithmetic, and the
// gate nonlinearities, one libm exp each, cost more than both. W_hh^T is
// packed once per call so each step streams it contiguously through a
// register-blocked kernel, and the gates of each block of batch rows are
// applied at once, vectorised, while the block is still in L1. The two
// directions of a bidirectional layer are independent and run on two
// threads when the pool has them.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Recurrent.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"
#include "runtime/kernels/RecurrentUtil.h"

#include <algorithm>
#include <cmath>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#include <cstring>
#include <type_traits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Sets each of the `rows` rows of `dst` ([rows, n]) to `bias` (or zeros).
template <class T>
void fillRows(T *dst, int64_t rows, int64_t n, const T *bias) {
  for (int64_t r = 0; r < rows; ++r) {
    if (bias)
      std::memcpy(dst + r * n, bias, sizeof(T) * n);
    else
      std::memset(dst + r * n, 0, sizeof(T) * n);
  }
}

/// One step of the cell for the whole batch. `gx` and `hg` are [B, G*H]: the
/// input and hidden projections including their biases. Updates h (and c)
/// in place.
template <class T>
void cellStep(Cell cell, int64_t batch, int64_t hidden, const T *gx,
              const T *hg, T *h, T *c) {
  const int64_t gh = gatesOf(cell) * hidden;
  for (int64_t b = 0; b < batch; ++b) {
    const T *x = gx + b * gh, *r = hg + b * gh;
    T *hb = h + b * hidden;
    switch (cell) {
    case Cell::RNNTanh:
      for (int64_t j = 0; j < hidden; ++j)
        hb[j] = tanhFast(x[j] + r[j]);
      break;
    case Cell::RNNRelu:
      for (int64_t j = 0; j < hidden; ++j)
        hb[j] = std::max(x[j] + r[j], T(0));
      break;
    case Cell::LSTM: {
      T *cb = c + b * hidden;
      for (int64_t j = 0; j < hidden; ++j) {
        T i = sigmoid(x[j] + r[j]);
        T f = sigmoid(x[hidden + j] + r[hidden + j]);
        T g = tanhFast(x[2 * hidden + j] + r[2 * hidden + j]);
        T o = sigmoid(x[3 * hidden + j] + r[3 * hidden + j]);
        cb[j] = f * cb[j] + i * g;
        hb[j] = o * tanhFast(cb[j]);
      }
      break;
    }
    case Cell::GRU:
      for (int64_t j = 0; j < hidden; ++j) {
        T rg = sigmoid(x[j] + r[j]);
        T z = sigmoid(x[hidden + j] + r[hidden + j]);
        // b_hn stays inside the reset product, as in PyTorch.
        T n = tanhFast(x[2 * hidden + j] + rg * r[2 * hidden + j]);
        hb[j] = (T(1) - z) * n + z * hb[j];
      }
      break;
    }
  }
}

// Vectors as GCC/clang vector extensions: 16 floats (one AVX-512 register,
// split by the compiler on narrower targets) for the GEMM, 8 lanes for the
// gates, whose exp runs in double to keep the scalar path's accuracy.
typedef float V16f __attribute__((vector_size(64)));
typedef float V8f __attribute__((vector_size(32)));
typedef double V8d __attribute__((vector_size(64)));
typedef int64_t V8l __attribute__((vector_size(64)));

constexpr int64_t kRowBlock = 4;  // batch rows per GEMM tile
constexpr int64_t kColVecs = 4;   // 16-float column vectors per GEMM tile
constexpr int64_t kGateLanes = 8; // hidden units per gate vector

template <class V> V loadv(const float *p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <class V> void storev(float *p, V v) { std::memcpy(p, &v, sizeof(V)); }

/// Loads n <= 8 floats, the rest zero (all 8 when Full).
template <bool Full> V8f load8(const float *p, int64_t n) {
  if (Full)
    return loadv<V8f>(p);
  V8f v = {};
  for (int64_t i = 0; i < n; ++i)
    v[i] = p[i];
  return v;
}
template <bool Full> void store8(float *p, V8f v, int64_t n) {
  if (Full)
    return storev(p, v);
  for (int64_t i = 0; i < n; ++i)
    p[i] = v[i];
}

V8d toD(V8f v) { return __builtin_convertvector(v, V8d); }
V8f toF(V8d v) { return __builtin_convertvector(v, V8f); }
V8d select(V8l mask, V8d a, V8d b) {
  return (V8d)((mask & (V8l)a) | (~mask & (V8l)b));
}

/// exp(x) to ~3e-10 relative, far below float's rounding of the gates:
/// x = n ln2 + r with |r| <= ln2/2, e^r by its Taylor series to r^8, 2^n
/// built in the exponent bits. |x| is clamped to 700, beyond which the
/// callers' results are already exact in float.
V8d expV(V8d x) {
  const V8d lo = V8d{} - 700.0, hi = V8d{} + 700.0;
  x = select(x < lo, lo, x);
  x = select(x > hi, hi, x);
  const double shifter = 0x1.8p52; // adding it rounds to an integer
  V8d n = (x * 0x1.71547652b82fep0 + shifter) - shifter;
  V8d r = x - n * 0x1.62e42fee00000p-1 - n * 0x1.a39ef35793c76p-33;
  V8d p = V8d{} + 1.0 / 40320;
  const double coef[] = {1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24,
                         1.0 / 6,    0.5,       1.0,       1.0};
  for (double c : coef)
    p = p * r + c;
  V8l bits = (__builtin_convertvector(n, V8l) + 1023) << 52;
  return p * (V8d)bits;
}

/// 1 / d to ~4e-9 relative, also far below float's rounding: AVX-512's
/// reciprocal estimate and one Newton step have several times the
/// throughput of a division, which dominated the gates.
V8d reciprocalV(V8d d) {
#if defined(__AVX512F__)
  V8d r = (V8d)_mm512_rcp14_pd((__m512d)d);
  return r * (2.0 - d * r);
#else
  return 1.0 / d;
#endif
}

/// The vector forms of RecurrentUtil.h's sigmoid and tanhFast; their
/// float results match the scalar ones to float rounding.
V8f sigmoidV(V8f x) { return toF(reciprocalV(1.0 + expV(-toD(x)))); }
V8f tanhV(V8f x) {
  const V8d d = toD(x);
  const V8l absBits = (V8l)d & 0x7fffffffffffffffLL;
  const V8d series = d - d * d * d / 3.0;
  const V8d viaExp = 1.0 - 2.0 * reciprocalV(expV(2.0 * d) + 1.0);
  return toF(select((V8d)absBits < 0x1p-10, series, viaExp));
}

/// The gate update of hidden units [j, j + n) of one batch row, as
/// cellStep. `x` and `r` are that row's input and hidden projections.
template <bool Full>
void cellLanes(Cell cell, int64_t hidden, int64_t j, int64_t n, const float *x,
               const float *r, float *h, float *c) {
  auto in = [&](int64_t gate) { return load8<Full>(x + gate * hidden + j, n); };
  auto rec = [&](int64_t gate) {
    return load8<Full>(r + gate * hidden + j, n);
  };
  V8f hv;
  switch (cell) {
  case Cell::RNNTanh:
    hv = tanhV(in(0) + rec(0));
    break;
  case Cell::RNNRelu: {
    // max(s, 0) as std::max: NaN and -0 pass through.
    typedef int32_t V8i __attribute__((vector_size(32)));
    const V8f s = in(0) + rec(0);
    hv = (V8f)(~(s < 0.0f) & (V8i)s);
    break;
  }
  case Cell::LSTM: {
    const V8f i = sigmoidV(in(0) + rec(0)), f = sigmoidV(in(1) + rec(1));
    const V8f g = tanhV(in(2) + rec(2)), o = sigmoidV(in(3) + rec(3));
    const V8f cv = f * load8<Full>(c + j, n) + i * g;
    store8<Full>(c + j, cv, n);
    hv = o * tanhV(cv);
    break;
  }
  case Cell::GRU: {
    const V8f rg = sigmoidV(in(0) + rec(0)), z = sigmoidV(in(1) + rec(1));
    // b_hn stays inside the reset product, as in PyTorch.
    const V8f nv = tanhV(in(2) + rg * rec(2));
    hv = (1.0f - z) * nv + z * load8<Full>(h + j, n);
    break;
  }
  }
  store8<Full>(h + j, hv, n);
}

/// hg rows [0, R) (ldg apart), columns [0, 16 NV) = bias + h W_hh^T for R
/// batch rows of h, with `wt` the packed W_hh^T ([hidden, ldg]) and `bias`
/// padded to ldg, both starting at the tile's first column. R x NV
/// accumulators stay in registers across the whole k loop.
template <int R, int NV>
void gemmTile(const float *h, int64_t hidden, const float *wt,
              const float *bias, int64_t ldg, float *hg) {
  V16f acc[R][NV];
  for (int v = 0; v < NV; ++v) {
    const V16f b = loadv<V16f>(bias + 16 * v);
    for (int r = 0; r < R; ++r)
      acc[r][v] = b;
  }
  for (int64_t k = 0; k < hidden; ++k) {
    V16f w[NV];
    for (int v = 0; v < NV; ++v)
      w[v] = loadv<V16f>(wt + k * ldg + 16 * v);
    for (int r = 0; r < R; ++r) {
      const float s = h[r * hidden + k];
      for (int v = 0; v < NV; ++v)
        acc[r][v] += s * w[v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v)
      storev(hg + r * ldg + 16 * v, acc[r][v]);
}

using GemmTileFn = void (*)(const float *, int64_t, const float *,
                            const float *, int64_t, float *);
template <int R>
constexpr GemmTileFn kTiles[kColVecs] = {gemmTile<R, 1>, gemmTile<R, 2>,
                                         gemmTile<R, 3>, gemmTile<R, 4>};
constexpr const GemmTileFn *kTileTable[kRowBlock] = {kTiles<1>, kTiles<2>,
                                                     kTiles<3>, kTiles<4>};

/// W_hh^T and b_hh packed for gemmTile: columns padded to a multiple of 16
/// with zeros, so every tile loads whole vectors.
struct PackedHidden {
  int64_t ldg;
  std::vector<float> wt, bias;
  PackedHidden(const float *w, const float *b, int64_t gh, int64_t hidden)
      : ldg((gh + 15) / 16 * 16), wt(size_t(hidden * ldg)), bias(size_t(ldg)) {
    // Transposed in 16 x 16 tiles, each row of a tile written contiguously:
    // a plain loop over n then k compiles to AVX-512 scatters, which made
    // this packing a fifth of a batch-1 LSTM's run time.
    constexpr int64_t kTile = 16;
    for (int64_t n0 = 0; n0 < gh; n0 += kTile)
      for (int64_t k0 = 0; k0 < hidden; k0 += kTile) {
        const int64_t nEnd = std::min(gh, n0 + kTile);
        const int64_t kEnd = std::min(hidden, k0 + kTile);
        for (int64_t k = k0; k < kEnd; ++k)
          for (int64_t n = n0; n < nEnd; ++n)
            wt[size_t(k * ldg + n)] = w[n * hidden + k];
      }
    if (b)
      std::copy(b, b + gh, bias.begin());
  }
};

/// All steps of one direction in f32: `gx` holds the input projections
/// ([T, B, G*H]), h and c the state ([B, H]), updated in place; step t's h
/// goes to out[t] (rows `ldo` apart).
void recurF32(Cell cell, const PackedHidden &wh, int64_t steps, int64_t batch,
              int64_t hidden, bool reverse, const float *gx, float *h, float *c,
              float *out, int64_t ldo) {
  const int64_t gh = gatesOf(cell) * hidden, ldg = wh.ldg;
  std::vector<float> hg(size_t(kRowBlock * ldg));
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t t = reverse ? steps - 1 - s : s;
    for (int64_t b0 = 0; b0 < batch; b0 += kRowBlock) {
      const int64_t rows = std::min(kRowBlock, batch - b0);
      float *hb = h + b0 * hidden;
      for (int64_t n0 = 0; n0 < ldg; n0 += 16 * kColVecs) {
        const int64_t vecs = std::min(kColVecs, (ldg - n0) / 16);
        kTileTable[rows - 1][vecs - 1](hb, hidden, wh.wt.data() + n0,
                                       wh.bias.data() + n0, ldg,
                                       hg.data() + n0);
      }
      for (int64_t r = 0; r < rows; ++r) {
        const float *x = gx + (t * batch + b0 + r) * gh;
        float *hr = hb + r * hidden;
        float *cr = c ? c + (b0 + r) * hidden : nullptr;
        int64_t j = 0;
        for (; j + kGateLanes <= hidden; j += kGateLanes)
          cellLanes<true>(cell, hidden, j, kGateLanes, x, hg.data() + r * ldg,
                          hr, cr);
        if (j < hidden)
          cellLanes<false>(cell, hidden, j, hidden - j, x, hg.data() + r * ldg,
                           hr, cr);
        std::memcpy(out + (t * batch + b0 + r) * ldo, hr,
                    sizeof(float) * hidden);
      }
    }
  }
}

template <class T>
RecurrentResult runTyped(Cell cell, const Tensor &input, const Tensor &h0,
                         const Tensor &c0, const std::vector<Tensor> &weights,
                         const RecurrentOptions &opt) {
  const bool isLSTM = cell == Cell::LSTM;
  const DType dtype = input.dtype();
  const int64_t batch = input.dim(opt.batchFirst ? 0 : 1);
  const int64_t steps = input.dim(opt.batchFirst ? 1 : 0);
  const int64_t hidden = opt.hiddenSize, layers = opt.numLayers;
  const int64_t dirs = opt.bidirectional ? 2 : 1;
  const int64_t gh = gatesOf(cell) * hidden;
  const int64_t perDirection = opt.hasBiases ? 4 : 2;
  const Shape stateShape = {layers * dirs, batch, hidden};
  const int64_t stateSize = batch * hidden;

  RecurrentResult result;
  result.hN = Tensor(dtype, stateShape);
  if (isLSTM)
    result.cN = Tensor(dtype, stateShape);

  // The current layer's input, time-major [T, B, in].
  int64_t inSize = input.dim(2);
  Tensor x = input;
  if (opt.batchFirst) {
    x = Tensor::uninitialized(dtype, {steps, batch, inSize});
    swapLeadingDims(input.data<T>(), x.data<T>(), batch, steps, inSize);
  }

  for (int64_t l = 0; l < layers; ++l) {
    // Every element is written: each direction fills its half of each row.
    Tensor out = Tensor::uninitialized(dtype, {steps, batch, dirs * hidden});
    auto runDirection = [&](int64_t d) {
      const int64_t index = l * dirs + d;
      const Tensor *w = &weights[size_t(index * perDirection)];
      const T *bIh = opt.hasBiases ? w[2].data<T>() : nullptr;
      const T *bHh = opt.hasBiases ? w[3].data<T>() : nullptr;

      // gx = x W_ih^T + b_ih for all steps at once, in the thread's
      // scratch (slot d, as the directions may share a thread): a fresh
      // allocation per call would page-fault in every run.
      T *gx = scratch<T>(int(d), steps * batch * gh);
      fillRows(gx, steps * batch, gh, bIh);
      gemm(false, true, steps * batch, gh, inSize, T(1), x.data<T>(), inSize,
           w[0].data<T>(), inSize, T(1), gx, gh);

      T *h = result.hN.data<T>() + index * stateSize;
      T *c = isLSTM ? result.cN.data<T>() + index * stateSize : nullptr;
      if (h0.defined())
        std::memcpy(h, h0.data<T>() + index * stateSize, sizeof(T) * stateSize);
      if (isLSTM && c0.defined())
        std::memcpy(c, c0.data<T>() + index * stateSize, sizeof(T) * stateSize);

      T *o = out.data<T>() + d * hidden;
      if constexpr (std::is_same_v<T, float>) {
        const PackedHidden wh(w[1].data<T>(), bHh, gh, hidden);
        recurF32(cell, wh, steps, batch, hidden, d == 1, gx, h, c, o,
                 dirs * hidden);
        return;
      }
      std::vector<T> hg(size_t(batch * gh));
      for (int64_t s = 0; s < steps; ++s) {
        const int64_t t = d == 0 ? s : steps - 1 - s;
        // hg = h W_hh^T + b_hh.
        fillRows(hg.data(), batch, gh, bHh);
        gemm(false, true, batch, gh, hidden, T(1), h, hidden, w[1].data<T>(),
             hidden, T(1), hg.data(), gh);
        cellStep(cell, batch, hidden, gx + t * batch * gh, hg.data(), h, c);
        for (int64_t b = 0; b < batch; ++b)
          std::memcpy(o + (t * batch + b) * dirs * hidden, h + b * hidden,
                      sizeof(T) * hidden);
      }
    };
    if (dirs == 2 && numThreads() > 1) {
      // One direction per thread.
      parallelFor(0, 2, 1, [&](int64_t lo, int64_t hi) {
        for (int64_t d = lo; d < hi; ++d)
          runDirection(d);
      });
    } else {
      for (int64_t d = 0; d < dirs; ++d)
        runDirection(d);
    }
    // Training-mode dropout between layers; the stream is the layer index
    // so every layer draws an independent, reproducible mask.
    x = opt.dropout > 0 && l + 1 < layers
            ? dropout(out, opt.dropout, /*spatial=*/false, /*training=*/true,
                      opt.dropoutSeed, uint64_t(l))
            : out;
    inSize = dirs * hidden;
  }

  if (opt.batchFirst) {
    result.output = Tensor::uninitialized(dtype, {batch, steps, inSize});
    swapLeadingDims(x.data<T>(), result.output.data<T>(), steps, batch, inSize);
  } else {
    result.output = x;
  }
  return result;
}

/// f32/f64 natively; f16/bf16 through f32 with the results cast back.
RecurrentResult runRecurrent(Cell cell, const char *kernel, const Tensor &input,
                             const Tensor &h0, const Tensor &c0,
                             const std::vector<Tensor> &weights,
                             const RecurrentOptions &opt) {
  const DType dtype = input.dtype();
  if (isHalf(dtype)) {
    std::vector<Tensor> wide;
    for (const Tensor &w : weights)
      wide.push_back(widenHalf(w));
    RecurrentResult r = runTyped<float>(cell, widenHalf(input), widenHalf(h0),
                                        widenHalf(c0), wide, opt);
    return {cast(r.output, dtype), cast(r.hN, dtype),
            r.cN.defined() ? cast(r.cN, dtype) : Tensor()};
  }
  return dispatchFloat(dtype, kernel, [&](auto tag) {
    return runTyped<decltype(tag)>(cell, input, h0, c0, weights, opt);
  });
}

} // namespace

RecurrentResult kernels::rnn(const Tensor &input, const Tensor &h0,
                             const std::vector<Tensor> &weights,
                             const RecurrentOptions &options, bool relu) {
  return runRecurrent(relu ? Cell::RNNRelu : Cell::RNNTanh, "rnn", input, h0,
                      Tensor(), weights, options);
}

RecurrentResult kernels::lstm(const Tensor &input, const Tensor &h0,
                              const Tensor &c0,
                              const std::vector<Tensor> &weights,
                              const RecurrentOptions &options) {
  return runRecurrent(Cell::LSTM, "lstm", input, h0, c0, weights, options);
}

RecurrentResult kernels::gru(const Tensor &input, const Tensor &h0,
                             const std::vector<Tensor> &weights,
                             const RecurrentOptions &options) {
  return runRecurrent(Cell::GRU, "gru", input, h0, Tensor(), weights, options);
}
