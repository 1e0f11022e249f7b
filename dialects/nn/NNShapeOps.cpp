//===- NNShapeOps.cpp - Reshapes, slicing and gathering -------------------===//

#include "dialects/nn/NNOps.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace nnc::nn;

/// Ops whose result sizes come from index operands take one per `?` dim of
/// the result, in order.
static LogicalResult
checkDynamicSizeCount(Operation *op, RankedTensorType result, size_t numSizes) {
  int64_t numDynamic = result.getNumDynamicDims();
  if (numDynamic == static_cast<int64_t>(numSizes))
    return success();
  return op->emitOpError() << "result type " << result << " has " << numDynamic
                           << " dynamic dims but " << numSizes
                           << " size operands were given";
}

/// Reshapes and expands keep the element type.
static LogicalResult checkSameElementType(Operation *op, RankedTensorType input,
                                          RankedTensorType result) {
  if (input.getElementType() == result.getElementType())
    return success();
  return op->emitOpError() << "changes the element type from "
                           << input.getElementType() << " to "
                           << result.getElementType();
}

/// `type` with dim `dim` resized to `size`.
static RankedTensorType withDimSize(RankedTensorType type, int64_t dim,
                                    int64_t size) {
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] = size;
  return RankedTensorType::get(shape, type.getElementType());
}

//===----------------------------------------------------------------------===//
// ReshapeOp / ExpandOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  if (failed(checkSameElementType(*this, input, result)) ||
      failed(checkDynamicSizeCount(*this, result, getDynamicSizes().size())))
    return failure();
  if (!input.hasStaticShape())
    return success();
  int64_t count = input.getNumElements();
  if (result.hasStaticShape()) {
    if (result.getNumElements() != count)
      return emitOpError() << "cannot reshape " << count << " elements ("
                           << input << ") into " << result.getNumElements()
                           << " (" << result << ")";
    return success();
  }
  // The known result dims must divide the element count.
  int64_t known = 1;
  for (int64_t d : result.getShape())
    if (!isDynamicDim(d))
      known *= d;
  if (known != 0 && count % known != 0)
    return emitOpError() << "cannot reshape " << count << " elements (" << input
                         << ") into " << result
                         << ": the static dims multiply to " << known;
  return success();
}

LogicalResult ExpandOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  if (failed(checkSameElementType(*this, input, result)))
    return failure();
  int64_t offset = result.getRank() - input.getRank();
  if (offset < 0)
    return emitOpError() << "cannot expand rank " << input.getRank()
                         << " to the lower rank " << result.getRank();
  // Input dims align with the trailing result dims; only size-1 dims stretch.
  for (int64_t i = 0; i < input.getRank(); ++i) {
    int64_t from = input.getDimSize(i), to = result.getDimSize(i + offset);
    if (from != 1 && !dimsMatch(from, to))
      return emitOpError() << "input dim " << i << " has size " << from
                           << " and cannot expand to " << to;
  }
  return checkDynamicSizeCount(*this, result, getDynamicSizes().size());
}

//===----------------------------------------------------------------------===//
// PermuteOp / ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult PermuteOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  int64_t rank = input.getRank();
  llvm::SmallBitVector seen(rank);
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t p : perm) {
    if (!valid || p < 0 || p >= rank || seen.test(p)) {
      valid = false;
      break;
    }
    seen.set(p);
  }
  if (!valid)
    return diag() << "permutation " << shapeToString(perm)
                  << " is not a permutation of 0.." << rank - 1 << " for rank "
                  << rank;
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(input.getDimSize(p));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return diag() << "needs at least one input";
  RankedTensorType first = tensorTypeOf(inputs.front());
  FailureOr<int64_t> axis =
      normalizeAxis(diag, "axis", adaptor.getAxis(), first.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  for (auto [i, value] : llvm::enumerate(inputs.drop_front())) {
    RankedTensorType type = tensorTypeOf(value);
    std::string what = "input " + std::to_string(i + 1);
    if (failed(checkRank(diag, what, type, first.getRank())) ||
        failed(checkElementType(diag, what, type, first.getElementType(),
                                "input 0")))
      return failure();
    for (int64_t d = 0; d < first.getRank(); ++d) {
      if (d == *axis) {
        shape[d] = addDims(shape[d], type.getDimSize(d));
        continue;
      }
      if (!dimsMatch(shape[d], type.getDimSize(d)))
        return diag() << what << " has size " << type.getDimSize(d)
                      << " in dim " << d << " but the inputs before it have "
                      << shape[d];
      shape[d] = refineDim(shape[d], type.getDimSize(d));
    }
  }
  types.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// SliceOp / SplitOp
//===----------------------------------------------------------------------===//

/// Python's slice length for a known size, with start/end clamped.
static int64_t sliceLength(int64_t size, int64_t start, int64_t end,
                           int64_t step) {
  auto clampIndex = [&](int64_t index) {
    if (index < 0)
      index = std::max<int64_t>(index + size, 0);
    return std::min(index, size);
  };
  int64_t from = clampIndex(start), to = clampIndex(end);
  return to > from ? (to - from - 1) / step + 1 : 0;
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  FailureOr<int64_t> axis =
      normalizeAxis(diag, "axis", adaptor.getAxis(), input.getRank());
  if (failed(axis))
    return failure();
  int64_t step = adaptor.getStep();
  if (step < 1)
    return diag() << "step must be >= 1, got " << step;
  int64_t size = input.getDimSize(*axis);
  if (!isDynamicDim(size))
    size = sliceLength(size, adaptor.getStart(), adaptor.getEnd(), step);
  types.push_back(withDimSize(input, *axis, size));
  return success();
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  FailureOr<int64_t> axis =
      normalizeAxis(diag, "axis", adaptor.getAxis(), input.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  if (sizes.empty())
    return diag() << "sizes must not be empty";
  int64_t total = 0;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    if (size < 0)
      return diag() << "sizes[" << i << "] is " << size << " but must be >= 0";
    total += size;
  }
  int64_t dim = input.getDimSize(*axis);
  if (!isDynamicDim(dim) && total != dim)
    return diag() << "sizes " << shapeToString(sizes) << " sum to " << total
                  << " but dim " << *axis << " has size " << dim;
  for (int64_t size : sizes)
    types.push_back(withDimSize(input, *axis, size));
  return success();
}

//===----------------------------------------------------------------------===//
// PatchifyOp / TopKOp / GatherOp
//===----------------------------------------------------------------------===//

LogicalResult PatchifyOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  ArrayRef<int64_t> patch = adaptor.getPatchSize();
  if (failed(checkRank(diag, "input", input, 4)))
    return failure();
  if (patch.size() != 2 || patch[0] < 1 || patch[1] < 1)
    return diag() << "patch_size must be two sizes >= 1, got "
                  << shapeToString(patch);
  int64_t h = input.getDimSize(2), w = input.getDimSize(3);
  if ((!isDynamicDim(h) && h % patch[0] != 0) ||
      (!isDynamicDim(w) && w % patch[1] != 0))
    return diag() << "image size " << dimToString(h) << "x" << dimToString(w)
                  << " is not divisible by patch size " << patch[0] << "x"
                  << patch[1];
  int64_t numPatches = isDynamicDim(h) || isDynamicDim(w)
                           ? ShapedType::kDynamic
                           : (h / patch[0]) * (w / patch[1]);
  int64_t patchDim = mulDims(input.getDimSize(1), patch[0] * patch[1]);
  types.push_back(RankedTensorType::get(
      {input.getDimSize(0), numPatches, patchDim}, input.getElementType()));
  return success();
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  FailureOr<int64_t> axis =
      normalizeAxis(diag, "axis", adaptor.getAxis(), input.getRank());
  if (failed(axis))
    return failure();
  int64_t k = adaptor.getK(), dim = input.getDimSize(*axis);
  if (k < 1)
    return diag() << "k must be >= 1, got " << k;
  if (!isDynamicDim(dim) && k > dim)
    return diag() << "k = " << k << " exceeds the size " << dim << " of dim "
                  << *axis;
  RankedTensorType values = withDimSize(input, *axis, k);
  types.push_back(values);
  types.push_back(
      RankedTensorType::get(values.getShape(), IntegerType::get(context, 64)));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  RankedTensorType index = tensorTypeOf(adaptor.getIndex());
  FailureOr<int64_t> axis =
      normalizeAxis(diag, "axis", adaptor.getAxis(), input.getRank());
  if (failed(axis) || failed(checkRank(diag, "index", index, 1)))
    return failure();
  types.push_back(withDimSize(input, *axis, index.getDimSize(0)));
  return success();
}

//===----------------------------------------------------------------------===//
// ScatterReduceOp
//===----------------------------------------------------------------------===//

LogicalResult ScatterReduceOp::verify() {
  OpDiag diag(*this);
  RankedTensorType src = getSrc().getType(), index = getIndex().getType();
  RankedTensorType result = getType();
  if (failed(checkOneOf(diag, "reduce", getReduce(),
                        {"sum", "mean", "max", "min"})) ||
      failed(checkRank(diag, "index", index, 1)) ||
      failed(checkMinRank(diag, "src", src, 1)) ||
      failed(checkRank(diag, "result", result, src.getRank())) ||
      failed(checkElementType(diag, "result", result, src.getElementType(),
                              "src")))
    return failure();
  if (!dimsMatch(src.getDimSize(0), index.getDimSize(0)))
    return emitOpError() << "src has " << src.getDimSize(0)
                         << " rows but index has " << index.getDimSize(0)
                         << " entries";
  for (int64_t d = 1; d < src.getRank(); ++d)
    if (!dimsMatch(src.getDimSize(d), result.getDimSize(d)))
      return emitOpError() << "result dim " << d << " has size "
                           << result.getDimSize(d) << " but src has "
                           << src.getDimSize(d);
  // The number of segments comes from the result type or the size operand,
  // never from both.
  bool dynamicRows = isDynamicDim(result.getDimSize(0));
  if (dynamicRows && !getDimSize())
    return emitOpError()
           << "result dim 0 is dynamic, so the size operand is required";
  if (!dynamicRows && getDimSize())
    return emitOpError() << "result dim 0 is static (" << result.getDimSize(0)
                         << "), so the size operand must be omitted";
  return success();
}
