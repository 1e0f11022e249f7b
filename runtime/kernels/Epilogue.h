//===- Epilogue.h - Elementwise epilogues fused into kernels ----*- C++ -*-===//
//
// What nn.fused_conv and nn.fused_linear (nn-fuse-epilogues) ask their
// kernel to apply to its output as it stores it, instead of a second pass
// over memory.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_EPILOGUE_H
#define NNC_RUNTIME_KERNELS_EPILOGUE_H

#include "runtime/Tensor.h"

namespace nnc::rt::kernels {

/// The activation that ends an epilogue: ReLU, or GELU in PyTorch's erf
/// ("none") or tanh form.
enum class Activation { None, Relu, Gelu, GeluTanh };

/// y = act(y * scale[c] + shift[c] + residual), each part optional, with
/// c the output channel: dim 1 of a convolution's output, the last dim of a
/// linear layer's.
struct Epilogue {
  Tensor scale, shift; // [channels], of the output's dtype
  Tensor residual;     // of the output's shape and dtype
  Activation activation = Activation::None;

  bool empty() const {
    return !scale.defined() && !shift.defined() && !residual.defined() &&
           activation == Activation::None;
  }
};

/// The epilogue with f16/bf16 tensors widened to f32, for kernels that
/// compute half types in f32.
Epilogue widen(const Epilogue &epilogue);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_EPILOGUE_H
