//===- SemaTypes.cpp - Type annotations, indexing and shape helpers -------===//

#include "lang/SemaImpl.h"

#include "llvm/Support/Casting.h"

using namespace nnc;
using namespace nnc::sema;

const char *nnc::dtypeName(DType t) {
  switch (t) {
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I1:
    return "i1";
  case DType::I8:
    return "i8";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  }
  return "?";
}

std::optional<DType> nnc::parseDType(const std::string &name) {
  for (DType t : {DType::F16, DType::BF16, DType::F32, DType::F64, DType::I1,
                  DType::I8, DType::I32, DType::I64})
    if (name == dtypeName(t))
      return t;
  return std::nullopt;
}

std::string TensorType::str() const {
  return std::string(dtypeName(dtype)) + shapeString(shape);
}

std::string sema::dimsString(const std::vector<int64_t> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

std::optional<TensorType> Elaborator::evalTensorType(const ast::TypeExpr &type,
                                                     bool bindUnknown) {
  TensorType t;
  t.dtype = *parseDType(type.name);
  bool ok = true;
  for (auto &d : type.dims) {
    if (auto *n = llvm::dyn_cast<ast::NameExpr>(d.get());
        n && bindUnknown && !frame->vars.count(n->name) &&
        !lookupConstExists(n->name)) {
      // A new symbolic dimension, visible from here on.
      Dim sym = Dim::symbol(n->name);
      frame->vars[n->name] =
          Binding{Value::ofDim(sym), n->loc, true, false, "dimension"};
      t.shape.push_back(sym);
      continue;
    }
    Value v = evalExpr(*d, std::nullopt);
    if (v.isPoison()) {
      ok = false;
      continue;
    }
    if (v.kind != Value::Kind::Dim) {
      error(d->loc, "tensor dimension must be an integer or a dimension "
                    "name, but it is " +
                        describe(v));
      ok = false;
      continue;
    }
    if (v.dim.isConstant() && v.dim.value() <= 0) {
      error(d->loc, "tensor dimension must be positive, got " + v.dim.str());
      ok = false;
      continue;
    }
    t.shape.push_back(v.dim);
  }
  if (!ok || !checkShape(t.shape, type.loc))
    return std::nullopt;
  return t;
}

bool Elaborator::lookupConstExists(const std::string &name) const {
  return consts.count(name) != 0;
}

bool Elaborator::matchTensorType(int tensor, const ast::TypeExpr &type,
                                 SourceLoc loc, const std::string &what) {
  const TensorType &actual = graph.values[tensor];
  if (type.kind == ast::TypeExpr::Kind::AnyTensor)
    return true;
  if (type.kind != ast::TypeExpr::Kind::Tensor)
    return checkValueType(Value::ofTensor(tensor), type, loc, what);
  std::string dt = type.name;
  if (dt != dtypeName(actual.dtype)) {
    error(loc, what + " has element type " + dtypeName(actual.dtype) +
                   ", expected " + dt);
    return false;
  }
  if (type.dims.size() != actual.shape.size()) {
    error(loc, what + " has rank " + std::to_string(actual.shape.size()) +
                   " (" + actual.str() + "), expected rank " +
                   std::to_string(type.dims.size()));
    return false;
  }
  for (size_t i = 0; i < type.dims.size(); ++i) {
    auto &d = type.dims[i];
    if (auto *n = llvm::dyn_cast<ast::NameExpr>(d.get());
        n && !frame->vars.count(n->name) && !lookupConstExists(n->name)) {
      frame->vars[n->name] = Binding{Value::ofDim(actual.shape[i]), n->loc,
                                     true, false, "dimension"};
      continue;
    }
    Value v = evalExpr(*d, std::nullopt);
    if (v.isPoison())
      return false;
    if (v.kind != Value::Kind::Dim) {
      error(d->loc, "tensor dimension must be an integer or a dimension "
                    "name, but it is " +
                        describe(v));
      return false;
    }
    if (v.dim != actual.shape[i]) {
      auto &diag =
          error(loc, what + " has shape " + actual.str() + ", but dimension " +
                         std::to_string(i) + " should be " + v.dim.str());
      DiagnosticEngine::note(diag, d->loc, "expected dimension written here");
      return false;
    }
  }
  return true;
}

bool Elaborator::checkValueType(const Value &v, const ast::TypeExpr &type,
                                SourceLoc loc, const std::string &what) {
  using TK = ast::TypeExpr::Kind;
  if (v.isPoison())
    return false;
  auto mismatch = [&](const std::string &expected) {
    error(loc, what + " should be " + expected + ", but it is " + describe(v));
    return false;
  };
  switch (type.kind) {
  case TK::AnyTensor:
    return v.kind == Value::Kind::Tensor || mismatch("a tensor");
  case TK::Tensor:
    if (v.kind != Value::Kind::Tensor)
      return mismatch("a tensor " + type.name + "[...]");
    return matchTensorType(v.tensor, type, loc, what);
  case TK::List:
    if (type.name != "list") {
      // `f33[N]` parses like `list[N]`: the user meant a tensor type.
      std::string hint =
          closestMatch(type.name, {"list", "f16", "bf16", "f32", "f64", "i1",
                                   "i8", "i32", "i64"});
      auto &d = error(type.loc, "unknown type '" + type.name + "'");
      if (!hint.empty())
        DiagnosticEngine::note(d, type.loc, "did you mean '" + hint + "'?");
      return false;
    }
    if (v.kind != Value::Kind::List)
      return mismatch("a list");
    for (auto &e : v.elems)
      if (!checkValueType(e, *type.element, loc, "element of " + what))
        return false;
    return true;
  case TK::Named:
    if (type.name == "int")
      return v.kind == Value::Kind::Dim || mismatch("an int");
    if (type.name == "float")
      return v.kind == Value::Kind::Float || v.isInt() || mismatch("a float");
    if (type.name == "bool")
      return v.kind == Value::Kind::Bool || mismatch("a bool");
    if (type.name == "string")
      return v.kind == Value::Kind::String || mismatch("a string");
    if (type.name == "list")
      return v.kind == Value::Kind::List || mismatch("a list");
    {
      auto &d = error(type.loc, "unknown type '" + type.name + "'");
      std::string hint = closestMatch(
          type.name, {"int", "float", "bool", "string", "list", "tensor"});
      if (!hint.empty())
        DiagnosticEngine::note(d, type.loc, "did you mean '" + hint + "'?");
    }
    return false;
  }
  return false;
}

int Elaborator::reshape(int input, const Shape &shape, SourceLoc loc) {
  Node n;
  n.op = "reshape";
  n.loc = loc;
  n.operands = {input};
  for (auto &d : shape)
    if (!d.isConstant())
      n.sizeOperands.push_back(d);
  return emit(std::move(n), {{graph.values[input].dtype, shape}})[0];
}

int Elaborator::permute(int input, const std::vector<int64_t> &perm,
                        SourceLoc loc) {
  const TensorType &t = graph.values[input];
  Shape out;
  for (int64_t p : perm)
    out.push_back(t.shape[p]);
  Node n;
  n.op = "permute";
  n.loc = loc;
  n.operands = {input};
  n.attrs.push_back({"permutation", Attr::integers(perm)});
  return emit(std::move(n), {{t.dtype, out}})[0];
}

int Elaborator::sliceAxis(int input, int64_t axis, int64_t start, int64_t end,
                          int64_t step, SourceLoc loc) {
  TensorType t = graph.values[input];
  const Dim &d = t.shape[axis];
  if (d.isConstant()) {
    int64_t size = d.value();
    auto clamp = [&](int64_t i) {
      if (i < 0)
        i += size;
      return std::max<int64_t>(0, std::min(i, size));
    };
    int64_t s = clamp(start), e = clamp(end);
    t.shape[axis] = Dim::constant(e > s ? 1 + (e - s - 1) / step : 0);
  } else if (start >= 0 && end >= 0 && end != INT64_MAX) {
    // Known bounds inside a symbolic dim: the size is fixed if in range
    // (the executor checks the range at run time).
    t.shape[axis] =
        Dim::constant(end > start ? 1 + (end - start - 1) / step : 0);
  } else {
    t.shape[axis] = Dim::opaque(
        "slice(" + d.str() + ", " + std::to_string(start) + ", " +
        (end == INT64_MAX ? std::string("end") : std::to_string(end)) + ", " +
        std::to_string(step) + ")");
  }
  Node n;
  n.op = "slice";
  n.loc = loc;
  n.operands = {input};
  n.attrs = {{"axis", Attr::integer(axis)},
             {"start", Attr::integer(start)},
             {"end", Attr::integer(end)},
             {"step", Attr::integer(step)}};
  return emit(std::move(n), {t})[0];
}

Value Elaborator::evalIndex(const ast::IndexExpr &e) {
  Value base = evalExpr(*e.base, std::nullopt);
  if (base.isPoison())
    return base;
  if (base.kind == Value::Kind::List) {
    if (e.subscripts.size() != 1 || e.subscripts[0].isSlice) {
      error(e.loc, "a list takes one integer index");
      return Value::poison();
    }
    Value idx = evalExpr(*e.subscripts[0].index, std::nullopt);
    auto i = constInt(idx, e.subscripts[0].loc, "list index");
    if (!i)
      return Value::poison();
    int64_t n = base.elems.size();
    int64_t k = *i < 0 ? *i + n : *i;
    if (k < 0 || k >= n) {
      error(e.subscripts[0].loc, "index " + std::to_string(*i) +
                                     " is out of range for a list of " +
                                     std::to_string(n));
      return Value::poison();
    }
    return base.elems[k];
  }
  if (base.kind != Value::Kind::Tensor) {
    error(e.loc, "cannot index " + describe(base));
    return Value::poison();
  }
  int current = base.tensor;
  const int64_t rank = graph.values[current].shape.size();
  if (int64_t(e.subscripts.size()) > rank) {
    error(e.loc, "too many indices (" + std::to_string(e.subscripts.size()) +
                     ") for a tensor of rank " + std::to_string(rank));
    return Value::poison();
  }
  std::vector<bool> drop(rank, false);
  for (size_t axis = 0; axis < e.subscripts.size(); ++axis) {
    auto &s = e.subscripts[axis];
    auto evalOpt = [&](const ast::ExprPtr &x,
                       int64_t dflt) -> std::optional<int64_t> {
      if (!x)
        return dflt;
      return constInt(evalExpr(*x, std::nullopt), x->loc, "index");
    };
    const Dim &dim = graph.values[current].shape[axis];
    if (!s.isSlice) {
      auto i = evalOpt(s.index, 0);
      if (!i)
        return Value::poison();
      if (dim.isConstant() && (*i >= dim.value() || *i < -dim.value())) {
        error(s.loc, "index " + std::to_string(*i) +
                         " is out of range for dimension " +
                         std::to_string(axis) + " of size " + dim.str());
        return Value::poison();
      }
      int64_t end = *i == -1 ? INT64_MAX : *i + 1;
      current = sliceAxis(current, axis, *i, end, 1, s.loc);
      graph.values[current].shape[axis] = Dim::constant(1);
      drop[axis] = true;
      continue;
    }
    auto lo = evalOpt(s.lo, 0), hi = evalOpt(s.hi, INT64_MAX),
         step = evalOpt(s.step, 1);
    if (!lo || !hi || !step)
      return Value::poison();
    if (*step < 1) {
      error(s.loc, "slice step must be at least 1");
      return Value::poison();
    }
    if (*lo == 0 && *hi == INT64_MAX && *step == 1)
      continue;
    current = sliceAxis(current, axis, *lo, *hi, *step, s.loc);
    if (graph.values[current].shape[axis].isConstant() &&
        graph.values[current].shape[axis].value() == 0) {
      error(s.loc,
            "slice selects no elements of dimension " + std::to_string(axis));
      return Value::poison();
    }
  }
  if (std::find(drop.begin(), drop.end(), true) != drop.end()) {
    Shape out;
    for (int64_t i = 0; i < rank; ++i)
      if (!drop[i])
        out.push_back(graph.values[current].shape[i]);
    current = reshape(current, out, e.loc);
  }
  return Value::ofTensor(current);
}
