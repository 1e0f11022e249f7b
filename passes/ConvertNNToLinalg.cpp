//===- ConvertNNToLinalg.cpp - Generated code for pointwise and shape ops -===//
//
// Elementwise ops become linalg.generic with numpy broadcasting in the
// indexing maps, so producer/consumer chains fuse into one loop nest
// (linalg-fuse-elementwise-ops) and LLVM vectorises them. Data movement
// becomes tensor/linalg ops that bufferize to views where possible.
// Arithmetic is generated for f32/f64 only (other element types keep the
// runtime kernel). Ops that do no arithmetic in the element type are
// generated more widely: fills of any float type, casts to any float type
// and data movement of any element type.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace nnc {
#define GEN_PASS_DEF_CONVERTNNTOLINALG
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

using BodyFn =
    function_ref<Value(OpBuilder &, Location, ValueRange /*elements*/)>;

bool isFloatTensor(Type t) {
  auto shaped = dyn_cast<RankedTensorType>(t);
  return shaped && shaped.hasStaticShape() &&
         (shaped.getElementType().isF32() || shaped.getElementType().isF64());
}

bool allStatic(Operation *op) {
  auto isStatic = [](Type t) {
    auto ranked = dyn_cast<RankedTensorType>(t);
    return ranked && ranked.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

/// result = body(operands...), each operand broadcast numpy-style (aligned
/// right, size-1 dims stretched) to `resultType`.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange operands, BodyFn body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (Value operand : operands) {
    auto type = cast<RankedTensorType>(operand.getType());
    SmallVector<AffineExpr> exprs;
    int64_t lead = rank - type.getRank();
    for (int64_t d = 0; d < type.getRank(); ++d)
      exprs.push_back(type.getDimSize(d) == 1 &&
                              resultType.getDimSize(lead + d) != 1
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(lead + d));
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, operands, init, maps, iterators,
      [&](OpBuilder &nested, Location l, ValueRange args) {
        Value v = body(nested, l, args.drop_back());
        linalg::YieldOp::create(nested, l, v);
      });
  return generic.getResult(0);
}

Value constant(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

/// 1 / (1 + exp(-x))
Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(
      b, loc, constant(b, loc, t, 1.0),
      arith::AddFOp::create(b, loc, constant(b, loc, t, 1.0), e));
}

/// x > 0 ? x : alpha * (exp(x) - 1)
Value elu(OpBuilder &b, Location loc, Value x, double alpha) {
  Type t = x.getType();
  Value negative = arith::MulFOp::create(b, loc, constant(b, loc, t, alpha),
                                         math::ExpM1Op::create(b, loc, x));
  Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                         constant(b, loc, t, 0.0));
  return arith::SelectOp::create(b, loc, positive, x, negative);
}

/// The unary ops unaryBody() has a formula for.
bool hasUnaryBody(Operation *op) {
  return isa<nn::ReluOp, nn::SigmoidOp, nn::TanhOp, nn::SiluOp, nn::SeluOp,
             nn::ExpOp, nn::LogOp, nn::SqrtOp, nn::RsqrtOp, nn::AbsOp,
             nn::NegOp, nn::GeluOp, nn::EluOp, nn::LeakyReluOp, nn::SoftplusOp>(
      op);
}

/// The scalar formula of a float unary op (see hasUnaryBody).
Value unaryBody(Operation *op, OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  auto c = [&](double v) { return constant(b, loc, t, v); };
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](nn::ReluOp) {
        return arith::MaximumFOp::create(b, loc, x, c(0.0));
      })
      .Case([&](nn::SigmoidOp) { return sigmoid(b, loc, x); })
      .Case([&](nn::TanhOp) { return math::TanhOp::create(b, loc, x); })
      .Case([&](nn::SiluOp) {
        return arith::MulFOp::create(b, loc, x, sigmoid(b, loc, x));
      })
      .Case([&](nn::SeluOp) {
        // PyTorch's constants.
        return arith::MulFOp::create(
            b, loc, c(1.0507009873554804934193349852946),
            elu(b, loc, x, 1.6732632423543772848170429916717));
      })
      .Case([&](nn::ExpOp) { return math::ExpOp::create(b, loc, x); })
      .Case([&](nn::LogOp) { return math::LogOp::create(b, loc, x); })
      .Case([&](nn::SqrtOp) { return math::SqrtOp::create(b, loc, x); })
      .Case([&](nn::RsqrtOp) { return math::RsqrtOp::create(b, loc, x); })
      .Case([&](nn::AbsOp) { return math::AbsFOp::create(b, loc, x); })
      .Case([&](nn::NegOp) { return arith::NegFOp::create(b, loc, x); })
      .Case([&](nn::GeluOp o) -> Value {
        Value half = arith::MulFOp::create(b, loc, c(0.5), x);
        Value inner;
        if (o.getApproximate() == "tanh") {
          // tanh(sqrt(2 / pi) * (x + 0.044715 x^3))
          Value x3 = arith::MulFOp::create(b, loc, x,
                                           arith::MulFOp::create(b, loc, x, x));
          Value sum = arith::AddFOp::create(
              b, loc, x, arith::MulFOp::create(b, loc, c(0.044715), x3));
          inner = math::TanhOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, c(std::sqrt(2.0 / M_PI)), sum));
        } else {
          inner = math::ErfOp::create(
              b, loc, arith::MulFOp::create(b, loc, x, c(M_SQRT1_2)));
        }
        return arith::MulFOp::create(
            b, loc, half, arith::AddFOp::create(b, loc, c(1.0), inner));
      })
      .Case([&](nn::EluOp o) { return elu(b, loc, x, o.getAlpha()); })
      .Case([&](nn::LeakyReluOp o) -> Value {
        Value scaled =
            arith::MulFOp::create(b, loc, c(o.getNegativeSlope()), x);
        Value positive =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, c(0.0));
        return arith::SelectOp::create(b, loc, positive, x, scaled);
      })
      .Case([&](nn::SoftplusOp o) -> Value {
        // Linear where beta * x > threshold, as torch.nn.Softplus.
        Value bx = arith::MulFOp::create(b, loc, c(o.getBeta()), x);
        Value soft = arith::DivFOp::create(
            b, loc,
            math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, bx)),
            c(o.getBeta()));
        Value linear = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                             bx, c(o.getThreshold()));
        return arith::SelectOp::create(b, loc, linear, x, soft);
      })
      .Default([](Operation *) { return Value(); });
}

/// Float unary activations and math.
struct LowerUnary : RewritePattern {
  LowerUnary(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || !isFloatTensor(op->getResult(0).getType()))
      return failure();
    if (!hasUnaryBody(op))
      return failure();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    rewriter.replaceOp(
        op, elementwise(rewriter, op->getLoc(), type, op->getOperand(0),
                        [&](OpBuilder &b, Location l, ValueRange x) {
                          return unaryBody(op, b, l, x[0]);
                        }));
    return success();
  }
};

/// Float binary arithmetic with broadcasting.
template <typename NNOp, typename ArithOp>
struct LowerBinary : OpRewritePattern<NNOp> {
  using OpRewritePattern<NNOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(NNOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()) || !allStatic(op))
      return failure();
    rewriter.replaceOp(
        op, elementwise(rewriter, op.getLoc(), op.getType(),
                        {op.getLhs(), op.getRhs()},
                        [](OpBuilder &b, Location l, ValueRange v) -> Value {
                          return ArithOp::create(b, l, v[0], v[1]);
                        }));
    return success();
  }
};

/// Dropout is the identity at inference time (training rewrites it to a
/// mask in nn-differentiate).
struct LowerDropout : OpRewritePattern<nn::DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::DropoutOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

struct LowerReshape : OpRewritePattern<nn::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!allStatic(op))
      return failure();
    auto type = cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    auto shapeType =
        RankedTensorType::get({type.getRank()}, rewriter.getI64Type());
    Value shape = arith::ConstantOp::create(
        rewriter, loc, DenseIntElementsAttr::get(shapeType, type.getShape()));
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, type, op.getInput(),
                                                   shape);
    return success();
  }
};

struct LowerPermute : OpRewritePattern<nn::PermuteOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::PermuteOp op,
                                PatternRewriter &rewriter) const override {
    if (!allStatic(op))
      return failure();
    auto type = cast<RankedTensorType>(op.getType());
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), type.getShape(),
                                         type.getElementType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       op.getInput(), init,
                                                       op.getPermutation())
                               ->getResult(0));
    return success();
  }
};

struct LowerExpand : OpRewritePattern<nn::ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ExpandOp op,
                                PatternRewriter &rewriter) const override {
    if (!allStatic(op))
      return failure();
    rewriter.replaceOp(
        op,
        elementwise(rewriter, op.getLoc(), cast<RankedTensorType>(op.getType()),
                    op.getInput(),
                    [](OpBuilder &, Location, ValueRange v) { return v[0]; }));
    return success();
  }
};

struct LowerSlice : OpRewritePattern<nn::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SliceOp op,
                                PatternRewriter &rewriter) const override {
    if (!allStatic(op) || op.getStep() < 1)
      return failure();
    auto in = cast<RankedTensorType>(op.getInput().getType());
    auto out = cast<RankedTensorType>(op.getType());
    int64_t axis =
        op.getAxis() < 0 ? op.getAxis() + in.getRank() : op.getAxis();
    int64_t size = in.getDimSize(axis);
    // Python's slice bounds: negative from the end, clamped to the dim.
    int64_t start = op.getStart() < 0 ? op.getStart() + size : op.getStart();
    start = std::clamp<int64_t>(start, 0, size);
    SmallVector<OpFoldResult> offsets(in.getRank(), rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes,
        strides(in.getRank(), rewriter.getIndexAttr(1));
    for (int64_t d = 0; d < in.getRank(); ++d)
      sizes.push_back(rewriter.getIndexAttr(out.getDimSize(d)));
    offsets[axis] = rewriter.getIndexAttr(start);
    strides[axis] = rewriter.getIndexAttr(op.getStep());
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, out, op.getInput(), offsets, sizes, strides);
    return success();
  }
};

struct LowerConcat : OpRewritePattern<nn::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    if (!allStatic(op))
      return failure();
    auto out = cast<RankedTensorType>(op.getType());
    int64_t axis =
        op.getAxis() < 0 ? op.getAxis() + out.getRank() : op.getAxis();
    Location loc = op.getLoc();
    Value result = tensor::EmptyOp::create(rewriter, loc, out.getShape(),
                                           out.getElementType());
    int64_t offset = 0;
    for (Value input : op.getInputs()) {
      auto type = cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> offsets(out.getRank(),
                                        rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes,
          strides(out.getRank(), rewriter.getIndexAttr(1));
      for (int64_t d = 0; d < type.getRank(); ++d)
        sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
      offsets[axis] = rewriter.getIndexAttr(offset);
      offset += type.getDimSize(axis);
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             offsets, sizes, strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Any float type: the fill value is a constant of the element type, so no
/// arithmetic happens in it (integer fills keep the kernel).
struct LowerFill : OpRewritePattern<nn::FillOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::FillOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (!type.hasStaticShape() || !isa<FloatType>(type.getElementType()))
      return failure();
    Location loc = op.getLoc();
    Value value = constant(rewriter, loc, type.getElementType(), op.getValue());
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    rewriter.replaceOp(
        op, linalg::FillOp::create(rewriter, loc, value, init)->getResult(0));
    return success();
  }
};

/// Inference batch norm as two small per-channel generics (scale and shift)
/// and one elementwise x * scale[c] + shift[c] over the input, which then
/// fuses with what follows (ReLU, a residual add) into one pass over memory
/// behind the convolution's kernel call.
struct LowerBatchNorm : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (!isFloatTensor(type) || !allStatic(op) || type.getRank() < 2)
      return failure();
    Location loc = op.getLoc();
    Type element = type.getElementType();
    int64_t channels = type.getDimSize(1);
    auto vector = RankedTensorType::get({channels}, element);
    double epsilon = op.getEpsilon();

    // scale = weight / sqrt(var + eps), shift = bias - mean * scale.
    SmallVector<Value> scaleInputs{op.getRunningVar()};
    if (op.getWeight())
      scaleInputs.push_back(op.getWeight());
    Value scale = elementwise(
        rewriter, loc, vector, scaleInputs,
        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
          Value inv = math::RsqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, v[0],
                                    constant(b, l, element, epsilon)));
          return v.size() > 1 ? arith::MulFOp::create(b, l, inv, v[1]) : inv;
        });
    SmallVector<Value> shiftInputs{op.getRunningMean(), scale};
    if (op.getBias())
      shiftInputs.push_back(op.getBias());
    Value shift = elementwise(
        rewriter, loc, vector, shiftInputs,
        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
          Value scaled = arith::MulFOp::create(b, l, v[0], v[1]);
          return v.size() > 2 ? arith::SubFOp::create(b, l, v[2], scaled)
                              : arith::NegFOp::create(b, l, scaled).getResult();
        });

    // [C] -> [C, 1, ..., 1]: broadcasts against [N, C, *spatial].
    SmallVector<int64_t> perChannel(type.getRank() - 1, 1);
    perChannel[0] = channels;
    auto perChannelType = RankedTensorType::get(perChannel, element);
    auto shapeType =
        RankedTensorType::get({type.getRank() - 1}, rewriter.getI64Type());
    Value shape = arith::ConstantOp::create(
        rewriter, loc, DenseIntElementsAttr::get(shapeType, perChannel));
    scale =
        tensor::ReshapeOp::create(rewriter, loc, perChannelType, scale, shape);
    shift =
        tensor::ReshapeOp::create(rewriter, loc, perChannelType, shift, shape);
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, {op.getInput(), scale, shift},
                        [](OpBuilder &b, Location l, ValueRange v) -> Value {
                          return arith::AddFOp::create(
                              b, l, arith::MulFOp::create(b, l, v[0], v[1]),
                              v[2]);
                        }));
    return success();
  }
};

struct LowerConstant : OpRewritePattern<nn::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConstantOp op,
                                PatternRewriter &rewriter) const override {
    auto value = dyn_cast<DenseElementsAttr>(op.getValue());
    if (!value || value.getType() != op.getType())
      return failure();
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

/// Float -> float conversion of one element. Two formats of one width
/// (f16 and bf16) have no direct conversion: the value goes through f32,
/// which holds both exactly, so only the final truncation rounds.
Value convertFloat(OpBuilder &b, Location loc, Value x, FloatType to) {
  auto from = cast<FloatType>(x.getType());
  if (from == to)
    return x;
  if (from.getWidth() < to.getWidth())
    return arith::ExtFOp::create(b, loc, to, x);
  if (from.getWidth() > to.getWidth())
    return arith::TruncFOp::create(b, loc, to, x);
  Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
  return arith::TruncFOp::create(b, loc, to, wide);
}

/// Float <-> float and int -> float casts (the ones models use: token ids and
/// masks to float, precision changes).
struct LowerCast : OpRewritePattern<nn::CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::CastOp op,
                                PatternRewriter &rewriter) const override {
    if (!allStatic(op))
      return failure();
    Type from = getElementTypeOrSelf(op.getInput().getType());
    Type to = getElementTypeOrSelf(op.getType());
    auto toFloat = dyn_cast<FloatType>(to);
    if (!toFloat || !(isa<FloatType>(from) || from.isSignlessInteger()))
      return failure();
    // Distinct formats of one width convert through f32, which must be
    // wider than both (true of the 16- and 8-bit formats).
    auto fromFloat = dyn_cast<FloatType>(from);
    if (fromFloat && fromFloat != toFloat &&
        fromFloat.getWidth() == toFloat.getWidth() && toFloat.getWidth() >= 32)
      return failure();
    rewriter.replaceOp(
        op, elementwise(rewriter, op.getLoc(),
                        cast<RankedTensorType>(op.getType()), op.getInput(),
                        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                          if (fromFloat)
                            return convertFloat(b, l, v[0], toFloat);
                          // Booleans are 0/1; other integers are signed.
                          if (from.isInteger(1))
                            return arith::UIToFPOp::create(b, l, to, v[0]);
                          return arith::SIToFPOp::create(b, l, to, v[0]);
                        }));
    return success();
  }
};

struct ConvertNNToLinalgPass
    : nnc::impl::ConvertNNToLinalgBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<LowerUnary, LowerDropout, LowerReshape, LowerPermute,
                 LowerExpand, LowerSlice, LowerConcat, LowerFill, LowerConstant,
                 LowerCast, LowerBatchNorm>(ctx);
    patterns.add<LowerBinary<nn::AddOp, arith::AddFOp>,
                 LowerBinary<nn::SubOp, arith::SubFOp>,
                 LowerBinary<nn::MulOp, arith::MulFOp>,
                 LowerBinary<nn::DivOp, arith::DivFOp>,
                 LowerBinary<nn::PowOp, math::PowFOp>,
                 LowerBinary<nn::MaximumOp, arith::MaximumFOp>,
                 LowerBinary<nn::MinimumOp, arith::MinimumFOp>>(ctx);
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace
