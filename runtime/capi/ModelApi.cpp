//===- ModelApi.cpp - The C interface to compiled models ------------------===//
//
// Wraps CompiledModel for C: validates the pointers and counts a C caller
// passes, converts tensors, and reports errors through nnc_last_error().
//
//===----------------------------------------------------------------------===//

#include "runtime/capi/nnc_model.h"

#include "runtime/capi/CApiInternal.h"
#include "runtime/compiled/CompiledModel.h"

#include <memory>

using namespace nnc::rt;

struct nnc_model {
  std::unique_ptr<CompiledModel> model;
};

namespace {

int failWith(const std::string &message) {
  capi::setLastError(message);
  return 1;
}

/// The spec at index `i` of `specs`, or nullptr (out of range, NULL model).
const TensorSpec *specAt(const nnc_model *m,
                         std::vector<TensorSpec> ModelSignature::*specs,
                         int64_t i) {
  if (!m)
    return nullptr;
  const std::vector<TensorSpec> &list = m->model->signature().*specs;
  return i >= 0 && i < int64_t(list.size()) ? &list[i] : nullptr;
}

const char *nameOf(const TensorSpec *s) {
  return s ? s->name.c_str() : nullptr;
}
int dtypeOf(const TensorSpec *s) { return s ? int(s->dtype) : -1; }
int64_t rankOf(const TensorSpec *s) {
  return s ? int64_t(s->shape.size()) : -1;
}
const int64_t *shapeOf(const TensorSpec *s) {
  return s && !s->shape.empty() ? s->shape.data() : nullptr;
}

} // namespace

extern "C" {

nnc_model *nnc_model_create(const nnc_compiled_model *compiled,
                            const char *weights_path) {
  if (!compiled || !compiled->metadata || !compiled->entry) {
    failWith("nnc_model_create: the compiled model, its metadata or its entry "
             "is NULL");
    return nullptr;
  }
  std::string error;
  std::unique_ptr<CompiledModel> model =
      CompiledModel::create(compiled->metadata, compiled->entry, error);
  if (!model) {
    failWith(error);
    return nullptr;
  }
  const ModelSignature &sig = model->signature();
  bool loaded = true;
  if (weights_path)
    loaded = model->loadWeights(weights_path, error);
  else if (compiled->weights)
    loaded = model->loadWeights(compiled->weights, compiled->weights_size,
                                "embedded weights of " + sig.model, error);
  else if (!sig.params.empty()) {
    loaded = false;
    error = "nnc_model_create: model '" + sig.model + "' has " +
            std::to_string(sig.params.size()) +
            " parameter(s) and no embedded weights; pass a weights file";
  }
  if (!loaded) {
    failWith(error);
    return nullptr;
  }
  return new nnc_model{std::move(model)};
}

void nnc_model_destroy(nnc_model *model) { delete model; }

const char *nnc_model_name(const nnc_model *m) {
  return m ? m->model->signature().model.c_str() : nullptr;
}
const char *nnc_model_function(const nnc_model *m) {
  return m ? m->model->signature().function.c_str() : nullptr;
}

int64_t nnc_model_num_inputs(const nnc_model *m) {
  return m ? int64_t(m->model->signature().inputs.size()) : -1;
}
const char *nnc_model_input_name(const nnc_model *m, int64_t i) {
  return nameOf(specAt(m, &ModelSignature::inputs, i));
}
int nnc_model_input_dtype(const nnc_model *m, int64_t i) {
  return dtypeOf(specAt(m, &ModelSignature::inputs, i));
}
int64_t nnc_model_input_rank(const nnc_model *m, int64_t i) {
  return rankOf(specAt(m, &ModelSignature::inputs, i));
}
const int64_t *nnc_model_input_shape(const nnc_model *m, int64_t i) {
  return shapeOf(specAt(m, &ModelSignature::inputs, i));
}

int64_t nnc_model_num_outputs(const nnc_model *m) {
  return m ? int64_t(m->model->signature().outputs.size()) : -1;
}
const char *nnc_model_output_name(const nnc_model *m, int64_t i) {
  return nameOf(specAt(m, &ModelSignature::outputs, i));
}
int nnc_model_output_dtype(const nnc_model *m, int64_t i) {
  return dtypeOf(specAt(m, &ModelSignature::outputs, i));
}
int64_t nnc_model_output_rank(const nnc_model *m, int64_t i) {
  return rankOf(specAt(m, &ModelSignature::outputs, i));
}
const int64_t *nnc_model_output_shape(const nnc_model *m, int64_t i) {
  return shapeOf(specAt(m, &ModelSignature::outputs, i));
}

int nnc_model_run(nnc_model *model, const nnc_tensor *const *inputs,
                  int64_t num_inputs, nnc_tensor **outputs,
                  int64_t num_outputs) {
  if (outputs)
    for (int64_t i = 0; i < num_outputs; ++i)
      outputs[i] = nullptr;
  if (!model)
    return failWith("nnc_model_run: model is NULL");
  const ModelSignature &sig = model->model->signature();
  if (num_outputs != int64_t(sig.outputs.size()) ||
      (num_outputs > 0 && !outputs))
    return failWith("nnc_model_run: " + sig.function + " has " +
                    std::to_string(sig.outputs.size()) +
                    " output(s); got room for " + std::to_string(num_outputs));
  if (num_inputs < 0)
    return failWith("nnc_model_run: num_inputs is negative");
  if (num_inputs > 0 && !inputs)
    return failWith("nnc_model_run: inputs is NULL");
  std::vector<Tensor> values;
  for (int64_t i = 0; i < num_inputs; ++i) {
    if (!inputs[i])
      return failWith("nnc_model_run: input " + std::to_string(i) + " is NULL");
    values.push_back(inputs[i]->value);
  }
  std::string error;
  std::optional<std::vector<Tensor>> results = model->model->run(values, error);
  if (!results)
    return failWith(error);
  for (int64_t i = 0; i < num_outputs; ++i)
    outputs[i] = new nnc_tensor{std::move((*results)[i])};
  return 0;
}

void nnc_model_set_seed(nnc_model *model, uint64_t seed) {
  if (model)
    model->model->setSeed(seed);
}

} // extern "C"
