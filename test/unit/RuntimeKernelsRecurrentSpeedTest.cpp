//===- RuntimeKernelsRecurrentSpeedTest.cpp - f32 recurrence fast path ----===//
//
// The f32 recurrence runs on its own packed GEMM tiles and vector gates
// (Recurrent.cpp), while f64 keeps BLAS and the scalar gates. Running the
// same layers in both dtypes checks the fast path on every tile shape (batch
// rows 1..4 per tile and a ragged tail, gate columns in 1..4 vectors, hidden
// sizes that leave a partial gate vector) against the reference path; the
// PyTorch fixtures in RuntimeKernelsBTest cover the semantics.
// Bidirectional layers run their directions on two threads when the pool
// has them: the bits must not depend on that.
//
//===----------------------------------------------------------------------===//

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Recurrent.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

using namespace nnc::rt;
using namespace nnc::rt::kernels;

namespace {

Tensor randomF64(std::mt19937 &rng, Shape shape, double range) {
  Tensor t(DType::F64, std::move(shape));
  std::uniform_real_distribution<double> dist(-range, range);
  double *p = t.data<double>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = dist(rng);
  return t;
}

/// f32 `got` within float rounding (accumulated over a few steps) of the
/// f64 reference.
void expectNear(const Tensor &got, const Tensor &ref, const std::string &what) {
  ASSERT_EQ(got.numel(), ref.numel()) << what;
  const float *g = got.data<float>();
  const double *r = ref.data<double>();
  for (int64_t i = 0; i < got.numel(); ++i)
    ASSERT_NEAR(g[i], r[i], 2e-5 + 2e-5 * std::fabs(r[i]))
        << what << " element " << i;
}

bool sameBits(const Tensor &a, const Tensor &b) {
  return a.bytes() == b.bytes() &&
         std::memcmp(a.data<char>(), b.data<char>(), a.bytes()) == 0;
}

enum class Kind { Tanh, Relu, LSTM, GRU };

RecurrentResult runKind(Kind kind, const Tensor &x, const Tensor &h0,
                        const Tensor &c0, const std::vector<Tensor> &w,
                        const RecurrentOptions &opt) {
  switch (kind) {
  case Kind::LSTM:
    return lstm(x, h0, c0, w, opt);
  case Kind::GRU:
    return gru(x, h0, w, opt);
  default:
    return rnn(x, h0, w, opt, kind == Kind::Relu);
  }
}

struct Case {
  Kind kind;
  int64_t batch, hidden, steps, input;
  bool bidirectional, batchFirst;
};

void checkCase(const Case &c, uint32_t seed) {
  SCOPED_TRACE("kind " + std::to_string(int(c.kind)) + " batch " +
               std::to_string(c.batch) + " hidden " + std::to_string(c.hidden));
  std::mt19937 rng(seed);
  const int64_t gates = c.kind == Kind::LSTM ? 4 : c.kind == Kind::GRU ? 3 : 1;
  const int64_t layers = 2, dirs = c.bidirectional ? 2 : 1;
  RecurrentOptions opt;
  opt.hiddenSize = c.hidden;
  opt.numLayers = layers;
  opt.bidirectional = c.bidirectional;
  opt.batchFirst = c.batchFirst;
  // Weights scaled as PyTorch's init (1/sqrt(H)) keep the gates in their
  // sensitive range rather than saturated.
  const double range = 1.0 / std::sqrt(double(c.hidden));
  std::vector<Tensor> w64, w32;
  for (int64_t l = 0; l < layers; ++l)
    for (int64_t d = 0; d < dirs; ++d) {
      const int64_t in = l == 0 ? c.input : dirs * c.hidden;
      for (Shape s :
           {Shape{gates * c.hidden, in}, Shape{gates * c.hidden, c.hidden},
            Shape{gates * c.hidden}, Shape{gates * c.hidden}})
        w64.push_back(randomF64(rng, s, range));
    }
  for (const Tensor &t : w64)
    w32.push_back(cast(t, DType::F32));
  Shape xShape = c.batchFirst ? Shape{c.batch, c.steps, c.input}
                              : Shape{c.steps, c.batch, c.input};
  Tensor x64 = randomF64(rng, xShape, 1.0);
  Tensor h64 = randomF64(rng, {layers * dirs, c.batch, c.hidden}, 0.5);
  Tensor c64 = c.kind == Kind::LSTM
                   ? randomF64(rng, {layers * dirs, c.batch, c.hidden}, 0.5)
                   : Tensor();
  Tensor x32 = cast(x64, DType::F32), h32 = cast(h64, DType::F32);
  Tensor c32 = c64.defined() ? cast(c64, DType::F32) : Tensor();

  RecurrentResult ref = runKind(c.kind, x64, h64, c64, w64, opt);
  const int saved = numThreads();
  setNumThreads(1);
  RecurrentResult one = runKind(c.kind, x32, h32, c32, w32, opt);
  setNumThreads(2);
  RecurrentResult two = runKind(c.kind, x32, h32, c32, w32, opt);
  setNumThreads(saved);

  expectNear(one.output, ref.output, "output");
  expectNear(one.hN, ref.hN, "h_n");
  if (c.kind == Kind::LSTM)
    expectNear(one.cN, ref.cN, "c_n");
  EXPECT_TRUE(sameBits(one.output, two.output));
  EXPECT_TRUE(sameBits(one.hN, two.hN));
  if (c.kind == Kind::LSTM)
    EXPECT_TRUE(sameBits(one.cN, two.cN));
}

TEST(RuntimeKernelsRecurrentSpeed, F32MatchesF64AcrossTileShapes) {
  uint32_t seed = 1;
  for (Kind kind : {Kind::LSTM, Kind::GRU, Kind::Tanh, Kind::Relu})
    // Batches: one tile row, a full tile, a full tile plus a ragged one.
    // Hidden sizes: below one gate vector, ragged, and (LSTM 4 x 17 = 68
    // columns) a tile of 4 vectors plus a partial one.
    for (int64_t batch : {1, 4, 7})
      for (int64_t hidden : {3, 8, 17})
        checkCase({kind, batch, hidden, /*steps=*/5, /*input=*/6,
                   /*bidirectional=*/batch != 4, /*batchFirst=*/batch == 7},
                  seed++);
}

TEST(RuntimeKernelsRecurrentSpeed, F32MatchesF64AtBenchmarkSize) {
  // The shape of examples/lstm_classifier.nn (hidden 64: 4 full tiles of
  // LSTM gate columns, 3 of GRU) over more steps.
  checkCase({Kind::LSTM, 5, 64, 12, 64, true, true}, 101);
  checkCase({Kind::GRU, 5, 64, 12, 64, true, false}, 102);
}

TEST(RuntimeKernelsRecurrentSpeed, ExtremeGateInputsSaturate) {
  // Pre-activations far beyond exp's range and near zero: the vector exp
  // clamps its argument, and tiny tanh arguments take the series.
  RecurrentOptions opt;
  opt.hiddenSize = 9;
  Tensor x = Tensor::full(DType::F32, {2, 1, 1}, 0.0);
  x.data<float>()[1] = 1e-6f;
  std::vector<Tensor> w = {Tensor::full(DType::F32, {9, 1}, 1e6),
                           Tensor::full(DType::F32, {9, 9}, 0.0),
                           Tensor::full(DType::F32, {9}, 0.0),
                           Tensor::full(DType::F32, {9}, 0.0)};
  // Step 0: W_ih x = 0 -> tanh(0) = 0. Step 1: tanh(1) exactly as libm's.
  RecurrentResult r = rnn(x, Tensor(), w, opt, /*relu=*/false);
  for (int64_t j = 0; j < 9; ++j) {
    EXPECT_EQ(r.output.data<float>()[j], 0.0f);
    EXPECT_NEAR(r.output.data<float>()[9 + j], std::tanh(1.0f), 1e-7f);
  }
  x.data<float>()[1] = -1e3f; // 1e9 pre-activation: saturates to -1.
  r = rnn(x, Tensor(), w, opt, /*relu=*/false);
  for (int64_t j = 0; j < 9; ++j)
    EXPECT_EQ(r.output.data<float>()[9 + j], -1.0f);
  // A tiny pre-activation keeps its own digits (the odd series).
  w[0] = Tensor::full(DType::F32, {9, 1}, 1.0);
  x.data<float>()[1] = 3e-5f;
  r = rnn(x, Tensor(), w, opt, /*relu=*/false);
  for (int64_t j = 0; j < 9; ++j)
    EXPECT_NEAR(r.output.data<float>()[9 + j], 3e-5f, 3e-5f * 1e-6f);
}

} // namespace
