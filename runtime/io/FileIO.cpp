//===- FileIO.cpp - Bounds-checked reads and atomic writes ----------------===//

#include "runtime/io/FileIO.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace nnc::rt::io;

// Linux transfers at most this much per read/write call; larger requests are
// looped anyway, so asking for no more keeps each call's count exact.
static constexpr size_t kMaxChunk = size_t(1) << 30;

static std::string sysError(const std::string &path, const char *action) {
  return path + ": cannot " + action + ": " + std::strerror(errno);
}

InputFile::~InputFile() {
  if (fd >= 0)
    ::close(fd);
}

bool InputFile::open(const std::string &p, std::string &error) {
  path = p;
  fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = sysError(p, "open");
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    error = sysError(p, "stat");
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = p + ": not a regular file";
    return false;
  }
  bytes = uint64_t(st.st_size);
  return true;
}

bool InputFile::readAt(uint64_t offset, void *dst, size_t n, const char *what,
                       std::string &error) const {
  // Callers validate ranges against size() first; this re-check makes a
  // wrong caller an error instead of a short read into uninitialised data.
  if (offset > bytes || n > bytes - offset) {
    error = path + ": " + what + " (bytes " + std::to_string(offset) + ".." +
            std::to_string(offset + n) + ") runs past the end of the file (" +
            std::to_string(bytes) + " bytes)";
    return false;
  }
  char *out = static_cast<char *>(dst);
  while (n > 0) {
    ssize_t got =
        ::pread(fd, out, n < kMaxChunk ? n : kMaxChunk, off_t(offset));
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      error = path + ": cannot read " + what + ": " + std::strerror(errno);
      return false;
    }
    if (got == 0) {
      error = path + ": file shrank while reading " + what;
      return false;
    }
    out += got;
    offset += uint64_t(got);
    n -= size_t(got);
  }
  return true;
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
  if (!tempPath.empty()) {
    ::unlink(tempPath.c_str());
    tempPath.clear();
  }
}

bool AtomicFile::open(const std::string &p, std::string &error) {
  discard();
  path = p;
  // Same directory as the target, so that rename() is atomic (no copy
  // across file systems).
  std::string tmpl = p + ".tmp.XXXXXX";
  fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    error = sysError(p, "create a temporary file to write");
    return false;
  }
  tempPath = tmpl;
  // mkstemp creates the file 0600; give it the permissions a plain create
  // would (0666 less the umask). umask can only be read by setting it.
  mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) {
    error = sysError(tempPath, "set permissions of");
    discard();
    return false;
  }
  return true;
}

bool AtomicFile::write(const void *src, size_t n, std::string &error) {
  const char *in = static_cast<const char *>(src);
  while (n > 0) {
    ssize_t put = ::write(fd, in, n < kMaxChunk ? n : kMaxChunk);
    if (put < 0 && errno == EINTR)
      continue;
    if (put <= 0) {
      error = sysError(path, "write");
      discard();
      return false;
    }
    in += put;
    n -= size_t(put);
  }
  return true;
}

bool AtomicFile::commit(std::string &error) {
  if (fd < 0) {
    error = path + ": cannot commit: the file is not open";
    return false;
  }
  if (::fsync(fd) != 0) {
    error = sysError(path, "flush");
    discard();
    return false;
  }
  int rc = ::close(fd);
  fd = -1;
  if (rc != 0) {
    error = sysError(path, "close");
    discard();
    return false;
  }
  if (::rename(tempPath.c_str(), path.c_str()) != 0) {
    error = sysError(path, "rename the temporary file to");
    discard();
    return false;
  }
  tempPath.clear();
  // Make the rename itself durable. A failure here leaves a complete file in
  // place, so it is not reported.
  std::string dir = ".";
  size_t slash = path.rfind('/');
  if (slash != std::string::npos)
    dir = slash == 0 ? "/" : path.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

bool nnc::rt::io::fileExists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool nnc::rt::io::shapeBytes(size_t elementSize,
                             const std::vector<int64_t> &shape,
                             uint64_t &bytes) {
  uint64_t extent = elementSize;
  bytes = elementSize;
  for (int64_t d : shape) {
    // bytes <= extent throughout, so only extent needs the overflow check.
    bytes *= uint64_t(d);
    if (__builtin_mul_overflow(extent, uint64_t(d > 1 ? d : 1), &extent) ||
        extent > uint64_t(INT64_MAX))
      return false;
  }
  return true;
}

bool nnc::rt::io::checkBoolValues(const std::string &where, const Tensor &t,
                                  std::string &error) {
  const uint8_t *p = t.data<uint8_t>();
  for (int64_t i = 0, n = t.numel(); i < n; ++i)
    if (p[i] > 1) {
      error = where + ": bool element " + std::to_string(i) + " is " +
              std::to_string(p[i]) + ", not 0 or 1";
      return false;
    }
  return true;
}
