//===- Pipeline.cpp - nn to LLVM, the compile pipeline --------------------===//
//
// nn -> (static shapes, weights as arguments) -> linalg + nnrt kernel calls
// -> fused elementwise loops -> one-shot bufferization -> static memory plan
// -> loops -> LLVM dialect -> entry points. docs/design.md explains each
// stage; every stage is an upstream pass except the nnc ones in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Pipeline.h"
#include "passes/Passes.h"

#include "mlir/InitAllPasses.h"

#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

std::string nnc::prepareNNPipeline(const CompileOptions &options) {
  std::vector<std::string> passes;
  auto withList = [&](const char *pass, const char *option,
                      const std::vector<std::string> &items) {
    passes.push_back(items.empty() ? std::string(pass)
                                   : std::string(pass) + "{" + option + "=" +
                                         llvm::join(items, ",") + "}");
  };
  withList("nn-resolve-choices", "select", options.select);
  withList("nn-specialize-shapes", "dims", options.dims);
  if (!options.trainLoss.empty()) {
    // After specialisation, so the loss and gradient ops get static types.
    passes.push_back(
        "nn-attach-loss{loss=" + options.trainLoss +
        " label-smoothing=" + std::to_string(options.labelSmoothing) + "}");
    if (options.trainStep)
      passes.push_back("nn-differentiate");
  }
  return llvm::join(passes, ",");
}

std::string nnc::lowerToLLVMPipeline(const CompileOptions &options) {
  return prepareNNPipeline(options) + "," + lowerNNPipeline(options);
}

std::string nnc::lowerNNPipeline(const CompileOptions &options) {
  std::vector<std::string> passes;
  auto add = [&](std::string p) { passes.push_back(std::move(p)); };
  add("nn-params-to-arguments");
  // A training step interleaves each block's forward ops with its gradient
  // ops in one function, which read the values fusion would drop; only
  // inference is outlined and fused.
  bool inference = !options.trainStep || options.trainLoss.empty();
  if (inference)
    add("nn-outline-repeated-blocks");
  add("canonicalize");
  if (inference && options.optLevel >= 1)
    add("nn-fuse-epilogues");
  add("convert-nn-to-linalg");
  add("convert-nn-to-kernel-calls");
  if (options.optLevel >= 1) {
    add("canonicalize");
    add("cse");
    // Producer/consumer chains of elementwise generics become one loop nest.
    add("linalg-fuse-elementwise-ops");
    add("canonicalize");
  }
  if (options.optLevel >= 2)
    add("nnc-approximate-math");
  add("one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map}");
  // Results are written straight into the caller's buffers.
  add("buffer-results-to-out-params{hoist-static-allocs "
      "modify-public-functions}");
  add("canonicalize");
  add("nnc-plan-memory");
  add("buffer-deallocation-pipeline");
  add("nnc-emit-metadata");
  // Each distinct loop nest is lowered and optimised once, out of line.
  add("nnc-outline-loop-nests");
  add("convert-linalg-to-loops");
  add("convert-scf-to-cf");
  add("expand-strided-metadata");
  add("lower-affine");
  add("convert-math-to-llvm");
  add("convert-math-to-libm");
  // Every compiled shape is static, so a memref argument is passed as its
  // aligned pointer alone: calls of outlined loop nests stay small, and
  // nnc-emit-entry-points maps `void **args` onto the arguments one to one.
  add("convert-func-to-llvm{use-bare-ptr-memref-call-conv}");
  add("convert-to-llvm");
  add("reconcile-unrealized-casts");
  // Folds the memref descriptors built from each bare pointer at the top of
  // a function, so that nnc-emit-entry-points loads each argument just
  // before its first real use.
  add("canonicalize");
  add("nnc-emit-entry-points");
  return llvm::join(passes, ",");
}

LogicalResult nnc::parsePipeline(OpPassManager &pm, StringRef pipeline,
                                 std::string &error) {
  // The textual pipeline names passes through the registry.
  static bool registered = [] {
    registerAllPasses();
    registerNNCPasses();
    return true;
  }();
  (void)registered;
  llvm::raw_string_ostream os(error);
  return parsePassPipeline(pipeline, pm, os);
}

LogicalResult nnc::buildLowerToLLVMPipeline(OpPassManager &pm,
                                            const CompileOptions &options,
                                            std::string &error) {
  return parsePipeline(pm, lowerToLLVMPipeline(options), error);
}

namespace {
struct PipelineOptions : PassPipelineOptions<PipelineOptions> {
  Option<unsigned> optLevel{*this, "opt-level", llvm::cl::desc("0 to 3"),
                            llvm::cl::init(3)};
  ListOption<std::string> dims{*this, "dims",
                               llvm::cl::desc("NAME=SIZE dim bindings")};
  ListOption<std::string> select{*this, "select",
                                 llvm::cl::desc("choice=label selections")};
};
} // namespace

void nnc::registerLowerToLLVMPipeline() {
  PassPipelineRegistration<PipelineOptions>(
      "nnc-lower-to-llvm",
      "nnc's compile pipeline: nn to the LLVM dialect with entry points",
      [](OpPassManager &pm, const PipelineOptions &o) {
        CompileOptions options;
        options.optLevel = o.optLevel;
        options.dims.assign(o.dims.begin(), o.dims.end());
        options.select.assign(o.select.begin(), o.select.end());
        std::string error;
        if (failed(buildLowerToLLVMPipeline(pm, options, error)))
          llvm::errs() << "nnc-lower-to-llvm: " << error << "\n";
      });
}
