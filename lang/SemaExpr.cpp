//===- SemaExpr.cpp - Expressions, types and graph construction -----------===//

#include "lang/SemaImpl.h"

#include "llvm/Support/Casting.h"

#include <cmath>

using namespace nnc;
using namespace nnc::sema;
using llvm::cast;
using llvm::dyn_cast;

std::string Elaborator::describe(const Value &v) const {
  switch (v.kind) {
  case Value::Kind::None:
    return "none";
  case Value::Kind::Dim:
    return v.dim.isConstant() ? "the int " + v.dim.str()
                              : "the symbolic dimension " + v.dim.str();
  case Value::Kind::Float:
    return "a float";
  case Value::Kind::Bool:
    return "a bool";
  case Value::Kind::String:
    return "the string \"" + v.s + "\"";
  case Value::Kind::List:
    return "a list of " + std::to_string(v.elems.size());
  case Value::Kind::Tensor:
    return "a tensor " + graph.values[v.tensor].str();
  case Value::Kind::Poison:
    return "an invalid value";
  }
  return "?";
}

std::vector<int> Elaborator::emit(Node node,
                                  const std::vector<TensorType> &results) {
  ++nodeCount;
  // A size passed at run time must be computable there: MLIR emission reads
  // it off a tensor that has it, or multiplies the symbols of a product.
  for (auto &d : node.sizeOperands) {
    bool computable = d.isConstant() || carriedDims.count(d);
    if (!computable) {
      computable = true;
      for (auto &atom : d.symbols())
        computable &= carriedDims.count(Dim::symbol(atom)) != 0;
    }
    if (!computable)
      error(node.loc, "the size " + d.str() +
                          " cannot be computed when the model runs: sizes "
                          "given at run time must be dimensions of tensors "
                          "or products of them");
  }
  for (auto &t : results)
    noteDims(t.shape);
  for (auto &t : results) {
    node.results.push_back(graph.values.size());
    graph.values.push_back(t);
  }
  std::vector<int> ids = node.results;
  node.scope = frame->scope;
  region->nodes.push_back(std::move(node));
  return ids;
}

void Elaborator::noteDims(const Shape &shape) {
  for (auto &d : shape)
    if (!d.isConstant())
      carriedDims.insert(d);
}

int Elaborator::createParameter(const NamePath &names, const std::string &local,
                                TensorType type, std::string init, double scale,
                                bool buffer, SourceLoc loc,
                                const std::string &callee) {
  if (!names.named) {
    auto &d =
        error(names.unnamedCall, "call to '" + names.unnamedCallee +
                                     "' creates parameters but has no name");
    DiagnosticEngine::note(d, names.unnamedCall,
                           "bind it to a name ('fc = " + names.unnamedCallee +
                               "(...)') or add 'as NAME'");
    if (!(names.unnamedCall == loc))
      DiagnosticEngine::note(d, loc,
                             "parameter created by '" + callee + "' here");
    return -1;
  }
  std::string full = local.empty()        ? names.path
                     : names.path.empty() ? local
                                          : names.path + "." + local;
  if (full.empty()) {
    error(loc, "parameter created by '" + callee + "' needs a name");
    return -1;
  }
  int64_t elements = 1;
  for (auto &d : type.shape) {
    if (!d.isConstant()) {
      error(loc, "parameter '" + full + "' would have the symbolic shape " +
                     shapeString(type.shape) +
                     "; parameter shapes must be known integers");
      return -1;
    }
    if (__builtin_mul_overflow(elements, d.value(), &elements) ||
        elements > kMaxParamElements) {
      error(loc, "parameter '" + full + "' of shape " +
                     shapeString(type.shape) + " is too large");
      return -1;
    }
  }
  auto [it, inserted] = paramDefs.emplace(full, loc);
  if (!inserted) {
    auto &d = error(loc, "parameter '" + full + "' is already defined");
    DiagnosticEngine::note(d, it->second, "first defined here");
    DiagnosticEngine::note(d, loc,
                           "give this call a different name with 'as NAME'");
    return -1;
  }
  graph.params.push_back(
      Parameter{full, type, std::move(init), scale, buffer, loc});
  Node n;
  n.op = "param";
  n.loc = loc;
  n.attrs.push_back({"name", Attr::string(full)});
  return emit(std::move(n), {type})[0];
}

int Elaborator::constant(DType dtype, double value, SourceLoc loc) {
  Node n;
  n.op = "constant";
  n.loc = loc;
  TensorType t{dtype, {}};
  n.attrs.push_back({"value", Attr::dense(t, {value})});
  return emit(std::move(n), {t})[0];
}

bool Elaborator::checkShape(const Shape &shape, SourceLoc loc) {
  int64_t elements = 1;
  for (auto &d : shape) {
    if (!d.isConstant())
      continue;
    if (d.value() < 0 || d.value() > kMaxDim) {
      error(loc, "dimension " + d.str() + " in shape " + shapeString(shape) +
                     (d.value() < 0 ? " is negative" : " is too large"));
      return false;
    }
    if (__builtin_mul_overflow(elements, d.value(), &elements) ||
        elements > kMaxElements) {
      error(loc, "shape " + shapeString(shape) + " has too many elements");
      return false;
    }
  }
  return true;
}

std::optional<Shape> Elaborator::broadcastShapes(const Shape &a, const Shape &b,
                                                 SourceLoc loc) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const Dim *x = i < rank - a.size() ? nullptr : &a[i - (rank - a.size())];
    const Dim *y = i < rank - b.size() ? nullptr : &b[i - (rank - b.size())];
    if (!x || (x->isConstant() && x->value() == 1 && y)) {
      out[i] = *y;
    } else if (!y || (y->isConstant() && y->value() == 1)) {
      out[i] = *x;
    } else if (*x == *y) {
      out[i] = *x;
    } else {
      error(loc, "shapes " + shapeString(a) + " and " + shapeString(b) +
                     " cannot be broadcast: dimension " + std::to_string(i) +
                     " is " + x->str() + " in one and " + y->str() +
                     " in the other");
      return std::nullopt;
    }
  }
  return out;
}

Value Elaborator::binaryTensorOp(const std::string &op, Value lhs, Value rhs,
                                 SourceLoc loc) {
  // Scalars become rank-0 constants of the tensor's element type.
  auto toTensor = [&](Value &v, const Value &other) -> bool {
    if (v.kind == Value::Kind::Tensor)
      return true;
    DType dt = graph.values[other.tensor].dtype;
    if (v.kind == Value::Kind::Float || v.isInt()) {
      double x = v.kind == Value::Kind::Float ? v.f : double(v.dim.value());
      v = Value::ofTensor(constant(dt, x, loc));
      return true;
    }
    error(loc,
          "operator '" + op + "' cannot combine a tensor with " + describe(v));
    return false;
  };
  if (!toTensor(lhs, rhs) || !toTensor(rhs, lhs))
    return Value::poison();
  const TensorType &a = graph.values[lhs.tensor];
  const TensorType &b = graph.values[rhs.tensor];
  if (a.dtype != b.dtype) {
    error(loc, std::string("operator '") + op +
                   "' on tensors of different "
                   "element types " +
                   dtypeName(a.dtype) + " and " + dtypeName(b.dtype) +
                   "; convert one with to(x, \"" + dtypeName(a.dtype) + "\")");
    return Value::poison();
  }
  if (op == "@") {
    if (a.shape.size() < 2 || b.shape.size() < 2) {
      error(loc, "matmul needs operands of rank 2 or more, got " + a.str() +
                     " and " + b.str());
      return Value::poison();
    }
    const Dim &k1 = a.shape.back();
    const Dim &k2 = b.shape[b.shape.size() - 2];
    if (k1 != k2) {
      error(loc, "matmul inner dimensions do not match: " + a.str() + " @ " +
                     b.str() + " (" + k1.str() + " vs " + k2.str() + ")");
      return Value::poison();
    }
    Shape ba(a.shape.begin(), a.shape.end() - 2);
    Shape bb(b.shape.begin(), b.shape.end() - 2);
    auto batch = broadcastShapes(ba, bb, loc);
    if (!batch)
      return Value::poison();
    batch->push_back(a.shape[a.shape.size() - 2]);
    batch->push_back(b.shape.back());
    Node n;
    n.op = "matmul";
    n.loc = loc;
    n.operands = {lhs.tensor, rhs.tensor};
    return Value::ofTensor(emit(std::move(n), {{a.dtype, *batch}})[0]);
  }
  static const std::map<std::string, std::string> ops = {
      {"+", "add"}, {"-", "sub"}, {"*", "mul"}, {"/", "div"}, {"**", "pow"}};
  auto it = ops.find(op);
  if (it == ops.end()) {
    error(loc, "operator '" + op + "' is not defined on tensors");
    return Value::poison();
  }
  auto shape = broadcastShapes(a.shape, b.shape, loc);
  if (!shape)
    return Value::poison();
  Node n;
  n.op = it->second;
  n.loc = loc;
  n.operands = {lhs.tensor, rhs.tensor};
  return Value::ofTensor(emit(std::move(n), {{a.dtype, *shape}})[0]);
}

std::optional<int64_t> Elaborator::constInt(const Value &v, SourceLoc loc,
                                            const std::string &what) {
  if (v.isPoison())
    return std::nullopt;
  if (v.isInt())
    return v.dim.value();
  error(loc, what + " must be a known integer, but it is " + describe(v));
  return std::nullopt;
}

Value Elaborator::evalBinary(const ast::BinaryExpr &e) {
  const std::string &op = e.op;
  if (op == "and" || op == "or") {
    Value l = evalExpr(*e.lhs, std::nullopt);
    if (l.isPoison())
      return l;
    if (l.kind != Value::Kind::Bool) {
      error(e.lhs->loc, "'" + op + "' needs bools, but this is " + describe(l));
      return Value::poison();
    }
    // Short-circuit like Python, so `a > 0 and b / a == 2` is safe.
    if ((op == "and" && !l.b) || (op == "or" && l.b))
      return l;
    Value r = evalExpr(*e.rhs, std::nullopt);
    if (r.isPoison())
      return r;
    if (r.kind != Value::Kind::Bool) {
      error(e.rhs->loc, "'" + op + "' needs bools, but this is " + describe(r));
      return Value::poison();
    }
    return r;
  }
  Value l = evalExpr(*e.lhs, std::nullopt);
  Value r = evalExpr(*e.rhs, std::nullopt);
  if (l.isPoison() || r.isPoison())
    return Value::poison();
  if (l.kind == Value::Kind::Tensor || r.kind == Value::Kind::Tensor)
    return binaryTensorOp(op, l, r, e.loc);

  auto overflow = [&]() {
    error(e.loc, "integer overflow in '" + op + "'");
    return Value::poison();
  };
  bool lNum = l.kind == Value::Kind::Dim || l.kind == Value::Kind::Float;
  bool rNum = r.kind == Value::Kind::Dim || r.kind == Value::Kind::Float;

  if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" ||
      op == ">=") {
    bool eq;
    if (lNum && rNum &&
        (l.kind == Value::Kind::Float || r.kind == Value::Kind::Float ||
         (l.isInt() && r.isInt()))) {
      double a = l.kind == Value::Kind::Float ? l.f : double(l.dim.value());
      double b = r.kind == Value::Kind::Float ? r.f : double(r.dim.value());
      if (l.isInt() && r.isInt()) {
        int64_t x = l.dim.value(), y = r.dim.value();
        bool res = op == "=="   ? x == y
                   : op == "!=" ? x != y
                   : op == "<"  ? x < y
                   : op == "<=" ? x <= y
                   : op == ">"  ? x > y
                                : x >= y;
        return Value::boolean(res);
      }
      bool res = op == "=="   ? a == b
                 : op == "!=" ? a != b
                 : op == "<"  ? a < b
                 : op == "<=" ? a <= b
                 : op == ">"  ? a > b
                              : a >= b;
      return Value::boolean(res);
    }
    if (op == "==" || op == "!=") {
      if (l.kind == r.kind && l.kind == Value::Kind::Dim)
        eq = l.dim == r.dim;
      else if (l.kind == r.kind && l.kind == Value::Kind::String)
        eq = l.s == r.s;
      else if (l.kind == r.kind && l.kind == Value::Kind::Bool)
        eq = l.b == r.b;
      else if (l.kind == Value::Kind::None || r.kind == Value::Kind::None)
        eq = l.kind == r.kind;
      else {
        error(e.loc, "cannot compare " + describe(l) + " with " + describe(r));
        return Value::poison();
      }
      return Value::boolean(op == "==" ? eq : !eq);
    }
    error(e.loc, "cannot order " + describe(l) + " and " + describe(r));
    return Value::poison();
  }

  if (op == "+" && l.kind == Value::Kind::String &&
      r.kind == Value::Kind::String)
    return Value::string(l.s + r.s);
  if (op == "+" && l.kind == Value::Kind::List && r.kind == Value::Kind::List) {
    Value v = l;
    v.elems.insert(v.elems.end(), r.elems.begin(), r.elems.end());
    return v;
  }
  if (!lNum || !rNum) {
    error(e.loc, "operator '" + op + "' cannot combine " + describe(l) +
                     " and " + describe(r));
    return Value::poison();
  }
  if (l.kind == Value::Kind::Float || r.kind == Value::Kind::Float) {
    if (!(l.kind == Value::Kind::Float || l.isInt()) ||
        !(r.kind == Value::Kind::Float || r.isInt())) {
      error(e.loc, "operator '" + op +
                       "' cannot mix a symbolic dimension "
                       "with a float");
      return Value::poison();
    }
    double a = l.kind == Value::Kind::Float ? l.f : double(l.dim.value());
    double b = r.kind == Value::Kind::Float ? r.f : double(r.dim.value());
    double res;
    if (op == "+")
      res = a + b;
    else if (op == "-")
      res = a - b;
    else if (op == "*")
      res = a * b;
    else if (op == "/" || op == "//" || op == "%") {
      if (b == 0) {
        error(e.loc, "division by zero");
        return Value::poison();
      }
      res = op == "/"    ? a / b
            : op == "//" ? std::floor(a / b)
                         : a - std::floor(a / b) * b;
    } else if (op == "**")
      res = std::pow(a, b);
    else {
      error(e.loc, "operator '" + op + "' is not defined on numbers");
      return Value::poison();
    }
    if (!std::isfinite(res)) {
      error(e.loc, "result of '" + op + "' is not a finite number");
      return Value::poison();
    }
    return Value::real(res);
  }
  // Integers and symbolic dims.
  const Dim &a = l.dim, &b = r.dim;
  if (op == "+" || op == "-") {
    auto rb = op == "-" ? Dim::neg(b) : std::optional<Dim>(b);
    auto res = rb ? Dim::add(a, *rb) : std::nullopt;
    return res ? Value::ofDim(*res) : overflow();
  }
  if (op == "*") {
    auto res = Dim::mul(a, b);
    return res ? Value::ofDim(*res) : overflow();
  }
  if (op == "/" || op == "//" || op == "%") {
    if (b.isConstant() && b.value() == 0) {
      error(e.loc, "division by zero");
      return Value::poison();
    }
    if (op == "//") {
      auto res = Dim::floorDiv(a, b);
      return res ? Value::ofDim(*res) : overflow();
    }
    if (op == "%")
      return Value::ofDim(Dim::mod(a, b));
    if (a.isConstant() && a.value() == INT64_MIN && b.isConstant() &&
        b.value() == -1)
      return overflow();
    auto res = Dim::divExact(a, b);
    if (!res) {
      auto &d = error(e.loc, a.str() + " is not divisible by " + b.str());
      DiagnosticEngine::note(d, e.loc,
                             "'/' on integers must divide exactly; use '//' "
                             "to round down");
      return Value::poison();
    }
    return Value::ofDim(*res);
  }
  if (op == "**") {
    if (!a.isConstant() || !b.isConstant()) {
      error(e.loc, "'**' needs known integers");
      return Value::poison();
    }
    if (b.value() < 0)
      return Value::real(std::pow(double(a.value()), double(b.value())));
    int64_t result = 1;
    for (int64_t i = 0; i < b.value(); ++i) {
      if (__builtin_mul_overflow(result, a.value(), &result))
        return overflow();
      if (result == 0 || result == 1)
        break;
    }
    return Value::integer(result);
  }
  error(e.loc, "operator '" + op + "' is not defined on integers");
  return Value::poison();
}

Value Elaborator::evalUnary(const ast::UnaryExpr &e) {
  Value v = evalExpr(*e.operand, std::nullopt);
  if (v.isPoison())
    return v;
  if (e.op == "not") {
    if (v.kind != Value::Kind::Bool) {
      error(e.loc, "'not' needs a bool, but this is " + describe(v));
      return Value::poison();
    }
    return Value::boolean(!v.b);
  }
  if (e.op == "+")
    return v;
  if (v.kind == Value::Kind::Float)
    return Value::real(-v.f);
  if (v.kind == Value::Kind::Dim) {
    auto n = Dim::neg(v.dim);
    if (!n) {
      error(e.loc, "integer overflow in negation");
      return Value::poison();
    }
    return Value::ofDim(*n);
  }
  if (v.kind == Value::Kind::Tensor) {
    Node n;
    n.op = "neg";
    n.loc = e.loc;
    n.operands = {v.tensor};
    return Value::ofTensor(emit(std::move(n), {graph.values[v.tensor]})[0]);
  }
  error(e.loc, "cannot negate " + describe(v));
  return Value::poison();
}

Value Elaborator::evalExpr(const ast::Expr &expr,
                           const std::optional<std::string> &name) {
  if (aborted)
    return Value::poison();
  // Expression trees are at most 512 deep per statement, but blocks nest:
  // bound the total so the interpreter's own stack stays small.
  if (exprDepth >= kMaxEvalDepth) {
    error(expr.loc, "evaluation nested more than " +
                        std::to_string(kMaxEvalDepth) +
                        " levels deep (deeply nested blocks and expressions)");
    aborted = true;
    return Value::poison();
  }
  struct DepthGuard {
    unsigned &d;
    explicit DepthGuard(unsigned &d) : d(d) { ++d; }
    ~DepthGuard() { --d; }
  } guard(exprDepth);
  return evalExprImpl(expr, name);
}

Value Elaborator::evalExprImpl(const ast::Expr &expr,
                               const std::optional<std::string> &name) {
  using K = ast::Expr::Kind;
  switch (expr.kind) {
  case K::Int:
    return Value::integer(cast<ast::IntExpr>(expr).value);
  case K::Float:
    return Value::real(cast<ast::FloatExpr>(expr).value);
  case K::String:
    return Value::string(cast<ast::StringExpr>(expr).value);
  case K::Bool:
    return Value::boolean(cast<ast::BoolExpr>(expr).value);
  case K::None:
    return Value::none();
  case K::Name:
    return lookup(cast<ast::NameExpr>(expr).name, expr.loc);
  case K::List: {
    std::vector<Value> elems;
    for (auto &x : cast<ast::ListExpr>(expr).elements)
      elems.push_back(evalExpr(*x, std::nullopt));
    return Value::list(std::move(elems));
  }
  case K::Call:
    return evalCall(cast<ast::CallExpr>(expr), name);
  case K::Index:
    return evalIndex(cast<ast::IndexExpr>(expr));
  case K::Named: {
    auto &n = cast<ast::NamedExpr>(expr);
    using VK = ast::Expr::Kind;
    if (n.value->kind != VK::Call && n.value->kind != VK::Repeat &&
        n.value->kind != VK::Choice) {
      error(n.labelLoc, "'as " + n.label +
                            "' names a call, a repeat or a choice; this is "
                            "none of them");
      return Value::poison();
    }
    return evalExpr(*n.value, n.label);
  }
  case K::Binary:
    return evalBinary(cast<ast::BinaryExpr>(expr));
  case K::Unary:
    return evalUnary(cast<ast::UnaryExpr>(expr));
  case K::Cond: {
    auto &c = cast<ast::CondExpr>(expr);
    Value cond = evalExpr(*c.condition, std::nullopt);
    if (cond.isPoison())
      return cond;
    if (cond.kind != Value::Kind::Bool) {
      error(c.condition->loc,
            "condition must be a bool, but it is " + describe(cond));
      return Value::poison();
    }
    return evalExpr(cond.b ? *c.thenValue : *c.elseValue, name);
  }
  case K::Repeat:
    return evalRepeat(cast<ast::RepeatExpr>(expr), name);
  case K::Choice:
    return evalChoice(cast<ast::ChoiceExpr>(expr), name);
  }
  return Value::poison();
}

Value Elaborator::evalRepeat(const ast::RepeatExpr &e,
                             const std::optional<std::string> &name) {
  Value first = evalExpr(*e.first, std::nullopt);
  auto lo = constInt(first, e.first->loc, "repeat count");
  if (!lo)
    return Value::poison();
  int64_t begin = 0, end = *lo;
  if (e.last) {
    Value last = evalExpr(*e.last, std::nullopt);
    auto hi = constInt(last, e.last->loc, "repeat range end");
    if (!hi)
      return Value::poison();
    begin = *lo;
    end = *hi;
    if (begin < 0) {
      error(e.first->loc, "repeat range must start at 0 or more, not " +
                              std::to_string(begin));
      return Value::poison();
    }
  }
  int64_t count = end - begin;
  if (count < 0 || (count == 0 && !e.last)) {
    error(e.first->loc,
          "repeat count must be at least 1, got " + std::to_string(count));
    return Value::poison();
  }
  if (count > kMaxRepeat) {
    error(e.first->loc, "repeat count " + std::to_string(count) +
                            " exceeds the limit of " +
                            std::to_string(kMaxRepeat));
    return Value::poison();
  }
  if (e.call->args.empty() || !e.call->args[0].keyword.empty()) {
    error(e.call->loc, "the repeated call needs a positional first argument "
                       "to thread through the copies");
    return Value::poison();
  }
  Value current = evalExpr(*e.call->args[0].value, std::nullopt);
  if (current.isPoison())
    return current;
  // Copies are named `name.i`, or just `i` in the current scope.
  NamePath saved = frame->names;
  if (name)
    frame->names = frame->names.child(*name);
  for (int64_t i = begin; i < end && !aborted; ++i) {
    current = evalCall(*e.call, std::to_string(i), &current);
    if (current.isPoison())
      break;
    if (current.kind != Value::Kind::Tensor) {
      error(e.call->loc, "a repeated call must return one tensor, but '" +
                             e.call->callee + "' returns " + describe(current));
      current = Value::poison();
      break;
    }
    if (abortIfTooLarge(e.loc))
      break;
  }
  frame->names = saved;
  return current;
}

Value Elaborator::evalChoice(const ast::ChoiceExpr &e,
                             const std::optional<std::string> &name) {
  if (!region) {
    error(e.loc, "a constant cannot be a choice");
    return Value::poison();
  }
  if (!name) {
    error(e.loc, "a choice needs a name: bind it ('edge = choice {...}') or "
                 "add 'as NAME'");
    return Value::poison();
  }
  if (e.candidates.size() < 2) {
    error(e.loc, "a choice needs at least two candidates");
    return Value::poison();
  }
  std::map<std::string, SourceLoc> labels;
  for (auto &c : e.candidates) {
    auto [it, inserted] = labels.emplace(c.label, c.loc);
    if (!inserted) {
      auto &d = error(c.loc, "duplicate candidate '" + c.label + "'");
      DiagnosticEngine::note(d, it->second, "first candidate with this name");
      return Value::poison();
    }
  }
  Node node;
  node.op = "choice";
  node.loc = e.loc;
  NamePath choicePath = frame->names.child(*name);
  node.attrs.push_back({"name", Attr::string(choicePath.path)});
  std::vector<std::string> labelList;
  Region *outer = region;
  NamePath saved = frame->names;
  std::optional<TensorType> resultType;
  SourceLoc firstLoc;
  bool ok = true;
  for (auto &c : e.candidates) {
    labelList.push_back(c.label);
    node.regions.emplace_back();
    region = &node.regions.back();
    // A candidate's call is named by its label (`edge.sep_conv_3x3.weight`):
    // the empty name makes its root call own the label's path. A call
    // written `as NAME` anywhere in the candidate (also in a conditional)
    // nests below the label (`edge.avg_pool_3x3.bn.weight`).
    frame->names = choicePath.child(c.label);
    Value v = evalExpr(*c.value, std::string());
    if (v.isPoison()) {
      ok = false;
      continue;
    }
    if (v.kind != Value::Kind::Tensor) {
      error(c.value->loc, "candidate '" + c.label +
                              "' must give a tensor, but gives " + describe(v));
      ok = false;
      continue;
    }
    region->yield = v.tensor;
    const TensorType &t = graph.values[v.tensor];
    if (!resultType) {
      resultType = t;
      firstLoc = c.loc;
    } else if (t != *resultType) {
      auto &d = error(c.loc, "candidate '" + c.label + "' gives " + t.str() +
                                 " but the first candidate gives " +
                                 resultType->str());
      DiagnosticEngine::note(d, firstLoc, "first candidate here");
      ok = false;
    }
  }
  region = outer;
  frame->names = saved;
  if (!ok || !resultType)
    return Value::poison();
  node.attrs.push_back({"candidates", Attr::strs(labelList)});
  return Value::ofTensor(emit(std::move(node), {*resultType})[0]);
}
