//===- FuseEpilogues.cpp - Batch norm, residual, activation into kernels --===//
//
// A convolution or linear layer, then batch norm, then the addition of a
// residual, then ReLU or (after a linear layer) GELU, each step optional
// but in that order, becomes one nn.fused_conv or nn.fused_linear, whose
// kernel applies the epilogue to its output as it stores it. Each pattern
// grows the layer by the op that consumes it when that op is its only
// user: nothing else may read the value that fusion stops materialising.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/nn/NNOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nnc {
#define GEN_PASS_DEF_FUSEEPILOGUES
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

/// The operands and attributes of an nn.fused_conv or nn.fused_linear
/// being formed.
struct Fusion {
  bool conv = false; // else linear
  Value input, weight, bias, runningMean, runningVar, bnWeight, bnBias,
      residual;
  DenseI64ArrayAttr stride, padding, dilation; // conv only
  int64_t groups = 1;
  double epsilon = 1e-5;
  bool relu = false;
  StringAttr gelu; // linear only: GELU's approximate mode

  bool hasActivation() const { return relu || gelu; }

  /// The layer `v` is the only result of, if nothing else uses `v`.
  static std::optional<Fusion> of(Value v) {
    if (!v || !v.hasOneUse())
      return std::nullopt;
    Operation *op = v.getDefiningOp();
    Fusion f;
    auto layer = [&](auto op) {
      f.input = op.getInput();
      f.weight = op.getWeight();
      f.bias = op.getBias();
    };
    auto convolution = [&](auto op) {
      layer(op);
      f.conv = true;
      f.stride = op.getStrideAttr();
      f.padding = op.getPaddingAttr();
      f.dilation = op.getDilationAttr();
      f.groups = op.getGroups();
    };
    auto epilogue = [&](auto op) {
      f.runningMean = op.getRunningMean();
      f.runningVar = op.getRunningVar();
      f.bnWeight = op.getBnWeight();
      f.bnBias = op.getBnBias();
      f.residual = op.getResidual();
      f.epsilon = op.getEpsilon();
      f.relu = op.getRelu();
    };
    if (auto conv = dyn_cast_or_null<nn::ConvOp>(op))
      convolution(conv);
    else if (auto linear = dyn_cast_or_null<nn::LinearOp>(op))
      layer(linear);
    else if (auto fused = dyn_cast_or_null<nn::FusedConvOp>(op)) {
      convolution(fused);
      epilogue(fused);
    } else if (auto fused = dyn_cast_or_null<nn::FusedLinearOp>(op)) {
      layer(fused);
      epilogue(fused);
      f.gelu = fused.getGeluAttr();
    } else {
      return std::nullopt;
    }
    return f;
  }

  /// Replaces `op` (the consumer the epilogue now includes) by the fused op.
  void replace(Operation *op, PatternRewriter &rewriter) const {
    Type type = op->getResult(0).getType();
    if (conv)
      rewriter.replaceOpWithNewOp<nn::FusedConvOp>(
          op, type, input, weight, bias, runningMean, runningVar, bnWeight,
          bnBias, residual, stride, padding, dilation, groups, epsilon, relu);
    else
      rewriter.replaceOpWithNewOp<nn::FusedLinearOp>(
          op, type, input, weight, bias, runningMean, runningVar, bnWeight,
          bnBias, residual, rewriter.getF64FloatAttr(epsilon),
          relu ? rewriter.getUnitAttr() : UnitAttr(), gelu);
  }
};

/// layer -> batch_norm (inference, running statistics). Batch norm
/// normalises dim 1: a linear layer's features only when its result has
/// rank 2.
struct FuseBatchNorm : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    std::optional<Fusion> f = Fusion::of(bn.getInput());
    if (!f || f->runningMean || f->residual || f->hasActivation() ||
        (!f->conv && cast<RankedTensorType>(bn.getType()).getRank() != 2))
      return rewriter.notifyMatchFailure(bn, "no plain layer to fuse into");
    f->runningMean = bn.getRunningMean();
    f->runningVar = bn.getRunningVar();
    f->bnWeight = bn.getWeight();
    f->bnBias = bn.getBias();
    f->epsilon = bn.getEpsilon();
    f->replace(bn, rewriter);
    return success();
  }
};

/// layer -> add of a tensor of the same type (a residual connection).
struct FuseResidual : OpRewritePattern<nn::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AddOp add,
                                PatternRewriter &rewriter) const override {
    Type type = add.getType();
    for (auto [layer, other] : {std::pair{add.getLhs(), add.getRhs()},
                                std::pair{add.getRhs(), add.getLhs()}}) {
      std::optional<Fusion> f = Fusion::of(layer);
      // Without broadcasting: the residual is read at the output's layout.
      if (!f || f->residual || f->hasActivation() || layer == other ||
          layer.getType() != type || other.getType() != type)
        continue;
      f->residual = other;
      f->replace(add, rewriter);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no layer to fuse into");
  }
};

/// layer -> relu.
struct FuseRelu : OpRewritePattern<nn::ReluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReluOp relu,
                                PatternRewriter &rewriter) const override {
    std::optional<Fusion> f = Fusion::of(relu.getInput());
    if (!f || f->hasActivation())
      return rewriter.notifyMatchFailure(relu, "no layer to fuse into");
    f->relu = true;
    f->replace(relu, rewriter);
    return success();
  }
};

/// linear -> gelu. A convolution's tiles apply ReLU in registers but would
/// need a second pass for GELU, so only linear layers take it.
struct FuseGelu : OpRewritePattern<nn::GeluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GeluOp gelu,
                                PatternRewriter &rewriter) const override {
    std::optional<Fusion> f = Fusion::of(gelu.getInput());
    if (!f || f->conv || f->hasActivation())
      return rewriter.notifyMatchFailure(gelu, "no linear layer to fuse into");
    f->gelu = gelu.getApproximateAttr();
    f->replace(gelu, rewriter);
    return success();
  }
};

struct FuseEpilogues : nnc::impl::FuseEpiloguesBase<FuseEpilogues> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseBatchNorm, FuseResidual, FuseRelu, FuseGelu>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
