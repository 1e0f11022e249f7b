//===- GradKernels.cpp - Adapters: gradient and training-step ops ---------===//
//
// The ops of NNGradOps.td: gradients of dense, shape, convolution, pooling,
// normalisation and activation ops and of two losses, the training forms of
// batch norm and dropout, and the two effects that end a training step.
// nn.optimizer_step and nn.assign have no results: they hand their operands
// to the run context's hooks, which the caller installs (the executor: its
// optimiser and parameter map; compiled code: its parameter storage).
//
//===----------------------------------------------------------------------===//

#include "runtime/abi/AdapterUtil.h"
#include "runtime/abi/Kernels.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Grad.h"
#include "runtime/kernels/Norm.h"

#include <optional>

using namespace nnc::rt;
using namespace nnc::rt::abi;
namespace k = nnc::rt::kernels;

//===----------------------------------------------------------------------===//
// Dense and shape
//===----------------------------------------------------------------------===//

/// grad_output, input, weight (whose shape the result has).
static bool linearGradWeight(KernelCall &c) {
  return c.setResult(0, k::linearWeightBackward(c.operand(0), c.operand(1),
                                                c.operand(2).shape()));
}

/// grad, like (only its shape is read).
static bool sumTo(KernelCall &c) {
  return c.setResult(0, k::sumToShape(c.operand(0), c.operand(1).shape()));
}

static bool reduceGrad(KernelCall &c) {
  return c.setResult(0, k::reduceBackward(c.operand(0), c.operand(1).shape(),
                                          c.attrs.getInts("dims"),
                                          c.attrs.getBool("keepdim"),
                                          c.attrs.getBool("mean")));
}

/// grad_output, input, output (the forward result).
static bool reduceSelectGrad(KernelCall &c) {
  return c.setResult(0, k::reduceSelectBackward(c.operand(0), c.operand(1),
                                                c.operand(2),
                                                c.attrs.getInts("dims"),
                                                c.attrs.getBool("keepdim")));
}

/// grad_output, input, indices.
static bool topKGrad(KernelCall &c) {
  return c.setResult(0, k::topKBackward(c.operand(0), c.operand(2),
                                        c.operand(1).shape(),
                                        c.attrs.getInt("axis")));
}

static bool patchifyGrad(KernelCall &c) {
  return c.setResult(0, k::patchifyBackward(c.operand(0), c.operand(1).shape(),
                                            c.attrs.getInts("patch_size")));
}

static bool timestepEmbeddingGrad(KernelCall &c) {
  return c.setResult(
      0, k::timestepEmbeddingBackward(c.operand(0), c.operand(1),
                                      c.attrs.getFloat("max_period", 10000.0)));
}

/// grad_output, indices, weight (only its row count is read).
static bool embeddingGrad(KernelCall &c) {
  const Tensor &weight = c.operand(2);
  if (weight.rank() < 1)
    return c.fail("the weight must have rank 1 or more");
  std::optional<int64_t> padding;
  if (c.attrs.has("padding_idx"))
    padding = c.attrs.getInt("padding_idx");
  return c.setResult(0, k::embeddingBackward(c.operand(0), c.operand(1),
                                             weight.dim(0), padding));
}

static bool sliceGrad(KernelCall &c) {
  return c.setResult(
      0, k::sliceBackward(c.operand(0), c.operand(1).shape(),
                          c.attrs.getInt("axis"), c.attrs.getInt("start"),
                          c.attrs.getInt("end"), c.attrs.getInt("step", 1)));
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// conv_grad_input / conv_grad_weight: grad_output, input, weight. Only the
/// requested gradient is computed.
template <bool Input> static bool convGrad(KernelCall &c) {
  k::ConvGrads g = k::convBackward(
      c.operand(0), c.operand(1), c.operand(2), /*hasBias=*/false,
      c.attrs.getInts("stride"), c.attrs.getInts("padding"),
      c.attrs.getInts("dilation"), c.attrs.getInt("groups", 1),
      /*needInput=*/Input, /*needWeight=*/!Input);
  return c.setResult(0, Input ? std::move(g.input) : std::move(g.weight));
}

static bool maxPoolGrad(KernelCall &c) {
  return c.setResult(
      0, k::maxPoolBackward(
             c.operand(0), c.operand(1), c.attrs.getInts("kernel_size"),
             c.attrs.getInts("stride"), c.attrs.getInts("padding"),
             c.attrs.getInts("dilation"), c.attrs.getBool("ceil_mode")));
}

static bool avgPoolGrad(KernelCall &c) {
  return c.setResult(
      0, k::avgPoolBackward(
             c.operand(0), c.operand(1).shape(), c.attrs.getInts("kernel_size"),
             c.attrs.getInts("stride"), c.attrs.getInts("padding"),
             c.attrs.getBool("ceil_mode"),
             c.attrs.getBool("count_include_pad", true)));
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

/// input, weight?, bias?, running_mean, running_var -> result, mean,
/// inv_std, new_running_mean, new_running_var.
static bool batchNormTrain(KernelCall &c) {
  k::BatchNormTrainResult r = k::batchNormTrain(
      c.operand(0), c.optional(1), c.optional(2), c.operand(3), c.operand(4),
      c.attrs.getFloat("momentum", 0.1), c.attrs.getFloat("epsilon", 1e-5));
  return c.setResult(0, std::move(r.output)) &&
         c.setResult(1, std::move(r.mean)) &&
         c.setResult(2, std::move(r.invStd)) &&
         c.setResult(3, std::move(r.runningMean)) &&
         c.setResult(4, std::move(r.runningVar));
}

/// grad_output, input, weight?, mean, inv_std. Without a weight the affine
/// gradients are still results (zeros where the kernel has none).
static bool batchNormGrad(KernelCall &c) {
  const Tensor &mean = c.operand(3);
  k::NormGrads g = k::batchNormTrainBackward(c.operand(0), c.operand(1),
                                             c.optional(2), mean, c.operand(4));
  return c.setResult(0, std::move(g.input)) &&
         c.setResult(1, zerosIfUndefined(std::move(g.weight), mean)) &&
         c.setResult(2, zerosIfUndefined(std::move(g.bias), mean));
}

/// grad_output, input, weight?, bias?; the affine gradients have the
/// normalized shape.
static bool layerNormGrad(KernelCall &c) {
  const Tensor &x = c.operand(1);
  std::vector<int64_t> normalized = c.attrs.getInts("normalized_shape");
  k::NormGrads g = k::layerNormBackward(c.operand(0), x, c.optional(2),
                                        c.optional(3).defined(), normalized,
                                        c.attrs.getFloat("epsilon", 1e-5));
  return c.setResult(0, std::move(g.input)) &&
         c.setResult(
             1, zerosIfUndefined(std::move(g.weight), x.dtype(), normalized)) &&
         c.setResult(
             2, zerosIfUndefined(std::move(g.bias), x.dtype(), normalized));
}

//===----------------------------------------------------------------------===//
// Activations and dropout
//===----------------------------------------------------------------------===//

/// relu / sigmoid / tanh: grad_output and the forward value the formula
/// needs (input for relu, output for the others).
template <Tensor (*Backward)(const Tensor &, const Tensor &)>
static bool activationGrad(KernelCall &c) {
  return c.setResult(0, Backward(c.operand(0), c.operand(1)));
}

static bool geluGrad(KernelCall &c) {
  return c.setResult(
      0, k::geluBackward(c.operand(0), c.operand(1),
                         c.attrs.getString("approximate", "none") == "tanh"));
}

template <Tensor (*Backward)(const Tensor &, const Tensor &, int64_t)>
static bool softmaxGrad(KernelCall &c) {
  return c.setResult(
      0, Backward(c.operand(0), c.operand(1), c.attrs.getInt("axis")));
}

/// The mask is dropout applied to ones (0 or 1 / (1 - p)), drawn from the
/// run's stream of stochastic seeds.
static bool dropoutMask(KernelCall &c) {
  const Tensor &x = c.operand(0);
  return c.setResult(0, k::dropout(Tensor::full(x.dtype(), x.shape(), 1.0),
                                   c.attrs.getFloat("p", 0.5),
                                   c.attrs.getBool("spatial"), true,
                                   c.context.nextSeed()));
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

static bool crossEntropyGrad(KernelCall &c) {
  return c.setResult(
      0, k::crossEntropyBackward(c.operand(0), c.operand(1), c.operand(2),
                                 c.attrs.getFloat("label_smoothing"),
                                 c.attrs.getInt("ignore_index", -100),
                                 reduction(c)));
}

static bool mseLossGrad(KernelCall &c) {
  return c.setResult(0, k::mseLossBackward(c.operand(0), c.operand(1),
                                           c.operand(2), reduction(c)));
}

//===----------------------------------------------------------------------===//
// The end of a training step
//===----------------------------------------------------------------------===//

/// grads*: the gradients of the parameters the `parameters` symbols name,
/// in order, handed to the run's gradient handler.
static bool optimizerStep(KernelCall &c) {
  std::vector<std::string> names = c.attrs.getStrings("parameters");
  std::vector<Tensor> grads = c.variadic(0);
  if (names.size() != grads.size())
    return c.fail("'parameters' names " + std::to_string(names.size()) +
                  " parameters for " + std::to_string(grads.size()) +
                  " gradients");
  const RunContext::GradientHandler &handler = c.context.gradientHandler();
  if (!handler)
    return c.fail("this function updates parameters; run it with an "
                  "optimiser");
  std::string why;
  if (!handler(names, grads, why))
    return c.fail(why);
  return true;
}

/// value: the new value of the buffer the `name` symbol names.
static bool assign(KernelCall &c) {
  const RunContext::AssignHook &hook = c.context.assignHook();
  if (!hook)
    return c.fail("this function updates buffers; run it where they can be "
                  "stored");
  std::string why;
  if (!hook(c.attrs.getString("name"), c.operand(0), why))
    return c.fail(why);
  return true;
}

void nnc::rt::abi::registerGradKernels(Registry &r) {
  r.add("linear_grad_weight", linearGradWeight, "111");
  r.add("sum_to", sumTo, "11");
  r.add("reduce_grad", reduceGrad, "11", 1, {"dims"});
  r.add("reduce_select_grad", reduceSelectGrad, "111", 1, {"dims"});
  r.add("top_k_grad", topKGrad, "111", 1, {"axis"});
  r.add("patchify_grad", patchifyGrad, "11", 1, {"patch_size"});
  r.add("timestep_embedding_grad", timestepEmbeddingGrad, "11");
  r.add("embedding_grad", embeddingGrad, "111");
  r.add("slice_grad", sliceGrad, "11", 1, {"axis", "start", "end"});
  r.add("conv_grad_input", convGrad<true>, "111", 1,
        {"stride", "padding", "dilation"});
  r.add("conv_grad_weight", convGrad<false>, "111", 1,
        {"stride", "padding", "dilation"});
  r.add("max_pool_grad", maxPoolGrad, "11", 1,
        {"kernel_size", "stride", "padding", "dilation"});
  r.add("avg_pool_grad", avgPoolGrad, "11", 1,
        {"kernel_size", "stride", "padding"});
  r.add("batch_norm_train", batchNormTrain, "1??11", 5);
  r.add("batch_norm_grad", batchNormGrad, "11?11", 3);
  r.add("layer_norm_grad", layerNormGrad, "11??", 3, {"normalized_shape"});
  r.add("relu_grad", activationGrad<k::reluBackward>, "11");
  r.add("sigmoid_grad", activationGrad<k::sigmoidBackward>, "11");
  r.add("tanh_grad", activationGrad<k::tanhBackward>, "11");
  r.add("gelu_grad", geluGrad, "11");
  r.add("softmax_grad", softmaxGrad<k::softmaxBackward>, "11", 1, {"axis"});
  r.add("log_softmax_grad", softmaxGrad<k::logSoftmaxBackward>, "11", 1,
        {"axis"});
  r.add("dropout_mask", dropoutMask, "1");
  r.add("cross_entropy_grad", crossEntropyGrad, "111");
  r.add("mse_loss_grad", mseLossGrad, "111");
  r.add("optimizer_step", optimizerStep, "*", 0, {"parameters"});
  r.add("assign", assign, "1", 0, {"name"});
}
