//===- Parser.cpp - .nn source to AST through ANTLR -----------------------===//
//
// Compiled with -fexceptions: ANTLR's runtime throws. Nothing here escapes as
// an exception; every problem becomes a located diagnostic.
//
//===----------------------------------------------------------------------===//

#include "lang/Parser.h"

#include "NNLexer.h"
#include "NNParser.h"
#include "antlr4-runtime.h"

#include "llvm/Support/ConvertUTF.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

using namespace nnc;
using namespace nnc::ast;

namespace {

/// Files beyond this size are refused before lexing: no model is that big and
/// the limit bounds the parser's memory on hostile input.
constexpr size_t kMaxSourceBytes = 8u << 20;
/// ANTLR's recursive-descent parser recurses once per nesting level; deeper
/// nesting than this is refused before parsing so it can never blow the stack.
constexpr int kMaxNesting = 128;
/// Limits on operator chains (see checkNesting) and on the depth of the
/// expression trees handed to semantic analysis, which recurses over them.
constexpr int kMaxOperatorChain = 256;
constexpr int kMaxExprDepth = 512;

class ErrorListener : public antlr4::BaseErrorListener {
public:
  ErrorListener(uint32_t fileId, DiagnosticEngine &diags)
      : fileId(fileId), diags(diags) {}

  void syntaxError(antlr4::Recognizer *, antlr4::Token *offending, size_t line,
                   size_t col, const std::string &msg,
                   std::exception_ptr) override {
    ++count;
    SourceLoc loc{fileId, uint32_t(line), uint32_t(col + 1), 1};
    if (offending && offending->getType() != antlr4::Token::EOF)
      loc.length = std::max<size_t>(1, offending->getText().size());
    diags.error(loc, rewrite(msg, offending));
  }

  unsigned count = 0;

private:
  /// ANTLR lists every token it could have accepted; past a handful that is
  /// noise, so long alternatives are cut to the offending token alone.
  static std::string rewrite(const std::string &msg, antlr4::Token *tok) {
    std::string text = tok ? tok->getText() : "";
    if (tok && tok->getType() == antlr4::Token::EOF)
      text = "end of file";
    else
      text = "'" + text + "'";
    if (msg.rfind("token recognition error", 0) == 0)
      return "invalid character in input";
    size_t expecting = msg.find(" expecting ");
    if (expecting != std::string::npos) {
      std::string want = msg.substr(expecting + 11);
      std::string head = "unexpected " + text;
      if (want.size() > 60)
        return head;
      return head + "; expected " + want;
    }
    if (msg.rfind("extraneous input", 0) == 0 ||
        msg.rfind("mismatched input", 0) == 0 ||
        msg.rfind("no viable alternative", 0) == 0)
      return "unexpected " + text;
    return msg;
  }

  uint32_t fileId;
  DiagnosticEngine &diags;
};

/// Converts ANTLR's parse tree into the AST.
class Builder {
public:
  Builder(uint32_t fileId, DiagnosticEngine &diags)
      : fileId(fileId), diags(diags) {}

  std::unique_ptr<File> build(NNParser::FileContext *ctx) {
    auto file = std::make_unique<File>();
    file->fileId = fileId;
    for (auto *imp : ctx->importDecl())
      file->imports.push_back(
          {unquote(imp->STRING()), loc(imp->STRING()->getSymbol())});
    for (auto *decl : ctx->topDecl()) {
      if (auto *c = decl->constDecl()) {
        Const k;
        k.name = c->ID()->getText();
        k.loc = loc(c->ID()->getSymbol());
        if (c->typeExpr())
          k.type = type(c->typeExpr());
        k.value = expr(c->expr());
        file->consts.push_back(std::move(k));
      } else if (auto *b = decl->blockDecl()) {
        auto callable = std::make_unique<Callable>();
        callable->name = b->ID()->getText();
        callable->loc = loc(b->ID()->getSymbol());
        if (b->paramList())
          params(b->paramList(), callable->params);
        if (auto *rt = b->returnTypes())
          for (auto *t : rt->typeExpr())
            callable->returnTypes.push_back(type(t));
        body(b->body(), *callable);
        file->callables.push_back(std::move(callable));
      } else if (auto *m = decl->modelDecl()) {
        auto callable = std::make_unique<Callable>();
        callable->isModel = true;
        callable->name = m->ID()->getText();
        callable->loc = loc(m->ID()->getSymbol());
        if (m->paramList())
          params(m->paramList(), callable->params);
        body(m->body(), *callable);
        file->callables.push_back(std::move(callable));
      }
    }
    return file;
  }

private:
  SourceLoc loc(antlr4::Token *tok) const {
    return {fileId, uint32_t(tok->getLine()),
            uint32_t(tok->getCharPositionInLine() + 1),
            uint32_t(std::max<size_t>(1, tok->getText().size()))};
  }
  SourceLoc loc(antlr4::ParserRuleContext *ctx) const {
    SourceLoc l = loc(ctx->getStart());
    auto *stop = ctx->getStop();
    if (stop && stop->getLine() == ctx->getStart()->getLine() &&
        stop->getStopIndex() >= ctx->getStart()->getStartIndex())
      l.length = stop->getStopIndex() - ctx->getStart()->getStartIndex() + 1;
    return l;
  }

  std::string unquote(antlr4::tree::TerminalNode *node) {
    std::string raw = node->getText();
    std::string out;
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      if (raw[i] != '\\') {
        out += raw[i];
        continue;
      }
      char c = raw[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    }
    return out;
  }

  void params(NNParser::ParamListContext *ctx, std::vector<Param> &out) {
    for (auto *p : ctx->param()) {
      Param param;
      param.name = p->ID()->getText();
      param.loc = loc(p->ID()->getSymbol());
      if (p->typeExpr())
        param.type = type(p->typeExpr());
      if (p->expr())
        param.defaultValue = expr(p->expr());
      out.push_back(std::move(param));
    }
  }

  void body(NNParser::BodyContext *ctx, Callable &callable) {
    callable.endLoc = loc(ctx->getStop());
    for (auto *s : ctx->stmt()) {
      Stmt stmt;
      stmt.loc = loc(s->getStart());
      if (auto *in = dynamic_cast<NNParser::InputStmtContext *>(s)) {
        stmt.kind = Stmt::Kind::Input;
        stmt.targets.push_back(in->ID()->getText());
        stmt.targetLocs.push_back(loc(in->ID()->getSymbol()));
        stmt.type = type(in->typeExpr());
      } else if (auto *out = dynamic_cast<NNParser::OutputStmtContext *>(s)) {
        stmt.kind = Stmt::Kind::Output;
        stmt.targets.push_back(out->ID()->getText());
        stmt.targetLocs.push_back(loc(out->ID()->getSymbol()));
        if (out->typeExpr())
          stmt.type = type(out->typeExpr());
        if (out->expr())
          stmt.values.push_back(expr(out->expr()));
      } else if (auto *as = dynamic_cast<NNParser::AssignStmtContext *>(s)) {
        stmt.kind = Stmt::Kind::Assign;
        for (auto *id : as->ID()) {
          stmt.targets.push_back(id->getText());
          stmt.targetLocs.push_back(loc(id->getSymbol()));
        }
        stmt.values.push_back(expr(as->expr()));
      } else if (auto *ret = dynamic_cast<NNParser::ReturnStmtContext *>(s)) {
        stmt.kind = Stmt::Kind::Return;
        for (auto *e : ret->expr())
          stmt.values.push_back(expr(e));
      } else if (auto *a = dynamic_cast<NNParser::AssertStmtContext *>(s)) {
        stmt.kind = Stmt::Kind::Assert;
        stmt.values.push_back(expr(a->expr()));
        if (a->STRING())
          stmt.message = unquote(a->STRING());
      } else {
        continue;
      }
      callable.body.push_back(std::move(stmt));
    }
  }

  std::unique_ptr<TypeExpr> type(NNParser::TypeExprContext *ctx) {
    auto t = std::make_unique<TypeExpr>();
    t->loc = loc(ctx);
    if (auto *tt = dynamic_cast<NNParser::TensorTypeContext *>(ctx)) {
      t->kind = TypeExpr::Kind::Tensor;
      t->name = tt->DTYPE()->getText();
      for (auto *d : tt->expr())
        t->dims.push_back(expr(d));
    } else if (dynamic_cast<NNParser::AnyTensorTypeContext *>(ctx)) {
      t->kind = TypeExpr::Kind::AnyTensor;
    } else if (auto *lt = dynamic_cast<NNParser::ListTypeContext *>(ctx)) {
      t->kind = TypeExpr::Kind::List;
      t->name = lt->ID()->getText();
      t->element = type(lt->typeExpr());
    } else if (auto *nt = dynamic_cast<NNParser::NamedTypeContext *>(ctx)) {
      t->kind = TypeExpr::Kind::Named;
      t->name = nt->ID()->getText();
    }
    return t;
  }

  template <typename T> std::unique_ptr<T> make(antlr4::ParserRuleContext *c) {
    return std::make_unique<T>(loc(c));
  }

  ExprPtr binary(antlr4::ParserRuleContext *ctx, std::string op,
                 NNParser::ExprContext *lhs, NNParser::ExprContext *rhs,
                 antlr4::Token *opTok) {
    auto e = make<BinaryExpr>(ctx);
    // Point binary-operator diagnostics at the operator itself.
    if (opTok)
      e->loc = loc(opTok);
    e->op = std::move(op);
    e->lhs = expr(lhs);
    e->rhs = expr(rhs);
    return e;
  }

  /// Converts an expression, refusing trees deeper than kMaxExprDepth (long
  /// binary chains): later stages recurse over the tree.
  ExprPtr expr(NNParser::ExprContext *ctx) {
    if (tooDeep)
      return std::make_unique<NoneExpr>(loc(ctx));
    if (++exprDepth > kMaxExprDepth) {
      tooDeep = true;
      diags.error(loc(ctx->getStart()),
                  "expression is nested more than " +
                      std::to_string(kMaxExprDepth) +
                      " levels deep; split it into several statements");
      --exprDepth;
      return std::make_unique<NoneExpr>(loc(ctx));
    }
    ExprPtr e = exprImpl(ctx);
    --exprDepth;
    return e;
  }

  ExprPtr exprImpl(NNParser::ExprContext *ctx) {
    if (auto *p = dynamic_cast<NNParser::PrimaryExprContext *>(ctx))
      return primary(p->primary());
    if (auto *ix = dynamic_cast<NNParser::IndexExprContext *>(ctx)) {
      auto e = make<IndexExpr>(ctx);
      e->base = expr(ix->expr());
      for (auto *s : ix->subscript()) {
        Subscript sub;
        sub.loc = loc(s);
        if (auto *is = dynamic_cast<NNParser::IndexSubscriptContext *>(s)) {
          sub.index = expr(is->expr());
        } else if (auto *ss =
                       dynamic_cast<NNParser::SliceSubscriptContext *>(s)) {
          sub.isSlice = true;
          if (ss->lo)
            sub.lo = expr(ss->lo);
          if (ss->hi)
            sub.hi = expr(ss->hi);
          if (ss->step)
            sub.step = expr(ss->step);
        }
        e->subscripts.push_back(std::move(sub));
      }
      return e;
    }
    if (auto *n = dynamic_cast<NNParser::NamedExprContext *>(ctx)) {
      auto e = make<NamedExpr>(ctx);
      e->value = expr(n->expr());
      e->label = n->label()->getText();
      e->labelLoc = loc(n->label());
      return e;
    }
    if (auto *p = dynamic_cast<NNParser::PowerExprContext *>(ctx))
      return binary(ctx, "**", p->expr(0), p->expr(1), nullptr);
    if (auto *u = dynamic_cast<NNParser::UnaryExprContext *>(ctx)) {
      auto e = make<UnaryExpr>(ctx);
      e->op = u->op->getText();
      e->operand = expr(u->expr());
      return e;
    }
    if (auto *n = dynamic_cast<NNParser::NotExprContext *>(ctx)) {
      auto e = make<UnaryExpr>(ctx);
      e->op = "not";
      e->operand = expr(n->expr());
      return e;
    }
    if (auto *m = dynamic_cast<NNParser::MulExprContext *>(ctx))
      return binary(ctx, m->op->getText(), m->expr(0), m->expr(1), m->op);
    if (auto *a = dynamic_cast<NNParser::AddExprContext *>(ctx))
      return binary(ctx, a->op->getText(), a->expr(0), a->expr(1), a->op);
    if (auto *c = dynamic_cast<NNParser::CompareExprContext *>(ctx))
      return binary(ctx, c->op->getText(), c->expr(0), c->expr(1), c->op);
    if (auto *a = dynamic_cast<NNParser::AndExprContext *>(ctx))
      return binary(ctx, "and", a->expr(0), a->expr(1), a->AND()->getSymbol());
    if (auto *o = dynamic_cast<NNParser::OrExprContext *>(ctx))
      return binary(ctx, "or", o->expr(0), o->expr(1), o->OR()->getSymbol());
    if (auto *c = dynamic_cast<NNParser::CondExprContext *>(ctx)) {
      auto e = make<CondExpr>(ctx);
      e->thenValue = expr(c->expr(0));
      e->condition = expr(c->expr(1));
      e->elseValue = expr(c->expr(2));
      return e;
    }
    return std::make_unique<NoneExpr>(loc(ctx));
  }

  std::unique_ptr<CallExpr> call(NNParser::CallContext *ctx) {
    auto e = make<CallExpr>(ctx);
    e->loc = loc(ctx->ID()->getSymbol());
    e->callee = ctx->ID()->getText();
    for (auto *a : ctx->arg()) {
      Arg arg;
      if (a->ID()) {
        arg.keyword = a->ID()->getText();
        arg.keywordLoc = loc(a->ID()->getSymbol());
      }
      arg.value = expr(a->expr());
      e->args.push_back(std::move(arg));
    }
    return e;
  }

  ExprPtr integer(antlr4::tree::TerminalNode *node) {
    auto e = std::make_unique<IntExpr>(loc(node->getSymbol()));
    std::string text = node->getText();
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
    if (errno == ERANGE || v > uint64_t(INT64_MAX)) {
      diags.error(e->loc, "integer literal '" + text + "' is too large");
      v = 0;
    }
    e->value = int64_t(v);
    return e;
  }

  ExprPtr repeatCount(NNParser::RepeatCountContext *ctx) {
    if (ctx->INT())
      return integer(ctx->INT());
    if (ctx->ID()) {
      auto e = std::make_unique<NameExpr>(loc(ctx->ID()->getSymbol()));
      e->name = ctx->ID()->getText();
      return e;
    }
    return expr(ctx->expr());
  }

  ExprPtr primary(NNParser::PrimaryContext *ctx) {
    if (auto *i = dynamic_cast<NNParser::IntLitContext *>(ctx))
      return integer(i->INT());
    if (auto *f = dynamic_cast<NNParser::FloatLitContext *>(ctx)) {
      auto e = make<FloatExpr>(ctx);
      e->value = std::strtod(f->FLOAT()->getText().c_str(), nullptr);
      if (!std::isfinite(e->value))
        diags.error(e->loc, "float literal '" + f->FLOAT()->getText() +
                                "' is out of range");
      return e;
    }
    if (auto *s = dynamic_cast<NNParser::StringLitContext *>(ctx)) {
      auto e = make<StringExpr>(ctx);
      e->value = unquote(s->STRING());
      return e;
    }
    if (auto *b = dynamic_cast<NNParser::BoolLitContext *>(ctx)) {
      auto e = make<BoolExpr>(ctx);
      e->value = b->TRUE() != nullptr;
      return e;
    }
    if (dynamic_cast<NNParser::NoneLitContext *>(ctx))
      return make<NoneExpr>(ctx);
    if (auto *c = dynamic_cast<NNParser::CallPrimaryContext *>(ctx))
      return call(c->call());
    if (auto *n = dynamic_cast<NNParser::NameRefContext *>(ctx)) {
      auto e = make<NameExpr>(ctx);
      e->name = n->ID()->getText();
      return e;
    }
    if (auto *l = dynamic_cast<NNParser::ListLitContext *>(ctx)) {
      auto e = make<ListExpr>(ctx);
      for (auto *x : l->expr())
        e->elements.push_back(expr(x));
      return e;
    }
    if (auto *p = dynamic_cast<NNParser::ParenExprContext *>(ctx))
      return expr(p->expr());
    if (auto *r = dynamic_cast<NNParser::RepeatExprContext *>(ctx)) {
      auto e = std::make_unique<RepeatExpr>(loc(r->REPEAT()->getSymbol()));
      e->first = repeatCount(r->repeatCount(0));
      if (r->repeatCount().size() > 1)
        e->last = repeatCount(r->repeatCount(1));
      e->call = call(r->call());
      return e;
    }
    if (auto *c = dynamic_cast<NNParser::ChoiceExprContext *>(ctx)) {
      auto e = std::make_unique<ChoiceExpr>(loc(c->CHOICE()->getSymbol()));
      for (auto *cand : c->candidate()) {
        auto *label = cand->ID() ? cand->ID() : cand->NONE();
        e->candidates.push_back(
            {label->getText(), loc(label->getSymbol()), expr(cand->expr())});
      }
      return e;
    }
    return make<NoneExpr>(ctx);
  }

  uint32_t fileId;
  DiagnosticEngine &diags;
  int exprDepth = 0;
  bool tooDeep = false;

public:
  bool failed() const { return tooDeep; }
};

/// Refuses input that would make ANTLR's recursive-descent parser recurse
/// too deeply, before it runs: brackets nested deeper than kMaxNesting, and
/// long chains of the operators the parser handles by recursion (prefix
/// `-`/`+`/`not`, right-associative `**` and `if ... else`). Binary chains
/// such as `a + b + c` are parsed by a loop; the tree depth they produce is
/// bounded by the AST builder.
bool checkNesting(antlr4::CommonTokenStream &tokens, uint32_t fileId,
                  DiagnosticEngine &diags) {
  int depth = 0;
  int chain = 0;
  std::string previous;
  auto report = [&](antlr4::Token *tok, const std::string &what) {
    diags.error({fileId, uint32_t(tok->getLine()),
                 uint32_t(tok->getCharPositionInLine() + 1), 1},
                what);
    return false;
  };
  for (auto *tok : tokens.getTokens()) {
    std::string t = tok->getText();
    if (t == "(" || t == "[" || t == "{")
      ++depth;
    else if (t == ")" || t == "]" || t == "}")
      depth = std::max(0, depth - 1);
    if (depth > kMaxNesting)
      return report(tok, "brackets nested deeper than " +
                             std::to_string(kMaxNesting) + " levels");
    // A prefix operator follows an operator, an opening bracket, a
    // separator, a keyword or the start; after an operand `-` is binary.
    static const std::set<std::string> keywords = {
        "and",    "or",     "not",    "if",     "else",
        "return", "assert", "output", "repeat", "as",
        "input",  "import", "const",  "block",  "model"};
    bool afterOperand = !previous.empty() && !keywords.count(previous) &&
                        (std::isalnum((unsigned char)previous.back()) ||
                         previous.back() == '_' || previous.back() == '"' ||
                         previous == ")" || previous == "]");
    bool recursive = t == "**" || t == "if" || t == "not" ||
                     ((t == "-" || t == "+") && !afterOperand);
    if (t == ";" || t == "{" || t == "}" || t == "=" || t == ",")
      chain = 0;
    else if (recursive)
      ++chain;
    if (chain > kMaxOperatorChain)
      return report(tok, "expression has more than " +
                             std::to_string(kMaxOperatorChain) +
                             " nested operators");
    previous = t;
  }
  return true;
}

} // namespace

std::unique_ptr<File> nnc::parseFile(uint32_t fileId, SourceManager &sources,
                                     DiagnosticEngine &diags) {
  const std::string &text = sources.text(fileId);
  if (text.size() > kMaxSourceBytes) {
    diags.error({fileId, 1, 1, 1}, "file is larger than " +
                                       std::to_string(kMaxSourceBytes >> 20) +
                                       " MiB");
    return nullptr;
  }
  if (text.find('\0') != std::string::npos) {
    size_t at = text.find('\0');
    uint32_t line = 1 + std::count(text.begin(), text.begin() + at, '\n');
    diags.error({fileId, line, 1, 1}, "file contains a NUL byte; .nn files "
                                      "are text");
    return nullptr;
  }
  {
    // ANTLR decodes UTF-8 itself and throws on malformed input; checking
    // first gives the user a location instead.
    const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.data());
    const auto *cursor = begin;
    if (!llvm::isLegalUTF8String(&cursor, begin + text.size())) {
      size_t at = cursor - begin;
      uint32_t line = 1 + std::count(text.begin(), text.begin() + at, '\n');
      size_t lineStart = text.rfind('\n', at ? at - 1 : 0);
      uint32_t col =
          lineStart == std::string::npos || at == 0 ? at + 1 : at - lineStart;
      diags.error({fileId, line, col, 1}, "invalid UTF-8 in source file");
      return nullptr;
    }
  }
  try {
    antlr4::ANTLRInputStream input(text);
    NNLexer lexer(&input);
    ErrorListener listener(fileId, diags);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();
    if (!checkNesting(tokens, fileId, diags))
      return nullptr;
    // An unterminated string or comment swallows the rest of the line or
    // file; anything the parser said after it would be noise.
    for (auto *tok : tokens.getTokens())
      if (tok->getType() == NNLexer::UNTERMINATED_STRING ||
          tok->getType() == NNLexer::UNTERMINATED_COMMENT) {
        SourceLoc l{fileId, uint32_t(tok->getLine()),
                    uint32_t(tok->getCharPositionInLine() + 1), 2};
        diags.error(l, tok->getType() == NNLexer::UNTERMINATED_STRING
                           ? "unterminated string literal: missing '\"' "
                             "before the end of the line"
                           : "unterminated comment: '/*' without '*/'");
        return nullptr;
      }
    NNParser parser(&tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    auto *tree = parser.file();
    if (listener.count || diags.numErrors())
      return nullptr;
    Builder builder(fileId, diags);
    auto file = builder.build(tree);
    if (builder.failed())
      return nullptr;
    return file;
  } catch (std::exception &e) {
    diags.error({fileId, 1, 1, 1},
                std::string("internal parser failure: ") + e.what());
    return nullptr;
  }
}
