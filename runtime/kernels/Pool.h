//===- Pool.h - Max, average and adaptive pooling ---------------*- C++ -*-===//
//
// Pooling over the 1 to 3 spatial dims of [N, C, *spatial] tensors with
// PyTorch's window and output-size rules. Attribute vectors have one entry
// per spatial dim. Float dtypes (f32, f64; f16/bf16 computed in f32). NaN
// inside a max window propagates, as in PyTorch.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_POOL_H
#define NNC_RUNTIME_KERNELS_POOL_H

#include "runtime/Tensor.h"

#include <cstdint>
#include <vector>

namespace nnc::rt::kernels {

/// F.max_pool1d/2d/3d(x, kernel_size, stride, padding, dilation,
/// ceil_mode). Output size floor-or-ceil((S + 2p - d(k - 1) - 1) / s) + 1;
/// with ceil_mode a last window starting beyond the input and left padding
/// is dropped. Padding never wins the max.
Tensor maxPool(const Tensor &input, const std::vector<int64_t> &kernelSize,
               const std::vector<int64_t> &stride,
               const std::vector<int64_t> &padding,
               const std::vector<int64_t> &dilation, bool ceilMode);

/// F.avg_pool1d/2d/3d(x, kernel_size, stride, padding, ceil_mode,
/// count_include_pad). With count_include_pad the divisor counts the padded
/// window clipped to input + padding (PyTorch's rule for ceil_mode windows);
/// otherwise only the input elements of the window.
Tensor avgPool(const Tensor &input, const std::vector<int64_t> &kernelSize,
               const std::vector<int64_t> &stride,
               const std::vector<int64_t> &padding, bool ceilMode,
               bool countIncludePad);

/// F.adaptive_avg_pool1d/2d/3d and F.adaptive_max_pool1d/2d/3d (values
/// only): output cell i of a dim covers inputs [floor(i * in / out),
/// ceil((i + 1) * in / out)).
Tensor adaptiveAvgPool(const Tensor &input,
                       const std::vector<int64_t> &outputSize);
Tensor adaptiveMaxPool(const Tensor &input,
                       const std::vector<int64_t> &outputSize);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_POOL_H
