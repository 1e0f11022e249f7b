//===- RuntimeGradLossesTest.cpp - Loss backward kernels vs torch.autograd ===//
//
// The loss gradients of GradMisc.h (GradLosses.cpp) against
// torch.autograd.functional.vjp on awkward shapes, every reduction, f32 and
// f64 (through the TorchOracle of RuntimeKernelsATestUtil.h), plus central
// finite differences in f64, which need no PyTorch.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/GradMisc.h"

#include "RuntimeGradTestUtil.h"
#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <functional>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

namespace {

/// Python for gradient `which` of f(params...) at `inputs`, contracted with
/// the output gradient `grad`: torch.autograd.functional.vjp.
std::string vjp(const std::string &params, const std::string &body,
                const std::vector<std::string> &inputs, const std::string &grad,
                int which) {
  std::string ins;
  for (const std::string &i : inputs)
    ins += i + ", ";
  return "torch.autograd.functional.vjp(lambda " + params + ": " + body +
         ", (" + ins + "), " + grad + ")[1][" + std::to_string(which) + "]";
}

std::string reductionName(Reduction r) {
  switch (r) {
  case Reduction::None:
    return "'none'";
  case Reduction::Sum:
    return "'sum'";
  case Reduction::Mean:
    return "'mean'";
  case Reduction::BatchMean:
    return "'batchmean'";
  }
  return "";
}

/// A loss gradient for `red`: the per-element shape for None, else rank 0.
Tensor lossGrad(Reduction red, const Shape &perElement, uint64_t seed,
                DType dt) {
  return red == Reduction::None ? uniform(perElement, seed, -1, 1, dt)
                                : uniform({}, seed, 0.5, 2, dt);
}

const Reduction kThree[] = {Reduction::Mean, Reduction::Sum, Reduction::None};

} // namespace

TEST(RuntimeGradLossesTorch, Pointwise) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 5000;
  for (DType dt : {DType::F32, DType::F64}) {
    // Each shape runs 18 vjps, so f32 and f64 split the shapes between them.
    std::vector<Shape> shapes = dt == DType::F32 ? std::vector<Shape>{{4, 3, 5}}
                                                 : std::vector<Shape>{{7}, {}};
    for (const Shape &s : shapes) {
      Tensor x = uniform(s, ++seed, -4, 4, dt);
      Tensor y = uniform(s, ++seed, -4, 4, dt);
      if (x.numel() > 3)
        y.set(2, x.at(2)); // l1's kink: torch.sgn(0) = 0
      Tensor p = uniform(s, ++seed, 0.02, 0.98, dt);
      Tensor q = uniform(s, ++seed, 0, 1, dt);
      std::string X = o.in(x), Y = o.in(y), P = o.in(p), Q = o.in(q);
      std::vector<Reduction> reds(std::begin(kThree), std::end(kThree));
      for (Reduction red : reds) {
        Tensor g = lossGrad(red, s, ++seed, dt);
        std::string G = o.in(g), r = ", reduction=" + reductionName(red) + ")";
        LossGrads l1 = l1LossBackward(g, x, y, red);
        o.expect(vjp("x, y", "F.l1_loss(x, y" + r, {X, Y}, G, 0), l1.input);
        o.expect(vjp("x, y", "F.l1_loss(x, y" + r, {X, Y}, G, 1), l1.target);
        LossGrads b = bceLossBackward(g, p, q, red);
        std::string bce = "F.binary_cross_entropy(x, y" + r;
        o.expect(vjp("x, y", bce, {P, Q}, G, 0), b.input);
        o.expect(vjp("x, y", bce, {P, Q}, G, 1), b.target);
        LossGrads bl = bceWithLogitsLossBackward(g, x, q, red);
        std::string bcel = "F.binary_cross_entropy_with_logits(x, y" + r;
        o.expect(vjp("x, y", bcel, {X, Q}, G, 0), bl.input);
        o.expect(vjp("x, y", bcel, {X, Q}, G, 1), bl.target);
      }
    }
  }

  // BCE at the ends of [0, 1]: the input gradient is clamped by 1e-12, the
  // target gradient -logit(x) is infinite, as in PyTorch.
  Tensor p = uniform({6}, ++seed, 0.1, 0.9, DType::F64);
  p.set(0, 0.0);
  p.set(3, 1.0);
  Tensor q = uniform({6}, ++seed, 0, 1, DType::F64);
  Tensor g = Tensor::full(DType::F64, {}, 1.0);
  LossGrads b = bceLossBackward(g, p, q, Reduction::Sum);
  std::string body = "F.binary_cross_entropy(x, y, reduction='sum')";
  std::vector<std::string> ins = {o.in(p), o.in(q)};
  o.expect(vjp("x, y", body, ins, o.in(g), 0), b.input);
  o.expect(vjp("x, y", body, ins, o.in(g), 1), b.target);
  o.check();
}

TEST(RuntimeGradLossesTorch, NllAndKlDiv) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 5500;
  for (DType dt : {DType::F32, DType::F64})
    for (auto [xs, ignore] : std::vector<std::pair<Shape, int64_t>>{
             {{5, 7}, -100}, {{2, 4, 3, 2}, 2}, {{1, 3}, -100}}) {
      Shape ts = xs;
      ts.erase(ts.begin() + 1);
      Tensor x = uniform(xs, ++seed, -3, 0, dt);
      Tensor t = integers(ts, ++seed, 0, xs[1] - 1);
      if (t.numel() > 2)
        t.set(1, double(ignore));
      std::string X = o.in(x), T = o.in(t);
      for (Reduction red : kThree) {
        Tensor g = lossGrad(red, ts, ++seed, dt);
        std::string body = "F.nll_loss(x, " + T +
                           ", ignore_index=" + std::to_string(ignore) +
                           ", reduction=" + reductionName(red) + ")";
        o.expect(vjp("x", body, {X}, o.in(g), 0),
                 nllLossBackward(g, x, t, ignore, red));
      }
    }

  for (auto [s, dt] : std::vector<std::pair<Shape, DType>>{
           {{4, 3, 5}, DType::F32}, {{7}, DType::F64}, {{}, DType::F64}}) {
    Tensor x = uniform(s, ++seed, -4, 4, dt);
    Tensor lt = uniform(s, ++seed, -3, 0, dt); // log-probabilities
    Tensor pt = uniform(s, ++seed, 0, 1, dt);
    if (pt.numel() > 3)
      pt.set(1, 0.0); // xlogy at 0: NaN target gradient in torch 1.13
    std::string X = o.in(x), LT = o.in(lt), PT = o.in(pt);
    std::vector<Reduction> kl(std::begin(kThree), std::end(kThree));
    if (x.rank() > 0)
      kl.push_back(Reduction::BatchMean);
    for (Reduction red : kl)
      for (bool logT : {false, true}) {
        Tensor g = lossGrad(red, s, ++seed, dt);
        Tensor t = logT ? lt : pt;
        LossGrads k = klDivLossBackward(g, x, t, red, logT);
        std::string body = "F.kl_div(x, y, reduction=" + reductionName(red) +
                           ", log_target=" + pyBool(logT) + ")";
        std::vector<std::string> ins = {X, logT ? LT : PT};
        std::string G = o.in(g);
        o.expect(vjp("x, y", body, ins, G, 0), k.input);
        o.expect(vjp("x, y", body, ins, G, 1), k.target);
      }
  }
  o.check();
}

TEST(RuntimeGradLossesTorch, CrossEntropyProbabilities) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 6000;
  for (auto [xs, eps, dt] : std::vector<std::tuple<Shape, double, DType>>{
           {{5, 7}, 0.0, DType::F32},
           {{2, 4, 3, 2}, 0.2, DType::F32},
           {{1, 3}, 0.1, DType::F64},
           {{3, 5, 4}, 0.0, DType::F64}}) {
    Tensor x = uniform(xs, ++seed, -3, 3, dt);
    Tensor q = uniform(xs, ++seed, 0, 1, dt); // rows need not sum to 1
    Shape ls = xs;
    ls.erase(ls.begin() + 1);
    std::string X = o.in(x), Q = o.in(q);
    for (Reduction red : kThree) {
      Tensor g = lossGrad(red, ls, ++seed, dt);
      LossGrads r = crossEntropyProbsBackward(g, x, q, eps, red);
      std::string body =
          "F.cross_entropy(x, q, reduction=" + reductionName(red) +
          ", label_smoothing=" + std::to_string(eps) + ")";
      std::string G = o.in(g);
      o.expect(vjp("x, q", body, {X, Q}, G, 0), r.input);
      o.expect(vjp("x, q", body, {X, Q}, G, 1), r.target);
    }
  }
  o.check();
}

TEST(RuntimeGradLossesTorch, DistillationAndInfoNce) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 7000;
  for (auto [n, c, temp, alpha, dt] :
       std::vector<std::tuple<int64_t, int64_t, double, double, DType>>{
           {4, 5, 2.0, 0.7, DType::F32},
           {1, 3, 1.0, 0.5, DType::F32},
           {6, 9, 4.0, 0.1, DType::F64},
           {3, 2, 0.5, 1.0, DType::F64}}) {
    Tensor s = uniform({n, c}, ++seed, -3, 3, dt);
    Tensor t = uniform({n, c}, ++seed, -3, 3, dt);
    Tensor y = integers({n}, ++seed, 0, c - 1);
    if (n > 2)
      y.set(1, -100); // ignored by the cross entropy term only
    Tensor g = uniform({}, ++seed, 0.5, 2, dt);
    DistillationGrads r = distillationLossBackward(g, s, t, y, temp, alpha);
    std::string T = std::to_string(temp), A = std::to_string(alpha);
    std::string body = A + " * " + T + " ** 2 * F.kl_div(F.log_softmax(s / " +
                       T + ", 1), F.softmax(t / " + T +
                       ", 1), reduction='batchmean') + (1 - " + A +
                       ") * F.cross_entropy(s, " + o.in(y) + ")";
    std::vector<std::string> ins = {o.in(s), o.in(t)};
    std::string G = o.in(g);
    o.expect(vjp("s, t", body, ins, G, 0), r.student);
    o.expect(vjp("s, t", body, ins, G, 1), r.teacher);
  }

  for (auto [n, d, tau, dt] :
       std::vector<std::tuple<int64_t, int64_t, double, DType>>{
           {5, 7, 0.1, DType::F32},
           {1, 4, 1.0, DType::F32},
           {8, 3, 0.07, DType::F64},
           {3, 16, 0.5, DType::F64}}) {
    Tensor a = uniform({n, d}, ++seed, -2, 2, dt);
    Tensor p = uniform({n, d}, ++seed, -2, 2, dt);
    Tensor g = uniform({}, ++seed, 0.5, 2, dt);
    InfoNceGrads r = infoNceLossBackward(g, a, p, tau);
    std::string body = "F.cross_entropy(F.normalize(a) @ F.normalize(p).T / " +
                       std::to_string(tau) + ", torch.arange(" +
                       std::to_string(n) + "))";
    std::vector<std::string> ins = {o.in(a), o.in(p)};
    std::string G = o.in(g);
    o.expect(vjp("a, p", body, ins, G, 0), r.anchor);
    o.expect(vjp("a, p", body, ins, G, 1), r.positive);
  }
  // A zero anchor row: its norm is clamped to 1e-12 (gradient dY / 1e-12).
  Tensor a = uniform({3, 4}, ++seed, -2, 2, DType::F64);
  for (int64_t j = 0; j < 4; ++j)
    a.set(4 + j, 0.0);
  Tensor p = uniform({3, 4}, ++seed, -2, 2, DType::F64);
  Tensor g = Tensor::full(DType::F64, {}, 1.0);
  InfoNceGrads r = infoNceLossBackward(g, a, p, 0.5);
  std::string body = "F.cross_entropy(F.normalize(a) @ F.normalize(p).T / 0.5, "
                     "torch.arange(3))";
  std::vector<std::string> ins = {o.in(a), o.in(p)};
  o.expect(vjp("a, p", body, ins, o.in(g), 0), r.anchor);
  o.expect(vjp("a, p", body, ins, o.in(g), 1), r.positive);
  o.check();
}

//===----------------------------------------------------------------------===//
// Finite differences (f64, no PyTorch)
//===----------------------------------------------------------------------===//

namespace {

/// Finite differences of a two-input loss w.r.t. both inputs.
void expectLossGrads(
    const Tensor &x, const Tensor &y, const Tensor &g,
    const std::function<Tensor(const Tensor &, const Tensor &)> &loss,
    const LossGrads &r, const std::string &what) {
  expectFiniteDifference(
      x, g, [&](const Tensor &a) { return loss(a, y); }, r.input,
      (what + " d input").c_str());
  expectFiniteDifference(
      y, g, [&](const Tensor &a) { return loss(x, a); }, r.target,
      (what + " d target").c_str());
}

} // namespace

TEST(RuntimeGradLossesFiniteDifference, Pointwise) {
  Tensor x = f64({3, 4}, 1, -3, 3), y = f64({3, 4}, 2, -3, 3);
  Tensor p = f64({3, 4}, 3, 0.05, 0.95), q = f64({3, 4}, 4, 0, 1);
  Tensor lt = f64({3, 4}, 5, -3, -0.1), pt = f64({3, 4}, 6, 0.05, 1);
  for (Reduction red : {Reduction::Mean, Reduction::Sum, Reduction::None,
                        Reduction::BatchMean}) {
    Tensor g = red == Reduction::None ? f64({3, 4}, 7)
                                      : Tensor::full(DType::F64, {}, 1.3);
    expectLossGrads(
        x, y, g, [&](auto &a, auto &b) { return l1Loss(a, b, red); },
        l1LossBackward(g, x, y, red), "l1");
    expectLossGrads(
        p, q, g, [&](auto &a, auto &b) { return bceLoss(a, b, red); },
        bceLossBackward(g, p, q, red), "bce");
    expectLossGrads(
        x, q, g, [&](auto &a, auto &b) { return bceWithLogitsLoss(a, b, red); },
        bceWithLogitsLossBackward(g, x, q, red), "bce with logits");
    expectLossGrads(
        x, pt, g, [&](auto &a, auto &b) { return klDivLoss(a, b, red, false); },
        klDivLossBackward(g, x, pt, red, false), "kl_div");
    expectLossGrads(
        x, lt, g, [&](auto &a, auto &b) { return klDivLoss(a, b, red, true); },
        klDivLossBackward(g, x, lt, red, true), "kl_div log_target");
  }
}

TEST(RuntimeGradLossesFiniteDifference, ClassLosses) {
  Tensor x = f64({3, 4, 2}, 10, -3, 3), q = f64({3, 4, 2}, 11, 0, 1);
  Tensor g = Tensor::full(DType::F64, {}, 0.8);
  expectLossGrads(
      x, q, g,
      [&](auto &a, auto &b) {
        return crossEntropy(a, b, 0.1, -100, Reduction::Mean);
      },
      crossEntropyProbsBackward(g, x, q, 0.1, Reduction::Mean),
      "cross entropy probabilities");
  Tensor gn = f64({3, 2}, 12);
  Tensor t = kernelstest::integers({3, 2}, 13, 0, 3);
  t.set(3, -1);
  expectFiniteDifference(
      x, gn,
      [&](const Tensor &a) { return nllLoss(a, t, -1, Reduction::None); },
      nllLossBackward(gn, x, t, -1, Reduction::None), "nll");

  Tensor s = f64({4, 5}, 14, -3, 3), te = f64({4, 5}, 15, -3, 3);
  Tensor y = kernelstest::integers({4}, 16, 0, 4);
  y.set(2, -100);
  DistillationGrads d = distillationLossBackward(g, s, te, y, 2.5, 0.6);
  expectFiniteDifference(
      s, g,
      [&](const Tensor &a) { return distillationLoss(a, te, y, 2.5, 0.6); },
      d.student, "distillation d student");
  expectFiniteDifference(
      te, g,
      [&](const Tensor &a) { return distillationLoss(s, a, y, 2.5, 0.6); },
      d.teacher, "distillation d teacher");

  Tensor a = f64({5, 3}, 17, -2, 2), p = f64({5, 3}, 18, -2, 2);
  InfoNceGrads r = infoNceLossBackward(g, a, p, 0.2);
  expectFiniteDifference(
      a, g, [&](const Tensor &v) { return infoNceLoss(v, p, 0.2); }, r.anchor,
      "info_nce d anchor");
  expectFiniteDifference(
      p, g, [&](const Tensor &v) { return infoNceLoss(a, v, 0.2); }, r.positive,
      "info_nce d positive");
}

TEST(RuntimeGradLossesEdge, EmptyAndIgnored) {
  // Every position ignored: the mean's 0 / 0 leaves no gradient anywhere
  // (no position is scaled), and empty batches give empty gradients.
  Tensor x = kernelstest::uniform({2, 3}, 1);
  Tensor t = Tensor::full(DType::I64, {2}, -100);
  Tensor dx =
      nllLossBackward(Tensor::scalar(1.0f), x, t, -100, Reduction::Mean);
  for (int64_t i = 0; i < dx.numel(); ++i)
    EXPECT_EQ(dx.at(i), 0.0);
  Tensor e(DType::F32, {0, 4});
  LossGrads c = crossEntropyProbsBackward(Tensor::scalar(1.0f), e, e, 0.0,
                                          Reduction::Sum);
  EXPECT_EQ(c.input.shape(), e.shape());
  LossGrads l = l1LossBackward(Tensor::scalar(1.0f), e, e, Reduction::Mean);
  EXPECT_EQ(l.target.shape(), e.shape());
}
