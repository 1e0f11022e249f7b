//===- Dim.h - Symbolic tensor dimensions -----------------------*- C++ -*-===//
//
// A dimension is a monomial: an integer coefficient times a product of named
// atoms. Atoms are symbols from the source (`B`, `T`) or, for sizes no
// monomial can express (`(T + -1)`), an opaque atom spelled as the expression
// that produced it. Two dims are equal iff they are structurally equal, which
// is what shape checking needs: `B` matches `B`, `2*T` matches `T*2`, and an
// unknown size is never silently assumed to match a different one.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_LANG_DIM_H
#define NNC_LANG_DIM_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nnc {

class Dim {
public:
  Dim() = default;
  static Dim constant(int64_t value) {
    Dim d;
    d.coeff = value;
    return d;
  }
  static Dim symbol(std::string name) {
    Dim d;
    d.atoms.push_back(std::move(name));
    return d;
  }

  bool isConstant() const { return atoms.empty(); }
  int64_t value() const { return coeff; }
  int64_t coefficient() const { return coeff; }
  const std::vector<std::string> &symbols() const { return atoms; }
  std::string str() const;

  bool operator==(const Dim &o) const {
    return coeff == o.coeff && atoms == o.atoms;
  }
  bool operator!=(const Dim &o) const { return !(*this == o); }
  bool operator<(const Dim &o) const {
    return coeff != o.coeff ? coeff < o.coeff : atoms < o.atoms;
  }

  /// Arithmetic; nullopt on int64 overflow (the caller reports it).
  static std::optional<Dim> add(const Dim &a, const Dim &b);
  static std::optional<Dim> mul(const Dim &a, const Dim &b);
  static std::optional<Dim> neg(const Dim &a);
  /// Exact division when the monomials allow it, otherwise an opaque atom;
  /// nullopt when both are constants that do not divide.
  static std::optional<Dim> divExact(const Dim &a, const Dim &b);
  /// Floor division (Python `//`): constants fold, symbols become opaque;
  /// nullopt when the quotient overflows (INT64_MIN // -1).
  static std::optional<Dim> floorDiv(const Dim &a, const Dim &b);
  static Dim mod(const Dim &a, const Dim &b);
  /// A size written as an expression of others, e.g. conv output sizes.
  static Dim opaque(std::string expr);

private:
  int64_t coeff = 1;
  std::vector<std::string> atoms; // sorted
};

using Shape = std::vector<Dim>;

std::string shapeString(const Shape &shape);

} // namespace nnc

#endif // NNC_LANG_DIM_H
