#include "sim/validation.h"

#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
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

// The kind as the API server names it in errors: "Deployment.apps", "Pod".
const char* QualifiedKind(const std::string& resource) {
  if (resource == "pods") return "Pod";
  if (resource == "deployments") return "Deployment.apps";
  if (resource == "replicasets") return "ReplicaSet.apps";
  if (resource == "jobs") return "Job.batch";
  return nullptr;
}

void CheckContainers(const nlohmann::json& spec, const std::string& path,
                     std::vector<std::string>* problems) {
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
        problems->push_back(FieldInvalid(
            absl::StrCat(path, ".", list, "[", i, "].resources.requests"), r->get<std::string>(),
            absl::StrCat("must be less than or equal to ", r.key(), " limit of ",
                         l->get<std::string>())));
      }
    }
  }
}

}  // namespace

absl::Status ValidateObject(const std::string& resource, const nlohmann::json& object) {
  const char* kind = QualifiedKind(resource);
  if (kind == nullptr || !object.is_object()) return absl::OkStatus();
  const nlohmann::json* spec = nullptr;
  std::string path;
  auto top = object.find("spec");
  if (top == object.end() || !top->is_object()) return absl::OkStatus();
  if (resource == "pods") {
    spec = &*top;
    path = "spec";
  } else {
    auto tmpl = top->find("template");
    if (tmpl == top->end() || !tmpl->is_object()) return absl::OkStatus();
    auto s = tmpl->find("spec");
    if (s == tmpl->end() || !s->is_object()) return absl::OkStatus();
    spec = &*s;
    path = "spec.template.spec";
  }
  std::vector<std::string> problems;
  CheckContainers(*spec, path, &problems);
  if (problems.empty()) return absl::OkStatus();
  std::string name;
  auto meta = object.find("metadata");
  if (meta != object.end() && meta->is_object()) {
    auto n = meta->find("name");
    if (n != meta->end() && n->is_string()) name = n->get<std::string>();
  }
  std::string list =
      problems.size() == 1 ? problems[0] : absl::StrCat("[", absl::StrJoin(problems, ", "), "]");
  return absl::FailedPreconditionError(
      absl::StrCat(kind, " ", GoQuote(name), " is invalid: ", list));
}

}  // namespace sim
}  // namespace sre_eval
