//===- NNOps.h - Operations of the nn dialect -------------------*- C++ -*-===//

#ifndef NNC_DIALECTS_NN_NNOPS_H
#define NNC_DIALECTS_NN_NNOPS_H

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNShapeUtils.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/nn/NNOps.h.inc"

#endif // NNC_DIALECTS_NN_NNOPS_H
