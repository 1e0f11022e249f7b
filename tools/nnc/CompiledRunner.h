//===- CompiledRunner.h - `nnc run --compiled` ------------------*- C++ -*-===//
//
// Runs a model through JIT-compiled code instead of the reference executor:
// the same inputs, parameters and seed give the same outputs (within float
// rounding), so every path the executor serves can be taken by compiled
// code. Compiled code has static shapes, so the model is compiled once per
// distinct set of input shapes (the last, smaller batch of a dataset gets its
// own compilation).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_TOOLS_NNC_COMPILEDRUNNER_H
#define NNC_TOOLS_NNC_COMPILEDRUNNER_H

#include "passes/Pipeline.h"
#include "runtime/compiled/CompiledModel.h"
#include "runtime/executor/Executor.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nnc::driver {

class CompiledRunner {
public:
  /// `module` is the nn-dialect module (kept unlowered; each compilation
  /// lowers a clone); `inputs` the function's input specs (their dim names
  /// bind the symbolic dims); `params` the parameter values.
  CompiledRunner(mlir::ModuleOp module, std::string function,
                 std::vector<exec::TensorSpec> inputs,
                 const std::map<std::string, rt::Tensor> &params,
                 CompileOptions options)
      : module(module), function(std::move(function)),
        inputs(std::move(inputs)), params(params), options(std::move(options)) {
  }

  bool run(const std::vector<rt::Tensor> &in, std::vector<rt::Tensor> &out,
           uint64_t seed, std::string &error);

  /// Callbacks of a compiled training step (see CompiledModel::Hooks).
  void setHooks(rt::CompiledModel::Hooks newHooks) {
    hooks = std::move(newHooks);
  }

private:
  struct Compiled {
    std::unique_ptr<mlir::ExecutionEngine> engine;
    std::unique_ptr<rt::CompiledModel> model;
  };
  Compiled *compiledFor(const std::vector<rt::Tensor> &in, std::string &error);

  mlir::ModuleOp module;
  std::string function;
  std::vector<exec::TensorSpec> inputs;
  const std::map<std::string, rt::Tensor> &params;
  CompileOptions options;
  std::map<std::string, Compiled> cache;
  rt::CompiledModel::Hooks hooks;
};

} // namespace nnc::driver

#endif // NNC_TOOLS_NNC_COMPILEDRUNNER_H
