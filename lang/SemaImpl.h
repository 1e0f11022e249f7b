//===- SemaImpl.h - Internals shared by the elaborator and builtins -*- C++
//-*-===//
//
// Semantic analysis is an elaborating interpreter: it evaluates a model's
// statements with compile-time values (ints, floats, symbolic dims, lists,
// tensors with inferred types), inlines blocks, unrolls repeats and records
// every tensor operation as a node of a Graph. Each builtin operator checks
// its arguments and infers its result type in a handler (Builtins*.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_LANG_SEMAIMPL_H
#define NNC_LANG_SEMAIMPL_H

#include "lang/Sema.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace nnc::sema {

/// A compile-time value. Integers are constant Dims, so `B * 4` and `64 * 4`
/// are the same operation.
struct Value {
  enum class Kind { None, Dim, Float, Bool, String, List, Tensor, Poison };
  Kind kind = Kind::None;
  Dim dim;
  double f = 0;
  bool b = false;
  std::string s;
  std::vector<Value> elems; // List (also multiple results)
  int tensor = -1;

  static Value none() { return {}; }
  static Value poison() {
    Value v;
    v.kind = Kind::Poison;
    return v;
  }
  static Value ofDim(Dim d) {
    Value v;
    v.kind = Kind::Dim;
    v.dim = std::move(d);
    return v;
  }
  static Value integer(int64_t i) { return ofDim(Dim::constant(i)); }
  static Value real(double d) {
    Value v;
    v.kind = Kind::Float;
    v.f = d;
    return v;
  }
  static Value boolean(bool x) {
    Value v;
    v.kind = Kind::Bool;
    v.b = x;
    return v;
  }
  static Value string(std::string x) {
    Value v;
    v.kind = Kind::String;
    v.s = std::move(x);
    return v;
  }
  static Value list(std::vector<Value> xs) {
    Value v;
    v.kind = Kind::List;
    v.elems = std::move(xs);
    return v;
  }
  static Value ofTensor(int id) {
    Value v;
    v.kind = Kind::Tensor;
    v.tensor = id;
    return v;
  }

  bool isInt() const { return kind == Kind::Dim && dim.isConstant(); }
  bool isPoison() const;
};

/// The path that names parameters created in the current scope.
struct NamePath {
  bool named = true;
  std::string path;      // "" at the model's top level
  SourceLoc unnamedCall; // when !named: the call that lacks a name
  std::string unnamedCallee;

  /// The path extended by `label`; an empty label is this path itself.
  NamePath child(const std::string &label) const {
    NamePath p = *this;
    if (named && !label.empty())
      p.path = path.empty() ? label : path + "." + label;
    return p;
  }
};

struct Binding {
  Value value;
  SourceLoc loc;
  bool used = false;
  bool warnUnused = false; // model inputs and block tensor params
  std::string what;        // "input", "parameter"
};

/// One instance of a block or model being elaborated.
struct Frame {
  const ast::Callable *callable = nullptr;
  std::map<std::string, Binding> vars;
  NamePath names;
  SourceLoc callLoc; // where this block instance was called
  std::string scope; // Node::scope of the nodes elaborated in this instance
  Frame *caller = nullptr;
};

struct ParamSpec {
  std::string name;
  std::string kind; // tensor, tensor?, int, float, bool, string, ints, tensors,
                    // dims, dim, any
  bool hasDefault = false;
  Value defaultValue;
};

class Call;
using BuiltinHandler = Value (*)(Call &);

struct BuiltinSpec {
  std::string name;
  std::string signature;
  std::vector<ParamSpec> params;
  BuiltinHandler handler;
};

/// The table from Builtins.def, with parsed signatures.
const std::map<std::string, BuiltinSpec> &builtins();

class Elaborator {
public:
  Elaborator(Program &program, const Overrides &overrides);

  /// Checks program-wide properties: duplicate names, recursion.
  bool checkDeclarations();
  std::optional<Graph> elaborateModel(const ast::Callable &model);

  // --- Services for builtin handlers -------------------------------------
  DiagnosticEngine &diags() { return program.diags; }
  /// Reports an error, with notes that walk up the block instantiations.
  Diagnostic &error(SourceLoc loc, std::string message);
  const TensorType &typeOf(int value) const { return graph.values[value]; }
  /// Appends a node to the current region, creating its results.
  std::vector<int> emit(Node node, const std::vector<TensorType> &results);
  /// Declares a parameter named `path` and returns the value that reads it.
  int createParameter(const NamePath &names, const std::string &local,
                      TensorType type, std::string init, double scale,
                      bool buffer, SourceLoc loc, const std::string &callee);
  /// A rank-0 (or given-shape) constant tensor.
  int constant(DType dtype, double value, SourceLoc loc);
  /// Validates a shape produced by inference (sizes positive, bounded).
  bool checkShape(const Shape &shape, SourceLoc loc);
  NamePath currentNames() const { return frame->names; }
  std::string describe(const Value &v) const;

  // Shared tensor helpers used by several handlers.
  int reshape(int input, const Shape &shape, SourceLoc loc);
  int permute(int input, const std::vector<int64_t> &perm, SourceLoc loc);
  int sliceAxis(int input, int64_t axis, int64_t start, int64_t end,
                int64_t step, SourceLoc loc);
  Value binaryTensorOp(const std::string &op, Value lhs, Value rhs,
                       SourceLoc loc);
  std::optional<Shape> broadcastShapes(const Shape &a, const Shape &b,
                                       SourceLoc loc);

  Value evalExpr(const ast::Expr &expr, const std::optional<std::string> &name);
  static constexpr unsigned kMaxEvalDepth = 2048;

  static constexpr int64_t kMaxDim = int64_t(1) << 31;
  static constexpr int64_t kMaxRepeat = 1024;
  static constexpr size_t kMaxNodes = 200000;
  static constexpr int64_t kMaxParamElements = int64_t(1) << 32;
  /// Static element count of any one tensor (2^48: far beyond any machine).
  static constexpr int64_t kMaxElements = int64_t(1) << 48;

private:
  // Declarations.
  const ast::Callable *findCallable(const std::string &name) const;
  std::optional<Value> lookupConst(const std::string &name, SourceLoc use);
  bool lookupConstExists(const std::string &name) const;
  std::vector<std::string> visibleNames() const;

  // Statements and expressions.
  void execBody(const ast::Callable &callable, std::vector<Value> *returns);
  void execStmt(const ast::Stmt &stmt, std::vector<Value> *returns,
                bool &returned);
  void assign(const std::string &name, SourceLoc loc, Value value);
  Value lookup(const std::string &name, SourceLoc loc);
  Value evalBinary(const ast::BinaryExpr &e);
  Value evalUnary(const ast::UnaryExpr &e);
  Value evalIndex(const ast::IndexExpr &e);
  Value evalCall(const ast::CallExpr &call,
                 const std::optional<std::string> &name,
                 const Value *threaded = nullptr);
  Value evalRepeat(const ast::RepeatExpr &e,
                   const std::optional<std::string> &name);
  Value evalChoice(const ast::ChoiceExpr &e,
                   const std::optional<std::string> &name);
  Value callBlock(const ast::Callable &block, const ast::CallExpr &call,
                  std::vector<std::pair<Value, SourceLoc>> positional,
                  std::vector<std::tuple<std::string, Value, SourceLoc>> kw,
                  const std::optional<std::string> &name);
  Value callBuiltin(const BuiltinSpec &spec, const ast::CallExpr &call,
                    std::vector<std::pair<Value, SourceLoc>> positional,
                    std::vector<std::tuple<std::string, Value, SourceLoc>> kw,
                    const std::optional<std::string> &name);

  // Types.
  std::optional<TensorType> evalTensorType(const ast::TypeExpr &type,
                                           bool bindUnknown);
  bool checkValueType(const Value &v, const ast::TypeExpr &type, SourceLoc loc,
                      const std::string &what);
  bool matchTensorType(int tensor, const ast::TypeExpr &type, SourceLoc loc,
                       const std::string &what);
  std::optional<int64_t> constInt(const Value &v, SourceLoc loc,
                                  const std::string &what);
  bool abortIfTooLarge(SourceLoc loc);

  Program &program;
  const Overrides &overrides;
  std::map<std::string, const ast::Callable *> callables;
  std::map<std::string, const ast::Const *> consts;
  std::map<std::string, Value> constValues;
  std::set<std::string> constsInProgress;

  Graph graph;
  Region *region = nullptr;
  Frame *frame = nullptr;
  std::map<std::string, SourceLoc> paramDefs;
  size_t nodeCount = 0;
  size_t instanceCount = 0; // block instances, numbering Frame::scope
  bool aborted = false;
  unsigned depth = 0;
  unsigned exprDepth = 0;
  /// The block instance whose arguments are being bound (see error()).
  const Frame *bindingFrame = nullptr;
  /// Symbolic sizes that some tensor of the graph has (see emit()).
  std::set<Dim> carriedDims;
  void noteDims(const Shape &shape);
  Value evalExprImpl(const ast::Expr &expr,
                     const std::optional<std::string> &name);
};

/// The arguments of one builtin call, bound to its signature.
class Call {
public:
  Call(Elaborator &el, const BuiltinSpec &spec, SourceLoc loc, NamePath names)
      : el(el), spec(spec), loc(loc), names(std::move(names)) {}

  Elaborator &el;
  const BuiltinSpec &spec;
  SourceLoc loc;
  NamePath names;
  std::vector<Value> values;   // per ParamSpec, default filled in
  std::vector<SourceLoc> locs; // where each argument was written
  bool failed = false;

  const std::string &op() const { return spec.name; }
  int index(const char *param) const;
  const Value &arg(const char *param) const { return values[index(param)]; }
  SourceLoc argLoc(const char *param) const;
  bool isNone(const char *param) const {
    return arg(param).kind == Value::Kind::None;
  }

  int tensor(const char *param) const { return arg(param).tensor; }
  const TensorType &type(int value) const { return el.typeOf(value); }
  const Shape &shape(int value) const { return el.typeOf(value).shape; }
  int64_t rank(int value) const { return shape(value).size(); }
  int64_t integer(const char *param);
  double real(const char *param) const { return arg(param).f; }
  bool flag(const char *param) const { return arg(param).b; }
  const std::string &str(const char *param) const { return arg(param).s; }
  /// An int or list of ints, a scalar repeated `n` times.
  std::vector<int64_t> ints(const char *param, size_t n);
  /// A dimension of `value` that must be a known constant.
  std::optional<int64_t> staticDim(int value, int64_t axis, const char *param,
                                   const std::string &what);
  /// Normalises a possibly negative axis against `rank`.
  std::optional<int64_t> axis(const char *param, int64_t rank);
  /// Requires one of `choices` for a string argument.
  bool oneOf(const char *param, std::initializer_list<const char *> choices);
  /// An int or a list of ints, as written (a single int gives one value).
  std::vector<int64_t> intList(const char *param) const;
  /// An int argument in [lo, hi]; reports and gives nullopt otherwise.
  std::optional<int64_t> intIn(const char *param, int64_t lo,
                               int64_t hi = Elaborator::kMaxDim);
  /// A float argument that is finite (not inf or nan).
  std::optional<double> finiteReal(const char *param);
  /// Requires the tensor argument `param` to have a floating-point dtype.
  bool requireFloat(const char *param);

  Value error(const char *param, std::string message);
  Value errorAt(SourceLoc where, std::string message);

  int parameter(const std::string &local, Shape shape, const char *init,
                double scale, bool buffer = false, DType dtype = DType::F32);
  std::vector<int> emit(const std::string &op, std::vector<int> operands,
                        std::vector<std::pair<std::string, Attr>> attrs,
                        const std::vector<TensorType> &results,
                        std::vector<int32_t> segments = {},
                        std::vector<Dim> sizeOperands = {});
  int emit1(const std::string &op, std::vector<int> operands,
            std::vector<std::pair<std::string, Attr>> attrs,
            const TensorType &result) {
    auto r = emit(op, std::move(operands), std::move(attrs), {result});
    return r.empty() ? -1 : r[0];
  }
};

/// Shape helpers shared by handlers.
std::string dimsString(const std::vector<int64_t> &dims);

/// The result `id` of an emitted node as a value; poison where emitting
/// failed (id < 0).
inline Value tensorOrPoison(int id) {
  return id < 0 ? Value::poison() : Value::ofTensor(id);
}

/// The results `ids` of an emitted node as a list value; poison where any
/// failed.
inline Value tensorListOrPoison(const std::vector<int> &ids) {
  std::vector<Value> out;
  for (int id : ids) {
    if (id < 0)
      return Value::poison();
    out.push_back(Value::ofTensor(id));
  }
  return Value::list(std::move(out));
}

/// A float for a message: "0.5", "2", "1e-05" (shortest round-trip form).
inline std::string realString(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.17g", v);
  for (int precision = 1; precision < 17; ++precision) {
    char shorter[32];
    snprintf(shorter, sizeof shorter, "%.*g", precision, v);
    if (strtod(shorter, nullptr) == v)
      return shorter;
  }
  return buf;
}

/// The number of positions of a sliding window (convolution, pooling) along
/// a dim of size `in`: PyTorch's floor((in + 2p - d(k-1) - 1) / s) + 1, with
/// ceil_mode's rule that the last window starts inside the input or the left
/// padding. Symbolic sizes give the same Dim as the formula spelled in .nn
/// (`(H - 1) // 2 + 1`), so equal formulas compare equal. Arguments other
/// than `in` must be in [0, Elaborator::kMaxDim]; nullopt on overflow.
/// Defined in builtins/Conv.cpp.
std::optional<Dim> windowOutputSize(const Dim &in, int64_t kernel,
                                    int64_t stride, int64_t pad,
                                    int64_t dilation, bool ceilMode);

inline std::vector<int64_t> Call::intList(const char *param) const {
  const Value &v = arg(param);
  if (v.isInt())
    return {v.dim.value()};
  std::vector<int64_t> out;
  for (auto &e : v.elems)
    out.push_back(e.isInt() ? e.dim.value() : 0);
  return out;
}

inline std::optional<int64_t> Call::intIn(const char *param, int64_t lo,
                                          int64_t hi) {
  int64_t v = integer(param);
  if (v >= lo && v <= hi)
    return v;
  std::string what = "'" + std::string(param) + "' of '" + op() + "' must be ";
  if (v < lo)
    error(param, what + "at least " + std::to_string(lo) + ", got " +
                     std::to_string(v));
  else
    error(param, what + "at most " + std::to_string(hi) + ", got " +
                     std::to_string(v));
  return std::nullopt;
}

inline std::optional<double> Call::finiteReal(const char *param) {
  double v = real(param);
  if (std::isfinite(v))
    return v;
  error(param, "'" + std::string(param) + "' of '" + op() +
                   "' must be a finite number");
  return std::nullopt;
}

inline bool Call::requireFloat(const char *param) {
  const TensorType &t = type(tensor(param));
  if (isFloat(t.dtype))
    return true;
  error(param, "'" + op() + "' needs a floating-point tensor, but '" +
                   std::string(param) + "' is " + t.str());
  return false;
}

} // namespace nnc::sema

#endif // NNC_LANG_SEMAIMPL_H
