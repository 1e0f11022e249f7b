//===- Sequence.cpp - Recurrent layers: rnn, lstm, gru --------------------===//
//
// One handler serves the three recurrent layers: they share PyTorch's layout
// (input [T, B, I] or [B, T, I]), its state_dict names and weight order, and
// differ only in the number of gate blocks G stacked in each weight matrix
// (1 for rnn, 4 for lstm, 3 for gru) and in lstm's extra cell state.
//
//===----------------------------------------------------------------------===//

#include "lang/SemaImpl.h"

#include <cmath>

using namespace nnc;
using namespace nnc::sema;

namespace {

/// PyTorch refuses nothing above this, but a deeper stack is surely a typo
/// and each layer creates four parameters per direction.
constexpr int64_t kMaxLayers = 64;

/// Checks an initial state (h0 or c0) against [L*D, B, H].
bool checkState(Call &c, const char *param, int input, const Shape &expected) {
  if (c.isNone(param))
    return true;
  int s = c.tensor(param);
  const TensorType &t = c.type(s);
  if (t.dtype != c.type(input).dtype || t.shape != expected) {
    c.error(param, "'" + std::string(param) + "' of '" + c.op() + "' must be " +
                       dtypeName(c.type(input).dtype) + shapeString(expected) +
                       " (num_layers * num_directions, batch, hidden_size), "
                       "got " +
                       t.str());
    return false;
  }
  return true;
}

} // namespace

namespace nnc::sema::handlers {

Value recurrent(Call &c) {
  const std::string &op = c.op();
  const bool isLstm = op == "lstm", isRnn = op == "rnn";
  const int64_t gates = isLstm ? 4 : op == "gru" ? 3 : 1;
  const bool batchFirst = c.flag("batch_first");
  const bool bidirectional = c.flag("bidirectional");
  const bool hasBias = c.flag("bias");

  int input = c.tensor("input");
  // A copy: creating parameters appends to the value table.
  const TensorType in = c.type(input);
  if (in.shape.size() != 3)
    return c.error("input", "'" + op + "' expects a 3-D input " +
                                (batchFirst ? "[B, T, I] (batch_first=true)"
                                            : "[T, B, I] (batch_first=false)") +
                                ", got " + in.str());
  if (!c.requireFloat("input"))
    return Value::poison();
  auto inputSize = c.staticDim(input, 2, "input", "the input size");
  if (!inputSize)
    return Value::poison();
  if (*inputSize < 1)
    return c.error("input", "the input size of '" + op + "' is " +
                                std::to_string(*inputSize) +
                                "; it must be at least 1");

  auto hiddenArg = c.intIn("hidden_size", 1);
  auto layersArg = c.intIn("num_layers", 1, kMaxLayers);
  if (!hiddenArg || !layersArg)
    return Value::poison();
  const int64_t hidden = *hiddenArg, layers = *layersArg;
  double dropout = c.real("dropout");
  if (!(dropout >= 0 && dropout < 1))
    return c.error("dropout", "'dropout' of '" + op +
                                  "' must be in [0, 1), got " +
                                  realString(dropout));
  if (dropout > 0 && layers == 1)
    // Same advice as PyTorch: dropout only acts between stacked layers.
    c.el.diags().warning(c.argLoc("dropout"),
                         "dropout=" + realString(dropout) +
                             " has no effect with num_layers=1: '" + op +
                             "' applies dropout between stacked layers only");
  if (isRnn && !c.oneOf("nonlinearity", {"tanh", "relu"}))
    return Value::poison();

  const int64_t dirs = bidirectional ? 2 : 1;
  const Dim &batch = in.shape[batchFirst ? 0 : 1];
  const Dim &time = in.shape[batchFirst ? 1 : 0];
  Shape stateShape = {Dim::constant(layers * dirs), batch,
                      Dim::constant(hidden)};
  if (!checkState(c, "h0", input, stateShape) ||
      (isLstm && !checkState(c, "c0", input, stateShape)))
    return Value::poison();

  // Parameters in state_dict order: per layer, per direction (forward then
  // reverse), weight_ih, weight_hh, bias_ih, bias_hh; all U(-1/sqrt(H),
  // 1/sqrt(H)) as in torch.nn.RNNBase.reset_parameters.
  const double bound = 1.0 / std::sqrt(double(hidden));
  const int64_t gateRows = gates * hidden; // <= 4 * 2^31: no overflow
  std::vector<int> weights;
  for (int64_t l = 0; l < layers; ++l) {
    const int64_t inL = l == 0 ? *inputSize : hidden * dirs;
    for (int64_t d = 0; d < dirs; ++d) {
      std::string sfx = "_l" + std::to_string(l) + (d ? "_reverse" : "");
      auto param = [&](const std::string &name, Shape shape) {
        if (!c.failed) // stop at the first parameter that is too large
          weights.push_back(c.parameter(name + sfx, std::move(shape), "uniform",
                                        bound, false, in.dtype));
      };
      param("weight_ih", {Dim::constant(gateRows), Dim::constant(inL)});
      param("weight_hh", {Dim::constant(gateRows), Dim::constant(hidden)});
      if (hasBias) {
        param("bias_ih", {Dim::constant(gateRows)});
        param("bias_hh", {Dim::constant(gateRows)});
      }
    }
  }
  if (c.failed)
    return Value::poison();

  std::vector<int> operands = {input};
  std::vector<int32_t> segments = {1};
  for (const char *state : {"h0", "c0"}) {
    if (!isLstm && std::string(state) == "c0")
      continue;
    bool given = !c.isNone(state);
    if (given)
      operands.push_back(c.tensor(state));
    segments.push_back(given ? 1 : 0);
  }
  operands.insert(operands.end(), weights.begin(), weights.end());
  segments.push_back(int32_t(weights.size()));

  std::vector<std::pair<std::string, Attr>> attrs = {
      {"hidden_size", Attr::integer(hidden)},
      {"num_layers", Attr::integer(layers)},
      {"bidirectional", Attr::boolean(bidirectional)},
      {"batch_first", Attr::boolean(batchFirst)},
      {"has_biases", Attr::boolean(hasBias)},
      {"dropout", Attr::real(dropout)}};
  if (isRnn)
    attrs.push_back({"nonlinearity", Attr::string(c.str("nonlinearity"))});

  Dim outFeatures = Dim::constant(hidden * dirs);
  Shape outShape = batchFirst ? Shape{batch, time, outFeatures}
                              : Shape{time, batch, outFeatures};
  std::vector<TensorType> results = {{in.dtype, outShape},
                                     {in.dtype, stateShape}};
  if (isLstm)
    results.push_back({in.dtype, stateShape});
  std::vector<int> ids =
      c.emit(op, operands, std::move(attrs), results, segments);
  if (c.failed || ids.empty() || ids[0] < 0)
    return Value::poison();
  std::vector<Value> out;
  for (int id : ids)
    out.push_back(Value::ofTensor(id));
  return Value::list(std::move(out));
}

} // namespace nnc::sema::handlers
