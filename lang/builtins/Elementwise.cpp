//===- Elementwise.cpp - Activations and other elementwise builtins -------===//
//
// Activations (relu ... softmax, prelu with its learned slope), dropout,
// maximum/minimum, casts, fills and random tensors of an input's type, and
// the DARTS `identity` and `zero` operations.
//
//===----------------------------------------------------------------------===//

#include "lang/SemaImpl.h"

using namespace nnc;
using namespace nnc::sema;

namespace {

/// Emits an op whose result has the input's type.
Value sameType(Call &c, const std::string &op,
               std::vector<std::pair<std::string, Attr>> attrs = {}) {
  int x = c.tensor("input");
  TensorType t = c.type(x);
  return Value::ofTensor(c.emit1(op, {x}, std::move(attrs), t));
}

/// A float activation with float attributes named like its arguments.
Value floatActivation(Call &c, std::initializer_list<const char *> params) {
  if (!c.requireFloat("input"))
    return Value::poison();
  std::vector<std::pair<std::string, Attr>> attrs;
  for (const char *p : params) {
    auto v = c.finiteReal(p);
    if (!v)
      return Value::poison();
    attrs.push_back({p, Attr::real(*v)});
  }
  return sameType(c, c.op(), std::move(attrs));
}

std::string dtypeNames() {
  std::string s;
  for (DType t : {DType::F16, DType::BF16, DType::F32, DType::F64, DType::I1,
                  DType::I8, DType::I32, DType::I64})
    s += (s.empty() ? "" : ", ") + std::string(dtypeName(t));
  return s;
}

} // namespace

namespace nnc::sema::handlers {

Value unary(Call &c) {
  // swish is another name of silu.
  std::string op = c.op() == "swish" ? "silu" : c.op();
  if (op == "abs") {
    // The only unary op defined on integers too (not on i1).
    const TensorType &t = c.type(c.tensor("input"));
    if (t.dtype == DType::I1)
      return c.error("input", "'abs' is not defined on i1 tensors, but "
                              "'input' is " +
                                  t.str());
  } else if (!c.requireFloat("input")) {
    return Value::poison();
  }
  return sameType(c, op);
}

Value gelu(Call &c) {
  if (!c.requireFloat("input") || !c.oneOf("approximate", {"none", "tanh"}))
    return Value::poison();
  return sameType(c, "gelu",
                  {{"approximate", Attr::string(c.str("approximate"))}});
}

Value elu(Call &c) { return floatActivation(c, {"alpha"}); }

Value leakyRelu(Call &c) { return floatActivation(c, {"negative_slope"}); }

Value softplus(Call &c) {
  // softplus(x) = log(1 + exp(beta x)) / beta.
  if (c.real("beta") == 0)
    return c.error("beta", "'beta' of 'softplus' must not be 0");
  return floatActivation(c, {"beta", "threshold"});
}

Value prelu(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  int x = c.tensor("input");
  TensorType t = c.type(x);
  auto num = c.intIn("num_parameters", 1);
  auto init = c.finiteReal("init");
  if (!num || !init)
    return Value::poison();
  // One slope shared by all channels, or one per channel (dim 1).
  if (*num != 1) {
    if (t.shape.size() < 2 || t.shape[1] != Dim::constant(*num))
      return c.error("num_parameters",
                     "num_parameters=" + std::to_string(*num) +
                         " must be 1 or the number of channels (dimension 1 "
                         "of the input " +
                         t.str() + ")");
  }
  int weight = c.parameter("weight", {Dim::constant(*num)}, "constant", *init,
                           false, t.dtype);
  return Value::ofTensor(c.emit1("prelu", {x, weight}, {}, t));
}

Value softmax(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  auto axis = c.axis("dim", c.rank(c.tensor("input")));
  if (!axis)
    return Value::poison();
  return sameType(c, c.op(), {{"axis", Attr::integer(*axis)}});
}

Value dropout(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  auto p = c.finiteReal("p");
  if (!p)
    return Value::poison();
  if (*p < 0 || *p >= 1)
    return c.error("p", "'p' of '" + c.op() + "' must be in [0, 1), got " +
                            realString(*p));
  bool spatial = c.op() == "dropout2d";
  int x = c.tensor("input");
  if (spatial && c.rank(x) != 3 && c.rank(x) != 4)
    return c.error("input", "'dropout2d' zeroes whole channels of [N, C, H, "
                            "W] or [C, H, W] inputs, got " +
                                c.type(x).str());
  // Dropping nothing is the identity in training and inference alike.
  if (*p == 0)
    return c.arg("input");
  return sameType(c, "dropout",
                  {{"p", Attr::real(*p)}, {"spatial", Attr::boolean(spatial)}});
}

Value binary(Call &c) {
  int a = c.tensor("input"), b = c.tensor("other");
  TensorType ta = c.type(a), tb = c.type(b);
  if (ta.dtype != tb.dtype)
    return c.error("other", "'" + c.op() +
                                "' needs tensors of the same element type, "
                                "got " +
                                ta.str() + " and " + tb.str());
  if (ta.dtype == DType::I1)
    return c.error("input", "'" + c.op() + "' is not defined on i1 tensors");
  auto shape = c.el.broadcastShapes(ta.shape, tb.shape, c.loc);
  if (!shape) {
    c.failed = true;
    return Value::poison();
  }
  return Value::ofTensor(c.emit1(c.op(), {a, b}, {}, {ta.dtype, *shape}));
}

Value cast(Call &c) {
  auto dtype = parseDType(c.str("dtype"));
  if (!dtype)
    return c.error("dtype", "unknown element type \"" + c.str("dtype") +
                                "\"; valid names are " + dtypeNames());
  int x = c.tensor("input");
  TensorType t = c.type(x);
  if (t.dtype == *dtype)
    return c.arg("input");
  t.dtype = *dtype;
  return Value::ofTensor(c.emit1("cast", {x}, {}, t));
}

Value fillLike(Call &c) {
  double value = c.op() == "ones_like" ? 1.0 : 0.0;
  return sameType(c, "fill", {{"value", Attr::real(value)}});
}

Value randnLike(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  return sameType(c, "random_normal",
                  {{"seed", Attr::integer(c.integer("seed"))}});
}

Value identity(Call &c) { return c.arg("input"); }

Value zero(Call &c) {
  auto stride = c.intIn("stride", 1);
  if (!stride)
    return Value::poison();
  int x = c.tensor("input");
  if (*stride > 1) {
    // DARTS' Zero: x[:, :, ::stride, ::stride] * 0, so that it has the shape
    // of the strided candidates it competes with.
    int64_t rank = c.rank(x);
    if (rank < 3)
      return c.error("input", "'zero' with stride " + std::to_string(*stride) +
                                  " expects an input [N, C, *spatial], got " +
                                  c.type(x).str());
    for (int64_t axis = 2; axis < rank; ++axis) {
      TensorType t = c.type(x);
      // The strided size as a window of 1, so that a symbolic size is the
      // same Dim as a strided conv or pool gives.
      auto size = windowOutputSize(t.shape[axis], 1, *stride, 0, 1, false);
      if (!size)
        return c.error("input", "size of dimension " + std::to_string(axis) +
                                    " overflows");
      t.shape[axis] = *size;
      x = c.emit1("slice", {x},
                  {{"axis", Attr::integer(axis)},
                   {"start", Attr::integer(0)},
                   {"end", Attr::integer(INT64_MAX)},
                   {"step", Attr::integer(*stride)}},
                  t);
      if (x < 0)
        return Value::poison();
    }
  }
  TensorType t = c.type(x);
  return Value::ofTensor(c.emit1("fill", {x}, {{"value", Attr::real(0)}}, t));
}

} // namespace nnc::sema::handlers
