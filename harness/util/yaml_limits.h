// One reading policy for every YAML input: suite files, agent configs, incident manifests and
// the sim's request bodies. yaml-cpp resolves an alias by sharing the anchored node, so a
// document of a few hundred bytes can stand for a graph without end (`&a [*a]`) or for
// billions of nodes once expanded ("billion laughs"). Anything that walks such a graph (every
// loader here does) recurses forever or runs out of memory. CheckYamlLimits walks the parser's
// events once, before any node is built, and refuses those documents.
#ifndef SRE_EVAL_UTIL_YAML_LIMITS_H_
#define SRE_EVAL_UTIL_YAML_LIMITS_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sre_eval {

struct YamlLimits {
  // Collections inside collections, counting the document's root as 1.
  int max_depth = 128;
  // Nodes of all documents together as a reader sees them, every alias expanded.
  size_t max_expanded_nodes = size_t{1} << 20;
  // Bytes of scalars of all documents together, every alias expanded.
  size_t max_expanded_bytes = size_t{64} << 20;
};

// The first place where `text` goes past `limits` (1-based line and column), with one of:
//   "YAML alias *a refers to a node that contains it (an alias cycle)"
//   "YAML aliases expand to more than N nodes (an alias bomb?)"
//   "YAML aliases expand to more than N bytes (an alias bomb?)"
//   "YAML nesting is deeper than N levels"
// nullopt when it stays within them. A syntax error is not a limit: it is left to the
// caller's parser to report in its own words (nullopt), except the one that makes yaml-cpp
// 0.7 loop forever (a ',' where a document should start), reported here as
//   "YAML syntax error: unexpected ',' where a document should start".
// Never throws.
struct YamlLimitError {
  int line = 0;
  int column = 0;
  std::string message;
};
std::optional<YamlLimitError> FindYamlLimitError(absl::string_view text,
                                                 const YamlLimits& limits = YamlLimits());

// The same as a Status: InvalidArgument "<file>:<line>:<col>: <message>", or OkStatus.
absl::Status CheckYamlLimits(const std::string& file, absl::string_view text,
                             const YamlLimits& limits = YamlLimits());

}  // namespace sre_eval

#endif  // SRE_EVAL_UTIL_YAML_LIMITS_H_
