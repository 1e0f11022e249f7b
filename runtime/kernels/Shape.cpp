//===- Shape.cpp - Reshape, permute, concat, slice, expand, patchify ------===//
//
// These kernels only move elements, so they are written over unsigned
// integers of the element's byte size (dispatchBySize): one instantiation
// per width serves every dtype.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Shape.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/KernelUtil.h"

#include <algorithm>
#include <cstring>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Grain in elements for copies split across threads.
constexpr int64_t kCopyGrain = 1 << 16;

/// Copies n elements read with stride `s` (0: one value repeated).
template <class U> void stridedCopy(const U *in, int64_t s, U *out, int64_t n) {
  if (s == 1) {
    std::memcpy(out, in, sizeof(U) * n);
  } else if (s == 0) {
    std::fill(out, out + n, *in);
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i] = in[i * s];
  }
}

/// Materialises a strided view: out (contiguous, `sizes`) at position p
/// reads in[sum p_d * strides[d]].
template <class U>
void gatherStrided(const U *in, U *out, const Shape &sizes,
                   const std::vector<int64_t> &strides) {
  LoopNest nest = makeLoopNest(sizes, {strides});
  int64_t inner = nest.inner(), rows = nest.rows();
  int64_t s = nest.strides[0].back();
  size_t n = nest.sizes.size();
  // The output's second-to-last dim is the input's contiguous one: a
  // (batched) transpose, done in cache-sized tiles.
  if (s != 1 && s != 0 && n >= 2 && nest.strides[0][n - 2] == 1) {
    constexpr int64_t kTile = 32;
    int64_t m = nest.sizes[n - 2], batches = rows / m;
    int64_t tilesI = (m + kTile - 1) / kTile;
    parallelFor(0, batches * tilesI,
                std::max<int64_t>(1, 4096 / (inner * kTile)),
                [&](int64_t lo, int64_t hi) {
                  for (int64_t t = lo; t < hi; ++t) {
                    int64_t b = t / tilesI, i0 = (t % tilesI) * kTile;
                    int64_t i1 = std::min(m, i0 + kTile);
                    const U *base = in + nest.rowOffset(0, b * m);
                    U *dst = out + b * m * inner;
                    for (int64_t j0 = 0; j0 < inner; j0 += kTile) {
                      int64_t j1 = std::min(inner, j0 + kTile);
                      for (int64_t j = j0; j < j1; ++j)
                        for (int64_t i = i0; i < i1; ++i)
                          dst[i * inner + j] = base[j * s + i];
                    }
                  }
                });
    return;
  }
  parallelFor(0, rows, std::max<int64_t>(1, kCopyGrain / inner),
              [&](int64_t lo, int64_t hi) {
                for (int64_t r = lo; r < hi; ++r)
                  stridedCopy(in + nest.rowOffset(0, r), s, out + r * inner,
                              inner);
              });
}

/// Sizes before and after `axis`.
void splitAround(const Shape &shape, int64_t axis, int64_t &outer,
                 int64_t &inner) {
  outer = inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
}

} // namespace

Tensor kernels::reshape(const Tensor &x, const Shape &shape) {
  return x.reshaped(shape);
}

Tensor kernels::permute(const Tensor &x, const std::vector<int64_t> &perm) {
  Shape shape(perm.size());
  std::vector<int64_t> own = contiguousStrides(x.shape()), strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    shape[i] = x.dim(perm[i]);
    strides[i] = own[perm[i]];
  }
  Tensor y(x.dtype(), shape);
  if (y.numel() == 0)
    return y;
  dispatchBySize(x.dtype(), [&](auto tag) {
    using U = decltype(tag);
    gatherStrided(x.data<U>(), y.data<U>(), shape, strides);
  });
  return y;
}

Tensor kernels::concat(const std::vector<Tensor> &inputs, int64_t axis) {
  const Tensor &first = inputs.front();
  int64_t a = normalizeAxis(axis, first.rank());
  Shape shape = first.shape();
  shape[a] = 0;
  for (const Tensor &t : inputs)
    shape[a] += t.dim(a);
  Tensor y(first.dtype(), shape);
  int64_t outer, inner;
  splitAround(shape, a, outer, inner);
  size_t es = dtypeSize(first.dtype());
  size_t rowBytes = size_t(shape[a] * inner) * es;
  char *out = static_cast<char *>(y.raw());
  parallelFor(
      0, outer, std::max<int64_t>(1, kCopyGrain / (shape[a] * inner + 1)),
      [&](int64_t lo, int64_t hi) {
        for (int64_t o = lo; o < hi; ++o) {
          char *dst = out + o * rowBytes;
          for (const Tensor &t : inputs) {
            size_t chunk = size_t(t.dim(a) * inner) * es;
            std::memcpy(dst, static_cast<const char *>(t.raw()) + o * chunk,
                        chunk);
            dst += chunk;
          }
        }
      });
  return y;
}

Tensor kernels::slice(const Tensor &x, int64_t axis, int64_t start, int64_t end,
                      int64_t step) {
  int64_t a = normalizeAxis(axis, x.rank()), size = x.dim(a);
  auto clampIndex = [size](int64_t i) {
    if (i < 0)
      i = std::max<int64_t>(i + size, 0);
    return std::min(i, size);
  };
  int64_t from = clampIndex(start), to = clampIndex(end);
  int64_t len = to > from ? (to - from - 1) / step + 1 : 0;
  Shape shape = x.shape();
  shape[a] = len;
  Tensor y(x.dtype(), shape);
  if (y.numel() == 0)
    return y;
  int64_t outer, inner;
  splitAround(shape, a, outer, inner);
  // Output [outer, len, inner] reads input [outer, size, inner] at rows
  // from + k * step.
  Shape sizes = {outer, len, inner};
  std::vector<int64_t> strides = {size * inner, step * inner, 1};
  int64_t offset = from * inner;
  dispatchBySize(x.dtype(), [&](auto tag) {
    using U = decltype(tag);
    gatherStrided(x.data<U>() + offset, y.data<U>(), sizes, strides);
  });
  return y;
}

std::vector<Tensor> kernels::split(const Tensor &x, int64_t axis,
                                   const std::vector<int64_t> &sizes) {
  std::vector<Tensor> pieces;
  int64_t start = 0;
  for (int64_t s : sizes) {
    pieces.push_back(slice(x, axis, start, start + s, 1));
    start += s;
  }
  return pieces;
}

Tensor kernels::expand(const Tensor &x, const Shape &shape) {
  Tensor y(x.dtype(), shape);
  if (y.numel() == 0)
    return y;
  std::vector<int64_t> strides = broadcastStrides(x.shape(), shape);
  dispatchBySize(x.dtype(), [&](auto tag) {
    using U = decltype(tag);
    gatherStrided(x.data<U>(), y.data<U>(), shape, strides);
  });
  return y;
}

Tensor kernels::patchify(const Tensor &x,
                         const std::vector<int64_t> &patchSize) {
  int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  int64_t ph = patchSize[0], pw = patchSize[1];
  int64_t nh = H / ph, nw = W / pw;
  Tensor y(x.dtype(), {N, nh * nw, C * ph * pw});
  if (y.numel() == 0)
    return y;
  // Output [N, nh, nw, C, ph, pw] reads input [N, C, nh, ph, nw, pw].
  Shape sizes = {N, nh, nw, C, ph, pw};
  std::vector<int64_t> strides = {C * H * W, ph * W, pw, H * W, W, 1};
  dispatchBySize(x.dtype(), [&](auto tag) {
    using U = decltype(tag);
    gatherStrided(x.data<U>(), y.data<U>(), sizes, strides);
  });
  return y;
}
