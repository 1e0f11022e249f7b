//===- RuntimeKernelsBLossesTest.cpp - Loss and random kernels -----------===//
//
// The losses against torch.nn.functional, and random_normal against NumPy's
// Philox bits. The harness is in RuntimeKernelsBOracle.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/RuntimeKernelsBOracle.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Losses.h"
#include "runtime/kernels/Random.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelsb_test;

//===----------------------------------------------------------------------===//
// Losses vs torch.nn.functional
//===----------------------------------------------------------------------===//

namespace {
struct LossCase {
  std::string kind, name, reduction;
  Shape shape;
  double p1 = 0, p2 = 0; // kind-specific: see kLossScript
  DType dtype = DType::F32;
};
const std::vector<LossCase> &lossCases() {
  // ce: p1 = label_smoothing, p2 = ignore_index (a name with "prob" uses
  // probability targets, "all_ignored" ignores every target).
  static const std::vector<LossCase> cases = {
      {"ce", "ce_mean", "mean", {6, 5}, 0, -100},
      {"ce", "ce_sum_smooth_ignore2", "sum", {6, 5}, 0.1, 2},
      {"ce", "ce_none_spatial", "none", {3, 4, 2, 5}, 0.2, -100},
      {"ce", "ce_mean_spatial_smooth", "mean", {2, 4, 3}, 0.3, 1},
      {"ce", "ce_prob", "mean", {4, 5}, 0.15, -100},
      {"ce", "ce_prob_spatial", "none", {2, 3, 4}, 0, -100},
      {"ce", "ce_all_ignored", "mean", {3, 4}, 0.1, -100},
      {"ce", "ce_f64", "mean", {5, 6}, 0.1, -100, DType::F64},
      {"nll", "nll_mean", "mean", {5, 4}, 0, -100},
      {"nll", "nll_spatial_sum", "sum", {2, 3, 6}, 0, 0},
      {"nll", "nll_none", "none", {4, 3}, 0, -100},
      {"mse", "mse_mean", "mean", {4, 3}},
      {"mse", "mse_none", "none", {2, 3, 2}},
      {"l1", "l1_sum", "sum", {4, 3}},
      {"bce", "bce_mean", "mean", {3, 4}},
      {"bce", "bce_none", "none", {2, 5}},
      {"bcel", "bcel_mean", "mean", {3, 4}},
      {"bcel", "bcel_none_f64", "none", {2, 5}, 0, 0, DType::F64},
      {"kl", "kl_batchmean", "batchmean", {4, 5}, 0},
      {"kl", "kl_mean_log_target", "mean", {4, 5}, 1},
      {"kl", "kl_sum", "sum", {3, 2, 4}, 0},
      {"kl", "kl_none_log_target", "none", {3, 4}, 1},
      // info: p1 = temperature; distill: p1 = temperature, p2 = alpha.
      {"info", "info", "-", {6, 8}, 0.1},
      {"info", "info_n1", "-", {1, 4}, 0.5},
      {"distill", "distill", "-", {5, 7}, 4.0, 0.7},
      {"distill", "distill_f64", "-", {3, 4}, 2.0, 0.25, DType::F64},
  };
  return cases;
}

const char *kLossScript = R"PY(
import torch
import torch.nn.functional as F
for kind, name, red, p1, p2 in CASES:
    p1, p2 = float(p1), float(p2)
    x = T(name + '.input')
    y = T(name + '.target')
    if kind == 'ce':
        r = F.cross_entropy(x, y, ignore_index=int(p2), reduction=red, label_smoothing=p1)
    elif kind == 'nll':
        r = F.nll_loss(x, y, ignore_index=int(p2), reduction=red)
    elif kind == 'mse': r = F.mse_loss(x, y, reduction=red)
    elif kind == 'l1': r = F.l1_loss(x, y, reduction=red)
    elif kind == 'bce': r = F.binary_cross_entropy(x, y, reduction=red)
    elif kind == 'bcel': r = F.binary_cross_entropy_with_logits(x, y, reduction=red)
    elif kind == 'kl': r = F.kl_div(x, y, reduction=red, log_target=p1 == 1)
    elif kind == 'info':
        logits = F.normalize(x, dim=1) @ F.normalize(y, dim=1).T / p1
        r = F.cross_entropy(logits, torch.arange(x.shape[0]))
    elif kind == 'distill':
        t, lab = y, T(name + '.labels')
        r = p2 * p1 * p1 * F.kl_div(F.log_softmax(x / p1, 1), F.softmax(t / p1, 1),
                                    reduction='batchmean') + (1 - p2) * F.cross_entropy(x, lab)
    put(name, r)
)PY";

/// Class indices [N, d...] for input [N, C, d...] with entry 1 set to
/// `ignore` (every entry for "all_ignored").
Tensor classTargets(std::mt19937 &rng, const LossCase &c) {
  Shape shape = c.shape;
  const int64_t classes = shape[1];
  shape.erase(shape.begin() + 1);
  Tensor t(DType::I64, shape);
  std::uniform_int_distribution<int64_t> dist(0, classes - 1);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<int64_t>()[i] = dist(rng);
  t.data<int64_t>()[1] = int64_t(c.p2);
  if (c.name == "ce_all_ignored")
    std::fill(t.data<int64_t>(), t.data<int64_t>() + t.numel(), int64_t(c.p2));
  return t;
}

Tensor runLoss(const LossCase &c, const Oracle &o) {
  const Tensor &x = o.in(c.name + ".input"), &y = o.in(c.name + ".target");
  const Reduction r = parseReduction(c.reduction).value_or(Reduction::Mean);
  if (c.kind == "ce")
    return crossEntropy(x, y, c.p1, int64_t(c.p2), r);
  if (c.kind == "nll")
    return nllLoss(x, y, int64_t(c.p2), r);
  if (c.kind == "mse")
    return mseLoss(x, y, r);
  if (c.kind == "l1")
    return l1Loss(x, y, r);
  if (c.kind == "bce")
    return bceLoss(x, y, r);
  if (c.kind == "bcel")
    return bceWithLogitsLoss(x, y, r);
  if (c.kind == "kl")
    return klDivLoss(x, y, r, c.p1 == 1);
  if (c.kind == "info")
    return infoNceLoss(x, y, c.p1);
  return distillationLoss(x, y, o.in(c.name + ".labels"), c.p1, c.p2);
}
} // namespace

class RuntimeKernelsBLosses : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    oracle = std::make_unique<Oracle>();
    std::mt19937 rng(8);
    for (const LossCase &c : lossCases()) {
      const std::string in = c.name + ".input", tg = c.name + ".target";
      const DType dt = c.dtype;
      if (c.kind == "ce" || c.kind == "nll") {
        oracle->input(in,
                      uniform(rng, c.shape, -3, c.kind == "ce" ? 3 : 0, dt));
        oracle->input(tg, c.name.find("prob") != std::string::npos
                              ? uniform(rng, c.shape, 0, 1, dt)
                              : classTargets(rng, c));
      } else if (c.kind == "bce") {
        Tensor x = uniform(rng, c.shape, 0, 1, dt);
        x.set(0, 0.0); // log(0) clamps to -100
        x.set(1, 1.0);
        oracle->input(in, x);
        oracle->input(tg, uniform(rng, c.shape, 0, 1, dt));
      } else if (c.kind == "bcel") {
        Tensor x = uniform(rng, c.shape, -4, 4, dt);
        x.set(0, 60.0); // far outside exp's comfortable range
        x.set(1, -60.0);
        oracle->input(in, x);
        oracle->input(tg, uniform(rng, c.shape, 0, 1, dt));
      } else if (c.kind == "kl") {
        oracle->input(in, uniform(rng, c.shape, -3, 0, dt));
        Tensor t = c.p1 == 1 ? uniform(rng, c.shape, -3, 0, dt)
                             : uniform(rng, c.shape, 0, 1, dt);
        if (c.p1 != 1)
          t.set(2, 0.0); // xlogy(0, 0) = 0
        oracle->input(tg, t);
      } else {
        oracle->input(in, uniform(rng, c.shape, -2, 2, dt));
        oracle->input(tg, uniform(rng, c.shape, -2, 2, dt));
        if (c.kind == "distill") {
          std::vector<int64_t> labels;
          for (int64_t i = 0; i < c.shape[0]; ++i)
            labels.push_back(i % c.shape[1]);
          labels[1] = -100; // ignored by cross entropy's default
          oracle->input(c.name + ".labels", indices(labels));
        }
      }
      std::ostringstream line;
      line << c.kind << ' ' << c.name << ' ' << c.reduction << ' ' << c.p1
           << ' ' << c.p2;
      oracle->addCase(line.str());
    }
    oracle->run(kLossScript);
  }
  static void TearDownTestSuite() { oracle.reset(); }
  static std::unique_ptr<Oracle> oracle;
};
std::unique_ptr<Oracle> RuntimeKernelsBLosses::oracle;

TEST_F(RuntimeKernelsBLosses, MatchTorchFunctional) {
  REQUIRE_ORACLE(*oracle);
  for (const LossCase &c : lossCases()) {
    SCOPED_TRACE(c.name);
    const Tensor result = runLoss(c, *oracle);
    EXPECT_EQ(result.dtype(), c.dtype);
    expectClose(result, oracle->out(c.name), c.name);
  }
  EXPECT_TRUE(std::isnan(oracle->out("ce_all_ignored").at(0)));
}

TEST(RuntimeKernelsBLossesEdge, ReductionNamesAndBadClassIndex) {
  EXPECT_EQ(parseReduction("batchmean"), Reduction::BatchMean);
  EXPECT_EQ(parseReduction("none"), Reduction::None);
  EXPECT_FALSE(parseReduction("average").has_value());
  // PyTorch raises on a class index outside [0, C); the kernel gives NaN
  // there instead of reading out of bounds.
  std::mt19937 rng(9);
  Tensor loss = crossEntropy(uniform(rng, {3, 4}), indices({0, 7, -3}), 0.0,
                             -100, Reduction::None);
  EXPECT_FALSE(std::isnan(loss.at(0)));
  EXPECT_TRUE(std::isnan(loss.at(1)));
  EXPECT_TRUE(std::isnan(loss.at(2)));
  // Empty batch: the mean of nothing is NaN, the sum 0.
  Tensor none(DType::F32, {0, 4});
  EXPECT_TRUE(std::isnan(mseLoss(none, none, Reduction::Mean).at(0)));
  EXPECT_EQ(mseLoss(none, none, Reduction::Sum).at(0), 0.0);
}

//===----------------------------------------------------------------------===//
// random_normal: Philox bits vs NumPy, Box-Muller, determinism, statistics
//===----------------------------------------------------------------------===//

namespace {
const char *kRandomScript = R"PY(
for c in CASES:
    kind, name = c[0], c[1]
    key = np.array([int(c[2]), int(c[3])], dtype=np.uint64)
    if kind == 'raw':  # NumPy increments the counter before each block
        g = np.random.Philox(key=key, counter=(int(c[4]) - 1) % 2**256)
        w = g.random_raw(4)
        put(name, np.stack([w >> np.uint64(32), w & np.uint64(0xffffffff)], 1).astype(np.float64))
        continue
    n = int(c[4])
    g = np.random.Philox(key=key, counter=2**256 - 1)  # blocks 0, 1, ...
    w = g.random_raw(4 * ((n + 3) // 4))
    u = (w >> np.uint64(11)).astype(np.float64) * 2.0**-53
    if kind == 'uniform':
        low, high = float(c[5]), float(c[6])
        put(name, (low + (high - low) * u)[:n])
    else:  # Box-Muller on the word pairs (radius, angle)
        u = u.reshape(-1, 2, 2)
        r, th = np.sqrt(-2 * np.log(1 - u[..., 0])), 2 * np.pi * u[..., 1]
        put(name, np.stack([r * np.cos(th), r * np.sin(th)], -1).reshape(-1)[:n])
)PY";

struct RawCase {
  const char *name;
  uint64_t key0, key1, counter;
};
const RawCase kRawCases[] = {{"zero", 0, 0, 0},
                             {"mid", 12345, 7, 1000},
                             {"ones", ~0ull, ~0ull, 1ull << 40}};
} // namespace

class RuntimeKernelsBRandom : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    oracle = std::make_unique<Oracle>();
    for (const RawCase &c : kRawCases)
      oracle->addCase(std::string("raw ") + c.name + " " +
                      std::to_string(c.key0) + " " + std::to_string(c.key1) +
                      " " + std::to_string(c.counter));
    oracle->addCase("normal n42 42 0 1001");
    oracle->addCase("normal nbig 9223372036854775813 3 7");
    oracle->addCase("uniform u5 5 2 103 -0.25 0.75");
    oracle->run(kRandomScript, /*torch=*/false);
  }
  static void TearDownTestSuite() { oracle.reset(); }
  static std::unique_ptr<Oracle> oracle;
};
std::unique_ptr<Oracle> RuntimeKernelsBRandom::oracle;

TEST_F(RuntimeKernelsBRandom, PhiloxMatchesNumPy) {
  REQUIRE_ORACLE(*oracle);
  for (const RawCase &c : kRawCases) {
    SCOPED_TRACE(c.name);
    std::array<uint64_t, 4> w =
        philox4x64({c.counter, 0, 0, 0}, {c.key0, c.key1});
    Tensor got(DType::F64, {4, 2});
    for (int i = 0; i < 4; ++i) {
      got.set(2 * i, double(w[i] >> 32));
      got.set(2 * i + 1, double(w[i] & 0xffffffffull));
    }
    expectClose(got, oracle->out(c.name), c.name);
  }
}

TEST_F(RuntimeKernelsBRandom, NormalsMatchBoxMullerOfNumPyBits) {
  REQUIRE_ORACLE(*oracle);
  expectClose(randomNormal({7, 11, 13}, DType::F64, 42).reshaped({1001}),
              oracle->out("n42"), "seed 42");
  expectClose(randomNormal({7}, DType::F64, 9223372036854775813ull, 3),
              oracle->out("nbig"), "large seed, stream 3");
  // f32 is the same sample rounded.
  Tensor f = randomNormal({1001}, DType::F32, 42);
  for (int64_t i = 0; i < f.numel(); ++i)
    ASSERT_EQ(f.data<float>()[i], float(oracle->out("n42").at(i)));
}

TEST_F(RuntimeKernelsBRandom, UniformMatchesNumPyBits) {
  REQUIRE_ORACLE(*oracle);
  expectClose(randomUniform({103}, DType::F64, 5, 2, -0.25, 0.75),
              oracle->out("u5"), "uniform [-0.25, 0.75)");
  Tensor f = randomUniform({103}, DType::F32, 5, 2, -0.25, 0.75);
  for (int64_t i = 0; i < f.numel(); ++i)
    ASSERT_EQ(f.data<float>()[i], float(oracle->out("u5").at(i)));
}

TEST(RuntimeKernelsBRandomEdge, DeterministicAcrossThreadsAndStreams) {
  const int threads = numThreads();
  setNumThreads(1);
  Tensor one = randomNormal({50001}, DType::F32, 7);
  setNumThreads(4);
  Tensor four = randomNormal({50001}, DType::F32, 7);
  setNumThreads(threads);
  Tensor other = randomNormal({50001}, DType::F32, 7, 1);
  Tensor seed8 = randomNormal({50001}, DType::F32, 8);
  int64_t sameStream = 0, sameSeed = 0;
  for (int64_t i = 0; i < one.numel(); ++i) {
    ASSERT_EQ(one.data<float>()[i], four.data<float>()[i]);
    sameStream += one.data<float>()[i] == other.data<float>()[i];
    sameSeed += one.data<float>()[i] == seed8.data<float>()[i];
  }
  EXPECT_EQ(sameStream, 0);
  EXPECT_EQ(sameSeed, 0);
  // A prefix is the same whatever the total length (counter-based).
  Tensor shorter = randomNormal({2, 3}, DType::F32, 7);
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(shorter.data<float>()[i], one.data<float>()[i]);
  Tensor half = randomNormal({4}, DType::BF16, 7);
  EXPECT_EQ(half.dtype(), DType::BF16);
  EXPECT_NEAR(half.at(0), one.at(0), 0.02);
  EXPECT_EQ(randomNormal({0, 3}, DType::F32, 7).numel(), 0);
}

TEST(RuntimeKernelsBRandomEdge, StandardNormalStatistics) {
  // 200000 samples: the standard errors of the mean and variance are about
  // 0.0022 and 0.0032, and of P(|z| < 1) about 0.001.
  Tensor z = randomNormal({200000}, DType::F32, 123);
  double sum = 0, squares = 0, inside = 0;
  for (int64_t i = 0; i < z.numel(); ++i) {
    const double v = z.data<float>()[i];
    sum += v;
    squares += v * v;
    inside += std::fabs(v) < 1.0;
  }
  const double n = double(z.numel()), mean = sum / n;
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(squares / n - mean * mean, 1.0, 0.02);
  EXPECT_NEAR(inside / n, std::erf(1.0 / std::sqrt(2.0)), 0.005);
}
