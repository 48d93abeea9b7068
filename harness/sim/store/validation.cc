#include "sim/store/validation.h"

#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sre_eval {
namespace sim {

std::string GoQuote(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string FieldInvalid(absl::string_view path, absl::string_view value,
                         absl::string_view detail) {
  return absl::StrCat(path, ": Invalid value: ", GoQuote(value), ": ", detail);
}

std::optional<long double> QuantityMillis(absl::string_view q) {
  // Each suffix's factor to thousandths of the unit, exact in a long double.
  static const std::pair<const char*, long double> kSuffixes[] = {
      {"Ki", 1024e3L},
      {"Mi", 1048576e3L},
      {"Gi", 1073741824e3L},
      {"Ti", 1099511627776e3L},
      {"Pi", 1125899906842624e3L},
      {"Ei", 1152921504606846976e3L},
      {"n", 1e-6L},
      {"u", 1e-3L},
      {"m", 1.0L},
      {"k", 1e6L},
      {"M", 1e9L},
      {"G", 1e12L},
      {"T", 1e15L},
      {"P", 1e18L},
      {"E", 1e21L},
  };
  if (q.empty() || q.size() > 64) return std::nullopt;
  long double factor = 1000;
  for (const auto& [suffix, f] : kSuffixes) {
    absl::string_view s(suffix);
    if (q.size() > s.size() && q.substr(q.size() - s.size()) == s) {
      // Only the end is a suffix: "1E3" is an exponent, "1E" an exa.
      factor = f;
      q.remove_suffix(s.size());
      break;
    }
  }
  // The number: digits with an optional sign, point and decimal exponent ("1e3", "1.5").
  for (char c : q) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '+' && c != '-' &&
        c != 'e' && c != 'E') {
      return std::nullopt;
    }
  }
  double value = 0;
  if (!absl::SimpleAtod(q, &value) || !std::isfinite(value)) return std::nullopt;
  return static_cast<long double>(value) * factor;
}

namespace {

// The kind and group of a checked resource, as the API server names them in errors
// ("Deployment.apps"); nullptr kind for the others.
std::pair<const char*, const char*> KindOf(const std::string& resource) {
  if (resource == "pods") return {"Pod", ""};
  if (resource == "deployments") return {"Deployment", "apps"};
  if (resource == "replicasets") return {"ReplicaSet", "apps"};
  if (resource == "jobs") return {"Job", "batch"};
  if (resource == "horizontalpodautoscalers") return {"HorizontalPodAutoscaler", "autoscaling"};
  return {nullptr, nullptr};
}

// One field.Error: `FIELD: MESSAGE` in the message, a cause in the Status' details.
struct FieldError {
  std::string field;
  std::string reason;   // "FieldValueInvalid", "FieldValueRequired".
  std::string message;  // "Invalid value: 0: must be greater than 0", "Required value".
};

FieldError Invalid(std::string field, absl::string_view quoted_value, absl::string_view detail) {
  return {std::move(field), "FieldValueInvalid",
          absl::StrCat("Invalid value: ", quoted_value, ": ", detail)};
}

// A resource quantity written as a string that is none ("200MB", "1.5 Gi"): the API server's
// decoder refuses the whole body before validating it.
bool HasBadQuantity(const nlohmann::json& spec) {
  for (const char* list : {"initContainers", "containers"}) {
    auto containers = spec.find(list);
    if (containers == spec.end() || !containers->is_array()) continue;
    for (const nlohmann::json& c : *containers) {
      if (!c.is_object() || !c.contains("resources") || !c["resources"].is_object()) continue;
      for (const char* kind : {"limits", "requests"}) {
        auto values = c["resources"].find(kind);
        if (values == c["resources"].end() || !values->is_object()) continue;
        for (const auto& v : values->items()) {
          if (v.value().is_string() && !QuantityMillis(v.value().get<std::string>())) return true;
        }
      }
    }
  }
  return false;
}

void CheckContainers(const nlohmann::json& spec, const std::string& path,
                     std::vector<FieldError>* problems) {
  for (const char* list : {"initContainers", "containers"}) {
    auto containers = spec.find(list);
    if (containers == spec.end() || !containers->is_array()) continue;
    for (size_t i = 0; i < containers->size(); ++i) {
      const nlohmann::json& c = (*containers)[i];
      if (!c.is_object()) continue;
      auto resources = c.find("resources");
      if (resources == c.end() || !resources->is_object()) continue;
      auto requests = resources->find("requests");
      auto limits = resources->find("limits");
      if (requests == resources->end() || limits == resources->end() || !requests->is_object() ||
          !limits->is_object()) {
        continue;
      }
      // nlohmann's objects iterate in key order: cpu before memory, the same every time.
      for (auto r = requests->begin(); r != requests->end(); ++r) {
        auto l = limits->find(r.key());
        if (l == limits->end() || !r->is_string() || !l->is_string()) continue;
        std::optional<long double> request = QuantityMillis(r->get<std::string>());
        std::optional<long double> limit = QuantityMillis(l->get<std::string>());
        if (!request || !limit || *request <= *limit) continue;
        problems->push_back(Invalid(absl::StrCat(path, ".", list, "[", i, "].resources.requests"),
                                    GoQuote(r->get<std::string>()),
                                    absl::StrCat("must be less than or equal to ", r.key(),
                                                 " limit of ", l->get<std::string>())));
      }
    }
  }
}

// ValidateHorizontalPodAutoscalerSpec's checks the sim needs: a target, and replica bounds.
void CheckHpaSpec(const nlohmann::json& spec, std::vector<FieldError>* problems) {
  auto string_at = [](const nlohmann::json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto ref = spec.find("scaleTargetRef");
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const nlohmann::json& target = ref != spec.end() && ref->is_object() ? *ref : kEmpty;
  for (const char* key : {"kind", "name"}) {
    if (string_at(target, key).empty()) {
      problems->push_back(
          {absl::StrCat("spec.scaleTargetRef.", key), "FieldValueRequired", "Required value"});
    }
  }
  auto min = spec.find("minReplicas");
  auto max = spec.find("maxReplicas");
  const int64_t max_replicas =
      max != spec.end() && max->is_number_integer() ? max->get<int64_t>() : 0;
  const bool has_min = min != spec.end() && min->is_number_integer();
  if (has_min && min->get<int64_t>() < 1) {
    problems->push_back(Invalid("spec.minReplicas", std::to_string(min->get<int64_t>()),
                                "must be greater than or equal to 1"));
  }
  if (max_replicas < 1) {
    problems->push_back(
        Invalid("spec.maxReplicas", std::to_string(max_replicas), "must be greater than 0"));
  }
  if (has_min && max_replicas < min->get<int64_t>()) {
    problems->push_back(Invalid("spec.maxReplicas", std::to_string(max_replicas),
                                "must be greater than or equal to `minReplicas`"));
  }
}

// The 422 Invalid status for `problems` of `object` (none: OkStatus), with its details.
absl::Status InvalidStatus(const std::string& resource, const nlohmann::json& object,
                           const std::vector<FieldError>& problems) {
  const auto [kind, group] = KindOf(resource);
  if (problems.empty() || kind == nullptr) return absl::OkStatus();
  std::string name;
  auto meta = object.find("metadata");
  if (meta != object.end() && meta->is_object()) {
    auto n = meta->find("name");
    if (n != meta->end() && n->is_string()) name = n->get<std::string>();
  }
  std::vector<std::string> texts;
  nlohmann::json causes = nlohmann::json::array();
  for (const FieldError& p : problems) {
    texts.push_back(absl::StrCat(p.field, ": ", p.message));
    causes.push_back({{"reason", p.reason}, {"message", p.message}, {"field", p.field}});
  }
  std::string list =
      texts.size() == 1 ? texts[0] : absl::StrCat("[", absl::StrJoin(texts, ", "), "]");
  absl::Status status = absl::FailedPreconditionError(absl::StrCat(
      kind, *group != '\0' ? "." : "", group, " ", GoQuote(name), " is invalid: ", list));
  nlohmann::json details = {{"name", name}, {"group", group}, {"kind", kind}, {"causes", causes}};
  if (*group == '\0') details.erase("group");
  status.SetPayload(kInvalidDetailsUrl, absl::Cord(details.dump()));
  return status;
}

// Go's %#v of a v1.LabelSelector, as apimachinery's field.Invalid prints an immutable one:
// v1.LabelSelector{MatchLabels:map[string]string{"name":"carts"}, MatchExpressions:[]v1.
// LabelSelectorRequirement(nil)}.
std::string GoLabelSelector(const nlohmann::json& selector) {
  std::string labels = "map[string]string(nil)";
  auto match = selector.is_object() ? selector.find("matchLabels") : selector.end();
  if (selector.is_object() && match != selector.end() && match->is_object()) {
    std::vector<std::string> pairs;
    for (const auto& [k, v] : match->items()) {
      pairs.push_back(
          absl::StrCat(GoQuote(k), ":", GoQuote(v.is_string() ? v.get<std::string>() : v.dump())));
    }
    labels = absl::StrCat("map[string]string{", absl::StrJoin(pairs, ", "), "}");
  }
  std::string expressions = "[]v1.LabelSelectorRequirement(nil)";
  auto exprs = selector.is_object() ? selector.find("matchExpressions") : selector.end();
  if (selector.is_object() && exprs != selector.end() && exprs->is_array()) {
    std::vector<std::string> items;
    for (const nlohmann::json& e : *exprs) {
      std::vector<std::string> values;
      auto vs = e.is_object() ? e.find("values") : e.end();
      if (e.is_object() && vs != e.end() && vs->is_array()) {
        for (const nlohmann::json& v : *vs) {
          values.push_back(GoQuote(v.is_string() ? v.get<std::string>() : v.dump()));
        }
      }
      auto field = [&](const char* key) {
        return e.is_object() && e.contains(key) && e[key].is_string() ? e[key].get<std::string>()
                                                                      : std::string();
      };
      items.push_back(
          absl::StrCat("v1.LabelSelectorRequirement{Key:", GoQuote(field("key")),
                       ", Operator:", GoQuote(field("operator")), ", Values:",
                       values.empty() ? "[]string(nil)"
                                      : absl::StrCat("[]string{", absl::StrJoin(values, ", "), "}"),
                       "}"));
    }
    expressions = absl::StrCat("[]v1.LabelSelectorRequirement{", absl::StrJoin(items, ", "), "}");
  }
  return absl::StrCat("v1.LabelSelector{MatchLabels:", labels, ", MatchExpressions:", expressions,
                      "}");
}

}  // namespace

absl::Status ValidateUpdate(const std::string& resource, const nlohmann::json& old,
                            const nlohmann::json& updated) {
  if (resource != "deployments" && resource != "replicasets" && resource != "jobs") {
    return absl::OkStatus();
  }
  auto selector_of = [](const nlohmann::json& o) -> nlohmann::json {
    if (!o.is_object() || !o.contains("spec") || !o["spec"].is_object()) return nullptr;
    return o["spec"].value("selector", nlohmann::json());
  };
  nlohmann::json before = selector_of(old);
  nlohmann::json after = selector_of(updated);
  // A job's selector is generated after its create (by the sim's job controller, where the API
  // server defaults it): setting one that was unset, or leaving it out, changes nothing.
  if (before == after || before.is_null() || after.is_null()) return absl::OkStatus();
  return InvalidStatus(resource, updated,
                       {Invalid("spec.selector", GoLabelSelector(after), "field is immutable")});
}

absl::Status ValidateObject(const std::string& resource, const nlohmann::json& object) {
  const auto [kind, group] = KindOf(resource);
  if (kind == nullptr || !object.is_object()) return absl::OkStatus();
  auto top = object.find("spec");
  if (top == object.end() || !top->is_object()) return absl::OkStatus();
  std::vector<FieldError> problems;
  if (resource == "horizontalpodautoscalers") {
    CheckHpaSpec(*top, &problems);
  } else {
    if (resource != "pods" && resource != "jobs") {
      auto replicas = top->find("replicas");
      if (replicas != top->end() && replicas->is_number_integer() && replicas->get<int64_t>() < 0) {
        problems.push_back(Invalid("spec.replicas", std::to_string(replicas->get<int64_t>()),
                                   "must be greater than or equal to 0"));
      }
    }
    const nlohmann::json* pod_spec = &*top;
    std::string path = "spec";
    if (resource != "pods") {
      pod_spec = nullptr;
      path = "spec.template.spec";
      auto tmpl = top->find("template");
      if (tmpl != top->end() && tmpl->is_object()) {
        auto s = tmpl->find("spec");
        if (s != tmpl->end() && s->is_object()) pod_spec = &*s;
      }
    }
    if (pod_spec != nullptr) {
      if (HasBadQuantity(*pod_spec)) {
        // As the decoder words it: `Deployment in version "v1" cannot be handled as a ...`.
        auto api_version = object.find("apiVersion");
        std::string version = api_version != object.end() && api_version->is_string()
                                  ? api_version->get<std::string>()
                                  : "v1";
        version = version.substr(version.find('/') + 1);
        return absl::InvalidArgumentError(
            absl::StrCat(kind, " in version \"", version, "\" cannot be handled as a ", kind,
                         ": quantities must match the regular expression "
                         "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
      }
      CheckContainers(*pod_spec, path, &problems);
    }
  }
  return InvalidStatus(resource, object, problems);
}

}  // namespace sim
}  // namespace sre_eval
