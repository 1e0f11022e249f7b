//===- Executor.h - Reference executor for nn-dialect programs ---*- C++
//-*-===//
//
// Runs a verified nn-dialect function op by op on the runtime kernels, with
// inference semantics: batch norm uses running statistics, dropout is the
// identity. In MC-dropout mode dropout samples a fresh mask per pass. It is
// the oracle every compiled path is checked against, so it favours clarity:
// one kernel call per op, no fusion.
//
// A `nn.choice` (a search-space decision) runs as DARTS' continuous
// relaxation with equal architecture weights (the mean of all candidates),
// unless a candidate has been selected with selectCandidate.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_EXECUTOR_EXECUTOR_H
#define NNC_RUNTIME_EXECUTOR_EXECUTOR_H

#include "runtime/Tensor.h"
#include "runtime/abi/RunContext.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nnc::exec {

struct KernelCache;

struct TensorSpec {
  std::string name;
  rt::DType dtype;
  std::vector<int64_t> shape;        // -1 where dynamic
  std::vector<std::string> dimNames; // source-level names, e.g. "B"
};

class Executor {
public:
  /// Prepares `module`'s function `function` (empty: the model's function).
  /// Returns nullopt with `error` set if the module has no such function.
  static std::optional<Executor> create(mlir::ModuleOp module,
                                        const std::string &function,
                                        std::string &error);

  const std::vector<TensorSpec> &inputs() const { return inputSpecs; }
  const std::vector<TensorSpec> &outputs() const { return outputSpecs; }
  /// Every nn.parameter, in declaration order.
  const std::vector<TensorSpec> &parameters() const { return paramSpecs; }

  /// Initialises every parameter with its declared initialiser, seeded:
  /// each parameter's stream depends only on the seed and its name.
  void initParameters(uint64_t seed);
  /// Loads parameters by name; every declared parameter must be present
  /// with the declared dtype and shape, and no other tensor may be.
  bool loadParameters(const std::map<std::string, rt::Tensor> &tensors,
                      const std::string &source, std::string &error);
  const std::map<std::string, rt::Tensor> &parameterValues() const {
    return params;
  }

  /// Fixes a choice to one candidate (by choice name and candidate label).
  bool selectCandidate(const std::string &choice, const std::string &label,
                       std::string &error);

  /// Time and call count per op name, accumulated over runs.
  struct OpProfile {
    double milliseconds = 0;
    int64_t calls = 0;
  };
  using Profile = std::map<std::string, OpProfile>;

  /// Receives the gradients of a training step's nn.optimizer_step
  /// (parameter names and gradients, in the op's order); returns false with
  /// a reason to fail the run.
  using GradientHandler = rt::abi::RunContext::GradientHandler;

  struct RunOptions {
    /// Dropout samples masks (MC dropout) instead of being the identity.
    bool stochastic = false;
    uint64_t seed = 0;
    /// When set, every op's wall time is added here.
    Profile *profile = nullptr;
    /// Required by functions that end in nn.optimizer_step.
    GradientHandler applyGradients;
  };
  /// Runs the function. Inputs are checked against the signature (dtype,
  /// rank, static sizes, and consistency of repeated symbolic sizes).
  bool run(const std::vector<rt::Tensor> &inputs,
           std::vector<rt::Tensor> &outputs, const RunOptions &options,
           std::string &error);

private:
  Executor() = default;

  mlir::ModuleOp module;
  mlir::func::FuncOp func;
  std::vector<TensorSpec> inputSpecs, outputSpecs, paramSpecs;
  std::map<std::string, rt::Tensor> params;
  std::map<std::string, std::string> selected;
  /// Each op's kernel descriptor, decoded once for all runs.
  std::shared_ptr<KernelCache> kernels;
};

/// Maps an MLIR tensor type to a spec; false for unsupported element types.
bool toSpec(mlir::Type type, TensorSpec &spec);

} // namespace nnc::exec

#endif
