//===- RuntimeGradConvBatchTest.cpp - Batched conv kernels vs direct sums -===//
//
// The convolution kernels cut the batch into groups of images unfolded side
// by side and run the groups on the pool (with per-part dW partials): these
// tests use batches large enough for several images per GEMM and check
// conv, convBackward (dX, dW) against direct sums in double, for 1, 2 and 3
// pool threads, and that repeated calls give the same bits. Also the other
// training-step fast paths: the [N, C, H, W] -> [C] reduction and the 2x2
// max-pool backward. No PyTorch.
//
//===----------------------------------------------------------------------===//

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Grad.h"
#include "runtime/kernels/Reduce.h"

#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

namespace {

struct Case {
  Shape x, w;
  std::vector<int64_t> stride, pad, dil;
  int64_t groups;
};

/// Sizes padded to three spatial dims (leading dims of size 1).
struct Pad3 {
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1};
  int64_t s[3] = {1, 1, 1}, p[3] = {0, 0, 0}, d[3] = {1, 1, 1};
};

Pad3 pad3(const Case &c, const Shape &yShape) {
  Pad3 g;
  int64_t r = int64_t(c.x.size()) - 2;
  for (int64_t i = 0; i < r; ++i) {
    int64_t j = 3 - r + i;
    g.in[j] = c.x[2 + i];
    g.out[j] = yShape[2 + i];
    g.k[j] = c.w[2 + i];
    g.s[j] = c.stride[i];
    g.p[j] = c.pad[i];
    g.d[j] = c.dil[i];
  }
  return g;
}

double at(const Tensor &t, int64_t i) {
  return t.dtype() == DType::F32 ? double(t.data<float>()[i])
                                 : t.data<double>()[i];
}

/// Direct sums in double: y, dX and dW for output gradient gy.
void reference(const Case &c, const Tensor &x, const Tensor &w,
               const Tensor &gy, std::vector<double> &y,
               std::vector<double> &dx, std::vector<double> &dw) {
  Pad3 g = pad3(c, gy.shape());
  int64_t N = c.x[0], C = c.x[1], O = c.w[0], Cg = C / c.groups,
          Og = O / c.groups;
  int64_t I = g.in[0] * g.in[1] * g.in[2], P = g.out[0] * g.out[1] * g.out[2];
  int64_t K = g.k[0] * g.k[1] * g.k[2];
  y.assign(N * O * P, 0.0);
  dx.assign(N * C * I, 0.0);
  dw.assign(O * Cg * K, 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t ci = 0; ci < Cg; ++ci) {
        int64_t c0 = (o / Og) * Cg + ci;
        for (int64_t od = 0; od < g.out[0]; ++od)
          for (int64_t oh = 0; oh < g.out[1]; ++oh)
            for (int64_t ow = 0; ow < g.out[2]; ++ow)
              for (int64_t kd = 0; kd < g.k[0]; ++kd)
                for (int64_t kh = 0; kh < g.k[1]; ++kh)
                  for (int64_t kw = 0; kw < g.k[2]; ++kw) {
                    int64_t id = od * g.s[0] - g.p[0] + kd * g.d[0];
                    int64_t ih = oh * g.s[1] - g.p[1] + kh * g.d[1];
                    int64_t iw = ow * g.s[2] - g.p[2] + kw * g.d[2];
                    if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] ||
                        iw < 0 || iw >= g.in[2])
                      continue;
                    int64_t xi =
                        (n * C + c0) * I + (id * g.in[1] + ih) * g.in[2] + iw;
                    int64_t wi =
                        (o * Cg + ci) * K + (kd * g.k[1] + kh) * g.k[2] + kw;
                    int64_t yi =
                        (n * O + o) * P + (od * g.out[1] + oh) * g.out[2] + ow;
                    y[yi] += at(x, xi) * at(w, wi);
                    dx[xi] += at(gy, yi) * at(w, wi);
                    dw[wi] += at(gy, yi) * at(x, xi);
                  }
      }
}

void expectNear(const std::vector<double> &want, const Tensor &got, double tol,
                const char *what, int threads) {
  ASSERT_EQ(int64_t(want.size()), got.numel()) << what;
  double scale = 1;
  for (double v : want)
    scale = std::max(scale, std::fabs(v));
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(want[i], at(got, int64_t(i)), tol * scale)
        << what << " element " << i << " with " << threads << " threads";
}

bool sameBits(const Tensor &a, const Tensor &b) {
  return a.numel() == b.numel() &&
         std::memcmp(a.data<char>(), b.data<char>(),
                     size_t(a.numel()) * dtypeSize(a.dtype())) == 0;
}

} // namespace

TEST(RuntimeGradConvBatch, MatchesDirectSums) {
  std::vector<Case> cases = {
      // Stride 1, same width: the shifted im2col/col2im paths.
      {{16, 3, 5, 5}, {4, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1},
      // ... with dilation in height and two groups.
      {{13, 4, 6, 7}, {6, 2, 3, 3}, {1, 1}, {2, 1}, {2, 1}, 2},
      // Stride 2: the per-line paths.
      {{9, 4, 7, 6}, {5, 4, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 1},
      // No padding (rows narrower than the input's).
      {{11, 3, 6, 6}, {4, 3, 3, 2}, {1, 1}, {0, 0}, {1, 1}, 1},
      // Pointwise, and 1x1 with stride 2.
      {{10, 6, 3, 3}, {4, 6, 1, 1}, {1, 1}, {0, 0}, {1, 1}, 1},
      {{8, 3, 5, 5}, {4, 3, 1, 1}, {2, 2}, {0, 0}, {1, 1}, 1},
      // 3-D and 1-D.
      {{6, 2, 3, 4, 5}, {3, 2, 2, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, 1},
      {{12, 3, 10}, {2, 3, 3}, {1}, {1}, {1}, 1},
      // Depthwise with a channel multiplier, and a single input channel.
      {{8, 4, 5, 5}, {8, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 4},
      {{7, 1, 6, 6}, {3, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1},
      // Wide rows: the forward unfolds a single image a few lines at a time.
      {{2, 64, 40, 40}, {2, 64, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1},
  };
  int saved = numThreads();
  uint64_t seed = 7000;
  for (DType dt : {DType::F64, DType::F32}) {
    double tol = dt == DType::F64 ? 1e-12 : 2e-5;
    for (const Case &c : cases) {
      Tensor x = uniform(c.x, ++seed, -1, 1, dt);
      Tensor w = uniform(c.w, ++seed, -1, 1, dt);
      Tensor y0 = conv(x, w, {}, c.stride, c.pad, c.dil, c.groups);
      Tensor gy = uniform(y0.shape(), ++seed, -1, 1, dt);
      std::vector<double> y, dx, dw;
      reference(c, x, w, gy, y, dx, dw);
      for (int threads : {1, 2, 3}) {
        setNumThreads(threads);
        Tensor yk = conv(x, w, {}, c.stride, c.pad, c.dil, c.groups);
        expectNear(y, yk, tol, "conv", threads);
        ConvGrads a = convBackward(gy, x, w, false, c.stride, c.pad, c.dil,
                                   c.groups, true, true);
        expectNear(dx, a.input, tol, "dX", threads);
        expectNear(dw, a.weight, tol, "dW", threads);
        // Separate calls (as nn.conv_grad_input / _weight) give the same
        // bits, and so does a repeated call.
        ConvGrads in = convBackward(gy, x, w, false, c.stride, c.pad, c.dil,
                                    c.groups, true, false);
        ConvGrads wt = convBackward(gy, x, w, false, c.stride, c.pad, c.dil,
                                    c.groups, false, true);
        EXPECT_TRUE(sameBits(a.input, in.input));
        EXPECT_TRUE(sameBits(a.weight, wt.weight));
        EXPECT_FALSE(in.weight.defined());
        EXPECT_FALSE(wt.input.defined());
      }
    }
  }
  setNumThreads(saved);
}

// [N, C, H, W] reduced over {0, 2, 3} (a conv bias gradient) takes a path
// of its own (no permuted copy); compare with direct loops.
TEST(RuntimeGradConvBatch, ReduceOverBatchAndPlane) {
  Tensor x = uniform({5, 3, 4, 7}, 7100, -2, 2, DType::F64);
  x.data<double>()[2 * 28 + 5] = 9; // a clear maximum of channel 0
  for (ReduceOp op :
       {ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min}) {
    Tensor y = reduce(op, x, {0, 2, 3}, false);
    Tensor yk = reduce(op, x, {0, 2, 3}, true);
    ASSERT_EQ(y.shape(), Shape({3}));
    ASSERT_EQ(yk.shape(), Shape({1, 3, 1, 1}));
    for (int64_t c = 0; c < 3; ++c) {
      double s = 0, mx = -1e300, mn = 1e300;
      for (int64_t n = 0; n < 5; ++n)
        for (int64_t i = 0; i < 28; ++i) {
          double v = x.data<double>()[(n * 3 + c) * 28 + i];
          s += v;
          mx = std::max(mx, v);
          mn = std::min(mn, v);
        }
      double want = op == ReduceOp::Sum    ? s
                    : op == ReduceOp::Mean ? s / 140
                    : op == ReduceOp::Max  ? mx
                                           : mn;
      EXPECT_NEAR(y.data<double>()[c], want, 1e-12) << int(op) << " " << c;
      EXPECT_EQ(y.data<double>()[c], yk.data<double>()[c]);
    }
  }
  Tensor ints = Tensor(DType::I32, {2, 2, 3});
  for (int64_t i = 0; i < 12; ++i)
    ints.data<int32_t>()[i] = int32_t(i * 7 % 5);
  Tensor s = reduce(ReduceOp::Sum, ints, {0, 2}, false);
  for (int64_t c = 0; c < 2; ++c) {
    int32_t want = 0;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t j = 0; j < 3; ++j)
        want += ints.data<int32_t>()[(n * 2 + c) * 3 + j];
    EXPECT_EQ(s.data<int32_t>()[c], want);
  }
}

// The 2x2 / stride 2 max-pool backward has a select-based path of its own:
// compare with a direct argmax (first maximum wins, a NaN wins) including
// ties, NaNs and an odd input size (last row and column in no window).
TEST(RuntimeGradConvBatch, MaxPool2x2Backward) {
  for (DType dt : {DType::F32, DType::F64}) {
    Tensor x = uniform({3, 2, 7, 9}, 7200, -1, 1, dt);
    auto setX = [&](int64_t i, double v) {
      if (dt == DType::F32)
        x.data<float>()[i] = float(v);
      else
        x.data<double>()[i] = v;
    };
    setX(0, 0.5); // a tie in the first window
    setX(1, 0.5);
    setX(9, 0.5);
    setX(10, 0.5);
    setX(2 * 9 + 4, std::nan("")); // a NaN in window (1, 2)
    Tensor gy = uniform({3, 2, 3, 4}, 7201, -1, 1, dt);
    Tensor dx = maxPoolBackward(gy, x, {2, 2}, {2, 2}, {0, 0}, {1, 1}, false);
    std::vector<double> want(x.numel(), 0.0);
    for (int64_t p = 0; p < 6; ++p)
      for (int64_t oh = 0; oh < 3; ++oh)
        for (int64_t ow = 0; ow < 4; ++ow) {
          int64_t arg = -1;
          double m = 0;
          for (int64_t kh = 0; kh < 2; ++kh)
            for (int64_t kw = 0; kw < 2; ++kw) {
              int64_t i = p * 63 + (2 * oh + kh) * 9 + 2 * ow + kw;
              double v = at(x, i);
              if (arg < 0 || v > m || v != v) {
                m = v;
                arg = i;
              }
            }
          want[arg] += at(gy, (p * 3 + oh) * 4 + ow);
        }
    expectNear(want, dx, 0, "max pool", 0);
  }
}
