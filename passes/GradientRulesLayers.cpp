//===- GradientRulesLayers.cpp - VJPs of pointwise ops, losses, layers ----===//
//
// Rules whose gradient ops live in NNGradPointwiseOps.td and
// NNGradLayerOps.td. Structured layers (recurrent, attention, experts) have
// one gradient op that mirrors the forward op: the result gradients, then
// the forward operands in the same segments, and the same attributes; its
// results are the gradients of the float operands in operand order.
//
//===----------------------------------------------------------------------===//

#include "passes/GradientRules.h"

#include "dialects/nn/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace nnc;

namespace {

/// The forward op's attributes without its operand segment sizes.
SmallVector<NamedAttribute> attrsOf(Operation *op) {
  SmallVector<NamedAttribute> attrs;
  for (NamedAttribute a : op->getAttrDictionary())
    if (a.getName() != "operandSegmentSizes")
      attrs.push_back(a);
  return attrs;
}

/// The forward op's segment sizes with `leading` gradient operands in front.
NamedAttribute segmentsWith(OpBuilder &b, Operation *op,
                            ArrayRef<int32_t> leading) {
  SmallVector<int32_t> sizes(leading);
  auto forward = op->getAttrOfType<DenseI32ArrayAttr>("operandSegmentSizes");
  llvm::append_range(sizes, forward.asArrayRef());
  return b.getNamedAttr("operandSegmentSizes", b.getDenseI32ArrayAttr(sizes));
}

/// The gradient of every result of `op` (zeros where none flowed).
SmallVector<Value> resultGradients(GradientSweep &s, Operation *op) {
  SmallVector<Value> grads;
  for (Value r : op->getResults())
    grads.push_back(s.resultGradient(r));
  return grads;
}

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && isa<FloatType>(t.getElementType());
}

/// Emits the mirrored gradient op `name` of a structured forward op: result
/// gradients, then every forward operand; one result per float operand;
/// accumulates them. `floatOperands` selects the operands that get a
/// gradient (masks and indices do not).
void mirrorGradient(GradientSweep &s, Operation *op, StringRef name,
                    ArrayRef<Value> floatOperands, bool segmented) {
  SmallVector<Value> operands = resultGradients(s, op);
  int32_t numGrads = operands.size();
  llvm::append_range(operands, op->getOperands());
  SmallVector<Type> types;
  for (Value v : floatOperands)
    types.push_back(v.getType());
  SmallVector<NamedAttribute> attrs = attrsOf(op);
  if (segmented)
    attrs.push_back(segmentsWith(s.b, op, SmallVector<int32_t>(numGrads, 1)));
  Operation *g = s.make(op->getLoc(), name, operands, types, attrs);
  for (auto [v, grad] : llvm::zip(floatOperands, g->getResults()))
    s.accumulate(v, grad);
}

/// Present optional values, in order.
SmallVector<Value> present(std::initializer_list<Value> values) {
  SmallVector<Value> out;
  for (Value v : values)
    if (v)
      out.push_back(v);
  return out;
}

} // namespace

LogicalResult nnc::differentiateLayerOp(Operation *op, GradientSweep &s) {
  Location loc = op->getLoc();
  OpBuilder &b = s.b;
  auto dy = [&]() { return s.resultGradient(op->getResult(0)); };
  auto named = [&](StringRef key, StringRef value) {
    return b.getNamedAttr(key, b.getStringAttr(value));
  };

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      // Activations.
      .Case<nn::SiluOp, nn::SeluOp, nn::AbsOp, nn::RsqrtOp>([&](Operation *) {
        Value x = op->getOperand(0);
        s.accumulate(
            x, s.makeLike(loc, "nn.unary_grad", x, {dy(), x, op->getResult(0)},
                          {named("op", op->getName().stripDialect())}));
        return success();
      })
      .Case<nn::EluOp, nn::LeakyReluOp, nn::SoftplusOp>([&](Operation *) {
        Value x = op->getOperand(0);
        s.accumulate(
            x, s.makeLike(
                   loc, ("nn." + op->getName().stripDialect() + "_grad").str(),
                   x, {dy(), x}, attrsOf(op)));
        return success();
      })
      .Case([&](nn::PReluOp o) {
        Operation *g =
            s.make(loc, "nn.prelu_grad", {dy(), o.getInput(), o.getWeight()},
                   {o.getInput().getType(), o.getWeight().getType()});
        s.accumulate(o.getInput(), g->getResult(0));
        s.accumulate(o.getWeight(), g->getResult(1));
        return success();
      })
      .Case<nn::PowOp, nn::MaximumOp, nn::MinimumOp>([&](Operation *) {
        Value lhs = op->getOperand(0), rhs = op->getOperand(1);
        Operation *g = s.make(loc, "nn.binary_grad", {dy(), lhs, rhs},
                              {lhs.getType(), rhs.getType()},
                              {named("op", op->getName().stripDialect())});
        s.accumulate(lhs, g->getResult(0));
        s.accumulate(rhs, g->getResult(1));
        return success();
      })
      // Losses.
      .Case<nn::L1LossOp, nn::BCELossOp, nn::BCEWithLogitsLossOp,
            nn::KLDivLossOp>([&](Operation *) {
        Value x = op->getOperand(0), t = op->getOperand(1);
        SmallVector<NamedAttribute> attrs = attrsOf(op);
        attrs.push_back(named("loss", op->getName().stripDialect()));
        Operation *g = s.make(loc, "nn.pointwise_loss_grad", {dy(), x, t},
                              {x.getType(), t.getType()}, attrs);
        s.accumulate(x, g->getResult(0));
        s.accumulate(t, g->getResult(1));
        return success();
      })
      .Case([&](nn::NLLLossOp o) {
        s.accumulate(o.getInput(),
                     s.makeLike(loc, "nn.nll_loss_grad", o.getInput(),
                                {dy(), o.getInput(), o.getTarget()},
                                attrsOf(op)));
        return success();
      })
      .Case([&](nn::CrossEntropyLossOp o) {
        // Probability targets (class-index targets are in GradientRules.cpp).
        SmallVector<NamedAttribute> attrs;
        for (NamedAttribute a : attrsOf(op))
          if (a.getName() != "ignore_index")
            attrs.push_back(a);
        Operation *g =
            s.make(loc, "nn.cross_entropy_probs_grad",
                   {dy(), o.getInput(), o.getTarget()},
                   {o.getInput().getType(), o.getTarget().getType()}, attrs);
        s.accumulate(o.getInput(), g->getResult(0));
        s.accumulate(o.getTarget(), g->getResult(1));
        return success();
      })
      .Case([&](nn::DistillationLossOp o) {
        Operation *g = s.make(
            loc, "nn.distillation_loss_grad",
            {dy(), o.getStudent(), o.getTeacher(), o.getTarget()},
            {o.getStudent().getType(), o.getTeacher().getType()}, attrsOf(op));
        s.accumulate(o.getStudent(), g->getResult(0));
        s.accumulate(o.getTeacher(), g->getResult(1));
        return success();
      })
      .Case([&](nn::InfoNCELossOp o) {
        Operation *g = s.make(
            loc, "nn.info_nce_loss_grad",
            {dy(), o.getAnchor(), o.getPositive()},
            {o.getAnchor().getType(), o.getPositive().getType()}, attrsOf(op));
        s.accumulate(o.getAnchor(), g->getResult(0));
        s.accumulate(o.getPositive(), g->getResult(1));
        return success();
      })
      // Convolution, pooling, normalisation.
      .Case([&](nn::ConvTransposeOp o) {
        Value g0 = dy();
        Operation *g = s.make(
            loc, "nn.conv_transpose_grad", {g0, o.getInput(), o.getWeight()},
            {o.getInput().getType(), o.getWeight().getType()}, attrsOf(op));
        s.accumulate(o.getInput(), g->getResult(0));
        s.accumulate(o.getWeight(), g->getResult(1));
        if (Value bias = o.getBias()) {
          SmallVector<int64_t> dims{0};
          for (int64_t d = 2, e = o.getResult().getType().getRank(); d < e; ++d)
            dims.push_back(d);
          s.accumulate(
              bias, s.makeLike(loc, "nn.reduce_sum", bias, {g0},
                               {b.getNamedAttr("dims",
                                               b.getDenseI64ArrayAttr(dims))}));
        }
        return success();
      })
      .Case<nn::AdaptiveAvgPoolOp, nn::AdaptiveMaxPoolOp>([&](Operation *) {
        Value x = op->getOperand(0);
        StringRef name = isa<nn::AdaptiveAvgPoolOp>(op)
                             ? "nn.adaptive_avg_pool_grad"
                             : "nn.adaptive_max_pool_grad";
        s.accumulate(x, s.makeLike(loc, name, x, {dy(), x}));
        return success();
      })
      .Case([&](nn::GroupNormOp o) {
        SmallVector<Value> operands{dy(), o.getInput()};
        llvm::append_range(operands, present({o.getWeight(), o.getBias()}));
        RankedTensorType x = o.getInput().getType();
        auto c = RankedTensorType::get({x.getDimSize(1)}, x.getElementType());
        SmallVector<NamedAttribute> attrs = attrsOf(op);
        attrs.push_back(
            b.getNamedAttr("operandSegmentSizes",
                           b.getDenseI32ArrayAttr({1, 1, o.getWeight() ? 1 : 0,
                                                   o.getBias() ? 1 : 0})));
        Operation *g =
            s.make(loc, "nn.group_norm_grad", operands, {x, c, c}, attrs);
        s.accumulate(o.getInput(), g->getResult(0));
        s.accumulate(o.getWeight(), g->getResult(1));
        s.accumulate(o.getBias(), g->getResult(2));
        return success();
      })
      // Recurrent layers.
      .Case([&](nn::RNNOp o) {
        SmallVector<Value> grads{o.getInput()};
        llvm::append_range(grads, present({o.getH0()}));
        llvm::append_range(grads, o.getWeights());
        mirrorGradient(s, op, "nn.rnn_grad", grads, true);
        return success();
      })
      .Case([&](nn::LSTMOp o) {
        SmallVector<Value> grads{o.getInput()};
        llvm::append_range(grads, present({o.getH0(), o.getC0()}));
        llvm::append_range(grads, o.getWeights());
        mirrorGradient(s, op, "nn.lstm_grad", grads, true);
        return success();
      })
      .Case([&](nn::GRUOp o) {
        SmallVector<Value> grads{o.getInput()};
        llvm::append_range(grads, present({o.getH0()}));
        llvm::append_range(grads, o.getWeights());
        mirrorGradient(s, op, "nn.gru_grad", grads, true);
        return success();
      })
      // Attention and experts.
      .Case([&](nn::ScaledDotProductAttentionOp o) {
        SmallVector<Value> grads{o.getQuery(), o.getKey(), o.getValue()};
        if (Value mask = o.getAttnMask(); mask && isFloatTensor(mask))
          grads.push_back(mask);
        mirrorGradient(s, op, "nn.scaled_dot_product_attention_grad", grads,
                       false);
        return success();
      })
      .Case([&](nn::RelativePositionBiasOp o) {
        s.accumulate(o.getWeight(),
                     s.makeLike(loc, "nn.relative_position_bias_grad",
                                o.getWeight(), {dy(), o.getWeight()},
                                attrsOf(op)));
        return success();
      })
      .Case([&](nn::MultiHeadAttentionOp o) {
        SmallVector<Value> grads{o.getQuery(), o.getKey(), o.getValue()};
        llvm::append_range(
            grads,
            present({o.getInProjWeight(), o.getQProjWeight(),
                     o.getKProjWeight(), o.getVProjWeight(), o.getInProjBias(),
                     o.getOutProjWeight(), o.getOutProjBias()}));
        mirrorGradient(s, op, "nn.multi_head_attention_grad", grads, true);
        return success();
      })
      .Case([&](nn::AdditiveAttentionOp o) {
        mirrorGradient(s, op, "nn.additive_attention_grad",
                       {o.getQuery(), o.getKeys(), o.getQueryWeight(),
                        o.getKeyWeight(), o.getScoreWeight()},
                       false);
        return success();
      })
      .Case([&](nn::MoEOp o) {
        SmallVector<Value> grads{o.getInput(), o.getGateWeight()};
        llvm::append_range(grads, o.getExpertWeights());
        mirrorGradient(s, op, "nn.moe_grad", grads, false);
        return success();
      })
      // Graph message passing.
      .Case([&](nn::GatherOp o) -> LogicalResult {
        if (!isFloatTensor(o.getInput()))
          return success();
        s.accumulate(o.getInput(),
                     s.makeLike(loc, "nn.gather_grad", o.getInput(),
                                {dy(), o.getInput(), o.getIndex()},
                                attrsOf(op)));
        return success();
      })
      .Case([&](nn::ScatterReduceOp o) -> LogicalResult {
        if (!isFloatTensor(o.getSrc()))
          return success();
        s.accumulate(o.getSrc(),
                     s.makeLike(loc, "nn.scatter_reduce_grad", o.getSrc(),
                                {dy(), o.getSrc(), o.getIndex(), o.getResult()},
                                {b.getNamedAttr("reduce", o.getReduceAttr())}));
        return success();
      })
      .Default([](Operation *op) {
        return op->emitOpError()
               << "has no gradient rule yet, so a model cannot be trained "
                  "through it";
      });
}
