//===- TrainCommand.cpp - nnc train ---------------------------------------===//
//
// Compiles the model's training step (nn-attach-loss + nn-differentiate)
// and runs it over shuffled mini-batches. Everything random is a function of
// --seed and the position in training, and a checkpoint stores the weights,
// the optimiser state and that position, so `--resume` continues exactly
// where the checkpoint was written: after SIGKILL (up to the last
// checkpoint) or SIGINT (which writes one before stopping).
//
//===----------------------------------------------------------------------===//

#include "tools/nnc/CompiledRunner.h"
#include "tools/nnc/Driver.h"
#include "tools/nnc/TrainProgress.h"
#include "tools/nnc/Training.h"

#include "dialects/nn/NNOps.h"
#include "runtime/ThreadPool.h"
#include "runtime/io/Safetensors.h"
#include "runtime/optim/Optimizer.h"
#include "runtime/optim/Schedule.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/train/Data.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>

using namespace nnc;
using namespace nnc::driver;
namespace cl = llvm::cl;
namespace optim = nnc::rt::optim;
namespace train = nnc::rt::train;

cl::OptionCategory &nnc::driver::trainOptionsCategory() {
  static cl::OptionCategory category("Training options");
  return category;
}

namespace {

#define TRAIN cl::sub(trainCommand()), cl::cat(trainOptionsCategory())

cl::opt<std::string> trainInput(cl::Positional, cl::Required,
                                cl::desc("<file.nn>"), cl::sub(trainCommand()));
cl::opt<std::string> outDir("out",
                            cl::desc("Directory for checkpoints, "
                                     "weights and metrics"),
                            cl::value_desc("dir"), TRAIN);
cl::opt<std::string> initWeights(
    "init-weights",
    cl::desc("Start from these weights instead of the seeded initialisation "
             "(fine-tuning)"),
    cl::value_desc("file.safetensors"), TRAIN);
cl::opt<std::string> resumeDir(
    "resume",
    cl::desc("Continue the run whose checkpoint is in this directory"),
    cl::value_desc("dir"), TRAIN);
cl::opt<int64_t> epochs("epochs", cl::desc("Epochs to train (default 3)"),
                        cl::init(3), TRAIN);
cl::opt<int64_t> batchSize("batch-size",
                           cl::desc("Mini-batch size (default 64)"),
                           cl::init(64), TRAIN);
cl::opt<std::string>
    optimizerName("optimizer", cl::desc("sgd, adam or adamw (default adam)"),
                  cl::init("adam"), TRAIN);
cl::opt<double> learningRate("lr", cl::desc("Learning rate (default 1e-3)"),
                             cl::init(1e-3), TRAIN);
cl::opt<double> momentum("momentum", cl::desc("SGD momentum (default 0.9)"),
                         cl::init(0.9), TRAIN);
cl::opt<bool> nesterov("nesterov", cl::desc("Nesterov momentum (SGD)"), TRAIN);
cl::opt<double> weightDecay("weight-decay",
                            cl::desc("L2 penalty (decoupled for adamw)"),
                            cl::init(0.0), TRAIN);
cl::opt<double> l1Penalty("l1", cl::desc("L1 penalty on the weights"),
                          cl::init(0.0), TRAIN);
cl::opt<std::string> scheduleName(
    "schedule",
    cl::desc("constant, step, cosine or warmup-cosine (default cosine)"),
    cl::init("cosine"), TRAIN);
cl::opt<int64_t> stepEpochs("step-epochs",
                            cl::desc("step schedule: epochs between decays"),
                            cl::init(1), TRAIN);
cl::opt<double> gamma("gamma", cl::desc("step schedule: decay factor"),
                      cl::init(0.1), TRAIN);
cl::opt<int64_t> warmupSteps("warmup-steps",
                             cl::desc("warmup-cosine: linear warm-up steps"),
                             cl::init(100), TRAIN);
cl::opt<double> clipNorm("clip-norm",
                         cl::desc("Clip the global gradient norm (0: off)"),
                         cl::init(0.0), TRAIN);
cl::list<std::string>
    freeze("freeze", cl::desc("Do not train parameters whose name starts so"),
           cl::value_desc("prefix"), TRAIN);
cl::list<std::string> groupLr(
    "group-lr",
    cl::desc("Learning rate for parameters whose name starts with PREFIX"),
    cl::value_desc("PREFIX=LR"), TRAIN);
cl::opt<std::string>
    lossName("loss",
             cl::desc("cross_entropy, nll_loss, mse_loss, l1_loss, bce_loss, "
                      "bce_with_logits_loss (default cross_entropy)"),
             cl::init("cross_entropy"), cl::sub(trainCommand()),
             cl::sub(evalCommand()), cl::cat(trainOptionsCategory()));
cl::list<std::string> trainChoices(
    "choice",
    cl::desc("Fix a search-space choice to one candidate (the others train "
             "as the equal-weight mixture of their candidates)"),
    cl::value_desc("NAME=LABEL"), cl::sub(trainCommand()),
    cl::sub(evalCommand()), cl::cat(trainOptionsCategory()));
cl::opt<double> labelSmoothing("label-smoothing",
                               cl::desc("Cross-entropy label smoothing"),
                               cl::init(0.0), TRAIN);
cl::opt<std::string> dataSource(
    "data",
    cl::desc("fashion-mnist, or a directory with {train,test}_{inputs,"
             "targets}.npy"),
    cl::init("fashion-mnist"), cl::sub(trainCommand()), cl::sub(evalCommand()),
    cl::cat(trainOptionsCategory()));
cl::opt<std::string> dataDir("data-dir", cl::desc("Where Fashion-MNIST lives"),
                             cl::init("/usr/share/datasets/fashion-mnist"),
                             cl::sub(trainCommand()), cl::sub(evalCommand()),
                             cl::cat(trainOptionsCategory()));
cl::opt<double> valFraction("val-fraction",
                            cl::desc("Share of the training data held out "
                                     "for validation (default 0.1)"),
                            cl::init(0.1), TRAIN);
cl::opt<int64_t> limit("limit",
                       cl::desc("Use only the first N training samples"),
                       cl::init(0), TRAIN);
cl::opt<int64_t> testLimit("test-limit",
                           cl::desc("Use only the first N test samples"),
                           cl::init(0), cl::sub(trainCommand()),
                           cl::sub(evalCommand()),
                           cl::cat(trainOptionsCategory()));
cl::list<std::string> augment("augment",
                              cl::desc("Image augmentation: crop (random crop "
                                       "after 2-pixel zero padding), flip"),
                              cl::CommaSeparated, TRAIN);
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed of initialisation, data order, "
                                "augmentation and dropout"),
                       cl::init(0), TRAIN);
cl::opt<int64_t> checkpointEvery(
    "checkpoint-every",
    cl::desc("Also write a checkpoint every N steps (0: each epoch only)"),
    cl::init(0), TRAIN);
cl::opt<int64_t> patience(
    "early-stopping",
    cl::desc("Stop after N epochs without a better validation accuracy"),
    cl::init(0), cl::value_desc("N"), TRAIN);
cl::opt<int> threads("threads", cl::desc("Worker threads (default: all)"),
                     cl::init(0), cl::sub(trainCommand()),
                     cl::sub(evalCommand()), cl::cat(trainOptionsCategory()));
cl::opt<bool> profileSteps("profile",
                           cl::desc("Print the time per op kind of the "
                                    "training steps (with --executor)"),
                           TRAIN);
cl::opt<bool> useExecutor(
    "executor",
    cl::desc("Run the training step on the reference executor instead of "
             "compiled native code"),
    TRAIN);
// For the resume tests: the process sends itself a signal right after this
// step, as a user's kill or Ctrl-C would, but at a reproducible point.
cl::opt<int64_t> signalAfterStep("signal-after-step", cl::Hidden, cl::init(0),
                                 cl::sub(trainCommand()));
cl::opt<std::string> signalName("signal", cl::Hidden, cl::init("KILL"),
                                cl::sub(trainCommand()));

std::atomic<bool> stopRequested{false};

void onInterrupt(int) {
  stopRequested = true;
  // A second Ctrl-C stops at once.
  std::signal(SIGINT, SIG_DFL);
}

int fail(const std::string &message) {
  llvm::errs() << "nnc train: error: " << message << "\n";
  return 1;
}

std::string path(const std::string &dir, const char *file) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, file);
  return std::string(p);
}

std::string number(double v) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%.6g", v);
  return s;
}

/// The settings a resumed run must share with its checkpoint.
std::map<std::string, std::string> runSettings(const std::string &model) {
  std::string augmentList;
  for (auto &a : augment)
    augmentList += (augmentList.empty() ? "" : ",") + a;
  std::string frozen, groups, choiceList;
  for (auto &c : trainChoices)
    choiceList += c + ";";
  for (auto &f : freeze)
    frozen += f + ";";
  for (auto &g : groupLr)
    groups += g + ";";
  return {{"model", model},
          {"data", dataSource},
          {"limit", std::to_string(limit)},
          {"val-fraction", number(valFraction)},
          {"batch-size", std::to_string(batchSize)},
          {"optimizer", optimizerName},
          {"lr", number(learningRate)},
          {"momentum", number(momentum)},
          {"nesterov", nesterov ? "true" : "false"},
          {"weight-decay", number(weightDecay)},
          {"l1", number(l1Penalty)},
          {"schedule", scheduleName},
          {"step-epochs", std::to_string(stepEpochs)},
          {"gamma", number(gamma)},
          {"warmup-steps", std::to_string(warmupSteps)},
          {"clip-norm", number(clipNorm)},
          {"loss", lossName},
          {"label-smoothing", number(labelSmoothing)},
          {"augment", augmentList},
          {"freeze", frozen},
          {"group-lr", groups},
          {"choice", choiceList},
          {"seed", std::to_string(seed)},
          {"init-weights", initWeights}};
}

bool buildSchedule(int64_t stepsPerEpoch, optim::Schedule &schedule,
                   std::string &error) {
  int64_t total = std::max<int64_t>(1, epochs * stepsPerEpoch);
  if (scheduleName == "constant")
    schedule = optim::Schedule::constant();
  else if (scheduleName == "step")
    schedule = optim::Schedule::step(stepEpochs * stepsPerEpoch, gamma);
  else if (scheduleName == "cosine")
    schedule = optim::Schedule::cosine(total, 0);
  else if (scheduleName == "warmup-cosine")
    schedule = optim::Schedule::warmupCosine(
        warmupSteps, 0.0, std::max<int64_t>(1, total - warmupSteps), 0);
  else {
    error = "unknown --schedule '" + scheduleName +
            "' (constant, step, cosine, warmup-cosine)";
    return false;
  }
  return schedule.validate(error);
}

/// Groups the trainable parameters: frozen prefixes, then --group-lr
/// prefixes (first match wins), then everything else at --lr.
bool buildOptimizer(const std::vector<std::string> &trainable,
                    const std::map<std::string, rt::Tensor> &values,
                    optim::Optimizer &optimizer, std::string &error) {
  std::vector<std::pair<std::string, double>> rates;
  for (auto &g : groupLr) {
    auto eq = g.rfind('=');
    char *end = nullptr;
    double lr =
        eq == std::string::npos ? 0 : std::strtod(g.c_str() + eq + 1, &end);
    if (eq == std::string::npos || !end || *end || lr < 0) {
      error = "--group-lr expects PREFIX=LR, got '" + g + "'";
      return false;
    }
    rates.push_back({g.substr(0, eq), lr});
  }
  optim::NamedTensors frozenParams, defaultParams;
  std::vector<optim::NamedTensors> rateParams(rates.size());
  for (const std::string &name : trainable) {
    auto value = std::make_pair(name, values.at(name));
    auto starts = [&](const std::string &p) { return name.rfind(p, 0) == 0; };
    if (std::any_of(freeze.begin(), freeze.end(), starts)) {
      frozenParams.push_back(value);
      continue;
    }
    size_t r = 0;
    while (r < rates.size() && !starts(rates[r].first))
      ++r;
    (r < rates.size() ? rateParams[r] : defaultParams).push_back(value);
  }
  optim::GroupOptions group;
  group.lr = learningRate;
  group.weightDecay = weightDecay;
  if (!optimizer.addGroup(defaultParams, group, error))
    return false;
  for (size_t r = 0; r < rates.size(); ++r) {
    optim::GroupOptions g = group;
    g.lr = rates[r].second;
    if (!optimizer.addGroup(rateParams[r], g, error))
      return false;
  }
  optim::GroupOptions frozenGroup = group;
  frozenGroup.frozen = true;
  return optimizer.addGroup(frozenParams, frozenGroup, error);
}

} // namespace

int nnc::driver::trainModel() {
  if (threads > 0)
    rt::setNumThreads(threads);
  std::string dir = resumeDir.empty() ? outDir : resumeDir;
  if (dir.empty())
    return fail("--out DIR is required (or --resume DIR)");
  if (!resumeDir.empty() && !outDir.empty() && outDir != resumeDir)
    return fail("--resume continues in its own directory; drop --out");
  if (epochs < 1 || batchSize < 1)
    return fail("--epochs and --batch-size must be at least 1");
  if (!(valFraction >= 0 && valFraction < 1))
    return fail("--val-fraction must be in [0, 1)");
  train::Augmentation augmentation;
  for (auto &a : augment) {
    if (a == "crop")
      augmentation.cropPadding = 2;
    else if (a == "flip")
      augmentation.horizontalFlip = true;
    else
      return fail("unknown --augment '" + a + "' (crop, flip)");
  }
  optim::OptimizerOptions optOptions;
  if (optimizerName == "sgd") {
    optOptions.kind = optim::OptimizerKind::SGD;
    optOptions.momentum = momentum;
    optOptions.nesterov = nesterov;
  } else if (optimizerName == "adam" || optimizerName == "adamw") {
    optOptions.kind = optimizerName == "adam" ? optim::OptimizerKind::Adam
                                              : optim::OptimizerKind::AdamW;
  } else {
    return fail("unknown --optimizer '" + optimizerName +
                "' (sgd, adam, adamw)");
  }
  std::string error;
  if (!optim::Optimizer::validate(optOptions, error))
    return fail(error);

  std::string checkpointFile = path(dir, "checkpoint.safetensors");
  bool resuming = !resumeDir.empty();
  if (resuming && !llvm::sys::fs::exists(checkpointFile))
    return fail(checkpointFile + ": no checkpoint to resume from");
  if (!resuming && llvm::sys::fs::exists(checkpointFile))
    return fail(dir + " already holds a training run (" + checkpointFile +
                "); continue it with --resume " + dir +
                " or choose another --out");

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string lossFn, stepFn;
  if (int status = buildTrainingModule(
          trainInput, lossName, labelSmoothing,
          std::vector<std::string>(trainChoices.begin(), trainChoices.end()),
          /*differentiate=*/true, context, module, lossFn, stepFn))
    return status;
  auto step = exec::Executor::create(*module, stepFn, error);
  auto evalFn = exec::Executor::create(*module, lossFn, error);
  if (!step || !evalFn)
    return fail(error);
  std::vector<std::string> trainable;
  (*module)->walk([&](nn::OptimizerStepOp op) {
    for (mlir::Attribute a : op.getParameters())
      trainable.push_back(
          mlir::cast<mlir::SymbolRefAttr>(a).getLeafReference().str());
  });

  // Data: the training split minus a seeded validation share.
  auto all = train::loadDataset(dataSource, "train", dataDir, error);
  if (!all)
    return fail(error);
  train::Dataset trainSet, valSet;
  train::splitValidation(train::takeFirst(*all, limit), valFraction, seed,
                         trainSet, valSet);
  if (trainSet.size() == 0)
    return fail("no training samples left after the validation split");
  if (!checkDataset(trainSet, dataSource + " train", step->inputs(), error))
    return fail(error);
  bool images = step->inputs()[0].shape.size() == 4;
  if (augmentation.enabled() && !images)
    return fail("--augment needs image inputs [B, C, H, W]");

  // State: fresh or from the checkpoint (weights before the optimiser, which
  // holds the parameter tensors it updates).
  std::string model =
      (*module)->getAttrOfType<mlir::StringAttr>("nn.model").getValue().str();
  train::Checkpoint state;
  state.settings = runSettings(model);
  if (resuming) {
    train::Checkpoint saved;
    if (!train::loadCheckpoint(checkpointFile, saved, error))
      return fail(error);
    std::string mismatch =
        train::compareSettings(saved.settings, state.settings, checkpointFile);
    if (!mismatch.empty())
      return fail(mismatch);
    if (!step->loadParameters(saved.model, checkpointFile + " (model/...)",
                              error))
      return fail(error);
    state = std::move(saved);
  } else {
    step->initParameters(seed);
    if (!initWeights.empty()) {
      auto tensors = rt::readSafetensors(initWeights, error);
      if (!tensors || !step->loadParameters(*tensors, initWeights, error))
        return fail(error);
    }
    if (std::error_code ec = llvm::sys::fs::create_directories(dir))
      return fail("cannot create " + dir + ": " + ec.message());
  }
  optim::Optimizer optimizer(optOptions);
  if (!buildOptimizer(trainable, step->parameterValues(), optimizer, error))
    return fail(error);
  if (resuming && !optimizer.loadState(state.optimizer, error))
    return fail(checkpointFile + " (optimizer/...): " + error);

  int64_t stepsPerEpoch = (trainSet.size() + batchSize - 1) / batchSize;
  optim::Schedule schedule;
  if (!buildSchedule(stepsPerEpoch, schedule, error))
    return fail(error);

  auto save = [&](int64_t epochsDone, int64_t stepInEpoch) {
    state.model = step->parameterValues();
    state.optimizer = optimizer.state();
    state.epoch = epochsDone;
    state.stepInEpoch = stepInEpoch;
    std::string why;
    if (!train::saveCheckpoint(checkpointFile, state, why)) {
      llvm::errs() << "nnc train: error: " << why << "\n";
      return false;
    }
    return true;
  };
  auto weightsOf = [&]() {
    std::vector<std::pair<std::string, rt::Tensor>> w(
        step->parameterValues().begin(), step->parameterValues().end());
    return w;
  };

  std::string metricsFile = path(dir, "metrics.jsonl");
  std::vector<std::string> metricLines =
      resuming ? readMetrics(metricsFile, state.epoch)
               : std::vector<std::string>();
  llvm::errs() << "training " << model << ": " << trainSet.size()
               << " samples (" << valSet.size() << " for validation), "
               << stepsPerEpoch << " steps/epoch, " << trainable.size()
               << " parameter tensors, " << rt::numThreads() << " threads"
               << (resuming ? ", resumed at epoch " +
                                  std::to_string(state.epoch + 1) + " step " +
                                  std::to_string(state.stepInEpoch)
                            : std::string())
               << "\n";

  exec::Executor::RunOptions runOptions;
  exec::Executor::Profile profile;
  if (profileSteps)
    runOptions.profile = &profile;
  runOptions.applyGradients = [&](const std::vector<std::string> &names,
                                  std::vector<rt::Tensor> &grads,
                                  std::string &why) {
    if (l1Penalty > 0)
      for (size_t i = 0; i < names.size(); ++i)
        optim::addL1Penalty(grads[i], step->parameterValues().at(names[i]),
                            float(l1Penalty));
    if (clipNorm > 0)
      optim::clipGradNorm(grads, clipNorm);
    std::map<std::string, rt::Tensor> byName;
    for (size_t i = 0; i < names.size(); ++i)
      byName[names[i]] = grads[i];
    return optimizer.step(byName, why);
  };

  // The training step as native code (the default): the same step function,
  // compiled for each batch shape it meets, updating the very parameter
  // tensors the optimiser and the checkpoints hold.
  mlir::OwningOpRef<mlir::ModuleOp> forward;
  std::unique_ptr<CompiledRunner> compiledStep, compiledEval;
  auto releaseStep = llvm::make_scope_exit([&] {
    compiledStep.reset();
    compiledEval.reset();
  });
  if (!useExecutor) {
    if (profileSteps)
      return fail("--profile times the executor's ops; add --executor");
    if (int status =
            loadModule(trainInput, selectedModelName(), context, forward))
      return status;
    CompileOptions options;
    options.select.assign(trainChoices.begin(), trainChoices.end());
    options.trainLoss = lossName;
    options.labelSmoothing = labelSmoothing;
    compiledStep = std::make_unique<CompiledRunner>(
        *forward, stepFn, step->inputs(), step->parameterValues(), options);
    // Validation and test evaluation: the loss function alone, on the same
    // parameter tensors.
    CompileOptions evalOptions = options;
    evalOptions.trainStep = false;
    compiledEval =
        std::make_unique<CompiledRunner>(*forward, lossFn, evalFn->inputs(),
                                         step->parameterValues(), evalOptions);
    rt::CompiledModel::Hooks hooks;
    hooks.gradients = runOptions.applyGradients;
    hooks.assign = [&](const std::string &name, const rt::Tensor &value,
                       std::string &why) {
      // Into the buffer compiled code and checkpoints read.
      auto it = step->parameterValues().find(name);
      if (it == step->parameterValues().end() ||
          it->second.shape() != value.shape() ||
          it->second.dtype() != value.dtype()) {
        why = "nn.assign of unknown or mismatched buffer '" + name + "'";
        return false;
      }
      rt::Tensor target = it->second;
      std::memcpy(target.raw(), value.raw(), value.bytes());
      return true;
    };
    compiledStep->setHooks(std::move(hooks));
  }
  auto runStep = [&](const std::vector<rt::Tensor> &batch,
                     std::vector<rt::Tensor> &outputs, std::string &why) {
    if (compiledStep)
      return compiledStep->run(batch, outputs, runOptions.seed, why);
    return step->run(batch, outputs, runOptions, why);
  };
  // Loss and accuracy in inference mode on the current weights: compiled
  // code shares the training tensors; the executor takes a copy first.
  BatchRunner runEval = [&](const std::vector<rt::Tensor> &batch,
                            std::vector<rt::Tensor> &outputs,
                            std::string &why) {
    if (compiledEval)
      return compiledEval->run(batch, outputs, runOptions.seed, why);
    return evalFn->run(batch, outputs, {}, why);
  };
  auto evaluateNow = [&](const train::Dataset &data, Metrics &metrics,
                         std::string &why) {
    if (!compiledEval &&
        !evalFn->loadParameters(step->parameterValues(), "training", why))
      return false;
    return evaluate(runEval, evalFn->inputs(), data, batchSize, metrics, why);
  };
  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);

  bool stoppedEarly = false;
  auto trainingStart = std::chrono::steady_clock::now();
  for (int64_t epoch = state.epoch; epoch < epochs && !stoppedEarly; ++epoch) {
    std::vector<int64_t> order =
        train::permutation(trainSet.size(), seed, uint64_t(epoch));
    Progress progress(epoch + 1, stepsPerEpoch, state.stepInEpoch);
    auto epochStart = std::chrono::steady_clock::now();
    int64_t imagesThisRun = 0;
    for (int64_t s = state.stepInEpoch; s < stepsPerEpoch; ++s) {
      if (stopRequested) {
        progress.finish();
        if (!save(epoch, s))
          return 1;
        llvm::errs() << "interrupted: checkpoint written at epoch " << epoch + 1
                     << " step " << s << "; continue with "
                     << "nnc train " << trainInput << " --resume " << dir
                     << "\n";
        return 130;
      }
      int64_t first = s * batchSize;
      int64_t count = std::min<int64_t>(batchSize, trainSet.size() - first);
      std::vector<rt::Tensor> outputs,
          batch =
              makeBatch(trainSet, order.data() + first, count, step->inputs());
      if (augmentation.enabled())
        train::augmentImages(batch[0], augmentation,
                             seed * 0x9E3779B97F4A7C15ull + state.globalStep);
      optim::applySchedule(optimizer, schedule, state.globalStep);
      runOptions.seed = seed * 0xD1B54A32D192ED03ull + state.globalStep;
      if (!runStep(batch, outputs, error))
        return fail(error);
      int64_t correct = state.trainCorrect;
      Metrics batchMetrics;
      accumulate(batchMetrics, outputs, batch[1], correct);
      state.trainLossSum += batchMetrics.loss;
      state.trainCorrect = correct;
      state.trainSeen += count;
      ++state.globalStep;
      state.stepInEpoch = s + 1;
      imagesThisRun += count;
      double meanLoss = state.trainLossSum / state.trainSeen;
      double accuracy = correct >= 0 ? double(correct) / state.trainSeen : -1;
      if (!std::isfinite(outputs[0].at(0)))
        return fail("the loss is " + number(outputs[0].at(0)) + " at step " +
                    std::to_string(state.globalStep) +
                    "; lower --lr or add --clip-norm");
      progress.update(s + 1, imagesThisRun, meanLoss, accuracy,
                      s + 1 == stepsPerEpoch);
      if (checkpointEvery > 0 && state.globalStep % checkpointEvery == 0 &&
          s + 1 < stepsPerEpoch && !save(epoch, s + 1))
        return 1;
      if (signalAfterStep > 0 && state.globalStep == signalAfterStep)
        std::raise(signalName == "INT" ? SIGINT : SIGKILL);
    }
    progress.finish();
    double epochSeconds = std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - epochStart)
                              .count();

    // Validation in inference mode on the current weights.
    Metrics val;
    if (valSet.size()) {
      if (!evaluateNow(valSet, val, error))
        return fail(error);
    }
    double trainLoss =
        state.trainLossSum / std::max<int64_t>(1, state.trainSeen);
    double trainAcc = state.trainCorrect >= 0
                          ? double(state.trainCorrect) / state.trainSeen
                          : -1;
    bool improved = valSet.size() && val.accuracy > state.bestAccuracy;
    if (improved) {
      state.bestAccuracy = val.accuracy;
      state.epochsWithoutImprovement = 0;
    } else {
      ++state.epochsWithoutImprovement;
    }
    stoppedEarly = patience > 0 && state.epochsWithoutImprovement >= patience;
    std::string line;
    llvm::raw_string_ostream os(line);
    os << "{\"epoch\": " << epoch + 1 << ", \"step\": " << state.globalStep
       << ", \"lr\": " << number(optimizer.group(0).lr)
       << ", \"train_loss\": " << number(trainLoss)
       << ", \"train_accuracy\": " << number(trainAcc);
    if (valSet.size())
      os << ", \"val_loss\": " << number(val.loss)
         << ", \"val_accuracy\": " << number(val.accuracy);
    os << ", \"seconds\": " << number(epochSeconds)
       << ", \"samples_per_second\": "
       << number(imagesThisRun / std::max(epochSeconds, 1e-9))
       << (stoppedEarly ? ", \"early_stop\": true" : "") << "}";
    metricLines.push_back(line);
    llvm::errs() << "epoch " << epoch + 1 << ": train loss "
                 << llvm::format("%.4f", trainLoss) << " acc "
                 << formatAccuracy(trainAcc);
    if (valSet.size())
      llvm::errs() << ", val loss " << llvm::format("%.4f", val.loss) << " acc "
                   << formatAccuracy(val.accuracy);
    llvm::errs() << ", " << llvm::format("%.1f", epochSeconds) << " s\n";

    state.trainLossSum = 0;
    state.trainCorrect = 0;
    state.trainSeen = 0;
    if (!writeLines(metricsFile, metricLines, error) ||
        !rt::writeSafetensors(path(dir, "weights.safetensors"), weightsOf(),
                              error) ||
        (improved && !rt::writeSafetensors(path(dir, "best.safetensors"),
                                           weightsOf(), error)))
      return fail(error);
    if (!save(epoch + 1, 0))
      return 1;
    state.stepInEpoch = 0;
    if (stoppedEarly)
      llvm::errs() << "early stopping: no better validation accuracy for "
                   << patience << " epochs\n";
  }
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - trainingStart)
                       .count();

  if (profileSteps)
    printProfile(profile, llvm::errs());

  // The test split, when the dataset has one.
  auto test = train::loadDataset(dataSource, "test", dataDir, error);
  if (test) {
    train::Dataset testSet = train::takeFirst(*test, testLimit);
    Metrics m;
    if (!checkDataset(testSet, dataSource + " test", evalFn->inputs(), error) ||
        !evaluateNow(testSet, m, error))
      return fail(error);
    llvm::outs() << model << ": test loss " << llvm::format("%.4f", m.loss)
                 << ", test accuracy " << formatAccuracy(m.accuracy) << " on "
                 << m.samples << " samples after " << state.epoch << " epochs ("
                 << llvm::format("%.1f", seconds) << " s this run); weights in "
                 << path(dir, "weights.safetensors") << "\n";
  } else {
    llvm::outs() << model << ": trained " << state.epoch << " epochs ("
                 << llvm::format("%.1f", seconds) << " s this run); weights in "
                 << path(dir, "weights.safetensors") << "\n";
  }
  return 0;
}

int nnc::driver::evalWithTrainOptions() {
  if (threads > 0)
    rt::setNumThreads(threads);
  return evalModel(
      lossName, dataSource, dataDir,
      std::vector<std::string>(trainChoices.begin(), trainChoices.end()));
}
