//===- ConvTiled.h - Register-tiled f32 convolution -------------*- C++ -*-===//
//
// Internal to the kernel library: the f32 forward convolution of Conv.cpp
// for CPUs with AVX-512 (the runtime is built with -march=native). Tiles of
// output channels x output positions accumulate in vector registers and are
// stored straight into the NCHW output, without a GEMM library call.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_CONVTILED_H
#define NNC_RUNTIME_KERNELS_CONVTILED_H

#include "runtime/kernels/KernelUtil.h"

#include <cstdint>

namespace nnc::rt::kernels::detail {

/// A convolution's sizes: the spatial geometry plus the channel counts.
struct ConvSizes : ConvDims3 {
  int64_t batch = 0, inChannels = 0, outChannels = 0, groups = 1;
};

/// Whether this build has the tiled kernel (compiled for AVX-512).
bool convTiledAvailable();

/// The epilogue of kernels::ConvEpilogue as raw pointers (null: absent).
struct TileEpilogue {
  const float *scale = nullptr, *shift = nullptr; // [O]
  const float *residual = nullptr;                // y's layout
  bool relu = false;
};

/// y = conv(x, w) + bias for contiguous f32 x [N, C, *in], w [O, C / groups,
/// *kernel] and y [N, O, *out] (every element written), then `epilogue`;
/// `bias` may be null. Returns false without touching y when the build has
/// no tiled kernel.
bool convTiled(const float *x, const float *w, const float *bias, float *y,
               const ConvSizes &g, const TileEpilogue &epilogue = {});

} // namespace nnc::rt::kernels::detail

#endif // NNC_RUNTIME_KERNELS_CONVTILED_H
