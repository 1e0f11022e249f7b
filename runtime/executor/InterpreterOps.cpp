//===- InterpreterOps.cpp - Op-by-op evaluation: layers -------------------===//
//
// One case per nn op: read operands and attributes, call the runtime kernel.
// Shape/structure ops, pooling, normalisation and reductions are in
// InterpreterShapeOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "runtime/executor/Executor.h"
#include "runtime/executor/Interpreter.h"
#include "runtime/executor/InterpreterUtil.h"
#include "runtime/kernels/Attention.h"
#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Dense.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Losses.h"
#include "runtime/kernels/Positions.h"
#include "runtime/kernels/Random.h"
#include "runtime/kernels/Recurrent.h"
#include "runtime/kernels/Routing.h"

#include "dialects/nn/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace nnc;
using namespace nnc::exec;
namespace k = nnc::rt::kernels;

namespace nnc::exec {
bool runShapeOp(Interpreter &interp, mlir::Operation &op, bool &ok);
bool runLayerOp(Interpreter &interp, mlir::Operation &op, bool &ok);
} // namespace nnc::exec

/// Unary and binary elementwise ops share one kernel each, keyed by name.
static bool runElementwise(Interpreter &in, mlir::Operation &op) {
  llvm::StringRef name = op.getName().stripDialect();
  k::UnaryOp unary;
  if (op.getNumOperands() == 1 && op.getNumResults() == 1 &&
      k::unaryOpFromName(name.str(), unary)) {
    in.set(op.getResult(0), k::unary(unary, in.tensor(op.getOperand(0))));
    return true;
  }
  k::BinaryOp binary;
  if (op.getNumOperands() == 2 && op.getNumResults() == 1 &&
      k::binaryOpFromName(name.str(), binary)) {
    in.set(op.getResult(0), k::binary(binary, in.tensor(op.getOperand(0)),
                                      in.tensor(op.getOperand(1))));
    return true;
  }
  return false;
}

bool nnc::exec::runLayerOp(Interpreter &in, mlir::Operation &op, bool &ok) {
  if (runElementwise(in, op))
    return true;
  if (runShapeOp(in, op, ok))
    return true;
  auto T = [&](mlir::Value v) -> const rt::Tensor & { return in.tensor(v); };
  return llvm::TypeSwitch<mlir::Operation *, bool>(&op)
      // Activations with attributes.
      .Case([&](nn::GeluOp o) {
        in.set(o.getResult(),
               k::gelu(T(o.getInput()), o.getApproximate() == "tanh"));
        return true;
      })
      .Case([&](nn::EluOp o) {
        in.set(o.getResult(), k::elu(T(o.getInput()), o.getAlpha()));
        return true;
      })
      .Case([&](nn::LeakyReluOp o) {
        in.set(o.getResult(),
               k::leakyRelu(T(o.getInput()), o.getNegativeSlope()));
        return true;
      })
      .Case([&](nn::SoftplusOp o) {
        in.set(o.getResult(),
               k::softplus(T(o.getInput()), o.getBeta(), o.getThreshold()));
        return true;
      })
      .Case([&](nn::SoftmaxOp o) {
        in.set(o.getResult(), k::softmax(T(o.getInput()), o.getAxis()));
        return true;
      })
      .Case([&](nn::LogSoftmaxOp o) {
        in.set(o.getResult(), k::logSoftmax(T(o.getInput()), o.getAxis()));
        return true;
      })
      .Case([&](nn::PReluOp o) {
        in.set(o.getResult(), k::prelu(T(o.getInput()), T(o.getWeight())));
        return true;
      })
      .Case([&](nn::DropoutOp o) {
        // Inference: the identity, unless MC dropout samples masks.
        bool sample = in.stochasticMode() && o.getP() > 0;
        in.set(o.getResult(),
               sample ? k::dropout(T(o.getInput()), o.getP(), o.getSpatial(),
                                   true, in.nextSeed())
                      : T(o.getInput()));
        return true;
      })
      .Case([&](nn::CastOp o) {
        TensorSpec spec;
        toSpec(o.getResult().getType(), spec);
        in.set(o.getResult(), k::cast(T(o.getInput()), spec.dtype));
        return true;
      })
      .Case([&](nn::FillOp o) {
        in.set(o.getResult(), k::fill(T(o.getInput()), o.getValue()));
        return true;
      })
      .Case([&](nn::RandomNormalOp o) {
        const rt::Tensor &x = T(o.getInput());
        in.set(o.getResult(),
               k::randomNormal(x.shape(), x.dtype(), uint64_t(o.getSeed()),
                               in.nextSeed()));
        return true;
      })
      // Dense.
      .Case([&](nn::LinearOp o) {
        in.set(o.getResult(), k::linear(T(o.getInput()), T(o.getWeight()),
                                        in.optional(o.getBias())));
        return true;
      })
      .Case([&](nn::MatmulOp o) {
        in.set(o.getResult(), k::matmul(T(o.getLhs()), T(o.getRhs())));
        return true;
      })
      .Case([&](nn::EmbeddingOp o) {
        std::string err;
        rt::Tensor out = k::embedding(T(o.getIndices()), T(o.getWeight()), err);
        if (!out.defined())
          ok = in.fail(op, err);
        in.set(o.getResult(), out);
        return true;
      })
      // Convolution.
      .Case([&](nn::ConvOp o) {
        in.set(o.getResult(), k::conv(T(o.getInput()), T(o.getWeight()),
                                      in.optional(o.getBias()),
                                      vec(o.getStride()), vec(o.getPadding()),
                                      vec(o.getDilation()), o.getGroups()));
        return true;
      })
      .Case([&](nn::ConvTransposeOp o) {
        in.set(o.getResult(),
               k::convTranspose(T(o.getInput()), T(o.getWeight()),
                                in.optional(o.getBias()), vec(o.getStride()),
                                vec(o.getPadding()), vec(o.getOutputPadding()),
                                vec(o.getDilation()), o.getGroups()));
        return true;
      })
      // Recurrent.
      .Case([&](nn::RNNOp o) {
        auto r = k::rnn(T(o.getInput()), in.optional(o.getH0()),
                        tensors(in, o.getWeights()), recurrentOptions(in, o),
                        o.getNonlinearity() == "relu");
        in.set(o.getOutput(), r.output);
        in.set(o.getHN(), r.hN);
        return true;
      })
      .Case([&](nn::LSTMOp o) {
        auto r = k::lstm(T(o.getInput()), in.optional(o.getH0()),
                         in.optional(o.getC0()), tensors(in, o.getWeights()),
                         recurrentOptions(in, o));
        in.set(o.getOutput(), r.output);
        in.set(o.getHN(), r.hN);
        in.set(o.getCN(), r.cN);
        return true;
      })
      .Case([&](nn::GRUOp o) {
        auto r = k::gru(T(o.getInput()), in.optional(o.getH0()),
                        tensors(in, o.getWeights()), recurrentOptions(in, o));
        in.set(o.getOutput(), r.output);
        in.set(o.getHN(), r.hN);
        return true;
      })
      // Attention and positions.
      .Case([&](nn::ScaledDotProductAttentionOp o) {
        std::optional<double> scale;
        if (auto s = o.getScale())
          scale = *s;
        in.set(o.getResult(),
               k::scaledDotProductAttention(
                   T(o.getQuery()), T(o.getKey()), T(o.getValue()),
                   in.optional(o.getAttnMask()), o.getIsCausal(), scale));
        return true;
      })
      .Case([&](nn::MultiHeadAttentionOp o) {
        k::MultiHeadAttentionWeights w = attentionWeights(in, o);
        in.set(o.getResult(),
               k::multiHeadAttention(T(o.getQuery()), T(o.getKey()),
                                     T(o.getValue()), w,
                                     in.optional(o.getKeyPaddingMask()),
                                     in.optional(o.getAttnMask()),
                                     o.getNumHeads(), o.getBatchFirst(),
                                     o.getIsCausal(), attentionDropout(in, o)));
        return true;
      })
      .Case([&](nn::AdditiveAttentionOp o) {
        auto r = k::additiveAttention(
            T(o.getQuery()), T(o.getKeys()), T(o.getQueryWeight()),
            T(o.getKeyWeight()), T(o.getScoreWeight()));
        in.set(o.getContext(), r.context);
        in.set(o.getWeights(), r.weights);
        return true;
      })
      .Case([&](nn::SinusoidalPositionEncodingOp o) {
        const rt::Tensor &x = T(o.getInput());
        in.set(o.getResult(),
               k::sinusoidalPositionEncoding(x.dim(-2), x.dim(-1)));
        return true;
      })
      .Case([&](nn::TimestepEmbeddingOp o) {
        in.set(o.getResult(),
               k::timestepEmbedding(T(o.getTimesteps()), o.getDim(),
                                    o.getMaxPeriod()));
        return true;
      })
      .Case([&](nn::RelativePositionBiasOp o) {
        in.set(o.getResult(), k::relativePositionBias(
                                  T(o.getQuery()).dim(1), T(o.getKey()).dim(1),
                                  T(o.getWeight()), o.getNumBuckets(),
                                  o.getMaxDistance(), o.getBidirectional()));
        return true;
      })
      .Case([&](nn::MoEOp o) {
        auto r = k::moe(T(o.getInput()), T(o.getGateWeight()),
                        tensors(in, o.getExpertWeights()), o.getNumExperts(),
                        o.getTopK(), expertActivation(o.getActivation()),
                        o.getHasBias());
        in.set(o.getOutput(), r.output);
        in.set(o.getAuxLoss(), r.auxLoss);
        return true;
      })
      // Losses.
      .Case([&](nn::CrossEntropyLossOp o) {
        in.set(o.getResult(),
               k::crossEntropy(T(o.getInput()), T(o.getTarget()),
                               o.getLabelSmoothing(), o.getIgnoreIndex(),
                               reduction(o.getReduction())));
        return true;
      })
      .Case([&](nn::NLLLossOp o) {
        in.set(o.getResult(),
               k::nllLoss(T(o.getInput()), T(o.getTarget()), o.getIgnoreIndex(),
                          reduction(o.getReduction())));
        return true;
      })
      .Case([&](nn::MSELossOp o) {
        in.set(o.getResult(), k::mseLoss(T(o.getInput()), T(o.getTarget()),
                                         reduction(o.getReduction())));
        return true;
      })
      .Case([&](nn::L1LossOp o) {
        in.set(o.getResult(), k::l1Loss(T(o.getInput()), T(o.getTarget()),
                                        reduction(o.getReduction())));
        return true;
      })
      .Case([&](nn::BCELossOp o) {
        in.set(o.getResult(), k::bceLoss(T(o.getInput()), T(o.getTarget()),
                                         reduction(o.getReduction())));
        return true;
      })
      .Case([&](nn::BCEWithLogitsLossOp o) {
        in.set(o.getResult(),
               k::bceWithLogitsLoss(T(o.getInput()), T(o.getTarget()),
                                    reduction(o.getReduction())));
        return true;
      })
      .Case([&](nn::KLDivLossOp o) {
        in.set(o.getResult(),
               k::klDivLoss(T(o.getInput()), T(o.getTarget()),
                            reduction(o.getReduction()), o.getLogTarget()));
        return true;
      })
      .Case([&](nn::InfoNCELossOp o) {
        in.set(o.getResult(),
               k::infoNceLoss(T(o.getAnchor()), T(o.getPositive()),
                              o.getTemperature()));
        return true;
      })
      .Case([&](nn::DistillationLossOp o) {
        in.set(o.getResult(),
               k::distillationLoss(T(o.getStudent()), T(o.getTeacher()),
                                   T(o.getTarget()), o.getTemperature(),
                                   o.getAlpha()));
        return true;
      })
      .Default([](mlir::Operation *) { return false; });
}
