//===- RuntimeKernelsCTest.cpp - Fast conv and pool paths vs loops -------===//
//
// The f32 convolution's register-tiled paths (ConvTiled.cpp: the phased
// layout read in place or from split phases, the unfolded fallback in
// whole images or in line blocks) and the separable max pooling, each
// against a plain loop over the definition in double. The cases are
// chosen to land on every path and edge: masked taps at plane borders,
// virtual output rows wider than the real ones, vectors shared by images,
// groups, 1-D and 3-D, batch 1 and odd batches. Results must not depend on
// the thread count. (PyTorch agreement is RuntimeKernelsATest's.) Also the
// epilogues that nn.fused_conv and nn.fused_linear ask of the convolution
// and of the linear layer's GEMM parts.
//
//===----------------------------------------------------------------------===//

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Dense.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Pool.h"

#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

namespace {

/// Sizes padded to three spatial dims (leading dims of size 1).
struct Dims3 {
  int64_t v[3] = {1, 1, 1};
  Dims3(const std::vector<int64_t> &dims, int64_t fill) {
    v[0] = v[1] = v[2] = fill;
    for (size_t i = 0; i < dims.size(); ++i)
      v[3 - dims.size() + i] = dims[i];
  }
};

/// F.conv*d by its definition, in double.
Tensor referenceConv(const Tensor &x, const Tensor &w, const Tensor &bias,
                     const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &padding,
                     const std::vector<int64_t> &dilation, int64_t groups) {
  const int64_t rank = x.rank() - 2, N = x.dim(0), C = x.dim(1);
  const int64_t O = w.dim(0), cg = C / groups, og = O / groups;
  std::vector<int64_t> inV, kV;
  for (int64_t i = 0; i < rank; ++i) {
    inV.push_back(x.dim(2 + i));
    kV.push_back(w.dim(2 + i));
  }
  Dims3 in(inV, 1), k(kV, 1), s(stride, 1), p(padding, 0), d(dilation, 1);
  int64_t out[3];
  Shape shape = {N, O};
  for (int j = 0; j < 3; ++j) {
    out[j] = (in.v[j] + 2 * p.v[j] - d.v[j] * (k.v[j] - 1) - 1) / s.v[j] + 1;
    if (j >= 3 - rank)
      shape.push_back(out[j]);
  }
  Tensor y(DType::F64, shape);
  double *yd = y.data<double>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t a = 0; a < out[0]; ++a)
        for (int64_t b = 0; b < out[1]; ++b)
          for (int64_t c = 0; c < out[2]; ++c) {
            double acc = bias.defined() ? bias.at(o) : 0.0;
            for (int64_t ci = 0; ci < cg; ++ci)
              for (int64_t i = 0; i < k.v[0]; ++i)
                for (int64_t j = 0; j < k.v[1]; ++j)
                  for (int64_t l = 0; l < k.v[2]; ++l) {
                    int64_t ia = a * s.v[0] + i * d.v[0] - p.v[0];
                    int64_t ib = b * s.v[1] + j * d.v[1] - p.v[1];
                    int64_t ic = c * s.v[2] + l * d.v[2] - p.v[2];
                    if (ia < 0 || ia >= in.v[0] || ib < 0 || ib >= in.v[1] ||
                        ic < 0 || ic >= in.v[2])
                      continue;
                    int64_t channel = (o / og) * cg + ci;
                    acc += x.at(((n * C + channel) * in.v[0] + ia) * in.v[1] *
                                    in.v[2] +
                                ib * in.v[2] + ic) *
                           w.at((((o * cg + ci) * k.v[0] + i) * k.v[1] + j) *
                                    k.v[2] +
                                l);
                  }
            *yd++ = acc;
          }
  return y;
}

/// F.max_pool*d (dilation 1, no NaN) by its definition, in double.
Tensor referenceMaxPool(const Tensor &x, const std::vector<int64_t> &kernel,
                        const std::vector<int64_t> &stride,
                        const std::vector<int64_t> &padding, bool ceilMode) {
  const int64_t rank = x.rank() - 2;
  std::vector<int64_t> inV;
  for (int64_t i = 0; i < rank; ++i)
    inV.push_back(x.dim(2 + i));
  Dims3 in(inV, 1), k(kernel, 1), s(stride, 1), p(padding, 0);
  int64_t out[3];
  Shape shape = {x.dim(0), x.dim(1)};
  for (int j = 0; j < 3; ++j) {
    int64_t span = in.v[j] + 2 * p.v[j] - k.v[j] + (ceilMode ? s.v[j] - 1 : 0);
    out[j] = span / s.v[j] + 1;
    if (ceilMode && (out[j] - 1) * s.v[j] >= in.v[j] + p.v[j])
      --out[j];
    if (j >= 3 - rank)
      shape.push_back(out[j]);
  }
  Tensor y(DType::F64, shape);
  double *yd = y.data<double>();
  const int64_t inPlane = in.v[0] * in.v[1] * in.v[2];
  for (int64_t plane = 0; plane < x.dim(0) * x.dim(1); ++plane)
    for (int64_t a = 0; a < out[0]; ++a)
      for (int64_t b = 0; b < out[1]; ++b)
        for (int64_t c = 0; c < out[2]; ++c) {
          double m = -std::numeric_limits<double>::infinity();
          for (int64_t i = 0; i < k.v[0]; ++i)
            for (int64_t j = 0; j < k.v[1]; ++j)
              for (int64_t l = 0; l < k.v[2]; ++l) {
                int64_t ia = a * s.v[0] + i - p.v[0];
                int64_t ib = b * s.v[1] + j - p.v[1];
                int64_t ic = c * s.v[2] + l - p.v[2];
                if (ia >= 0 && ia < in.v[0] && ib >= 0 && ib < in.v[1] &&
                    ic >= 0 && ic < in.v[2])
                  m = std::max(m, x.at(plane * inPlane +
                                       (ia * in.v[1] + ib) * in.v[2] + ic));
              }
          *yd++ = m;
        }
  return y;
}

/// Max |got - want| relative to max(1, max |want|).
double relativeError(const Tensor &got, const Tensor &want) {
  EXPECT_EQ(got.shape(), want.shape());
  if (got.shape() != want.shape())
    return std::numeric_limits<double>::infinity();
  double scale = 1, err = 0;
  for (int64_t i = 0; i < want.numel(); ++i)
    scale = std::max(scale, std::fabs(want.at(i)));
  for (int64_t i = 0; i < want.numel(); ++i)
    err = std::max(err, std::fabs(got.at(i) - want.at(i)));
  return err / scale;
}

bool sameBits(const Tensor &a, const Tensor &b) {
  return a.shape() == b.shape() &&
         std::equal(a.data<float>(), a.data<float>() + a.numel(),
                    b.data<float>());
}

/// Runs `fn` with 1 and with 2 pool threads; the results must be identical.
template <class F> Tensor sameOnThreads(const std::string &what, F fn) {
  int saved = numThreads();
  setNumThreads(1);
  Tensor serial = fn();
  setNumThreads(2);
  Tensor parallel = fn();
  setNumThreads(saved);
  EXPECT_TRUE(sameBits(serial, parallel))
      << what << ": depends on the thread count";
  return serial;
}

struct ConvCase {
  Shape x, w;
  std::vector<int64_t> stride, padding, dilation;
  int64_t groups;
  bool bias;
};

std::string describe(const ConvCase &c) {
  auto list = [](const std::vector<int64_t> &v) {
    std::string s;
    for (int64_t e : v)
      s += (s.empty() ? "" : ",") + std::to_string(e);
    return "[" + s + "]";
  };
  return "x" + list(c.x) + " w" + list(c.w) + " s" + list(c.stride) + " p" +
         list(c.padding) + " d" + list(c.dilation) + " g" +
         std::to_string(c.groups);
}

/// Convolutions that land on every path and edge of the tiled kernel.
std::vector<ConvCase> tiledCases() {
  return {
      // Phased in place ("same" padding): borders masked per tap, one
      // vector shared by several 4x4 planes, 16- and 8-channel tiles.
      {{2, 3, 32, 32}, {16, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true},
      {{3, 16, 16, 16}, {20, 16, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, false},
      {{5, 24, 4, 4}, {11, 24, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true},
      {{1, 40, 8, 8}, {33, 40, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true},
      {{2, 1, 28, 28}, {6, 1, 5, 5}, {1, 1}, {2, 2}, {1, 1}, 1, true},
      {{2, 8, 9, 7}, {5, 8, 3, 3}, {1, 1}, {2, 2}, {2, 2}, 1, true},
      {{2, 32, 5, 7}, {17, 32, 1, 1}, {1, 1}, {0, 0}, {1, 1}, 1, false},
      // Phased in place with virtual rows wider than the output: valid
      // convolutions (compressed stores), padding on one dim only.
      {{3, 6, 14, 14}, {16, 6, 5, 5}, {1, 1}, {0, 0}, {1, 1}, 1, true},
      {{2, 4, 9, 20}, {7, 4, 3, 5}, {1, 1}, {1, 0}, {1, 1}, 1, true},
      {{1, 5, 12, 13}, {9, 5, 2, 4}, {1, 1}, {0, 1}, {2, 1}, 1, false},
      // Split phases: stride 2 (even and odd sizes), 1x1 reading one
      // phase, stride 3 with a kernel of 2, padding beyond the kernel.
      {{2, 16, 32, 32}, {32, 16, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 1, true},
      {{3, 8, 7, 9}, {12, 8, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 1, true},
      {{2, 16, 16, 16}, {24, 16, 1, 1}, {2, 2}, {0, 0}, {1, 1}, 1, false},
      {{2, 3, 11, 10}, {4, 3, 2, 2}, {3, 3}, {0, 1}, {1, 1}, 1, true},
      {{1, 4, 6, 6}, {5, 4, 1, 1}, {1, 1}, {2, 2}, {1, 1}, 1, true},
      {{2, 6, 9, 9}, {8, 6, 3, 3}, {2, 1}, {1, 1}, {1, 2}, 1, true},
      // Groups (not depthwise), 1-D, 3-D (slices of virtual rows).
      {{2, 8, 10, 10}, {12, 4, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 2, true},
      {{1, 9, 8, 8}, {6, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 3, false},
      {{3, 5, 37}, {7, 5, 3}, {1}, {1}, {1}, 1, true},
      {{2, 4, 40}, {6, 4, 4}, {2}, {1}, {1}, 1, true},
      {{2, 3, 5, 6, 7},
       {4, 3, 3, 3, 3},
       {1, 1, 1},
       {1, 1, 1},
       {1, 1, 1},
       1,
       true},
      {{1, 2, 5, 6, 7},
       {3, 2, 2, 3, 3},
       {1, 2, 2},
       {1, 0, 1},
       {1, 1, 2},
       1,
       true},
      {{1, 3, 6, 6, 6},
       {2, 3, 3, 3, 3},
       {1, 1, 1},
       {0, 0, 0},
       {1, 1, 1},
       1,
       true},
      // Unfolded: virtual rows would be more than twice the real ones;
      // the last one in blocks of output lines (a large column matrix).
      {{3, 4, 9, 9}, {5, 4, 7, 7}, {1, 1}, {0, 0}, {1, 1}, 1, true},
      {{1, 32, 20, 20}, {4, 32, 15, 15}, {1, 1}, {0, 0}, {1, 1}, 1, true},
      {{2, 4, 9, 9}, {6, 2, 7, 7}, {1, 1}, {0, 0}, {1, 1}, 2, false},
  };
}

/// act(y * scale[o] + shift[o] + residual) over y [N, O, ...] in double,
/// each part optional.
Tensor referenceEpilogue(Tensor y, const Epilogue &e) {
  const int64_t O = y.dim(1), P = y.numel() / (y.dim(0) * O);
  double *d = y.data<double>();
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t o = i / P % O;
    double v = d[i];
    if (e.scale.defined())
      v *= e.scale.at(o);
    if (e.shift.defined())
      v += e.shift.at(o);
    if (e.residual.defined())
      v += e.residual.at(i);
    switch (e.activation) {
    case Activation::Relu:
      v = std::max(v, 0.0);
      break;
    case Activation::Gelu:
      v = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
      break;
    case Activation::GeluTanh:
      v = 0.5 * v *
          (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
      break;
    case Activation::None:
      break;
    }
    d[i] = v;
  }
  return y;
}

} // namespace

TEST(RuntimeKernelsCConv, TiledPathsMatchDefinition) {
  std::vector<ConvCase> cases = tiledCases();
  uint64_t seed = 700;
  for (const ConvCase &c : cases) {
    Tensor x = uniform(c.x, ++seed), w = uniform(c.w, ++seed);
    Tensor b = c.bias ? uniform({c.w[0]}, ++seed) : Tensor();
    Tensor y = sameOnThreads(describe(c), [&] {
      return conv(x, w, b, c.stride, c.padding, c.dilation, c.groups);
    });
    Tensor want =
        referenceConv(x, w, b, c.stride, c.padding, c.dilation, c.groups);
    EXPECT_LT(relativeError(y, want), 1e-5) << describe(c);
  }
}

TEST(RuntimeKernelsCConv, EpilogueOnEveryPath) {
  // nn.fused_conv's epilogue, in registers on every tiled path (including
  // convolutions whose reduction is split into blocks of rows, where only
  // the last block may apply it) and after the output on the others:
  // depthwise, f64 (GEMM) and f16. Each case takes a different subset.
  std::vector<ConvCase> cases = tiledCases();
  cases.push_back(
      {{2, 6, 9, 9}, {6, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 6, true});
  uint64_t seed = 900;
  int which = 0;
  for (const ConvCase &c : cases)
    for (DType dtype : {DType::F32, DType::F64, DType::F16}) {
      if (dtype != DType::F32 && which % 5 != 0) {
        ++which;
        continue;
      }
      Tensor x = uniform(c.x, ++seed), w = uniform(c.w, ++seed);
      Tensor b = c.bias ? uniform({c.w[0]}, ++seed) : Tensor();
      Tensor y0 =
          referenceConv(x, w, b, c.stride, c.padding, c.dilation, c.groups);
      Epilogue e;
      // Bits: scale and shift, residual; then the activation (2 bits).
      int parts = 1 + which++ % 15;
      if (parts & 1) {
        e.scale = uniform({c.w[0]}, ++seed);
        e.shift = uniform({c.w[0]}, ++seed);
      }
      if (parts & 2)
        e.residual = uniform(y0.shape(), ++seed);
      e.activation = Activation(parts >> 2);
      Tensor want = referenceEpilogue(y0, e);
      auto as = [&](const Tensor &t) {
        return t.defined() ? cast(t, dtype) : Tensor();
      };
      Epilogue typed{as(e.scale), as(e.shift), as(e.residual), e.activation};
      auto run = [&] {
        return cast(conv(as(x), as(w), as(b), c.stride, c.padding, c.dilation,
                         c.groups, typed),
                    DType::F32);
      };
      // Only the tiled f32 kernel promises bits independent of the threads
      // (the f64 GEMMs split differently).
      std::string what = describe(c) + " dtype " + std::to_string(int(dtype)) +
                         " parts " + std::to_string(parts);
      Tensor y = dtype == DType::F64 ? run() : sameOnThreads(what, run);
      // f16 rounds its inputs: compare with the definition on those.
      double tolerance = dtype == DType::F16 ? 1e-2 : 1e-5;
      EXPECT_LT(relativeError(y, want), tolerance) << what;
    }
}

TEST(RuntimeKernelsCLinear, EpilogueOnEveryPart) {
  // One GEMM call (small), parts by rows (many rows), parts by columns (few
  // rows, many outputs), with 1 and 2 threads, in f32, f64 and f16.
  struct LinearCase {
    int64_t rows, in, out;
  };
  std::vector<LinearCase> cases = {{3, 5, 7}, {512, 64, 48}, {4, 256, 1024}};
  uint64_t seed = 1300;
  int which = 0;
  for (const LinearCase &c : cases)
    for (DType dtype : {DType::F32, DType::F64, DType::F16})
      for (int threads : {1, 2}) {
        Tensor x = uniform({c.rows, c.in}, ++seed);
        Tensor w = uniform({c.out, c.in}, ++seed);
        Tensor b = which % 2 ? uniform({c.out}, ++seed) : Tensor();
        Epilogue e;
        // Bits: scale and shift, residual; then the activation (2 bits).
        int parts = 1 + which++ % 15;
        if (parts & 1) {
          e.scale = uniform({c.out}, ++seed);
          e.shift = uniform({c.out}, ++seed);
        }
        if (parts & 2)
          e.residual = uniform({c.rows, c.out}, ++seed);
        e.activation = Activation(parts >> 2);
        Tensor want(DType::F64, {c.rows, c.out});
        for (int64_t r = 0; r < c.rows; ++r)
          for (int64_t o = 0; o < c.out; ++o) {
            double v = b.defined() ? b.at(o) : 0.0;
            for (int64_t i = 0; i < c.in; ++i)
              v += x.at(r * c.in + i) * w.at(o * c.in + i);
            want.data<double>()[r * c.out + o] = v;
          }
        want = referenceEpilogue(want, e);
        auto as = [&](const Tensor &t) {
          return t.defined() ? cast(t, dtype) : Tensor();
        };
        int saved = numThreads();
        setNumThreads(threads);
        Tensor y = cast(
            linear(as(x), as(w), as(b),
                   {as(e.scale), as(e.shift), as(e.residual), e.activation}),
            DType::F32);
        setNumThreads(saved);
        double tolerance = dtype == DType::F16 ? 1e-2 : 1e-5;
        EXPECT_LT(relativeError(y, want), tolerance)
            << c.rows << "x" << c.in << "x" << c.out << " dtype " << int(dtype)
            << " threads " << threads << " parts " << parts;
      }
}

TEST(RuntimeKernelsCConv, HalfTypesAndNonFiniteInputs) {
  // f16 runs the f32 kernel; NaN and inf propagate like the definition's
  // products and sums (padding taps are masked, not multiplied by zero).
  Tensor x = uniform({2, 4, 6, 6}, 801), w = uniform({8, 4, 3, 3}, 802);
  Tensor b = uniform({8}, 803);
  Tensor y16 = conv(cast(x, DType::F16), cast(w, DType::F16),
                    cast(b, DType::F16), {1, 1}, {1, 1}, {1, 1}, 1);
  EXPECT_EQ(y16.dtype(), DType::F16);
  EXPECT_LT(relativeError(cast(y16, DType::F32),
                          referenceConv(cast(cast(x, DType::F16), DType::F32),
                                        cast(cast(w, DType::F16), DType::F32),
                                        cast(cast(b, DType::F16), DType::F32),
                                        {1, 1}, {1, 1}, {1, 1}, 1)),
            2e-3);

  x.data<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  x.data<float>()[6 * 6 * 4 + 35] = std::numeric_limits<float>::infinity();
  Tensor y = conv(x, w, b, {1, 1}, {1, 1}, {1, 1}, 1);
  Tensor want = referenceConv(x, w, b, {1, 1}, {1, 1}, {1, 1}, 1);
  for (int64_t i = 0; i < want.numel(); ++i) {
    double g = y.at(i), e = want.at(i);
    if (std::isnan(e) || std::isinf(e))
      EXPECT_TRUE(std::isnan(e) ? std::isnan(g) : g == e) << "element " << i;
    else
      EXPECT_NEAR(g, e, 1e-5 * std::max(1.0, std::fabs(e))) << "element " << i;
  }
}

TEST(RuntimeKernelsCPool, SeparableMaxPoolMatchesDefinition) {
  struct PoolCase {
    Shape x;
    std::vector<int64_t> kernel, stride, padding;
    bool ceil;
  };
  std::vector<PoolCase> cases = {
      {{3, 6, 28, 28}, {2, 2}, {2, 2}, {0, 0}, false},
      {{2, 5, 10, 10}, {2, 2}, {2, 2}, {0, 0}, false},
      {{2, 3, 32, 32}, {3, 3}, {2, 2}, {1, 1}, false},
      {{1, 4, 7, 9}, {3, 3}, {2, 2}, {1, 1}, true},
      {{2, 2, 9, 11}, {2, 3}, {3, 1}, {1, 1}, true},
      {{1, 3, 8, 13}, {4, 5}, {3, 3}, {2, 2}, false},
      {{2, 3, 19}, {3}, {2}, {1}, false},
      {{1, 2, 5, 6, 7}, {2, 3, 2}, {2, 2, 2}, {1, 1, 0}, true},
  };
  uint64_t seed = 900;
  for (const PoolCase &c : cases) {
    Tensor x = uniform(c.x, ++seed, -3, 3);
    std::vector<int64_t> ones(c.kernel.size(), 1);
    Tensor y = sameOnThreads("max_pool", [&] {
      return maxPool(x, c.kernel, c.stride, c.padding, ones, c.ceil);
    });
    EXPECT_EQ(relativeError(y, referenceMaxPool(x, c.kernel, c.stride,
                                                c.padding, c.ceil)),
              0.0);
  }
  // A NaN anywhere in a window gives NaN, in the row pass and the column
  // pass alike.
  Tensor x = uniform({1, 1, 6, 6}, 950, -3, 3);
  x.data<float>()[7] = std::numeric_limits<float>::quiet_NaN();  // (1, 1)
  x.data<float>()[34] = std::numeric_limits<float>::quiet_NaN(); // (5, 4)
  Tensor y = maxPool(x, {2, 2}, {2, 2}, {0, 0}, {1, 1}, false);
  for (int64_t i = 0; i < 9; ++i)
    EXPECT_EQ(std::isnan(y.data<float>()[i]), i == 0 || i == 8) << i;
}
