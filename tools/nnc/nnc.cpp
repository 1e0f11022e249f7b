//===- nnc.cpp - The nnc driver
//--------------------------------------------===//
//
// `nnc SUBCOMMAND [options] FILE`. Each capability of the compiler is a
// subcommand; the front-end ones are `check` (diagnostics only) and `emit`
// (the AST or the nn-dialect MLIR of a model).
//
//===----------------------------------------------------------------------===//

#include "tools/nnc/Driver.h"

#include "dialects/Registration.h"
#include "lang/Builtins.h"
#include "lang/MLIRGen.h"
#include "lang/Sema.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace nnc;
using namespace nnc::driver;
namespace cl = llvm::cl;

cl::SubCommand &nnc::driver::checkCommand() {
  static cl::SubCommand cmd("check", "Check .nn files: syntax, names, types "
                                     "and shapes. Prints diagnostics only.");
  return cmd;
}
cl::SubCommand &nnc::driver::emitCommand() {
  static cl::SubCommand cmd("emit", "Check a .nn file and print one model as "
                                    "the AST or as MLIR in the nn dialect.");
  return cmd;
}
cl::SubCommand &nnc::driver::runCommand() {
  static cl::SubCommand cmd(
      "run", "Run a model on the reference executor: weights from "
             "safetensors or seeded initialisation, inputs from .npy files, "
             "seeded random data or Fashion-MNIST.");
  return cmd;
}
cl::SubCommand &nnc::driver::trainCommand() {
  static cl::SubCommand cmd(
      "train", "Train a model: compiles its training step (loss, reverse-mode "
               "gradients, optimiser update) and runs it over shuffled "
               "mini-batches with validation, checkpoints and resume.");
  return cmd;
}
cl::SubCommand &nnc::driver::evalCommand() {
  static cl::SubCommand cmd(
      "eval", "Loss and accuracy of trained weights on a test set.");
  return cmd;
}
cl::OptionCategory &nnc::driver::frontEndCategory() {
  static cl::OptionCategory category("Front-end options");
  return category;
}

namespace {

cl::OptionCategory general("General options");

cl::list<std::string> checkInputs(cl::Positional, cl::OneOrMore,
                                  cl::desc("<file.nn>..."),
                                  cl::sub(checkCommand()));
cl::opt<std::string> emitInput(cl::Positional, cl::Required,
                               cl::desc("<file.nn>"), cl::sub(emitCommand()));

enum class EmitKind { AST, MLIR };
cl::opt<EmitKind> emitKind(
    "emit", cl::desc("What to print"), cl::init(EmitKind::MLIR),
    cl::values(clEnumValN(EmitKind::AST, "ast", "the syntax tree"),
               clEnumValN(EmitKind::MLIR, "mlir", "the nn-dialect module")),
    cl::sub(emitCommand()), cl::cat(frontEndCategory()));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::sub(emitCommand()),
                                cl::cat(frontEndCategory()));
cl::opt<std::string> modelName(
    "model", cl::desc("Model to use (default: the last model in the file)"),
    cl::value_desc("name"), cl::sub(emitCommand()), cl::sub(runCommand()),
    cl::sub(trainCommand()), cl::sub(evalCommand()), cl::sub(compileCommand()),
    cl::cat(frontEndCategory()));
cl::list<std::string>
    defines("D", cl::desc("Override a model parameter, e.g. -D hidden=256"),
            cl::value_desc("name=value"), cl::Prefix, cl::sub(checkCommand()),
            cl::sub(emitCommand()), cl::sub(runCommand()),
            cl::sub(trainCommand()), cl::sub(evalCommand()),
            cl::sub(compileCommand()), cl::cat(frontEndCategory()));
cl::list<std::string>
    includeDirs("I", cl::desc("Add a directory to search for imports"),
                cl::value_desc("dir"), cl::Prefix, cl::sub(checkCommand()),
                cl::sub(emitCommand()), cl::sub(runCommand()),
                cl::sub(trainCommand()), cl::sub(evalCommand()),
                cl::sub(compileCommand()), cl::cat(frontEndCategory()));
cl::opt<bool> verifyDiagnostics(
    "verify-diagnostics",
    cl::desc("Check that the diagnostics match the expected-error/warning/"
             "note annotations in the source (for tests)"),
    cl::sub(checkCommand()), cl::cat(frontEndCategory()));
cl::opt<bool> noColor("no-color", cl::desc("Never colour diagnostics"),
                      cl::sub(checkCommand()), cl::sub(emitCommand()),
                      cl::sub(runCommand()), cl::sub(trainCommand()),
                      cl::sub(evalCommand()), cl::sub(compileCommand()),
                      cl::cat(frontEndCategory()));
cl::opt<bool> listOps("list-ops",
                      cl::desc("List every operator with its signature"),
                      cl::cat(general));

bool useColor() {
  return !noColor && llvm::errs().has_colors() &&
         llvm::sys::Process::StandardErrHasColors();
}

std::vector<std::string> libraryDirs() {
  std::vector<std::string> dirs(includeDirs.begin(), includeDirs.end());
  dirs.push_back(NNC_LIBRARY_DIR);
  return dirs;
}

bool parseDefines(Overrides &overrides, DiagnosticEngine &diags) {
  for (auto &d : defines) {
    auto eq = d.find('=');
    if (eq == std::string::npos || eq == 0) {
      diags.error({}, "-D expects name=value, got '" + d + "'");
      return false;
    }
    overrides[d.substr(0, eq)] = d.substr(eq + 1);
  }
  return true;
}

/// Reports diagnostics and returns the process exit status.
int finish(DiagnosticEngine &diags) {
  if (verifyDiagnostics)
    return diags.verify(llvm::errs()) ? 0 : 1;
  diags.print(llvm::errs(), useColor());
  return diags.numErrors() ? 1 : 0;
}

int runCheck() {
  int status = 0;
  for (auto &input : checkInputs) {
    SourceManager sources;
    DiagnosticEngine diags(sources);
    Program program(sources, diags, libraryDirs());
    Overrides overrides;
    if (parseDefines(overrides, diags) && program.load(input))
      checkProgram(program, overrides);
    status |= finish(diags);
  }
  return status;
}

} // namespace

std::string nnc::driver::selectedModelName() { return modelName; }

int nnc::driver::loadModule(const std::string &input, const std::string &model,
                            mlir::MLIRContext &context,
                            mlir::OwningOpRef<mlir::ModuleOp> &module) {
  // An nn-dialect module written by `nnc emit` or `nnc-opt` (e.g. after
  // nn-differentiate), parsed and verified as is.
  if (llvm::StringRef(input).ends_with(".mlir")) {
    mlir::DialectRegistry registry;
    registerNNCDialects(registry);
    context.appendDialectRegistry(registry);
    module = mlir::parseSourceFile<mlir::ModuleOp>(input, &context);
    return module ? 0 : 1;
  }
  SourceManager sources;
  DiagnosticEngine diags(sources);
  Program program(sources, diags, libraryDirs());
  Overrides overrides;
  if (!parseDefines(overrides, diags) || !program.load(input))
    return finish(diags);
  auto graphs = checkProgram(program, overrides);
  if (!graphs)
    return finish(diags);
  const Graph *chosen = nullptr;
  for (auto &g : *graphs)
    if (model.empty() || g.name == model)
      chosen = &g;
  if (!chosen) {
    if (model.empty())
      diags.error({}, "'" + input + "' defines no model");
    else
      diags.error({}, "'" + input + "' has no model named '" + model + "'");
    return finish(diags);
  }
  if (int status = finish(diags))
    return status;
  mlir::DialectRegistry registry;
  registerNNCDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  module = emitModule(context, *chosen, sources);
  if (!module) {
    llvm::errs() << "nnc: internal error: the emitted MLIR does not verify "
                    "(see above); please report this with the input file\n";
    return 2;
  }
  return 0;
}

namespace {

int runEmit() {
  if (emitKind == EmitKind::AST) {
    SourceManager sources;
    DiagnosticEngine diags(sources);
    Program program(sources, diags, libraryDirs());
    program.load(emitInput);
    int status = finish(diags);
    if (status)
      return status;
    return llvm::writeToOutput(outputFile,
                               [&](llvm::raw_ostream &os) {
                                 ast::print(*program.mainFile(), os);
                                 return llvm::Error::success();
                               })
               ? 1
               : 0;
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (int status = loadModule(emitInput, modelName, context, module))
    return status;
  bool failedWrite =
      (bool)llvm::writeToOutput(outputFile, [&](llvm::raw_ostream &os) {
        module->print(os);
        return llvm::Error::success();
      });
  if (failedWrite) {
    llvm::errs() << "nnc: error: cannot write '" << outputFile << "'\n";
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&frontEndCategory(), &general,
                            &runOptionsCategory(), &trainOptionsCategory(),
                            &compileOptionsCategory()});
  cl::ParseCommandLineOptions(
      argc, argv,
      "nnc: a compiler for neural-network architectures\n\n"
      "  nnc check model.nn             check a model and report problems\n"
      "  nnc emit model.nn --emit=mlir  print the nn-dialect MLIR\n"
      "  nnc emit model.nn --emit=ast   print the syntax tree\n"
      "  nnc run model.nn               run it on the reference executor\n"
      "  nnc compile model.nn -O3       compile it to a shared library + C "
      "header\n"
      "  nnc run model.nn --compiled    run it JIT-compiled\n"
      "  nnc train model.nn --out DIR   train it (Fashion-MNIST by default)\n"
      "  nnc eval model.nn --weights W  test-set loss and accuracy\n");
  if (listOps) {
    for (auto &[name, sig] : builtinSignatures())
      llvm::outs() << name << "(" << sig << ")\n";
    return 0;
  }
  if (checkCommand())
    return runCheck();
  if (emitCommand())
    return runEmit();
  if (runCommand())
    return runModel();
  if (compileCommand())
    return compileModel();
  if (trainCommand())
    return trainModel();
  if (evalCommand())
    return evalWithTrainOptions();
  llvm::errs() << "nnc: error: no subcommand given; see 'nnc --help'\n";
  return 1;
}
