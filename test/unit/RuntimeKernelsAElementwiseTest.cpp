//===- RuntimeKernelsAElementwiseTest.cpp - Elementwise, reduce, shape ---===//
//
// Activations, arithmetic, casts, reductions and the shape / indexing
// kernels against PyTorch (see RuntimeKernelsATestUtil.h for the oracle).
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Reduce.h"
#include "runtime/kernels/Shape.h"

#include "RuntimeKernelsATestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelstest;

//===----------------------------------------------------------------------===//
// Elementwise and reductions
//===----------------------------------------------------------------------===//

static void addElementwiseCases(TorchOracle &o) {
  uint64_t seed = 500;
  Tensor x = uniform({3, 5, 7}, ++seed, -3, 3);
  Tensor pos = uniform({4, 9}, ++seed, 0.05, 4);
  Tensor ints = integers({2, 9}, ++seed, -20, 20);
  const std::pair<const char *, const char *> unaries[] = {
      {"relu", "torch.relu"},   {"sigmoid", "torch.sigmoid"},
      {"tanh", "torch.tanh"},   {"silu", "F.silu"},
      {"selu", "F.selu"},       {"exp", "torch.exp"},
      {"log", "torch.log"},     {"sqrt", "torch.sqrt"},
      {"rsqrt", "torch.rsqrt"}, {"abs", "torch.abs"},
      {"neg", "torch.neg"}};
  for (auto [name, fn] : unaries) {
    UnaryOp op;
    ASSERT_TRUE(unaryOpFromName(name, op)) << name;
    const Tensor &in = std::string(fn).find("log") != std::string::npos ||
                               std::string(fn).find("sqrt") != std::string::npos
                           ? pos
                           : x;
    o.expect(call(fn, {o.in(in)}), unary(op, in));
  }
  o.expect(call("torch.abs", {o.in(ints)}), unary(UnaryOp::Abs, ints));
  o.expect(call("torch.neg", {o.in(ints)}), unary(UnaryOp::Neg, ints));
  o.expect(call("F.gelu", {o.in(x)}), gelu(x, false));
  o.expect(call("F.gelu", {o.in(x), "approximate='tanh'"}), gelu(x, true));
  o.expect(call("F.elu", {o.in(x), "0.7"}), elu(x, 0.7));
  o.expect(call("F.leaky_relu", {o.in(x), "0.2"}), leakyRelu(x, 0.2));
  o.expect(call("F.softplus", {o.in(x), "2.0", "3.0"}), softplus(x, 2, 3));
  o.expect(call("F.softplus", {o.in(x)}), softplus(x, 1, 20));
  Tensor extreme = uniform({5, 40}, ++seed, -100, 100);
  extreme.data<float>()[3] = -std::numeric_limits<float>::infinity();
  for (UnaryOp op : {UnaryOp::Sigmoid, UnaryOp::Silu, UnaryOp::Exp})
    o.expect(call(op == UnaryOp::Silu  ? "F.silu"
                  : op == UnaryOp::Exp ? "torch.exp"
                                       : "torch.sigmoid",
                  {o.in(extreme)}),
             unary(op, extreme));
  o.expect(call("F.gelu", {o.in(extreme)}), gelu(extreme, false));
  o.expect(call("F.gelu", {o.in(extreme), "approximate='tanh'"}),
           gelu(extreme, true));
  o.expect(call("F.softmax", {o.in(extreme), "dim=1"}), softmax(extreme, 1));
  o.expect(call("F.log_softmax", {o.in(extreme), "dim=0"}),
           logSoftmax(extreme, 0));
  Tensor big = uniform({4, 33}, ++seed, -80, 80);
  for (int64_t axis : {0, 1, -1, 2})
    o.expect(call("F.softmax", {o.in(x), "dim=" + std::to_string(axis)}),
             softmax(x, axis));
  for (int64_t axis : {0, -1})
    o.expect(call("F.log_softmax", {o.in(big), "dim=" + std::to_string(axis)}),
             logSoftmax(big, axis));
  o.expect(call("F.softmax", {o.in(big), "dim=1"}), softmax(big, 1));
  Tensor longInner = uniform({3, 4, 300}, ++seed, -5, 5);
  o.expect(call("F.softmax", {o.in(longInner), "dim=1"}),
           softmax(longInner, 1));
  o.expect(call("F.log_softmax", {o.in(longInner), "dim=0"}),
           logSoftmax(longInner, 0));
  Tensor one = uniform({1, 1}, ++seed);
  o.expect(call("F.softmax", {o.in(one), "dim=0"}), softmax(one, 0));

  Tensor px = uniform({2, 3, 4, 5}, ++seed), pw3 = uniform({3}, ++seed);
  Tensor pw1 = uniform({1}, ++seed), p2 = uniform({4, 3}, ++seed);
  o.expect(call("F.prelu", {o.in(px), o.in(pw3)}), prelu(px, pw3));
  o.expect(call("F.prelu", {o.in(px), o.in(pw1)}), prelu(px, pw1));
  o.expect(call("F.prelu", {o.in(p2), o.in(pw3)}), prelu(p2, pw3));

  const std::pair<const char *, const char *> binaries[] = {
      {"add", "torch.add"},         {"sub", "torch.sub"},
      {"mul", "torch.mul"},         {"div", "torch.div"},
      {"maximum", "torch.maximum"}, {"minimum", "torch.minimum"}};
  std::vector<std::pair<Shape, Shape>> shapes = {
      {{4, 1, 5}, {3, 1}}, {{2, 3}, {3}}, {{2, 3}, {2, 1}},
      {{}, {2, 3}},        {{1}, {3, 4}}, {{5, 1, 1, 4}, {1, 3, 2, 1}},
      {{3, 7}, {3, 7}},    {{}, {}},      {{2, 70, 300}, {70, 1}}};
  for (auto [name, fn] : binaries) {
    BinaryOp op;
    ASSERT_TRUE(binaryOpFromName(name, op)) << name;
    for (auto [as, bs] : shapes) {
      Tensor a = uniform(as, ++seed, -2, 2), b = uniform(bs, ++seed, 0.5, 2);
      o.expect(call(fn, {o.in(a), o.in(b)}), binary(op, a, b));
    }
    Tensor ia = integers({3, 4}, ++seed, -30, 30),
           ib = integers({4}, ++seed, 1, 7);
    for (int64_t i = 0; i < 4; i += 2)
      ib.data<int64_t>()[i] *= -1; // negative divisors too
    std::string ifn = op == BinaryOp::Div ? "lambda a, b: torch.div(a, b, "
                                            "rounding_mode='floor')"
                                          : fn;
    o.expect("(" + ifn + ")(" + o.in(ia) + ", " + o.in(ib) + ")",
             binary(op, ia, ib));
    Tensor ja = cast(ia, DType::I32), jb = cast(ib, DType::I32);
    o.expect("(" + ifn + ")(" + o.in(ja) + ", " + o.in(jb) + ")",
             binary(op, ja, jb));
  }
  Tensor base = uniform({3, 4}, ++seed, 0.1, 2),
         ex = uniform({4}, ++seed, -2, 2);
  o.expect(call("torch.pow", {o.in(base), o.in(ex)}),
           binary(BinaryOp::Pow, base, ex));
  Tensor ib = integers({2, 5}, ++seed, -3, 3), ie = integers({5}, ++seed, 0, 5);
  o.expect(call("torch.pow", {o.in(ib), o.in(ie)}),
           binary(BinaryOp::Pow, ib, ie));

  Tensor wide = uniform({3, 5}, ++seed, -300, 300);
  Tensor narrow = uniform({3, 5}, ++seed, -100, 100);
  for (auto [to, pyType] : std::vector<std::pair<DType, const char *>>{
           {DType::I32, "torch.int32"},
           {DType::I64, "torch.int64"},
           {DType::F64, "torch.float64"},
           {DType::F16, "torch.float16"},
           {DType::Bool, "torch.bool"}})
    o.expect(o.in(wide) + ".to(" + pyType + ")", cast(wide, to));
  o.expect(o.in(narrow) + ".to(torch.int8)", cast(narrow, DType::I8));
  o.expect(o.in(ints) + ".to(torch.float32)", cast(ints, DType::F32));
  Tensor flags = integers({7}, ++seed, 0, 1, DType::Bool);
  o.expect(o.in(flags) + ".to(torch.float32)", cast(flags, DType::F32));
  Tensor half = cast(wide, DType::F16);
  o.expect(o.in(half) + ".to(torch.float32)", cast(half, DType::F32));
  o.expect(call("torch.full_like", {o.in(x), "2.5"}), fill(x, 2.5));
  o.expect(call("torch.full_like", {o.in(ints), "7"}), fill(ints, 7));
}

static void addReduceCases(TorchOracle &o) {
  uint64_t seed = 600;
  Tensor x = uniform({3, 4, 5, 6}, ++seed, -2, 2);
  const std::pair<const char *, const char *> ops[] = {
      {"reduce_sum", "torch.sum"},
      {"reduce_mean", "torch.mean"},
      {"reduce_max", "torch.amax"},
      {"reduce_min", "torch.amin"}};
  std::vector<std::pair<std::vector<int64_t>, bool>> dimSets = {
      {{1}, false}, {{-1, 1}, true},  {{0, 2}, false},     {{}, false},
      {{0}, true},  {{-2, -1}, true}, {{0, 1, 2, 3}, true}};
  for (auto [name, fn] : ops) {
    ReduceOp op;
    ASSERT_TRUE(reduceOpFromName(name, op)) << name;
    for (auto [dims, keep] : dimSets) {
      std::vector<int64_t> all =
          dims.empty() ? std::vector<int64_t>{0, 1, 2, 3} : dims;
      o.expect(
          call(fn, {o.in(x), "dim=" + tup(all), "keepdim=" + pyBool(keep)}),
          reduce(op, x, dims, keep));
    }
  }
  Tensor ints = integers({4, 5, 3}, ++seed, -100, 100);
  for (auto [name, fn] : ops) {
    if (std::string(name) == "reduce_mean")
      continue;
    ReduceOp op;
    reduceOpFromName(name, op);
    o.expect(call(fn, {o.in(ints), "dim=(1,)"}), reduce(op, ints, {1}, false));
  }
  Tensor large = uniform({1 << 19}, ++seed, -1, 1);
  o.expect(call("torch.sum", {o.in(large) + ".double()"}) + ".float()",
           reduce(ReduceOp::Sum, large, {}, false));
  o.expect(call("torch.amax", {o.in(large), "dim=0"}),
           reduce(ReduceOp::Max, large, {0}, false));
  Tensor rows = uniform({3, 5, 2000}, ++seed, -1, 1);
  o.expect(call("torch.sum", {o.in(rows), "dim=1"}),
           reduce(ReduceOp::Sum, rows, {1}, false));
  o.expect(call("torch.amin", {o.in(rows), "dim=(0, 1)"}),
           reduce(ReduceOp::Min, rows, {0, 1}, false));
  Tensor tall = uniform({4096, 3}, ++seed, -1, 1);
  o.expect(call("torch.mean", {o.in(tall) + ".double()", "dim=0"}) + ".float()",
           reduce(ReduceOp::Mean, tall, {0}, false));
}

//===----------------------------------------------------------------------===//
// Shape and indexing
//===----------------------------------------------------------------------===//

static void addShapeCases(TorchOracle &o) {
  uint64_t seed = 700;
  for (auto [s, perm] : std::vector<std::pair<Shape, std::vector<int64_t>>>{
           {{2, 3, 4, 5}, {0, 2, 3, 1}},
           {{2, 3, 4, 5}, {3, 1, 2, 0}},
           {{33, 70}, {1, 0}},
           {{2, 5, 3, 4}, {0, 2, 1, 3}},
           {{3, 1, 4}, {2, 1, 0}},
           {{4}, {0}}}) {
    Tensor x = uniform(s, ++seed);
    o.expect(o.in(x) + ".permute" + tup(perm), permute(x, perm));
  }
  Tensor ix = integers({3, 40, 7}, ++seed, -9, 9);
  o.expect(o.in(ix) + ".permute(2, 0, 1)", permute(ix, {2, 0, 1}));
  Tensor hx = cast(uniform({5, 6}, ++seed), DType::F16);
  o.expect(o.in(hx) + ".t()", permute(hx, {1, 0}));

  Tensor a = uniform({2, 3}, ++seed), b = uniform({2, 5}, ++seed);
  Tensor c = uniform({4, 3}, ++seed), e = uniform({0, 3}, ++seed);
  o.expect("torch.cat([" + o.in(a) + ", " + o.in(b) + "], 1)",
           concat({a, b}, 1));
  o.expect("torch.cat([" + o.in(a) + ", " + o.in(c) + ", " + o.in(e) + ", " +
               o.in(a) + "], -2)",
           concat({a, c, e, a}, -2));
  Tensor ia = integers({2, 2, 3}, ++seed, 0, 9),
         ib = integers({2, 1, 3}, ++seed, 0, 9);
  o.expect("torch.cat([" + o.in(ia) + ", " + o.in(ib) + "], 1)",
           concat({ia, ib}, 1));

  Tensor s = uniform({4, 10}, ++seed), s3 = uniform({3, 4, 5}, ++seed);
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  for (auto [t, axis, start, end, step] :
       std::vector<std::tuple<Tensor, int64_t, int64_t, int64_t, int64_t>>{
           {s, 1, -2, kMax, 1},
           {s, 1, 1, -1, 3},
           {s, 1, 12, kMax, 1},
           {s, -2, -100, 3, 2},
           {s3, -1, 0, kMax, 2},
           {s3, 1, 1, 3, 1},
           {s3, 0, 2, 1, 1}}) {
    o.expect(
        call("slice_", {o.in(t), std::to_string(axis), std::to_string(start),
                        std::to_string(end), std::to_string(step)}),
        slice(t, axis, start, end, step));
  }
  Tensor sp = uniform({4, 8}, ++seed), sp3 = uniform({6, 3, 2}, ++seed);
  std::vector<Tensor> pieces = split(sp, 1, {2, 6});
  for (size_t i = 0; i < pieces.size(); ++i)
    o.expect("torch.split(" + o.in(sp) + ", [2, 6], 1)[" + std::to_string(i) +
                 "]",
             pieces[i]);
  pieces = split(sp3, 0, {1, 2, 3});
  for (size_t i = 0; i < pieces.size(); ++i)
    o.expect("torch.split(" + o.in(sp3) + ", [1, 2, 3], 0)[" +
                 std::to_string(i) + "]",
             pieces[i]);

  for (auto [from, to] :
       std::vector<std::pair<Shape, Shape>>{{{1, 16}, {8, 16}},
                                            {{3, 1}, {2, 3, 4}},
                                            {{}, {2, 2}},
                                            {{4}, {3, 4}},
                                            {{2, 1, 3}, {2, 5, 3}}}) {
    Tensor t = uniform(from, ++seed);
    o.expect(o.in(t) + ".expand" + tup(to), expand(t, to));
  }
  Tensor img = uniform({2, 3, 8, 12}, ++seed),
         img1 = uniform({1, 1, 4, 4}, ++seed);
  o.expect(call("patchify", {o.in(img), "4", "3"}), patchify(img, {4, 3}));
  o.expect(call("patchify", {o.in(img1), "4", "4"}), patchify(img1, {4, 4}));

  Tensor scores = uniform({8, 100}, ++seed),
         strided = uniform({6, 4, 5}, ++seed);
  Tensor ties = cast(integers({3, 20}, ++seed, 0, 4), DType::F32);
  Tensor itop(DType::I64, {5, 9}); // distinct values: no ties
  for (int64_t i = 0; i < 45; ++i)
    itop.data<int64_t>()[i] = i * 37 % 45 - 20;
  for (auto [t, k, axis] : std::vector<std::tuple<Tensor, int64_t, int64_t>>{
           {scores, 5, -1}, {strided, 2, 1}, {ties, 7, 1}, {itop, 9, 1}}) {
    TopKResult r = topK(t, k, axis);
    std::string args =
        call("torch.topk", {o.in(t), std::to_string(k), std::to_string(axis)});
    o.expect(args + "[0]", r.values);
    if (t.raw() != ties.raw()) // torch promises no order among ties
      o.expect(args + "[1]", r.indices);
  }
  // Equal values keep index order: compare with a stable descending sort.
  TopKResult tr = topK(ties, 7, 1);
  o.expect("torch.sort(" + o.in(ties) +
               ", dim=1, descending=True, stable=True)[1][:, :7]",
           tr.indices);

  std::string error;
  Tensor g = uniform({10, 4}, ++seed), g3 = uniform({3, 7, 2}, ++seed);
  Tensor idx = integers({3}, ++seed, 0, 9);
  Tensor idx32 = integers({5}, ++seed, 0, 6, DType::I32);
  o.expect(call("torch.index_select", {o.in(g), "0", o.in(idx)}),
           gather(g, idx, 0, error));
  o.expect(call("torch.index_select", {o.in(g3), "1", o.in(idx32) + ".long()"}),
           gather(g3, idx32, 1, error));
  Tensor idx2 = integers({4}, ++seed, 0, 1);
  o.expect(call("torch.index_select", {o.in(g3), "-1", o.in(idx2)}),
           gather(g3, idx2, -1, error));

  Tensor src = uniform({40, 16}, ++seed, -3, 3),
         src3 = uniform({9, 2, 3}, ++seed);
  Tensor dst = integers({40}, ++seed, 0, 11),
         dst3 = integers({9}, ++seed, 0, 3);
  Tensor isrc = integers({40, 5}, ++seed, -9, 9);
  const std::pair<const char *, const char *> reductions[] = {
      {"sum", "'sum'"},
      {"mean", "'mean'"},
      {"max", "'amax'"},
      {"min", "'amin'"}};
  for (auto [name, pyName] : reductions) {
    ScatterReduce red;
    ASSERT_TRUE(scatterReduceFromName(name, red)) << name;
    o.expect(call("scatter", {o.in(src), o.in(dst), "13", pyName}),
             scatterReduce(src, dst, 13, red, error));
    o.expect(call("scatter", {o.in(src3), o.in(dst3), "4", pyName}),
             scatterReduce(src3, dst3, 4, red, error));
    if (red != ScatterReduce::Mean)
      o.expect(call("scatter", {o.in(isrc), o.in(dst), "12", pyName}),
               scatterReduce(isrc, dst, 12, red, error));
  }
  EXPECT_EQ(error, "");
}

TEST(RuntimeKernelsAElementwiseReduce, MatchesTorch) {
  REQUIRE_TORCH();
  TorchOracle o;
  addElementwiseCases(o);
  addReduceCases(o);
  o.check();
}

TEST(RuntimeKernelsAShape, MatchesTorch) {
  REQUIRE_TORCH();
  TorchOracle o;
  addShapeCases(o);
  o.check();
}
