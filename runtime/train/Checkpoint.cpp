//===- Checkpoint.cpp - Training checkpoints ------------------------------===//

#include "runtime/train/Checkpoint.h"

#include "runtime/io/Safetensors.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

using namespace nnc::rt;
using namespace nnc::rt::train;

static constexpr const char *kFormat = "nnc-checkpoint-1";
static constexpr const char *kModelPrefix = "model/";
static constexpr const char *kOptimizerPrefix = "optimizer/";
static constexpr const char *kSettingPrefix = "setting.";

/// Round-trips exactly through strtod.
static std::string exactDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

bool train::saveCheckpoint(const std::string &path, const Checkpoint &c,
                           std::string &error) {
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (auto &[name, t] : c.model)
    tensors.push_back({kModelPrefix + name, t});
  for (auto &[name, t] : c.optimizer)
    tensors.push_back({kOptimizerPrefix + name, t});
  std::map<std::string, std::string> meta{
      {"format", kFormat},
      {"epoch", std::to_string(c.epoch)},
      {"step_in_epoch", std::to_string(c.stepInEpoch)},
      {"global_step", std::to_string(c.globalStep)},
      {"best_accuracy", exactDouble(c.bestAccuracy)},
      {"train_loss_sum", exactDouble(c.trainLossSum)},
      {"train_correct", std::to_string(c.trainCorrect)},
      {"train_seen", std::to_string(c.trainSeen)},
      {"epochs_without_improvement",
       std::to_string(c.epochsWithoutImprovement)}};
  for (auto &[key, value] : c.settings)
    meta[kSettingPrefix + key] = value;
  return writeSafetensors(path, tensors, error, meta);
}

static bool parseInt(const std::map<std::string, std::string> &meta,
                     const std::string &key, int64_t &out,
                     const std::string &path, std::string &error) {
  auto it = meta.find(key);
  if (it == meta.end()) {
    error = path + ": checkpoint metadata has no '" + key + "'";
    return false;
  }
  errno = 0;
  char *end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (errno || end == it->second.c_str() || *end) {
    error = path + ": checkpoint metadata '" + key + "' is not an integer: '" +
            it->second + "'";
    return false;
  }
  out = v;
  return true;
}

bool train::loadCheckpoint(const std::string &path, Checkpoint &c,
                           std::string &error) {
  std::map<std::string, std::string> meta;
  auto tensors = readSafetensors(path, error, &meta);
  if (!tensors)
    return false;
  auto format = meta.find("format");
  if (format == meta.end() || format->second != kFormat) {
    error = path + ": not an nnc checkpoint (metadata 'format' is " +
            (format == meta.end() ? std::string("missing")
                                  : "'" + format->second + "'") +
            ", expected '" + kFormat + "')";
    return false;
  }
  Checkpoint loaded;
  if (!parseInt(meta, "epoch", loaded.epoch, path, error) ||
      !parseInt(meta, "step_in_epoch", loaded.stepInEpoch, path, error) ||
      !parseInt(meta, "global_step", loaded.globalStep, path, error) ||
      !parseInt(meta, "train_correct", loaded.trainCorrect, path, error) ||
      !parseInt(meta, "train_seen", loaded.trainSeen, path, error) ||
      !parseInt(meta, "epochs_without_improvement",
                loaded.epochsWithoutImprovement, path, error))
    return false;
  auto best = meta.find("best_accuracy");
  if (best == meta.end()) {
    error = path + ": checkpoint metadata has no 'best_accuracy'";
    return false;
  }
  loaded.bestAccuracy = std::strtod(best->second.c_str(), nullptr);
  auto lossSum = meta.find("train_loss_sum");
  if (lossSum == meta.end()) {
    error = path + ": checkpoint metadata has no 'train_loss_sum'";
    return false;
  }
  loaded.trainLossSum = std::strtod(lossSum->second.c_str(), nullptr);
  for (auto &[key, value] : meta)
    if (key.rfind(kSettingPrefix, 0) == 0)
      loaded.settings[key.substr(std::string(kSettingPrefix).size())] = value;
  std::string model = kModelPrefix, optimizer = kOptimizerPrefix;
  for (auto &[name, t] : *tensors) {
    if (name.rfind(model, 0) == 0)
      loaded.model[name.substr(model.size())] = t;
    else if (name.rfind(optimizer, 0) == 0)
      loaded.optimizer.push_back({name.substr(optimizer.size()), t});
    else {
      error = path + ": unexpected tensor '" + name +
              "' (checkpoint tensors are model/... or optimizer/...)";
      return false;
    }
  }
  c = std::move(loaded);
  return true;
}

std::string
train::compareSettings(const std::map<std::string, std::string> &saved,
                       const std::map<std::string, std::string> &current,
                       const std::string &path) {
  for (auto &[key, value] : current) {
    auto it = saved.find(key);
    // A setting newer than the checkpoint matches when this run leaves it
    // empty (a list option such as --choice that was not given).
    if (it == saved.end() && value.empty())
      continue;
    std::string was = it == saved.end() ? "(not set)" : it->second;
    if (was != value)
      return path + ": the checkpoint was written with " + key + " = " + was +
             ", this run has " + key + " = " + value +
             "; resume with the same settings or start a new run";
  }
  return "";
}
