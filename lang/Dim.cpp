//===- Dim.cpp - Symbolic tensor dimensions -------------------------------===//

#include "lang/Dim.h"

#include <algorithm>

using namespace nnc;

std::string Dim::str() const {
  if (atoms.empty())
    return std::to_string(coeff);
  std::string s;
  if (coeff != 1)
    s = std::to_string(coeff) + "*";
  for (size_t i = 0; i < atoms.size(); ++i)
    s += (i ? "*" : "") + atoms[i];
  return s;
}

std::optional<Dim> Dim::add(const Dim &a, const Dim &b) {
  if (a.atoms == b.atoms) {
    Dim d = a;
    if (__builtin_add_overflow(a.coeff, b.coeff, &d.coeff))
      return std::nullopt;
    if (d.coeff == 0)
      return constant(0);
    return d;
  }
  if (a.isConstant() && a.coeff == 0)
    return b;
  if (b.isConstant() && b.coeff == 0)
    return a;
  return opaque("(" + a.str() + " + " + b.str() + ")");
}

std::optional<Dim> Dim::mul(const Dim &a, const Dim &b) {
  Dim d;
  if (__builtin_mul_overflow(a.coeff, b.coeff, &d.coeff))
    return std::nullopt;
  if (d.coeff == 0)
    return constant(0);
  d.atoms = a.atoms;
  d.atoms.insert(d.atoms.end(), b.atoms.begin(), b.atoms.end());
  std::sort(d.atoms.begin(), d.atoms.end());
  return d;
}

std::optional<Dim> Dim::neg(const Dim &a) { return mul(a, constant(-1)); }

std::optional<Dim> Dim::divExact(const Dim &a, const Dim &b) {
  if (b.isConstant() && b.coeff == 0)
    return std::nullopt;
  if (a.coeff == INT64_MIN && b.coeff == -1)
    return std::nullopt; // the quotient overflows
  if (a.coeff % b.coeff == 0) {
    // Every atom of b must appear in a (as a multiset).
    std::vector<std::string> rest;
    if (std::includes(a.atoms.begin(), a.atoms.end(), b.atoms.begin(),
                      b.atoms.end())) {
      std::set_difference(a.atoms.begin(), a.atoms.end(), b.atoms.begin(),
                          b.atoms.end(), std::back_inserter(rest));
      Dim d;
      d.coeff = a.coeff / b.coeff;
      d.atoms = std::move(rest);
      return d;
    }
  }
  if (a.isConstant() && b.isConstant())
    return std::nullopt;
  return opaque("(" + a.str() + " / " + b.str() + ")");
}

static int64_t floorDivInt(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

std::optional<Dim> Dim::floorDiv(const Dim &a, const Dim &b) {
  if (a.isConstant() && b.isConstant() && a.coeff == INT64_MIN && b.coeff == -1)
    return std::nullopt;
  if (a.isConstant() && b.isConstant() && b.coeff != 0)
    return constant(floorDivInt(a.coeff, b.coeff));
  if (b.isConstant() && b.coeff == 1)
    return a;
  return opaque("(" + a.str() + " // " + b.str() + ")");
}

Dim Dim::mod(const Dim &a, const Dim &b) {
  if (a.isConstant() && b.isConstant() && b.coeff == -1)
    return constant(0); // also right for INT64_MIN, whose quotient overflows
  if (a.isConstant() && b.isConstant() && b.coeff != 0)
    return constant(a.coeff - floorDivInt(a.coeff, b.coeff) * b.coeff);
  return opaque("(" + a.str() + " % " + b.str() + ")");
}

Dim Dim::opaque(std::string expr) { return symbol(std::move(expr)); }

std::string nnc::shapeString(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + shape[i].str();
  return s + "]";
}
