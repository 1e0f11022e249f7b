//===- RuntimeGradRecurrentTest.cpp - BPTT kernels vs torch.autograd ------===//
//
// rnnBackward / lstmBackward / gruBackward against torch.autograd through
// torch.nn.RNN / LSTM / GRU with the weights copied in (the harness of
// RuntimeKernelsBOracle.h, as the forward kernels' tests), central finite
// differences in f64 (no PyTorch), and training-mode inter-layer dropout:
// the forward against a manual per-layer composition, the backward against
// finite differences (the mask is fixed by the seed).
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/GradRecurrent.h"

#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Recurrent.h"
#include "runtime/kernels/Shape.h"

#include "test/unit/RuntimeGradTestUtil.h"
#include "test/unit/RuntimeKernelsBOracle.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>
#include <sstream>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelsb_test;

namespace {

int64_t gatesOf(const std::string &kind) {
  return kind == "lstm" ? 4 : kind == "gru" ? 3 : 1;
}

/// PyTorch's parameter name, e.g. weight_hh_l1_reverse.
std::string weightName(const char *kind, int64_t layer, int64_t dir) {
  return std::string(kind) + "_l" + std::to_string(layer) +
         (dir ? "_reverse" : "");
}

/// The _flat_weights names of a module, in order.
std::vector<std::string> flatWeightNames(int64_t layers, int64_t dirs,
                                         bool bias) {
  std::vector<std::string> names;
  for (int64_t l = 0; l < layers; ++l)
    for (int64_t d = 0; d < dirs; ++d)
      for (const char *kind : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"})
        if (bias || kind[0] == 'w')
          names.push_back(weightName(kind, l, d));
  return names;
}

/// Random weights in _flat_weights order.
std::vector<Tensor> randomWeights(std::mt19937 &rng, const std::string &kind,
                                  int64_t input, int64_t hidden, int64_t layers,
                                  int64_t dirs, bool bias, DType dtype,
                                  double range = 0.6) {
  std::vector<Tensor> w;
  const int64_t rows = gatesOf(kind) * hidden;
  for (int64_t l = 0; l < layers; ++l)
    for (int64_t d = 0; d < dirs; ++d) {
      const int64_t in = l == 0 ? input : dirs * hidden;
      w.push_back(uniform(rng, {rows, in}, -range, range, dtype));
      w.push_back(uniform(rng, {rows, hidden}, -range, range, dtype));
      if (bias) {
        w.push_back(uniform(rng, {rows}, -range, range, dtype));
        w.push_back(uniform(rng, {rows}, -range, range, dtype));
      }
    }
  return w;
}

/// Runs the forward kernel of `kind` (lstm, gru, rnn_tanh, rnn_relu).
RecurrentResult forward(const std::string &kind, const Tensor &x,
                        const Tensor &h0, const Tensor &c0,
                        const std::vector<Tensor> &w,
                        const RecurrentOptions &opt) {
  if (kind == "lstm")
    return lstm(x, h0, c0, w, opt);
  if (kind == "gru")
    return gru(x, h0, w, opt);
  return rnn(x, h0, w, opt, kind == "rnn_relu");
}

/// Runs the backward kernel of `kind`.
RecurrentGrads backward(const std::string &kind, const Tensor &gOut,
                        const Tensor &gHN, const Tensor &gCN, const Tensor &x,
                        const Tensor &h0, const Tensor &c0,
                        const std::vector<Tensor> &w,
                        const RecurrentOptions &opt) {
  if (kind == "lstm")
    return lstmBackward(gOut, gHN, gCN, x, h0, c0, w, opt);
  if (kind == "gru")
    return gruBackward(gOut, gHN, x, h0, w, opt);
  return rnnBackward(gOut, gHN, x, h0, w, opt, kind == "rnn_relu");
}

//===----------------------------------------------------------------------===//
// torch.autograd
//===----------------------------------------------------------------------===//

struct GradCase {
  std::string name, kind; // lstm, gru, rnn_tanh, rnn_relu
  int64_t input, hidden, layers, batch, steps;
  bool bidirectional, batchFirst, bias, initialState;
  DType dtype;
  std::string grads; // which results get a gradient: o(utput), h(_n), c(_n)
};

const std::vector<GradCase> &gradCases() {
  const DType f32 = DType::F32, f64 = DType::F64;
  static const std::vector<GradCase> cases = {
      {"lstm1", "lstm", 3, 4, 1, 2, 5, false, false, true, false, f32, "ohc"},
      {"lstm_bi2_bf", "lstm", 3, 5, 2, 3, 4, true, true, true, true, f32,
       "ohc"},
      {"lstm_t1b1", "lstm", 2, 3, 1, 1, 1, false, false, false, true, f32, "o"},
      {"lstm_hn", "lstm", 3, 4, 2, 2, 3, true, false, true, true, f32, "h"},
      {"lstm_cn", "lstm", 2, 3, 2, 2, 4, false, true, true, false, f32, "c"},
      {"lstm_f64", "lstm", 3, 4, 2, 2, 3, true, true, true, true, f64, "ohc"},
      {"lstm_f64_nobias", "lstm", 2, 3, 1, 3, 2, true, false, false, false, f64,
       "hc"},
      {"lstm_t1_bi2", "lstm", 2, 2, 2, 2, 1, true, true, true, true, f64, "o"},
      {"gru_bi2", "gru", 4, 3, 2, 2, 6, true, false, true, true, f32, "oh"},
      {"gru_nobias_bf", "gru", 3, 4, 1, 3, 3, false, true, false, false, f32,
       "o"},
      {"gru_hn2", "gru", 3, 4, 2, 2, 4, false, false, true, false, f32, "h"},
      {"gru_f64", "gru", 2, 3, 2, 2, 4, true, true, true, true, f64, "oh"},
      {"gru_t1b1_f64", "gru", 2, 3, 1, 1, 1, true, false, false, true, f64,
       "oh"},
      {"rnn_tanh_bi2", "rnn_tanh", 3, 4, 2, 2, 5, true, false, true, false, f32,
       "oh"},
      {"rnn_relu_bf", "rnn_relu", 3, 4, 1, 2, 4, false, true, true, true, f32,
       "o"},
      {"rnn_tanh_f64", "rnn_tanh", 2, 3, 2, 3, 3, false, true, false, true, f64,
       "h"},
      {"rnn_relu_f64_bi2", "rnn_relu", 3, 3, 2, 2, 3, true, false, true, false,
       f64, "oh"},
  };
  return cases;
}

// The missing initial state is zeros with requires_grad, which is what the
// module uses for None, so its gradient is comparable too.
const char *kGradScript = R"PY(
import torch
torch.set_grad_enabled(True)
for name, kind, I, H, L, bidir, bf, bias, init, dt, which in CASES:
    I, H, L = int(I), int(H), int(L)
    ND = 2 if bidir == '1' else 1
    kw = dict(num_layers=L, bidirectional=bidir == '1', batch_first=bf == '1',
              bias=bias == '1')
    if kind == 'lstm': m = torch.nn.LSTM(I, H, **kw)
    elif kind == 'gru': m = torch.nn.GRU(I, H, **kw)
    else: m = torch.nn.RNN(I, H, nonlinearity=kind[4:], **kw)
    if dt == 'f64': m = m.double()
    with torch.no_grad():
        for pn, p in m.named_parameters(): p.copy_(T(name + '.' + pn))
    x = T(name + '.input').requires_grad_()
    B = x.shape[0 if bf == '1' else 1]
    def state(s):
        if init == '1': return T(name + '.' + s).requires_grad_()
        return torch.zeros(L * ND, B, H, dtype=x.dtype, requires_grad=True)
    h0 = state('h0')
    c0 = state('c0') if kind == 'lstm' else None
    out, st = m(x, (h0, c0) if kind == 'lstm' else h0)
    hn, cn = st if kind == 'lstm' else (st, None)
    loss = 0
    if 'o' in which: loss = loss + (out * T(name + '.g_output')).sum()
    if 'h' in which: loss = loss + (hn * T(name + '.g_h_n')).sum()
    if 'c' in which: loss = loss + (cn * T(name + '.g_c_n')).sum()
    named = list(m.named_parameters())
    wrt = [x, h0] + ([c0] if kind == 'lstm' else []) + [p for _, p in named]
    grads = torch.autograd.grad(loss, wrt, allow_unused=True)
    grads = [torch.zeros_like(w) if g is None else g for g, w in zip(grads, wrt)]
    put(name + '.d_input', grads[0])
    put(name + '.d_h0', grads[1])
    if kind == 'lstm': put(name + '.d_c0', grads[2])
    for (pn, _), g in zip(named, grads[3 if kind == 'lstm' else 2:]):
        put(name + '.d_' + pn, g)
)PY";

} // namespace

class RuntimeGradRecurrentTorch : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    oracle = std::make_unique<Oracle>();
    std::mt19937 rng(11);
    for (const GradCase &c : gradCases()) {
      const int64_t dirs = c.bidirectional ? 2 : 1;
      const std::string p = c.name + ".";
      Shape in = c.batchFirst ? Shape{c.batch, c.steps, c.input}
                              : Shape{c.steps, c.batch, c.input};
      Shape outShape = c.batchFirst ? Shape{c.batch, c.steps, dirs * c.hidden}
                                    : Shape{c.steps, c.batch, dirs * c.hidden};
      Shape state = {c.layers * dirs, c.batch, c.hidden};
      oracle->input(p + "input", uniform(rng, in, -1, 1, c.dtype));
      if (c.initialState) {
        oracle->input(p + "h0", uniform(rng, state, -1, 1, c.dtype));
        oracle->input(p + "c0", uniform(rng, state, -1, 1, c.dtype));
      }
      std::vector<Tensor> w = randomWeights(rng, c.kind, c.input, c.hidden,
                                            c.layers, dirs, c.bias, c.dtype);
      std::vector<std::string> names = flatWeightNames(c.layers, dirs, c.bias);
      for (size_t i = 0; i < w.size(); ++i)
        oracle->input(p + names[i], w[i]);
      if (c.grads.find('o') != std::string::npos)
        oracle->input(p + "g_output", uniform(rng, outShape, -1, 1, c.dtype));
      if (c.grads.find('h') != std::string::npos)
        oracle->input(p + "g_h_n", uniform(rng, state, -1, 1, c.dtype));
      if (c.grads.find('c') != std::string::npos)
        oracle->input(p + "g_c_n", uniform(rng, state, -1, 1, c.dtype));
      std::ostringstream line;
      line << c.name << ' ' << c.kind << ' ' << c.input << ' ' << c.hidden
           << ' ' << c.layers << ' ' << c.bidirectional << ' ' << c.batchFirst
           << ' ' << c.bias << ' ' << c.initialState << ' ' << dtypeTag(c.dtype)
           << ' ' << c.grads;
      oracle->addCase(line.str());
    }
    oracle->run(kGradScript);
  }
  static void TearDownTestSuite() { oracle.reset(); }
  static std::unique_ptr<Oracle> oracle;
};
std::unique_ptr<Oracle> RuntimeGradRecurrentTorch::oracle;

TEST_F(RuntimeGradRecurrentTorch, MatchesAutograd) {
  REQUIRE_ORACLE(*oracle);
  for (const GradCase &c : gradCases()) {
    SCOPED_TRACE(c.name);
    const int64_t dirs = c.bidirectional ? 2 : 1;
    const std::string p = c.name + ".";
    std::vector<std::string> names = flatWeightNames(c.layers, dirs, c.bias);
    std::vector<Tensor> w;
    for (const std::string &n : names)
      w.push_back(oracle->in(p + n));
    RecurrentOptions opt{c.hidden, c.layers, c.bidirectional, c.batchFirst,
                         c.bias};
    auto optional = [&](const std::string &n) {
      return oracle->has(p + n) ? oracle->in(p + n) : Tensor();
    };
    RecurrentGrads g = backward(c.kind, optional("g_output"), optional("g_h_n"),
                                optional("g_c_n"), oracle->in(p + "input"),
                                optional("h0"), optional("c0"), w, opt);
    expectClose(g.input, oracle->out(p + "d_input"), "d_input");
    expectClose(g.h0, oracle->out(p + "d_h0"), "d_h0");
    if (c.kind == "lstm")
      expectClose(g.c0, oracle->out(p + "d_c0"), "d_c0");
    else
      EXPECT_FALSE(g.c0.defined());
    ASSERT_EQ(g.weights.size(), names.size());
    for (size_t i = 0; i < names.size(); ++i)
      expectClose(g.weights[i], oracle->out(p + "d_" + names[i]),
                  "d_" + names[i]);
  }
}

//===----------------------------------------------------------------------===//
// Finite differences (f64, no PyTorch)
//===----------------------------------------------------------------------===//

namespace {

/// A recurrent layer's inputs and random result gradients, f64.
struct Problem {
  std::string kind;
  RecurrentOptions opt;
  Tensor x, h0, c0, gOut, gHN, gCN;
  std::vector<Tensor> w;

  Problem(std::string kind, int64_t input, int64_t batch, int64_t steps,
          RecurrentOptions o, bool initialState, uint64_t seed)
      : kind(std::move(kind)), opt(o) {
    std::mt19937 rng(static_cast<uint32_t>(seed));
    const DType f64 = DType::F64;
    const int64_t dirs = opt.bidirectional ? 2 : 1, H = opt.hiddenSize;
    Shape state = {opt.numLayers * dirs, batch, H};
    x = uniform(rng,
                opt.batchFirst ? Shape{batch, steps, input}
                               : Shape{steps, batch, input},
                -1, 1, f64);
    if (initialState) {
      h0 = uniform(rng, state, -1, 1, f64);
      if (this->kind == "lstm")
        c0 = uniform(rng, state, -1, 1, f64);
    }
    w = randomWeights(rng, this->kind, input, H, opt.numLayers, dirs,
                      opt.hasBiases, f64, 0.8);
    gOut = uniform(rng,
                   opt.batchFirst ? Shape{batch, steps, dirs * H}
                                  : Shape{steps, batch, dirs * H},
                   -1, 1, f64);
    gHN = uniform(rng, state, -1, 1, f64);
    if (this->kind == "lstm")
      gCN = uniform(rng, state, -1, 1, f64);
  }

  /// sum(gOut * output) + sum(gHN * h_n) + sum(gCN * c_n) at the current
  /// values of the tensors (which finite differences perturb in place).
  double objective(const Tensor &h0Now, const Tensor &c0Now) const {
    RecurrentResult r = forward(kind, x, h0Now, c0Now, w, opt);
    auto dot = [](const Tensor &a, const Tensor &b) {
      double s = 0;
      for (int64_t i = 0; b.defined() && i < a.numel(); ++i)
        s += a.at(i) * b.at(i);
      return s;
    };
    return dot(r.output, gOut) + dot(r.hN, gHN) + dot(r.cN, gCN);
  }

  /// Compares every element of `grad` with the central difference of the
  /// objective along the matching element of `t`, which must share its
  /// buffer with one of this problem's tensors.
  void expectFiniteDifference(Tensor t, const Tensor &grad,
                              const std::string &what,
                              const std::function<double()> &f) const {
    kernelstest::expectFiniteDifference(
        std::move(t), [&](const Tensor &) { return f(); }, grad, what);
  }

  /// Checks the backward kernel's gradients of x, the weights and (given
  /// or zero) h0 / c0 against finite differences.
  void check() const {
    RecurrentGrads g = backward(kind, gOut, gHN, gCN, x, h0, c0, w, opt);
    // An undefined initial state is zeros: perturb explicit zeros instead.
    const Tensor h0Fd = h0.defined() ? h0 : Tensor(DType::F64, g.h0.shape());
    const Tensor c0Fd = kind != "lstm" ? Tensor()
                        : c0.defined() ? c0
                                       : Tensor(DType::F64, g.c0.shape());
    auto f = [&] { return objective(h0Fd, c0Fd); };
    expectFiniteDifference(x, g.input, "d_input", f);
    expectFiniteDifference(h0Fd, g.h0, "d_h0", f);
    if (kind == "lstm")
      expectFiniteDifference(c0Fd, g.c0, "d_c0", f);
    else
      EXPECT_FALSE(g.c0.defined());
    ASSERT_EQ(g.weights.size(), w.size());
    for (size_t i = 0; i < w.size(); ++i)
      expectFiniteDifference(w[i], g.weights[i],
                             "d_weights[" + std::to_string(i) + "]", f);
  }
};

} // namespace

TEST(RuntimeGradRecurrentFiniteDifference, LSTM) {
  Problem(
      "lstm", 3, 2, 3,
      {/*hiddenSize=*/2, /*numLayers=*/2, /*bidirectional=*/true, false, true},
      true, 1)
      .check();
  Problem("lstm", 2, 3, 4, {3, 1, false, /*batchFirst=*/true, false}, false, 2)
      .check();
}

TEST(RuntimeGradRecurrentFiniteDifference, GRU) {
  Problem("gru", 3, 2, 3, {2, 2, true, true, true}, true, 3).check();
  Problem("gru", 2, 1, 4, {3, 1, false, false, false}, false, 4).check();
}

TEST(RuntimeGradRecurrentFiniteDifference, RNN) {
  Problem("rnn_tanh", 3, 2, 3, {2, 2, true, false, true}, true, 5).check();
  Problem("rnn_relu", 2, 2, 3, {3, 1, false, true, true}, true, 6).check();
}

//===----------------------------------------------------------------------===//
// Inter-layer dropout
//===----------------------------------------------------------------------===//

namespace {

/// Rows [begin, begin + count) of dim 0 of `t` (undefined stays undefined).
Tensor rowsOf(const Tensor &t, int64_t begin, int64_t count) {
  if (!t.defined())
    return t;
  Shape s = t.shape();
  s[0] = count;
  Tensor r(t.dtype(), s);
  const size_t row = t.bytes() / size_t(t.dim(0));
  std::memcpy(r.raw(), static_cast<const char *>(t.raw()) + begin * row,
              row * size_t(count));
  return r;
}

void expectEqual(const Tensor &a, const Tensor &b, const std::string &what) {
  ASSERT_EQ(shapeString(a.shape()), shapeString(b.shape())) << what;
  for (int64_t i = 0; i < a.numel(); ++i)
    ASSERT_EQ(a.at(i), b.at(i)) << what << " [" << i << "]";
}

} // namespace

TEST(RuntimeGradRecurrentDropout, ForwardMatchesManualComposition) {
  const double p = 0.4;
  const uint64_t seed = 77;
  for (const char *kind : {"lstm", "gru", "rnn_tanh"})
    for (bool batchFirst : {false, true})
      for (DType dt : {DType::F32, DType::F64}) {
        SCOPED_TRACE(std::string(kind) + (batchFirst ? " batch-first" : "") +
                     " " + dtypeName(dt));
        std::mt19937 rng(9);
        const int64_t I = 3, H = 4, L = 3, B = 2, T = 5, D = 2;
        const int64_t perDir = 4;
        Tensor x = uniform(rng, batchFirst ? Shape{B, T, I} : Shape{T, B, I},
                           -1, 1, dt);
        Tensor h0 = uniform(rng, {L * D, B, H}, -1, 1, dt);
        Tensor c0 = std::string(kind) == "lstm"
                        ? uniform(rng, {L * D, B, H}, -1, 1, dt)
                        : Tensor();
        std::vector<Tensor> w = randomWeights(rng, kind, I, H, L, D, true, dt);
        RecurrentOptions opt{H, L, true, batchFirst, true, p, seed};
        RecurrentResult all = forward(kind, x, h0, c0, w, opt);

        // One single-layer call per layer; between layers the mask is
        // kernels::dropout over the time-major output with stream = layer.
        RecurrentOptions one{H, 1, true, batchFirst, true};
        Tensor in = x;
        std::vector<Tensor> hN, cN;
        for (int64_t l = 0; l < L; ++l) {
          std::vector<Tensor> wl(w.begin() + l * D * perDir,
                                 w.begin() + (l + 1) * D * perDir);
          RecurrentResult r = forward(kind, in, rowsOf(h0, l * D, D),
                                      rowsOf(c0, l * D, D), wl, one);
          hN.push_back(r.hN);
          cN.push_back(r.cN);
          in = r.output;
          if (l + 1 == L)
            break;
          Tensor tm = batchFirst ? permute(in, {1, 0, 2}) : in;
          tm = dropout(tm, p, false, true, seed, uint64_t(l));
          in = batchFirst ? permute(tm, {1, 0, 2}) : tm;
        }
        expectEqual(all.output, in, "output");
        expectEqual(all.hN, concat(hN, 0), "h_n");
        if (c0.defined())
          expectEqual(all.cN, concat(cN, 0), "c_n");

        // The mask really drops: the result differs from inference.
        RecurrentOptions inference = opt;
        inference.dropout = 0;
        RecurrentResult plain = forward(kind, x, h0, c0, w, inference);
        bool differs = false;
        for (int64_t i = 0; i < plain.output.numel(); ++i)
          differs |= plain.output.at(i) != all.output.at(i);
        EXPECT_TRUE(differs);
      }
}

TEST(RuntimeGradRecurrentDropout, BackwardMatchesFiniteDifference) {
  RecurrentOptions opt{2, 3, true, false, true, 0.5, 1234};
  Problem("lstm", 2, 2, 3, opt, true, 7).check();
  opt.batchFirst = true;
  Problem("gru", 3, 2, 3, opt, false, 8).check();
  opt.bidirectional = false;
  Problem("rnn_tanh", 2, 3, 2, opt, true, 9).check();
}

//===----------------------------------------------------------------------===//
// Half types and edge cases
//===----------------------------------------------------------------------===//

TEST(RuntimeGradRecurrentHalf, MatchesF32OnWidenedInputs) {
  // f16 / bf16 run through f32: the gradients are the f32 gradients of the
  // widened inputs, rounded.
  for (DType half : {DType::F16, DType::BF16}) {
    std::mt19937 rng(21);
    auto make = [&](Shape s) {
      return cast(uniform(rng, std::move(s), -1, 1), half);
    };
    RecurrentOptions opt{3, 2, true, true, true};
    Tensor x = make({2, 4, 3}), h0 = make({4, 2, 3}), c0 = make({4, 2, 3});
    Tensor gOut = make({2, 4, 6}), gHN = make({4, 2, 3}), gCN = make({4, 2, 3});
    std::vector<Tensor> w, wide;
    for (const Tensor &t :
         randomWeights(rng, "lstm", 3, 3, 2, 2, true, DType::F32)) {
      w.push_back(cast(t, half));
      wide.push_back(cast(w.back(), DType::F32));
    }
    auto f32 = [](const Tensor &t) { return cast(t, DType::F32); };
    RecurrentGrads g = lstmBackward(gOut, gHN, gCN, x, h0, c0, w, opt);
    RecurrentGrads r = lstmBackward(f32(gOut), f32(gHN), f32(gCN), f32(x),
                                    f32(h0), f32(c0), wide, opt);
    EXPECT_EQ(g.input.dtype(), half);
    expectEqual(g.input, cast(r.input, half), "d_input");
    expectEqual(g.h0, cast(r.h0, half), "d_h0");
    expectEqual(g.c0, cast(r.c0, half), "d_c0");
    ASSERT_EQ(g.weights.size(), r.weights.size());
    for (size_t i = 0; i < g.weights.size(); ++i)
      expectEqual(g.weights[i], cast(r.weights[i], half), "d_weights");
  }
}

TEST(RuntimeGradRecurrentEdge, ZeroStepsPassesStateGradients) {
  // With no steps h_n = h0 and c_n = c0, so their gradients pass through
  // and everything else is zero.
  std::mt19937 rng(31);
  Tensor x(DType::F32, {2, 0, 3});
  Tensor gHN = uniform(rng, {2, 2, 4}), gCN = uniform(rng, {2, 2, 4});
  std::vector<Tensor> w =
      randomWeights(rng, "lstm", 3, 4, 1, 2, true, DType::F32);
  RecurrentOptions opt{4, 1, true, true, true};
  RecurrentGrads g =
      lstmBackward(Tensor(DType::F32, {2, 0, 8}), gHN, gCN, x, {}, {}, w, opt);
  EXPECT_EQ(shapeString(g.input.shape()), "[2, 0, 3]");
  expectEqual(g.h0, gHN, "d_h0");
  expectEqual(g.c0, gCN, "d_c0");
  for (const Tensor &t : g.weights)
    for (int64_t i = 0; i < t.numel(); ++i)
      ASSERT_EQ(t.at(i), 0.0);
  // Undefined result gradients are zeros.
  RecurrentGrads z =
      gruBackward({}, {}, uniform(rng, {3, 2, 3}), {},
                  randomWeights(rng, "gru", 3, 4, 1, 1, true, DType::F32),
                  {4, 1, false, false, true});
  for (const Tensor &t : {z.input, z.h0})
    for (int64_t i = 0; i < t.numel(); ++i)
      ASSERT_EQ(t.at(i), 0.0);
}
