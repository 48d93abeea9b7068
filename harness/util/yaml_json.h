// YAML documents as JSON values: for Kubernetes manifests and request bodies, which are
// JSON objects written in YAML.
#ifndef SRE_EVAL_UTIL_YAML_JSON_H_
#define SRE_EVAL_UTIL_YAML_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace sre_eval {

// Parses a multi-document YAML text into JSON values. Plain scalars are typed as YAML 1.2's
// core schema does (null, booleans, integers, decimals); quoted or tagged scalars stay
// strings; empty documents are skipped. InvalidArgument "<file>:<line>:<col>: <message>" on a
// syntax error, on text that is not UTF-8 (or holds a NUL byte), and on a document past the
// default YamlLimits (alias cycles, alias bombs, deep nesting: util/yaml_limits.h).
absl::StatusOr<std::vector<nlohmann::json>> YamlDocumentsToJson(const std::string& file,
                                                                const std::string& text);

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_YAML_JSON_H_
