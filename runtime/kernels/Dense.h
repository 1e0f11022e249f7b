//===- Dense.h - Linear, matmul and embedding kernels -----------*- C++ -*-===//
//
// GEMM-shaped kernels (OpenBLAS sgemm/dgemm) and the embedding lookup.
// Optional operands are passed as an undefined Tensor (Tensor()).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_DENSE_H
#define NNC_RUNTIME_KERNELS_DENSE_H

#include "runtime/Tensor.h"
#include "runtime/kernels/Epilogue.h"

#include <string>

namespace nnc::rt::kernels {

/// F.linear(input, weight, bias): input [..., in], weight [out, in], bias
/// [out] or undefined -> [..., out]. Float dtypes. `epilogue` (channels
/// along the last dim) is applied to each part of the GEMM's output right
/// after it is computed, while it is in cache.
Tensor linear(const Tensor &input, const Tensor &weight, const Tensor &bias,
              const Epilogue &epilogue = {});

/// torch.matmul for rank >= 2: [..., n, k] x [..., k, m] ->
/// [broadcast(...), n, m]. Float dtypes through BLAS; i8/i32/i64 by a plain
/// loop (wrapping on overflow).
Tensor matmul(const Tensor &lhs, const Tensor &rhs);

/// F.embedding(indices, weight): indices (i8/i32/i64, any rank), weight
/// [num, dim] (any dtype) -> indices.shape + [dim]. padding_idx only
/// matters for gradients, so it is not a parameter. An index outside
/// [0, num) sets `error` (naming the index, its position and the range) and
/// returns an undefined Tensor.
Tensor embedding(const Tensor &indices, const Tensor &weight,
                 std::string &error);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_DENSE_H
