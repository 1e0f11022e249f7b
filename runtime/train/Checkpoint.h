//===- Checkpoint.h - Training checkpoints ----------------------*- C++ -*-===//
//
// A checkpoint is one safetensors file, written atomically (temp file +
// rename), so a crash at any moment leaves either the previous checkpoint or
// the new one: the model's state_dict under "model/<name>", the optimiser
// state under "optimizer/<name>", and in the metadata the position in
// training plus the settings that must not change on resume. Random state
// needs no storage: every draw is a function of the seed and the position.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_TRAIN_CHECKPOINT_H
#define NNC_RUNTIME_TRAIN_CHECKPOINT_H

#include "runtime/Tensor.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nnc::rt::train {

struct Checkpoint {
  std::map<std::string, Tensor> model;
  std::vector<std::pair<std::string, Tensor>> optimizer;
  /// Completed epochs, and steps completed in the current one.
  int64_t epoch = 0;
  int64_t stepInEpoch = 0;
  int64_t globalStep = 0;
  /// Running sums of the current epoch's training loss and correct
  /// predictions over `trainSeen` samples (the epoch's report survives a
  /// resume).
  double trainLossSum = 0;
  int64_t trainCorrect = 0, trainSeen = 0;
  /// Early stopping: best validation accuracy and epochs since it.
  double bestAccuracy = -1;
  int64_t epochsWithoutImprovement = 0;
  /// Settings a resumed run must share ("model", "optimizer", "lr", ...),
  /// compared key by key.
  std::map<std::string, std::string> settings;
};

bool saveCheckpoint(const std::string &path, const Checkpoint &checkpoint,
                    std::string &error);

/// Reads a checkpoint; a file that is not an nnc checkpoint, or lacks a
/// field, is refused with the file and field named.
bool loadCheckpoint(const std::string &path, Checkpoint &checkpoint,
                    std::string &error);

/// The first setting that differs between a checkpoint and this run, as an
/// error message naming it; empty when they agree. A setting the checkpoint
/// does not have (it predates the option) agrees with an empty value.
std::string compareSettings(const std::map<std::string, std::string> &saved,
                            const std::map<std::string, std::string> &current,
                            const std::string &path);

} // namespace nnc::rt::train

#endif // NNC_RUNTIME_TRAIN_CHECKPOINT_H
