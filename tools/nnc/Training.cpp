//===- Training.cpp - Pieces shared by nnc train and nnc eval -------------===//

#include "tools/nnc/Training.h"

#include "tools/nnc/Driver.h"

#include "passes/Passes.h"
#include "runtime/kernels/Elementwise.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/SourceMgr.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <optional>

using namespace nnc;
using namespace nnc::driver;

int driver::buildTrainingModule(const std::string &input,
                                const std::string &loss, double labelSmoothing,
                                const std::vector<std::string> &choices,
                                bool differentiate, mlir::MLIRContext &context,
                                mlir::OwningOpRef<mlir::ModuleOp> &module,
                                std::string &lossFunction,
                                std::string &stepFunction) {
  if (int status = loadModule(input, selectedModelName(), context, module))
    return status;
  // Pass diagnostics point into .nn sources: print them as the front end
  // does, file:line:col with the source line and a caret.
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  context.printOpOnDiagnostic(false);
  mlir::PassManager pm(&context);
  ResolveChoicesOptions resolve;
  resolve.select.assign(choices.begin(), choices.end());
  pm.addPass(createResolveChoices(resolve));
  AttachLossOptions attach;
  attach.loss = loss;
  attach.labelSmoothing = labelSmoothing;
  pm.addPass(createAttachLoss(attach));
  if (differentiate)
    pm.addPass(createDifferentiate());
  if (mlir::failed(pm.run(*module)))
    return 1;
  auto model = (*module)->getAttrOfType<mlir::StringAttr>("nn.model");
  lossFunction = (model.getValue() + "_loss").str();
  stepFunction = lossFunction + "_train_step";
  return 0;
}

static std::string specString(const exec::TensorSpec &s) {
  return std::string(rt::dtypeName(s.dtype)) + rt::shapeString(s.shape);
}

/// The shape one sample takes when fed to `spec`: the spec's dims after the
/// batch dim, with a dynamic dim (a sequence length `T`) taken from the
/// data. Images may also be fed flattened or unflattened when the element
/// counts agree. Empty when the data cannot feed the spec.
static std::optional<rt::Shape> sampleShape(const exec::TensorSpec &spec,
                                            const rt::Tensor &data) {
  if (spec.shape.empty())
    return std::nullopt;
  rt::Shape want(spec.shape.begin() + 1, spec.shape.end());
  rt::Shape have(data.shape().begin() + 1, data.shape().end());
  bool dynamic = false;
  for (size_t d = 0; d < want.size(); ++d)
    if (want[d] < 0) {
      if (want.size() != have.size())
        return std::nullopt;
      want[d] = have[d];
      dynamic = true;
    }
  auto product = [](const rt::Shape &s) {
    int64_t n = 1;
    for (int64_t d : s)
      n *= d;
    return n;
  };
  if (dynamic ? want != have : product(want) != product(have))
    return std::nullopt;
  return want;
}

bool driver::checkDataset(const rt::train::Dataset &data,
                          const std::string &what,
                          const std::vector<exec::TensorSpec> &specs,
                          std::string &error) {
  if (specs.size() != 2) {
    error = "training needs a model with one input (the loss function takes "
            "input and target), this one takes " +
            std::to_string(specs.size() - 1);
    return false;
  }
  const rt::Tensor *tensors[2] = {&data.inputs, &data.targets};
  const char *names[2] = {"inputs", "targets"};
  for (int i = 0; i < 2; ++i) {
    const exec::TensorSpec &spec = specs[i];
    bool floatSpec =
        spec.dtype == rt::DType::F32 || spec.dtype == rt::DType::F64;
    bool floatData = tensors[i]->dtype() == rt::DType::F32 ||
                     tensors[i]->dtype() == rt::DType::F64;
    if (!sampleShape(spec, *tensors[i]) || floatSpec != floatData) {
      error = what + " " + names[i] + " are " + tensors[i]->typeString() +
              " but the model's '" + spec.name + "' takes " + specString(spec);
      return false;
    }
  }
  return true;
}

std::vector<rt::Tensor>
driver::makeBatch(const rt::train::Dataset &data, const int64_t *indices,
                  int64_t count, const std::vector<exec::TensorSpec> &specs) {
  std::vector<rt::Tensor> batch;
  const rt::Tensor *tensors[2] = {&data.inputs, &data.targets};
  for (int i = 0; i < 2; ++i) {
    rt::Tensor rows = rt::train::gatherRows(*tensors[i], indices, count);
    rt::Shape shape{count};
    rt::Shape sample = *sampleShape(specs[i], *tensors[i]);
    shape.insert(shape.end(), sample.begin(), sample.end());
    rows = rows.reshaped(shape);
    if (rows.dtype() != specs[i].dtype)
      rows = rt::kernels::cast(rows, specs[i].dtype);
    batch.push_back(std::move(rows));
  }
  return batch;
}

void driver::accumulate(Metrics &m, const std::vector<rt::Tensor> &outputs,
                        const rt::Tensor &target, int64_t &correct) {
  int64_t n = target.dim(0);
  m.loss += outputs[0].at(0) * double(n);
  m.samples += n;
  const rt::Tensor &scores = outputs.size() > 1 ? outputs[1] : outputs[0];
  bool classes =
      (target.dtype() == rt::DType::I64 || target.dtype() == rt::DType::I32) &&
      target.rank() == 1 && scores.rank() == 2 && scores.dim(0) == n;
  if (!classes) {
    correct = -1;
    return;
  }
  if (correct < 0)
    return;
  int64_t C = scores.dim(1);
  for (int64_t r = 0; r < n; ++r) {
    int64_t best = 0;
    for (int64_t c = 1; c < C; ++c)
      if (scores.at(r * C + c) > scores.at(r * C + best))
        best = c;
    correct += best == int64_t(target.at(r));
  }
}

bool driver::evaluate(const BatchRunner &lossFn,
                      const std::vector<exec::TensorSpec> &inputs,
                      const rt::train::Dataset &data, int64_t batchSize,
                      Metrics &metrics, std::string &error) {
  metrics = Metrics();
  int64_t correct = 0, n = data.size();
  std::vector<int64_t> rows(n);
  for (int64_t i = 0; i < n; ++i)
    rows[i] = i;
  for (int64_t b = 0; b < n; b += batchSize) {
    int64_t count = std::min(batchSize, n - b);
    std::vector<rt::Tensor> outputs,
        batch = makeBatch(data, rows.data() + b, count, inputs);
    if (!lossFn(batch, outputs, error))
      return false;
    accumulate(metrics, outputs, batch[1], correct);
  }
  if (metrics.samples)
    metrics.loss /= double(metrics.samples);
  metrics.accuracy =
      correct >= 0 && metrics.samples ? double(correct) / metrics.samples : -1;
  return true;
}

std::string driver::formatAccuracy(double accuracy) {
  if (accuracy < 0)
    return "-";
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%.2f%%", 100 * accuracy);
  return s;
}
