//===- Reduce.h - Sum, mean, max and min over dims --------------*- C++ -*-===//
#ifndef NNC_RUNTIME_KERNELS_REDUCE_H
#define NNC_RUNTIME_KERNELS_REDUCE_H

#include "runtime/Tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nnc::rt::kernels {

/// The reductions of nn.reduce_sum / reduce_mean / reduce_max / reduce_min.
enum class ReduceOp {
  Sum,  // torch.sum(x, dims, keepdim), dtype kept (integers wrap)
  Mean, // torch.mean(x, dims, keepdim); an empty reduction gives NaN
  Max,  // torch.amax(x, dims, keepdim); NaN propagates
  Min,  // torch.amin(x, dims, keepdim); NaN propagates
};

/// Maps an nn mnemonic ("reduce_sum", ..., "reduce_min") to its ReduceOp.
bool reduceOpFromName(const std::string &name, ReduceOp &op);

/// Reduces `input` over `dims` (distinct; negative values count from the
/// end; empty means every dim). With keepdim the reduced dims stay as size
/// 1, otherwise they are removed. Dtypes: f32, f64, f16/bf16 (through f32),
/// i64, i32, i8. Float sums and means accumulate in double.
Tensor reduce(ReduceOp op, const Tensor &input,
              const std::vector<int64_t> &dims, bool keepdim);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_REDUCE_H
