//===- RuntimeAbiGradTest.cpp - Training-step ops through nnc_kernel_call -===//
//
// The two ops with side effects (nn.optimizer_step, nn.assign) hand their
// operands to the run context's hooks: with the right names and tensors,
// with the hook's refusal as the run's error, and with a clear error when
// no hook is installed. A gradient op with absent optionals and several
// results is compared bit for bit with its kernel. The executor runs every
// gradient op through the same adapters (test/lit/grad, test/lit/train).
//
//===----------------------------------------------------------------------===//

#include "runtime/Tensor.h"
#include "runtime/abi/KernelDescriptor.h"
#include "runtime/abi/RunContext.h"
#include "runtime/abi/nnc_kernel_abi.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Grad.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::abi;
namespace k = nnc::rt::kernels;

namespace {

/// A tensor with values 0.1 * (i % 13) - 0.6 + offset: small, signed,
/// deterministic.
Tensor ramp(Shape shape, double offset = 0) {
  Tensor t(DType::F32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, 0.1 * double(i % 13) - 0.6 + offset);
  return t;
}

void expectIdentical(const Tensor &a, const Tensor &b) {
  ASSERT_TRUE(a.defined() && b.defined());
  ASSERT_EQ(a.typeString(), b.typeString());
  EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.bytes()), 0);
}

/// Calls nnc_kernel_call on contiguous tensors (operands, then results),
/// building each MLIR ranked memref descriptor in place.
void call(const std::string &descriptor, std::vector<Tensor *> tensors) {
  std::vector<std::vector<int64_t>> words;
  std::vector<nnc_unranked_memref> args;
  for (Tensor *t : tensors) {
    size_t rank = t->shape().size();
    std::vector<int64_t> w(3 + 2 * rank, 0);
    void *data = t->raw();
    std::memcpy(&w[0], &data, sizeof(void *));
    std::memcpy(&w[1], &data, sizeof(void *));
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      w[3 + d] = t->dim(int64_t(d));
      w[3 + rank + d] = stride;
      stride *= t->dim(int64_t(d));
    }
    words.push_back(std::move(w));
  }
  for (size_t i = 0; i < tensors.size(); ++i)
    args.push_back({int64_t(tensors[i]->shape().size()), words[i].data()});
  nnc_kernel_call(descriptor.c_str(), int64_t(args.size()), args.data());
}

/// What a gradient handler received.
struct Received {
  int calls = 0;
  std::vector<std::string> names;
  std::vector<Tensor> grads;
};

RunContext::GradientHandler recordingHandler(Received &r, bool accept = true) {
  return [&r, accept](const std::vector<std::string> &names,
                      std::vector<Tensor> &grads, std::string &why) {
    ++r.calls;
    r.names = names;
    for (const Tensor &g : grads)
      r.grads.push_back(g.clone()); // the operands view the caller's memory
    if (!accept)
      why = "the optimiser has no state for '" + names.front() + "'";
    return accept;
  };
}

const char *kStep = "op=optimizer_step\nin=f32,f32\nout=\n"
                    "a.parameters=s:fc.weight,fc.bias";

} // namespace

TEST(RuntimeAbiGrad, OptimizerStepHandsTheGradientsToTheHandler) {
  Tensor dw = ramp({3, 4}), db = ramp({3}, 0.05);
  Received r;
  RunContext ctx;
  ctx.setGradientHandler(recordingHandler(r));
  ScopedRunContext scope(ctx);
  call(kStep, {&dw, &db});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(r.names, (std::vector<std::string>{"fc.weight", "fc.bias"}));
  ASSERT_EQ(r.grads.size(), 2u);
  expectIdentical(r.grads[0], dw);
  expectIdentical(r.grads[1], db);
  // The hook outlives a new run.
  nnc_run_begin(1, 0);
  call(kStep, {&dw, &db});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  EXPECT_EQ(r.calls, 2);
}

TEST(RuntimeAbiGrad, OptimizerStepNamesAreDecoded) {
  // Symbol names may hold the characters the descriptor escapes.
  std::string name = "block,1=a%b";
  Tensor g = ramp({2});
  Received r;
  RunContext ctx;
  ctx.setGradientHandler(recordingHandler(r));
  ScopedRunContext scope(ctx);
  call("op=optimizer_step\nin=f32\nout=\na.parameters=s:" +
           escapeDescriptorString(name),
       {&g});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  EXPECT_EQ(r.names, (std::vector<std::string>{name}));
  // A step without parameters still reaches the handler (clipping and
  // schedules count steps).
  call("op=optimizer_step\nin=\nout=\na.parameters=i:", {});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  EXPECT_EQ(r.calls, 2);
  EXPECT_TRUE(r.names.empty());
}

TEST(RuntimeAbiGrad, OptimizerStepErrors) {
  Tensor dw = ramp({3, 4}), db = ramp({3});
  RunContext ctx;
  ScopedRunContext scope(ctx);
  auto expectError = [&](const std::string &what) {
    ASSERT_TRUE(nnc_run_failed());
    EXPECT_EQ(std::string(nnc_run_error()), what);
    ctx.reset(0, false);
  };
  call(kStep, {&dw, &db});
  expectError("nn.optimizer_step: this function updates parameters; run it "
              "with an optimiser");
  Received r;
  ctx.setGradientHandler(recordingHandler(r, /*accept=*/false));
  call(kStep, {&dw, &db});
  expectError("nn.optimizer_step: the optimiser has no state for 'fc.weight'");
  call("op=optimizer_step\nin=f32\nout=\na.parameters=s:fc.weight,fc.bias",
       {&dw});
  expectError("nn.optimizer_step: 'parameters' names 2 parameters for 1 "
              "gradients");
  call("op=optimizer_step\nin=f32\nout=", {&dw});
  expectError("nn.optimizer_step: the descriptor has no attribute "
              "'parameters'");
  EXPECT_EQ(r.calls, 1);
}

TEST(RuntimeAbiGrad, AssignHandsTheValueToTheHook) {
  Tensor value = ramp({6});
  int calls = 0;
  std::string name;
  Tensor stored;
  RunContext ctx;
  ctx.setAssignHook(
      [&](const std::string &n, const Tensor &v, std::string &why) {
        ++calls;
        name = n;
        stored = v.clone();
        if (n == "frozen") {
          why = "buffer 'frozen' is read-only";
          return false;
        }
        return true;
      });
  ScopedRunContext scope(ctx);
  call("op=assign\nin=f32\nout=\na.name=s:bn1.running_mean", {&value});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(name, "bn1.running_mean");
  expectIdentical(stored, value);
  call("op=assign\nin=f32\nout=\na.name=s:frozen", {&value});
  ASSERT_TRUE(nnc_run_failed());
  EXPECT_STREQ(nnc_run_error(), "nn.assign: buffer 'frozen' is read-only");
}

TEST(RuntimeAbiGrad, AssignWithoutAHookIsAnError) {
  Tensor value = ramp({6});
  RunContext ctx;
  ScopedRunContext scope(ctx);
  call("op=assign\nin=f32\nout=\na.name=s:bn1.running_mean", {&value});
  ASSERT_TRUE(nnc_run_failed());
  EXPECT_STREQ(nnc_run_error(), "nn.assign: this function updates buffers; "
                                "run it where they can be stored");
  ctx.reset(0, false);
  // A value and a result is not what nn.assign takes.
  Tensor out(DType::F32, {6});
  ctx.setAssignHook(
      [](const std::string &, const Tensor &, std::string &) { return true; });
  call("op=assign\nin=f32\nout=f32\na.name=s:x", {&value, &out});
  ASSERT_TRUE(nnc_run_failed());
  EXPECT_STREQ(nnc_run_error(),
               "nn.assign: expected 0 results, the descriptor lists 1");
}

TEST(RuntimeAbiGrad, LayerNormGradMatchesTheKernel) {
  // With a weight but no bias (segments 1, 1, 1, 0): the bias gradient is
  // a zero result of the normalized shape.
  Tensor dy = ramp({2, 3, 4}, 0.02), x = ramp({2, 3, 4}), w = ramp({3, 4}, 1);
  k::NormGrads expected =
      k::layerNormBackward(dy, x, w, /*hasBias=*/false, {3, 4}, 1e-3);
  Tensor dx(DType::F32, {2, 3, 4}), dw(DType::F32, {3, 4}),
      dbias = Tensor::full(DType::F32, {3, 4}, 7.0);
  RunContext ctx;
  ScopedRunContext scope(ctx);
  call("op=layer_norm_grad\nin=f32,f32,f32\nout=f32,f32,f32\n"
       "a.epsilon=f:0.001\na.normalized_shape=i:3,4\n"
       "a.operandSegmentSizes=i:1,1,1,0",
       {&dy, &x, &w, &dx, &dw, &dbias});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  expectIdentical(dx, expected.input);
  expectIdentical(dw, expected.weight);
  expectIdentical(dbias, Tensor(DType::F32, {3, 4}));
}

TEST(RuntimeAbiGrad, DropoutMaskDrawsTheExecutorsSeeds) {
  // The k-th stochastic call of a run with seed s draws with
  // s * 0x9E3779B97F4A7C15 + k, whichever path evaluates it.
  Tensor x = ramp({64}), first(DType::F32, {64}), second(DType::F32, {64});
  RunContext ctx(/*seed=*/11);
  ScopedRunContext scope(ctx);
  std::string text = "op=dropout_mask\nin=f32\nout=f32\na.p=f:0.25";
  call(text, {&x, &first});
  call(text, {&x, &second});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  Tensor ones = Tensor::full(DType::F32, {64}, 1.0);
  uint64_t base = 11 * 0x9E3779B97F4A7C15ull;
  expectIdentical(first, k::dropout(ones, 0.25, false, true, base + 1));
  expectIdentical(second, k::dropout(ones, 0.25, false, true, base + 2));
}
