//===- Safetensors.h - Read and write .safetensors files ---------*- C++
//-*-===//
//
// The checkpoint format of PyTorch and Hugging Face: an 8-byte little-endian
// header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
//    ..., "__metadata__": {"key": "value", ...}}
// then the data section, which the tensors' offsets must cover exactly.
// Reading validates every field against the file before allocating or
// reading anything; errors name the file and the tensor or field.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_IO_SAFETENSORS_H
#define NNC_RUNTIME_IO_SAFETENSORS_H

#include "runtime/Tensor.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nnc::rt {

/// Headers larger than this are refused (as the reference implementation
/// refuses them) before anything is allocated.
constexpr uint64_t kSafetensorsMaxHeaderBytes = uint64_t(100) << 20;

/// Reads every tensor of the safetensors file `path` (dtypes F32 F64 F16 BF16
/// I64 I32 I8 U8 BOOL). If `metadata` is given it receives the
/// "__metadata__" map. On error returns nullopt and sets `error`.
std::optional<std::map<std::string, Tensor>>
readSafetensors(const std::string &path, std::string &error,
                std::map<std::string, std::string> *metadata = nullptr);

/// Reads a safetensors image of `size` bytes held in memory (weights embedded
/// in a compiled model), with the same checks as readSafetensors; `name`
/// stands for the file in errors.
std::optional<std::map<std::string, Tensor>>
readSafetensorsBuffer(const void *data, size_t size, const std::string &name,
                      std::string &error,
                      std::map<std::string, std::string> *metadata = nullptr);

/// Writes `tensors` (unique names, not "__metadata__") and `metadata` to
/// `path` atomically. Layout follows the reference implementation: tensors
/// ordered by descending dtype alignment then name (so every tensor is
/// naturally aligned), compact JSON header padded with spaces to a multiple
/// of 8 bytes.
bool writeSafetensors(
    const std::string &path,
    const std::vector<std::pair<std::string, Tensor>> &tensors,
    std::string &error,
    const std::map<std::string, std::string> &metadata = {});

} // namespace nnc::rt

#endif // NNC_RUNTIME_IO_SAFETENSORS_H
