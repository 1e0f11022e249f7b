//===- CompiledRunner.cpp - `nnc run --compiled` --------------------------===//

#include "tools/nnc/CompiledRunner.h"
#include "tools/nnc/Codegen.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/Support/SourceMgr.h"

using namespace nnc;
using namespace nnc::driver;

CompiledRunner::Compiled *
CompiledRunner::compiledFor(const std::vector<rt::Tensor> &in,
                            std::string &error) {
  if (in.size() != inputs.size()) {
    error = "expected " + std::to_string(inputs.size()) + " inputs, got " +
            std::to_string(in.size());
    return nullptr;
  }
  // Bind each symbolic dim to the size the inputs give it.
  std::map<std::string, int64_t> dims;
  std::string key;
  for (size_t i = 0; i < in.size(); ++i) {
    const exec::TensorSpec &spec = inputs[i];
    key += in[i].typeString() + ";";
    if (in[i].rank() != int64_t(spec.shape.size())) {
      error = "input '" + spec.name + "' must have rank " +
              std::to_string(spec.shape.size()) + ", got " + in[i].typeString();
      return nullptr;
    }
    for (size_t d = 0; d < spec.shape.size(); ++d) {
      std::string name = d < spec.dimNames.size() ? spec.dimNames[d] : "";
      // Unnamed dims (a training target's) follow from the named ones.
      if (spec.shape[d] >= 0 || name.empty())
        continue;
      auto [it, inserted] = dims.emplace(name, in[i].dim(d));
      if (!inserted && it->second != in[i].dim(d)) {
        error = "dim '" + name + "' is " + std::to_string(it->second) +
                " in one input and " + std::to_string(in[i].dim(d)) +
                " in input '" + spec.name + "'";
        return nullptr;
      }
    }
  }
  if (auto it = cache.find(key); it != cache.end())
    return &it->second;

  CompileOptions specialised = options;
  for (auto &[name, size] : dims)
    specialised.dims.push_back(name + "=" + std::to_string(size));
  mlir::OwningOpRef<mlir::ModuleOp> lowered(module.clone());
  std::string diagnostics;
  {
    // Compilation problems become the run's error message, located in the
    // .nn source as the front end's are.
    llvm::raw_string_ostream os(diagnostics);
    llvm::SourceMgr sourceMgr;
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, module.getContext(),
                                             os);
    module.getContext()->printOpOnDiagnostic(false);
    if (failed(lowerToLLVMDialect(*lowered, specialised))) {
      error = "compilation failed:\n" + diagnostics;
      return nullptr;
    }
  }
  Compiled compiled;
  compiled.engine = jit(*lowered, specialised.optLevel, error);
  if (!compiled.engine)
    return nullptr;
  std::string metadata;
  for (auto &[name, json] : compiledFunctions(*lowered))
    if (name == function)
      metadata = json;
  auto entry = compiled.engine->lookup("nnc_entry_" + function);
  if (metadata.empty() || !entry) {
    if (!entry)
      llvm::consumeError(entry.takeError());
    error = "the compiled module has no entry point for '" + function + "'";
    return nullptr;
  }
  compiled.model = rt::CompiledModel::create(
      metadata, reinterpret_cast<rt::CompiledModel::EntryFn>(*entry), error);
  if (!compiled.model)
    return nullptr;
  // The function's own parameters (a module may hold more).
  std::map<std::string, rt::Tensor> used;
  for (const rt::TensorSpec &p : compiled.model->signature().params)
    if (auto it = params.find(p.name); it != params.end())
      used.emplace(p.name, it->second);
  if (!compiled.model->setParameters(std::move(used), "the model's parameters",
                                     error))
    return nullptr;
  return &cache.emplace(key, std::move(compiled)).first->second;
}

bool CompiledRunner::run(const std::vector<rt::Tensor> &in,
                         std::vector<rt::Tensor> &out, uint64_t seed,
                         std::string &error) {
  Compiled *compiled = compiledFor(in, error);
  if (!compiled)
    return false;
  compiled->model->setSeed(seed);
  compiled->model->setHooks(hooks);
  auto result = compiled->model->run(in, error);
  if (!result)
    return false;
  out = std::move(*result);
  return true;
}
