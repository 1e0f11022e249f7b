//===- Graph.h - A checked, elaborated model ---------------------*- C++
//-*-===//
//
// Semantic analysis elaborates a model (inlining blocks, unrolling repeats,
// evaluating parameters) into this flat dataflow graph: nodes named after nn
// dialect ops, with their attributes, operand ids and fully inferred result
// types. MLIR emission is a direct, op-agnostic translation of it.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_LANG_GRAPH_H
#define NNC_LANG_GRAPH_H

#include "lang/Diagnostics.h"
#include "lang/Dim.h"

#include <string>
#include <utility>
#include <vector>

namespace nnc {

enum class DType { F16, BF16, F32, F64, I1, I8, I32, I64 };

const char *dtypeName(DType t);
std::optional<DType> parseDType(const std::string &name);
inline bool isFloat(DType t) {
  return t == DType::F16 || t == DType::BF16 || t == DType::F32 ||
         t == DType::F64;
}

struct TensorType {
  DType dtype = DType::F32;
  Shape shape;
  std::string str() const;
  bool operator==(const TensorType &o) const {
    return dtype == o.dtype && shape == o.shape;
  }
  bool operator!=(const TensorType &o) const { return !(*this == o); }
};

/// An attribute of a node, mirroring the MLIR attribute kinds nn ops use.
struct Attr {
  enum class Kind { Int, Float, Bool, String, Ints, Strings, Unit, Dense };
  Kind kind = Kind::Int;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  /// Dense: a constant of `denseType` (static shape) with these values (one
  /// value means a splat).
  std::vector<double> values;
  TensorType denseType;

  static Attr integer(int64_t v) {
    Attr a;
    a.kind = Kind::Int;
    a.i = v;
    return a;
  }
  static Attr real(double v) {
    Attr a;
    a.kind = Kind::Float;
    a.f = v;
    return a;
  }
  static Attr boolean(bool v) {
    Attr a;
    a.kind = Kind::Bool;
    a.b = v;
    return a;
  }
  static Attr string(std::string v) {
    Attr a;
    a.kind = Kind::String;
    a.s = std::move(v);
    return a;
  }
  static Attr integers(std::vector<int64_t> v) {
    Attr a;
    a.kind = Kind::Ints;
    a.ints = std::move(v);
    return a;
  }
  static Attr strs(std::vector<std::string> v) {
    Attr a;
    a.kind = Kind::Strings;
    a.strings = std::move(v);
    return a;
  }
  static Attr unit() {
    Attr a;
    a.kind = Kind::Unit;
    return a;
  }
  static Attr dense(TensorType t, std::vector<double> v) {
    Attr a;
    a.kind = Kind::Dense;
    a.denseType = std::move(t);
    a.values = std::move(v);
    return a;
  }
};

struct Node;

/// A straight-line list of nodes; a choice candidate's region ends by
/// yielding `yield`.
struct Region {
  std::vector<Node> nodes;
  int yield = -1;
};

struct Node {
  std::string op; // nn dialect op name without the `nn.` prefix
  SourceLoc loc;
  /// The block instance the node was elaborated in: one `/`-separated
  /// segment per enclosing call, each `name#k` with `name` the call's `as`
  /// label (or the block's name) and `k` unique to the instance; empty at
  /// the model's top level. Emitted as a NameLoc, it lets passes find the
  /// instances of a block again after inlining (nn-outline-repeated-blocks).
  std::string scope;
  std::vector<int> operands;
  /// Sizes passed as `index` operands after the tensor operands (dynamic
  /// result dims of reshape/expand/scatter_reduce).
  std::vector<Dim> sizeOperands;
  /// operandSegmentSizes, for ops with several optional/variadic groups.
  std::vector<int32_t> segments;
  std::vector<std::pair<std::string, Attr>> attrs;
  std::vector<int> results;
  std::vector<Region> regions;
};

/// A learned parameter or buffer, named as in a PyTorch state_dict.
struct Parameter {
  std::string name;
  TensorType type;  // static shape
  std::string init; // uniform, normal, constant, zeros, ones
  double scale = 0;
  bool buffer = false;
  SourceLoc loc;
};

struct Graph {
  std::string name;
  SourceLoc loc;
  std::vector<TensorType> values; // indexed by value id
  std::vector<std::pair<std::string, int>> inputs, outputs;
  std::vector<Parameter> params;
  Region body;
};

} // namespace nnc

#endif // NNC_LANG_GRAPH_H
