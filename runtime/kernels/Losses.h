//===- Losses.h - Loss function forward kernels -----------------*- C++ -*-===//
//
// The nn dialect's losses with torch.nn.functional semantics. Float inputs
// (f32/f64 natively, f16/bf16 through f32); class-index targets may be i8,
// i32 or i64. A reduced loss is a rank-0 tensor of the input's dtype;
// Reduction::None keeps the per-element shape.
// Means over zero elements are NaN (0 / 0), as in PyTorch.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_LOSSES_H
#define NNC_RUNTIME_KERNELS_LOSSES_H

#include "runtime/Tensor.h"

#include <optional>
#include <string_view>

namespace nnc::rt::kernels {

/// The `reduction` attribute; BatchMean is kl_div_loss only.
enum class Reduction { None, Mean, Sum, BatchMean };

/// "none", "mean", "sum", "batchmean"; nullopt for anything else.
std::optional<Reduction> parseReduction(std::string_view name);

/// F.cross_entropy(input, target, ignore_index=ignoreIndex,
/// reduction=reduction, label_smoothing=labelSmoothing) over input
/// [N, C, d...] (logits).
/// - Integer target [N, d...]: loss = -(1 - eps) logp[y] - eps/C sum_c logp_c;
///   positions with y == ignoreIndex give 0 and are not counted by "mean".
///   A class index outside [0, C) (PyTorch raises) gives a NaN loss there.
/// - Float target [N, C, d...] (probabilities): loss = -sum_c q'_c logp_c with
///   q' = (1 - eps) q + eps / C; "mean" divides by N * prod(d).
Tensor crossEntropy(const Tensor &input, const Tensor &target,
                    double labelSmoothing, int64_t ignoreIndex,
                    Reduction reduction);

/// F.nll_loss(input, target, ignore_index, reduction): loss = -input[n, y, d]
/// over log-probabilities [N, C, d...] and integer targets [N, d...]; the
/// ignore / out-of-range rules of crossEntropy apply.
Tensor nllLoss(const Tensor &input, const Tensor &target, int64_t ignoreIndex,
               Reduction reduction);

/// F.mse_loss: (x - y)^2.
Tensor mseLoss(const Tensor &input, const Tensor &target, Reduction reduction);
/// F.l1_loss: |x - y|.
Tensor l1Loss(const Tensor &input, const Tensor &target, Reduction reduction);
/// F.binary_cross_entropy: -(y log x + (1 - y) log(1 - x)) with each log
/// clamped to >= -100, as PyTorch does.
Tensor bceLoss(const Tensor &input, const Tensor &target, Reduction reduction);
/// F.binary_cross_entropy_with_logits (no weights):
/// max(x, 0) - x y + log1p(exp(-|x|)), stable for any x.
Tensor bceWithLogitsLoss(const Tensor &input, const Tensor &target,
                         Reduction reduction);

/// F.kl_div(input, target, reduction, log_target) with log-probability input:
/// target * (log(target) - input), 0 where target == 0 (xlogy), or
/// exp(target) * (target - input) with `logTarget`. BatchMean divides the
/// sum by input.size(0) (by 1 for a scalar).
Tensor klDivLoss(const Tensor &input, const Tensor &target, Reduction reduction,
                 bool logTarget);

/// InfoNCE with in-batch negatives, anchor and positive [N, D]:
///   logits = F.normalize(anchor) @ F.normalize(positive).T / temperature
///   loss = F.cross_entropy(logits, arange(N))            (mean, rank 0)
/// i.e. cosine similarities (norms clamped to >= 1e-12), one direction
/// (anchor i against every positive j).
Tensor infoNceLoss(const Tensor &anchor, const Tensor &positive,
                   double temperature);

/// Hinton et al.'s distillation loss, student and teacher logits [N, C],
/// integer target [N]:
///   alpha * T^2 * F.kl_div(F.log_softmax(student / T, 1),
///                          F.softmax(teacher / T, 1), reduction="batchmean")
///   + (1 - alpha) * F.cross_entropy(student, target)      (rank 0)
/// (cross entropy with its defaults: mean, ignore_index = -100).
Tensor distillationLoss(const Tensor &student, const Tensor &teacher,
                        const Tensor &target, double temperature, double alpha);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_LOSSES_H
