//===- RuntimeGradSelectTest.cpp - Gradients of selections vs torch -------===//
//
// reduceSelectBackward (amax/amin with ties), topKBackward and
// patchifyBackward against torch.autograd.functional.vjp.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Grad.h"
#include "runtime/kernels/Positions.h"
#include "runtime/kernels/Reduce.h"
#include "runtime/kernels/Shape.h"

#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

namespace {
std::string vjp(const std::string &body, const std::string &x,
                const std::string &g) {
  return "torch.autograd.functional.vjp(lambda a: " + body + ", (" + x +
         ",), " + g + ")[1][0]";
}
} // namespace

TEST(RuntimeGradSelectTorch, ReduceMaxMinTopKPatchify) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 4000;
  for (DType dt : {DType::F32, DType::F64}) {
    // Rounded values so that ties occur within reduced rows.
    Tensor x = uniform({3, 4, 5}, ++seed, -2, 2, dt);
    for (int64_t i = 0; i < x.numel(); ++i)
      x.set(i, std::round(x.at(i)));
    std::string X = o.in(x);
    for (auto [dims, keep] : std::vector<std::pair<std::vector<int64_t>, bool>>{
             {{1}, false}, {{0, 2}, true}, {{-1}, true}, {{}, false}}) {
      for (bool max : {true, false}) {
        Tensor y = reduce(max ? ReduceOp::Max : ReduceOp::Min, x, dims, keep);
        Tensor g = uniform(y.shape(), ++seed, -1, 1, dt);
        std::string fn = max ? "torch.amax" : "torch.amin";
        std::string body = fn + "(a, " + (dims.empty() ? "()" : tup(dims)) +
                           ", " + pyBool(keep) + ")";
        o.expect(vjp(body, X, o.in(g)),
                 reduceSelectBackward(g, x, y, dims, keep));
      }
    }
    Tensor v = uniform({2, 7, 3}, ++seed, -1, 1, dt);
    for (int64_t axis : {1, -1}) {
      int64_t k = axis == 1 ? 3 : 2;
      TopKResult r = topK(v, k, axis);
      Tensor g = uniform(r.values.shape(), ++seed, -1, 1, dt);
      o.expect(vjp("torch.topk(a, " + std::to_string(k) +
                       ", dim=" + std::to_string(axis) + ")[0]",
                   o.in(v), o.in(g)),
               topKBackward(g, r.indices, v.shape(), axis));
    }
    Tensor img = uniform({2, 3, 8, 12}, ++seed, -1, 1, dt);
    Tensor p = patchify(img, {4, 3});
    Tensor g = uniform(p.shape(), ++seed, -1, 1, dt);
    o.expect(vjp("a.reshape(2, 3, 2, 4, 4, 3).permute(0, 2, 4, 1, 3, 5)"
                 ".reshape(2, 8, 36)",
                 o.in(img), o.in(g)),
             patchifyBackward(g, img.shape(), {4, 3}));
  }
  o.check();
}

TEST(RuntimeGradSelectTorch, TimestepEmbedding) {
  REQUIRE_TORCH();
  TorchOracle o;
  // Float timesteps; the forward computes in float32 like the op.
  Tensor t = uniform({5}, 4100, 0, 50, DType::F32);
  Tensor g = uniform({5, 16}, 4101, -1, 1, DType::F32);
  std::string body = "torch.cat([torch.cos(a[:, None] * f[None]), "
                     "torch.sin(a[:, None] * f[None])], -1)";
  std::string freqs =
      "torch.exp(-__import__('math').log(1000.0) * torch.arange(0, 8, "
      "dtype=torch.float32) / 8)";
  o.expect("(lambda f: " + vjp(body, o.in(t), o.in(g)) + ")(" + freqs + ")",
           timestepEmbeddingBackward(g, t, 1000.0));
  o.check();
}
