/*===- nnc_runtime.h - The C interface of the nnc runtime -----------------===*
 *
 * A small, stable C API over the runtime library: tensors, .npy and
 * safetensors I/O, thread control, and the core kernels. Compiled models
 * and foreign-language bindings link against it; it never throws and never
 * aborts on bad input: a function that fails returns NULL (or non-zero) and
 * nnc_last_error() describes why (per thread).
 *
 * Ownership: every nnc_tensor* returned by the API is a new reference that
 * the caller releases with nnc_tensor_destroy. Tensors are dense and
 * row-major.
 *
 *===----------------------------------------------------------------------===*/
#ifndef NNC_RUNTIME_CAPI_NNC_RUNTIME_H
#define NNC_RUNTIME_CAPI_NNC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NNC_RUNTIME_API_VERSION 1

typedef enum {
  NNC_F32 = 0,
  NNC_F64 = 1,
  NNC_F16 = 2,
  NNC_BF16 = 3,
  NNC_I64 = 4,
  NNC_I32 = 5,
  NNC_I8 = 6,
  NNC_U8 = 7,
  NNC_BOOL = 8
} nnc_dtype;

typedef enum {
  NNC_RELU, NNC_SIGMOID, NNC_TANH, NNC_SILU, NNC_SELU, NNC_EXP, NNC_LOG,
  NNC_SQRT, NNC_RSQRT, NNC_ABS, NNC_NEG
} nnc_unary_op;

typedef enum {
  NNC_ADD, NNC_SUB, NNC_MUL, NNC_DIV, NNC_POW, NNC_MAXIMUM, NNC_MINIMUM
} nnc_binary_op;

typedef struct nnc_tensor nnc_tensor;
typedef struct nnc_checkpoint nnc_checkpoint;

/* The last error of the calling thread ("" if none). */
const char *nnc_last_error(void);
int nnc_api_version(void);

/* Threads used by the kernels (>= 1). */
void nnc_set_num_threads(int threads);
int nnc_num_threads(void);

/* Tensors. A new tensor is zero-filled. */
nnc_tensor *nnc_tensor_create(nnc_dtype dtype, int64_t rank,
                              const int64_t *dims);
void nnc_tensor_destroy(nnc_tensor *tensor);
nnc_dtype nnc_tensor_dtype(const nnc_tensor *tensor);
int64_t nnc_tensor_rank(const nnc_tensor *tensor);
int64_t nnc_tensor_dim(const nnc_tensor *tensor, int64_t axis);
int64_t nnc_tensor_numel(const nnc_tensor *tensor);
void *nnc_tensor_data(nnc_tensor *tensor);

/* NumPy .npy files (writes are atomic). */
nnc_tensor *nnc_npy_read(const char *path);
int nnc_npy_write(const char *path, const nnc_tensor *tensor);

/* safetensors checkpoints: tensors by name. */
nnc_checkpoint *nnc_safetensors_read(const char *path);
void nnc_checkpoint_destroy(nnc_checkpoint *checkpoint);
size_t nnc_checkpoint_size(const nnc_checkpoint *checkpoint);
const char *nnc_checkpoint_name(const nnc_checkpoint *checkpoint, size_t i);
nnc_tensor *nnc_checkpoint_get(const nnc_checkpoint *checkpoint,
                               const char *name);

/* Kernels (float tensors; shapes are checked, errors reported). `bias`
 * may be NULL. */
nnc_tensor *nnc_linear(const nnc_tensor *input, const nnc_tensor *weight,
                       const nnc_tensor *bias);
nnc_tensor *nnc_matmul(const nnc_tensor *lhs, const nnc_tensor *rhs);
/* N-d convolution, NC + `spatial` dims; arrays have `spatial` entries. */
nnc_tensor *nnc_conv(const nnc_tensor *input, const nnc_tensor *weight,
                     const nnc_tensor *bias, const int64_t *stride,
                     const int64_t *padding, const int64_t *dilation,
                     int64_t groups);
/* Pooling over the `spatial` trailing dims of [N, C, *spatial]. */
nnc_tensor *nnc_max_pool(const nnc_tensor *input, int64_t spatial,
                         const int64_t *kernel_size, const int64_t *stride,
                         const int64_t *padding, int ceil_mode);
nnc_tensor *nnc_avg_pool(const nnc_tensor *input, int64_t spatial,
                         const int64_t *kernel_size, const int64_t *stride,
                         const int64_t *padding, int ceil_mode,
                         int count_include_pad);
/* Inference batch norm over channel dim 1; `weight`/`bias` may be NULL. */
nnc_tensor *nnc_batch_norm(const nnc_tensor *input, const nnc_tensor *weight,
                           const nnc_tensor *bias,
                           const nnc_tensor *running_mean,
                           const nnc_tensor *running_var, double epsilon);
/* Layer norm over the last dim; `weight`/`bias` may be NULL. */
nnc_tensor *nnc_layer_norm(const nnc_tensor *input, const nnc_tensor *weight,
                           const nnc_tensor *bias, double epsilon);
nnc_tensor *nnc_gelu(const nnc_tensor *input, int tanh_approximation);
nnc_tensor *nnc_softmax(const nnc_tensor *input, int64_t axis);
nnc_tensor *nnc_unary(nnc_unary_op op, const nnc_tensor *input);
nnc_tensor *nnc_binary(nnc_binary_op op, const nnc_tensor *lhs,
                       const nnc_tensor *rhs);

#ifdef __cplusplus
}
#endif

#endif /* NNC_RUNTIME_CAPI_NNC_RUNTIME_H */
