//===- AST.h - Syntax tree of .nn files -------------------------*- C++ -*-===//
//
// The parser turns ANTLR's parse tree into this tree, so that nothing after
// parsing depends on ANTLR (whose headers need C++ exceptions). Nodes carry
// their source location; expressions use LLVM-style RTTI (isa/dyn_cast).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_LANG_AST_H
#define NNC_LANG_AST_H

#include "lang/Diagnostics.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace nnc::ast {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    Int,
    Float,
    String,
    Bool,
    None,
    Name,
    List,
    Call,
    Index,
    Named,
    Binary,
    Unary,
    Cond,
    Repeat,
    Choice
  };
  Expr(Kind kind, SourceLoc loc) : kind(kind), loc(loc) {}
  virtual ~Expr() = default;
  const Kind kind;
  SourceLoc loc;
};

template <Expr::Kind K> struct ExprBase : Expr {
  explicit ExprBase(SourceLoc loc) : Expr(K, loc) {}
  static bool classof(const Expr *e) { return e->kind == K; }
};

struct IntExpr : ExprBase<Expr::Kind::Int> {
  using ExprBase::ExprBase;
  int64_t value = 0;
};
struct FloatExpr : ExprBase<Expr::Kind::Float> {
  using ExprBase::ExprBase;
  double value = 0;
};
struct StringExpr : ExprBase<Expr::Kind::String> {
  using ExprBase::ExprBase;
  std::string value;
};
struct BoolExpr : ExprBase<Expr::Kind::Bool> {
  using ExprBase::ExprBase;
  bool value = false;
};
struct NoneExpr : ExprBase<Expr::Kind::None> {
  using ExprBase::ExprBase;
};
struct NameExpr : ExprBase<Expr::Kind::Name> {
  using ExprBase::ExprBase;
  std::string name;
};
struct ListExpr : ExprBase<Expr::Kind::List> {
  using ExprBase::ExprBase;
  std::vector<ExprPtr> elements;
};

struct Arg {
  std::string keyword; // empty for a positional argument
  SourceLoc keywordLoc;
  ExprPtr value;
};

struct CallExpr : ExprBase<Expr::Kind::Call> {
  using ExprBase::ExprBase;
  std::string callee;
  std::vector<Arg> args;
};

struct Subscript {
  bool isSlice = false;
  ExprPtr index;        // when !isSlice
  ExprPtr lo, hi, step; // when isSlice; each may be null
  SourceLoc loc;
};

struct IndexExpr : ExprBase<Expr::Kind::Index> {
  using ExprBase::ExprBase;
  ExprPtr base;
  std::vector<Subscript> subscripts;
};

/// `expr as label`: names the parameters created by `expr`.
struct NamedExpr : ExprBase<Expr::Kind::Named> {
  using ExprBase::ExprBase;
  ExprPtr value;
  std::string label;
  SourceLoc labelLoc;
};

struct BinaryExpr : ExprBase<Expr::Kind::Binary> {
  using ExprBase::ExprBase;
  std::string op; // + - * / // % @ ** == != < <= > >= and or
  ExprPtr lhs, rhs;
};

struct UnaryExpr : ExprBase<Expr::Kind::Unary> {
  using ExprBase::ExprBase;
  std::string op; // - + not
  ExprPtr operand;
};

struct CondExpr : ExprBase<Expr::Kind::Cond> {
  using ExprBase::ExprBase;
  ExprPtr thenValue, condition, elseValue;
};

/// `repeat N call(x, ...)` or `repeat A..B call(x, ...)`: applies the call
/// to its own output, copies named by their index.
struct RepeatExpr : ExprBase<Expr::Kind::Repeat> {
  using ExprBase::ExprBase;
  ExprPtr first, last; // `last` null for the `repeat N` form
  std::unique_ptr<CallExpr> call;
};

struct Candidate {
  std::string label;
  SourceLoc loc;
  ExprPtr value;
};

/// `choice { label: expr, ... }`: a search-space decision between candidates.
struct ChoiceExpr : ExprBase<Expr::Kind::Choice> {
  using ExprBase::ExprBase;
  std::vector<Candidate> candidates;
};

/// A type annotation: `int`, `float`, `bool`, `string`, `list[T]`,
/// `tensor`, or a tensor type such as `f32[B, 3, H, W]`.
struct TypeExpr {
  enum class Kind { Named, List, AnyTensor, Tensor };
  Kind kind = Kind::Named;
  SourceLoc loc;
  std::string name; // Named: int/float/bool/string; Tensor: dtype
  std::unique_ptr<TypeExpr> element; // List
  std::vector<ExprPtr> dims;         // Tensor
};

struct Param {
  std::string name;
  SourceLoc loc;
  std::unique_ptr<TypeExpr> type; // may be null
  ExprPtr defaultValue;           // may be null
};

struct Stmt {
  enum class Kind { Input, Output, Assign, Return, Assert };
  Kind kind;
  SourceLoc loc;
  std::vector<std::string> targets; // Input/Output: one name; Assign: 1..n
  std::vector<SourceLoc> targetLocs;
  std::unique_ptr<TypeExpr> type; // Input (required), Output (optional)
  std::vector<ExprPtr>
      values;          // Assign/Output: 1; Return: 1..n; Assert: condition
  std::string message; // Assert
};

/// A `block` (reusable, parameterised sub-network) or a `model` (an entry
/// point with inputs and outputs).
struct Callable {
  bool isModel = false;
  std::string name;
  SourceLoc loc;
  std::vector<Param> params;
  std::vector<std::unique_ptr<TypeExpr>> returnTypes;
  std::vector<Stmt> body;
  SourceLoc endLoc;
};

struct Const {
  std::string name;
  SourceLoc loc;
  std::unique_ptr<TypeExpr> type;
  ExprPtr value;
};

struct Import {
  std::string path;
  SourceLoc loc;
};

struct File {
  uint32_t fileId = 0;
  std::vector<Import> imports;
  std::vector<Const> consts;
  std::vector<std::unique_ptr<Callable>> callables;
};

/// Prints the tree in an indented, s-expression-like form (`--emit=ast`).
void print(const File &file, llvm::raw_ostream &os);
void print(const Expr &expr, llvm::raw_ostream &os);

} // namespace nnc::ast

#endif // NNC_LANG_AST_H
