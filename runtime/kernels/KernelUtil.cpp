//===- KernelUtil.cpp - Helpers shared by the forward kernels -------------===//

#include "runtime/kernels/KernelUtil.h"

#include "runtime/ThreadPool.h"
#include "runtime/kernels/Elementwise.h"

#include <cstdio>
#include <cstdlib>

using namespace nnc::rt;
using namespace nnc::rt::kernels;

void detail::unsupportedDType(const char *kernel, DType type) {
  std::fprintf(stderr, "nnc: internal error: kernel %s does not support %s\n",
               kernel, dtypeName(type));
  std::abort();
}

Shape detail::broadcastShapes(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> detail::contiguousStrides(const Shape &shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

std::vector<int64_t> detail::broadcastStrides(const Shape &shape,
                                              const Shape &target) {
  std::vector<int64_t> own = contiguousStrides(shape);
  std::vector<int64_t> strides(target.size(), 0);
  size_t lead = target.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    strides[lead + i] = shape[i] == 1 && target[lead + i] != 1 ? 0 : own[i];
  return strides;
}

detail::LoopNest
detail::makeLoopNest(const Shape &sizes,
                     std::vector<std::vector<int64_t>> strides) {
  LoopNest nest;
  nest.strides.resize(strides.size());
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 1)
      continue;
    // Merge with the previous kept dim when every operand steps through
    // both as through one dim.
    bool merge = !nest.sizes.empty();
    for (size_t k = 0; merge && k < strides.size(); ++k)
      merge = nest.strides[k].back() == strides[k][d] * sizes[d];
    if (merge) {
      nest.sizes.back() *= sizes[d];
      for (size_t k = 0; k < strides.size(); ++k)
        nest.strides[k].back() = strides[k][d];
      continue;
    }
    nest.sizes.push_back(sizes[d]);
    for (size_t k = 0; k < strides.size(); ++k)
      nest.strides[k].push_back(strides[k][d]);
  }
  if (nest.sizes.empty()) {
    nest.sizes.push_back(1);
    for (auto &s : nest.strides)
      s.push_back(1);
  }
  return nest;
}

int64_t detail::LoopNest::rowOffset(size_t k, int64_t row) const {
  int64_t offset = 0;
  for (size_t d = sizes.size() - 1; d-- > 0;) {
    offset += (row % sizes[d]) * strides[k][d];
    row /= sizes[d];
  }
  return offset;
}

Tensor detail::widenHalf(const Tensor &t) {
  if (!t.defined() || !isHalf(t.dtype()))
    return t;
  return cast(t, DType::F32);
}

std::vector<int64_t> detail::readIndices(const Tensor &index,
                                         const char *kernel) {
  std::vector<int64_t> out(index.numel());
  switch (index.dtype()) {
  case DType::I64:
    std::copy_n(index.data<int64_t>(), out.size(), out.begin());
    break;
  case DType::I32:
    std::copy_n(index.data<int32_t>(), out.size(), out.begin());
    break;
  case DType::I8:
    std::copy_n(index.data<int8_t>(), out.size(), out.begin());
    break;
  case DType::U8:
    std::copy_n(index.data<uint8_t>(), out.size(), out.begin());
    break;
  default:
    unsupportedDType(kernel, index.dtype());
  }
  return out;
}

detail::UnitPlan detail::planUnits(int64_t units, bool partialSums) {
  UnitPlan plan;
  int64_t threads = numThreads();
  if (threads > 1 && units >= threads) {
    plan.parallel = true;
    // Units that write disjoint outputs are scheduled one by one (the pool
    // balances them when a thread is slowed down by other processes);
    // with partial sums, two parts per thread bound the extra partials.
    plan.parts = partialSums ? std::min(units, 2 * threads) : units;
  }
  return plan;
}

void detail::runUnits(
    const UnitPlan &plan, int64_t units,
    const std::function<void(int64_t, int64_t, int64_t)> &fn) {
  if (!plan.parallel) {
    for (int64_t part = 0; part < plan.parts; ++part)
      fn(part, plan.partBegin(units, part), plan.partBegin(units, part + 1));
    return;
  }
  parallelFor(0, plan.parts, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t part = lo; part < hi; ++part)
      fn(part, plan.partBegin(units, part), plan.partBegin(units, part + 1));
  });
}

int64_t detail::imagesPerGemm(int64_t batch, int64_t plane, int64_t colRows,
                              int64_t elementBytes) {
  constexpr int64_t kTargetColumns = 2048;
  constexpr int64_t kColBytes = int64_t(1) << 20;
  // Planes of a few hundred positions already make GEMMs wide enough; one
  // image per unit then needs no gather of dY or scatter of Y.
  if (4 * plane >= kTargetColumns)
    return 1;
  int64_t nb = (kTargetColumns + plane - 1) / std::max<int64_t>(1, plane);
  nb = std::min(nb, kColBytes /
                        std::max<int64_t>(1, colRows * plane * elementBytes));
  nb = std::min(nb, batch / (2 * int64_t(numThreads())));
  return std::max<int64_t>(1, std::min(nb, batch));
}

Epilogue kernels::widen(const Epilogue &e) {
  return {detail::widenHalf(e.scale), detail::widenHalf(e.shift),
          detail::widenHalf(e.residual), e.activation};
}
