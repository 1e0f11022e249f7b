//===- Shape.h - Layout, slicing and indexing kernels -----------*- C++ -*-===//
//
// Kernels that move elements without arithmetic (any dtype, unless noted)
// plus top-k, index selection and segment reduction. Axes may be negative
// (counted from the end). Kernels that read indices from data (gather,
// scatterReduce) validate them: an out-of-range index sets `error` and
// returns an undefined Tensor.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_SHAPE_H
#define NNC_RUNTIME_KERNELS_SHAPE_H

#include "runtime/Tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nnc::rt::kernels {

/// x.reshape(shape) (numel must match; no -1). A view: shares the buffer.
Tensor reshape(const Tensor &input, const Shape &shape);

/// x.permute(permutation).contiguous(): result dim i is input dim
/// permutation[i]. Transposes of the last two (merged) dims are blocked.
Tensor permute(const Tensor &input, const std::vector<int64_t> &permutation);

/// torch.cat(inputs, axis): same dtype, equal sizes except along `axis`.
Tensor concat(const std::vector<Tensor> &inputs, int64_t axis);

/// x[start:end:step] along `axis` with Python semantics: negative start/end
/// count from the end, both are clamped to [0, size]; step >= 1.
Tensor slice(const Tensor &input, int64_t axis, int64_t start, int64_t end,
             int64_t step);

/// torch.split(x, sizes, axis) with explicit sizes summing to the dim.
std::vector<Tensor> split(const Tensor &input, int64_t axis,
                          const std::vector<int64_t> &sizes);

/// torch.broadcast_to(x, shape) materialised: input dims align with the
/// trailing dims of `shape` and are 1 or equal.
Tensor expand(const Tensor &input, const Shape &shape);

/// ViT patches: [N, C, H, W] -> [N, (H / ph) * (W / pw), C * ph * pw],
/// patches in row-major order, each flattened as (c, i, j); equals
/// x.reshape(N, C, H/ph, ph, W/pw, pw).permute(0, 2, 4, 1, 3, 5)
///  .reshape(N, -1, C*ph*pw). patchSize is {ph, pw}.
Tensor patchify(const Tensor &input, const std::vector<int64_t> &patchSize);

/// torch.topk(x, k, dim=axis, largest=True, sorted=True): values (input
/// dtype) and i64 indices, sorted descending; NaN counts as the largest
/// value, as in torch. Equal values keep index order (torch leaves their
/// order unspecified). Numeric dtypes.
struct TopKResult {
  Tensor values, indices;
};
TopKResult topK(const Tensor &input, int64_t k, int64_t axis);

/// torch.index_select(x, axis, index): index is 1-D (i8/i32/i64) with
/// entries in [0, x.dim(axis)).
Tensor gather(const Tensor &input, const Tensor &index, int64_t axis,
              std::string &error);

/// The reductions of nn.scatter_reduce.
enum class ScatterReduce { Sum, Mean, Max, Min };

/// Maps "sum", "mean", "max" or "min" to its ScatterReduce.
bool scatterReduceFromName(const std::string &name, ScatterReduce &reduce);

/// Segment reduction (torch_scatter.scatter(src, index, 0, dim_size=N,
/// reduce=...)): src [E, F...], index [E] with entries in [0, dimSize) ->
/// [dimSize, F...], row n reducing the rows e of src with index[e] == n.
/// mean divides by the count (integers: rounding down); rows that receive
/// nothing are 0. Dtypes: f32, f64, f16/bf16 (through f32), i64, i32, i8.
/// A negative dimSize is an error too.
Tensor scatterReduce(const Tensor &src, const Tensor &index, int64_t dimSize,
                     ScatterReduce reduce, std::string &error);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_SHAPE_H
