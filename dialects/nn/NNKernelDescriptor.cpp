//===- NNKernelDescriptor.cpp - Kernel descriptors of nn ops --------------===//

#include "dialects/nn/NNKernelDescriptor.h"
#include "runtime/abi/KernelDescriptor.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"

#include <cstdio>

using namespace mlir;

/// The descriptor spelling of a tensor's element type, or null.
const char *nnc::nn::runtimeDTypeName(Type e) {
  if (e.isF32())
    return "f32";
  if (e.isF64())
    return "f64";
  if (e.isF16())
    return "f16";
  if (e.isBF16())
    return "bf16";
  if (e.isSignlessInteger(64))
    return "i64";
  if (e.isSignlessInteger(32))
    return "i32";
  if (e.isSignlessInteger(8))
    return "i8";
  if (e.isUnsignedInteger(8))
    return "u8";
  if (e.isSignlessInteger(1))
    return "i1";
  return nullptr;
}

static std::string formatDouble(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.17g", v);
  return buffer;
}

static bool intValue(IntegerAttr a, int64_t &v) {
  if (auto b = dyn_cast<BoolAttr>(a)) {
    v = b.getValue();
    return true;
  }
  const APInt &value = a.getValue();
  if (value.getBitWidth() > 64)
    return false;
  v = a.getType().isUnsignedInteger() ? int64_t(value.getZExtValue())
                                      : value.getSExtValue();
  return true;
}

static bool symbolName(Attribute a, std::string &name) {
  if (auto s = dyn_cast<StringAttr>(a))
    name = s.str();
  else if (auto ref = dyn_cast<SymbolRefAttr>(a))
    name = ref.getRootReference().str();
  else
    return false;
  return true;
}

/// The `i:`, `f:` or `s:` value of `attr`; false for other kinds.
static bool encodeValue(Attribute attr, std::string &out) {
  auto join = [&](char kind, const auto &items, auto format) {
    out = std::string(1, kind) + ":";
    bool first = true;
    for (const auto &item : items) {
      out += (first ? "" : ",") + format(item);
      first = false;
    }
    return true;
  };
  auto asInt = [](int64_t v) { return std::to_string(v); };
  auto asString = [](const std::string &s) {
    return nnc::rt::abi::escapeDescriptorString(s);
  };
  int64_t v;
  std::string s;
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return intValue(i, v) && join('i', std::vector<int64_t>{v}, asInt);
  if (isa<UnitAttr>(attr))
    return join('i', std::vector<int64_t>{1}, asInt);
  if (auto f = dyn_cast<FloatAttr>(attr))
    return join('f', std::vector<double>{f.getValueAsDouble()}, formatDouble);
  if (symbolName(attr, s))
    return join('s', std::vector<std::string>{s}, asString);
  if (auto a = dyn_cast<DenseI64ArrayAttr>(attr))
    return join('i', a.asArrayRef(), asInt);
  if (auto a = dyn_cast<DenseI32ArrayAttr>(attr))
    return join('i', a.asArrayRef(), asInt);
  if (auto a = dyn_cast<DenseI16ArrayAttr>(attr))
    return join('i', a.asArrayRef(), asInt);
  if (auto a = dyn_cast<DenseI8ArrayAttr>(attr))
    return join('i', a.asArrayRef(), asInt);
  if (auto a = dyn_cast<DenseBoolArrayAttr>(attr))
    return join('i', a.asArrayRef(), asInt);
  if (auto a = dyn_cast<DenseF64ArrayAttr>(attr))
    return join('f', a.asArrayRef(), formatDouble);
  if (auto a = dyn_cast<DenseF32ArrayAttr>(attr))
    return join('f', a.asArrayRef(), formatDouble);
  auto array = dyn_cast<ArrayAttr>(attr);
  if (!array)
    return false;
  // An empty array has no element kind; every reader takes `i:` as empty.
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;
  for (Attribute e : array) {
    if (auto i = dyn_cast<IntegerAttr>(e)) {
      if (!intValue(i, v))
        return false;
      ints.push_back(v);
    } else if (auto f = dyn_cast<FloatAttr>(e)) {
      floats.push_back(f.getValueAsDouble());
    } else if (symbolName(e, s)) {
      strings.push_back(s);
    } else {
      return false;
    }
  }
  size_t kinds = !ints.empty() + !floats.empty() + !strings.empty();
  if (kinds > 1)
    return false;
  if (!floats.empty())
    return join('f', floats, formatDouble);
  if (!strings.empty())
    return join('s', strings, asString);
  return join('i', ints, asInt);
}

FailureOr<std::string> nnc::nn::encodeKernelDescriptor(Operation *op,
                                                       std::string &error,
                                                       bool dropIndexOperands) {
  std::string opName = op->getName().getStringRef().str();
  auto fail = [&](const std::string &why) {
    error = "'" + opName + "': " + why;
    return failure();
  };
  if (op->getName().getDialectNamespace() != "nn")
    return fail("only nn ops have kernel descriptors");
  // Segment sizes would still count the dropped operands.
  if (dropIndexOperands && op->hasTrait<OpTrait::AttrSizedOperandSegments>())
    for (Value operand : op->getOperands())
      if (operand.getType().isIndex())
        return fail("cannot drop the index operands of an op with operand "
                    "segments");
  std::string in, out;
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    if (dropIndexOperands && operand.getType().isIndex())
      continue;
    auto tensor = dyn_cast<RankedTensorType>(operand.getType());
    const char *name =
        tensor ? runtimeDTypeName(tensor.getElementType()) : nullptr;
    if (!name)
      return fail("operand " + std::to_string(i) +
                  " is not a tensor of a runtime element type");
    in += (in.empty() ? "" : ",") + std::string(name);
  }
  for (auto [i, result] : llvm::enumerate(op->getResults())) {
    auto tensor = dyn_cast<RankedTensorType>(result.getType());
    const char *name =
        tensor ? runtimeDTypeName(tensor.getElementType()) : nullptr;
    if (!name)
      return fail("result " + std::to_string(i) +
                  " is not a tensor of a runtime element type");
    out += (out.empty() ? "" : ",") + std::string(name);
  }
  std::string text = "op=" + op->getName().stripDialect().str() + "\nin=" + in +
                     "\nout=" + out;
  // The dictionary is sorted by name.
  for (NamedAttribute attr : op->getAttrDictionary()) {
    StringRef name = attr.getName().getValue();
    if (name.contains('.') && op->getDiscardableAttr(attr.getName()))
      continue;
    if (name.empty() || name.find_first_of("=\n,%") != StringRef::npos)
      return fail("attribute name '" + name.str() +
                  "' cannot appear in a kernel descriptor");
    std::string value;
    if (!encodeValue(attr.getValue(), value))
      return fail("attribute '" + name.str() +
                  "' has no kernel descriptor encoding");
    text += "\na." + name.str() + "=" + value;
  }
  return text;
}
