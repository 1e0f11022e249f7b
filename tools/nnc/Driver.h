//===- Driver.h - Pieces shared by nnc's subcommands -------------*- C++
//-*-===//
#ifndef NNC_TOOLS_NNC_DRIVER_H
#define NNC_TOOLS_NNC_DRIVER_H

#include "lang/Sema.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/Support/CommandLine.h"

#include <string>

namespace nnc::driver {

extern llvm::cl::SubCommand checkCmd, emitCmd, runCmd;
extern llvm::cl::OptionCategory frontEnd;

/// Checks `input` and emits the chosen model (`model`, or the last one) as a
/// verified nn-dialect module. Diagnostics are printed; returns the exit
/// status (0 on success).
int loadModule(const std::string &input, const std::string &model,
               mlir::MLIRContext &context,
               mlir::OwningOpRef<mlir::ModuleOp> &module);

/// `nnc run`.
int runModel();

} // namespace nnc::driver

#endif
