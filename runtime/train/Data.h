//===- Data.h - Datasets, shuffling, splits and augmentation ----*- C++ -*-===//
//
// The data side of training: a dataset is a pair of tensors whose dim 0 is
// the sample index. Everything random (epoch order, validation split,
// augmentation) is a pure function of a seed and a position, so a resumed
// run sees exactly the batches an uninterrupted one would.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_TRAIN_DATA_H
#define NNC_RUNTIME_TRAIN_DATA_H

#include "runtime/Tensor.h"

#include <optional>
#include <string>
#include <vector>

namespace nnc::rt::train {

struct Dataset {
  Tensor inputs;  ///< [N, ...]
  Tensor targets; ///< [N, ...]
  int64_t size() const { return inputs.defined() ? inputs.dim(0) : 0; }
};

/// Loads split "train" or "test" of `source`: "fashion-mnist" (from
/// `fashionMnistDir`; f32 [N, 1, 28, 28] in [0, 1], i64 labels) or a
/// directory holding <split>_inputs.npy and <split>_targets.npy. Errors name
/// the file and what is wrong with it.
std::optional<Dataset> loadDataset(const std::string &source,
                                   const std::string &split,
                                   const std::string &fashionMnistDir,
                                   std::string &error);

/// The first `n` samples (all when n <= 0 or n >= size).
Dataset takeFirst(const Dataset &data, int64_t n);

/// A random permutation of [0, n): Fisher-Yates on a Philox stream keyed by
/// (seed, stream).
std::vector<int64_t> permutation(int64_t n, uint64_t seed, uint64_t stream);

/// Splits off a validation set of round(fraction * size) samples chosen by a
/// seeded permutation; the rest is the training set. Both keep the original
/// sample order.
void splitValidation(const Dataset &all, double fraction, uint64_t seed,
                     Dataset &train, Dataset &validation);

/// Rows `indices` of `t` (dim 0), in that order.
Tensor gatherRows(const Tensor &t, const int64_t *indices, int64_t count);

struct Augmentation {
  /// Random crop after zero padding by this many pixels on each side
  /// (torchvision RandomCrop(size, padding)); 0 disables.
  int64_t cropPadding = 0;
  /// Horizontal flip with probability 1/2.
  bool horizontalFlip = false;
  bool enabled() const { return cropPadding > 0 || horizontalFlip; }
};

/// Augments a batch of images [N, C, H, W] (f32) in place; sample i draws
/// from the Philox stream (seed, i).
void augmentImages(Tensor &images, const Augmentation &augmentation,
                   uint64_t seed);

} // namespace nnc::rt::train

#endif // NNC_RUNTIME_TRAIN_DATA_H
