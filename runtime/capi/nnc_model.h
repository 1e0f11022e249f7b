/*===- nnc_model.h - Run models compiled by `nnc compile` from C ----------===*
 *
 * A stable C interface to the functions `nnc compile` emits. For each
 * compiled function F the object (or shared library) defines
 *   void nnc_entry_F(void **args);    the code, see nnc_compiled_model
 *   const char nnc_metadata_F[];      its signature as JSON
 * and the header `nnc compile` generates declares them and wraps them in
 * F_create(weights_path). This file turns them into a model that checks its
 * inputs, owns its parameters and workspace, and runs.
 *
 * Like nnc_runtime.h it never throws and never aborts on bad input: a
 * function that fails returns NULL (or non-zero) and nnc_last_error()
 * describes why (per thread). Tensors returned by nnc_model_run are new
 * references the caller releases with nnc_tensor_destroy.
 *
 * Threads: runs on one model are serialised (they share the workspace);
 * create one model per thread to run in parallel.
 *
 *===----------------------------------------------------------------------===*/
#ifndef NNC_RUNTIME_CAPI_NNC_MODEL_H
#define NNC_RUNTIME_CAPI_NNC_MODEL_H

#include "nnc_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The compiled code's calling convention: args[i] points to a ranked memref
 * descriptor (8-byte words: allocated, aligned, offset, sizes[rank],
 * strides[rank]) for each input, then each parameter, then each output,
 * then the workspace. */
typedef void (*nnc_entry_fn)(void **args);

/* What the compiler emits for one function. `weights` is a safetensors image
 * embedded in the binary (NULL if the weights are not embedded). */
typedef struct {
  const char *metadata;
  nnc_entry_fn entry;
  const void *weights;
  size_t weights_size;
} nnc_compiled_model;

typedef struct nnc_model nnc_model;

/* A model for `compiled` with its parameters loaded from the safetensors
 * file `weights_path`, or from the embedded weights if `weights_path` is
 * NULL (a model without parameters needs neither). Every parameter must be
 * present with the right dtype and shape and no other tensor may be. */
nnc_model *nnc_model_create(const nnc_compiled_model *compiled,
                            const char *weights_path);
void nnc_model_destroy(nnc_model *model);

/* The names the model was compiled from. */
const char *nnc_model_name(const nnc_model *model);
const char *nnc_model_function(const nnc_model *model);

/* The signature. Indices run from 0 to the count - 1; out of range (or a
 * NULL model) gives NULL / -1. `dtype` is an nnc_dtype value. The shape
 * array has `rank` entries (NULL for rank 0) and lives as long as the
 * model. */
int64_t nnc_model_num_inputs(const nnc_model *model);
const char *nnc_model_input_name(const nnc_model *model, int64_t i);
int nnc_model_input_dtype(const nnc_model *model, int64_t i);
int64_t nnc_model_input_rank(const nnc_model *model, int64_t i);
const int64_t *nnc_model_input_shape(const nnc_model *model, int64_t i);

int64_t nnc_model_num_outputs(const nnc_model *model);
const char *nnc_model_output_name(const nnc_model *model, int64_t i);
int nnc_model_output_dtype(const nnc_model *model, int64_t i);
int64_t nnc_model_output_rank(const nnc_model *model, int64_t i);
const int64_t *nnc_model_output_shape(const nnc_model *model, int64_t i);

/* Runs the model. `inputs` has one tensor per input, with its dtype and
 * shape; on success each outputs[i] is set to a new tensor and 0 is
 * returned. On failure (bad arguments, or an error inside the compiled code)
 * returns non-zero, sets every outputs[i] to NULL and nnc_last_error() says
 * what went wrong. */
int nnc_model_run(nnc_model *model, const nnc_tensor *const *inputs,
                  int64_t num_inputs, nnc_tensor **outputs,
                  int64_t num_outputs);

/* The seed of the model's random ops (default 0); equal seeds and inputs
 * give equal outputs. */
void nnc_model_set_seed(nnc_model *model, uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif /* NNC_RUNTIME_CAPI_NNC_MODEL_H */
