//===- RuntimeGradAttentionDropoutTest.cpp - MHA probability dropout ------===//
//
// Training-mode dropout of the attention probabilities: the forward drops
// about p of them and rescales the rest, and the backward (which regenerates
// the same masks) matches central finite differences of the forward in f64.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Attention.h"
#include "runtime/kernels/GradAttention.h"

#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

TEST(RuntimeGradAttentionDropout, MaskStatistics) {
  std::vector<double> probs(100000, 1.0);
  applyAttentionDropout(probs.data(), int64_t(probs.size()), {0.25, 9}, 3);
  int64_t dropped = 0;
  for (double p : probs) {
    if (p == 0)
      ++dropped;
    else
      ASSERT_DOUBLE_EQ(p, 1.0 / 0.75);
  }
  EXPECT_NEAR(double(dropped) / probs.size(), 0.25, 0.01);
  // A pure function of (seed, stream): the same again, another stream not.
  std::vector<double> again(probs.size(), 1.0), other(probs.size(), 1.0);
  applyAttentionDropout(again.data(), int64_t(again.size()), {0.25, 9}, 3);
  applyAttentionDropout(other.data(), int64_t(other.size()), {0.25, 9}, 4);
  EXPECT_EQ(again, probs);
  EXPECT_NE(other, probs);
}

TEST(RuntimeGradAttentionDropout, BackwardMatchesFiniteDifferences) {
  const int64_t B = 2, T = 3, E = 4, H = 2;
  Tensor q = uniform({B, T, E}, 1, -1, 1, DType::F64);
  MultiHeadAttentionWeights w;
  w.inProjWeight = uniform({3 * E, E}, 2, -0.5, 0.5, DType::F64);
  w.inProjBias = uniform({3 * E}, 3, -0.5, 0.5, DType::F64);
  w.outProjWeight = uniform({E, E}, 4, -0.5, 0.5, DType::F64);
  Tensor g = uniform({B, T, E}, 5, -1, 1, DType::F64);
  AttentionDropout drop{0.4, 77};
  auto loss = [&](const Tensor &query, const MultiHeadAttentionWeights &ww) {
    Tensor y = multiHeadAttention(query, query, query, ww, Tensor(), Tensor(),
                                  H, true, false, drop);
    double s = 0;
    for (int64_t i = 0; i < y.numel(); ++i)
      s += y.at(i) * g.at(i);
    return s;
  };
  // Dropout changes the result; p = 0 is the inference kernel.
  Tensor plain =
      multiHeadAttention(q, q, q, w, Tensor(), Tensor(), H, true, false);
  Tensor dropped =
      multiHeadAttention(q, q, q, w, Tensor(), Tensor(), H, true, false, drop);
  double diff = 0;
  for (int64_t i = 0; i < plain.numel(); ++i)
    diff += std::abs(plain.at(i) - dropped.at(i));
  EXPECT_GT(diff, 1e-3);

  MultiHeadAttentionGrads r = multiHeadAttentionBackward(
      g, q, q, q, w, Tensor(), Tensor(), H, true, false, drop);
  const double h = 1e-6;
  // Self-attention: query, key and value are one tensor, so its gradient is
  // the sum of the three.
  for (int64_t i = 0; i < q.numel(); ++i) {
    Tensor up = q.clone(), down = q.clone();
    up.set(i, q.at(i) + h);
    down.set(i, q.at(i) - h);
    double numeric = (loss(up, w) - loss(down, w)) / (2 * h);
    double analytic = r.query.at(i) + r.key.at(i) + r.value.at(i);
    EXPECT_NEAR(analytic, numeric, 1e-6) << "input element " << i;
  }
  for (int64_t i = 0; i < w.inProjWeight.numel(); i += 5) {
    MultiHeadAttentionWeights up = w, down = w;
    up.inProjWeight = w.inProjWeight.clone();
    down.inProjWeight = w.inProjWeight.clone();
    up.inProjWeight.set(i, w.inProjWeight.at(i) + h);
    down.inProjWeight.set(i, w.inProjWeight.at(i) - h);
    double numeric = (loss(q, up) - loss(q, down)) / (2 * h);
    EXPECT_NEAR(r.weights.inProjWeight.at(i), numeric, 1e-6)
        << "in_proj_weight element " << i;
  }
}
