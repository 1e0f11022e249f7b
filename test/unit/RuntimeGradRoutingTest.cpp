//===- RuntimeGradRoutingTest.cpp - MoE backward vs autograd --------------===//
//
// moeBackward against torch.autograd through the PyTorch composition that
// defines kernels::moe (the dense reference of RuntimeKernelsBTest: softmax
// gate, topk, each expert weighted by its selected probability, the Switch
// load-balancing loss), plus central finite differences in f64 and the
// edge cases (no tokens, unrouted experts, bf16).
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/GradRouting.h"

#include "RuntimeGradTestUtil.h"
#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <functional>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

namespace {

/// Python for gradient `which` of f(params...) at `inputs`, contracted with
/// the output gradient `grad` (a tuple for several outputs):
/// torch.autograd.functional.vjp.
std::string vjp(const std::string &params, const std::string &body,
                const std::vector<std::string> &inputs, const std::string &grad,
                int which) {
  std::string ins;
  for (const std::string &i : inputs)
    ins += i + ", ";
  return "torch.autograd.functional.vjp(lambda " + params + ": " + body +
         ", (" + ins + "), " + grad + ")[1][" + std::to_string(which) + "]";
}

const char *activationName(ExpertActivation a) {
  return a == ExpertActivation::ReLU   ? "F.relu"
         : a == ExpertActivation::GELU ? "F.gelu"
                                       : "F.silu";
}

/// The PyTorch composition of kernels::moe as a function of (x, g, *w)
/// returning (y, aux_loss): the documented reference of Routing.h.
std::string moeReference(int64_t experts, int64_t topK, ExpertActivation act,
                         bool bias, int64_t d) {
  const std::string E = std::to_string(experts);
  auto w = [&](int index) {
    return "w[" + std::to_string(bias ? 4 : 2) + " * e + " +
           std::to_string(index) + "]";
  };
  const std::string expert = "(" + std::string(activationName(act)) + "(xs @ " +
                             w(0) + ".T" + (bias ? " + " + w(1) : "") + ") @ " +
                             w(bias ? 2 : 1) + ".T" +
                             (bias ? " + " + w(3) : "") + ")";
  const std::string y = "sum((p[:, e] * (top == e).any(-1))[:, None] * " +
                        expert + " for e in range(" + E + ")).reshape(x.shape)";
  const std::string aux = "(" + E + " * (F.one_hot(top[:, 0], " + E +
                          ").to(p.dtype).mean(0) * p.mean(0)).sum()).float()";
  return "(lambda xs: (lambda p: (lambda top: (" + y + ", " + aux +
         "))(p.topk(" + std::to_string(topK) +
         ", -1).indices))(torch.softmax(xs @ g.T, -1)))(x.reshape(-1, " +
         std::to_string(d) + "))";
}

/// Expert weights fc1_w [H, D], (fc1_b [H]), fc2_w [D, H], (fc2_b [D]).
std::vector<Tensor> expertWeights(const std::vector<int64_t> &hidden, int64_t d,
                                  bool bias, uint64_t &seed, DType dt) {
  std::vector<Tensor> weights;
  for (int64_t h : hidden) {
    weights.push_back(uniform({h, d}, ++seed, -0.7, 0.7, dt));
    if (bias)
      weights.push_back(uniform({h}, ++seed, -0.5, 0.5, dt));
    weights.push_back(uniform({d, h}, ++seed, -0.7, 0.7, dt));
    if (bias)
      weights.push_back(uniform({d}, ++seed, -0.5, 0.5, dt));
  }
  return weights;
}

} // namespace

TEST(RuntimeGradRoutingTorch, MoE) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 500;
  struct Case {
    Shape x;
    std::vector<int64_t> hidden; // one per expert
    int64_t topK;
    ExpertActivation act;
    bool bias;
    DType dt;
    bool gradOutput, gradAux; // which result gradients are given
  };
  for (const Case &c : std::vector<Case>{
           {{2, 5, 8},
            {6, 6, 6, 6},
            1,
            ExpertActivation::ReLU,
            true,
            DType::F32,
            true,
            true},
           {{3, 4, 8},
            {8, 4, 6, 3},
            2,
            ExpertActivation::GELU,
            true,
            DType::F32,
            true,
            true},
           // One token (rank 1), every expert selected, no aux gradient.
           {{8},
            {5, 6, 7},
            3,
            ExpertActivation::SiLU,
            false,
            DType::F32,
            true,
            false},
           {{6, 8},
            {8, 8, 8},
            2,
            ExpertActivation::GELU,
            true,
            DType::F64,
            true,
            true},
           // Only the aux loss has a gradient.
           {{7, 5},
            {4, 4, 4, 4, 4},
            2,
            ExpertActivation::SiLU,
            false,
            DType::F64,
            false,
            true},
           // Two tokens, six experts, top-1: most experts get no token.
           {{2, 4},
            {3, 3, 3, 3, 3, 3},
            1,
            ExpertActivation::GELU,
            true,
            DType::F64,
            true,
            true},
       }) {
    const int64_t d = c.x.back(), experts = int64_t(c.hidden.size());
    Tensor x = uniform(c.x, ++seed, -1, 1, c.dt);
    Tensor gate = uniform({experts, d}, ++seed, -1.5, 1.5, c.dt);
    std::vector<Tensor> w = expertWeights(c.hidden, d, c.bias, seed, c.dt);
    // Undefined result gradients are zeros for autograd.
    Tensor gy =
        c.gradOutput ? uniform(c.x, ++seed, -1, 1, c.dt) : Tensor(c.dt, c.x);
    Tensor ga =
        c.gradAux ? uniform({}, ++seed, 0.5, 2) : Tensor(DType::F32, {});
    MoEGrads r =
        moeBackward(c.gradOutput ? gy : Tensor(), c.gradAux ? ga : Tensor(), x,
                    gate, w, experts, c.topK, c.act, c.bias);
    ASSERT_EQ(r.expertWeights.size(), w.size());
    std::vector<std::string> ins = {o.in(x), o.in(gate)};
    for (const Tensor &t : w)
      ins.push_back(o.in(t));
    const std::string body = moeReference(experts, c.topK, c.act, c.bias, d);
    const std::string G = "(" + o.in(gy) + ", " + o.in(ga) + ")";
    o.expect(vjp("x, g, *w", body, ins, G, 0), r.input);
    o.expect(vjp("x, g, *w", body, ins, G, 1), r.gateWeight);
    for (size_t i = 0; i < w.size(); ++i)
      o.expect(vjp("x, g, *w", body, ins, G, int(i) + 2), r.expertWeights[i]);
  }
  o.check();
}

//===----------------------------------------------------------------------===//
// Finite differences (f64, no PyTorch) and edge cases
//===----------------------------------------------------------------------===//

TEST(RuntimeGradRoutingFiniteDifference, MoE) {
  // The output only: the aux loss is f32, too coarse for differences (its
  // gradient is checked against autograd above).
  for (const auto &c : std::vector<std::tuple<ExpertActivation, bool, int64_t>>{
           {ExpertActivation::GELU, true, 2},
           {ExpertActivation::SiLU, false, 1}}) {
    const ExpertActivation act = std::get<0>(c);
    const bool bias = std::get<1>(c);
    const int64_t topK = std::get<2>(c);
    uint64_t seed = 600 + topK;
    const int64_t d = 4, experts = 3;
    Tensor x = uniform({5, d}, ++seed, -1, 1, DType::F64);
    Tensor gate = uniform({experts, d}, ++seed, -1.5, 1.5, DType::F64);
    std::vector<Tensor> w = expertWeights({3, 4, 2}, d, bias, seed, DType::F64);
    Tensor gy = uniform({5, d}, ++seed, -1, 1, DType::F64);
    MoEGrads r =
        moeBackward(gy, Tensor(), x, gate, w, experts, topK, act, bias);
    auto objective = [&](const Tensor &xx, const Tensor &gg,
                         const std::vector<Tensor> &ww) {
      return dot(moe(xx, gg, ww, experts, topK, act, bias).output, gy);
    };
    expectFiniteDifference(
        x, [&](const Tensor &a) { return objective(a, gate, w); }, r.input,
        "moe dX");
    expectFiniteDifference(
        gate, [&](const Tensor &a) { return objective(x, a, w); }, r.gateWeight,
        "moe dGate");
    for (size_t i = 0; i < w.size(); ++i)
      expectFiniteDifference(
          w[i],
          [&](const Tensor &a) {
            std::vector<Tensor> ww = w;
            ww[i] = a;
            return objective(x, gate, ww);
          },
          r.expertWeights[i], "moe expert weight " + std::to_string(i));
  }
}

TEST(RuntimeGradRoutingEdge, NoTokensAndHalfPrecision) {
  uint64_t seed = 700;
  const int64_t d = 3, experts = 4;
  std::vector<Tensor> w =
      expertWeights({2, 2, 2, 2}, d, true, seed, DType::F32);
  Tensor gate = uniform({experts, d}, ++seed);
  // No tokens: zero gradients of the right shapes (the aux loss is NaN
  // there, a mean over nothing, but no token carries its gradient).
  MoEGrads e = moeBackward(Tensor(DType::F32, {0, d}), Tensor::scalar(1),
                           Tensor(DType::F32, {0, d}), gate, w, experts, 2,
                           ExpertActivation::ReLU, true);
  EXPECT_EQ(e.input.shape(), (Shape{0, d}));
  for (int64_t i = 0; i < e.gateWeight.numel(); ++i)
    EXPECT_EQ(e.gateWeight.at(i), 0.0);
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(e.expertWeights[i].shape(), w[i].shape());
    for (int64_t j = 0; j < w[i].numel(); ++j)
      EXPECT_EQ(e.expertWeights[i].at(j), 0.0);
  }

  // bf16 goes through f32 and comes back as bf16.
  auto toBF16 = [](const Tensor &t) {
    Tensor h(DType::BF16, t.shape());
    for (int64_t i = 0; i < t.numel(); ++i)
      h.set(i, t.at(i));
    return h;
  };
  auto rounded = [&](const Tensor &t) {
    Tensor h = toBF16(t), f(DType::F32, t.shape());
    for (int64_t i = 0; i < t.numel(); ++i)
      f.set(i, h.at(i));
    return f;
  };
  Tensor x = rounded(uniform({5, d}, ++seed)),
         gy = rounded(uniform({5, d}, ++seed));
  gate = rounded(gate);
  std::vector<Tensor> hw;
  for (Tensor &t : w) {
    t = rounded(t);
    hw.push_back(toBF16(t));
  }
  MoEGrads ref = moeBackward(gy, Tensor::scalar(0.5), x, gate, w, experts, 2,
                             ExpertActivation::SiLU, true);
  MoEGrads half =
      moeBackward(toBF16(gy), Tensor::scalar(0.5), toBF16(x), toBF16(gate), hw,
                  experts, 2, ExpertActivation::SiLU, true);
  std::vector<std::pair<const Tensor *, const Tensor *>> pairs = {
      {&half.input, &ref.input}, {&half.gateWeight, &ref.gateWeight}};
  for (size_t i = 0; i < w.size(); ++i)
    pairs.push_back({&half.expertWeights[i], &ref.expertWeights[i]});
  for (auto [h, f] : pairs) {
    ASSERT_EQ(h->dtype(), DType::BF16);
    for (int64_t i = 0; i < f->numel(); ++i)
      ASSERT_NEAR(h->at(i), f->at(i),
                  0.02 * std::max(1.0, std::fabs(f->at(i))));
  }
}
