//===- LayerKernels.cpp - Adapters: dense, conv, pooling, normalisation ---===//

#include "runtime/abi/Kernels.h"
#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Dense.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Norm.h"
#include "runtime/kernels/Pool.h"

#include <cmath>

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

/// The per-channel scale and shift of inference batch norm with running
/// statistics, (x - mean) / sqrt(var + eps) * weight + bias, as
/// y = x * scale + shift with scale and shift computed in f64 and stored in
/// `dtype`.
static void batchNormAffine(const Tensor &mean, const Tensor &var,
                            const Tensor &weight, const Tensor &bias,
                            double eps, DType dtype, Tensor &scale,
                            Tensor &shift) {
  const int64_t n = mean.numel();
  Tensor m = k::cast(mean, DType::F64), v = k::cast(var, DType::F64);
  Tensor w = weight.defined() ? k::cast(weight, DType::F64) : Tensor();
  Tensor b = bias.defined() ? k::cast(bias, DType::F64) : Tensor();
  Tensor s(DType::F64, {n}), t(DType::F64, {n});
  for (int64_t i = 0; i < n; ++i) {
    double si = (w.defined() ? w.data<double>()[i] : 1.0) /
                std::sqrt(v.data<double>()[i] + eps);
    s.data<double>()[i] = si;
    t.data<double>()[i] =
        (b.defined() ? b.data<double>()[i] : 0.0) - m.data<double>()[i] * si;
  }
  scale = k::cast(s, dtype);
  shift = k::cast(t, dtype);
}

/// The epilogue of nn.fused_conv or nn.fused_linear, whose operand groups
/// 3 to 7 are running_mean?, running_var?, bn_weight?, bn_bias?, residual?,
/// ended by `relu` or (fused_linear) `gelu` = "none" | "tanh".
static k::Epilogue epilogueOf(const KernelCall &c) {
  k::Epilogue e;
  if (c.optional(3).defined())
    batchNormAffine(c.optional(3), c.optional(4), c.optional(5), c.optional(6),
                    c.attrs.getFloat("epsilon", 1e-5), c.operand(0).dtype(),
                    e.scale, e.shift);
  e.residual = c.optional(7);
  if (c.attrs.getBool("relu"))
    e.activation = k::Activation::Relu;
  else if (c.attrs.has("gelu"))
    e.activation = c.attrs.getString("gelu") == "tanh" ? k::Activation::GeluTanh
                                                       : k::Activation::Gelu;
  return e;
}

/// nn.fused_conv: the convolution applies batch norm, the residual and ReLU
/// to its output as it stores it.
static bool fusedConv(KernelCall &c) {
  return c.setResult(0, k::conv(c.operand(0), c.operand(1), c.optional(2),
                                c.attrs.getInts("stride"),
                                c.attrs.getInts("padding"),
                                c.attrs.getInts("dilation"),
                                c.attrs.getInt("groups", 1), epilogueOf(c)));
}

/// nn.fused_linear: the same epilogue, on each part of the GEMM's output.
static bool fusedLinear(KernelCall &c) {
  return c.setResult(
      0, k::linear(c.operand(0), c.operand(1), c.optional(2), epilogueOf(c)));
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
  r.add("fused_linear", fusedLinear, "11??????");
  r.add("matmul", matmul, "11");
  r.add("embedding", embedding, "11");
  r.add("conv", conv, "11?", 1, {"stride", "padding", "dilation"});
  r.add("fused_conv", fusedConv, "11??????", 1,
        {"stride", "padding", "dilation"});
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
