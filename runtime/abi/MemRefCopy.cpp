//===- MemRefCopy.cpp - memref.copy between strided buffers ---------------===//
//
// MLIR lowers memref.copy between buffers that are not both contiguous to a
// call of `memrefCopy` (normally from libmlir_c_runner_utils). Compiled
// models get it from the nnc runtime instead, so that they depend on
// nothing but libnnc_runtime.so.
//
//===----------------------------------------------------------------------===//

#include "runtime/abi/nnc_kernel_abi.h"

#include <cstring>
#include <vector>

namespace {
/// The ranked descriptor an unranked memref points to, in 8-byte words.
struct RankedView {
  char *data;
  const int64_t *sizes;
  const int64_t *strides;
};

RankedView view(const nnc_unranked_memref &m, int64_t elementSize) {
  auto *words = static_cast<int64_t *>(m.descriptor);
  char *aligned = reinterpret_cast<char *>(words[1]);
  return {aligned + words[2] * elementSize, words + 3, words + 3 + m.rank};
}
} // namespace

extern "C" void memrefCopy(int64_t elementSize, nnc_unranked_memref *source,
                           nnc_unranked_memref *target) {
  int64_t rank = source->rank;
  RankedView src = view(*source, elementSize);
  RankedView dst = view(*target, elementSize);
  int64_t total = 1;
  for (int64_t d = 0; d < rank; ++d)
    total *= src.sizes[d];
  if (total == 0)
    return;
  // Odometer over the index space; element-wise copies (this path only runs
  // for non-contiguous layouts, which compiled nn code rarely produces).
  std::vector<int64_t> index(rank, 0);
  int64_t srcOffset = 0, dstOffset = 0;
  for (int64_t n = 0; n < total; ++n) {
    std::memcpy(dst.data + dstOffset * elementSize,
                src.data + srcOffset * elementSize, elementSize);
    for (int64_t d = rank - 1; d >= 0; --d) {
      ++index[d];
      srcOffset += src.strides[d];
      dstOffset += dst.strides[d];
      if (index[d] < src.sizes[d])
        break;
      srcOffset -= src.strides[d] * index[d];
      dstOffset -= dst.strides[d] * index[d];
      index[d] = 0;
    }
  }
}
