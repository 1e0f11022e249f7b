//===- Data.cpp - Datasets, shuffling, splits and augmentation ------------===//

#include "runtime/train/Data.h"

#include "runtime/io/Idx.h"
#include "runtime/io/Npy.h"
#include "runtime/kernels/Random.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace nnc::rt;
using namespace nnc::rt::train;

namespace {

/// A stream of 64-bit random words: Philox4x64 in counter mode.
class RandomStream {
public:
  RandomStream(uint64_t seed, uint64_t stream) : key{seed, stream} {}
  uint64_t next() {
    if (used == 4) {
      block = kernels::philox4x64({counter++, 0, 0, 0}, key);
      used = 0;
    }
    return block[used++];
  }
  /// Uniform in [0, n) (multiply-shift; the bias is below 2^-40 here).
  int64_t below(int64_t n) {
    return int64_t((unsigned __int128)next() * uint64_t(n) >> 64);
  }

private:
  std::array<uint64_t, 2> key;
  std::array<uint64_t, 4> block{};
  uint64_t counter = 0;
  int used = 4;
};

std::optional<Dataset> loadNpyPair(const std::string &dir,
                                   const std::string &split,
                                   std::string &error) {
  Dataset d;
  std::string inputs = dir + "/" + split + "_inputs.npy";
  std::string targets = dir + "/" + split + "_targets.npy";
  auto x = readNpy(inputs, error);
  if (!x)
    return std::nullopt;
  auto y = readNpy(targets, error);
  if (!y)
    return std::nullopt;
  if (x->rank() < 1 || y->rank() < 1 || x->dim(0) != y->dim(0)) {
    error = targets + ": " + std::to_string(y->rank() ? y->dim(0) : 0) +
            " targets for " + std::to_string(x->rank() ? x->dim(0) : 0) +
            " inputs in " + inputs;
    return std::nullopt;
  }
  if (x->dim(0) == 0) {
    error = inputs + ": the dataset is empty";
    return std::nullopt;
  }
  d.inputs = std::move(*x);
  d.targets = std::move(*y);
  return d;
}

} // namespace

std::optional<Dataset> train::loadDataset(const std::string &source,
                                          const std::string &split,
                                          const std::string &fashionMnistDir,
                                          std::string &error) {
  if (source == "fashion-mnist") {
    auto data = loadFashionMnist(fashionMnistDir, split, error);
    if (!data)
      return std::nullopt;
    return Dataset{std::move(data->images), std::move(data->labels)};
  }
  return loadNpyPair(source, split, error);
}

Dataset train::takeFirst(const Dataset &data, int64_t n) {
  if (n <= 0 || n >= data.size())
    return data;
  std::vector<int64_t> rows(n);
  for (int64_t i = 0; i < n; ++i)
    rows[i] = i;
  return {gatherRows(data.inputs, rows.data(), n),
          gatherRows(data.targets, rows.data(), n)};
}

std::vector<int64_t> train::permutation(int64_t n, uint64_t seed,
                                        uint64_t stream) {
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i)
    order[i] = i;
  RandomStream rng(seed, stream);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[i], order[rng.below(i + 1)]);
  return order;
}

void train::splitValidation(const Dataset &all, double fraction, uint64_t seed,
                            Dataset &train, Dataset &validation) {
  int64_t n = all.size();
  int64_t numVal = std::clamp<int64_t>(std::llround(fraction * n), 0, n);
  // A stream no epoch order uses.
  std::vector<int64_t> order = permutation(n, seed, ~uint64_t(0));
  std::vector<int64_t> val(order.begin(), order.begin() + numVal);
  std::vector<int64_t> rest(order.begin() + numVal, order.end());
  std::sort(val.begin(), val.end());
  std::sort(rest.begin(), rest.end());
  train = {gatherRows(all.inputs, rest.data(), int64_t(rest.size())),
           gatherRows(all.targets, rest.data(), int64_t(rest.size()))};
  validation = {gatherRows(all.inputs, val.data(), numVal),
                gatherRows(all.targets, val.data(), numVal)};
}

Tensor train::gatherRows(const Tensor &t, const int64_t *indices,
                         int64_t count) {
  Shape shape = t.shape();
  int64_t rows = shape[0];
  shape[0] = count;
  Tensor out = Tensor::uninitialized(t.dtype(), shape);
  size_t rowBytes = rows ? t.bytes() / size_t(rows) : 0;
  const char *src = static_cast<const char *>(t.raw());
  char *dst = static_cast<char *>(out.raw());
  for (int64_t i = 0; i < count; ++i)
    std::memcpy(dst + i * rowBytes, src + indices[i] * rowBytes, rowBytes);
  return out;
}

void train::augmentImages(Tensor &images, const Augmentation &a,
                          uint64_t seed) {
  if (!a.enabled())
    return;
  int64_t N = images.dim(0), C = images.dim(1), H = images.dim(2),
          W = images.dim(3), pad = a.cropPadding;
  std::vector<float> plane(size_t(H * W));
  float *data = images.data<float>();
  for (int64_t n = 0; n < N; ++n) {
    RandomStream rng(seed, uint64_t(n));
    // Offsets into the padded image: the crop starts at (dy, dx) in
    // [0, 2 pad], so source row = y + dy - pad.
    int64_t dy = pad ? rng.below(2 * pad + 1) : pad;
    int64_t dx = pad ? rng.below(2 * pad + 1) : pad;
    bool flip = a.horizontalFlip && (rng.next() & 1);
    for (int64_t c = 0; c < C; ++c) {
      float *img = data + (n * C + c) * H * W;
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < W; ++x) {
          int64_t sy = y + dy - pad, sx = (flip ? W - 1 - x : x) + dx - pad;
          plane[y * W + x] =
              sy >= 0 && sy < H && sx >= 0 && sx < W ? img[sy * W + sx] : 0.0f;
        }
      std::copy(plane.begin(), plane.end(), img);
    }
  }
}
