//===- Driver.h - Pieces shared by nnc's subcommands -------------*- C++
//-*-===//
#ifndef NNC_TOOLS_NNC_DRIVER_H
#define NNC_TOOLS_NNC_DRIVER_H

#include "lang/Sema.h"
#include "runtime/executor/Executor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/Support/CommandLine.h"

#include <string>
#include <vector>

namespace nnc::driver {

// Subcommands and shared categories are constructed on first use, because
// options in several translation units refer to them during static
// initialisation, whose order across files is unspecified.
llvm::cl::SubCommand &checkCommand();
llvm::cl::SubCommand &emitCommand();
llvm::cl::SubCommand &runCommand();
llvm::cl::SubCommand &trainCommand();
llvm::cl::SubCommand &evalCommand();
llvm::cl::SubCommand &compileCommand();
llvm::cl::OptionCategory &compileOptionsCategory();
llvm::cl::OptionCategory &trainOptionsCategory();
llvm::cl::OptionCategory &frontEndCategory();
llvm::cl::OptionCategory &runOptionsCategory();

/// Checks `input` and emits the chosen model (`model`, or the last one) as a
/// verified nn-dialect module. Diagnostics are printed; returns the exit
/// status (0 on success).
int loadModule(const std::string &input, const std::string &model,
               mlir::MLIRContext &context,
               mlir::OwningOpRef<mlir::ModuleOp> &module);

/// The --model option shared by emit and run.
std::string selectedModelName();

/// Time per op kind, largest first.
void printProfile(const exec::Executor::Profile &profile,
                  llvm::raw_ostream &os);

/// `nnc run`.
int runModel();
/// `nnc compile`.
int compileModel();
/// `nnc train`.
int trainModel();
/// `nnc eval`, with the options it shares with `nnc train`.
int evalModel(const std::string &loss, const std::string &dataSource,
              const std::string &dataDir,
              const std::vector<std::string> &choices);
/// `nnc eval` with train's --loss, --data and --data-dir values.
int evalWithTrainOptions();

} // namespace nnc::driver

#endif
