//===- NNLossOps.cpp - Loss functions -------------------------------------===//

#include "dialects/nn/NNOps.h"

#include <cmath>

using namespace mlir;
using namespace nnc::nn;

/// Losses reduce to a rank-0 tensor of the input's float type, or keep the
/// per-element shape `unreduced` with reduction = "none".
static LogicalResult inferLossResult(const OpDiag &diag, StringRef reduction,
                                     ArrayRef<StringRef> allowed,
                                     ArrayRef<int64_t> unreduced,
                                     Type elementType,
                                     SmallVectorImpl<Type> &types) {
  if (failed(checkOneOf(diag, "reduction", reduction, allowed)))
    return failure();
  ArrayRef<int64_t> shape =
      reduction == "none" ? unreduced : ArrayRef<int64_t>();
  types.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

static constexpr StringRef kReductions[] = {"mean", "sum", "none"};

/// Class-index targets of cross entropy / NLL: input [N, C, d...] and
/// target [N, d...]. Returns the per-element loss shape [N, d...].
static FailureOr<SmallVector<int64_t>>
checkClassIndexTarget(const OpDiag &diag, RankedTensorType input,
                      RankedTensorType target) {
  SmallVector<int64_t> expected = {input.getDimSize(0)};
  llvm::append_range(expected, input.getShape().drop_front(2));
  if (failed(checkShape(diag, "class-index target", target, expected)))
    return failure();
  return expected;
}

LogicalResult
CrossEntropyLossOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  RankedTensorType target = tensorTypeOf(adaptor.getTarget());
  if (failed(checkMinRank(diag, "input", input, 2)))
    return failure();
  double smoothing = adaptor.getLabelSmoothing();
  if (!(smoothing >= 0 && smoothing <= 1))
    return diag() << "label_smoothing must be in [0, 1], got " << smoothing;

  SmallVector<int64_t> unreduced;
  if (isa<FloatType>(target.getElementType())) {
    // Class probabilities have the input's shape and type.
    if (failed(checkShapeAndElementType(diag, "probability target", target,
                                        input.getShape(),
                                        input.getElementType(), "input")))
      return failure();
    unreduced.push_back(input.getDimSize(0));
    llvm::append_range(unreduced, input.getShape().drop_front(2));
  } else {
    FailureOr<SmallVector<int64_t>> shape =
        checkClassIndexTarget(diag, input, target);
    if (failed(shape))
      return failure();
    unreduced = *shape;
  }
  return inferLossResult(diag, adaptor.getReduction(), kReductions, unreduced,
                         input.getElementType(), types);
}

LogicalResult NLLLossOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  if (failed(checkMinRank(diag, "input", input, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> unreduced =
      checkClassIndexTarget(diag, input, tensorTypeOf(adaptor.getTarget()));
  if (failed(unreduced))
    return failure();
  return inferLossResult(diag, adaptor.getReduction(), kReductions, *unreduced,
                         input.getElementType(), types);
}

/// Input and target of the same shape and float type; returns the refined
/// per-element shape.
static FailureOr<SmallVector<int64_t>>
checkSameShape(const OpDiag &diag, Value inputValue, Value targetValue) {
  RankedTensorType input = tensorTypeOf(inputValue);
  RankedTensorType target = tensorTypeOf(targetValue);
  if (failed(checkShapeAndElementType(diag, "target", target, input.getShape(),
                                      input.getElementType(), "input")))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [a, b] : llvm::zip_equal(input.getShape(), target.getShape()))
    shape.push_back(refineDim(a, b));
  return shape;
}

template <typename LossOpT>
static LogicalResult inferPointwiseLoss(std::optional<Location> loc,
                                        typename LossOpT::Adaptor adaptor,
                                        ArrayRef<StringRef> reductions,
                                        SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, LossOpT::getOperationName());
  FailureOr<SmallVector<int64_t>> shape =
      checkSameShape(diag, adaptor.getInput(), adaptor.getTarget());
  if (failed(shape))
    return failure();
  return inferLossResult(diag, adaptor.getReduction(), reductions, *shape,
                         tensorTypeOf(adaptor.getInput()).getElementType(),
                         types);
}

#define NN_DEFINE_POINTWISE_LOSS_INFERENCE(OpT, reductions)                    \
  LogicalResult OpT::inferReturnTypes(                                         \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &types) {                                          \
    return inferPointwiseLoss<OpT>(loc, adaptor, reductions, types);           \
  }

NN_DEFINE_POINTWISE_LOSS_INFERENCE(MSELossOp, kReductions)
NN_DEFINE_POINTWISE_LOSS_INFERENCE(L1LossOp, kReductions)
NN_DEFINE_POINTWISE_LOSS_INFERENCE(BCELossOp, kReductions)
NN_DEFINE_POINTWISE_LOSS_INFERENCE(BCEWithLogitsLossOp, kReductions)

// KLDivLoss also divides the sum by the batch size ("batchmean").
static constexpr StringRef kKLDivReductions[] = {"mean", "sum", "none",
                                                 "batchmean"};
NN_DEFINE_POINTWISE_LOSS_INFERENCE(KLDivLossOp, kKLDivReductions)

#undef NN_DEFINE_POINTWISE_LOSS_INFERENCE

static LogicalResult checkTemperature(const OpDiag &diag, double temperature) {
  if (temperature > 0 && std::isfinite(temperature))
    return success();
  return diag() << "temperature must be > 0, got " << temperature;
}

LogicalResult InfoNCELossOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType anchor = tensorTypeOf(adaptor.getAnchor());
  RankedTensorType positive = tensorTypeOf(adaptor.getPositive());
  if (failed(checkTemperature(diag, adaptor.getTemperature())) ||
      failed(checkRank(diag, "anchor", anchor, 2)) ||
      failed(checkShapeAndElementType(diag, "positive", positive,
                                      anchor.getShape(),
                                      anchor.getElementType(), "anchor")))
    return failure();
  types.push_back(RankedTensorType::get({}, anchor.getElementType()));
  return success();
}

LogicalResult
DistillationLossOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType student = tensorTypeOf(adaptor.getStudent());
  RankedTensorType teacher = tensorTypeOf(adaptor.getTeacher());
  RankedTensorType target = tensorTypeOf(adaptor.getTarget());
  if (failed(checkTemperature(diag, adaptor.getTemperature())))
    return failure();
  double alpha = adaptor.getAlpha();
  if (!(alpha >= 0 && alpha <= 1))
    return diag() << "alpha must be in [0, 1], got " << alpha;
  if (failed(checkRank(diag, "student", student, 2)) ||
      failed(checkShapeAndElementType(diag, "teacher", teacher,
                                      student.getShape(),
                                      student.getElementType(), "student")) ||
      failed(checkShape(diag, "target", target, {student.getDimSize(0)})))
    return failure();
  types.push_back(RankedTensorType::get({}, student.getElementType()));
  return success();
}
