//===- NNGradPointwiseOps.cpp - Gradients of pointwise ops and losses -----===//

#include "dialects/nn/NNOps.h"

using namespace mlir;
using namespace nnc::nn;

/// A loss gradient is rank 0 for reduced losses and has `shape` for "none".
static LogicalResult checkLossGradOutput(Operation *op, Value gradOutput,
                                         StringRef reduction,
                                         ArrayRef<StringRef> reductions,
                                         ArrayRef<int64_t> shape) {
  OpDiag diag(op);
  if (failed(checkOneOf(diag, "reduction", reduction, reductions)))
    return failure();
  if (reduction != "none")
    return checkRank(diag, "grad_output", tensorTypeOf(gradOutput), 0);
  return checkShape(diag, "grad_output", tensorTypeOf(gradOutput), shape);
}

LogicalResult UnaryGradOp::verify() {
  return checkOneOf(OpDiag(*this), "op", getOp(),
                    {"silu", "selu", "abs", "rsqrt", "sqrt", "exp", "log",
                     "sigmoid", "tanh", "relu"});
}

LogicalResult BinaryGradOp::verify() {
  if (failed(checkOneOf(OpDiag(*this), "op", getOp(),
                        {"pow", "maximum", "minimum"})))
    return failure();
  SmallVector<int64_t> shape;
  if (failed(broadcastShapes(getLhs().getType().getShape(),
                             getRhs().getType().getShape(), shape)))
    return emitOpError() << "operands do not broadcast";
  return checkShape(OpDiag(*this), "grad_output", getGradOutput().getType(),
                    shape);
}

LogicalResult PointwiseLossGradOp::verify() {
  if (failed(checkOneOf(
          OpDiag(*this), "loss", getLoss(),
          {"l1_loss", "bce_loss", "bce_with_logits_loss", "kl_div_loss"})))
    return failure();
  SmallVector<StringRef> reductions{"mean", "sum", "none"};
  if (getLoss() == "kl_div_loss")
    reductions.push_back("batchmean");
  return checkLossGradOutput(*this, getGradOutput(), getReduction(), reductions,
                             getInput().getType().getShape());
}

/// [N, d...] of class scores [N, C, d...].
static SmallVector<int64_t> perSampleShape(RankedTensorType scores) {
  SmallVector<int64_t> shape{scores.getDimSize(0)};
  llvm::append_range(shape, scores.getShape().drop_front(2));
  return shape;
}

LogicalResult NLLLossGradOp::verify() {
  OpDiag diag(*this);
  if (failed(checkMinRank(diag, "input", getInput().getType(), 2)) ||
      failed(checkShape(diag, "target", getTarget().getType(),
                        perSampleShape(getInput().getType()))))
    return failure();
  return checkLossGradOutput(*this, getGradOutput(), getReduction(),
                             {"mean", "sum", "none"},
                             perSampleShape(getInput().getType()));
}

LogicalResult CrossEntropyProbsGradOp::verify() {
  if (failed(checkMinRank(OpDiag(*this), "input", getInput().getType(), 2)))
    return failure();
  return checkLossGradOutput(*this, getGradOutput(), getReduction(),
                             {"mean", "sum", "none"},
                             perSampleShape(getInput().getType()));
}

LogicalResult DistillationLossGradOp::verify() {
  OpDiag diag(*this);
  if (failed(checkRank(diag, "student", getStudent().getType(), 2)) ||
      failed(checkShape(diag, "target", getTarget().getType(),
                        {getStudent().getType().getDimSize(0)})))
    return failure();
  return checkRank(diag, "grad_output", getGradOutput().getType(), 0);
}

LogicalResult InfoNCELossGradOp::verify() {
  OpDiag diag(*this);
  if (failed(checkRank(diag, "anchor", getAnchor().getType(), 2)))
    return failure();
  return checkRank(diag, "grad_output", getGradOutput().getType(), 0);
}
