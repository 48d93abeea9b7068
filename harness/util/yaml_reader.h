// Strict reading of YAML input files (suite files, agent configs): every problem becomes a
// Diagnostic at its 1-based line and column, and all problems in a file are reported.
//
// yaml-cpp's exceptions stop here (STYLE.md item 6): nothing in this interface throws.
#ifndef SRE_EVAL_UTIL_YAML_READER_H_
#define SRE_EVAL_UTIL_YAML_READER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "util/diagnostic.h"
#include "yaml-cpp/yaml.h"

namespace sre_eval {

// Parses `text` as exactly one YAML document. On failure adds a diagnostic for `file` and
// returns nullopt: text that is not UTF-8 (or holds a NUL byte), a document past the default
// YamlLimits (alias cycles, alias bombs, deep nesting: util/yaml_limits.h), an empty
// document, a syntax error, or more than one document.
std::optional<YAML::Node> ParseYaml(const std::string& file, absl::string_view text,
                                    Diagnostics* diags);

// "a mapping", "a list", "a string" or "null", for messages like "got a list".
std::string DescribeYamlType(const YAML::Node& node);

// A text value with where it stands in the file.
struct YamlString {
  std::string value;
  int line = 0;
  int column = 0;
  size_t offset = 0;  // Byte offset of the value in the file.
};

// One mapping, read strictly: on construction it reports a node that is not a mapping,
// duplicate keys and unknown keys (with a "did you mean" suggestion). The getters report
// missing required keys and values of the wrong type. Holds `diags` and `file` by pointer and
// reference: both must outlive it.
class YamlMap {
 public:
  // `what` names the mapping in messages: "prompt", "prompt file".
  YamlMap(const YAML::Node& node, const std::string& file, std::string what,
          std::vector<std::string> known_keys, Diagnostics* diags);

  // False when the node was not a mapping (already reported); every getter then fails quietly.
  bool valid() const { return valid_; }
  const YAML::Node& node() const { return node_; }

  // The value of `key` (its first occurrence), or an undefined node.
  YAML::Node Find(const std::string& key) const;

  // A scalar. Reports it missing (when required), or not a scalar, or empty.
  std::optional<YamlString> String(const std::string& key, bool required);
  // A list of scalars. Reports it missing (when required), not a list, an empty list (when
  // required), or an item that is not a scalar.
  std::optional<std::vector<YamlString>> StringList(const std::string& key, bool required);
  // A finite number. Reports it missing (when required), not a scalar, or not a number.
  std::optional<double> Number(const std::string& key, bool required);
  // A list of anything; the caller reads the items. Reports it missing or not a list.
  std::optional<YAML::Node> List(const std::string& key, bool required);

  // Adds a diagnostic at the node's position (or at this mapping's when the node has none).
  void ErrorAt(const YAML::Node& at, std::string message);
  void ErrorAt(int line, int column, std::string message);

 private:
  // The value of `key` when it is present and `(value.*is_type)()`; otherwise reports it
  // missing (when required) or of the wrong type ("must be <type_name>").
  std::optional<YAML::Node> Lookup(const std::string& key, bool required,
                                   bool (YAML::Node::*is_type)() const, const char* type_name);
  YamlString ToYamlString(const YAML::Node& n) const;

  YAML::Node node_;
  const std::string& file_;
  std::string what_;
  Diagnostics* diags_;
  bool valid_ = false;
};

// 1-based line and column of a yaml-cpp node (0 when it has no position).
int YamlLine(const YAML::Node& node);
int YamlColumn(const YAML::Node& node);

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_YAML_READER_H_
