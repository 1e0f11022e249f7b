//===- Json.cpp - A small strict JSON parser and writer helpers -----------===//

#include "runtime/io/Json.h"

#include <cerrno>
#include <cstdlib>
#include <set>

using namespace nnc::rt;
using json::Value;

/// Length of the UTF-8 sequence starting at s[i], or 0 if it is malformed.
static size_t utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100;
  };
  auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  unsigned b = byte(0);
  if (b < 0x80)
    return 1;
  if (b >= 0xC2 && b <= 0xDF)
    return cont(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    // E0 needs A0..BF next (no overlong forms), ED needs 80..9F (no
    // surrogates).
    unsigned lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
    return byte(1) >= lo && byte(1) <= hi && cont(2) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    unsigned lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
    return byte(1) >= lo && byte(1) <= hi && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

bool json::isValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8SequenceLength(s, i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

static void appendUtf8(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

namespace {

class Parser {
public:
  Parser(std::string_view text, int maxDepth, size_t maxValues)
      : text(text), maxDepth(maxDepth), maxValues(maxValues) {}

  std::optional<Value> parseDocument(std::string &error) {
    Value v;
    skipSpace();
    if (parseValue(v, 0)) {
      skipSpace();
      if (pos != text.size())
        fail("unexpected '" + printable(text[pos]) + "' after the JSON value");
    }
    if (!problem.empty()) {
      error = "at byte " + std::to_string(pos) + ": " + problem;
      return std::nullopt;
    }
    return v;
  }

private:
  bool fail(std::string msg) {
    if (problem.empty())
      problem = std::move(msg);
    return false;
  }

  static std::string printable(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F)
      return std::string(1, c);
    static const char *hex = "0123456789abcdef";
    return std::string("\\x") + hex[u >> 4] + hex[u & 15];
  }

  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }

  bool consumeWord(std::string_view word) {
    if (text.substr(pos, word.size()) != word)
      return false;
    pos += word.size();
    return true;
  }

  bool parseValue(Value &v, int depth) {
    if (++numValues > maxValues)
      return fail("more than " + std::to_string(maxValues) + " values");
    if (pos >= text.size())
      return fail("unexpected end of input, expected a value");
    char c = text[pos];
    switch (c) {
    case '{':
    case '[':
      if (depth >= maxDepth)
        return fail("nesting deeper than " + std::to_string(maxDepth) +
                    " levels");
      return c == '{' ? parseObject(v, depth + 1) : parseArray(v, depth + 1);
    case '"':
      v.kind = Value::Kind::String;
      return parseString(v.text);
    case 't':
    case 'f':
      v.kind = Value::Kind::Bool;
      v.boolean = c == 't';
      if (consumeWord(c == 't' ? "true" : "false"))
        return true;
      return fail("invalid literal");
    case 'n':
      v.kind = Value::Kind::Null;
      if (consumeWord("null"))
        return true;
      return fail("invalid literal");
    default:
      if (c == '-' || (c >= '0' && c <= '9'))
        return parseNumber(v);
      return fail("unexpected '" + printable(c) + "', expected a value");
    }
  }

  bool digitAt(size_t i) const {
    return i < text.size() && text[i] >= '0' && text[i] <= '9';
  }

  bool parseNumber(Value &v) {
    size_t start = pos;
    if (text[pos] == '-')
      ++pos;
    if (!digitAt(pos))
      return fail("a number needs digits");
    if (text[pos] == '0' && digitAt(pos + 1))
      return fail("numbers may not have leading zeros");
    while (digitAt(pos))
      ++pos;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      if (!digitAt(pos))
        return fail("a fraction needs digits after '.'");
      while (digitAt(pos))
        ++pos;
    }
    if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
      ++pos;
      if (pos < text.size() && (text[pos] == '+' || text[pos] == '-'))
        ++pos;
      if (!digitAt(pos))
        return fail("an exponent needs digits");
      while (digitAt(pos))
        ++pos;
    }
    v.kind = Value::Kind::Number;
    v.text = std::string(text.substr(start, pos - start));
    return true;
  }

  bool parseHex4(uint32_t &out) {
    if (pos + 4 > text.size())
      return fail("unterminated \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char h = text[pos++];
      out <<= 4;
      if (h >= '0' && h <= '9')
        out |= uint32_t(h - '0');
      else if (h >= 'a' && h <= 'f')
        out |= uint32_t(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        out |= uint32_t(h - 'A' + 10);
      else
        return fail("invalid hex digit in \\u escape");
    }
    return true;
  }

  bool parseEscape(std::string &out) {
    if (pos >= text.size())
      return fail("unterminated string");
    char e = text[pos++];
    switch (e) {
    case '"':
    case '\\':
    case '/':
      out += e;
      return true;
    case 'b':
      out += '\b';
      return true;
    case 'f':
      out += '\f';
      return true;
    case 'n':
      out += '\n';
      return true;
    case 'r':
      out += '\r';
      return true;
    case 't':
      out += '\t';
      return true;
    case 'u': {
      uint32_t cp;
      if (!parseHex4(cp))
        return false;
      if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail("lone low surrogate in \\u escape");
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t lo;
        if (!consumeWord("\\u") || !parseHex4(lo) || lo < 0xDC00 || lo > 0xDFFF)
          return fail("high surrogate not followed by a low surrogate");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      }
      appendUtf8(out, cp);
      return true;
    }
    default:
      return fail("invalid escape '\\" + printable(e) + "'");
    }
  }

  bool parseString(std::string &out) {
    ++pos; // opening quote
    out.clear();
    while (true) {
      if (pos >= text.size())
        return fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(text[pos]);
      if (c == '"') {
        ++pos;
        return true;
      }
      if (c == '\\') {
        ++pos;
        if (!parseEscape(out))
          return false;
        continue;
      }
      if (c < 0x20)
        return fail("control character in string (must be escaped)");
      size_t n = utf8SequenceLength(text, pos);
      if (n == 0)
        return fail("invalid UTF-8 in string");
      out.append(text.data() + pos, n);
      pos += n;
    }
  }

  bool parseArray(Value &v, int depth) {
    v.kind = Value::Kind::Array;
    ++pos;
    skipSpace();
    if (pos < text.size() && text[pos] == ']') {
      ++pos;
      return true;
    }
    while (true) {
      v.items.emplace_back();
      if (!parseValue(v.items.back(), depth))
        return false;
      skipSpace();
      if (pos >= text.size())
        return fail("unterminated array");
      if (text[pos] == ']') {
        ++pos;
        return true;
      }
      if (text[pos] != ',')
        return fail("expected ',' or ']' in array");
      ++pos;
      skipSpace();
    }
  }

  bool parseObject(Value &v, int depth) {
    v.kind = Value::Kind::Object;
    ++pos;
    skipSpace();
    if (pos < text.size() && text[pos] == '}') {
      ++pos;
      return true;
    }
    std::set<std::string> seen;
    while (true) {
      if (pos >= text.size() || text[pos] != '"')
        return fail(pos >= text.size() ? "unterminated object"
                                       : "expected a string key in object");
      std::string key;
      size_t keyPos = pos;
      if (!parseString(key))
        return false;
      if (!seen.insert(key).second) {
        pos = keyPos;
        return fail("duplicate key " + json::quote(key));
      }
      skipSpace();
      if (pos >= text.size() || text[pos] != ':')
        return fail("expected ':' after object key");
      ++pos;
      skipSpace();
      v.members.emplace_back(std::move(key), Value());
      if (!parseValue(v.members.back().second, depth))
        return false;
      skipSpace();
      if (pos >= text.size())
        return fail("unterminated object");
      if (text[pos] == '}') {
        ++pos;
        return true;
      }
      if (text[pos] != ',')
        return fail("expected ',' or '}' in object");
      ++pos;
      skipSpace();
    }
  }

  std::string_view text;
  int maxDepth;
  size_t maxValues;
  size_t numValues = 0;
  size_t pos = 0;
  std::string problem;
};

} // namespace

std::optional<Value> json::parse(std::string_view text, std::string &error,
                                 int maxDepth, size_t maxValues) {
  return Parser(text, maxDepth, maxValues).parseDocument(error);
}

std::optional<int64_t> Value::asInt64() const {
  if (kind != Kind::Number || text.find_first_of(".eE") != std::string::npos)
    return std::nullopt;
  errno = 0;
  char *end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE || end != text.c_str() + text.size())
    return std::nullopt;
  return int64_t(v);
}

const Value *Value::find(std::string_view key) const {
  for (const auto &[k, v] : members)
    if (k == key)
      return &v;
  return nullptr;
}

const char *Value::describe() const {
  switch (kind) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return "a boolean";
  case Kind::Number:
    return "a number";
  case Kind::String:
    return "a string";
  case Kind::Array:
    return "an array";
  case Kind::Object:
    return "an object";
  }
  return "a value";
}

std::string json::quote(std::string_view s) {
  static const char *hex = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (u < 0x20) {
        out += "\\u00";
        out += hex[u >> 4];
        out += hex[u & 15];
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}
