//===- RuntimeOptimTest.cpp - Optimisers and schedules vs torch.optim -----===//
//
// Runs the same fixed-gradient training steps through nnc's optimisers and
// torch.optim (through the kernels' PyTorch oracle) and compares the
// parameters after every step within 1e-6 of their magnitude. Python helpers
// are defined once per oracle run by a setup case; each comparison case
// evaluates to how far nnc's values exceed that tolerance (0 when within), so
// a failure reading "0 vs X" means an error of (1 + X) times the tolerance.
//
//===----------------------------------------------------------------------===//
#include "runtime/optim/Optimizer.h"
#include "runtime/optim/Schedule.h"

#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace nnc::rt;
using namespace nnc::rt::optim;
using namespace nnc::rt::kernelstest;

namespace {

const char *const kHelpers = R"PY(
def excess(t, a):
    # How far |a - t| exceeds 1e-6 of t's magnitude, relative to that bound.
    t, a = t.double(), a.double()
    tol = 1e-6 * max(t.abs().max().item(), 1e-30)
    return ((a - t).abs() / tol - 1).clamp(min=0)
def traj(name, kw, ps, gs, groups, steps):
    ps = [p.clone().requires_grad_(True) for p in ps]
    pg = [dict(params=[ps[i] for i in idx], lr=lr, weight_decay=wd)
          for idx, lr, wd, fr in groups]
    o = getattr(torch.optim, name)(pg, **kw)
    frozen = set(i for idx, lr, wd, fr in groups if fr for i in idx)
    out = []
    for k in range(steps):
        for i, p in enumerate(ps):
            p.grad = None if i in frozen else gs[i][k].clone()
        o.step()
        out.append(torch.cat([p.detach().flatten() for p in ps]))
    return torch.stack(out)
def lrs(kind, n, base, *a):
    o = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
    L = torch.optim.lr_scheduler
    if kind == 'step': s = L.StepLR(o, a[0], a[1])
    elif kind == 'cosine': s = L.CosineAnnealingLR(o, a[0], a[1])
    elif kind == 'warmup':
        s = L.SequentialLR(o, [L.LinearLR(o, a[1], 1.0, a[0]),
                               L.CosineAnnealingLR(o, a[2], a[3])], [a[0]])
    else: s = L.LambdaLR(o, lambda e: 1.0)
    out = []
    for k in range(n):
        out.append(o.param_groups[0]['lr'])
        o.step()
        s.step()
    return torch.tensor(out, dtype=torch.float64)
def clipn(gs, max_norm, norm_type):
    ps = [torch.zeros_like(g).requires_grad_(True) for g in gs]
    for p, g in zip(ps, gs):
        p.grad = g.clone()
    n = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
    return torch.cat([n.reshape(1)] + [p.grad.flatten() for p in ps])
def clipv(gs, v):
    ps = [torch.zeros_like(g).requires_grad_(True) for g in gs]
    for p, g in zip(ps, gs):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_value_(ps, v)
    return torch.cat([p.grad.flatten() for p in ps])
)PY";

/// An oracle whose first case defines the helpers above.
struct OptimOracle : TorchOracle {
  OptimOracle() {
    expect(std::string("(exec(r'''") + kHelpers +
               "''', globals()), torch.zeros(1))[1]",
           Tensor(DType::F32, {1}));
  }
  /// Expects `actual` to match Python `expr` within 1e-6 of its magnitude.
  void expectClose(const std::string &expr, const Tensor &actual) {
    std::string a = in(actual);
    expect("excess(" + expr + ", " + a + ")",
           Tensor(actual.dtype(), actual.shape()));
  }
};

struct GroupSpec {
  std::vector<int> params;
  double lr, weightDecay;
  bool frozen;
};

/// Three groups: two trainable with different settings, one frozen.
std::vector<GroupSpec> standardGroups(double lr0, double lr1, double wd) {
  return {
      {{0, 1}, lr0, 0.0, false}, {{2}, lr1, wd, false}, {{3}, lr0, wd, true}};
}

std::string pyGroups(const std::vector<GroupSpec> &groups) {
  std::string s = "[";
  for (const GroupSpec &g : groups) {
    s += "([";
    for (int i : g.params)
      s += std::to_string(i) + ",";
    s += "], " + std::to_string(g.lr) + ", " + std::to_string(g.weightDecay) +
         ", " + pyBool(g.frozen) + "),";
  }
  return s + "]";
}

/// Parameters and per-step gradients ([steps, *shape]) of a small model whose
/// sizes exercise both vector bodies and scalar tails of the update loops.
struct Problem {
  std::vector<Shape> shapes{{3, 5}, {37}, {2, 3, 4}, {4}};
  std::vector<Tensor> params, grads;
  int64_t steps;

  explicit Problem(int64_t steps) : steps(steps) {
    for (size_t i = 0; i < shapes.size(); ++i) {
      params.push_back(uniform(shapes[i], 100 + i));
      Shape gs = shapes[i];
      gs.insert(gs.begin(), steps);
      grads.push_back(uniform(gs, 200 + i));
    }
  }
  static std::string name(size_t i) { return "p" + std::to_string(i); }

  /// The gradients of step k by parameter name.
  std::map<std::string, Tensor> gradsAt(int64_t k) const {
    std::map<std::string, Tensor> m;
    for (size_t i = 0; i < shapes.size(); ++i) {
      Tensor g(DType::F32, shapes[i]);
      std::memcpy(g.raw(), grads[i].data<float>() + k * g.numel(), g.bytes());
      m[name(i)] = g;
    }
    return m;
  }

  /// Fresh copies of the initial parameters, in groups, in an optimiser.
  Optimizer build(const OptimizerOptions &opts,
                  const std::vector<GroupSpec> &groups,
                  std::vector<Tensor> &copies) const {
    copies.clear();
    for (const Tensor &p : params)
      copies.push_back(p.clone());
    Optimizer o(opts);
    std::string error;
    EXPECT_TRUE(Optimizer::validate(opts, error)) << error;
    for (const GroupSpec &g : groups) {
      NamedTensors named;
      for (int i : g.params)
        named.push_back({name(i), copies[i]});
      EXPECT_TRUE(o.addGroup(named, {g.lr, g.weightDecay, g.frozen}, error))
          << error;
    }
    return o;
  }

  /// All parameters, flattened, after each of `steps` steps: [steps, total].
  Tensor trajectory(const OptimizerOptions &opts,
                    const std::vector<GroupSpec> &groups) const {
    std::vector<Tensor> copies;
    Optimizer o = build(opts, groups, copies);
    int64_t total = 0;
    for (const Tensor &p : params)
      total += p.numel();
    Tensor out(DType::F32, {steps, total});
    float *dst = out.data<float>();
    for (int64_t k = 0; k < steps; ++k) {
      std::string error;
      EXPECT_TRUE(o.step(gradsAt(k), error)) << error;
      for (const Tensor &p : copies) {
        std::memcpy(dst, p.raw(), p.bytes());
        dst += p.numel();
      }
    }
    return out;
  }

  std::string pyTrajectory(TorchOracle &oracle, const std::string &optName,
                           const std::string &kwargs,
                           const std::vector<GroupSpec> &groups) const {
    std::vector<std::string> ps, gs;
    for (const Tensor &p : params)
      ps.push_back(oracle.in(p));
    for (const Tensor &g : grads)
      gs.push_back(oracle.in(g));
    return call("traj",
                {"'" + optName + "'", kwargs, call("", ps), call("", gs),
                 pyGroups(groups), std::to_string(steps)});
  }
};

struct OptimCase {
  std::string torchName, kwargs;
  OptimizerOptions opts;
  double weightDecay;
};

std::vector<OptimCase> optimCases() {
  OptimizerOptions sgd, momentum, nesterov, adam, amsgrad, adamw;
  momentum.momentum = 0.9;
  momentum.dampening = 0.1;
  nesterov.momentum = 0.8;
  nesterov.nesterov = true;
  adam.kind = amsgrad.kind = OptimizerKind::Adam;
  adam.beta1 = amsgrad.beta1 = 0.8;
  adam.beta2 = amsgrad.beta2 = 0.99;
  amsgrad.amsgrad = true;
  adamw.kind = OptimizerKind::AdamW;
  return {
      {"SGD", "dict(lr=0.1)", sgd, 0},
      {"SGD", "dict(lr=0.1, momentum=0.9, dampening=0.1)", momentum, 0.05},
      {"SGD", "dict(lr=0.1, momentum=0.8, nesterov=True)", nesterov, 0.05},
      {"Adam", "dict(lr=0.1, betas=(0.8, 0.99))", adam, 0.02},
      {"Adam", "dict(lr=0.1, betas=(0.8, 0.99), amsgrad=True)", amsgrad, 0.02},
      {"AdamW", "dict(lr=0.1)", adamw, 0.1},
  };
}

TEST(RuntimeOptimTorch, StepsMatchTorchOptim) {
  REQUIRE_TORCH();
  Problem problem(8);
  OptimOracle oracle;
  for (const OptimCase &c : optimCases()) {
    auto groups = standardGroups(0.1, 0.03, c.weightDecay);
    Tensor ours = problem.trajectory(c.opts, groups);
    oracle.expectClose(
        problem.pyTrajectory(oracle, c.torchName, c.kwargs, groups), ours);
  }
  oracle.check();
}

TEST(RuntimeOptimGroups, FrozenGroupIsUntouched) {
  Problem problem(3);
  std::vector<Tensor> copies;
  OptimizerOptions adam;
  adam.kind = OptimizerKind::Adam;
  Optimizer o = problem.build(adam, standardGroups(0.1, 0.1, 0.1), copies);
  std::string error;
  for (int64_t k = 0; k < 3; ++k)
    ASSERT_TRUE(o.step(problem.gradsAt(k), error)) << error;
  EXPECT_EQ(
      std::memcmp(copies[3].raw(), problem.params[3].raw(), copies[3].bytes()),
      0);
  EXPECT_NE(
      std::memcmp(copies[2].raw(), problem.params[2].raw(), copies[2].bytes()),
      0);
}

TEST(RuntimeOptimTorch, ClippingMatchesTorch) {
  REQUIRE_TORCH();
  std::vector<Tensor> grads{uniform({5, 7}, 1, -2, 2), uniform({33}, 2, -2, 2)};
  OptimOracle oracle;
  auto flat = [](const std::vector<Tensor> &gs, float norm, bool withNorm) {
    int64_t n = withNorm;
    for (const Tensor &g : gs)
      n += g.numel();
    Tensor out(DType::F32, {n});
    float *dst = out.data<float>();
    if (withNorm)
      *dst++ = norm;
    for (const Tensor &g : gs) {
      std::memcpy(dst, g.raw(), g.bytes());
      dst += g.numel();
    }
    return out;
  };
  const double inf = std::numeric_limits<double>::infinity();
  // Clipping that scales, one that does not, the max norm and a 3-norm.
  for (auto [maxNorm, normType] : std::vector<std::pair<double, double>>{
           {1.5, 2}, {1e3, 2}, {0.5, inf}, {2.0, 3}}) {
    std::vector<Tensor> ours{grads[0].clone(), grads[1].clone()};
    float total = clipGradNorm(ours, maxNorm, normType);
    std::string py =
        std::isinf(normType) ? "float('inf')" : std::to_string(normType);
    oracle.expectClose(
        call("clipn", {call("", {oracle.in(grads[0]), oracle.in(grads[1])}),
                       std::to_string(maxNorm), py}),
        flat(ours, total, true));
  }
  std::vector<Tensor> ours{grads[0].clone(), grads[1].clone()};
  clipGradValue(ours, 0.75f);
  oracle.expectClose(
      call("clipv",
           {call("", {oracle.in(grads[0]), oracle.in(grads[1])}), "0.75"}),
      flat(ours, 0, false));
  oracle.check();
}

TEST(RuntimeOptimTorch, L1PenaltyAddsSign) {
  REQUIRE_TORCH();
  Tensor w = uniform({41}, 3);
  w.set(5, 0.0); // sign(0) = 0
  Tensor g = uniform({41}, 4);
  Tensor ours = g.clone();
  addL1Penalty(ours, w, 0.25f);
  OptimOracle oracle;
  oracle.expectClose(
      oracle.in(g) + " + 0.25 * torch.sign(" + oracle.in(w) + ")", ours);
  oracle.check();
}

TEST(RuntimeOptimTorch, SchedulesMatchLrScheduler) {
  REQUIRE_TORCH();
  const int n = 20;
  const double base = 0.1;
  struct Case {
    Schedule schedule;
    std::string py;
  } cases[] = {
      {Schedule::constant(), "'constant'"},
      {Schedule::step(3, 0.5), "'step', 3, 0.5"},
      {Schedule::cosine(7, 0.001), "'cosine', 7, 0.001"},
      {Schedule::warmupCosine(4, 0.1, 10, 0.001),
       "'warmup', 4, 0.1, 10, 0.001"},
  };
  OptimOracle oracle;
  for (const Case &c : cases) {
    std::string error;
    ASSERT_TRUE(c.schedule.validate(error)) << error;
    Tensor ours(DType::F64, {n});
    for (int t = 0; t < n; ++t)
      ours.data<double>()[t] = c.schedule.lr(base, t);
    std::string head = c.py.substr(0, c.py.find(','));
    std::string rest =
        c.py.size() > head.size() ? c.py.substr(head.size()) : std::string();
    oracle.expectClose("lrs(" + head + ", " + std::to_string(n) + ", " +
                           std::to_string(base) + rest + ")",
                       ours);
  }
  oracle.check();
}

TEST(RuntimeOptimState, ResumeIsBitIdentical) {
  const int64_t total = 8, split = 3;
  Problem problem(total);
  for (const OptimCase &c : optimCases()) {
    auto groups = standardGroups(0.1, 0.03, c.weightDecay);
    std::vector<Tensor> straight, first, resumed;
    Optimizer a = problem.build(c.opts, groups, straight);
    Optimizer b = problem.build(c.opts, groups, first);
    std::string error;
    for (int64_t k = 0; k < total; ++k)
      ASSERT_TRUE(a.step(problem.gradsAt(k), error)) << error;
    for (int64_t k = 0; k < split; ++k)
      ASSERT_TRUE(b.step(problem.gradsAt(k), error)) << error;
    // A fresh optimiser over copies of the interrupted run's weights.
    NamedTensors saved = b.state();
    Optimizer c2 = problem.build(c.opts, groups, resumed);
    for (size_t i = 0; i < first.size(); ++i)
      std::memcpy(resumed[i].raw(), first[i].raw(), first[i].bytes());
    ASSERT_TRUE(c2.loadState(saved, error)) << c.kwargs << ": " << error;
    EXPECT_EQ(c2.steps(), split);
    for (int64_t k = split; k < total; ++k)
      ASSERT_TRUE(c2.step(problem.gradsAt(k), error)) << error;
    for (size_t i = 0; i < straight.size(); ++i)
      EXPECT_EQ(
          std::memcmp(straight[i].raw(), resumed[i].raw(), straight[i].bytes()),
          0)
          << c.torchName << " " << c.kwargs << ": parameter " << i;
    NamedTensors end = a.state(), endResumed = c2.state();
    ASSERT_EQ(end.size(), endResumed.size());
    for (size_t i = 0; i < end.size(); ++i) {
      EXPECT_EQ(end[i].first, endResumed[i].first);
      EXPECT_EQ(std::memcmp(end[i].second.raw(), endResumed[i].second.raw(),
                            end[i].second.bytes()),
                0)
          << end[i].first;
    }
  }
}

TEST(RuntimeOptimState, StateNamesTensors) {
  Problem problem(1);
  std::vector<Tensor> copies;
  OptimizerOptions amsgrad;
  amsgrad.kind = OptimizerKind::Adam;
  amsgrad.amsgrad = true;
  Optimizer o = problem.build(amsgrad, standardGroups(0.1, 0.1, 0), copies);
  std::vector<std::string> names;
  for (const auto &[name, t] : o.state())
    names.push_back(name + ":" + t.typeString());
  // The frozen p3 has no state.
  std::vector<std::string> expected{"step:i64[]"};
  for (int i = 0; i < 3; ++i) {
    std::string p = Problem::name(i), type = problem.params[i].typeString();
    expected.push_back(p + "/step:i64[]");
    for (const char *s : {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"})
      expected.push_back(p + "/" + s + ":" + type);
  }
  EXPECT_EQ(names, expected);
}

TEST(RuntimeOptimState, LoadRefusesMismatchedState) {
  Problem problem(2);
  OptimizerOptions momentum;
  momentum.momentum = 0.9;
  std::vector<Tensor> copies;
  Optimizer o = problem.build(momentum, standardGroups(0.1, 0.1, 0), copies);
  std::string error;
  ASSERT_TRUE(o.step(problem.gradsAt(0), error)) << error;
  const NamedTensors good = o.state();
  auto refuse = [&](NamedTensors bad, const std::string &message) {
    std::vector<Tensor> freshCopies;
    Optimizer fresh =
        problem.build(momentum, standardGroups(0.1, 0.1, 0), freshCopies);
    std::string err;
    EXPECT_FALSE(fresh.loadState(bad, err));
    EXPECT_NE(err.find(message), std::string::npos) << err;
    // Nothing was loaded.
    EXPECT_EQ(fresh.steps(), 0);
  };
  NamedTensors missing = good;
  missing.erase(missing.begin() + 2);
  refuse(missing, "missing tensor '" + good[2].first + "'");
  NamedTensors wrongShape = good;
  wrongShape[2].second = Tensor(DType::F32, {2});
  refuse(wrongShape, "'" + good[2].first + "' is f32[2], expected f32[3, 5]");
  NamedTensors extra = good;
  extra.push_back({"p9/momentum_buffer", Tensor(DType::F32, {1})});
  refuse(extra, "unexpected tensor 'p9/momentum_buffer'");
  NamedTensors twice = good;
  twice.push_back(good[1]);
  refuse(twice, "'" + good[1].first + "' appears twice");
  // Adam state does not load into SGD with momentum.
  OptimizerOptions adam;
  adam.kind = OptimizerKind::Adam;
  std::vector<Tensor> adamCopies;
  Optimizer a = problem.build(adam, standardGroups(0.1, 0.1, 0), adamCopies);
  refuse(a.state(), "missing tensor 'p0/momentum_buffer'");
}

TEST(RuntimeOptimErrors, StepChecksGradientsFirst) {
  Problem problem(1);
  std::vector<Tensor> copies;
  Optimizer o = problem.build({}, standardGroups(0.1, 0.1, 0), copies);
  auto grads = problem.gradsAt(0);
  grads.erase("p2");
  std::string error;
  EXPECT_FALSE(o.step(grads, error));
  EXPECT_EQ(error, "no gradient for parameter 'p2'");
  grads = problem.gradsAt(0);
  grads["p1"] = Tensor(DType::F32, {36});
  EXPECT_FALSE(o.step(grads, error));
  EXPECT_EQ(error, "gradient of parameter 'p1' is f32[36], expected f32[37]");
  for (size_t i = 0; i < copies.size(); ++i)
    EXPECT_EQ(std::memcmp(copies[i].raw(), problem.params[i].raw(),
                          copies[i].bytes()),
              0);
  EXPECT_EQ(o.steps(), 0);
  // The frozen group needs no gradient.
  grads = problem.gradsAt(0);
  grads.erase("p3");
  EXPECT_TRUE(o.step(grads, error)) << error;
}

TEST(RuntimeOptimErrors, RejectsBadGroupsAndOptions) {
  Optimizer o(OptimizerOptions{});
  std::string error;
  Tensor w(DType::F32, {2});
  ASSERT_TRUE(o.addGroup({{"w", w}}, {0.1, 0, false}, error)) << error;
  EXPECT_FALSE(o.addGroup({{"w", w}}, {0.1, 0, false}, error));
  EXPECT_EQ(error, "parameter 'w' appears in more than one group");
  EXPECT_FALSE(o.addGroup({{"i", Tensor(DType::I32, {2})}}, {}, error));
  EXPECT_EQ(error, "parameter 'i' is not a float32 tensor");
  EXPECT_FALSE(o.addGroup({}, {-1, 0, false}, error));
  EXPECT_NE(error.find("must be >= 0"), std::string::npos) << error;
  OptimizerOptions bad;
  bad.nesterov = true;
  EXPECT_FALSE(Optimizer::validate(bad, error));
  EXPECT_NE(error.find("Nesterov"), std::string::npos) << error;
  bad = {};
  bad.kind = OptimizerKind::Adam;
  bad.beta2 = 1;
  EXPECT_FALSE(Optimizer::validate(bad, error));
  EXPECT_NE(error.find("beta2"), std::string::npos) << error;
  EXPECT_FALSE(Schedule::step(0, 0.5).validate(error));
  EXPECT_NE(error.find("step size"), std::string::npos) << error;
  EXPECT_FALSE(Schedule::warmupCosine(2, 1.5, 4, 0).validate(error));
  EXPECT_NE(error.find("start factor"), std::string::npos) << error;
  EXPECT_FALSE(Schedule::cosine(0, 0).validate(error));
  EXPECT_NE(error.find("period"), std::string::npos) << error;
}

TEST(RuntimeOptimSchedule, ApplyScalesEachGroupsBaseRate) {
  Optimizer o(OptimizerOptions{});
  std::string error;
  Tensor a(DType::F32, {1}), b(DType::F32, {1});
  ASSERT_TRUE(o.addGroup({{"a", a}}, {0.1, 0, false}, error)) << error;
  ASSERT_TRUE(o.addGroup({{"b", b}}, {0.01, 0, true}, error)) << error;
  Schedule s = Schedule::step(2, 0.5);
  applySchedule(o, s, 5);
  EXPECT_EQ(o.group(0).lr, s.lr(0.1, 5));
  EXPECT_EQ(o.group(1).lr, s.lr(0.01, 5));
  EXPECT_EQ(o.baseLr(1), 0.01);
  // Unfreezing creates state for the group.
  o.setFrozen(1, false);
  EXPECT_EQ(o.state().size(), 3u);
}

TEST(RuntimeOptimState, FrozenStateIsOptional) {
  Problem problem(2);
  OptimizerOptions adam;
  adam.kind = OptimizerKind::Adam;
  std::vector<Tensor> copies, freshCopies;
  // Train everything, then freeze the last group: its state is kept.
  auto groups = standardGroups(0.1, 0.1, 0);
  groups[2].frozen = false;
  Optimizer trained = problem.build(adam, groups, copies);
  std::string error;
  ASSERT_TRUE(trained.step(problem.gradsAt(0), error)) << error;
  trained.setFrozen(2, true);
  NamedTensors saved = trained.state();
  ASSERT_EQ(saved.size(), 1u + 4 * 3);
  // A fresh optimiser with that group frozen takes the state with or without
  // the frozen parameter's part, and saves what it loaded.
  Optimizer fresh =
      problem.build(adam, standardGroups(0.1, 0.1, 0), freshCopies);
  EXPECT_EQ(fresh.state().size(), 1u + 3 * 3);
  ASSERT_TRUE(fresh.loadState(saved, error)) << error;
  EXPECT_EQ(fresh.state().size(), saved.size());
  NamedTensors withoutFrozen;
  for (const auto &entry : saved)
    if (entry.first.rfind("p3/", 0) != 0)
      withoutFrozen.push_back(entry);
  ASSERT_TRUE(fresh.loadState(withoutFrozen, error)) << error;
  EXPECT_EQ(fresh.state().size(), withoutFrozen.size());
  // Unfrozen, the parameter's state is required again.
  fresh.setFrozen(2, false);
  EXPECT_FALSE(fresh.loadState(withoutFrozen, error));
  EXPECT_EQ(error, "optimiser state: missing tensor 'p3/step'");
}

TEST(RuntimeOptimTorch, LargeParametersMatchTorch) {
  REQUIRE_TORCH();
  // Big enough for the threaded update path.
  const int64_t n = 131075, steps = 3;
  Tensor w = uniform({n}, 7), g = uniform({steps, n}, 8);
  OptimOracle oracle;
  for (const OptimCase &c : optimCases()) {
    if (c.kwargs.find("momentum") == std::string::npos &&
        c.torchName != "AdamW")
      continue;
    Tensor ours = w.clone();
    Optimizer o(c.opts);
    std::string error;
    ASSERT_TRUE(o.addGroup({{"w", ours}}, {0.1, c.weightDecay, false}, error))
        << error;
    for (int64_t k = 0; k < steps; ++k) {
      Tensor gk(DType::F32, {n});
      std::memcpy(gk.raw(), g.data<float>() + k * n, gk.bytes());
      ASSERT_TRUE(o.step({{"w", gk}}, error)) << error;
    }
    std::string groups =
        "[([0], 0.1, " + std::to_string(c.weightDecay) + ", False)]";
    oracle.expectClose(
        call("traj",
             {"'" + c.torchName + "'", c.kwargs, "[" + oracle.in(w) + "]",
              "[" + oracle.in(g) + "]", groups, std::to_string(steps)}) +
            "[-1]",
        ours);
  }
  oracle.check();
}

} // namespace
