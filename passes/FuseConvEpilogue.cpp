//===- FuseConvEpilogue.cpp - Batch norm, residual, ReLU into the conv ----===//
//
// conv -> batch_norm -> add(residual) -> relu, each step optional and taken
// in that order, becomes one nn.fused_conv, whose kernel applies the
// epilogue to each output tile while it is in registers. Each pattern
// grows a convolution by the op that consumes it, when that op is its only
// user: nothing else may read the value that fusion stops materialising.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/nn/NNOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nnc {
#define GEN_PASS_DEF_FUSECONVEPILOGUE
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

/// The operands and attributes of an nn.fused_conv being formed.
struct FusedConv {
  Value input, weight, bias, runningMean, runningVar, bnWeight, bnBias,
      residual;
  DenseI64ArrayAttr stride, padding, dilation;
  int64_t groups = 1;
  double epsilon = 1e-5;
  bool relu = false;

  /// The convolution `v` is the only result of, if it has no other user.
  static std::optional<FusedConv> of(Value v) {
    if (!v || !v.hasOneUse())
      return std::nullopt;
    FusedConv f;
    if (auto conv = v.getDefiningOp<nn::ConvOp>()) {
      f.input = conv.getInput();
      f.weight = conv.getWeight();
      f.bias = conv.getBias();
      f.stride = conv.getStrideAttr();
      f.padding = conv.getPaddingAttr();
      f.dilation = conv.getDilationAttr();
      f.groups = conv.getGroups();
      return f;
    }
    auto fused = v.getDefiningOp<nn::FusedConvOp>();
    if (!fused)
      return std::nullopt;
    f.input = fused.getInput();
    f.weight = fused.getWeight();
    f.bias = fused.getBias();
    f.runningMean = fused.getRunningMean();
    f.runningVar = fused.getRunningVar();
    f.bnWeight = fused.getBnWeight();
    f.bnBias = fused.getBnBias();
    f.residual = fused.getResidual();
    f.stride = fused.getStrideAttr();
    f.padding = fused.getPaddingAttr();
    f.dilation = fused.getDilationAttr();
    f.groups = fused.getGroups();
    f.epsilon = fused.getEpsilon();
    f.relu = fused.getRelu();
    return f;
  }

  /// Replaces `op` (the consumer the epilogue now includes) by the fused op.
  void replace(Operation *op, PatternRewriter &rewriter) const {
    rewriter.replaceOpWithNewOp<nn::FusedConvOp>(
        op, op->getResult(0).getType(), input, weight, bias, runningMean,
        runningVar, bnWeight, bnBias, residual, stride, padding, dilation,
        groups, epsilon, relu);
  }
};

/// conv -> batch_norm (inference, running statistics).
struct FuseBatchNorm : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    std::optional<FusedConv> f = FusedConv::of(bn.getInput());
    if (!f || f->runningMean || f->residual || f->relu)
      return rewriter.notifyMatchFailure(bn, "no plain convolution to fuse");
    f->runningMean = bn.getRunningMean();
    f->runningVar = bn.getRunningVar();
    f->bnWeight = bn.getWeight();
    f->bnBias = bn.getBias();
    f->epsilon = bn.getEpsilon();
    f->replace(bn, rewriter);
    return success();
  }
};

/// conv -> add of a tensor of the same type (a residual connection).
struct FuseResidual : OpRewritePattern<nn::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AddOp add,
                                PatternRewriter &rewriter) const override {
    Type type = add.getType();
    for (auto [conv, other] : {std::pair{add.getLhs(), add.getRhs()},
                               std::pair{add.getRhs(), add.getLhs()}}) {
      std::optional<FusedConv> f = FusedConv::of(conv);
      // Without broadcasting: the residual is read at the output's layout.
      if (!f || f->residual || f->relu || conv == other ||
          conv.getType() != type || other.getType() != type)
        continue;
      f->residual = other;
      f->replace(add, rewriter);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no convolution to fuse");
  }
};

/// conv -> relu.
struct FuseRelu : OpRewritePattern<nn::ReluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReluOp relu,
                                PatternRewriter &rewriter) const override {
    std::optional<FusedConv> f = FusedConv::of(relu.getInput());
    if (!f || f->relu)
      return rewriter.notifyMatchFailure(relu, "no convolution to fuse");
    f->relu = true;
    f->replace(relu, rewriter);
    return success();
  }
};

struct FuseConvEpilogue : nnc::impl::FuseConvEpilogueBase<FuseConvEpilogue> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseBatchNorm, FuseResidual, FuseRelu>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
