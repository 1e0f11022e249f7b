//===- NNAttentionOps.cpp - Attention, position encodings, MoE ------------===//

#include "dialects/nn/NNOps.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <string>

using namespace mlir;
using namespace nnc::nn;

/// A mask is i1 or has the scores' float type (added to the scores).
static LogicalResult checkMaskElementType(const OpDiag &diag, StringRef what,
                                          RankedTensorType mask,
                                          Type scoreType) {
  Type elementType = mask.getElementType();
  if (elementType.isInteger(1) || elementType == scoreType)
    return success();
  return diag() << what << " must be i1 or " << scoreType << ", got "
                << elementType;
}

//===----------------------------------------------------------------------===//
// ScaledDotProductAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult ScaledDotProductAttentionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType q = tensorTypeOf(adaptor.getQuery());
  RankedTensorType k = tensorTypeOf(adaptor.getKey());
  RankedTensorType v = tensorTypeOf(adaptor.getValue());
  Type elementType = q.getElementType();
  if (failed(checkMinRank(diag, "query", q, 2)) ||
      failed(checkMinRank(diag, "key", k, 2)) ||
      failed(checkMinRank(diag, "value", v, 2)) ||
      failed(checkElementType(diag, "key", k, elementType, "query")) ||
      failed(checkElementType(diag, "value", v, elementType, "query")))
    return failure();
  int64_t tq = q.getDimSize(q.getRank() - 2),
          tk = k.getDimSize(k.getRank() - 2);
  int64_t e = q.getShape().back();
  if (!dimsMatch(e, k.getShape().back()))
    return diag() << "query has embedding size " << e << " but key has "
                  << k.getShape().back();
  if (!dimsMatch(tk, v.getDimSize(v.getRank() - 2)))
    return diag() << "key has " << tk << " positions but value has "
                  << v.getDimSize(v.getRank() - 2);

  SmallVector<int64_t> batch, qkBatch;
  if (failed(broadcastShapes(q.getShape().drop_back(2),
                             k.getShape().drop_back(2), qkBatch)) ||
      failed(broadcastShapes(qkBatch, v.getShape().drop_back(2), batch)))
    return diag() << "batch dims of query " << shapeToString(q.getShape())
                  << ", key " << shapeToString(k.getShape()) << " and value "
                  << shapeToString(v.getShape())
                  << " are not broadcast-compatible";

  if (Value maskValue = adaptor.getAttnMask()) {
    RankedTensorType mask = tensorTypeOf(maskValue);
    if (adaptor.getIsCausal())
      return diag() << "takes either is_causal or an attn_mask, not both";
    if (failed(checkMaskElementType(diag, "attn_mask", mask, elementType)))
      return failure();
    // The mask broadcasts to the score shape but must not enlarge it.
    SmallVector<int64_t> scores(batch), merged;
    scores.append({tq, tk});
    if (failed(broadcastShapes(mask.getShape(), scores, merged)) ||
        merged.size() != scores.size() ||
        failed(verifyCompatibleShape(merged, scores)))
      return diag() << "attn_mask " << shapeToString(mask.getShape())
                    << " does not broadcast to the scores "
                    << shapeToString(scores);
  }
  if (std::optional<double> scale = adaptor.getScale();
      scale && !(*scale > 0 && std::isfinite(*scale)))
    return diag() << "scale must be > 0, got " << *scale;

  batch.append({tq, v.getShape().back()});
  types.push_back(RankedTensorType::get(batch, elementType));
  return success();
}

//===----------------------------------------------------------------------===//
// MultiHeadAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult MultiHeadAttentionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType q = tensorTypeOf(adaptor.getQuery());
  RankedTensorType k = tensorTypeOf(adaptor.getKey());
  RankedTensorType v = tensorTypeOf(adaptor.getValue());
  Type elementType = q.getElementType();
  if (failed(checkRank(diag, "query", q, 3)) ||
      failed(checkRank(diag, "key", k, 3)) ||
      failed(checkRank(diag, "value", v, 3)) ||
      failed(checkElementType(diag, "key", k, elementType, "query")) ||
      failed(checkElementType(diag, "value", v, elementType, "query")))
    return failure();
  double dropout = adaptor.getDropout();
  if (!(dropout >= 0 && dropout < 1))
    return diag() << "dropout must be in [0, 1), got " << dropout;

  // [B, T, E] with batch_first, else [T, B, E].
  unsigned batchDim = adaptor.getBatchFirst() ? 0 : 1;
  unsigned timeDim = 1 - batchDim;
  int64_t batch = q.getDimSize(batchDim), tq = q.getDimSize(timeDim);
  int64_t tk = k.getDimSize(timeDim), e = q.getDimSize(2);
  int64_t kdim = k.getDimSize(2), vdim = v.getDimSize(2);
  if (!dimsMatch(batch, k.getDimSize(batchDim)) ||
      !dimsMatch(batch, v.getDimSize(batchDim)))
    return diag() << "query, key and value have batch sizes " << batch << ", "
                  << k.getDimSize(batchDim) << " and "
                  << v.getDimSize(batchDim);
  if (!dimsMatch(tk, v.getDimSize(timeDim)))
    return diag() << "key has " << tk << " positions but value has "
                  << v.getDimSize(timeDim);

  int64_t heads = adaptor.getNumHeads();
  if (heads < 1)
    return diag() << "num_heads must be >= 1, got " << heads;
  if (!isDynamicDim(e) && e % heads != 0)
    return diag() << "embedding size " << e
                  << " is not divisible by num_heads=" << heads;

  auto checkWeight = [&](StringRef what, Value value, ArrayRef<int64_t> shape) {
    return checkOptionalOperand(diag, what, value, shape, elementType, "query");
  };

  // Packed [3E, E] projection, or three separate ones.
  Value packed = adaptor.getInProjWeight();
  Value qProj = adaptor.getQProjWeight(), kProj = adaptor.getKProjWeight(),
        vProj = adaptor.getVProjWeight();
  int64_t threeE = mulDims(3, e);
  if (packed) {
    if (qProj || kProj || vProj)
      return diag() << "takes either in_proj_weight or q/k/v_proj_weight, "
                       "not both";
    if (!dimsMatch(kdim, e) || !dimsMatch(vdim, e))
      return diag() << "packed in_proj_weight needs key and value of "
                       "embedding size "
                    << e << ", got " << kdim << " and " << vdim
                    << "; use q/k/v_proj_weight";
    if (failed(checkWeight("in_proj_weight", packed, {threeE, e})))
      return failure();
  } else {
    if (!qProj || !kProj || !vProj)
      return diag() << "needs in_proj_weight or all of q_proj_weight, "
                       "k_proj_weight and v_proj_weight";
    if (failed(checkWeight("q_proj_weight", qProj, {e, e})) ||
        failed(checkWeight("k_proj_weight", kProj, {e, kdim})) ||
        failed(checkWeight("v_proj_weight", vProj, {e, vdim})))
      return failure();
  }
  if (failed(checkWeight("in_proj_bias", adaptor.getInProjBias(), {threeE})) ||
      failed(
          checkWeight("out_proj_weight", adaptor.getOutProjWeight(), {e, e})) ||
      failed(checkWeight("out_proj_bias", adaptor.getOutProjBias(), {e})))
    return failure();

  if (Value value = adaptor.getKeyPaddingMask()) {
    RankedTensorType mask = tensorTypeOf(value);
    if (failed(checkShape(diag, "key_padding_mask", mask, {batch, tk})) ||
        failed(
            checkMaskElementType(diag, "key_padding_mask", mask, elementType)))
      return failure();
  }
  if (Value value = adaptor.getAttnMask()) {
    RankedTensorType mask = tensorTypeOf(value);
    if (failed(checkMaskElementType(diag, "attn_mask", mask, elementType)))
      return failure();
    if (mask.getRank() == 2) {
      if (failed(checkShape(diag, "attn_mask", mask, {tq, tk})))
        return failure();
    } else if (mask.getRank() == 3) {
      if (failed(checkShape(diag, "attn_mask", mask,
                            {mulDims(batch, heads), tq, tk})))
        return failure();
    } else {
      return diag() << "attn_mask must be [Tq, Tk] or [B * num_heads, Tq, "
                       "Tk], got rank "
                    << mask.getRank();
    }
  }
  types.push_back(q);
  return success();
}

//===----------------------------------------------------------------------===//
// AdditiveAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AdditiveAttentionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType query = tensorTypeOf(adaptor.getQuery());
  RankedTensorType keys = tensorTypeOf(adaptor.getKeys());
  RankedTensorType wq = tensorTypeOf(adaptor.getQueryWeight());
  RankedTensorType wk = tensorTypeOf(adaptor.getKeyWeight());
  RankedTensorType ws = tensorTypeOf(adaptor.getScoreWeight());
  Type elementType = query.getElementType();
  if (failed(checkRank(diag, "query", query, 2)) ||
      failed(checkRank(diag, "keys", keys, 3)) ||
      failed(checkRank(diag, "query_weight", wq, 2)))
    return failure();
  int64_t batch = query.getDimSize(0), hq = query.getDimSize(1);
  int64_t steps = keys.getDimSize(1), hk = keys.getDimSize(2);
  int64_t attn = wq.getDimSize(0);
  if (!dimsMatch(batch, keys.getDimSize(0)))
    return diag() << "query has batch size " << batch << " but keys have "
                  << keys.getDimSize(0);
  if (failed(checkShape(diag, "query_weight", wq, {attn, hq})) ||
      failed(checkShape(diag, "key_weight", wk, {attn, hk})) ||
      failed(checkShape(diag, "score_weight", ws,
                        {1, refineDim(attn, wk.getDimSize(0))})))
    return failure();
  for (auto [what, type] :
       {std::make_pair("keys", keys), std::make_pair("query_weight", wq),
        std::make_pair("key_weight", wk), std::make_pair("score_weight", ws)})
    if (failed(checkElementType(diag, what, type, elementType, "query")))
      return failure();
  types.push_back(RankedTensorType::get({batch, hk}, elementType));
  types.push_back(RankedTensorType::get({batch, steps}, elementType));
  return success();
}

//===----------------------------------------------------------------------===//
// Position and timestep encodings
//===----------------------------------------------------------------------===//

LogicalResult SinusoidalPositionEncodingOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  if (failed(checkMinRank(diag, "input", input, 2)))
    return failure();
  int64_t steps = input.getDimSize(input.getRank() - 2);
  int64_t dim = input.getShape().back();
  // sin and cos fill alternating columns.
  if (!isDynamicDim(dim) && dim % 2 != 0)
    return diag() << "model dim " << dim << " must be even";
  types.push_back(RankedTensorType::get({steps, dim}, input.getElementType()));
  return success();
}

LogicalResult TimestepEmbeddingOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType timesteps = tensorTypeOf(adaptor.getTimesteps());
  if (failed(checkRank(diag, "timesteps", timesteps, 1)))
    return failure();
  int64_t dim = adaptor.getDim();
  if (dim < 2 || dim % 2 != 0)
    return diag() << "dim must be even and >= 2, got " << dim;
  double period = adaptor.getMaxPeriod();
  if (!(period > 0 && std::isfinite(period)))
    return diag() << "max_period must be > 0, got " << period;
  types.push_back(RankedTensorType::get({timesteps.getDimSize(0), dim},
                                        Float32Type::get(context)));
  return success();
}

LogicalResult RelativePositionBiasOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType query = tensorTypeOf(adaptor.getQuery());
  RankedTensorType key = tensorTypeOf(adaptor.getKey());
  RankedTensorType weight = tensorTypeOf(adaptor.getWeight());
  if (failed(checkMinRank(diag, "query", query, 2)) ||
      failed(checkMinRank(diag, "key", key, 2)) ||
      failed(checkRank(diag, "weight", weight, 2)))
    return failure();
  int64_t buckets = adaptor.getNumBuckets();
  // Bidirectional bucketing gives half of the buckets to each direction.
  int64_t minBuckets = adaptor.getBidirectional() ? 2 : 1;
  if (buckets < minBuckets)
    return diag() << "num_buckets must be >= " << minBuckets << ", got "
                  << buckets;
  if (adaptor.getMaxDistance() < 1)
    return diag() << "max_distance must be >= 1, got "
                  << adaptor.getMaxDistance();
  if (!dimsMatch(query.getDimSize(0), key.getDimSize(0)))
    return diag() << "query has batch size " << query.getDimSize(0)
                  << " but key has " << key.getDimSize(0);
  if (!dimsMatch(weight.getDimSize(0), buckets))
    return diag() << "weight has " << weight.getDimSize(0)
                  << " rows but num_buckets=" << buckets;
  types.push_back(RankedTensorType::get(
      {1, weight.getDimSize(1), query.getDimSize(1), key.getDimSize(1)},
      weight.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// MoEOp
//===----------------------------------------------------------------------===//

LogicalResult MoEOp::inferReturnTypes(MLIRContext *context,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  OpDiag diag(loc, getOperationName());
  RankedTensorType input = tensorTypeOf(adaptor.getInput());
  RankedTensorType gate = tensorTypeOf(adaptor.getGateWeight());
  Type elementType = input.getElementType();
  if (failed(checkMinRank(diag, "input", input, 1)) ||
      failed(checkOneOf(diag, "activation", adaptor.getActivation(),
                        {"relu", "gelu", "silu"})))
    return failure();
  int64_t experts = adaptor.getNumExperts(), topK = adaptor.getTopK();
  int64_t d = input.getShape().back();
  if (experts < 1)
    return diag() << "num_experts must be >= 1, got " << experts;
  if (topK < 1 || topK > experts)
    return diag() << "top_k must be in [1, " << experts << "], got " << topK;
  if (failed(checkShapeAndElementType(diag, "gate_weight", gate, {experts, d},
                                      elementType, "input")))
    return failure();

  bool hasBias = adaptor.getHasBias();
  int64_t perExpert = hasBias ? 4 : 2;
  ValueRange weights = adaptor.getExpertWeights();
  if (static_cast<int64_t>(weights.size()) != experts * perExpert)
    return diag() << "expects " << experts * perExpert << " expert weights ("
                  << experts << " experts x " << perExpert << "), got "
                  << weights.size();
  for (int64_t i = 0; i < experts; ++i) {
    ValueRange expert = weights.slice(i * perExpert, perExpert);
    RankedTensorType fc1 = tensorTypeOf(expert[0]);
    std::string prefix = "expert " + std::to_string(i) + " ";
    if (failed(checkRank(diag, prefix + "fc1_weight", fc1, 2)))
      return failure();
    // Experts may differ in hidden size; each must be self-consistent.
    int64_t h = fc1.getDimSize(0);
    SmallVector<std::pair<std::string, SmallVector<int64_t>>, 4> expected;
    expected.push_back({prefix + "fc1_weight", {h, d}});
    if (hasBias)
      expected.push_back({prefix + "fc1_bias", {h}});
    expected.push_back({prefix + "fc2_weight", {d, h}});
    if (hasBias)
      expected.push_back({prefix + "fc2_bias", {d}});
    for (auto [value, entry] : llvm::zip_equal(expert, expected))
      if (failed(checkShapeAndElementType(diag, entry.first,
                                          tensorTypeOf(value), entry.second,
                                          elementType, "input")))
        return failure();
  }
  types.push_back(input);
  types.push_back(RankedTensorType::get({}, Float32Type::get(context)));
  return success();
}
