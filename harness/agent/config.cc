#include "agent/config.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "util/edit_distance.h"
#include "util/file_util.h"
#include "util/yaml_json.h"
#include "util/yaml_reader.h"

namespace sre_eval {
namespace agent {

const std::vector<std::string>& BodyPlaceholders() {
  static const auto* names =
      new std::vector<std::string>{"{{message}}", "{{history}}", "{{incident}}",   "{{prompt_id}}",
                                   "{{window}}",  "{{cluster}}", "{{monitoring}}", "{{evidence}}"};
  return *names;
}

namespace {

constexpr size_t kMaxAgentFileBytes = size_t{1} << 20;
constexpr size_t kMaxAnswerBytesLimit = size_t{64} << 20;
constexpr size_t kMinSecretBytes = 4;

const std::vector<std::string>& Kinds() {
  static const auto* kinds = new std::vector<std::string>{"http", "openai", "command"};
  return *kinds;
}

bool IsSecretName(const std::string& name) {
  std::string upper = absl::AsciiStrToUpper(name);
  for (const char* suffix : {"KEY", "TOKEN", "SECRET", "PASSWORD"}) {
    if (absl::EndsWith(upper, suffix)) return true;
  }
  return false;
}

bool IsVariableName(absl::string_view name) {
  if (name.empty() || absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// RFC 7230's token characters, which header names are made of.
bool IsHeaderName(absl::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        std::string("!#$%&'*+-.^_`|~").find(c) == std::string::npos) {
      return false;
    }
  }
  return true;
}

std::string FileStem(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

// A scalar after ${NAME} expansion. `verbatim` is false when it still holds references
// (with expansion off), so that checks of its meaning are left for run time.
struct Expanded {
  std::string text;
  bool verbatim = true;
};

// Reads one agent file; every problem goes to `diags_` at its line and column.
class ConfigParser {
 public:
  ConfigParser(const std::string& file, const EnvLookup& env, bool expand, Diagnostics* diags)
      : file_(file), env_(env), expand_(expand), diags_(diags) {}

  void Parse(const YAML::Node& root, AgentConfig* config);

 private:
  void Error(int line, int column, std::string message) {
    diags_->Add(file_, line, column, std::move(message));
  }
  void Error(const YAML::Node& at, std::string message) {
    Error(YamlLine(at), YamlColumn(at), std::move(message));
  }

  // Expands ${NAME} in `raw` (at `line`:`column`, the value of `key`); `$${` is a literal
  // "${". Secret values are recorded when `secret_context` or the name looks secret.
  std::optional<Expanded> Expand(const std::string& raw, int line, int column,
                                 const std::string& key, bool secret_context);
  std::optional<Expanded> Expand(const YamlString& s, const std::string& key,
                                 bool secret_context = false) {
    return Expand(s.value, s.line, s.column, key, secret_context);
  }

  // An optional string value (or required), expanded.
  std::optional<Expanded> String(YamlMap& map, const std::string& prefix, const std::string& key,
                                 bool required, bool secret_context = false);
  // A scalar that may be empty (JSON Pointers); nullopt when absent or reported.
  std::optional<Expanded> MaybeEmpty(YamlMap& map, const std::string& prefix,
                                     const std::string& key);

  void Duration(YamlMap& map, const std::string& key, absl::Duration* out);
  // A whole number in [lo, hi].
  template <typename T>
  void Whole(YamlMap& map, const std::string& prefix, const std::string& key, T lo, T hi, T* out);
  void Url(YamlMap& map, const std::string& prefix, const std::string& key, bool required,
           std::string* out);
  void Pointer(YamlMap& map, const std::string& prefix, std::string* out);
  // A mapping of names to strings (headers, query parameters).
  void Pairs(YamlMap& map, const std::string& prefix, const std::string& key, bool headers,
             std::vector<std::pair<std::string, std::string>>* out);
  std::optional<nlohmann::json> Body(const YAML::Node& node, const std::string& path);

  // A number in [lo, hi].
  void Number(YamlMap& map, const std::string& prefix, const std::string& key, double lo, double hi,
              double* out);
  void ParseOpenAi(const YAML::Node& node, AgentConfig* config);
  void ParseLoop(const YAML::Node& node, AgentConfig* config);
  void ParsePrices(const YAML::Node& node, AgentConfig* config);
  void ParseExpose(YamlMap& map, AgentConfig* config);
  void ParseHttp(const YAML::Node& node, AgentConfig* config);
  void ParseCommand(const YAML::Node& node, AgentConfig* config);

  const std::string& file_;
  const EnvLookup& env_;
  bool expand_;
  Diagnostics* diags_;
  std::vector<std::string> secrets_;
};

std::optional<Expanded> ConfigParser::Expand(const std::string& raw, int line, int column,
                                             const std::string& key, bool secret_context) {
  Expanded out;
  bool ok = true;
  for (size_t i = 0; i < raw.size();) {
    if (raw.compare(i, 3, "$${") == 0) {
      out.text += "${";
      i += 3;
      continue;
    }
    if (raw.compare(i, 2, "${") != 0) {
      out.text += raw[i++];
      continue;
    }
    size_t close = raw.find('}', i + 2);
    if (close == std::string::npos) {
      Error(line, column,
            absl::StrCat("unterminated '${' in ", key,
                         " (write ${NAME}, or $${ for a literal '${')"));
      return std::nullopt;
    }
    std::string name = raw.substr(i + 2, close - i - 2);
    i = close + 1;
    if (!IsVariableName(name)) {
      Error(line, column,
            absl::StrCat("'${", name, "}' in ", key,
                         " is not a variable name (letters, digits and '_', not starting with a "
                         "digit)"));
      ok = false;
      continue;
    }
    if (!expand_) {
      absl::StrAppend(&out.text, "${", name, "}");
      out.verbatim = false;
      continue;
    }
    std::optional<std::string> value = env_(name);
    if (!value.has_value()) {
      Error(line, column,
            absl::StrCat("environment variable ", name, " is not set (", file_, " uses it for ",
                         key, ")"));
      ok = false;
      continue;
    }
    if ((secret_context || IsSecretName(name)) && value->size() >= kMinSecretBytes &&
        std::find(secrets_.begin(), secrets_.end(), *value) == secrets_.end()) {
      secrets_.push_back(*value);
    }
    out.text += *value;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Expanded> ConfigParser::String(YamlMap& map, const std::string& prefix,
                                             const std::string& key, bool required,
                                             bool secret_context) {
  std::optional<YamlString> s = map.String(key, required);
  if (!s.has_value()) return std::nullopt;
  return Expand(*s, prefix + key, secret_context);
}

std::optional<Expanded> ConfigParser::MaybeEmpty(YamlMap& map, const std::string& prefix,
                                                 const std::string& key) {
  YAML::Node v = map.Find(key);
  if (!v.IsDefined()) return std::nullopt;
  if (!v.IsScalar()) {
    Error(v.IsNull() ? map.node() : v,
          absl::StrCat("'", key, "' must be a string, got ", DescribeYamlType(v)));
    return std::nullopt;
  }
  return Expand(v.Scalar(), YamlLine(v), YamlColumn(v), prefix + key, false);
}

void ConfigParser::Duration(YamlMap& map, const std::string& key, absl::Duration* out) {
  std::optional<YamlString> s = map.String(key, false);
  if (!s.has_value()) return;
  std::optional<Expanded> e = Expand(*s, key);
  if (!e.has_value() || !e->verbatim) return;
  absl::Duration d;
  if (!absl::ParseDuration(e->text, &d) || d == absl::InfiniteDuration() ||
      d == -absl::InfiniteDuration()) {
    Error(
        s->line, s->column,
        absl::StrCat("'", key, "' must be a duration like 60s, 30m or 1h30m, got '", e->text, "'"));
    return;
  }
  if (d <= absl::ZeroDuration()) {
    Error(s->line, s->column,
          absl::StrCat("'", key, "' must be more than 0s, got '", e->text, "'"));
    return;
  }
  *out = d;
}

template <typename T>
void ConfigParser::Whole(YamlMap& map, const std::string& prefix, const std::string& key, T lo,
                         T hi, T* out) {
  std::optional<YamlString> s = map.String(key, false);
  if (!s.has_value()) return;
  std::optional<Expanded> e = Expand(*s, prefix + key);
  if (!e.has_value() || !e->verbatim) return;
  int64_t v = 0;
  if (!absl::SimpleAtoi(e->text, &v) || v < static_cast<int64_t>(lo) ||
      v > static_cast<int64_t>(hi)) {
    Error(s->line, s->column,
          absl::StrCat("'", key, "' must be a whole number from ", lo, " to ", hi, ", got '",
                       e->text, "'"));
    return;
  }
  *out = static_cast<T>(v);
}

void ConfigParser::Number(YamlMap& map, const std::string& prefix, const std::string& key,
                          double lo, double hi, double* out) {
  std::optional<YamlString> s = map.String(key, false);
  if (!s.has_value()) return;
  std::optional<Expanded> e = Expand(*s, prefix + key);
  if (!e.has_value() || !e->verbatim) return;
  double v = 0;
  if (!absl::SimpleAtod(e->text, &v) || !std::isfinite(v) || v < lo || v > hi) {
    Error(s->line, s->column,
          absl::StrCat("'", key, "' must be a number from ", lo, " to ", hi, ", got '", e->text,
                       "'"));
    return;
  }
  *out = v;
}

void ConfigParser::Url(YamlMap& map, const std::string& prefix, const std::string& key,
                       bool required, std::string* out) {
  std::optional<YamlString> s = map.String(key, required);
  if (!s.has_value()) return;
  std::optional<Expanded> e = Expand(*s, prefix + key);
  if (!e.has_value()) return;
  *out = e->text;
  if (!e->verbatim) return;
  const std::string& url = e->text;
  size_t scheme = absl::StartsWith(url, "http://") ? 7 : absl::StartsWith(url, "https://") ? 8 : 0;
  if (scheme == 0) {
    Error(s->line, s->column,
          absl::StrCat("'", key, "' must start with http:// or https://, got '", url, "'"));
    return;
  }
  size_t host_end = url.find_first_of("/?#", scheme);
  if (host_end == scheme || scheme == url.size()) {
    Error(s->line, s->column, absl::StrCat("'", key, "' has no host: '", url, "'"));
    return;
  }
  for (char c : url) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || absl::ascii_iscntrl(c)) {
      Error(s->line, s->column,
            absl::StrCat("'", key, "' must not contain spaces or control characters"));
      return;
    }
  }
}

void ConfigParser::Pointer(YamlMap& map, const std::string& prefix, std::string* out) {
  YAML::Node v = map.Find("answer");
  std::optional<Expanded> e = MaybeEmpty(map, prefix, "answer");
  if (!e.has_value()) return;
  *out = e->text;
  if (!e->verbatim) return;
  const std::string& p = e->text;
  if (!p.empty() && p[0] != '/') {
    Error(v, absl::StrCat("'answer' must be a JSON Pointer (RFC 6901) starting with '/', like "
                          "/answer or /choices/0/text, or \"\" for the whole text; got '",
                          p, "'"));
    return;
  }
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '~' && (i + 1 == p.size() || (p[i + 1] != '0' && p[i + 1] != '1'))) {
      Error(v, absl::StrCat("'answer' is not a valid JSON Pointer: '~' must be followed by 0 or 1 "
                            "(~0 stands for '~', ~1 for '/'); got '",
                            p, "'"));
      return;
    }
  }
}

void ConfigParser::Pairs(YamlMap& map, const std::string& prefix, const std::string& key,
                         bool headers, std::vector<std::pair<std::string, std::string>>* out) {
  YAML::Node node = map.Find(key);
  if (!node.IsDefined()) return;
  if (!node.IsMap()) {
    Error(node.IsNull() ? map.node() : node,
          absl::StrCat("'", key, "' must be a mapping, got ", DescribeYamlType(node)));
    return;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node name_node = it->first;  // Copies: the iterator yields temporaries.
    YAML::Node value = it->second;
    if (!name_node.IsScalar()) {
      Error(name_node, absl::StrCat("a key in '", key, "' must be a string, got ",
                                    DescribeYamlType(name_node)));
      continue;
    }
    const std::string& name = name_node.Scalar();
    std::string what = headers ? "header" : "query parameter";
    if (headers && !IsHeaderName(name)) {
      Error(name_node, absl::StrCat("'", name,
                                    "' is not a header name (letters, digits and "
                                    "!#$%&'*+-.^_`|~)"));
      continue;
    }
    if (!seen.insert(headers ? absl::AsciiStrToLower(name) : name).second) {
      Error(name_node, absl::StrCat("duplicate ", what, " '", name, "'"));
      continue;
    }
    if (!value.IsScalar()) {
      Error(value.IsNull() ? name_node : value,
            absl::StrCat(what, " '", name, "' must be a string, got ", DescribeYamlType(value)));
      continue;
    }
    std::optional<Expanded> e =
        Expand(value.Scalar(), YamlLine(value), YamlColumn(value),
               absl::StrCat(prefix, key, ".", name), /*secret_context=*/headers);
    if (!e.has_value()) continue;
    if (e->text.find_first_of("\r\n") != std::string::npos) {
      Error(value, absl::StrCat(what, " '", name, "' must not contain a line break"));
      continue;
    }
    out->emplace_back(name, e->text);
  }
}

// JSON from YAML, with every string expanded. Plain scalars are typed by yaml_json.h's rules
// (each parsed on its own), quoted ones stay strings.
std::optional<nlohmann::json> ConfigParser::Body(const YAML::Node& node, const std::string& path) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      bool ok = true;
      for (auto it = node.begin(); it != node.end(); ++it) {
        YAML::Node key = it->first;
        YAML::Node value = it->second;
        if (!key.IsScalar()) {
          Error(key,
                absl::StrCat("a key in ", path, " must be a string, got ", DescribeYamlType(key)));
          ok = false;
          continue;
        }
        if (out.contains(key.Scalar())) {
          Error(key, absl::StrCat("duplicate key '", key.Scalar(), "' in ", path));
          ok = false;
          continue;
        }
        std::optional<nlohmann::json> v = Body(value, absl::StrCat(path, ".", key.Scalar()));
        if (!v.has_value()) {
          ok = false;
          continue;
        }
        out[key.Scalar()] = *std::move(v);
      }
      if (!ok) return std::nullopt;
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      bool ok = true;
      for (size_t i = 0; i < node.size(); ++i) {
        std::optional<nlohmann::json> v =
            Body(YAML::Node(node[i]), absl::StrCat(path, "[", i, "]"));
        ok = ok && v.has_value();
        if (v.has_value()) out.push_back(*std::move(v));
      }
      if (!ok) return std::nullopt;
      return out;
    }
    case YAML::NodeType::Scalar: {
      nlohmann::json value = node.Scalar();
      if (node.Tag() == "?") {
        absl::StatusOr<std::vector<nlohmann::json>> typed =
            YamlDocumentsToJson(file_, node.Scalar());
        if (typed.ok() && typed->empty()) {
          value = nullptr;  // "null" and "~" are empty documents on their own.
        } else if (typed.ok() && typed->size() == 1 && !(*typed)[0].is_structured()) {
          value = (*typed)[0];
        }
      }
      if (!value.is_string()) return value;
      std::string text = value.get<std::string>();
      if (absl::StartsWith(text, "{{") && absl::EndsWith(text, "}}") &&
          std::find(BodyPlaceholders().begin(), BodyPlaceholders().end(), text) ==
              BodyPlaceholders().end()) {
        Error(node, absl::StrCat("unknown placeholder '", text, "' in ", path,
                                 DidYouMean(text, BodyPlaceholders()), "; placeholders are ",
                                 absl::StrJoin(BodyPlaceholders(), ", ")));
        return std::nullopt;
      }
      std::optional<Expanded> e = Expand(text, YamlLine(node), YamlColumn(node), path, false);
      if (!e.has_value()) return std::nullopt;
      return nlohmann::json(e->text);
    }
    default:
      return nlohmann::json(nullptr);
  }
}

void ConfigParser::ParseOpenAi(const YAML::Node& node, AgentConfig* config) {
  const std::string p = "openai.";
  YamlMap map(
      node, file_, "'openai'",
      {"base_url", "model", "api_key", "temperature", "max_tokens", "headers", "query", "system"},
      diags_);
  if (!map.valid()) return;
  config->base_url = "https://api.openai.com/v1";
  Url(map, p, "base_url", false, &config->base_url);
  while (absl::EndsWith(config->base_url, "/")) config->base_url.pop_back();
  if (auto model = String(map, p, "model", true)) config->model = model->text;
  if (auto key = String(map, p, "api_key", false, /*secret_context=*/true)) {
    config->api_key = key->text;
  }
  if (std::optional<YamlString> t = map.String("temperature", false)) {
    std::optional<Expanded> e = Expand(*t, p + "temperature");
    double v = 0;
    if (e.has_value() && e->verbatim) {
      if (!absl::SimpleAtod(e->text, &v) || !std::isfinite(v) || v < 0 || v > 2) {
        Error(t->line, t->column,
              absl::StrCat("'temperature' must be a number from 0 to 2, got '", e->text, "'"));
      } else {
        config->temperature = v;
      }
    }
  }
  Whole(map, p, "max_tokens", 1, 1000000, &config->max_tokens);
  Pairs(map, p, "headers", true, &config->headers);
  Pairs(map, p, "query", false, &config->query);
  if (auto system = String(map, p, "system", false)) config->system = system->text;
}

void ConfigParser::ParseLoop(const YAML::Node& node, AgentConfig* config) {
  const std::string p = "tools.";
  YamlMap map(node, file_, "'tools'",
              {"max_turns", "max_calls", "max_tokens", "time", "max_output_bytes"}, diags_);
  if (!map.valid()) return;
  LoopLimits& l = config->loop;
  Whole(map, p, "max_turns", 1, 1000, &l.max_turns);
  Whole(map, p, "max_calls", 1, 10000, &l.max_calls);
  Whole(map, p, "max_tokens", int64_t{0}, int64_t{1} << 40, &l.max_tokens);
  Duration(map, "time", &l.time);
  Whole(map, p, "max_output_bytes", size_t{256}, size_t{16} << 20, &l.max_output_bytes);
}

void ConfigParser::ParsePrices(const YAML::Node& node, AgentConfig* config) {
  YamlMap map(node, file_, "'prices'", {"input", "output"}, diags_);
  if (!map.valid()) return;
  for (const char* key : {"input", "output"}) {
    if (!map.Find(key).IsDefined()) {
      Error(map.node(),
            absl::StrCat("'prices' is missing required key '", key, "' (USD per million tokens)"));
    }
  }
  Number(map, "prices.", "input", 0, 1e6, &config->input_price);
  Number(map, "prices.", "output", 0, 1e6, &config->output_price);
}

void ConfigParser::ParseExpose(YamlMap& map, AgentConfig* config) {
  std::optional<std::vector<YamlString>> names = map.StringList("expose", false);
  if (!names.has_value()) return;
  static const std::vector<std::string> kNames = {"incident", "prompt_id"};
  for (const YamlString& n : *names) {
    if (n.value == "incident") {
      config->expose_incident = true;
    } else if (n.value == "prompt_id") {
      config->expose_prompt_id = true;
    } else {
      Error(n.line, n.column,
            absl::StrCat("'expose' lists incident and prompt_id only, got '", n.value, "'",
                         DidYouMean(n.value, kNames)));
    }
  }
}

void ConfigParser::ParseHttp(const YAML::Node& node, AgentConfig* config) {
  const std::string p = "http.";
  YamlMap map(node, file_, "'http'", {"url", "method", "headers", "body", "answer"}, diags_);
  if (!map.valid()) return;
  Url(map, p, "url", true, &config->url);
  if (std::optional<YamlString> m = map.String("method", false)) {
    std::optional<Expanded> e = Expand(*m, p + "method");
    if (e.has_value()) {
      std::string method = absl::AsciiStrToUpper(e->text);
      static const std::vector<std::string> kMethods = {"POST", "PUT", "PATCH", "GET"};
      if (e->verbatim && std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) {
        Error(m->line, m->column,
              absl::StrCat("'method' must be POST, PUT, PATCH or GET, got '", e->text, "'",
                           DidYouMean(method, kMethods)));
      } else {
        config->method = method;
      }
    }
  }
  Pairs(map, p, "headers", true, &config->headers);
  YAML::Node body = map.Find("body");
  if (body.IsDefined()) {
    if (!body.IsMap()) {
      Error(body.IsNull() ? map.node() : body,
            absl::StrCat("'body' must be a mapping, got ", DescribeYamlType(body)));
    } else if (config->method == "GET") {
      Error(body, "'body' cannot be sent with method GET");
    } else {
      config->body = Body(body, "http.body");
    }
  }
  Pointer(map, p, &config->answer_pointer);
}

void ConfigParser::ParseCommand(const YAML::Node& node, AgentConfig* config) {
  const std::string p = "command.";
  YamlMap map(node, file_, "'command'", {"argv", "answer"}, diags_);
  if (!map.valid()) return;
  if (std::optional<std::vector<YamlString>> argv = map.StringList("argv", true)) {
    for (size_t i = 0; i < argv->size(); ++i) {
      std::optional<Expanded> e = Expand((*argv)[i], absl::StrCat(p, "argv[", i, "]"));
      if (e.has_value()) config->argv.push_back(e->text);
    }
  }
  Pointer(map, p, &config->answer_pointer);
}

void ConfigParser::Parse(const YAML::Node& root, AgentConfig* config) {
  YamlMap map(root, file_, "agent file",
              {"kind", "name", "context", "timeout", "retries", "max_answer_bytes", "budget",
               "openai", "http", "command", "tools", "prices", "expose"},
              diags_);
  if (!map.valid()) return;
  if (std::optional<YamlString> kind = map.String("kind", true)) {
    if (std::find(Kinds().begin(), Kinds().end(), kind->value) != Kinds().end()) {
      config->kind = kind->value;
    } else {
      Error(kind->line, kind->column,
            absl::StrCat("'kind' must be http, openai or command, got '", kind->value, "'",
                         kind->value == "reference" ? " (the reference agent is built in: "
                                                      "--agent reference)"
                                                    : DidYouMean(kind->value, Kinds())));
    }
  }
  config->name = FileStem(file_);
  if (auto name = String(map, "", "name", false)) config->name = name->text;
  config->context_mode = config->kind == "openai" ? "evidence" : "none";
  if (std::optional<YamlString> context = map.String("context", false)) {
    static const std::vector<std::string> kModes = {"none", "evidence", "tools"};
    if (context->value == "tools" && !config->kind.empty() && config->kind != "openai") {
      Error(context->line, context->column,
            absl::StrCat("'context: tools' is the built-in tool-calling loop of kind openai; an "
                         "agent of kind '",
                         config->kind,
                         "' calls tools on its own (sre-eval mcp serves them: agents/mcp.yaml)"));
    } else if (std::find(kModes.begin(), kModes.end(), context->value) != kModes.end()) {
      config->context_mode = context->value;
    } else {
      Error(context->line, context->column,
            absl::StrCat("'context' must be none, evidence or tools, got '", context->value, "'",
                         DidYouMean(context->value, kModes)));
    }
  }
  ParseExpose(map, config);
  YAML::Node tools = map.Find("tools");
  if (tools.IsDefined()) {
    if (config->context_mode != "tools") {
      Error(tools, "'tools' sets the bounds of 'context: tools' and applies to nothing else");
    } else {
      ParseLoop(tools, config);
    }
  }
  YAML::Node prices = map.Find("prices");
  if (prices.IsDefined()) ParsePrices(prices, config);
  Duration(map, "timeout", &config->policy.timeout);
  Duration(map, "budget", &config->policy.budget);
  Whole(map, "", "retries", 0, 10, &config->policy.retries);
  Whole(map, "", "max_answer_bytes", size_t{1}, kMaxAnswerBytesLimit,
        &config->policy.max_answer_bytes);
  for (const std::string& section : Kinds()) {
    YAML::Node node = map.Find(section);
    if (section == config->kind) {
      if (!node.IsDefined()) {
        Error(root, absl::StrCat("agent file of kind '", section, "' is missing required key '",
                                 section, "'"));
      } else if (section == "openai") {
        ParseOpenAi(node, config);
      } else if (section == "http") {
        ParseHttp(node, config);
      } else {
        ParseCommand(node, config);
      }
    } else if (node.IsDefined() && !config->kind.empty()) {
      for (auto it = root.begin(); it != root.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == section) {
          Error(YAML::Node(it->first),
                absl::StrCat("'", section, "' does not apply to kind '", config->kind, "'"));
          break;
        }
      }
    }
  }
  config->secrets = std::move(secrets_);
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): the harness never modifies its environment.
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path, const EnvLookup& env,
                                            bool expand, Diagnostics* diags) {
  absl::StatusOr<std::string> text = ReadFile(path, kMaxAgentFileBytes);
  if (!text.ok()) {
    std::string message(text.status().message());
    if (absl::StartsWith(message, path + ": ")) message = message.substr(path.size() + 2);
    if (diags != nullptr) diags->Add(path, 0, 0, message);
    return text.status();
  }
  return ParseAgentConfig(path, *text, env, expand, diags);
}

absl::StatusOr<AgentConfig> ParseAgentConfig(const std::string& path, absl::string_view text,
                                             const EnvLookup& env, bool expand,
                                             Diagnostics* diags) {
  Diagnostics local;
  if (std::optional<YAML::Node> root = ParseYaml(path, text, &local)) {
    AgentConfig config;
    config.file = path;
    ConfigParser(path, env, expand, &local).Parse(*root, &config);
    if (local.empty()) return config;
  }
  if (diags != nullptr) {
    for (const Diagnostic& d : local.list()) diags->Add(d);
  }
  return local.ToStatus();
}

AgentConfig ReferenceAgentConfig() {
  AgentConfig config;
  config.kind = "reference";
  config.name = "reference";
  config.context_mode = "none";
  return config;
}

std::string Redact(absl::string_view text, const std::vector<std::string>& secrets) {
  std::vector<absl::string_view> sorted;
  for (const std::string& s : secrets) {
    if (!s.empty()) sorted.push_back(s);
  }
  if (sorted.empty()) return std::string(text);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](absl::string_view a, absl::string_view b) { return a.size() > b.size(); });
  // One pass, so that a secret is never found inside an earlier replacement.
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (absl::string_view s : sorted) {
      if (text.substr(i, s.size()) == s) {
        out += "[REDACTED]";
        i += s.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

}  // namespace agent
}  // namespace sre_eval
