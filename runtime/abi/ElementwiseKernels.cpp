//===- ElementwiseKernels.cpp - Adapters: activations and arithmetic ------===//

#include "runtime/abi/Kernels.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Random.h"

using namespace nnc::rt;
using namespace nnc::rt::abi;
namespace k = nnc::rt::kernels;

/// relu ... neg and add ... minimum share one kernel each, keyed by name.
static bool unary(KernelCall &c) {
  k::UnaryOp op;
  if (!k::unaryOpFromName(std::string(c.op), op))
    return c.fail("not a unary elementwise op");
  return c.setResult(0, k::unary(op, c.operand(0)));
}

static bool binary(KernelCall &c) {
  k::BinaryOp op;
  if (!k::binaryOpFromName(std::string(c.op), op))
    return c.fail("not a binary elementwise op");
  return c.setResult(0, k::binary(op, c.operand(0), c.operand(1)));
}

static bool gelu(KernelCall &c) {
  return c.setResult(
      0, k::gelu(c.operand(0), c.attrs.getString("approximate") == "tanh"));
}

static bool elu(KernelCall &c) {
  return c.setResult(0, k::elu(c.operand(0), c.attrs.getFloat("alpha", 1.0)));
}

static bool leakyRelu(KernelCall &c) {
  return c.setResult(
      0, k::leakyRelu(c.operand(0), c.attrs.getFloat("negative_slope", 0.01)));
}

static bool softplus(KernelCall &c) {
  return c.setResult(0, k::softplus(c.operand(0), c.attrs.getFloat("beta", 1.0),
                                    c.attrs.getFloat("threshold", 20.0)));
}

static bool softmax(KernelCall &c) {
  return c.setResult(0, k::softmax(c.operand(0), c.attrs.getInt("axis")));
}

static bool logSoftmax(KernelCall &c) {
  return c.setResult(0, k::logSoftmax(c.operand(0), c.attrs.getInt("axis")));
}

static bool prelu(KernelCall &c) {
  return c.setResult(0, k::prelu(c.operand(0), c.operand(1)));
}

/// Inference: the identity, unless the run samples masks (MC dropout).
static bool dropout(KernelCall &c) {
  double p = c.attrs.getFloat("p", 0.5);
  if (!(c.context.isStochastic() && p > 0))
    return c.setResult(0, c.operand(0));
  return c.setResult(0, k::dropout(c.operand(0), p, c.attrs.getBool("spatial"),
                                   true, c.context.nextSeed()));
}

static bool cast(KernelCall &c) {
  return c.setResult(0, k::cast(c.operand(0), c.resultDType(0)));
}

static bool fill(KernelCall &c) {
  return c.setResult(0, k::fill(c.operand(0), c.attrs.getFloat("value")));
}

/// Only the input's shape and dtype are read; each evaluation draws anew.
static bool randomNormal(KernelCall &c) {
  const Tensor &x = c.operand(0);
  return c.setResult(0, k::randomNormal(x.shape(), x.dtype(),
                                        uint64_t(c.attrs.getInt("seed")),
                                        c.context.nextSeed()));
}

void nnc::rt::abi::registerElementwiseKernels(Registry &r) {
  for (const char *name : {"relu", "sigmoid", "tanh", "silu", "selu", "exp",
                           "log", "sqrt", "rsqrt", "abs", "neg"})
    r.add(name, unary, "1");
  for (const char *name :
       {"add", "sub", "mul", "div", "pow", "maximum", "minimum"})
    r.add(name, binary, "11");
  r.add("gelu", gelu, "1");
  r.add("elu", elu, "1");
  r.add("leaky_relu", leakyRelu, "1");
  r.add("softplus", softplus, "1");
  r.add("softmax", softmax, "1", 1, {"axis"});
  r.add("log_softmax", logSoftmax, "1", 1, {"axis"});
  r.add("prelu", prelu, "11");
  r.add("dropout", dropout, "1");
  r.add("cast", cast, "1");
  r.add("fill", fill, "1", 1, {"value"});
  r.add("random_normal", randomNormal, "1");
}
