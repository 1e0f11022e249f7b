//===- Json.h - A small strict JSON parser and writer helpers ----*- C++
//-*-===//
//
// Enough JSON (RFC 8259) for file headers such as safetensors', written to be
// safe on hostile input: nesting depth is bounded so recursion cannot
// overflow the stack, strings must be valid UTF-8 with no raw control
// characters, lone surrogates and duplicate object keys are errors, and
// nothing is accepted after the value except whitespace. Numbers keep their
// literal text so that integers are read exactly (no round trip via double).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_IO_JSON_H
#define NNC_RUNTIME_IO_JSON_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nnc::rt::json {

struct Value {
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Kind kind = Kind::Null;
  bool boolean = false;
  /// String: the decoded UTF-8 text. Number: the literal as written.
  std::string text;
  std::vector<Value> items;                           // Array
  std::vector<std::pair<std::string, Value>> members; // Object, file order

  /// The number as an int64 if it is an integer literal (no fraction or
  /// exponent) that fits; nullopt otherwise (and for non-numbers).
  std::optional<int64_t> asInt64() const;
  /// The member named `key` of an object, or nullptr.
  const Value *find(std::string_view key) const;
  /// "a string", "an array", ... for error messages.
  const char *describe() const;
};

/// Parses `text` as one JSON value surrounded by optional whitespace. Arrays
/// and objects nested deeper than `maxDepth` are an error, and so are more
/// than `maxValues` values in all: each costs ~100 bytes in memory against 2
/// bytes of text ("0,"), so the cap bounds what a hostile header can make us
/// allocate. On error returns nullopt with `error` = "at byte N: problem".
std::optional<Value> parse(std::string_view text, std::string &error,
                           int maxDepth = 64, size_t maxValues = 1 << 22);

/// `s` as a JSON string literal, quotes included (escaping as serde_json
/// does: \" \\ \b \f \n \r \t, other control characters as \u00XX).
std::string quote(std::string_view s);

/// True if `s` is well-formed UTF-8 (no overlong forms, surrogates or code
/// points above U+10FFFF).
bool isValidUtf8(std::string_view s);

} // namespace nnc::rt::json

#endif // NNC_RUNTIME_IO_JSON_H
