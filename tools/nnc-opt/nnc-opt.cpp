//===- nnc-opt.cpp - mlir-opt with the nn dialect -------------------------===//
//
// Parses, verifies, transforms and prints IR containing the nn dialect next to
// every upstream dialect and pass. Used by the lit tests and for debugging
// lowering pipelines by hand.
//
//===----------------------------------------------------------------------===//

#include "dialects/Registration.h"
#include "passes/Passes.h"
#include "passes/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  nnc::registerNNCPasses();
  nnc::registerLowerToLLVMPipeline();

  mlir::DialectRegistry registry;
  nnc::registerNNCDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "nnc optimizer driver (nn dialect + upstream MLIR)\n",
      registry));
}
