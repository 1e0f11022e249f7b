//===- RuntimeTrainTest.cpp - Datasets, augmentation and checkpoints ------===//

#include "runtime/io/Safetensors.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/train/Data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <unistd.h>

using namespace nnc::rt;
using namespace nnc::rt::train;

namespace {

Tensor iota(Shape shape) {
  Tensor t(DType::F32, shape);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, double(i));
  return t;
}

std::string tempPath(const char *name) {
  return "/tmp/nnc-train-test-" + std::to_string(getpid()) + "-" + name;
}

} // namespace

TEST(RuntimeTrainData, PermutationIsSeededAndComplete) {
  std::vector<int64_t> a = permutation(1000, 7, 0);
  std::vector<int64_t> b = permutation(1000, 7, 0);
  std::vector<int64_t> c = permutation(1000, 7, 1);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c); // another epoch, another order
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i)
    ASSERT_EQ(sorted[i], i);
  EXPECT_TRUE(permutation(0, 1, 2).empty());
}

TEST(RuntimeTrainData, ValidationSplitIsDisjointAndOrdered) {
  Dataset all{iota({100, 3}), iota({100})};
  Dataset train, val;
  splitValidation(all, 0.25, 3, train, val);
  ASSERT_EQ(train.size(), 75);
  ASSERT_EQ(val.size(), 25);
  std::set<int64_t> seen;
  auto collect = [&](const Dataset &d) {
    for (int64_t i = 0; i < d.size(); ++i) {
      int64_t row = int64_t(d.targets.at(i));
      EXPECT_TRUE(seen.insert(row).second) << "row " << row << " twice";
      EXPECT_EQ(d.inputs.at(i * 3 + 2), double(row * 3 + 2));
      if (i)
        EXPECT_LT(d.targets.at(i - 1), d.targets.at(i));
    }
  };
  collect(train);
  collect(val);
  EXPECT_EQ(seen.size(), 100u);
  Dataset train2, val2;
  splitValidation(all, 0.25, 3, train2, val2);
  EXPECT_EQ(val2.targets.at(0), val.targets.at(0));
  splitValidation(all, 0.0, 3, train2, val2);
  EXPECT_EQ(train2.size(), 100);
  EXPECT_EQ(val2.size(), 0);
}

TEST(RuntimeTrainData, FlipAndPaddedCrop) {
  // Flip only: every image is either unchanged or mirrored.
  Tensor images = iota({16, 2, 3, 4});
  Tensor flipped = images.clone();
  augmentImages(flipped, {0, true}, 11);
  int mirrored = 0;
  for (int64_t n = 0; n < 16; ++n) {
    bool same = true, mirror = true;
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t y = 0; y < 3; ++y)
        for (int64_t x = 0; x < 4; ++x) {
          double v = flipped.at(((n * 2 + c) * 3 + y) * 4 + x);
          same &= v == images.at(((n * 2 + c) * 3 + y) * 4 + x);
          mirror &= v == images.at(((n * 2 + c) * 3 + y) * 4 + (3 - x));
        }
    EXPECT_TRUE(same || mirror) << "image " << n;
    mirrored += mirror;
  }
  EXPECT_GT(mirrored, 0);
  EXPECT_LT(mirrored, 16);

  // Crop after zero padding: a shifted copy with zeros shifted in, the same
  // shift for every channel of a sample.
  Tensor cropped = iota({8, 2, 5, 5});
  for (int64_t i = 0; i < cropped.numel(); ++i)
    cropped.set(i, cropped.at(i) + 1); // no zeros in the data
  Tensor original = cropped.clone();
  augmentImages(cropped, {2, false}, 5);
  for (int64_t n = 0; n < 8; ++n) {
    bool found = false;
    for (int64_t dy = -2; dy <= 2 && !found; ++dy)
      for (int64_t dx = -2; dx <= 2 && !found; ++dx) {
        bool match = true;
        for (int64_t c = 0; c < 2; ++c)
          for (int64_t y = 0; y < 5; ++y)
            for (int64_t x = 0; x < 5; ++x) {
              int64_t sy = y + dy, sx = x + dx;
              double want = sy >= 0 && sy < 5 && sx >= 0 && sx < 5
                                ? original.at(((n * 2 + c) * 5 + sy) * 5 + sx)
                                : 0.0;
              match &= cropped.at(((n * 2 + c) * 5 + y) * 5 + x) == want;
            }
        found = match;
      }
    EXPECT_TRUE(found) << "image " << n << " is not a padded crop";
  }
  // Deterministic in the seed.
  Tensor again = original.clone();
  augmentImages(again, {2, false}, 5);
  for (int64_t i = 0; i < again.numel(); ++i)
    ASSERT_EQ(again.at(i), cropped.at(i));
}

TEST(RuntimeTrainCheckpoint, RoundTripAndRefusals) {
  Checkpoint c;
  c.model["fc.weight"] = iota({3, 2});
  c.optimizer.push_back({"step", Tensor::full(DType::I64, {}, 7)});
  c.optimizer.push_back({"fc.weight/exp_avg", iota({3, 2})});
  c.epoch = 2;
  c.stepInEpoch = 5;
  c.globalStep = 33;
  c.bestAccuracy = 0.8125;
  c.trainLossSum = 1.0 / 3.0;
  c.trainCorrect = 11;
  c.trainSeen = 40;
  c.epochsWithoutImprovement = 1;
  c.settings = {{"lr", "0.001"}, {"model", "mlp"}};
  std::string path = tempPath("ckpt.safetensors"), error;
  ASSERT_TRUE(saveCheckpoint(path, c, error)) << error;
  Checkpoint r;
  ASSERT_TRUE(loadCheckpoint(path, r, error)) << error;
  EXPECT_EQ(r.epoch, 2);
  EXPECT_EQ(r.stepInEpoch, 5);
  EXPECT_EQ(r.globalStep, 33);
  EXPECT_EQ(r.bestAccuracy, 0.8125);
  EXPECT_EQ(r.trainLossSum, 1.0 / 3.0); // exact round trip
  EXPECT_EQ(r.trainCorrect, 11);
  EXPECT_EQ(r.trainSeen, 40);
  EXPECT_EQ(r.settings, c.settings);
  ASSERT_EQ(r.model.count("fc.weight"), 1u);
  EXPECT_EQ(r.model["fc.weight"].at(5), 5.0);
  EXPECT_EQ(r.optimizer.size(), 2u);

  EXPECT_EQ(compareSettings(c.settings, c.settings, path), "");
  std::string why = compareSettings(c.settings, {{"lr", "0.01"}}, path);
  EXPECT_NE(why.find("lr = 0.001, this run has lr = 0.01"), std::string::npos)
      << why;
  // An option newer than the checkpoint, left empty, agrees; given, not.
  EXPECT_EQ(compareSettings(c.settings, {{"choice", ""}}, path), "");
  why = compareSettings(c.settings, {{"choice", "a=b;"}}, path);
  EXPECT_NE(why.find("choice = (not set), this run has choice = a=b;"),
            std::string::npos)
      << why;

  // A plain weights file is not a checkpoint; a missing field is named.
  std::string weights = tempPath("weights.safetensors");
  ASSERT_TRUE(writeSafetensors(weights, {{"fc.weight", iota({3, 2})}}, error));
  EXPECT_FALSE(loadCheckpoint(weights, r, error));
  EXPECT_NE(error.find("not an nnc checkpoint"), std::string::npos) << error;
  ASSERT_TRUE(writeSafetensors(weights, {{"model/w", iota({1})}}, error,
                               {{"format", "nnc-checkpoint-1"}}));
  EXPECT_FALSE(loadCheckpoint(weights, r, error));
  EXPECT_NE(error.find("has no 'epoch'"), std::string::npos) << error;
  std::remove(path.c_str());
  std::remove(weights.c_str());
}
