#include "incident/timeline.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "util/file_util.h"
#include "util/json_parse.h"
#include "util/status_macros.h"

namespace sre_eval {
namespace incident {

namespace {

using nlohmann::json;

// Snapshot values are API server times: whole seconds. Record times keep any fraction the
// cluster's clock has, so that a timeline reads back exactly as it was written.
std::string SnapshotTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}
std::string RecordTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

bool ParseRfc3339(const std::string& text, absl::Time* t) {
  std::string err;
  return absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S%Ez", text, t, &err);
}

// ---- Writing ----

void PutTime(json& j, const char* key, absl::Time t) {
  if (t != absl::InfinitePast()) j[key] = SnapshotTime(t);
}

json TerminationJson(const cluster::Termination& t) {
  json j = {{"reason", t.reason}, {"exit_code", t.exit_code}};
  PutTime(j, "started_at", t.started_at);
  PutTime(j, "finished_at", t.finished_at);
  return j;
}

json ResourcesJson(const std::vector<cluster::ContainerResources>& list) {
  json out = json::array();
  for (const cluster::ContainerResources& r : list) {
    out.push_back({{"name", r.name},
                   {"cpu_request", r.cpu_request},
                   {"memory_request", r.memory_request},
                   {"cpu_limit", r.cpu_limit},
                   {"memory_limit", r.memory_limit}});
  }
  return out;
}

json PodJson(const cluster::Pod& p) {
  json containers = json::array();
  for (const cluster::ContainerStatus& c : p.containers) {
    json cj = {{"name", c.name},
               {"ready", c.ready},
               {"restart_count", c.restart_count},
               {"state", c.state},
               {"waiting_reason", c.waiting_reason}};
    PutTime(cj, "running_since", c.running_since);
    if (c.terminated) cj["terminated"] = TerminationJson(*c.terminated);
    if (c.last_terminated) cj["last_terminated"] = TerminationJson(*c.last_terminated);
    containers.push_back(std::move(cj));
  }
  return {{"name", p.name},
          {"labels", json(p.labels)},
          {"phase", p.phase},
          {"owner_kind", p.owner_kind},
          {"owner_name", p.owner_name},
          {"deleting", p.deleting},
          {"resources", ResourcesJson(p.resources)},
          {"containers", std::move(containers)}};
}

json DeploymentJson(const cluster::Deployment& d) {
  return {{"name", d.name},
          {"replicas", d.replicas},
          {"ready_replicas", d.ready_replicas},
          {"available_replicas", d.available_replicas},
          {"updated_replicas", d.updated_replicas},
          {"containers", ResourcesJson(d.containers)}};
}

json JobJson(const cluster::Job& job) {
  json j = {{"name", job.name},      {"labels", json(job.labels)}, {"args", json(job.args)},
            {"active", job.active},  {"succeeded", job.succeeded}, {"failed", job.failed},
            {"outcome", job.outcome}};
  PutTime(j, "start_time", job.start_time);
  PutTime(j, "finished_at", job.finished_at);
  return j;
}

json EventJson(const cluster::Event& e) {
  json j = {{"name", e.name},
            {"type", e.type},
            {"reason", e.reason},
            {"message", e.message},
            {"object_kind", e.object_kind},
            {"object_name", e.object_name},
            {"count", e.count}};
  PutTime(j, "first_time", e.first_time);
  PutTime(j, "last_time", e.last_time);
  return j;
}

json MetricsJson(const cluster::PodMetrics& m) {
  json containers = json::array();
  for (const cluster::ContainerUsage& c : m.containers) {
    containers.push_back(
        {{"name", c.name}, {"cpu_millicores", c.cpu_millicores}, {"memory_bytes", c.memory_bytes}});
  }
  json j = {{"pod", m.pod}, {"containers", std::move(containers)}};
  PutTime(j, "timestamp", m.timestamp);
  return j;
}

json StatsPointJson(const LocustStatsPoint& p) {
  return {
      {"time", RecordTime(p.time)}, {"requests", p.requests}, {"failures", p.failures},
      {"avg_ms", p.avg_ms},         {"min_ms", p.min_ms},     {"max_ms", p.max_ms},
      {"median_ms", p.median_ms},   {"rps", p.rps},           {"failures_per_s", p.failures_per_s}};
}

template <typename T, typename F>
json ArrayOf(const std::vector<T>& items, F to_json) {
  json out = json::array();
  for (const T& item : items) out.push_back(to_json(item));
  return out;
}

// ---- Reading ----

// Reads the fields of one JSON object; every error names the field's path.
class Fields {
 public:
  Fields(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

  std::string Path(absl::string_view key) const {
    return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", key);
  }
  const json* Get(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  absl::Status Error(absl::string_view key, absl::string_view expected) const {
    return absl::InvalidArgumentError(absl::StrCat(Path(key), ": expected ", expected));
  }

  absl::Status Str(const char* key, std::string* out) const {
    const json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_string()) return Error(key, "a string");
    *out = v->get<std::string>();
    return absl::OkStatus();
  }
  template <typename Int>
  absl::Status Integer(const char* key, Int* out) const {
    const json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_number_integer()) return Error(key, "an integer");
    *out = v->get<Int>();
    return absl::OkStatus();
  }
  absl::Status Number(const char* key, double* out) const {
    const json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_number()) return Error(key, "a number");
    *out = v->get<double>();
    return absl::OkStatus();
  }
  absl::Status Bool(const char* key, bool* out) const {
    const json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_boolean()) return Error(key, "a boolean");
    *out = v->get<bool>();
    return absl::OkStatus();
  }
  absl::Status Time(const char* key, absl::Time* out) const {
    const json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_string() || !ParseRfc3339(v->get<std::string>(), out)) {
      return Error(key, "an RFC 3339 time");
    }
    return absl::OkStatus();
  }
  absl::Status RequiredTime(const char* key, absl::Time* out) const {
    if (Get(key) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(Path(key), ": missing"));
    }
    return Time(key, out);
  }
  absl::Status StringMap(const char* key, std::map<std::string, std::string>* out) const {
    const json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_object()) return Error(key, "an object");
    for (const auto& [k, value] : v->items()) {
      if (!value.is_string()) return Error(absl::StrCat(key, ".", k), "a string");
      (*out)[k] = value.get<std::string>();
    }
    return absl::OkStatus();
  }
  absl::Status IntMap(const char* key, std::map<std::string, int>* out) const {
    const json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_object()) return Error(key, "an object");
    for (const auto& [k, value] : v->items()) {
      if (!value.is_number_integer()) return Error(absl::StrCat(key, ".", k), "an integer");
      (*out)[k] = value.get<int>();
    }
    return absl::OkStatus();
  }
  absl::Status Strings(const char* key, std::vector<std::string>* out) const {
    const json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_array()) return Error(key, "an array");
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) return Error(absl::StrCat(key, "[", i, "]"), "a string");
      out->push_back((*v)[i].get<std::string>());
    }
    return absl::OkStatus();
  }
  // Calls parse(Fields of item i) for each object of the array at `key`.
  template <typename T, typename F>
  absl::Status Objects(const char* key, std::vector<T>* out, F parse) const {
    const json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_array()) return Error(key, "an array");
    for (size_t i = 0; i < v->size(); ++i) {
      std::string item_key = absl::StrCat(key, "[", i, "]");
      if (!(*v)[i].is_object()) return Error(item_key, "an object");
      T item;
      RETURN_IF_ERROR(parse(Fields((*v)[i], Path(item_key)), &item));
      out->push_back(std::move(item));
    }
    return absl::OkStatus();
  }
  absl::Status Termination(const char* key, std::optional<cluster::Termination>* out) const {
    const json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->is_object()) return Error(key, "an object");
    Fields f(*v, Path(key));
    cluster::Termination t;
    RETURN_IF_ERROR(f.Str("reason", &t.reason));
    RETURN_IF_ERROR(f.Integer("exit_code", &t.exit_code));
    RETURN_IF_ERROR(f.Time("started_at", &t.started_at));
    RETURN_IF_ERROR(f.Time("finished_at", &t.finished_at));
    *out = t;
    return absl::OkStatus();
  }

 private:
  const json& j_;
  std::string path_;
};

absl::Status ParseResources(const Fields& f, cluster::ContainerResources* r) {
  RETURN_IF_ERROR(f.Str("name", &r->name));
  RETURN_IF_ERROR(f.Str("cpu_request", &r->cpu_request));
  RETURN_IF_ERROR(f.Str("memory_request", &r->memory_request));
  RETURN_IF_ERROR(f.Str("cpu_limit", &r->cpu_limit));
  return f.Str("memory_limit", &r->memory_limit);
}

absl::Status ParseContainerStatus(const Fields& f, cluster::ContainerStatus* c) {
  RETURN_IF_ERROR(f.Str("name", &c->name));
  RETURN_IF_ERROR(f.Bool("ready", &c->ready));
  RETURN_IF_ERROR(f.Integer("restart_count", &c->restart_count));
  RETURN_IF_ERROR(f.Str("state", &c->state));
  RETURN_IF_ERROR(f.Str("waiting_reason", &c->waiting_reason));
  RETURN_IF_ERROR(f.Time("running_since", &c->running_since));
  RETURN_IF_ERROR(f.Termination("terminated", &c->terminated));
  return f.Termination("last_terminated", &c->last_terminated);
}

absl::Status ParsePodFields(const Fields& f, cluster::Pod* p) {
  RETURN_IF_ERROR(f.Str("name", &p->name));
  RETURN_IF_ERROR(f.StringMap("labels", &p->labels));
  RETURN_IF_ERROR(f.Str("phase", &p->phase));
  RETURN_IF_ERROR(f.Str("owner_kind", &p->owner_kind));
  RETURN_IF_ERROR(f.Str("owner_name", &p->owner_name));
  RETURN_IF_ERROR(f.Bool("deleting", &p->deleting));
  RETURN_IF_ERROR(f.Objects("resources", &p->resources, ParseResources));
  return f.Objects("containers", &p->containers, ParseContainerStatus);
}

absl::Status ParseDeploymentFields(const Fields& f, cluster::Deployment* d) {
  RETURN_IF_ERROR(f.Str("name", &d->name));
  RETURN_IF_ERROR(f.Integer("replicas", &d->replicas));
  RETURN_IF_ERROR(f.Integer("ready_replicas", &d->ready_replicas));
  RETURN_IF_ERROR(f.Integer("available_replicas", &d->available_replicas));
  RETURN_IF_ERROR(f.Integer("updated_replicas", &d->updated_replicas));
  return f.Objects("containers", &d->containers, ParseResources);
}

absl::Status ParseJobFields(const Fields& f, cluster::Job* job) {
  RETURN_IF_ERROR(f.Str("name", &job->name));
  RETURN_IF_ERROR(f.StringMap("labels", &job->labels));
  RETURN_IF_ERROR(f.Strings("args", &job->args));
  RETURN_IF_ERROR(f.Integer("active", &job->active));
  RETURN_IF_ERROR(f.Integer("succeeded", &job->succeeded));
  RETURN_IF_ERROR(f.Integer("failed", &job->failed));
  RETURN_IF_ERROR(f.Time("start_time", &job->start_time));
  RETURN_IF_ERROR(f.Str("outcome", &job->outcome));
  return f.Time("finished_at", &job->finished_at);
}

absl::Status ParseEventFields(const Fields& f, cluster::Event* e) {
  RETURN_IF_ERROR(f.Str("name", &e->name));
  RETURN_IF_ERROR(f.Str("type", &e->type));
  RETURN_IF_ERROR(f.Str("reason", &e->reason));
  RETURN_IF_ERROR(f.Str("message", &e->message));
  RETURN_IF_ERROR(f.Str("object_kind", &e->object_kind));
  RETURN_IF_ERROR(f.Str("object_name", &e->object_name));
  RETURN_IF_ERROR(f.Integer("count", &e->count));
  RETURN_IF_ERROR(f.Time("first_time", &e->first_time));
  return f.Time("last_time", &e->last_time);
}

absl::Status ParseUsage(const Fields& f, cluster::ContainerUsage* u) {
  RETURN_IF_ERROR(f.Str("name", &u->name));
  RETURN_IF_ERROR(f.Integer("cpu_millicores", &u->cpu_millicores));
  return f.Integer("memory_bytes", &u->memory_bytes);
}

absl::Status ParseMetricsFields(const Fields& f, cluster::PodMetrics* m) {
  RETURN_IF_ERROR(f.Str("pod", &m->pod));
  RETURN_IF_ERROR(f.Time("timestamp", &m->timestamp));
  return f.Objects("containers", &m->containers, ParseUsage);
}

absl::Status ParseStatsPoint(const Fields& f, LocustStatsPoint* p) {
  RETURN_IF_ERROR(f.RequiredTime("time", &p->time));
  RETURN_IF_ERROR(f.Integer("requests", &p->requests));
  RETURN_IF_ERROR(f.Integer("failures", &p->failures));
  RETURN_IF_ERROR(f.Integer("avg_ms", &p->avg_ms));
  RETURN_IF_ERROR(f.Integer("min_ms", &p->min_ms));
  RETURN_IF_ERROR(f.Integer("max_ms", &p->max_ms));
  RETURN_IF_ERROR(f.Integer("median_ms", &p->median_ms));
  RETURN_IF_ERROR(f.Number("rps", &p->rps));
  return f.Number("failures_per_s", &p->failures_per_s);
}

absl::Status ParseSnapshotFields(const Fields& f, cluster::Snapshot* s) {
  RETURN_IF_ERROR(f.Objects("pods", &s->pods, ParsePodFields));
  RETURN_IF_ERROR(f.Objects("deployments", &s->deployments, ParseDeploymentFields));
  RETURN_IF_ERROR(f.Objects("jobs", &s->jobs, ParseJobFields));
  RETURN_IF_ERROR(f.Objects("events", &s->events, ParseEventFields));
  return f.Objects("metrics", &s->metrics, ParseMetricsFields);
}

// One line of the timeline into `t`.
absl::Status ParseLine(const json& j, const std::string& type, bool* seen_header, Timeline* t) {
  Fields f(j, "");
  if (type == "header") {
    if (*seen_header) return absl::InvalidArgumentError("a second header line");
    *seen_header = true;
    int version = 0;
    RETURN_IF_ERROR(f.Integer("schema_version", &version));
    if (version != kTimelineSchemaVersion) {
      return absl::InvalidArgumentError(absl::StrCat(
          "schema_version ", version, " is not supported (expected ", kTimelineSchemaVersion, ")"));
    }
    RETURN_IF_ERROR(f.Str("incident", &t->incident));
    RETURN_IF_ERROR(f.Str("environment", &t->environment));
    RETURN_IF_ERROR(f.Str("context", &t->context));
    RETURN_IF_ERROR(f.Str("namespace", &t->ns));
    double every = absl::ToDoubleSeconds(t->sample_every);
    RETURN_IF_ERROR(f.Number("sample_every", &every));
    t->sample_every = absl::Seconds(every);
    // The truth extracted from the timeline is the incident's: truth.json requires its id.
    if (!j.contains("incident")) return absl::InvalidArgumentError("incident: missing");
    if (t->incident.empty()) {
      return absl::InvalidArgumentError("incident: expected a non-empty string");
    }
    return absl::OkStatus();
  }
  if (!*seen_header) return absl::InvalidArgumentError("expected the header line first");
  absl::Time time;
  RETURN_IF_ERROR(f.RequiredTime("time", &time));
  if (type == "saved") {
    t->saved_time = time;
    return f.IntMap("replicas", &t->saved_replicas);
  }
  if (type == "step") {
    StepRecord s;
    s.time = time;
    s.end = time;
    RETURN_IF_ERROR(f.Time("end", &s.end));
    RETURN_IF_ERROR(f.Str("phase", &s.phase));
    RETURN_IF_ERROR(f.Integer("index", &s.index));
    RETURN_IF_ERROR(f.Integer("line", &s.line));
    RETURN_IF_ERROR(f.Str("action", &s.action));
    RETURN_IF_ERROR(f.Str("describe", &s.describe));
    RETURN_IF_ERROR(f.Bool("ok", &s.ok));
    RETURN_IF_ERROR(f.Str("error", &s.error));
    t->steps.push_back(std::move(s));
    return absl::OkStatus();
  }
  if (type == "mark") {
    Mark m;
    m.time = time;
    RETURN_IF_ERROR(f.Str("name", &m.name));
    RETURN_IF_ERROR(f.Str("job", &m.job));
    t->marks.push_back(std::move(m));
    return absl::OkStatus();
  }
  if (type == "sample") {
    Sample s;
    s.time = time;
    RETURN_IF_ERROR(ParseSnapshotFields(f, &s.snapshot));
    t->samples.push_back(std::move(s));
    return absl::OkStatus();
  }
  if (type == "logs") {
    LogRecord r;
    r.time = time;
    RETURN_IF_ERROR(f.Str("pod", &r.pod));
    RETURN_IF_ERROR(f.Str("container", &r.container));
    RETURN_IF_ERROR(f.Str("deployment", &r.deployment));
    RETURN_IF_ERROR(f.Bool("previous", &r.previous));
    RETURN_IF_ERROR(f.Str("text", &r.text));
    t->logs.push_back(std::move(r));
    return absl::OkStatus();
  }
  if (type == "job_log") {
    JobLogRecord r;
    r.time = time;
    RETURN_IF_ERROR(f.Str("job", &r.job));
    RETURN_IF_ERROR(f.Str("role", &r.role));
    RETURN_IF_ERROR(f.Str("text", &r.text));
    RETURN_IF_ERROR(f.Objects("stats", &r.stats, ParseStatsPoint));
    t->job_logs.push_back(std::move(r));
    return absl::OkStatus();
  }
  if (type == "probe") {
    ProbeRecord r;
    r.time = time;
    RETURN_IF_ERROR(f.Str("name", &r.name));
    if (const json* data = f.Get("data")) r.data = *data;
    t->probes.push_back(std::move(r));
    return absl::OkStatus();
  }
  t->interrupted = true;
  return absl::OkStatus();  // "interrupted"
}

}  // namespace

nlohmann::json ToJson(const cluster::Snapshot& snapshot) {
  return {{"pods", ArrayOf(snapshot.pods, PodJson)},
          {"deployments", ArrayOf(snapshot.deployments, DeploymentJson)},
          {"jobs", ArrayOf(snapshot.jobs, JobJson)},
          {"events", ArrayOf(snapshot.events, EventJson)},
          {"metrics", ArrayOf(snapshot.metrics, MetricsJson)}};
}

absl::StatusOr<cluster::Snapshot> SnapshotFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("snapshot: expected an object");
  cluster::Snapshot s;
  RETURN_IF_ERROR(ParseSnapshotFields(Fields(j, ""), &s));
  return s;
}

// ---- TimelineWriter ----

absl::StatusOr<std::unique_ptr<TimelineWriter>> TimelineWriter::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) return ErrnoStatus(errno, absl::StrCat("cannot open ", path));
  return std::unique_ptr<TimelineWriter>(new TimelineWriter(f));
}

TimelineWriter::~TimelineWriter() { std::fclose(file_); }

absl::Status TimelineWriter::Line(const nlohmann::json& j) {
  std::string line = j.dump();
  line += '\n';
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    return ErrnoStatus(errno, "cannot write the timeline");
  }
  return absl::OkStatus();
}

absl::Status TimelineWriter::Header(const Timeline& t) {
  json every;
  absl::Duration rem;
  int64_t seconds = absl::IDivDuration(t.sample_every, absl::Seconds(1), &rem);
  if (rem == absl::ZeroDuration()) {
    every = seconds;
  } else {
    every = absl::ToDoubleSeconds(t.sample_every);
  }
  return Line({{"type", "header"},
               {"schema_version", kTimelineSchemaVersion},
               {"incident", t.incident},
               {"environment", t.environment},
               {"context", t.context},
               {"namespace", t.ns},
               {"sample_every", every}});
}

absl::Status TimelineWriter::Saved(absl::Time time, const std::map<std::string, int>& replicas) {
  return Line({{"type", "saved"}, {"time", RecordTime(time)}, {"replicas", json(replicas)}});
}

absl::Status TimelineWriter::Step(const StepRecord& s) {
  return Line({{"type", "step"},
               {"time", RecordTime(s.time)},
               {"end", RecordTime(s.end)},
               {"phase", s.phase},
               {"index", s.index},
               {"line", s.line},
               {"action", s.action},
               {"describe", s.describe},
               {"ok", s.ok},
               {"error", s.error}});
}

absl::Status TimelineWriter::AddMark(const Mark& m) {
  json j = {{"type", "mark"}, {"time", RecordTime(m.time)}, {"name", m.name}};
  if (!m.job.empty()) j["job"] = m.job;
  return Line(j);
}

absl::Status TimelineWriter::AddSample(const Sample& s) {
  cluster::Snapshot snapshot = s.snapshot;
  std::vector<cluster::Event> fresh;
  for (const cluster::Event& e : snapshot.events) {
    auto key = std::make_pair(e.count, e.last_time);
    auto it = events_written_.find(e.name);
    if (it != events_written_.end() && it->second == key) continue;
    events_written_[e.name] = key;
    fresh.push_back(e);
  }
  snapshot.events = std::move(fresh);
  json j = ToJson(snapshot);
  j["type"] = "sample";
  j["time"] = RecordTime(s.time);
  return Line(j);
}

absl::Status TimelineWriter::Logs(const LogRecord& r) {
  return Line({{"type", "logs"},
               {"time", RecordTime(r.time)},
               {"pod", r.pod},
               {"container", r.container},
               {"deployment", r.deployment},
               {"previous", r.previous},
               {"text", r.text}});
}

absl::Status TimelineWriter::JobLog(const JobLogRecord& r) {
  return Line({{"type", "job_log"},
               {"time", RecordTime(r.time)},
               {"job", r.job},
               {"role", r.role},
               {"text", r.text},
               {"stats", ArrayOf(r.stats, StatsPointJson)}});
}

absl::Status TimelineWriter::Probe(const ProbeRecord& r) {
  return Line(
      {{"type", "probe"}, {"time", RecordTime(r.time)}, {"name", r.name}, {"data", r.data}});
}

absl::Status TimelineWriter::Interrupted(absl::Time time, const std::string& signal) {
  return Line({{"type", "interrupted"}, {"time", RecordTime(time)}, {"signal", signal}});
}

// ---- Reading ----

absl::StatusOr<Timeline> ReadTimeline(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseTimeline(text, path);
}

absl::StatusOr<Timeline> ParseTimeline(const std::string& text, const std::string& name) {
  Timeline t;
  bool seen_header = false;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    auto error = [&](absl::string_view message) {
      return absl::InvalidArgumentError(absl::StrCat(name, ":", line_number, ": ", message));
    };
    absl::StatusOr<json> parsed = ParseJson(line, name, line_number);
    if (!parsed.ok()) return parsed.status();
    json& j = *parsed;
    if (!j.is_object()) return error("expected a JSON object");
    auto type_it = j.find("type");
    if (type_it == j.end() || !type_it->is_string()) return error("type: expected a string");
    std::string type = type_it->get<std::string>();
    static const char* const kTypes[] = {"header", "saved",   "step",  "mark",       "sample",
                                         "logs",   "job_log", "probe", "interrupted"};
    if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) {
      return error(absl::StrCat("unknown type '", type, "'"));
    }
    absl::Status status = ParseLine(j, type, &seen_header, &t);
    if (!status.ok()) return error(absl::StrCat(type, ": ", status.message()));
  }
  if (!seen_header) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": no header line"));
  }
  std::stable_sort(t.samples.begin(), t.samples.end(),
                   [](const Sample& a, const Sample& b) { return a.time < b.time; });
  return t;
}

}  // namespace incident
}  // namespace sre_eval
