//===- Idx.cpp - IDX files and the Fashion-MNIST data set -----------------===//

#include "runtime/io/Idx.h"

#include "runtime/io/FileIO.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

using namespace nnc::rt;

namespace {

/// zlib's message without the "<fd:N>: " that gzdopen'ed files get (the
/// caller names the file itself).
std::string zlibMessage(const char *msg) {
  std::string s = msg ? msg : "unknown error";
  size_t colon = s.find(">: ");
  if (s.rfind("<fd:", 0) == 0 && colon != std::string::npos)
    s.erase(0, colon + 3);
  return s;
}

/// A file read through zlib, which passes uncompressed files through
/// unchanged ("transparent" mode), with exact-length reads.
class GzReader {
public:
  ~GzReader() {
    if (gz)
      gzclose(gz);
  }

  bool open(const std::string &p, std::string &error) {
    path = p;
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = p + ": cannot open: " + std::strerror(errno);
      return false;
    }
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      error = p + ": not a regular file";
      return false;
    }
    gz = gzdopen(fd, "rb");
    if (!gz) {
      ::close(fd);
      error = p + ": cannot open: out of memory";
      return false;
    }
    if (p.size() >= 3 && p.compare(p.size() - 3, 3, ".gz") == 0 &&
        gzdirect(gz)) {
      error = p + ": not gzip data, although the name ends in .gz";
      return false;
    }
    return true;
  }

  /// Reads exactly `n` bytes of `what`.
  bool read(void *dst, size_t n, const char *what, std::string &error) {
    char *out = static_cast<char *>(dst);
    size_t done = 0;
    while (done < n) {
      size_t chunk = std::min(n - done, size_t(1) << 30);
      int got = gzread(gz, out + done, unsigned(chunk));
      if (got <= 0)
        return failRead(what, done, n, error);
      done += size_t(got);
    }
    return true;
  }

  /// Checks that nothing follows what was read. Reading on also makes zlib
  /// verify the gzip trailer (CRC and length) of a compressed file.
  bool atEnd(const char *described, std::string &error) {
    char c;
    int got = gzread(gz, &c, 1);
    int errnum = Z_OK;
    const char *msg = gzerror(gz, &errnum);
    if (got < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
      error = path + ": corrupt or truncated gzip data after " + described +
              " (zlib: " + zlibMessage(msg) + ")";
      return false;
    }
    if (got > 0) {
      error = path + ": trailing bytes after the " + described;
      return false;
    }
    return true;
  }

private:
  bool failRead(const char *what, size_t done, size_t n, std::string &error) {
    int errnum = Z_OK;
    const char *msg = gzerror(gz, &errnum);
    if (errnum != Z_OK && errnum != Z_STREAM_END)
      error = path + ": corrupt or truncated gzip data in the " + what +
              " (zlib: " + zlibMessage(msg) + ")";
    else
      error = path + ": truncated " + what + ": the file ends after " +
              std::to_string(done) + " of its " + std::to_string(n) + " bytes";
    return false;
  }

  gzFile gz = nullptr;
  std::string path;
};

const char *idxTypeName(unsigned type) {
  switch (type) {
  case 0x08:
    return "unsigned byte";
  case 0x09:
    return "signed byte";
  case 0x0B:
    return "int16";
  case 0x0C:
    return "int32";
  case 0x0D:
    return "float32";
  case 0x0E:
    return "float64";
  }
  return nullptr;
}

std::string hexByte(unsigned b) {
  static const char *hex = "0123456789ABCDEF";
  return std::string("0x") + hex[(b >> 4) & 15] + hex[b & 15];
}

} // namespace

std::optional<Tensor> nnc::rt::readIdx(const std::string &path,
                                       std::string &error) {
  GzReader in;
  if (!in.open(path, error))
    return std::nullopt;
  unsigned char magic[4];
  if (!in.read(magic, 4, "magic number", error))
    return std::nullopt;
  if (magic[0] != 0 || magic[1] != 0) {
    error = path + ": bad magic " + hexByte(magic[0]) + " " +
            hexByte(magic[1]) + ": an IDX file starts with two zero bytes";
    return std::nullopt;
  }
  if (magic[2] != 0x08) {
    const char *name = idxTypeName(magic[2]);
    error = path + ": " +
            (name ? "IDX element type " + hexByte(magic[2]) + " (" + name +
                        ") is not supported"
                  : "unknown IDX element type " + hexByte(magic[2])) +
            "; images and labels use 0x08 (unsigned byte)";
    return std::nullopt;
  }
  unsigned rank = magic[3];
  if (rank == 0) {
    error = path + ": the IDX header declares 0 dimensions";
    return std::nullopt;
  }
  unsigned char dimBytes[4 * 255];
  if (!in.read(dimBytes, 4 * rank, "dimensions", error))
    return std::nullopt;
  Shape shape;
  for (unsigned i = 0; i < rank; ++i) {
    const unsigned char *b = dimBytes + 4 * i;
    shape.push_back(int64_t(uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 |
                            uint32_t(b[2]) << 8 | uint32_t(b[3])));
  }
  uint64_t bytes;
  if (!io::shapeBytes(1, shape, bytes) || bytes > kIdxMaxBytes) {
    error = path + ": dimensions " + shapeString(shape) +
            " declare more than the 1 GiB limit of data";
    return std::nullopt;
  }
  Tensor t(DType::U8, shape);
  std::string described = "data of dimensions " + shapeString(shape);
  if (!in.read(t.raw(), t.bytes(), described.c_str(), error) ||
      !in.atEnd(described.c_str(), error))
    return std::nullopt;
  return t;
}

/// `dir/stem.gz` if it exists or `dir/stem` does not (so that a missing
/// file is reported under the name Debian uses), else `dir/stem`.
static std::string pickFile(const std::string &dir, const std::string &stem) {
  std::string plain = dir + "/" + stem, gz = plain + ".gz";
  return io::fileExists(gz) || !io::fileExists(plain) ? gz : plain;
}

std::optional<FashionMnist> nnc::rt::loadFashionMnist(const std::string &dir,
                                                      const std::string &split,
                                                      std::string &error) {
  if (split != "train" && split != "test") {
    error = dir + ": unknown Fashion-MNIST split '" + split +
            "' (expected train or test)";
    return std::nullopt;
  }
  std::string prefix = split == "train" ? "train" : "t10k";
  std::string imagesPath = pickFile(dir, prefix + "-images-idx3-ubyte");
  std::string labelsPath = pickFile(dir, prefix + "-labels-idx1-ubyte");
  std::optional<Tensor> images = readIdx(imagesPath, error);
  if (!images)
    return std::nullopt;
  if (images->rank() != 3 || images->dim(1) != 28 || images->dim(2) != 28) {
    error = imagesPath + ": expected images of shape [N, 28, 28], found " +
            shapeString(images->shape());
    return std::nullopt;
  }
  std::optional<Tensor> labels = readIdx(labelsPath, error);
  if (!labels)
    return std::nullopt;
  if (labels->rank() != 1) {
    error = labelsPath + ": expected labels of shape [N], found " +
            shapeString(labels->shape());
    return std::nullopt;
  }
  int64_t n = images->dim(0);
  if (labels->dim(0) != n) {
    error = dir + ": " + std::to_string(n) + " images in " + imagesPath +
            " but " + std::to_string(labels->dim(0)) + " labels in " +
            labelsPath;
    return std::nullopt;
  }

  FashionMnist out{Tensor(DType::F32, {n, 1, 28, 28}), Tensor(DType::I64, {n})};
  const uint8_t *src = labels->data<uint8_t>();
  int64_t *dst = out.labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    if (src[i] > 9) {
      error = labelsPath + ": label " + std::to_string(i) + " is " +
              std::to_string(src[i]) + "; Fashion-MNIST classes are 0..9";
      return std::nullopt;
    }
    dst[i] = src[i];
  }
  // Division (not multiplication by 1/255) rounds exactly as torchvision's
  // ToTensor does, so pixels match PyTorch bit for bit.
  const uint8_t *pixels = images->data<uint8_t>();
  float *scaled = out.images.data<float>();
  for (int64_t i = 0, total = images->numel(); i < total; ++i)
    scaled[i] = float(pixels[i]) / 255.0f;
  return out;
}
