//===- OutlineRepeatedBlocks.cpp - One function per repeated block --------===//
//
// The front end inlines every block instance and records, in a NameLoc
// around each op's source location, the instance it came from
// (`cell0#3/edge_0_2#7`). Instances that compute the same thing (a DARTS
// cell's fourteen mixed ops, a ResNet stage's identical basic blocks, a
// transformer's layers) move into one shared function, so that everything
// after this pass, bufferization and LLVM above all, handles each distinct
// block once instead of once per instance.
//
//===----------------------------------------------------------------------===//

#include "passes/Outlining.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/MapVector.h"

namespace nnc {
#define GEN_PASS_DEF_OUTLINEREPEATEDBLOCKS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

/// The block instance path of `op`: one segment per enclosing instance.
SmallVector<StringRef> instancePath(Operation *op) {
  SmallVector<StringRef> path;
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    name.getName().getValue().split(path, '/');
  return path;
}

/// Whether `group` can become one call placed where its last op is: every
/// outside user of its results comes after that op, and no op between its
/// first and last moves across another one with side effects.
bool canReplaceByCall(const OpGroup &group) {
  Operation *first = group.ops.front(), *last = group.ops.back();
  Block *block = last->getBlock();
  for (Value result : group.results)
    for (Operation *user : result.getUsers())
      if (!last->isBeforeInBlock(block->findAncestorOpInBlock(*user)))
        return false;
  llvm::SmallPtrSet<Operation *, 16> members(group.ops.begin(),
                                             group.ops.end());
  bool groupHasEffects = llvm::any_of(
      group.ops, [](Operation *op) { return !isMemoryEffectFree(op); });
  for (Operation *op = first; op != last; op = op->getNextNode())
    if (!members.contains(op) && groupHasEffects && !isMemoryEffectFree(op))
      return false;
  return true;
}

/// The ops of one block instance.
struct Instance {
  StringRef path; // Node::scope, a prefix of its ops' NameLocs
  OpGroup group;
};

struct OutlineRepeatedBlocks
    : nnc::impl::OutlineRepeatedBlocksBase<OutlineRepeatedBlocks> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FunctionOutliner outliner(module, "nn_block_");
    SmallVector<func::FuncOp> functions;
    for (auto function : module.getOps<func::FuncOp>())
      if (!function.isExternal())
        functions.push_back(function);
    // Outermost instances first: a repeated instance is outlined whole, and
    // the instances inside one that is not repeated are tried next.
    for (unsigned depth = 1;; ++depth) {
      SmallVector<Instance> instances;
      for (func::FuncOp function : functions)
        for (Block &block : function.getBody())
          collectInstances(block, depth, instances);
      if (instances.empty())
        break;
      outlineRepeated(instances, outliner);
    }
  }

  /// The instances `depth` levels down in `block` that could become calls.
  static void collectInstances(Block &block, unsigned depth,
                               SmallVectorImpl<Instance> &instances) {
    llvm::MapVector<StringRef, SmallVector<Operation *>> byPrefix;
    for (Operation &op : block) {
      SmallVector<StringRef> path = instancePath(&op);
      if (path.size() < depth)
        continue;
      // The prefix is a view of the NameLoc's uniqued string.
      StringRef name = cast<NameLoc>(op.getLoc()).getName().getValue();
      StringRef prefix(name.data(), path[depth - 1].end() - name.data());
      byPrefix[prefix].push_back(&op);
    }
    for (auto &[prefix, ops] : byPrefix) {
      OpGroup group = collectGroup(ops);
      if (!group.results.empty() && canReplaceByCall(group))
        instances.push_back({prefix, std::move(group)});
    }
  }

  /// Replaces every instance that has an equivalent one by a call of a
  /// function they share.
  static void outlineRepeated(ArrayRef<Instance> instances,
                              FunctionOutliner &outliner) {
    // Classes of equivalent instances, bucketed by hash.
    llvm::MapVector<llvm::hash_code, SmallVector<SmallVector<unsigned>, 1>>
        buckets;
    for (unsigned i = 0; i < instances.size(); ++i) {
      auto &classes = buckets[hashGroup(instances[i].group)];
      auto *cls = llvm::find_if(classes, [&](const SmallVector<unsigned> &c) {
        return areEquivalent(instances[c.front()].group, instances[i].group);
      });
      if (cls == classes.end())
        classes.push_back({i});
      else
        cls->push_back(i);
    }
    for (auto &[hash, classes] : buckets)
      for (const SmallVector<unsigned> &cls : classes) {
        if (cls.size() < 2)
          continue;
        for (unsigned i : cls) {
          // An earlier replacement may have changed this instance's
          // arguments (the results of an instance it reads became a call's).
          const Instance &instance = instances[i];
          OpGroup group = collectGroup(instance.group.ops);
          Location loc = group.ops.front()->getLoc();
          func::CallOp call = replaceByCall(group, outliner.getOrCreate(group));
          // The call is the instance's own, not its first op's innermost
          // one: no deeper instance may take it in.
          call->setLoc(
              NameLoc::get(StringAttr::get(call.getContext(), instance.path),
                           cast<NameLoc>(loc).getChildLoc()));
        }
      }
  }
};

} // namespace
