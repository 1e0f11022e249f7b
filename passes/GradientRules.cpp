//===- GradientRules.cpp - Vector-Jacobian products of nn ops -------------===//
//
// One rule per differentiable forward op. Rules read the gradients of the
// op's results from the sweep and accumulate the gradients of its operands.
// Where a product is a composition of existing ops (linear's input gradient
// is a matmul, broadcasting's adjoint a sum) the rule composes them, so the
// compiled paths see fewer distinct ops; the rest use the gradient ops of
// NNGradOps.td.
//
//===----------------------------------------------------------------------===//

#include "passes/GradientRules.h"
#include "passes/PassUtils.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace nnc;
using nnc::nn::tensorTypeOf;

//===----------------------------------------------------------------------===//
// GradientSweep
//===----------------------------------------------------------------------===//

Value GradientSweep::resultGradient(Value result) {
  if (Value g = gradient(result))
    return g;
  return makeLike(result.getLoc(), "nn.fill", result, {result},
                  {b.getNamedAttr("value", b.getF64FloatAttr(0.0))});
}

void GradientSweep::accumulate(Value v, Value g) {
  if (!v || !g || !isActive(v))
    return;
  Value &slot = grads[v];
  slot = slot ? makeLike(g.getLoc(), "nn.add", v, {slot, g}) : g;
}

Operation *GradientSweep::make(Location loc, StringRef name,
                               ValueRange operands, TypeRange types,
                               ArrayRef<NamedAttribute> attrs) {
  return createOp(b, loc, name, operands, types, attrs);
}

Value GradientSweep::makeLike(Location loc, StringRef name, Value like,
                              ValueRange operands,
                              ArrayRef<NamedAttribute> attrs) {
  return make(loc, name, operands, {like.getType()}, attrs)->getResult(0);
}

Value GradientSweep::sumTo(Location loc, Value g, Value like) {
  if (g.getType() == like.getType())
    return g;
  return makeLike(loc, "nn.sum_to", like, {g, like});
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

/// The forward op's attributes, minus the operand segment sizes: a gradient
/// op with the same attribute names takes them over unchanged.
SmallVector<NamedAttribute> forwardAttrs(Operation *op,
                                         ArrayRef<StringRef> only = {}) {
  SmallVector<NamedAttribute> attrs;
  for (NamedAttribute a : op->getAttrDictionary()) {
    if (a.getName() == "operandSegmentSizes")
      continue;
    if (!only.empty() && !llvm::is_contained(only, a.getName().getValue()))
      continue;
    attrs.push_back(a);
  }
  return attrs;
}

SmallVector<NamedAttribute> withSegments(OpBuilder &b,
                                         SmallVector<NamedAttribute> attrs,
                                         ArrayRef<int32_t> sizes) {
  attrs.push_back(
      b.getNamedAttr("operandSegmentSizes", b.getDenseI32ArrayAttr(sizes)));
  return attrs;
}

/// The shape of `v`'s type with the last two dims swapped.
RankedTensorType transposedType(Value v) {
  RankedTensorType t = tensorTypeOf(v);
  SmallVector<int64_t> shape(t.getShape());
  std::swap(shape[shape.size() - 1], shape[shape.size() - 2]);
  return RankedTensorType::get(shape, t.getElementType());
}

Value transposeLastTwo(GradientSweep &s, Location loc, Value v) {
  int64_t rank = tensorTypeOf(v).getRank();
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i)
    perm.push_back(i);
  std::swap(perm[rank - 1], perm[rank - 2]);
  return s
      .make(loc, "nn.permute", {v}, {transposedType(v)},
            {s.b.getNamedAttr("permutation", s.b.getDenseI64ArrayAttr(perm))})
      ->getResult(0);
}

/// nn.matmul with its result type (batch dims broadcast), or failure.
FailureOr<Value> matmul(GradientSweep &s, Location loc, Value a, Value b) {
  RankedTensorType ta = tensorTypeOf(a), tb = tensorTypeOf(b);
  SmallVector<int64_t> shape;
  if (failed(nn::broadcastShapes(ta.getShape().drop_back(2),
                                 tb.getShape().drop_back(2), shape)))
    return failure();
  shape.push_back(ta.getShape()[ta.getRank() - 2]);
  shape.push_back(tb.getShape().back());
  return s
      .make(loc, "nn.matmul", {a, b},
            {RankedTensorType::get(shape, ta.getElementType())})
      ->getResult(0);
}

/// Sum of `g` over every dim except those in `keep`, to `like`'s type.
Value reduceSumExcept(GradientSweep &s, Location loc, Value g, Value like,
                      ArrayRef<int64_t> keep) {
  SmallVector<int64_t> dims;
  for (int64_t d = 0, e = tensorTypeOf(g).getRank(); d < e; ++d)
    if (!llvm::is_contained(keep, d))
      dims.push_back(d);
  if (dims.empty())
    return g;
  return s.makeLike(loc, "nn.reduce_sum", like, {g},
                    {s.b.getNamedAttr("dims", s.b.getDenseI64ArrayAttr(dims))});
}

/// A rank-0 constant of `v`'s element type.
Value scalarLike(GradientSweep &s, Location loc, Value v, double value) {
  return scalarConstant(s.b, loc, tensorTypeOf(v).getElementType(), value);
}

/// The gradient of a one-result op: the op that made it computed its
/// rule only if this exists.
Value resultGrad(GradientSweep &s, Operation *op) {
  return s.resultGradient(op->getResult(0));
}

} // namespace

//===----------------------------------------------------------------------===//
// Rules
//===----------------------------------------------------------------------===//

bool nnc::isShapeOnlyOperand(Operation *op, unsigned index) {
  // Ops whose result does not depend on these operands' values (only on
  // their shapes), or which draw random values of their operand's shape.
  if (isa<nn::FillOp, nn::DropoutMaskOp, nn::RandomNormalOp,
          nn::SinusoidalPositionEncodingOp, tensor::DimOp>(op))
    return true;
  // The query and key of a relative position bias give the lengths only.
  return isa<nn::RelativePositionBiasOp>(op) && index < 2;
}

LogicalResult nnc::differentiateOp(Operation *op, GradientSweep &s) {
  Location loc = op->getLoc();
  OpBuilder &b = s.b;
  auto need = [&](Value v) { return v && s.isActive(v); };

  // Activations given by their input or output and the output gradient.
  auto activation = [&](StringRef gradName, Value value,
                        ArrayRef<NamedAttribute> attrs = {}) {
    Value dy = resultGrad(s, op);
    s.accumulate(op->getOperand(0), s.makeLike(loc, gradName, op->getOperand(0),
                                               {dy, value}, attrs));
    return success();
  };

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      // Values that no gradient flows through.
      .Case<nn::ParamOp, nn::ConstantOp, nn::FillOp, nn::DropoutMaskOp,
            nn::RandomNormalOp, nn::SinusoidalPositionEncodingOp, tensor::DimOp,
            arith::ConstantOp>([](Operation *) { return success(); })
      // Activations.
      .Case([&](nn::ReluOp o) {
        return activation("nn.relu_grad", o.getInput());
      })
      .Case([&](nn::SigmoidOp o) {
        return activation("nn.sigmoid_grad", o.getResult());
      })
      .Case([&](nn::TanhOp o) {
        return activation("nn.tanh_grad", o.getResult());
      })
      .Case([&](nn::GeluOp o) {
        return activation("nn.gelu_grad", o.getInput(),
                          forwardAttrs(op, {"approximate"}));
      })
      .Case([&](nn::SoftmaxOp o) {
        return activation("nn.softmax_grad", o.getResult(), forwardAttrs(op));
      })
      .Case([&](nn::LogSoftmaxOp o) {
        return activation("nn.log_softmax_grad", o.getResult(),
                          forwardAttrs(op));
      })
      .Case([&](nn::ExpOp o) {
        Value dy = resultGrad(s, op);
        s.accumulate(o.getInput(), s.makeLike(loc, "nn.mul", o.getInput(),
                                              {dy, o.getResult()}));
        return success();
      })
      .Case([&](nn::LogOp o) {
        Value dy = resultGrad(s, op);
        s.accumulate(o.getInput(), s.makeLike(loc, "nn.div", o.getInput(),
                                              {dy, o.getInput()}));
        return success();
      })
      .Case([&](nn::NegOp o) {
        s.accumulate(o.getInput(), s.makeLike(loc, "nn.neg", o.getInput(),
                                              {resultGrad(s, op)}));
        return success();
      })
      .Case([&](nn::SqrtOp o) {
        // d sqrt(x) = dy / (2 y).
        Value dy = resultGrad(s, op);
        Value half =
            s.makeLike(loc, "nn.mul", dy, {dy, scalarLike(s, loc, dy, 0.5)});
        s.accumulate(o.getInput(), s.makeLike(loc, "nn.div", o.getInput(),
                                              {half, o.getResult()}));
        return success();
      })
      // Broadcasting arithmetic.
      .Case([&](nn::AddOp o) {
        Value dy = resultGrad(s, op);
        s.accumulate(o.getLhs(), s.sumTo(loc, dy, o.getLhs()));
        s.accumulate(o.getRhs(), s.sumTo(loc, dy, o.getRhs()));
        return success();
      })
      .Case([&](nn::SubOp o) {
        Value dy = resultGrad(s, op);
        s.accumulate(o.getLhs(), s.sumTo(loc, dy, o.getLhs()));
        if (need(o.getRhs()))
          s.accumulate(
              o.getRhs(),
              s.sumTo(loc, s.makeLike(loc, "nn.neg", dy, {dy}), o.getRhs()));
        return success();
      })
      .Case([&](nn::MulOp o) {
        Value dy = resultGrad(s, op);
        if (need(o.getLhs()))
          s.accumulate(o.getLhs(),
                       s.sumTo(loc,
                               s.makeLike(loc, "nn.mul", dy, {dy, o.getRhs()}),
                               o.getLhs()));
        if (need(o.getRhs()))
          s.accumulate(o.getRhs(),
                       s.sumTo(loc,
                               s.makeLike(loc, "nn.mul", dy, {dy, o.getLhs()}),
                               o.getRhs()));
        return success();
      })
      .Case([&](nn::DivOp o) {
        // d(a / b) = da / b - dy * (a / b) / b.
        Value dy = resultGrad(s, op);
        if (need(o.getLhs()))
          s.accumulate(o.getLhs(),
                       s.sumTo(loc,
                               s.makeLike(loc, "nn.div", dy, {dy, o.getRhs()}),
                               o.getLhs()));
        if (need(o.getRhs())) {
          Value t = s.makeLike(loc, "nn.mul", dy, {dy, o.getResult()});
          t = s.makeLike(loc, "nn.div", dy, {t, o.getRhs()});
          t = s.makeLike(loc, "nn.neg", dy, {t});
          s.accumulate(o.getRhs(), s.sumTo(loc, t, o.getRhs()));
        }
        return success();
      })
      // Dense layers.
      .Case([&](nn::LinearOp o) -> LogicalResult {
        Value dy = resultGrad(s, op);
        if (need(o.getInput())) {
          if (tensorTypeOf(dy).getRank() < 2)
            return op->emitOpError()
                   << "gradient of an unbatched (rank-1) input is not "
                      "supported yet";
          s.accumulate(o.getInput(), s.makeLike(loc, "nn.matmul", o.getInput(),
                                                {dy, o.getWeight()}));
        }
        if (need(o.getWeight()))
          s.accumulate(o.getWeight(),
                       s.makeLike(loc, "nn.linear_grad_weight", o.getWeight(),
                                  {dy, o.getInput(), o.getWeight()}));
        if (need(o.getBias()))
          s.accumulate(o.getBias(),
                       reduceSumExcept(s, loc, dy, o.getBias(),
                                       {tensorTypeOf(dy).getRank() - 1}));
        return success();
      })
      .Case([&](nn::MatmulOp o) -> LogicalResult {
        Value dy = resultGrad(s, op);
        if (need(o.getLhs())) {
          FailureOr<Value> g =
              matmul(s, loc, dy, transposeLastTwo(s, loc, o.getRhs()));
          if (failed(g))
            return op->emitOpError() << "cannot form the lhs gradient";
          s.accumulate(o.getLhs(), s.sumTo(loc, *g, o.getLhs()));
        }
        if (need(o.getRhs())) {
          FailureOr<Value> g =
              matmul(s, loc, transposeLastTwo(s, loc, o.getLhs()), dy);
          if (failed(g))
            return op->emitOpError() << "cannot form the rhs gradient";
          s.accumulate(o.getRhs(), s.sumTo(loc, *g, o.getRhs()));
        }
        return success();
      })
      .Case([&](nn::EmbeddingOp o) {
        s.accumulate(
            o.getWeight(),
            s.makeLike(loc, "nn.embedding_grad", o.getWeight(),
                       {resultGrad(s, op), o.getIndices(), o.getWeight()},
                       forwardAttrs(op)));
        return success();
      })
      // Convolution and pooling.
      .Case([&](nn::ConvOp o) {
        Value dy = resultGrad(s, op);
        SmallVector<NamedAttribute> attrs = forwardAttrs(op);
        if (need(o.getInput()))
          s.accumulate(o.getInput(),
                       s.makeLike(loc, "nn.conv_grad_input", o.getInput(),
                                  {dy, o.getInput(), o.getWeight()}, attrs));
        if (need(o.getWeight()))
          s.accumulate(o.getWeight(),
                       s.makeLike(loc, "nn.conv_grad_weight", o.getWeight(),
                                  {dy, o.getInput(), o.getWeight()}, attrs));
        if (need(o.getBias()))
          s.accumulate(o.getBias(),
                       reduceSumExcept(s, loc, dy, o.getBias(), {1}));
        return success();
      })
      .Case([&](nn::MaxPoolOp o) {
        s.accumulate(o.getInput(),
                     s.makeLike(loc, "nn.max_pool_grad", o.getInput(),
                                {resultGrad(s, op), o.getInput()},
                                forwardAttrs(op)));
        return success();
      })
      .Case([&](nn::AvgPoolOp o) {
        s.accumulate(o.getInput(),
                     s.makeLike(loc, "nn.avg_pool_grad", o.getInput(),
                                {resultGrad(s, op), o.getInput()},
                                forwardAttrs(op)));
        return success();
      })
      .Case([&](nn::AdaptiveAvgPoolOp o) -> LogicalResult {
        // Global average pooling is a mean over the spatial dims.
        if (!llvm::all_of(o.getOutputSize(), [](int64_t n) { return n == 1; }))
          return op->emitOpError()
                 << "gradient of adaptive average pooling to a size other "
                    "than 1 is not supported yet";
        SmallVector<int64_t> dims;
        for (int64_t d = 2, e = o.getInput().getType().getRank(); d < e; ++d)
          dims.push_back(d);
        s.accumulate(
            o.getInput(),
            s.makeLike(loc, "nn.reduce_grad", o.getInput(),
                       {resultGrad(s, op), o.getInput()},
                       {b.getNamedAttr("dims", b.getDenseI64ArrayAttr(dims)),
                        b.getNamedAttr("keepdim", b.getBoolAttr(true)),
                        b.getNamedAttr("mean", b.getUnitAttr())}));
        return success();
      })
      // Reductions.
      .Case<nn::ReduceSumOp, nn::ReduceMeanOp>([&](Operation *) {
        SmallVector<NamedAttribute> attrs =
            forwardAttrs(op, {"dims", "keepdim"});
        if (isa<nn::ReduceMeanOp>(op))
          attrs.push_back(b.getNamedAttr("mean", b.getUnitAttr()));
        Value x = op->getOperand(0);
        s.accumulate(x, s.makeLike(loc, "nn.reduce_grad", x,
                                   {resultGrad(s, op), x}, attrs));
        return success();
      })
      .Case<nn::ReduceMaxOp, nn::ReduceMinOp>([&](Operation *) {
        Value x = op->getOperand(0);
        s.accumulate(x, s.makeLike(loc, "nn.reduce_select_grad", x,
                                   {resultGrad(s, op), x, op->getResult(0)},
                                   forwardAttrs(op, {"dims", "keepdim"})));
        return success();
      })
      .Case([&](nn::TopKOp o) {
        // Only the values are differentiable; the indices are integers.
        s.accumulate(o.getInput(),
                     s.makeLike(loc, "nn.top_k_grad", o.getInput(),
                                {s.resultGradient(o.getValues()), o.getInput(),
                                 o.getIndices()},
                                forwardAttrs(op, {"axis"})));
        return success();
      })
      .Case([&](nn::TimestepEmbeddingOp o) {
        s.accumulate(o.getTimesteps(),
                     s.makeLike(loc, "nn.timestep_embedding_grad",
                                o.getTimesteps(),
                                {resultGrad(s, op), o.getTimesteps()},
                                forwardAttrs(op, {"max_period"})));
        return success();
      })
      .Case([&](nn::PatchifyOp o) {
        s.accumulate(o.getInput(),
                     s.makeLike(loc, "nn.patchify_grad", o.getInput(),
                                {resultGrad(s, op), o.getInput()},
                                forwardAttrs(op)));
        return success();
      })
      // Normalisation.
      .Case([&](nn::BatchNormTrainOp o) {
        Value dy = s.resultGradient(o.getResult());
        Value weight = o.getWeight();
        SmallVector<Value> operands{dy, o.getInput()};
        if (weight)
          operands.push_back(weight);
        operands.append({o.getMean(), o.getInvStd()});
        Type c = o.getMean().getType();
        Operation *g = s.make(loc, "nn.batch_norm_grad", operands,
                              {o.getInput().getType(), c, c});
        s.accumulate(o.getInput(), g->getResult(0));
        s.accumulate(weight, g->getResult(1));
        s.accumulate(o.getBias(), g->getResult(2));
        return success();
      })
      .Case([&](nn::LayerNormOp o) {
        SmallVector<Value> operands{resultGrad(s, op), o.getInput()};
        if (o.getWeight())
          operands.push_back(o.getWeight());
        if (o.getBias())
          operands.push_back(o.getBias());
        auto c = RankedTensorType::get(o.getNormalizedShape(),
                                       o.getInput().getType().getElementType());
        Operation *g = s.make(
            loc, "nn.layer_norm_grad", operands, {o.getInput().getType(), c, c},
            withSegments(b, forwardAttrs(op),
                         {1, 1, o.getWeight() ? 1 : 0, o.getBias() ? 1 : 0}));
        s.accumulate(o.getInput(), g->getResult(0));
        s.accumulate(o.getWeight(), g->getResult(1));
        s.accumulate(o.getBias(), g->getResult(2));
        return success();
      })
      // Shapes.
      .Case([&](nn::ReshapeOp o) {
        Value x = o.getInput();
        SmallVector<Value> sizes{resultGrad(s, op)};
        RankedTensorType t = tensorTypeOf(x);
        for (int64_t d = 0; d < t.getRank(); ++d)
          if (t.isDynamicDim(d)) {
            Value index = arith::ConstantIndexOp::create(b, loc, d);
            sizes.push_back(tensor::DimOp::create(b, loc, x, index));
          }
        s.accumulate(x, s.makeLike(loc, "nn.reshape", x, sizes));
        return success();
      })
      .Case([&](nn::PermuteOp o) {
        ArrayRef<int64_t> perm = o.getPermutation();
        SmallVector<int64_t> inverse(perm.size());
        for (size_t i = 0; i < perm.size(); ++i)
          inverse[perm[i]] = i;
        s.accumulate(
            o.getInput(),
            s.makeLike(loc, "nn.permute", o.getInput(), {resultGrad(s, op)},
                       {b.getNamedAttr("permutation",
                                       b.getDenseI64ArrayAttr(inverse))}));
        return success();
      })
      .Case([&](nn::ExpandOp o) {
        s.accumulate(o.getInput(),
                     s.sumTo(loc, resultGrad(s, op), o.getInput()));
        return success();
      })
      .Case([&](nn::ConcatOp o) -> LogicalResult {
        Value dy = resultGrad(s, op);
        int64_t rank = o.getResult().getType().getRank();
        int64_t axis = o.getAxis() < 0 ? o.getAxis() + rank : o.getAxis();
        int64_t offset = 0;
        for (Value in : o.getInputs()) {
          int64_t size = tensorTypeOf(in).getDimSize(axis);
          if (need(in)) {
            if (ShapedType::isDynamic(offset) || ShapedType::isDynamic(size))
              return op->emitOpError()
                     << "gradient of a concatenation along a dynamic dim is "
                        "not supported yet";
            s.accumulate(
                in, s.makeLike(
                        loc, "nn.slice", in, {dy},
                        {b.getNamedAttr("axis", b.getI64IntegerAttr(axis)),
                         b.getNamedAttr("start", b.getI64IntegerAttr(offset)),
                         b.getNamedAttr("end",
                                        b.getI64IntegerAttr(offset + size))}));
          }
          offset = nn::addDims(offset, size);
        }
        return success();
      })
      .Case([&](nn::SliceOp o) {
        s.accumulate(o.getInput(),
                     s.makeLike(loc, "nn.slice_grad", o.getInput(),
                                {resultGrad(s, op), o.getInput()},
                                forwardAttrs(op)));
        return success();
      })
      .Case([&](nn::SplitOp o) {
        SmallVector<Value> pieces;
        for (Value r : o.getResults())
          pieces.push_back(s.resultGradient(r));
        s.accumulate(o.getInput(),
                     s.makeLike(loc, "nn.concat", o.getInput(), pieces,
                                forwardAttrs(op, {"axis"})));
        return success();
      })
      .Case([&](nn::CastOp o) -> LogicalResult {
        if (!isa<FloatType>(o.getInput().getType().getElementType()))
          return success();
        s.accumulate(o.getInput(), s.makeLike(loc, "nn.cast", o.getInput(),
                                              {resultGrad(s, op)}));
        return success();
      })
      // Losses.
      .Case([&](nn::CrossEntropyLossOp o) -> LogicalResult {
        if (!isa<IntegerType>(o.getTarget().getType().getElementType()))
          return op->emitOpError()
                 << "gradient of cross entropy with "
                    "probability targets is not supported yet";
        s.accumulate(
            o.getInput(),
            s.makeLike(loc, "nn.cross_entropy_grad", o.getInput(),
                       {resultGrad(s, op), o.getInput(), o.getTarget()},
                       forwardAttrs(op)));
        return success();
      })
      .Case([&](nn::MSELossOp o) {
        Value g = s.makeLike(loc, "nn.mse_loss_grad", o.getInput(),
                             {resultGrad(s, op), o.getInput(), o.getTarget()},
                             forwardAttrs(op));
        s.accumulate(o.getInput(), g);
        if (need(o.getTarget()))
          s.accumulate(o.getTarget(), s.makeLike(loc, "nn.neg", g, {g}));
        return success();
      })
      .Default([&](Operation *op) { return differentiateLayerOp(op, s); });
}
