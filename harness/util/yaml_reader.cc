#include "util/yaml_reader.h"

#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "util/edit_distance.h"
#include "util/utf8.h"
#include "util/yaml_limits.h"

namespace sre_eval {

int YamlLine(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }
int YamlColumn(const YAML::Node& node) {
  return node.Mark().column >= 0 ? node.Mark().column + 1 : 0;
}

std::optional<YAML::Node> ParseYaml(const std::string& file, absl::string_view text,
                                    Diagnostics* diags) {
  size_t bad = FindInvalidUtf8(text);
  if (bad != absl::string_view::npos) {
    int line, column;
    LineAndColumn(text, bad, &line, &column);
    diags->Add(file, line, column,
               absl::StrCat("not a text file: ",
                            text[bad] == '\0'
                                ? std::string("NUL byte")
                                : absl::StrCat("invalid UTF-8 byte 0x",
                                               absl::Hex(static_cast<unsigned char>(text[bad]),
                                                         absl::kZeroPad2)),
                            " (YAML files must be UTF-8)"));
    return std::nullopt;
  }
  // Before any node is built: an alias cycle or bomb would make every reader below loop or
  // exhaust memory.
  if (std::optional<YamlLimitError> limit = FindYamlLimitError(text)) {
    diags->Add(file, limit->line, limit->column, limit->message);
    return std::nullopt;
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    int column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    diags->Add(file, line, column, absl::StrCat("YAML syntax error: ", e.msg));
    return std::nullopt;
  }
  if (docs.empty() || (docs.size() == 1 && docs[0].IsNull())) {
    diags->Add(file, 0, 0, "file is empty");
    return std::nullopt;
  }
  if (docs.size() > 1) {
    diags->Add(file, YamlLine(docs[1]), YamlColumn(docs[1]),
               absl::StrCat("expected one YAML document, found ", docs.size()));
    return std::nullopt;
  }
  return docs[0];
}

std::string DescribeYamlType(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a string";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "null";
  }
  return "null";
}

YamlMap::YamlMap(const YAML::Node& node, const std::string& file, std::string what,
                 std::vector<std::string> known_keys, Diagnostics* diags)
    : node_(node), file_(file), what_(std::move(what)), diags_(diags) {
  if (!node.IsMap()) {
    ErrorAt(node, absl::StrCat(what_, " must be a mapping, got ", DescribeYamlType(node)));
    return;
  }
  valid_ = true;
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node key_node = it->first;  // A copy: `*it` is a temporary proxy.
    if (!key_node.IsScalar()) {
      ErrorAt(key_node, absl::StrCat("a key in ", what_, " must be a string, got ",
                                     DescribeYamlType(key_node)));
      continue;
    }
    const std::string& key = key_node.Scalar();
    if (!seen.insert(key).second) {
      ErrorAt(key_node, absl::StrCat("duplicate key '", key, "' in ", what_));
      continue;
    }
    bool known = false;
    for (const std::string& k : known_keys) known = known || k == key;
    if (!known) {
      ErrorAt(key_node,
              absl::StrCat("unknown key '", key, "' in ", what_, DidYouMean(key, known_keys)));
    }
  }
}

YAML::Node YamlMap::Find(const std::string& key) const {
  if (!valid_) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

void YamlMap::ErrorAt(int line, int column, std::string message) {
  diags_->Add(file_, line, column, std::move(message));
}

void YamlMap::ErrorAt(const YAML::Node& at, std::string message) {
  const YAML::Node& where = at.Mark().line >= 0 ? at : node_;
  ErrorAt(YamlLine(where), YamlColumn(where), std::move(message));
}

YamlString YamlMap::ToYamlString(const YAML::Node& n) const {
  return YamlString{n.Scalar(), YamlLine(n), YamlColumn(n),
                    n.Mark().pos >= 0 ? static_cast<size_t>(n.Mark().pos) : 0};
}

namespace {

// Position of the key `key` in `map`, for errors about a value that is null or missing.
YAML::Node KeyNode(const YAML::Node& map, const std::string& key) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->first;
  }
  return map;
}

}  // namespace

std::optional<YAML::Node> YamlMap::Lookup(const std::string& key, bool required,
                                          bool (YAML::Node::*is_type)() const,
                                          const char* type_name) {
  if (!valid_) return std::nullopt;
  YAML::Node v = Find(key);
  if (!v.IsDefined()) {
    if (required) ErrorAt(node_, absl::StrCat(what_, " is missing required key '", key, "'"));
    return std::nullopt;
  }
  if (!(v.*is_type)()) {
    // A null value has no position of its own worth showing; point at its key.
    ErrorAt(v.IsNull() ? KeyNode(node_, key) : v,
            absl::StrCat("'", key, "' must be ", type_name, ", got ", DescribeYamlType(v)));
    return std::nullopt;
  }
  return v;
}

std::optional<YamlString> YamlMap::String(const std::string& key, bool required) {
  std::optional<YAML::Node> v = Lookup(key, required, &YAML::Node::IsScalar, "a string");
  if (!v.has_value()) return std::nullopt;
  if (absl::StripAsciiWhitespace(v->Scalar()).empty()) {
    ErrorAt(*v, absl::StrCat("'", key, "' must not be empty"));
    return std::nullopt;
  }
  return ToYamlString(*v);
}

std::optional<double> YamlMap::Number(const std::string& key, bool required) {
  std::optional<YAML::Node> v = Lookup(key, required, &YAML::Node::IsScalar, "a number");
  if (!v.has_value()) return std::nullopt;
  double d = 0;
  if (!absl::SimpleAtod(v->Scalar(), &d) || !std::isfinite(d)) {
    ErrorAt(*v, absl::StrCat("'", key, "' must be a number, got '", v->Scalar(), "'"));
    return std::nullopt;
  }
  return d;
}

std::optional<YAML::Node> YamlMap::List(const std::string& key, bool required) {
  return Lookup(key, required, &YAML::Node::IsSequence, "a list");
}

std::optional<std::vector<YamlString>> YamlMap::StringList(const std::string& key, bool required) {
  std::optional<YAML::Node> list = List(key, required);
  if (!list.has_value()) return std::nullopt;
  if (required && list->size() == 0) {
    ErrorAt(*list, absl::StrCat("'", key, "' must not be empty"));
    return std::nullopt;
  }
  std::vector<YamlString> out;
  bool ok = true;
  for (YAML::Node item : *list) {  // By value: the iterator yields temporaries.
    if (!item.IsScalar()) {
      ErrorAt(item,
              absl::StrCat("items of '", key, "' must be strings, got ", DescribeYamlType(item)));
      ok = false;
      continue;
    }
    out.push_back(ToYamlString(item));
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace sre_eval
