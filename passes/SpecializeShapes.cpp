//===- SpecializeShapes.cpp - Static shapes for compilation ---------------===//

#include "passes/PassUtils.h"
#include "passes/Passes.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <map>

namespace nnc {
#define GEN_PASS_DEF_SPECIALIZESHAPES
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

bool isStatic(Type t) {
  auto shaped = dyn_cast<ShapedType>(t);
  return !shaped || shaped.hasStaticShape();
}

/// The result type of an op whose `?` result dims take their sizes from its
/// index operands in order (nn.reshape, nn.expand, nn.scatter_reduce), once
/// those are constant.
std::optional<RankedTensorType> fromSizeOperands(Operation *op) {
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type)
    return std::nullopt;
  SmallVector<int64_t> sizes;
  for (Value v : op->getOperands()) {
    if (!v.getType().isIndex())
      continue;
    APInt value;
    if (!matchPattern(v, m_ConstantInt(&value)))
      return std::nullopt;
    sizes.push_back(value.getSExtValue());
  }
  SmallVector<int64_t> shape(type.getShape());
  unsigned next = 0;
  for (int64_t &d : shape)
    if (ShapedType::isDynamic(d)) {
      if (next == sizes.size())
        return std::nullopt;
      d = sizes[next++];
    }
  return RankedTensorType::get(shape, type.getElementType());
}

/// Refines the result types of `op` from its (now more static) operands.
/// Returns true if a type changed.
bool refine(Operation *op) {
  if (llvm::all_of(op->getResultTypes(), isStatic))
    return false;
  if (isa<nn::ReshapeOp, nn::ExpandOp, nn::ScatterReduceOp>(op)) {
    std::optional<RankedTensorType> type = fromSizeOperands(op);
    if (!type)
      return false;
    op->getResult(0).setType(*type);
    // The sizes are in the type now; the ops take index operands only for
    // `?` dims.
    if (auto reshape = dyn_cast<nn::ReshapeOp>(op))
      reshape.getDynamicSizesMutable().clear();
    else if (auto expand = dyn_cast<nn::ExpandOp>(op))
      expand.getDynamicSizesMutable().clear();
    else
      cast<nn::ScatterReduceOp>(op).getDimSizeMutable().clear();
    return true;
  }
  if (auto cast = dyn_cast<nn::CastOp>(op)) {
    auto in = dyn_cast<RankedTensorType>(cast.getInput().getType());
    if (!in || !in.hasStaticShape())
      return false;
    cast.getResult().setType(RankedTensorType::get(
        in.getShape(), cast.getResult().getType().getElementType()));
    return true;
  }
  auto infer = dyn_cast<InferTypeOpInterface>(op);
  if (!infer)
    return false;
  SmallVector<Type> types;
  if (failed(infer.inferReturnTypes(op->getContext(), op->getLoc(),
                                    op->getOperands(), op->getAttrDictionary(),
                                    op->getPropertiesStorage(),
                                    op->getRegions(), types)) ||
      types.size() != op->getNumResults())
    return false;
  bool changed = false;
  for (auto [result, type] : llvm::zip(op->getResults(), types))
    if (result.getType() != type && isStatic(type)) {
      result.setType(type);
      changed = true;
    }
  return changed;
}

struct SpecializeShapesPass
    : nnc::impl::SpecializeShapesBase<SpecializeShapesPass> {
  using SpecializeShapesBase::SpecializeShapesBase;

  void runOnOperation() override {
    std::map<std::string, int64_t> sizes;
    for (const std::string &d : dims) {
      auto eq = d.find('=');
      int64_t size = 0;
      if (eq == std::string::npos || eq == 0 ||
          llvm::StringRef(d).drop_front(eq + 1).getAsInteger(10, size) ||
          size < 1) {
        getOperation().emitError()
            << "dims expects NAME=SIZE with a positive size, got '" << d << "'";
        return signalPassFailure();
      }
      sizes[d.substr(0, eq)] = size;
    }
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && failed(specialize(func, sizes)))
        return signalPassFailure();
  }

  LogicalResult specialize(func::FuncOp func,
                           const std::map<std::string, int64_t> &sizes) {
    Block &entry = func.getBody().front();
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      auto type = dyn_cast<RankedTensorType>(func.getArgumentTypes()[i]);
      if (!type || type.hasStaticShape())
        continue;
      auto names = func.getArgAttrOfType<ArrayAttr>(i, "nn.dims");
      SmallVector<int64_t> shape(type.getShape());
      for (unsigned d = 0; d < shape.size(); ++d) {
        if (!ShapedType::isDynamic(shape[d]))
          continue;
        std::string name =
            names && d < names.size() && isa<StringAttr>(names[d])
                ? cast<StringAttr>(names[d]).str()
                : "";
        auto it = sizes.find(name);
        if (it == sizes.end())
          return func.emitError()
                 << "dim " << d << " of argument " << i << " of @"
                 << func.getSymName() << " is dynamic"
                 << (name.empty() ? std::string(" and unnamed")
                                  : " ('" + name + "')")
                 << "; give its size with dims=" << (name.empty() ? "N" : name)
                 << "=<size>";
        shape[d] = it->second;
      }
      entry.getArgument(i).setType(
          RankedTensorType::get(shape, type.getElementType()));
    }

    // Alternate type refinement and folding (tensor.dim of a now static dim,
    // index arithmetic) until nothing changes; each round resolves at least
    // one more level of size dependencies.
    MLIRContext *ctx = func.getContext();
    RewritePatternSet patterns(ctx);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    tensor::DimOp::getCanonicalizationPatterns(patterns, ctx);
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (int round = 0; round < 64; ++round) {
      bool refined = false, folded = false;
      func.walk([&](Operation *op) { refined |= refine(op); });
      if (failed(applyPatternsGreedily(func, frozen, GreedyRewriteConfig(),
                                       &folded)))
        return func.emitError("shape specialisation did not converge");
      if (!refined && !folded)
        break;
    }

    Operation *terminator = func.getBody().front().getTerminator();
    func.setType(FunctionType::get(ctx, entry.getArgumentTypes(),
                                   terminator->getOperandTypes()));
    WalkResult dynamic = func.walk([&](Operation *op) {
      for (Type t : op->getResultTypes())
        if (!isStatic(t)) {
          op->emitError("the shape of this result stays dynamic (")
              << t << ") after binding every input dim";
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    return failure(dynamic.wasInterrupted());
  }
};

} // namespace
