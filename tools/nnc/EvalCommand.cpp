//===- EvalCommand.cpp - nnc eval -----------------------------------------===//
//
// Loss and accuracy of trained weights on a dataset's test split, through the
// same loss function (nn-attach-loss) that training validates with, compiled
// (or on the reference executor with --executor).
//
//===----------------------------------------------------------------------===//

#include "tools/nnc/CompiledRunner.h"
#include "tools/nnc/Driver.h"
#include "tools/nnc/Training.h"

#include "runtime/ThreadPool.h"
#include "runtime/io/Safetensors.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace nnc;
using namespace nnc::driver;
namespace cl = llvm::cl;

namespace {

cl::opt<std::string> evalInput(cl::Positional, cl::Required,
                               cl::desc("<file.nn>"), cl::sub(evalCommand()));
cl::opt<std::string> weightsFile("weights", cl::Required,
                                 cl::desc("Trained weights (safetensors)"),
                                 cl::value_desc("file.safetensors"),
                                 cl::sub(evalCommand()),
                                 cl::cat(trainOptionsCategory()));
cl::opt<int64_t> evalBatch("batch-size", cl::desc("Batch size (default 256)"),
                           cl::init(256), cl::sub(evalCommand()),
                           cl::cat(trainOptionsCategory()));
cl::opt<bool> evalOnExecutor(
    "executor",
    cl::desc("Evaluate on the reference executor instead of compiled code"),
    cl::sub(evalCommand()), cl::cat(trainOptionsCategory()));
cl::opt<int64_t> evalLimit("limit", cl::desc("Use only the first N samples"),
                           cl::init(0), cl::sub(evalCommand()),
                           cl::cat(trainOptionsCategory()));

int fail(const std::string &message) {
  llvm::errs() << "nnc eval: error: " << message << "\n";
  return 1;
}

} // namespace

int nnc::driver::evalModel(const std::string &lossName,
                           const std::string &dataSource,
                           const std::string &dataDir,
                           const std::vector<std::string> &choices) {
  if (evalBatch < 1)
    return fail("--batch-size must be at least 1");
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string lossFn, stepFn, error;
  if (int status = buildTrainingModule(evalInput, lossName, 0.0, choices,
                                       /*differentiate=*/false, context, module,
                                       lossFn, stepFn))
    return status;
  auto ex = exec::Executor::create(*module, lossFn, error);
  if (!ex)
    return fail(error);
  auto tensors = rt::readSafetensors(weightsFile, error);
  if (!tensors || !ex->loadParameters(*tensors, weightsFile, error))
    return fail(error);
  auto test = rt::train::loadDataset(dataSource, "test", dataDir, error);
  if (!test)
    return fail(error);
  rt::train::Dataset data = rt::train::takeFirst(*test, evalLimit);
  if (!checkDataset(data, dataSource + " test", ex->inputs(), error))
    return fail(error);
  // Compiled code by default (the loss function alone, in inference mode),
  // on the parameters the executor has checked against the model.
  BatchRunner run = [&](const std::vector<rt::Tensor> &batch,
                        std::vector<rt::Tensor> &outputs, std::string &why) {
    return ex->run(batch, outputs, {}, why);
  };
  mlir::OwningOpRef<mlir::ModuleOp> forward;
  std::unique_ptr<CompiledRunner> compiled;
  if (!evalOnExecutor) {
    if (int status =
            loadModule(evalInput, selectedModelName(), context, forward))
      return status;
    CompileOptions options;
    options.select = choices;
    options.trainLoss = lossName;
    options.trainStep = false;
    compiled = std::make_unique<CompiledRunner>(*forward, lossFn, ex->inputs(),
                                                ex->parameterValues(), options);
    run = [&](const std::vector<rt::Tensor> &batch,
              std::vector<rt::Tensor> &outputs, std::string &why) {
      return compiled->run(batch, outputs, /*seed=*/0, why);
    };
  }
  auto start = std::chrono::steady_clock::now();
  Metrics m;
  if (!evaluate(run, ex->inputs(), data, evalBatch, m, error))
    return fail(error);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  llvm::outs() << dataSource << " test: " << m.samples << " samples, loss "
               << llvm::format("%.4f", m.loss) << ", accuracy "
               << formatAccuracy(m.accuracy) << " ("
               << llvm::format("%.2f", seconds) << " s)\n";
  return 0;
}
