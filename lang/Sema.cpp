//===- Sema.cpp - Declarations, statements and calls ----------------------===//

#include "lang/SemaImpl.h"

#include "llvm/Support/Casting.h"

#include <cerrno>
#include <functional>

using namespace nnc;
using namespace nnc::sema;
using llvm::dyn_cast;
using llvm::isa;

bool Value::isPoison() const {
  if (kind == Kind::Poison)
    return true;
  if (kind == Kind::List)
    for (auto &e : elems)
      if (e.isPoison())
        return true;
  return false;
}

Elaborator::Elaborator(Program &program, const Overrides &overrides)
    : program(program), overrides(overrides) {}

Diagnostic &Elaborator::error(SourceLoc loc, std::string message) {
  Diagnostic &d = program.diags.error(loc, std::move(message));
  // Like C++ template instantiation notes: show how we got here.
  unsigned shown = 0;
  for (Frame *f = frame; f && f->caller && shown < 8; f = f->caller) {
    // An error at the call itself, or in binding its arguments, is not
    // inside the block.
    if (f->callLoc == loc || f == bindingFrame)
      continue;
    DiagnosticEngine::note(d, f->callLoc,
                           "in block '" + f->callable->name + "' called here");
    ++shown;
  }
  return d;
}

const ast::Callable *Elaborator::findCallable(const std::string &name) const {
  auto it = callables.find(name);
  return it == callables.end() ? nullptr : it->second;
}

std::vector<std::string> Elaborator::visibleNames() const {
  std::vector<std::string> names;
  for (auto &[n, _] : builtins())
    names.push_back(n);
  for (auto &[n, _] : callables)
    names.push_back(n);
  for (auto &[n, _] : consts)
    names.push_back(n);
  if (frame)
    for (auto &[n, _] : frame->vars)
      names.push_back(n);
  return names;
}

namespace {
/// Collects the names of all calls inside an expression.
void collectCalls(const ast::Expr &e, std::vector<const ast::CallExpr *> &out) {
  using K = ast::Expr::Kind;
  switch (e.kind) {
  case K::Call: {
    auto &c = llvm::cast<ast::CallExpr>(e);
    out.push_back(&c);
    for (auto &a : c.args)
      collectCalls(*a.value, out);
    return;
  }
  case K::List:
    for (auto &x : llvm::cast<ast::ListExpr>(e).elements)
      collectCalls(*x, out);
    return;
  case K::Index: {
    auto &ix = llvm::cast<ast::IndexExpr>(e);
    collectCalls(*ix.base, out);
    for (auto &s : ix.subscripts)
      for (auto *p : {&s.index, &s.lo, &s.hi, &s.step})
        if (*p)
          collectCalls(**p, out);
    return;
  }
  case K::Named:
    collectCalls(*llvm::cast<ast::NamedExpr>(e).value, out);
    return;
  case K::Binary:
    collectCalls(*llvm::cast<ast::BinaryExpr>(e).lhs, out);
    collectCalls(*llvm::cast<ast::BinaryExpr>(e).rhs, out);
    return;
  case K::Unary:
    collectCalls(*llvm::cast<ast::UnaryExpr>(e).operand, out);
    return;
  case K::Cond: {
    auto &c = llvm::cast<ast::CondExpr>(e);
    collectCalls(*c.condition, out);
    collectCalls(*c.thenValue, out);
    collectCalls(*c.elseValue, out);
    return;
  }
  case K::Repeat: {
    auto &r = llvm::cast<ast::RepeatExpr>(e);
    collectCalls(*r.first, out);
    if (r.last)
      collectCalls(*r.last, out);
    collectCalls(*r.call, out);
    return;
  }
  case K::Choice:
    for (auto &c : llvm::cast<ast::ChoiceExpr>(e).candidates)
      collectCalls(*c.value, out);
    return;
  default:
    return;
  }
}
} // namespace

bool Elaborator::checkDeclarations() {
  bool ok = true;
  std::map<std::string, SourceLoc> seen;
  auto declare = [&](const std::string &name, SourceLoc loc, const char *what) {
    if (builtins().count(name)) {
      error(loc, std::string(what) + " '" + name +
                     "' has the name of a built-in operator");
      ok = false;
      return false;
    }
    auto [it, inserted] = seen.emplace(name, loc);
    if (!inserted) {
      auto &d = error(loc, "redefinition of '" + name + "'");
      DiagnosticEngine::note(d, it->second, "previous definition is here");
      ok = false;
      return false;
    }
    return true;
  };
  for (auto &file : program.allFiles()) {
    for (auto &c : file->consts)
      if (declare(c.name, c.loc, "constant"))
        consts[c.name] = &c;
    for (auto &c : file->callables)
      if (declare(c->name, c->loc, c->isModel ? "model" : "block"))
        callables[c->name] = c.get();
  }

  // Recursion: a depth-first search over the block call graph.
  std::map<const ast::Callable *, std::vector<const ast::CallExpr *>> calls;
  for (auto &[name, callable] : callables) {
    std::vector<const ast::CallExpr *> all;
    for (auto &p : callable->params)
      if (p.defaultValue)
        collectCalls(*p.defaultValue, all);
    for (auto &s : callable->body)
      for (auto &v : s.values)
        collectCalls(*v, all);
    for (auto *c : all)
      if (auto *target = findCallable(c->callee); target && !target->isModel)
        calls[callable].push_back(c);
  }
  enum { White, Grey, Black };
  std::map<const ast::Callable *, int> colour;
  std::vector<std::pair<const ast::Callable *, const ast::CallExpr *>> stack;
  std::function<void(const ast::Callable *)> visit =
      [&](const ast::Callable *c) {
        colour[c] = Grey;
        for (auto *call : calls[c]) {
          const ast::Callable *target = findCallable(call->callee);
          if (colour[target] == Grey) {
            auto &d = error(call->loc, "recursive call: block '" +
                                           target->name + "' calls itself" +
                                           (target == c ? "" : " indirectly"));
            bool inCycle = false;
            for (auto &[frameCallable, frameCall] : stack) {
              inCycle |= frameCallable == target;
              if (inCycle)
                DiagnosticEngine::note(d, frameCall->loc,
                                       "'" + frameCallable->name + "' calls '" +
                                           frameCall->callee + "' here");
            }
            ok = false;
          } else if (colour[target] == White) {
            stack.push_back({c, call});
            visit(target);
            stack.pop_back();
          }
        }
        colour[c] = Black;
      };
  for (auto &[name, callable] : callables)
    if (colour[callable] == White)
      visit(callable);
  // Constants are evaluated once each, used or not, so a bad one is
  // reported even when nothing refers to it.
  unsigned before = program.diags.numErrors();
  for (auto &[name, c] : consts)
    lookupConst(name, c->loc);
  return ok && program.diags.numErrors() == before;
}

std::optional<Value> Elaborator::lookupConst(const std::string &name,
                                             SourceLoc use) {
  auto it = consts.find(name);
  if (it == consts.end())
    return std::nullopt;
  if (auto v = constValues.find(name); v != constValues.end())
    return v->second;
  if (constsInProgress.count(name)) {
    error(use, "constant '" + name + "' is defined in terms of itself");
    return Value::poison();
  }
  constsInProgress.insert(name);
  // Constants are evaluated outside any frame (they cannot see locals) and
  // outside any graph (they cannot create tensors).
  Frame *saved = frame;
  Region *savedRegion = region;
  Frame global;
  frame = &global;
  region = nullptr;
  Value v = evalExpr(*it->second->value, std::nullopt);
  if (it->second->type && !v.isPoison() &&
      !checkValueType(v, *it->second->type, it->second->loc,
                      "constant '" + name + "'"))
    v = Value::poison();
  frame = saved;
  region = savedRegion;
  constsInProgress.erase(name);
  constValues[name] = v;
  return v;
}

Value Elaborator::lookup(const std::string &name, SourceLoc loc) {
  if (auto it = frame->vars.find(name); it != frame->vars.end()) {
    it->second.used = true;
    return it->second.value;
  }
  if (auto v = lookupConst(name, loc))
    return *v;
  if (findCallable(name) || builtins().count(name)) {
    error(loc, "'" + name + "' is an operator or block; call it as '" + name +
                   "(...)'");
    return Value::poison();
  }
  auto &d = error(loc, "unknown name '" + name + "'");
  std::string hint = closestMatch(name, visibleNames());
  if (!hint.empty())
    DiagnosticEngine::note(d, loc, "did you mean '" + hint + "'?");
  return Value::poison();
}

void Elaborator::assign(const std::string &name, SourceLoc loc, Value value) {
  if (name == "_")
    return;
  auto &b = frame->vars[name];
  b.value = std::move(value);
  b.loc = loc;
  b.used = false;
  b.warnUnused = false;
}

bool Elaborator::abortIfTooLarge(SourceLoc loc) {
  if (aborted)
    return true;
  if (nodeCount > kMaxNodes) {
    error(loc, "model is too large: more than " + std::to_string(kMaxNodes) +
                   " operations after expanding blocks and repeats");
    aborted = true;
  }
  return aborted;
}

std::optional<Graph> Elaborator::elaborateModel(const ast::Callable &model) {
  graph = Graph();
  carriedDims.clear();
  graph.name = model.name;
  graph.loc = model.loc;
  region = &graph.body;
  paramDefs.clear();
  nodeCount = 0;
  aborted = false;
  unsigned errorsBefore = program.diags.numErrors();

  Frame top;
  top.callable = &model;
  frame = &top;
  for (auto &p : model.params) {
    Value v;
    if (auto it = overrides.find(p.name); it != overrides.end()) {
      const std::string &text = it->second;
      char *end = nullptr;
      errno = 0;
      long long i = std::strtoll(text.c_str(), &end, 10);
      if (end && *end == 0 && !text.empty() && errno == ERANGE) {
        error(p.loc, "-D" + p.name + "=" + text + ": integer too large");
        v = Value::poison();
      } else if (end && *end == 0 && !text.empty())
        v = Value::integer(i);
      else if (text == "true" || text == "false")
        v = Value::boolean(text == "true");
      else {
        double d = std::strtod(text.c_str(), &end);
        v = end && *end == 0 && !text.empty() ? Value::real(d)
                                              : Value::string(text);
      }
    } else if (p.defaultValue) {
      v = evalExpr(*p.defaultValue, std::nullopt);
    } else {
      error(p.loc, "model parameter '" + p.name +
                       "' needs a default value (or -D" + p.name + "=...)");
      v = Value::poison();
    }
    if (p.type && !v.isPoison() &&
        !checkValueType(v, *p.type, p.loc, "model parameter '" + p.name + "'"))
      v = Value::poison();
    top.vars[p.name] = Binding{v, p.loc, false, false, "parameter"};
  }

  execBody(model, nullptr);

  bool clean = program.diags.numErrors() == errorsBefore;
  for (auto &[name, b] : top.vars)
    if (clean && b.warnUnused && !b.used)
      program.diags.warning(b.loc, b.what + " '" + name + "' is never used");
  if (graph.outputs.empty() && !aborted &&
      program.diags.numErrors() == errorsBefore)
    error(model.loc, "model '" + model.name + "' has no 'output'");
  frame = nullptr;
  if (program.diags.numErrors() != errorsBefore)
    return std::nullopt;
  return std::move(graph);
}

void Elaborator::execBody(const ast::Callable &callable,
                          std::vector<Value> *returns) {
  bool returned = false;
  for (auto &stmt : callable.body) {
    if (aborted || program.diags.tooManyErrors())
      return;
    if (returned) {
      error(stmt.loc, "statement after 'return' is never reached");
      return;
    }
    execStmt(stmt, returns, returned);
  }
  if (!callable.isModel && !returned)
    error(callable.endLoc,
          "block '" + callable.name + "' ends without a 'return'");
}

void Elaborator::execStmt(const ast::Stmt &stmt, std::vector<Value> *returns,
                          bool &returned) {
  const bool inModel = frame->callable->isModel;
  switch (stmt.kind) {
  case ast::Stmt::Kind::Input: {
    if (!inModel) {
      error(stmt.loc, "'input' is only allowed in a model; blocks take "
                      "tensors as parameters");
      return;
    }
    const std::string &name = stmt.targets[0];
    if (stmt.type->kind != ast::TypeExpr::Kind::Tensor) {
      error(stmt.type->loc,
            "input '" + name + "' needs a tensor type such as f32[B, 784]");
      frame->vars[name] =
          Binding{Value::poison(), stmt.targetLocs[0], true, false, "input"};
      return;
    }
    if (frame->vars.count(name)) {
      auto &d = error(stmt.targetLocs[0], "redefinition of '" + name + "'");
      DiagnosticEngine::note(d, frame->vars[name].loc,
                             "previous definition is here");
      return;
    }
    auto type = evalTensorType(*stmt.type, /*bindUnknown=*/true);
    if (!type) {
      // Later uses see an invalid value, not an unknown name.
      frame->vars[name] =
          Binding{Value::poison(), stmt.targetLocs[0], true, false, "input"};
      return;
    }
    int id = graph.values.size();
    graph.values.push_back(*type);
    graph.inputs.push_back({name, id});
    noteDims(type->shape);
    frame->vars[name] =
        Binding{Value::ofTensor(id), stmt.targetLocs[0], false, true, "input"};
    return;
  }
  case ast::Stmt::Kind::Output: {
    if (!inModel) {
      error(stmt.loc, "'output' is only allowed in a model; blocks use "
                      "'return'");
      return;
    }
    const std::string &name = stmt.targets[0];
    Value v = stmt.values.empty() ? lookup(name, stmt.targetLocs[0])
                                  : evalExpr(*stmt.values[0], name);
    if (v.isPoison())
      return;
    if (v.kind != Value::Kind::Tensor) {
      error(stmt.values.empty() ? stmt.targetLocs[0] : stmt.values[0]->loc,
            "output '" + name + "' must be a tensor, but it is " + describe(v));
      return;
    }
    for (auto &[n, _] : graph.outputs)
      if (n == name) {
        error(stmt.targetLocs[0], "output '" + name + "' is defined twice");
        return;
      }
    if (stmt.type && !matchTensorType(v.tensor, *stmt.type, stmt.targetLocs[0],
                                      "output '" + name + "'"))
      return;
    graph.outputs.push_back({name, v.tensor});
    if (!stmt.values.empty())
      assign(name, stmt.targetLocs[0], v);
    if (frame->vars.count(name))
      frame->vars[name].used = true;
    return;
  }
  case ast::Stmt::Kind::Assign: {
    std::optional<std::string> name;
    // A repeat is named only by `as`; bare copies are `0`, `1`, ... like
    // nn.Sequential.
    if (stmt.targets.size() == 1 && stmt.targets[0] != "_" &&
        stmt.values[0]->kind != ast::Expr::Kind::Repeat)
      name = stmt.targets[0];
    Value v = evalExpr(*stmt.values[0], name);
    if (stmt.targets.size() == 1) {
      assign(stmt.targets[0], stmt.targetLocs[0], v);
      return;
    }
    if (v.isPoison()) {
      for (size_t i = 0; i < stmt.targets.size(); ++i)
        assign(stmt.targets[i], stmt.targetLocs[i], Value::poison());
      return;
    }
    if (v.kind != Value::Kind::List || v.elems.size() != stmt.targets.size()) {
      error(stmt.values[0]->loc, "cannot unpack " + describe(v) + " into " +
                                     std::to_string(stmt.targets.size()) +
                                     " names");
      for (size_t i = 0; i < stmt.targets.size(); ++i)
        assign(stmt.targets[i], stmt.targetLocs[i], Value::poison());
      return;
    }
    for (size_t i = 0; i < stmt.targets.size(); ++i)
      assign(stmt.targets[i], stmt.targetLocs[i], v.elems[i]);
    return;
  }
  case ast::Stmt::Kind::Return: {
    if (inModel) {
      error(stmt.loc, "'return' is only allowed in a block; models use "
                      "'output'");
      return;
    }
    returned = true;
    for (auto &e : stmt.values)
      returns->push_back(evalExpr(*e, std::nullopt));
    return;
  }
  case ast::Stmt::Kind::Assert: {
    Value c = evalExpr(*stmt.values[0], std::nullopt);
    if (c.isPoison())
      return;
    if (c.kind != Value::Kind::Bool) {
      error(stmt.values[0]->loc,
            "assert condition must be a bool, but it is " + describe(c));
      return;
    }
    if (!c.b)
      error(stmt.values[0]->loc,
            stmt.message.empty() ? "assertion failed" : stmt.message);
    return;
  }
  }
}

/// Splits a call's arguments into positional and keyword lists, evaluating
/// each; `threaded` replaces the first positional argument (repeat).
Value Elaborator::evalCall(const ast::CallExpr &call,
                           const std::optional<std::string> &name,
                           const Value *threaded) {
  if (!region) {
    error(call.loc, "a constant cannot call '" + call.callee +
                        "': constants are numbers, strings, bools and lists");
    return Value::poison();
  }
  const ast::Callable *block = findCallable(call.callee);
  auto builtin = builtins().find(call.callee);
  if (!block && builtin == builtins().end()) {
    auto &d =
        error(call.loc, "unknown operator or block '" + call.callee + "'");
    std::vector<std::string> names;
    for (auto &[n, _] : builtins())
      names.push_back(n);
    for (auto &[n, c] : callables)
      if (!c->isModel)
        names.push_back(n);
    std::string hint = closestMatch(call.callee, names);
    if (!hint.empty())
      DiagnosticEngine::note(d, call.loc, "did you mean '" + hint + "'?");
    return Value::poison();
  }
  if (block && block->isModel) {
    error(call.loc, "'" + call.callee +
                        "' is a model; only blocks and operators can be "
                        "called");
    return Value::poison();
  }
  std::vector<std::pair<Value, SourceLoc>> positional;
  std::vector<std::tuple<std::string, Value, SourceLoc>> keywords;
  for (size_t i = 0; i < call.args.size(); ++i) {
    auto &a = call.args[i];
    Value v = (i == 0 && threaded && a.keyword.empty())
                  ? *threaded
                  : evalExpr(*a.value, std::nullopt);
    if (a.keyword.empty()) {
      if (!keywords.empty()) {
        error(a.value->loc, "positional argument after keyword argument");
        return Value::poison();
      }
      positional.push_back({std::move(v), a.value->loc});
    } else {
      for (auto &[k, _, l] : keywords)
        if (k == a.keyword) {
          error(a.keywordLoc, "argument '" + a.keyword + "' given twice");
          return Value::poison();
        }
      keywords.push_back({a.keyword, std::move(v), a.keywordLoc});
    }
  }
  // Arguments that already failed still go through binding, so that a
  // misspelt keyword in the same call is reported in the same run.
  if (block)
    return callBlock(*block, call, std::move(positional), std::move(keywords),
                     name);
  return callBuiltin(builtin->second, call, std::move(positional),
                     std::move(keywords), name);
}

namespace {
/// Binds arguments to named parameters; shared by blocks and builtins.
template <typename ParamT, typename NameOf>
bool bindArguments(Elaborator &el, const std::string &callee, SourceLoc loc,
                   const std::vector<ParamT> &params, NameOf nameOf,
                   std::vector<std::pair<Value, SourceLoc>> &positional,
                   std::vector<std::tuple<std::string, Value, SourceLoc>> &kw,
                   std::vector<std::optional<std::pair<Value, SourceLoc>>> &out,
                   SourceLoc declLoc) {
  out.assign(params.size(), std::nullopt);
  if (positional.size() > params.size()) {
    auto &d = el.error(positional[params.size()].second,
                       "too many arguments to '" + callee +
                           "': expected at "
                           "most " +
                           std::to_string(params.size()) + ", got " +
                           std::to_string(positional.size()));
    if (declLoc.isValid())
      DiagnosticEngine::note(d, declLoc, "'" + callee + "' declared here");
    return false;
  }
  for (size_t i = 0; i < positional.size(); ++i)
    out[i] = positional[i];
  for (auto &[key, value, kloc] : kw) {
    size_t i = 0;
    while (i < params.size() && nameOf(params[i]) != key)
      ++i;
    if (i == params.size()) {
      auto &d = el.error(kloc, "'" + callee + "' has no parameter named '" +
                                   key + "'");
      std::vector<std::string> names;
      for (auto &p : params)
        names.push_back(nameOf(p));
      std::string hint = closestMatch(key, names);
      if (!hint.empty())
        DiagnosticEngine::note(d, kloc, "did you mean '" + hint + "'?");
      else if (declLoc.isValid())
        DiagnosticEngine::note(d, declLoc, "'" + callee + "' declared here");
      return false;
    }
    if (out[i]) {
      el.error(kloc, "argument '" + key + "' of '" + callee +
                         "' given both by position and by keyword");
      return false;
    }
    out[i] = std::make_pair(value, kloc);
  }
  (void)loc;
  return true;
}
} // namespace

Value Elaborator::callBlock(
    const ast::Callable &block, const ast::CallExpr &call,
    std::vector<std::pair<Value, SourceLoc>> positional,
    std::vector<std::tuple<std::string, Value, SourceLoc>> kw,
    const std::optional<std::string> &name) {
  std::vector<std::optional<std::pair<Value, SourceLoc>>> bound;
  if (!bindArguments(
          *this, block.name, call.loc, block.params,
          [](const ast::Param &p) { return p.name; }, positional, kw, bound,
          block.loc))
    return Value::poison();
  for (auto &b : bound)
    if (b && b->first.isPoison())
      return Value::poison();
  if (++depth > 64) {
    --depth;
    error(call.loc, "blocks nested more than 64 calls deep");
    return Value::poison();
  }

  Frame callee;
  callee.callable = &block;
  callee.caller = frame;
  callee.callLoc = call.loc;
  callee.scope = (frame->scope.empty() ? "" : frame->scope + "/") +
                 (name ? *name : block.name) + "#" +
                 std::to_string(++instanceCount);
  if (name) {
    callee.names = frame->names.child(*name);
  } else {
    callee.names = frame->names;
    if (callee.names.named) {
      callee.names.named = false;
      callee.names.unnamedCall = call.loc;
      callee.names.unnamedCallee = block.name;
    }
  }
  Frame *caller = frame;
  frame = &callee;
  bool ok = true;
  for (size_t i = 0; i < block.params.size(); ++i) {
    const ast::Param &p = block.params[i];
    Value v;
    SourceLoc argLoc = call.loc;
    if (bound[i]) {
      v = bound[i]->first;
      argLoc = bound[i]->second;
    } else if (p.defaultValue) {
      v = evalExpr(*p.defaultValue, std::nullopt);
    } else {
      frame = caller;
      auto &d = error(call.loc, "missing argument '" + p.name +
                                    "' in call to '" + block.name + "'");
      DiagnosticEngine::note(d, p.loc, "parameter declared here");
      frame = &callee;
      ok = false;
      break;
    }
    if (p.type && !v.isPoison()) {
      // Argument type errors are the caller's: report them at the call.
      frame = caller;
      bool typeOk = p.type->kind == ast::TypeExpr::Kind::Tensor &&
                            v.kind == Value::Kind::Tensor
                        ? true
                        : checkValueType(v, *p.type, argLoc,
                                         "argument '" + p.name + "' of '" +
                                             block.name + "'");
      frame = &callee;
      if (typeOk && p.type->kind == ast::TypeExpr::Kind::Tensor &&
          v.kind == Value::Kind::Tensor) {
        // Dim names in the parameter type bind in the callee's scope.
        bindingFrame = &callee;
        typeOk = matchTensorType(v.tensor, *p.type, argLoc,
                                 "argument '" + p.name + "' of '" + block.name +
                                     "'");
        bindingFrame = nullptr;
      }
      if (!typeOk) {
        ok = false;
        break;
      }
    }
    Binding b{v, p.loc, false, v.kind == Value::Kind::Tensor, "parameter"};
    callee.vars[p.name] = b;
  }
  std::vector<Value> returns;
  if (ok)
    execBody(block, &returns);
  for (auto &[n, b] : callee.vars)
    if (ok && b.warnUnused && !b.used)
      program.diags.warning(b.loc, "tensor parameter '" + n + "' of block '" +
                                       block.name + "' is never used");
  Value result = Value::poison();
  if (ok && returns.size() == block.returnTypes.size() + 0 &&
      !block.returnTypes.empty()) {
    for (size_t i = 0; i < returns.size(); ++i)
      if (!returns[i].isPoison() &&
          !checkValueType(
              returns[i], *block.returnTypes[i], block.returnTypes[i]->loc,
              "result " + std::to_string(i) + " of '" + block.name + "'"))
        returns[i] = Value::poison();
  } else if (ok && !block.returnTypes.empty() && !returns.empty()) {
    error(block.returnTypes[0]->loc,
          "block '" + block.name + "' declares " +
              std::to_string(block.returnTypes.size()) +
              " results but returns " + std::to_string(returns.size()));
    ok = false;
  }
  frame = caller;
  --depth;
  if (!ok || returns.empty())
    return Value::poison();
  result = returns.size() == 1 ? returns[0] : Value::list(returns);
  return result;
}
