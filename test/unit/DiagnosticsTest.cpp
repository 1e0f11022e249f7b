//===- DiagnosticsTest.cpp - Rendering and verification of diagnostics ----===//

#include "lang/Diagnostics.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace nnc;

TEST(Diagnostics, ClangStyleWithCaret) {
  SourceManager sm;
  uint32_t f = sm.addBuffer("m.nn", "model m {\n  y = linaer(x, 3)\n}\n");
  DiagnosticEngine diags(sm);
  auto &d = diags.error({f, 2, 7, 6}, "unknown operator or block 'linaer'");
  DiagnosticEngine::note(d, {f, 2, 7, 6}, "did you mean 'linear'?");
  std::string out;
  llvm::raw_string_ostream os(out);
  diags.print(os);
  EXPECT_EQ(os.str(), "m.nn:2:7: error: unknown operator or block 'linaer'\n"
                      "  y = linaer(x, 3)\n"
                      "      ^~~~~~\n"
                      "m.nn:2:7: note: did you mean 'linear'?\n"
                      "  y = linaer(x, 3)\n"
                      "      ^~~~~~\n");
  EXPECT_EQ(diags.numErrors(), 1u);
}

TEST(Diagnostics, IdenticalReportsAreMerged) {
  SourceManager sm;
  uint32_t f = sm.addBuffer("a.nn", "x\n");
  DiagnosticEngine diags(sm);
  diags.error({f, 1, 1, 1}, "boom");
  diags.error({f, 1, 1, 1}, "boom");
  EXPECT_EQ(diags.numErrors(), 1u);
}

TEST(Diagnostics, VerifyMatchesAnnotations) {
  SourceManager sm;
  uint32_t f = sm.addBuffer("a.nn", "// expected-error@+1 {{bad thing}}\nx\n"
                                    "y // expected-warning {{odd}}\n");
  DiagnosticEngine diags(sm);
  diags.error({f, 2, 1, 1}, "a bad thing happened");
  diags.warning({f, 3, 1, 1}, "odd value");
  std::string out;
  llvm::raw_string_ostream os(out);
  EXPECT_TRUE(diags.verify(os)) << os.str();
}

TEST(Diagnostics, VerifyReportsMissingAndUnexpected) {
  SourceManager sm;
  uint32_t f = sm.addBuffer("a.nn", "x // expected-error {{never}}\n");
  DiagnosticEngine diags(sm);
  diags.error({f, 1, 1, 1}, "something else");
  std::string out;
  llvm::raw_string_ostream os(out);
  EXPECT_FALSE(diags.verify(os));
  EXPECT_NE(os.str().find("not produced: never"), std::string::npos);
  EXPECT_NE(os.str().find("unexpected error"), std::string::npos);
}

TEST(Diagnostics, ClosestMatch) {
  EXPECT_EQ(closestMatch("conv2", {"conv2d", "linear"}), "conv2d");
  EXPECT_EQ(closestMatch("zzzzzz", {"conv2d", "linear"}), "");
}
