//===- RunContext.h - Per-run state shared by kernel calls -------*- C++
//-*-===//
//
// What a kernel needs beyond its operands and attributes: the run's seed and
// whether stochastic ops sample (MC dropout), the counter that gives each
// stochastic evaluation a fresh seed, and the first error of the run.
// The reference executor owns one per run; compiled code uses the calling
// thread's current context (ScopedRunContext installs one, otherwise a
// per-thread default is used), which nnc_kernel_call records errors in.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_ABI_RUNCONTEXT_H
#define NNC_RUNTIME_ABI_RUNCONTEXT_H

#include <cstdint>
#include <string>

namespace nnc::rt::abi {

class RunContext {
public:
  explicit RunContext(uint64_t seed = 0, bool stochastic = false)
      : seed(seed), stochastic(stochastic) {}

  /// Starts a new run: clears the error and the stochastic-call counter.
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
