//===- NNSequenceOps.cpp - Recurrent layers -------------------------------===//
//
// nn.rnn, nn.lstm and nn.gru share one checker: they differ only in the number
// of gate blocks stacked in each weight matrix and in LSTM's cell state.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNOps.h"

#include <cmath>
#include <string>

using namespace mlir;
using namespace nnc::nn;

namespace {
/// The operands and attributes of a recurrent layer.
struct RecurrentLayer {
  int64_t numGates;
  Value input, h0, c0;
  ValueRange weights;
  int64_t hiddenSize, numLayers;
  bool bidirectional, batchFirst, hasBiases;
  double dropout;
  /// LSTM also returns c_n.
  bool hasCellState;
};
} // namespace

/// The PyTorch state_dict-style name of weight `kind` of one layer/direction,
/// e.g. "weight_hh_l1_reverse", so that diagnostics point at the parameter.
static std::string weightName(StringRef kind, int64_t layer, bool reverse) {
  return (kind + "_l" + std::to_string(layer) + (reverse ? "_reverse" : ""))
      .str();
}

static LogicalResult inferRecurrent(const OpDiag &diag,
                                    const RecurrentLayer &layer,
                                    SmallVectorImpl<Type> &types) {
  int64_t hidden = layer.hiddenSize, layers = layer.numLayers;
  if (hidden < 1)
    return diag() << "hidden_size must be >= 1, got " << hidden;
  if (layers < 1)
    return diag() << "num_layers must be >= 1, got " << layers;
  if (!(layer.dropout >= 0 && layer.dropout < 1))
    return diag() << "dropout must be in [0, 1), got " << layer.dropout;

  RankedTensorType input = tensorTypeOf(layer.input);
  Type elementType = input.getElementType();
  if (failed(checkRank(diag, "input", input, 3)))
    return failure();
  int64_t batch = input.getDimSize(layer.batchFirst ? 0 : 1);
  int64_t steps = input.getDimSize(layer.batchFirst ? 1 : 0);
  int64_t directions = layer.bidirectional ? 2 : 1;
  SmallVector<int64_t> stateShape = {layers * directions, batch, hidden};

  for (auto [what, state] :
       {std::make_pair("h0", layer.h0), std::make_pair("c0", layer.c0)})
    if (failed(checkOptionalOperand(diag, what, state, stateShape, elementType,
                                    "input")))
      return failure();

  int64_t perDirection = layer.hasBiases ? 4 : 2;
  int64_t expectedCount = layers * directions * perDirection;
  if (static_cast<int64_t>(layer.weights.size()) != expectedCount)
    return diag() << "expects " << expectedCount << " weights (" << layers
                  << " layers x " << directions << " directions x "
                  << perDirection << "), got " << layer.weights.size();

  int64_t gateRows = layer.numGates * hidden;
  auto weight = layer.weights.begin();
  for (int64_t l = 0; l < layers; ++l) {
    int64_t inSize = l == 0 ? input.getDimSize(2) : hidden * directions;
    for (int64_t dir = 0; dir < directions; ++dir) {
      SmallVector<std::pair<StringRef, SmallVector<int64_t>>, 4> expected = {
          {"weight_ih", {gateRows, inSize}}, {"weight_hh", {gateRows, hidden}}};
      if (layer.hasBiases) {
        expected.push_back({"bias_ih", {gateRows}});
        expected.push_back({"bias_hh", {gateRows}});
      }
      for (auto &[kind, shape] : expected) {
        if (failed(checkShapeAndElementType(diag, weightName(kind, l, dir == 1),
                                            tensorTypeOf(*weight++), shape,
                                            elementType, "input")))
          return failure();
      }
    }
  }

  SmallVector<int64_t> outputShape =
      layer.batchFirst
          ? SmallVector<int64_t>{batch, steps, directions * hidden}
          : SmallVector<int64_t>{steps, batch, directions * hidden};
  types.push_back(RankedTensorType::get(outputShape, elementType));
  types.push_back(RankedTensorType::get(stateShape, elementType));
  if (layer.hasCellState)
    types.push_back(RankedTensorType::get(stateShape, elementType));
  return success();
}

/// Collects the operands and attributes of an nn.rnn, nn.lstm or nn.gru;
/// `c0` is the initial cell state of LSTM (null for the others, and where
/// LSTM omits it).
template <typename OpT>
static RecurrentLayer getRecurrentLayer(typename OpT::Adaptor adaptor, Value c0,
                                        bool hasCellState) {
  return RecurrentLayer{OpT::kNumGates,          adaptor.getInput(),
                        adaptor.getH0(),         c0,
                        adaptor.getWeights(),    adaptor.getHiddenSize(),
                        adaptor.getNumLayers(),  adaptor.getBidirectional(),
                        adaptor.getBatchFirst(), adaptor.getHasBiases(),
                        adaptor.getDropout(),    hasCellState};
}

LogicalResult RNNOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  if (failed(checkOneOf(diag, "nonlinearity", adaptor.getNonlinearity(),
                        {"tanh", "relu"})))
    return failure();
  return inferRecurrent(
      diag, getRecurrentLayer<RNNOp>(adaptor, Value(), /*hasCellState=*/false),
      types);
}

LogicalResult LSTMOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  return inferRecurrent(OpDiag(loc, getOperationName()),
                        getRecurrentLayer<LSTMOp>(adaptor, adaptor.getC0(),
                                                  /*hasCellState=*/true),
                        types);
}

LogicalResult GRUOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  return inferRecurrent(
      OpDiag(loc, getOperationName()),
      getRecurrentLayer<GRUOp>(adaptor, Value(), /*hasCellState=*/false),
      types);
}
