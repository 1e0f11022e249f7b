//===- Optimizer.h - SGD, Adam and AdamW over parameter groups --*- C++ -*-===//
//
// Training updates parameters in place with the exact arithmetic of
// torch.optim (1.13, single-tensor path), so that a model trained by nnc and
// one trained by PyTorch on the same gradients agree step for step.
//
// Parameters are named tensor handles: a Tensor shares its buffer, so the
// optimiser updates the caller's weights directly. Parameters are organised in
// groups with their own learning rate, weight decay and frozen flag (for
// fine-tuning). The optimiser state (per-parameter step count and moment
// buffers) is exposed as named tensors so a checkpoint can save it and a
// resumed run continues bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_OPTIM_OPTIMIZER_H
#define NNC_RUNTIME_OPTIM_OPTIMIZER_H

#include "runtime/Tensor.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nnc::rt::optim {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

enum class OptimizerKind { SGD, Adam, AdamW };

/// Hyperparameters shared by all groups (torch.optim's constructor defaults).
struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::SGD;
  // SGD.
  double momentum = 0;
  double dampening = 0;
  bool nesterov = false;
  // Adam / AdamW.
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  bool amsgrad = false;
};

/// Per-group settings. The `lr` given to addGroup is the group's base rate,
/// which schedules scale (Optimizer::baseLr); group(g).lr is the rate the next
/// step uses, changed by setLr or applySchedule.
struct GroupOptions {
  double lr = 1e-3;
  /// L2 added to the gradient (SGD, Adam) or decoupled decay (AdamW).
  double weightDecay = 0;
  bool frozen = false;
};

class Optimizer {
public:
  explicit Optimizer(OptimizerOptions options) : opts(options) {}
  // A copy would share the state buffers (tensors are handles); use
  // state() / loadState() to duplicate an optimiser.
  Optimizer(const Optimizer &) = delete;
  Optimizer &operator=(const Optimizer &) = delete;
  Optimizer(Optimizer &&) = default;
  Optimizer &operator=(Optimizer &&) = default;

  /// Checks the hyperparameters as torch.optim does (momentum >= 0, betas in
  /// [0, 1), eps >= 0, Nesterov needs momentum > 0 and zero dampening).
  static bool validate(const OptimizerOptions &options, std::string &error);

  /// Adds a group; fails on a non-f32 parameter, a duplicate name or a
  /// negative lr / weight decay. Returns the group index through `index`.
  bool addGroup(const NamedTensors &params, const GroupOptions &options,
                std::string &error, size_t *index = nullptr);

  size_t numGroups() const { return groups.size(); }
  const GroupOptions &group(size_t g) const { return groups[g].options; }
  double baseLr(size_t g) const { return groups[g].baseLr; }
  void setLr(size_t g, double lr) { groups[g].options.lr = lr; }
  /// Freezing keeps the state; unfreezing a group that never stepped creates
  /// its (zero) state.
  void setFrozen(size_t g, bool frozen);

  /// One update of every parameter of every non-frozen group. `grads` maps
  /// parameter names to gradients of the same shape; a missing or mismatched
  /// gradient of a trainable parameter fails before anything is updated.
  bool step(const std::map<std::string, Tensor> &grads, std::string &error);

  /// Steps taken by this optimiser (restored by loadState).
  int64_t steps() const { return numSteps; }

  /// The state as named tensors: "step" (i64 scalar) and, for every
  /// trainable parameter P (and frozen ones that trained before), "P/step" (i64
  /// scalar) plus its buffers "P/momentum_buffer" (SGD with momentum),
  /// "P/exp_avg", "P/exp_avg_sq" and "P/max_exp_avg_sq" (amsgrad). The tensors
  /// are copies.
  NamedTensors state() const;
  /// Restores state() of an optimiser with the same parameters and options.
  /// Fails, changing nothing, on a missing, unexpected or mismatched tensor
  /// and names it. A frozen parameter's state is optional; when absent it is
  /// reset.
  bool loadState(const NamedTensors &saved, std::string &error);

private:
  struct Param {
    std::string name;
    Tensor value;
    // State; buffers are allocated when the parameter first becomes
    // trainable.
    int64_t step = 0;
    Tensor momentum, expAvg, expAvgSq, maxExpAvgSq;
    bool hasState() const;
  };
  struct Group {
    GroupOptions options;
    double baseLr;
    std::vector<Param> params;
  };

  void allocateState(Param &p) const;
  /// (suffix, buffer) pairs of a parameter's state, in a fixed order.
  std::vector<std::pair<const char *, Tensor Param::*>> bufferFields() const;
  void updateSGD(Param &p, const float *grad, const GroupOptions &g);
  void updateAdam(Param &p, const float *grad, const GroupOptions &g);

  OptimizerOptions opts;
  std::vector<Group> groups;
  int64_t numSteps = 0;
};

/// grad += lambda * sign(param), the gradient of lambda * sum|param|.
void addL1Penalty(Tensor &grad, const Tensor &param, float lambda);

/// torch.nn.utils.clip_grad_norm_: scales all gradients together by
/// maxNorm / (total + 1e-6) when that is below 1, where total is the p-norm of
/// all their elements (normType > 0, or infinity). Returns the total norm.
float clipGradNorm(std::vector<Tensor> &grads, double maxNorm,
                   double normType = 2);

/// torch.nn.utils.clip_grad_value_: clamps every element to [-clip, clip].
void clipGradValue(std::vector<Tensor> &grads, float clip);

} // namespace nnc::rt::optim

#endif // NNC_RUNTIME_OPTIM_OPTIMIZER_H
