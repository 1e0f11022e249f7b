//===- RuntimeGradMiscTest.cpp - Misc backward kernels vs torch.autograd --===//
//
// The activation, binary-op, adaptive pooling, group norm, transposed
// convolution and gather / scatter_reduce gradients of GradMisc.h against
// torch.autograd.functional.vjp on awkward shapes, kinks and ties, f32 and
// f64 (through the TorchOracle of RuntimeKernelsATestUtil.h), plus central
// finite differences in f64, which need no PyTorch.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/GradMisc.h"

#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Norm.h"
#include "runtime/kernels/Pool.h"

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

/// Seeded values drawn from {lo, ..., hi} (as floats), so that ties occur.
Tensor smallIntegers(Shape shape, uint64_t seed, int64_t lo, int64_t hi,
                     DType dt) {
  Tensor i = integers(std::move(shape), seed, lo, hi);
  Tensor t(dt, i.shape());
  for (int64_t k = 0; k < t.numel(); ++k)
    t.set(k, i.at(k));
  return t;
}

} // namespace

TEST(RuntimeGradMiscTorch, Activations) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 8000;
  for (DType dt : {DType::F32, DType::F64}) {
    Tensor x = uniform({3, 5, 4}, ++seed, -4, 4, dt);
    x.set(0, 0.0); // the kink of relu, abs, elu, selu, leaky_relu, prelu
    x.set(7, 0.0);
    Tensor pos = uniform({3, 5, 4}, ++seed, 0.1, 4, dt);
    Tensor g = uniform({3, 5, 4}, ++seed, -1, 1, dt);
    std::string X = o.in(x), P = o.in(pos), G = o.in(g);
    for (auto [op, py, positive] :
         std::vector<std::tuple<UnaryOp, std::string, bool>>{
             {UnaryOp::Relu, "torch.relu", false},
             {UnaryOp::Sigmoid, "torch.sigmoid", false},
             {UnaryOp::Tanh, "torch.tanh", false},
             {UnaryOp::Silu, "F.silu", false},
             {UnaryOp::Selu, "F.selu", false},
             {UnaryOp::Exp, "torch.exp", false},
             {UnaryOp::Log, "torch.log", true},
             {UnaryOp::Sqrt, "torch.sqrt", true},
             {UnaryOp::Rsqrt, "torch.rsqrt", true},
             {UnaryOp::Abs, "torch.abs", false},
             {UnaryOp::Neg, "torch.neg", false}}) {
      const Tensor &in = positive ? pos : x;
      std::string e = vjp("x", py + "(x)", {positive ? P : X}, G, 0);
      o.expect(e, unaryBackward(op, g, in));
      o.expect(e, unaryBackward(op, g, in, unary(op, in)));
    }
    o.expect(vjp("x", "F.elu(x, 0.7)", {X}, G, 0), eluBackward(g, x, 0.7));
    o.expect(vjp("x", "F.leaky_relu(x, 0.2)", {X}, G, 0),
             leakyReluBackward(g, x, 0.2));
    // beta x crosses the threshold inside the range.
    o.expect(vjp("x", "F.softplus(x, 2.0, 3.0)", {X}, G, 0),
             softplusBackward(g, x, 2.0, 3.0));
    o.expect(vjp("x", "F.softplus(x, 0.5, 20.0)", {X}, G, 0),
             softplusBackward(g, x, 0.5, 20.0));

    for (auto [ws, xs] :
         std::vector<std::pair<Shape, Shape>>{{{1}, {3, 5, 4}},
                                              {{5}, {3, 5, 4}},
                                              {{3}, {2, 3}},
                                              {{4}, {2, 4, 3, 2}}}) {
      Tensor xi = xs == x.shape() ? x : uniform(xs, ++seed, -2, 2, dt);
      Tensor w = uniform(ws, ++seed, -1, 1, dt);
      Tensor gi = uniform(xs, ++seed, -1, 1, dt);
      PreluGrads r = preluBackward(gi, xi, w);
      std::vector<std::string> ins = {o.in(xi), o.in(w)};
      std::string Gi = o.in(gi);
      o.expect(vjp("x, w", "F.prelu(x, w)", ins, Gi, 0), r.input);
      o.expect(vjp("x, w", "F.prelu(x, w)", ins, Gi, 1), r.weight);
    }
  }
  o.check();
}

TEST(RuntimeGradMiscTorch, PowMaximumMinimum) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 9000;
  for (DType dt : {DType::F32, DType::F64})
    for (auto [ls, rs] :
         std::vector<std::pair<Shape, Shape>>{{{2, 3, 4}, {3, 1}},
                                              {{1, 5}, {4, 1}},
                                              {{3}, {2, 3}},
                                              {{4, 3}, {4, 3}},
                                              {{}, {2, 2}}}) {
      // Ties come from a small value set; NaN propagates to both gradients.
      Tensor a = smallIntegers(ls, ++seed, -2, 2, dt);
      Tensor b = smallIntegers(rs, ++seed, -2, 2, dt);
      if (a.numel() > 2)
        a.set(2, std::nan(""));
      Shape out = binary(BinaryOp::Add, a, b).shape();
      Tensor g = uniform(out, ++seed, -1, 1, dt);
      std::vector<std::string> ins = {o.in(a), o.in(b)};
      std::string G = o.in(g);
      for (auto [op, py] : std::vector<std::pair<BinaryOp, std::string>>{
               {BinaryOp::Maximum, "torch.maximum(a, b)"},
               {BinaryOp::Minimum, "torch.minimum(a, b)"},
               {BinaryOp::Add, "a + b"}}) {
        BinaryGrads r = binaryOpBackward(op, g, a, b);
        o.expect(vjp("a, b", py, ins, G, 0), r.lhs);
        o.expect(vjp("a, b", py, ins, G, 1), r.rhs);
      }
      // pow: positive bases with a few exact zeros, exponents including 0.
      Tensor base = uniform(ls, ++seed, 0.2, 2, dt);
      if (base.numel() > 1)
        base.set(1, 0.0);
      Tensor ex = uniform(rs, ++seed, -1.5, 2.5, dt);
      ex.set(0, 0.0);
      if (ex.numel() > 3)
        ex.set(3, 2.0);
      Tensor dp = uniform(ls, ++seed, 0.5, 2, dt); // divisor
      std::vector<std::string> pins = {o.in(base), o.in(ex)};
      BinaryGrads p = binaryOpBackward(BinaryOp::Pow, g, base, ex);
      o.expect(vjp("a, b", "torch.pow(a, b)", pins, G, 0), p.lhs);
      o.expect(vjp("a, b", "torch.pow(a, b)", pins, G, 1), p.rhs);
      BinaryGrads d = binaryOpBackward(BinaryOp::Div, g, ex, dp);
      std::vector<std::string> dins = {o.in(ex), o.in(dp)};
      o.expect(vjp("a, b", "a / b", dins, G, 0), d.lhs);
      o.expect(vjp("a, b", "a / b", dins, G, 1), d.rhs);
    }
  o.check();
}

TEST(RuntimeGradMiscTorch, AdaptivePoolGroupNormConvTranspose) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 10000;
  for (auto [xs, os, dt, ties] :
       std::vector<std::tuple<Shape, std::vector<int64_t>, DType, bool>>{
           {{2, 3, 7}, {3}, DType::F32, false},
           {{1, 2, 5, 7}, {3, 4}, DType::F32, false},
           {{1, 2, 3, 5}, {5, 2}, DType::F64, false}, // output > input
           {{2, 2, 6, 6}, {4, 3}, DType::F64, true},  // tied maxima
           {{1, 1, 4, 5, 3}, {2, 3, 2}, DType::F32, false}}) {
    std::string r = std::to_string(xs.size() - 2);
    Tensor x = ties ? smallIntegers(xs, ++seed, 0, 2, dt)
                    : uniform(xs, ++seed, -1, 1, dt);
    Tensor ya = adaptiveAvgPool(x, os), ym = adaptiveMaxPool(x, os);
    Tensor ga = uniform(ya.shape(), ++seed, -1, 1, dt);
    Tensor gm = uniform(ym.shape(), ++seed, -1, 1, dt);
    std::string X = o.in(x);
    o.expect(vjp("x", "F.adaptive_avg_pool" + r + "d(x, " + tup(os) + ")", {X},
                 o.in(ga), 0),
             adaptiveAvgPoolBackward(ga, x.shape()));
    o.expect(vjp("x", "F.adaptive_max_pool" + r + "d(x, " + tup(os) + ")", {X},
                 o.in(gm), 0),
             adaptiveMaxPoolBackward(gm, x));
  }

  for (auto [xs, groups, affine, bias, dt] :
       std::vector<std::tuple<Shape, int64_t, bool, bool, DType>>{
           {{2, 6, 5}, 3, true, true, DType::F32},
           {{3, 4, 2, 3}, 2, false, false, DType::F32},
           {{2, 6}, 2, true, false, DType::F64},
           {{1, 4, 3, 2, 2}, 4, true, true, DType::F64},
           {{2, 3, 7}, 1, true, true, DType::F32}}) {
    int64_t c = xs[1];
    Tensor x = uniform(xs, ++seed, -2, 3, dt),
           g = uniform(xs, ++seed, -1, 1, dt);
    Tensor w = uniform({c}, ++seed, -1, 1, dt),
           b = uniform({c}, ++seed, -1, 1, dt);
    NormGrads r =
        groupNormBackward(g, x, affine ? w : Tensor(), bias, groups, 1e-5);
    std::string body = "F.group_norm(x, " + std::to_string(groups) + ", " +
                       (affine ? "w" : "None") + ", " + (bias ? "b" : "None") +
                       ", 1e-5)";
    std::vector<std::string> ins = {o.in(x), o.in(w), o.in(b)};
    std::string G = o.in(g);
    o.expect(vjp("x, w, b", body, ins, G, 0), r.input);
    EXPECT_EQ(r.weight.defined(), affine);
    EXPECT_EQ(r.bias.defined(), bias);
    if (affine)
      o.expect(vjp("x, w, b", body, ins, G, 1), r.weight);
    if (bias)
      o.expect(vjp("x, w, b", body, ins, G, 2), r.bias);
  }

  struct ConvCase {
    Shape x, w;
    std::vector<int64_t> stride, pad, outPad, dil;
    int64_t groups;
    bool bias;
    DType dt;
  };
  for (const ConvCase &c : std::vector<ConvCase>{
           {{2, 3, 5, 4},
            {3, 2, 3, 3},
            {2, 2},
            {1, 1},
            {1, 0},
            {1, 1},
            1,
            true,
            DType::F32},
           {{1, 4, 6, 5},
            {4, 3, 3, 2},
            {1, 2},
            {2, 0},
            {0, 1},
            {2, 3},
            2,
            false,
            DType::F32},
           {{2, 4, 3, 3},
            {4, 1, 3, 3},
            {3, 1},
            {1, 1},
            {2, 0},
            {1, 1},
            4,
            true,
            DType::F64}, // depthwise
           {{3, 2, 7}, {2, 5, 4}, {3}, {2}, {1}, {2}, 1, true, DType::F32},
           {{1, 2, 3, 4, 2},
            {2, 2, 2, 3, 2},
            {1, 2, 2},
            {0, 1, 1},
            {0, 1, 0},
            {1, 1, 2},
            1,
            true,
            DType::F64},
           {{2, 3, 4, 4},
            {3, 2, 1, 1},
            {1, 1},
            {0, 0},
            {0, 0},
            {1, 1},
            1,
            false,
            DType::F64}}) {
    Tensor x = uniform(c.x, ++seed, -1, 1, c.dt);
    Tensor w = uniform(c.w, ++seed, -1, 1, c.dt);
    Tensor b = uniform({c.w[1] * c.groups}, ++seed, -1, 1, c.dt);
    Tensor y = convTranspose(x, w, c.bias ? b : Tensor(), c.stride, c.pad,
                             c.outPad, c.dil, c.groups);
    Tensor g = uniform(y.shape(), ++seed, -1, 1, c.dt);
    ConvGrads r = convTransposeBackward(g, x, w, c.bias, c.stride, c.pad,
                                        c.outPad, c.dil, c.groups);
    std::string fn = "F.conv_transpose" + std::to_string(c.x.size() - 2) + "d";
    std::string body = fn + "(x, w, " + (c.bias ? "b" : "None") + ", " +
                       tup(c.stride) + ", " + tup(c.pad) + ", " +
                       tup(c.outPad) + ", " + std::to_string(c.groups) + ", " +
                       tup(c.dil) + ")";
    std::vector<std::string> ins = {o.in(x), o.in(w), o.in(b)};
    std::string G = o.in(g);
    o.expect(vjp("x, w, b", body, ins, G, 0), r.input);
    o.expect(vjp("x, w, b", body, ins, G, 1), r.weight);
    if (c.bias)
      o.expect(vjp("x, w, b", body, ins, G, 2), r.bias);
    else
      EXPECT_FALSE(r.bias.defined());
  }
  o.check();
}

TEST(RuntimeGradMiscTorch, GatherScatterReduce) {
  REQUIRE_TORCH();
  TorchOracle o;
  uint64_t seed = 11000;
  for (auto [xs, axis, m, idt, dt] :
       std::vector<std::tuple<Shape, int64_t, int64_t, DType, DType>>{
           {{7, 5}, 0, 9, DType::I64, DType::F32},
           {{3, 6, 4}, 1, 4, DType::I32, DType::F32},
           {{2, 3, 5}, -1, 7, DType::I64, DType::F64},
           {{600, 2}, 0, 5, DType::I64, DType::F64},
           {{2, 300}, 0, 3, DType::I8, DType::F32}}) {
    int64_t a = axis < 0 ? axis + int64_t(xs.size()) : axis;
    Tensor x = uniform(xs, ++seed, -1, 1, dt);
    Tensor idx = integers({m}, ++seed, 0, xs[a] - 1, idt);
    idx.set(m - 1, idx.at(0)); // repeated rows accumulate
    std::string error;
    Tensor y = gather(x, idx, axis, error);
    ASSERT_TRUE(y.defined()) << error;
    Tensor g = uniform(y.shape(), ++seed, -1, 1, dt);
    Tensor idx64 = idx; // torch.index_select needs i32 or i64 indices
    if (idt == DType::I8) {
      idx64 = Tensor(DType::I64, idx.shape());
      for (int64_t k = 0; k < m; ++k)
        idx64.set(k, idx.at(k));
    }
    o.expect(vjp("x",
                 "torch.index_select(x, " + std::to_string(axis) + ", " +
                     o.in(idx64) + ")",
                 {o.in(x)}, o.in(g), 0),
             gatherBackward(g, idx, axis, x.shape()));
  }

  for (auto [ss, n, dt] : std::vector<std::tuple<Shape, int64_t, DType>>{
           {{9, 4}, 5, DType::F32},
           {{12, 2, 3}, 4, DType::F64},
           {{6}, 8, DType::F32},
           {{20, 300}, 3, DType::F64}}) { // several column tasks
    int64_t e = ss[0];
    // Small integer values: ties, zero maxima and negative rows occur.
    Tensor src = smallIntegers(ss, ++seed, -2, 1, dt);
    Tensor idx = integers({e}, ++seed, 0, n - 2); // row n - 1 gets nothing
    std::string error;
    std::string S = o.in(src), I = o.in(idx);
    for (auto [red, py] : std::vector<std::pair<ScatterReduce, std::string>>{
             {ScatterReduce::Sum, "'sum'"},
             {ScatterReduce::Mean, "'mean'"},
             {ScatterReduce::Max, "'amax'"},
             {ScatterReduce::Min, "'amin'"}}) {
      Tensor y = scatterReduce(src, idx, n, red, error);
      ASSERT_TRUE(y.defined()) << error;
      Tensor g = uniform(y.shape(), ++seed, -1, 1, dt);
      std::string e = vjp(
          "s", "scatter(s, " + I + ", " + std::to_string(n) + ", " + py + ")",
          {S}, o.in(g), 0);
      o.expect(e, scatterReduceBackward(g, src, idx, red));
      o.expect(e, scatterReduceBackward(g, src, idx, red, y));
    }
  }
  // NaN maxima: PyTorch gives NaN to every source element reduced into it.
  Tensor src = uniform({4, 2}, ++seed, -1, 1, DType::F64);
  src.set(2, std::nan(""));
  Tensor idx = integers({4}, ++seed, 0, 1);
  idx.set(1, 0);
  Tensor g = uniform({2, 2}, ++seed, -1, 1, DType::F64);
  o.expect(vjp("s", "scatter(s, " + o.in(idx) + ", 2, 'amax')", {o.in(src)},
               o.in(g), 0),
           scatterReduceBackward(g, src, idx, ScatterReduce::Max));
  o.check();
}

//===----------------------------------------------------------------------===//
// Finite differences (f64, no PyTorch)
//===----------------------------------------------------------------------===//

TEST(RuntimeGradMiscFiniteDifference, ActivationsAndPow) {
  Tensor x = f64({3, 7}, 1, -3, 3), g = f64({3, 7}, 2);
  for (UnaryOp op : {UnaryOp::Silu, UnaryOp::Selu, UnaryOp::Tanh}) {
    expectFiniteDifference(
        x, g, [&](const Tensor &a) { return unary(op, a); },
        unaryBackward(op, g, x), "unary");
  }
  Tensor pos = f64({3, 7}, 3, 0.2, 3);
  for (UnaryOp op : {UnaryOp::Log, UnaryOp::Sqrt, UnaryOp::Rsqrt}) {
    expectFiniteDifference(
        pos, g, [&](const Tensor &a) { return unary(op, a); },
        unaryBackward(op, g, pos), "unary (positive)");
  }
  expectFiniteDifference(
      x, g, [&](const Tensor &a) { return softplus(a, 1.5, 2.0); },
      softplusBackward(g, x, 1.5, 2.0), "softplus");
  expectFiniteDifference(
      x, g, [&](const Tensor &a) { return elu(a, 0.4); },
      eluBackward(g, x, 0.4), "elu");
  Tensor px = f64({3, 7, 2}, 4, -2, 2), pw = f64({7}, 5),
         pg = f64({3, 7, 2}, 6);
  PreluGrads pr = preluBackward(pg, px, pw);
  expectFiniteDifference(
      pw, pg, [&](const Tensor &a) { return prelu(px, a); }, pr.weight,
      "prelu dW");

  Tensor base = f64({2, 3}, 7, 0.3, 2), ex = f64({3}, 8, -2, 2);
  Tensor gp = f64({2, 3}, 9);
  BinaryGrads r = binaryOpBackward(BinaryOp::Pow, gp, base, ex);
  expectFiniteDifference(
      base, gp, [&](const Tensor &a) { return binary(BinaryOp::Pow, a, ex); },
      r.lhs, "pow d base");
  expectFiniteDifference(
      ex, gp, [&](const Tensor &a) { return binary(BinaryOp::Pow, base, a); },
      r.rhs, "pow d exponent");
  BinaryGrads m = binaryOpBackward(BinaryOp::Maximum, gp, base, ex);
  expectFiniteDifference(
      ex, gp,
      [&](const Tensor &a) { return binary(BinaryOp::Maximum, base, a); },
      m.rhs, "maximum d rhs");
}

TEST(RuntimeGradMiscFiniteDifference, GroupNormConvTransposePool) {
  Tensor x = f64({2, 6, 3}, 10, -2, 2), w = f64({6}, 11), b = f64({6}, 12);
  Tensor g = f64({2, 6, 3}, 13);
  NormGrads r = groupNormBackward(g, x, w, true, 3, 1e-5);
  expectFiniteDifference(
      x, g, [&](const Tensor &a) { return groupNorm(a, w, b, 3, 1e-5); },
      r.input, "group norm dX");
  expectFiniteDifference(
      w, g, [&](const Tensor &a) { return groupNorm(x, a, b, 3, 1e-5); },
      r.weight, "group norm dW");

  Tensor cx = f64({2, 4, 3, 4}, 14), cw = f64({4, 3, 2, 3}, 15);
  std::vector<int64_t> s = {2, 1}, p = {1, 1}, op = {1, 0}, d = {1, 2};
  auto ct = [&](const Tensor &a, const Tensor &wt) {
    return convTranspose(a, wt, {}, s, p, op, d, 2);
  };
  Tensor cg = f64(ct(cx, cw).shape(), 16);
  ConvGrads c = convTransposeBackward(cg, cx, cw, false, s, p, op, d, 2);
  expectFiniteDifference(
      cx, cg, [&](const Tensor &a) { return ct(a, cw); }, c.input,
      "conv transpose dX");
  expectFiniteDifference(
      cw, cg, [&](const Tensor &a) { return ct(cx, a); }, c.weight,
      "conv transpose dW");

  Tensor px = f64({1, 2, 5, 7}, 17);
  Tensor pg = f64({1, 2, 3, 4}, 18);
  expectFiniteDifference(
      px, pg,
      [&](const Tensor &a) {
        return adaptiveAvgPool(a, {3, 4});
      },
      adaptiveAvgPoolBackward(pg, px.shape()), "adaptive avg pool");
  expectFiniteDifference(
      px, pg,
      [&](const Tensor &a) {
        return adaptiveMaxPool(a, {3, 4});
      },
      adaptiveMaxPoolBackward(pg, px), "adaptive max pool");
}

TEST(RuntimeGradMiscEdge, EmptyDims) {
  Tensor x(DType::F32, {0, 4, 5});
  NormGrads n =
      groupNormBackward(x, x, kernelstest::uniform({4}, 1), true, 2, 1e-5);
  EXPECT_EQ(n.input.shape(), x.shape());
  EXPECT_EQ(n.weight.at(0), 0.0);
  EXPECT_EQ(
      adaptiveAvgPoolBackward(Tensor(DType::F32, {0, 4, 2}), x.shape()).shape(),
      x.shape());
  Tensor src(DType::F32, {0, 3});
  Tensor idx(DType::I64, {0});
  EXPECT_EQ(scatterReduceBackward(Tensor(DType::F32, {4, 3}), src, idx,
                                  ScatterReduce::Max)
                .shape(),
            src.shape());
  EXPECT_EQ(gatherBackward(Tensor(DType::F32, {0, 5}), idx, 0, {3, 5}).at(0),
            0.0);
}
