#include "cli/agent_workspace.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "util/file_util.h"

namespace sre_eval {

absl::StatusOr<std::unique_ptr<AgentWorkspace>> AgentWorkspace::Create() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the harness never modifies its environment.
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/sre-eval-agent-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot make the agent's workspace ", pattern, ": ", StrError(errno)));
  }
  return std::unique_ptr<AgentWorkspace>(new AgentWorkspace(pattern));
}

AgentWorkspace::~AgentWorkspace() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void AgentWorkspace::set_sim(std::string base_url, std::string control_token, HttpClient* http) {
  base_url_ = std::move(base_url);
  control_token_ = std::move(control_token);
  http_ = http;
}

absl::Status AgentWorkspace::Prepare(agent::AgentRequest* request) {
  std::string label;
  {
    absl::MutexLock lock(&mu_);
    label = absl::StrCat("q", ++next_);
    labels_[label] = {request->incident, request->prompt_id, request->trial};
  }
  const std::string folder = absl::StrCat(dir_, "/", label);
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot make ", folder, ": ", ec.message()));
  // Where the agent's own tools (sre-eval mcp --audit) record their calls, on any cluster.
  request->cluster.audit_file = folder + "/tools.jsonl";
  if (!on_sim()) return absl::OkStatus();
  HttpRequest r;
  r.method = "POST";
  r.url = base_url_ + "/sim/v1/agents";
  r.headers.push_back({"Authorization", "Bearer " + control_token_});
  nlohmann::json body = {{"label", label}};
  if (request->acting()) {
    body["scope"] = {{"namespace", request->cluster.ns.empty() ? "default" : request->cluster.ns},
                     {"verbs", request->act.verbs},
                     {"resources", request->act.resources}};
  }
  r.body = body.dump();
  r.timeout = absl::Seconds(10);
  absl::StatusOr<HttpResponse> got = http_->Send(r);
  if (!got.ok()) return got.status();
  nlohmann::json opened = nlohmann::json::parse(got->body, nullptr, false);
  if (got->status != 201 || !opened.is_object() || !opened["port"].is_number_integer()) {
    return absl::InternalError(
        absl::StrCat("the sim did not open a port for the agent: HTTP ", got->status));
  }
  const std::string kubeconfig = folder + "/kubeconfig";
  // The credential is the port (see sim::ApiServer::OpenAgentPort).
  const std::string base = absl::StrCat("http://127.0.0.1:", opened["port"].get<int>());
  const std::string context =
      request->cluster.context.empty() ? std::string("sre-eval-sim") : request->cluster.context;
  absl::Status w = WriteFileAtomically(
      kubeconfig, absl::StrCat("apiVersion: v1\nkind: Config\nclusters:\n- name: ", context,
                               "\n  cluster:\n    server: ", base, "\ncontexts:\n- name: ", context,
                               "\n  context:\n    cluster: ", context, "\n    namespace: ",
                               request->cluster.ns.empty() ? "default" : request->cluster.ns,
                               "\n    user: sre-eval-agent\ncurrent-context: ", context,
                               "\nusers:\n- name: sre-eval-agent\n  user: {}\npreferences: {}\n"));
  if (!w.ok()) return w;
  request->cluster.kubeconfig = kubeconfig;
  request->cluster.context = context;
  request->cluster.kube_cache_dir = folder + "/kube-cache";
  if (!request->cluster.prometheus.empty()) request->cluster.prometheus = base + "/prometheus";
  if (!request->cluster.loki.empty()) request->cluster.loki = base + "/loki";
  if (!request->cluster.datadog.empty()) request->cluster.datadog = base + "/datadog";
  return absl::OkStatus();
}

int AgentWorkspace::CollectToolFiles(tools::AuditLog* audit, std::vector<nlohmann::json>* lines) {
  std::map<std::string, Question> labels;
  {
    absl::MutexLock lock(&mu_);
    labels = labels_;
  }
  int written = 0;
  for (const auto& [label, q] : labels) {
    const std::string path = absl::StrCat(dir_, "/", label, "/tools.jsonl");
    absl::StatusOr<std::string> text = ReadFile(path, size_t{256} << 20);
    if (!text.ok()) continue;
    std::error_code ec;
    std::filesystem::remove(path, ec);  // collected once
    for (absl::string_view raw : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
      nlohmann::json e = nlohmann::json::parse(raw, nullptr, false);
      if (!e.is_object()) continue;
      nlohmann::json line = {{"time", e.value("time", "")},
                             {"incident", q.incident},
                             {"prompt_id", q.prompt_id},
                             {"trial", q.trial},
                             {"source", "tool"}};
      for (const char* key : {"tool", "verb", "target", "status", "bytes", "latency_ms"}) {
        if (e.contains(key)) line[key] = e[key];
      }
      audit->AddLine(line);
      if (lines != nullptr) lines->push_back(std::move(line));
      ++written;
    }
  }
  return written;
}

absl::StatusOr<int> AgentWorkspace::Collect(tools::AuditLog* audit,
                                            std::vector<nlohmann::json>* lines) {
  const int from_tools = CollectToolFiles(audit, lines);
  if (!on_sim()) return from_tools;
  HttpRequest r;
  r.method = "POST";
  r.url = base_url_ + "/sim/v1/audit";
  r.headers.push_back({"Authorization", "Bearer " + control_token_});
  r.timeout = absl::Seconds(30);
  r.max_response_bytes = size_t{256} << 20;
  // The questions are answered: their ports close, then what they did is collected.
  HttpRequest close = r;
  close.method = "DELETE";
  close.url = base_url_ + "/sim/v1/agents";
  absl::StatusOr<HttpResponse> closed = http_->Send(close);
  if (!closed.ok()) return closed.status();
  absl::StatusOr<HttpResponse> got = http_->Send(r);
  if (!got.ok()) return got.status();
  if (got->status != 200) {
    return absl::InternalError(absl::StrCat("the sim's audit answered HTTP ", got->status));
  }
  nlohmann::json doc = nlohmann::json::parse(got->body, nullptr, false);
  if (!doc.is_object() || !doc["entries"].is_array()) {
    return absl::InternalError("the sim's audit is not {\"entries\": [...]}");
  }
  int written = from_tools;
  for (nlohmann::json& e : doc["entries"]) {
    if (!e.is_object()) continue;
    Question q;
    {
      absl::MutexLock lock(&mu_);
      auto it = labels_.find(e.value("label", ""));
      if (it == labels_.end()) continue;
      q = it->second;
    }
    nlohmann::json line = {{"time", e.value("time", "")},
                           {"incident", q.incident},
                           {"prompt_id", q.prompt_id},
                           {"trial", q.trial},
                           {"source", "api"}};
    for (const char* key : {"tool", "verb", "group", "resource", "path", "namespace", "name",
                            "query", "status", "write", "bytes", "latency_ms", "unsafe"}) {
      if (e.contains(key)) line[key] = e[key];
    }
    audit->AddLine(line);
    if (lines != nullptr) lines->push_back(std::move(line));
    ++written;
  }
  return written;
}

}  // namespace sre_eval
