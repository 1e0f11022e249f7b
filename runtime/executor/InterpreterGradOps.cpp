//===- InterpreterGradOps.cpp - Op-by-op evaluation: training -------------===//
//
// Gradient ops, training-mode batch norm and dropout masks, and the effects
// that end a training step (nn.optimizer_step, nn.assign). Each case reads
// operands and attributes and calls one backward kernel.
//
//===----------------------------------------------------------------------===//

#include "runtime/executor/Interpreter.h"
#include "runtime/executor/InterpreterUtil.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Grad.h"
#include "runtime/kernels/Losses.h"
#include "runtime/kernels/Norm.h"

#include "dialects/nn/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace nnc;
using namespace nnc::exec;
namespace k = nnc::rt::kernels;

/// An optional gradient the kernel did not compute (no affine weight) is
/// zero, with the type of the forward value it belongs to.
static rt::Tensor orZeros(rt::Tensor t, const rt::Tensor &like) {
  return t.defined() ? std::move(t) : rt::Tensor(like.dtype(), like.shape());
}

bool nnc::exec::runGradOp(Interpreter &in, mlir::Operation &op, bool &ok) {
  auto T = [&](mlir::Value v) -> const rt::Tensor & { return in.tensor(v); };
  return llvm::TypeSwitch<mlir::Operation *, bool>(&op)
      .Case([&](nn::LinearGradWeightOp o) {
        in.set(o.getResult(),
               k::linearWeightBackward(T(o.getGradOutput()), T(o.getInput()),
                                       T(o.getWeight()).shape()));
        return true;
      })
      .Case([&](nn::SumToOp o) {
        in.set(o.getResult(),
               k::sumToShape(T(o.getGrad()), T(o.getLike()).shape()));
        return true;
      })
      .Case([&](nn::ReduceGradOp o) {
        in.set(o.getResult(),
               k::reduceBackward(T(o.getGradOutput()), T(o.getInput()).shape(),
                                 vec(o.getDims()), o.getKeepdim(),
                                 o.getMean()));
        return true;
      })
      .Case([&](nn::ReduceSelectGradOp o) {
        in.set(o.getResult(),
               k::reduceSelectBackward(T(o.getGradOutput()), T(o.getInput()),
                                       T(o.getOutput()), vec(o.getDims()),
                                       o.getKeepdim()));
        return true;
      })
      .Case([&](nn::TopKGradOp o) {
        in.set(o.getResult(),
               k::topKBackward(T(o.getGradOutput()), T(o.getIndices()),
                               T(o.getInput()).shape(), o.getAxis()));
        return true;
      })
      .Case([&](nn::PatchifyGradOp o) {
        in.set(o.getResult(), k::patchifyBackward(T(o.getGradOutput()),
                                                  T(o.getInput()).shape(),
                                                  vec(o.getPatchSize())));
        return true;
      })
      .Case([&](nn::TimestepEmbeddingGradOp o) {
        in.set(o.getResult(), k::timestepEmbeddingBackward(T(o.getGradOutput()),
                                                           T(o.getTimesteps()),
                                                           o.getMaxPeriod()));
        return true;
      })
      .Case([&](nn::EmbeddingGradOp o) {
        std::optional<int64_t> padding;
        if (auto p = o.getPaddingIdx())
          padding = *p;
        in.set(o.getResult(),
               k::embeddingBackward(T(o.getGradOutput()), T(o.getIndices()),
                                    T(o.getWeight()).dim(0), padding));
        return true;
      })
      .Case([&](nn::SliceGradOp o) {
        in.set(o.getResult(),
               k::sliceBackward(T(o.getGradOutput()), T(o.getInput()).shape(),
                                o.getAxis(), o.getStart(), o.getEnd(),
                                o.getStep()));
        return true;
      })
      .Case<nn::ConvGradInputOp, nn::ConvGradWeightOp>([&](mlir::Operation *) {
        bool input = mlir::isa<nn::ConvGradInputOp>(op);
        auto attrs = [&](auto o) {
          return k::convBackward(
              T(o.getGradOutput()), T(o.getInput()), T(o.getWeight()),
              /*hasBias=*/false, vec(o.getStride()), vec(o.getPadding()),
              vec(o.getDilation()), o.getGroups(), input, !input);
        };
        k::ConvGrads g = input ? attrs(mlir::cast<nn::ConvGradInputOp>(op))
                               : attrs(mlir::cast<nn::ConvGradWeightOp>(op));
        in.set(op.getResult(0), input ? g.input : g.weight);
        return true;
      })
      .Case([&](nn::MaxPoolGradOp o) {
        in.set(o.getResult(),
               k::maxPoolBackward(T(o.getGradOutput()), T(o.getInput()),
                                  vec(o.getKernelSize()), vec(o.getStride()),
                                  vec(o.getPadding()), vec(o.getDilation()),
                                  o.getCeilMode()));
        return true;
      })
      .Case([&](nn::AvgPoolGradOp o) {
        in.set(o.getResult(),
               k::avgPoolBackward(T(o.getGradOutput()), T(o.getInput()).shape(),
                                  vec(o.getKernelSize()), vec(o.getStride()),
                                  vec(o.getPadding()), o.getCeilMode(),
                                  o.getCountIncludePad()));
        return true;
      })
      .Case([&](nn::BatchNormTrainOp o) {
        k::BatchNormTrainResult r = k::batchNormTrain(
            T(o.getInput()), in.optional(o.getWeight()),
            in.optional(o.getBias()), T(o.getRunningMean()),
            T(o.getRunningVar()), o.getMomentum(), o.getEpsilon());
        in.set(o.getResult(), std::move(r.output));
        in.set(o.getMean(), std::move(r.mean));
        in.set(o.getInvStd(), std::move(r.invStd));
        in.set(o.getNewRunningMean(), std::move(r.runningMean));
        in.set(o.getNewRunningVar(), std::move(r.runningVar));
        return true;
      })
      .Case([&](nn::BatchNormGradOp o) {
        // A handle, not a reference: set() may move the map's entries.
        rt::Tensor mean = T(o.getMean());
        k::NormGrads g = k::batchNormTrainBackward(
            T(o.getGradOutput()), T(o.getInput()), in.optional(o.getWeight()),
            mean, T(o.getInvStd()));
        in.set(o.getGradInput(), std::move(g.input));
        in.set(o.getGradWeight(), orZeros(std::move(g.weight), mean));
        in.set(o.getGradBias(), orZeros(std::move(g.bias), mean));
        return true;
      })
      .Case([&](nn::LayerNormGradOp o) {
        rt::Tensor x = T(o.getInput());
        k::NormGrads g = k::layerNormBackward(
            T(o.getGradOutput()), x, in.optional(o.getWeight()),
            bool(o.getBias()), vec(o.getNormalizedShape()), o.getEpsilon());
        rt::Tensor like(x.dtype(), vec(o.getNormalizedShape()));
        in.set(o.getGradInput(), std::move(g.input));
        in.set(o.getGradWeight(), orZeros(std::move(g.weight), like));
        in.set(o.getGradBias(), orZeros(std::move(g.bias), like));
        return true;
      })
      .Case([&](nn::ReluGradOp o) {
        in.set(o.getResult(),
               k::reluBackward(T(o.getGradOutput()), T(o.getValue())));
        return true;
      })
      .Case([&](nn::SigmoidGradOp o) {
        in.set(o.getResult(),
               k::sigmoidBackward(T(o.getGradOutput()), T(o.getValue())));
        return true;
      })
      .Case([&](nn::TanhGradOp o) {
        in.set(o.getResult(),
               k::tanhBackward(T(o.getGradOutput()), T(o.getValue())));
        return true;
      })
      .Case([&](nn::GeluGradOp o) {
        in.set(o.getResult(),
               k::geluBackward(T(o.getGradOutput()), T(o.getValue()),
                               o.getApproximate() == "tanh"));
        return true;
      })
      .Case([&](nn::SoftmaxGradOp o) {
        in.set(o.getResult(), k::softmaxBackward(T(o.getGradOutput()),
                                                 T(o.getValue()), o.getAxis()));
        return true;
      })
      .Case([&](nn::LogSoftmaxGradOp o) {
        in.set(o.getResult(),
               k::logSoftmaxBackward(T(o.getGradOutput()), T(o.getValue()),
                                     o.getAxis()));
        return true;
      })
      .Case([&](nn::DropoutMaskOp o) {
        // The mask is dropout applied to ones: 0 or 1 / (1 - p).
        rt::Tensor x = T(o.getInput());
        in.set(o.getResult(),
               k::dropout(rt::Tensor::full(x.dtype(), x.shape(), 1.0), o.getP(),
                          o.getSpatial(), true, in.nextSeed()));
        return true;
      })
      .Case([&](nn::CrossEntropyGradOp o) {
        in.set(o.getResult(),
               k::crossEntropyBackward(T(o.getGradOutput()), T(o.getInput()),
                                       T(o.getTarget()), o.getLabelSmoothing(),
                                       o.getIgnoreIndex(),
                                       reduction(o.getReduction())));
        return true;
      })
      .Case([&](nn::MSELossGradOp o) {
        in.set(o.getResult(),
               k::mseLossBackward(T(o.getGradOutput()), T(o.getInput()),
                                  T(o.getTarget()),
                                  reduction(o.getReduction())));
        return true;
      })
      .Case([&](nn::OptimizerStepOp o) {
        std::vector<std::string> names;
        for (mlir::Attribute a : o.getParameters())
          names.push_back(
              mlir::cast<mlir::SymbolRefAttr>(a).getLeafReference().str());
        std::vector<rt::Tensor> grads;
        for (mlir::Value g : o.getGrads())
          grads.push_back(T(g));
        std::string why;
        if (!in.applyGradients(names, grads, why))
          ok = in.fail(op, why);
        return true;
      })
      .Case([&](nn::AssignOp o) {
        in.assign(o.getName().str(), T(o.getValue()));
        return true;
      })
      .Default([&](mlir::Operation *) { return runGradLayerOp(in, op, ok); });
}
