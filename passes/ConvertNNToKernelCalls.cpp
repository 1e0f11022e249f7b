//===- ConvertNNToKernelCalls.cpp - nn ops as runtime kernel calls --------===//

#include "passes/Passes.h"

#include "dialects/nn/NNKernelDescriptor.h"
#include "dialects/nn/NNOps.h"
#include "dialects/nnrt/NNRTDialect.h"
#include "runtime/abi/Kernels.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

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
    // Pre-order, and not into nn ops with regions: an unresolved nn.choice
    // is reported as such rather than through the first op inside it.
    SmallVector<Operation *> ops;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      // Declarations are checked below, once their users are lowered.
      if (!isa_and_nonnull<nn::NNDialect>(op->getDialect()) ||
          isa<nn::ParameterOp>(op))
        return WalkResult::advance();
      ops.push_back(op);
      return op->getNumRegions() != 0 ? WalkResult::skip()
                                      : WalkResult::advance();
    });
    for (Operation *op : ops)
      if (failed(lower(op)))
        return signalPassFailure();
    // nn.optimizer_step and nn.assign name parameters by symbol; as kernel
    // calls they carry the names in their descriptors, so the declarations
    // have no users left. One that is still read was not made an argument.
    for (auto parameter :
         llvm::make_early_inc_range(getOperation().getOps<nn::ParameterOp>())) {
      if (!SymbolTable::symbolKnownUseEmpty(parameter, getOperation())) {
        parameter.emitError("cannot be compiled here: ")
            << "@" << parameter.getSymName()
            << " is still read; run nn-params-to-arguments first";
        return signalPassFailure();
      }
      parameter.erase();
    }
  }

  LogicalResult lower(Operation *op) {
    StringRef name = op->getName().stripDialect();
    if (op->getNumRegions() != 0 || isa<nn::ParamOp>(op))
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
    // Random draws and training-state updates (nn.optimizer_step, nn.assign,
    // which have no results) must neither be merged nor dropped as dead.
    UnitAttr sideEffects =
        isMemoryEffectFree(op) ? UnitAttr() : b.getUnitAttr();
    auto call = nnrt::KernelCallOp::create(
        b, loc, op->getResultTypes(), b.getStringAttr(name),
        b.getStringAttr(*descriptor), sideEffects, op->getOperands(), inits);
    op->replaceAllUsesWith(call.getResults());
    op->erase();
    return success();
  }
};

} // namespace
