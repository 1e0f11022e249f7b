//===- KernelDescriptor.cpp - Parsing kernel descriptors ------------------===//

#include "runtime/abi/KernelDescriptor.h"

#include <charconv>

using namespace nnc::rt;
using namespace nnc::rt::abi;

const KernelAttr *KernelAttrs::find(std::string_view name) const {
  auto it = attrs.find(name);
  return it == attrs.end() ? nullptr : &it->second;
}

bool KernelAttrs::add(std::string name, KernelAttr value) {
  return attrs.emplace(std::move(name), std::move(value)).second;
}

int64_t KernelAttrs::getInt(std::string_view name, int64_t otherwise) const {
  const KernelAttr *a = find(name);
  if (!a || a->kind != KernelAttr::Kind::Ints || a->ints.size() != 1)
    return otherwise;
  return a->ints[0];
}

std::vector<int64_t> KernelAttrs::getInts(std::string_view name) const {
  const KernelAttr *a = find(name);
  if (!a || a->kind != KernelAttr::Kind::Ints)
    return {};
  return a->ints;
}

double KernelAttrs::getFloat(std::string_view name, double otherwise) const {
  const KernelAttr *a = find(name);
  if (!a || a->size() != 1)
    return otherwise;
  if (a->kind == KernelAttr::Kind::Floats)
    return a->floats[0];
  if (a->kind == KernelAttr::Kind::Ints)
    return double(a->ints[0]);
  return otherwise;
}

std::vector<double> KernelAttrs::getFloats(std::string_view name) const {
  const KernelAttr *a = find(name);
  if (!a)
    return {};
  if (a->kind == KernelAttr::Kind::Floats)
    return a->floats;
  if (a->kind == KernelAttr::Kind::Ints)
    return std::vector<double>(a->ints.begin(), a->ints.end());
  return {};
}

std::string KernelAttrs::getString(std::string_view name,
                                   const std::string &otherwise) const {
  const KernelAttr *a = find(name);
  if (!a || a->size() > 1)
    return otherwise;
  if (a->size() == 0)
    return "";
  return a->kind == KernelAttr::Kind::Strings ? a->strings[0] : otherwise;
}

std::vector<std::string> KernelAttrs::getStrings(std::string_view name) const {
  const KernelAttr *a = find(name);
  if (!a || a->kind != KernelAttr::Kind::Strings)
    return {};
  return a->strings;
}

std::optional<DType> nnc::rt::abi::dtypeFromName(std::string_view name) {
  for (DType t : {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I64,
                  DType::I32, DType::I8, DType::U8, DType::Bool})
    if (name == dtypeName(t))
      return t;
  return std::nullopt;
}

/// Splits `s` at commas; the empty string is the empty list.
static std::vector<std::string_view> splitList(std::string_view s) {
  std::vector<std::string_view> items;
  if (s.empty())
    return items;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    items.push_back(s.substr(start, comma - start));
    if (comma == std::string_view::npos)
      return items;
    start = comma + 1;
  }
}

static bool parseInt(std::string_view s, int64_t &value) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

static bool parseDouble(std::string_view s, double &value) {
  // from_chars is locale-independent and, unlike strtod, needs no NUL.
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

static int hexDigit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static bool unescape(std::string_view s, std::string &out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int hi = i + 2 < s.size() ? hexDigit(s[i + 1]) : -1;
    int lo = hi >= 0 ? hexDigit(s[i + 2]) : -1;
    if (lo < 0)
      return false;
    out += char(hi * 16 + lo);
    i += 2;
  }
  return true;
}

static bool parseAttrValue(std::string_view text, KernelAttr &attr,
                           std::string &why) {
  if (text.size() < 2 || text[1] != ':') {
    why = "the value must start with 'i:', 'f:' or 's:'";
    return false;
  }
  std::vector<std::string_view> items = splitList(text.substr(2));
  switch (text[0]) {
  case 'i':
    attr.kind = KernelAttr::Kind::Ints;
    for (std::string_view item : items) {
      int64_t v;
      if (!parseInt(item, v)) {
        why = "'" + std::string(item) + "' is not a 64-bit integer";
        return false;
      }
      attr.ints.push_back(v);
    }
    return true;
  case 'f':
    attr.kind = KernelAttr::Kind::Floats;
    for (std::string_view item : items) {
      double v;
      if (!parseDouble(item, v)) {
        why = "'" + std::string(item) + "' is not a number";
        return false;
      }
      attr.floats.push_back(v);
    }
    return true;
  case 's':
    attr.kind = KernelAttr::Kind::Strings;
    for (std::string_view item : items) {
      std::string v;
      if (!unescape(item, v)) {
        why = "'" + std::string(item) + "' has a bad %-escape";
        return false;
      }
      attr.strings.push_back(std::move(v));
    }
    return true;
  default:
    why = "unknown value kind '" + std::string(1, text[0]) +
          "' (expected i, f or s)";
    return false;
  }
}

static bool parseDTypes(std::string_view list, std::vector<DType> &out,
                        std::string &why) {
  for (std::string_view item : splitList(list)) {
    std::optional<DType> t = dtypeFromName(item);
    if (!t) {
      why = "unknown dtype '" + std::string(item) + "'";
      return false;
    }
    out.push_back(*t);
  }
  return true;
}

std::optional<KernelDescriptor>
nnc::rt::abi::parseKernelDescriptor(std::string_view text, std::string &error) {
  KernelDescriptor d;
  bool seenOp = false, seenIn = false, seenOut = false;
  // One trailing newline is allowed; any other empty line is not.
  if (!text.empty() && text.back() == '\n')
    text.remove_suffix(1);
  size_t lineNo = 0, start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++lineNo;
    auto fail = [&](const std::string &why) {
      error = "kernel descriptor line " + std::to_string(lineNo) + " ('" +
              std::string(line.substr(0, 60)) + "'): " + why;
      return std::nullopt;
    };
    size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      return fail("expected key=value");
    std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    std::string why;
    if (key == "op") {
      if (seenOp)
        return fail("a second 'op'");
      if (value.empty())
        return fail("empty op name");
      seenOp = true;
      d.op = std::string(value);
    } else if (key == "in" || key == "out") {
      bool &seen = key == "in" ? seenIn : seenOut;
      if (seen)
        return fail("a second '" + std::string(key) + "'");
      seen = true;
      if (!parseDTypes(value, key == "in" ? d.operands : d.results, why))
        return fail(why);
    } else if (key.size() > 2 && key.substr(0, 2) == "a.") {
      KernelAttr attr;
      if (!parseAttrValue(value, attr, why))
        return fail(why);
      if (!d.attrs.add(std::string(key.substr(2)), std::move(attr)))
        return fail("a second value for attribute '" +
                    std::string(key.substr(2)) + "'");
    } else {
      return fail("unknown key '" + std::string(key) + "'");
    }
  }
  if (!seenOp || !seenIn || !seenOut) {
    error = std::string("kernel descriptor has no '") +
            (!seenOp   ? "op"
             : !seenIn ? "in"
                       : "out") +
            "' line";
    return std::nullopt;
  }
  return d;
}
