//===- Losses.cpp - Loss functions ----------------------------------------===//
//
// Every loss returns a rank-0 tensor of its input's float type, or with
// reduction = "none" the per-element (per-sample) loss, as in PyTorch.
//
//===----------------------------------------------------------------------===//

#include "lang/SemaImpl.h"

#include <cmath>

using namespace nnc;
using namespace nnc::sema;

namespace {

using Attrs = std::vector<std::pair<std::string, Attr>>;

bool isIntType(DType t) {
  return t == DType::I8 || t == DType::I32 || t == DType::I64;
}

/// Requires a floating-point tensor argument with a rank in [minRank,
/// maxRank], laid out as `layout` (for the message).
bool requireFloatOfRank(Call &c, const char *param, size_t minRank,
                        size_t maxRank, const char *layout) {
  if (!c.requireFloat(param))
    return false;
  const TensorType &t = c.type(c.tensor(param));
  if (t.shape.size() >= minRank && t.shape.size() <= maxRank)
    return true;
  c.error(param, "'" + std::string(param) + "' of '" + c.op() + "' must be " +
                     layout + ", got " + t.str());
  return false;
}

/// Requires `param` to have exactly the type of the tensor argument `ref`.
bool requireSameType(Call &c, const char *param, const char *ref) {
  const TensorType &t = c.type(c.tensor(param));
  const TensorType &r = c.type(c.tensor(ref));
  if (t == r)
    return true;
  c.error(param, "'" + std::string(param) + "' of '" + c.op() + "' is " +
                     t.str() + " but '" + ref + "' is " + r.str() +
                     "; they must have the same shape and element type");
  return false;
}

/// Requires a float argument in [lo, hi] (or (lo, inf) when `positive`).
bool requireReal(Call &c, const char *param, double lo, double hi,
                 bool positive = false) {
  double v = c.real(param);
  if (positive ? (v > lo && std::isfinite(v)) : (v >= lo && v <= hi))
    return true;
  c.error(param, "'" + std::string(param) + "' of '" + c.op() + "' must be " +
                     (positive ? std::string("a positive number")
                               : "in [" + realString(lo) + ", " +
                                     realString(hi) + "]") +
                     ", got " + realString(v));
  return false;
}

/// Emits a loss node whose result is rank-0, or `perElement` with reduction
/// "none"; the reduction is validated here and added as an attribute.
Value emitLoss(Call &c, const std::string &node, std::vector<int> operands,
               Attrs attrs, const Shape &perElement,
               std::initializer_list<const char *> reductions = {"mean", "sum",
                                                                 "none"}) {
  if (!c.oneOf("reduction", reductions))
    return Value::poison();
  const std::string &reduction = c.str("reduction");
  attrs.push_back({"reduction", Attr::string(reduction)});
  DType dt = c.type(operands[0]).dtype;
  Shape shape = reduction == "none" ? perElement : Shape{};
  int id = c.emit1(node, std::move(operands), std::move(attrs), {dt, shape});
  return tensorOrPoison(id);
}

} // namespace

namespace nnc::sema::handlers {

Value crossEntropy(Call &c) {
  const bool isCE = c.op() == "cross_entropy";
  if (!requireFloatOfRank(c, "input", 2, SIZE_MAX, "[N, C] or [N, C, d...]"))
    return Value::poison();
  int x = c.tensor("input"), y = c.tensor("target");
  const TensorType &in = c.type(x), &tt = c.type(y);
  // Class indices have the input's shape without the class axis (dim 1).
  Shape perSample = in.shape;
  perSample.erase(perSample.begin() + 1);
  if (isIntType(tt.dtype)) {
    if (tt.shape != perSample)
      return c.error("target",
                     "target of '" + c.op() + "' has shape " +
                         shapeString(tt.shape) +
                         ", but class indices for an input of shape " +
                         shapeString(in.shape) + " must have shape " +
                         shapeString(perSample));
  } else if (isCE && isFloat(tt.dtype)) {
    // Class probabilities: one distribution per sample, like the input.
    if (tt != in)
      return c.error("target",
                     "target of '" + c.op() + "' is " + tt.str() +
                         "; class probabilities must have the input's type " +
                         in.str() + " (or give integer class indices " +
                         shapeString(perSample) + ")");
  } else {
    return c.error("target", "target of '" + c.op() +
                                 "' must hold integer "
                                 "class indices " +
                                 shapeString(perSample) +
                                 (isCE ? " or float class probabilities " +
                                             shapeString(in.shape)
                                       : std::string()) +
                                 ", got " + tt.str());
  }
  Attrs attrs;
  if (isCE) {
    if (!requireReal(c, "label_smoothing", 0, 1))
      return Value::poison();
    attrs.push_back({"label_smoothing", Attr::real(c.real("label_smoothing"))});
  }
  attrs.push_back({"ignore_index", Attr::integer(c.integer("ignore_index"))});
  return emitLoss(c, c.op(), {x, y}, std::move(attrs), perSample);
}

Value pointwiseLoss(Call &c) {
  static const std::map<std::string, std::string> nodes = {
      {"mse_loss", "mse_loss"},
      {"l1_loss", "l1_loss"},
      {"binary_cross_entropy", "bce_loss"},
      {"binary_cross_entropy_with_logits", "bce_with_logits_loss"}};
  if (!c.requireFloat("input") || !requireSameType(c, "target", "input"))
    return Value::poison();
  int x = c.tensor("input");
  return emitLoss(c, nodes.at(c.op()), {x, c.tensor("target")}, {}, c.shape(x));
}

Value klDiv(Call &c) {
  if (!c.requireFloat("input") || !requireSameType(c, "target", "input"))
    return Value::poison();
  int x = c.tensor("input");
  // batchmean divides the sum by the batch size, input.size(0).
  if (c.str("reduction") == "batchmean" && c.rank(x) == 0)
    return c.error("reduction", "reduction \"batchmean\" divides by the batch "
                                "size (dimension 0), but the input is a "
                                "scalar " +
                                    c.type(x).str());
  return emitLoss(c, "kl_div_loss", {x, c.tensor("target")},
                  {{"log_target", Attr::boolean(c.flag("log_target"))}},
                  c.shape(x), {"mean", "sum", "none", "batchmean"});
}

Value infoNce(Call &c) {
  if (!requireFloatOfRank(c, "anchor", 2, 2,
                          "[N, D] (one embedding per row)") ||
      !requireSameType(c, "positive", "anchor"))
    return Value::poison();
  int a = c.tensor("anchor");
  if (!requireReal(c, "temperature", 0, 0, /*positive=*/true))
    return Value::poison();
  int id = c.emit1("info_nce_loss", {a, c.tensor("positive")},
                   {{"temperature", Attr::real(c.real("temperature"))}},
                   {c.type(a).dtype, {}});
  return tensorOrPoison(id);
}

Value distillation(Call &c) {
  if (!requireFloatOfRank(c, "student", 2, 2, "logits [N, C]") ||
      !requireSameType(c, "teacher", "student"))
    return Value::poison();
  int s = c.tensor("student"), y = c.tensor("target");
  const TensorType &st = c.type(s), &tt = c.type(y);
  if (!isIntType(tt.dtype) || tt.shape != Shape{st.shape[0]})
    return c.error("target", "target of '" + c.op() +
                                 "' must be integer class indices " +
                                 shapeString({st.shape[0]}) +
                                 " (one per row of the student's " + st.str() +
                                 "), got " + tt.str());
  if (!requireReal(c, "temperature", 0, 0, /*positive=*/true) ||
      !requireReal(c, "alpha", 0, 1))
    return Value::poison();
  int id = c.emit1("distillation_loss", {s, c.tensor("teacher"), y},
                   {{"temperature", Attr::real(c.real("temperature"))},
                    {"alpha", Attr::real(c.real("alpha"))}},
                   {st.dtype, {}});
  return tensorOrPoison(id);
}

} // namespace nnc::sema::handlers
