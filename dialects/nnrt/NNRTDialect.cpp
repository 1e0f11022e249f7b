//===- NNRTDialect.cpp - The nnrt dialect ---------------------------------===//

#include "dialects/nnrt/NNRTDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace nnc::nnrt;

#include "dialects/nnrt/NNRTDialect.cpp.inc"

void NNRTDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/nnrt/NNRTOps.cpp.inc"
      >();
}

LogicalResult KernelCallOp::verify() {
  // A call without operands (a kernel with side effects only) is in both
  // forms at once; it has no results, like a call on memrefs.
  if (getOperation()->getNumOperands() == 0)
    return getNumResults() == 0
               ? success()
               : emitOpError("without operands has no results");
  bool onTensors = hasPureTensorSemantics();
  if (!onTensors && !hasPureBufferSemantics())
    return emitOpError("operands must be all tensors or all memrefs");
  if (!onTensors) {
    if (getNumResults() != 0)
      return emitOpError("on memrefs has no results");
    return success();
  }
  if (getNumResults() != getOutputs().size())
    return emitOpError("expects one result per outs operand, got ")
           << getNumResults() << " results for " << getOutputs().size()
           << " outs";
  for (auto [i, out, result] :
       llvm::enumerate(getOutputs().getTypes(), getResultTypes()))
    if (out != result)
      return emitOpError("result ") << i << " has type " << result
                                    << " but its outs operand has " << out;
  return success();
}

void KernelCallOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  // Effects the operands do not show (see the op description).
  if (getHasSideEffects())
    effects.emplace_back(MemoryEffects::Write::get(),
                         SideEffects::DefaultResource::get());
  // On tensors the op is otherwise pure (DPS); on buffers it reads `ins` and
  // writes `outs`, like a linalg op.
  if (hasPureTensorSemantics())
    return;
  for (OpOperand &operand : getInputsMutable())
    effects.emplace_back(MemoryEffects::Read::get(), &operand,
                         SideEffects::DefaultResource::get());
  for (OpOperand &operand : getOutputsMutable()) {
    effects.emplace_back(MemoryEffects::Read::get(), &operand,
                         SideEffects::DefaultResource::get());
    effects.emplace_back(MemoryEffects::Write::get(), &operand,
                         SideEffects::DefaultResource::get());
  }
}

LogicalResult
ParallelCallOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto callee = symbolTable.lookupNearestSymbolFrom<FunctionOpInterface>(
      *this, getCalleeAttr());
  if (!callee)
    return emitOpError("'") << getCallee() << "' is not a function";
  SmallVector<Type> expected(getOperands().getTypes());
  expected.append(2, IndexType::get(getContext()));
  // During the conversion to LLVM the callee may already be an llvm.func
  // (memrefs as pointers, index as i64) while this op is not yet lowered.
  bool loweredCallee = isa<LLVM::LLVMFuncOp>(callee.getOperation());
  bool matches = loweredCallee
                     ? callee.getNumArguments() == expected.size() &&
                           isa<LLVM::LLVMVoidType>(
                               cast<LLVM::LLVMFuncOp>(callee.getOperation())
                                   .getFunctionType()
                                   .getReturnType())
                     : callee.getArgumentTypes() == ArrayRef<Type>(expected) &&
                           callee.getResultTypes().empty();
  if (!matches)
    return emitOpError("callee @")
           << getCallee()
           << " must take the operands and then the chunk's begin and end "
              "(index) and return nothing, but has type "
           << callee.getFunctionType();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/nnrt/NNRTOps.cpp.inc"
