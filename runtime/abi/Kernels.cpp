//===- Kernels.cpp - The kernel registry and call checking ----------------===//

#include "runtime/abi/Kernels.h"

#include <cstring>

using namespace nnc::rt;
using namespace nnc::rt::abi;

std::vector<Tensor> KernelCall::variadic(size_t g) const {
  auto [first, count] = groups[g];
  return std::vector<Tensor>(operands.begin() + first,
                             operands.begin() + first + count);
}

bool KernelCall::knownResultShape(size_t i, Shape &shape) {
  if (i < results.size() && results[i].defined()) {
    shape = results[i].shape();
    return true;
  }
  if (i < expectedShapes.size()) {
    shape = expectedShapes[i];
    bool known = true;
    for (int64_t d : shape)
      known &= d >= 0;
    if (known)
      return true;
  }
  return fail("the shape of result " + std::to_string(i) +
              " is not known before the call");
}

bool KernelCall::setResult(size_t i, Tensor value) {
  if (i >= results.size())
    return fail("the kernel produced result " + std::to_string(i) +
                " but the call has " + std::to_string(results.size()));
  if (!value.defined())
    return fail("the kernel produced no value for result " + std::to_string(i));
  Tensor &slot = results[i];
  if (!slot.defined()) {
    slot = std::move(value);
    return true;
  }
  if (slot.dtype() != value.dtype() || slot.shape() != value.shape())
    return fail("result " + std::to_string(i) + " is " + slot.typeString() +
                " but the kernel computed " + value.typeString());
  // memmove: compiled code may hand the same buffer as operand and result.
  if (value.bytes() > 0 && slot.raw() != value.raw())
    std::memmove(slot.raw(), value.raw(), value.bytes());
  return true;
}

void Registry::add(std::string op, KernelFn fn, std::string operands,
                   int results, std::vector<std::string> required) {
  Kernel k;
  k.fn = fn;
  k.operands = std::move(operands);
  k.results = results;
  k.required = std::move(required);
  kernels[std::move(op)] = std::move(k);
}

const Kernel *Registry::find(std::string_view op) const {
  auto it = kernels.find(op);
  return it == kernels.end() ? nullptr : &it->second;
}

const Kernel *nnc::rt::abi::lookupKernel(std::string_view op) {
  // Built on first use, so registration has no static-initialisation order.
  static const Registry registry = [] {
    Registry r;
    registerElementwiseKernels(r);
    registerLayerKernels(r);
    registerShapeKernels(r);
    registerSequenceKernels(r);
    registerLossKernels(r);
    registerGradKernels(r);
    registerGradLayerKernels(r);
    return r;
  }();
  return registry.find(op);
}

/// Splits the operands into the kernel's ODS groups. `operandSegmentSizes`
/// is read only when the count alone cannot tell (more than one optional or
/// variadic group): the front end also puts it on ops without segments, and
/// there it may count `index` operands that the executor leaves out.
static bool groupOperands(const Kernel &kernel, KernelCall &call,
                          std::vector<std::pair<size_t, size_t>> &groups) {
  const std::string &sig = kernel.operands;
  size_t n = call.operands.size(), fixed = 0, flexible = 0;
  for (char c : sig)
    (c == '1' ? fixed : flexible)++;
  std::vector<int64_t> sizes;
  if (flexible > 1) {
    const KernelAttr *seg = call.attrs.find("operandSegmentSizes");
    if (!seg)
      return call.fail("the descriptor needs operandSegmentSizes");
    if (seg->kind != KernelAttr::Kind::Ints || seg->ints.size() != sig.size())
      return call.fail("operandSegmentSizes must list " +
                       std::to_string(sig.size()) + " group sizes");
    sizes = seg->ints;
  } else {
    if (n < fixed || (flexible == 0 && n != fixed))
      return call.fail(std::string("expected ") +
                       (flexible ? "at least " : "") + std::to_string(fixed) +
                       " operands, got " + std::to_string(n));
    for (char c : sig)
      sizes.push_back(c == '1' ? 1 : int64_t(n - fixed));
  }
  size_t next = 0;
  for (size_t g = 0; g < sig.size(); ++g) {
    int64_t size = sizes[g];
    bool fits = sig[g] == '1'   ? size == 1
                : sig[g] == '?' ? size == 0 || size == 1
                                : size >= 0;
    if (!fits)
      return call.fail("operand group " + std::to_string(g) + " has " +
                       std::to_string(size) + " operands");
    groups.push_back({next, size_t(size)});
    next += size_t(size);
  }
  if (next != n)
    return call.fail("the operand groups hold " + std::to_string(next) +
                     " operands, the call has " + std::to_string(n));
  return true;
}

bool nnc::rt::abi::runKernel(const Kernel &kernel, KernelCall &call) {
  const KernelDescriptor &d = call.descriptor;
  if (call.operands.size() != d.operands.size())
    return call.fail("the descriptor lists " +
                     std::to_string(d.operands.size()) + " operands, got " +
                     std::to_string(call.operands.size()));
  if (call.results.size() != d.results.size())
    return call.fail("the descriptor lists " +
                     std::to_string(d.results.size()) + " results, got " +
                     std::to_string(call.results.size()));
  if (kernel.results >= 0 && d.results.size() != size_t(kernel.results))
    return call.fail("expected " + std::to_string(kernel.results) +
                     " results, the descriptor lists " +
                     std::to_string(d.results.size()));
  for (size_t i = 0; i < call.operands.size(); ++i) {
    const Tensor &t = call.operands[i];
    if (!t.defined() || t.dtype() != d.operands[i])
      return call.fail("operand " + std::to_string(i) + " is " +
                       (t.defined() ? t.typeString() : "missing") +
                       ", the descriptor says " + dtypeName(d.operands[i]));
  }
  for (size_t i = 0; i < call.results.size(); ++i)
    if (call.results[i].defined() && call.results[i].dtype() != d.results[i])
      return call.fail("result " + std::to_string(i) + " is " +
                       call.results[i].typeString() + ", the descriptor says " +
                       dtypeName(d.results[i]));
  for (const std::string &name : kernel.required)
    if (!call.attrs.has(name))
      return call.fail("the descriptor has no attribute '" + name + "'");
  call.groups.clear();
  if (!groupOperands(kernel, call, call.groups))
    return false;
  return kernel.fn(call);
}
