//===- LayerKernels.cpp - Adapters: dense, conv, pooling, normalisation ---===//

#include "runtime/abi/Kernels.h"
#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Dense.h"
#include "runtime/kernels/Norm.h"
#include "runtime/kernels/Pool.h"

using namespace nnc::rt;
using namespace nnc::rt::abi;
namespace k = nnc::rt::kernels;

static bool linear(KernelCall &c) {
  return c.setResult(0, k::linear(c.operand(0), c.operand(1), c.optional(2)));
}

static bool matmul(KernelCall &c) {
  return c.setResult(0, k::matmul(c.operand(0), c.operand(1)));
}

static bool embedding(KernelCall &c) {
  std::string err;
  Tensor out = k::embedding(c.operand(0), c.operand(1), err);
  if (!out.defined())
    return c.fail(err);
  return c.setResult(0, std::move(out));
}

static bool conv(KernelCall &c) {
  return c.setResult(
      0, k::conv(c.operand(0), c.operand(1), c.optional(2),
                 c.attrs.getInts("stride"), c.attrs.getInts("padding"),
                 c.attrs.getInts("dilation"), c.attrs.getInt("groups", 1)));
}

static bool convTranspose(KernelCall &c) {
  return c.setResult(
      0, k::convTranspose(c.operand(0), c.operand(1), c.optional(2),
                          c.attrs.getInts("stride"), c.attrs.getInts("padding"),
                          c.attrs.getInts("output_padding"),
                          c.attrs.getInts("dilation"),
                          c.attrs.getInt("groups", 1)));
}

static bool maxPool(KernelCall &c) {
  return c.setResult(
      0, k::maxPool(c.operand(0), c.attrs.getInts("kernel_size"),
                    c.attrs.getInts("stride"), c.attrs.getInts("padding"),
                    c.attrs.getInts("dilation"), c.attrs.getBool("ceil_mode")));
}

static bool avgPool(KernelCall &c) {
  return c.setResult(0, k::avgPool(c.operand(0), c.attrs.getInts("kernel_size"),
                                   c.attrs.getInts("stride"),
                                   c.attrs.getInts("padding"),
                                   c.attrs.getBool("ceil_mode"),
                                   c.attrs.getBool("count_include_pad", true)));
}

static bool adaptiveAvgPool(KernelCall &c) {
  return c.setResult(
      0, k::adaptiveAvgPool(c.operand(0), c.attrs.getInts("output_size")));
}

static bool adaptiveMaxPool(KernelCall &c) {
  return c.setResult(
      0, k::adaptiveMaxPool(c.operand(0), c.attrs.getInts("output_size")));
}

/// Inference semantics: batch norm normalises with the running statistics.
static bool batchNorm(KernelCall &c) {
  return c.setResult(0, k::batchNorm(c.operand(0), c.optional(1), c.optional(2),
                                     c.operand(3), c.operand(4),
                                     c.attrs.getFloat("epsilon", 1e-5)));
}

static bool layerNorm(KernelCall &c) {
  return c.setResult(0, k::layerNorm(c.operand(0), c.optional(1), c.optional(2),
                                     c.attrs.getInts("normalized_shape"),
                                     c.attrs.getFloat("epsilon", 1e-5)));
}

static bool groupNorm(KernelCall &c) {
  return c.setResult(0, k::groupNorm(c.operand(0), c.optional(1), c.optional(2),
                                     c.attrs.getInt("num_groups"),
                                     c.attrs.getFloat("epsilon", 1e-5)));
}

void nnc::rt::abi::registerLayerKernels(Registry &r) {
  r.add("linear", linear, "11?");
  r.add("matmul", matmul, "11");
  r.add("embedding", embedding, "11");
  r.add("conv", conv, "11?", 1, {"stride", "padding", "dilation"});
  r.add("conv_transpose", convTranspose, "11?", 1,
        {"stride", "padding", "output_padding", "dilation"});
  r.add("max_pool", maxPool, "1", 1,
        {"kernel_size", "stride", "padding", "dilation"});
  r.add("avg_pool", avgPool, "1", 1, {"kernel_size", "stride", "padding"});
  r.add("adaptive_avg_pool", adaptiveAvgPool, "1", 1, {"output_size"});
  r.add("adaptive_max_pool", adaptiveMaxPool, "1", 1, {"output_size"});
  r.add("batch_norm", batchNorm, "1??11");
  r.add("layer_norm", layerNorm, "1??", 1, {"normalized_shape"});
  r.add("group_norm", groupNorm, "1??", 1, {"num_groups"});
}
