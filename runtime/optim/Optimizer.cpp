//===- Optimizer.cpp - SGD, Adam and AdamW over parameter groups ----------===//
//
// The update loops reproduce torch.optim's single-tensor path operation by
// operation: hyperparameters are rounded to float where PyTorch passes them
// as tensor scalars, Python-side scalar maths (bias corrections) stays in
// double, and each in-place op is one rounding step, so results agree to a
// few ulps.
//
//===----------------------------------------------------------------------===//
#include "runtime/optim/Optimizer.h"

#include "runtime/ThreadPool.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace nnc::rt::optim {
namespace {

/// Below this many elements a parameter is updated on the calling thread;
/// the update is memory-bound, so only large tensors gain from threads.
constexpr int64_t kParallelGrain = 1 << 16;

template <typename Fn> void forChunks(int64_t n, Fn fn) {
  if (n < 2 * kParallelGrain) {
    fn(int64_t(0), n);
    return;
  }
  parallelFor(0, n, kParallelGrain, [&](int64_t b, int64_t e) { fn(b, e); });
}

Tensor i64Scalar(int64_t v) {
  Tensor t(DType::I64, {});
  *t.data<int64_t>() = v;
  return t;
}

} // namespace

bool Optimizer::validate(const OptimizerOptions &o, std::string &error) {
  auto fail = [&](const std::string &msg) {
    error = "invalid optimiser options: " + msg;
    return false;
  };
  if (!(o.momentum >= 0))
    return fail("momentum must be >= 0");
  if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
    return fail("Nesterov momentum requires momentum > 0 and zero dampening");
  if (!(o.beta1 >= 0 && o.beta1 < 1))
    return fail("beta1 must be in [0, 1)");
  if (!(o.beta2 >= 0 && o.beta2 < 1))
    return fail("beta2 must be in [0, 1)");
  if (!(o.eps >= 0))
    return fail("eps must be >= 0");
  return true;
}

std::vector<std::pair<const char *, Tensor Optimizer::Param::*>>
Optimizer::bufferFields() const {
  std::vector<std::pair<const char *, Tensor Param::*>> f;
  if (opts.kind == OptimizerKind::SGD) {
    if (opts.momentum != 0)
      f.push_back({"momentum_buffer", &Param::momentum});
    return f;
  }
  f.push_back({"exp_avg", &Param::expAvg});
  f.push_back({"exp_avg_sq", &Param::expAvgSq});
  if (opts.amsgrad)
    f.push_back({"max_exp_avg_sq", &Param::maxExpAvgSq});
  return f;
}

void Optimizer::allocateState(Param &p) const {
  for (auto &[suffix, field] : bufferFields()) {
    (void)suffix;
    if (!(p.*field).defined())
      p.*field = Tensor(DType::F32, p.value.shape());
  }
}

bool Optimizer::addGroup(const NamedTensors &params,
                         const GroupOptions &options, std::string &error,
                         size_t *index) {
  if (!(options.lr >= 0) || !(options.weightDecay >= 0)) {
    error = "parameter group " + std::to_string(groups.size()) +
            ": learning rate and weight decay must be >= 0";
    return false;
  }
  std::set<std::string> seen;
  for (const Group &g : groups)
    for (const Param &p : g.params)
      seen.insert(p.name);
  for (const auto &[name, t] : params) {
    if (!t.defined() || t.dtype() != DType::F32) {
      error = "parameter '" + name + "' is not a float32 tensor";
      return false;
    }
    if (!seen.insert(name).second) {
      error = "parameter '" + name + "' appears in more than one group";
      return false;
    }
  }
  Group g{options, options.lr, {}};
  for (const auto &[name, t] : params) {
    g.params.push_back(Param{name, t, 0, {}, {}, {}, {}});
    if (!options.frozen)
      allocateState(g.params.back());
  }
  if (index)
    *index = groups.size();
  groups.push_back(std::move(g));
  return true;
}

void Optimizer::setFrozen(size_t g, bool frozen) {
  groups[g].options.frozen = frozen;
  if (!frozen)
    for (Param &p : groups[g].params)
      allocateState(p);
}

bool Optimizer::step(const std::map<std::string, Tensor> &grads,
                     std::string &error) {
  // Check every gradient first so a bad call leaves all parameters as they
  // were.
  for (const Group &g : groups) {
    if (g.options.frozen)
      continue;
    for (const Param &p : g.params) {
      auto it = grads.find(p.name);
      if (it == grads.end()) {
        error = "no gradient for parameter '" + p.name + "'";
        return false;
      }
      if (it->second.dtype() != DType::F32 ||
          it->second.shape() != p.value.shape()) {
        error = "gradient of parameter '" + p.name + "' is " +
                it->second.typeString() + ", expected " + p.value.typeString();
        return false;
      }
    }
  }
  for (Group &g : groups) {
    if (g.options.frozen)
      continue;
    for (Param &p : g.params) {
      const float *grad = grads.at(p.name).data<float>();
      if (opts.kind == OptimizerKind::SGD)
        updateSGD(p, grad, g.options);
      else
        updateAdam(p, grad, g.options);
    }
  }
  ++numSteps;
  return true;
}

void Optimizer::updateSGD(Param &p, const float *grad, const GroupOptions &g) {
  const float wd = float(g.weightDecay), mom = float(opts.momentum);
  const float keep = float(1 - opts.dampening), negLr = float(-g.lr);
  const bool useMomentum = opts.momentum != 0, first = p.step == 0;
  const bool nesterov = opts.nesterov;
  float *w = p.value.data<float>();
  float *buf = useMomentum ? p.momentum.data<float>() : nullptr;
  forChunks(p.value.numel(), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      float d = wd != 0 ? grad[i] + wd * w[i] : grad[i];
      if (useMomentum) {
        // torch starts the buffer as a copy of the first gradient.
        float m = first ? d : buf[i] * mom;
        if (!first)
          m = m + keep * d;
        buf[i] = m;
        d = nesterov ? d + mom * m : m;
      }
      w[i] = w[i] + negLr * d;
    }
  });
  ++p.step;
}

void Optimizer::updateAdam(Param &p, const float *grad, const GroupOptions &g) {
  ++p.step;
  const bool decoupled = opts.kind == OptimizerKind::AdamW;
  const float wd = float(g.weightDecay);
  const float decay = float(1 - g.lr * g.weightDecay);
  const float b1 = float(opts.beta1), b2 = float(opts.beta2);
  const float ob1 = float(1 - opts.beta1), ob2 = float(1 - opts.beta2);
  // Python scalars in torch: computed in double, rounded when applied.
  const double bc1 = 1 - std::pow(opts.beta1, double(p.step));
  const double bc2 = 1 - std::pow(opts.beta2, double(p.step));
  const float negStep = float(-(g.lr / bc1));
  const float bc2Sqrt = float(std::sqrt(bc2));
  const float eps = float(opts.eps);
  const bool amsgrad = opts.amsgrad;
  float *w = p.value.data<float>();
  float *m = p.expAvg.data<float>(), *v = p.expAvgSq.data<float>();
  float *vMax = amsgrad ? p.maxExpAvgSq.data<float>() : nullptr;
  forChunks(p.value.numel(), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      float gi = grad[i];
      float wi = w[i];
      if (decoupled)
        wi = wi * decay;
      else if (wd != 0)
        gi = gi + wd * wi;
      float mi = m[i] * b1;
      mi = mi + ob1 * gi;
      float vi = v[i] * b2;
      vi = vi + ob2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      if (amsgrad) {
        vi = std::max(vMax[i], vi);
        vMax[i] = vi;
      }
      float denom = std::sqrt(vi) / bc2Sqrt + eps;
      w[i] = wi + negStep * mi / denom;
    }
  });
}

bool Optimizer::Param::hasState() const {
  return step > 0 || momentum.defined() || expAvg.defined();
}

NamedTensors Optimizer::state() const {
  NamedTensors out;
  out.push_back({"step", i64Scalar(numSteps)});
  auto fields = bufferFields();
  for (const Group &g : groups)
    for (const Param &p : g.params) {
      // A frozen parameter that never trained has nothing to save.
      if (g.options.frozen && !p.hasState())
        continue;
      out.push_back({p.name + "/step", i64Scalar(p.step)});
      for (auto &[suffix, field] : fields)
        out.push_back({p.name + "/" + suffix, (p.*field).clone()});
    }
  return out;
}

bool Optimizer::loadState(const NamedTensors &saved, std::string &error) {
  std::map<std::string, const Tensor *> byName;
  for (const auto &[name, t] : saved)
    if (!byName.emplace(name, &t).second) {
      error = "optimiser state: tensor '" + name + "' appears twice";
      return false;
    }
  // Validate everything before changing anything. `consumed` ends up with
  // every name this optimiser reads; anything else in `saved` is unexpected.
  std::set<std::string> consumed;
  auto check = [&](const std::string &name, DType dtype, const Shape &shape) {
    auto it = byName.find(name);
    if (it == byName.end()) {
      error = "optimiser state: missing tensor '" + name + "'";
      return false;
    }
    const Tensor &got = *it->second;
    if (!got.defined() || got.dtype() != dtype || got.shape() != shape) {
      error = "optimiser state: tensor '" + name + "' is " +
              (got.defined() ? got.typeString() : std::string("undefined")) +
              ", expected " + dtypeName(dtype) + shapeString(shape);
      return false;
    }
    if (dtype == DType::I64 && *got.data<int64_t>() < 0) {
      error = "optimiser state: step count '" + name + "' is negative";
      return false;
    }
    consumed.insert(name);
    return true;
  };
  if (!check("step", DType::I64, {}))
    return false;
  auto fields = bufferFields();
  for (const Group &g : groups)
    for (const Param &p : g.params) {
      // Frozen parameters may or may not have state (see state()).
      if (g.options.frozen && !byName.count(p.name + "/step"))
        continue;
      if (!check(p.name + "/step", DType::I64, {}))
        return false;
      for (auto &[suffix, field] : fields)
        if (!check(p.name + "/" + suffix, DType::F32, p.value.shape()))
          return false;
    }
  for (const auto &[name, t] : saved)
    if (!consumed.count(name)) {
      error = "optimiser state: unexpected tensor '" + name +
              "' (different parameters or optimiser?)";
      return false;
    }
  numSteps = *byName.at("step")->data<int64_t>();
  for (Group &g : groups)
    for (Param &p : g.params) {
      auto it = byName.find(p.name + "/step");
      if (it == byName.end()) {
        p = Param{p.name, p.value, 0, {}, {}, {}, {}};
        continue;
      }
      p.step = *it->second->data<int64_t>();
      allocateState(p);
      for (auto &[suffix, field] : fields) {
        const Tensor &from = *byName.at(p.name + "/" + suffix);
        std::copy_n(from.data<float>(), from.numel(), (p.*field).data<float>());
      }
    }
  return true;
}

void addL1Penalty(Tensor &grad, const Tensor &param, float lambda) {
  float *g = grad.data<float>();
  const float *w = param.data<float>();
  const int64_t n = grad.numel();
  for (int64_t i = 0; i < n; ++i) {
    float s = float(w[i] > 0) - float(w[i] < 0);
    g[i] += lambda * s;
  }
}

float clipGradNorm(std::vector<Tensor> &grads, double maxNorm,
                   double normType) {
  const bool inf = std::isinf(normType);
  // torch reduces each tensor to its norm, then takes the norm of those.
  std::vector<float> norms;
  for (const Tensor &t : grads) {
    const float *g = t.data<float>();
    const int64_t n = t.numel();
    double acc = 0;
    if (inf) {
      for (int64_t i = 0; i < n; ++i)
        acc = std::max(acc, double(std::fabs(g[i])));
      norms.push_back(float(acc));
    } else if (normType == 2) {
      for (int64_t i = 0; i < n; ++i)
        acc += double(g[i]) * g[i];
      norms.push_back(float(std::sqrt(acc)));
    } else {
      for (int64_t i = 0; i < n; ++i)
        acc += std::pow(std::fabs(double(g[i])), normType);
      norms.push_back(float(std::pow(acc, 1 / normType)));
    }
  }
  double total = 0;
  for (float v : norms)
    total = inf ? std::max(total, double(v))
                : total + std::pow(double(v), normType);
  float totalNorm = float(inf ? total : std::pow(total, 1 / normType));
  float coef = float(maxNorm) / (totalNorm + 1e-6f);
  if (coef < 1)
    for (Tensor &t : grads) {
      float *g = t.data<float>();
      const int64_t n = t.numel();
      for (int64_t i = 0; i < n; ++i)
        g[i] *= coef;
    }
  return totalNorm;
}

void clipGradValue(std::vector<Tensor> &grads, float clip) {
  for (Tensor &t : grads) {
    float *g = t.data<float>();
    const int64_t n = t.numel();
    for (int64_t i = 0; i < n; ++i)
      g[i] = std::min(std::max(g[i], -clip), clip);
  }
}

} // namespace nnc::rt::optim
