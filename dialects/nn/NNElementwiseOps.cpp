//===- NNElementwiseOps.cpp - Activations and broadcasting arithmetic -----===//

#include "dialects/nn/NNOps.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace nnc::nn;

/// Attributes that enter the arithmetic must be finite numbers.
static LogicalResult checkFinite(Operation *op, StringRef attrName,
                                 double value) {
  if (std::isfinite(value))
    return success();
  return op->emitOpError() << attrName << " must be finite, got " << value;
}

//===----------------------------------------------------------------------===//
// Unary ops with attributes
//===----------------------------------------------------------------------===//

LogicalResult GeluOp::verify() {
  return checkOneOf(OpDiag(*this), "approximate", getApproximate(),
                    {"none", "tanh"});
}

LogicalResult EluOp::verify() {
  return checkFinite(*this, "alpha", getAlpha());
}

LogicalResult LeakyReluOp::verify() {
  return checkFinite(*this, "negative_slope", getNegativeSlope());
}

LogicalResult SoftplusOp::verify() {
  // beta divides the result; a non-positive beta flips or breaks the curve.
  if (!(getBeta() > 0) || !std::isfinite(getBeta()))
    return emitOpError() << "beta must be > 0, got " << getBeta();
  return checkFinite(*this, "threshold", getThreshold());
}

LogicalResult DropoutOp::verify() {
  double p = getP();
  // p = 1 would divide by zero in the 1 / (1 - p) rescaling.
  if (!(p >= 0 && p < 1))
    return emitOpError() << "p must be in [0, 1), got " << p;
  if (getSpatial() && getInput().getType().getRank() < 2)
    return emitOpError()
           << "spatial dropout drops channels (dim 1) and needs rank >= 2, "
              "got rank "
           << getInput().getType().getRank();
  return success();
}

template <typename SoftmaxOpT>
static LogicalResult verifySoftmax(SoftmaxOpT op) {
  return normalizeAxis(OpDiag(op), "axis", op.getAxis(),
                       op.getInput().getType().getRank());
}
LogicalResult SoftmaxOp::verify() { return verifySoftmax(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmax(*this); }

LogicalResult FillOp::verify() {
  double value = getValue();
  Type elementType = getInput().getType().getElementType();
  if (isa<FloatType>(elementType))
    return success();
  // Integer and mask tensors must be able to hold the value exactly.
  if (!std::isfinite(value) || std::trunc(value) != value)
    return emitOpError() << "value " << value << " is not representable in "
                         << elementType;
  unsigned width = elementType.getIntOrFloatBitWidth();
  double lo = width == 1 ? 0 : -std::ldexp(1.0, width - 1);
  double hi = width == 1 ? 1 : std::ldexp(1.0, width - 1) - 1;
  if (value < lo || value > hi)
    return emitOpError() << "value " << value << " is out of range for "
                         << elementType;
  return success();
}

LogicalResult CastOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (failed(verifyCompatibleShape(in.getShape(), out.getShape())))
    return emitOpError() << "changes the shape from "
                         << shapeToString(in.getShape()) << " to "
                         << shapeToString(out.getShape())
                         << "; nn.cast only converts the element type";
  return success();
}

//===----------------------------------------------------------------------===//
// PReluOp
//===----------------------------------------------------------------------===//

LogicalResult PReluOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  RankedTensorType weight = tensorTypeOf(adaptor.getWeight());
  if (failed(checkRank(diag, "weight", weight, 1)) ||
      failed(checkElementType(diag, "weight", weight, input.getElementType(),
                              "input")))
    return failure();
  int64_t size = weight.getDimSize(0);
  if (size != 1 && !isDynamicDim(size)) {
    // One slope per channel; channels are dim 1.
    if (input.getRank() < 2)
      return diag() << "weight has " << size << " entries but a rank-"
                    << input.getRank()
                    << " input has no channel dim; use a single slope";
    if (!dimsMatch(size, input.getDimSize(1)))
      return diag() << "weight has " << size << " entries but the input has "
                    << input.getDimSize(1) << " channels";
  }
  types.push_back(input);
  return success();
}

//===----------------------------------------------------------------------===//
// Broadcasting binary ops
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcastBinary(const OpDiag &diag, Value lhs,
                                          Value rhs,
                                          SmallVectorImpl<Type> &types) {
  RankedTensorType l = tensorTypeOf(lhs), r = tensorTypeOf(rhs);
  if (l.getElementType() != r.getElementType())
    return diag() << "operands have different element types ("
                  << l.getElementType() << " and " << r.getElementType() << ")";
  SmallVector<int64_t> shape;
  if (failed(broadcastShapes(l.getShape(), r.getShape(), shape)))
    return diag() << "operand shapes " << shapeToString(l.getShape()) << " and "
                  << shapeToString(r.getShape())
                  << " are not broadcast-compatible";
  types.push_back(RankedTensorType::get(shape, l.getElementType()));
  return success();
}

#define NN_DEFINE_BROADCAST_INFERENCE(OpT)                                     \
  LogicalResult OpT::inferReturnTypes(                                         \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &types) {                                          \
    return inferBroadcastBinary(OpDiag(loc, getOperationName()),               \
                                adaptor.getLhs(), adaptor.getRhs(), types);    \
  }

NN_DEFINE_BROADCAST_INFERENCE(AddOp)
NN_DEFINE_BROADCAST_INFERENCE(SubOp)
NN_DEFINE_BROADCAST_INFERENCE(MulOp)
NN_DEFINE_BROADCAST_INFERENCE(DivOp)
NN_DEFINE_BROADCAST_INFERENCE(PowOp)
NN_DEFINE_BROADCAST_INFERENCE(MaximumOp)
NN_DEFINE_BROADCAST_INFERENCE(MinimumOp)

#undef NN_DEFINE_BROADCAST_INFERENCE
