//===- Outlining.h - Moving ops into shared private functions ---*- C++ -*-===//
//
// Two passes outline: nn-outline-repeated-blocks moves each instance of a
// repeated block into a call, nnc-outline-loop-nests each loop nest. Both
// deduplicate: ops that compute the same thing from their inputs call one
// function, so it is lowered and compiled once.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_PASSES_OUTLINING_H
#define NNC_PASSES_OUTLINING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace nnc {

/// Ops of one block to compute in a function of their own.
struct OpGroup {
  /// In program order.
  llvm::SmallVector<mlir::Operation *> ops;
  /// The values the ops read from outside the group, in order of first use
  /// (operands, then values their regions use from above): the function's
  /// arguments. A value read twice is one argument, so that two operands
  /// are the same value is part of what the function computes. Constants
  /// are not arguments: the function gets its own copy.
  llvm::SetVector<mlir::Value> arguments;
  /// The ops' results used outside the group, in program order: the
  /// function's results.
  llvm::SmallVector<mlir::Value> results;
};

/// The group of `ops` (in program order, all in one block).
OpGroup collectGroup(llvm::ArrayRef<mlir::Operation *> ops);

/// A hash of the group's ops, without their operands and locations: equal
/// for equivalent groups.
llvm::hash_code hashGroup(const OpGroup &group);

/// Whether `lhs` and `rhs` compute the same results from the same
/// arguments: the same ops with the same attributes, regions and types,
/// wired the same way, reading equal constants.
bool areEquivalent(const OpGroup &lhs, const OpGroup &rhs);

/// Outlined functions of one module, deduplicated: a group gets the
/// function of an equivalent group outlined before, or a new one.
class FunctionOutliner {
public:
  FunctionOutliner(mlir::ModuleOp module, llvm::StringRef prefix);

  /// The private, never-inlined function computing `group`: its arguments,
  /// the constants it reads cloned in, clones of its ops, returning its
  /// results.
  mlir::func::FuncOp getOrCreate(const OpGroup &group);

private:
  mlir::func::FuncOp create(const OpGroup &group);

  mlir::SymbolTable symbols;
  std::string prefix;
  unsigned counter = 0;
  /// Outlined functions bucketed by a hash of their ops without operands,
  /// with the number of ops each holds; equivalence is checked exactly.
  llvm::DenseMap<llvm::hash_code,
                 llvm::SmallVector<std::pair<mlir::func::FuncOp, size_t>, 1>>
      outlined;
};

/// Replaces `group` by a call of `callee` (which computes it) placed where
/// its last op was, and erases the ops. The caller checked that every user
/// of a result comes after that op.
mlir::func::CallOp replaceByCall(const OpGroup &group,
                                 mlir::func::FuncOp callee);

} // namespace nnc

#endif // NNC_PASSES_OUTLINING_H
