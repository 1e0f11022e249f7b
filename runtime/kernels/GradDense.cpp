//===- GradDense.cpp - Backward of dense, broadcasting and reduce ops -----===//
//
// Broadcast gradients are reduced by one strided loop nest (sumToShape);
// linear and matmul gradients are GEMMs, with batch broadcasting handled
// by computing the full broadcast gradient and reducing it.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Grad.h"
#include "runtime/kernels/Reduce.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/KernelUtil.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

Tensor kernels::sumToShape(const Tensor &grad, const Shape &shape) {
  if (grad.shape() == shape)
    return grad.clone();
  return dispatchFloat(grad.dtype(), "sumToShape", [&](auto tag) {
    using T = decltype(tag);
    Tensor out(grad.dtype(), shape);
    if (grad.numel() == 0 || out.numel() == 0)
      return out;
    // Walk grad contiguously; the output index uses stride 0 along the
    // broadcast dims, so those positions accumulate into one element.
    LoopNest nest =
        makeLoopNest(grad.shape(), {contiguousStrides(grad.shape()),
                                    broadcastStrides(shape, grad.shape())});
    const T *g = grad.data<T>();
    T *o = out.data<T>();
    int64_t n = nest.inner(), so = nest.strides[1].back();
    for (int64_t r = 0; r < nest.rows(); ++r) {
      const T *src = g + nest.rowOffset(0, r);
      T *dst = o + nest.rowOffset(1, r);
      if (so == 0) {
        *dst += T(laneSum(src, n));
      } else {
        for (int64_t i = 0; i < n; ++i)
          dst[i * so] += src[i];
      }
    }
    return out;
  });
}

BinaryGrads kernels::binaryBackward(BinaryOp op, const Tensor &g,
                                    const Tensor &lhs, const Tensor &rhs) {
  BinaryGrads r;
  switch (op) {
  case BinaryOp::Add:
    r.lhs = sumToShape(g, lhs.shape());
    r.rhs = sumToShape(g, rhs.shape());
    break;
  case BinaryOp::Sub:
    r.lhs = sumToShape(g, lhs.shape());
    r.rhs = sumToShape(unary(UnaryOp::Neg, g), rhs.shape());
    break;
  case BinaryOp::Mul:
    r.lhs = sumToShape(binary(BinaryOp::Mul, g, rhs), lhs.shape());
    r.rhs = sumToShape(binary(BinaryOp::Mul, g, lhs), rhs.shape());
    break;
  case BinaryOp::Div: {
    // d(a/b)/db = -(a/b)/b, so dB = -(dY / b) * (a / b).
    Tensor gOverB = binary(BinaryOp::Div, g, rhs);
    r.lhs = sumToShape(gOverB, lhs.shape());
    Tensor q = binary(BinaryOp::Div, lhs, rhs);
    r.rhs = sumToShape(unary(UnaryOp::Neg, binary(BinaryOp::Mul, gOverB, q)),
                       rhs.shape());
    break;
  }
  default:
    // The differentiation pass only emits this op for add/sub/mul/div.
    std::fprintf(stderr, "nnc: internal error: binaryBackward supports only "
                         "add, sub, mul and div\n");
    std::abort();
  }
  return r;
}

Tensor kernels::reduceBackward(const Tensor &g, const Shape &inputShape,
                               const std::vector<int64_t> &dims, bool keepdim,
                               bool mean) {
  int64_t rank = inputShape.size();
  std::vector<bool> reduced(rank, dims.empty());
  for (int64_t d : dims)
    reduced[normalizeAxis(d, rank)] = true;
  Shape kept;
  int64_t count = 1;
  for (int64_t d = 0; d < rank; ++d) {
    kept.push_back(reduced[d] ? 1 : inputShape[d]);
    if (reduced[d])
      count *= inputShape[d];
  }
  (void)keepdim; // with or without keepdim the element order is the same
  return dispatchFloat(g.dtype(), "reduceBackward", [&](auto tag) {
    using T = decltype(tag);
    Tensor out(g.dtype(), inputShape);
    if (out.numel() == 0)
      return out;
    T scale = mean ? T(1.0 / double(count)) : T(1);
    LoopNest nest =
        makeLoopNest(inputShape, {contiguousStrides(inputShape),
                                  broadcastStrides(kept, inputShape)});
    const T *src = g.data<T>();
    T *o = out.data<T>();
    int64_t n = nest.inner(), sg = nest.strides[1].back();
    parallelFor(0, nest.rows(), std::max<int64_t>(1, kElementwiseGrain / n),
                [&](int64_t lo, int64_t hi) {
                  for (int64_t r = lo; r < hi; ++r) {
                    T *dst = o + nest.rowOffset(0, r);
                    const T *s = src + nest.rowOffset(1, r);
                    for (int64_t i = 0; i < n; ++i)
                      dst[i] = s[i * sg] * scale;
                  }
                });
    return out;
  });
}

LinearGrads kernels::linearBackward(const Tensor &g, const Tensor &x,
                                    const Tensor &w, bool hasBias) {
  return dispatchFloat(x.dtype(), "linearBackward", [&](auto tag) {
    using T = decltype(tag);
    int64_t in = w.dim(1), out = w.dim(0);
    int64_t rows = in > 0 ? x.numel() / in : (out > 0 ? g.numel() / out : 0);
    LinearGrads r;
    r.input = Tensor(x.dtype(), x.shape());
    r.weight = Tensor(w.dtype(), w.shape());
    // dX [rows, in] = dY [rows, out] W [out, in]
    gemm(false, false, rows, in, out, T(1), g.data<T>(), out, w.data<T>(), in,
         T(0), r.input.data<T>(), in);
    // dW [out, in] = dY^T [out, rows] X [rows, in]
    gemm(true, false, out, in, rows, T(1), g.data<T>(), out, x.data<T>(), in,
         T(0), r.weight.data<T>(), in);
    if (hasBias)
      r.bias = sumToShape(g.reshaped({rows, out}), {out});
    return r;
  });
}

Tensor kernels::linearWeightBackward(const Tensor &g, const Tensor &x,
                                     const Shape &weightShape) {
  return dispatchFloat(x.dtype(), "linearWeightBackward", [&](auto tag) {
    using T = decltype(tag);
    int64_t out = weightShape[0], in = weightShape[1];
    int64_t rows = in > 0 ? x.numel() / in : (out > 0 ? g.numel() / out : 0);
    Tensor dw = Tensor::uninitialized(x.dtype(), weightShape);
    // dW [out, in] = dY^T [out, rows] X [rows, in]
    gemm(true, false, out, in, rows, T(1), g.data<T>(), out, x.data<T>(), in,
         T(0), dw.data<T>(), in);
    return dw;
  });
}

Tensor kernels::sliceBackward(const Tensor &g, const Shape &inputShape,
                              int64_t axis, int64_t start, int64_t end,
                              int64_t step) {
  int64_t rank = int64_t(inputShape.size());
  int64_t a = axis < 0 ? axis + rank : axis, size = inputShape[a];
  auto clampIndex = [size](int64_t i) {
    if (i < 0)
      i = std::max<int64_t>(i + size, 0);
    return std::min(i, size);
  };
  int64_t from = clampIndex(start);
  Tensor dx(g.dtype(), inputShape);
  int64_t len = g.dim(a), outer = 1, inner = 1;
  for (int64_t d = 0; d < a; ++d)
    outer *= inputShape[d];
  for (int64_t d = a + 1; d < rank; ++d)
    inner *= inputShape[d];
  dispatchFloat(g.dtype(), "sliceBackward", [&](auto tag) {
    using T = decltype(tag);
    const T *src = g.data<T>();
    T *dst = dx.data<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < len; ++k)
        std::copy_n(src + (o * len + k) * inner, inner,
                    dst + (o * size + from + k * step) * inner);
    return 0;
  });
  return dx;
}

MatmulGrads kernels::matmulBackward(const Tensor &g, const Tensor &a,
                                    const Tensor &b) {
  return dispatchFloat(a.dtype(), "matmulBackward", [&](auto tag) {
    using T = decltype(tag);
    int64_t n = a.dim(-2), k = a.dim(-1), m = b.dim(-1);
    Shape aBatch(a.shape().begin(), a.shape().end() - 2);
    Shape bBatch(b.shape().begin(), b.shape().end() - 2);
    Shape batch = broadcastShapes(aBatch, bBatch);
    int64_t count = numElements(batch);
    std::vector<int64_t> as = broadcastStrides(aBatch, batch);
    std::vector<int64_t> bs = broadcastStrides(bBatch, batch);
    std::vector<int64_t> cs = contiguousStrides(batch);
    // Full-batch gradients first; the broadcast dims are summed afterwards.
    Shape daShape = batch, dbShape = batch;
    daShape.insert(daShape.end(), {n, k});
    dbShape.insert(dbShape.end(), {k, m});
    Tensor da(a.dtype(), daShape), db(a.dtype(), dbShape);
    const T *ad = a.data<T>(), *bd = b.data<T>(), *gd = g.data<T>();
    for (int64_t i = 0; i < count; ++i) {
      int64_t ao = 0, bo = 0;
      for (size_t d = 0; d < batch.size(); ++d) {
        int64_t idx = (i / cs[d]) % batch[d];
        ao += idx * as[d];
        bo += idx * bs[d];
      }
      const T *ai = ad + ao * n * k, *bi = bd + bo * k * m,
              *gi = gd + i * n * m;
      // dA [n, k] = dY [n, m] B^T;  dB [k, m] = A^T dY
      gemm(false, true, n, k, m, T(1), gi, m, bi, m, T(0),
           da.data<T>() + i * n * k, k);
      gemm(true, false, k, m, n, T(1), ai, k, gi, m, T(0),
           db.data<T>() + i * k * m, m);
    }
    return MatmulGrads{sumToShape(da, a.shape()), sumToShape(db, b.shape())};
  });
}

Tensor kernels::embeddingBackward(const Tensor &g, const Tensor &indices,
                                  int64_t numEmbeddings,
                                  std::optional<int64_t> paddingIdx) {
  std::vector<int64_t> ids =
      readIndices(indices.reshaped({indices.numel()}), "embeddingBackward");
  int64_t pad = -1;
  if (paddingIdx)
    pad = *paddingIdx < 0 ? *paddingIdx + numEmbeddings : *paddingIdx;
  return dispatchFloat(g.dtype(), "embeddingBackward", [&](auto tag) {
    using T = decltype(tag);
    int64_t dim = g.rank() > 0 ? g.dim(-1) : 1;
    Tensor table(g.dtype(), {numEmbeddings, dim});
    const T *src = g.data<T>();
    T *dst = table.data<T>();
    // Serial over positions: repeated indices accumulate into one row.
    for (size_t i = 0; i < ids.size(); ++i) {
      int64_t id = ids[i];
      if (id < 0 || id >= numEmbeddings || id == pad)
        continue;
      T *row = dst + id * dim;
      const T *in = src + int64_t(i) * dim;
      for (int64_t j = 0; j < dim; ++j)
        row[j] += in[j];
    }
    return table;
  });
}

Tensor kernels::reduceSelectBackward(const Tensor &g, const Tensor &x,
                                     const Tensor &y,
                                     const std::vector<int64_t> &dims,
                                     bool keepdim) {
  // Result and gradient broadcast back over the reduced dims.
  Tensor yb = reduceBackward(y, x.shape(), dims, keepdim, false);
  Tensor gb = reduceBackward(g, x.shape(), dims, keepdim, false);
  Tensor mask(x.dtype(), x.shape());
  int64_t n = x.numel();
  for (int64_t i = 0; i < n; ++i)
    mask.set(i, x.at(i) == yb.at(i) ? 1.0 : 0.0);
  Tensor ties = reduceBackward(reduce(ReduceOp::Sum, mask, dims, keepdim),
                               x.shape(), dims, keepdim, false);
  Tensor dx(x.dtype(), x.shape());
  for (int64_t i = 0; i < n; ++i)
    if (mask.at(i) != 0)
      dx.set(i, gb.at(i) / ties.at(i));
  return dx;
}

Tensor kernels::topKBackward(const Tensor &g, const Tensor &indices,
                             const Shape &inputShape, int64_t axis) {
  int64_t rank = int64_t(inputShape.size());
  int64_t a = axis < 0 ? axis + rank : axis;
  int64_t outer = 1, inner = 1, size = inputShape[a], k = g.dim(a);
  for (int64_t d = 0; d < a; ++d)
    outer *= inputShape[d];
  for (int64_t d = a + 1; d < rank; ++d)
    inner *= inputShape[d];
  Tensor dx(g.dtype(), inputShape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < k; ++j)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t at = (o * k + j) * inner + i;
        int64_t to = (o * size + int64_t(indices.at(at))) * inner + i;
        dx.set(to, dx.at(to) + g.at(at));
      }
  return dx;
}

Tensor kernels::patchifyBackward(const Tensor &g, const Shape &inputShape,
                                 const std::vector<int64_t> &patch) {
  int64_t N = inputShape[0], C = inputShape[1], H = inputShape[2],
          W = inputShape[3], ph = patch[0], pw = patch[1];
  int64_t gw = W / pw, patches = (H / ph) * gw, width = C * ph * pw;
  Tensor dx(g.dtype(), inputShape);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t p = 0; p < patches; ++p)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < ph; ++i)
          for (int64_t j = 0; j < pw; ++j) {
            int64_t y = (p / gw) * ph + i, x = (p % gw) * pw + j;
            dx.set(((n * C + c) * H + y) * W + x,
                   g.at((n * patches + p) * width + (c * ph + i) * pw + j));
          }
  return dx;
}

Tensor kernels::timestepEmbeddingBackward(const Tensor &g, const Tensor &t,
                                          double maxPeriod) {
  const int64_t n = t.dim(0), dim = g.dim(1), half = dim / 2;
  // The forward's float32 frequencies.
  const float c = float(-std::log(maxPeriod));
  Tensor dt(t.dtype(), t.shape());
  for (int64_t r = 0; r < n; ++r) {
    const float tr = float(t.at(r));
    double sum = 0;
    for (int64_t i = 0; i < half; ++i) {
      const double f = double(std::exp(c * float(i) / float(half)));
      const double arg = double(tr * float(f));
      sum += f * (-std::sin(arg) * g.at(r * dim + i) +
                  std::cos(arg) * g.at(r * dim + half + i));
    }
    dt.set(r, sum);
  }
  return dt;
}
