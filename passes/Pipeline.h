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
};

/// The pass pipeline from nn (as the front end emits it) to the LLVM
/// dialect, as a textual pipeline (what `nnc compile --print-pipeline`
/// shows and `nnc-opt --nnc-lower-to-llvm` runs).
std::string lowerToLLVMPipeline(const CompileOptions &options);

/// Adds that pipeline to `pm` (a module-level pass manager).
llvm::LogicalResult buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                                             const CompileOptions &options,
                                             std::string &error);

/// Registers `nnc-lower-to-llvm` for nnc-opt.
void registerLowerToLLVMPipeline();

} // namespace nnc

#endif // NNC_PASSES_PIPELINE_H
