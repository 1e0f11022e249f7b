//===- Tensor.h - Runtime tensors and buffers --------------------*- C++
//-*-===//
//
// The runtime's value type: a dense, row-major (contiguous) tensor over a
// reference-counted, 64-byte-aligned buffer (or, for a view, over memory
// compiled code owns). Kernels take and return these;
// compiled code will use the same layout through the C API (nnc_runtime.h).
// Element types cover float32 first, plus the storage types quantisation and
// indices need (int8, int32, int64, bfloat16, bool).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_TENSOR_H
#define NNC_RUNTIME_TENSOR_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nnc::rt {

enum class DType : uint8_t { F32, F64, F16, BF16, I64, I32, I8, U8, Bool };

size_t dtypeSize(DType t);
const char *dtypeName(DType t);
bool isFloating(DType t);

using Shape = std::vector<int64_t>;

/// Number of elements of `shape` (1 for rank 0).
int64_t numElements(const Shape &shape);
std::string shapeString(const Shape &shape);

/// A 64-byte-aligned allocation; zero-initialised unless built with
/// Buffer::Uninitialized.
class Buffer {
public:
  explicit Buffer(size_t bytes);
  /// An allocation left uninitialised, for producers that write every byte.
  struct Uninitialized {};
  Buffer(size_t bytes, Uninitialized);
  /// Memory owned elsewhere (compiled code's buffers): used in place and
  /// never freed here. It need not be 64-byte aligned.
  struct External {};
  Buffer(void *data, size_t n, External) : ptr(data), bytes(n), owned(false) {}
  ~Buffer();
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;

  void *data() { return ptr; }
  const void *data() const { return ptr; }
  size_t size() const { return bytes; }

private:
  void *ptr = nullptr;
  size_t bytes = 0;
  bool owned = true;
};

class Tensor {
public:
  Tensor() = default;
  /// A new zero-filled tensor.
  Tensor(DType dtype, Shape shape);
  static Tensor zeros(DType dtype, Shape shape) {
    return Tensor(dtype, std::move(shape));
  }
  static Tensor full(DType dtype, Shape shape, double value);
  /// A new tensor whose elements are left uninitialised: only for kernels
  /// that write every element (skips the zero fill of large outputs).
  static Tensor uninitialized(DType dtype, Shape shape);
  /// A float32 scalar (rank 0).
  static Tensor scalar(float value);
  /// A tensor over `data`, which the caller owns and keeps alive (and
  /// row-major contiguous) while the tensor or any copy of it is in use.
  static Tensor view(DType dtype, Shape shape, void *data);

  bool defined() const { return buffer != nullptr; }
  DType dtype() const { return type; }
  const Shape &shape() const { return dims; }
  int64_t rank() const { return dims.size(); }
  int64_t dim(int64_t i) const { return dims[i < 0 ? i + rank() : i]; }
  int64_t numel() const { return numElements(dims); }
  size_t bytes() const { return numel() * dtypeSize(type); }

  template <typename T> T *data() { return static_cast<T *>(raw()); }
  template <typename T> const T *data() const {
    return static_cast<const T *>(raw());
  }
  void *raw() { return static_cast<char *>(buffer->data()) + offset; }
  const void *raw() const {
    return static_cast<const char *>(buffer->data()) + offset;
  }

  /// The same elements under another shape (no copy; counts must match).
  Tensor reshaped(Shape shape) const;
  /// A deep copy.
  Tensor clone() const;
  /// Element `i` (flat index) converted to double, for any dtype.
  double at(int64_t i) const;
  void set(int64_t i, double value);

  std::string typeString() const {
    return std::string(dtypeName(type)) + shapeString(dims);
  }

private:
  std::shared_ptr<Buffer> buffer;
  size_t offset = 0;
  DType type = DType::F32;
  Shape dims;
};

/// While alive, a new tensor (zero-filled or uninitialised) of exactly one
/// of `targets`' dtype and shape, created on this thread, takes that
/// target's memory instead of a fresh allocation (each target once). The
/// kernel ABI uses it so that kernels write their results straight into the
/// buffers compiled code planned for them: no allocation, no page faults, no
/// copy. Targets must not overlap memory the kernel reads.
class ScopedAllocationTargets {
public:
  explicit ScopedAllocationTargets(std::vector<Tensor> targets);
  ~ScopedAllocationTargets();
  ScopedAllocationTargets(const ScopedAllocationTargets &) = delete;
  ScopedAllocationTargets &operator=(const ScopedAllocationTargets &) = delete;

private:
  std::vector<Tensor> targets;
  std::vector<Tensor> *previous;
};

/// Converts a float32 to bfloat16 / IEEE half (round to nearest even) and
/// back.
uint16_t floatToBF16(float f);
float bf16ToFloat(uint16_t b);
uint16_t floatToF16(float f);
float f16ToFloat(uint16_t h);

} // namespace nnc::rt

#endif // NNC_RUNTIME_TENSOR_H
