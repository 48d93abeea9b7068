#include "cluster/types.h"

#include <cctype>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "util/status_macros.h"

namespace sre_eval {
namespace cluster {
namespace {

using nlohmann::json;

// Reads typed fields of one object and names the object and the field in every error
// ("pod front-end-x: status.phase: expected a string"). A null field counts as absent, as
// the API server writes null for unset times.
class Reader {
 public:
  explicit Reader(std::string what) : what_(std::move(what)) {}

  absl::Status Error(const std::string& path, absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(what_, ": ", path, ": ", message));
  }

  // `parent`'s field `key`, or null when absent or null. `path` names the field.
  static const json* Field(const json& parent, const char* key) {
    if (!parent.is_object()) return nullptr;
    auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) return nullptr;
    return &*it;
  }

  absl::StatusOr<const json*> Object(const json& parent, const std::string& path,
                                     const char* key) const {
    const json* v = Field(parent, key);
    if (v != nullptr && !v->is_object()) return Error(path, "expected an object");
    return v;
  }

  absl::StatusOr<const json*> Array(const json& parent, const std::string& path,
                                    const char* key) const {
    const json* v = Field(parent, key);
    if (v != nullptr && !v->is_array()) return Error(path, "expected an array");
    return v;
  }

  absl::Status String(const json& parent, const std::string& path, const char* key,
                      std::string* out) const {
    const json* v = Field(parent, key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_string()) return Error(path, "expected a string");
    *out = v->get<std::string>();
    return absl::OkStatus();
  }

  // A quantity: the API server writes strings, a hand-written manifest may hold a number.
  absl::Status Quantity(const json& parent, const std::string& path, const char* key,
                        std::string* out) const {
    const json* v = Field(parent, key);
    if (v == nullptr) return absl::OkStatus();
    if (v->is_number()) {
      *out = v->dump();
      return absl::OkStatus();
    }
    if (!v->is_string()) return Error(path, "expected a quantity");
    *out = v->get<std::string>();
    return absl::OkStatus();
  }

  absl::Status Int(const json& parent, const std::string& path, const char* key, int* out) const {
    const json* v = Field(parent, key);
    if (v == nullptr) return absl::OkStatus();
    if (v->is_number_unsigned() || v->is_number_integer()) {
      bool huge = v->is_number_unsigned() &&
                  v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int>::max());
      int64_t n = huge ? 0 : v->get<int64_t>();
      if (huge || n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) {
        return Error(path, "number out of range");
      }
      *out = static_cast<int>(n);
      return absl::OkStatus();
    }
    if (v->is_number_float()) return Error(path, "expected a whole number");
    return Error(path, "expected a number");
  }

  absl::Status Bool(const json& parent, const std::string& path, const char* key, bool* out) const {
    const json* v = Field(parent, key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_boolean()) return Error(path, "expected true or false");
    *out = v->get<bool>();
    return absl::OkStatus();
  }

  absl::Status Time(const json& parent, const std::string& path, const char* key,
                    absl::Time* out) const {
    const json* v = Field(parent, key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_string()) return Error(path, "expected an RFC 3339 time");
    absl::StatusOr<absl::Time> t = ParseApiTime(v->get<std::string>());
    if (!t.ok()) return Error(path, t.status().message());
    *out = *t;
    return absl::OkStatus();
  }

  absl::Status StringMap(const json& parent, const std::string& path, const char* key,
                         std::map<std::string, std::string>* out) const {
    ASSIGN_OR_RETURN(const json* m, Object(parent, path, key));
    if (m == nullptr) return absl::OkStatus();
    for (const auto& [k, v] : m->items()) {
      if (!v.is_string()) return Error(absl::StrCat(path, ".", k), "expected a string");
      (*out)[k] = v.get<std::string>();
    }
    return absl::OkStatus();
  }

 private:
  std::string what_;
};

std::string Indexed(const std::string& path, size_t i) { return absl::StrCat(path, "[", i, "]"); }

// "KIND NAME" from metadata.name, for error messages.
absl::StatusOr<Reader> ReaderFor(const json& object, absl::string_view kind, std::string* name) {
  if (!object.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(kind, ": expected a JSON object"));
  }
  Reader unnamed(absl::StrCat(kind, " (unnamed)"));
  ASSIGN_OR_RETURN(const json* meta, unnamed.Object(object, "metadata", "metadata"));
  if (meta != nullptr) RETURN_IF_ERROR(unnamed.String(*meta, "metadata.name", "name", name));
  if (name->empty()) return unnamed;
  return Reader(absl::StrCat(kind, " ", *name));
}

// spec.containers of a pod spec at `path`: names and resource quantities.
absl::Status ParseContainerResources(const Reader& r, const json& spec, const std::string& path,
                                     std::vector<ContainerResources>* out) {
  const std::string list_path = path + ".containers";
  ASSIGN_OR_RETURN(const json* containers, r.Array(spec, list_path, "containers"));
  if (containers == nullptr) return absl::OkStatus();
  for (size_t i = 0; i < containers->size(); ++i) {
    const json& c = (*containers)[i];
    const std::string at = Indexed(list_path, i);
    if (!c.is_object()) return r.Error(at, "expected an object");
    ContainerResources res;
    RETURN_IF_ERROR(r.String(c, at + ".name", "name", &res.name));
    ASSIGN_OR_RETURN(const json* resources, r.Object(c, at + ".resources", "resources"));
    if (resources != nullptr) {
      const std::string rp = at + ".resources";
      ASSIGN_OR_RETURN(const json* req, r.Object(*resources, rp + ".requests", "requests"));
      ASSIGN_OR_RETURN(const json* lim, r.Object(*resources, rp + ".limits", "limits"));
      if (req != nullptr) {
        RETURN_IF_ERROR(r.Quantity(*req, rp + ".requests.cpu", "cpu", &res.cpu_request));
        RETURN_IF_ERROR(r.Quantity(*req, rp + ".requests.memory", "memory", &res.memory_request));
      }
      if (lim != nullptr) {
        RETURN_IF_ERROR(r.Quantity(*lim, rp + ".limits.cpu", "cpu", &res.cpu_limit));
        RETURN_IF_ERROR(r.Quantity(*lim, rp + ".limits.memory", "memory", &res.memory_limit));
      }
    }
    out->push_back(std::move(res));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Termination>> ParseTermination(const Reader& r, const json& parent,
                                                            const std::string& path) {
  ASSIGN_OR_RETURN(const json* t, r.Object(parent, path, "terminated"));
  if (t == nullptr) return std::optional<Termination>();
  Termination term;
  RETURN_IF_ERROR(r.String(*t, path + ".reason", "reason", &term.reason));
  RETURN_IF_ERROR(r.Int(*t, path + ".exitCode", "exitCode", &term.exit_code));
  RETURN_IF_ERROR(r.Time(*t, path + ".startedAt", "startedAt", &term.started_at));
  RETURN_IF_ERROR(r.Time(*t, path + ".finishedAt", "finishedAt", &term.finished_at));
  return std::optional<Termination>(std::move(term));
}

absl::StatusOr<ContainerStatus> ParseContainerStatus(const Reader& r, const json& c,
                                                     const std::string& at) {
  if (!c.is_object()) return r.Error(at, "expected an object");
  ContainerStatus s;
  RETURN_IF_ERROR(r.String(c, at + ".name", "name", &s.name));
  RETURN_IF_ERROR(r.Bool(c, at + ".ready", "ready", &s.ready));
  RETURN_IF_ERROR(r.Int(c, at + ".restartCount", "restartCount", &s.restart_count));
  ASSIGN_OR_RETURN(const json* state, r.Object(c, at + ".state", "state"));
  if (state != nullptr) {
    const std::string sp = at + ".state";
    ASSIGN_OR_RETURN(const json* running, r.Object(*state, sp + ".running", "running"));
    ASSIGN_OR_RETURN(const json* waiting, r.Object(*state, sp + ".waiting", "waiting"));
    if (running != nullptr) {
      s.state = "running";
      RETURN_IF_ERROR(r.Time(*running, sp + ".running.startedAt", "startedAt", &s.running_since));
    } else if (waiting != nullptr) {
      s.state = "waiting";
      RETURN_IF_ERROR(r.String(*waiting, sp + ".waiting.reason", "reason", &s.waiting_reason));
    }
    ASSIGN_OR_RETURN(s.terminated, ParseTermination(r, *state, sp + ".terminated"));
    if (s.state.empty() && s.terminated.has_value()) s.state = "terminated";
  }
  ASSIGN_OR_RETURN(const json* last, r.Object(c, at + ".lastState", "lastState"));
  if (last != nullptr) {
    ASSIGN_OR_RETURN(s.last_terminated, ParseTermination(r, *last, at + ".lastState.terminated"));
  }
  return s;
}

// Splits a quantity into its number (digits, at most one '.') and its suffix, and computes
// number x suffix in units of 10^-`scale` (so scale 3 gives millis), rounding the remainder
// half up (`round_up` false) or up (`round_up` true).
absl::StatusOr<int64_t> ParseQuantity(absl::string_view q, int scale, bool round_up,
                                      absl::string_view kind) {
  auto bad = [&]() {
    return absl::InvalidArgumentError(absl::StrCat("\"", q, "\" is not a ", kind, " quantity"));
  };
  size_t i = 0;
  __int128 mantissa = 0;
  int digits = 0, fraction_digits = 0;
  bool dot = false;
  for (; i < q.size(); ++i) {
    char ch = q[i];
    if (ch == '.' && !dot) {
      dot = true;
    } else if (std::isdigit(static_cast<unsigned char>(ch))) {
      if (mantissa == 0 && ch == '0') {
        // Leading zeros add no precision.
      } else if (++digits > 30) {
        return bad();
      }
      mantissa = mantissa * 10 + (ch - '0');
      if (dot) ++fraction_digits;
    } else {
      break;
    }
  }
  // At least one digit, and not just ".".
  if (i == 0 || (i == 1 && dot)) return bad();
  absl::string_view suffix = q.substr(i);
  int exp10 = scale - fraction_digits;
  int exp1024 = 0;
  if (suffix.empty()) {
  } else if (suffix.size() == 2 && suffix[1] == 'i') {
    static constexpr absl::string_view kBinary = "KMGTPE";
    size_t k = kBinary.find(suffix[0]);
    if (k == absl::string_view::npos) return bad();
    exp1024 = static_cast<int>(k) + 1;
  } else if (suffix[0] == 'e' || (suffix[0] == 'E' && suffix.size() > 1)) {
    absl::string_view e = suffix.substr(1);
    bool negative = false;
    if (!e.empty() && (e[0] == '+' || e[0] == '-')) {
      negative = e[0] == '-';
      e.remove_prefix(1);
    }
    if (e.empty() || e.size() > 3) return bad();
    int n = 0;
    for (char ch : e) {
      if (!std::isdigit(static_cast<unsigned char>(ch))) return bad();
      n = n * 10 + (ch - '0');
    }
    exp10 += negative ? -n : n;
  } else if (suffix.size() == 1) {
    switch (suffix[0]) {
      case 'n':
        exp10 -= 9;
        break;
      case 'u':
        exp10 -= 6;
        break;
      case 'm':
        exp10 -= 3;
        break;
      case 'k':
        exp10 += 3;
        break;
      case 'M':
        exp10 += 6;
        break;
      case 'G':
        exp10 += 9;
        break;
      case 'T':
        exp10 += 12;
        break;
      case 'P':
        exp10 += 15;
        break;
      case 'E':
        exp10 += 18;
        break;
      default:
        return bad();
    }
  } else {
    return bad();
  }
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max();
  auto too_big = [&]() {
    return absl::InvalidArgumentError(absl::StrCat("\"", q, "\" is out of range"));
  };
  __int128 value = mantissa;
  for (int k = 0; k < exp1024; ++k) {
    value *= 1024;
    if (value > kMax) return too_big();
  }
  for (; exp10 > 0; --exp10) {
    if (value == 0) break;
    value *= 10;
    if (value > kMax) return too_big();
  }
  if (exp10 < 0) {
    if (-exp10 > 38) return static_cast<int64_t>(round_up && value > 0 ? 1 : 0);
    __int128 divisor = 1;
    for (int k = 0; k < -exp10; ++k) divisor *= 10;
    __int128 quotient = value / divisor, remainder = value % divisor;
    if (round_up ? remainder > 0 : 2 * remainder >= divisor) ++quotient;
    value = quotient;
  }
  if (value > kMax) return too_big();
  return static_cast<int64_t>(value);
}

bool AllDigits(absl::string_view s) {
  for (char ch : s) {
    if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
  }
  return !s.empty();
}

// The shape of RFC 3339 (absl::ParseTime is laxer: it skips spaces and takes other widths).
bool LooksLikeRfc3339(absl::string_view t) {
  if (t.size() < 20) return false;
  if (!AllDigits(t.substr(0, 4)) || t[4] != '-' || !AllDigits(t.substr(5, 2)) || t[7] != '-' ||
      !AllDigits(t.substr(8, 2)) || t[10] != 'T' || !AllDigits(t.substr(11, 2)) || t[13] != ':' ||
      !AllDigits(t.substr(14, 2)) || t[16] != ':' || !AllDigits(t.substr(17, 2))) {
    return false;
  }
  absl::string_view rest = t.substr(19);
  if (rest[0] == '.') {
    size_t n = 1;
    while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) ++n;
    if (n == 1) return false;
    rest.remove_prefix(n);
  }
  if (rest == "Z") return true;
  return rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && AllDigits(rest.substr(1, 2)) &&
         rest[3] == ':' && AllDigits(rest.substr(4, 2));
}

// Parses the items of a list, of one kind, with `parse`.
template <typename T, typename Parse>
absl::Status ParseInto(const json& item, Parse parse, std::vector<T>* out) {
  ASSIGN_OR_RETURN(T value, parse(item));
  out->push_back(std::move(value));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Pod> ParsePod(const json& object) {
  Pod pod;
  ASSIGN_OR_RETURN(Reader r, ReaderFor(object, "pod", &pod.name));
  ASSIGN_OR_RETURN(const json* meta, r.Object(object, "metadata", "metadata"));
  if (meta != nullptr) {
    RETURN_IF_ERROR(r.StringMap(*meta, "metadata.labels", "labels", &pod.labels));
    pod.deleting = Reader::Field(*meta, "deletionTimestamp") != nullptr;
    ASSIGN_OR_RETURN(const json* owners,
                     r.Array(*meta, "metadata.ownerReferences", "ownerReferences"));
    if (owners != nullptr && !owners->empty()) {
      const json& owner = (*owners)[0];
      const std::string at = "metadata.ownerReferences[0]";
      if (!owner.is_object()) return r.Error(at, "expected an object");
      RETURN_IF_ERROR(r.String(owner, at + ".kind", "kind", &pod.owner_kind));
      RETURN_IF_ERROR(r.String(owner, at + ".name", "name", &pod.owner_name));
    }
  }
  ASSIGN_OR_RETURN(const json* spec, r.Object(object, "spec", "spec"));
  if (spec != nullptr) {
    RETURN_IF_ERROR(ParseContainerResources(r, *spec, "spec", &pod.resources));
  }
  ASSIGN_OR_RETURN(const json* status, r.Object(object, "status", "status"));
  if (status != nullptr) {
    RETURN_IF_ERROR(r.String(*status, "status.phase", "phase", &pod.phase));
    const std::string list_path = "status.containerStatuses";
    ASSIGN_OR_RETURN(const json* statuses, r.Array(*status, list_path, "containerStatuses"));
    if (statuses != nullptr) {
      for (size_t i = 0; i < statuses->size(); ++i) {
        ASSIGN_OR_RETURN(ContainerStatus s,
                         ParseContainerStatus(r, (*statuses)[i], Indexed(list_path, i)));
        pod.containers.push_back(std::move(s));
      }
    }
    ASSIGN_OR_RETURN(const json* conditions, r.Array(*status, "status.conditions", "conditions"));
    if (conditions != nullptr) {
      for (size_t i = 0; i < conditions->size(); ++i) {
        const json& c = (*conditions)[i];
        auto is = [&c](const char* key, const char* want) {
          auto it = c.find(key);
          return it != c.end() && it->is_string() && it->get_ref<const std::string&>() == want;
        };
        if (!c.is_object() || !is("type", "Ready") || !is("status", "True")) continue;
        RETURN_IF_ERROR(r.Time(c, Indexed("status.conditions", i) + ".lastTransitionTime",
                               "lastTransitionTime", &pod.ready_since));
      }
    }
  }
  return pod;
}

absl::StatusOr<Deployment> ParseDeployment(const json& object) {
  Deployment d;
  ASSIGN_OR_RETURN(Reader r, ReaderFor(object, "deployment", &d.name));
  ASSIGN_OR_RETURN(const json* spec, r.Object(object, "spec", "spec"));
  if (spec != nullptr) {
    RETURN_IF_ERROR(r.Int(*spec, "spec.replicas", "replicas", &d.replicas));
    ASSIGN_OR_RETURN(const json* tmpl, r.Object(*spec, "spec.template", "template"));
    if (tmpl != nullptr) {
      ASSIGN_OR_RETURN(const json* pod_spec, r.Object(*tmpl, "spec.template.spec", "spec"));
      if (pod_spec != nullptr) {
        RETURN_IF_ERROR(ParseContainerResources(r, *pod_spec, "spec.template.spec", &d.containers));
      }
    }
  }
  ASSIGN_OR_RETURN(const json* status, r.Object(object, "status", "status"));
  if (status != nullptr) {
    RETURN_IF_ERROR(r.Int(*status, "status.readyReplicas", "readyReplicas", &d.ready_replicas));
    RETURN_IF_ERROR(
        r.Int(*status, "status.availableReplicas", "availableReplicas", &d.available_replicas));
    RETURN_IF_ERROR(
        r.Int(*status, "status.updatedReplicas", "updatedReplicas", &d.updated_replicas));
  }
  return d;
}

absl::StatusOr<Job> ParseJob(const json& object) {
  Job job;
  ASSIGN_OR_RETURN(Reader r, ReaderFor(object, "job", &job.name));
  ASSIGN_OR_RETURN(const json* meta, r.Object(object, "metadata", "metadata"));
  if (meta != nullptr) {
    RETURN_IF_ERROR(r.StringMap(*meta, "metadata.labels", "labels", &job.labels));
  }
  ASSIGN_OR_RETURN(const json* spec, r.Object(object, "spec", "spec"));
  const json* containers = nullptr;
  if (spec != nullptr) {
    ASSIGN_OR_RETURN(const json* tmpl, r.Object(*spec, "spec.template", "template"));
    if (tmpl != nullptr) {
      ASSIGN_OR_RETURN(const json* pod_spec, r.Object(*tmpl, "spec.template.spec", "spec"));
      if (pod_spec != nullptr) {
        ASSIGN_OR_RETURN(containers,
                         r.Array(*pod_spec, "spec.template.spec.containers", "containers"));
      }
    }
  }
  if (containers != nullptr && !containers->empty()) {
    const std::string at = "spec.template.spec.containers[0]";
    if (!(*containers)[0].is_object()) return r.Error(at, "expected an object");
    ASSIGN_OR_RETURN(const json* args, r.Array((*containers)[0], at + ".args", "args"));
    if (args != nullptr) {
      for (size_t i = 0; i < args->size(); ++i) {
        if (!(*args)[i].is_string()) return r.Error(Indexed(at + ".args", i), "expected a string");
        job.args.push_back((*args)[i].get<std::string>());
      }
    }
  }
  ASSIGN_OR_RETURN(const json* status, r.Object(object, "status", "status"));
  if (status == nullptr) return job;
  RETURN_IF_ERROR(r.Int(*status, "status.active", "active", &job.active));
  RETURN_IF_ERROR(r.Int(*status, "status.succeeded", "succeeded", &job.succeeded));
  RETURN_IF_ERROR(r.Int(*status, "status.failed", "failed", &job.failed));
  RETURN_IF_ERROR(r.Time(*status, "status.startTime", "startTime", &job.start_time));
  absl::Time completion = absl::InfinitePast();
  RETURN_IF_ERROR(r.Time(*status, "status.completionTime", "completionTime", &completion));
  ASSIGN_OR_RETURN(const json* conditions, r.Array(*status, "status.conditions", "conditions"));
  absl::Time failed_at = absl::InfinitePast();
  if (conditions != nullptr) {
    for (size_t i = 0; i < conditions->size(); ++i) {
      const json& c = (*conditions)[i];
      const std::string at = Indexed("status.conditions", i);
      if (!c.is_object()) return r.Error(at, "expected an object");
      std::string type, cond_status;
      RETURN_IF_ERROR(r.String(c, at + ".type", "type", &type));
      RETURN_IF_ERROR(r.String(c, at + ".status", "status", &cond_status));
      if (cond_status != "True" || (type != "Complete" && type != "Failed")) continue;
      job.outcome = type;
      if (type == "Failed") {
        RETURN_IF_ERROR(r.Time(c, at + ".lastTransitionTime", "lastTransitionTime", &failed_at));
      }
    }
  }
  if (job.outcome == "Complete") job.finished_at = completion;
  if (job.outcome == "Failed") {
    job.finished_at = completion != absl::InfinitePast() ? completion : failed_at;
  }
  return job;
}

absl::StatusOr<Event> ParseEvent(const json& object) {
  Event e;
  ASSIGN_OR_RETURN(Reader r, ReaderFor(object, "event", &e.name));
  RETURN_IF_ERROR(r.String(object, "type", "type", &e.type));
  RETURN_IF_ERROR(r.String(object, "reason", "reason", &e.reason));
  RETURN_IF_ERROR(r.String(object, "message", "message", &e.message));
  ASSIGN_OR_RETURN(const json* involved, r.Object(object, "involvedObject", "involvedObject"));
  if (involved != nullptr) {
    RETURN_IF_ERROR(r.String(*involved, "involvedObject.kind", "kind", &e.object_kind));
    RETURN_IF_ERROR(r.String(*involved, "involvedObject.name", "name", &e.object_name));
  }
  // Events from the newer events API leave the core fields null and carry eventTime and a
  // series instead.
  ASSIGN_OR_RETURN(const json* series, r.Object(object, "series", "series"));
  absl::Time event_time = absl::InfinitePast(), observed = absl::InfinitePast();
  RETURN_IF_ERROR(r.Time(object, "eventTime", "eventTime", &event_time));
  int series_count = 0;
  if (series != nullptr) {
    RETURN_IF_ERROR(r.Time(*series, "series.lastObservedTime", "lastObservedTime", &observed));
    RETURN_IF_ERROR(r.Int(*series, "series.count", "count", &series_count));
  }
  if (Reader::Field(object, "count") != nullptr) {
    RETURN_IF_ERROR(r.Int(object, "count", "count", &e.count));
  } else if (series_count > 0) {
    e.count = series_count;
  }
  RETURN_IF_ERROR(r.Time(object, "firstTimestamp", "firstTimestamp", &e.first_time));
  RETURN_IF_ERROR(r.Time(object, "lastTimestamp", "lastTimestamp", &e.last_time));
  if (e.first_time == absl::InfinitePast()) e.first_time = event_time;
  if (e.last_time == absl::InfinitePast()) {
    e.last_time = observed != absl::InfinitePast() ? observed : e.first_time;
  }
  return e;
}

absl::StatusOr<PodMetrics> ParsePodMetrics(const json& object) {
  PodMetrics m;
  ASSIGN_OR_RETURN(Reader r, ReaderFor(object, "pod metrics", &m.pod));
  RETURN_IF_ERROR(r.Time(object, "timestamp", "timestamp", &m.timestamp));
  ASSIGN_OR_RETURN(const json* containers, r.Array(object, "containers", "containers"));
  if (containers == nullptr) return m;
  for (size_t i = 0; i < containers->size(); ++i) {
    const json& c = (*containers)[i];
    const std::string at = Indexed("containers", i);
    if (!c.is_object()) return r.Error(at, "expected an object");
    ContainerUsage u;
    RETURN_IF_ERROR(r.String(c, at + ".name", "name", &u.name));
    ASSIGN_OR_RETURN(const json* usage, r.Object(c, at + ".usage", "usage"));
    if (usage != nullptr) {
      std::string cpu, memory;
      RETURN_IF_ERROR(r.Quantity(*usage, at + ".usage.cpu", "cpu", &cpu));
      RETURN_IF_ERROR(r.Quantity(*usage, at + ".usage.memory", "memory", &memory));
      if (!cpu.empty()) {
        absl::StatusOr<int64_t> v = ParseCpuMillicores(cpu);
        if (!v.ok()) return r.Error(at + ".usage.cpu", v.status().message());
        u.cpu_millicores = *v;
      }
      if (!memory.empty()) {
        absl::StatusOr<int64_t> v = ParseMemoryBytes(memory);
        if (!v.ok()) return r.Error(at + ".usage.memory", v.status().message());
        u.memory_bytes = *v;
      }
    }
    m.containers.push_back(std::move(u));
  }
  return m;
}

absl::StatusOr<Snapshot> ParseSnapshotList(const json& list) {
  if (!list.is_object()) return absl::InvalidArgumentError("list: expected a JSON object");
  Reader r("list");
  std::string kind;
  RETURN_IF_ERROR(r.String(list, "kind", "kind", &kind));
  if (!absl::EndsWith(kind, "List")) {
    return r.Error("kind", absl::StrCat("expected a List, got \"", kind, "\""));
  }
  ASSIGN_OR_RETURN(const json* items, r.Array(list, "items", "items"));
  Snapshot snapshot;
  if (items == nullptr) return snapshot;
  for (size_t i = 0; i < items->size(); ++i) {
    const json& item = (*items)[i];
    if (!item.is_object()) return r.Error(Indexed("items", i), "expected an object");
    std::string item_kind;
    RETURN_IF_ERROR(r.String(item, Indexed("items", i) + ".kind", "kind", &item_kind));
    if (item_kind == "Pod") {
      RETURN_IF_ERROR(ParseInto(item, ParsePod, &snapshot.pods));
    } else if (item_kind == "Deployment") {
      RETURN_IF_ERROR(ParseInto(item, ParseDeployment, &snapshot.deployments));
    } else if (item_kind == "Job") {
      RETURN_IF_ERROR(ParseInto(item, ParseJob, &snapshot.jobs));
    } else if (item_kind == "Event") {
      RETURN_IF_ERROR(ParseInto(item, ParseEvent, &snapshot.events));
    } else if (item_kind == "PodMetrics") {
      RETURN_IF_ERROR(ParseInto(item, ParsePodMetrics, &snapshot.metrics));
    }
  }
  return snapshot;
}

absl::StatusOr<int64_t> ParseCpuMillicores(absl::string_view quantity) {
  return ParseQuantity(quantity, 3, /*round_up=*/false, "CPU");
}

absl::StatusOr<int64_t> ParseMemoryBytes(absl::string_view quantity) {
  return ParseQuantity(quantity, 0, /*round_up=*/true, "memory");
}

absl::StatusOr<absl::Time> ParseApiTime(absl::string_view text) {
  absl::Time t;
  std::string err;
  if (!LooksLikeRfc3339(text) || !absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not an RFC 3339 time"));
  }
  return t;
}

std::string FormatApiTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace cluster
}  // namespace sre_eval
