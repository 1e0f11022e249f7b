//===- FrontEndFuzzer.cpp - libFuzzer target for the .nn front end --------===//
//
// Feeds arbitrary bytes through parsing, semantic analysis and, when the
// program checks clean, MLIR emission and verification. Any crash, sanitizer
// report or hang is a finding; so is a program that checks clean but whose
// MLIR does not verify (the front end and the dialect disagree).
//
//===----------------------------------------------------------------------===//

#include "dialects/Registration.h"
#include "lang/MLIRGen.h"
#include "lang/Sema.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace nnc;
  SourceManager sources;
  DiagnosticEngine diags(sources);
  Program program(sources, diags, {NNC_LIBRARY_DIR});
  if (!program.loadBuffer(
          "fuzz.nn", std::string(reinterpret_cast<const char *>(data), size)))
    return 0;
  auto graphs = checkProgram(program, {});
  // Rendering exercises the caret and line code on hostile text too.
  std::string rendered;
  llvm::raw_string_ostream os(rendered);
  diags.print(os);
  if (!graphs)
    return 0;
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    registerNNCDialects(registry);
    auto *ctx = new mlir::MLIRContext(registry);
    ctx->loadAllAvailableDialects();
    return ctx;
  }();
  for (auto &g : *graphs) {
    mlir::ScopedDiagnosticHandler quiet(context, [](mlir::Diagnostic &d) {
      llvm::errs() << d << "\n";
      return mlir::success();
    });
    if (!emitModule(*context, g, sources))
      std::abort(); // checked clean but the MLIR does not verify
  }
  return 0;
}
