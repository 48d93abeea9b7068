// The ground-truth schema: every fact the harness extracts from a recorded incident, declared
// once with its type and a one-line definition. Prompt templates (and later rubrics) may refer
// only to facts declared here; truth.json files hold them under "facts" by these names.
#ifndef SRE_EVAL_SUITE_FACT_SCHEMA_H_
#define SRE_EVAL_SUITE_FACT_SCHEMA_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nlohmann/json_fwd.hpp"

namespace sre_eval {

enum class FactType {
  kInteger,   // JSON integer.
  kNumber,    // JSON number.
  kString,    // JSON string.
  kBool,      // JSON boolean.
  kTime,      // RFC 3339 UTC string, "2026-11-24T10:23:05Z".
  kDuration,  // JSON number of seconds.
  kMoney,     // JSON number, US dollars.
  kQuantity,  // Kubernetes resource quantity string, "1000Mi", "300m".
  kList,      // JSON array of records with the declared fields.
};

// "integer", "time", "list", ...
absl::string_view FactTypeName(FactType type);

struct FieldSpec {
  std::string name;
  FactType type;
  std::string definition;
  // Added after truths were first recorded: a truth without it is still valid, and criteria
  // that name it skip it there.
  bool optional = false;
};

struct FactSpec {
  std::string name;
  FactType type;
  std::string definition;
  std::vector<FieldSpec> fields;  // Only for kList: the fields of each record.
  // Only for kList: the definition fixes the items' order by what they mean (time, count),
  // so "[0]" names the same thing in every recording. Items of other lists are selected by
  // key ("[container=front-end]").
  bool ordered = false;

  const FieldSpec* FindField(absl::string_view field) const;
};

// Every declared fact, in a fixed order (the order of the schema documentation).
const std::vector<FactSpec>& AllFacts();

// The fact named `name`, or nullptr.
const FactSpec* FindFact(absl::string_view name);

// All fact names, for "did you mean" suggestions.
std::vector<std::string> FactNames();

// Checks a truth's "facts" object against the schema: every key is a declared fact and every
// value (and every field of every list item) has its declared type. Returns one message per
// problem, in key order, such as "fact 'restarts.total': expected an integer, got \"5\"".
std::vector<std::string> CheckFactValues(const nlohmann::json& facts);

// The schema as Markdown: one table row per fact and field. `sre-eval validate --facts`
// prints it, and the README links to its output.
std::string FactSchemaMarkdown();

}  // namespace sre_eval

#endif  // SRE_EVAL_SUITE_FACT_SCHEMA_H_
