//===- RuntimeKernelsBTest.cpp - Recurrent, position and MoE kernels -----===//
//
// Kernels part B against PyTorch: nn.RNN/LSTM/GRU, the sinusoidal, timestep
// and T5 relative position encodings, and the mixture of experts. The
// harness is in RuntimeKernelsBOracle.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/RuntimeKernelsBOracle.h"

#include "runtime/kernels/Positions.h"
#include "runtime/kernels/Recurrent.h"
#include "runtime/kernels/Routing.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernelsb_test;

//===----------------------------------------------------------------------===//
// Recurrent layers vs torch.nn.RNN / LSTM / GRU
//===----------------------------------------------------------------------===//

namespace {
struct RnnCase {
  std::string name, kind; // lstm, gru, rnn_tanh, rnn_relu
  int64_t input, hidden, layers, batch, steps;
  bool bidirectional, batchFirst, bias, initialState;
  DType dtype;
};

const std::vector<RnnCase> &rnnCases() {
  static const std::vector<RnnCase> cases = {
      {"lstm1", "lstm", 3, 4, 1, 2, 5, false, false, true, false, DType::F32},
      {"lstm_bi2", "lstm", 3, 5, 2, 3, 4, true, true, true, true, DType::F32},
      {"lstm_t1b1", "lstm", 2, 3, 1, 1, 1, false, false, false, true,
       DType::F32},
      {"gru_bi2", "gru", 4, 3, 2, 2, 6, true, false, true, true, DType::F32},
      {"gru_nobias", "gru", 3, 4, 1, 3, 3, false, true, false, false,
       DType::F32},
      {"rnn_tanh_bi2", "rnn_tanh", 3, 4, 2, 2, 5, true, false, true, false,
       DType::F32},
      {"rnn_relu", "rnn_relu", 3, 4, 1, 2, 4, false, true, true, true,
       DType::F32},
      {"lstm_f64", "lstm", 3, 4, 2, 2, 3, true, true, true, true, DType::F64},
      {"gru_f64", "gru", 2, 3, 1, 2, 4, false, false, true, true, DType::F64},
  };
  return cases;
}

const char *kRecurrentScript = R"PY(
import torch
for name, kind, I, H, L, bidir, bf, bias, h0, dt in CASES:
    I, H, L = int(I), int(H), int(L)
    kw = dict(num_layers=L, bidirectional=bidir == '1', batch_first=bf == '1',
              bias=bias == '1')
    if kind == 'lstm': m = torch.nn.LSTM(I, H, **kw)
    elif kind == 'gru': m = torch.nn.GRU(I, H, **kw)
    else: m = torch.nn.RNN(I, H, nonlinearity=kind[4:], **kw)
    if dt == 'f64': m = m.double()
    with torch.no_grad():
        for pn, p in m.named_parameters(): p.copy_(T(name + '.' + pn))
        state = None
        if h0 == '1':
            state = (T(name + '.h0'), T(name + '.c0')) if kind == 'lstm' else T(name + '.h0')
        out, st = m(T(name + '.input'), state)
    put(name + '.output', out)
    put(name + '.h_n', st[0] if kind == 'lstm' else st)
    if kind == 'lstm': put(name + '.c_n', st[1])
)PY";

std::string weightName(const char *kind, int64_t layer, int64_t dir) {
  return std::string(kind) + "_l" + std::to_string(layer) +
         (dir ? "_reverse" : "");
}
} // namespace

class RuntimeKernelsBRecurrent : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    oracle = std::make_unique<Oracle>();
    std::mt19937 rng(1);
    for (const RnnCase &c : rnnCases()) {
      const int64_t dirs = c.bidirectional ? 2 : 1;
      const int64_t gates = c.kind == "lstm" ? 4 : c.kind == "gru" ? 3 : 1;
      Shape in = c.batchFirst ? Shape{c.batch, c.steps, c.input}
                              : Shape{c.steps, c.batch, c.input};
      oracle->input(c.name + ".input", uniform(rng, in, -1, 1, c.dtype));
      if (c.initialState) {
        Shape state = {c.layers * dirs, c.batch, c.hidden};
        oracle->input(c.name + ".h0", uniform(rng, state, -1, 1, c.dtype));
        oracle->input(c.name + ".c0", uniform(rng, state, -1, 1, c.dtype));
      }
      for (int64_t l = 0; l < c.layers; ++l)
        for (int64_t d = 0; d < dirs; ++d) {
          const int64_t inSize = l == 0 ? c.input : dirs * c.hidden;
          const std::string p = c.name + ".";
          const int64_t rows = gates * c.hidden;
          oracle->input(p + weightName("weight_ih", l, d),
                        uniform(rng, {rows, inSize}, -0.6, 0.6, c.dtype));
          oracle->input(p + weightName("weight_hh", l, d),
                        uniform(rng, {rows, c.hidden}, -0.6, 0.6, c.dtype));
          if (c.bias) {
            oracle->input(p + weightName("bias_ih", l, d),
                          uniform(rng, {rows}, -0.6, 0.6, c.dtype));
            oracle->input(p + weightName("bias_hh", l, d),
                          uniform(rng, {rows}, -0.6, 0.6, c.dtype));
          }
        }
      std::ostringstream line;
      line << c.name << ' ' << c.kind << ' ' << c.input << ' ' << c.hidden
           << ' ' << c.layers << ' ' << c.bidirectional << ' ' << c.batchFirst
           << ' ' << c.bias << ' ' << c.initialState << ' '
           << dtypeTag(c.dtype);
      oracle->addCase(line.str());
    }
    oracle->run(kRecurrentScript);
  }
  static void TearDownTestSuite() { oracle.reset(); }
  static std::unique_ptr<Oracle> oracle;
};
std::unique_ptr<Oracle> RuntimeKernelsBRecurrent::oracle;

TEST_F(RuntimeKernelsBRecurrent, MatchesTorchModules) {
  REQUIRE_ORACLE(*oracle);
  for (const RnnCase &c : rnnCases()) {
    SCOPED_TRACE(c.name);
    const int64_t dirs = c.bidirectional ? 2 : 1;
    std::vector<Tensor> weights;
    for (int64_t l = 0; l < c.layers; ++l)
      for (int64_t d = 0; d < dirs; ++d)
        for (const char *kind :
             {"weight_ih", "weight_hh", "bias_ih", "bias_hh"})
          if (oracle->has(c.name + "." + weightName(kind, l, d)))
            weights.push_back(
                oracle->in(c.name + "." + weightName(kind, l, d)));
    RecurrentOptions opt{c.hidden, c.layers, c.bidirectional, c.batchFirst,
                         c.bias};
    const Tensor &x = oracle->in(c.name + ".input");
    Tensor h0 = c.initialState ? oracle->in(c.name + ".h0") : Tensor();
    Tensor c0 = c.initialState ? oracle->in(c.name + ".c0") : Tensor();
    RecurrentResult r;
    if (c.kind == "lstm")
      r = lstm(x, h0, c0, weights, opt);
    else if (c.kind == "gru")
      r = gru(x, h0, weights, opt);
    else
      r = rnn(x, h0, weights, opt, c.kind == "rnn_relu");
    expectClose(r.output, oracle->out(c.name + ".output"), "output");
    expectClose(r.hN, oracle->out(c.name + ".h_n"), "h_n");
    if (c.kind == "lstm")
      expectClose(r.cN, oracle->out(c.name + ".c_n"), "c_n");
  }
}

TEST(RuntimeKernelsBRecurrentEdge, ZeroStepsReturnsInitialState) {
  // PyTorch rejects empty sequences; the kernel must still be safe: an empty
  // output and the initial state passed through.
  std::mt19937 rng(2);
  Tensor x(DType::F32, {2, 0, 3});
  Tensor h0 = uniform(rng, {2, 2, 4}), c0 = uniform(rng, {2, 2, 4});
  std::vector<Tensor> w;
  for (int d = 0; d < 2; ++d)
    for (Shape s : {Shape{16, 3}, Shape{16, 4}, Shape{16}, Shape{16}})
      w.push_back(uniform(rng, s));
  RecurrentResult r = lstm(x, h0, c0, w, {4, 1, true, true, true});
  EXPECT_EQ(shapeString(r.output.shape()), "[2, 0, 8]");
  expectClose(r.hN, h0, "h_n");
  expectClose(r.cN, c0, "c_n");
}

//===----------------------------------------------------------------------===//
// Position encodings: the PyTorch tutorial, ADM and Hugging Face T5 code
//===----------------------------------------------------------------------===//

namespace {
const char *kPositionsScript = R"PY(
import torch
# transformers' T5Attention._relative_position_bucket, verbatim.
def _relative_position_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
    relative_buckets = 0
    if bidirectional:
        num_buckets //= 2
        relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
        relative_position = torch.abs(relative_position)
    else:
        relative_position = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    relative_position_if_large = max_exact + (
        torch.log(relative_position.float() / max_exact)
        / math.log(max_distance / max_exact)
        * (num_buckets - max_exact)
    ).to(torch.long)
    relative_position_if_large = torch.min(
        relative_position_if_large, torch.full_like(relative_position_if_large, num_buckets - 1)
    )
    relative_buckets += torch.where(is_small, relative_position, relative_position_if_large)
    return relative_buckets
for c in CASES:
    kind, name = c[0], c[1]
    if kind == 'sin':  # the PyTorch tutorial's PositionalEncoding
        n, d = int(c[2]), int(c[3])
        position = torch.arange(n).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
        pe = torch.zeros(n, d)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        put(name, pe)
    elif kind == 'temb':  # guided-diffusion's timestep_embedding
        dim, max_period = int(c[2]), float(c[3])
        half = dim // 2
        freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32) / half)
        args = T(name + '.t')[:, None].float() * freqs[None]
        put(name, torch.cat([torch.cos(args), torch.sin(args)], dim=-1))
    elif kind == 'relpos':  # T5Attention.compute_bias
        tq, tk, nb, md, bidir = int(c[2]), int(c[3]), int(c[4]), int(c[5]), c[6] == '1'
        rel = torch.arange(tk)[None, :] - torch.arange(tq)[:, None]
        buckets = _relative_position_bucket(rel, bidir, nb, md)
        values = torch.nn.functional.embedding(buckets, T(name + '.weight'))
        put(name, values.permute([2, 0, 1]).unsqueeze(0))
        put(name + '.buckets', buckets.float())
)PY";

struct RelposCase {
  std::string name;
  int64_t tq, tk, buckets, maxDistance;
  bool bidirectional;
};
const std::vector<RelposCase> &relposCases() {
  static const std::vector<RelposCase> cases = {
      {"t5_bidir", 300, 300, 32, 128, true},
      {"t5_causal", 20, 400, 32, 128, false},
      {"small", 5, 9, 8, 20, true},
      {"one", 1, 1, 32, 128, true},
      {"q_longer", 9, 4, 6, 7, false},
  };
  return cases;
}
} // namespace

class RuntimeKernelsBPositions : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    oracle = std::make_unique<Oracle>();
    std::mt19937 rng(5);
    oracle->addCase("sin sin_small 50 16");
    oracle->addCase("sin sin_long 8192 16"); // float32 rounding of pos * div
    oracle->addCase("sin sin_d2 3 2");
    oracle->input("temb_int.t", indices({0, 1, 999, 500, 37}));
    oracle->addCase("temb temb_int 32 10000");
    oracle->input("temb_float.t", uniform(rng, {4}, 0, 1000));
    oracle->addCase("temb temb_float 6 100");
    oracle->input("temb_d2.t", indices({3, 7}));
    oracle->addCase("temb temb_d2 2 10000");
    for (const RelposCase &c : relposCases()) {
      oracle->input(c.name + ".weight", uniform(rng, {c.buckets, 3}));
      std::ostringstream line;
      line << "relpos " << c.name << ' ' << c.tq << ' ' << c.tk << ' '
           << c.buckets << ' ' << c.maxDistance << ' ' << c.bidirectional;
      oracle->addCase(line.str());
    }
    oracle->run(kPositionsScript);
  }
  static void TearDownTestSuite() { oracle.reset(); }
  static std::unique_ptr<Oracle> oracle;
};
std::unique_ptr<Oracle> RuntimeKernelsBPositions::oracle;

TEST_F(RuntimeKernelsBPositions, SinusoidalMatchesTutorialTable) {
  REQUIRE_ORACLE(*oracle);
  expectClose(sinusoidalPositionEncoding(50, 16), oracle->out("sin_small"),
              "sin_small");
  expectClose(sinusoidalPositionEncoding(8192, 16), oracle->out("sin_long"),
              "sin_long");
  expectClose(sinusoidalPositionEncoding(3, 2), oracle->out("sin_d2"),
              "sin_d2");
  Tensor f64 = sinusoidalPositionEncoding(50, 16, DType::F64);
  ASSERT_EQ(f64.dtype(), DType::F64);
  expectClose(f64, oracle->out("sin_small"), "sin_small as f64");
}

TEST_F(RuntimeKernelsBPositions, TimestepEmbeddingMatchesADM) {
  REQUIRE_ORACLE(*oracle);
  for (auto [name, dim, period] : {std::make_tuple("temb_int", 32, 10000.0),
                                   std::make_tuple("temb_float", 6, 100.0),
                                   std::make_tuple("temb_d2", 2, 10000.0)}) {
    const std::string n = name;
    expectClose(timestepEmbedding(oracle->in(n + ".t"), dim, period),
                oracle->out(n), n);
  }
}

TEST_F(RuntimeKernelsBPositions, RelativePositionBiasMatchesT5) {
  REQUIRE_ORACLE(*oracle);
  for (const RelposCase &c : relposCases()) {
    SCOPED_TRACE(c.name);
    Tensor buckets(DType::F32, {c.tq, c.tk});
    for (int64_t i = 0; i < c.tq; ++i)
      for (int64_t j = 0; j < c.tk; ++j)
        buckets.set(i * c.tk + j,
                    double(relativePositionBucket(j - i, c.bidirectional,
                                                  c.buckets, c.maxDistance)));
    expectClose(buckets, oracle->out(c.name + ".buckets"), "buckets");
    expectClose(relativePositionBias(c.tq, c.tk, oracle->in(c.name + ".weight"),
                                     c.buckets, c.maxDistance, c.bidirectional),
                oracle->out(c.name), "bias");
  }
}

TEST(RuntimeKernelsBPositionsEdge, DegenerateBucketsStayInRange) {
  // Settings the dialect admits but T5 never uses (max_exact = 0,
  // max_distance <= max_exact) must still index inside the table.
  for (bool bidirectional : {true, false})
    for (int64_t buckets : {1, 2, 3, 4, 5, 9})
      for (int64_t maxDistance : {1, 2, 3, 100})
        for (int64_t r = -300; r <= 300; ++r) {
          int64_t b =
              relativePositionBucket(r, bidirectional, buckets, maxDistance);
          ASSERT_GE(b, 0);
          ASSERT_LT(b, buckets);
        }
}

//===----------------------------------------------------------------------===//
// Mixture of experts: a dense reference running every expert on every token
//===----------------------------------------------------------------------===//

namespace {
struct MoECase {
  std::string name;
  Shape x;
  std::vector<int64_t> hidden; // one per expert
  int64_t topK;
  std::string activation;
  bool bias;
  DType dtype;
};
const std::vector<MoECase> &moeCases() {
  static const std::vector<MoECase> cases = {
      {"top1_relu", {2, 5, 8}, {16, 16, 16, 16}, 1, "relu", true, DType::F32},
      {"top2_gelu_mixed_hidden",
       {3, 4, 8},
       {16, 8, 12, 4},
       2,
       "gelu",
       true,
       DType::F32},
      {"all_silu_nobias_rank1", {8}, {5, 6, 7}, 3, "silu", false, DType::F32},
      {"top2_f64", {6, 8}, {8, 8, 8}, 2, "gelu", true, DType::F64},
  };
  return cases;
}

const char *kMoEScript = R"PY(
import torch
import torch.nn.functional as F
act = {'relu': F.relu, 'gelu': F.gelu, 'silu': F.silu}
for name, E, k, a, bias in CASES:
    E, k, bias = int(E), int(k), bias == '1'
    x = T(name + '.x')
    xs = x.reshape(-1, x.shape[-1])
    probs = torch.softmax(xs @ T(name + '.gate').T, -1)
    top = probs.topk(k, -1).indices
    y = torch.zeros_like(xs)
    for e in range(E):
        p = '%s.e%d.' % (name, e)
        h = xs @ T(p + 'fc1_w').T + (T(p + 'fc1_b') if bias else 0)
        o = act[a](h) @ T(p + 'fc2_w').T + (T(p + 'fc2_b') if bias else 0)
        y = y + (probs[:, e] * (top == e).any(-1))[:, None] * o
    put(name + '.y', y.reshape(x.shape))
    f = F.one_hot(top[:, 0], E).to(probs.dtype).mean(0)
    put(name + '.aux', (E * (f * probs.mean(0)).sum()).float())
)PY";

ExpertActivation activationOf(const std::string &name) {
  return name == "relu"   ? ExpertActivation::ReLU
         : name == "gelu" ? ExpertActivation::GELU
                          : ExpertActivation::SiLU;
}
} // namespace

class RuntimeKernelsBRouting : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    oracle = std::make_unique<Oracle>();
    std::mt19937 rng(6);
    for (const MoECase &c : moeCases()) {
      const int64_t d = c.x.back(), e = int64_t(c.hidden.size());
      oracle->input(c.name + ".x", uniform(rng, c.x, -1, 1, c.dtype));
      oracle->input(c.name + ".gate", uniform(rng, {e, d}, -1, 1, c.dtype));
      for (int64_t i = 0; i < e; ++i) {
        const std::string p = c.name + ".e" + std::to_string(i) + ".";
        const int64_t h = c.hidden[i];
        oracle->input(p + "fc1_w", uniform(rng, {h, d}, -0.5, 0.5, c.dtype));
        if (c.bias)
          oracle->input(p + "fc1_b", uniform(rng, {h}, -0.5, 0.5, c.dtype));
        oracle->input(p + "fc2_w", uniform(rng, {d, h}, -0.5, 0.5, c.dtype));
        if (c.bias)
          oracle->input(p + "fc2_b", uniform(rng, {d}, -0.5, 0.5, c.dtype));
      }
      std::ostringstream line;
      line << c.name << ' ' << e << ' ' << c.topK << ' ' << c.activation << ' '
           << c.bias;
      oracle->addCase(line.str());
    }
    oracle->run(kMoEScript);
  }
  static void TearDownTestSuite() { oracle.reset(); }
  static std::unique_ptr<Oracle> oracle;
};
std::unique_ptr<Oracle> RuntimeKernelsBRouting::oracle;

TEST_F(RuntimeKernelsBRouting, MatchesDenseReference) {
  REQUIRE_ORACLE(*oracle);
  for (const MoECase &c : moeCases()) {
    SCOPED_TRACE(c.name);
    const int64_t e = int64_t(c.hidden.size());
    std::vector<Tensor> weights;
    for (int64_t i = 0; i < e; ++i)
      for (const char *w : {"fc1_w", "fc1_b", "fc2_w", "fc2_b"}) {
        const std::string n = c.name + ".e" + std::to_string(i) + "." + w;
        if (oracle->has(n))
          weights.push_back(oracle->in(n));
      }
    MoEResult r = moe(oracle->in(c.name + ".x"), oracle->in(c.name + ".gate"),
                      weights, e, c.topK, activationOf(c.activation), c.bias);
    expectClose(r.output, oracle->out(c.name + ".y"), "output");
    expectClose(r.auxLoss, oracle->out(c.name + ".aux"), "aux_loss");
  }
}

TEST(RuntimeKernelsBRoutingEdge, TiesGoToLowerExpertsAndNoTokens) {
  // A zero gate makes every probability 1/E: top-k must pick experts
  // 0..k-1. Expert e outputs the constant e + 1 (zero weights, bias e + 1).
  const int64_t d = 3, experts = 4, k = 2;
  std::vector<Tensor> weights;
  for (int64_t e = 0; e < experts; ++e) {
    weights.push_back(Tensor(DType::F32, {2, d}));
    weights.push_back(Tensor::full(DType::F32, {2}, 1.0));
    weights.push_back(Tensor(DType::F32, {d, 2}));
    weights.push_back(Tensor::full(DType::F32, {d}, double(e + 1)));
  }
  std::mt19937 rng(7);
  MoEResult r = moe(uniform(rng, {5, d}), Tensor(DType::F32, {experts, d}),
                    weights, experts, k, ExpertActivation::ReLU, true);
  for (int64_t i = 0; i < r.output.numel(); ++i)
    EXPECT_NEAR(r.output.at(i), (1.0 + 2.0) / experts, 1e-6);
  // Every token's top-1 is expert 0: E * (1 * 1/E) = 1.
  EXPECT_NEAR(r.auxLoss.at(0), 1.0, 1e-6);

  MoEResult empty =
      moe(Tensor(DType::F32, {0, d}), Tensor(DType::F32, {experts, d}), weights,
          experts, k, ExpertActivation::ReLU, true);
  EXPECT_EQ(shapeString(empty.output.shape()), "[0, 3]");
  EXPECT_TRUE(std::isnan(empty.auxLoss.at(0))); // a mean over no tokens
}
