//===- NNGradOps.cpp - Gradient and training-step ops ---------------------===//
//
// Verifiers. The result of a gradient op has the type of a forward operand
// (ODS AllTypesMatch), so these only relate `grad_output` and the attributes
// to the forward operands.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNOps.h"

#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;
using namespace nnc::nn;

/// `grad_output` must have `what`'s element type.
static LogicalResult checkGradElementType(Operation *op, Value gradOutput,
                                          Value forward, StringRef what) {
  return checkElementType(OpDiag(op), "grad_output", tensorTypeOf(gradOutput),
                          tensorTypeOf(forward).getElementType(), what);
}

/// `grad_output` must have the same shape as `forward` (a `?` matches).
static LogicalResult checkSameShape(Operation *op, Value gradOutput,
                                    Value forward, StringRef what) {
  RankedTensorType g = tensorTypeOf(gradOutput);
  RankedTensorType f = tensorTypeOf(forward);
  if (failed(checkGradElementType(op, gradOutput, forward, what)))
    return failure();
  if (g.getRank() != f.getRank() ||
      !llvm::all_of(llvm::zip(g.getShape(), f.getShape()), [](auto p) {
        return dimsMatch(std::get<0>(p), std::get<1>(p));
      }))
    return op->emitOpError() << "grad_output " << shapeToString(g.getShape())
                             << " must have the shape of the " << what << " "
                             << shapeToString(f.getShape());
  return success();
}

/// A loss gradient is rank 0 for "mean"/"sum" and has the per-element
/// loss's shape `elementShape` for "none".
static LogicalResult checkLossGrad(Operation *op, Value gradOutput, Value input,
                                   StringRef reduction,
                                   ArrayRef<int64_t> elementShape) {
  OpDiag diag(op);
  if (failed(
          checkOneOf(diag, "reduction", reduction, {"mean", "sum", "none"})) ||
      failed(checkGradElementType(op, gradOutput, input, "input")))
    return failure();
  if (reduction != "none")
    return checkRank(diag, "grad_output", tensorTypeOf(gradOutput), 0);
  return checkShape(diag, "grad_output", tensorTypeOf(gradOutput),
                    elementShape);
}

//===----------------------------------------------------------------------===//
// Dense and broadcasting
//===----------------------------------------------------------------------===//

LogicalResult LinearGradWeightOp::verify() {
  OpDiag diag(*this);
  RankedTensorType dy = getGradOutput().getType();
  RankedTensorType x = getInput().getType();
  RankedTensorType w = getWeight().getType();
  if (failed(checkRank(diag, "weight", w, 2)) ||
      failed(checkMinRank(diag, "input", x, 1)) ||
      failed(
          checkGradElementType(*this, getGradOutput(), getInput(), "input")) ||
      failed(checkElementType(diag, "weight", w, x.getElementType(), "input")))
    return failure();
  SmallVector<int64_t> expected(x.getShape().drop_back());
  expected.push_back(w.getDimSize(0));
  if (!dimsMatch(x.getShape().back(), w.getDimSize(1)))
    return emitOpError() << "input has " << x.getShape().back()
                         << " features but weight "
                         << shapeToString(w.getShape()) << " expects "
                         << w.getDimSize(1);
  return checkShape(diag, "grad_output", dy, expected);
}

LogicalResult SumToOp::verify() {
  RankedTensorType grad = getGrad().getType();
  RankedTensorType like = getLike().getType();
  if (failed(checkElementType(OpDiag(*this), "like", like,
                              grad.getElementType(), "grad")))
    return failure();
  SmallVector<int64_t> broadcast;
  if (like.getRank() > grad.getRank() ||
      failed(broadcastShapes(grad.getShape(), like.getShape(), broadcast)) ||
      !areCompatibleReturnTypes(
          TypeRange{RankedTensorType::get(broadcast, grad.getElementType())},
          TypeRange{grad}))
    return emitOpError() << "cannot sum " << shapeToString(grad.getShape())
                         << " to " << shapeToString(like.getShape())
                         << ": it is not a broadcast of that shape";
  return success();
}

LogicalResult ReduceGradOp::verify() {
  OpDiag diag(*this);
  RankedTensorType x = getInput().getType();
  int64_t rank = x.getRank();
  llvm::SmallVector<bool> reduced(rank, getDims().empty());
  for (int64_t dim : getDims()) {
    FailureOr<int64_t> axis = normalizeAxis(diag, "dims", dim, rank);
    if (failed(axis))
      return failure();
    reduced[*axis] = true;
  }
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[d])
      expected.push_back(x.getDimSize(d));
    else if (getKeepdim())
      expected.push_back(1);
  }
  if (failed(checkGradElementType(*this, getGradOutput(), getInput(), "input")))
    return failure();
  return checkShape(diag, "grad_output", getGradOutput().getType(), expected);
}

LogicalResult ReduceSelectGradOp::verify() {
  if (getGradOutput().getType() != getOutput().getType())
    return emitOpError() << "grad_output must have the type of the forward "
                            "result";
  for (int64_t dim : getDims())
    if (failed(normalizeAxis(OpDiag(*this), "dims", dim,
                             getInput().getType().getRank())))
      return failure();
  return checkGradElementType(*this, getGradOutput(), getInput(), "input");
}

LogicalResult TopKGradOp::verify() {
  if (failed(normalizeAxis(OpDiag(*this), "axis", getAxis(),
                           getInput().getType().getRank())))
    return failure();
  if (getIndices().getType().getShape() != getGradOutput().getType().getShape())
    return emitOpError() << "indices must have the shape of grad_output";
  return checkGradElementType(*this, getGradOutput(), getInput(), "input");
}

LogicalResult PatchifyGradOp::verify() {
  OpDiag diag(*this);
  if (failed(checkRank(diag, "input", getInput().getType(), 4)) ||
      failed(checkSpatialAttr(diag, "patch_size", getPatchSize(), 2, 1)) ||
      failed(checkRank(diag, "grad_output", getGradOutput().getType(), 3)))
    return failure();
  return checkGradElementType(*this, getGradOutput(), getInput(), "input");
}

LogicalResult TimestepEmbeddingGradOp::verify() {
  OpDiag diag(*this);
  RankedTensorType t = getTimesteps().getType();
  RankedTensorType g = getGradOutput().getType();
  if (failed(checkRank(diag, "timesteps", t, 1)) ||
      failed(checkRank(diag, "grad_output", g, 2)))
    return failure();
  if (!dimsMatch(g.getDimSize(0), t.getDimSize(0)) ||
      (!isDynamicDim(g.getDimSize(1)) && g.getDimSize(1) % 2))
    return emitOpError() << "grad_output " << shapeToString(g.getShape())
                         << " must be [N, even dim] for "
                         << shapeToString(t.getShape()) << " timesteps";
  return success();
}

LogicalResult EmbeddingGradOp::verify() {
  OpDiag diag(*this);
  RankedTensorType w = getWeight().getType();
  if (failed(checkRank(diag, "weight", w, 2)) ||
      failed(
          checkGradElementType(*this, getGradOutput(), getWeight(), "weight")))
    return failure();
  SmallVector<int64_t> expected(getIndices().getType().getShape());
  expected.push_back(w.getDimSize(1));
  return checkShape(diag, "grad_output", getGradOutput().getType(), expected);
}

LogicalResult SliceGradOp::verify() {
  OpDiag diag(*this);
  RankedTensorType x = getInput().getType();
  if (failed(normalizeAxis(diag, "axis", getAxis(), x.getRank())))
    return failure();
  if (getStep() < 1)
    return emitOpError() << "step must be positive, got " << getStep();
  if (getGradOutput().getType().getRank() != x.getRank())
    return emitOpError() << "grad_output must have the input's rank "
                         << x.getRank();
  return checkGradElementType(*this, getGradOutput(), getInput(), "input");
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// The checks of nn.conv on (input, weight, attributes), plus grad_output
/// against the convolution's output shape.
template <typename ConvGradOpT>
static LogicalResult verifyConvGrad(ConvGradOpT op) {
  OpDiag diag(op);
  RankedTensorType x = op.getInput().getType();
  RankedTensorType w = op.getWeight().getType();
  RankedTensorType dy = op.getGradOutput().getType();
  int64_t spatial = x.getRank() - 2;
  if (x.getRank() < 3 || x.getRank() > 5)
    return op.emitOpError()
           << "input must have rank 3 to 5, got " << x.getRank();
  int64_t groups = op.getGroups();
  if (groups < 1)
    return op.emitOpError() << "groups must be positive, got " << groups;
  if (failed(checkRank(diag, "weight", w, x.getRank())) ||
      failed(checkSpatialAttr(diag, "stride", op.getStride(), spatial, 1)) ||
      failed(checkSpatialAttr(diag, "padding", op.getPadding(), spatial, 0)) ||
      failed(
          checkSpatialAttr(diag, "dilation", op.getDilation(), spatial, 1)) ||
      failed(
          checkElementType(diag, "weight", w, x.getElementType(), "input")) ||
      failed(
          checkGradElementType(op, op.getGradOutput(), op.getInput(), "input")))
    return failure();
  if (!dimsMatch(x.getDimSize(1), mulDims(w.getDimSize(1), groups)))
    return op.emitOpError()
           << "input has " << x.getDimSize(1) << " channels but weight "
           << shapeToString(w.getShape()) << " with " << groups
           << " groups expects " << mulDims(w.getDimSize(1), groups);
  SmallVector<int64_t> expected{x.getDimSize(0), w.getDimSize(0)};
  for (int64_t d = 0; d < spatial; ++d)
    expected.push_back(convOutputSize(x.getDimSize(d + 2), w.getDimSize(d + 2),
                                      op.getStride()[d], op.getPadding()[d],
                                      op.getDilation()[d]));
  return checkShape(diag, "grad_output", dy, expected);
}

LogicalResult ConvGradInputOp::verify() { return verifyConvGrad(*this); }
LogicalResult ConvGradWeightOp::verify() { return verifyConvGrad(*this); }

/// Pooling keeps N and C; the window attributes have one entry per spatial
/// dim.
template <typename PoolGradOpT>
static LogicalResult verifyPoolGrad(PoolGradOpT op,
                                    ArrayRef<int64_t> dilation) {
  OpDiag diag(op);
  RankedTensorType x = op.getInput().getType();
  RankedTensorType dy = op.getGradOutput().getType();
  int64_t spatial = x.getRank() - 2;
  if (x.getRank() < 3 || x.getRank() > 5)
    return op.emitOpError()
           << "input must have rank 3 to 5, got " << x.getRank();
  if (failed(checkSpatialAttr(diag, "kernel_size", op.getKernelSize(), spatial,
                              1)) ||
      failed(checkSpatialAttr(diag, "stride", op.getStride(), spatial, 1)) ||
      failed(checkSpatialAttr(diag, "padding", op.getPadding(), spatial, 0)) ||
      failed(
          checkGradElementType(op, op.getGradOutput(), op.getInput(), "input")))
    return failure();
  SmallVector<int64_t> expected{x.getDimSize(0), x.getDimSize(1)};
  for (int64_t d = 0; d < spatial; ++d)
    expected.push_back(
        poolOutputSize(x.getDimSize(d + 2), op.getKernelSize()[d],
                       op.getStride()[d], op.getPadding()[d],
                       dilation.empty() ? 1 : dilation[d], op.getCeilMode()));
  return checkShape(diag, "grad_output", dy, expected);
}

LogicalResult MaxPoolGradOp::verify() {
  if (failed(checkSpatialAttr(OpDiag(*this), "dilation", getDilation(),
                              getInput().getType().getRank() - 2, 1)))
    return failure();
  return verifyPoolGrad(*this, getDilation());
}
LogicalResult AvgPoolGradOp::verify() { return verifyPoolGrad(*this, {}); }

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

/// Per-channel operands and results of batch norm are [C] of the input's
/// element type.
static LogicalResult checkChannelVectors(Operation *op, RankedTensorType x,
                                         ArrayRef<Value> values,
                                         ArrayRef<StringRef> names) {
  OpDiag diag(op);
  if (failed(checkMinRank(diag, "input", x, 2)))
    return failure();
  for (auto [value, name] : llvm::zip(values, names))
    if (failed(checkOptionalOperand(diag, name, value, {x.getDimSize(1)},
                                    x.getElementType(), "input")))
      return failure();
  return success();
}

LogicalResult BatchNormTrainOp::verify() {
  if (!(getMomentum() >= 0 && getMomentum() <= 1))
    return emitOpError() << "momentum must be in [0, 1], got " << getMomentum();
  return checkChannelVectors(
      *this, getInput().getType(),
      {getWeight(), getBias(), getRunningMean(), getRunningVar(), getMean(),
       getInvStd(), getNewRunningMean(), getNewRunningVar()},
      {"weight", "bias", "running_mean", "running_var", "mean", "inv_std",
       "new_running_mean", "new_running_var"});
}

LogicalResult BatchNormGradOp::verify() {
  if (failed(checkSameShape(*this, getGradOutput(), getInput(), "input")))
    return failure();
  return checkChannelVectors(*this, getInput().getType(),
                             {getWeight(), getMean(), getInvStd()},
                             {"weight", "mean", "inv_std"});
}

LogicalResult LayerNormGradOp::verify() {
  OpDiag diag(*this);
  RankedTensorType x = getInput().getType();
  ArrayRef<int64_t> normalized = getNormalizedShape();
  if (failed(checkSameShape(*this, getGradOutput(), getInput(), "input")))
    return failure();
  if (normalized.empty() ||
      normalized.size() > static_cast<size_t>(x.getRank()))
    return emitOpError() << "normalized_shape must have 1 to " << x.getRank()
                         << " dims";
  if (!areCompatibleReturnTypes(
          TypeRange{RankedTensorType::get(normalized, x.getElementType())},
          TypeRange{RankedTensorType::get(
              x.getShape().take_back(normalized.size()), x.getElementType())}))
    return emitOpError() << "normalized_shape " << shapeToString(normalized)
                         << " must be the input's trailing dims";
  for (auto [value, name] : {std::pair<Value, StringRef>{getWeight(), "weight"},
                             {getBias(), "bias"},
                             {getGradWeight(), "grad_weight"}})
    if (failed(checkOptionalOperand(diag, name, value, normalized,
                                    x.getElementType(), "input")))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Dropout and losses
//===----------------------------------------------------------------------===//

LogicalResult DropoutMaskOp::verify() {
  double p = getP();
  if (!(p >= 0 && p < 1))
    return emitOpError() << "p must be in [0, 1), got " << p;
  if (getSpatial() && getInput().getType().getRank() < 2)
    return emitOpError() << "spatial dropout drops channels (dim 1) and needs "
                            "rank >= 2, got rank "
                         << getInput().getType().getRank();
  return success();
}

LogicalResult CrossEntropyGradOp::verify() {
  OpDiag diag(*this);
  RankedTensorType x = getInput().getType();
  if (failed(checkMinRank(diag, "input", x, 2)))
    return failure();
  SmallVector<int64_t> perElement{x.getDimSize(0)};
  llvm::append_range(perElement, x.getShape().drop_front(2));
  if (failed(checkShape(diag, "target", getTarget().getType(), perElement)))
    return failure();
  if (!(getLabelSmoothing() >= 0 && getLabelSmoothing() <= 1))
    return emitOpError() << "label_smoothing must be in [0, 1], got "
                         << getLabelSmoothing();
  return checkLossGrad(*this, getGradOutput(), getInput(), getReduction(),
                       perElement);
}

LogicalResult MSELossGradOp::verify() {
  return checkLossGrad(*this, getGradOutput(), getInput(), getReduction(),
                       getInput().getType().getShape());
}

//===----------------------------------------------------------------------===//
// Training-step effects
//===----------------------------------------------------------------------===//

/// The nn.parameter a training-step op refers to, or an error.
static FailureOr<ParameterOp> lookupParameter(Operation *op,
                                              SymbolTableCollection &table,
                                              SymbolRefAttr name, Type type) {
  auto param =
      dyn_cast_or_null<ParameterOp>(table.lookupNearestSymbolFrom(op, name));
  if (!param)
    return op->emitOpError()
           << "refers to " << name << ", which is not an nn.parameter";
  if (param.getType() != type)
    return op->emitOpError() << "gives " << type << " for parameter " << name
                             << " of type " << param.getType();
  return param;
}

LogicalResult
OptimizerStepOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  ArrayAttr params = getParameters();
  if (params.size() != getGrads().size())
    return emitOpError() << "has " << params.size() << " parameters but "
                         << getGrads().size() << " gradients";
  llvm::SmallPtrSet<Attribute, 16> seen;
  for (auto [attr, grad] : llvm::zip(params, getGrads())) {
    auto name = cast<SymbolRefAttr>(attr);
    if (!seen.insert(name).second)
      return emitOpError() << "updates " << name << " twice";
    FailureOr<ParameterOp> param =
        lookupParameter(*this, symbolTable, name, grad.getType());
    if (failed(param))
      return failure();
    if (param->getBuffer())
      return emitOpError() << name
                           << " is a buffer, which the optimiser does not "
                              "update";
  }
  return success();
}

LogicalResult AssignOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return lookupParameter(*this, symbolTable, getNameAttr(),
                         getValue().getType());
}
