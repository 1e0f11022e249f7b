//===- MLIRGen.h - Elaborated graph to the nn dialect ------------*- C++
//-*-===//
#ifndef NNC_LANG_MLIRGEN_H
#define NNC_LANG_MLIRGEN_H

#include "lang/Graph.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <vector>

namespace nnc {

/// Emits one model as a module: an `nn.parameter` per learned tensor and a
/// `func.func` named after the model. Every node becomes the nn op of the
/// same name, created generically, so the dialect's verifier is the single
/// authority on each op's invariants. Returns null (after printing MLIR's
/// diagnostics) if the result does not verify: that is a compiler bug, since
/// semantic analysis should have rejected the program.
mlir::OwningOpRef<mlir::ModuleOp> emitModule(mlir::MLIRContext &context,
                                             const Graph &graph,
                                             const SourceManager &sources);

} // namespace nnc

#endif
