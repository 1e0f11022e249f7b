//===- Idx.h - IDX files and the Fashion-MNIST data set ----------*- C++
//-*-===//
//
// IDX is the (Fashion-)MNIST file format: two zero bytes, an element type
// byte, a dimension count, one big-endian uint32 per dimension, then the
// data. Files may be gzip-compressed (Debian's dataset-fashion-mnist ships
// them as .gz); decompression stops at the size the dimensions declare, so a
// compressed file cannot expand past it (nor past kIdxMaxBytes).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_IO_IDX_H
#define NNC_RUNTIME_IO_IDX_H

#include "runtime/Tensor.h"

#include <optional>
#include <string>

namespace nnc::rt {

/// The largest data payload readIdx accepts (1 GiB), checked against the
/// declared dimensions before anything is allocated or decompressed.
constexpr uint64_t kIdxMaxBytes = uint64_t(1) << 30;

/// Reads an IDX file of unsigned bytes (type 0x08, the type of (Fashion-)
/// MNIST images and labels), gzip-compressed or not, as a u8 tensor of the
/// declared dimensions. A name ending in ".gz" must hold gzip data.
std::optional<Tensor> readIdx(const std::string &path, std::string &error);

struct FashionMnist {
  Tensor images; ///< f32 [N, 1, 28, 28], pixel / 255 (so in [0, 1])
  Tensor labels; ///< i64 [N], classes 0..9
};

/// Loads the "train" (60000) or "test" (10000) split from `dir`, which holds
/// {train,t10k}-{images-idx3,labels-idx1}-ubyte, each with or without .gz
/// (the .gz name is tried first).
std::optional<FashionMnist> loadFashionMnist(const std::string &dir,
                                             const std::string &split,
                                             std::string &error);

} // namespace nnc::rt

#endif // NNC_RUNTIME_IO_IDX_H
