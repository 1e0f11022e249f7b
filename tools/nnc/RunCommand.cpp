//===- RunCommand.cpp - `nnc run`: the reference executor from the CLI ----===//

#include "tools/nnc/Codegen.h"
#include "tools/nnc/CompiledRunner.h"
#include "tools/nnc/Driver.h"

#include "runtime/ThreadPool.h"
#include "runtime/executor/Executor.h"
#include "runtime/io/Idx.h"
#include "runtime/io/Npy.h"
#include "runtime/io/Safetensors.h"
#include "runtime/kernels/Random.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>

using namespace nnc;
using namespace nnc::driver;
namespace cl = llvm::cl;

cl::OptionCategory &nnc::driver::runOptionsCategory() {
  static cl::OptionCategory category("Run options");
  return category;
}

namespace {

cl::opt<std::string> runInput(cl::Positional, cl::Required,
                              cl::desc("<file.nn>"), cl::sub(runCommand()));
cl::opt<std::string>
    weightsFile("weights",
                cl::desc("Load parameters from a safetensors file (names as "
                         "in a PyTorch state_dict)"),
                cl::value_desc("file.safetensors"), cl::sub(runCommand()),
                cl::cat(runOptionsCategory()));
cl::opt<std::string> functionName(
    "function",
    cl::desc("Function to run (default: the model's; e.g. a gradient "
             "function in a .mlir file from nnc-opt --nn-differentiate)"),
    cl::value_desc("name"), cl::sub(runCommand()),
    cl::cat(runOptionsCategory()));
cl::opt<std::string> saveWeights(
    "save-weights",
    cl::desc("Write the parameters (loaded or initialised) to a safetensors "
             "file"),
    cl::value_desc("file.safetensors"), cl::sub(runCommand()),
    cl::cat(runOptionsCategory()));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed for initialisation, random inputs and "
                                "MC dropout (default 0)"),
                       cl::init(0), cl::sub(runCommand()),
                       cl::cat(runOptionsCategory()));
cl::list<std::string>
    inputFiles("input",
               cl::desc("Read input NAME from a .npy file (repeatable)"),
               cl::value_desc("NAME=file.npy"), cl::sub(runCommand()),
               cl::cat(runOptionsCategory()));
cl::list<std::string>
    dimValues("dim",
              cl::desc("Size of a symbolic dimension for random inputs, e.g. "
                       "--dim B=32 (default 2)"),
              cl::value_desc("NAME=SIZE"), cl::sub(runCommand()),
              cl::cat(runOptionsCategory()));
cl::opt<std::string>
    dataset("data",
            cl::desc("Run on a dataset: 'fashion-mnist' (its test set)"),
            cl::value_desc("name"), cl::sub(runCommand()),
            cl::cat(runOptionsCategory()));
cl::opt<std::string> dataDir("data-dir", cl::desc("Where the dataset lives"),
                             cl::init("/usr/share/datasets/fashion-mnist"),
                             cl::sub(runCommand()),
                             cl::cat(runOptionsCategory()));
cl::opt<int64_t> batchSize("batch-size",
                           cl::desc("Batch size for --data (default 256)"),
                           cl::init(256), cl::sub(runCommand()),
                           cl::cat(runOptionsCategory()));
cl::opt<int64_t> limit("limit",
                       cl::desc("Use only the first N dataset samples"),
                       cl::init(0), cl::sub(runCommand()),
                       cl::cat(runOptionsCategory()));
cl::opt<std::string>
    outputPath("output",
               cl::desc("Write the output as .npy (a directory for several "
                        "outputs: one NAME.npy each)"),
               cl::value_desc("path"), cl::sub(runCommand()),
               cl::cat(runOptionsCategory()));
cl::opt<unsigned> mcSamples(
    "mc-dropout",
    cl::desc("MC dropout: T stochastic passes; outputs become the mean, and "
             "NAME.var the variance"),
    cl::value_desc("T"), cl::init(0), cl::sub(runCommand()),
    cl::cat(runOptionsCategory()));
cl::list<std::string>
    choices("choice",
            cl::desc("Fix a search-space choice to one candidate (default: "
                     "the equal-weight mixture of all candidates)"),
            cl::value_desc("NAME=LABEL"), cl::sub(runCommand()),
            cl::cat(runOptionsCategory()));
cl::opt<unsigned>
    repeat("repeat",
           cl::desc("Time N runs after one warm-up run and report the median "
                    "(for benchmarks)"),
           cl::value_desc("N"), cl::init(1), cl::sub(runCommand()),
           cl::cat(runOptionsCategory()));
cl::opt<bool> compiled(
    "compiled",
    cl::desc("Run JIT-compiled native code (the nnc compile pipeline, at -O) "
             "instead of the reference executor"),
    cl::sub(runCommand()), cl::cat(runOptionsCategory()));
cl::opt<unsigned> timeRuns(
    "time-runs",
    cl::desc("Benchmark: time N runs on the same inputs after the warm-up "
             "runs and print only 'latency_ms: median=... min=... mean=... "
             "runs=N'"),
    cl::value_desc("N"), cl::init(0), cl::sub(runCommand()),
    cl::cat(runOptionsCategory()));
cl::opt<unsigned> warmupRuns("warmup-runs",
                             cl::desc("Untimed runs before --time-runs "
                                      "(default 1)"),
                             cl::value_desc("W"), cl::init(1),
                             cl::sub(runCommand()),
                             cl::cat(runOptionsCategory()));
cl::opt<bool> profileOps("profile",
                         cl::desc("Print the time spent in each kind of op"),
                         cl::sub(runCommand()), cl::cat(runOptionsCategory()));
cl::opt<int> threads("threads", cl::desc("Worker threads (default: all cores)"),
                     cl::init(0), cl::sub(runCommand()),
                     cl::cat(runOptionsCategory()));

int fail(const std::string &message) {
  llvm::errs() << "nnc: error: " << message << "\n";
  return 1;
}

bool splitPair(const std::string &text, std::string &key, std::string &value) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return false;
  key = text.substr(0, eq);
  value = text.substr(eq + 1);
  return true;
}

/// Seeded random data for one input: standard normal floats, small
/// non-negative integers (valid indices for any embedding or edge list),
/// all-false masks.
rt::Tensor randomInput(const exec::TensorSpec &spec,
                       const std::map<std::string, int64_t> &dims,
                       uint64_t seed, uint64_t stream) {
  rt::Shape shape;
  for (size_t d = 0; d < spec.shape.size(); ++d) {
    if (spec.shape[d] >= 0) {
      shape.push_back(spec.shape[d]);
      continue;
    }
    std::string name = d < spec.dimNames.size() ? spec.dimNames[d] : "?";
    auto it = dims.find(name);
    shape.push_back(it == dims.end() ? 2 : it->second);
  }
  if (rt::isFloating(spec.dtype))
    return rt::kernels::randomNormal(shape, spec.dtype, seed, stream);
  if (spec.dtype == rt::DType::Bool)
    return rt::Tensor(spec.dtype, shape); // masks: nothing masked
  rt::Tensor u =
      rt::kernels::randomUniform(shape, rt::DType::F64, seed, stream, 0.0, 2.0);
  rt::Tensor t(spec.dtype, shape);
  for (int64_t i = 0, n = t.numel(); i < n; ++i)
    t.set(i, std::floor(u.data<double>()[i]));
  return t;
}

void printSummary(const std::string &name, const rt::Tensor &t) {
  llvm::outs() << "output " << name << ": " << t.typeString();
  int64_t n = t.numel();
  llvm::outs() << "  values:";
  for (int64_t i = 0; i < std::min<int64_t>(n, 6); ++i)
    llvm::outs() << " " << llvm::format("%.6g", t.at(i));
  if (n > 6)
    llvm::outs() << " ...";
  llvm::outs() << "\n";
  bool scores = !llvm::StringRef(name).ends_with(".var");
  if (scores && t.rank() == 2 && t.dim(1) > 1 && rt::isFloating(t.dtype())) {
    llvm::outs() << "  top-1 class per row:";
    for (int64_t r = 0; r < std::min<int64_t>(t.dim(0), 16); ++r) {
      int64_t best = 0;
      for (int64_t c = 1; c < t.dim(1); ++c)
        if (t.at(r * t.dim(1) + c) > t.at(r * t.dim(1) + best))
          best = c;
      llvm::outs() << " " << best;
    }
    llvm::outs() << (t.dim(0) > 16 ? " ...\n" : "\n");
  }
}

/// Runs the executor once, or T times with dropout sampling (mean and
/// variance of every output).
exec::Executor::Profile opProfile;

/// Set by --compiled: runs go through compiled code instead.
std::unique_ptr<CompiledRunner> compiledRunner;

bool runOnce(exec::Executor &ex, const std::vector<rt::Tensor> &inputs,
             std::vector<rt::Tensor> &outputs, std::vector<rt::Tensor> &vars,
             uint64_t passSeed, std::string &error) {
  if (compiledRunner)
    return compiledRunner->run(inputs, outputs, passSeed, error);
  exec::Executor::RunOptions options;
  options.seed = passSeed;
  options.profile = profileOps ? &opProfile : nullptr;
  if (mcSamples == 0)
    return ex.run(inputs, outputs, options, error);
  std::vector<rt::Tensor> sum, sumSq;
  for (unsigned s = 0; s < mcSamples; ++s) {
    std::vector<rt::Tensor> out;
    options.stochastic = true;
    options.seed = passSeed * 1000003 + s;
    if (!ex.run(inputs, out, options, error))
      return false;
    if (s == 0)
      for (auto &o : out) {
        sum.push_back(rt::Tensor(rt::DType::F64, o.shape()));
        sumSq.push_back(rt::Tensor(rt::DType::F64, o.shape()));
      }
    for (size_t k = 0; k < out.size(); ++k)
      for (int64_t i = 0, n = out[k].numel(); i < n; ++i) {
        double v = out[k].at(i);
        sum[k].data<double>()[i] += v;
        sumSq[k].data<double>()[i] += v * v;
      }
  }
  outputs.clear();
  vars.clear();
  for (size_t k = 0; k < sum.size(); ++k) {
    rt::Tensor mean(rt::DType::F32, sum[k].shape());
    rt::Tensor var(rt::DType::F32, sum[k].shape());
    for (int64_t i = 0, n = mean.numel(); i < n; ++i) {
      double m = sum[k].data<double>()[i] / mcSamples;
      mean.data<float>()[i] = float(m);
      var.data<float>()[i] =
          float(std::max(0.0, sumSq[k].data<double>()[i] / mcSamples - m * m));
    }
    outputs.push_back(mean);
    vars.push_back(var);
  }
  return true;
}

bool writeOutputs(const std::vector<exec::TensorSpec> &specs,
                  const std::vector<rt::Tensor> &outputs,
                  const std::vector<rt::Tensor> &vars, std::string &error) {
  bool single = outputs.size() == 1 && vars.empty() &&
                llvm::StringRef(outputPath).ends_with(".npy");
  if (single)
    return rt::writeNpy(outputPath, outputs[0], error);
  if (std::error_code ec = llvm::sys::fs::create_directories(outputPath)) {
    error = "cannot create directory '" + outputPath + "': " + ec.message();
    return false;
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    llvm::SmallString<256> p(outputPath);
    llvm::sys::path::append(p, specs[k].name + ".npy");
    if (!rt::writeNpy(std::string(p), outputs[k], error))
      return false;
    if (k < vars.size()) {
      llvm::SmallString<256> v(outputPath);
      llvm::sys::path::append(v, specs[k].name + ".var.npy");
      if (!rt::writeNpy(std::string(v), vars[k], error))
        return false;
    }
  }
  return true;
}

int runOnDataset(exec::Executor &ex) {
  if (dataset != "fashion-mnist")
    return fail("unknown dataset '" + dataset + "' (known: fashion-mnist)");
  if (ex.inputs().size() != 1)
    return fail("--data fashion-mnist needs a model with one input, this "
                "one has " +
                std::to_string(ex.inputs().size()));
  const exec::TensorSpec &in = ex.inputs()[0];
  bool image = in.shape.size() == 4 && in.shape[1] == 1 && in.shape[2] == 28 &&
               in.shape[3] == 28;
  bool flat = in.shape.size() == 2 && in.shape[1] == 784;
  if (!image || in.dtype != rt::DType::F32)
    if (!flat || in.dtype != rt::DType::F32)
      return fail("input '" + in.name +
                  "' must be f32[B, 1, 28, 28] or f32[B, 784] for "
                  "Fashion-MNIST");
  std::string error;
  auto data = rt::loadFashionMnist(dataDir, "test", error);
  if (!data)
    return fail(error);
  int64_t total = data->images.dim(0);
  if (limit > 0)
    total = std::min<int64_t>(total, limit);
  if (batchSize < 1)
    return fail("--batch-size must be at least 1");
  int64_t correct = 0, seen = 0;
  auto start = std::chrono::steady_clock::now();
  for (int64_t b = 0; b < total; b += batchSize) {
    int64_t n = std::min<int64_t>(batchSize, total - b);
    rt::Tensor batch(rt::DType::F32,
                     flat ? rt::Shape{n, 784} : rt::Shape{n, 1, 28, 28});
    std::memcpy(batch.raw(), data->images.data<float>() + b * 784,
                n * 784 * sizeof(float));
    std::vector<rt::Tensor> outputs, vars;
    if (!runOnce(ex, {batch}, outputs, vars, seed + b, error))
      return fail(error);
    const rt::Tensor &logits = outputs[0];
    if (logits.rank() != 2 || logits.dim(0) != n || logits.dim(1) != 10)
      return fail("the first output must be [B, 10] class scores for "
                  "Fashion-MNIST, got " +
                  logits.typeString());
    for (int64_t r = 0; r < n; ++r) {
      int64_t best = 0;
      for (int64_t c = 1; c < 10; ++c)
        if (logits.at(r * 10 + c) > logits.at(r * 10 + best))
          best = c;
      correct += best == data->labels.data<int64_t>()[b + r];
    }
    seen += n;
    llvm::errs() << "\r" << seen << "/" << total << " images";
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  llvm::errs() << "\n";
  llvm::outs() << "fashion-mnist test: " << seen << " images, accuracy "
               << llvm::format("%.2f%%", 100.0 * correct / seen) << ", "
               << llvm::format("%.3f s", seconds) << "\n";
  return 0;
}

/// Rejects option combinations that --time-runs cannot honour: its stdout
/// is the latency line alone, and it times one fixed set of inputs.
bool checkTimingOptions(std::string &error) {
  if (timeRuns == 0) {
    if (timeRuns.getNumOccurrences())
      error = "--time-runs must be at least 1";
    else if (warmupRuns.getNumOccurrences())
      error = "--warmup-runs needs --time-runs";
    return error.empty();
  }
  if (repeat.getNumOccurrences())
    error = "--time-runs replaces --repeat; give one of them";
  else if (profileOps)
    error = "--profile cannot be combined with --time-runs (both print "
            "to stdout)";
  else if (!dataset.empty())
    error = "--time-runs times one set of inputs; it cannot be combined "
            "with --data";
  return error.empty();
}

/// --time-runs: calls `runOnce` --warmup-runs times untimed, then
/// --time-runs times timed, and prints the one latency line. Shared by every
/// way of running a model, so that their numbers are measured alike.
/// Returns the exit status.
int reportLatency(const std::function<bool(std::string &error)> &runOnce) {
  std::string error;
  for (unsigned r = 0; r < warmupRuns; ++r)
    if (!runOnce(error))
      return fail(error);
  std::vector<double> ms;
  for (unsigned r = 0; r < timeRuns; ++r) {
    auto start = std::chrono::steady_clock::now();
    if (!runOnce(error))
      return fail(error);
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  size_t n = ms.size();
  double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  double mean = 0;
  for (double t : ms)
    mean += t / n;
  llvm::outs() << llvm::format("latency_ms: median=%.4f min=%.4f mean=%.4f "
                               "runs=%u\n",
                               median, ms.front(), mean, unsigned(n));
  return 0;
}

} // namespace

void nnc::driver::printProfile(const exec::Executor::Profile &profile,
                               llvm::raw_ostream &os) {
  std::vector<std::pair<std::string, exec::Executor::OpProfile>> rows(
      profile.begin(), profile.end());
  std::sort(rows.begin(), rows.end(), [](auto &a, auto &b) {
    return a.second.milliseconds > b.second.milliseconds;
  });
  double total = 0;
  for (auto &[name, p] : rows)
    total += p.milliseconds;
  os << "profile (all runs):\n";
  for (auto &[name, p] : rows)
    os << llvm::format("  %-36s %9.3f ms %5.1f%% %7lld calls\n", name.c_str(),
                       p.milliseconds, 100.0 * p.milliseconds / total,
                       (long long)p.calls);
}

int nnc::driver::runModel() {
  if (threads > 0)
    rt::setNumThreads(threads);
  std::string error;
  if (!checkTimingOptions(error))
    return fail(error);
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  // Model options (-D, -I, --model) are shared with check and emit.
  if (int status = loadModule(runInput, selectedModelName(), context, module))
    return status;
  auto ex = exec::Executor::create(*module, functionName, error);
  if (!ex)
    return fail(error);

  if (!weightsFile.empty()) {
    auto tensors = rt::readSafetensors(weightsFile, error);
    if (!tensors || !ex->loadParameters(*tensors, weightsFile, error))
      return fail(error);
  } else {
    ex->initParameters(seed);
  }
  if (!saveWeights.empty()) {
    std::vector<std::pair<std::string, rt::Tensor>> named(
        ex->parameterValues().begin(), ex->parameterValues().end());
    if (!rt::writeSafetensors(saveWeights, named, error))
      return fail(error);
  }
  for (auto &c : choices) {
    std::string name, label;
    if (!splitPair(c, name, label))
      return fail("--choice expects NAME=LABEL, got '" + c + "'");
    if (!ex->selectCandidate(name, label, error))
      return fail(error);
  }
  if (compiled) {
    if (mcSamples)
      return fail("--mc-dropout runs on the executor; compiled code is "
                  "inference only");
    if (profileOps)
      return fail("--profile times the executor's ops; it cannot be "
                  "combined with --compiled");
    CompileOptions options;
    options.optLevel = optLevelOption();
    options.select.assign(choices.begin(), choices.end());
    std::string function = functionName;
    if (function.empty())
      if (auto name = (*module)->getAttrOfType<mlir::StringAttr>("nn.model"))
        function = name.str();
    compiledRunner = std::make_unique<CompiledRunner>(
        *module, function, ex->inputs(), ex->parameterValues(), options);
  }
  // The JIT must go before LLVM's global state does (at the end of main).
  auto releaseRunner = llvm::make_scope_exit([] { compiledRunner.reset(); });
  if (!dataset.empty())
    return runOnDataset(*ex);

  std::map<std::string, int64_t> dims;
  for (auto &d : dimValues) {
    std::string name, value;
    char *end = nullptr;
    if (!splitPair(d, name, value))
      return fail("--dim expects NAME=SIZE, got '" + d + "'");
    long long v = std::strtoll(value.c_str(), &end, 10);
    if (*end || v < 1 || v > (1 << 24))
      return fail("--dim " + name + ": size must be an integer in [1, 2^24]");
    dims[name] = v;
  }
  std::map<std::string, rt::Tensor> given;
  for (auto &f : inputFiles) {
    std::string name, path;
    if (!splitPair(f, name, path))
      return fail("--input expects NAME=file.npy, got '" + f + "'");
    bool known = false;
    for (auto &s : ex->inputs())
      known |= s.name == name;
    if (!known)
      return fail("--input " + name + ": the model has no input '" + name +
                  "'");
    auto t = rt::readNpy(path, error);
    if (!t)
      return fail(error);
    given[name] = *t;
  }
  std::vector<rt::Tensor> inputs;
  for (size_t i = 0; i < ex->inputs().size(); ++i) {
    const auto &spec = ex->inputs()[i];
    auto it = given.find(spec.name);
    inputs.push_back(it != given.end() ? it->second
                                       : randomInput(spec, dims, seed, i + 1));
  }
  std::vector<rt::Tensor> outputs, vars;
  if (timeRuns > 0) {
    if (int status = reportLatency([&](std::string &runError) {
          return runOnce(*ex, inputs, outputs, vars, seed, runError);
        }))
      return status;
    if (!outputPath.empty() &&
        !writeOutputs(ex->outputs(), outputs, vars, error))
      return fail(error);
    return 0;
  }
  std::vector<double> times;
  for (unsigned r = 0; r < (repeat > 1 ? repeat + 1 : 1); ++r) {
    auto start = std::chrono::steady_clock::now();
    if (!runOnce(*ex, inputs, outputs, vars, seed, error))
      return fail(error);
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  if (repeat > 1)
    times.erase(times.begin()); // the warm-up run
  std::sort(times.begin(), times.end());
  double ms = times[times.size() / 2];
  if (!outputPath.empty()) {
    if (!writeOutputs(ex->outputs(), outputs, vars, error))
      return fail(error);
    return 0;
  }
  if (profileOps)
    printProfile(opProfile, llvm::outs());
  for (size_t k = 0; k < outputs.size(); ++k) {
    printSummary(ex->outputs()[k].name, outputs[k]);
    if (k < vars.size())
      printSummary(ex->outputs()[k].name + ".var", vars[k]);
  }
  llvm::outs() << llvm::format("time: %.3f ms", ms)
               << (repeat > 1
                       ? " (median of " + std::to_string(repeat) + " runs)"
                       : std::string())
               << (mcSamples ? " (" + std::to_string(mcSamples) + " passes)"
                             : std::string())
               << "\n";
  return 0;
}
