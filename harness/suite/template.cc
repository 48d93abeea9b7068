#include "suite/template.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "suite/fact_schema.h"
#include "util/edit_distance.h"

namespace sre_eval {

namespace {

// "an integer", "a time".
std::string AType(absl::string_view type_name) {
  bool vowel = !type_name.empty() && absl::StrContains("aeiou", type_name[0]);
  return absl::StrCat(vowel ? "an " : "a ", type_name);
}

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

// Parses the inside of "{{ ... }}" into `ref`; returns an error message or "".
std::string ParseRefImpl(absl::string_view inner, FactRef* ref) {
  absl::string_view body = absl::StripAsciiWhitespace(inner);
  ref->source = std::string(body);
  if (body.empty()) return "empty reference '{{}}'";
  absl::string_view path = body;
  size_t bar = body.find('|');
  if (bar != absl::string_view::npos) {
    path = absl::StripAsciiWhitespace(body.substr(0, bar));
    absl::string_view filter = absl::StripAsciiWhitespace(body.substr(bar + 1));
    if (filter.find('|') != absl::string_view::npos) {
      return absl::StrCat("only one filter is allowed in '{{", body, "}}'");
    }
    if (filter.empty()) return absl::StrCat("missing filter after '|' in '{{", body, "}}'");
    for (char c : filter) {
      if (!IsNameChar(c)) return absl::StrCat("malformed filter in '{{", body, "}}'");
    }
    ref->filter = std::string(filter);
  }
  size_t i = 0;
  while (i < path.size() && IsNameChar(path[i]) && path[i] != '.') ++i;
  // Fact names hold dots; a '[' ends the name.
  while (i < path.size() && IsNameChar(path[i])) ++i;
  ref->fact = std::string(path.substr(0, i));
  if (ref->fact.empty()) return absl::StrCat("malformed reference '{{", body, "}}'");
  if (i == path.size()) return "";
  if (path[i] != '[') return absl::StrCat("malformed reference '{{", body, "}}'");
  size_t close = path.find(']', i);
  if (close == absl::string_view::npos) {
    return absl::StrCat("malformed list index in '{{", body, "}}'");
  }
  absl::string_view selector = path.substr(i + 1, close - i - 1);
  size_t eq = selector.find('=');
  size_t index = 0;
  if (eq != absl::string_view::npos) {
    absl::string_view key = selector.substr(0, eq);
    absl::string_view value = selector.substr(eq + 1);
    bool ok = !key.empty() && !value.empty();
    for (char c : key) ok = ok && IsNameChar(c) && c != '.';
    for (char c : value) ok = ok && IsNameChar(c);
    if (!ok) {
      return absl::StrCat("malformed item selector in '{{", body,
                          "}}': write [field=value], as in [container=front-end]");
    }
    ref->key_field = std::string(key);
    ref->key_value = std::string(value);
  } else if (!absl::SimpleAtoi(selector, &index) ||
             selector.find_first_not_of("0123456789") != absl::string_view::npos) {
    return absl::StrCat("malformed list index in '{{", body, "}}'");
  }
  if (ref->key_field.empty()) ref->index = index;
  absl::string_view rest = path.substr(close + 1);
  if (rest.empty()) return "";
  if (rest[0] != '.' || rest.size() < 2) {
    return absl::StrCat("malformed reference '{{", body, "}}'");
  }
  for (char c : rest.substr(1)) {
    if (!IsNameChar(c) || c == '.') return absl::StrCat("malformed field in '{{", body, "}}'");
  }
  ref->field = std::string(rest.substr(1));
  return "";
}

struct FilterSpec {
  const char* type;
  const char* name;
};

constexpr FilterSpec kFilters[] = {
    {"time", "clock"},
    {"time", "clock12"},
    {"time", "date"},
    {"time", "iso"},
    {"duration", "minutes"},
    {"duration", "seconds"},
    {"integer", "seconds_from_ms"},
    {"number", "round"},
    {"number", "seconds_from_ms"},
    {"list", "count"},
};

// The declared type of what `ref` points at, or an error message.
std::string ResolveType(const FactRef& ref, FactType* type) {
  const FactSpec* fact = FindFact(ref.fact);
  if (fact == nullptr) {
    return absl::StrCat("unknown fact '", ref.fact, "'", DidYouMean(ref.fact, FactNames()));
  }
  if (!ref.selects_item()) {
    *type = fact->type;
    return "";
  }
  if (fact->type != FactType::kList) {
    return absl::StrCat("fact '", ref.fact, "' is ", AType(FactTypeName(fact->type)),
                        ", not a list, and cannot be indexed");
  }
  std::vector<std::string> field_names;
  for (const FieldSpec& f : fact->fields) field_names.push_back(f.name);
  if (ref.index.has_value() && !fact->ordered) {
    // Its order is not part of the schema: item 0 of one recording is another container in
    // the next.
    std::string key = fact->fields[0].name;
    for (const FieldSpec& f : fact->fields) {
      if (f.name == "container") key = f.name;
    }
    return absl::StrCat("'", ref.fact, "' has no defined order, so '{{", ref.source,
                        "}}' picks an arbitrary item; select it by a field instead, as in '",
                        ref.fact, "[", key, "=...]'");
  }
  if (!ref.key_field.empty()) {
    const FieldSpec* key = fact->FindField(ref.key_field);
    if (key == nullptr || key->type != FactType::kString) {
      std::vector<std::string> string_fields;
      for (const FieldSpec& f : fact->fields) {
        if (f.type == FactType::kString) string_fields.push_back(f.name);
      }
      return absl::StrCat("'{{", ref.source, "}}' selects by '", ref.key_field,
                          "', which is not a text field of '", ref.fact,
                          "'; select by one of: ", absl::StrJoin(string_fields, ", "));
    }
  }
  if (ref.field.empty()) {
    return absl::StrCat("'{{", ref.source, "}}' picks an item of '", ref.fact,
                        "' but no field; add one of: ", absl::StrJoin(field_names, ", "));
  }
  const FieldSpec* field = fact->FindField(ref.field);
  if (field == nullptr) {
    std::string hint = DidYouMean(ref.field, field_names);
    if (hint.empty()) hint = absl::StrCat("; its fields are ", absl::StrJoin(field_names, ", "));
    return absl::StrCat("unknown field '", ref.field, "' of '", ref.fact, "'", hint);
  }
  *type = field->type;
  return "";
}

std::string CheckRef(const FactRef& ref) {
  FactType type = FactType::kString;
  std::string error = ResolveType(ref, &type);
  if (!error.empty()) return error;
  absl::string_view type_name = FactTypeName(type);
  if (ref.filter.empty()) {
    if (type == FactType::kList) {
      return absl::StrCat("fact '", ref.fact, "' is a list: pick one item, as in '", ref.fact,
                          "[0].", FindFact(ref.fact)->fields[0].name, "', or count them with '",
                          ref.fact, "|count'");
    }
    return "";
  }
  std::vector<std::string> filters = FiltersForType(type_name);
  for (const std::string& f : filters) {
    if (f == ref.filter) return "";
  }
  std::string message = absl::StrCat("filter '", ref.filter, "' does not apply to ",
                                     AType(type_name), DidYouMean(ref.filter, filters));
  if (filters.empty()) {
    absl::StrAppend(&message, "; ", AType(type_name), " takes no filter");
  } else {
    absl::StrAppend(&message, "; filters for ", AType(type_name), ": ",
                    absl::StrJoin(filters, ", "));
  }
  return message;
}

absl::Status TypeError(const FactRef& ref, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("fact '", ref.source, "' in the truth is not ", expected));
}

std::string FormatNumber(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return absl::StrCat(static_cast<int64_t>(v));
  return absl::StrFormat("%.2f", v);
}

absl::StatusOr<std::string> FormatValue(const FactRef& ref, FactType type,
                                        const nlohmann::json& v) {
  switch (type) {
    case FactType::kString:
    case FactType::kQuantity:
      if (!v.is_string()) return TypeError(ref, "a string");
      return v.get<std::string>();
    case FactType::kBool:
      if (!v.is_boolean()) return TypeError(ref, "a boolean");
      return std::string(v.get<bool>() ? "yes" : "no");
    case FactType::kInteger:
    case FactType::kNumber: {
      if (!v.is_number() || (type == FactType::kInteger && !v.is_number_integer())) {
        return TypeError(ref, type == FactType::kInteger ? "an integer" : "a number");
      }
      double d = v.get<double>();
      if (ref.filter == "seconds_from_ms") return absl::StrCat(static_cast<int64_t>(d / 1000));
      if (ref.filter == "round") return absl::StrCat(std::llround(d));
      return FormatNumber(d);
    }
    case FactType::kMoney:
      if (!v.is_number()) return TypeError(ref, "a number");
      return absl::StrFormat("$%.2f", v.get<double>());
    case FactType::kDuration: {
      if (!v.is_number()) return TypeError(ref, "a number of seconds");
      double seconds = v.get<double>();
      if (ref.filter == "seconds") return absl::StrCat(std::llround(seconds));
      if (ref.filter == "minutes") {
        int64_t m = std::llround(seconds / 60);
        return absl::StrCat(m, m == 1 ? " minute" : " minutes");
      }
      return absl::FormatDuration(absl::Seconds(seconds));
    }
    case FactType::kTime: {
      absl::Time t;
      std::string err;
      if (!v.is_string() || !absl::ParseTime(absl::RFC3339_full, v.get<std::string>(), &t, &err)) {
        return TypeError(ref, "an RFC 3339 time");
      }
      absl::TimeZone utc = absl::UTCTimeZone();
      if (ref.filter == "clock") return absl::FormatTime("%H:%M", t, utc);
      if (ref.filter == "clock12") return absl::FormatTime("%I:%M %p", t, utc);
      if (ref.filter == "date") return absl::FormatTime("%Y-%m-%d", t, utc);
      if (ref.filter == "iso") return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, utc);
      return absl::FormatTime("%H:%M UTC", t, utc);
    }
    case FactType::kList:
      if (!v.is_array()) return TypeError(ref, "a list");
      return absl::StrCat(v.size());
  }
  return absl::InternalError("unhandled fact type");
}

}  // namespace

std::string ParseFactRef(absl::string_view text, FactRef* ref) { return ParseRefImpl(text, ref); }

std::string CheckFactRef(const FactRef& ref, std::string* type_name) {
  std::string error = CheckRef(ref);
  if (!error.empty()) return error;
  FactType type = FactType::kString;
  ResolveType(ref, &type);
  *type_name = ref.filter == "count" ? "integer" : std::string(FactTypeName(type));
  return "";
}

std::vector<std::string> FiltersForType(absl::string_view type_name) {
  std::vector<std::string> out;
  for (const FilterSpec& f : kFilters) {
    if (type_name == f.type) out.push_back(f.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Template Template::Parse(absl::string_view text, std::vector<TemplateError>* errors) {
  Template t;
  size_t pos = 0;
  std::string literal;
  size_t literal_start = 0;
  auto flush = [&](size_t next) {
    if (!literal.empty()) t.parts_.push_back(TemplatePart{literal, std::nullopt, literal_start});
    literal.clear();
    literal_start = next;
  };
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == absl::string_view::npos) {
      absl::StrAppend(&literal, text.substr(pos));
      break;
    }
    absl::StrAppend(&literal, text.substr(pos, open - pos));
    size_t close = text.find("}}", open + 2);
    size_t next_open = text.find("{{", open + 2);
    if (close == absl::string_view::npos ||
        (next_open != absl::string_view::npos && next_open < close)) {
      errors->push_back({open, "unterminated '{{' (every '{{' needs a closing '}}')"});
      absl::StrAppend(&literal, text.substr(open, 2));
      pos = open + 2;
      continue;
    }
    flush(open);
    FactRef ref;
    std::string error = ParseRefImpl(text.substr(open + 2, close - open - 2), &ref);
    if (!error.empty()) {
      errors->push_back({open, error});
    } else {
      t.parts_.push_back(TemplatePart{"", ref, open});
    }
    pos = close + 2;
    literal_start = pos;
  }
  flush(text.size());
  return t;
}

std::vector<TemplateError> Template::Check() const {
  std::vector<TemplateError> errors;
  for (const TemplatePart& part : parts_) {
    if (!part.ref.has_value()) continue;
    std::string error = CheckRef(*part.ref);
    if (!error.empty()) errors.push_back({part.offset, error});
  }
  return errors;
}

absl::StatusOr<std::string> Template::Render(const nlohmann::json& facts) const {
  std::string out;
  for (const TemplatePart& part : parts_) {
    if (!part.ref.has_value()) {
      out += part.literal;
      continue;
    }
    const FactRef& ref = *part.ref;
    std::string error = CheckRef(ref);
    if (!error.empty()) return absl::InvalidArgumentError(error);
    if (!facts.is_object() || !facts.contains(ref.fact) || facts[ref.fact].is_null()) {
      return absl::NotFoundError(absl::StrCat("fact '", ref.fact, "' is not in the ground truth"));
    }
    const nlohmann::json* value = &facts[ref.fact];
    FactType type = FindFact(ref.fact)->type;
    if (ref.selects_item()) {
      if (!value->is_array()) return TypeError(ref, "a list");
      const nlohmann::json* selected = SelectItem(*value, ref);
      if (selected == nullptr && ref.index.has_value()) {
        return absl::OutOfRangeError(absl::StrCat("fact '", ref.fact, "' has ", value->size(),
                                                  " items; '{{", ref.source, "}}' needs item ",
                                                  *ref.index));
      }
      if (selected == nullptr) {
        return absl::NotFoundError(absl::StrCat("fact '", ref.fact, "' has no item whose ",
                                                ref.key_field, " is '", ref.key_value, "'"));
      }
      const nlohmann::json& item = *selected;
      if (!item.is_object() || !item.contains(ref.field)) {
        return absl::NotFoundError(absl::StrCat("the selected item of fact '", ref.fact,
                                                "' has no field '", ref.field, "'"));
      }
      value = &item[ref.field];
      type = FindFact(ref.fact)->FindField(ref.field)->type;
    }
    absl::StatusOr<std::string> text = FormatValue(ref, type, *value);
    if (!text.ok()) return text.status();
    out += *text;
  }
  return out;
}

const nlohmann::json* SelectItem(const nlohmann::json& list, const FactRef& ref) {
  if (!list.is_array()) return nullptr;
  if (ref.index.has_value()) return *ref.index < list.size() ? &list[*ref.index] : nullptr;
  for (const nlohmann::json& item : list) {
    if (!item.is_object()) continue;
    auto it = item.find(ref.key_field);
    if (it != item.end() && it->is_string() && it->get_ref<const std::string&>() == ref.key_value) {
      return &item;
    }
  }
  return nullptr;
}

std::vector<std::string> Template::FactsUsed() const {
  std::vector<std::string> out;
  for (const TemplatePart& part : parts_) {
    if (!part.ref.has_value()) continue;
    if (std::find(out.begin(), out.end(), part.ref->fact) == out.end()) {
      out.push_back(part.ref->fact);
    }
  }
  return out;
}

}  // namespace sre_eval
