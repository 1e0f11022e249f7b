//===- Dense.cpp - Linear layers, matrix products, embeddings -------------===//
//
// linear, matmul, bmm, embedding and parameter (a free learned tensor such
// as a ViT class token). Parameters get torch.nn's state_dict names and
// default initialisation.
//
//===----------------------------------------------------------------------===//

#include "lang/SemaImpl.h"

#include <cmath>

using namespace nnc;
using namespace nnc::sema;

namespace {

/// Matrix products on i1 are not defined by the nn dialect.
bool checkNotBool(Call &c, const char *param) {
  const TensorType &t = c.type(c.tensor(param));
  if (t.dtype != DType::I1)
    return true;
  c.error(param, "'" + c.op() + "' is not defined on i1 tensors, but '" +
                     std::string(param) + "' is " + t.str());
  return false;
}

/// The shared `@` implementation reports through the elaborator; mark the
/// call failed so that nothing after it runs.
Value product(Call &c, const char *lhs, const char *rhs) {
  Value v = c.el.binaryTensorOp("@", c.arg(lhs), c.arg(rhs), c.loc);
  if (v.isPoison())
    c.failed = true;
  return v;
}

} // namespace

namespace nnc::sema::handlers {

Value linear(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  int x = c.tensor("input");
  TensorType t = c.type(x);
  if (t.shape.empty())
    return c.error("input",
                   "'linear' needs an input of rank 1 or more, got " + t.str());
  auto out = c.intIn("out_features", 1);
  auto in = c.staticDim(x, t.shape.size() - 1, "input", "in_features");
  if (!out || !in)
    return Value::poison();
  // torch.nn.Linear: kaiming_uniform(a = sqrt(5)) gives bound 1/sqrt(in) for
  // the weight, and the bias uses the same bound.
  double bound = 1.0 / std::sqrt(double(*in));
  std::vector<int> operands = {x};
  operands.push_back(c.parameter("weight",
                                 {Dim::constant(*out), Dim::constant(*in)},
                                 "uniform", bound, false, t.dtype));
  if (c.flag("bias"))
    operands.push_back(c.parameter("bias", {Dim::constant(*out)}, "uniform",
                                   bound, false, t.dtype));
  t.shape.back() = Dim::constant(*out);
  return Value::ofTensor(c.emit1("linear", operands, {}, t));
}

Value matmul(Call &c) {
  if (!checkNotBool(c, "input") || !checkNotBool(c, "other"))
    return Value::poison();
  return product(c, "input", "other");
}

Value bmm(Call &c) {
  for (const char *param : {"input", "mat2"}) {
    const TensorType &t = c.type(c.tensor(param));
    if (t.shape.size() != 3)
      return c.error(param, "'bmm' needs rank-3 tensors [batch, n, m], but '" +
                                std::string(param) + "' is " + t.str());
  }
  const TensorType &a = c.type(c.tensor("input"));
  const TensorType &b = c.type(c.tensor("mat2"));
  // Unlike matmul, bmm does not broadcast the batch dim.
  if (a.shape[0] != b.shape[0])
    return c.error("mat2", "'bmm' batch sizes differ: " + a.str() + " and " +
                               b.str() + " (" + a.shape[0].str() + " vs " +
                               b.shape[0].str() + ")");
  if (!checkNotBool(c, "input") || !checkNotBool(c, "mat2"))
    return Value::poison();
  return product(c, "input", "mat2");
}

Value embedding(Call &c) {
  int indices = c.tensor("input");
  TensorType t = c.type(indices);
  if (isFloat(t.dtype) || t.dtype == DType::I1)
    return c.error("input", "'embedding' needs integer indices (i8, i32 or "
                            "i64), but 'input' is " +
                                t.str());
  auto num = c.intIn("num_embeddings", 1);
  auto dim = c.intIn("embedding_dim", 1);
  if (!num || !dim)
    return Value::poison();
  std::vector<std::pair<std::string, Attr>> attrs;
  if (!c.isNone("padding_idx")) {
    int64_t p = c.integer("padding_idx");
    if (p < -*num || p >= *num)
      return c.error("padding_idx", "padding_idx " + std::to_string(p) +
                                        " is out of range for "
                                        "num_embeddings=" +
                                        std::to_string(*num));
    // Normalised like torch.nn.Embedding does.
    attrs.push_back({"padding_idx", Attr::integer(p < 0 ? p + *num : p)});
  }
  // torch.nn.Embedding initialises from N(0, 1).
  int weight = c.parameter("weight", {Dim::constant(*num), Dim::constant(*dim)},
                           "normal", 1.0);
  TensorType result{DType::F32, t.shape};
  result.shape.push_back(Dim::constant(*dim));
  return Value::ofTensor(
      c.emit1("embedding", {indices, weight}, std::move(attrs), result));
}

Value parameter(Call &c) {
  std::vector<int64_t> dims = c.intList("shape");
  Shape shape;
  for (int64_t d : dims) {
    if (d < 1 || d > Elaborator::kMaxDim)
      return c.error("shape", "'shape' of 'parameter' must have entries from "
                              "1 to " +
                                  std::to_string(Elaborator::kMaxDim) +
                                  ", got " + dimsString(dims));
    shape.push_back(Dim::constant(d));
  }
  if (!c.oneOf("init", {"normal", "zeros", "ones"}))
    return Value::poison();
  double scale = 0;
  if (c.str("init") == "normal") {
    auto sd = c.finiteReal("std");
    if (!sd)
      return Value::poison();
    if (*sd < 0)
      return c.error("std", "'std' of 'parameter' must not be negative");
    scale = *sd;
  }
  // The call's own name names the tensor: `cls = parameter(...)` is `cls`.
  int id = c.parameter("", std::move(shape), c.str("init").c_str(), scale);
  return tensorOrPoison(id);
}

} // namespace nnc::sema::handlers
