//===- Builtins.cpp - The operator table and argument binding -------------===//

#include "lang/Builtins.h"
#include "lang/SemaImpl.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/ErrorHandling.h"

using namespace nnc;
using namespace nnc::sema;

namespace nnc::sema::handlers {
#define BUILTIN(name, sig, handler) Value handler(Call &);
#include "lang/Builtins.def"
} // namespace nnc::sema::handlers

static Value parseDefault(llvm::StringRef text) {
  text = text.trim();
  if (text == "none")
    return Value::none();
  if (text == "true" || text == "false")
    return Value::boolean(text == "true");
  if (text.starts_with("\""))
    return Value::string(text.drop_front().drop_back().str());
  long long i;
  if (!text.getAsInteger(10, i))
    return Value::integer(i);
  double d = 0;
  text.getAsDouble(d);
  return Value::real(d);
}

static BuiltinSpec makeSpec(const char *name, const char *signature,
                            BuiltinHandler handler) {
  BuiltinSpec spec{name, signature, {}, handler};
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(signature).split(parts, ", ");
  for (llvm::StringRef part : parts) {
    ParamSpec p;
    auto [decl, dflt] = part.split(" = ");
    auto [pname, kind] = decl.split(": ");
    p.name = pname.trim().str();
    p.kind = kind.trim().str();
    if (part.contains(" = ")) {
      p.hasDefault = true;
      p.defaultValue = parseDefault(dflt);
    } else if (p.kind == "tensor?") {
      p.hasDefault = true;
    }
    spec.params.push_back(std::move(p));
  }
  return spec;
}

const std::map<std::string, BuiltinSpec> &sema::builtins() {
  static const std::map<std::string, BuiltinSpec> table = [] {
    std::map<std::string, BuiltinSpec> t;
#define BUILTIN(name, sig, handler)                                            \
  t.emplace(#name, makeSpec(#name, sig, &handlers::handler));
#include "lang/Builtins.def"
    return t;
  }();
  return table;
}

std::vector<std::pair<std::string, std::string>> nnc::builtinSignatures() {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto &[name, spec] : builtins())
    out.push_back({name, spec.signature});
  return out;
}

/// Checks that `v` fits the parameter kind, converting where the language
/// allows it (an int where a float is expected).
static bool coerce(Elaborator &el, const std::string &callee,
                   const ParamSpec &p, Value &v, SourceLoc loc) {
  if (v.kind == Value::Kind::None && p.hasDefault &&
      p.defaultValue.kind == Value::Kind::None)
    return true;
  auto fail = [&](const std::string &expected) {
    el.error(loc, "argument '" + p.name + "' of '" + callee + "' should be " +
                      expected + ", but it is " + el.describe(v));
    return false;
  };
  const std::string &k = p.kind;
  if (k == "tensor" || k == "tensor?")
    return v.kind == Value::Kind::Tensor || fail("a tensor");
  if (k == "int")
    return v.isInt() || fail("a known int");
  if (k == "dim")
    return v.kind == Value::Kind::Dim || fail("an int or a dimension");
  if (k == "float") {
    if (v.isInt())
      v = Value::real(double(v.dim.value()));
    return v.kind == Value::Kind::Float || fail("a float");
  }
  if (k == "bool")
    return v.kind == Value::Kind::Bool || fail("a bool");
  if (k == "string")
    return v.kind == Value::Kind::String || fail("a string");
  if (k == "ints") {
    if (v.isInt())
      return true;
    if (v.kind != Value::Kind::List || v.elems.empty())
      return fail("an int or a non-empty list of ints");
    for (auto &e : v.elems)
      if (!e.isInt())
        return fail("an int or a list of known ints");
    return true;
  }
  if (k == "dims") {
    if (v.kind != Value::Kind::List)
      return fail("a list of sizes");
    for (auto &e : v.elems)
      if (e.kind != Value::Kind::Dim)
        return fail("a list of ints or dimension names");
    return true;
  }
  if (k == "tensors") {
    if (v.kind != Value::Kind::List || v.elems.empty())
      return fail("a non-empty list of tensors");
    for (auto &e : v.elems)
      if (e.kind != Value::Kind::Tensor)
        return fail("a list of tensors");
    return true;
  }
  return true; // any
}

Value Elaborator::callBuiltin(
    const BuiltinSpec &spec, const ast::CallExpr &call,
    std::vector<std::pair<Value, SourceLoc>> positional,
    std::vector<std::tuple<std::string, Value, SourceLoc>> kw,
    const std::optional<std::string> &name) {
  NamePath names;
  if (name) {
    names = frame->names.child(*name);
  } else {
    names = frame->names;
    if (names.named) {
      names.named = false;
      names.unnamedCall = call.loc;
      names.unnamedCallee = spec.name;
    }
  }
  Call c(*this, spec, call.loc, names);
  const auto &params = spec.params;
  if (positional.size() > params.size()) {
    auto &d = error(positional[params.size()].second,
                    "too many arguments to '" + spec.name +
                        "': expected at "
                        "most " +
                        std::to_string(params.size()) + ", got " +
                        std::to_string(positional.size()));
    DiagnosticEngine::note(
        d, call.loc, "signature: " + spec.name + "(" + spec.signature + ")");
    return Value::poison();
  }
  c.values.resize(params.size());
  c.locs.assign(params.size(), call.loc);
  std::vector<bool> given(params.size(), false);
  for (size_t i = 0; i < positional.size(); ++i) {
    c.values[i] = positional[i].first;
    c.locs[i] = positional[i].second;
    given[i] = true;
  }
  for (auto &[key, value, kloc] : kw) {
    size_t i = 0;
    while (i < params.size() && params[i].name != key)
      ++i;
    if (i == params.size()) {
      auto &d = error(kloc, "'" + spec.name + "' has no parameter named '" +
                                key + "'");
      std::vector<std::string> names;
      for (auto &p : params)
        names.push_back(p.name);
      std::string hint = closestMatch(key, names);
      if (!hint.empty())
        DiagnosticEngine::note(d, kloc, "did you mean '" + hint + "'?");
      DiagnosticEngine::note(
          d, call.loc, "signature: " + spec.name + "(" + spec.signature + ")");
      return Value::poison();
    }
    if (given[i]) {
      error(kloc, "argument '" + key + "' of '" + spec.name +
                      "' given both by position and by keyword");
      return Value::poison();
    }
    c.values[i] = value;
    c.locs[i] = kloc;
    given[i] = true;
  }
  bool ok = true, poisoned = false;
  for (size_t i = 0; i < params.size(); ++i) {
    if (!given[i]) {
      if (!params[i].hasDefault) {
        auto &d = error(call.loc, "missing argument '" + params[i].name +
                                      "' in call to '" + spec.name + "'");
        DiagnosticEngine::note(d, call.loc,
                               "signature: " + spec.name + "(" +
                                   spec.signature + ")");
        return Value::poison();
      }
      c.values[i] = params[i].defaultValue;
      continue;
    }
    if (c.values[i].isPoison())
      poisoned = true;
    else
      ok &= coerce(*this, spec.name, params[i], c.values[i], c.locs[i]);
  }
  if (!ok || poisoned)
    return Value::poison();
  if (abortIfTooLarge(call.loc))
    return Value::poison();
  Value result = spec.handler(c);
  if (c.failed)
    return Value::poison();
  return result;
}

// --- Call ------------------------------------------------------------------

int Call::index(const char *param) const {
  for (size_t i = 0; i < spec.params.size(); ++i)
    if (spec.params[i].name == param)
      return i;
  // A handler asking for a parameter its signature lacks is a bug in the
  // table, caught by the unit test that calls every builtin.
  llvm::report_fatal_error(llvm::Twine("builtin '") + spec.name +
                           "' has no parameter '" + param + "'");
}

SourceLoc Call::argLoc(const char *param) const { return locs[index(param)]; }

int64_t Call::integer(const char *param) {
  const Value &v = arg(param);
  return v.isInt() ? v.dim.value() : 0;
}

std::vector<int64_t> Call::ints(const char *param, size_t n) {
  const Value &v = arg(param);
  if (v.isInt())
    return std::vector<int64_t>(n, v.dim.value());
  std::vector<int64_t> out;
  for (auto &e : v.elems)
    out.push_back(e.dim.value());
  if (out.size() != n) {
    error(param, "'" + std::string(param) + "' of '" + op() + "' needs " +
                     std::to_string(n) + " values, got " +
                     std::to_string(out.size()));
    return std::vector<int64_t>(n, 1);
  }
  return out;
}

std::optional<int64_t> Call::staticDim(int value, int64_t axis,
                                       const char *param,
                                       const std::string &what) {
  const Dim &d = shape(value)[axis];
  if (d.isConstant())
    return d.value();
  error(param, what + " (dimension " + std::to_string(axis) + " of " +
                   type(value).str() + ") must be a known integer for '" +
                   op() + "'");
  return std::nullopt;
}

std::optional<int64_t> Call::axis(const char *param, int64_t rank) {
  int64_t a = integer(param);
  if (a < -rank || a >= rank) {
    error(param, "dimension " + std::to_string(a) +
                     " is out of range for a tensor of rank " +
                     std::to_string(rank));
    return std::nullopt;
  }
  return a < 0 ? a + rank : a;
}

bool Call::oneOf(const char *param,
                 std::initializer_list<const char *> choices) {
  const std::string &s = str(param);
  std::vector<std::string> names;
  for (auto *c : choices) {
    if (s == c)
      return true;
    names.push_back(c);
  }
  std::string list;
  for (auto &n : names)
    list += (list.empty() ? "" : ", ") + ("\"" + n + "\"");
  error(param, "'" + std::string(param) + "' of '" + op() +
                   "' must be one of " + list + ", not \"" + s + "\"");
  return false;
}

Value Call::error(const char *param, std::string message) {
  return errorAt(param ? argLoc(param) : loc, std::move(message));
}

Value Call::errorAt(SourceLoc where, std::string message) {
  failed = true;
  el.error(where, std::move(message));
  return Value::poison();
}

int Call::parameter(const std::string &local, Shape shape, const char *init,
                    double scale, bool buffer, DType dtype) {
  // One naming problem is reported once per call, not once per tensor.
  if (failed)
    return -1;
  int id = el.createParameter(names, local, TensorType{dtype, std::move(shape)},
                              init, scale, buffer, loc, op());
  if (id < 0)
    failed = true;
  return id;
}

std::vector<int> Call::emit(const std::string &opName,
                            std::vector<int> operands,
                            std::vector<std::pair<std::string, Attr>> attrs,
                            const std::vector<TensorType> &results,
                            std::vector<int32_t> segments,
                            std::vector<Dim> sizeOperands) {
  if (failed)
    return std::vector<int>(results.size(), -1);
  for (int o : operands)
    if (o < 0) {
      failed = true;
      return std::vector<int>(results.size(), -1);
    }
  for (auto &r : results)
    if (!el.checkShape(r.shape, loc)) {
      failed = true;
      return std::vector<int>(results.size(), -1);
    }
  Node n;
  n.op = opName;
  n.loc = loc;
  n.operands = std::move(operands);
  n.attrs = std::move(attrs);
  n.segments = std::move(segments);
  n.sizeOperands = std::move(sizeOperands);
  return el.emit(std::move(n), results);
}

// --- Entry point -----------------------------------------------------------

std::optional<std::vector<Graph>>
nnc::checkProgram(Program &program, const Overrides &overrides) {
  Elaborator el(program, overrides);
  if (!el.checkDeclarations())
    return std::nullopt;
  std::vector<Graph> graphs;
  for (auto &[name, value] : overrides) {
    bool known = false;
    for (auto &c : program.mainFile()->callables)
      for (auto &p : c->params)
        known |= c->isModel && p.name == name;
    if (!known)
      program.diags.error(
          {}, "no model in '" +
                  program.sources.name(program.mainFile()->fileId) +
                  "' has a parameter '" + name + "' (given with -D)");
  }
  for (auto &c : program.mainFile()->callables) {
    if (!c->isModel)
      continue;
    if (auto g = el.elaborateModel(*c))
      graphs.push_back(std::move(*g));
  }
  if (program.diags.numErrors())
    return std::nullopt;
  return graphs;
}
