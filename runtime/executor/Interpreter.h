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
  /// Installs the run's hooks for nn.optimizer_step (`options`' gradient
  /// handler) and nn.assign (rebinds an entry of `params`).
  Interpreter(std::map<std::string, rt::Tensor> &params,
              const std::map<std::string, std::string> &selected,
              const Executor::RunOptions &options, KernelCache &kernels);

  bool runFunction(mlir::func::FuncOp func,
                   const std::vector<rt::Tensor> &inputs,
                   std::vector<rt::Tensor> &outputs, std::string &error);

private:
  const rt::Tensor &tensor(mlir::Value v) { return tensors[v]; }
  int64_t index(mlir::Value v) { return indices[v]; }
  void set(mlir::Value v, rt::Tensor t) { tensors[v] = std::move(t); }
  bool fail(mlir::Operation &op, const std::string &message);

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
};

} // namespace nnc::exec

#endif
