//===- PassUtils.h - Helpers shared by nnc's passes -------------*- C++ -*-===//
#ifndef NNC_PASSES_PASSUTILS_H
#define NNC_PASSES_PASSUTILS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace nnc {

/// The function `name`, or the module's model function (the `nn.model`
/// attribute the front end sets, plus `suffix`) when `name` is empty.
/// Reports on the module and returns null when there is none.
mlir::func::FuncOp lookupFunction(mlir::ModuleOp module, llvm::StringRef name,
                                  llvm::StringRef suffix = "");

/// Creates an op by name, as the front end does: the dialect verifier is the
/// one authority on operands, attributes and result types.
mlir::Operation *createOp(mlir::OpBuilder &b, mlir::Location loc,
                          llvm::StringRef name, mlir::ValueRange operands,
                          mlir::TypeRange types,
                          llvm::ArrayRef<mlir::NamedAttribute> attrs = {});

/// A rank-0 tensor of `elementType` holding `value`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type elementType, double value);

} // namespace nnc

#endif // NNC_PASSES_PASSUTILS_H
