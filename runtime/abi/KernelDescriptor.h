//===- KernelDescriptor.h - Parsed kernel descriptors ------------*- C++
//-*-===//
//
// A kernel descriptor is the text that tells the runtime which nn op a
// kernel call evaluates: the op name, the dtypes of its tensor operands and
// results, and its attributes. The compiler writes one per call site
// (dialects/nn/NNKernelDescriptor.h); the reference executor encodes one per
// op. Format, one `key=value` line each, separated by '\n':
//
//   op=conv                 the nn op name without "nn."
//   in=f32,f32,f32          dtype of each tensor operand (absent optionals
//                           are simply absent)
//   out=f32                 dtype of each result
//   a.stride=i:1,1          one line per attribute, sorted by name:
//                             i: int64s (integers, bools as 0/1, unit as 1)
//                             f: doubles (printed with %.17g)
//                             s: percent-encoded strings (%25 %2C %0A %3D
//                                for '%' ',' '\n' '='; any %XX decodes)
//
// Lists are comma-separated; `i:` with nothing after the colon is an empty
// list (of any kind). dtypes: f32 f64 f16 bf16 i64 i32 i8 u8 i1.
//
// Parsing never trusts the text: anything malformed is an error that says
// what is wrong, never undefined behaviour.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_ABI_KERNELDESCRIPTOR_H
#define NNC_RUNTIME_ABI_KERNELDESCRIPTOR_H

#include "runtime/Tensor.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nnc::rt::abi {

/// One attribute's value: a list of one kind.
struct KernelAttr {
  enum class Kind : uint8_t { Ints, Floats, Strings };
  Kind kind = Kind::Ints;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;

  size_t size() const {
    return kind == Kind::Ints     ? ints.size()
           : kind == Kind::Floats ? floats.size()
                                  : strings.size();
  }
};

/// The attributes of one kernel call, by name. Readers are lenient about
/// what is absent (they return the default the op declares) and strict
/// about nothing else: an attribute of another kind or length reads as
/// absent, except that an integer reads as a float and an empty list reads
/// as an empty list of any kind. A single-string reader reads the empty
/// list as "" (a StringAttr "" and an empty array encode alike).
class KernelAttrs {
public:
  bool has(std::string_view name) const { return find(name) != nullptr; }
  const KernelAttr *find(std::string_view name) const;

  int64_t getInt(std::string_view name, int64_t otherwise = 0) const;
  bool getBool(std::string_view name, bool otherwise = false) const {
    return getInt(name, otherwise ? 1 : 0) != 0;
  }
  std::vector<int64_t> getInts(std::string_view name) const;
  double getFloat(std::string_view name, double otherwise = 0) const;
  std::vector<double> getFloats(std::string_view name) const;
  std::string getString(std::string_view name,
                        const std::string &otherwise = "") const;
  std::vector<std::string> getStrings(std::string_view name) const;

  /// Adds an attribute; false if `name` is already present.
  bool add(std::string name, KernelAttr value);
  const std::map<std::string, KernelAttr, std::less<>> &all() const {
    return attrs;
  }

private:
  std::map<std::string, KernelAttr, std::less<>> attrs;
};

struct KernelDescriptor {
  std::string op; ///< without the "nn." prefix
  std::vector<DType> operands;
  std::vector<DType> results;
  KernelAttrs attrs;
};

/// Parses `text`; on failure returns nullopt with `error` saying what is
/// malformed (and on which line).
std::optional<KernelDescriptor> parseKernelDescriptor(std::string_view text,
                                                      std::string &error);

/// The dtype called `name` in descriptors (dtypeName's spelling).
std::optional<DType> dtypeFromName(std::string_view name);

/// Percent-encodes the characters a descriptor string value cannot hold
/// ('%', ',', '\n', '=', and NUL so that descriptors stay C strings).
/// Header-only so that the compiler's encoder shares it without linking the
/// runtime.
inline std::string escapeDescriptorString(std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (c == '%' || c == ',' || c == '\n' || c == '=' || c == '\0') {
      out += '%';
      out += hex[(unsigned char)c >> 4];
      out += hex[(unsigned char)c & 15];
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace nnc::rt::abi

#endif // NNC_RUNTIME_ABI_KERNELDESCRIPTOR_H
