//===- PlanMemory.cpp - One static workspace for intermediate buffers -----===//
//
// Greedy-by-size offset assignment over live intervals in the function's
// straight-line body (the compiled nn function is one block until linalg is
// lowered to loops). Buffers that escape (returned, or used inside nested
// regions) keep their own allocation.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace nnc {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

constexpr int64_t kAlignment = 64;

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t first = 0, last = 0; // live interval, positions in the block
  int64_t offset = 0;
};

int64_t alignUp(int64_t n) {
  return (n + kAlignment - 1) / kAlignment * kAlignment;
}

/// Bytes of a static memref with an identity layout, or -1.
int64_t sizeInBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      !type.getElementType().isIntOrFloat())
    return -1;
  int64_t elementBytes =
      std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
  return type.getNumElements() * elementBytes;
}

/// The live interval of `alloc` (positions of top-level ops in `block`) over
/// every use of it and of the views derived from it; nullopt if the buffer
/// escapes the function.
std::optional<std::pair<int64_t, int64_t>>
liveInterval(memref::AllocOp alloc, Block &block,
             const DenseMap<Operation *, int64_t> &position) {
  int64_t first = position.lookup(alloc), last = first;
  SmallVector<Value> worklist{alloc.getResult()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (isa<func::ReturnOp>(user) || user->getBlock() != &block)
        return std::nullopt;
      last = std::max(last, position.lookup(user));
      // Any memref an op derives from the buffer may alias it.
      for (Value result : user->getResults())
        if (isa<BaseMemRefType>(result.getType()))
          worklist.push_back(result);
    }
  }
  return std::make_pair(first, last);
}

struct PlanMemoryPass : nnc::impl::PlanMemoryBase<PlanMemoryPass> {
  void runOnOperation() override {
    // Only the compiled entry functions get a workspace argument: their
    // callers (the runtime) know to pass one, while a call of any other
    // function in the module would no longer match its signature.
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && func->hasAttr("nnc.signature"))
        plan(func);
  }

  void plan(func::FuncOp func) {
    Block &block = func.getBody().front();
    DenseMap<Operation *, int64_t> position;
    int64_t next = 0;
    for (Operation &op : block)
      position[&op] = next++;

    std::vector<Buffer> buffers;
    for (auto alloc : block.getOps<memref::AllocOp>()) {
      int64_t bytes = sizeInBytes(alloc.getType());
      if (bytes < 0 || !alloc.getDynamicSizes().empty())
        continue;
      auto interval = liveInterval(alloc, block, position);
      if (!interval)
        continue;
      buffers.push_back({alloc, alignUp(std::max<int64_t>(bytes, 1)),
                         interval->first, interval->second});
    }

    // Largest first; each buffer takes the lowest offset that does not
    // overlap a placed buffer whose lifetime intersects its own.
    std::vector<Buffer *> order;
    for (Buffer &b : buffers)
      order.push_back(&b);
    std::stable_sort(order.begin(), order.end(),
                     [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; });
    std::vector<Buffer *> placed;
    int64_t workspace = 0;
    for (Buffer *buffer : order) {
      std::vector<std::pair<int64_t, int64_t>> taken;
      for (Buffer *other : placed)
        if (other->first <= buffer->last && buffer->first <= other->last)
          taken.push_back({other->offset, other->offset + other->bytes});
      llvm::sort(taken);
      int64_t offset = 0;
      for (auto [begin, end] : taken) {
        if (offset + buffer->bytes <= begin)
          break;
        offset = std::max(offset, end);
      }
      buffer->offset = offset;
      workspace = std::max(workspace, offset + buffer->bytes);
      placed.push_back(buffer);
    }

    MLIRContext *ctx = func.getContext();
    auto workspaceType = MemRefType::get({workspace}, IntegerType::get(ctx, 8));
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(index, workspaceType, {}, func.getLoc())))
      return signalPassFailure();
    Value arena = block.getArgument(index);
    for (Buffer &buffer : buffers) {
      OpBuilder b(buffer.alloc);
      Value offset = arith::ConstantIndexOp::create(b, buffer.alloc.getLoc(),
                                                    buffer.offset);
      Value view = memref::ViewOp::create(b, buffer.alloc.getLoc(),
                                          buffer.alloc.getType(), arena, offset,
                                          ValueRange{});
      for (Operation *user :
           llvm::make_early_inc_range(buffer.alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    func->setAttr("nnc.workspace_bytes",
                  IntegerAttr::get(IntegerType::get(ctx, 64), workspace));
  }
};

} // namespace
