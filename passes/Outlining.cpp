//===- Outlining.cpp - Moving ops into shared private functions -----------===//

#include "passes/Outlining.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;
using namespace nnc;

/// The values `op` reads from outside itself: its operands, then what its
/// regions use from above.
static SmallVector<Value> readValues(Operation *op) {
  SmallVector<Value> values(op->getOperands());
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  values.append(captured.begin(), captured.end());
  return values;
}

OpGroup nnc::collectGroup(ArrayRef<Operation *> ops) {
  OpGroup group;
  group.ops.assign(ops.begin(), ops.end());
  llvm::SmallPtrSet<Operation *, 16> members(ops.begin(), ops.end());
  for (Operation *op : ops)
    for (Value v : readValues(op)) {
      Operation *def = v.getDefiningOp();
      if (!(def && members.contains(def)) && !matchPattern(v, m_Constant()))
        group.arguments.insert(v);
    }
  for (Operation *op : ops)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            return !members.contains(
                op->getBlock()->findAncestorOpInBlock(*user));
          }))
        group.results.push_back(result);
  return group;
}

bool nnc::areEquivalent(const OpGroup &lhs, const OpGroup &rhs) {
  if (lhs.ops.size() != rhs.ops.size() ||
      lhs.results.size() != rhs.results.size() ||
      !llvm::equal(TypeRange(lhs.arguments.getArrayRef()),
                   TypeRange(rhs.arguments.getArrayRef())))
    return false;
  DenseMap<Value, Value> equivalent;
  for (auto [l, r] : llvm::zip(lhs.arguments, rhs.arguments))
    equivalent[l] = r;
  auto check = [&](Value l, Value r) -> LogicalResult {
    if (Value mapped = equivalent.lookup(l))
      return success(mapped == r);
    // Constants are compared by value: each function has its own copy.
    Attribute lhsValue, rhsValue;
    return success(matchPattern(l, m_Constant(&lhsValue)) &&
                   matchPattern(r, m_Constant(&rhsValue)) &&
                   lhsValue == rhsValue && l.getType() == r.getType());
  };
  auto mark = [&](Value l, Value r) { equivalent[l] = r; };
  for (auto [l, r] : llvm::zip(lhs.ops, rhs.ops))
    if (!OperationEquivalence::isEquivalentTo(
            l, r, check, mark, OperationEquivalence::IgnoreLocations))
      return false;
  return llvm::all_of(llvm::zip(lhs.results, rhs.results), [&](auto pair) {
    return equivalent.lookup(std::get<0>(pair)) == std::get<1>(pair);
  });
}

llvm::hash_code nnc::hashGroup(const OpGroup &group) {
  llvm::hash_code hash =
      llvm::hash_combine(group.arguments.size(), group.results.size());
  for (Operation *op : group.ops)
    hash =
        llvm::hash_combine(hash, OperationEquivalence::computeHash(
                                     op, OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::IgnoreLocations));
  return hash;
}

/// The group an outlined function computes: the last `size` ops of its body
/// (after the constants cloned in) on its arguments.
static OpGroup bodyGroup(func::FuncOp function, size_t size) {
  Block &entry = function.getBody().front();
  OpGroup group;
  for (Operation &op : llvm::reverse(entry.without_terminator())) {
    if (group.ops.size() == size)
      break;
    group.ops.push_back(&op);
  }
  std::reverse(group.ops.begin(), group.ops.end());
  group.arguments.insert(entry.args_begin(), entry.args_end());
  llvm::append_range(group.results, entry.getTerminator()->getOperands());
  return group;
}

FunctionOutliner::FunctionOutliner(ModuleOp module, StringRef prefix)
    : symbols(module), prefix(prefix.str()) {}

func::FuncOp FunctionOutliner::getOrCreate(const OpGroup &group) {
  auto &bucket = outlined[hashGroup(group)];
  for (auto [function, size] : bucket)
    if (size == group.ops.size() &&
        areEquivalent(group, bodyGroup(function, size)))
      return function;
  func::FuncOp function = create(group);
  bucket.push_back({function, group.ops.size()});
  return function;
}

func::FuncOp FunctionOutliner::create(const OpGroup &group) {
  std::string name;
  do
    name = prefix + std::to_string(counter++);
  while (symbols.lookup(name));
  Location loc = group.ops.front()->getLoc();
  OpBuilder b(loc.getContext());
  auto type = b.getFunctionType(TypeRange(group.arguments.getArrayRef()),
                                TypeRange(group.results));
  auto function = func::FuncOp::create(loc, name, type);
  function.setPrivate();
  function->setAttr(
      "llvm.linkage",
      LLVM::LinkageAttr::get(b.getContext(), LLVM::Linkage::Internal));
  // Kept out of line: inlining would give LLVM back one huge function.
  function->setAttr("passthrough", b.getStrArrayAttr({"noinline"}));
  Block *entry = function.addEntryBlock();
  OpBuilder body = OpBuilder::atBlockBegin(entry);
  IRMapping mapping;
  mapping.map(group.arguments.getArrayRef(), entry->getArguments());
  llvm::SmallPtrSet<Operation *, 16> members(group.ops.begin(),
                                             group.ops.end());
  // What the group reads and is neither an argument nor its own value is a
  // constant (collectGroup), cloned in first.
  for (Operation *op : group.ops)
    for (Value v : readValues(op)) {
      Operation *def = v.getDefiningOp();
      if (!mapping.contains(v) && def && !members.contains(def))
        body.clone(*def, mapping);
    }
  for (Operation *op : group.ops)
    body.clone(*op, mapping);
  SmallVector<Value> results;
  for (Value v : group.results)
    results.push_back(mapping.lookup(v));
  func::ReturnOp::create(body, loc, results);
  symbols.insert(function);
  return function;
}

func::CallOp nnc::replaceByCall(const OpGroup &group, func::FuncOp callee) {
  Operation *last = group.ops.back();
  OpBuilder b(last->getBlock(), std::next(Block::iterator(last)));
  auto call = func::CallOp::create(b, group.ops.front()->getLoc(), callee,
                                   group.arguments.getArrayRef());
  for (auto [value, replacement] : llvm::zip(group.results, call.getResults()))
    Value(value).replaceAllUsesWith(replacement);
  for (Operation *op : llvm::reverse(group.ops))
    op->erase();
  return call;
}
