//===- NNRTDialect.h - The nnrt dialect -------------------------*- C++ -*-===//

#ifndef NNC_DIALECTS_NNRT_NNRTDIALECT_H
#define NNC_DIALECTS_NNRT_NNRTDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/nnrt/NNRTDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/nnrt/NNRTOps.h.inc"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace nnc::nnrt {
/// Bufferization (one-shot) and ConvertToLLVM models of the dialect.
void registerNNRTInterfaceModels(mlir::DialectRegistry &registry);
} // namespace nnc::nnrt

#endif // NNC_DIALECTS_NNRT_NNRTDIALECT_H
