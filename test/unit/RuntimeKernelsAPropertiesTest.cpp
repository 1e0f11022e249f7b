//===- RuntimeKernelsAPropertiesTest.cpp - Checks without PyTorch --------===//
//
// What a comparison with PyTorch cannot show: index errors, dropout masks,
// degenerate shapes and values, half types and thread-count independence.
//
//===----------------------------------------------------------------------===//

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Kernels.h"

#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

//===----------------------------------------------------------------------===//
// Properties without a PyTorch comparison
//===----------------------------------------------------------------------===//

TEST(RuntimeKernelsAErrors, BadIndicesAreReported) {
  Tensor table = uniform({10, 4}, 1);
  Tensor ids = integers({2, 2}, 2, 0, 9);
  ids.data<int64_t>()[3] = 10;
  std::string error;
  EXPECT_FALSE(embedding(ids, table, error).defined());
  EXPECT_EQ(error, "embedding: index 10 at position 3 is out of range [0, 10)");
  ids.data<int64_t>()[3] = -1;
  error.clear();
  EXPECT_FALSE(embedding(ids, table, error).defined());
  EXPECT_NE(error.find("index -1"), std::string::npos) << error;

  Tensor idx = integers({3}, 3, 0, 3, DType::I32);
  idx.data<int32_t>()[1] = 4;
  error.clear();
  EXPECT_FALSE(gather(table, idx, 1, error).defined());
  EXPECT_EQ(error, "gather along axis 1: index 4 at position 1 is out of "
                   "range [0, 4)");

  Tensor dst = integers({10}, 4, 0, 4);
  dst.data<int64_t>()[7] = 5;
  error.clear();
  EXPECT_FALSE(
      scatterReduce(table, dst, 5, ScatterReduce::Sum, error).defined());
  EXPECT_EQ(error,
            "scatter_reduce: index 5 at position 7 is out of range [0, 5)");
  error.clear();
  EXPECT_FALSE(
      scatterReduce(table, dst, -2, ScatterReduce::Max, error).defined());
  EXPECT_EQ(error, "scatter_reduce: dim_size -2 is negative");
}

TEST(RuntimeKernelsADropout, MasksAreSeededAndScaled) {
  Tensor x = uniform({200, 500}, 5, 0.5, 1.5);
  // Inference: the identity, sharing the buffer.
  EXPECT_EQ(dropout(x, 0.3, false, false, 1).raw(), x.raw());
  Tensor y = dropout(x, 0.3, false, true, 42);
  int64_t dropped = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    float v = y.data<float>()[i];
    if (v == 0) {
      ++dropped;
      continue;
    }
    ASSERT_FLOAT_EQ(v, x.data<float>()[i] / 0.7f);
  }
  EXPECT_NEAR(double(dropped) / double(x.numel()), 0.3, 0.01);

  auto same = [](const Tensor &a, const Tensor &b) {
    return std::equal(a.data<float>(), a.data<float>() + a.numel(),
                      b.data<float>());
  };
  int threads = numThreads();
  setNumThreads(1);
  Tensor serial = dropout(x, 0.3, false, true, 42);
  setNumThreads(threads);
  EXPECT_TRUE(same(y, serial)) << "masks depend on the thread count";
  EXPECT_FALSE(same(y, dropout(x, 0.3, false, true, 43)));
  EXPECT_FALSE(same(y, dropout(x, 0.3, false, true, 42, 1)));

  Tensor maps = uniform({4, 6, 5, 5}, 6, 0.5, 1.5);
  Tensor z = dropout(maps, 0.5, true, true, 7);
  int64_t zeroMaps = 0;
  for (int64_t m = 0; m < 24; ++m) {
    const float *p = z.data<float>() + m * 25;
    bool zero = p[0] == 0;
    zeroMaps += zero;
    for (int64_t i = 0; i < 25; ++i)
      ASSERT_EQ(p[i] == 0, zero) << "channel " << m << " partly dropped";
  }
  EXPECT_GT(zeroMaps, 0);
  EXPECT_LT(zeroMaps, 24);

  Tensor all = dropout(x, 1.0, false, true, 1);
  EXPECT_TRUE(same(all, fill(x, 0)));
  EXPECT_TRUE(same(dropout(x, 0.0, false, true, 1), x));
}

TEST(RuntimeKernelsAEdgeCases, DegenerateShapesAndValues) {
  // Empty batches and dims give empty (or identity-valued) results.
  Tensor noRows = uniform({0, 3}, 1), w = uniform({2, 3}, 2);
  EXPECT_EQ(linear(noRows, w, {}).shape(), (Shape{0, 2}));
  Tensor noInputs = uniform({4, 0}, 1);
  Tensor b = uniform({2}, 3);
  Tensor lin = linear(noInputs, uniform({2, 0}, 4), b);
  for (int64_t i = 0; i < lin.numel(); ++i)
    EXPECT_EQ(lin.data<float>()[i], b.data<float>()[i % 2]);
  Tensor emptyBatch = uniform({0, 3, 5, 5}, 5);
  EXPECT_EQ(
      conv(emptyBatch, uniform({4, 3, 3, 3}, 6), {}, {1, 1}, {1, 1}, {1, 1}, 1)
          .shape(),
      (Shape{0, 4, 5, 5}));
  EXPECT_EQ(maxPool(emptyBatch, {2, 2}, {2, 2}, {0, 0}, {1, 1}, false).shape(),
            (Shape{0, 3, 2, 2}));
  Tensor zeroDim = uniform({3, 0, 2}, 7);
  Tensor sum = reduce(ReduceOp::Sum, zeroDim, {1}, false);
  Tensor mean = reduce(ReduceOp::Mean, zeroDim, {1}, true);
  EXPECT_EQ(sum.shape(), (Shape{3, 2}));
  EXPECT_EQ(mean.shape(), (Shape{3, 1, 2}));
  for (int64_t i = 0; i < 6; ++i) {
    EXPECT_EQ(sum.data<float>()[i], 0.0f);
    EXPECT_TRUE(std::isnan(mean.data<float>()[i]));
  }
  EXPECT_EQ(softmax(zeroDim, 1).numel(), 0);
  EXPECT_EQ(slice(zeroDim, 0, 5, 9, 1).shape(), (Shape{0, 0, 2}));
  EXPECT_EQ(permute(zeroDim, {2, 1, 0}).shape(), (Shape{2, 0, 3}));

  // Integer arithmetic never traps.
  Tensor num = integers({3}, 8, 1, 1), den = integers({3}, 9, 0, 0);
  num.data<int64_t>()[0] = std::numeric_limits<int64_t>::min();
  den.data<int64_t>()[1] = -1;
  num.data<int64_t>()[1] = std::numeric_limits<int64_t>::min();
  Tensor q = binary(BinaryOp::Div, num, den);
  EXPECT_EQ(q.data<int64_t>()[0], 0); // x / 0
  EXPECT_EQ(q.data<int64_t>()[1], std::numeric_limits<int64_t>::min());
  Tensor sumWraps = binary(BinaryOp::Add, num, num);
  EXPECT_EQ(sumWraps.data<int64_t>()[0], 0);

  // Float to integer casts saturate and map NaN to 0.
  Tensor odd(DType::F32, {4});
  float *v = odd.data<float>();
  v[0] = std::nanf("");
  v[1] = 1e20f;
  v[2] = -1e20f;
  v[3] = -2.7f;
  Tensor c = cast(odd, DType::I32);
  EXPECT_EQ(c.data<int32_t>()[0], 0);
  EXPECT_EQ(c.data<int32_t>()[1], std::numeric_limits<int32_t>::max());
  EXPECT_EQ(c.data<int32_t>()[2], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(c.data<int32_t>()[3], -2);
  Tensor u = cast(odd, DType::U8);
  EXPECT_EQ(u.data<uint8_t>()[2], 0);

  // NaN propagates through max reductions and pooling.
  Tensor withNan = uniform({1, 1, 4, 4}, 10);
  withNan.data<float>()[5] = std::nanf("");
  EXPECT_TRUE(
      std::isnan(reduce(ReduceOp::Max, withNan, {}, false).data<float>()[0]));
  EXPECT_TRUE(std::isnan(maxPool(withNan, {2, 2}, {2, 2}, {0, 0}, {1, 1}, false)
                             .data<float>()[0]));
}

TEST(RuntimeKernelsAEdgeCases, HalfTypesComputeInF32) {
  Tensor x = uniform({2, 4, 6, 6}, 11), w = uniform({3, 4, 3, 3}, 12);
  Tensor ref = conv(x, w, {}, {1, 1}, {1, 1}, {1, 1}, 1);
  for (DType t : {DType::F16, DType::BF16}) {
    Tensor y = conv(cast(x, t), cast(w, t), {}, {1, 1}, {1, 1}, {1, 1}, 1);
    ASSERT_EQ(y.dtype(), t);
    double tol = t == DType::F16 ? 0.02 : 0.15;
    for (int64_t i = 0; i < ref.numel(); ++i)
      ASSERT_NEAR(y.at(i), ref.at(i), tol) << dtypeName(t) << " [" << i << "]";
  }
  Tensor h = cast(uniform({5, 7}, 13, -3, 3), DType::BF16);
  Tensor s = softmax(h, -1);
  EXPECT_EQ(s.dtype(), DType::BF16);
  Tensor back = cast(s, DType::F32);
  Tensor ref2 = softmax(cast(h, DType::F32), -1);
  for (int64_t i = 0; i < back.numel(); ++i)
    EXPECT_NEAR(back.data<float>()[i], ref2.data<float>()[i], 5e-3);
}

TEST(RuntimeKernelsAThreads, ResultsDoNotDependOnThreadCount) {
  Tensor x = uniform({3, 8, 20, 20}, 20), w = uniform({16, 8, 3, 3}, 21);
  Tensor dw = uniform({8, 1, 3, 3}, 22), big = uniform({1 << 18}, 23);
  auto run = [&] {
    return std::vector<Tensor>{
        conv(x, w, {}, {1, 1}, {1, 1}, {1, 1}, 1),
        conv(x, dw, {}, {2, 2}, {1, 1}, {1, 1}, 8),
        convTranspose(x, uniform({8, 4, 3, 3}, 24), {}, {2, 2}, {1, 1}, {1, 1},
                      {1, 1}, 1),
        maxPool(x, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true),
        softmax(x, 1),
        layerNorm(x, {}, {}, {20, 20}, 1e-5),
        reduce(ReduceOp::Sum, big, {}, false),
        reduce(ReduceOp::Mean, x, {0, 2}, false),
        permute(x, {0, 2, 3, 1}),
        binary(BinaryOp::Mul, x, uniform({8, 1, 20}, 25))};
  };
  int threads = numThreads();
  setNumThreads(1);
  std::vector<Tensor> serial = run();
  setNumThreads(std::max(threads, 4));
  std::vector<Tensor> parallel = run();
  setNumThreads(threads);
  for (size_t k = 0; k < serial.size(); ++k)
    for (int64_t i = 0; i < serial[k].numel(); ++i)
      ASSERT_NEAR(parallel[k].at(i), serial[k].at(i), 1e-4)
          << "result " << k << " [" << i << "]";
}
