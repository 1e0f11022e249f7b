//===- NNLayerOps.cpp - Dense, conv, pooling, reduction and norm ops ------===//
//
// Each op's shape checks live in its inferReturnTypes: the InferTensorType
// trait runs it as the op's verifier, and builders that infer result types
// get the same diagnostics.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNOps.h"

#include "mlir/IR/TypeUtilities.h"

#include "llvm/ADT/SmallBitVector.h"

#include <cmath>

using namespace mlir;
using namespace nnc::nn;

/// Checks that an optional per-channel operand (bias, norm weight, running
/// statistics) is a 1-D tensor of `size` with the input's element type.
static LogicalResult checkVector(const OpDiag &diag, StringRef what,
                                 Value value, int64_t size, Type elementType) {
  return checkOptionalOperand(diag, what, value, {size}, elementType, "input");
}

//===----------------------------------------------------------------------===//
// Dense
//===----------------------------------------------------------------------===//

/// The result type of a linear layer (nn.linear, nn.fused_linear).
template <class Adaptor>
static LogicalResult inferLinearResult(const OpDiag &diag, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  RankedTensorType weight = tensorTypeOf(adaptor.getWeight());
  Type elementType = input.getElementType();
  if (failed(checkMinRank(diag, "input", input, 1)) ||
      failed(checkRank(diag, "weight", weight, 2)) ||
      failed(checkElementType(diag, "weight", weight, elementType, "input")))
    return failure();
  int64_t in = input.getShape().back();
  int64_t out = weight.getDimSize(0);
  if (!dimsMatch(in, weight.getDimSize(1)))
    return diag() << "input has " << in << " features but weight "
                  << shapeToString(weight.getShape()) << " expects "
                  << weight.getDimSize(1);
  if (failed(checkVector(diag, "bias", adaptor.getBias(), out, elementType)))
    return failure();
  SmallVector<int64_t> shape(input.getShape().drop_back());
  shape.push_back(out);
  types.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

/// The epilogue operands of nn.fused_conv and nn.fused_linear against their
/// inferred result type: running statistics together, affine parameters
/// only with them, all [channels] (dim 1 of the result); the residual of
/// the result's type.
template <class Adaptor>
static LogicalResult checkEpilogue(const OpDiag &diag, Adaptor adaptor,
                                   RankedTensorType result) {
  if (!adaptor.getRunningMean() != !adaptor.getRunningVar())
    return diag() << "running_mean and running_var come together";
  if ((adaptor.getBnWeight() || adaptor.getBnBias()) &&
      !adaptor.getRunningMean())
    return diag() << "bn_weight and bn_bias need the running statistics";
  if (adaptor.getRunningMean() && result.getRank() < 2)
    return diag() << "batch norm needs a channel dim 1, got rank "
                  << result.getRank();
  int64_t channels = result.getRank() >= 2 ? result.getDimSize(1) : 0;
  Type element = result.getElementType();
  for (auto [what, value] :
       {std::pair<StringRef, Value>{"running_mean", adaptor.getRunningMean()},
        {"running_var", adaptor.getRunningVar()},
        {"bn_weight", adaptor.getBnWeight()},
        {"bn_bias", adaptor.getBnBias()}})
    if (failed(checkVector(diag, what, value, channels, element)))
      return failure();
  if (Value residual = adaptor.getResidual())
    if (residual.getType() != result)
      return diag() << "residual must have the result type " << result
                    << ", got " << residual.getType();
  return success();
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  return inferLinearResult(diag, adaptor, types);
}

LogicalResult FusedLinearOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  if (failed(inferLinearResult(diag, adaptor, types)))
    return failure();
  auto result = cast<RankedTensorType>(types.front());
  if (std::optional<StringRef> gelu = adaptor.getGelu()) {
    if (*gelu != "none" && *gelu != "tanh")
      return diag() << "gelu must be \"none\" or \"tanh\", got \"" << *gelu
                    << "\"";
    if (adaptor.getRelu())
      return diag() << "ends with one activation, relu or gelu";
  }
  // Batch norm normalises dim 1: the features only for a rank-2 result.
  if (adaptor.getRunningMean() && result.getRank() != 2)
    return diag() << "batch norm of a linear layer's features needs a rank-2 "
                     "result, got "
                  << result;
  return checkEpilogue(diag, adaptor, result);
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType lhs = tensorTypeOf(adaptor.getLhs());
  RankedTensorType rhs = tensorTypeOf(adaptor.getRhs());
  if (failed(checkMinRank(diag, "lhs", lhs, 2)) ||
      failed(checkMinRank(diag, "rhs", rhs, 2)) ||
      failed(checkElementType(diag, "rhs", rhs, lhs.getElementType(), "lhs")))
    return failure();
  int64_t n = lhs.getDimSize(lhs.getRank() - 2);
  int64_t k = lhs.getShape().back();
  int64_t k2 = rhs.getDimSize(rhs.getRank() - 2);
  int64_t m = rhs.getShape().back();
  if (!dimsMatch(k, k2))
    return diag() << "lhs has " << k << " columns but rhs has " << k2
                  << " rows";
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> lhsBatch = lhs.getShape().drop_back(2);
  ArrayRef<int64_t> rhsBatch = rhs.getShape().drop_back(2);
  if (failed(broadcastShapes(lhsBatch, rhsBatch, shape)))
    return diag() << "batch dims " << shapeToString(lhsBatch) << " and "
                  << shapeToString(rhsBatch) << " are not broadcast-compatible";
  shape.append({n, m});
  types.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

LogicalResult EmbeddingOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType indices = tensorTypeOf(adaptor.getIndices());
  RankedTensorType weight = tensorTypeOf(adaptor.getWeight());
  if (failed(checkRank(diag, "weight", weight, 2)))
    return failure();
  int64_t num = weight.getDimSize(0);
  if (std::optional<int64_t> pad = adaptor.getPaddingIdx();
      pad && !isDynamicDim(num) && (*pad < -num || *pad >= num))
    return diag() << "padding_idx " << *pad << " is out of range for " << num
                  << " embeddings";
  SmallVector<int64_t> shape(indices.getShape());
  shape.push_back(weight.getDimSize(1));
  types.push_back(RankedTensorType::get(shape, weight.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

/// Checks the [N, C, *spatial] input of a conv or pooling op and returns the
/// number of spatial dims.
static FailureOr<int64_t> getSpatialRank(const OpDiag &diag,
                                         RankedTensorType input) {
  int64_t rank = input.getRank();
  if (rank < 3 || rank > 5)
    return diag() << "input must be [N, C, *spatial] with 1 to 3 spatial "
                     "dims, got rank "
                  << rank << " (" << input << ")";
  return rank - 2;
}

/// Operand checks shared by conv and conv_transpose.
static LogicalResult checkConvOperands(const OpDiag &diag,
                                       RankedTensorType input,
                                       RankedTensorType weight,
                                       int64_t groups) {
  if (weight.getRank() != input.getRank())
    return diag() << "weight must have rank " << input.getRank()
                  << " like the input, got rank " << weight.getRank();
  if (failed(checkElementType(diag, "weight", weight, input.getElementType(),
                              "input")))
    return failure();
  if (groups < 1)
    return diag() << "groups must be >= 1, got " << groups;
  int64_t channels = input.getDimSize(1);
  if (!isDynamicDim(channels) && channels % groups != 0)
    return diag() << "input has " << channels
                  << " channels, which is not divisible by groups=" << groups;
  return success();
}

/// Reports an output spatial size below 1.
static LogicalResult checkOutputSize(const OpDiag &diag, int64_t dim,
                                     int64_t in, int64_t out,
                                     ArrayRef<int64_t> kernel) {
  if (isDynamicDim(out) || out >= 1)
    return success();
  return diag() << "output spatial dim " << dim << " would have size " << out
                << " (input size " << in << ", kernel "
                << dimToString(kernel[dim]) << ")";
}

/// Appends the output size `sizeOf(i, in)` of each spatial dim i (of input
/// size `in`) to `shape`, reporting sizes below 1, and adds the result type
/// of the input's element type. `sizeOf` may fail with its own diagnostic.
static LogicalResult inferSpatialResult(
    const OpDiag &diag, RankedTensorType input, int64_t spatialRank,
    ArrayRef<int64_t> kernel, SmallVector<int64_t> shape,
    function_ref<FailureOr<int64_t>(int64_t i, int64_t in)> sizeOf,
    SmallVectorImpl<Type> &types) {
  for (int64_t i = 0; i < spatialRank; ++i) {
    int64_t in = input.getDimSize(i + 2);
    FailureOr<int64_t> size = sizeOf(i, in);
    if (failed(size) || failed(checkOutputSize(diag, i, in, *size, kernel)))
      return failure();
    shape.push_back(*size);
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

/// The result type of a convolution (nn.conv, nn.fused_conv).
template <class Adaptor>
static LogicalResult inferConvResult(const OpDiag &diag, Adaptor adaptor,
                                     SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  RankedTensorType weight = tensorTypeOf(adaptor.getWeight());
  FailureOr<int64_t> s = getSpatialRank(diag, input);
  int64_t groups = adaptor.getGroups();
  if (failed(s) || failed(checkConvOperands(diag, input, weight, groups)) ||
      failed(checkSpatialAttr(diag, "stride", adaptor.getStride(), *s, 1)) ||
      failed(checkSpatialAttr(diag, "padding", adaptor.getPadding(), *s, 0)) ||
      failed(checkSpatialAttr(diag, "dilation", adaptor.getDilation(), *s, 1)))
    return failure();

  // weight is [O, C / groups, *K].
  int64_t channels = input.getDimSize(1);
  int64_t expected = mulDims(weight.getDimSize(1), groups);
  if (!dimsMatch(channels, expected))
    return diag() << "input has " << channels << " channels but weight expects "
                  << expected << " (groups=" << groups << ")";
  int64_t out = weight.getDimSize(0);
  if (!isDynamicDim(out) && out % groups != 0)
    return diag() << "weight has " << out
                  << " output channels, which is not divisible by groups="
                  << groups;
  if (failed(checkVector(diag, "bias", adaptor.getBias(), out,
                         input.getElementType())))
    return failure();

  ArrayRef<int64_t> kernel = weight.getShape().drop_front(2);
  return inferSpatialResult(
      diag, input, *s, kernel, {input.getDimSize(0), out},
      [&](int64_t i, int64_t in) -> FailureOr<int64_t> {
        return convOutputSize(in, kernel[i], adaptor.getStride()[i],
                              adaptor.getPadding()[i],
                              adaptor.getDilation()[i]);
      },
      types);
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  return inferConvResult(diag, adaptor, types);
}

LogicalResult FusedConvOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  if (failed(inferConvResult(diag, adaptor, types)))
    return failure();
  return checkEpilogue(diag, adaptor, cast<RankedTensorType>(types.front()));
}

LogicalResult ConvTransposeOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  RankedTensorType weight = tensorTypeOf(adaptor.getWeight());
  FailureOr<int64_t> s = getSpatialRank(diag, input);
  int64_t groups = adaptor.getGroups();
  ArrayRef<int64_t> stride = adaptor.getStride();
  ArrayRef<int64_t> dilation = adaptor.getDilation();
  ArrayRef<int64_t> outputPadding = adaptor.getOutputPadding();
  if (failed(s) || failed(checkConvOperands(diag, input, weight, groups)) ||
      failed(checkSpatialAttr(diag, "stride", stride, *s, 1)) ||
      failed(checkSpatialAttr(diag, "padding", adaptor.getPadding(), *s, 0)) ||
      failed(checkSpatialAttr(diag, "output_padding", outputPadding, *s, 0)) ||
      failed(checkSpatialAttr(diag, "dilation", dilation, *s, 1)))
    return failure();

  // weight is [C, O / groups, *K].
  int64_t channels = input.getDimSize(1);
  if (!dimsMatch(channels, weight.getDimSize(0)))
    return diag() << "input has " << channels << " channels but weight expects "
                  << weight.getDimSize(0) << " (groups=" << groups << ")";
  int64_t out = mulDims(weight.getDimSize(1), groups);
  if (failed(checkVector(diag, "bias", adaptor.getBias(), out,
                         input.getElementType())))
    return failure();

  ArrayRef<int64_t> kernel = weight.getShape().drop_front(2);
  return inferSpatialResult(
      diag, input, *s, kernel, {input.getDimSize(0), out},
      [&](int64_t i, int64_t in) -> FailureOr<int64_t> {
        // As in PyTorch: the extra output rows must come from the stride or
        // the dilation, otherwise they would not be produced by any input.
        if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i])
          return diag() << "output_padding[" << i << "] = " << outputPadding[i]
                        << " must be smaller than stride (" << stride[i]
                        << ") or dilation (" << dilation[i] << ")";
        return convTransposeOutputSize(in, kernel[i], stride[i],
                                       adaptor.getPadding()[i],
                                       outputPadding[i], dilation[i]);
      },
      types);
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// Shared by max and average pooling; `dilation` is all ones for avg_pool.
static LogicalResult inferPool(const OpDiag &diag, RankedTensorType input,
                               ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> stride,
                               ArrayRef<int64_t> padding,
                               ArrayRef<int64_t> dilation, bool ceilMode,
                               SmallVectorImpl<Type> &types) {
  FailureOr<int64_t> s = getSpatialRank(diag, input);
  if (failed(s) ||
      failed(checkSpatialAttr(diag, "kernel_size", kernel, *s, 1)) ||
      failed(checkSpatialAttr(diag, "stride", stride, *s, 1)) ||
      failed(checkSpatialAttr(diag, "padding", padding, *s, 0)) ||
      (!dilation.empty() &&
       failed(checkSpatialAttr(diag, "dilation", dilation, *s, 1))))
    return failure();
  return inferSpatialResult(
      diag, input, *s, kernel,
      SmallVector<int64_t>(input.getShape().take_front(2)),
      [&](int64_t i, int64_t in) -> FailureOr<int64_t> {
        // Larger padding would create windows that see only padding.
        if (padding[i] > kernel[i] / 2)
          return diag() << "padding[" << i << "] = " << padding[i]
                        << " must be at most half the kernel size "
                        << kernel[i];
        return poolOutputSize(in, kernel[i], stride[i], padding[i],
                              dilation.empty() ? 1 : dilation[i], ceilMode);
      },
      types);
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferPool(OpDiag(loc, getOperationName()),
                   tensorTypeOf(adaptor.getInput()), adaptor.getKernelSize(),
                   adaptor.getStride(), adaptor.getPadding(),
                   adaptor.getDilation(), adaptor.getCeilMode(), types);
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferPool(OpDiag(loc, getOperationName()),
                   tensorTypeOf(adaptor.getInput()), adaptor.getKernelSize(),
                   adaptor.getStride(), adaptor.getPadding(),
                   /*dilation=*/{}, adaptor.getCeilMode(), types);
}

static LogicalResult inferAdaptivePool(const OpDiag &diag,
                                       RankedTensorType input,
                                       ArrayRef<int64_t> outputSize,
                                       SmallVectorImpl<Type> &types) {
  FailureOr<int64_t> s = getSpatialRank(diag, input);
  if (failed(s) ||
      failed(checkSpatialAttr(diag, "output_size", outputSize, *s, 1)))
    return failure();
  SmallVector<int64_t> shape(input.getShape().take_front(2));
  llvm::append_range(shape, outputSize);
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult
AdaptiveAvgPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &types) {
  return inferAdaptivePool(OpDiag(loc, getOperationName()),
                           tensorTypeOf(adaptor.getInput()),
                           adaptor.getOutputSize(), types);
}

LogicalResult
AdaptiveMaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &types) {
  return inferAdaptivePool(OpDiag(loc, getOperationName()),
                           tensorTypeOf(adaptor.getInput()),
                           adaptor.getOutputSize(), types);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult inferReduction(const OpDiag &diag, RankedTensorType input,
                                    ArrayRef<int64_t> dims, bool keepdim,
                                    SmallVectorImpl<Type> &types) {
  int64_t rank = input.getRank();
  llvm::SmallBitVector reduced(rank, dims.empty());
  for (int64_t dim : dims) {
    FailureOr<int64_t> d = normalizeAxis(diag, "dims entry", dim, rank);
    if (failed(d))
      return failure();
    if (reduced.test(*d))
      return diag() << "dims lists dim " << *d << " twice";
    reduced.set(*d);
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced.test(i))
      shape.push_back(input.getDimSize(i));
    else if (keepdim)
      shape.push_back(1);
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

#define NN_DEFINE_REDUCTION_INFERENCE(OpT)                                     \
  LogicalResult OpT::inferReturnTypes(                                         \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &types) {                                          \
    return inferReduction(OpDiag(loc, getOperationName()),                     \
                          tensorTypeOf(adaptor.getInput()), adaptor.getDims(), \
                          adaptor.getKeepdim(), types);                        \
  }

NN_DEFINE_REDUCTION_INFERENCE(ReduceSumOp)
NN_DEFINE_REDUCTION_INFERENCE(ReduceMeanOp)
NN_DEFINE_REDUCTION_INFERENCE(ReduceMaxOp)
NN_DEFINE_REDUCTION_INFERENCE(ReduceMinOp)

#undef NN_DEFINE_REDUCTION_INFERENCE

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

static LogicalResult checkEpsilon(const OpDiag &diag, double epsilon) {
  if (epsilon >= 0 && std::isfinite(epsilon))
    return success();
  return diag() << "epsilon must be >= 0, got " << epsilon;
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  Type elementType = input.getElementType();
  if (failed(checkMinRank(diag, "input", input, 2)) ||
      failed(checkEpsilon(diag, adaptor.getEpsilon())))
    return failure();
  double momentum = adaptor.getMomentum();
  if (!(momentum >= 0 && momentum <= 1))
    return diag() << "momentum must be in [0, 1], got " << momentum;
  int64_t channels = input.getDimSize(1);
  if (failed(checkVector(diag, "weight", adaptor.getWeight(), channels,
                         elementType)) ||
      failed(checkVector(diag, "bias", adaptor.getBias(), channels,
                         elementType)) ||
      failed(checkVector(diag, "running_mean", adaptor.getRunningMean(),
                         channels, elementType)) ||
      failed(checkVector(diag, "running_var", adaptor.getRunningVar(), channels,
                         elementType)))
    return failure();
  types.push_back(input);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  ArrayRef<int64_t> normalized = adaptor.getNormalizedShape();
  if (failed(checkEpsilon(diag, adaptor.getEpsilon())))
    return failure();
  if (normalized.empty())
    return diag() << "normalized_shape must not be empty";
  if (llvm::any_of(normalized, [](int64_t d) { return d < 1; }))
    return diag() << "normalized_shape " << shapeToString(normalized)
                  << " must have sizes >= 1";
  int64_t n = normalized.size();
  if (input.getRank() < n)
    return diag() << "normalized_shape " << shapeToString(normalized)
                  << " has more dims than the input (rank " << input.getRank()
                  << ")";
  ArrayRef<int64_t> trailing = input.getShape().take_back(n);
  if (failed(verifyCompatibleShape(trailing, normalized)))
    return diag() << "normalized_shape " << shapeToString(normalized)
                  << " does not match the trailing input dims "
                  << shapeToString(trailing);
  for (auto [what, value] : {std::make_pair("weight", adaptor.getWeight()),
                             std::make_pair("bias", adaptor.getBias())})
    if (failed(checkOptionalOperand(diag, what, value, normalized,
                                    input.getElementType(), "input")))
      return failure();
  types.push_back(input);
  return success();
}

LogicalResult GroupNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  int64_t groups = adaptor.getNumGroups();
  if (failed(checkMinRank(diag, "input", input, 2)) ||
      failed(checkEpsilon(diag, adaptor.getEpsilon())))
    return failure();
  if (groups < 1)
    return diag() << "num_groups must be >= 1, got " << groups;
  int64_t channels = input.getDimSize(1);
  if (!isDynamicDim(channels) && channels % groups != 0)
    return diag() << "input has " << channels
                  << " channels, which is not divisible by num_groups="
                  << groups;
  if (failed(checkVector(diag, "weight", adaptor.getWeight(), channels,
                         input.getElementType())) ||
      failed(checkVector(diag, "bias", adaptor.getBias(), channels,
                         input.getElementType())))
    return failure();
  types.push_back(input);
  return success();
}
