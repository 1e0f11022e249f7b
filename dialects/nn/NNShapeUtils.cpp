//===- NNShapeUtils.cpp - Shape arithmetic shared by nn ops ---------------===//

#include "dialects/nn/NNShapeUtils.h"

#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace nnc::nn {

InFlightDiagnostic OpDiag::operator()() const {
  if (op)
    return op->emitOpError();
  if (!loc)
    return InFlightDiagnostic();
  InFlightDiagnostic diag = emitError(*loc);
  diag << "'" << opName << "' op ";
  return diag;
}

int64_t mulDims(int64_t a, int64_t b) {
  if (isDynamicDim(a) || isDynamicDim(b))
    return ShapedType::kDynamic;
  return a * b;
}

int64_t addDims(int64_t a, int64_t b) {
  if (isDynamicDim(a) || isDynamicDim(b))
    return ShapedType::kDynamic;
  return a + b;
}

std::string dimToString(int64_t dim) {
  return isDynamicDim(dim) ? std::string("?") : std::to_string(dim);
}

std::string shapeToString(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os, [&](int64_t d) { os << dimToString(d); });
  os << "]";
  return text;
}

LogicalResult broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                              SmallVectorImpl<int64_t> &result) {
  size_t rank = std::max(a.size(), b.size());
  result.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    // Walk from the right; missing leading dims act as 1.
    int64_t x = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t y = i < b.size() ? b[b.size() - 1 - i] : 1;
    int64_t &out = result[rank - 1 - i];
    if (x == 1)
      out = y;
    else if (y == 1)
      out = x;
    else if (dimsMatch(x, y))
      out = refineDim(x, y);
    else
      return failure();
  }
  return success();
}

FailureOr<int64_t> normalizeAxis(const OpDiag &diag, StringRef attrName,
                                 int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    if (rank == 0)
      return diag() << attrName << " " << axis
                    << " is invalid for a rank-0 operand";
    return diag() << attrName << " " << axis << " is out of range for rank "
                  << rank << " (expected " << -rank << " to " << rank - 1
                  << ")";
  }
  return axis < 0 ? axis + rank : axis;
}

bool areCompatibleReturnTypes(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [a, b] : llvm::zip_equal(inferred, actual)) {
    if (a == b)
      continue;
    auto ta = dyn_cast<RankedTensorType>(a);
    auto tb = dyn_cast<RankedTensorType>(b);
    if (!ta || !tb || ta.getElementType() != tb.getElementType() ||
        ta.getEncoding() != tb.getEncoding() ||
        failed(verifyCompatibleShape(ta.getShape(), tb.getShape())))
      return false;
  }
  return true;
}

LogicalResult verifyInferredTensorTypes(Operation *op) {
  auto iface = cast<InferTypeOpInterface>(op);
  SmallVector<Type> inferred;
  if (failed(iface.inferReturnTypes(
          op->getContext(), op->getLoc(), op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), inferred)))
    return failure();
  if (areCompatibleReturnTypes(inferred, op->getResultTypes()))
    return success();
  InFlightDiagnostic diag = op->emitOpError();
  if (inferred.size() != op->getNumResults())
    return diag << "has " << op->getNumResults() << " results but "
                << inferred.size() << " were inferred";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip_equal(inferred, op->getResultTypes()))) {
    auto [expected, actual] = pair;
    if (!areCompatibleReturnTypes(expected, actual))
      return diag << "result " << i << " has type " << actual
                  << " but the operands imply " << expected;
  }
  return diag;
}

int64_t convOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                       int64_t dilation) {
  if (isDynamicDim(in) || isDynamicDim(kernel))
    return ShapedType::kDynamic;
  return llvm::divideFloorSigned(in + 2 * pad - dilation * (kernel - 1) - 1,
                                 stride) +
         1;
}

int64_t convTransposeOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                int64_t pad, int64_t outputPad,
                                int64_t dilation) {
  if (isDynamicDim(in) || isDynamicDim(kernel))
    return ShapedType::kDynamic;
  return (in - 1) * stride - 2 * pad + dilation * (kernel - 1) + outputPad + 1;
}

int64_t poolOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                       int64_t dilation, bool ceilMode) {
  if (isDynamicDim(in))
    return ShapedType::kDynamic;
  int64_t span = in + 2 * pad - dilation * (kernel - 1) - 1;
  int64_t out =
      llvm::divideFloorSigned(span + (ceilMode ? stride - 1 : 0), stride) + 1;
  // A window that would start entirely in the right padding is dropped.
  if (ceilMode && (out - 1) * stride >= in + pad)
    --out;
  return out;
}

LogicalResult checkRank(const OpDiag &diag, StringRef what,
                        RankedTensorType type, int64_t rank) {
  if (type.getRank() == rank)
    return success();
  return diag() << what << " must have rank " << rank << ", got rank "
                << type.getRank() << " (" << type << ")";
}

LogicalResult checkMinRank(const OpDiag &diag, StringRef what,
                           RankedTensorType type, int64_t rank) {
  if (type.getRank() >= rank)
    return success();
  return diag() << what << " must have rank >= " << rank << ", got rank "
                << type.getRank() << " (" << type << ")";
}

LogicalResult checkShape(const OpDiag &diag, StringRef what,
                         RankedTensorType type, ArrayRef<int64_t> expected) {
  if (succeeded(verifyCompatibleShape(type.getShape(), expected)))
    return success();
  return diag() << what << " has shape " << shapeToString(type.getShape())
                << " but expected " << shapeToString(expected);
}

LogicalResult checkElementType(const OpDiag &diag, StringRef what,
                               RankedTensorType type, Type expected,
                               StringRef ofWhat) {
  if (type.getElementType() == expected)
    return success();
  return diag() << what << " has element type " << type.getElementType()
                << " but " << ofWhat << " has " << expected;
}

LogicalResult checkShapeAndElementType(const OpDiag &diag, StringRef what,
                                       RankedTensorType type,
                                       ArrayRef<int64_t> shape,
                                       Type elementType, StringRef ofWhat) {
  if (failed(checkShape(diag, what, type, shape)) ||
      failed(checkElementType(diag, what, type, elementType, ofWhat)))
    return failure();
  return success();
}

LogicalResult checkOptionalOperand(const OpDiag &diag, StringRef what,
                                   Value value, ArrayRef<int64_t> shape,
                                   Type elementType, StringRef ofWhat) {
  if (!value)
    return success();
  return checkShapeAndElementType(diag, what, tensorTypeOf(value), shape,
                                  elementType, ofWhat);
}

LogicalResult checkOneOf(const OpDiag &diag, StringRef attrName,
                         StringRef value, ArrayRef<StringRef> allowed) {
  if (llvm::is_contained(allowed, value))
    return success();
  InFlightDiagnostic d = diag();
  d << attrName << " must be one of ";
  llvm::interleave(
      allowed, [&](StringRef s) { d << "'" << s << "'"; }, [&] { d << ", "; });
  return d << "; got '" << value << "'";
}

LogicalResult checkSpatialAttr(const OpDiag &diag, StringRef attrName,
                               ArrayRef<int64_t> values, int64_t rank,
                               int64_t minValue) {
  if (static_cast<int64_t>(values.size()) != rank)
    return diag() << attrName << " has " << values.size()
                  << " entries but the input has " << rank << " spatial dims";
  for (auto [i, v] : llvm::enumerate(values))
    if (v < minValue)
      return diag() << attrName << "[" << i << "] is " << v
                    << " but must be >= " << minValue;
  return success();
}

} // namespace nnc::nn
