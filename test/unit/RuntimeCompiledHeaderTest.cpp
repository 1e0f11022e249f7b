//===- RuntimeCompiledHeaderTest.cpp - Generated model headers ------------===//
//
// The header `nnc compile` writes for C and C++ callers (ModelHeader.h): its
// declarations and macros, and, end to end, the example program
// examples/cpp/run_model.cpp built through it against a hand-written C
// "compiled model" and libnnc_runtime.so, run with weights from a file and
// embedded in the binary.
//
//===----------------------------------------------------------------------===//

#include "RuntimeIOTestUtil.h"

#include "runtime/compiled/ModelSignature.h"
#include "runtime/io/Npy.h"
#include "runtime/io/Safetensors.h"
#include "tools/nnc/ModelHeader.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace nnc;
using namespace nnc::rt;
using iotest::TempDir;

namespace {

/// y = x * scale + 1 over f32[2,3] with scale f32[3].
ModelSignature toySignature() {
  ModelSignature sig;
  sig.model = "toy";
  sig.function = "toy-model";
  sig.inputs.push_back({"x", DType::F32, {2, 3}});
  sig.outputs.push_back({"y", DType::F32, {2, 3}});
  sig.outputs.push_back({"count", DType::I64, {}});
  sig.params.push_back({"scale", DType::F32, {3}});
  return sig;
}

bool contains(const std::string &text, const std::string &line) {
  return text.find(line) != std::string::npos;
}

/// Runs `command` (stderr merged into stdout); returns its exit status and
/// its output in `output`.
int runCommand(const std::string &command, std::string &output) {
  output.clear();
  FILE *pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return -1;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe))
    output.append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The toy model as C source, as `nnc compile` would emit it: the entry
/// reads its descriptors, the metadata is the serialised signature and the
/// weights are a safetensors image.
std::string toyModelSource(const ModelSignature &sig,
                           const std::string &weights) {
  std::string s = "#include \"toy.h\"\n\nconst char nnc_metadata_toy_model[] "
                  "= {";
  for (char c : sig.toJson())
    s += std::to_string(int(c)) + ",";
  s += "0};\nconst unsigned char nnc_weights_toy_model[] = {";
  for (unsigned char c : weights)
    s += std::to_string(int(c)) + ",";
  s += "0};\nconst uint64_t nnc_weights_size_toy_model = " +
       std::to_string(weights.size()) + ";\n";
  s += R"C(
/* args: x, scale, y, count, workspace; each {allocated, aligned, offset,
 * sizes, strides}. */
void nnc_entry_toy_model(void **args) {
  const int64_t *x = (const int64_t *)args[0];
  const int64_t *scale = (const int64_t *)args[1];
  const int64_t *y = (const int64_t *)args[2];
  const int64_t *count = (const int64_t *)args[3];
  const float *xp = (const float *)(intptr_t)x[1] + x[2];
  const float *sp = (const float *)(intptr_t)scale[1] + scale[2];
  float *yp = (float *)(intptr_t)y[1] + y[2];
  int64_t i, j;
  for (i = 0; i < x[3]; ++i)
    for (j = 0; j < x[4]; ++j)
      yp[i * y[5] + j * y[6]] = xp[i * x[5] + j * x[6]] * sp[j * scale[4]] + 1;
  *((int64_t *)(intptr_t)count[1] + count[2]) = x[3] * x[4];
}
)C";
  return s;
}

} // namespace

TEST(RuntimeCompiledHeader, SanitisesTheSymbolBase) {
  EXPECT_EQ(driver::modelSymbolName("lenet"), "lenet");
  EXPECT_EQ(driver::modelSymbolName("toy-model.v2"), "toy_model_v2");
  EXPECT_EQ(driver::modelSymbolName("3d"), "_3d");
  EXPECT_EQ(driver::modelSymbolName(""), "_");
}

TEST(RuntimeCompiledHeader, DeclaresTheSymbolsAndDescribesTheSignature) {
  ModelSignature sig = toySignature();
  sig.inputs[0].name = "odd \"name\" */";
  std::string h = driver::generateModelHeader(sig, "toy-model");
  for (const char *line : {
           "#ifndef NNC_MODEL_TOY_MODEL_H",
           "#include \"nnc_model.h\"",
           "extern \"C\" {",
           "void nnc_entry_toy_model(void **args);",
           "extern const char nnc_metadata_toy_model[];",
           "#define TOY_MODEL_NUM_INPUTS 1",
           "#define TOY_MODEL_NUM_OUTPUTS 2",
           "#define TOY_MODEL_INPUT_0_NAME \"odd \\\"name\\\" *\\057\"",
           "#define TOY_MODEL_INPUT_0_DTYPE NNC_F32",
           "#define TOY_MODEL_INPUT_0_RANK 2",
           "#define TOY_MODEL_INPUT_0_NUMEL 6",
           "#define TOY_MODEL_INPUT_0_SHAPE {2, 3}",
           "#define TOY_MODEL_OUTPUT_1_DTYPE NNC_I64",
           "#define TOY_MODEL_OUTPUT_1_RANK 0",
           "static inline nnc_model *toy_model_create(const char "
           "*weights_path) {",
           "  compiled.weights = NULL;",
       })
    EXPECT_TRUE(contains(h, line)) << "missing: " << line << "\nin:\n" << h;
  EXPECT_FALSE(contains(h, "TOY_MODEL_OUTPUT_1_SHAPE")) << "rank 0 has none";
  EXPECT_FALSE(contains(h, "nnc_weights_toy_model"));

  std::string embedded = driver::generateModelHeader(sig, "toy-model", true);
  EXPECT_TRUE(contains(embedded,
                       "extern const unsigned char nnc_weights_toy_model[];"));
  EXPECT_TRUE(
      contains(embedded, "extern const uint64_t nnc_weights_size_toy_model;"));
  EXPECT_TRUE(
      contains(embedded, "  compiled.weights = nnc_weights_toy_model;"));
}

// Compiles the generated header into C (as the definitions' translation unit,
// so declarations and definitions must agree) and C++ (the example program),
// links both with the shared runtime and runs the program.
TEST(RuntimeCompiledHeader, ExampleProgramRunsAModelThroughTheHeader) {
  TempDir dir;
  ModelSignature sig = toySignature();
  std::string error;
  Tensor scale(DType::F32, {3});
  for (int64_t j = 0; j < 3; ++j)
    scale.data<float>()[j] = float(j) * 0.5f + 0.25f;
  ASSERT_TRUE(
      writeSafetensors(dir.path("w.safetensors"), {{"scale", scale}}, error))
      << error;
  // Embedded weights that differ from the file, to tell the two apart.
  Tensor embeddedScale(DType::F32, {3});
  for (int64_t j = 0; j < 3; ++j)
    embeddedScale.data<float>()[j] = -float(j);
  ASSERT_TRUE(writeSafetensors(dir.path("embedded.safetensors"),
                               {{"scale", embeddedScale}}, error))
      << error;
  Tensor x = iotest::makePattern(DType::F32, {2, 3});
  ASSERT_TRUE(writeNpy(dir.path("x.npy"), x, error)) << error;
  ASSERT_TRUE(writeNpy(dir.path("bad.npy"), Tensor(DType::F32, {3}), error));

  iotest::writeFile(dir.path("toy.h"),
                    driver::generateModelHeader(sig, "toy-model", true));
  iotest::writeFile(
      dir.path("toy.c"),
      toyModelSource(sig, iotest::readFile(dir.path("embedded.safetensors"))));
  std::string src = NNC_SOURCE_DIR, out;
  std::string compileC = std::string(NNC_TEST_CC) +
                         " -std=c99 -pedantic -Wall -Wextra -Werror -O0 -c -I" +
                         src + "/runtime/capi " + dir.path("toy.c") + " -o " +
                         dir.path("toy.o");
  ASSERT_EQ(runCommand(compileC, out), 0) << compileC << "\n" << out;
  std::string compileCxx =
      std::string(NNC_TEST_CXX) + " -std=c++17 -Wall -Wextra -Werror -O0 -I" +
      src + "/runtime/capi -I" + dir.root() +
      " -DNNC_MODEL=toy_model '-DNNC_MODEL_HEADER=\"toy.h\"' " + src +
      "/examples/cpp/run_model.cpp " + dir.path("toy.o") + " -L" +
      NNC_RUNTIME_LIB_DIR + " -lnnc_runtime -Wl,-rpath," + NNC_RUNTIME_LIB_DIR +
      " -o " + dir.path("run_toy");
  ASSERT_EQ(runCommand(compileCxx, out), 0) << compileCxx << "\n" << out;

  auto expected = [&](const Tensor &s) {
    std::string values, argmax;
    char buf[32];
    for (int64_t i = 0; i < 2; ++i) {
      int64_t best = 0;
      float bestValue = 0;
      for (int64_t j = 0; j < 3; ++j) {
        float v = x.data<float>()[i * 3 + j] * s.data<float>()[j] + 1;
        std::snprintf(buf, sizeof buf, " %.6g", double(v));
        values += buf;
        if (j == 0 || v > bestValue)
          best = j, bestValue = v;
      }
      argmax += " " + std::to_string(best);
    }
    return "output 0 y: f32[2, 3]\n  values:" + values +
           "\n  argmax:" + argmax + "\noutput 1 count: i64[]\n  values: 6\n";
  };
  std::string run = dir.path("run_toy") + " ";
  ASSERT_EQ(runCommand(run + "--weights " + dir.path("w.safetensors") + " " +
                           dir.path("x.npy"),
                       out),
            0)
      << out;
  EXPECT_EQ(out, expected(scale));
  ASSERT_EQ(
      runCommand(run + dir.path("x.npy") + " --output " + dir.root(), out), 0)
      << out;
  EXPECT_EQ(out, expected(embeddedScale));
  std::optional<Tensor> y = readNpy(dir.path("y.npy"), error);
  ASSERT_TRUE(y) << error;
  ASSERT_EQ(y->typeString(), "f32[2, 3]");
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(y->data<float>()[i],
              x.data<float>()[i] * embeddedScale.data<float>()[i % 3] + 1);

  EXPECT_EQ(runCommand(run + dir.path("bad.npy"), out), 1);
  EXPECT_EQ(out, "run_model: error: toy-model: input 0 (\"x\"): expected "
                 "f32[2, 3], got f32[3]\n");
  EXPECT_EQ(runCommand(run + "--weights " + dir.path("none") + " " +
                           dir.path("x.npy"),
                       out),
            1);
  EXPECT_TRUE(contains(out, "run_model: error: " + dir.path("none"))) << out;
  EXPECT_EQ(runCommand(run, out), 2);
  EXPECT_TRUE(contains(out, "inputs of toy-model:\n  x: f32[2, 3]")) << out;
}
