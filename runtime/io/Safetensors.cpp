//===- Safetensors.cpp - Read and write .safetensors files ----------------===//

#include "runtime/io/Safetensors.h"

#include "runtime/io/FileIO.h"
#include "runtime/io/Json.h"

#include <algorithm>

using namespace nnc::rt;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian and is read without swapping");

namespace {

struct DTypeName {
  DType type;
  const char *name;
  /// Position in the reference implementation's Dtype enum, which is in
  /// increasing alignment; the writer orders tensors by it, descending.
  int alignmentRank;
};

const DTypeName kDTypes[] = {
    {DType::Bool, "BOOL", 0}, {DType::U8, "U8", 1},     {DType::I8, "I8", 2},
    {DType::F16, "F16", 7},   {DType::BF16, "BF16", 8}, {DType::I32, "I32", 9},
    {DType::F32, "F32", 11},  {DType::F64, "F64", 12},  {DType::I64, "I64", 13},
};

const DTypeName &entryFor(DType t) {
  for (const DTypeName &e : kDTypes)
    if (e.type == t)
      return e;
  return kDTypes[0]; // unreachable: every DType has an entry
}

/// A tensor's header entry, validated on its own (not yet against others).
struct TensorInfo {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

std::string shapeText(const char *dtype, const Shape &shape) {
  return std::string(dtype) + shapeString(shape);
}

std::string offsetsText(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

/// Checks one "name": {...} entry; `where` is `path: tensor "name"`.
bool parseTensorInfo(const std::string &where, const std::string &name,
                     const json::Value &v, uint64_t dataBytes, TensorInfo &info,
                     std::string &error) {
  if (v.kind != json::Value::Kind::Object) {
    error = where +
            ": expected an object with dtype, shape and "
            "data_offsets, found " +
            v.describe();
    return false;
  }
  for (const auto &[key, value] : v.members)
    if (key != "dtype" && key != "shape" && key != "data_offsets") {
      error = where + ": unknown field " + json::quote(key);
      return false;
    }
  const json::Value *dtype = v.find("dtype"), *shape = v.find("shape"),
                    *offsets = v.find("data_offsets");
  for (auto [field, fieldName] :
       {std::pair(dtype, "dtype"), std::pair(shape, "shape"),
        std::pair(offsets, "data_offsets")})
    if (!field) {
      error = where + ": missing field '" + fieldName + "'";
      return false;
    }
  info.name = name;

  if (dtype->kind != json::Value::Kind::String) {
    error = where + ": dtype must be a string, found " + dtype->describe();
    return false;
  }
  const DTypeName *entry = nullptr;
  for (const DTypeName &e : kDTypes)
    if (dtype->text == e.name)
      entry = &e;
  if (!entry) {
    error = where + ": unsupported dtype " + json::quote(dtype->text) +
            " (supported: BOOL U8 I8 F16 BF16 I32 F32 F64 I64)";
    return false;
  }
  info.dtype = entry->type;

  if (shape->kind != json::Value::Kind::Array) {
    error = where + ": shape must be an array, found " + shape->describe();
    return false;
  }
  for (size_t i = 0; i < shape->items.size(); ++i) {
    std::optional<int64_t> d = shape->items[i].asInt64();
    std::string at = where + ": shape[" + std::to_string(i) + "]";
    if (!d) {
      error = at + " is not an integer in int64 range";
      return false;
    }
    if (*d < 0) {
      error = at + " is " + std::to_string(*d) +
              "; dimensions must be non-negative";
      return false;
    }
    info.shape.push_back(*d);
  }
  uint64_t bytes;
  if (!io::shapeBytes(dtypeSize(info.dtype), info.shape, bytes)) {
    error = where + ": " + shapeText(entry->name, info.shape) +
            " is too large (its size overflows 63 bits)";
    return false;
  }

  if (offsets->kind != json::Value::Kind::Array || offsets->items.size() != 2) {
    error = where + ": data_offsets must be an array [begin, end], found " +
            (offsets->kind == json::Value::Kind::Array
                 ? "an array of " + std::to_string(offsets->items.size())
                 : std::string(offsets->describe()));
    return false;
  }
  std::optional<int64_t> b = offsets->items[0].asInt64(),
                         e = offsets->items[1].asInt64();
  if (!b || !e || *b < 0 || *e < 0) {
    error = where + ": data_offsets must be non-negative integers, found [" +
            offsets->items[0].text + ", " + offsets->items[1].text + "]";
    return false;
  }
  info.begin = uint64_t(*b);
  info.end = uint64_t(*e);
  if (info.begin > info.end) {
    error = where + ": data_offsets " + offsetsText(info.begin, info.end) +
            " end before they begin";
    return false;
  }
  if (info.end - info.begin != bytes) {
    error = where + ": data_offsets " + offsetsText(info.begin, info.end) +
            " hold " + std::to_string(info.end - info.begin) + " bytes but " +
            shapeText(entry->name, info.shape) + " needs " +
            std::to_string(bytes);
    return false;
  }
  if (info.end > dataBytes) {
    error = where + ": data_offsets " + offsetsText(info.begin, info.end) +
            " run past the end of the data section (" +
            std::to_string(dataBytes) + " bytes)";
    return false;
  }
  return true;
}

/// The spec requires the tensors to tile the data section exactly: sorted by
/// offset, each begins where the previous one ended and the last one ends at
/// the end of the file.
bool checkTiling(const std::string &path, std::vector<TensorInfo> &infos,
                 uint64_t dataBytes, std::string &error) {
  std::sort(infos.begin(), infos.end(),
            [](const TensorInfo &a, const TensorInfo &b) {
              return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
            });
  uint64_t covered = 0;
  const TensorInfo *prev = nullptr;
  for (const TensorInfo &t : infos) {
    std::string where = path + ": tensor " + json::quote(t.name);
    if (t.begin < covered) {
      error = where + ": data_offsets " + offsetsText(t.begin, t.end) +
              " overlap tensor " + json::quote(prev->name) + " " +
              offsetsText(prev->begin, prev->end);
      return false;
    }
    if (t.begin > covered) {
      error = where + ": data_offsets " + offsetsText(t.begin, t.end) +
              " leave a gap: data bytes [" + std::to_string(covered) + ", " +
              std::to_string(t.begin) + ") belong to no tensor";
      return false;
    }
    covered = t.end;
    prev = &t;
  }
  if (covered != dataBytes) {
    error = path + ": the tensors cover " + std::to_string(covered) +
            " bytes of the " + std::to_string(dataBytes) +
            "-byte data section; the rest belongs to no tensor";
    return false;
  }
  return true;
}

bool parseMetadata(const std::string &path, const json::Value &v,
                   std::map<std::string, std::string> *metadata,
                   std::string &error) {
  if (v.kind != json::Value::Kind::Object) {
    error = path + ": __metadata__ must be an object, found " + v.describe();
    return false;
  }
  for (const auto &[key, value] : v.members) {
    if (value.kind != json::Value::Kind::String) {
      error = path + ": __metadata__ field " + json::quote(key) +
              " must be a string, found " + value.describe();
      return false;
    }
    if (metadata)
      (*metadata)[key] = value.text;
  }
  return true;
}

/// A safetensors image in memory, read through the same interface as
/// io::InputFile so that one reader validates both.
class MemoryInput {
public:
  MemoryInput(const void *data, size_t bytes, const std::string &name)
      : data(static_cast<const char *>(data)), bytes(bytes), name(name) {}
  uint64_t size() const { return bytes; }
  bool readAt(uint64_t offset, void *dst, size_t n, const char *what,
              std::string &error) const {
    if (offset > bytes || n > bytes - offset) {
      error = name + ": " + what + " runs past the end of the data";
      return false;
    }
    std::copy_n(data + offset, n, static_cast<char *>(dst));
    return true;
  }

private:
  const char *data;
  size_t bytes;
  const std::string &name;
};

/// Reads the image in `file` (an io::InputFile or a MemoryInput); `path`
/// names it in errors.
template <typename Input>
std::optional<std::map<std::string, Tensor>>
readImage(const std::string &path, const Input &file, std::string &error,
          std::map<std::string, std::string> *metadata) {
  if (file.size() < 8) {
    error = path + ": file is " + std::to_string(file.size()) +
            " bytes, too short for the 8-byte header length";
    return std::nullopt;
  }
  unsigned char lenBytes[8];
  if (!file.readAt(0, lenBytes, 8, "header length", error))
    return std::nullopt;
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i)
    headerBytes = (headerBytes << 8) | lenBytes[i];
  if (headerBytes > file.size() - 8) {
    error = path + ": header length " + std::to_string(headerBytes) +
            " exceeds the " + std::to_string(file.size() - 8) +
            " bytes after the length field";
    return std::nullopt;
  }
  if (headerBytes > kSafetensorsMaxHeaderBytes) {
    error = path + ": header length " + std::to_string(headerBytes) +
            " exceeds the 100 MiB limit";
    return std::nullopt;
  }
  std::string header(headerBytes, '\0');
  if (!file.readAt(8, header.data(), header.size(), "header", error))
    return std::nullopt;
  if (header.empty() || header[0] != '{') {
    error = path + ": header does not start with '{'";
    return std::nullopt;
  }
  std::string jsonError;
  std::optional<json::Value> root = json::parse(header, jsonError);
  if (!root) {
    error = path + ": header JSON " + jsonError;
    return std::nullopt;
  }

  uint64_t dataStart = 8 + headerBytes;
  uint64_t dataBytes = file.size() - dataStart;
  std::vector<TensorInfo> infos;
  if (metadata)
    metadata->clear();
  for (const auto &[name, value] : root->members) {
    if (name == "__metadata__") {
      if (!parseMetadata(path, value, metadata, error))
        return std::nullopt;
      continue;
    }
    infos.emplace_back();
    if (!parseTensorInfo(path + ": tensor " + json::quote(name), name, value,
                         dataBytes, infos.back(), error))
      return std::nullopt;
  }
  if (!checkTiling(path, infos, dataBytes, error))
    return std::nullopt;

  // Everything is validated against the file size, so each allocation below
  // is bounded by the file and each read lands inside it.
  std::map<std::string, Tensor> tensors;
  for (const TensorInfo &info : infos) {
    Tensor t(info.dtype, info.shape);
    std::string what = "tensor " + json::quote(info.name);
    if (!file.readAt(dataStart + info.begin, t.raw(), t.bytes(), what.c_str(),
                     error))
      return std::nullopt;
    if (info.dtype == DType::Bool &&
        !io::checkBoolValues(path + ": " + what, t, error))
      return std::nullopt;
    tensors.emplace(info.name, std::move(t));
  }
  return tensors;
}

} // namespace

std::optional<std::map<std::string, Tensor>>
nnc::rt::readSafetensors(const std::string &path, std::string &error,
                         std::map<std::string, std::string> *metadata) {
  io::InputFile file;
  if (!file.open(path, error))
    return std::nullopt;
  return readImage(path, file, error, metadata);
}

std::optional<std::map<std::string, Tensor>>
nnc::rt::readSafetensorsBuffer(const void *data, size_t size,
                               const std::string &name, std::string &error,
                               std::map<std::string, std::string> *metadata) {
  if (!data && size) {
    error = name + ": no data";
    return std::nullopt;
  }
  return readImage(name, MemoryInput(data, size, name), error, metadata);
}

static std::string tensorEntry(const std::string &name, const Tensor &t,
                               uint64_t begin) {
  std::string s = json::quote(name) + ":{\"dtype\":\"" +
                  entryFor(t.dtype()).name + "\",\"shape\":[";
  for (int64_t i = 0; i < t.rank(); ++i)
    s += (i ? "," : "") + std::to_string(t.dim(i));
  return s + "],\"data_offsets\":[" + std::to_string(begin) + "," +
         std::to_string(begin + t.bytes()) + "]}";
}

bool nnc::rt::writeSafetensors(
    const std::string &path,
    const std::vector<std::pair<std::string, Tensor>> &tensors,
    std::string &error, const std::map<std::string, std::string> &metadata) {
  std::vector<const std::pair<std::string, Tensor> *> order;
  for (const auto &entry : tensors) {
    std::string where = path + ": tensor " + json::quote(entry.first);
    if (entry.first == "__metadata__") {
      error = where + ": the name is reserved for the metadata";
      return false;
    }
    if (!json::isValidUtf8(entry.first)) {
      error = where + ": the name is not valid UTF-8";
      return false;
    }
    if (!entry.second.defined()) {
      error = where + ": the tensor is undefined";
      return false;
    }
    order.push_back(&entry);
  }
  for (const auto &[key, value] : metadata)
    if (!json::isValidUtf8(key) || !json::isValidUtf8(value)) {
      error = path + ": __metadata__ field " + json::quote(key) +
              " is not valid UTF-8";
      return false;
    }
  std::sort(order.begin(), order.end(), [](const auto *a, const auto *b) {
    int ra = entryFor(a->second.dtype()).alignmentRank;
    int rb = entryFor(b->second.dtype()).alignmentRank;
    return ra != rb ? ra > rb : a->first < b->first;
  });
  for (size_t i = 1; i < order.size(); ++i)
    if (order[i]->first == order[i - 1]->first) {
      error =
          path + ": tensor " + json::quote(order[i]->first) + " appears twice";
      return false;
    }

  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto &[key, value] : metadata) {
      header +=
          (first ? "" : ",") + json::quote(key) + ":" + json::quote(value);
      first = false;
    }
    header += "}";
  }
  uint64_t offset = 0;
  for (const auto *entry : order) {
    if (header.size() > 1)
      header += ",";
    header += tensorEntry(entry->first, entry->second, offset);
    offset += entry->second.bytes();
  }
  header += "}";
  // Pad so the data section, and with the alignment-descending order every
  // tensor in it, starts 8-byte aligned in the file.
  header.append((8 - header.size() % 8) % 8, ' ');

  unsigned char lenBytes[8];
  for (int i = 0; i < 8; ++i)
    lenBytes[i] =
        static_cast<unsigned char>(uint64_t(header.size()) >> (8 * i));
  io::AtomicFile out;
  if (!out.open(path, error) || !out.write(lenBytes, 8, error) ||
      !out.write(header.data(), header.size(), error))
    return false;
  for (const auto *entry : order)
    if (!out.write(entry->second.raw(), entry->second.bytes(), error))
      return false;
  return out.commit(error);
}
