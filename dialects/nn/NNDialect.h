//===- NNDialect.h - The nn dialect -----------------------------*- C++ -*-===//

#ifndef NNC_DIALECTS_NN_NNDIALECT_H
#define NNC_DIALECTS_NN_NNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/nn/NNDialect.h.inc"

#endif // NNC_DIALECTS_NN_NNDIALECT_H
