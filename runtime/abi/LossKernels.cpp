//===- LossKernels.cpp - Adapters: losses ---------------------------------===//

#include "runtime/abi/AdapterUtil.h"
#include "runtime/abi/Kernels.h"
#include "runtime/kernels/Losses.h"

using namespace nnc::rt;
using namespace nnc::rt::abi;
namespace k = nnc::rt::kernels;

static bool crossEntropy(KernelCall &c) {
  return c.setResult(0, k::crossEntropy(c.operand(0), c.operand(1),
                                        c.attrs.getFloat("label_smoothing"),
                                        c.attrs.getInt("ignore_index", -100),
                                        reduction(c)));
}

static bool nllLoss(KernelCall &c) {
  return c.setResult(0, k::nllLoss(c.operand(0), c.operand(1),
                                   c.attrs.getInt("ignore_index", -100),
                                   reduction(c)));
}

/// The pointwise losses: input, target and a reduction.
template <Tensor (*Loss)(const Tensor &, const Tensor &, k::Reduction)>
static bool pointwiseLoss(KernelCall &c) {
  return c.setResult(0, Loss(c.operand(0), c.operand(1), reduction(c)));
}

static bool klDivLoss(KernelCall &c) {
  return c.setResult(0, k::klDivLoss(c.operand(0), c.operand(1), reduction(c),
                                     c.attrs.getBool("log_target")));
}

static bool infoNceLoss(KernelCall &c) {
  return c.setResult(0, k::infoNceLoss(c.operand(0), c.operand(1),
                                       c.attrs.getFloat("temperature")));
}

static bool distillationLoss(KernelCall &c) {
  return c.setResult(0, k::distillationLoss(c.operand(0), c.operand(1),
                                            c.operand(2),
                                            c.attrs.getFloat("temperature"),
                                            c.attrs.getFloat("alpha")));
}

void nnc::rt::abi::registerLossKernels(Registry &r) {
  r.add("cross_entropy", crossEntropy, "11");
  r.add("nll_loss", nllLoss, "11");
  r.add("mse_loss", pointwiseLoss<k::mseLoss>, "11");
  r.add("l1_loss", pointwiseLoss<k::l1Loss>, "11");
  r.add("bce_loss", pointwiseLoss<k::bceLoss>, "11");
  r.add("bce_with_logits_loss", pointwiseLoss<k::bceWithLogitsLoss>, "11");
  r.add("kl_div_loss", klDivLoss, "11");
  r.add("info_nce_loss", infoNceLoss, "11", 1, {"temperature"});
  r.add("distillation_loss", distillationLoss, "111", 1,
        {"temperature", "alpha"});
}
