//===- AttachLoss.cpp - A loss function from a model function -------------===//

#include "passes/PassUtils.h"
#include "passes/Passes.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace nnc {
#define GEN_PASS_DEF_ATTACHLOSS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Losses of a model output against a target argument, by op name.
enum class TargetKind { ClassIndices, SameAsOutput };

std::optional<TargetKind> targetKindOf(StringRef loss) {
  if (loss == "cross_entropy" || loss == "nll_loss")
    return TargetKind::ClassIndices;
  if (loss == "mse_loss" || loss == "l1_loss" || loss == "bce_loss" ||
      loss == "bce_with_logits_loss")
    return TargetKind::SameAsOutput;
  return std::nullopt;
}

struct AttachLossPass : nnc::impl::AttachLossBase<AttachLossPass> {
  using AttachLossBase::AttachLossBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp model = nnc::lookupFunction(module, function);
    if (!model)
      return signalPassFailure();
    std::string name = (model.getName() + "_loss").str();
    if (module.lookupSymbol(name)) {
      module.emitError() << "the module already has a function @" << name;
      return signalPassFailure();
    }
    std::optional<TargetKind> kind = targetKindOf(loss);
    if (!kind && loss != "output") {
      module.emitError()
          << "unknown loss '" << loss
          << "'; expected cross_entropy, nll_loss, mse_loss, l1_loss, "
             "bce_loss, bce_with_logits_loss or output";
      return signalPassFailure();
    }

    // The output the loss is computed from.
    unsigned numResults = model.getNumResults();
    unsigned index = 0;
    if (!output.empty()) {
      for (index = 0; index < numResults; ++index)
        if (auto n = model.getResultAttrOfType<StringAttr>(index, "nn.name"))
          if (n.getValue() == output)
            break;
      if (index == numResults) {
        model.emitError() << "@" << model.getName() << " has no output named '"
                          << output << "'";
        return signalPassFailure();
      }
    } else if (numResults == 0) {
      model.emitError() << "@" << model.getName() << " has no outputs";
      return signalPassFailure();
    }
    auto outType = dyn_cast<RankedTensorType>(model.getResultTypes()[index]);
    if (!outType || !isa<FloatType>(outType.getElementType())) {
      model.emitError() << "the loss needs a float tensor output, got "
                        << model.getResultTypes()[index];
      return signalPassFailure();
    }

    if (kind) {
      for (unsigned i = 0; i < numResults; ++i)
        if (auto n = model.getResultAttrOfType<StringAttr>(i, "nn.name");
            n && n.getValue() == "loss") {
          model.emitError()
              << "@" << model.getName()
              << " already has an output named 'loss'; train on it with "
                 "loss=output output=loss, or rename it";
          return signalPassFailure();
        }
    }

    func::FuncOp lossFn = model.clone();
    lossFn.setName(name);
    module.insert(std::next(Block::iterator(model)), lossFn);
    Block &body = lossFn.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    OpBuilder b(ret);
    Location loc = ret.getLoc();
    Value out = ret.getOperand(index);

    Value lossValue;
    if (!kind) {
      if (outType.getRank() != 0) {
        model.emitError() << "output '" << output
                          << "' is used as the loss but is not a scalar: "
                          << outType;
        return signalPassFailure();
      }
      lossValue = out;
    } else {
      Type targetType = outType;
      if (*kind == TargetKind::ClassIndices) {
        if (outType.getRank() < 2) {
          model.emitError()
              << loss << " needs class scores [N, C, ...], got " << outType;
          return signalPassFailure();
        }
        SmallVector<int64_t> shape(outType.getShape());
        shape.erase(shape.begin() + 1);
        targetType = RankedTensorType::get(shape, b.getI64Type());
      }
      unsigned argIndex = lossFn.getNumArguments();
      if (failed(lossFn.insertArgument(
              argIndex, targetType,
              b.getDictionaryAttr(
                  {b.getNamedAttr("nn.name", b.getStringAttr("target"))}),
              loc)))
        return signalPassFailure();
      SmallVector<NamedAttribute> attrs;
      if (loss == "cross_entropy")
        attrs.push_back(b.getNamedAttr("label_smoothing",
                                       b.getF64FloatAttr(labelSmoothing)));
      lossValue =
          nnc::createOp(b, loc, "nn." + loss, {out, body.getArgument(argIndex)},
                        {RankedTensorType::get({}, outType.getElementType())},
                        attrs)
              ->getResult(0);
    }

    // Return (loss, outputs...). A model-computed loss moves to the front
    // and keeps its name, so no output appears twice.
    auto attrsOf = [&](unsigned i) {
      return model.getResultAttrDict(i) ? Attribute(model.getResultAttrDict(i))
                                        : Attribute(b.getDictionaryAttr({}));
    };
    SmallVector<Value> results{lossValue};
    SmallVector<Attribute> resultAttrs{
        kind ? Attribute(b.getDictionaryAttr(
                   {b.getNamedAttr("nn.name", b.getStringAttr("loss"))}))
             : attrsOf(index)};
    for (unsigned i = 0; i < numResults; ++i) {
      if (!kind && i == index)
        continue;
      results.push_back(ret.getOperand(i));
      resultAttrs.push_back(attrsOf(i));
    }
    func::ReturnOp::create(b, loc, results);
    ret.erase();
    lossFn.setFunctionType(b.getFunctionType(lossFn.getArgumentTypes(),
                                             ValueRange(results).getTypes()));
    lossFn.setAllResultAttrs(resultAttrs);
  }
};

} // namespace
