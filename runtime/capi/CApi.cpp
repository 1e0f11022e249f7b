//===- CApi.cpp - The C interface of the nnc runtime ----------------------===//
//
// Thin wrappers: validate what the C caller cannot be trusted with (null
// pointers, ranks, shapes the kernels assume), convert, call the C++ kernel.
//
//===----------------------------------------------------------------------===//

#include "runtime/capi/nnc_runtime.h"

#include "runtime/Tensor.h"
#include "runtime/ThreadPool.h"
#include "runtime/capi/CApiInternal.h"
#include "runtime/io/Npy.h"
#include "runtime/io/Safetensors.h"
#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Dense.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"
#include "runtime/kernels/Norm.h"
#include "runtime/kernels/Pool.h"

#include <map>
#include <string>
#include <vector>

using namespace nnc::rt;

// The C enums mirror the C++ ones value for value.
static_assert(int(DType::Bool) == NNC_BOOL && int(DType::BF16) == NNC_BF16 &&
                  int(DType::U8) == NNC_U8,
              "nnc_dtype must mirror nnc::rt::DType");
static_assert(int(kernels::UnaryOp::Neg) == NNC_NEG &&
                  int(kernels::UnaryOp::Selu) == NNC_SELU,
              "nnc_unary_op must mirror UnaryOp");
static_assert(int(kernels::BinaryOp::Minimum) == NNC_MINIMUM &&
                  int(kernels::BinaryOp::Pow) == NNC_POW,
              "nnc_binary_op must mirror BinaryOp");

struct nnc_checkpoint {
  std::vector<std::string> names;
  std::map<std::string, Tensor> tensors;
};

namespace {

thread_local std::string lastError;

template <typename T> T *fail(const std::string &message) {
  lastError = message;
  return nullptr;
}

nnc_tensor *wrap(Tensor t) { return new nnc_tensor{std::move(t)}; }

bool validDType(int d) { return d >= NNC_F32 && d <= NNC_BOOL; }

bool isFloatTensor(const nnc_tensor *t, const char *what, const char *fn) {
  if (!t) {
    lastError = std::string(fn) + ": " + what + " is NULL";
    return false;
  }
  if (t->value.dtype() != DType::F32 && t->value.dtype() != DType::F64) {
    lastError = std::string(fn) + ": " + what + " is " + t->value.typeString() +
                "; expected f32 or f64";
    return false;
  }
  return true;
}

bool sameDType(const Tensor &a, const Tensor &b, const char *fn) {
  if (a.dtype() == b.dtype())
    return true;
  lastError = std::string(fn) + ": element types differ (" + a.typeString() +
              " and " + b.typeString() + ")";
  return false;
}

} // namespace

void nnc::rt::capi::setLastError(std::string message) {
  lastError = std::move(message);
}

extern "C" {

const char *nnc_last_error(void) { return lastError.c_str(); }
int nnc_api_version(void) { return NNC_RUNTIME_API_VERSION; }

void nnc_set_num_threads(int threads) {
  setNumThreads(threads < 1 ? 1 : threads);
}
int nnc_num_threads(void) { return numThreads(); }

nnc_tensor *nnc_tensor_create(nnc_dtype dtype, int64_t rank,
                              const int64_t *dims) {
  if (!validDType(dtype))
    return fail<nnc_tensor>("nnc_tensor_create: unknown dtype " +
                            std::to_string(int(dtype)));
  if (rank < 0 || rank > 16 || (rank > 0 && !dims))
    return fail<nnc_tensor>("nnc_tensor_create: bad rank " +
                            std::to_string(rank));
  Shape shape(dims, dims + rank);
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > (int64_t(1) << 40))
      return fail<nnc_tensor>("nnc_tensor_create: bad shape " +
                              shapeString(shape));
  return wrap(Tensor(DType(dtype), shape));
}

void nnc_tensor_destroy(nnc_tensor *tensor) { delete tensor; }
nnc_dtype nnc_tensor_dtype(const nnc_tensor *t) {
  return nnc_dtype(t->value.dtype());
}
int64_t nnc_tensor_rank(const nnc_tensor *t) { return t->value.rank(); }
int64_t nnc_tensor_dim(const nnc_tensor *t, int64_t axis) {
  return axis >= -t->value.rank() && axis < t->value.rank() ? t->value.dim(axis)
                                                            : -1;
}
int64_t nnc_tensor_numel(const nnc_tensor *t) { return t->value.numel(); }
void *nnc_tensor_data(nnc_tensor *t) { return t->value.raw(); }

nnc_tensor *nnc_npy_read(const char *path) {
  if (!path)
    return fail<nnc_tensor>("nnc_npy_read: path is NULL");
  std::string error;
  auto t = readNpy(path, error);
  return t ? wrap(*t) : fail<nnc_tensor>(error);
}

int nnc_npy_write(const char *path, const nnc_tensor *tensor) {
  if (!path || !tensor) {
    lastError = "nnc_npy_write: NULL argument";
    return 1;
  }
  std::string error;
  if (!writeNpy(path, tensor->value, error)) {
    lastError = error;
    return 1;
  }
  return 0;
}

nnc_checkpoint *nnc_safetensors_read(const char *path) {
  if (!path)
    return fail<nnc_checkpoint>("nnc_safetensors_read: path is NULL");
  std::string error;
  auto tensors = readSafetensors(path, error);
  if (!tensors)
    return fail<nnc_checkpoint>(error);
  auto *c = new nnc_checkpoint;
  c->tensors = std::move(*tensors);
  for (auto &[name, t] : c->tensors)
    c->names.push_back(name);
  return c;
}

void nnc_checkpoint_destroy(nnc_checkpoint *c) { delete c; }
size_t nnc_checkpoint_size(const nnc_checkpoint *c) { return c->names.size(); }
const char *nnc_checkpoint_name(const nnc_checkpoint *c, size_t i) {
  return i < c->names.size() ? c->names[i].c_str() : nullptr;
}
nnc_tensor *nnc_checkpoint_get(const nnc_checkpoint *c, const char *name) {
  auto it = name ? c->tensors.find(name) : c->tensors.end();
  if (it == c->tensors.end())
    return fail<nnc_tensor>(std::string("checkpoint has no tensor '") +
                            (name ? name : "(null)") + "'");
  return wrap(it->second);
}

nnc_tensor *nnc_linear(const nnc_tensor *input, const nnc_tensor *weight,
                       const nnc_tensor *bias) {
  const char *fn = "nnc_linear";
  if (!isFloatTensor(input, "input", fn) ||
      !isFloatTensor(weight, "weight", fn))
    return nullptr;
  const Tensor &x = input->value, &w = weight->value;
  if (!sameDType(x, w, fn))
    return nullptr;
  if (x.rank() < 1 || w.rank() != 2 || x.dim(-1) != w.dim(1))
    return fail<nnc_tensor>(std::string(fn) + ": input " + x.typeString() +
                            " does not fit weight " + w.typeString());
  if (bias && (!sameDType(x, bias->value, fn) || bias->value.rank() != 1 ||
               bias->value.dim(0) != w.dim(0)))
    return fail<nnc_tensor>(std::string(fn) + ": bias must be [" +
                            std::to_string(w.dim(0)) + "]");
  return wrap(kernels::linear(x, w, bias ? bias->value : Tensor()));
}

nnc_tensor *nnc_matmul(const nnc_tensor *lhs, const nnc_tensor *rhs) {
  const char *fn = "nnc_matmul";
  if (!isFloatTensor(lhs, "lhs", fn) || !isFloatTensor(rhs, "rhs", fn) ||
      !sameDType(lhs->value, rhs->value, fn))
    return nullptr;
  const Tensor &a = lhs->value, &b = rhs->value;
  if (a.rank() < 2 || b.rank() < 2 || a.dim(-1) != b.dim(-2))
    return fail<nnc_tensor>(std::string(fn) + ": cannot multiply " +
                            a.typeString() + " by " + b.typeString());
  Shape ba(a.shape().begin(), a.shape().end() - 2);
  Shape bb(b.shape().begin(), b.shape().end() - 2);
  size_t rank = std::max(ba.size(), bb.size());
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - ba.size() ? 1 : ba[i - (rank - ba.size())];
    int64_t y = i < rank - bb.size() ? 1 : bb[i - (rank - bb.size())];
    if (x != y && x != 1 && y != 1)
      return fail<nnc_tensor>(std::string(fn) + ": batch dimensions of " +
                              a.typeString() + " and " + b.typeString() +
                              " do not broadcast");
  }
  return wrap(kernels::matmul(a, b));
}

nnc_tensor *nnc_conv(const nnc_tensor *input, const nnc_tensor *weight,
                     const nnc_tensor *bias, const int64_t *stride,
                     const int64_t *padding, const int64_t *dilation,
                     int64_t groups) {
  const char *fn = "nnc_conv";
  if (!isFloatTensor(input, "input", fn) ||
      !isFloatTensor(weight, "weight", fn) ||
      !sameDType(input->value, weight->value, fn))
    return nullptr;
  const Tensor &x = input->value, &w = weight->value;
  int64_t s = x.rank() - 2;
  if (s < 1 || s > 3 || w.rank() != x.rank() || !stride || !padding ||
      !dilation || groups < 1)
    return fail<nnc_tensor>(std::string(fn) + ": bad ranks or arguments (" +
                            x.typeString() + ", " + w.typeString() + ")");
  if (x.dim(1) % groups || w.dim(0) % groups || w.dim(1) * groups != x.dim(1))
    return fail<nnc_tensor>(
        std::string(fn) + ": input " + x.typeString() + " and weight " +
        w.typeString() +
        " disagree on channels for groups=" + std::to_string(groups));
  std::vector<int64_t> st(stride, stride + s), pad(padding, padding + s),
      dil(dilation, dilation + s);
  for (int64_t i = 0; i < s; ++i) {
    if (st[i] < 1 || dil[i] < 1 || pad[i] < 0)
      return fail<nnc_tensor>(std::string(fn) + ": stride and dilation must "
                                                "be >= 1, padding >= 0");
    int64_t span = dil[i] * (w.dim(2 + i) - 1) + 1;
    if (x.dim(2 + i) + 2 * pad[i] < span)
      return fail<nnc_tensor>(std::string(fn) + ": kernel larger than the "
                                                "padded input");
  }
  if (bias && (!sameDType(x, bias->value, fn) || bias->value.rank() != 1 ||
               bias->value.dim(0) != w.dim(0)))
    return fail<nnc_tensor>(std::string(fn) + ": bias must be [" +
                            std::to_string(w.dim(0)) + "]");
  return wrap(
      kernels::conv(x, w, bias ? bias->value : Tensor(), st, pad, dil, groups));
}

/// Checks the per-dim pooling arguments the way PyTorch does.
static bool poolArgs(const nnc_tensor *input, int64_t spatial,
                     const int64_t *kernel, const int64_t *stride,
                     const int64_t *padding, const char *fn,
                     std::vector<int64_t> &k, std::vector<int64_t> &s,
                     std::vector<int64_t> &p) {
  if (!isFloatTensor(input, "input", fn))
    return false;
  const Tensor &x = input->value;
  if (spatial < 1 || spatial > 3 || x.rank() != spatial + 2 || !kernel ||
      !stride || !padding) {
    lastError = std::string(fn) + ": input " + x.typeString() +
                " does not have " + std::to_string(spatial) +
                " spatial dims, or an argument is NULL";
    return false;
  }
  k.assign(kernel, kernel + spatial);
  s.assign(stride, stride + spatial);
  p.assign(padding, padding + spatial);
  for (int64_t i = 0; i < spatial; ++i)
    if (k[i] < 1 || s[i] < 1 || p[i] < 0 || 2 * p[i] > k[i] ||
        x.dim(2 + i) + 2 * p[i] < k[i]) {
      lastError = std::string(fn) + ": bad kernel, stride or padding for " +
                  x.typeString();
      return false;
    }
  return true;
}

nnc_tensor *nnc_max_pool(const nnc_tensor *input, int64_t spatial,
                         const int64_t *kernel_size, const int64_t *stride,
                         const int64_t *padding, int ceil_mode) {
  std::vector<int64_t> k, s, p;
  if (!poolArgs(input, spatial, kernel_size, stride, padding, "nnc_max_pool", k,
                s, p))
    return nullptr;
  return wrap(kernels::maxPool(
      input->value, k, s, p, std::vector<int64_t>(spatial, 1), ceil_mode != 0));
}

nnc_tensor *nnc_avg_pool(const nnc_tensor *input, int64_t spatial,
                         const int64_t *kernel_size, const int64_t *stride,
                         const int64_t *padding, int ceil_mode,
                         int count_include_pad) {
  std::vector<int64_t> k, s, p;
  if (!poolArgs(input, spatial, kernel_size, stride, padding, "nnc_avg_pool", k,
                s, p))
    return nullptr;
  return wrap(kernels::avgPool(input->value, k, s, p, ceil_mode != 0,
                               count_include_pad != 0));
}

/// A per-channel vector of `channels` entries with the input's dtype.
static bool channelVector(const nnc_tensor *t, const Tensor &x,
                          int64_t channels, const char *what, const char *fn) {
  if (t && t->value.dtype() == x.dtype() && t->value.rank() == 1 &&
      t->value.dim(0) == channels)
    return true;
  lastError = std::string(fn) + ": " + what + " must be " +
              dtypeName(x.dtype()) + "[" + std::to_string(channels) + "]";
  return false;
}

nnc_tensor *nnc_batch_norm(const nnc_tensor *input, const nnc_tensor *weight,
                           const nnc_tensor *bias,
                           const nnc_tensor *running_mean,
                           const nnc_tensor *running_var, double epsilon) {
  const char *fn = "nnc_batch_norm";
  if (!isFloatTensor(input, "input", fn))
    return nullptr;
  const Tensor &x = input->value;
  if (x.rank() < 2)
    return fail<nnc_tensor>(std::string(fn) + ": input must have rank >= 2");
  int64_t c = x.dim(1);
  if ((weight && !channelVector(weight, x, c, "weight", fn)) ||
      (bias && !channelVector(bias, x, c, "bias", fn)) ||
      !channelVector(running_mean, x, c, "running_mean", fn) ||
      !channelVector(running_var, x, c, "running_var", fn))
    return nullptr;
  return wrap(kernels::batchNorm(
      x, weight ? weight->value : Tensor(), bias ? bias->value : Tensor(),
      running_mean->value, running_var->value, epsilon));
}

nnc_tensor *nnc_layer_norm(const nnc_tensor *input, const nnc_tensor *weight,
                           const nnc_tensor *bias, double epsilon) {
  const char *fn = "nnc_layer_norm";
  if (!isFloatTensor(input, "input", fn))
    return nullptr;
  const Tensor &x = input->value;
  if (x.rank() < 1)
    return fail<nnc_tensor>(std::string(fn) + ": input must have rank >= 1");
  int64_t d = x.dim(-1);
  if ((weight && !channelVector(weight, x, d, "weight", fn)) ||
      (bias && !channelVector(bias, x, d, "bias", fn)))
    return nullptr;
  return wrap(kernels::layerNorm(x, weight ? weight->value : Tensor(),
                                 bias ? bias->value : Tensor(), {d}, epsilon));
}

nnc_tensor *nnc_gelu(const nnc_tensor *input, int tanh_approximation) {
  if (!isFloatTensor(input, "input", "nnc_gelu"))
    return nullptr;
  return wrap(kernels::gelu(input->value, tanh_approximation != 0));
}

nnc_tensor *nnc_softmax(const nnc_tensor *input, int64_t axis) {
  if (!isFloatTensor(input, "input", "nnc_softmax"))
    return nullptr;
  int64_t rank = input->value.rank();
  if (rank == 0 || axis < -rank || axis >= rank)
    return fail<nnc_tensor>("nnc_softmax: axis " + std::to_string(axis) +
                            " out of range for rank " + std::to_string(rank));
  return wrap(kernels::softmax(input->value, axis < 0 ? axis + rank : axis));
}

nnc_tensor *nnc_unary(nnc_unary_op op, const nnc_tensor *input) {
  if (op < NNC_RELU || op > NNC_NEG)
    return fail<nnc_tensor>("nnc_unary: unknown op");
  if (!isFloatTensor(input, "input", "nnc_unary"))
    return nullptr;
  return wrap(kernels::unary(kernels::UnaryOp(op), input->value));
}

nnc_tensor *nnc_binary(nnc_binary_op op, const nnc_tensor *lhs,
                       const nnc_tensor *rhs) {
  const char *fn = "nnc_binary";
  if (op < NNC_ADD || op > NNC_MINIMUM)
    return fail<nnc_tensor>("nnc_binary: unknown op");
  if (!isFloatTensor(lhs, "lhs", fn) || !isFloatTensor(rhs, "rhs", fn) ||
      !sameDType(lhs->value, rhs->value, fn))
    return nullptr;
  const Shape &a = lhs->value.shape(), &b = rhs->value.shape();
  size_t rank = std::max(a.size(), b.size());
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x != y && x != 1 && y != 1)
      return fail<nnc_tensor>(std::string(fn) + ": shapes " + shapeString(a) +
                              " and " + shapeString(b) + " do not broadcast");
  }
  return wrap(kernels::binary(kernels::BinaryOp(op), lhs->value, rhs->value));
}

} // extern "C"
