//===- Codegen.cpp - From the LLVM dialect to machine code ----------------===//

#include "tools/nnc/Codegen.h"
#include "tools/nnc/Driver.h"

#include "runtime/abi/nnc_kernel_abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace nnc::driver;
namespace cl = llvm::cl;

namespace {

// Options of both `nnc compile` and `nnc run --compiled`; the IR printing
// ones are mlir-opt's, with the same names.
cl::opt<unsigned> optLevel("O", cl::desc("Optimisation level 0-3 (default 3)"),
                           cl::Prefix, cl::init(3), cl::sub(compileCommand()),
                           cl::sub(runCommand()),
                           cl::cat(compileOptionsCategory()));
cl::opt<bool> printBefore("mlir-print-ir-before-all",
                          cl::desc("Print the IR before every pass"),
                          cl::sub(compileCommand()), cl::sub(runCommand()),
                          cl::cat(compileOptionsCategory()));
cl::opt<bool> printAfter("mlir-print-ir-after-all",
                         cl::desc("Print the IR after every pass"),
                         cl::sub(compileCommand()), cl::sub(runCommand()),
                         cl::cat(compileOptionsCategory()));
cl::opt<bool> printAfterChange(
    "mlir-print-ir-after-change",
    cl::desc("With --mlir-print-ir-after-all: only when a pass changed it"),
    cl::sub(compileCommand()), cl::sub(runCommand()),
    cl::cat(compileOptionsCategory()));
cl::opt<bool>
    printAfterFailure("mlir-print-ir-after-failure",
                      cl::desc("Print the IR after a pass that failed"),
                      cl::sub(compileCommand()), cl::sub(runCommand()),
                      cl::cat(compileOptionsCategory()));
cl::opt<bool> printPipeline("print-pipeline",
                            cl::desc("Print the pass pipeline before running "
                                     "it"),
                            cl::sub(compileCommand()), cl::sub(runCommand()),
                            cl::cat(compileOptionsCategory()));
cl::opt<bool> timing("mlir-timing",
                     cl::desc("Report the time spent in each pass"),
                     cl::sub(compileCommand()), cl::sub(runCommand()),
                     cl::cat(compileOptionsCategory()));
cl::alias printAfterAlias("print-ir-after-all",
                          cl::desc("Alias for --mlir-print-ir-after-all"),
                          cl::aliasopt(printAfter));
cl::alias printBeforeAlias("print-ir-before-all",
                           cl::desc("Alias for --mlir-print-ir-before-all"),
                           cl::aliasopt(printBefore));

void initializeNativeTarget() {
  static bool done = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)done;
}

llvm::CodeGenOptLevel codeGenLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

/// A target machine for this host (the machine the artefact will run on:
/// nnc compiles for the CPU it runs on, with all its vector extensions).
std::unique_ptr<llvm::TargetMachine> hostTargetMachine(unsigned optLevel,
                                                       std::string &error) {
  initializeNativeTarget();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  llvm::SubtargetFeatures features;
  for (auto &[feature, enabled] : llvm::sys::getHostCPUFeatures())
    features.AddFeature(feature, enabled);
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, llvm::sys::getHostCPUName(), features.getString(), options,
      llvm::Reloc::PIC_, std::nullopt, codeGenLevel(optLevel)));
}

/// The module as optimised LLVM IR for `machine`.
std::unique_ptr<llvm::Module> translate(ModuleOp module,
                                        llvm::LLVMContext &context,
                                        llvm::TargetMachine &machine,
                                        unsigned optLevel, std::string &error) {
  auto llvmModule = translateModuleToLLVMIR(module, context);
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  auto optimize = makeOptimizingTransformer(optLevel, 0, &machine);
  if (llvm::Error e = optimize(llvmModule.get())) {
    error = "LLVM optimisation failed: " + llvm::toString(std::move(e));
    return nullptr;
  }
  return llvmModule;
}

bool writeObject(llvm::Module &module, llvm::TargetMachine &machine,
                 const std::string &path, std::string &error) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  llvm::legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, out.os(), nullptr,
                                  llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  pm.run(module);
  out.os().flush();
  out.keep();
  return true;
}

/// The directory of the runtime library: ../lib next to the nnc binary.
std::string runtimeLibraryDir() {
  std::string self = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&runtimeLibraryDir));
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(self));
  llvm::sys::path::remove_filename(dir);
  llvm::sys::path::append(dir, "lib");
  return std::string(dir);
}

} // namespace

/// Runs a textual pipeline with the command line's IR printing and timing.
static LogicalResult runPipeline(ModuleOp module, StringRef pipeline) {
  MLIRContext *context = module.getContext();
  PassManager pm(context);
  std::string error;
  if (failed(nnc::parsePipeline(pm, pipeline, error))) {
    module.emitError("cannot build the compile pipeline: ") << error;
    return failure();
  }
  if (printPipeline) {
    pm.printAsTextualPipeline(llvm::errs());
    llvm::errs() << "\n";
  }
  if (printBefore || printAfter || printAfterFailure) {
    // Printing whole modules between passes needs a single thread.
    context->disableMultithreading();
    auto always = [](Pass *, Operation *) { return true; };
    auto never = [](Pass *, Operation *) { return false; };
    pm.enableIRPrinting(
        printBefore ? std::function<bool(Pass *, Operation *)>(always) : never,
        printAfter ? std::function<bool(Pass *, Operation *)>(always) : never,
        /*printModuleScope=*/true, printAfterChange, printAfterFailure);
  }
  if (timing)
    pm.enableTiming();
  return pm.run(module);
}

LogicalResult nnc::driver::lowerToLLVMDialect(ModuleOp module,
                                              const CompileOptions &options) {
  if (options.trainLoss.empty())
    return runPipeline(module, nnc::lowerToLLVMPipeline(options));
  // A training step or a loss function: only that function is compiled
  // (the functions it was derived from would be compiled for nothing).
  if (failed(runPipeline(module, nnc::prepareNNPipeline(options))))
    return failure();
  StringRef kept = options.trainStep ? "_train_step" : "_loss";
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (!func.getSymName().ends_with(kept))
      func.erase();
  return runPipeline(module, nnc::lowerNNPipeline(options));
}

std::vector<std::pair<std::string, std::string>>
nnc::driver::compiledFunctions(ModuleOp module) {
  std::vector<std::pair<std::string, std::string>> functions;
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    StringRef name = global.getSymName();
    auto value = dyn_cast_or_null<StringAttr>(global.getValueOrNull());
    if (!name.consume_front("nnc_metadata_") || !value)
      continue;
    functions.emplace_back(name.str(), value.getValue().rtrim('\0').str());
  }
  return functions;
}

std::unique_ptr<ExecutionEngine>
nnc::driver::jit(ModuleOp module, unsigned optLevel, std::string &error) {
  // The engine keeps a reference to the transformer, which keeps one to
  // the target machine: both live as long as the process, one per level.
  static std::unique_ptr<llvm::TargetMachine> machines[4];
  static std::function<llvm::Error(llvm::Module *)> transformers[4];
  optLevel = std::min(optLevel, 3u);
  if (!machines[optLevel]) {
    machines[optLevel] = hostTargetMachine(optLevel, error);
    if (!machines[optLevel])
      return nullptr;
    transformers[optLevel] =
        makeOptimizingTransformer(optLevel, 0, machines[optLevel].get());
  }
  ExecutionEngineOptions options;
  options.transformer = transformers[optLevel];
  options.jitCodeGenOptLevel = codeGenLevel(optLevel);
  auto engine = ExecutionEngine::create(module, options);
  if (!engine) {
    error = "JIT compilation failed: " + llvm::toString(engine.takeError());
    return nullptr;
  }
  // The runtime is linked into nnc itself, not loaded as a shared library.
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("nnc_kernel_call")] = {
        llvm::orc::ExecutorAddr::fromPtr(&nnc_kernel_call),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("nnc_kernel_call_static")] = {
        llvm::orc::ExecutorAddr::fromPtr(&nnc_kernel_call_static),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("nnc_parallel_for")] = {
        llvm::orc::ExecutorAddr::fromPtr(&nnc_parallel_for),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("memrefCopy")] = {
        llvm::orc::ExecutorAddr::fromPtr(&memrefCopy),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  return std::move(*engine);
}

bool nnc::driver::writeArtefact(ModuleOp module, ArtefactKind kind,
                                unsigned optLevel, const std::string &path,
                                std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      hostTargetMachine(optLevel, error);
  if (!machine)
    return false;
  llvm::LLVMContext context;
  auto llvmModule = translate(module, context, *machine, optLevel, error);
  if (!llvmModule)
    return false;
  if (kind == ArtefactKind::LLVMIR) {
    if (llvm::Error e = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
          llvmModule->print(os, nullptr);
          return llvm::Error::success();
        })) {
      error = "cannot write '" + path + "': " + llvm::toString(std::move(e));
      return false;
    }
    return true;
  }
  if (kind == ArtefactKind::Object)
    return writeObject(*llvmModule, *machine, path, error);

  // A shared library: the object linked against libnnc_runtime.so, written
  // under a temporary name and renamed into place.
  llvm::SmallString<128> object;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("nnc-model", "o", object)) {
    error = "cannot create a temporary file: " + ec.message();
    return false;
  }
  llvm::FileRemover removeObject(object);
  if (!writeObject(*llvmModule, *machine, std::string(object), error))
    return false;
  auto linker = llvm::sys::findProgramByName("clang-22");
  if (!linker)
    linker = llvm::sys::findProgramByName("clang");
  if (!linker) {
    error = "linking a shared library needs clang-22 on PATH";
    return false;
  }
  std::string libDir = runtimeLibraryDir();
  std::string temp = path + ".tmp";
  llvm::FileRemover removeTemp(temp);
  std::vector<std::string> args = {*linker,
                                   "-shared",
                                   "-fuse-ld=lld",
                                   "-o",
                                   temp,
                                   std::string(object),
                                   "-L" + libDir,
                                   "-Wl,-rpath," + libDir,
                                   "-lnnc_runtime",
                                   "-lm"};
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*linker, argRefs, std::nullopt, {}, 0,
                                         0, &message);
  if (status != 0) {
    error = "linking '" + path + "' failed" +
            (message.empty() ? "" : ": " + message);
    return false;
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  return true;
}

unsigned nnc::driver::optLevelOption() {
  return std::min(3u, unsigned(optLevel));
}
