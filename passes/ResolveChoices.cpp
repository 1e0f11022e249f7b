//===- ResolveChoices.cpp - Candidates or mixtures for nn.choice ----------===//

#include "passes/PassUtils.h"
#include "passes/Passes.h"

#include "dialects/nn/NNOps.h"

#include <map>

namespace nnc {
#define GEN_PASS_DEF_RESOLVECHOICES
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

/// Moves the operations of a candidate region in front of `choice` and
/// returns the value the region yields.
Value inlineCandidate(nn::ChoiceOp choice, Region &region) {
  Block &block = region.front();
  auto yield = cast<nn::YieldOp>(block.getTerminator());
  Value result = yield.getValue();
  for (Operation &op : llvm::make_early_inc_range(block.without_terminator()))
    op.moveBefore(choice);
  return result;
}

struct ResolveChoicesPass : nnc::impl::ResolveChoicesBase<ResolveChoicesPass> {
  using ResolveChoicesBase::ResolveChoicesBase;

  void runOnOperation() override {
    std::map<std::string, std::string> selected;
    for (const std::string &s : select) {
      auto eq = s.find('=');
      if (eq == std::string::npos || eq == 0) {
        getOperation().emitError()
            << "select expects choice-name=label, got '" << s << "'";
        return signalPassFailure();
      }
      selected[s.substr(0, eq)] = s.substr(eq + 1);
    }
    std::map<std::string, bool> used;
    // Innermost first, so a choice inside a candidate is resolved before
    // its parent's regions are inlined.
    SmallVector<nn::ChoiceOp> choices;
    getOperation().walk<WalkOrder::PostOrder>(
        [&](nn::ChoiceOp c) { choices.push_back(c); });
    for (nn::ChoiceOp choice : choices) {
      std::string name = choice.getName().str();
      auto labels = choice.getCandidates();
      OpBuilder b(choice);
      Value result;
      if (auto it = selected.find(name); it != selected.end()) {
        used[name] = true;
        for (unsigned i = 0; i < labels.size(); ++i)
          if (cast<StringAttr>(labels[i]).getValue() == it->second)
            result = inlineCandidate(choice, choice->getRegion(i));
        if (!result) {
          choice.emitError() << "choice '" << name << "' has no candidate '"
                             << it->second << "'";
          return signalPassFailure();
        }
      } else {
        Type type = choice.getType();
        for (Region &region : choice->getRegions()) {
          Value v = inlineCandidate(choice, region);
          result = result ? nnc::createOp(b, choice.getLoc(), "nn.add",
                                          {result, v}, {type})
                                ->getResult(0)
                          : v;
        }
        auto elementType = cast<RankedTensorType>(type).getElementType();
        Value scale = nnc::scalarConstant(b, choice.getLoc(), elementType,
                                          1.0 / double(labels.size()));
        result =
            nnc::createOp(b, choice.getLoc(), "nn.mul", {result, scale}, {type})
                ->getResult(0);
      }
      choice.replaceAllUsesWith(result);
      choice.erase();
    }
    for (auto &[name, label] : selected)
      if (!used[name]) {
        getOperation().emitError()
            << "the model has no choice named '" << name << "'";
        return signalPassFailure();
      }
  }
};

} // namespace
