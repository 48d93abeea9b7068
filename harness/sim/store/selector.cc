#include "sim/store/selector.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "sim/store/validation.h"
#include "util/status_macros.h"

namespace sre_eval {
namespace sim {

namespace {

// ---------------------------------------------------------------------------------------------
// Validation of keys and values, with the server's messages (k8s.io/apimachinery validation).

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool IsQualifiedNamePart(const std::string& s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
bool IsDns1123Subdomain(const std::string& s) {
  if (s.empty()) return false;
  for (absl::string_view label : absl::StrSplit(s, '.')) {
    if (label.empty()) return false;
    auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!lower_alnum(label.front()) || !lower_alnum(label.back())) return false;
    for (char c : label) {
      if (!lower_alnum(c) && c != '-') return false;
    }
  }
  return true;
}

constexpr char kQualifiedNameFmt[] = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr char kQualifiedNameMsg[] =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";

std::string RegexError(const std::string& msg, const std::string& fmt,
                       const std::vector<std::string>& examples) {
  std::string s = msg;
  if (!examples.empty()) {
    s += " (e.g. ";
    for (size_t i = 0; i < examples.size(); ++i) {
      if (i > 0) s += " or ";
      absl::StrAppend(&s, "'", examples[i], "', ");
    }
    absl::StrAppend(&s, "regex used for validation is '", fmt, "')");
  }
  return s;
}

std::string QualifiedNameRegexError() {
  return RegexError(kQualifiedNameMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"});
}

std::vector<std::string> QualifiedNameErrors(const std::string& value) {
  std::vector<std::string> errs;
  std::vector<std::string> parts = absl::StrSplit(value, '/');
  std::string name;
  if (parts.size() == 1) {
    name = parts[0];
  } else if (parts.size() == 2) {
    const std::string& prefix = parts[0];
    name = parts[1];
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      if (prefix.size() > 253) errs.push_back("prefix part must be no more than 253 characters");
      if (!IsDns1123Subdomain(prefix)) {
        errs.push_back(
            "prefix part " +
            RegexError("a lowercase RFC 1123 subdomain must consist of lower case "
                       "alphanumeric characters, '-' or '.', and must start and end "
                       "with an alphanumeric character",
                       "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
                       {"example.com"}));
      }
    }
  } else {
    errs.push_back("a qualified name " + QualifiedNameRegexError() +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part must be no more than 63 characters");
  }
  if (!IsQualifiedNamePart(name)) errs.push_back("name part " + QualifiedNameRegexError());
  return errs;
}

std::vector<std::string> LabelValueErrors(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back("must be no more than 63 characters");
  if (!value.empty() && !IsQualifiedNamePart(value)) {
    errs.push_back(RegexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
        "or '.', and must start and end with an alphanumeric character",
        absl::StrCat("(", kQualifiedNameFmt, ")?"), {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::string InvalidValue(const std::string& path, const std::string& value,
                         const std::vector<std::string>& details) {
  return FieldInvalid(path, value, absl::StrJoin(details, "; "));
}

absl::Status CheckRequirement(const LabelSelector::Requirement& r, const std::string& key_path) {
  using Op = LabelSelector::Op;
  if (auto errs = QualifiedNameErrors(r.key); !errs.empty()) {
    return absl::InvalidArgumentError(InvalidValue(key_path, r.key, errs));
  }
  switch (r.op) {
    case Op::kIn:
    case Op::kNotIn:
      if (r.values.empty()) {
        return absl::InvalidArgumentError(
            "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be "
            "empty");
      }
      break;
    case Op::kExists:
    case Op::kDoesNotExist:
      if (!r.values.empty()) {
        std::vector<std::string> quoted;
        for (const std::string& v : r.values) quoted.push_back(GoQuote(v));
        return absl::InvalidArgumentError(
            absl::StrCat("values: Invalid value: []string{", absl::StrJoin(quoted, ", "),
                         "}: values set must be empty for exists and does not exist"));
      }
      break;
    case Op::kGt:
    case Op::kLt:
      for (size_t i = 0; i < r.values.size(); ++i) {
        int64_t unused;
        if (!absl::SimpleAtoi(r.values[i], &unused)) {
          return absl::InvalidArgumentError(
              InvalidValue(absl::StrCat("values[", i, "]"), r.values[i],
                           {"for 'Gt', 'Lt' operators, the value must be an integer"}));
        }
      }
      break;
    default:
      break;
  }
  for (size_t i = 0; i < r.values.size(); ++i) {
    if (auto errs = LabelValueErrors(r.values[i]); !errs.empty()) {
      return absl::InvalidArgumentError(
          InvalidValue(absl::StrCat("values[", i, "][", r.key, "]"), r.values[i], errs));
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// The label selector lexer and parser, token for token as the server's, so that errors match.

enum class Tok {
  kError,
  kEnd,
  kClosePar,
  kComma,
  kNot,
  kDoubleEquals,
  kEquals,
  kGt,
  kIdentifier,
  kIn,
  kLt,
  kNotEquals,
  kNotIn,
  kOpenPar
};

struct Token {
  Tok tok;
  std::string literal;
};

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsSpecial(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

bool LiteralToken(const std::string& s, Tok* tok) {
  static const std::pair<const char*, Tok> kTokens[] = {
      {")", Tok::kClosePar},      {",", Tok::kComma},  {"!", Tok::kNot},
      {"==", Tok::kDoubleEquals}, {"=", Tok::kEquals}, {">", Tok::kGt},
      {"in", Tok::kIn},           {"<", Tok::kLt},     {"!=", Tok::kNotEquals},
      {"notin", Tok::kNotIn},     {"(", Tok::kOpenPar}};
  for (const auto& [text, t] : kTokens) {
    if (s == text) {
      *tok = t;
      return true;
    }
  }
  return false;
}

std::vector<Token> Lex(const std::string& s) {
  std::vector<Token> tokens;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && IsWhitespace(s[pos])) ++pos;
    if (pos >= s.size()) {
      tokens.push_back({Tok::kEnd, ""});
      return tokens;
    }
    if (IsSpecial(s[pos])) {
      // The longest run of special characters that forms a token.
      std::string buffer;
      Token last{Tok::kError, ""};
      while (pos < s.size() && IsSpecial(s[pos])) {
        buffer += s[pos];
        Tok t;
        if (LiteralToken(buffer, &t)) {
          last = {t, buffer};
          ++pos;
        } else if (last.tok != Tok::kError) {
          break;
        } else {
          ++pos;
        }
      }
      if (last.tok == Tok::kError) {
        last.literal = absl::StrCat("error expected: keyword found '", buffer, "'");
      }
      tokens.push_back(last);
    } else {
      std::string buffer;
      while (pos < s.size() && !IsSpecial(s[pos]) && !IsWhitespace(s[pos])) buffer += s[pos++];
      Tok t;
      tokens.push_back(LiteralToken(buffer, &t) ? Token{t, buffer}
                                                : Token{Tok::kIdentifier, buffer});
    }
  }
}

class Parser {
 public:
  explicit Parser(const std::string& text) : tokens_(Lex(text)) {}

  absl::StatusOr<std::vector<LabelSelector::Requirement>> Parse() {
    std::vector<LabelSelector::Requirement> requirements;
    while (true) {
      Token t = Peek(/*values=*/true);
      if (t.tok == Tok::kEnd) return requirements;
      if (t.tok != Tok::kIdentifier && t.tok != Tok::kNot) {
        return Error(
            absl::StrCat("found '", t.literal, "', expected: !, identifier, or 'end of string'"));
      }
      auto r = ParseRequirement();
      if (!r.ok())
        return Error(absl::StrCat("unable to parse requirement: ", r.status().message()));
      requirements.push_back(*std::move(r));
      Token next = Next(/*values=*/true);
      if (next.tok == Tok::kEnd) return requirements;
      if (next.tok != Tok::kComma) {
        return Error(absl::StrCat("found '", next.literal, "', expected: ',' or 'end of string'"));
      }
      Token after = Peek(/*values=*/true);
      if (after.tok != Tok::kIdentifier && after.tok != Tok::kNot) {
        return Error(absl::StrCat("found '", after.literal, "', expected: identifier after ','"));
      }
    }
  }

 private:
  using Op = LabelSelector::Op;

  static absl::Status Error(const std::string& message) {
    return absl::InvalidArgumentError(message);
  }

  // In value position "in" and "notin" are plain identifiers ("x in (in)").
  Token Peek(bool values) const { return Relabel(tokens_[pos_], values); }
  Token Next(bool values) {
    Token t = Relabel(tokens_[pos_], values);
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  static Token Relabel(Token t, bool values) {
    if (values && (t.tok == Tok::kIn || t.tok == Tok::kNotIn)) t.tok = Tok::kIdentifier;
    return t;
  }

  absl::StatusOr<LabelSelector::Requirement> ParseRequirement() {
    LabelSelector::Requirement r;
    Token t = Next(true);
    bool negated = false;
    if (t.tok == Tok::kNot) {
      negated = true;
      t = Next(true);
    }
    if (t.tok != Tok::kIdentifier) {
      return Error(absl::StrCat("found '", t.literal, "', expected: identifier"));
    }
    if (auto errs = QualifiedNameErrors(t.literal); !errs.empty()) {
      return Error(InvalidValue("<nil>", t.literal, errs));
    }
    r.key = t.literal;
    Tok after = Peek(true).tok;
    if (negated || after == Tok::kEnd || after == Tok::kComma) {
      // A unary requirement; "!a=b" falls through to the caller's "expected: ','".
      r.op = negated ? Op::kDoesNotExist : Op::kExists;
      return r;
    }
    Token op = Next(false);
    switch (op.tok) {
      case Tok::kIn:
        r.op = Op::kIn;
        break;
      case Tok::kNotIn:
        r.op = Op::kNotIn;
        break;
      case Tok::kEquals:
        r.op = Op::kEquals;
        break;
      case Tok::kDoubleEquals:
        r.op = Op::kDoubleEquals;
        break;
      case Tok::kNotEquals:
        r.op = Op::kNotEquals;
        break;
      case Tok::kGt:
        r.op = Op::kGt;
        break;
      case Tok::kLt:
        r.op = Op::kLt;
        break;
      default:
        return Error(
            absl::StrCat("found '", op.literal, "', expected: in, notin, =, ==, !=, gt, lt"));
    }
    if (r.op == Op::kIn || r.op == Op::kNotIn) {
      auto values = ParseValues();
      if (!values.ok()) return values.status();
      r.values = *std::move(values);
    } else {
      Token v = Peek(true);
      if (v.tok == Tok::kEnd || v.tok == Tok::kComma) {
        r.values = {""};
      } else {
        Next(true);
        if (v.tok != Tok::kIdentifier) {
          return Error(absl::StrCat("found '", v.literal, "', expected: identifier"));
        }
        r.values = {v.literal};
      }
    }
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
    RETURN_IF_ERROR(CheckRequirement(r, "key"));
    return r;
  }

  // "(a,b)", with empty members allowed: "(a,,b)", "()", "(,)".
  absl::StatusOr<std::vector<std::string>> ParseValues() {
    Token open = Next(true);
    if (open.tok != Tok::kOpenPar) {
      return Error(absl::StrCat("found '", open.literal, "' expected: '('"));
    }
    Token first = Peek(true);
    if (first.tok == Tok::kClosePar) {
      Next(true);
      return std::vector<std::string>{""};
    }
    if (first.tok != Tok::kIdentifier && first.tok != Tok::kComma) {
      return Error(absl::StrCat("found '", first.literal, "', expected: ',', ')' or identifier"));
    }
    std::vector<std::string> values;
    while (true) {
      Token t = Next(true);
      if (t.tok == Tok::kIdentifier) {
        values.push_back(t.literal);
        Token t2 = Peek(true);
        if (t2.tok == Tok::kComma) continue;
        if (t2.tok == Tok::kClosePar) break;
        return Error(absl::StrCat("found '", t2.literal, "', expected: ',' or ')'"));
      }
      if (t.tok == Tok::kComma) {
        if (values.empty()) values.push_back("");  // "(,".
        Token t2 = Peek(true);
        if (t2.tok == Tok::kClosePar) {
          values.push_back("");  // ",)".
          break;
        }
        if (t2.tok == Tok::kComma) {
          Next(true);
          values.push_back("");  // ",,".
        }
        continue;
      }
      return Error(absl::StrCat("found '", t.literal, "', expected: ',', or identifier"));
    }
    Next(true);  // The ')'.
    return values;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

bool HasValue(const LabelSelector::Requirement& r, const std::string& v) {
  return std::binary_search(r.values.begin(), r.values.end(), v);
}

}  // namespace

LabelSelector::LabelSelector(std::vector<Requirement> requirements)
    : requirements_(std::move(requirements)) {
  std::stable_sort(requirements_.begin(), requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
}

absl::StatusOr<LabelSelector> LabelSelector::Parse(const std::string& text) {
  Parser parser(text);
  auto requirements = parser.Parse();
  if (!requirements.ok()) return requirements.status();
  return LabelSelector(*std::move(requirements));
}

absl::StatusOr<LabelSelector> LabelSelector::FromJson(const nlohmann::json& selector) {
  if (selector.is_null()) return LabelSelector();
  if (!selector.is_object()) {
    return absl::InvalidArgumentError("label selector must be an object");
  }
  std::vector<Requirement> requirements;
  if (auto ml = selector.find("matchLabels"); ml != selector.end() && !ml->is_null()) {
    if (!ml->is_object()) return absl::InvalidArgumentError("matchLabels must be an object");
    for (const auto& [key, value] : ml->items()) {
      if (!value.is_string()) {
        return absl::InvalidArgumentError(absl::StrCat("matchLabels[", key, "] must be a string"));
      }
      Requirement r{key, Op::kEquals, {value.get<std::string>()}};
      if (absl::Status s = CheckRequirement(r, "key"); !s.ok()) return s;
      requirements.push_back(std::move(r));
    }
  }
  if (auto me = selector.find("matchExpressions"); me != selector.end() && !me->is_null()) {
    if (!me->is_array()) return absl::InvalidArgumentError("matchExpressions must be a list");
    for (const auto& expr : *me) {
      if (!expr.is_object() || !expr.value("key", nlohmann::json()).is_string() ||
          !expr.value("operator", nlohmann::json()).is_string()) {
        return absl::InvalidArgumentError(
            "matchExpressions entries need a string key and operator");
      }
      Requirement r;
      r.key = expr["key"].get<std::string>();
      const std::string op = expr["operator"].get<std::string>();
      if (op == "In") {
        r.op = Op::kIn;
      } else if (op == "NotIn") {
        r.op = Op::kNotIn;
      } else if (op == "Exists") {
        r.op = Op::kExists;
      } else if (op == "DoesNotExist") {
        r.op = Op::kDoesNotExist;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat(GoQuote(op), " is not a valid label selector operator"));
      }
      if (auto values = expr.find("values"); values != expr.end() && !values->is_null()) {
        if (!values->is_array()) return absl::InvalidArgumentError("values must be a list");
        for (const auto& v : *values) {
          if (!v.is_string()) return absl::InvalidArgumentError("values must be strings");
          r.values.push_back(v.get<std::string>());
        }
      }
      std::sort(r.values.begin(), r.values.end());
      r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
      if (absl::Status s = CheckRequirement(r, "key"); !s.ok()) return s;
      requirements.push_back(std::move(r));
    }
  }
  return LabelSelector(std::move(requirements));
}

bool LabelSelector::Matches(const nlohmann::json& labels) const {
  for (const Requirement& r : requirements_) {
    const std::string* value = nullptr;
    std::string holder;
    if (labels.is_object()) {
      if (auto it = labels.find(r.key); it != labels.end() && it->is_string()) {
        holder = it->get<std::string>();
        value = &holder;
      }
    }
    bool ok = false;
    switch (r.op) {
      case Op::kEquals:
      case Op::kDoubleEquals:
      case Op::kIn:
        ok = value != nullptr && HasValue(r, *value);
        break;
      case Op::kNotEquals:
      case Op::kNotIn:
        ok = value == nullptr || !HasValue(r, *value);
        break;
      case Op::kExists:
        ok = value != nullptr;
        break;
      case Op::kDoesNotExist:
        ok = value == nullptr;
        break;
      case Op::kGt:
      case Op::kLt: {
        int64_t have, want;
        ok = value != nullptr && r.values.size() == 1 && absl::SimpleAtoi(*value, &have) &&
             absl::SimpleAtoi(r.values[0], &want) && (r.op == Op::kGt ? have > want : have < want);
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

std::string LabelSelector::ToString() const {
  std::vector<std::string> parts;
  for (const Requirement& r : requirements_) {
    std::string values = absl::StrJoin(r.values, ",");
    switch (r.op) {
      case Op::kEquals:
        parts.push_back(absl::StrCat(r.key, "=", values));
        break;
      case Op::kDoubleEquals:
        parts.push_back(absl::StrCat(r.key, "==", values));
        break;
      case Op::kNotEquals:
        parts.push_back(absl::StrCat(r.key, "!=", values));
        break;
      case Op::kIn:
        parts.push_back(absl::StrCat(r.key, " in (", values, ")"));
        break;
      case Op::kNotIn:
        parts.push_back(absl::StrCat(r.key, " notin (", values, ")"));
        break;
      case Op::kExists:
        parts.push_back(r.key);
        break;
      case Op::kDoesNotExist:
        parts.push_back("!" + r.key);
        break;
      case Op::kGt:
        parts.push_back(absl::StrCat(r.key, ">", values));
        break;
      case Op::kLt:
        parts.push_back(absl::StrCat(r.key, "<", values));
        break;
    }
  }
  return absl::StrJoin(parts, ",");
}

// ---------------------------------------------------------------------------------------------
// Field selectors.

namespace {

struct FieldSpec {
  const char* resource;  // nullptr: every namespaced resource.
  const char* field;
  const char* path;           // Where the value is read; nullptr: the field itself.
  const char* missing_value;  // What an absent value reads as.
};

// The fields the real server indexes (pkg/apis/*/v1 conversion.go and the registries'
// selectable fields).
constexpr FieldSpec kFields[] = {
    {"pods", "spec.nodeName", nullptr, ""},
    {"pods", "spec.restartPolicy", nullptr, ""},
    {"pods", "spec.schedulerName", nullptr, ""},
    {"pods", "spec.serviceAccountName", nullptr, ""},
    {"pods", "spec.hostNetwork", nullptr, "false"},
    {"pods", "status.phase", nullptr, ""},
    {"pods", "status.podIP", nullptr, ""},
    {"pods", "status.nominatedNodeName", nullptr, ""},
    {"events", "involvedObject.kind", nullptr, ""},
    {"events", "involvedObject.namespace", nullptr, ""},
    {"events", "involvedObject.name", nullptr, ""},
    {"events", "involvedObject.uid", nullptr, ""},
    {"events", "involvedObject.apiVersion", nullptr, ""},
    {"events", "involvedObject.resourceVersion", nullptr, ""},
    {"events", "involvedObject.fieldPath", nullptr, ""},
    {"events", "reason", nullptr, ""},
    {"events", "reportingComponent", nullptr, ""},
    {"events", "source", "source.component", ""},
    {"events", "type", nullptr, ""},
    {"namespaces", "status.phase", nullptr, ""},
    {"nodes", "spec.unschedulable", nullptr, "false"},
    {"replicasets", "status.replicas", nullptr, "0"},
    {"jobs", "status.successful", nullptr, "0"},
};

bool ClusterScoped(const std::string& resource) {
  return resource == "namespaces" || resource == "nodes";
}

const FieldSpec* FindField(const std::string& resource, const std::string& field) {
  static const FieldSpec kName{nullptr, "metadata.name", nullptr, ""};
  static const FieldSpec kNamespace{nullptr, "metadata.namespace", nullptr, ""};
  if (field == kName.field) return &kName;
  if (field == kNamespace.field) return ClusterScoped(resource) ? nullptr : &kNamespace;
  for (const FieldSpec& f : kFields) {
    if (resource == f.resource && field == f.field) return &f;
  }
  return nullptr;
}

// Splits on unescaped `sep`, keeping escapes.
std::vector<std::string> SplitUnescaped(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out.back() += s[i];
      out.back() += s[++i];
    } else if (s[i] == sep) {
      out.emplace_back();
    } else {
      out.back() += s[i];
    }
  }
  return out;
}

// Finds the first unescaped occurrence of `op` in `term`.
size_t FindUnescaped(const std::string& term, const std::string& op) {
  for (size_t i = 0; i < term.size(); ++i) {
    if (term[i] == '\\') {
      ++i;
      continue;
    }
    if (term.compare(i, op.size(), op) == 0) return i;
  }
  return std::string::npos;
}

absl::StatusOr<std::string> Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 1 >= s.size() || (s[i + 1] != '\\' && s[i + 1] != ',' && s[i + 1] != '=')) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid field selector: invalid escape sequence: ", s.substr(i, 2)));
    }
    out += s[++i];
  }
  return out;
}

std::string FieldValue(const nlohmann::json& object, const FieldSpec& spec) {
  const nlohmann::json* v = &object;
  for (absl::string_view part : absl::StrSplit(spec.path ? spec.path : spec.field, '.')) {
    if (!v->is_object()) return spec.missing_value;
    auto it = v->find(std::string(part));
    if (it == v->end()) return spec.missing_value;
    v = &*it;
  }
  if (v->is_string()) return v->get<std::string>();
  if (v->is_null()) return spec.missing_value;
  return v->dump();  // Numbers and booleans as the server formats them.
}

}  // namespace

absl::StatusOr<FieldSelector> FieldSelector::Parse(const std::string& text,
                                                   const std::string& resource) {
  FieldSelector selector;
  for (const std::string& term : SplitUnescaped(text, ',')) {
    if (term.empty()) continue;
    Requirement r;
    size_t at = std::string::npos;
    size_t op_len = 0;
    // "!=" and "==" before "=", as the server tries them.
    for (const char* op : {"!=", "==", "="}) {
      at = FindUnescaped(term, op);
      if (at != std::string::npos) {
        op_len = std::char_traits<char>::length(op);
        r.op = op[0] == '!' ? Op::kNotEquals : Op::kEquals;
        break;
      }
    }
    if (at == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid selector: '", text, "'; can't understand '", term, "'"));
    }
    r.field = term.substr(0, at);
    auto value = Unescape(term.substr(at + op_len));
    if (!value.ok()) return value.status();
    r.value = *std::move(value);
    selector.requirements_.push_back(std::move(r));
  }
  // Syntax first, then the fields, as the server converts field labels after parsing.
  for (const Requirement& r : selector.requirements_) {
    if (FindField(resource, r.field) == nullptr) {
      return absl::InvalidArgumentError("field label not supported: " + r.field);
    }
  }
  selector.resource_ = resource;
  return selector;
}

bool FieldSelector::Matches(const nlohmann::json& object) const {
  for (const Requirement& r : requirements_) {
    const FieldSpec* spec = FindField(resource_, r.field);
    if (spec == nullptr) return false;
    bool equal = FieldValue(object, *spec) == r.value;
    if (equal != (r.op == Op::kEquals)) return false;
  }
  return true;
}

}  // namespace sim
}  // namespace sre_eval
