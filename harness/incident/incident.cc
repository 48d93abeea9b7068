#include "incident/incident.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "util/edit_distance.h"
#include "util/file_util.h"
#include "util/yaml_json.h"
#include "util/yaml_reader.h"
#include "yaml-cpp/yaml.h"

namespace sre_eval {
namespace incident {

namespace {

// Incident files and the manifests they name larger than this are rejected unread.
constexpr size_t kMaxIncidentFileBytes = size_t{1} << 20;
constexpr size_t kMaxManifestBytes = size_t{4} << 20;

const std::vector<std::string>& ActionKeys() {
  static const auto* keys = new std::vector<std::string>{
      "apply", "delete", "scale", "record", "wait_job", "wait_healthy", "probe"};
  return *keys;
}

const std::vector<std::string>& Marks() {
  static const auto* marks =
      new std::vector<std::string>{"window.start", "window.end", "window.recovered"};
  return *marks;
}

constexpr StepKind kKinds[] = {StepKind::kApply,  StepKind::kDelete,  StepKind::kScale,
                               StepKind::kRecord, StepKind::kWaitJob, StepKind::kWaitHealthy,
                               StepKind::kProbe};

bool IsIncidentId(const std::string& id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_' && c != '-') return false;
  }
  return true;
}

// "crash.yaml" -> "crash".
std::string FileStem(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  for (const char* ext : {".yaml", ".yml"}) {
    if (absl::EndsWith(name, ext)) return name.substr(0, name.size() - strlen(ext));
  }
  return name;
}

// `manifest` against the folder of `incident_file`; an absolute path stays as it is.
std::string ResolveManifest(const std::string& incident_file, const std::string& manifest) {
  if (absl::StartsWith(manifest, "/")) return manifest;
  std::string dir = std::filesystem::path(incident_file).parent_path().string();
  return dir.empty() ? manifest : absl::StrCat(dir, "/", manifest);
}

// A message from ReadFile without the path it starts with.
std::string WithoutPath(const absl::Status& status, const std::string& path) {
  std::string message(status.message());
  if (absl::StartsWith(message, path + ": ")) message = message.substr(path.size() + 2);
  return message;
}

// Reads one incident file: every problem goes to `diags_` at the file's line and column.
class IncidentParser {
 public:
  IncidentParser(std::string file, Diagnostics* diags) : file_(std::move(file)), diags_(diags) {}

  void Parse(const YAML::Node& root, Incident* incident);

 private:
  void Error(const YAML::Node& at, std::string message) {
    diags_->Add(file_, YamlLine(at), YamlColumn(at), std::move(message));
  }
  void Error(const YamlString& at, std::string message) {
    diags_->Add(file_, at.line, at.column, std::move(message));
  }

  // Reads `steps` or `restore` into `out`; `in_restore` allows `replicas: saved`.
  void ParseSteps(const YAML::Node& list, bool in_restore, std::vector<Step>* out);
  void ParseAct(const YAML::Node& node, ActSetup* act);
  std::optional<Step> ParseStep(const YAML::Node& node, bool in_restore);
  // Fills `step` from the action's value; false when it was reported broken.
  bool ParseAction(const YAML::Node& key, const YAML::Node& value, bool in_restore, Step* step);
  bool ParseManifest(const YAML::Node& key, const YAML::Node& value, Step* step);
  bool ParseScale(const YAML::Node& value, bool in_restore, Step* step);
  bool ParseWaitJob(const YAML::Node& value, Step* step);
  bool ParseProbe(const YAML::Node& key, const YAML::Node& value, Step* step);
  bool ParseMark(const YAML::Node& key, const YAML::Node& value, Step* step);

  // A non-empty scalar for `name`; reports it otherwise (at `key` when the value is null).
  std::optional<std::string> Scalar(const YAML::Node& key, const YAML::Node& value,
                                    const std::string& name);
  // A whole number of seconds above zero ("30s", "5m", "1h30m").
  std::optional<absl::Duration> Duration(const YAML::Node& key, const YAML::Node& value,
                                         const std::string& name);
  // Checks that every document of the manifest is a Kubernetes object; records its Jobs.
  bool CheckManifest(const YAML::Node& at, const Step& step);
  // Checks that an apply step before `step` creates the Job `step.job`.
  void CheckJob(const YAML::Node& at, const Step& step);

  std::string file_;
  Diagnostics* diags_;
  // The line of the step that set each mark.
  std::map<std::string, int> marks_;
  // The list being read: "steps", "restore" or "cleanup".
  std::string list_ = "steps";
  // Jobs created by the apply steps read so far, and whether every manifest loaded (the Job
  // check is left out otherwise: a broken manifest would make every Job look missing).
  std::vector<std::string> jobs_;
  bool manifests_ok_ = true;
};

std::optional<std::string> IncidentParser::Scalar(const YAML::Node& key, const YAML::Node& value,
                                                  const std::string& name) {
  if (!value.IsScalar()) {
    Error(value.IsNull() ? key : value,
          absl::StrCat("'", name, "' must be a string, got ", DescribeYamlType(value)));
    return std::nullopt;
  }
  if (absl::StripAsciiWhitespace(value.Scalar()).empty()) {
    Error(value, absl::StrCat("'", name, "' must not be empty"));
    return std::nullopt;
  }
  return value.Scalar();
}

std::optional<absl::Duration> IncidentParser::Duration(const YAML::Node& key,
                                                       const YAML::Node& value,
                                                       const std::string& name) {
  std::string like = absl::StrCat("'", name, "' must be a duration like 30s, 5m or 1h30m, got ");
  if (!value.IsScalar()) {
    Error(value.IsNull() ? key : value, like + DescribeYamlType(value));
    return std::nullopt;
  }
  const std::string& text = value.Scalar();
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d == absl::InfiniteDuration() ||
      d == -absl::InfiniteDuration()) {
    Error(value, absl::StrCat(like, "'", text, "'"));
    return std::nullopt;
  }
  if (d <= absl::ZeroDuration()) {
    Error(value, absl::StrCat("'", name, "' must be more than 0s, got '", text, "'"));
    return std::nullopt;
  }
  if (absl::Trunc(d, absl::Seconds(1)) != d) {
    Error(value, absl::StrCat("'", name, "' must be whole seconds, got '", text, "'"));
    return std::nullopt;
  }
  return d;
}

void IncidentParser::Parse(const YAML::Node& root, Incident* incident) {
  YamlMap map(root, file_, "incident",
              {"id", "title", "description", "sample_every", "steps", "restore", "cleanup",
               "evidence", "act"},
              diags_);
  if (!map.valid()) return;
  if (std::optional<YamlString> id = map.String("id", true); id.has_value()) {
    incident->id = id->value;
    std::string stem = FileStem(file_);
    if (!IsIncidentId(id->value)) {
      Error(*id,
            absl::StrCat("id '", id->value, "' must be lowercase letters, digits, '_' and '-'"));
    } else if (id->value != stem) {
      Error(*id, absl::StrCat("id '", id->value, "' does not match the file name '",
                              std::filesystem::path(file_).filename().string(), "'"));
    }
  }
  if (std::optional<YamlString> title = map.String("title", true); title.has_value()) {
    incident->title = title->value;
    if (absl::StripTrailingAsciiWhitespace(title->value).find('\n') != absl::string_view::npos) {
      Error(*title, "'title' must be one line");
    }
  }
  if (std::optional<YamlString> d = map.String("description", true); d.has_value()) {
    incident->description = d->value;
  }
  if (YAML::Node every = map.Find("sample_every"); every.IsDefined()) {
    std::optional<absl::Duration> d = Duration(every, every, "sample_every");
    if (d.has_value() && *d > absl::Seconds(60)) {
      Error(every,
            absl::StrCat("'sample_every' must be between 1s and 60s, got '", every.Scalar(), "'"));
    } else if (d.has_value()) {
      incident->sample_every = *d;
    }
  }
  if (std::optional<YAML::Node> steps = map.List("steps", true); steps.has_value()) {
    if (steps->size() == 0) {
      Error(*steps, "'steps' must not be empty");
    } else {
      ParseSteps(*steps, /*in_restore=*/false, &incident->steps);
    }
  }
  if (std::optional<YAML::Node> restore = map.List("restore", false); restore.has_value()) {
    list_ = "restore";
    ParseSteps(*restore, /*in_restore=*/true, &incident->restore);
  }
  if (std::optional<YAML::Node> cleanup = map.List("cleanup", false); cleanup.has_value()) {
    list_ = "cleanup";
    ParseSteps(*cleanup, /*in_restore=*/true, &incident->cleanup);
  }
  if (YAML::Node act = map.Find("act"); act.IsDefined()) ParseAct(act, &incident->act);
  if (std::optional<YAML::Node> evidence = map.List("evidence", false); evidence.has_value()) {
    for (YAML::Node item : *evidence) {
      YamlMap source(item, file_, "evidence source", {"resource", "name", "query"}, diags_);
      if (!source.valid()) continue;
      EvidenceSource e;
      if (auto r = source.String("resource", false)) e.resource = r->value;
      if (auto n = source.String("name", false)) e.name = n->value;
      if (auto q = source.String("query", false)) e.query = q->value;
      if (e.resource.empty() == e.query.empty()) {
        Error(item, "an evidence source has a 'resource' (with an optional 'name') or a 'query'");
      } else if (!e.name.empty() && e.resource.empty()) {
        Error(item, "'name' narrows a 'resource'");
      } else {
        incident->evidence.push_back(std::move(e));
      }
    }
  }
}

void IncidentParser::ParseAct(const YAML::Node& node, ActSetup* act) {
  YamlMap map(node, file_, "act", {"steps", "load", "verify", "restore"}, diags_);
  if (!map.valid()) return;
  act->defined = true;
  act->line = YamlLine(node);
  // The act steps make their own marks-free list; their Jobs are the act's own.
  std::map<std::string, int> marks = marks_;
  std::vector<std::string> jobs = jobs_;
  jobs_.clear();
  if (std::optional<YAML::Node> steps = map.List("steps", true); steps.has_value()) {
    list_ = "act steps";
    ParseSteps(*steps, /*in_restore=*/false, &act->steps);
    for (const Step& s : act->steps) {
      if (!s.mark.empty()) {
        diags_->Add(file_, s.line, 0, "act steps take no mark: the incident window is recorded");
      }
    }
  }
  auto manifest = [&](const char* key, std::string* written, std::string* path) -> bool {
    std::optional<YamlString> v = map.String(key, true);
    if (!v.has_value()) return false;
    *written = v->value;
    *path = ResolveManifest(file_, v->value);
    Step probe;
    probe.kind = StepKind::kApply;
    probe.manifest = v->value;
    probe.manifest_path = *path;
    YAML::Node at = map.Find(key);
    size_t before = jobs_.size();
    if (!CheckManifest(at, probe)) return false;
    if (jobs_.size() != before + 1) {
      Error(at, absl::StrCat("'", key, "' must name a manifest holding exactly one Job, got ",
                             jobs_.size() - before));
      return false;
    }
    return true;
  };
  if (manifest("load", &act->load, &act->load_path)) act->load_job = jobs_.back();
  if (manifest("verify", &act->verify, &act->verify_path)) act->verify_job = jobs_.back();
  if (std::optional<YAML::Node> restore = map.List("restore", false); restore.has_value()) {
    list_ = "restore";
    ParseSteps(*restore, /*in_restore=*/true, &act->restore);
  }
  marks_ = std::move(marks);
  jobs_ = std::move(jobs);
}

void IncidentParser::ParseSteps(const YAML::Node& list, bool in_restore, std::vector<Step>* out) {
  for (YAML::Node node : list) {  // By value: the iterator yields temporaries.
    std::optional<Step> step = ParseStep(node, in_restore);
    if (step.has_value()) out->push_back(*std::move(step));
  }
}

std::optional<Step> IncidentParser::ParseStep(const YAML::Node& node, bool in_restore) {
  if (!node.IsMap()) {
    Error(node, absl::StrCat("step must be a mapping, got ", DescribeYamlType(node)));
    return std::nullopt;
  }
  // Keys are checked here rather than by YamlMap: a step is one action key of several.
  std::vector<std::string> known = ActionKeys();
  known.push_back("mark");
  known.push_back("when");
  size_t errors_before = diags_->size();
  std::vector<std::pair<YAML::Node, YAML::Node>> actions;
  std::optional<std::pair<YAML::Node, YAML::Node>> mark, when;
  bool unknown = false;
  std::vector<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node key = it->first;  // Copies: `*it` is a temporary proxy.
    YAML::Node value = it->second;
    if (!key.IsScalar()) {
      Error(key, absl::StrCat("a key in step must be a string, got ", DescribeYamlType(key)));
      continue;
    }
    const std::string& name = key.Scalar();
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      Error(key, absl::StrCat("duplicate key '", name, "' in step"));
      continue;
    }
    seen.push_back(name);
    if (name == "mark") {
      mark.emplace(key, value);
    } else if (name == "when") {
      when.emplace(key, value);
    } else if (std::find(ActionKeys().begin(), ActionKeys().end(), name) != ActionKeys().end()) {
      actions.emplace_back(key, value);
    } else {
      unknown = true;
      Error(key, absl::StrCat("unknown step key '", name, "'", DidYouMean(name, known)));
    }
  }
  if (actions.size() != 1) {
    // A misspelt action key was reported already; saying it is missing would repeat it.
    if (!(actions.empty() && unknown)) {
      Error(node, absl::StrCat("step needs exactly one of ", absl::StrJoin(ActionKeys(), ", ")));
    }
    return std::nullopt;
  }
  Step step;
  step.line = YamlLine(node);
  bool ok = ParseAction(actions[0].first, actions[0].second, in_restore, &step);
  if (mark.has_value()) {
    if (list_ == "cleanup") {
      Error(mark->first, "cleanup steps take no mark: the incident window is over");
      ok = false;
    } else {
      ok = ParseMark(mark->first, mark->second, &step) && ok;
    }
  }
  if (when.has_value()) {
    std::optional<std::string> value = Scalar(when->first, when->second, "when");
    if (list_ != "restore") {
      Error(when->first, "'when' only in restore");
      ok = false;
    } else if (value.has_value() && *value != "steps_failed") {
      Error(when->second,
            absl::StrCat("unknown when '", *value, "'", DidYouMean(*value, {"steps_failed"}),
                         "; the only one is steps_failed"));
      ok = false;
    } else if (value.has_value()) {
      step.when = *value;
    }
  }
  if (list_ == "cleanup" && step.kind != StepKind::kApply && step.kind != StepKind::kDelete &&
      step.kind != StepKind::kScale) {
    Error(actions[0].first, "cleanup steps may only apply, delete or scale");
    ok = false;
  }
  if (!ok || diags_->size() != errors_before) return std::nullopt;
  return step;
}

bool IncidentParser::ParseAction(const YAML::Node& key, const YAML::Node& value, bool in_restore,
                                 Step* step) {
  const std::string& name = key.Scalar();
  for (StepKind kind : kKinds) {
    if (name == StepKindName(kind)) step->kind = kind;
  }
  switch (step->kind) {
    case StepKind::kApply:
    case StepKind::kDelete:
      return ParseManifest(key, value, step);
    case StepKind::kScale:
      return ParseScale(value, in_restore, step);
    case StepKind::kRecord:
    case StepKind::kWaitHealthy: {
      std::optional<absl::Duration> d = Duration(key, value, name);
      if (d.has_value()) step->duration = *d;
      return d.has_value();
    }
    case StepKind::kWaitJob:
      return ParseWaitJob(value, step);
    case StepKind::kProbe:
      return ParseProbe(key, value, step);
    case StepKind::kHook:
      return false;  // Not in kKinds: never read from a file.
  }
  return false;
}

bool IncidentParser::ParseManifest(const YAML::Node& key, const YAML::Node& value, Step* step) {
  std::optional<std::string> path = Scalar(key, value, key.Scalar());
  if (!path.has_value()) return false;
  step->manifest = *path;
  step->manifest_path = ResolveManifest(file_, *path);
  return CheckManifest(value, *step);
}

bool IncidentParser::CheckManifest(const YAML::Node& at, const Step& step) {
  const std::string& name = step.manifest;
  absl::StatusOr<std::string> text = ReadFile(step.manifest_path, kMaxManifestBytes);
  if (!text.ok()) {
    manifests_ok_ = false;
    Error(at, absl::IsNotFound(text.status())
                  ? absl::StrCat("manifest '", name, "' not found")
                  : absl::StrCat("manifest '", name,
                                 "': ", WithoutPath(text.status(), step.manifest_path)));
    return false;
  }
  absl::StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson(name, *text);
  if (!docs.ok()) {
    manifests_ok_ = false;
    Error(at, std::string(docs.status().message()));
    return false;
  }
  if (docs->empty()) {
    manifests_ok_ = false;
    Error(at, absl::StrCat(name, ": holds no Kubernetes objects"));
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < docs->size(); ++i) {
    const nlohmann::json& doc = (*docs)[i];
    std::string where = absl::StrCat(name, ": document ", i + 1, ": ");
    if (!doc.is_object()) {
      Error(at, absl::StrCat(where,
                             "not a Kubernetes object (a mapping with apiVersion, kind and "
                             "metadata.name)"));
      ok = false;
      continue;
    }
    auto text_at = [&doc](const char* field, const char* sub) -> std::string {
      auto it = doc.find(field);
      if (it == doc.end()) return "";
      if (sub != nullptr) {
        if (!it->is_object()) return "";
        auto s = it->find(sub);
        return s != it->end() && s->is_string() ? s->get<std::string>() : "";
      }
      return it->is_string() ? it->get<std::string>() : "";
    };
    std::vector<std::string> missing;
    if (text_at("apiVersion", nullptr).empty()) missing.push_back("apiVersion");
    std::string kind = text_at("kind", nullptr);
    if (kind.empty()) missing.push_back("kind");
    std::string object = text_at("metadata", "name");
    if (object.empty()) missing.push_back("metadata.name");
    if (!missing.empty()) {
      Error(at, absl::StrCat(where, "missing ", absl::StrJoin(missing, ", ")));
      ok = false;
      continue;
    }
    if (step.kind == StepKind::kApply && kind == "Job") jobs_.push_back(object);
  }
  if (!ok) manifests_ok_ = false;
  return ok;
}

bool IncidentParser::ParseScale(const YAML::Node& value, bool in_restore, Step* step) {
  YamlMap map(value, file_, "scale", {"deployment", "replicas"}, diags_);
  std::optional<YamlString> deployment = map.String("deployment", true);
  std::optional<YamlString> replicas = map.String("replicas", true);
  if (!deployment.has_value() || !replicas.has_value()) return false;
  step->deployment = deployment->value;
  if (replicas->value == "saved") {
    if (!in_restore) {
      Error(*replicas, "'replicas: saved' only in restore");
      return false;
    }
    step->replicas_saved = true;
    return true;
  }
  int n = 0;
  bool digits = !replicas->value.empty() && replicas->value.size() <= 6 &&
                std::all_of(replicas->value.begin(), replicas->value.end(),
                            [](char c) { return absl::ascii_isdigit(c); });
  if (!digits) {
    Error(*replicas, absl::StrCat("'replicas' must be a whole number or 'saved', got '",
                                  replicas->value, "'"));
    return false;
  }
  for (char c : replicas->value) n = n * 10 + (c - '0');
  step->replicas = n;
  return true;
}

bool IncidentParser::ParseWaitJob(const YAML::Node& value, Step* step) {
  YamlMap map(value, file_, "wait_job", {"job", "timeout"}, diags_);
  std::optional<YamlString> job = map.String("job", true);
  YAML::Node timeout = map.Find("timeout");
  if (map.valid() && !timeout.IsDefined()) {
    map.ErrorAt(value, "wait_job is missing required key 'timeout'");
    return false;
  }
  std::optional<absl::Duration> d;
  if (map.valid()) d = Duration(value, timeout, "timeout");
  if (!job.has_value() || !d.has_value()) return false;
  step->job = job->value;
  step->duration = *d;
  CheckJob(value, *step);
  return true;
}

bool IncidentParser::ParseProbe(const YAML::Node& key, const YAML::Node& value, Step* step) {
  static const std::vector<std::string> kNames = {"orders", "logs"};
  const char* kForms = "probes are orders, logs and {job_log: JOB, role: load|baseline}";
  if (value.IsScalar()) {
    const std::string& name = value.Scalar();
    if (name != "orders" && name != "logs") {
      Error(value,
            absl::StrCat("unknown probe '", name, "'", DidYouMean(name, kNames), "; ", kForms));
      return false;
    }
    step->probe = name;
    return true;
  }
  if (!value.IsMap()) {
    Error(value.IsNull() ? key : value, absl::StrCat("'probe' must be a string or a mapping, got ",
                                                     DescribeYamlType(value), "; ", kForms));
    return false;
  }
  YamlMap map(value, file_, "probe", {"job_log", "role"}, diags_);
  std::optional<YamlString> job = map.String("job_log", true);
  std::optional<YamlString> role = map.String("role", true);
  if (!job.has_value() || !role.has_value()) return false;
  if (role->value != "load" && role->value != "baseline") {
    Error(*role, absl::StrCat("'role' must be load or baseline, got '", role->value, "'"));
    return false;
  }
  step->probe = "job_log";
  step->job = job->value;
  step->role = role->value;
  CheckJob(value, *step);
  return true;
}

void IncidentParser::CheckJob(const YAML::Node& at, const Step& step) {
  if (!manifests_ok_) return;
  if (std::find(jobs_.begin(), jobs_.end(), step.job) != jobs_.end()) return;
  Error(at, absl::StrCat("no earlier apply step creates Job '", step.job, "'",
                         DidYouMean(step.job, jobs_)));
}

bool IncidentParser::ParseMark(const YAML::Node& key, const YAML::Node& value, Step* step) {
  std::optional<std::string> mark = Scalar(key, value, "mark");
  if (!mark.has_value()) return false;
  if (std::find(Marks().begin(), Marks().end(), *mark) == Marks().end()) {
    Error(value, absl::StrCat("unknown mark '", *mark, "'", DidYouMean(*mark, Marks()),
                              "; marks are ", absl::StrJoin(Marks(), ", ")));
    return false;
  }
  auto [it, inserted] = marks_.emplace(*mark, step->line);
  if (!inserted) {
    Error(value,
          absl::StrCat("mark '", *mark, "' is already set by the step at line ", it->second));
    return false;
  }
  step->mark = *mark;
  return true;
}

}  // namespace

const char* StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kApply:
      return "apply";
    case StepKind::kDelete:
      return "delete";
    case StepKind::kScale:
      return "scale";
    case StepKind::kRecord:
      return "record";
    case StepKind::kWaitJob:
      return "wait_job";
    case StepKind::kWaitHealthy:
      return "wait_healthy";
    case StepKind::kProbe:
      return "probe";
    case StepKind::kHook:
      return "hook";
  }
  return "unknown";
}

std::string Step::Describe() const {
  const char* name = StepKindName(kind);
  switch (kind) {
    case StepKind::kApply:
    case StepKind::kDelete:
      return absl::StrCat(name, " ", manifest);
    case StepKind::kScale:
      return absl::StrCat(name, " deployment/", deployment, " to ",
                          replicas_saved ? "its saved replicas" : absl::StrCat(replicas));
    case StepKind::kRecord:
      return absl::StrCat(name, " ", absl::FormatDuration(duration));
    case StepKind::kWaitJob:
      return absl::StrCat(name, " ", job, " (timeout ", absl::FormatDuration(duration), ")");
    case StepKind::kWaitHealthy:
      return absl::StrCat(name, " (timeout ", absl::FormatDuration(duration), ")");
    case StepKind::kProbe:
      if (probe == "job_log") return absl::StrCat(name, " job_log ", job, " (", role, ")");
      return absl::StrCat(name, " ", probe);
    case StepKind::kHook:
      if (duration > absl::ZeroDuration()) {
        return absl::StrCat(job, " (", absl::FormatDuration(duration), ")");
      }
      return job;
  }
  return name;
}

std::vector<std::string> Incident::ScaledDeployments() const {
  std::vector<std::string> out;
  for (const std::vector<Step>* list : {&steps, &restore, &cleanup}) {
    for (const Step& s : *list) {
      if (s.kind != StepKind::kScale) continue;
      if (std::find(out.begin(), out.end(), s.deployment) == out.end()) {
        out.push_back(s.deployment);
      }
    }
  }
  return out;
}

absl::StatusOr<Incident> LoadIncident(const std::string& path, Diagnostics* diags) {
  absl::StatusOr<std::string> text = ReadFile(path, kMaxIncidentFileBytes);
  if (!text.ok()) {
    diags->Add(path, 0, 0,
               absl::IsResourceExhausted(text.status())
                   ? absl::StrCat("file is over the limit of ", kMaxIncidentFileBytes,
                                  " bytes for an incident file")
                   : WithoutPath(text.status(), path));
    return absl::InvalidArgumentError(absl::StrCat(path, ": 1 error(s) in the incident file"));
  }
  return ParseIncident(path, *text, diags);
}

absl::StatusOr<Incident> ParseIncident(const std::string& path, absl::string_view text,
                                       Diagnostics* diags) {
  size_t before = diags->size();
  Incident incident;
  incident.file = path;
  if (std::optional<YAML::Node> root = ParseYaml(path, text, diags); root.has_value()) {
    IncidentParser(path, diags).Parse(*root, &incident);
  }
  if (diags->size() != before) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", diags->size() - before, " error(s) in the incident file"));
  }
  return incident;
}

absl::StatusOr<std::vector<Incident>> LoadIncidents(const std::string& dir, Diagnostics* diags) {
  size_t before = diags->size();
  std::string shown = absl::EndsWith(dir, "/") ? dir : dir + "/";
  std::vector<std::string> names;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    diags->Add(shown, 0, 0,
               ec == std::errc::no_such_file_or_directory ? "no such directory" : ec.message());
    return absl::InvalidArgumentError(absl::StrCat(shown, ": cannot be listed"));
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (absl::EndsWith(name, ".yaml") || absl::EndsWith(name, ".yml")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) diags->Add(shown, 0, 0, "no incident files (*.yaml)");
  std::vector<Incident> out;
  std::map<std::string, std::string> first;  // Incident id -> its file.
  for (const std::string& name : names) {
    absl::StatusOr<Incident> incident = LoadIncident(shown + name, diags);
    if (!incident.ok()) continue;
    // Ids match file names, so only crash.yaml and crash.yml can collide.
    auto [seen, inserted] = first.emplace(incident->id, incident->file);
    if (!inserted) {
      diags->Add(incident->file, 0, 0,
                 absl::StrCat("duplicate incident id '", incident->id, "'; first defined in ",
                              seen->second));
      continue;
    }
    out.push_back(*std::move(incident));
  }
  if (diags->size() != before) {
    return absl::InvalidArgumentError(
        absl::StrCat(shown, ": ", diags->size() - before, " error(s) in incident files"));
  }
  return out;
}

}  // namespace incident
}  // namespace sre_eval
