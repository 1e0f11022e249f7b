//===- Kernels.h - The kernel registry: nn ops on runtime kernels -*- C++
//-*-===//
//
// One adapter per nn op evaluates it with the runtime's kernels, reading the
// attributes from a decoded kernel descriptor. Both the reference executor
// and compiled code (through nnc_kernel_call) run ops through these
// adapters, so the two cannot disagree on what an op means.
//
// An adapter reads its operands by ODS operand group (operand(g),
// optional(g), variadic(g)) and hands each result to setResult, which either
// moves it into an empty slot (the executor) or copies it into the buffer
// compiled code preallocated, after checking dtype and shape. runKernel
// checks the call against the kernel's signature first, so an adapter never
// reads an operand or a required attribute that is not there.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_ABI_KERNELS_H
#define NNC_RUNTIME_ABI_KERNELS_H

#include "runtime/Tensor.h"
#include "runtime/abi/KernelDescriptor.h"
#include "runtime/abi/RunContext.h"

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nnc::rt::abi {

struct Kernel;

struct KernelCall {
  KernelCall(const KernelDescriptor &descriptor, std::vector<Tensor> &operands,
             std::vector<Tensor> &results, RunContext &context)
      : op(descriptor.op), descriptor(descriptor), attrs(descriptor.attrs),
        operands(operands), results(results), context(context) {}

  std::string_view op;
  const KernelDescriptor &descriptor;
  const KernelAttrs &attrs;
  /// The tensor operands, in order (absent optionals are absent).
  std::vector<Tensor> &operands;
  /// One slot per result: defined (preallocated by compiled code, with the
  /// static shape) or undefined (filled by setResult).
  std::vector<Tensor> &results;
  RunContext &context;
  /// Result shapes the caller knows before the call, -1 for a size it does
  /// not know (the executor: from the result types and index operands).
  /// Empty when the caller has none; preallocated slots count as known.
  std::vector<Shape> expectedShapes;
  /// Why the call failed (without the op name; callers add it).
  std::string error;

  /// Operand group `g` of the op as ODS declares it. Valid once runKernel
  /// has checked the call against the kernel's signature.
  const Tensor &operand(size_t g) const { return operands[groups[g].first]; }
  /// An optional group: an undefined tensor when absent.
  Tensor optional(size_t g) const {
    return groups[g].second ? operands[groups[g].first] : Tensor();
  }
  std::vector<Tensor> variadic(size_t g) const;

  /// The dtype compiled code / the program declares for result `i`.
  DType resultDType(size_t i) const { return descriptor.results[i]; }
  /// The shape result `i` must have, when the caller knows all of it;
  /// otherwise fails with a message and returns false.
  bool knownResultShape(size_t i, Shape &shape);

  bool fail(const std::string &message) {
    error = message;
    return false;
  }
  /// Stores `value` as result `i`: moved into an empty slot, or checked
  /// against a preallocated slot's dtype and shape and copied into it.
  bool setResult(size_t i, Tensor value);

private:
  friend bool runKernel(const Kernel &kernel, KernelCall &call);
  /// (first operand, count) of each ODS operand group.
  std::vector<std::pair<size_t, size_t>> groups;
};

using KernelFn = bool (*)(KernelCall &);

/// An adapter and what it needs from a call.
struct Kernel {
  KernelFn fn = nullptr;
  /// The op's ODS operand groups, one character each: '1' a required
  /// operand, '?' an optional one, '*' a variadic group. With more than one
  /// '?' or '*' group the descriptor must carry `operandSegmentSizes`;
  /// otherwise the operand count decides.
  std::string operands;
  /// The number of results; -1 for a variadic result list.
  int results = 1;
  /// Attributes the adapter reads without a default.
  std::vector<std::string> required;
};

class Registry {
public:
  void add(std::string op, KernelFn fn, std::string operands, int results = 1,
           std::vector<std::string> required = {});
  const Kernel *find(std::string_view op) const;

private:
  std::map<std::string, Kernel, std::less<>> kernels;
};

/// The adapter of nn op `op` (without "nn."), or null if there is none.
const Kernel *lookupKernel(std::string_view op);

/// Checks `call` against `kernel`'s signature (operand groups, dtypes and
/// result count against the descriptor, required attributes) and runs it.
/// On failure `call.error` says why.
bool runKernel(const Kernel &kernel, KernelCall &call);

// Per-family registration (called once, from lookupKernel's table).
void registerElementwiseKernels(Registry &r);
void registerLayerKernels(Registry &r);
void registerShapeKernels(Registry &r);
void registerSequenceKernels(Registry &r);
void registerLossKernels(Registry &r);
void registerGradKernels(Registry &r);
void registerGradLayerKernels(Registry &r);

} // namespace nnc::rt::abi

#endif // NNC_RUNTIME_ABI_KERNELS_H
