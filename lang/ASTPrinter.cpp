//===- ASTPrinter.cpp - Readable dump of the syntax tree (--emit=ast) -----===//

#include "lang/AST.h"

#include "llvm/Support/Casting.h"
#include "llvm/Support/raw_ostream.h"

using namespace nnc;
using namespace nnc::ast;
using llvm::cast;

namespace {
class Printer {
public:
  explicit Printer(llvm::raw_ostream &os) : os(os) {}

  void file(const File &f) {
    for (auto &imp : f.imports)
      line() << "import \"" << imp.path << "\"\n";
    for (auto &c : f.consts) {
      line() << "const " << c.name << loc(c.loc) << "\n";
      nested([&] { expr(*c.value); });
    }
    for (auto &c : f.callables) {
      line() << (c->isModel ? "model " : "block ") << c->name << loc(c->loc)
             << "\n";
      nested([&] {
        for (auto &p : c->params) {
          line() << "param " << p.name;
          if (p.type)
            os << " : " << typeString(*p.type);
          os << "\n";
          if (p.defaultValue)
            nested([&] { expr(*p.defaultValue); });
        }
        for (auto &t : c->returnTypes)
          line() << "returns " << typeString(*t) << "\n";
        for (auto &s : c->body)
          stmt(s);
      });
    }
  }

  void expr(const Expr &e) {
    switch (e.kind) {
    case Expr::Kind::Int:
      line() << "int " << cast<IntExpr>(e).value << "\n";
      return;
    case Expr::Kind::Float:
      line() << "float " << cast<FloatExpr>(e).value << "\n";
      return;
    case Expr::Kind::String:
      line() << "string \"" << cast<StringExpr>(e).value << "\"\n";
      return;
    case Expr::Kind::Bool:
      line() << "bool " << (cast<BoolExpr>(e).value ? "true" : "false") << "\n";
      return;
    case Expr::Kind::None:
      line() << "none\n";
      return;
    case Expr::Kind::Name:
      line() << "name " << cast<NameExpr>(e).name << "\n";
      return;
    case Expr::Kind::List:
      line() << "list\n";
      nested([&] {
        for (auto &x : cast<ListExpr>(e).elements)
          expr(*x);
      });
      return;
    case Expr::Kind::Call: {
      auto &c = cast<CallExpr>(e);
      line() << "call " << c.callee << loc(c.loc) << "\n";
      nested([&] {
        for (auto &a : c.args) {
          if (!a.keyword.empty()) {
            line() << "kwarg " << a.keyword << "\n";
            nested([&] { expr(*a.value); });
          } else {
            expr(*a.value);
          }
        }
      });
      return;
    }
    case Expr::Kind::Index: {
      auto &ix = cast<IndexExpr>(e);
      line() << "index\n";
      nested([&] {
        expr(*ix.base);
        for (auto &s : ix.subscripts) {
          line() << (s.isSlice ? "slice\n" : "at\n");
          nested([&] {
            for (auto *p : {&s.index, &s.lo, &s.hi, &s.step})
              if (*p)
                expr(**p);
          });
        }
      });
      return;
    }
    case Expr::Kind::Named: {
      auto &n = cast<NamedExpr>(e);
      line() << "as " << n.label << "\n";
      nested([&] { expr(*n.value); });
      return;
    }
    case Expr::Kind::Binary: {
      auto &b = cast<BinaryExpr>(e);
      line() << "binary " << b.op << "\n";
      nested([&] {
        expr(*b.lhs);
        expr(*b.rhs);
      });
      return;
    }
    case Expr::Kind::Unary: {
      auto &u = cast<UnaryExpr>(e);
      line() << "unary " << u.op << "\n";
      nested([&] { expr(*u.operand); });
      return;
    }
    case Expr::Kind::Cond: {
      auto &c = cast<CondExpr>(e);
      line() << "if\n";
      nested([&] {
        expr(*c.condition);
        expr(*c.thenValue);
        expr(*c.elseValue);
      });
      return;
    }
    case Expr::Kind::Repeat: {
      auto &r = cast<RepeatExpr>(e);
      line() << "repeat" << loc(r.loc) << "\n";
      nested([&] {
        expr(*r.first);
        if (r.last)
          expr(*r.last);
        expr(*r.call);
      });
      return;
    }
    case Expr::Kind::Choice: {
      auto &c = cast<ChoiceExpr>(e);
      line() << "choice" << loc(c.loc) << "\n";
      nested([&] {
        for (auto &cand : c.candidates) {
          line() << "candidate " << cand.label << "\n";
          nested([&] { expr(*cand.value); });
        }
      });
      return;
    }
    }
  }

private:
  static const char *stmtName(Stmt::Kind k) {
    switch (k) {
    case Stmt::Kind::Input:
      return "input";
    case Stmt::Kind::Output:
      return "output";
    case Stmt::Kind::Assign:
      return "assign";
    case Stmt::Kind::Return:
      return "return";
    case Stmt::Kind::Assert:
      return "assert";
    }
    return "?";
  }

  void stmt(const Stmt &s) {
    line() << stmtName(s.kind);
    for (auto &t : s.targets)
      os << " " << t;
    if (s.type)
      os << " : " << typeString(*s.type);
    os << loc(s.loc) << "\n";
    nested([&] {
      for (auto &v : s.values)
        expr(*v);
    });
  }

  std::string typeString(const TypeExpr &t) {
    switch (t.kind) {
    case TypeExpr::Kind::Named:
      return t.name;
    case TypeExpr::Kind::AnyTensor:
      return "tensor";
    case TypeExpr::Kind::List:
      return "list[" + typeString(*t.element) + "]";
    case TypeExpr::Kind::Tensor:
      return t.name + "[" + std::to_string(t.dims.size()) + " dims]";
    }
    return "?";
  }

  static std::string loc(SourceLoc l) {
    return " <" + std::to_string(l.line) + ":" + std::to_string(l.col) + ">";
  }

  llvm::raw_ostream &line() { return os.indent(depth * 2); }
  template <typename F> void nested(F f) {
    ++depth;
    f();
    --depth;
  }

  llvm::raw_ostream &os;
  unsigned depth = 0;
};
} // namespace

void nnc::ast::print(const File &file, llvm::raw_ostream &os) {
  Printer(os).file(file);
}

void nnc::ast::print(const Expr &expr, llvm::raw_ostream &os) {
  Printer(os).expr(expr);
}
