//===- Schedule.h - Learning-rate schedules ----------------------*- C++
//-*-===//
//
// Schedules are pure functions of the step (or epoch) counter, the closed
// forms of torch.optim.lr_scheduler's StepLR, CosineAnnealingLR and LinearLR
// warm-up followed by cosine (SequentialLR). Being stateless, a resumed run
// only needs the counter to continue with exactly the same rates.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_OPTIM_SCHEDULE_H
#define NNC_RUNTIME_OPTIM_SCHEDULE_H

#include <cstdint>
#include <string>

namespace nnc::rt::optim {

class Optimizer;

struct Schedule {
  enum class Kind { Constant, Step, Cosine, WarmupCosine };
  Kind kind = Kind::Constant;
  /// Step: multiply by `gamma` every `stepSize` steps.
  int64_t stepSize = 1;
  double gamma = 0.1;
  /// Cosine: anneal to `etaMin` over `tMax` steps (a cosine period of
  /// 2 * tMax afterwards, as torch). WarmupCosine: `tMax` counts the steps
  /// after the warm-up.
  int64_t tMax = 1;
  double etaMin = 0;
  /// WarmupCosine: the rate rises linearly from startFactor * base to base
  /// over `warmup` steps.
  int64_t warmup = 0;
  double startFactor = 0;

  static Schedule constant() { return {}; }
  static Schedule step(int64_t stepSize, double gamma);
  static Schedule cosine(int64_t tMax, double etaMin);
  static Schedule warmupCosine(int64_t warmup, double startFactor, int64_t tMax,
                               double etaMin);

  /// Checks the parameters (positive step sizes and periods, ...).
  bool validate(std::string &error) const;

  /// The learning rate at step `t` (t >= 0) for a group whose base rate is
  /// `baseLr`.
  double lr(double baseLr, int64_t t) const;
};

/// Sets every group's rate to schedule.lr(group base rate, t).
void applySchedule(Optimizer &optimizer, const Schedule &schedule, int64_t t);

} // namespace nnc::rt::optim

#endif // NNC_RUNTIME_OPTIM_SCHEDULE_H
