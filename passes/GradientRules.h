//===- GradientRules.h - Vector-Jacobian products of nn ops -----*- C++ -*-===//
//
// The backward sweep of nn-differentiate (Differentiate.cpp) asks one rule
// per forward op for the gradients of its operands, given the gradients of
// its results. A rule emits nn ops (gradient ops from NNGradOps.td, or
// compositions of forward ops) and hands each operand's gradient to
// GradientSweep::accumulate, which sums contributions and ignores operands
// no parameter flows into.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_PASSES_GRADIENTRULES_H
#define NNC_PASSES_GRADIENTRULES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace nnc {

class GradientSweep {
public:
  GradientSweep(mlir::OpBuilder &builder,
                const llvm::DenseSet<mlir::Value> &active)
      : b(builder), active(active) {}

  /// Whether a trainable parameter flows into `v` (only such values need a
  /// gradient).
  bool isActive(mlir::Value v) const { return active.contains(v); }
  /// The gradient accumulated for `v` so far; null when there is none.
  mlir::Value gradient(mlir::Value v) const { return grads.lookup(v); }
  /// The gradient of a result of an op that has some result gradient: zeros
  /// when this result got none.
  mlir::Value resultGradient(mlir::Value result);
  /// Adds `g` to the gradient of `v` when `v` is active.
  void accumulate(mlir::Value v, mlir::Value g);

  /// Emits an op by name with explicit result types.
  mlir::Operation *make(mlir::Location loc, llvm::StringRef name,
                        mlir::ValueRange operands, mlir::TypeRange types,
                        llvm::ArrayRef<mlir::NamedAttribute> attrs = {});
  /// A one-result op whose result has the type of `like`.
  mlir::Value makeLike(mlir::Location loc, llvm::StringRef name,
                       mlir::Value like, mlir::ValueRange operands,
                       llvm::ArrayRef<mlir::NamedAttribute> attrs = {});
  /// `g` summed to the shape of `like` (the adjoint of broadcasting); `g`
  /// itself when the types already agree.
  mlir::Value sumTo(mlir::Location loc, mlir::Value g, mlir::Value like);

  mlir::OpBuilder &b;

private:
  const llvm::DenseSet<mlir::Value> &active;
  llvm::DenseMap<mlir::Value, mlir::Value> grads;
};

/// Emits the gradients of `op`'s operands. Fails, reporting on the op, when
/// there is no rule for it.
mlir::LogicalResult differentiateOp(mlir::Operation *op, GradientSweep &sweep);
/// Whether `op`'s results are independent of the value of operand `index`
/// (so an active operand legitimately gets no gradient there).
bool isShapeOnlyOperand(mlir::Operation *op, unsigned index);

/// The rules of GradientRulesLayers.cpp (pointwise ops without a dedicated
/// rule, losses, structured layers); differentiateOp falls back to it.
mlir::LogicalResult differentiateLayerOp(mlir::Operation *op,
                                         GradientSweep &sweep);

} // namespace nnc

#endif // NNC_PASSES_GRADIENTRULES_H
