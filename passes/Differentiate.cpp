//===- Differentiate.cpp - Reverse-mode differentiation -------------------===//
//
// Builds the training-step function of a loss function in three steps:
// a copy of the loss function is switched to training semantics, a forward
// activity analysis finds the values trainable parameters flow into, and a
// backward sweep over the copy's ops (GradientRules.cpp) emits the gradients.
// The function is a single block of value-semantic ops, so reverse program
// order is a reverse topological order and no tape is needed: the forward
// values the rules read stay live in the same function.
//
//===----------------------------------------------------------------------===//

#include "passes/GradientRules.h"
#include "passes/PassUtils.h"
#include "passes/Passes.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/RegionUtils.h"

#include <map>

namespace nnc {
#define GEN_PASS_DEF_DIFFERENTIATE
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

/// The nn.parameter a value is read from, if it is an nn.param result.
nn::ParameterOp parameterOf(Value v, SymbolTable &symbols) {
  auto param = v.getDefiningOp<nn::ParamOp>();
  return param ? symbols.lookup<nn::ParameterOp>(param.getName()) : nullptr;
}

/// Switches `func` to training semantics. Running-statistics updates are
/// returned as (buffer, new value) pairs, to be assigned at the end.
LogicalResult
useTrainingSemantics(func::FuncOp func, SymbolTable &symbols,
                     SmallVectorImpl<std::pair<StringAttr, Value>> &updates) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) { ops.push_back(op); });
  // Dropout fused into a layer (between recurrent layers, on attention
  // probabilities): the op and its gradient op draw the same masks from the
  // step's stream `training_seed`, one stream per op.
  int64_t trainingStreams = 0;
  auto assignStream = [&](Operation *op) {
    op->setAttr("training_seed",
                IntegerAttr::get(IntegerType::get(op->getContext(), 64),
                                 trainingStreams++));
  };
  for (Operation *op : ops) {
    if (isa<nn::RNNOp, nn::LSTMOp, nn::GRUOp>(op)) {
      auto dropout = op->getAttrOfType<FloatAttr>("dropout");
      auto layers = op->getAttrOfType<IntegerAttr>("num_layers");
      if (dropout && dropout.getValueAsDouble() > 0 && layers &&
          layers.getInt() > 1)
        assignStream(op);
      continue;
    }
    if (auto attention = dyn_cast<nn::MultiHeadAttentionOp>(op)) {
      if (attention.getDropout() > 0)
        assignStream(op);
      continue;
    }
    if (isa<nn::ChoiceOp>(op))
      return op->emitOpError() << "must be resolved (a candidate selected) "
                                  "before training";
    OpBuilder b(op);
    if (auto bn = dyn_cast<nn::BatchNormOp>(op)) {
      nn::ParameterOp mean = parameterOf(bn.getRunningMean(), symbols);
      nn::ParameterOp var = parameterOf(bn.getRunningVar(), symbols);
      if (!mean || !var)
        return op->emitOpError() << "running statistics must be parameters "
                                    "to be updated in training";
      Type c = bn.getRunningMean().getType();
      SmallVector<NamedAttribute> attrs(op->getAttrDictionary().getValue());
      Operation *train =
          createOp(b, op->getLoc(), "nn.batch_norm_train", op->getOperands(),
                   {bn.getType(), c, c, c, c}, attrs);
      updates.push_back({mean.getSymNameAttr(), train->getResult(3)});
      updates.push_back({var.getSymNameAttr(), train->getResult(4)});
      bn.replaceAllUsesWith(train->getResult(0));
      bn.erase();
    } else if (auto dropout = dyn_cast<nn::DropoutOp>(op)) {
      Value x = dropout.getInput();
      Value y = x;
      if (dropout.getP() > 0) {
        Value mask = createOp(b, op->getLoc(), "nn.dropout_mask", {x},
                              {x.getType()}, op->getAttrDictionary().getValue())
                         ->getResult(0);
        y = createOp(b, op->getLoc(), "nn.mul", {x, mask}, {x.getType()})
                ->getResult(0);
      }
      dropout.replaceAllUsesWith(y);
      dropout.erase();
    }
  }
  return success();
}

/// Values that depend on a trainable parameter through float ops: only
/// these need gradients. A dropout mask is a constant of the step.
DenseSet<Value> activeValues(func::FuncOp func, SymbolTable &symbols) {
  DenseSet<Value> active;
  func.walk([&](Operation *op) {
    if (auto read = dyn_cast<nn::ParamOp>(op)) {
      nn::ParameterOp param = parameterOf(read, symbols);
      if (param && !param.getBuffer() &&
          isa<FloatType>(read.getType().getElementType()))
        active.insert(read);
      return;
    }
    if (isa<nn::DropoutMaskOp, nn::FillOp>(op))
      return;
    if (!llvm::any_of(op->getOperands(),
                      [&](Value v) { return active.contains(v); }))
      return;
    for (Value r : op->getResults())
      if (auto t = dyn_cast<RankedTensorType>(r.getType()))
        if (isa<FloatType>(t.getElementType()))
          active.insert(r);
  });
  return active;
}

struct DifferentiatePass : nnc::impl::DifferentiateBase<DifferentiatePass> {
  using DifferentiateBase::DifferentiateBase;

  void runOnOperation() override {
    if (failed(run()))
      signalPassFailure();
  }

  LogicalResult run() {
    ModuleOp module = getOperation();
    func::FuncOp source = lookupFunction(module, function, "_loss");
    if (!source)
      return failure();
    auto lossType = source.getNumResults()
                        ? dyn_cast<RankedTensorType>(source.getResultTypes()[0])
                        : RankedTensorType();
    if (!lossType || lossType.getRank() != 0 ||
        !isa<FloatType>(lossType.getElementType()))
      return source.emitError()
             << "@" << source.getName()
             << " must return a rank-0 float loss first (see nn-attach-loss)";
    std::string name =
        (source.getName() + (emitGradients ? "_grad" : "_train_step")).str();
    if (module.lookupSymbol(name))
      return module.emitError()
             << "the module already has a function @" << name;

    func::FuncOp step = source.clone();
    step.setName(name);
    module.insert(std::next(Block::iterator(source)), step);
    SymbolTable symbols(module);
    SmallVector<std::pair<StringAttr, Value>> updates;
    if (failed(useTrainingSemantics(step, symbols, updates)))
      return failure();
    DenseSet<Value> active = activeValues(step, symbols);

    // Backward sweep, seeded with d loss / d loss = 1.
    Block &body = step.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    OpBuilder b(ret);
    GradientSweep sweep(b, active);
    Value loss = ret.getOperand(0);
    sweep.accumulate(
        loss, scalarConstant(b, ret.getLoc(), lossType.getElementType(), 1.0));
    SmallVector<Operation *> forward;
    for (Operation &op : body.without_terminator())
      forward.push_back(&op);
    for (Operation *op : llvm::reverse(forward)) {
      if (!llvm::any_of(op->getResults(),
                        [&](Value r) { return sweep.gradient(r); }))
        continue;
      // Every active operand must receive a gradient: a rule that skips one
      // (an unsupported operand, such as a learned attention mask) is an
      // error, never a silently untrained parameter.
      SmallVector<Value> before;
      for (Value v : op->getOperands())
        before.push_back(sweep.gradient(v));
      if (failed(differentiateOp(op, sweep)))
        return failure();
      for (auto [i, v] : llvm::enumerate(op->getOperands()))
        if (active.contains(v) && !isShapeOnlyOperand(op, i) &&
            sweep.gradient(v) == before[i])
          return op->emitOpError()
                 << "gradient with respect to operand #" << i
                 << " is not supported yet, so the parameters it depends "
                    "on cannot be trained";
    }

    // Parameter gradients, summed over every read of the same parameter, in
    // declaration order.
    std::map<std::string, Value> byName;
    for (Operation *op : forward)
      if (auto read = dyn_cast<nn::ParamOp>(op))
        if (Value g = sweep.gradient(read)) {
          Value &slot = byName[read.getName().str()];
          slot = slot ? createOp(b, ret.getLoc(), "nn.add", {slot, g},
                                 {g.getType()})
                            ->getResult(0)
                      : g;
        }
    SmallVector<Attribute> names;
    SmallVector<Value> grads;
    for (auto param : module.getOps<nn::ParameterOp>()) {
      auto it = byName.find(param.getSymName().str());
      if (it == byName.end())
        continue;
      names.push_back(FlatSymbolRefAttr::get(param.getSymNameAttr()));
      grads.push_back(it->second);
    }
    if (grads.empty())
      return source.emitError() << "the loss of @" << source.getName()
                                << " does not depend on any trainable "
                                   "parameter";

    if (emitGradients) {
      SmallVector<Value> results(ret.getOperands());
      llvm::append_range(results, grads);
      SmallVector<Attribute> resultAttrs;
      for (unsigned i = 0; i < step.getNumResults(); ++i)
        resultAttrs.push_back(step.getResultAttrDict(i)
                                  ? Attribute(step.getResultAttrDict(i))
                                  : Attribute(b.getDictionaryAttr({})));
      for (Attribute n : names)
        resultAttrs.push_back(b.getDictionaryAttr({b.getNamedAttr(
            "nn.name",
            b.getStringAttr("grad:" +
                            cast<FlatSymbolRefAttr>(n).getValue().str()))}));
      func::ReturnOp::create(b, ret.getLoc(), results);
      ret.erase();
      step.setFunctionType(b.getFunctionType(step.getArgumentTypes(),
                                             ValueRange(results).getTypes()));
      step.setAllResultAttrs(resultAttrs);
    } else {
      createOp(b, ret.getLoc(), "nn.optimizer_step", grads, {},
               {b.getNamedAttr("parameters", b.getArrayAttr(names))});
      for (auto [buffer, value] : updates)
        createOp(b, ret.getLoc(), "nn.assign", {value}, {},
                 {b.getNamedAttr("name", FlatSymbolRefAttr::get(buffer))});
    }

    // Drop the gradients no parameter needed (zeros for unused results,
    // operands' gradients of ops whose other operands were active).
    IRRewriter rewriter(b);
    (void)runRegionDCE(rewriter, step.getBody());
    return success();
  }
};

} // namespace
