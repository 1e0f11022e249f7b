//===- SemaTest.cpp - Elaboration of small programs -----------------------===//

#include "lang/Sema.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace nnc;

namespace {
struct Checked {
  std::optional<std::vector<Graph>> graphs;
  std::string diagnostics;
};

Checked check(const std::string &text) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  Program program(sources, diags, {NNC_LIBRARY_DIR});
  Checked out;
  if (program.loadBuffer("test.nn", text))
    out.graphs = checkProgram(program, {});
  llvm::raw_string_ostream os(out.diagnostics);
  diags.print(os);
  return out;
}

const Parameter *findParam(const Graph &g, const std::string &name) {
  for (auto &p : g.params)
    if (p.name == name)
      return &p;
  return nullptr;
}
} // namespace

TEST(Sema, ParametersFollowStateDictNames) {
  auto r = check(R"(
block mlp(x, hidden: int) {
  h = relu(linear(x, hidden) as fc1)
  return linear(h, hidden) as fc2
}
model m {
  input x: f32[B, 8]
  h = repeat 2 mlp(x, 8) as layers
  output y = h
}
)");
  ASSERT_TRUE(r.graphs) << r.diagnostics;
  const Graph &g = r.graphs->front();
  EXPECT_TRUE(findParam(g, "layers.0.fc1.weight"));
  EXPECT_TRUE(findParam(g, "layers.1.fc2.bias"));
  EXPECT_EQ(g.params.size(), 8u);
  const Parameter *w = findParam(g, "layers.0.fc1.weight");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->type.str(), "f32[8, 8]");
}

TEST(Sema, DerivedValuesAreComputed) {
  auto r = check(R"(
const heads = 4
model m(d_model: int = 64) {
  input x: f32[B, T, d_model]
  assert d_model / heads == 16, "head size"
  output y = reshape(x, [B, T, heads, d_model / heads])
}
)");
  ASSERT_TRUE(r.graphs) << r.diagnostics;
  const Graph &g = r.graphs->front();
  EXPECT_EQ(g.values[g.outputs[0].second].str(), "f32[B, T, 4, 16]");
}

TEST(Sema, ErrorsAreLocatedAndCounted) {
  auto r = check("model m {\n  input x: f32[B, 8]\n  output y = "
                 "linear(x, 4) @ linear(x, 4)\n}\n");
  EXPECT_FALSE(r.graphs);
  EXPECT_NE(r.diagnostics.find("test.nn:3:"), std::string::npos)
      << r.diagnostics;
}

TEST(Sema, HugeRepeatIsADiagnosticNotAnAllocation) {
  auto r = check("block b(x) {\n  return relu(x)\n}\nmodel m {\n  input x: "
                 "f32[B, 8]\n  output y = repeat 1000000000 b(x)\n}\n");
  EXPECT_FALSE(r.graphs);
  EXPECT_NE(r.diagnostics.find("exceeds the limit"), std::string::npos)
      << r.diagnostics;
}

TEST(Sema, RecursionIsRejected) {
  auto r =
      check("block a(x) {\n  return b(x)\n}\nblock b(x) {\n  return "
            "a(x)\n}\nmodel m {\n  input x: f32[4]\n  output y = a(x)\n}\n");
  EXPECT_FALSE(r.graphs);
  EXPECT_NE(r.diagnostics.find("recursive call"), std::string::npos)
      << r.diagnostics;
}
