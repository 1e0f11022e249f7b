//===- RuntimeGradTest.cpp - Backward kernels vs torch.autograd -----------===//
//
// Every backward kernel against torch.autograd.functional.vjp on awkward
// shapes (through the TorchOracle of RuntimeKernelsATestUtil.h), plus
// central finite-difference checks in f64 for a few kernels, which need no
// PyTorch.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Grad.h"

#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Dense.h"
#include "runtime/kernels/Norm.h"
#include "runtime/kernels/Pool.h"
#include "runtime/kernels/Reduce.h"

#include "RuntimeGradTestUtil.h"
#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <functional>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

namespace {

/// Python for gradient `which` of f(params...) at `inputs`, contracted with
/// the output gradient `grad`: torch.autograd.functional.vjp.
std::string vjp(const std::string &params, const std::string &body,
                const std::vector<std::string> &inputs, const std::string &grad,
                int which) {
  std::string ins;
  for (const std::string &i : inputs)
    ins += i + ", ";
  return "torch.autograd.functional.vjp(lambda " + params + ": " + body +
         ", (" + ins + "), " + grad + ")[1][" + std::to_string(which) + "]";
}

std::string reductionName(Reduction r) {
  return r == Reduction::None  ? "'none'"
         : r == Reduction::Sum ? "'sum'"
                               : "'mean'";
}

} // namespace

TEST(RuntimeGradTorch, DenseBroadcastReduce) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 1000;
  for (auto [xs, out, bias, dt] :
       std::vector<std::tuple<Shape, int64_t, bool, DType>>{
           {{5, 7}, 3, true, DType::F32},
           {{2, 3, 4, 9}, 6, false, DType::F32},
           {{1, 1}, 1, true, DType::F32},
           {{3, 5}, 4, true, DType::F64}}) {
    Tensor x = uniform(xs, ++seed, -1, 1, dt);
    Tensor w = uniform({out, xs.back()}, ++seed, -1, 1, dt);
    Shape ys = xs;
    ys.back() = out;
    Tensor g = uniform(ys, ++seed, -1, 1, dt);
    Tensor b = uniform({out}, ++seed, -1, 1, dt);
    LinearGrads r = linearBackward(g, x, w, bias);
    std::string X = o.in(x), W = o.in(w), G = o.in(g), B = o.in(b);
    std::string body = bias ? "F.linear(x, w, b)" : "F.linear(x, w)";
    std::vector<std::string> ins = {X, W};
    if (bias)
      ins.push_back(B);
    std::string ps = bias ? "x, w, b" : "x, w";
    o.expect(vjp(ps, body, ins, G, 0), r.input);
    o.expect(vjp(ps, body, ins, G, 1), r.weight);
    if (bias)
      o.expect(vjp(ps, body, ins, G, 2), r.bias);
    else
      EXPECT_FALSE(r.bias.defined());
  }

  for (auto [as, bs] :
       std::vector<std::pair<Shape, Shape>>{{{4, 5, 6}, {6, 3}},
                                            {{2, 1, 3, 4}, {5, 4, 2}},
                                            {{3, 4}, {2, 4, 5}},
                                            {{1, 1}, {1, 1}},
                                            {{2, 3, 7, 5}, {2, 3, 5, 1}}}) {
    Tensor a = uniform(as, ++seed), b = uniform(bs, ++seed);
    Tensor y = matmul(a, b);
    Tensor g = uniform(y.shape(), ++seed);
    MatmulGrads r = matmulBackward(g, a, b);
    std::vector<std::string> ins = {o.in(a), o.in(b)};
    std::string G = o.in(g);
    o.expect(vjp("a, b", "torch.matmul(a, b)", ins, G, 0), r.lhs);
    o.expect(vjp("a, b", "torch.matmul(a, b)", ins, G, 1), r.rhs);
  }

  for (auto [ls, rs] : std::vector<std::pair<Shape, Shape>>{
           {{2, 3, 4}, {3, 1}}, {{1, 5}, {4, 1}}, {{3}, {2, 3}}}) {
    Tensor l = uniform(ls, ++seed), r = uniform(rs, ++seed, 0.5, 2);
    Tensor g = uniform(binary(BinaryOp::Add, l, r).shape(), ++seed);
    std::vector<std::string> ins = {o.in(l), o.in(r)};
    std::string G = o.in(g);
    for (auto [op, py] : std::vector<std::pair<BinaryOp, std::string>>{
             {BinaryOp::Add, "a + b"},
             {BinaryOp::Sub, "a - b"},
             {BinaryOp::Mul, "a * b"},
             {BinaryOp::Div, "a / b"}}) {
      BinaryGrads bg = binaryBackward(op, g, l, r);
      o.expect(vjp("a, b", py, ins, G, 0), bg.lhs);
      o.expect(vjp("a, b", py, ins, G, 1), bg.rhs);
    }
    o.expect(call("torch.Tensor.sum_to_size", {G, tup(rs)}), sumToShape(g, rs));
  }

  Tensor x = uniform({2, 3, 4}, ++seed);
  std::string X = o.in(x);
  for (auto [dims, keep, mean] :
       std::vector<std::tuple<std::vector<int64_t>, bool, bool>>{
           {{1}, false, false},
           {{0, 2}, true, true},
           {{-1}, false, true},
           {{}, false, false}}) {
    Tensor y = reduce(mean ? ReduceOp::Mean : ReduceOp::Sum, x, dims, keep);
    Tensor g = uniform(y.shape(), ++seed);
    std::string fn = mean ? "torch.mean" : "torch.sum";
    std::string body =
        dims.empty() ? fn + "(a)"
                     : fn + "(a, " + tup(dims) + ", " + pyBool(keep) + ")";
    o.expect(vjp("a", body, {X}, o.in(g), 0),
             reduceBackward(g, x.shape(), dims, keep, mean));
  }

  Tensor ids = integers({2, 3, 2}, ++seed, 0, 6);
  ids.set(1, ids.at(0)); // a repeated index accumulates
  ids.set(3, 4);
  Tensor table = uniform({7, 5}, ++seed);
  Tensor g = uniform({2, 3, 2, 5}, ++seed);
  std::string I = o.in(ids), T = o.in(table), G = o.in(g);
  o.expect(vjp("w", "F.embedding(" + I + ", w)", {T}, G, 0),
           embeddingBackward(g, ids, 7, std::nullopt));
  o.expect(vjp("w", "F.embedding(" + I + ", w, padding_idx=4)", {T}, G, 0),
           embeddingBackward(g, ids, 7, 4));
  o.expect(vjp("w", "F.embedding(" + I + ", w, padding_idx=-3)", {T}, G, 0),
           embeddingBackward(g, ids, 7, -3));
  o.check();
}

TEST(RuntimeGradTorch, ConvPool) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 2000;
  struct ConvCase {
    Shape x, w;
    std::vector<int64_t> stride, pad, dil;
    int64_t groups;
    bool bias;
    DType dt;
  };
  for (const ConvCase &c : std::vector<ConvCase>{
           {{2, 3, 7, 6},
            {4, 3, 3, 3},
            {2, 2},
            {1, 1},
            {1, 1},
            1,
            true,
            DType::F32},
           {{1, 4, 9, 8},
            {6, 2, 3, 2},
            {1, 2},
            {2, 0},
            {2, 3},
            2,
            false,
            DType::F32},
           {{2, 3, 5, 5},
            {3, 1, 3, 3},
            {1, 1},
            {1, 1},
            {1, 1},
            3,
            true,
            DType::F32},
           {{3, 2, 11}, {5, 2, 4}, {3}, {2}, {2}, 1, true, DType::F32},
           {{1, 2, 4, 5, 3},
            {2, 2, 2, 3, 2},
            {1, 2, 1},
            {1, 1, 0},
            {1, 1, 2},
            1,
            true,
            DType::F64},
           {{2, 2, 3, 3},
            {3, 2, 1, 1},
            {1, 1},
            {0, 0},
            {1, 1},
            1,
            false,
            DType::F64}}) {
    Tensor x = uniform(c.x, ++seed, -1, 1, c.dt);
    Tensor w = uniform(c.w, ++seed, -1, 1, c.dt);
    Tensor b = uniform({c.w[0]}, ++seed, -1, 1, c.dt);
    Tensor y =
        conv(x, w, c.bias ? b : Tensor(), c.stride, c.pad, c.dil, c.groups);
    Tensor g = uniform(y.shape(), ++seed, -1, 1, c.dt);
    ConvGrads r =
        convBackward(g, x, w, c.bias, c.stride, c.pad, c.dil, c.groups);
    std::string fn = "F.conv" + std::to_string(c.x.size() - 2) + "d";
    std::string body = fn + "(x, w, " + (c.bias ? "b" : "None") + ", " +
                       tup(c.stride) + ", " + tup(c.pad) + ", " + tup(c.dil) +
                       ", " + std::to_string(c.groups) + ")";
    std::vector<std::string> ins = {o.in(x), o.in(w), o.in(b)};
    std::string G = o.in(g);
    o.expect(vjp("x, w, b", body, ins, G, 0), r.input);
    o.expect(vjp("x, w, b", body, ins, G, 1), r.weight);
    if (c.bias)
      o.expect(vjp("x, w, b", body, ins, G, 2), r.bias);
  }

  struct PoolCase {
    Shape x;
    std::vector<int64_t> k, s, p, d;
    bool ceil, includePad;
  };
  for (const PoolCase &c : std::vector<PoolCase>{
           {{2, 3, 7, 6}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, true},
           {{1, 2, 9, 8}, {3, 2}, {2, 3}, {1, 0}, {2, 1}, false, false},
           {{2, 2, 10}, {4}, {3}, {2}, {1}, true, false},
           {{1, 1, 5, 4, 6},
            {2, 3, 2},
            {2, 1, 2},
            {1, 1, 0},
            {1, 1, 2},
            false,
            true}}) {
    std::string r = std::to_string(c.x.size() - 2);
    Tensor x = uniform(c.x, ++seed);
    std::string X = o.in(x);
    Tensor ym = maxPool(x, c.k, c.s, c.p, c.d, c.ceil);
    Tensor gm = uniform(ym.shape(), ++seed);
    o.expect(vjp("x",
                 "F.max_pool" + r + "d(x, " + tup(c.k) + ", " + tup(c.s) +
                     ", " + tup(c.p) + ", " + tup(c.d) + ", " + pyBool(c.ceil) +
                     ")",
                 {X}, o.in(gm), 0),
             maxPoolBackward(gm, x, c.k, c.s, c.p, c.d, c.ceil));
    Tensor ya = avgPool(x, c.k, c.s, c.p, c.ceil, c.includePad);
    Tensor ga = uniform(ya.shape(), ++seed);
    o.expect(
        vjp("x",
            "F.avg_pool" + r + "d(x, " + tup(c.k) + ", " + tup(c.s) + ", " +
                tup(c.p) + ", " + pyBool(c.ceil) + ", " + pyBool(c.includePad) +
                ")",
            {X}, o.in(ga), 0),
        avgPoolBackward(ga, x.shape(), c.k, c.s, c.p, c.ceil, c.includePad));
  }
  o.check();
}

TEST(RuntimeGradTorch, Norm) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 3000;
  for (auto [s, affine, dt] : std::vector<std::tuple<Shape, bool, DType>>{
           {{4, 3, 5, 7}, true, DType::F32},
           {{2, 5}, false, DType::F32},
           {{1, 6, 9}, true, DType::F64},
           {{3, 2, 2, 2, 3}, true, DType::F32}}) {
    int64_t c = s[1];
    Tensor x = uniform(s, ++seed, -2, 3, dt);
    Tensor w = uniform({c}, ++seed, -1, 1, dt),
           b = uniform({c}, ++seed, -1, 1, dt);
    BatchNormTrainResult f = batchNormTrain(
        x, affine ? w : Tensor(), affine ? b : Tensor(), {}, {}, 0.1, 1e-5);
    Tensor g = uniform(s, ++seed, -1, 1, dt);
    NormGrads r =
        batchNormTrainBackward(g, x, affine ? w : Tensor(), f.mean, f.invStd);
    std::string body =
        affine ? "F.batch_norm(x, None, None, w, b, True, 0.1, 1e-5)"
               : "F.batch_norm(x, None, None, None, None, True, "
                 "0.1, 1e-5)";
    std::vector<std::string> ins = {o.in(x), o.in(w), o.in(b)};
    std::string G = o.in(g);
    o.expect(vjp("x, w, b", body, ins, G, 0), r.input);
    if (affine) {
      o.expect(vjp("x, w, b", body, ins, G, 1), r.weight);
      o.expect(vjp("x, w, b", body, ins, G, 2), r.bias);
    } else {
      EXPECT_FALSE(r.weight.defined() || r.bias.defined());
    }
  }
  for (auto [s, ns, affine] :
       std::vector<std::tuple<Shape, Shape, bool>>{{{3, 4, 5}, {5}, true},
                                                   {{2, 3, 4}, {3, 4}, false},
                                                   {{1, 7}, {7}, true}}) {
    Tensor x = uniform(s, ++seed, -2, 3), g = uniform(s, ++seed);
    Tensor w = uniform(ns, ++seed), b = uniform(ns, ++seed);
    NormGrads r =
        layerNormBackward(g, x, affine ? w : Tensor(), affine, ns, 1e-5);
    std::string body = "F.layer_norm(x, " + tup(ns) + ", " +
                       (affine ? "w, b" : "None, None") + ", 1e-5)";
    std::vector<std::string> ins = {o.in(x), o.in(w), o.in(b)};
    std::string G = o.in(g);
    o.expect(vjp("x, w, b", body, ins, G, 0), r.input);
    if (affine) {
      o.expect(vjp("x, w, b", body, ins, G, 1), r.weight);
      o.expect(vjp("x, w, b", body, ins, G, 2), r.bias);
    }
  }
  o.check();
}

TEST(RuntimeGradTorch, ActivationsAndLosses) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 4000;
  for (DType dt : {DType::F32, DType::F64}) {
    Tensor x = uniform({3, 5, 4}, ++seed, -4, 4, dt);
    Tensor g = uniform({3, 5, 4}, ++seed, -1, 1, dt);
    std::string X = o.in(x), G = o.in(g);
    o.expect(vjp("x", "torch.relu(x)", {X}, G, 0), reluBackward(g, x));
    o.expect(vjp("x", "F.gelu(x)", {X}, G, 0), geluBackward(g, x, false));
    o.expect(vjp("x", "F.gelu(x, approximate='tanh')", {X}, G, 0),
             geluBackward(g, x, true));
    o.expect(vjp("x", "torch.sigmoid(x)", {X}, G, 0),
             sigmoidBackward(g, unary(UnaryOp::Sigmoid, x)));
    o.expect(vjp("x", "torch.tanh(x)", {X}, G, 0),
             tanhBackward(g, unary(UnaryOp::Tanh, x)));
    for (int64_t axis : {0, 1, -1}) {
      std::string a = std::to_string(axis);
      o.expect(vjp("x", "F.softmax(x, " + a + ")", {X}, G, 0),
               softmaxBackward(g, softmax(x, axis), axis));
      o.expect(vjp("x", "F.log_softmax(x, " + a + ")", {X}, G, 0),
               logSoftmaxBackward(g, logSoftmax(x, axis), axis));
    }
  }

  for (auto [xs, eps, red] : std::vector<std::tuple<Shape, double, Reduction>>{
           {{5, 7}, 0.0, Reduction::Mean},
           {{5, 7}, 0.1, Reduction::Sum},
           {{2, 4, 3, 2}, 0.2, Reduction::Mean},
           {{2, 4, 3}, 0.0, Reduction::None},
           {{1, 3}, 0.1, Reduction::None}}) {
    Tensor x = uniform(xs, ++seed, -3, 3);
    Shape ts = xs;
    ts.erase(ts.begin() + 1);
    Tensor t = integers(ts, ++seed, 0, xs[1] - 1);
    if (t.numel() > 2)
      t.set(1, -100); // ignored position
    Tensor g = red == Reduction::None ? uniform(ts, ++seed)
                                      : uniform({}, ++seed, 0.5, 2);
    std::string body = "F.cross_entropy(x, " + o.in(t) +
                       ", ignore_index=-100, reduction=" + reductionName(red) +
                       ", label_smoothing=" + std::to_string(eps) + ")";
    o.expect(vjp("x", body, {o.in(x)}, o.in(g), 0),
             crossEntropyBackward(g, x, t, eps, -100, red));
  }

  for (Reduction red : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    Tensor x = uniform({4, 3, 5}, ++seed), y = uniform({4, 3, 5}, ++seed);
    Tensor g = red == Reduction::None ? uniform({4, 3, 5}, ++seed)
                                      : uniform({}, ++seed, 0.5, 2);
    std::string body = "F.mse_loss(x, y, reduction=" + reductionName(red) + ")";
    std::vector<std::string> ins = {o.in(x), o.in(y)};
    std::string G = o.in(g);
    Tensor dx = mseLossBackward(g, x, y, red);
    o.expect(vjp("x, y", body, ins, G, 0), dx);
    o.expect(vjp("x, y", body, ins, G, 1), unary(UnaryOp::Neg, dx));
  }
  o.check();
}

TEST(RuntimeGradDropout, SameMaskAsForward) {
  for (bool spatial : {false, true}) {
    Tensor x = kernelstest::uniform({3, 4, 5, 2}, 7, 0.5, 1.5);
    Tensor g = kernelstest::uniform({3, 4, 5, 2}, 8);
    Tensor y = dropout(x, 0.3, spatial, true, 42, 3);
    Tensor dx = dropoutBackward(g, 0.3, spatial, 42, 3);
    int64_t kept = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      bool keep = y.at(i) != 0;
      kept += keep;
      double want = keep ? double(g.data<float>()[i] / 0.7f) : 0.0;
      ASSERT_NEAR(dx.at(i), want, 1e-6) << i;
    }
    EXPECT_GT(kept, 0);
    EXPECT_LT(kept, x.numel());
  }
  Tensor g = kernelstest::uniform({4}, 9);
  EXPECT_EQ(dropoutBackward(g, 1.0, false, 1).at(0), 0.0);
}

//===----------------------------------------------------------------------===//
// Finite differences (f64, no PyTorch)
//===----------------------------------------------------------------------===//

TEST(RuntimeGradFiniteDifference, Conv) {
  Tensor x = f64({2, 4, 5, 6}, 1), w = f64({6, 2, 3, 2}, 2);
  std::vector<int64_t> s = {2, 1}, p = {1, 1}, d = {1, 2};
  Tensor g = f64(conv(x, w, {}, s, p, d, 2).shape(), 3);
  ConvGrads r = convBackward(g, x, w, false, s, p, d, 2);
  expectFiniteDifference(
      x, g, [&](const Tensor &a) { return conv(a, w, {}, s, p, d, 2); },
      r.input, "conv dX");
  expectFiniteDifference(
      w, g, [&](const Tensor &a) { return conv(x, a, {}, s, p, d, 2); },
      r.weight, "conv dW");
}

TEST(RuntimeGradFiniteDifference, BatchAndLayerNorm) {
  Tensor x = f64({3, 2, 4}, 4, -2, 2), w = f64({2}, 5), b = f64({2}, 6);
  Tensor g = f64({3, 2, 4}, 7);
  BatchNormTrainResult f = batchNormTrain(x, w, b, {}, {}, 0.1, 1e-5);
  NormGrads r = batchNormTrainBackward(g, x, w, f.mean, f.invStd);
  auto bn = [&](const Tensor &a, const Tensor &wt) {
    return batchNormTrain(a, wt, b, {}, {}, 0.1, 1e-5).output;
  };
  expectFiniteDifference(
      x, g, [&](const Tensor &a) { return bn(a, w); }, r.input, "bn dX");
  expectFiniteDifference(
      w, g, [&](const Tensor &a) { return bn(x, a); }, r.weight, "bn dW");

  Tensor lw = f64({4}, 8), lb = f64({4}, 9);
  NormGrads l = layerNormBackward(g, x, lw, true, {4}, 1e-5);
  expectFiniteDifference(
      x, g, [&](const Tensor &a) { return layerNorm(a, lw, lb, {4}, 1e-5); },
      l.input, "layer norm dX");
}

TEST(RuntimeGradFiniteDifference, CrossEntropyAndSoftmax) {
  Tensor x = f64({4, 5, 2}, 10, -3, 3);
  Tensor t = kernelstest::integers({4, 2}, 11, 0, 4);
  t.set(2, -100);
  Tensor g = Tensor::full(DType::F64, {}, 1.5);
  expectFiniteDifference(
      x, g,
      [&](const Tensor &a) {
        return crossEntropy(a, t, 0.15, -100, Reduction::Mean);
      },
      crossEntropyBackward(g, x, t, 0.15, -100, Reduction::Mean),
      "cross entropy");
  Tensor gs = f64({4, 5, 2}, 12);
  expectFiniteDifference(
      x, gs, [&](const Tensor &a) { return softmax(a, 1); },
      softmaxBackward(gs, softmax(x, 1), 1), "softmax");
}

TEST(RuntimeGradFiniteDifference, Pooling) {
  Tensor x = f64({1, 2, 5, 7}, 13);
  std::vector<int64_t> k = {3, 2}, s = {2, 2}, p = {1, 1}, d = {1, 1};
  Tensor gm = f64(maxPool(x, k, s, p, d, true).shape(), 14);
  expectFiniteDifference(
      x, gm, [&](const Tensor &a) { return maxPool(a, k, s, p, d, true); },
      maxPoolBackward(gm, x, k, s, p, d, true), "max pool");
  Tensor ga = f64(avgPool(x, k, s, p, true, true).shape(), 15);
  expectFiniteDifference(
      x, ga, [&](const Tensor &a) { return avgPool(a, k, s, p, true, true); },
      avgPoolBackward(ga, x.shape(), k, s, p, true, true), "avg pool");
}

TEST(RuntimeGradEdge, EmptyDims) {
  // Zero-sized batches and channels must give correctly shaped (empty or
  // zero) gradients without touching memory out of bounds.
  Tensor x(DType::F32, {0, 3, 5, 5}), w = kernelstest::uniform({4, 3, 3, 3}, 1);
  ConvGrads c = convBackward(Tensor(DType::F32, {0, 4, 3, 3}), x, w, true,
                             {1, 1}, {0, 0}, {1, 1}, 1);
  EXPECT_EQ(c.input.shape(), x.shape());
  EXPECT_EQ(c.weight.shape(), w.shape());
  EXPECT_EQ(c.bias.at(0), 0.0);
  Tensor lx(DType::F32, {0, 6}), lw = kernelstest::uniform({2, 6}, 2);
  LinearGrads l = linearBackward(Tensor(DType::F32, {0, 2}), lx, lw, true);
  EXPECT_EQ(l.weight.at(0), 0.0);
  EXPECT_EQ(l.bias.shape(), Shape{2});
  Tensor p(DType::F32, {2, 0, 4, 4});
  EXPECT_EQ(maxPoolBackward(Tensor(DType::F32, {2, 0, 2, 2}), p, {2, 2}, {2, 2},
                            {0, 0}, {1, 1}, false)
                .shape(),
            p.shape());
  Tensor bx(DType::F32, {3, 0, 2});
  NormGrads b = batchNormTrainBackward(bx, bx, {}, Tensor(DType::F32, {0}),
                                       Tensor(DType::F32, {0}));
  EXPECT_EQ(b.input.shape(), bx.shape());
  EXPECT_EQ(softmaxBackward(bx, bx, 1).shape(), bx.shape());
  MatmulGrads m =
      matmulBackward(Tensor(DType::F32, {2, 3, 4}),
                     Tensor(DType::F32, {2, 3, 0}), Tensor(DType::F32, {0, 4}));
  EXPECT_EQ(m.lhs.shape(), (Shape{2, 3, 0}));
  EXPECT_EQ(m.rhs.shape(), (Shape{0, 4}));
}
