//===- ConvertNNToKernelCalls.cpp - nn ops as runtime kernel calls --------===//

#include "passes/Passes.h"

#include "dialects/nn/NNKernelDescriptor.h"
#include "dialects/nn/NNOps.h"
#include "dialects/nnrt/NNRTDialect.h"
#include "runtime/abi/Kernels.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace nnc {
#define GEN_PASS_DEF_CONVERTNNTOKERNELCALLS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

struct ConvertNNToKernelCallsPass
    : nnc::impl::ConvertNNToKernelCallsBase<ConvertNNToKernelCallsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<nn::NNDialect>(op->getDialect()))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      if (failed(lower(op)))
        return signalPassFailure();
  }

  LogicalResult lower(Operation *op) {
    StringRef name = op->getName().stripDialect();
    if (op->getNumRegions() != 0 || isa<nn::ParameterOp, nn::ParamOp>(op))
      return op->emitError("cannot be compiled here: ")
             << op->getName()
             << " must be resolved first (nn-resolve-choices, "
                "nn-params-to-arguments)";
    if (!rt::abi::lookupKernel(name.str()))
      return op->emitError()
             << op->getName()
             << " has no code generation pattern for these types and no "
                "runtime kernel";
    for (Type t : op->getResultTypes())
      if (!cast<RankedTensorType>(t).hasStaticShape())
        return op->emitError("needs static shapes (nn-specialize-shapes)");
    std::string error;
    FailureOr<std::string> descriptor = nn::encodeKernelDescriptor(op, error);
    if (failed(descriptor))
      return op->emitError(error);

    OpBuilder b(op);
    Location loc = op->getLoc();
    SmallVector<Value> inits;
    for (Type t : op->getResultTypes()) {
      auto type = cast<RankedTensorType>(t);
      inits.push_back(tensor::EmptyOp::create(b, loc, type.getShape(),
                                              type.getElementType()));
    }
    auto call = nnrt::KernelCallOp::create(
        b, loc, op->getResultTypes(), b.getStringAttr(name),
        b.getStringAttr(*descriptor), op->getOperands(), inits);
    op->replaceAllUsesWith(call.getResults());
    op->erase();
    return success();
  }
};

} // namespace
