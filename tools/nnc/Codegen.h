//===- Codegen.h - From the LLVM dialect to machine code --------*- C++ -*-===//
//
// What `nnc compile` and `nnc run --compiled` do after the pass pipeline
// (passes/Pipeline.h): JIT through mlir::ExecutionEngine, or LLVM IR, an
// object file or a shared library, plus the metadata of each compiled
// function.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_TOOLS_NNC_CODEGEN_H
#define NNC_TOOLS_NNC_CODEGEN_H

#include "passes/Pipeline.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <string>
#include <vector>

namespace nnc::driver {

/// Runs the compile pipeline on `module` (nn dialect, as the front end
/// emits it), honouring mlir-opt's pass-manager options
/// (--mlir-print-ir-after-all, --mlir-timing, ...). Diagnostics go to the
/// context's handler.
llvm::LogicalResult lowerToLLVMDialect(mlir::ModuleOp module,
                                       const CompileOptions &options);

/// The compiled functions of a lowered module with their metadata JSON.
std::vector<std::pair<std::string, std::string>>
compiledFunctions(mlir::ModuleOp module);

/// A JIT-compiled module; nullptr with `error` set on failure.
std::unique_ptr<mlir::ExecutionEngine>
jit(mlir::ModuleOp module, unsigned optLevel, std::string &error);

enum class ArtefactKind { LLVMIR, Object, SharedLibrary };

/// Writes `module` as LLVM IR, an object file, or a shared library linked
/// against the runtime library (libnnc_runtime.so next to nnc). The file is
/// written atomically.
bool writeArtefact(mlir::ModuleOp module, ArtefactKind kind, unsigned optLevel,
                   const std::string &path, std::string &error);

/// -O0 ... -O3, shared by `nnc compile` and `nnc run --compiled`.
unsigned optLevelOption();

} // namespace nnc::driver

#endif // NNC_TOOLS_NNC_CODEGEN_H
