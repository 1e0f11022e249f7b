//===- RuntimeCompiledModelTest.cpp - Compiled-model runtime tests --------===//
//
// The metadata format, CompiledModel and the C API (nnc_model.h) against
// hand-written entry functions that follow the compiled-model ABI: they read
// their arguments through memref descriptors and report errors through the
// run context, as code from `nnc compile` does.
//
//===----------------------------------------------------------------------===//

#include "RuntimeIOTestUtil.h"

#include "runtime/abi/RunContext.h"
#include "runtime/abi/nnc_kernel_abi.h"
#include "runtime/capi/nnc_model.h"
#include "runtime/compiled/CompiledModel.h"
#include "runtime/io/Safetensors.h"

#include <gtest/gtest.h>

using namespace nnc;
using namespace nnc::rt;
using iotest::TempDir;

namespace {

/// The toy model: y = x * scale + shift (scale per column, shift a scalar
/// input) and seed = the run's seed, with a 100-byte workspace.
const char *kToyMetadata =
    R"({"abi":1,"model":"toy","function":"toy_fn",)"
    R"("inputs":[{"name":"x","dtype":"f32","shape":[2,3]},)"
    R"({"name":"shift","dtype":"i32","shape":[]}],)"
    R"("outputs":[{"name":"y","dtype":"f32","shape":[2,3]},)"
    R"({"name":"seed","dtype":"i64","shape":[1]}],)"
    R"("params":[{"name":"scale","dtype":"f32","shape":[3]}],)"
    R"("workspace_bytes":100})";

/// A ranked memref descriptor: {allocated, aligned, offset, sizes, strides}.
struct Memref {
  explicit Memref(void *d, int64_t rank)
      : words(static_cast<int64_t *>(d)), rank(rank) {}
  template <typename T> T *data() const {
    return reinterpret_cast<T *>(words[1]) + words[2];
  }
  int64_t size(int64_t i) const { return words[3 + i]; }
  int64_t stride(int64_t i) const { return words[3 + rank + i]; }

  int64_t *words;
  int64_t rank;
};

/// Records `message` in the run context the way a failing kernel does.
void kernelError(const std::string &message) {
  rt::abi::RunContext::current().setError(message);
}

void toyEntry(void **args) {
  Memref x(args[0], 2), shift(args[1], 0), scale(args[2], 1), y(args[3], 2),
      seed(args[4], 1), workspace(args[5], 1);
  // What compiled code may assume about the descriptors it is given.
  if (x.size(0) != 2 || x.size(1) != 3 || x.stride(0) != 3 ||
      x.stride(1) != 1 || y.stride(0) != 3 || scale.size(0) != 3)
    return kernelError("toy: unexpected sizes or strides");
  if (workspace.size(0) != 100 ||
      reinterpret_cast<uintptr_t>(workspace.data<char>()) % 64)
    return kernelError("toy: workspace is not 100 bytes 64-byte aligned");
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      y.data<float>()[i * y.stride(0) + j] =
          x.data<float>()[i * x.stride(0) + j] *
              scale.data<float>()[j * scale.stride(0)] +
          float(*shift.data<int32_t>());
  *seed.data<int64_t>() = int64_t(rt::abi::RunContext::current().getSeed());
}

/// Fails like a kernel that rejects its operands, after a first write.
void failingEntry(void **args) {
  Memref y(args[3], 2);
  y.data<float>()[0] = 1.0f;
  kernelError("nn.conv: input f32[2, 3] does not fit weight f32[4, 4]");
  kernelError("nn.relu: a later error, not reported");
}

/// relu(x) for f32[2, 3] through the kernel ABI, as compiled code calls
/// kernels; `descriptor` is the op's kernel descriptor.
const char *kReluMetadata =
    R"({"abi":1,"model":"r","function":"relu_fn",)"
    R"("inputs":[{"name":"x","dtype":"f32","shape":[2,3]}],)"
    R"("outputs":[{"name":"y","dtype":"f32","shape":[2,3]}],)"
    R"("params":[],"workspace_bytes":0})";
const char kReluDescriptor[] = "op=relu\nin=f32\nout=f32";
const char kUnknownDescriptor[] = "op=no_such_op\nin=f32\nout=f32";

template <const char *Descriptor> void kernelEntry(void **args) {
  nnc_unranked_memref memrefs[2] = {{2, args[0]}, {2, args[1]}};
  nnc_kernel_call(Descriptor, 2, memrefs);
}

Tensor scaleTensor() {
  Tensor t(DType::F32, {3});
  for (int64_t j = 0; j < 3; ++j)
    t.data<float>()[j] = float(j) - 0.5f;
  return t;
}

Tensor xTensor() {
  Tensor t(DType::F32, {2, 3});
  for (int64_t i = 0; i < 6; ++i)
    t.data<float>()[i] = float(i) * 0.25f - 1.0f;
  return t;
}

Tensor shiftTensor(int32_t v) {
  Tensor t(DType::I32, {});
  *t.data<int32_t>() = v;
  return t;
}

void writeWeights(const std::string &path,
                  std::vector<std::pair<std::string, Tensor>> tensors) {
  std::string error;
  ASSERT_TRUE(writeSafetensors(path, tensors, error)) << error;
}

std::unique_ptr<CompiledModel> toyModel(CompiledModel::EntryFn entry) {
  std::string error;
  auto model = CompiledModel::create(kToyMetadata, entry, error);
  EXPECT_TRUE(model) << error;
  return model;
}

void expectToyOutputs(const std::vector<Tensor> &outputs, int32_t shift,
                      int64_t seed) {
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].typeString(), "f32[2, 3]");
  Tensor x = xTensor(), scale = scaleTensor();
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(outputs[0].data<float>()[i],
              x.data<float>()[i] * scale.data<float>()[i % 3] + float(shift))
        << "element " << i;
  EXPECT_EQ(outputs[1].typeString(), "i64[1]");
  EXPECT_EQ(outputs[1].data<int64_t>()[0], seed);
}

/// A C API tensor's contents as a Tensor.
Tensor copyOf(nnc_tensor *t) {
  Shape shape;
  for (int64_t i = 0; i < nnc_tensor_rank(t); ++i)
    shape.push_back(nnc_tensor_dim(t, i));
  Tensor r(DType(nnc_tensor_dtype(t)), shape);
  std::copy_n(static_cast<const char *>(nnc_tensor_data(t)), r.bytes(),
              static_cast<char *>(r.raw()));
  return r;
}

} // namespace

TEST(RuntimeCompiledSignature, ParsesAndRoundTrips) {
  std::string error;
  auto sig = ModelSignature::parse(kToyMetadata, error);
  ASSERT_TRUE(sig) << error;
  EXPECT_EQ(sig->model, "toy");
  EXPECT_EQ(sig->function, "toy_fn");
  ASSERT_EQ(sig->inputs.size(), 2u);
  EXPECT_EQ(sig->inputs[1].name, "shift");
  EXPECT_EQ(sig->inputs[1].typeString(), "i32[]");
  EXPECT_EQ(sig->outputs[1].typeString(), "i64[1]");
  EXPECT_EQ(sig->params[0].typeString(), "f32[3]");
  EXPECT_EQ(sig->workspaceBytes, 100u);
  // The serializer writes exactly the documented compact form.
  EXPECT_EQ(sig->toJson(), kToyMetadata);

  ModelSignature odd;
  odd.model = "quote\" and \\ and \n";
  odd.function = "f";
  odd.inputs.push_back({"flag", DType::Bool, {0, 4}});
  odd.params.push_back({"w.b", DType::BF16, {}});
  auto back = ModelSignature::parse(odd.toJson(), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->model, odd.model);
  EXPECT_EQ(back->inputs[0].typeString(), "i1[0, 4]");
  EXPECT_EQ(back->params[0].typeString(), "bf16[]");
  EXPECT_EQ(back->toJson(), odd.toJson());
}

TEST(RuntimeCompiledSignature, RejectsMalformedMetadata) {
  std::string good = kToyMetadata;
  auto replaced = [&](const std::string &from, const std::string &to) {
    std::string s = good;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  struct Case {
    std::string text, message;
  } cases[] = {
      {"{", "model metadata: JSON at byte"},
      {"[]", "model metadata must be an object, found an array"},
      {replaced("\"abi\":1", "\"abi\":2"),
       "abi 2 is not supported (this runtime implements abi 1)"},
      {replaced("\"abi\":1,", ""), "missing field \"abi\""},
      {replaced("\"abi\":1", "\"abi\":1,\"extra\":0"),
       "unknown field \"extra\""},
      {replaced("\"dtype\":\"i32\"", "\"dtype\":\"int\""),
       "inputs[1].dtype: unknown dtype \"int\""},
      {replaced("[2,3]", "[2,-3]"),
       "inputs[0].shape[1] must be a non-negative integer, found -3"},
      {replaced("[2,3]", "[2,1.5]"),
       "inputs[0].shape[1] must be a non-negative integer, found 1.5"},
      {replaced("[2,3]", "[4611686018427387904,4]"),
       "inputs[0]: f32[4611686018427387904, 4] is too large"},
      {replaced("\"name\":\"shift\"", "\"name\":\"x\""),
       "inputs[1]: name \"x\" appears twice"},
      {replaced("\"workspace_bytes\":100", "\"workspace_bytes\":-1"),
       "workspace_bytes must be a non-negative integer"},
      {replaced("\"model\":\"toy\"", "\"model\":7"),
       "model metadata: model must be a string, found a number"},
      {replaced(R"("params":[{"name":"scale","dtype":"f32","shape":[3]}])",
                R"("params":{})"),
       "params must be an array, found an object"},
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_FALSE(ModelSignature::parse(c.text, error)) << c.text;
    EXPECT_NE(error.find(c.message), std::string::npos)
        << "for " << c.text << "\n got: " << error;
  }
}

TEST(RuntimeCompiledModel, RunsWithWeightsFromAFileAndInMemory) {
  TempDir dir;
  std::string path = dir.path("toy.safetensors");
  writeWeights(path, {{"scale", scaleTensor()}});
  auto model = toyModel(toyEntry);
  ASSERT_TRUE(model);
  std::string error;
  EXPECT_FALSE(model->ready());
  EXPECT_FALSE(model->run({xTensor(), shiftTensor(1)}, error));
  EXPECT_EQ(error, "toy_fn: the parameters are not loaded");

  ASSERT_TRUE(model->loadWeights(path, error)) << error;
  auto outputs = model->run({xTensor(), shiftTensor(3)}, error);
  ASSERT_TRUE(outputs) << error;
  expectToyOutputs(*outputs, 3, 0);
  // The seed reaches the run context; runs are repeatable.
  model->setSeed(42);
  for (int i = 0; i < 2; ++i) {
    outputs = model->run({xTensor(), shiftTensor(-2)}, error);
    ASSERT_TRUE(outputs) << error;
    expectToyOutputs(*outputs, -2, 42);
  }

  // The same file as an embedded image.
  std::string blob = iotest::readFile(path);
  auto embedded = toyModel(toyEntry);
  ASSERT_TRUE(
      embedded->loadWeights(blob.data(), blob.size(), "embedded", error))
      << error;
  outputs = embedded->run({xTensor(), shiftTensor(0)}, error);
  ASSERT_TRUE(outputs) << error;
  expectToyOutputs(*outputs, 0, 0);
  EXPECT_FALSE(
      embedded->loadWeights(blob.data(), blob.size() - 1, "embedded", error));
  EXPECT_EQ(error.rfind("embedded: ", 0), 0u) << error;
  EXPECT_TRUE(embedded->ready()) << "a failed load keeps the old weights";
}

TEST(RuntimeCompiledModel, WeightErrorsNameTheFileAndTensor) {
  TempDir dir;
  auto model = toyModel(toyEntry);
  ASSERT_TRUE(model);
  std::string error, path = dir.path("w.safetensors");

  EXPECT_FALSE(model->loadWeights(dir.path("absent.safetensors"), error));
  EXPECT_NE(error.find("absent.safetensors"), std::string::npos) << error;

  writeWeights(path, {{"other", scaleTensor()}});
  EXPECT_FALSE(model->loadWeights(path, error));
  EXPECT_EQ(error, path + ": tensor \"scale\" is missing (model \"toy\" "
                          "needs it as f32[3])");

  writeWeights(path, {{"scale", Tensor(DType::F64, {3})}});
  EXPECT_FALSE(model->loadWeights(path, error));
  EXPECT_EQ(error, path + ": tensor \"scale\" is f64[3]; model \"toy\" "
                          "expects f32[3]");

  writeWeights(path, {{"scale", Tensor(DType::F32, {1, 3})}});
  EXPECT_FALSE(model->loadWeights(path, error));
  EXPECT_EQ(error, path + ": tensor \"scale\" is f32[1, 3]; model \"toy\" "
                          "expects f32[3]");

  writeWeights(path, {{"scale", scaleTensor()},
                      {"stray", scaleTensor()},
                      {"stray2", scaleTensor()}});
  EXPECT_FALSE(model->loadWeights(path, error));
  EXPECT_EQ(error, path + ": tensor \"stray\" is not a parameter of model "
                          "\"toy\" (nor are 1 others)");
  EXPECT_FALSE(model->ready());
}

TEST(RuntimeCompiledModel, InputErrorsSayWhichInputAndWhatWasExpected) {
  auto model = toyModel(toyEntry);
  ASSERT_TRUE(model);
  std::string error;
  ASSERT_TRUE(model->setParameters({{"scale", scaleTensor()}}, "test", error))
      << error;
  struct Case {
    std::vector<Tensor> inputs;
    std::string message;
  } cases[] = {
      {{xTensor()}, "toy_fn: expected 2 input(s), got 1"},
      {{Tensor(DType::F32, {3, 2}), shiftTensor(0)},
       "toy_fn: input 0 (\"x\"): expected f32[2, 3], got f32[3, 2]"},
      {{xTensor(), Tensor(DType::I64, {})},
       "toy_fn: input 1 (\"shift\"): expected i32[], got i64[]"},
      {{xTensor(), Tensor()},
       "toy_fn: input 1 (\"shift\"): expected i32[], got no tensor"},
  };
  for (const Case &c : cases) {
    EXPECT_FALSE(model->run(c.inputs, error));
    EXPECT_EQ(error, c.message);
  }
}

TEST(RuntimeCompiledModel, KernelErrorsComeFromTheRunContext) {
  auto model = toyModel(failingEntry);
  ASSERT_TRUE(model);
  std::string error;
  ASSERT_TRUE(model->setParameters({{"scale", scaleTensor()}}, "test", error));
  for (int i = 0; i < 2; ++i) { // each run starts with a clean context
    EXPECT_FALSE(model->run({xTensor(), shiftTensor(0)}, error));
    EXPECT_EQ(error, "toy_fn: nn.conv: input f32[2, 3] does not fit weight "
                     "f32[4, 4]");
  }
  // The run's context is uninstalled afterwards: the thread's own context
  // saw nothing.
  EXPECT_FALSE(rt::abi::RunContext::current().failed());

  auto good = toyModel(toyEntry);
  ASSERT_TRUE(good->setParameters({{"scale", scaleTensor()}}, "test", error));
  EXPECT_TRUE(good->run({xTensor(), shiftTensor(0)}, error)) << error;
}

TEST(RuntimeCompiledModel, RunsKernelsThroughTheKernelAbi) {
  std::string error;
  auto model =
      CompiledModel::create(kReluMetadata, kernelEntry<kReluDescriptor>, error);
  ASSERT_TRUE(model) << error;
  EXPECT_TRUE(model->ready()) << "no parameters to load";
  auto outputs = model->run({xTensor()}, error);
  ASSERT_TRUE(outputs) << error;
  Tensor x = xTensor();
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ((*outputs)[0].data<float>()[i],
              std::max(x.data<float>()[i], 0.0f));

  auto unknown = CompiledModel::create(kReluMetadata,
                                       kernelEntry<kUnknownDescriptor>, error);
  ASSERT_TRUE(unknown) << error;
  EXPECT_FALSE(unknown->run({xTensor()}, error));
  EXPECT_EQ(error.rfind("relu_fn: ", 0), 0u) << error;
  EXPECT_NE(error.find("no kernel for op 'nn.no_such_op'"), std::string::npos)
      << error;
}

TEST(RuntimeCompiledModel, CreateRejectsBadMetadataAndNullEntry) {
  std::string error;
  EXPECT_FALSE(CompiledModel::create(kToyMetadata, nullptr, error));
  EXPECT_EQ(error, "compiled model: the entry function is null");
  EXPECT_FALSE(CompiledModel::create("{}", toyEntry, error));
  EXPECT_NE(error.find("missing field"), std::string::npos) << error;
}

TEST(RuntimeCompiledCApi, CreatesRunsAndReportsErrors) {
  TempDir dir;
  std::string path = dir.path("toy.safetensors");
  writeWeights(path, {{"scale", scaleTensor()}});
  std::string blob = iotest::readFile(path);

  nnc_compiled_model compiled = {kToyMetadata, toyEntry, nullptr, 0};
  // No path, nothing embedded, but a parameter to load.
  EXPECT_EQ(nnc_model_create(&compiled, nullptr), nullptr);
  EXPECT_STREQ(nnc_last_error(),
               "nnc_model_create: model 'toy' has 1 parameter(s) and no "
               "embedded weights; pass a weights file");
  EXPECT_EQ(nnc_model_create(nullptr, path.c_str()), nullptr);
  EXPECT_EQ(nnc_model_create(&compiled, dir.path("none").c_str()), nullptr);
  EXPECT_NE(std::string(nnc_last_error()).find("none"), std::string::npos);

  compiled.weights = blob.data();
  compiled.weights_size = blob.size();
  nnc_model *model = nnc_model_create(&compiled, nullptr);
  ASSERT_NE(model, nullptr) << nnc_last_error();
  EXPECT_STREQ(nnc_model_name(model), "toy");
  EXPECT_STREQ(nnc_model_function(model), "toy_fn");
  EXPECT_EQ(nnc_model_num_inputs(model), 2);
  EXPECT_EQ(nnc_model_num_outputs(model), 2);
  EXPECT_STREQ(nnc_model_input_name(model, 1), "shift");
  EXPECT_EQ(nnc_model_input_dtype(model, 1), NNC_I32);
  EXPECT_EQ(nnc_model_input_rank(model, 1), 0);
  EXPECT_EQ(nnc_model_input_shape(model, 1), nullptr);
  EXPECT_EQ(nnc_model_output_dtype(model, 1), NNC_I64);
  ASSERT_EQ(nnc_model_output_rank(model, 0), 2);
  EXPECT_EQ(nnc_model_output_shape(model, 0)[1], 3);
  EXPECT_EQ(nnc_model_input_name(model, 2), nullptr);
  EXPECT_EQ(nnc_model_output_dtype(model, -1), -1);
  EXPECT_EQ(nnc_model_input_rank(nullptr, 0), -1);

  int64_t xDims[2] = {2, 3};
  nnc_tensor *x = nnc_tensor_create(NNC_F32, 2, xDims);
  nnc_tensor *shift = nnc_tensor_create(NNC_I32, 0, nullptr);
  Tensor xValues = xTensor();
  std::copy_n(xValues.data<float>(), 6,
              static_cast<float *>(nnc_tensor_data(x)));
  *static_cast<int32_t *>(nnc_tensor_data(shift)) = 5;
  const nnc_tensor *inputs[2] = {x, shift};
  nnc_tensor *outputs[2] = {nullptr, nullptr};
  nnc_model_set_seed(model, 7);
  ASSERT_EQ(nnc_model_run(model, inputs, 2, outputs, 2), 0) << nnc_last_error();
  std::vector<Tensor> results;
  for (nnc_tensor *t : outputs) {
    results.push_back(copyOf(t));
    nnc_tensor_destroy(t);
  }
  expectToyOutputs(results, 5, 7);

  // Errors: non-zero, outputs cleared, the message says what is wrong.
  const nnc_tensor *swapped[2] = {shift, x};
  outputs[0] = outputs[1] = x;
  EXPECT_NE(nnc_model_run(model, swapped, 2, outputs, 2), 0);
  EXPECT_EQ(outputs[0], nullptr);
  EXPECT_EQ(outputs[1], nullptr);
  EXPECT_STREQ(nnc_last_error(),
               "toy_fn: input 0 (\"x\"): expected f32[2, 3], got i32[]");
  EXPECT_NE(nnc_model_run(model, inputs, 2, outputs, 1), 0);
  EXPECT_STREQ(nnc_last_error(),
               "nnc_model_run: toy_fn has 2 output(s); got room for 1");
  const nnc_tensor *withNull[2] = {x, nullptr};
  EXPECT_NE(nnc_model_run(model, withNull, 2, outputs, 2), 0);
  EXPECT_STREQ(nnc_last_error(), "nnc_model_run: input 1 is NULL");
  EXPECT_NE(nnc_model_run(model, inputs, 1, outputs, 2), 0);
  EXPECT_STREQ(nnc_last_error(), "toy_fn: expected 2 input(s), got 1");
  EXPECT_NE(nnc_model_run(nullptr, inputs, 2, outputs, 2), 0);

  nnc_tensor_destroy(x);
  nnc_tensor_destroy(shift);
  nnc_model_destroy(model);

  compiled.entry = failingEntry;
  model = nnc_model_create(&compiled, path.c_str());
  ASSERT_NE(model, nullptr) << nnc_last_error();
  x = nnc_tensor_create(NNC_F32, 2, xDims);
  shift = nnc_tensor_create(NNC_I32, 0, nullptr);
  const nnc_tensor *again[2] = {x, shift};
  EXPECT_NE(nnc_model_run(model, again, 2, outputs, 2), 0);
  EXPECT_STREQ(nnc_last_error(), "toy_fn: nn.conv: input f32[2, 3] does not "
                                 "fit weight f32[4, 4]");
  nnc_tensor_destroy(x);
  nnc_tensor_destroy(shift);
  nnc_model_destroy(model);
}
