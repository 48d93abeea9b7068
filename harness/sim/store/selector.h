// Label and field selectors as the API server reads them from `labelSelector=` and
// `fieldSelector=` query parameters (and label selectors from a workload's spec.selector).
// Pure values: parse once, match many objects; safe to share between threads once built.
#ifndef SRE_EVAL_SIM_STORE_SELECTOR_H_
#define SRE_EVAL_SIM_STORE_SELECTOR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {

// A label selector: "a=b,c!=d,e in (x,y),f notin (z),g,!h" ("==" too, and "x>1", "x<1" as the
// server accepts them). The empty selector matches everything.
class LabelSelector {
 public:
  enum class Op {
    kEquals,
    kDoubleEquals,
    kNotEquals,
    kIn,
    kNotIn,
    kExists,
    kDoesNotExist,
    kGt,
    kLt
  };
  struct Requirement {
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;  // Sorted, without duplicates.
  };

  LabelSelector() = default;  // Matches everything.

  // InvalidArgument with the server's text, e.g. "unable to parse requirement: found '',
  // expected: ',' or ')'" or "found ')', expected: !, identifier, or 'end of string'".
  static absl::StatusOr<LabelSelector> Parse(const std::string& text);

  // From a LabelSelector object {"matchLabels": {...}, "matchExpressions": [{"key", "operator":
  // In|NotIn|Exists|DoesNotExist, "values"}]}. Null or {} matches everything. InvalidArgument
  // for an unknown operator ("\"Foo\" is not a valid label selector operator"), a malformed
  // object, or a requirement the server would reject (In without values, invalid key).
  static absl::StatusOr<LabelSelector> FromJson(const nlohmann::json& selector);

  // `labels`: an object of strings (metadata.labels), or null for none.
  bool Matches(const nlohmann::json& labels) const;

  // The canonical form, as kubectl -o wide prints a selector: requirements sorted by key,
  // "name=carts", "tier in (a,b)", "!canary". "" for the empty selector (kubectl shows
  // "<none>" there; that is the printer's business).
  std::string ToString() const;

  bool Empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

 private:
  explicit LabelSelector(std::vector<Requirement> requirements);

  std::vector<Requirement> requirements_;  // Sorted by key.
};

// A field selector: "metadata.name=x,status.phase!=Running" ("=", "==", "!="; "\," "\=" "\\"
// escape those characters in values).
class FieldSelector {
 public:
  enum class Op { kEquals, kNotEquals };
  struct Requirement {
    std::string field;
    Op op = Op::kEquals;
    std::string value;
  };

  FieldSelector() = default;  // Matches everything.

  // `resource` is the plural ("pods", "events", ...). Only the fields the real server indexes
  // for that resource are accepted: metadata.name everywhere, metadata.namespace for
  // namespaced resources, and pods: spec.nodeName, spec.restartPolicy, spec.schedulerName,
  // spec.serviceAccountName, spec.hostNetwork, status.phase, status.podIP,
  // status.nominatedNodeName; events: involvedObject.{kind,namespace,name,uid,apiVersion,
  // resourceVersion,fieldPath}, reason, reportingComponent, source, type; namespaces:
  // status.phase; nodes: spec.unschedulable; replicasets: status.replicas; jobs:
  // status.successful. InvalidArgument "field label not supported: <field>" otherwise, and
  // "invalid selector: '<text>'; can't understand '<term>'" for a term without an operator.
  static absl::StatusOr<FieldSelector> Parse(const std::string& text, const std::string& resource);

  // Reads each field by its dotted path (events' "source" is source.component); a missing
  // string is "", a missing bool "false", a missing count "0".
  bool Matches(const nlohmann::json& object) const;

  bool Empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

 private:
  std::vector<Requirement> requirements_;
  std::string resource_;
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_STORE_SELECTOR_H_
