//===- InterpreterKernels.cpp - Ops evaluated by their kernel adapters ----===//
//
// Every nn op with a kernel adapter (runtime/abi/Kernels.h) runs through
// it, exactly as compiled code does: the op is encoded as a kernel
// descriptor once, decoded once, and each evaluation hands the adapter the
// operand tensors. `index` operands (the dynamic sizes of reshape, expand
// and scatter_reduce) are left out of the descriptor; their values fill the
// `?` sizes of the first result's expected shape, in order, as the ops
// define them.
//
//===----------------------------------------------------------------------===//

#include "runtime/executor/Interpreter.h"

#include "dialects/nn/NNKernelDescriptor.h"

using namespace nnc;
using namespace nnc::exec;

/// Builds `op`'s cache entry: its adapter, descriptor and result shapes.
static std::unique_ptr<KernelCache::Entry> prepare(mlir::Operation &op) {
  auto entry = std::make_unique<KernelCache::Entry>();
  llvm::StringRef name = op.getName().stripDialect();
  entry->kernel =
      rt::abi::lookupKernel(std::string_view(name.data(), name.size()));
  if (!entry->kernel)
    return entry;
  std::string error;
  llvm::FailureOr<std::string> text =
      nn::encodeKernelDescriptor(&op, error, /*dropIndexOperands=*/true);
  if (llvm::failed(text)) {
    entry->error = "no kernel descriptor: " + error;
    return entry;
  }
  entry->descriptor = rt::abi::parseKernelDescriptor(*text, error);
  if (!entry->descriptor) {
    entry->error = "bad kernel descriptor: " + error;
    return entry;
  }
  for (mlir::Value result : op.getResults()) {
    TensorSpec spec;
    entry->shapes.push_back(toSpec(result.getType(), spec) ? spec.shape
                                                           : rt::Shape());
  }
  return entry;
}

bool Interpreter::runKernelOp(mlir::Operation &op, bool &ok) {
  if (op.getName().getDialectNamespace() != "nn")
    return false;
  std::unique_ptr<KernelCache::Entry> &slot = kernels.entries[&op];
  if (!slot)
    slot = prepare(op);
  const KernelCache::Entry &entry = *slot;
  if (!entry.kernel)
    return false;
  if (!entry.error.empty()) {
    ok = fail(op, entry.error);
    return true;
  }
  std::vector<rt::Tensor> operands, results(op.getNumResults());
  std::vector<int64_t> sizes;
  for (mlir::Value v : op.getOperands()) {
    if (v.getType().isIndex())
      sizes.push_back(index(v));
    else
      operands.push_back(tensor(v));
  }
  rt::abi::KernelCall call(*entry.descriptor, operands, results, context);
  call.expectedShapes = entry.shapes;
  if (!sizes.empty() && !call.expectedShapes.empty()) {
    size_t next = 0;
    for (int64_t &d : call.expectedShapes[0])
      if (d < 0 && next < sizes.size())
        d = sizes[next++];
  }
  if (!rt::abi::runKernel(*entry.kernel, call)) {
    ok = fail(op, call.error);
    return true;
  }
  for (unsigned i = 0; i < op.getNumResults(); ++i)
    set(op.getResult(i), std::move(results[i]));
  return true;
}
