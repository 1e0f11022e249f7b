//===- Npy.cpp - Read and write NumPy .npy files --------------------------===//

#include "runtime/io/Npy.h"

#include "runtime/io/FileIO.h"

#include <cstring>

using namespace nnc::rt;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              ".npy data is read as little-endian without swapping");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
/// NumPy itself refuses headers over 10000 bytes by default; this is looser
/// but still bounds what a hostile length field can make us allocate.
constexpr uint64_t kMaxHeaderBytes = 1 << 20;

struct NpyType {
  DType type;
  const char *code; // descr without the byte-order character
};

const NpyType kTypes[] = {
    {DType::F32, "f4"}, {DType::F64, "f8"},  {DType::F16, "f2"},
    {DType::I64, "i8"}, {DType::I32, "i4"},  {DType::I8, "i1"},
    {DType::U8, "u1"},  {DType::Bool, "b1"},
};

struct Header {
  std::string descr;
  bool fortranOrder = false;
  Shape shape;
};

/// Parses the header dict, a Python literal, strictly: exactly the keys
/// descr (a string), fortran_order (True/False) and shape (a tuple of
/// non-negative integers), then only spaces up to the closing '\n'.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : text(text) {}

  bool parse(Header &h, std::string &problem) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!expect('{', "'{' opening the header dict"))
      return finish(problem);
    skipSpace();
    while (ok && peek() != '}') {
      std::string key;
      if (!parseString(key, "a quoted key"))
        break;
      skipSpace();
      if (!expect(':', "':' after the key"))
        break;
      skipSpace();
      bool *seen = key == "descr"           ? &haveDescr
                   : key == "fortran_order" ? &haveOrder
                   : key == "shape"         ? &haveShape
                                            : nullptr;
      if (!seen)
        fail("unknown key '" + key + "'");
      else if (*seen)
        fail("duplicate key '" + key + "'");
      else if (key == "descr")
        parseString(h.descr, "a quoted dtype string (structured dtypes "
                             "are not supported)");
      else if (key == "fortran_order")
        parseBool(h.fortranOrder);
      else
        parseShape(h.shape);
      if (!ok)
        break;
      *seen = true;
      skipSpace();
      if (peek() == ',') {
        ++pos;
        skipSpace();
      } else if (peek() != '}') {
        fail("expected ',' or '}' after the value of '" + key + "'");
      }
    }
    if (ok)
      expect('}', "'}' closing the header dict");
    for (auto [have, name] :
         {std::pair(haveDescr, "descr"), std::pair(haveOrder, "fortran_order"),
          std::pair(haveShape, "shape")})
      if (ok && !have)
        fail(std::string("missing key '") + name + "'");
    // Padding: spaces, then the final newline (checked by the caller).
    while (ok && pos < text.size() && text[pos] == ' ')
      ++pos;
    if (ok && pos != text.size())
      fail("unexpected text after the header dict");
    return finish(problem);
  }

private:
  char peek() const { return pos < text.size() ? text[pos] : '\0'; }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'))
      ++pos;
  }
  bool fail(std::string msg) {
    if (ok)
      problem = std::move(msg) + " at column " + std::to_string(pos);
    ok = false;
    return false;
  }
  bool finish(std::string &out) {
    out = problem;
    return ok;
  }
  bool expect(char c, const char *what) {
    if (peek() != c)
      return fail(std::string("expected ") + what);
    ++pos;
    return true;
  }

  bool parseString(std::string &out, const char *what) {
    char q = peek();
    if (q != '\'' && q != '"')
      return fail(std::string("expected ") + what);
    size_t end = text.find(q, pos + 1);
    if (end == std::string_view::npos)
      return fail("unterminated string");
    std::string_view body = text.substr(pos + 1, end - pos - 1);
    if (body.find('\\') != std::string_view::npos)
      return fail("escape sequences are not supported");
    out = std::string(body);
    pos = end + 1;
    return true;
  }

  bool parseBool(bool &out) {
    if (text.substr(pos, 4) == "True") {
      out = true;
      pos += 4;
      return true;
    }
    if (text.substr(pos, 5) == "False") {
      out = false;
      pos += 5;
      return true;
    }
    return fail("expected True or False for 'fortran_order'");
  }

  bool parseShape(Shape &shape) {
    if (!expect('(', "'(' opening the shape tuple"))
      return false;
    bool trailingComma = false;
    skipSpace();
    while (peek() != ')') {
      if (peek() < '0' || peek() > '9')
        return fail(peek() == '-' ? "negative dimension in shape"
                                  : "expected a non-negative integer in shape");
      int64_t d = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (__builtin_mul_overflow(d, 10, &d) ||
            __builtin_add_overflow(d, peek() - '0', &d))
          return fail("dimension in shape does not fit in int64");
        ++pos;
      }
      shape.push_back(d);
      skipSpace();
      trailingComma = peek() == ',';
      if (trailingComma) {
        ++pos;
        skipSpace();
      } else if (peek() != ')') {
        return fail("expected ',' or ')' in shape");
      }
    }
    ++pos;
    // In Python "(3)" is the integer 3, not a tuple: a 1-D shape is "(3,)".
    if (shape.size() == 1 && !trailingComma)
      return fail("shape (" + std::to_string(shape[0]) +
                  ") is not a tuple; a 1-D shape is written (" +
                  std::to_string(shape[0]) + ",)");
    return true;
  }

  std::string_view text;
  size_t pos = 0;
  bool ok = true;
  std::string problem;
};

/// Maps a descr such as '<f4' to a DType, or explains why it cannot.
bool dtypeFromDescr(const std::string &descr, DType &type,
                    std::string &problem) {
  for (const NpyType &t : kTypes) {
    if (descr.size() != 3 || descr.compare(1, 2, t.code) != 0)
      continue;
    bool byteSized = dtypeSize(t.type) == 1;
    if (descr[0] == '<' ||
        (byteSized && (descr[0] == '|' || descr[0] == '>'))) {
      type = t.type;
      return true;
    }
    if (descr[0] == '>') {
      problem = "big-endian dtype '" + descr +
                "' is not supported (save with arr.astype('<" + t.code + "'))";
      return false;
    }
  }
  problem = "unsupported dtype '" + descr +
            "' (supported: <f2 <f4 <f8 |i1 <i4 <i8 |u1 |b1)";
  return false;
}

} // namespace

std::optional<Tensor> nnc::rt::readNpy(const std::string &path,
                                       std::string &error) {
  io::InputFile file;
  if (!file.open(path, error))
    return std::nullopt;
  unsigned char prefix[12];
  if (file.size() < 10) {
    error = path + ": file is " + std::to_string(file.size()) +
            " bytes, too short for a .npy header";
    return std::nullopt;
  }
  if (!file.readAt(0, prefix, 10, "magic and version", error))
    return std::nullopt;
  if (std::memcmp(prefix, kMagic, kMagicLen) != 0) {
    error = path + ": not a .npy file (the magic \\x93NUMPY is missing)";
    return std::nullopt;
  }
  unsigned major = prefix[6], minor = prefix[7];
  if (major < 1 || major > 3 || minor != 0) {
    error = path + ": unsupported .npy version " + std::to_string(major) + "." +
            std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)";
    return std::nullopt;
  }
  uint64_t headerStart = major == 1 ? 10 : 12, headerBytes;
  if (major == 1) {
    headerBytes = prefix[8] | (uint64_t(prefix[9]) << 8);
  } else {
    if (!file.readAt(10, prefix + 10, 2, "header length", error))
      return std::nullopt;
    headerBytes = prefix[8] | (uint64_t(prefix[9]) << 8) |
                  (uint64_t(prefix[10]) << 16) | (uint64_t(prefix[11]) << 24);
  }
  if (headerBytes > file.size() - headerStart) {
    error = path + ": header length " + std::to_string(headerBytes) +
            " runs past the end of the file (" + std::to_string(file.size()) +
            " bytes)";
    return std::nullopt;
  }
  if (headerBytes > kMaxHeaderBytes) {
    error = path + ": header length " + std::to_string(headerBytes) +
            " exceeds the 1 MiB limit";
    return std::nullopt;
  }
  std::string text(headerBytes, '\0');
  if (!file.readAt(headerStart, text.data(), text.size(), "header", error))
    return std::nullopt;
  if (text.empty() || text.back() != '\n') {
    error = path + ": header does not end with a newline";
    return std::nullopt;
  }
  text.pop_back();

  Header header;
  std::string problem;
  if (!HeaderParser(text).parse(header, problem)) {
    error = path + ": bad header: " + problem;
    return std::nullopt;
  }
  DType type;
  if (!dtypeFromDescr(header.descr, type, problem)) {
    error = path + ": " + problem;
    return std::nullopt;
  }
  if (header.fortranOrder) {
    error = path + ": Fortran-order arrays are not supported (save "
                   "np.ascontiguousarray(arr) instead)";
    return std::nullopt;
  }
  uint64_t bytes;
  std::string typeText = "'" + header.descr + "' " + shapeString(header.shape);
  if (!io::shapeBytes(dtypeSize(type), header.shape, bytes)) {
    error =
        path + ": " + typeText + " is too large (its size overflows 63 bits)";
    return std::nullopt;
  }
  uint64_t dataStart = headerStart + headerBytes;
  if (file.size() - dataStart != bytes) {
    error = path + ": the data is " + std::to_string(file.size() - dataStart) +
            " bytes but " + typeText + " needs " + std::to_string(bytes);
    return std::nullopt;
  }
  Tensor t(type, header.shape);
  if (!file.readAt(dataStart, t.raw(), t.bytes(), "data", error))
    return std::nullopt;
  if (type == DType::Bool && !io::checkBoolValues(path, t, error))
    return std::nullopt;
  return t;
}

static std::string shapeTuple(const Shape &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

bool nnc::rt::writeNpy(const std::string &path, const Tensor &tensor,
                       std::string &error) {
  if (!tensor.defined()) {
    error = path + ": cannot write an undefined tensor";
    return false;
  }
  const NpyType *npy = nullptr;
  for (const NpyType &t : kTypes)
    if (t.type == tensor.dtype())
      npy = &t;
  if (!npy) {
    error = path + ": " + dtypeName(tensor.dtype()) +
            " has no NumPy dtype; convert the tensor to f32 first";
    return false;
  }
  std::string dict =
      std::string("{'descr': '") + (dtypeSize(npy->type) == 1 ? "|" : "<") +
      npy->code +
      "', 'fortran_order': False, 'shape': " + shapeTuple(tensor.shape()) +
      ", }";
  // Version 1.0 has a 16-bit header length; 2.0 is only for headers that
  // need more (shapes of thousands of dimensions).
  bool v1 = dict.size() + 1 + 63 <= 0xFFFF;
  size_t prefixBytes = v1 ? 10 : 12;
  // NumPy pads so the data starts 64-byte aligned.
  size_t total = prefixBytes + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string prefix(kMagic, kMagicLen);
  prefix += char(v1 ? 1 : 2);
  prefix += char(0);
  for (size_t i = 0; i < prefixBytes - 8; ++i)
    prefix += char((dict.size() >> (8 * i)) & 0xFF);
  io::AtomicFile out;
  return out.open(path, error) &&
         out.write(prefix.data(), prefix.size(), error) &&
         out.write(dict.data(), dict.size(), error) &&
         out.write(tensor.raw(), tensor.bytes(), error) && out.commit(error);
}
