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

#include "passes/Passes.h"

#include "dialects/nnrt/NNRTDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/MathExtras.h"

namespace nnc {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

/// A loop nest to outline: the op and the values it reads from outside
/// itself, which become the function's arguments in this order.
struct LoopNest {
  Operation *op;
  llvm::SetVector<Value> arguments;
};

/// The op's operands, then the non-constant values its regions use from
/// above. A value used twice is one argument: that two operands are the
/// same buffer is part of what the function computes.
LoopNest collectArguments(linalg::LinalgOp op) {
  LoopNest nest{op.getOperation(), {}};
  nest.arguments.insert(op->getOperands().begin(), op->getOperands().end());
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  for (Value v : captured)
    if (!matchPattern(v, m_Constant()))
      nest.arguments.insert(v);
  return nest;
}

/// Whether `nest` computes what `outlined`'s single op does, with `nest`'s
/// i-th argument as the function's i-th argument.
bool isEquivalent(const LoopNest &nest, func::FuncOp outlined) {
  Block &entry = outlined.getBody().front();
  if (!llvm::equal(TypeRange(nest.arguments.getArrayRef()),
                   entry.getArgumentTypes()))
    return false;
  // The op comes after the constants cloned in, before the return.
  Operation *candidate = entry.getTerminator()->getPrevNode();
  DenseMap<Value, Value> equivalent;
  for (auto [value, arg] : llvm::zip(nest.arguments, entry.getArguments()))
    equivalent[value] = arg;
  auto check = [&](Value lhs, Value rhs) -> LogicalResult {
    if (Value mapped = equivalent.lookup(lhs))
      return success(mapped == rhs);
    // Constants captured by the body were cloned into the function.
    Attribute lhsValue, rhsValue;
    return success(matchPattern(lhs, m_Constant(&lhsValue)) &&
                   matchPattern(rhs, m_Constant(&rhsValue)) &&
                   lhsValue == rhsValue && lhs.getType() == rhs.getType());
  };
  auto mark = [&](Value lhs, Value rhs) { equivalent[lhs] = rhs; };
  return OperationEquivalence::isEquivalentTo(
      nest.op, candidate, check, mark, OperationEquivalence::IgnoreLocations);
}

/// A private function `name` holding a clone of `nest.op`, its constants
/// cloned in.
func::FuncOp outline(const LoopNest &nest, StringRef name) {
  Location loc = nest.op->getLoc();
  OpBuilder b(loc.getContext());
  auto type = b.getFunctionType(TypeRange(nest.arguments.getArrayRef()), {});
  auto func = func::FuncOp::create(loc, name, type);
  func.setPrivate();
  func->setAttr("llvm.linkage", LLVM::LinkageAttr::get(
                                    b.getContext(), LLVM::Linkage::Internal));
  // Kept out of line: inlining would give LLVM back one huge function.
  func->setAttr("passthrough", b.getStrArrayAttr({"noinline"}));
  Block *entry = func.addEntryBlock();
  OpBuilder body = OpBuilder::atBlockBegin(entry);
  IRMapping mapping;
  mapping.map(nest.arguments.getArrayRef(), entry->getArguments());
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(nest.op->getRegions(), captured);
  for (Value v : captured)
    if (!mapping.contains(v))
      body.clone(*v.getDefiningOp(), mapping);
  body.clone(*nest.op, mapping);
  func::ReturnOp::create(body, loc);
  return func;
}

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
    SymbolTable symbols(module);
    SmallVector<linalg::LinalgOp> ops;
    module.walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && op->getNumResults() == 0)
        ops.push_back(op);
    });

    // Outlined functions bucketed by a hash of the op without its operands;
    // equivalence is then checked exactly.
    DenseMap<llvm::hash_code, SmallVector<func::FuncOp, 1>> outlined;
    llvm::MapVector<func::FuncOp, SmallVector<func::CallOp>> calls;
    unsigned counter = 0;
    for (linalg::LinalgOp op : ops) {
      LoopNest nest = collectArguments(op);
      llvm::hash_code key =
          llvm::hash_combine(OperationEquivalence::computeHash(
                                 op, OperationEquivalence::ignoreHashValue,
                                 OperationEquivalence::ignoreHashValue,
                                 OperationEquivalence::IgnoreLocations),
                             nest.arguments.size());
      func::FuncOp callee;
      for (func::FuncOp candidate : outlined[key])
        if (isEquivalent(nest, candidate)) {
          callee = candidate;
          break;
        }
      if (!callee) {
        std::string name;
        do
          name = "nnc_loop_nest_" + std::to_string(counter++);
        while (symbols.lookup(name));
        callee = outline(nest, name);
        symbols.insert(callee);
        outlined[key].push_back(callee);
      }
      OpBuilder b(op);
      calls[callee].push_back(func::CallOp::create(
          b, op.getLoc(), callee, nest.arguments.getArrayRef()));
      op->erase();
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
