//===- CompiledModel.cpp - Run a function compiled by `nnc compile` -------===//

#include "runtime/compiled/CompiledModel.h"

#include "runtime/abi/RunContext.h"
#include "runtime/io/Json.h"
#include "runtime/io/Safetensors.h"

using namespace nnc::rt;

namespace {

/// The memref descriptors of one call, in one allocation: each argument is
/// {allocated, aligned, offset, sizes[rank], strides[rank]} in 8-byte words.
class Descriptors {
public:
  void add(const void *data, const Shape &shape) {
    starts.push_back(words.size());
    // Pointers travel as words; the entry reads them back as pointers.
    words.push_back(int64_t(reinterpret_cast<intptr_t>(data)));
    words.push_back(int64_t(reinterpret_cast<intptr_t>(data)));
    words.push_back(0);
    words.insert(words.end(), shape.begin(), shape.end());
    size_t strides = words.size();
    words.resize(strides + shape.size());
    int64_t stride = 1;
    for (size_t i = shape.size(); i-- > 0;) {
      words[strides + i] = stride;
      stride *= shape[i];
    }
  }

  /// The argument array; valid until the next add().
  std::vector<void *> args() {
    std::vector<void *> result;
    for (size_t start : starts)
      result.push_back(words.data() + start);
    return result;
  }

private:
  std::vector<int64_t> words;
  std::vector<size_t> starts;
};

/// Calls `entry` with a fresh run context installed, so that the kernels it
/// calls record their errors (and draw their seeds) there; false with `error`
/// set to the first recorded error.
bool callEntry(CompiledModel::EntryFn entry, void **args, uint64_t seed,
               const CompiledModel::Hooks &hooks, std::string &error) {
  abi::RunContext context(seed, /*stochastic=*/false);
  context.setGradientHandler(hooks.gradients);
  context.setAssignHook(hooks.assign);
  {
    abi::ScopedRunContext scope(context);
    entry(args);
  }
  if (!context.failed())
    return true;
  error = context.error();
  return false;
}

} // namespace

CompiledModel::CompiledModel(ModelSignature signature, EntryFn entry)
    : sig(std::move(signature)), entry(entry), paramsLoaded(sig.params.empty()),
      workspace(sig.workspaceBytes, Buffer::Uninitialized()) {}

std::unique_ptr<CompiledModel> CompiledModel::create(std::string_view metadata,
                                                     EntryFn entry,
                                                     std::string &error) {
  if (!entry) {
    error = "compiled model: the entry function is null";
    return nullptr;
  }
  std::optional<ModelSignature> sig = ModelSignature::parse(metadata, error);
  if (!sig)
    return nullptr;
  return std::unique_ptr<CompiledModel>(
      new CompiledModel(std::move(*sig), entry));
}

bool CompiledModel::loadWeights(const std::string &path, std::string &error) {
  std::optional<std::map<std::string, Tensor>> tensors =
      readSafetensors(path, error);
  return tensors && setParameters(std::move(*tensors), path, error);
}

bool CompiledModel::loadWeights(const void *data, size_t size,
                                const std::string &name, std::string &error) {
  std::optional<std::map<std::string, Tensor>> tensors =
      readSafetensorsBuffer(data, size, name, error);
  return tensors && setParameters(std::move(*tensors), name, error);
}

bool CompiledModel::setParameters(std::map<std::string, Tensor> tensors,
                                  const std::string &source,
                                  std::string &error) {
  std::vector<Tensor> loaded;
  for (const TensorSpec &spec : sig.params) {
    auto it = tensors.find(spec.name);
    std::string where = source + ": tensor " + json::quote(spec.name);
    if (it == tensors.end()) {
      error = where + " is missing (model " + json::quote(sig.model) +
              " needs it as " + spec.typeString() + ")";
      return false;
    }
    const Tensor &t = it->second;
    if (!t.defined() || t.dtype() != spec.dtype || t.shape() != spec.shape) {
      error = where + " is " +
              (t.defined() ? t.typeString() : std::string("undefined")) +
              "; model " + json::quote(sig.model) + " expects " +
              spec.typeString();
      return false;
    }
    loaded.push_back(t);
    tensors.erase(it);
  }
  if (!tensors.empty()) {
    error = source + ": tensor " + json::quote(tensors.begin()->first) +
            " is not a parameter of model " + json::quote(sig.model);
    if (tensors.size() > 1)
      error += " (nor are " + std::to_string(tensors.size() - 1) + " others)";
    return false;
  }
  std::lock_guard<std::mutex> lock(runMutex);
  params = std::move(loaded);
  paramsLoaded = true;
  return true;
}

void CompiledModel::setSeed(uint64_t value) {
  std::lock_guard<std::mutex> lock(runMutex);
  seed = value;
}

bool CompiledModel::checkInputs(const std::vector<Tensor> &inputs,
                                std::string &error) const {
  if (inputs.size() != sig.inputs.size()) {
    error = sig.function + ": expected " + std::to_string(sig.inputs.size()) +
            " input(s), got " + std::to_string(inputs.size());
    return false;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorSpec &spec = sig.inputs[i];
    const Tensor &t = inputs[i];
    if (!t.defined() || t.dtype() != spec.dtype || t.shape() != spec.shape) {
      error = sig.function + ": input " + std::to_string(i) + " (" +
              json::quote(spec.name) + "): expected " + spec.typeString() +
              ", got " +
              (t.defined() ? t.typeString() : std::string("no tensor"));
      return false;
    }
  }
  return true;
}

std::optional<std::vector<Tensor>>
CompiledModel::run(const std::vector<Tensor> &inputs, std::string &error) {
  std::lock_guard<std::mutex> lock(runMutex);
  if (!paramsLoaded) {
    error = sig.function + ": the parameters are not loaded";
    return std::nullopt;
  }
  if (!checkInputs(inputs, error))
    return std::nullopt;

  std::vector<Tensor> outputs;
  for (const TensorSpec &spec : sig.outputs)
    outputs.push_back(Tensor::uninitialized(spec.dtype, spec.shape));
  // The entry only reads its inputs and parameters; the descriptors are
  // untyped, so constness ends here.
  Descriptors descriptors;
  for (const Tensor &t : inputs)
    descriptors.add(t.raw(), t.shape());
  for (const Tensor &t : params)
    descriptors.add(t.raw(), t.shape());
  for (Tensor &t : outputs)
    descriptors.add(t.raw(), t.shape());
  descriptors.add(workspace.data(), {int64_t(sig.workspaceBytes)});
  std::vector<void *> args = descriptors.args();

  if (!callEntry(entry, args.data(), seed, hooks, error)) {
    error = sig.function + ": " + error;
    return std::nullopt;
  }
  return outputs;
}
