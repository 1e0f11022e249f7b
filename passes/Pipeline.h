//===- Pipeline.h - nn to LLVM, the compile pipeline ------------*- C++ -*-===//
#ifndef NNC_PASSES_PIPELINE_H
#define NNC_PASSES_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

namespace nnc {

struct CompileOptions {
  /// 0: no fusion, fastest compile; 1: elementwise fusion; 2, 3: LLVM's
  /// optimisation level on top (vectorisation at 2 and above).
  unsigned optLevel = 3;
  /// NAME=SIZE bindings of the inputs' symbolic dims.
  std::vector<std::string> dims;
  /// choice=label selections; unselected choices compile as the mixture.
  std::vector<std::string> select;
  /// When set, compile the model's training step instead of its forward
  /// function: nn-attach-loss with this loss, then nn-differentiate, after
  /// the shapes are made static.
  std::string trainLoss;
  double labelSmoothing = 0.0;
  /// With trainLoss: false compiles the loss function alone (nn-attach-loss
  /// without nn-differentiate), which evaluation runs in inference mode.
  bool trainStep = true;
};

/// The pass pipeline from nn (as the front end emits it) to the LLVM
/// dialect, as a textual pipeline (what `nnc compile --print-pipeline`
/// shows and `nnc-opt --nnc-lower-to-llvm` runs): prepareNNPipeline
/// followed by lowerNNPipeline.
std::string lowerToLLVMPipeline(const CompileOptions &options);
/// The nn-level preparation: choices resolved, shapes made static and, for
/// a training step, the loss and its gradients added.
std::string prepareNNPipeline(const CompileOptions &options);
/// From prepared nn functions (static shapes, no choices) to the LLVM
/// dialect with entry points.
std::string lowerNNPipeline(const CompileOptions &options);

/// Adds a textual pipeline of registered passes (upstream and nnc's) to
/// `pm` (a module-level pass manager).
llvm::LogicalResult parsePipeline(mlir::OpPassManager &pm,
                                  llvm::StringRef pipeline, std::string &error);

/// Adds lowerToLLVMPipeline to `pm`.
llvm::LogicalResult buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                                             const CompileOptions &options,
                                             std::string &error);

/// Registers `nnc-lower-to-llvm` for nnc-opt.
void registerLowerToLLVMPipeline();

} // namespace nnc

#endif // NNC_PASSES_PIPELINE_H
