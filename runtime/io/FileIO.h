//===- FileIO.h - Bounds-checked reads and atomic writes ----------*- C++
//-*-===//
//
// The file primitives every reader and writer in runtime/io shares. Reads go
// straight into their destination with pread (one copy, and a file that
// shrinks while being read gives an error rather than the SIGBUS an mmap
// would). Writes go to a temporary file in the target's directory that is
// fsync'ed and renamed over the target only when complete, so a crash or an
// error never leaves a half-written file under the final name.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_IO_FILEIO_H
#define NNC_RUNTIME_IO_FILEIO_H

#include "runtime/Tensor.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nnc::rt::io {

/// A regular file opened for reading, with its size taken once at open.
class InputFile {
public:
  InputFile() = default;
  ~InputFile();
  InputFile(const InputFile &) = delete;
  InputFile &operator=(const InputFile &) = delete;

  /// Opens `path`; fails (naming it) if it is missing or not a regular file.
  bool open(const std::string &path, std::string &error);
  uint64_t size() const { return bytes; }
  /// Reads exactly `n` bytes at `offset` into `dst`; `what` names the part
  /// being read in the error when the file ends early or the read fails.
  bool readAt(uint64_t offset, void *dst, size_t n, const char *what,
              std::string &error) const;

private:
  int fd = -1;
  uint64_t bytes = 0;
  std::string path;
};

/// A file being written atomically: nothing appears at the final path until
/// commit() succeeds; destruction without commit removes the temporary file.
class AtomicFile {
public:
  AtomicFile() = default;
  ~AtomicFile();
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;

  /// Creates the temporary file next to `path`.
  bool open(const std::string &path, std::string &error);
  /// Appends `n` bytes.
  bool write(const void *src, size_t n, std::string &error);
  /// Flushes to disk and renames the temporary file to the final path.
  bool commit(std::string &error);

private:
  void discard();

  int fd = -1;
  std::string path, tempPath;
};

/// The byte size of a `elementSize`-byte tensor of `shape` (dims already
/// checked non-negative). False if the shape is too large: the product of its
/// dimensions, zeros counted as 1, must fit in int64 so that neither the size
/// nor any stride a kernel computes can overflow ([0, 2^62, 2^62] holds
/// nothing but is refused too).
bool shapeBytes(size_t elementSize, const std::vector<int64_t> &shape,
                uint64_t &bytes);

/// Checks that a Bool tensor read from a file holds only 0 and 1 (anything
/// else would be undefined behaviour read as C++ bool later); `where` starts
/// the error.
bool checkBoolValues(const std::string &where, const Tensor &t,
                     std::string &error);

/// True if `path` names an existing file (of any kind).
bool fileExists(const std::string &path);

} // namespace nnc::rt::io

#endif // NNC_RUNTIME_IO_FILEIO_H
