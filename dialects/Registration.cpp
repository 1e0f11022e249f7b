//===- Registration.cpp - Dialects used by nnc ----------------------------===//
//
// The only translation unit that includes the "register everything" headers:
// they are slow to compile, and keeping them here means tools and tests
// share one consistent set of dialects and interface models.
//
//===----------------------------------------------------------------------===//

#include "dialects/Registration.h"

#include "dialects/nn/NNDialect.h"
#include "dialects/nnrt/NNRTDialect.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void nnc::registerNNCDialects(mlir::DialectRegistry &registry) {
  registry.insert<nnc::nn::NNDialect, nnc::nnrt::NNRTDialect>();
  nnc::nnrt::registerNNRTInterfaceModels(registry);
  // Upstream dialects (func, arith, math, tensor, linalg, scf, memref,
  // bufferization, vector, llvm, gpu, nvvm, quant, affine, cf, ...) with
  // their bufferization / deallocation / NVVM target models.
  mlir::registerAllDialects(registry);
  // ConvertToLLVM interfaces and the func / tensor extensions.
  mlir::registerAllExtensions(registry);
  // Without these, translating to LLVM IR (JIT, AOT, gpu-module-to-binary)
  // fails with "missing LLVMTranslationDialectInterface".
  mlir::registerAllToLLVMIRTranslations(registry);
}
