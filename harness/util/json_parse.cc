#include "util/json_parse.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "util/utf8.h"

namespace sre_eval {

namespace {

// nlohmann words an error "[json.exception.parse_error.101] parse error at line 1, column 2:
// syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal".
// The reason is the part after " - " up to "; " (what follows repeats the input, which may
// be anything); an error with no " - " keeps what follows "] ".
std::string ReasonIn(absl::string_view what) {
  size_t dash = what.find(" - ");
  if (dash != absl::string_view::npos) {
    what.remove_prefix(dash + 3);
  } else if (size_t bracket = what.find("] "); bracket != absl::string_view::npos) {
    what.remove_prefix(bracket + 2);
  }
  return std::string(what.substr(0, what.find("; ")));
}

// ParseJsonFast's reader: a recursive descent over the bytes that gives up (returns false) on
// anything it does not read exactly as nlohmann does.
class FastReader {
 public:
  explicit FastReader(absl::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool Document(nlohmann::json* out) {
    SkipSpace();
    if (!Value(out, 0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  static constexpr int kMaxDepth = 64;

  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool Take(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  bool Value(nlohmann::json* out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return Object(out, depth + 1);
      case '[':
        return Array(out, depth + 1);
      case '"': {
        std::string s;
        if (!String(&s)) return false;
        *out = std::move(s);
        return true;
      }
      case 't':
        return Literal("true", out, nlohmann::json(true));
      case 'f':
        return Literal("false", out, nlohmann::json(false));
      case 'n':
        return Literal("null", out, nlohmann::json(nullptr));
      default:
        return Number(out);
    }
  }

  bool Literal(absl::string_view word, nlohmann::json* out, nlohmann::json value) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        absl::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    *out = std::move(value);
    return true;
  }

  bool Object(nlohmann::json* out, int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;
    *out = nlohmann::json::object();
    auto& object = out->get_ref<nlohmann::json::object_t&>();
    SkipSpace();
    if (Take('}')) return true;
    for (;;) {
      std::string key;
      if (p_ == end_ || *p_ != '"' || !String(&key)) return false;
      SkipSpace();
      if (!Take(':')) return false;
      SkipSpace();
      nlohmann::json value;
      if (!Value(&value, depth)) return false;
      // nlohmann keeps the last of a repeated key; leave that to it.
      if (!object.emplace(std::move(key), std::move(value)).second) return false;
      SkipSpace();
      if (Take('}')) return true;
      if (!Take(',')) return false;
      SkipSpace();
    }
  }

  bool Array(nlohmann::json* out, int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;
    *out = nlohmann::json::array();
    auto& array = out->get_ref<nlohmann::json::array_t&>();
    SkipSpace();
    if (Take(']')) return true;
    for (;;) {
      array.emplace_back();
      if (!Value(&array.back(), depth)) return false;
      SkipSpace();
      if (Take(']')) return true;
      if (!Take(',')) return false;
      SkipSpace();
    }
  }

  // At the opening quote.
  bool String(std::string* out) {
    ++p_;
    for (;;) {
      const char* run = p_;
      // Eight bytes at a time while none is a control character, '"' or '\\'.
      while (end_ - p_ >= 8) {
        constexpr uint64_t kLow = 0x0101010101010101ull;
        constexpr uint64_t kHigh = 0x8080808080808080ull;
        uint64_t w;
        std::memcpy(&w, p_, 8);
        auto has_zero = [](uint64_t x) { return (x - kLow) & ~x & kHigh; };
        if ((((w - kLow * 0x20) & ~w & kHigh) | has_zero(w ^ (kLow * '"')) |
             has_zero(w ^ (kLow * '\\'))) != 0) {
          break;
        }
        p_ += 8;
      }
      while (p_ < end_) {
        const unsigned char c = static_cast<unsigned char>(*p_);
        if (c < 0x20 || c == '"' || c == '\\') break;
        ++p_;
      }
      absl::string_view raw(run, static_cast<size_t>(p_ - run));
      if (!IsValidUtf8(raw)) return false;  // nlohmann's error, worded by it
      out->append(raw.data(), raw.size());
      if (p_ == end_ || static_cast<unsigned char>(*p_) < 0x20) return false;
      if (*p_++ == '"') return true;
      if (p_ == end_) return false;
      switch (*p_++) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t code = 0;
          if (!Hex4(&code)) return false;
          if (code >= 0xD800 && code <= 0xDBFF) {
            uint32_t low = 0;
            if (!Take('\\') || !Take('u') || !Hex4(&low) || low < 0xDC00 || low > 0xDFFF) {
              return false;
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return false;
          }
          AppendUtf8(code, out);
          break;
        }
        default:
          return false;
      }
    }
  }

  bool Hex4(uint32_t* code) {
    if (end_ - p_ < 4) return false;
    for (int i = 0; i < 4; ++i) {
      const char c = *p_++;
      uint32_t digit;
      if (c >= '0' && c <= '9') {
        digit = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
      *code = *code * 16 + digit;
    }
    return true;
  }

  static void AppendUtf8(uint32_t code, std::string* out) {
    if (code < 0x80) {
      out->push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (code >> 6)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (code >> 12)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (code >> 18)));
      out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  // An integer: '-'? ('0' | [1-9][0-9]*), with no fraction or exponent after it.
  bool Number(nlohmann::json* out) {
    const bool negative = Take('-');
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    uint64_t value = 0;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
        const uint64_t digit = static_cast<uint64_t>(*p_ - '0');
        if (value > (UINT64_MAX - digit) / 10) return false;  // nlohmann makes it a double
        value = value * 10 + digit;
        ++p_;
      }
    }
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E' || (*p_ >= '0' && *p_ <= '9'))) {
      return false;
    }
    if (!negative) {
      *out = value;  // number_unsigned, as nlohmann reads it
      return true;
    }
    if (value > uint64_t{1} << 63) return false;
    *out = value == uint64_t{1} << 63 ? INT64_MIN : -static_cast<int64_t>(value);
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool ParseJsonFast(absl::string_view text, nlohmann::json* out) {
  return FastReader(text).Document(out);
}

std::string JsonErrorReason(const std::exception& e) { return ReasonIn(e.what()); }

absl::Status JsonParseError(const std::exception& e, absl::string_view text,
                            const std::string& file, int line) {
  std::string reason = JsonErrorReason(e);
  std::string message =
      reason.empty() ? "not valid JSON" : absl::StrCat("not valid JSON: ", reason);
  const auto* parse_error = dynamic_cast<const nlohmann::json::parse_error*>(&e);
  if (parse_error == nullptr) return absl::InvalidArgumentError(absl::StrCat(file, ": ", message));
  // `byte` is 1-based: the byte the parser stopped at (one past the end for a cut document).
  size_t offset = parse_error->byte > 0 ? parse_error->byte - 1 : 0;
  int column = 0;
  if (line > 0) {
    column = static_cast<int>(offset) + 1;
  } else {
    LineAndColumn(text, offset, &line, &column);
  }
  return absl::InvalidArgumentError(absl::StrCat(file, ":", line, ":", column, ": ", message));
}

}  // namespace sre_eval
