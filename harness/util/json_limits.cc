#include "util/json_limits.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "util/utf8.h"

namespace sre_eval {

namespace {

constexpr char kDepthMessage[] = "nesting depth exceeds ";

// nlohmann's own DOM builder (iterative), with a depth count in front of it.
class BoundedSax {
 public:
  using json = nlohmann::json;
  using Dom = nlohmann::detail::json_sax_dom_parser<json>;

  BoundedSax(json* result, size_t max_depth) : dom_(*result, false), max_depth_(max_depth) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const std::string& s) {
    return dom_.number_float(v, s);
  }
  bool string(std::string& v) { return dom_.string(v); }
  bool binary(json::binary_t& v) { return dom_.binary(v); }
  bool start_object(size_t n) { return Enter() && dom_.start_object(n); }
  bool key(std::string& k) { return dom_.key(k); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(size_t n) { return Enter() && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception& ex) {
    error_ = ex.what();
    return false;
  }

  bool too_deep() const { return too_deep_; }
  const std::string& error() const { return error_; }

 private:
  bool Enter() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  Dom dom_;
  size_t max_depth_;
  size_t depth_ = 0;
  bool too_deep_ = false;
  std::string error_;
};

bool ValidUtf8(absl::string_view s) {
  // FindInvalidUtf8 also stops at NUL, which JSON strings may hold.
  while (!s.empty()) {
    size_t bad = FindInvalidUtf8(s);
    if (bad == absl::string_view::npos) return true;
    if (s[bad] != '\0') return false;
    s.remove_prefix(bad + 1);
  }
  return true;
}

size_t EscapedSize(const std::string& s) {
  size_t n = 2;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
      n += 2;
    } else if (c < 0x20) {
      n += 6;
    } else {
      n += 1;
    }
  }
  return n;
}

size_t Digits(uint64_t v) {
  size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

}  // namespace

absl::StatusOr<nlohmann::json> ParseJsonBounded(absl::string_view text, absl::string_view what,
                                                size_t max_depth) {
  nlohmann::json result;
  BoundedSax sax(&result, max_depth);
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax,
                                      nlohmann::json::input_format_t::json, true);
  if (sax.too_deep()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", kDepthMessage, max_depth));
  }
  if (!ok) return absl::InvalidArgumentError(absl::StrCat(what, ": ", sax.error()));
  return result;
}

bool IsDepthError(const absl::Status& s) {
  return s.code() == absl::StatusCode::kInvalidArgument &&
         absl::StrContains(s.message(), kDepthMessage);
}

absl::Status CheckJsonValue(const nlohmann::json& value, absl::string_view what, size_t max_depth) {
  std::vector<std::pair<const nlohmann::json*, size_t>> todo = {{&value, 0}};
  while (!todo.empty()) {
    auto [v, depth] = todo.back();
    todo.pop_back();
    if (v->is_object() || v->is_array()) {
      if (depth + 1 > max_depth) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": ", kDepthMessage, max_depth));
      }
      if (v->is_object()) {
        for (auto it = v->begin(); it != v->end(); ++it) {
          if (!ValidUtf8(it.key())) {
            return absl::InvalidArgumentError(
                absl::StrCat(what, ": invalid UTF-8 in an object key"));
          }
        }
      }
      for (const nlohmann::json& child : *v) todo.emplace_back(&child, depth + 1);
    } else if (v->is_string() && !ValidUtf8(v->get_ref<const std::string&>())) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": invalid UTF-8 in a string"));
    }
  }
  return absl::OkStatus();
}

size_t JsonDumpSize(const nlohmann::json& value) {
  size_t total = 0;
  std::vector<const nlohmann::json*> todo = {&value};
  while (!todo.empty()) {
    const nlohmann::json* v = todo.back();
    todo.pop_back();
    switch (v->type()) {
      case nlohmann::json::value_t::object:
        total += 2 + (v->empty() ? 0 : v->size() - 1);  // Braces, commas.
        for (auto it = v->begin(); it != v->end(); ++it) {
          total += EscapedSize(it.key()) + 1;  // "key":
          todo.push_back(&it.value());
        }
        break;
      case nlohmann::json::value_t::array:
        total += 2 + (v->empty() ? 0 : v->size() - 1);
        for (const nlohmann::json& child : *v) todo.push_back(&child);
        break;
      case nlohmann::json::value_t::string:
        total += EscapedSize(v->get_ref<const std::string&>());
        break;
      case nlohmann::json::value_t::number_integer: {
        int64_t i = v->get<int64_t>();
        total += i < 0 ? 1 + Digits(0 - static_cast<uint64_t>(i)) : Digits(i);
        break;
      }
      case nlohmann::json::value_t::number_unsigned:
        total += Digits(v->get<uint64_t>());
        break;
      case nlohmann::json::value_t::number_float:
        total += 24;
        break;
      case nlohmann::json::value_t::boolean:
        total += v->get<bool>() ? 4 : 5;
        break;
      case nlohmann::json::value_t::binary:
        total += v->get_binary().size() * 4 + 32;
        break;
      default:  // null, discarded.
        total += 4;
        break;
    }
  }
  return total;
}

}  // namespace sre_eval
