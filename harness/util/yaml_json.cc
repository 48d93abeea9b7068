#include "util/yaml_json.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "util/utf8.h"
#include "util/yaml_limits.h"
#include "yaml-cpp/yaml.h"

namespace sre_eval {

namespace {

nlohmann::json ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() != "?") return text;  // Quoted or explicitly tagged: a string.
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  size_t sign = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (text.size() == sign) return text;
  bool digits = true;
  bool decimal = true;  // Digits with one '.', and at least one digit.
  int dots = 0;
  for (size_t i = sign; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      ++dots;
      digits = false;
    } else if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digits = decimal = false;
    }
  }
  int64_t integer = 0;
  if (digits && absl::SimpleAtoi(text, &integer)) return integer;
  double value = 0;
  if (decimal && dots == 1 && text.size() > sign + 1 && absl::SimpleAtod(text, &value)) {
    return value;
  }
  return text;
}

nlohmann::json NodeToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (size_t i = 0; i < node.size(); ++i) out.push_back(NodeToJson(YAML::Node(node[i])));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (YAML::const_iterator it = node.begin(); it != node.end(); ++it) {
        YAML::Node key = it->first;  // Copies: the iterator yields temporaries.
        YAML::Node value = it->second;
        out[key.Scalar()] = NodeToJson(value);
      }
      return out;
    }
    default:
      return nullptr;
  }
}

}  // namespace

absl::StatusOr<std::vector<nlohmann::json>> YamlDocumentsToJson(const std::string& file,
                                                                const std::string& text) {
  if (size_t bad = FindInvalidUtf8(text); bad != std::string::npos) {
    int line, column;
    LineAndColumn(text, bad, &line, &column);
    return absl::InvalidArgumentError(absl::StrCat(
        file, ":", line, ":", column, ": ",
        text[bad] == '\0'
            ? std::string("NUL byte")
            : absl::StrCat("invalid UTF-8 byte 0x",
                           absl::Hex(static_cast<unsigned char>(text[bad]), absl::kZeroPad2)),
        " (YAML must be UTF-8)"));
  }
  if (absl::Status limits = CheckYamlLimits(file, text); !limits.ok()) return limits;
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  std::vector<nlohmann::json> out;
  for (const YAML::Node& doc : docs) {
    if (!doc.IsDefined() || doc.IsNull()) continue;
    out.push_back(NodeToJson(doc));
  }
  return out;
}

}  // namespace sre_eval
