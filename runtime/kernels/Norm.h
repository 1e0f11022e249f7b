//===- Norm.h - Batch, layer and group normalisation ------------*- C++ -*-===//
//
// Normalisation kernels with PyTorch semantics (biased variance inside the
// normalisation). Optional affine parameters are passed as an undefined
// Tensor. Float dtypes (f32, f64; f16/bf16 computed in f32); statistics are
// accumulated in double.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_NORM_H
#define NNC_RUNTIME_KERNELS_NORM_H

#include "runtime/Tensor.h"

#include <cstdint>
#include <vector>

namespace nnc::rt::kernels {

/// F.batch_norm(x, running_mean, running_var, weight, bias, training=False,
/// eps): input [N, C, ...], every parameter [C].
Tensor batchNorm(const Tensor &input, const Tensor &weight, const Tensor &bias,
                 const Tensor &runningMean, const Tensor &runningVar,
                 double epsilon);

/// The result of a training-mode batch norm.
struct BatchNormTrainResult {
  Tensor output;
  /// The updated running statistics (new tensors; the inputs are unchanged):
  /// (1 - momentum) * running + momentum * batch statistic, where the
  /// variance statistic is unbiased (n / (n - 1); the biased one when n = 1).
  /// Undefined when the corresponding input was undefined.
  Tensor runningMean, runningVar;
  /// Per-channel batch mean and 1 / sqrt(biased var + eps), for backward.
  Tensor mean, invStd;
};

/// F.batch_norm(x, running_mean, running_var, weight, bias, training=True,
/// momentum, eps): normalises with the batch statistics over N and the
/// spatial dims.
BatchNormTrainResult batchNormTrain(const Tensor &input, const Tensor &weight,
                                    const Tensor &bias,
                                    const Tensor &runningMean,
                                    const Tensor &runningVar, double momentum,
                                    double epsilon);

/// F.layer_norm(x, normalized_shape, weight, bias, eps): statistics over the
/// trailing dims given by normalizedShape; weight and bias have that shape.
Tensor layerNorm(const Tensor &input, const Tensor &weight, const Tensor &bias,
                 const std::vector<int64_t> &normalizedShape, double epsilon);

/// F.group_norm(x, num_groups, weight, bias, eps): input [N, C, ...] with C
/// divisible by numGroups; weight and bias [C].
Tensor groupNorm(const Tensor &input, const Tensor &weight, const Tensor &bias,
                 int64_t numGroups, double epsilon);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_NORM_H
