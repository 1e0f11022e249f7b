//===- Interpreter.h - Op-by-op evaluation of an nn function -----*- C++
//-*-===//
#ifndef NNC_RUNTIME_EXECUTOR_INTERPRETER_H
#define NNC_RUNTIME_EXECUTOR_INTERPRETER_H

#include "runtime/Tensor.h"
#include "runtime/executor/Executor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Value.h"

#include "llvm/ADT/DenseMap.h"

namespace nnc::nn {
class ChoiceOp;
}

#include <map>
#include <string>
#include <vector>

namespace nnc::exec {

/// Evaluates one call of a function: tensors for tensor values, integers for
/// `index` values (dynamic sizes). One instance per run.
class Interpreter {
public:
  Interpreter(std::map<std::string, rt::Tensor> &params,
              const std::map<std::string, std::string> &selected,
              const Executor::RunOptions &options)
      : params(params), selected(selected), stochastic(options.stochastic),
        seed(options.seed), profile(options.profile),
        gradientHandler(options.applyGradients) {}

  bool runFunction(mlir::func::FuncOp func,
                   const std::vector<rt::Tensor> &inputs,
                   std::vector<rt::Tensor> &outputs, std::string &error);

  // For the layer-op dispatch (InterpreterOps.cpp).
  const rt::Tensor &tensor(mlir::Value v) { return tensors[v]; }
  /// An optional operand: an undefined tensor when absent.
  rt::Tensor optional(mlir::Value v) { return v ? tensors[v] : rt::Tensor(); }
  int64_t index(mlir::Value v) { return indices[v]; }
  void set(mlir::Value v, rt::Tensor t) { tensors[v] = std::move(t); }
  bool fail(mlir::Operation &op, const std::string &message);
  bool stochasticMode() const { return stochastic; }
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
  uint64_t opSeed(uint64_t k) const {
    return seed * 0xBF58476D1CE4E5B9ull + (k + 1) * 0x94D049BB133111EBull;
  }
  /// A fresh seed for each stochastic op evaluation in this run.
  uint64_t nextSeed() { return seed * 0x9E3779B97F4A7C15ull + ++dropoutCalls; }

private:
  /// Runs the ops of `block` up to its terminator; returns false on error.
  bool runBlock(mlir::Block &block);
  bool runOp(mlir::Operation &op);
  /// Evaluates a region that ends in nn.yield and returns the yielded value.
  bool runRegion(mlir::Region &region, rt::Tensor &result);

  bool runChoice(nn::ChoiceOp choice);

  std::map<std::string, rt::Tensor> &params;
  const std::map<std::string, std::string> &selected;
  bool stochastic;
  uint64_t seed;
  uint64_t dropoutCalls = 0;
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
