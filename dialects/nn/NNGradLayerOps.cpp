//===- NNGradLayerOps.cpp - Gradients of structured layers ----------------===//
//
// The forward ops verify the shapes; these check what a gradient op adds:
// that the gradient results line up with the forward operands they belong
// to, and that result gradients have the forward results' ranks.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNOps.h"

using namespace mlir;
using namespace nnc::nn;

/// `grads` must have the types of `operands`, one to one.
static LogicalResult checkGradsMatch(Operation *op, StringRef what,
                                     ValueRange grads, ValueRange operands) {
  if (grads.size() != operands.size())
    return op->emitOpError()
           << "has " << grads.size() << " " << what << " but "
           << operands.size() << " operands they are the gradients of";
  for (auto [i, pair] : llvm::enumerate(llvm::zip(grads, operands)))
    if (std::get<0>(pair).getType() != std::get<1>(pair).getType())
      return op->emitOpError()
             << what << " #" << i << " has type " << std::get<0>(pair).getType()
             << " but its operand has type " << std::get<1>(pair).getType();
  return success();
}

static LogicalResult checkSameRank(Operation *op, Value grad, Value forward,
                                   StringRef what) {
  if (tensorTypeOf(grad).getRank() != tensorTypeOf(forward).getRank())
    return op->emitOpError()
           << what << " must have rank " << tensorTypeOf(forward).getRank();
  return success();
}

LogicalResult ConvTransposeGradOp::verify() {
  OpDiag diag(*this);
  int64_t rank = getInput().getType().getRank(), spatial = rank - 2;
  if (rank < 3 || rank > 5)
    return emitOpError() << "input must have rank 3 to 5, got " << rank;
  if (failed(checkRank(diag, "weight", getWeight().getType(), rank)) ||
      failed(checkSpatialAttr(diag, "stride", getStride(), spatial, 1)) ||
      failed(checkSpatialAttr(diag, "padding", getPadding(), spatial, 0)) ||
      failed(checkSpatialAttr(diag, "output_padding", getOutputPadding(),
                              spatial, 0)) ||
      failed(checkSpatialAttr(diag, "dilation", getDilation(), spatial, 1)))
    return failure();
  return checkSameRank(*this, getGradOutput(), getInput(), "grad_output");
}

template <typename OpT> static LogicalResult verifyAdaptivePoolGrad(OpT op) {
  RankedTensorType x = op.getInput().getType();
  RankedTensorType dy = op.getGradOutput().getType();
  if (x.getRank() < 3 || x.getRank() > 5)
    return op.emitOpError()
           << "input must have rank 3 to 5, got " << x.getRank();
  if (failed(
          checkSameRank(op, op.getGradOutput(), op.getInput(), "grad_output")))
    return failure();
  if (!dimsMatch(dy.getDimSize(0), x.getDimSize(0)) ||
      !dimsMatch(dy.getDimSize(1), x.getDimSize(1)))
    return op.emitOpError()
           << "grad_output " << shapeToString(dy.getShape())
           << " must keep the input's N and C " << shapeToString(x.getShape());
  return success();
}
LogicalResult AdaptiveAvgPoolGradOp::verify() {
  return verifyAdaptivePoolGrad(*this);
}
LogicalResult AdaptiveMaxPoolGradOp::verify() {
  return verifyAdaptivePoolGrad(*this);
}

LogicalResult GroupNormGradOp::verify() {
  RankedTensorType x = getInput().getType();
  if (x.getRank() < 2)
    return emitOpError() << "input must have rank >= 2";
  int64_t c = x.getDimSize(1);
  if (getNumGroups() < 1 || (!isDynamicDim(c) && c % getNumGroups()))
    return emitOpError() << "num_groups " << getNumGroups()
                         << " must divide the " << c << " channels";
  if (getGradOutput().getType() != x)
    return emitOpError() << "grad_output must have the input's type";
  return checkShape(OpDiag(*this), "grad_weight", getGradWeight().getType(),
                    {c});
}

/// The present initial states then the weights: what grad_states_and_weights
/// holds the gradients of.
static SmallVector<Value> statesAndWeights(std::initializer_list<Value> states,
                                           ValueRange weights) {
  SmallVector<Value> values;
  for (Value s : states)
    if (s)
      values.push_back(s);
  llvm::append_range(values, weights);
  return values;
}

LogicalResult RNNGradOp::verify() {
  if (getGradInput().getType() != getInput().getType())
    return emitOpError() << "grad_input must have the input's type";
  return checkGradsMatch(*this, "grad_states_and_weights",
                         getGradStatesAndWeights(),
                         statesAndWeights({getH0()}, getWeights()));
}
LogicalResult LSTMGradOp::verify() {
  if (getGradInput().getType() != getInput().getType())
    return emitOpError() << "grad_input must have the input's type";
  return checkGradsMatch(*this, "grad_states_and_weights",
                         getGradStatesAndWeights(),
                         statesAndWeights({getH0(), getC0()}, getWeights()));
}
LogicalResult GRUGradOp::verify() {
  if (getGradInput().getType() != getInput().getType())
    return emitOpError() << "grad_input must have the input's type";
  return checkGradsMatch(*this, "grad_states_and_weights",
                         getGradStatesAndWeights(),
                         statesAndWeights({getH0()}, getWeights()));
}

LogicalResult ScaledDotProductAttentionGradOp::verify() {
  if (failed(checkSameRank(*this, getGradOutput(), getQuery(), "grad_output")))
    return failure();
  Value mask = getAttnMask();
  bool floatMask = mask && isa<FloatType>(tensorTypeOf(mask).getElementType());
  if (bool(getGradAttnMask()) != floatMask)
    return emitOpError() << "grad_attn_mask must be present exactly when "
                            "attn_mask is a float mask";
  if (floatMask && getGradAttnMask().getType() != mask.getType())
    return emitOpError() << "grad_attn_mask must have the attn_mask's type";
  return success();
}

LogicalResult RelativePositionBiasGradOp::verify() {
  OpDiag diag(*this);
  RankedTensorType w = getWeight().getType();
  if (failed(checkRank(diag, "weight", w, 2)) ||
      failed(checkRank(diag, "grad_output", getGradOutput().getType(), 4)))
    return failure();
  if (!dimsMatch(w.getDimSize(0), getNumBuckets()))
    return emitOpError() << "weight has " << w.getDimSize(0)
                         << " rows but num_buckets is " << getNumBuckets();
  return success();
}

LogicalResult MultiHeadAttentionGradOp::verify() {
  if (failed(checkSameRank(*this, getGradOutput(), getQuery(), "grad_output")))
    return failure();
  return checkGradsMatch(
      *this, "grad_weights", getGradWeights(),
      statesAndWeights({getInProjWeight(), getQProjWeight(), getKProjWeight(),
                        getVProjWeight(), getInProjBias(), getOutProjWeight(),
                        getOutProjBias()},
                       {}));
}

LogicalResult MoEGradOp::verify() {
  if (failed(checkSameRank(*this, getGradOutput(), getInput(), "grad_output")))
    return failure();
  return checkGradsMatch(*this, "grad_expert_weights", getGradExpertWeights(),
                         getExpertWeights());
}

LogicalResult GatherGradOp::verify() {
  if (failed(normalizeAxis(OpDiag(*this), "axis", getAxis(),
                           getInput().getType().getRank())))
    return failure();
  return checkSameRank(*this, getGradOutput(), getInput(), "grad_output");
}

LogicalResult ScatterReduceGradOp::verify() {
  if (failed(checkOneOf(OpDiag(*this), "reduce", getReduce(),
                        {"sum", "mean", "max", "min"})))
    return failure();
  return checkSameRank(*this, getGradOutput(), getSrc(), "grad_output");
}
