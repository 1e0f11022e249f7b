//===- ConvTiled.cpp - Register-tiled f32 convolution ---------------------===//
//
// A tile is up to 8 output channels x up to 3 vectors of 16 output
// positions: 24 accumulators in zmm registers. The reduction runs over
// (input row, tap); each step loads one 16-wide input vector per vector of
// positions and broadcasts one weight per output channel (read in place
// from the [O, C, K] weights), so every loaded value feeds several FMAs.
// The tile starts from the bias and is stored straight into the NCHW
// output: no GEMM result to scatter, and small channel counts (16 output
// channels) still fill the registers.
//
// The input vectors come from one of two layouts:
// - phased: a tap shifts all output positions by one flat offset. With
//   stride s, input position o * s + k * d - p is phase (k * d - p) mod s,
//   index o + floor((k * d - p) / s) of that phase, so splitting the input
//   into its s0 * s1 * s2 phase planes (only the phases some tap reads)
//   makes every tap a shift of the output grid. The planes' rows are laid
//   out as wide as the output rows (or wider), and the tiles run over a
//   virtual output of that row width: a vector's 16 positions read 16
//   consecutive elements, lanes whose tap lies outside the input are masked
//   off, and lanes beyond the real output row are dropped when storing (the
//   rest compressed to consecutive outputs). Stride-1 convolutions whose
//   rows are at least as wide as the output's read the input in place.
// - unfolded: when the virtual output would waste more than half its
//   lanes, blocks of images (or of output lines of a large image) are
//   unfolded by im2col into a column matrix in cache, read by the tiles as
//   a one-tap convolution over its rows.
// Rearranged inputs are built per block of images in per-thread scratch,
// so they are still in cache when the tiles read them.
//
// Every output element is computed by one tile in a fixed order, so results
// do not depend on the thread count.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/ConvTiled.h"

#include "runtime/ThreadPool.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::kernels::detail;

#if defined(__AVX512F__)

namespace {

constexpr int kLanes = 16;     // floats per zmm vector
constexpr int kMaxRows = 8;    // output channels per tile
constexpr int kMaxVectors = 3; // vectors of output positions per tile
/// Reduction steps (input row x tap) a tile runs before the next tile of
/// its panel: their input (32 channels of 3x3 taps) stays in L1 while all
/// output-channel tiles read it.
constexpr int64_t kBlockSteps = 288;
/// Work (flops) below which a chunk of tiles stays on the calling thread:
/// about 10 us, the order of waking a pool thread.
constexpr double kMinChunkFlops = 1e6;
/// Target size of one block's rearranged input: well inside the L2 cache.
constexpr int64_t kBlockBytes = int64_t(512) << 10;

__mmask16 laneMask(int64_t count) {
  return count >= kLanes ? __mmask16(0xffff)
                         : __mmask16((1u << std::max<int64_t>(0, count)) - 1);
}

/// One tap of a tile: where it reads relative to a vector's position, the
/// lanes it reads for each vector, and its index in the kernel.
struct Tap {
  int64_t offset, index;
  __mmask16 mask[kMaxVectors];
};

/// What one tile reads and writes. The reduction runs over `rows` input
/// rows x the active taps: tap t of row c for vector v is read at
/// src[v] + c * rowStride + t.offset with the lanes of t.mask[v], and its
/// weight for output channel i at w[i * wStride + c * kernelTaps + t.index].
/// Output channel i of vector v goes to dst[v] + i * dstStride: the lanes
/// of store[v], compressed to consecutive elements when `compress`. The
/// sums start from the bias, or with `accumulate` from what dst holds (the
/// partial sums over earlier rows).
struct TileArgs {
  const float *w = nullptr;
  const float *bias = nullptr; // MR values, or null for none
  int64_t wStride = 0, kernelTaps = 1;
  int64_t rows = 0, rowStride = 0, dstStride = 0;
  const Tap *taps = nullptr, *tapsEnd = nullptr;
  const float *src[kMaxVectors] = {};
  float *dst[kMaxVectors] = {};
  __mmask16 store[kMaxVectors] = {};
  bool compress = false, accumulate = false;
  /// On the last block of input rows: the epilogue, applied to the sums
  /// before they are stored. `scale` and `shift` are MR values; the residual
  /// is read at dst + residualOffset, with dst's lanes.
  bool finish = false, relu = false;
  const float *scale = nullptr, *shift = nullptr;
  bool residual = false;
  int64_t residualOffset = 0;
};

/// Fully unrolls a loop over a tile's registers: the accumulators only
/// stay in registers when every index into them is a constant.
#if defined(__clang__)
#define NNC_UNROLL _Pragma("clang loop unroll(full)")
#else
#define NNC_UNROLL _Pragma("GCC unroll 24")
#endif

// Rows outside, taps inside: the taps of one row read a few neighbouring
// cache lines, and each weight row is read sequentially.
template <int MR, int NV> void tile(const TileArgs &a) {
  __m512 acc[MR][NV];
  NNC_UNROLL
  for (int i = 0; i < MR; ++i) {
    __m512 b = a.bias ? _mm512_set1_ps(a.bias[i]) : _mm512_setzero_ps();
    NNC_UNROLL
    for (int v = 0; v < NV; ++v) {
      const float *d = a.dst[v] + i * a.dstStride;
      if (!a.accumulate)
        acc[i][v] = b;
      else if (a.compress)
        acc[i][v] = _mm512_maskz_expandloadu_ps(a.store[v], d);
      else
        acc[i][v] = _mm512_maskz_loadu_ps(a.store[v], d);
    }
  }
  const float *s[NV];
  NNC_UNROLL
  for (int v = 0; v < NV; ++v)
    s[v] = a.src[v];
  const float *w = a.w;
  for (int64_t c = 0; c < a.rows; ++c) {
    for (const Tap *t = a.taps; t != a.tapsEnd; ++t) {
      __m512 in[NV];
      NNC_UNROLL
      for (int v = 0; v < NV; ++v)
        in[v] = _mm512_maskz_loadu_ps(t->mask[v], s[v] + t->offset);
      const float *wt = w + t->index;
      NNC_UNROLL
      for (int i = 0; i < MR; ++i) {
        __m512 b = _mm512_set1_ps(wt[i * a.wStride]);
        NNC_UNROLL
        for (int v = 0; v < NV; ++v)
          acc[i][v] = _mm512_fmadd_ps(b, in[v], acc[i][v]);
      }
    }
    w += a.kernelTaps;
    NNC_UNROLL
    for (int v = 0; v < NV; ++v)
      s[v] += a.rowStride;
  }
  if (a.finish) {
    NNC_UNROLL
    for (int i = 0; i < MR; ++i) {
      NNC_UNROLL
      for (int v = 0; v < NV; ++v) {
        __m512 &r = acc[i][v];
        // One explicit FMA: with -ffp-contract=fast the compiler would
        // contract a multiply and an add in some instantiations and not in
        // others, and the bits would depend on the tile shape.
        if (a.scale && a.shift)
          r = _mm512_fmadd_ps(r, _mm512_set1_ps(a.scale[i]),
                              _mm512_set1_ps(a.shift[i]));
        else if (a.scale)
          r = _mm512_mul_ps(r, _mm512_set1_ps(a.scale[i]));
        else if (a.shift)
          r = _mm512_add_ps(r, _mm512_set1_ps(a.shift[i]));
        if (a.residual) {
          const float *d = a.dst[v] + i * a.dstStride + a.residualOffset;
          r = _mm512_add_ps(r, a.compress
                                   ? _mm512_maskz_expandloadu_ps(a.store[v], d)
                                   : _mm512_maskz_loadu_ps(a.store[v], d));
        }
        // max(0, r) returns r when it is NaN, as ReLU does.
        if (a.relu)
          r = _mm512_max_ps(_mm512_setzero_ps(), r);
      }
    }
  }
  NNC_UNROLL
  for (int v = 0; v < NV; ++v) {
    __mmask16 m = a.store[v];
    __mmask16 packed = laneMask(__builtin_popcount(m));
    NNC_UNROLL
    for (int i = 0; i < MR; ++i) {
      float *d = a.dst[v] + i * a.dstStride;
      if (a.compress)
        _mm512_mask_storeu_ps(d, packed,
                              _mm512_maskz_compress_ps(m, acc[i][v]));
      else
        _mm512_mask_storeu_ps(d, m, acc[i][v]);
    }
  }
}

using TileFn = void (*)(const TileArgs &);

template <int MR> TileFn tileFor(int nv) {
  return nv == 1 ? tile<MR, 1> : nv == 2 ? tile<MR, 2> : tile<MR, 3>;
}

TileFn tileFor(int64_t mr, int64_t nv) {
  static constexpr TileFn (*byRows[kMaxRows])(int) = {
      tileFor<1>, tileFor<2>, tileFor<3>, tileFor<4>,
      tileFor<5>, tileFor<6>, tileFor<7>, tileFor<8>};
  return byRows[mr - 1](int(nv));
}

/// Up to kMaxRows output channels of one group.
struct ChannelTile {
  int64_t group, first, count;
};

/// The operands and channel tiles of one convolution.
struct Problem {
  Problem(const float *x, const float *w, const float *bias, float *y,
          const ConvSizes &g, const TileEpilogue &epilogue)
      : g(g), x(x), w(w), bias(bias), y(y), epilogue(epilogue) {
    cg = g.inChannels / g.groups;
    og = g.outChannels / g.groups;
    reduction = cg * g.kernelSize();
    P = g.outPlane();
    for (int64_t gr = 0; gr < g.groups; ++gr)
      for (int64_t o = 0; o < og; o += kMaxRows)
        tiles.push_back({gr, gr * og + o, std::min<int64_t>(kMaxRows, og - o)});
  }
  const ConvSizes &g;
  const float *x, *w, *bias;
  float *y;
  TileEpilogue epilogue;
  int64_t cg, og, reduction, P;
  std::vector<ChannelTile> tiles;
};

/// Where the tiles read and write for a block of images. Each image has
/// `perImage` vectors of 16 (virtual) output positions; vector j of image
/// i, input row c (of the tile's group) and tap t reads
/// src + i * imageStride + group * groupStride + c * rowStride + 16 j +
/// tapOffset[t] with the lanes of masks[j * taps + t], and stores output
/// channel o at y + (n0 + i) * O * P + o * P + dstOffset[j] (see
/// TileArgs::compress).
struct Layout {
  int64_t perImage = 0, rows = 0;
  int64_t rowStride = 0, imageStride = 0, groupStride = 0;
  std::vector<int64_t> tapOffset, dstOffset;
  std::vector<__mmask16> masks, store;
  bool compress = false;
};

/// A block of images [n0, n1), output lines [l0, l1) of each (unfolded
/// layout only), of one group (unfolded) or all (group < 0).
struct Block {
  int64_t n0, n1, l0, l1, group;
};

/// How many pieces to cut `tiles` channel tiles into so that `panels`
/// panels give every thread a few items.
int64_t tileChunks(int64_t panels, int64_t tiles) {
  int64_t want = 4 * int64_t(numThreads());
  return std::clamp<int64_t>((want + panels - 1) / std::max<int64_t>(1, panels),
                             1, std::max<int64_t>(1, tiles));
}

/// Panels of kMaxVectors consecutive vectors of the block's images (small
/// planes share a panel across images).
int64_t panelCount(const Layout &L, const Block &b) {
  return ((b.n1 - b.n0) * L.perImage + kMaxVectors - 1) / kMaxVectors;
}

/// The vectors [v0, v0 + nv) of panel `panel` out of `vectors`: three each,
/// except that a single leftover vector makes the last two panels two each
/// (a one-vector tile has too few accumulators to hide the FMA latency).
void panelVectors(int64_t vectors, int64_t panel, int64_t &v0, int64_t &nv) {
  static_assert(kMaxVectors == 3, "a leftover vector is split as 2 + 2");
  int64_t panels = (vectors + kMaxVectors - 1) / kMaxVectors;
  v0 = panel * kMaxVectors;
  nv = std::min<int64_t>(kMaxVectors, vectors - v0);
  if (vectors % kMaxVectors == 1 && vectors > 1 && panel >= panels - 2) {
    v0 = (panels - 2) * kMaxVectors + (panel - (panels - 2)) * 2;
    nv = 2;
  }
}

/// The tile range of block `b`.
void tileRange(const Problem &pb, const Block &b, int64_t &t0, int64_t &t1) {
  int64_t perGroup = int64_t(pb.tiles.size()) / pb.g.groups;
  t0 = b.group < 0 ? 0 : b.group * perGroup;
  t1 = b.group < 0 ? int64_t(pb.tiles.size()) : t0 + perGroup;
}

/// Runs items [lo, hi) of block `b` (panel-major, `chunks` pieces of its
/// tile range per panel) reading the block's input at `src`.
void runItems(const Problem &pb, const Layout &L, const Block &b,
              const float *src, int64_t chunks, int64_t lo, int64_t hi) {
  const int64_t K = int64_t(L.tapOffset.size());
  const int64_t vectors = (b.n1 - b.n0) * L.perImage;
  const int64_t O = pb.g.outChannels, P = pb.P;
  int64_t t0, t1;
  tileRange(pb, b, t0, t1);
  std::vector<Tap> tapList(K);
  const int64_t rowBlock = std::max<int64_t>(1, kBlockSteps / K);
  for (int64_t item = lo; item < hi; ++item) {
    int64_t panel = item / chunks, chunk = item % chunks, v0, nv;
    panelVectors(vectors, panel, v0, nv);
    TileArgs args;
    args.wStride = pb.reduction;
    args.kernelTaps = K;
    args.rowStride = L.rowStride;
    args.dstStride = P;
    args.compress = L.compress;
    const TileEpilogue &epi = pb.epilogue;
    args.relu = epi.relu;
    args.residual = epi.residual != nullptr;
    args.residualOffset = epi.residual ? epi.residual - pb.y : 0;
    int64_t j[kMaxVectors];
    const float *src0[kMaxVectors];
    float *dst0[kMaxVectors];
    for (int64_t v = 0; v < nv; ++v) {
      int64_t i = (v0 + v) / L.perImage;
      j[v] = (v0 + v) % L.perImage;
      src0[v] = src + i * L.imageStride + j[v] * kLanes;
      dst0[v] = pb.y + (b.n0 + i) * O * P + L.dstOffset[j[v]];
      args.store[v] = L.store[j[v]];
    }
    // The taps that read some input for some vector of the panel.
    Tap *end = tapList.data();
    for (int64_t t = 0; t < K; ++t) {
      *end = {L.tapOffset[t], t, {}};
      bool any = false;
      for (int64_t v = 0; v < nv; ++v)
        any |= (end->mask[v] = L.masks[j[v] * K + t]) != 0;
      end += any;
    }
    args.taps = tapList.data();
    args.tapsEnd = end;
    int64_t k0 = t0 + chunk * (t1 - t0) / chunks;
    int64_t k1 = t0 + (chunk + 1) * (t1 - t0) / chunks;
    // Blocks of input rows, each run by all the chunk's tiles while it is
    // in L1 (the partial sums go through the output).
    for (int64_t c0 = 0; c0 == 0 || c0 < L.rows; c0 += rowBlock) {
      args.rows = std::min(rowBlock, L.rows - c0);
      args.accumulate = c0 > 0;
      args.finish = c0 + rowBlock >= L.rows;
      for (int64_t k = k0; k < k1; ++k) {
        const ChannelTile &ct = pb.tiles[k];
        args.w = pb.w + ct.first * pb.reduction + c0 * K;
        args.bias = pb.bias ? pb.bias + ct.first : nullptr;
        args.scale = epi.scale ? epi.scale + ct.first : nullptr;
        args.shift = epi.shift ? epi.shift + ct.first : nullptr;
        for (int64_t v = 0; v < nv; ++v) {
          args.src[v] = src0[v] + ct.group * L.groupStride + c0 * L.rowStride;
          args.dst[v] = dst0[v] + ct.first * P;
        }
        tileFor(ct.count, nv)(args);
      }
    }
  }
}

/// The flops (two per multiply-add) of tiles [t0, t1) over block `b`.
double blockFlops(const Problem &pb, const Layout &L, const Block &b,
                  int64_t t0, int64_t t1) {
  int64_t channels = 0;
  for (int64_t k = t0; k < t1; ++k)
    channels += pb.tiles[k].count;
  return 2.0 * double((b.n1 - b.n0) * L.perImage * kLanes) * double(channels) *
         double(pb.reduction);
}

/// The parallelFor grain for items of `itemFlops` flops each: a chunk of
/// less than kMinChunkFlops is not worth waking a thread for.
int64_t parallelGrain(double itemFlops) {
  return std::max<int64_t>(
      1, int64_t(std::ceil(kMinChunkFlops / std::max(1.0, itemFlops))));
}

/// Runs every block: fill(block, buffer) rearranges its input into
/// `buffer` (returning where the tiles read), layout(block) says how the
/// tiles read it. With at least one block per thread each thread takes
/// whole blocks, in its own scratch; otherwise the pool fills each block
/// (fill may use parallelFor) and then shares its items.
template <class Fill, class LayoutOf>
void runBlocks(const Problem &pb, const std::vector<Block> &blocks,
               int64_t bufferFloats, Fill fill, LayoutOf layout) {
  const int64_t threads = numThreads();
  if (threads > 1 && int64_t(blocks.size()) >= threads) {
    const Block &b = blocks.front();
    int64_t t0, t1;
    tileRange(pb, b, t0, t1);
    int64_t grain = parallelGrain(blockFlops(pb, layout(b), b, t0, t1));
    parallelFor(0, int64_t(blocks.size()), grain, [&](int64_t lo, int64_t hi) {
      float *buffer = scratch<float>(0, bufferFloats);
      for (int64_t k = lo; k < hi; ++k) {
        const Layout &L = layout(blocks[k]);
        const float *src = fill(blocks[k], buffer);
        runItems(pb, L, blocks[k], src, 1, 0, panelCount(L, blocks[k]));
      }
    });
    return;
  }
  float *buffer = scratch<float>(0, bufferFloats);
  for (const Block &b : blocks) {
    const Layout &L = layout(b);
    const float *src = fill(b, buffer);
    int64_t t0, t1;
    tileRange(pb, b, t0, t1);
    int64_t panels = panelCount(L, b), chunks = tileChunks(panels, t1 - t0);
    int64_t grain =
        parallelGrain(blockFlops(pb, L, b, t0, t1) / double(panels * chunks));
    parallelFor(0, panels * chunks, grain, [&](int64_t lo, int64_t hi) {
      runItems(pb, L, b, src, chunks, lo, hi);
    });
  }
}

/// Images per block so that a block's buffer stays near kBlockBytes and,
/// where the batch allows, every thread gets two blocks.
int64_t imagesPerBlock(int64_t batch, int64_t imageFloats) {
  int64_t threads = numThreads();
  int64_t fit = kBlockBytes / std::max<int64_t>(1, imageFloats * 4);
  return std::clamp<int64_t>(fit, 1, (batch + 2 * threads - 1) / (2 * threads));
}

//===----------------------------------------------------------------------===//
// Phased layout
//===----------------------------------------------------------------------===//

/// The phased layout of a convolution (see the file comment).
struct Phased {
  bool inPlace = false;
  int64_t plane[3] = {1, 1, 1}; // a phase plane's dims (rows as wide as
                                // the virtual output's)
  std::vector<int64_t> phases; // the phases taps read: (f0 * s1 + f1) * s2 + f2
  int64_t virtualPlane = 0;
  Layout layout;
};

int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// Input positions of phase f along a dim: f, f + s, ... below `size`.
int64_t phaseCount(int64_t size, int64_t f, int64_t s) {
  return f < size ? (size - f + s - 1) / s : 0;
}

Phased planPhased(const Problem &pb) {
  const ConvSizes &g = pb.g;
  const int64_t *in = g.in, *out = g.out, *s = g.stride, *k = g.kernel;
  Phased ph;
  ph.inPlace = s[0] == 1 && s[1] == 1 && s[2] == 1 && in[2] >= out[2] &&
               (out[0] == 1 || in[1] >= out[1]);
  for (int j = 0; j < 3; ++j)
    ph.plane[j] =
        ph.inPlace ? in[j]
                   : std::max(j == 0 ? 1 : out[j], (in[j] + s[j] - 1) / s[j]);
  // Virtual output: out[0] slices of rows as wide as the plane's (as many
  // rows as the plane when slices follow each other).
  const int64_t rowsV = out[0] > 1 ? ph.plane[1] : out[1];
  const int64_t widthV = ph.plane[2];
  ph.virtualPlane = out[0] * rowsV * widthV;
  const int64_t K = g.kernelSize();
  const int64_t planeSize = ph.plane[0] * ph.plane[1] * ph.plane[2];
  Layout &L = ph.layout;
  L.rows = pb.cg;
  L.tapOffset.resize(K);
  // Per tap: the shift a along each dim and the phase's extent there.
  std::vector<int32_t> shift(3 * K), extent(3 * K);
  for (int64_t t = 0; t < K; ++t) {
    int64_t tap[3] = {t / (k[1] * k[2]), t / k[2] % k[1], t % k[2]};
    int64_t phase = 0;
    for (int j = 0; j < 3; ++j) {
      int64_t e = tap[j] * g.dil[j] - g.pad[j];
      int64_t a = floorDiv(e, s[j]), f = e - a * s[j];
      shift[3 * t + j] = int32_t(a);
      extent[3 * t + j] = int32_t(phaseCount(in[j], f, s[j]));
      phase = phase * s[j] + f;
    }
    auto it = std::find(ph.phases.begin(), ph.phases.end(), phase);
    int64_t index = it - ph.phases.begin();
    if (it == ph.phases.end())
      ph.phases.push_back(phase);
    L.tapOffset[t] =
        index * planeSize +
        (shift[3 * t] * ph.plane[1] + shift[3 * t + 1]) * ph.plane[2] +
        shift[3 * t + 2];
  }
  L.rowStride = int64_t(ph.phases.size()) * planeSize;
  L.groupStride = pb.cg * L.rowStride;
  L.imageStride = g.inChannels * L.rowStride;
  L.compress = rowsV != out[1] || widthV != out[2];
  L.perImage = (ph.virtualPlane + kLanes - 1) / kLanes;
  L.masks.resize(L.perImage * K);
  L.store.resize(L.perImage);
  L.dstOffset.resize(L.perImage);
  // Lane coordinates in the virtual output, advanced position by position;
  // compares on 16 lanes at a time give each tap's mask.
  alignas(64) int32_t coord[3][kLanes];
  int64_t d = 0, r = 0, c = 0, stored = 0;
  for (int64_t jv = 0; jv < L.perImage; ++jv) {
    __mmask16 real = 0;
    for (int l = 0; l < kLanes; ++l) {
      coord[0][l] = int32_t(d), coord[1][l] = int32_t(r),
      coord[2][l] = int32_t(c);
      if (jv * kLanes + l < ph.virtualPlane && r < out[1] && c < out[2])
        real |= __mmask16(1u << l);
      if (++c == widthV && (c = 0, ++r == rowsV))
        r = 0, ++d;
    }
    L.store[jv] = real;
    L.dstOffset[jv] = L.compress ? stored : jv * kLanes;
    stored += __builtin_popcount(real);
    __m512i lanes[3];
    for (int j = 0; j < 3; ++j)
      lanes[j] = _mm512_load_si512(coord[j]);
    for (int64_t t = 0; t < K; ++t) {
      __mmask16 m = real;
      for (int j = 0; j < 3; ++j) {
        __m512i q =
            _mm512_add_epi32(lanes[j], _mm512_set1_epi32(shift[3 * t + j]));
        m &= _mm512_cmpge_epi32_mask(q, _mm512_setzero_si512()) &
             _mm512_cmplt_epi32_mask(q, _mm512_set1_epi32(extent[3 * t + j]));
      }
      L.masks[jv * K + t] = m;
    }
  }
  return ph;
}

/// dst[i] = src[i * stride] for i < n; a constant S (0: use `stride`)
/// vectorises as shuffles of contiguous loads.
template <int S>
void gatherStrided(const float *src, int64_t n, int64_t stride, float *dst) {
  const int64_t st = S ? S : stride;
  for (int64_t i = 0; i < n; ++i)
    dst[i] = src[i * st];
}

/// Copies the phases of images [b.n0, b.n1) that the taps read into
/// `buffer` (per image, channel and phase a plane of ph.plane dims).
void splitPhases(const Problem &pb, const Phased &ph, const Block &b,
                 float *buffer) {
  const ConvSizes &g = pb.g;
  const int64_t *in = g.in, *s = g.stride;
  const int64_t C = g.inChannels, inPlane = g.inPlane();
  const int64_t nphases = int64_t(ph.phases.size());
  const int64_t planeSize = ph.plane[0] * ph.plane[1] * ph.plane[2];
  const int64_t grain =
      std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, inPlane));
  parallelFor(0, (b.n1 - b.n0) * C, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const float *xc = pb.x + (b.n0 * C + t) * inPlane;
      for (int64_t p = 0; p < nphases; ++p) {
        int64_t f[3] = {ph.phases[p] / (s[1] * s[2]),
                        ph.phases[p] / s[2] % s[1], ph.phases[p] % s[2]};
        float *plane = buffer + (t * nphases + p) * planeSize;
        int64_t n0 = phaseCount(in[0], f[0], s[0]);
        int64_t n1 = phaseCount(in[1], f[1], s[1]);
        int64_t n2 = phaseCount(in[2], f[2], s[2]);
        for (int64_t i0 = 0; i0 < n0; ++i0)
          for (int64_t i1 = 0; i1 < n1; ++i1) {
            const float *src =
                xc + ((i0 * s[0] + f[0]) * in[1] + i1 * s[1] + f[1]) * in[2] +
                f[2];
            float *dst = plane + (i0 * ph.plane[1] + i1) * ph.plane[2];
            if (s[2] == 1)
              std::copy(src, src + n2, dst);
            else if (s[2] == 2)
              gatherStrided<2>(src, n2, 2, dst);
            else
              gatherStrided<0>(src, n2, s[2], dst);
          }
      }
    }
  });
}

void convPhased(const Problem &pb, const Phased &ph) {
  const ConvSizes &g = pb.g;
  const Layout &L = ph.layout;
  auto layout = [&](const Block &) -> const Layout & { return L; };
  if (ph.inPlace) {
    // The input is the (only) phase: one block of the whole batch, no copy.
    std::vector<Block> all = {{0, g.batch, 0, 0, -1}};
    runBlocks(
        pb, all, 0, [&](const Block &, float *) { return pb.x; }, layout);
    return;
  }
  const int64_t images = imagesPerBlock(g.batch, L.imageStride);
  std::vector<Block> blocks;
  for (int64_t n = 0; n < g.batch; n += images)
    blocks.push_back({n, std::min(g.batch, n + images), 0, 0, -1});
  runBlocks(
      pb, blocks, images * L.imageStride,
      [&](const Block &b, float *buffer) -> const float * {
        splitPhases(pb, ph, b, buffer);
        return buffer;
      },
      layout);
}

//===----------------------------------------------------------------------===//
// Unfolded layout
//===----------------------------------------------------------------------===//

void convUnfolded(const Problem &pb) {
  const ConvSizes &g = pb.g;
  const int64_t N = g.batch, lines = g.out[0] * g.out[1], W = g.out[2];
  const int64_t threads = numThreads();
  auto roundUp = [](int64_t v) { return (v + kLanes - 1) / kLanes * kLanes; };
  // Whole images per block when one fits, else lines of one image; at
  // least two blocks per thread when the batch (or the lines) allow.
  int64_t images = 1, linesPer = lines;
  int64_t imageFloats = pb.reduction * roundUp(lines * W);
  if (imageFloats * 4 <= kBlockBytes)
    images = imagesPerBlock(N, imageFloats);
  else
    linesPer = std::clamp<int64_t>(
        kBlockBytes / std::max<int64_t>(1, pb.reduction * W * 4), 1, lines);
  if (N < 2 * threads && threads > 1)
    linesPer = std::min(
        linesPer, std::max<int64_t>(1, lines / ((2 * threads + N - 1) / N)));
  std::vector<Block> blocks;
  for (int64_t n = 0; n < N; n += images)
    for (int64_t l = 0; l < lines; l += linesPer)
      for (int64_t gr = 0; gr < g.groups; ++gr)
        blocks.push_back(
            {n, std::min(N, n + images), l, std::min(lines, l + linesPer), gr});
  const int64_t bufferFloats = pb.reduction * images * roundUp(linesPer * W);
  // A block's layout: rows are im2col's, each image's columns start at a
  // multiple of 16, one tap.
  auto layoutOf = [&](const Block &b) {
    Layout L;
    int64_t span = (b.l1 - b.l0) * W;
    L.perImage = roundUp(span) / kLanes;
    L.rows = pb.reduction;
    L.imageStride = L.perImage * kLanes;
    L.rowStride = (b.n1 - b.n0) * L.imageStride;
    L.tapOffset = {0};
    for (int64_t j = 0; j < L.perImage; ++j) {
      L.masks.push_back(laneMask(span - j * kLanes));
      L.dstOffset.push_back(b.l0 * W + j * kLanes);
    }
    L.store = L.masks;
    return L;
  };
  std::vector<Layout> layouts;
  for (const Block &b : blocks)
    layouts.push_back(layoutOf(b));
  runBlocks(
      pb, blocks, bufferFloats,
      [&](const Block &b, float *col) -> const float * {
        const int64_t imageSize = g.inChannels * g.inPlane();
        const int64_t stride = roundUp((b.l1 - b.l0) * W);
        for (int64_t n = b.n0; n < b.n1; ++n)
          im2col(pb.x + n * imageSize + b.group * pb.cg * g.inPlane(),
                 imageSize, 1, pb.cg, g, b.l0, b.l1, col + (n - b.n0) * stride,
                 (b.n1 - b.n0) * stride);
        return col;
      },
      [&](const Block &b) -> const Layout & {
        return layouts[&b - blocks.data()];
      });
}

} // namespace

bool nnc::rt::kernels::detail::convTiledAvailable() { return true; }

bool nnc::rt::kernels::detail::convTiled(const float *x, const float *w,
                                         const float *bias, float *y,
                                         const ConvSizes &g,
                                         const TileEpilogue &epilogue) {
  Problem pb(x, w, bias, y, g, epilogue);
  Phased ph = planPhased(pb);
  // The phased layout unless its virtual output wastes more than half its
  // lanes (valid convolutions of small planes, large strides of pointwise
  // kernels).
  if (2 * g.outPlane() >= ph.virtualPlane)
    convPhased(pb, ph);
  else
    convUnfolded(pb);
  return true;
}

#else

bool nnc::rt::kernels::detail::convTiledAvailable() { return false; }

bool nnc::rt::kernels::detail::convTiled(const float *, const float *,
                                         const float *, float *,
                                         const ConvSizes &,
                                         const TileEpilogue &) {
  return false;
}

#endif
