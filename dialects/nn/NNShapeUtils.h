//===- NNShapeUtils.h - Shape arithmetic shared by nn ops -------*- C++ -*-===//
//
// Helpers used by the nn verifiers and result-type inference, and reusable by
// lowerings that need the same arithmetic (broadcasting, conv output sizes).
// Dims use mlir::ShapedType::kDynamic for `?`.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_NNSHAPEUTILS_H
#define NNC_DIALECTS_NN_NNSHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace nnc::nn {

/// Emits an op's diagnostics both from its verifier and from its
/// inferReturnTypes. Inference only has a location (it also runs for ops that
/// do not exist yet, in builders), so it prefixes "'nn.x' op " itself to read
/// like emitOpError. Without a location nothing is reported.
class OpDiag {
public:
  OpDiag(std::optional<mlir::Location> loc, llvm::StringRef opName)
      : loc(loc), opName(opName) {}
  explicit OpDiag(mlir::Operation *op) : op(op) {}

  mlir::InFlightDiagnostic operator()() const;

private:
  mlir::Operation *op = nullptr;
  std::optional<mlir::Location> loc;
  llvm::StringRef opName;
};

//===----------------------------------------------------------------------===//
// Dims and shapes
//===----------------------------------------------------------------------===//

inline bool isDynamicDim(int64_t dim) {
  return mlir::ShapedType::isDynamic(dim);
}

/// Two dims that may be equal at run time.
inline bool dimsMatch(int64_t a, int64_t b) {
  return a == b || isDynamicDim(a) || isDynamicDim(b);
}

/// The more static of two matching dims.
inline int64_t refineDim(int64_t a, int64_t b) {
  return isDynamicDim(a) ? b : a;
}

/// Arithmetic that propagates `?`.
int64_t mulDims(int64_t a, int64_t b);
int64_t addDims(int64_t a, int64_t b);

/// The type of a value that ODS constrains to a ranked tensor.
inline mlir::RankedTensorType tensorTypeOf(mlir::Value value) {
  return mlir::cast<mlir::RankedTensorType>(value.getType());
}

/// "?" or the number.
std::string dimToString(int64_t dim);
/// "[2, ?, 4]".
std::string shapeToString(llvm::ArrayRef<int64_t> shape);

/// Numpy broadcasting of two shapes (aligned from the right, size-1 dims
/// stretch). Fails when two known sizes differ and neither is 1. A `?` against
/// a known size n > 1 gives n (it must be 1 or n at run time).
mlir::LogicalResult broadcastShapes(llvm::ArrayRef<int64_t> a,
                                    llvm::ArrayRef<int64_t> b,
                                    llvm::SmallVectorImpl<int64_t> &result);

/// Maps `axis` in [-rank, rank) to [0, rank); reports the attribute otherwise.
mlir::FailureOr<int64_t> normalizeAxis(const OpDiag &diag,
                                       llvm::StringRef attrName, int64_t axis,
                                       int64_t rank);

/// Whether explicit result types are acceptable where `inferred` were
/// computed: same count, ranks and element types; `?` on either side matches
/// any size. Used as isCompatibleReturnTypes by every op with inference.
bool areCompatibleReturnTypes(mlir::TypeRange inferred, mlir::TypeRange actual);

/// Runs `op`'s InferTypeOpInterface inference (which reports shape errors)
/// and checks the op's result types against it, with one diagnostic.
mlir::LogicalResult verifyInferredTensorTypes(mlir::Operation *op);

//===----------------------------------------------------------------------===//
// Convolution and pooling arithmetic (PyTorch formulas, `?` propagates)
//===----------------------------------------------------------------------===//

/// floor((in + 2 pad - dilation (kernel - 1) - 1) / stride) + 1.
int64_t convOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                       int64_t dilation);

/// (in - 1) stride - 2 pad + dilation (kernel - 1) + outputPad + 1.
int64_t convTransposeOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                int64_t pad, int64_t outputPad,
                                int64_t dilation);

/// Pooling output size; with ceilMode the division rounds up, but the last
/// window must start inside the input or the left padding.
int64_t poolOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                       int64_t dilation, bool ceilMode);

//===----------------------------------------------------------------------===//
// Checks that report with numbers
//===----------------------------------------------------------------------===//

/// `what` must have exactly `rank` dims.
mlir::LogicalResult checkRank(const OpDiag &diag, llvm::StringRef what,
                              mlir::RankedTensorType type, int64_t rank);

/// `what` must have at least `rank` dims.
mlir::LogicalResult checkMinRank(const OpDiag &diag, llvm::StringRef what,
                                 mlir::RankedTensorType type, int64_t rank);

/// `what` must have the given shape (a `?` on either side matches).
mlir::LogicalResult checkShape(const OpDiag &diag, llvm::StringRef what,
                               mlir::RankedTensorType type,
                               llvm::ArrayRef<int64_t> expected);

/// `what` must have element type `expected` (the element type of `ofWhat`).
mlir::LogicalResult checkElementType(const OpDiag &diag, llvm::StringRef what,
                                     mlir::RankedTensorType type,
                                     mlir::Type expected,
                                     llvm::StringRef ofWhat);

/// `what` must have the given shape and element type: checkShape, then
/// checkElementType.
mlir::LogicalResult checkShapeAndElementType(const OpDiag &diag,
                                             llvm::StringRef what,
                                             mlir::RankedTensorType type,
                                             llvm::ArrayRef<int64_t> shape,
                                             mlir::Type elementType,
                                             llvm::StringRef ofWhat);

/// checkShapeAndElementType for an optional operand; an absent (null) `value`
/// passes.
mlir::LogicalResult
checkOptionalOperand(const OpDiag &diag, llvm::StringRef what,
                     mlir::Value value, llvm::ArrayRef<int64_t> shape,
                     mlir::Type elementType, llvm::StringRef ofWhat);

/// A string attribute must be one of `allowed`.
mlir::LogicalResult checkOneOf(const OpDiag &diag, llvm::StringRef attrName,
                               llvm::StringRef value,
                               llvm::ArrayRef<llvm::StringRef> allowed);

/// A per-spatial-dim attribute must have `rank` entries, each >= minValue.
mlir::LogicalResult checkSpatialAttr(const OpDiag &diag,
                                     llvm::StringRef attrName,
                                     llvm::ArrayRef<int64_t> values,
                                     int64_t rank, int64_t minValue);

/// The C++ side of the NN_InferTensorType ODS trait: verifies result types
/// by inference as part of the op's own invariants, before the region-time
/// InferTypeOpInterface check that would add a generic second error.
template <typename ConcreteType>
class InferTensorType
    : public mlir::OpTrait::TraitBase<ConcreteType, InferTensorType> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    return verifyInferredTensorTypes(op);
  }
};

} // namespace nnc::nn

#endif // NNC_DIALECTS_NN_NNSHAPEUTILS_H
