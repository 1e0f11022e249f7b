//===- Schedule.cpp - Learning-rate schedules -----------------------------===//
#include "runtime/optim/Schedule.h"

#include "runtime/optim/Optimizer.h"

#include <cmath>

namespace nnc::rt::optim {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// CosineAnnealingLR's closed form.
double cosineLr(double baseLr, double etaMin, int64_t t, int64_t tMax) {
  return etaMin +
         (baseLr - etaMin) * (1 + std::cos(kPi * double(t) / tMax)) / 2;
}

} // namespace

Schedule Schedule::step(int64_t stepSize, double gamma) {
  Schedule s;
  s.kind = Kind::Step;
  s.stepSize = stepSize;
  s.gamma = gamma;
  return s;
}

Schedule Schedule::cosine(int64_t tMax, double etaMin) {
  Schedule s;
  s.kind = Kind::Cosine;
  s.tMax = tMax;
  s.etaMin = etaMin;
  return s;
}

Schedule Schedule::warmupCosine(int64_t warmup, double startFactor,
                                int64_t tMax, double etaMin) {
  Schedule s = cosine(tMax, etaMin);
  s.kind = Kind::WarmupCosine;
  s.warmup = warmup;
  s.startFactor = startFactor;
  return s;
}

bool Schedule::validate(std::string &error) const {
  auto fail = [&](const std::string &msg) {
    error = "invalid learning-rate schedule: " + msg;
    return false;
  };
  switch (kind) {
  case Kind::Constant:
    return true;
  case Kind::Step:
    if (stepSize <= 0)
      return fail("step size must be positive");
    if (!(gamma >= 0))
      return fail("gamma must be >= 0");
    return true;
  case Kind::WarmupCosine:
    if (warmup < 0)
      return fail("warm-up steps must be >= 0");
    if (!(startFactor >= 0 && startFactor <= 1))
      return fail("warm-up start factor must be in [0, 1]");
    [[fallthrough]];
  case Kind::Cosine:
    if (tMax <= 0)
      return fail("cosine period must be positive");
    if (!(etaMin >= 0))
      return fail("minimum learning rate must be >= 0");
    return true;
  }
  return true;
}

double Schedule::lr(double baseLr, int64_t t) const {
  switch (kind) {
  case Kind::Constant:
    return baseLr;
  case Kind::Step:
    return baseLr * std::pow(gamma, double(t / stepSize));
  case Kind::Cosine:
    return cosineLr(baseLr, etaMin, t, tMax);
  case Kind::WarmupCosine:
    if (t < warmup)
      return baseLr * (startFactor + (1 - startFactor) * double(t) / warmup);
    return cosineLr(baseLr, etaMin, t - warmup, tMax);
  }
  return baseLr;
}

void applySchedule(Optimizer &optimizer, const Schedule &schedule, int64_t t) {
  for (size_t g = 0; g < optimizer.numGroups(); ++g)
    optimizer.setLr(g, schedule.lr(optimizer.baseLr(g), t));
}

} // namespace nnc::rt::optim
