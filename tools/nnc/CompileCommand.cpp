//===- CompileCommand.cpp - `nnc compile`: native artefacts ---------------===//

#include "tools/nnc/Codegen.h"
#include "tools/nnc/Driver.h"
#include "tools/nnc/ModelHeader.h"

#include "runtime/compiled/CompiledModel.h"
#include "runtime/compiled/ModelSignature.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/Support/SourceMgr.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace nnc;
using namespace nnc::driver;
namespace cl = llvm::cl;

cl::SubCommand &nnc::driver::compileCommand() {
  static cl::SubCommand cmd(
      "compile", "Compile a model to native code for this CPU: MLIR in the "
                 "LLVM dialect, LLVM IR, an object file or a shared library "
                 "with a C header (see runtime/capi/nnc_model.h).");
  return cmd;
}

cl::OptionCategory &nnc::driver::compileOptionsCategory() {
  static cl::OptionCategory category("Compile options");
  return category;
}

namespace {

cl::opt<std::string> compileInput(cl::Positional, cl::Required,
                                  cl::desc("<file.nn>"),
                                  cl::sub(compileCommand()));

enum class Emit { MLIR, LLVM, Object, Shared };
cl::opt<Emit> emit(
    "emit", cl::desc("What to write"), cl::init(Emit::Shared),
    cl::values(clEnumValN(Emit::MLIR, "mlir", "MLIR in the LLVM dialect"),
               clEnumValN(Emit::LLVM, "llvm", "LLVM IR"),
               clEnumValN(Emit::Object, "obj", "an object file and a C header"),
               clEnumValN(Emit::Shared, "so",
                          "a shared library and a C header (default)")),
    cl::sub(compileCommand()), cl::cat(compileOptionsCategory()));
cl::list<std::string> compileDims(
    "dim",
    cl::desc("Size of a symbolic input dim, e.g. --dim B=32 (every "
             "symbolic dim needs one; compiled code has static shapes)"),
    cl::value_desc("NAME=SIZE"), cl::sub(compileCommand()),
    cl::cat(compileOptionsCategory()));
cl::list<std::string> compileChoices(
    "choice",
    cl::desc("Fix a search-space choice to one candidate (default: the "
             "equal-weight mixture of all candidates)"),
    cl::value_desc("NAME=LABEL"), cl::sub(compileCommand()),
    cl::cat(compileOptionsCategory()));
cl::opt<std::string> embedWeights(
    "embed-weights",
    cl::desc("Embed the parameters from this safetensors file in the "
             "object or library (its C API create() then needs no weights "
             "file); checked against the model now"),
    cl::value_desc("file.safetensors"), cl::sub(compileCommand()),
    cl::cat(compileOptionsCategory()));
cl::opt<std::string> output("o",
                            cl::desc("Output file (default: <model>.so, "
                                     "<model>.o, or stdout for mlir/llvm)"),
                            cl::value_desc("file"), cl::sub(compileCommand()),
                            cl::cat(compileOptionsCategory()));

/// Adds `nnc_weights_<f>` and `nnc_weights_size_<f>` (the safetensors image,
/// checked against each function's parameters) to the lowered module.
bool embedWeightsFile(
    mlir::ModuleOp module,
    llvm::ArrayRef<std::pair<std::string, std::string>> functions,
    std::string &error) {
  auto file = llvm::MemoryBuffer::getFile(embedWeights, /*IsText=*/false);
  if (!file) {
    error = "cannot read '" + embedWeights + "': " + file.getError().message();
    return false;
  }
  llvm::StringRef bytes = (*file)->getBuffer();
  mlir::OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToEnd(module.getBody());
  mlir::MLIRContext *ctx = module.getContext();
  for (auto &[function, metadata] : functions) {
    // The runtime's own check, so a file that compiles also loads.
    auto never = [](void **) {};
    auto model = rt::CompiledModel::create(metadata, never, error);
    if (!model ||
        !model->loadWeights(bytes.data(), bytes.size(), embedWeights, error))
      return false;
    auto i8 = mlir::IntegerType::get(ctx, 8);
    mlir::LLVM::GlobalOp::create(
        b, module.getLoc(), mlir::LLVM::LLVMArrayType::get(i8, bytes.size()),
        /*isConstant=*/true, mlir::LLVM::Linkage::External,
        "nnc_weights_" + function, b.getStringAttr(bytes));
    mlir::LLVM::GlobalOp::create(
        b, module.getLoc(), b.getI64Type(), /*isConstant=*/true,
        mlir::LLVM::Linkage::External, "nnc_weights_size_" + function,
        b.getI64IntegerAttr(bytes.size()));
  }
  return true;
}

} // namespace

int nnc::driver::compileModel() {
  auto start = std::chrono::steady_clock::now();
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (int status =
          loadModule(compileInput, selectedModelName(), context, module))
    return status;
  // Pass diagnostics point into the .nn source: print them as the front end
  // does, file:line:col with the source line and a caret.
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  context.printOpOnDiagnostic(false);
  CompileOptions options;
  options.optLevel = optLevelOption();
  options.dims.assign(compileDims.begin(), compileDims.end());
  options.select.assign(compileChoices.begin(), compileChoices.end());
  std::string model =
      module->getOperation()->getAttrOfType<mlir::StringAttr>("nn.model")
          ? module->getOperation()
                ->getAttrOfType<mlir::StringAttr>("nn.model")
                .str()
          : "model";
  if (failed(lowerToLLVMDialect(*module, options)))
    return 1;

  auto functions = compiledFunctions(*module);
  std::string path = output;
  std::string error;
  if (!embedWeights.empty()) {
    if (!embedWeightsFile(*module, functions, error)) {
      llvm::errs() << "nnc: error: " << error << "\n";
      return 1;
    }
  }
  switch (emit) {
  case Emit::MLIR: {
    if (path.empty())
      path = "-";
    if (llvm::Error e = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
          module->print(os);
          return llvm::Error::success();
        })) {
      llvm::errs() << "nnc: error: cannot write '" << path
                   << "': " << llvm::toString(std::move(e)) << "\n";
      return 1;
    }
    break;
  }
  case Emit::LLVM:
  case Emit::Object:
  case Emit::Shared: {
    ArtefactKind kind = emit == Emit::LLVM     ? ArtefactKind::LLVMIR
                        : emit == Emit::Object ? ArtefactKind::Object
                                               : ArtefactKind::SharedLibrary;
    if (path.empty())
      path = emit == Emit::LLVM     ? "-"
             : emit == Emit::Object ? model + ".o"
                                    : model + ".so";
    if (!writeArtefact(*module, kind, options.optLevel, path, error)) {
      llvm::errs() << "nnc: error: " << error << "\n";
      return 1;
    }
    if (kind == ArtefactKind::LLVMIR)
      break;
    // The C header beside the binary: lenet.so -> lenet.h.
    llvm::SmallString<256> header(path);
    llvm::sys::path::replace_extension(header, "h");
    std::string text;
    for (auto &[function, metadata] : functions) {
      auto signature = rt::ModelSignature::parse(metadata, error);
      if (!signature) {
        llvm::errs() << "nnc: internal error: metadata of '" << function
                     << "': " << error << "\n";
        return 2;
      }
      text += generateModelHeader(*signature, function,
                                  /*embeddedWeights=*/!embedWeights.empty());
    }
    if (llvm::Error e = llvm::writeToOutput(header, [&](llvm::raw_ostream &os) {
          os << text;
          return llvm::Error::success();
        })) {
      llvm::errs() << "nnc: error: cannot write '" << header
                   << "': " << llvm::toString(std::move(e)) << "\n";
      return 1;
    }
    break;
  }
  }

  // The summary users and benchmarks read: what was compiled, the planned
  // memory, and how long it took.
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  for (auto &[function, metadata] : functions) {
    auto signature = rt::ModelSignature::parse(metadata, error);
    if (!signature)
      continue;
    int64_t paramBytes = 0;
    for (const auto &p : signature->params)
      paramBytes += rt::numElements(p.shape) * rt::dtypeSize(p.dtype);
    llvm::errs() << "compiled " << function << ": " << signature->inputs.size()
                 << " inputs, " << signature->outputs.size() << " outputs, "
                 << signature->params.size() << " parameters (" << paramBytes
                 << " bytes), workspace " << signature->workspaceBytes
                 << " bytes (planned peak of intermediates), -O"
                 << options.optLevel << llvm::format(", %.2f s\n", seconds);
  }
  return 0;
}
