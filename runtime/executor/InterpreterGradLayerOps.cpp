//===- InterpreterGradLayerOps.cpp - Op-by-op evaluation: layer gradients -===//
//
// Gradients of the pointwise ops and losses of NNGradPointwiseOps.td and of
// the structured layers of NNGradLayerOps.td, one backward kernel each.
//
//===----------------------------------------------------------------------===//

#include "runtime/executor/Interpreter.h"
#include "runtime/executor/InterpreterUtil.h"
#include "runtime/kernels/GradAttention.h"
#include "runtime/kernels/GradMisc.h"
#include "runtime/kernels/GradRecurrent.h"
#include "runtime/kernels/GradRouting.h"

#include "dialects/nn/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace nnc;
using namespace nnc::exec;
namespace k = nnc::rt::kernels;

/// An optional gradient the kernel left undefined is zero, shaped like the
/// forward value.
static rt::Tensor orZeros(rt::Tensor t, const rt::Tensor &like) {
  return t.defined() ? std::move(t) : rt::Tensor(like.dtype(), like.shape());
}

/// Sets `results` to the gradients of the present initial states (h0, c0)
/// then the weights.
static void setRecurrentGrads(Interpreter &in, mlir::Operation &op,
                              k::RecurrentGrads &g, bool hasH0, bool hasC0) {
  std::vector<rt::Tensor> rest;
  if (hasH0)
    rest.push_back(std::move(g.h0));
  if (hasC0)
    rest.push_back(std::move(g.c0));
  for (rt::Tensor &w : g.weights)
    rest.push_back(std::move(w));
  in.set(op.getResult(0), std::move(g.input));
  for (size_t i = 0; i < rest.size(); ++i)
    in.set(op.getResult(i + 1), std::move(rest[i]));
}

bool nnc::exec::runGradLayerOp(Interpreter &in, mlir::Operation &op, bool &ok) {
  auto T = [&](mlir::Value v) -> const rt::Tensor & { return in.tensor(v); };
  return llvm::TypeSwitch<mlir::Operation *, bool>(&op)
      // Pointwise.
      .Case([&](nn::UnaryGradOp o) {
        k::UnaryOp unary;
        k::unaryOpFromName(o.getOp().str(), unary);
        in.set(o.getResult(),
               k::unaryBackward(unary, T(o.getGradOutput()), T(o.getInput()),
                                T(o.getOutput())));
        return true;
      })
      .Case([&](nn::EluGradOp o) {
        in.set(o.getResult(), k::eluBackward(T(o.getGradOutput()),
                                             T(o.getValue()), o.getAlpha()));
        return true;
      })
      .Case([&](nn::LeakyReluGradOp o) {
        in.set(o.getResult(),
               k::leakyReluBackward(T(o.getGradOutput()), T(o.getValue()),
                                    o.getNegativeSlope()));
        return true;
      })
      .Case([&](nn::SoftplusGradOp o) {
        in.set(o.getResult(),
               k::softplusBackward(T(o.getGradOutput()), T(o.getValue()),
                                   o.getBeta(), o.getThreshold()));
        return true;
      })
      .Case([&](nn::PReluGradOp o) {
        k::PreluGrads g = k::preluBackward(T(o.getGradOutput()),
                                           T(o.getInput()), T(o.getWeight()));
        in.set(o.getGradInput(), std::move(g.input));
        in.set(o.getGradWeight(), std::move(g.weight));
        return true;
      })
      .Case([&](nn::BinaryGradOp o) {
        k::BinaryOp binary;
        k::binaryOpFromName(o.getOp().str(), binary);
        k::BinaryGrads g = k::binaryOpBackward(binary, T(o.getGradOutput()),
                                               T(o.getLhs()), T(o.getRhs()));
        in.set(o.getGradLhs(), std::move(g.lhs));
        in.set(o.getGradRhs(), std::move(g.rhs));
        return true;
      })
      // Losses.
      .Case([&](nn::PointwiseLossGradOp o) {
        rt::Tensor dl = T(o.getGradOutput()), x = T(o.getInput()),
                   t = T(o.getTarget());
        k::Reduction r = reduction(o.getReduction());
        llvm::StringRef loss = o.getLoss();
        k::LossGrads g =
            loss == "l1_loss"    ? k::l1LossBackward(dl, x, t, r)
            : loss == "bce_loss" ? k::bceLossBackward(dl, x, t, r)
            : loss == "bce_with_logits_loss"
                ? k::bceWithLogitsLossBackward(dl, x, t, r)
                : k::klDivLossBackward(dl, x, t, r, o.getLogTarget());
        in.set(o.getGradInput(), std::move(g.input));
        in.set(o.getGradTarget(), orZeros(std::move(g.target), t));
        return true;
      })
      .Case([&](nn::NLLLossGradOp o) {
        in.set(o.getResult(),
               k::nllLossBackward(T(o.getGradOutput()), T(o.getInput()),
                                  T(o.getTarget()), o.getIgnoreIndex(),
                                  reduction(o.getReduction())));
        return true;
      })
      .Case([&](nn::CrossEntropyProbsGradOp o) {
        k::LossGrads g = k::crossEntropyProbsBackward(
            T(o.getGradOutput()), T(o.getInput()), T(o.getTarget()),
            o.getLabelSmoothing(), reduction(o.getReduction()));
        in.set(o.getGradInput(), std::move(g.input));
        in.set(o.getGradTarget(),
               orZeros(std::move(g.target), T(o.getTarget())));
        return true;
      })
      .Case([&](nn::DistillationLossGradOp o) {
        k::DistillationGrads g = k::distillationLossBackward(
            T(o.getGradOutput()), T(o.getStudent()), T(o.getTeacher()),
            T(o.getTarget()), o.getTemperature(), o.getAlpha());
        in.set(o.getGradStudent(), std::move(g.student));
        in.set(o.getGradTeacher(), std::move(g.teacher));
        return true;
      })
      .Case([&](nn::InfoNCELossGradOp o) {
        k::InfoNceGrads g =
            k::infoNceLossBackward(T(o.getGradOutput()), T(o.getAnchor()),
                                   T(o.getPositive()), o.getTemperature());
        in.set(o.getGradAnchor(), std::move(g.anchor));
        in.set(o.getGradPositive(), std::move(g.positive));
        return true;
      })
      // Convolution, pooling, normalisation.
      .Case([&](nn::ConvTransposeGradOp o) {
        k::ConvGrads g = k::convTransposeBackward(
            T(o.getGradOutput()), T(o.getInput()), T(o.getWeight()),
            /*hasBias=*/false, vec(o.getStride()), vec(o.getPadding()),
            vec(o.getOutputPadding()), vec(o.getDilation()), o.getGroups());
        in.set(o.getGradInput(), std::move(g.input));
        in.set(o.getGradWeight(), std::move(g.weight));
        return true;
      })
      .Case([&](nn::AdaptiveAvgPoolGradOp o) {
        in.set(o.getResult(),
               k::adaptiveAvgPoolBackward(T(o.getGradOutput()),
                                          T(o.getInput()).shape()));
        return true;
      })
      .Case([&](nn::AdaptiveMaxPoolGradOp o) {
        in.set(o.getResult(), k::adaptiveMaxPoolBackward(T(o.getGradOutput()),
                                                         T(o.getInput())));
        return true;
      })
      .Case([&](nn::GroupNormGradOp o) {
        rt::Tensor x = T(o.getInput());
        k::NormGrads g = k::groupNormBackward(
            T(o.getGradOutput()), x, in.optional(o.getWeight()),
            bool(o.getBias()), o.getNumGroups(), o.getEpsilon());
        rt::Tensor like(x.dtype(), {x.dim(1)});
        in.set(o.getGradInput(), std::move(g.input));
        in.set(o.getGradWeight(), orZeros(std::move(g.weight), like));
        in.set(o.getGradBias(), orZeros(std::move(g.bias), like));
        return true;
      })
      // Recurrent layers.
      .Case([&](nn::RNNGradOp o) {
        k::RecurrentGrads g = k::rnnBackward(
            T(o.getGradOutput()), T(o.getGradHN()), T(o.getInput()),
            in.optional(o.getH0()), tensors(in, o.getWeights()),
            recurrentOptions(in, o), o.getNonlinearity() == "relu");
        setRecurrentGrads(in, op, g, bool(o.getH0()), false);
        return true;
      })
      .Case([&](nn::LSTMGradOp o) {
        k::RecurrentGrads g = k::lstmBackward(
            T(o.getGradOutput()), T(o.getGradHN()), T(o.getGradCN()),
            T(o.getInput()), in.optional(o.getH0()), in.optional(o.getC0()),
            tensors(in, o.getWeights()), recurrentOptions(in, o));
        setRecurrentGrads(in, op, g, bool(o.getH0()), bool(o.getC0()));
        return true;
      })
      .Case([&](nn::GRUGradOp o) {
        k::RecurrentGrads g = k::gruBackward(
            T(o.getGradOutput()), T(o.getGradHN()), T(o.getInput()),
            in.optional(o.getH0()), tensors(in, o.getWeights()),
            recurrentOptions(in, o));
        setRecurrentGrads(in, op, g, bool(o.getH0()), false);
        return true;
      })
      // Attention and experts.
      .Case([&](nn::ScaledDotProductAttentionGradOp o) {
        std::optional<double> scale;
        if (auto s = o.getScale())
          scale = *s;
        k::SdpaGrads g = k::scaledDotProductAttentionBackward(
            T(o.getGradOutput()), T(o.getQuery()), T(o.getKey()),
            T(o.getValue()), in.optional(o.getAttnMask()), o.getIsCausal(),
            scale);
        in.set(o.getGradQuery(), std::move(g.query));
        in.set(o.getGradKey(), std::move(g.key));
        in.set(o.getGradValue(), std::move(g.value));
        if (o.getGradAttnMask())
          in.set(o.getGradAttnMask(), std::move(g.mask));
        return true;
      })
      .Case([&](nn::RelativePositionBiasGradOp o) {
        in.set(o.getResult(), k::relativePositionBiasBackward(
                                  T(o.getGradOutput()),
                                  T(o.getWeight()).shape(), o.getNumBuckets(),
                                  o.getMaxDistance(), o.getBidirectional()));
        return true;
      })
      .Case([&](nn::MultiHeadAttentionGradOp o) {
        k::MultiHeadAttentionGrads g = k::multiHeadAttentionBackward(
            T(o.getGradOutput()), T(o.getQuery()), T(o.getKey()),
            T(o.getValue()), attentionWeights(in, o),
            in.optional(o.getKeyPaddingMask()), in.optional(o.getAttnMask()),
            o.getNumHeads(), o.getBatchFirst(), o.getIsCausal(),
            attentionDropout(in, o));
        in.set(o.getGradQuery(), std::move(g.query));
        in.set(o.getGradKey(), std::move(g.key));
        in.set(o.getGradValue(), std::move(g.value));
        // One result per present projection operand, in operand order.
        k::MultiHeadAttentionWeights &w = g.weights;
        std::pair<mlir::Value, rt::Tensor *> fields[] = {
            {o.getInProjWeight(), &w.inProjWeight},
            {o.getQProjWeight(), &w.qProjWeight},
            {o.getKProjWeight(), &w.kProjWeight},
            {o.getVProjWeight(), &w.vProjWeight},
            {o.getInProjBias(), &w.inProjBias},
            {o.getOutProjWeight(), &w.outProjWeight},
            {o.getOutProjBias(), &w.outProjBias}};
        unsigned next = 0;
        for (auto &[operand, grad] : fields)
          if (operand)
            in.set(o.getGradWeights()[next++],
                   orZeros(std::move(*grad), T(operand)));
        return true;
      })
      .Case([&](nn::AdditiveAttentionGradOp o) {
        k::AdditiveAttentionGrads g = k::additiveAttentionBackward(
            T(o.getGradContext()), T(o.getGradWeights()), T(o.getQuery()),
            T(o.getKeys()), T(o.getQueryWeight()), T(o.getKeyWeight()),
            T(o.getScoreWeight()));
        in.set(o.getGradQuery(), std::move(g.query));
        in.set(o.getGradKeys(), std::move(g.keys));
        in.set(o.getGradQueryWeight(), std::move(g.queryWeight));
        in.set(o.getGradKeyWeight(), std::move(g.keyWeight));
        in.set(o.getGradScoreWeight(), std::move(g.scoreWeight));
        return true;
      })
      .Case([&](nn::MoEGradOp o) {
        k::MoEGrads g = k::moeBackward(
            T(o.getGradOutput()), T(o.getGradAuxLoss()), T(o.getInput()),
            T(o.getGateWeight()), tensors(in, o.getExpertWeights()),
            o.getNumExperts(), o.getTopK(), expertActivation(o.getActivation()),
            o.getHasBias());
        in.set(o.getGradInput(), std::move(g.input));
        in.set(o.getGradGateWeight(), std::move(g.gateWeight));
        for (size_t i = 0; i < g.expertWeights.size(); ++i)
          in.set(o.getGradExpertWeights()[i], std::move(g.expertWeights[i]));
        return true;
      })
      // Graph message passing.
      .Case([&](nn::GatherGradOp o) {
        in.set(o.getResult(),
               k::gatherBackward(T(o.getGradOutput()), T(o.getIndex()),
                                 o.getAxis(), T(o.getInput()).shape()));
        return true;
      })
      .Case([&](nn::ScatterReduceGradOp o) {
        k::ScatterReduce r;
        k::scatterReduceFromName(o.getReduce().str(), r);
        in.set(o.getResult(),
               k::scatterReduceBackward(T(o.getGradOutput()), T(o.getSrc()),
                                        T(o.getIndex()), r, T(o.getOutput())));
        return true;
      })
      .Default([&](mlir::Operation *) {
        (void)ok;
        return false;
      });
}
