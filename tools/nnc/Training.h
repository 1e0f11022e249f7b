//===- Training.h - Pieces shared by nnc train and nnc eval -----*- C++ -*-===//
#ifndef NNC_TOOLS_NNC_TRAINING_H
#define NNC_TOOLS_NNC_TRAINING_H

#include "runtime/executor/Executor.h"
#include "runtime/train/Data.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <functional>
#include <string>
#include <vector>

namespace nnc::driver {

/// Loads `input`, resolves its search-space choices (nn-resolve-choices:
/// `choices` as name=label, the others as equal-weight mixtures), adds the
/// loss function (nn-attach-loss) and, with `differentiate`, the training
/// step (nn-differentiate). Returns the exit status; on success
/// `lossFunction` / `stepFunction` name the new functions.
int buildTrainingModule(const std::string &input, const std::string &loss,
                        double labelSmoothing,
                        const std::vector<std::string> &choices,
                        bool differentiate, mlir::MLIRContext &context,
                        mlir::OwningOpRef<mlir::ModuleOp> &module,
                        std::string &lossFunction, std::string &stepFunction);

/// Rows `indices` of `data` shaped for the model's sample input and target
/// (the loss function's two arguments): images may be fed as [N, C, H, W]
/// or flattened. `data` must have passed checkDataset for `specs`.
std::vector<rt::Tensor> makeBatch(const rt::train::Dataset &data,
                                  const int64_t *indices, int64_t count,
                                  const std::vector<exec::TensorSpec> &specs);

/// Checks that `data` can feed the loss function (so a mistake is reported
/// before training starts, naming the dataset).
bool checkDataset(const rt::train::Dataset &data, const std::string &what,
                  const std::vector<exec::TensorSpec> &specs,
                  std::string &error);

struct Metrics {
  double loss = 0;
  /// Top-1 accuracy for class-index targets; negative when not defined.
  double accuracy = -1;
  int64_t samples = 0;
};

/// Accumulates the loss and top-1 accuracy of one batch's loss-function
/// outputs (loss, model outputs...).
void accumulate(Metrics &m, const std::vector<rt::Tensor> &outputs,
                const rt::Tensor &target, int64_t &correct);

/// Runs a loss function on one batch (the model's inputs, then the target)
/// and returns its outputs (the loss, then the model's outputs): on the
/// reference executor or through compiled code.
using BatchRunner = std::function<bool(
    const std::vector<rt::Tensor> &, std::vector<rt::Tensor> &, std::string &)>;

/// Loss and accuracy of the loss function over `data` in inference mode;
/// `inputs` are its input specs, which batches are made for.
bool evaluate(const BatchRunner &lossFn,
              const std::vector<exec::TensorSpec> &inputs,
              const rt::train::Dataset &data, int64_t batchSize,
              Metrics &metrics, std::string &error);

/// "12.34%" or "-" when undefined.
std::string formatAccuracy(double accuracy);

} // namespace nnc::driver

#endif
