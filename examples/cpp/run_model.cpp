//===- run_model.cpp - Run a compiled nnc model from C++ ------------------===//
//
// A small program that links one model compiled by `nnc compile` through the
// header generated with it, runs it on .npy inputs and prints the outputs.
//
// Build (F is the compiled function, here `lenet`):
//   nnc compile examples/lenet.nn --dim B=1 -o lenet.so   (writes lenet.h too)
//   c++ -O2 -std=c++17 -I <nnc>/runtime/capi -I <dir of lenet.h> \
//       -DNNC_MODEL=lenet -DNNC_MODEL_HEADER='"lenet.h"' \
//       <nnc>/examples/cpp/run_model.cpp lenet.so \
//       -L <nnc>/build/lib -lnnc_runtime -Wl,-rpath,<nnc>/build/lib \
//       -Wl,-rpath,'$ORIGIN' -o run_lenet
// (or `-include lenet.h -DNNC_MODEL=lenet` instead of NNC_MODEL_HEADER).
// Run:
//   ./run_lenet --weights lenet.safetensors images.npy
// Without --weights the model uses the weights embedded in the binary, if it
// was compiled with them. Prints, per output, its name, type and values (the
// first 16), and for a [N, C] floating-point output the argmax of each row;
// with --output DIR also writes each output to DIR/<name>.npy. On any error
// prints the message and exits with status 1 (2 for a wrong command line).
//
//===----------------------------------------------------------------------===//

#ifdef NNC_MODEL_HEADER
#include NNC_MODEL_HEADER
#endif

#ifndef NNC_MODEL
#error "define NNC_MODEL as the compiled function (e.g. -DNNC_MODEL=lenet)"
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#define NNC_CONCAT_(a, b) a##b
#define NNC_CONCAT(a, b) NNC_CONCAT_(a, b)
#define NNC_MODEL_CREATE NNC_CONCAT(NNC_MODEL, _create)

namespace {

struct ModelDeleter {
  void operator()(nnc_model *m) const { nnc_model_destroy(m); }
};
struct TensorDeleter {
  void operator()(nnc_tensor *t) const { nnc_tensor_destroy(t); }
};
using ModelPtr = std::unique_ptr<nnc_model, ModelDeleter>;
using TensorPtr = std::unique_ptr<nnc_tensor, TensorDeleter>;

int fail(const std::string &message) {
  std::fprintf(stderr, "run_model: error: %s\n", message.c_str());
  return 1;
}

const char *dtypeName(int dtype) {
  switch (dtype) {
  case NNC_F32:
    return "f32";
  case NNC_F64:
    return "f64";
  case NNC_F16:
    return "f16";
  case NNC_BF16:
    return "bf16";
  case NNC_I64:
    return "i64";
  case NNC_I32:
    return "i32";
  case NNC_I8:
    return "i8";
  case NNC_U8:
    return "u8";
  case NNC_BOOL:
    return "i1";
  }
  return "?";
}

/// "f32[1, 10]", as the runtime's messages write types.
std::string typeString(int dtype, int64_t rank, const int64_t *shape) {
  std::string s = std::string(dtypeName(dtype)) + "[";
  for (int64_t i = 0; i < rank; ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h >> 15) << 31, exp = (h >> 10) & 0x1f,
           mant = h & 0x3ff;
  if (exp == 0x1f) { // inf or nan
    exp = 0xff;
  } else if (exp == 0 && mant != 0) { // subnormal: normalise
    exp = 127 - 14;
    while (!(mant & 0x400)) {
      mant <<= 1;
      --exp;
    }
    mant &= 0x3ff;
  } else if (exp != 0) {
    exp += 127 - 15;
  }
  uint32_t bits = sign | (exp << 23) | (mant << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// Element `i` of `t` as a double, whatever its dtype.
double element(nnc_tensor *t, int64_t i) {
  const void *data = nnc_tensor_data(t);
  switch (nnc_tensor_dtype(t)) {
  case NNC_F32:
    return static_cast<const float *>(data)[i];
  case NNC_F64:
    return static_cast<const double *>(data)[i];
  case NNC_F16:
    return halfToFloat(static_cast<const uint16_t *>(data)[i]);
  case NNC_BF16: {
    uint32_t bits = uint32_t(static_cast<const uint16_t *>(data)[i]) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  case NNC_I64:
    return double(static_cast<const int64_t *>(data)[i]);
  case NNC_I32:
    return static_cast<const int32_t *>(data)[i];
  case NNC_I8:
    return static_cast<const int8_t *>(data)[i];
  case NNC_U8:
  case NNC_BOOL:
    return static_cast<const uint8_t *>(data)[i];
  }
  return 0;
}

void printOutput(nnc_model *model, int64_t index, nnc_tensor *t) {
  int dtype = nnc_model_output_dtype(model, index);
  int64_t rank = nnc_model_output_rank(model, index);
  std::printf(
      "output %lld %s: %s\n", (long long)index,
      nnc_model_output_name(model, index),
      typeString(dtype, rank, nnc_model_output_shape(model, index)).c_str());
  const int64_t shown = 16, n = nnc_tensor_numel(t);
  std::printf("  values:");
  for (int64_t i = 0; i < n && i < shown; ++i)
    std::printf(" %.6g", element(t, i));
  if (n > shown)
    std::printf(" ... (%lld more)", (long long)(n - shown));
  std::printf("\n");
  bool floating = dtype == NNC_F32 || dtype == NNC_F64 || dtype == NNC_F16 ||
                  dtype == NNC_BF16;
  if (floating && rank == 2 && nnc_tensor_dim(t, 1) > 0) {
    // A classifier's logits or probabilities: the predicted class per row.
    int64_t rows = nnc_tensor_dim(t, 0), cols = nnc_tensor_dim(t, 1);
    std::printf("  argmax:");
    for (int64_t r = 0; r < rows; ++r) {
      int64_t best = 0;
      for (int64_t c = 1; c < cols; ++c)
        if (element(t, r * cols + c) > element(t, r * cols + best))
          best = c;
      std::printf(" %lld", (long long)best);
    }
    std::printf("\n");
  }
}

int usage(nnc_model *model) {
  std::string text = "usage: run_model [--weights FILE.safetensors] "
                     "[--seed N] [--output DIR] INPUT.npy...\ninputs of " +
                     std::string(nnc_model_function(model)) + ":";
  for (int64_t i = 0; i < nnc_model_num_inputs(model); ++i)
    text += std::string("\n  ") + nnc_model_input_name(model, i) + ": " +
            typeString(nnc_model_input_dtype(model, i),
                       nnc_model_input_rank(model, i),
                       nnc_model_input_shape(model, i));
  std::fprintf(stderr, "%s\n", text.c_str());
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  const char *weights = nullptr, *outputDir = nullptr;
  bool seeded = false;
  unsigned long long seed = 0;
  std::vector<const char *> inputPaths;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--weights") && i + 1 < argc) {
      weights = argv[++i];
    } else if (!std::strcmp(argv[i], "--output") && i + 1 < argc) {
      outputDir = argv[++i];
    } else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      char *end;
      seed = std::strtoull(argv[++i], &end, 10);
      if (*end || !*argv[i])
        return fail(std::string("--seed expects a number, got '") + argv[i] +
                    "'");
      seeded = true;
    } else {
      inputPaths.push_back(argv[i]);
    }
  }

  ModelPtr model(NNC_MODEL_CREATE(weights));
  if (!model)
    return fail(nnc_last_error());
  if (seeded)
    nnc_model_set_seed(model.get(), seed);
  if (int64_t(inputPaths.size()) != nnc_model_num_inputs(model.get()))
    return usage(model.get());

  std::vector<TensorPtr> inputs;
  std::vector<const nnc_tensor *> inputArgs;
  for (const char *path : inputPaths) {
    inputs.emplace_back(nnc_npy_read(path));
    if (!inputs.back())
      return fail(nnc_last_error());
    inputArgs.push_back(inputs.back().get());
  }
  int64_t numOutputs = nnc_model_num_outputs(model.get());
  std::vector<nnc_tensor *> outputs(numOutputs);
  if (nnc_model_run(model.get(), inputArgs.data(), int64_t(inputArgs.size()),
                    outputs.data(), numOutputs))
    return fail(nnc_last_error());
  std::vector<TensorPtr> results(outputs.begin(), outputs.end());
  for (int64_t i = 0; i < numOutputs; ++i) {
    printOutput(model.get(), i, results[i].get());
    if (!outputDir)
      continue;
    std::string path = std::string(outputDir) + "/" +
                       nnc_model_output_name(model.get(), i) + ".npy";
    if (nnc_npy_write(path.c_str(), results[i].get()))
      return fail(nnc_last_error());
  }
  return 0;
}
