// Prompt templates: text with references to ground-truth facts, filled in per incident.
//
//   "Why did the application crash at {{window.start|clock12}}?"
//   "... order ID {{payment.failed_orders[0].id}} ..."
//
// A reference is a declared fact, optionally an item of a list fact and one of its fields,
// and optionally one filter that formats the value. Times always render in UTC.
#ifndef SRE_EVAL_SUITE_TEMPLATE_H_
#define SRE_EVAL_SUITE_TEMPLATE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json_fwd.hpp"

namespace sre_eval {

struct FactRef {
  std::string fact;
  std::optional<size_t> index;  // For list facts: which item, by position ("[0]").
  // For list facts: which item, by key ("[container=front-end]"): the first whose field
  // `key_field` is the string `key_value`. Set instead of index.
  std::string key_field;
  std::string key_value;
  std::string field;  // With index or key: which field of the item.

  // An item is selected, by position or by key.
  bool selects_item() const { return index.has_value() || !key_field.empty(); }
  std::string filter;  // Empty for the type's default format.
  std::string source;  // The reference as written, without the braces.
};

struct TemplatePart {
  std::string literal;         // Text, when ref is empty.
  std::optional<FactRef> ref;  // A reference to fill in.
  size_t offset = 0;           // Where the part starts in the template text.
};

// A problem in a template, at a byte offset into its text.
struct TemplateError {
  size_t offset = 0;
  std::string message;
};

// Immutable once parsed; safe to share between threads.
class Template {
 public:
  // Parses `text`. Syntax errors are appended to `errors`; the parts that did parse are kept.
  static Template Parse(absl::string_view text, std::vector<TemplateError>* errors);

  // Checks every reference against the fact schema: known fact, indexing only lists, known
  // field, a filter that applies to the value's type. Returns the problems found.
  std::vector<TemplateError> Check() const;

  // Fills in the references from `facts`, a JSON object keyed by fact name (the "facts" of a
  // truth.json). Errors: NotFound (a fact missing from the truth), OutOfRange (an item past
  // the end of a list), InvalidArgument (a value not of its declared type, or a reference
  // that Check() would reject).
  absl::StatusOr<std::string> Render(const nlohmann::json& facts) const;

  const std::vector<TemplatePart>& parts() const { return parts_; }
  // Names of the facts referenced, in order of first use.
  std::vector<std::string> FactsUsed() const;

 private:
  std::vector<TemplatePart> parts_;
};

// Parses a bare fact reference, as written between the braces of a template ("restarts.total",
// "payment.failed_orders|count", "payment.failed_orders[0].id",
// "peak_usage[container=front-end].cpu_millicores"). Returns "" or an error.
std::string ParseFactRef(absl::string_view text, FactRef* ref);

// The item of the list `list` that `ref` selects (by position or by key), or nullptr when
// there is none.
const nlohmann::json* SelectItem(const nlohmann::json& list, const FactRef& ref);

// Checks `ref` against the schema as a template would, and sets `*type_name` to the type of
// the value it yields ("integer" for a |count). Returns "" or an error.
std::string CheckFactRef(const FactRef& ref, std::string* type_name);

// The filters that apply to a value of the named type ("time", "money", ...), sorted.
std::vector<std::string> FiltersForType(absl::string_view type_name);

}  // namespace sre_eval

#endif  // SRE_EVAL_SUITE_TEMPLATE_H_
