//===- CompiledModel.h - Run what `nnc compile` emitted ---------*- C++ -*-===//
//
// A compiled function F is a plain C entry point plus its metadata (see
// ModelSignature.h):
//   void nnc_entry_F(void **args);
// where args[i] points to a ranked memref descriptor, in 8-byte words
//   {allocated, aligned, offset, sizes[rank], strides[rank]},
// for the inputs, then the parameters, then the outputs (contiguous row-major
// buffers the caller allocates and the call fills), then one rank-1 i8
// workspace of the signature's workspace_bytes (64-byte aligned). Kernels the
// entry calls record errors in the calling thread's run context
// (runtime/abi) instead of returning them.
//
// CompiledModel owns what a call needs besides the inputs: the parameters
// (checked against the signature when loaded), the workspace (allocated once
// and reused) and the seed of random ops, and turns one call into
// run(inputs) -> outputs or an error message.
//
// Thread safety: runs on one model are serialised by a mutex, because they
// share the workspace; for parallel inference create one model per thread
// (the parameters are loaded per model). Different models are independent.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_COMPILED_COMPILEDMODEL_H
#define NNC_RUNTIME_COMPILED_COMPILEDMODEL_H

#include "runtime/Tensor.h"
#include "runtime/abi/RunContext.h"
#include "runtime/compiled/ModelSignature.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nnc::rt {

class CompiledModel {
public:
  using EntryFn = void (*)(void **args);

  /// A model for `entry` described by the JSON `metadata`; nullptr with
  /// `error` set if the metadata is malformed or `entry` is null. A model
  /// with parameters cannot run until one of the load functions succeeds.
  static std::unique_ptr<CompiledModel>
  create(std::string_view metadata, EntryFn entry, std::string &error);

  const ModelSignature &signature() const { return sig; }

  /// Loads the parameters from the safetensors file `path`. Every parameter
  /// must be there with the signature's dtype and shape, and nothing else
  /// may be: errors name the file and the tensor. On failure the previously
  /// loaded parameters (if any) are kept.
  bool loadWeights(const std::string &path, std::string &error);
  /// The same for a safetensors image in memory (weights embedded in the
  /// compiled binary); `name` stands for the file in errors. The bytes are
  /// copied, so they need not outlive the call.
  bool loadWeights(const void *data, size_t size, const std::string &name,
                   std::string &error);
  /// Uses `tensors` (by name) as the parameters, with the same checks;
  /// `source` names where they came from in errors.
  bool setParameters(std::map<std::string, Tensor> tensors,
                     const std::string &source, std::string &error);
  /// True once the parameters are loaded (always for a model without any).
  bool ready() const { return paramsLoaded; }

  /// The seed random ops derive their streams from (default 0). A run uses
  /// the seed as it is when the run starts: equal seeds and inputs give equal
  /// outputs.
  void setSeed(uint64_t seed);

  /// What a compiled training step calls back into: nn.optimizer_step hands
  /// its gradients to `gradients`, nn.assign its new buffer values (running
  /// statistics) to `assign`. A run without them fails at those ops.
  struct Hooks {
    abi::RunContext::GradientHandler gradients;
    abi::RunContext::AssignHook assign;
  };
  void setHooks(Hooks newHooks) { hooks = std::move(newHooks); }

  /// Runs the entry on `inputs`, which must match the signature's inputs in
  /// number, dtype and shape (errors say which input, expected and got).
  /// Returns the outputs, or nullopt with `error` set to the input problem or
  /// the first error a kernel recorded during the call.
  std::optional<std::vector<Tensor>> run(const std::vector<Tensor> &inputs,
                                         std::string &error);

private:
  CompiledModel(ModelSignature sig, EntryFn entry);
  bool checkInputs(const std::vector<Tensor> &inputs, std::string &error) const;

  ModelSignature sig;
  EntryFn entry;
  /// The parameters in signature order.
  std::vector<Tensor> params;
  bool paramsLoaded;
  Buffer workspace;
  std::mutex runMutex;
  uint64_t seed = 0;
  Hooks hooks;
};

} // namespace nnc::rt

#endif // NNC_RUNTIME_COMPILED_COMPILEDMODEL_H
