//===- Tensor.cpp - Runtime tensors and buffers ---------------------------===//

#include "runtime/Tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace nnc::rt;

size_t nnc::rt::dtypeSize(DType t) {
  switch (t) {
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    return 1;
  }
  return 1;
}

const char *nnc::rt::dtypeName(DType t) {
  switch (t) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::I64:
    return "i64";
  case DType::I32:
    return "i32";
  case DType::I8:
    return "i8";
  case DType::U8:
    return "u8";
  case DType::Bool:
    return "i1";
  }
  return "?";
}

bool nnc::rt::isFloating(DType t) {
  return t == DType::F32 || t == DType::F64 || t == DType::F16 ||
         t == DType::BF16;
}

int64_t nnc::rt::numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string nnc::rt::shapeString(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

Buffer::Buffer(size_t n) : Buffer(n, Uninitialized()) {
  std::memset(ptr, 0, std::max<size_t>(64, ((n + 63) / 64) * 64));
}

Buffer::Buffer(size_t n, Uninitialized) : bytes(n) {
  // Round up so that aligned_alloc's size is a multiple of the alignment,
  // and never ask for zero bytes.
  size_t rounded = ((n + 63) / 64) * 64;
  if (rounded == 0)
    rounded = 64;
  ptr = std::aligned_alloc(64, rounded);
  if (!ptr) {
    // Sizes from files are validated before allocating, so this is a real
    // out-of-memory condition: there is nothing sensible to continue with.
    std::fprintf(stderr, "nnc: error: out of memory allocating %zu bytes\n",
                 rounded);
    std::abort();
  }
}

Buffer::~Buffer() {
  if (owned)
    std::free(ptr);
}

namespace {
/// The calling thread's allocation targets (ScopedAllocationTargets).
thread_local std::vector<Tensor> *allocationTargets = nullptr;

/// Takes the first target of exactly `dtype` and `shape`, if any.
bool takeTarget(DType dtype, const Shape &shape, Tensor &out) {
  if (!allocationTargets)
    return false;
  for (auto it = allocationTargets->begin(); it != allocationTargets->end();
       ++it)
    if (it->dtype() == dtype && it->shape() == shape) {
      out = std::move(*it);
      allocationTargets->erase(it);
      return true;
    }
  return false;
}
} // namespace

ScopedAllocationTargets::ScopedAllocationTargets(std::vector<Tensor> targets)
    : targets(std::move(targets)), previous(allocationTargets) {
  allocationTargets = &this->targets;
}

ScopedAllocationTargets::~ScopedAllocationTargets() {
  allocationTargets = previous;
}

Tensor::Tensor(DType dtype, Shape shape) {
  if (takeTarget(dtype, shape, *this)) {
    std::memset(raw(), 0, bytes());
    return;
  }
  buffer = std::make_shared<Buffer>(numElements(shape) * dtypeSize(dtype));
  type = dtype;
  dims = std::move(shape);
}

Tensor Tensor::uninitialized(DType dtype, Shape shape) {
  Tensor t;
  if (takeTarget(dtype, shape, t))
    return t;
  t.buffer = std::make_shared<Buffer>(numElements(shape) * dtypeSize(dtype),
                                      Buffer::Uninitialized());
  t.type = dtype;
  t.dims = std::move(shape);
  return t;
}

Tensor Tensor::view(DType dtype, Shape shape, void *data) {
  Tensor t;
  t.buffer = std::make_shared<Buffer>(
      data, numElements(shape) * dtypeSize(dtype), Buffer::External());
  t.type = dtype;
  t.dims = std::move(shape);
  return t;
}

Tensor Tensor::full(DType dtype, Shape shape, double value) {
  Tensor t(dtype, std::move(shape));
  for (int64_t i = 0, n = t.numel(); i < n; ++i)
    t.set(i, value);
  return t;
}

Tensor Tensor::scalar(float value) {
  Tensor t(DType::F32, {});
  *t.data<float>() = value;
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  t.dims = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t(type, dims);
  std::memcpy(t.raw(), raw(), bytes());
  return t;
}

uint16_t nnc::rt::floatToBF16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffff) > 0x7f800000) // NaN stays a (quiet) NaN
    return uint16_t((bits >> 16) | 0x40);
  uint32_t rounding = 0x7fff + ((bits >> 16) & 1);
  return uint16_t((bits + rounding) >> 16);
}

uint16_t nnc::rt::floatToF16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  uint32_t mant = x & 0x7fffff;
  int32_t exp = int32_t((x >> 23) & 0xff) - 127 + 15;
  if (((x >> 23) & 0xff) == 0xff) // inf or NaN
    return uint16_t(sign | 0x7c00 | (mant ? 0x200 : 0));
  if (exp >= 31)
    return uint16_t(sign | 0x7c00);
  if (exp <= 0) {
    if (exp < -10)
      return uint16_t(sign);
    mant |= 0x800000;
    uint32_t shift = uint32_t(14 - exp);
    uint32_t half = mant >> shift;
    uint32_t rest = mant & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1)))
      ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = sign | (uint32_t(exp) << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half; // may carry into the exponent, which is the right rounding
  return uint16_t(half);
}

float nnc::rt::f16ToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  if (exp == 0)
    return (sign ? -1.0f : 1.0f) * std::ldexp(float(mant), -24);
  uint32_t bits = exp == 31 ? sign | 0x7f800000 | (mant << 13)
                            : sign | ((exp + 112) << 23) | (mant << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float nnc::rt::bf16ToFloat(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

double Tensor::at(int64_t i) const {
  switch (type) {
  case DType::F32:
    return data<float>()[i];
  case DType::F64:
    return data<double>()[i];
  case DType::BF16:
    return bf16ToFloat(data<uint16_t>()[i]);
  case DType::F16:
    return f16ToFloat(data<uint16_t>()[i]);
  case DType::I64:
    return double(data<int64_t>()[i]);
  case DType::I32:
    return data<int32_t>()[i];
  case DType::I8:
    return data<int8_t>()[i];
  case DType::U8:
  case DType::Bool:
    return data<uint8_t>()[i];
  }
  return 0;
}

void Tensor::set(int64_t i, double v) {
  switch (type) {
  case DType::F32:
    data<float>()[i] = float(v);
    return;
  case DType::F64:
    data<double>()[i] = v;
    return;
  case DType::BF16:
    data<uint16_t>()[i] = floatToBF16(float(v));
    return;
  case DType::F16:
    data<uint16_t>()[i] = floatToF16(float(v));
    return;
  case DType::I64:
    data<int64_t>()[i] = int64_t(v);
    return;
  case DType::I32:
    data<int32_t>()[i] = int32_t(v);
    return;
  case DType::I8:
    data<int8_t>()[i] = int8_t(v);
    return;
  case DType::U8:
    data<uint8_t>()[i] = uint8_t(v);
    return;
  case DType::Bool:
    data<uint8_t>()[i] = uint8_t(v != 0);
    return;
  }
}
