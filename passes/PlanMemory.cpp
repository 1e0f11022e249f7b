//===- PlanMemory.cpp - One static workspace for intermediate buffers -----===//
//
// Greedy-by-size offset assignment over live intervals in the function's
// straight-line body (the compiled nn function is one block until linalg is
// lowered to loops). Buffers that escape (returned, or used inside nested
// regions) keep their own allocation. A function called from planned ones
// only is planned first, and its workspace is one more buffer, live for the
// call, of its caller's.
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

/// A buffer to place: an allocation, or the workspace a call needs.
struct Buffer {
  memref::AllocOp alloc;
  func::CallOp call;       // instead of alloc: the callee's workspace,
  int64_t calleeBytes = 0; // this many bytes
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
    ModuleOp module = getOperation();
    // The entry functions, and the private functions that only planned
    // functions call, get a workspace argument. `order` lists the functions
    // the entries reach, callees first (nn functions do not recurse).
    DenseMap<func::FuncOp, SmallVector<func::CallOp>> callsOf;
    module.walk([&](func::CallOp call) {
      if (auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee()))
        callsOf[callee].push_back(call);
    });
    SmallVector<func::FuncOp> order;
    llvm::SmallPtrSet<Operation *, 16> reached;
    std::function<void(func::FuncOp)> visit = [&](func::FuncOp function) {
      if (!reached.insert(function).second)
        return;
      function.walk([&](func::CallOp call) {
        auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
        if (callee && callee.isPrivate() && !callee.isExternal())
          visit(callee);
      });
      order.push_back(function);
    };
    for (auto function : module.getOps<func::FuncOp>())
      if (!function.isExternal() && function->hasAttr("nnc.signature"))
        visit(function);
    // Callers first, so that whether every caller is planned is known.
    llvm::SmallPtrSet<Operation *, 16> planned;
    for (func::FuncOp function : llvm::reverse(order))
      if (function->hasAttr("nnc.signature") ||
          llvm::all_of(callsOf[function], [&](func::CallOp call) {
            return planned.contains(call->getParentOfType<func::FuncOp>());
          }))
        planned.insert(function);
    // Callees first, so that a call knows its callee's workspace size.
    for (func::FuncOp function : order)
      if (planned.contains(function))
        plan(function);
  }

  /// The workspace size of a planned callee of `call`, if it has one.
  static std::optional<int64_t> calleeWorkspace(func::CallOp call) {
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    auto bytes = callee
                     ? callee->getAttrOfType<IntegerAttr>("nnc.workspace_bytes")
                     : IntegerAttr();
    if (!bytes)
      return std::nullopt;
    return bytes.getInt();
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
      buffers.push_back({alloc,
                         {},
                         0,
                         alignUp(std::max<int64_t>(bytes, 1)),
                         interval->first,
                         interval->second});
    }
    // A planned callee's workspace is live for the call. A call in a nested
    // region gets its own allocation, which buffer deallocation frees.
    auto workspaceType = [&](int64_t bytes) {
      return MemRefType::get({bytes}, IntegerType::get(func.getContext(), 8));
    };
    func.walk([&](func::CallOp call) {
      std::optional<int64_t> bytes = calleeWorkspace(call);
      if (!bytes)
        return;
      if (call->getBlock() == &block) {
        int64_t at = position.lookup(call);
        buffers.push_back(
            {{}, call, *bytes, alignUp(std::max<int64_t>(*bytes, 1)), at, at});
        return;
      }
      OpBuilder b(call);
      call.getOperandsMutable().append(
          memref::AllocOp::create(b, call.getLoc(), workspaceType(*bytes))
              .getResult());
    });

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
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(index, workspaceType(workspace), {},
                                   func.getLoc())))
      return signalPassFailure();
    Value arena = block.getArgument(index);
    for (Buffer &buffer : buffers) {
      if (buffer.call) {
        OpBuilder b(buffer.call);
        Location loc = buffer.call.getLoc();
        Value offset = arith::ConstantIndexOp::create(b, loc, buffer.offset);
        Value view =
            memref::ViewOp::create(b, loc, workspaceType(buffer.calleeBytes),
                                   arena, offset, ValueRange{});
        buffer.call.getOperandsMutable().append(view);
        continue;
      }
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
