#include "sim/shop/python_text.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace sre_eval {
namespace sim {
namespace {

// Digits with single underscores between them, as Python's int() and float() allow.
bool DigitPart(absl::string_view s, size_t* pos) {
  size_t i = *pos;
  if (i >= s.size() || !IsDigit(s[i])) return false;
  while (i < s.size() && (IsDigit(s[i]) || (s[i] == '_' && i + 1 < s.size() && IsDigit(s[i + 1]) &&
                                            IsDigit(s[i - 1])))) {
    ++i;
  }
  *pos = i;
  return true;
}

}  // namespace

std::string PyRepr(absl::string_view s) {
  const char quote =
      (s.find('\'') != absl::string_view::npos && s.find('"') == absl::string_view::npos) ? '"'
                                                                                          : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      absl::StrAppendFormat(&out, "\\x%02x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool ParsePyInt(absl::string_view text, int64_t* out) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  std::string clean;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean += s[i++];
  size_t end = i;
  if (!DigitPart(s, &end) || end != s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] != '_') clean += s[i];
  }
  return absl::SimpleAtoi(clean, out);
}

bool ParsePyFloat(absl::string_view text, double* out) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  std::string lower = absl::AsciiStrToLower(s);
  absl::string_view body = lower;
  double sign = 1;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    sign = body[0] == '-' ? -1 : 1;
    body.remove_prefix(1);
  }
  if (body == "inf" || body == "infinity") {
    *out = sign * HUGE_VAL;
    return true;
  }
  if (body == "nan") {
    *out = std::nan("");
    return true;
  }
  size_t i = 0;
  const bool int_part = DigitPart(body, &i);
  bool frac_part = false;
  if (i < body.size() && body[i] == '.') {
    ++i;
    frac_part = DigitPart(body, &i);
  }
  if (!int_part && !frac_part) return false;
  if (i < body.size() && body[i] == 'e') {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    if (!DigitPart(body, &i)) return false;
  }
  if (i != body.size()) return false;
  std::string clean(s);
  clean.erase(std::remove(clean.begin(), clean.end(), '_'), clean.end());
  *out = std::strtod(clean.c_str(), nullptr);
  return true;
}

}  // namespace sim
}  // namespace sre_eval
