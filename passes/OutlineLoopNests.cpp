//===- OutlineLoopNests.cpp - One function per distinct loop nest ---------===//
//
// Every linalg op on buffers becomes a call of a private, never-inlined
// function that holds it; structurally identical ops (same op, attributes,
// body and operand types, same pattern of repeated operands) share one
// function. A DARTS supernet repeats the same few loop nests hundreds of
// times, and LLVM's loop passes cost far more than linearly in the size of the
// function they run on: compiled once each, in small functions, the loop nests
// no longer dominate compile time.
//
//===----------------------------------------------------------------------===//

#include "passes/Outlining.h"
#include "passes/Passes.h"

#include "dialects/nnrt/NNRTDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/Support/MathExtras.h"

namespace nnc {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

/// A chunk of a parallel loop nest should run at least this many iterations
/// of the whole nest: handing a smaller one to another thread costs more
/// than it saves.
constexpr int64_t kMinIterationsPerChunk = 8192;

/// How to split a loop nest's outer loop over threads.
struct ParallelPlan {
  int64_t extent; // trip count of the outer loop
  int64_t grain;  // fewest outer iterations per chunk
};

/// The plan for running chunks of `op`'s outer loop (d0) in parallel, or
/// nullopt if that is unsafe or not worth it. Safe when d0 is a parallel
/// iterator that every buffer indexes, if at all, by one plain `d0` (so a
/// chunk is a slice of each buffer, and chunks write disjoint slices), and
/// the body does not read loop indices (linalg.index would see the chunk's).
std::optional<ParallelPlan> planParallel(linalg::LinalgOp op) {
  if (op.getNumLoops() == 0 ||
      op.getIteratorTypesArray().front() != utils::IteratorType::parallel)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  int64_t total = 1;
  for (int64_t range : ranges)
    total *= range;
  int64_t extent = ranges.front();
  if (extent < 2 || total < 2 * kMinIterationsPerChunk)
    return std::nullopt;
  if (op->walk([](linalg::IndexOp) {
          return WalkResult::interrupt();
        }).wasInterrupted())
    return std::nullopt;
  AffineExpr d0 = getAffineDimExpr(0, op.getContext());
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    int uses = 0;
    for (AffineExpr e : op.getMatchingIndexingMap(&operand).getResults()) {
      if (e == d0)
        ++uses;
      else if (e.isFunctionOfDim(0))
        return std::nullopt;
    }
    // An output without d0 would be written by every chunk.
    if (uses > 1 || (uses == 0 && op.isDpsInit(&operand)))
      return std::nullopt;
  }
  int64_t perOuterIteration = total / extent;
  int64_t grain = std::max<int64_t>(
      1, llvm::divideCeil(kMinIterationsPerChunk, perOuterIteration));
  return ParallelPlan{extent, grain};
}

/// Gives `function` (which holds `op` alone) two trailing index arguments,
/// begin and end, and makes `op` compute outer iterations [begin, end) only,
/// on slices of its buffers.
void restrictToChunk(func::FuncOp function, linalg::LinalgOp op) {
  Block &entry = function.getBody().front();
  Location loc = op.getLoc();
  OpBuilder b(op);
  Type index = b.getIndexType();
  Value begin = entry.addArgument(index, loc);
  Value end = entry.addArgument(index, loc);
  function.setType(b.getFunctionType(entry.getArgumentTypes(), {}));
  Value size = arith::SubIOp::create(b, loc, end, begin);
  AffineExpr d0 = b.getAffineDimExpr(0);
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type)
      continue;
    auto results = op.getMatchingIndexingMap(&operand).getResults();
    auto position = llvm::find(results, d0);
    if (position == results.end())
      continue;
    int64_t dim = position - results.begin();
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(type.getRank(), b.getIndexAttr(1));
    for (int64_t d : type.getShape())
      sizes.push_back(b.getIndexAttr(d));
    offsets[dim] = begin;
    sizes[dim] = size;
    operand.set(memref::SubViewOp::create(b, loc, operand.get(), offsets, sizes,
                                          strides));
  }
}

struct OutlineLoopNests
    : public nnc::impl::OutlineLoopNestsBase<OutlineLoopNests> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> ops;
    module.walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && op->getNumResults() == 0)
        ops.push_back(op);
    });

    FunctionOutliner outliner(module, "nnc_loop_nest_");
    llvm::MapVector<func::FuncOp, SmallVector<func::CallOp>> calls;
    for (linalg::LinalgOp op : ops) {
      OpGroup nest = collectGroup({op.getOperation()});
      func::FuncOp callee = outliner.getOrCreate(nest);
      calls[callee].push_back(replaceByCall(nest, callee));
    }

    // All calls of a function are of equivalent ops: one decision each.
    for (auto &[callee, sites] : calls) {
      auto op = cast<linalg::LinalgOp>(
          callee.getBody().front().getTerminator()->getPrevNode());
      std::optional<ParallelPlan> plan = planParallel(op);
      if (!plan)
        continue;
      restrictToChunk(callee, op);
      for (func::CallOp call : sites) {
        OpBuilder b(call);
        nnrt::ParallelCallOp::create(b, call.getLoc(), call.getCalleeAttr(),
                                     call.getOperands(),
                                     b.getI64IntegerAttr(plan->extent),
                                     b.getI64IntegerAttr(plan->grain));
        call.erase();
      }
    }
  }
};

} // namespace
