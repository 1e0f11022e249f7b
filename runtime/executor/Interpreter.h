//===- Interpreter.h - Op-by-op evaluation of an nn function -----*- C++
//-*-===//
#ifndef NNC_RUNTIME_EXECUTOR_INTERPRETER_H
#define NNC_RUNTIME_EXECUTOR_INTERPRETER_H

#include "runtime/Tensor.h"
#include "runtime/abi/Kernels.h"
#include "runtime/executor/Executor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Value.h"

#include "llvm/ADT/DenseMap.h"

namespace nnc::nn {
class ChoiceOp;
}

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nnc::exec {

/// The kernel adapter and decoded descriptor of each op that has one,
/// built on the op's first evaluation and kept by the Executor across runs.
struct KernelCache {
  struct Entry {
    const rt::abi::Kernel *kernel = nullptr; ///< null: no adapter
    std::optional<rt::abi::KernelDescriptor> descriptor;
    std::string error; ///< why the op has no descriptor
    /// Result shapes from the result types, -1 where dynamic.
    std::vector<rt::Shape> shapes;
  };
  llvm::DenseMap<mlir::Operation *, std::unique_ptr<Entry>> entries;
};

/// Evaluates one call of a function: tensors for tensor values, integers for
/// `index` values (dynamic sizes). One instance per run.
class Interpreter {
public:
  Interpreter(std::map<std::string, rt::Tensor> &params,
              const std::map<std::string, std::string> &selected,
              const Executor::RunOptions &options, KernelCache &kernels)
      : params(params), selected(selected), kernels(kernels),
        context(options.seed, options.stochastic), profile(options.profile),
        gradientHandler(options.applyGradients) {}

  bool runFunction(mlir::func::FuncOp func,
                   const std::vector<rt::Tensor> &inputs,
                   std::vector<rt::Tensor> &outputs, std::string &error);

  // For the gradient-op dispatch (InterpreterGrad*.cpp).
  const rt::Tensor &tensor(mlir::Value v) { return tensors[v]; }
  /// An optional operand: an undefined tensor when absent.
  rt::Tensor optional(mlir::Value v) { return v ? tensors[v] : rt::Tensor(); }
  int64_t index(mlir::Value v) { return indices[v]; }
  void set(mlir::Value v, rt::Tensor t) { tensors[v] = std::move(t); }
  bool fail(mlir::Operation &op, const std::string &message);
  bool stochasticMode() const { return context.isStochastic(); }
  /// nn.optimizer_step: hands the gradients to the run's handler.
  bool applyGradients(const std::vector<std::string> &names,
                      std::vector<rt::Tensor> &grads, std::string &why) {
    if (!gradientHandler) {
      why = "this function updates parameters; run it with an optimiser";
      return false;
    }
    return gradientHandler(names, grads, why);
  }
  /// nn.assign: rebinds a buffer (running statistics) to a new value.
  void assign(const std::string &name, rt::Tensor value) {
    params[name] = std::move(value);
  }
  /// The seed of stochastic op `k` of this run (a pure function, so an op
  /// and its gradient op draw the same masks).
  uint64_t opSeed(uint64_t k) const { return context.opSeed(k); }
  /// A fresh seed for each stochastic op evaluation in this run; shared
  /// with the kernel adapters, so the sequence does not depend on which
  /// ops run through them.
  uint64_t nextSeed() { return context.nextSeed(); }

private:
  /// Runs the ops of `block` up to its terminator; returns false on error.
  bool runBlock(mlir::Block &block);
  bool runOp(mlir::Operation &op);
  /// Evaluates a region that ends in nn.yield and returns the yielded value.
  bool runRegion(mlir::Region &region, rt::Tensor &result);

  bool runChoice(nn::ChoiceOp choice);
  /// Runs `op` through its kernel adapter (InterpreterKernels.cpp); returns
  /// false if it has none.
  bool runKernelOp(mlir::Operation &op, bool &ok);

  std::map<std::string, rt::Tensor> &params;
  const std::map<std::string, std::string> &selected;
  KernelCache &kernels;
  rt::abi::RunContext context;
  llvm::DenseMap<mlir::Value, rt::Tensor> tensors;
  llvm::DenseMap<mlir::Value, int64_t> indices;
  std::string *error = nullptr;
  std::map<std::string, Executor::OpProfile> *profile;
  Executor::GradientHandler gradientHandler;
};

/// Gradient and training-step ops (InterpreterGradOps.cpp). Returns false if
/// `op` is not one of them.
bool runGradOp(Interpreter &interp, mlir::Operation &op, bool &ok);
/// Gradients of pointwise ops, losses and structured layers
/// (InterpreterGradLayerOps.cpp).
bool runGradLayerOp(Interpreter &interp, mlir::Operation &op, bool &ok);

} // namespace nnc::exec

#endif
