//===- ModelSignature.cpp - The metadata of a compiled model --------------===//

#include "runtime/compiled/ModelSignature.h"

#include "runtime/io/FileIO.h"
#include "runtime/io/Json.h"

#include <algorithm>
#include <set>

using namespace nnc::rt;
using json::Value;

std::optional<DType> nnc::rt::parseDTypeName(std::string_view name) {
  for (DType t : {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I64,
                  DType::I32, DType::I8, DType::U8, DType::Bool})
    if (name == dtypeName(t))
      return t;
  return std::nullopt;
}

namespace {

/// Fails unless `v` is an object whose keys are exactly `keys`; `where`
/// names `v` in the error.
bool checkKeys(const std::string &where, const Value &v,
               std::initializer_list<const char *> keys, std::string &error) {
  if (v.kind != Value::Kind::Object) {
    error = where + " must be an object, found " + v.describe();
    return false;
  }
  for (const auto &member : v.members)
    if (std::none_of(keys.begin(), keys.end(),
                     [&](const char *k) { return member.first == k; })) {
      error = where + ": unknown field " + json::quote(member.first);
      return false;
    }
  for (const char *key : keys)
    if (!v.find(key)) {
      error = where + ": missing field \"" + key + "\"";
      return false;
    }
  return true;
}

bool getString(const std::string &where, const Value &v, std::string &out,
               std::string &error) {
  if (v.kind != Value::Kind::String) {
    error = where + " must be a string, found " + v.describe();
    return false;
  }
  out = v.text;
  return true;
}

bool parseSpec(const std::string &where, const Value &v, TensorSpec &spec,
               std::string &error) {
  if (!checkKeys(where, v, {"name", "dtype", "shape"}, error) ||
      !getString(where + ".name", *v.find("name"), spec.name, error))
    return false;
  std::string dtype;
  if (!getString(where + ".dtype", *v.find("dtype"), dtype, error))
    return false;
  std::optional<DType> t = parseDTypeName(dtype);
  if (!t) {
    error = where + ".dtype: unknown dtype " + json::quote(dtype) +
            " (known: f32 f64 f16 bf16 i64 i32 i8 u8 i1)";
    return false;
  }
  spec.dtype = *t;
  const Value &shape = *v.find("shape");
  if (shape.kind != Value::Kind::Array) {
    error = where + ".shape must be an array, found " + shape.describe();
    return false;
  }
  for (size_t i = 0; i < shape.items.size(); ++i) {
    std::optional<int64_t> d = shape.items[i].asInt64();
    if (!d || *d < 0) {
      error = where + ".shape[" + std::to_string(i) +
              "] must be a non-negative integer, found " +
              (shape.items[i].kind == Value::Kind::Number
                   ? shape.items[i].text
                   : std::string(shape.items[i].describe()));
      return false;
    }
    spec.shape.push_back(*d);
  }
  // Callers allocate these shapes, so their byte size must be representable.
  uint64_t bytes;
  if (!io::shapeBytes(dtypeSize(spec.dtype), spec.shape, bytes)) {
    error = where + ": " + spec.typeString() + " is too large";
    return false;
  }
  return true;
}

bool parseSpecs(const char *field, const Value &v,
                std::vector<TensorSpec> &specs, std::string &error) {
  if (v.kind != Value::Kind::Array) {
    error = std::string(field) + " must be an array, found " + v.describe();
    return false;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < v.items.size(); ++i) {
    std::string where = std::string(field) + "[" + std::to_string(i) + "]";
    TensorSpec spec;
    if (!parseSpec(where, v.items[i], spec, error))
      return false;
    if (!names.insert(spec.name).second) {
      error = where + ": name " + json::quote(spec.name) + " appears twice";
      return false;
    }
    specs.push_back(std::move(spec));
  }
  return true;
}

std::string specsJson(const std::vector<TensorSpec> &specs) {
  std::string s = "[";
  for (size_t i = 0; i < specs.size(); ++i) {
    const TensorSpec &spec = specs[i];
    s += (i ? ",{\"name\":" : "{\"name\":") + json::quote(spec.name) +
         ",\"dtype\":\"" + dtypeName(spec.dtype) + "\",\"shape\":[";
    for (size_t d = 0; d < spec.shape.size(); ++d)
      s += (d ? "," : "") + std::to_string(spec.shape[d]);
    s += "]}";
  }
  return s + "]";
}

} // namespace

std::optional<ModelSignature> ModelSignature::parse(std::string_view text,
                                                    std::string &error) {
  std::string jsonError;
  std::optional<Value> root = json::parse(text, jsonError);
  if (!root) {
    error = "model metadata: JSON " + jsonError;
    return std::nullopt;
  }
  const std::string where = "model metadata";
  if (!checkKeys(where, *root,
                 {"abi", "model", "function", "inputs", "outputs", "params",
                  "workspace_bytes"},
                 error))
    return std::nullopt;
  ModelSignature sig;
  const Value &abiValue = *root->find("abi");
  std::optional<int64_t> abi = abiValue.asInt64();
  if (!abi || *abi != kCompiledModelAbi) {
    error = where + ": abi " +
            (abiValue.kind == Value::Kind::Number ? abiValue.text
                                                  : abiValue.describe()) +
            " is not supported (this runtime implements abi " +
            std::to_string(kCompiledModelAbi) + "); recompile the model";
    return std::nullopt;
  }
  std::optional<int64_t> workspace = root->find("workspace_bytes")->asInt64();
  if (!workspace || *workspace < 0) {
    error = where + ": workspace_bytes must be a non-negative integer";
    return std::nullopt;
  }
  sig.workspaceBytes = uint64_t(*workspace);
  if (!getString(where + ": model", *root->find("model"), sig.model, error) ||
      !getString(where + ": function", *root->find("function"), sig.function,
                 error))
    return std::nullopt;
  for (auto [field, specs] :
       {std::pair("inputs", &sig.inputs), std::pair("outputs", &sig.outputs),
        std::pair("params", &sig.params)})
    if (!parseSpecs(field, *root->find(field), *specs, error)) {
      error = where + ": " + error;
      return std::nullopt;
    }
  return sig;
}

std::string ModelSignature::toJson() const {
  return "{\"abi\":" + std::to_string(abi) +
         ",\"model\":" + json::quote(model) +
         ",\"function\":" + json::quote(function) +
         ",\"inputs\":" + specsJson(inputs) +
         ",\"outputs\":" + specsJson(outputs) +
         ",\"params\":" + specsJson(params) +
         ",\"workspace_bytes\":" + std::to_string(workspaceBytes) + "}";
}
