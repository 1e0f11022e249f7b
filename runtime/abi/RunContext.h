//===- RunContext.h - Per-run state shared by kernel calls -------*- C++
//-*-===//
//
// What a kernel needs beyond its operands and attributes: the run's seed and
// whether stochastic ops sample (MC dropout), the counter that gives each
// stochastic evaluation a fresh seed, the first error of the run, and the
// hooks through which a training step's side effects leave the run
// (nn.optimizer_step's gradients, nn.assign's new buffer values).
// The reference executor owns one per run; compiled code uses the calling
// thread's current context (ScopedRunContext installs one, otherwise a
// per-thread default is used), which nnc_kernel_call records errors in.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_ABI_RUNCONTEXT_H
#define NNC_RUNTIME_ABI_RUNCONTEXT_H

#include "runtime/Tensor.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nnc::rt::abi {

class RunContext {
public:
  /// Receives the gradients of nn.optimizer_step (parameter names and
  /// gradients, in the op's order; the handler may modify the gradients,
  /// e.g. clip them); returns false with a reason to fail the run.
  using GradientHandler =
      std::function<bool(const std::vector<std::string> &names,
                         std::vector<Tensor> &grads, std::string &why)>;
  /// Rebinds buffer `name` (running statistics) to `value` for later runs
  /// (nn.assign); returns false with a reason to fail the run. `value` may
  /// view memory the caller reuses: a hook that keeps it must copy it.
  using AssignHook = std::function<bool(const std::string &name,
                                        const Tensor &value, std::string &why)>;

  explicit RunContext(uint64_t seed = 0, bool stochastic = false)
      : seed(seed), stochastic(stochastic) {}

  /// Starts a new run: clears the error and the stochastic-call counter.
  /// The hooks stay: they belong to whoever runs the code, not to one run.
  void reset(uint64_t newSeed, bool newStochastic) {
    seed = newSeed;
    stochastic = newStochastic;
    stochasticCalls = 0;
    firstError.clear();
    hasError = false;
  }

  uint64_t getSeed() const { return seed; }
  /// Dropout samples masks (MC dropout) instead of being the identity.
  bool isStochastic() const { return stochastic; }

  /// A fresh seed for each stochastic op evaluation in this run.
  uint64_t nextSeed() {
    return seed * 0x9E3779B97F4A7C15ull + ++stochasticCalls;
  }
  /// The seed of stochastic op `k` of this run (a pure function, so an op
  /// and its gradient op draw the same masks).
  uint64_t opSeed(uint64_t k) const {
    return seed * 0xBF58476D1CE4E5B9ull + (k + 1) * 0x94D049BB133111EBull;
  }

  bool failed() const { return hasError; }
  /// The first error of the run ("" if none).
  const std::string &error() const { return firstError; }
  /// Records `message` unless an earlier error is recorded already: later
  /// errors are usually consequences of the first.
  void setError(std::string message) {
    if (hasError)
      return;
    hasError = true;
    firstError = std::move(message);
  }

  /// The handler of nn.optimizer_step; empty when the run has no optimiser.
  const GradientHandler &gradientHandler() const { return onGradients; }
  void setGradientHandler(GradientHandler handler) {
    onGradients = std::move(handler);
  }
  /// The hook of nn.assign; empty when nothing can receive buffer updates.
  const AssignHook &assignHook() const { return onAssign; }
  void setAssignHook(AssignHook hook) { onAssign = std::move(hook); }

  /// The calling thread's current context: the innermost ScopedRunContext,
  /// or a per-thread default.
  static RunContext &current();

private:
  friend class ScopedRunContext;
  uint64_t seed;
  bool stochastic;
  uint64_t stochasticCalls = 0;
  bool hasError = false;
  std::string firstError;
  GradientHandler onGradients;
  AssignHook onAssign;
};

/// Makes `context` the calling thread's current context for its lifetime.
class ScopedRunContext {
public:
  explicit ScopedRunContext(RunContext &context);
  ~ScopedRunContext();
  ScopedRunContext(const ScopedRunContext &) = delete;
  ScopedRunContext &operator=(const ScopedRunContext &) = delete;

private:
  RunContext *previous;
};

} // namespace nnc::rt::abi

#endif // NNC_RUNTIME_ABI_RUNCONTEXT_H
