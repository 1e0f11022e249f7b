//===- NNKernelDescriptor.h - Kernel descriptors of nn ops -------*- C++
//-*-===//
//
// Encodes an nn op as the kernel descriptor the runtime's kernel adapters
// decode (format: runtime/abi/KernelDescriptor.h): the op name, the dtypes of
// its tensor operands and results, and every attribute, sorted by name.
// Discardable dialect attributes (names with a '.') are left out.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_DIALECTS_NN_NNKERNELDESCRIPTOR_H
#define NNC_DIALECTS_NN_NNKERNELDESCRIPTOR_H

#include "mlir/IR/Operation.h"
#include "llvm/Support/LogicalResult.h"

#include <string>

namespace nnc::nn {

/// The runtime's name of element type `t` ("f32", "i64", "i1", ... as in
/// rt::dtypeName), or null if the runtime has no such dtype.
const char *runtimeDTypeName(mlir::Type t);

/// The descriptor of `op`, or failure with `error` naming the op and what
/// cannot be encoded: an operand or result that is not a ranked tensor of a
/// runtime dtype, or an attribute of a kind the format has no spelling for
/// (e.g. DenseElementsAttr, TypeAttr).
///
/// With `dropIndexOperands`, `index` operands are left out instead of
/// rejected: the reference executor passes the sizes they carry as expected
/// result shapes. Compiled code never drops them (its shapes are static).
llvm::FailureOr<std::string>
encodeKernelDescriptor(mlir::Operation *op, std::string &error,
                       bool dropIndexOperands = false);

} // namespace nnc::nn

#endif // NNC_DIALECTS_NN_NNKERNELDESCRIPTOR_H
