//===- KernelAbi.cpp - nnc_kernel_call: compiled code's kernel entry ------===//
//
// Decodes the descriptor (once per address), wraps each memref as a tensor
// view (copying strided operands to contiguous ones), runs the op's adapter
// and records any error in the calling thread's run context.
//
//===----------------------------------------------------------------------===//

#include "runtime/abi/Kernels.h"
#include "runtime/abi/nnc_kernel_abi.h"

#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::abi;

namespace {
/// A parsed descriptor and its adapter, or why there is none.
struct Decoded {
  std::string text;
  std::optional<KernelDescriptor> descriptor;
  const Kernel *kernel = nullptr;
  std::string error;
};

/// A memref's element layout.
struct Memref {
  char *data = nullptr;
  Shape sizes;
  std::vector<int64_t> strides;
  bool contiguous = true;
};
} // namespace

static std::shared_ptr<const Decoded> decode(const char *descriptor) {
  static std::shared_mutex mutex;
  static std::unordered_map<const char *, std::shared_ptr<const Decoded>> cache;
  {
    std::shared_lock<std::shared_mutex> lock(mutex);
    auto it = cache.find(descriptor);
    // Descriptors are constants in compiled code; the text check only
    // matters to callers that build descriptors in reused memory.
    if (it != cache.end() && it->second->text == descriptor)
      return it->second;
  }
  auto d = std::make_shared<Decoded>();
  d->text = descriptor;
  d->descriptor = parseKernelDescriptor(d->text, d->error);
  if (d->descriptor) {
    d->kernel = lookupKernel(d->descriptor->op);
    if (!d->kernel)
      d->error = "no kernel for op 'nn." + d->descriptor->op + "'";
  }
  std::unique_lock<std::shared_mutex> lock(mutex);
  cache[descriptor] = d;
  return d;
}

static bool readMemref(const nnc_unranked_memref &m, DType dtype, Memref &out,
                       std::string &why) {
  // Ranks beyond any nn op's are garbage, not tensors.
  if (m.rank < 0 || m.rank > 64 || (m.rank > 0 && !m.descriptor)) {
    why = "has no valid memref descriptor";
    return false;
  }
  int64_t rank = m.rank;
  void *aligned = nullptr;
  int64_t offset = 0;
  if (m.descriptor) {
    const char *base = static_cast<const char *>(m.descriptor);
    std::memcpy(&aligned, base + 8, sizeof(void *));
    std::memcpy(&offset, base + 16, 8);
    out.sizes.resize(rank);
    out.strides.resize(rank);
    std::memcpy(out.sizes.data(), base + 24, 8 * rank);
    std::memcpy(out.strides.data(), base + 24 + 8 * rank, 8 * rank);
  }
  int64_t expected = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (out.sizes[d] < 0) {
      why = "has negative size " + std::to_string(out.sizes[d]);
      return false;
    }
    // The stride of a size-1 dimension never matters.
    if (out.sizes[d] != 1 && out.strides[d] != expected)
      out.contiguous = false;
    expected *= out.sizes[d];
  }
  if (expected == 0)
    out.contiguous = true;
  else if (!aligned) {
    why = "has no data";
    return false;
  }
  out.data = static_cast<char *>(aligned) + offset * int64_t(dtypeSize(dtype));
  return true;
}

/// Copies between a strided memref and a row-major dense buffer.
static void copyStrided(const Memref &m, char *dense, size_t elemSize,
                        bool toDense) {
  int64_t n = numElements(m.sizes), rank = int64_t(m.sizes.size());
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += index[d] * m.strides[d];
    char *strided = m.data + offset * int64_t(elemSize);
    char *flat = dense + i * int64_t(elemSize);
    std::memcpy(toDense ? flat : strided, toDense ? strided : flat, elemSize);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < m.sizes[d])
        break;
      index[d] = 0;
    }
  }
}

static void callKernel(RunContext &ctx, const char *text, int64_t numArgs,
                       const nnc_unranked_memref *args) {
  std::shared_ptr<const Decoded> d = decode(text);
  if (!d->kernel) {
    ctx.setError("nnc_kernel_call: " + d->error);
    return;
  }
  const KernelDescriptor &desc = *d->descriptor;
  std::string prefix = "nn." + desc.op + ": ";
  size_t numOperands = desc.operands.size();
  size_t expected = numOperands + desc.results.size();
  if (numArgs < 0 || size_t(numArgs) != expected || (numArgs > 0 && !args)) {
    ctx.setError(prefix + "expected " + std::to_string(expected) +
                 " tensors (" + std::to_string(numOperands) + " operands and " +
                 std::to_string(desc.results.size()) + " results), got " +
                 std::to_string(numArgs));
    return;
  }
  std::vector<Tensor> operands, results;
  std::vector<std::pair<size_t, Memref>> writeBack;
  for (size_t i = 0; i < expected; ++i) {
    bool isResult = i >= numOperands;
    DType dtype = isResult ? desc.results[i - numOperands] : desc.operands[i];
    Memref m;
    std::string why;
    if (!readMemref(args[i], dtype, m, why)) {
      ctx.setError(prefix + (isResult ? "result " : "operand ") +
                   std::to_string(isResult ? i - numOperands : i) + " " + why);
      return;
    }
    Tensor t;
    if (m.contiguous) {
      t = Tensor::view(dtype, m.sizes, m.data);
    } else {
      t = Tensor::uninitialized(dtype, m.sizes);
      if (isResult)
        writeBack.push_back({i - numOperands, m});
      else
        copyStrided(m, static_cast<char *>(t.raw()), dtypeSize(dtype), true);
    }
    (isResult ? results : operands).push_back(std::move(t));
  }
  // Results whose memory no operand shares can be the kernel's own output
  // allocations (setResult then has nothing to copy). Not when two results
  // have the same type: a kernel may allocate them in another order, and
  // copying one result into its slot would overwrite the other.
  std::vector<Tensor> targets;
  for (size_t i = 0; i < results.size(); ++i) {
    const Tensor &r = results[i];
    auto begin = static_cast<const char *>(r.raw());
    bool usable = true;
    for (const Tensor &o : operands) {
      auto oBegin = static_cast<const char *>(o.raw());
      usable &= !(begin < oBegin + o.bytes() && oBegin < begin + r.bytes());
    }
    for (size_t j = 0; j < results.size(); ++j)
      usable &= j == i || results[j].dtype() != r.dtype() ||
                results[j].shape() != r.shape();
    if (usable)
      targets.push_back(r);
  }
  ScopedAllocationTargets allocateIntoResults(std::move(targets));
  KernelCall call(desc, operands, results, ctx);
  if (!runKernel(*d->kernel, call)) {
    ctx.setError(prefix + call.error);
    return;
  }
  for (auto &[r, m] : writeBack)
    copyStrided(m, static_cast<char *>(results[r].raw()),
                dtypeSize(results[r].dtype()), false);
}

extern "C" void nnc_kernel_call(const char *descriptor, int64_t num_args,
                                const nnc_unranked_memref *args) {
  RunContext &ctx = RunContext::current();
  if (ctx.failed())
    return;
  if (!descriptor) {
    ctx.setError("nnc_kernel_call: no kernel descriptor");
    return;
  }
  // Nothing may unwind into compiled code.
  try {
    callKernel(ctx, descriptor, num_args, args);
  } catch (const std::exception &e) {
    ctx.setError(std::string("nnc_kernel_call: ") + e.what());
  } catch (...) {
    ctx.setError("nnc_kernel_call: unknown exception");
  }
}

extern "C" void nnc_kernel_call_static(const char *descriptor, int64_t num_args,
                                       const int64_t *layouts,
                                       void *const *data) {
  // The ranked descriptors nnc_kernel_call reads, rebuilt from the table:
  // {allocated, aligned, offset, sizes[rank], strides[rank]} in 8-byte words
  // (the allocated pointer is never read).
  constexpr int64_t kInlineWords = 256;
  int64_t inlineWords[kInlineWords];
  std::vector<int64_t> heapWords;
  int64_t total = 0;
  const int64_t *layout = layouts;
  for (int64_t i = 0; i < num_args; ++i) {
    int64_t rank = layout[0];
    total += 3 + 2 * rank;
    layout += 2 + 2 * rank;
  }
  int64_t *words = inlineWords;
  if (total > kInlineWords) {
    heapWords.resize(size_t(total));
    words = heapWords.data();
  }
  constexpr int64_t kInlineArgs = 16;
  nnc_unranked_memref inlineArgs[kInlineArgs];
  std::vector<nnc_unranked_memref> heapArgs;
  nnc_unranked_memref *args = inlineArgs;
  if (num_args > kInlineArgs) {
    heapArgs.resize(size_t(num_args));
    args = heapArgs.data();
  }
  layout = layouts;
  for (int64_t i = 0; i < num_args; ++i) {
    int64_t rank = layout[0];
    auto pointer = int64_t(reinterpret_cast<uintptr_t>(data[i]));
    words[0] = pointer;
    words[1] = pointer;
    std::memcpy(words + 2, layout + 1, sizeof(int64_t) * size_t(1 + 2 * rank));
    args[i] = {rank, words};
    words += 3 + 2 * rank;
    layout += 2 + 2 * rank;
  }
  nnc_kernel_call(descriptor, num_args, args);
}

extern "C" void nnc_run_begin(uint64_t seed, int stochastic) {
  RunContext::current().reset(seed, stochastic != 0);
}

extern "C" int nnc_run_failed(void) {
  return RunContext::current().failed() ? 1 : 0;
}

extern "C" const char *nnc_run_error(void) {
  return RunContext::current().error().c_str();
}
