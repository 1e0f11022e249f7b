//===- Conv.h - Convolution and transposed convolution ----------*- C++ -*-===//
//
// N-d (1 to 3 spatial dims) convolutions on [N, C, *spatial] tensors with
// PyTorch's weight layouts. `stride`, `padding`, `dilation` and
// `outputPadding` have one entry per spatial dim (symmetric padding, as in
// the nn dialect). Float dtypes (f32, f64; f16/bf16 computed in f32). An
// undefined `bias` means no bias.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_CONV_H
#define NNC_RUNTIME_KERNELS_CONV_H

#include "runtime/Tensor.h"
#include "runtime/kernels/Epilogue.h"

#include <cstdint>
#include <vector>

namespace nnc::rt::kernels {

/// F.conv1d/2d/3d(input, weight, bias, stride, padding, dilation, groups):
/// input [N, C, *S], weight [O, C / groups, *K], bias [O] ->
/// [N, O, *((S + 2 * padding - dilation * (K - 1) - 1) / stride + 1)].
/// Depthwise (groups == C) runs a direct loop; other f32 convolutions the
/// register-tiled kernel of ConvTiled.h where the CPU has AVX-512; the rest
/// one GEMM per image and group (1x1 stride-1 unpadded) or im2col + GEMM.
/// The tiled kernel applies `epilogue` to each tile in registers; the other
/// paths in one pass over the output after it.
Tensor conv(const Tensor &input, const Tensor &weight, const Tensor &bias,
            const std::vector<int64_t> &stride,
            const std::vector<int64_t> &padding,
            const std::vector<int64_t> &dilation, int64_t groups,
            const Epilogue &epilogue = {});

/// F.conv_transpose1d/2d/3d(input, weight, bias, stride, padding,
/// output_padding, groups, dilation): input [N, C, *S], weight
/// [C, O / groups, *K], bias [O] -> [N, O, *((S - 1) * stride - 2 * padding
/// + dilation * (K - 1) + output_padding + 1)]. GEMM + col2im.
Tensor convTranspose(const Tensor &input, const Tensor &weight,
                     const Tensor &bias, const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &padding,
                     const std::vector<int64_t> &outputPadding,
                     const std::vector<int64_t> &dilation, int64_t groups);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_CONV_H
