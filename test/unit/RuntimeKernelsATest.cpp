//===- RuntimeKernelsATest.cpp - Dense, norm, conv and pool vs PyTorch ---===//
//
// The dense, normalisation, convolution and pooling kernels against
// PyTorch on awkward shapes (see RuntimeKernelsATestUtil.h for the oracle).
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Dense.h"
#include "runtime/kernels/Norm.h"
#include "runtime/kernels/Pool.h"

#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

//===----------------------------------------------------------------------===//
// Dense and normalisation
//===----------------------------------------------------------------------===//

static void addDenseCases(TorchOracle &o) {
  uint64_t seed = 100;
  for (auto [xs, out, bias] :
       std::vector<std::tuple<Shape, int64_t, bool>>{{{5, 7}, 3, true},
                                                     {{2, 3, 4, 9}, 6, false},
                                                     {{1, 1}, 1, true},
                                                     {{3, 0, 5}, 4, true}}) {
    Tensor x = uniform(xs, ++seed), w = uniform({out, xs.back()}, ++seed);
    Tensor b = bias ? uniform({out}, ++seed) : Tensor();
    o.expect(call("F.linear", {o.in(x), o.in(w), bias ? o.in(b) : "None"}),
             linear(x, w, b));
  }
  Tensor x64 = uniform({4, 6}, ++seed, -1, 1, DType::F64);
  Tensor w64 = uniform({5, 6}, ++seed, -1, 1, DType::F64);
  o.expect(call("F.linear", {o.in(x64), o.in(w64)}), linear(x64, w64, {}));

  for (auto [as, bs] :
       std::vector<std::pair<Shape, Shape>>{{{4, 5, 6}, {6, 3}},
                                            {{2, 1, 3, 4}, {5, 4, 2}},
                                            {{3, 4}, {2, 4, 5}},
                                            {{1, 1}, {1, 1}},
                                            {{2, 3, 7, 5}, {2, 3, 5, 1}}}) {
    Tensor a = uniform(as, ++seed), b = uniform(bs, ++seed);
    o.expect(call("torch.matmul", {o.in(a), o.in(b)}), matmul(a, b));
  }
  Tensor ia = integers({2, 3, 4}, ++seed, -5, 5);
  Tensor ib = integers({4, 2}, ++seed, -5, 5);
  o.expect(call("torch.matmul", {o.in(ia), o.in(ib)}), matmul(ia, ib));

  std::string error;
  Tensor table = uniform({10, 4}, ++seed);
  for (DType t : {DType::I64, DType::I32}) {
    Tensor ids = integers({2, 3}, ++seed, 0, 9, t);
    o.expect(call("F.embedding", {o.in(ids) + ".long()", o.in(table)}),
             embedding(ids, table, error));
  }
  EXPECT_EQ(error, "");
}

static void addNormCases(TorchOracle &o) {
  uint64_t seed = 200;
  for (Shape s : {Shape{4, 3, 5, 7}, Shape{2, 5}, Shape{1, 6, 9}}) {
    int64_t c = s[1];
    Tensor x = uniform(s, ++seed, -2, 3), w = uniform({c}, ++seed);
    Tensor b = uniform({c}, ++seed), rm = uniform({c}, ++seed);
    Tensor rv = uniform({c}, ++seed, 0.5, 2);
    o.expect(call("F.batch_norm", {o.in(x), o.in(rm), o.in(rv), o.in(w),
                                   o.in(b), "False", "0.1", "1e-5"}),
             batchNorm(x, w, b, rm, rv, 1e-5));
    o.expect(call("F.batch_norm", {o.in(x), o.in(rm), o.in(rv), "None", "None",
                                   "False", "0.1", "1e-3"}),
             batchNorm(x, {}, {}, rm, rv, 1e-3));
    BatchNormTrainResult r = batchNormTrain(x, w, b, rm, rv, 0.3, 1e-5);
    std::string args = call("bn_train", {o.in(x), o.in(rm), o.in(rv), o.in(w),
                                         o.in(b), "0.3", "1e-5"});
    o.expect(args + "[0]", r.output);
    o.expect(args + "[1]", r.runningMean);
    o.expect(args + "[2]", r.runningVar);
  }
  for (auto [s, norm, affine] :
       std::vector<std::tuple<Shape, Shape, bool>>{{{2, 10, 64}, {64}, true},
                                                   {{3, 4, 5}, {4, 5}, true},
                                                   {{7, 3}, {3}, false},
                                                   {{1, 1}, {1}, true}}) {
    Tensor x = uniform(s, ++seed, -3, 5);
    Tensor w = affine ? uniform(norm, ++seed) : Tensor();
    Tensor b = affine ? uniform(norm, ++seed) : Tensor();
    o.expect(
        call("F.layer_norm", {o.in(x), tup(norm), affine ? o.in(w) : "None",
                              affine ? o.in(b) : "None", "1e-5"}),
        layerNorm(x, w, b, norm, 1e-5));
  }
  for (auto [s, groups] :
       std::vector<std::pair<Shape, int64_t>>{{{2, 16, 8, 8}, 4},
                                              {{3, 6, 5}, 6},
                                              {{1, 4, 3, 3}, 1},
                                              {{2, 6}, 3}}) {
    Tensor x = uniform(s, ++seed, -1, 4), w = uniform({s[1]}, ++seed);
    Tensor b = uniform({s[1]}, ++seed);
    o.expect(call("F.group_norm",
                  {o.in(x), std::to_string(groups), o.in(w), o.in(b), "1e-5"}),
             groupNorm(x, w, b, groups, 1e-5));
  }
  Tensor xg = uniform({2, 4, 3}, ++seed);
  o.expect(call("F.group_norm", {o.in(xg), "2", "None", "None", "1e-5"}),
           groupNorm(xg, {}, {}, 2, 1e-5));
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

namespace {
struct ConvCase {
  Shape x, w;
  std::vector<int64_t> stride, padding, dilation;
  int64_t groups;
  bool bias;
};
struct ConvTCase {
  Shape x, w;
  std::vector<int64_t> stride, padding, outputPadding, dilation;
  int64_t groups;
  bool bias;
};
struct PoolCase {
  Shape x;
  std::vector<int64_t> kernel, stride, padding, dilation;
  bool ceil, countIncludePad;
};
} // namespace

static void addConvCases(TorchOracle &o) {
  uint64_t seed = 300;
  std::vector<ConvCase> convs = {
      {{2, 3, 9, 11}, {4, 3, 3, 5}, {2, 1}, {1, 2}, {1, 2}, 1, true},
      {{1, 6, 8, 7}, {9, 2, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 3, true},
      {{2, 5, 9, 9}, {10, 1, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 5, true},
      {{1, 4, 10, 9}, {4, 1, 3, 3}, {1, 2}, {2, 2}, {2, 2}, 4, false},
      {{2, 8, 5, 6}, {6, 8, 1, 1}, {1, 1}, {0, 0}, {1, 1}, 1, true},
      {{2, 8, 5, 6}, {6, 4, 1, 1}, {2, 2}, {0, 0}, {1, 1}, 2, false},
      {{1, 2, 5, 5}, {3, 2, 5, 5}, {1, 1}, {0, 0}, {1, 1}, 1, true},
      {{1, 1, 3, 3}, {2, 1, 2, 2}, {1, 1}, {3, 3}, {1, 1}, 1, true},
      {{7, 3, 6, 6}, {5, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true},
      // Large planes: im2col in tiles of output lines, the last one partial.
      {{1, 64, 32, 33}, {8, 64, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true},
      {{1, 32, 6, 10, 12},
       {4, 32, 3, 3, 3},
       {1, 1, 1},
       {1, 1, 1},
       {1, 1, 1},
       1,
       false},
      {{3, 4, 17}, {6, 2, 4}, {3}, {2}, {2}, 2, true},
      {{2, 3, 8}, {3, 1, 3}, {1}, {1}, {1}, 3, true},
      {{1, 2, 5, 6, 7},
       {3, 2, 2, 3, 3},
       {1, 2, 2},
       {1, 0, 1},
       {1, 1, 2},
       1,
       true},
  };
  for (const ConvCase &c : convs) {
    Tensor x = uniform(c.x, ++seed), w = uniform(c.w, ++seed);
    Tensor b = c.bias ? uniform({c.w[0]}, ++seed) : Tensor();
    std::string fn = "F.conv" + std::to_string(c.x.size() - 2) + "d";
    o.expect(
        call(fn, {o.in(x), o.in(w), c.bias ? o.in(b) : "None", tup(c.stride),
                  tup(c.padding), tup(c.dilation), std::to_string(c.groups)}),
        conv(x, w, b, c.stride, c.padding, c.dilation, c.groups));
  }
  Tensor x64 = uniform({1, 2, 6, 6}, ++seed, -1, 1, DType::F64);
  Tensor w64 = uniform({3, 2, 3, 3}, ++seed, -1, 1, DType::F64);
  o.expect(call("F.conv2d", {o.in(x64), o.in(w64), "None", "2", "1"}),
           conv(x64, w64, {}, {2, 2}, {1, 1}, {1, 1}, 1));

  std::vector<ConvTCase> transposed = {
      {{2, 4, 5, 6}, {4, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}, 1, true},
      {{1, 4, 4, 3}, {4, 2, 3, 2}, {1, 2}, {0, 1}, {0, 1}, {2, 1}, 2, true},
      {{1, 16, 7, 7}, {16, 8, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}, 1, false},
      // Small planes and several images: one GEMM for the planes of a few
      // images side by side (a DCGAN generator's layers), also with groups.
      {{8, 6, 2, 2}, {6, 4, 4, 4}, {2, 2}, {1, 1}, {0, 0}, {1, 1}, 1, true},
      {{8, 4, 3, 3}, {4, 2, 3, 3}, {2, 2}, {0, 0}, {1, 1}, {1, 1}, 2, false},
      {{1, 3, 7}, {3, 2, 4}, {3}, {1}, {2}, {1}, 1, true},
      {{2, 2, 3, 4, 3},
       {2, 3, 2, 2, 3},
       {2, 1, 2},
       {0, 1, 1},
       {1, 0, 1},
       {1, 1, 1},
       1,
       true},
  };
  for (const ConvTCase &c : transposed) {
    Tensor x = uniform(c.x, ++seed), w = uniform(c.w, ++seed);
    Tensor b = c.bias ? uniform({c.w[1] * c.groups}, ++seed) : Tensor();
    std::string fn = "F.conv_transpose" + std::to_string(c.x.size() - 2) + "d";
    o.expect(call(fn, {o.in(x), o.in(w), c.bias ? o.in(b) : "None",
                       tup(c.stride), tup(c.padding), tup(c.outputPadding),
                       std::to_string(c.groups), tup(c.dilation)}),
             convTranspose(x, w, b, c.stride, c.padding, c.outputPadding,
                           c.dilation, c.groups));
  }
}

static void addPoolCases(TorchOracle &o) {
  uint64_t seed = 400;
  std::vector<PoolCase> pools = {
      {{2, 3, 9, 10}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false, true},
      {{1, 2, 9, 8}, {3, 2}, {1, 2}, {1, 1}, {2, 1}, false, false},
      {{1, 2, 7, 7}, {2, 2}, {2, 2}, {0, 0}, {1, 1}, true, true},
      {{1, 1, 6, 6}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, true},
      {{1, 1, 6, 6}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, false},
      {{2, 3, 5, 5}, {5, 5}, {1, 1}, {0, 0}, {1, 1}, false, true},
      {{1, 2, 8, 9}, {4, 3}, {3, 2}, {2, 1}, {1, 1}, true, false},
      {{2, 3, 11}, {4}, {3}, {2}, {1}, true, true},
      {{2, 3, 11}, {3}, {2}, {1}, {2}, false, false},
      {{1, 2, 5, 6, 7},
       {2, 3, 2},
       {2, 2, 2},
       {1, 1, 0},
       {1, 1, 1},
       true,
       false},
  };
  for (const PoolCase &c : pools) {
    Tensor x = uniform(c.x, ++seed, -3, 3);
    std::string n = std::to_string(c.x.size() - 2);
    o.expect(call("F.max_pool" + n + "d",
                  {o.in(x), tup(c.kernel), tup(c.stride), tup(c.padding),
                   tup(c.dilation), pyBool(c.ceil)}),
             maxPool(x, c.kernel, c.stride, c.padding, c.dilation, c.ceil));
    o.expect(
        call("F.avg_pool" + n + "d",
             {o.in(x), tup(c.kernel), tup(c.stride), tup(c.padding),
              pyBool(c.ceil), pyBool(c.countIncludePad)}),
        avgPool(x, c.kernel, c.stride, c.padding, c.ceil, c.countIncludePad));
  }
  for (auto [s, out] : std::vector<std::pair<Shape, std::vector<int64_t>>>{
           {{2, 3, 7, 9}, {3, 4}},
           {{1, 4, 7, 7}, {1, 1}},
           {{1, 2, 4, 5}, {7, 9}},
           {{2, 3, 10}, {4}},
           {{1, 2, 5, 6, 7}, {2, 3, 4}}}) {
    Tensor x = uniform(s, ++seed, -3, 3);
    std::string n = std::to_string(s.size() - 2);
    o.expect(call("F.adaptive_avg_pool" + n + "d", {o.in(x), tup(out)}),
             adaptiveAvgPool(x, out));
    o.expect(call("F.adaptive_max_pool" + n + "d", {o.in(x), tup(out)}),
             adaptiveMaxPool(x, out));
  }
}

TEST(RuntimeKernelsADenseNorm, MatchesTorch) {
  REQUIRE_TORCH();
  TorchOracle o;
  addDenseCases(o);
  addNormCases(o);
  o.check();
}

TEST(RuntimeKernelsAConvPool, MatchesTorch) {
  REQUIRE_TORCH();
  TorchOracle o;
  addConvCases(o);
  addPoolCases(o);
  o.check();
}
