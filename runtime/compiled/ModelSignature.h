//===- ModelSignature.h - The metadata of a compiled model ------*- C++ -*-===//
//
// What `nnc compile` records next to each compiled function F, as the
// NUL-terminated JSON string nnc_metadata_F:
//   {"abi":1,"model":"lenet","function":"lenet",
//    "inputs":[{"name":"images","dtype":"f32","shape":[1,1,28,28]}],
//    "outputs":[{"name":"logits","dtype":"f32","shape":[1,10]}],
//    "params":[{"name":"conv1.weight","dtype":"f32","shape":[6,1,5,5]}],
//    "workspace_bytes":12345}
// The compiler serialises a ModelSignature to emit the string and the runtime
// parses it back, so both sides agree on one definition. The order of the
// lists is the order of nnc_entry_F's arguments: inputs, parameters, outputs,
// then the workspace.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_COMPILED_MODELSIGNATURE_H
#define NNC_RUNTIME_COMPILED_MODELSIGNATURE_H

#include "runtime/Tensor.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nnc::rt {

/// The version of the calling convention and metadata described above.
constexpr int64_t kCompiledModelAbi = 1;

/// One input, output or parameter: a static shape and an element type.
struct TensorSpec {
  std::string name;
  DType dtype = DType::F32;
  Shape shape;

  /// "f32[1,10]", as Tensor::typeString prints it.
  std::string typeString() const {
    return std::string(dtypeName(dtype)) + shapeString(shape);
  }
};

struct ModelSignature {
  int64_t abi = kCompiledModelAbi;
  std::string model;
  std::string function;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  std::vector<TensorSpec> params;
  /// Scratch memory the entry needs, passed as its last argument.
  uint64_t workspaceBytes = 0;

  /// Parses the metadata JSON. Every field is required and checked (types,
  /// dtype names, non-negative dimensions whose size fits, unique names within
  /// each list, an abi this runtime implements); unknown fields are errors,
  /// because the abi number, not silent extension, versions the format. On
  /// error returns nullopt with `error` saying which field is wrong and why.
  static std::optional<ModelSignature> parse(std::string_view json,
                                             std::string &error);

  /// The metadata JSON: compact, fields in the order shown above.
  std::string toJson() const;
};

/// The DType named `name` ("f32", ..., "i1" for bool), or nullopt.
std::optional<DType> parseDTypeName(std::string_view name);

} // namespace nnc::rt

#endif // NNC_RUNTIME_COMPILED_MODELSIGNATURE_H
