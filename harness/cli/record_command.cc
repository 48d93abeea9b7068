// sre-eval record: triggers the suite's incidents on a cluster (the built-in simulated one by
// default), records their timelines, restores the cluster, and writes each incident's truth.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/record.h"
#include "cluster/kubectl.h"
#include "cluster/sim_clock.h"
#include "cluster/types.h"
#include "incident/incident.h"
#include "incident/runner.h"
#include "nlohmann/json.hpp"
#include "sim/api/api_server.h"
#include "sim/sim.h"
#include "util/edit_distance.h"
#include "util/file_util.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

std::atomic<int> g_interrupts{0};

extern "C" void OnInterrupt(int) { g_interrupts.fetch_add(1); }

// Installs the handlers for the life of a recording and puts the old ones back.
class InterruptScope {
 public:
  InterruptScope() {
    g_interrupts = 0;
    struct sigaction sa = {};
    sa.sa_handler = OnInterrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_, old_term_;
};

bool IsDirWithFiles(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) && !std::filesystem::is_empty(path, ec);
}

}  // namespace

const CommandSpec& RecordSpec() {
  static const CommandSpec* spec = new CommandSpec{
      "record",
      "trigger the incidents on a cluster and record what happened (no agent)",
      "",
      0,
      0,
      "Runs each incident of the suite (incidents/*.yaml): performs its steps through\n"
      "kubectl, samples pods, deployments, jobs, events and metrics while it waits, always\n"
      "performs its restore list (also after a failed step or Ctrl-C; a second Ctrl-C skips\n"
      "the waits but still restores), and extracts the incident's ground truth.\n"
      "\n"
      "--env sim (the default) starts the built-in simulated Sock Shop cluster for the run;\n"
      "its virtual clock makes minutes of incident take seconds. --env kube uses a real\n"
      "cluster (kind) through your kubeconfig: the context must match kind-* or\n"
      "sre-eval-sim unless --allow-context names it, and namespace sock-shop must hold the\n"
      "Sock Shop deployments; otherwise nothing is touched and the exit code is 3.\n"
      "\n"
      "Writes the run folder (default results/record-YYYYMMDD-HHMMSS): run.json,\n"
      "kubectl.log (every kubectl call made), kube-cache/ (kubectl's discovery cache: nothing\n"
      "is left in ~/.kube), and per incident ID/timeline.jsonl and ID/truth.json. The same\n"
      "--seed on the sim gives byte-identical timelines and truths.\n"
      "\n" +
          std::string(kSuiteHelp) +
          "\n"
          "Exit codes: 0 recorded and restored; 2 bad input; 3 the cluster failed, a step\n"
          "failed, restore failed, or the run was interrupted.",
      {
          {"env", "sim|kube", "the cluster: the built-in simulation (default) or a real one"},
          {"context", "NAME", "kube context for --env kube (default: the current context)"},
          {"allow-context", "NAME", "also allow this context (repeatable)", true},
          {"namespace", "NS", "namespace holding Sock Shop (default sock-shop)"},
          {"kubeconfig", "FILE", "kubeconfig for --env kube (default: kubectl's own)"},
          {"incident", "ID", "run only this incident (repeatable; default: all)", true},
          {"seed", "N", "seed of the simulated cluster (default 1)"},
          {"out", "DIR", "the run folder to write (must not exist or be empty)"},
          {"suite", "DIR", "the suite folder (holding incidents/)"},
      }};
  return *spec;
}

int RunRecord(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  RecordOptions options;
  std::string bad = ParseRecordOptions(args, &options);
  if (!bad.empty()) {
    err << "sre-eval record: " << bad << "\n";
    return kExitBadInput;
  }
  bool terminal = &out == &std::cout && RedrawsInPlace();
  incident::StreamProgress progress(&out, terminal);
  InterruptScope interrupts;
  RecordRun run;
  int code = Record(options, &progress, &g_interrupts, &run, err);
  if (!run.dir.empty()) {
    out << "run folder: " << run.dir << "\n";
  }
  return code;
}

std::string ParseRecordOptions(const ParsedArgs& args, RecordOptions* o) {
  o->env = args.Get("env", "sim");
  if (o->env != "sim" && o->env != "kube") {
    return absl::StrCat("--env must be sim or kube, got '", o->env, "'");
  }
  if (args.Has("seed") && !absl::SimpleAtoi(args.Get("seed"), &o->seed)) {
    return absl::StrCat("--seed must be a whole number, got '", args.Get("seed"), "'");
  }
  if (o->env == "sim" && (args.Has("context") || args.Has("kubeconfig"))) {
    return "--context and --kubeconfig are for --env kube; the sim has its own";
  }
  if (o->env == "kube" && args.Has("seed")) {
    return "--seed is for --env sim; a real cluster has no seed";
  }
  if (o->env == "sim" && (args.Has("prometheus") || args.Has("loki"))) {
    return "--prometheus and --loki are for --env kube; the sim serves its own";
  }
  for (const char* api : {"prometheus", "loki"}) {
    const std::string url = args.Get(api);
    if (!url.empty() && !absl::StartsWith(url, "http://") && !absl::StartsWith(url, "https://")) {
      return absl::StrCat("--", api, " must be an http:// or https:// URL, got '", url, "'");
    }
  }
  o->prometheus = args.Get("prometheus");
  o->loki = args.Get("loki");
  if (o->env == "sim" && args.Has("datadog-site")) {
    return "--datadog-site is for --env kube; the sim serves its own";
  }
  const std::string site = args.Get("datadog-site");
  if (!site.empty()) {
    if (absl::StrContains(site, "/") || absl::StrContains(site, " ")) {
      return absl::StrCat("--datadog-site must be a site such as datadoghq.eu, got '", site, "'");
    }
    o->datadog = absl::StrCat("https://api.", site);
  }
  o->context = args.Get("context");
  o->kubeconfig = args.Get("kubeconfig");
  o->ns = args.Get("namespace", "sock-shop");
  auto it = args.values.find("allow-context");
  if (it != args.values.end()) o->allow_contexts = it->second;
  it = args.values.find("incident");
  if (it != args.values.end()) o->incidents = it->second;
  o->out = args.Get("out");
  o->suite = ResolveSuiteRoot(args);
  const char* kubectl = std::getenv("SRE_EVAL_KUBECTL");
  if (kubectl != nullptr && *kubectl != '\0') o->kubectl = kubectl;
  return "";
}

namespace {

nlohmann::json IncidentJson(const incident::IncidentResult& r, const std::string& status) {
  nlohmann::json j = {{"id", r.incident},
                      {"status", status},
                      {"timeline", absl::StrCat(r.incident, "/timeline.jsonl")},
                      {"samples", r.samples}};
  j["truth"] = r.truth.has_value() ? nlohmann::json(absl::StrCat(r.incident, "/truth.json"))
                                   : nlohmann::json(nullptr);
  if (!r.steps_status.ok()) j["error"] = std::string(r.steps_status.message());
  if (!r.restore_status.ok()) j["restore_error"] = std::string(r.restore_status.message());
  if (!r.left_broken.empty()) j["left_broken"] = r.left_broken;
  j["cluster_time"] = {{"started", cluster::FormatApiTime(r.started)},
                       {"finished", cluster::FormatApiTime(r.finished)}};
  return j;
}

}  // namespace

int Record(const RecordOptions& o, incident::Progress* progress, const std::atomic<int>* interrupts,
           RecordRun* run, std::ostream& err) {
  const std::string who = absl::StrCat("sre-eval ", o.command);
  const std::string me = who + ": ";
  // The suite's incidents, all checked before anything runs.
  Diagnostics diags;
  absl::StatusOr<std::vector<incident::Incident>> all =
      incident::LoadIncidents(absl::StrCat(o.suite, "/incidents"), &diags);
  if (!diags.list().empty()) {
    PrintDiagnostics(diags, who, absl::StrCat(" in ", o.suite, "/incidents"), err);
    return kExitBadInput;
  }
  if (!all.ok()) {
    err << me << all.status().message() << "\n";
    return kExitBadInput;
  }
  std::vector<const incident::Incident*> chosen;
  std::vector<std::string> ids;
  for (const incident::Incident& i : *all) ids.push_back(i.id);
  if (o.incidents.empty()) {
    for (const incident::Incident& i : *all) chosen.push_back(&i);
  } else {
    std::set<std::string> seen;
    for (const std::string& id : o.incidents) {
      const incident::Incident* found = nullptr;
      for (const incident::Incident& i : *all) {
        if (i.id == id) found = &i;
      }
      if (found == nullptr) {
        std::string hint = ClosestMatch(id, ids);
        err << me << "no incident '" << id << "'"
            << (hint.empty() ? "" : absl::StrCat(" (did you mean '", hint, "'?)"))
            << "; the suite has " << absl::StrJoin(ids, ", ") << "\n";
        return kExitBadInput;
      }
      if (seen.insert(id).second) chosen.push_back(found);
    }
  }
  if (chosen.empty()) {
    err << me << "the suite has no incidents in " << o.suite << "/incidents\n";
    return kExitBadInput;
  }

  // The run folder.
  run->dir = o.out;
  if (run->dir.empty()) {
    run->dir = absl::StrCat("results/record-",
                            absl::FormatTime("%Y%m%d-%H%M%S", absl::Now(), absl::UTCTimeZone()));
  }
  if (IsDirWithFiles(run->dir)) {
    err << me << "the run folder '" << run->dir
        << "' already exists and is not empty; choose another --out or remove it\n";
    run->dir.clear();
    return kExitBadInput;
  }
  std::error_code ec;
  std::filesystem::create_directories(run->dir, ec);
  if (ec) {
    err << me << "cannot create the run folder '" << run->dir << "': " << ec.message() << "\n";
    run->dir.clear();
    return kExitBadInput;
  }
  for (const incident::Incident* i : chosen) {
    std::filesystem::create_directories(absl::StrCat(run->dir, "/", i->id), ec);
  }

  // The cluster.
  absl::Time wall_start = absl::Now();
  std::unique_ptr<sim::Sim> model;
  std::unique_ptr<sim::ApiServer> server;
  // Declared after the server so it goes first: the server's Stop waits for open keep-alive
  // connections.
  auto http = std::make_unique<CurlHttpClient>();
  std::unique_ptr<cluster::SimClock> sim_clock;
  std::string control_token;
  Clock* clock = SystemClock::Get();
  cluster::KubectlTarget target;
  // What the agent is handed.
  std::string prometheus = o.prometheus, loki = o.loki, datadog = o.datadog;
  target.kubectl = o.kubectl;
  target.ns = o.ns;
  // kubectl's caches in the run folder: every run leaves nothing in ~/.kube/cache, and the
  // sim's port, new each run, would leave a folder there each time.
  target.cache_dir = std::filesystem::absolute(run->dir + "/kube-cache").string();
  std::vector<std::string> allowed = cluster::DefaultAllowedContexts();
  for (const std::string& c : o.allow_contexts) allowed.push_back(c);
  PosixProcessRunner runner;
  absl::StatusOr<std::unique_ptr<cluster::KubectlLog>> log =
      cluster::KubectlLog::Open(absl::StrCat(run->dir, "/kubectl.log"));
  if (!log.ok()) {
    err << me << "cannot open kubectl.log: " << log.status().message() << "\n";
    return kExitEnvironment;
  }
  if (o.env == "sim") {
    sim::SimOptions so;
    so.seed = o.seed;
    absl::StatusOr<std::unique_ptr<sim::Sim>> made = sim::Sim::Create(so);
    if (!made.ok()) {
      err << me << "cannot start the simulated cluster: " << made.status().message() << "\n";
      return kExitEnvironment;
    }
    model = std::move(*made);
    server = std::make_unique<sim::ApiServer>(model.get());
    // The clock's endpoints are the harness's alone: agents get the kubeconfig, not this.
    absl::StatusOr<std::string> token = RandomHex(16);
    if (!token.ok()) {
      err << me << "cannot make the sim's control token: " << token.status().message() << "\n";
      return kExitEnvironment;
    }
    server->set_control_token(*token);
    control_token = *token;
    absl::StatusOr<int> port = server->Start(0);
    if (!port.ok()) {
      err << me << "cannot start the simulated cluster's API: " << port.status().message() << "\n";
      return kExitEnvironment;
    }
    // Absolute: agents (other processes, other working folders) read it too.
    target.kubeconfig = std::filesystem::absolute(absl::StrCat(run->dir, "/kubeconfig")).string();
    target.context = "sre-eval-sim";
    absl::Status w = WriteFileAtomically(target.kubeconfig, server->Kubeconfig(*token));
    if (!w.ok()) {
      err << me << "cannot write the kubeconfig: " << w.message() << "\n";
      return kExitEnvironment;
    }
    sim_clock = std::make_unique<cluster::SimClock>(absl::StrCat("http://127.0.0.1:", *port),
                                                    http.get(), *token);
    prometheus = absl::StrCat("http://127.0.0.1:", *port, "/prometheus");
    loki = absl::StrCat("http://127.0.0.1:", *port, "/loki");
    datadog = absl::StrCat("http://127.0.0.1:", *port, "/datadog");
    clock = sim_clock.get();
    if (o.on_sim_started) o.on_sim_started(absl::StrCat("http://127.0.0.1:", *port), *token);
  } else {
    target.kubeconfig = o.kubeconfig;
    target.context = o.context;
  }
  cluster::Kubectl kubectl(target, &runner, SystemClock::Get(), log->get());
  if (target.context.empty()) {
    absl::StatusOr<std::string> current = kubectl.CurrentContext();
    if (!current.ok() || current->empty()) {
      err << me << "no --context given and kubectl has no current context"
          << (current.ok() ? "" : absl::StrCat(": ", current.status().message())) << "\n";
      return kExitEnvironment;
    }
    target.context = *current;
    kubectl = cluster::Kubectl(target, &runner, SystemClock::Get(), log->get());
  }
  if (server != nullptr) {
    // The samples' kubectl starts ahead, at the sim's gate (cluster::Kubectl::set_sample_gate).
    const std::string gated = absl::StrCat(run->dir, "/kube-cache/kubeconfig.gate");
    std::filesystem::create_directories(absl::StrCat(run->dir, "/kube-cache"), ec);
    absl::Status w = WriteFileAtomically(gated, server->Kubeconfig(control_token, true));
    if (w.ok()) {
      sim::ApiServer* s = server.get();
      kubectl.set_sample_gate(
          std::filesystem::absolute(gated).string(), [s](cluster::SampleGate g) {
            s->SetGate(g == cluster::SampleGate::kOpen     ? sim::ApiServer::Gate::kOpen
                       : g == cluster::SampleGate::kClosed ? sim::ApiServer::Gate::kClosed
                                                           : sim::ApiServer::Gate::kRefusing);
          });
    }
  }
  if (o.on_cluster) o.on_cluster(&kubectl, clock);

  nlohmann::json doc = {{"schema_version", 1},
                        {"command", "record"},
                        {"sre_eval_version", SRE_EVAL_VERSION},
                        {"environment", o.env},
                        {"context", target.context},
                        {"namespace", target.ns},
                        {"suite", o.suite},
                        {"incidents", nlohmann::json::array()}};
  // Every chosen incident has its entry from the start, so that a run killed at any moment
  // still says what it was to record (a resume finishes exactly that); each entry is updated
  // in place as its incident runs.
  doc["selected_incidents"] = nlohmann::json::array();
  for (const incident::Incident* i : chosen) {
    doc["selected_incidents"].push_back(i->id);
    doc["incidents"].push_back({{"id", i->id}, {"status", "not run"}});
  }
  if (o.env == "sim") doc["seed"] = o.seed;
  for (const auto& [key, value] : o.run_json.items()) doc[key] = value;
  auto save = [&]() {
    doc["kubectl"] = {{"calls", (*log)->calls()}, {"mutating_calls", (*log)->mutating_calls()}};
    doc["wall_seconds"] = absl::ToDoubleSeconds(absl::Now() - wall_start);
    absl::Status w = WriteFileAtomically(absl::StrCat(run->dir, "/run.json"), doc.dump(2) + "\n");
    if (!w.ok()) err << me << "cannot write run.json: " << w.message() << "\n";
  };
  doc["status"] = "running";
  save();

  absl::Status pre = incident::Preflight(&kubectl, allowed);
  if (!pre.ok()) {
    err << me << pre.message() << "\nnothing was changed on the cluster.\n";
    doc["status"] = "refused";
    doc["error"] = std::string(pre.message());
    save();
    return kExitEnvironment;
  }

  char host[256] = "";
  gethostname(host, sizeof(host) - 1);
  absl::Status locked = incident::AcquireNamespaceLock(
      &kubectl, absl::StrCat(who, ", pid ", getpid(), " on ", host, ", run folder ", run->dir));
  if (!locked.ok()) {
    err << me << locked.message() << "\nnothing was changed on the cluster.\n";
    doc["status"] = "refused";
    doc["error"] = std::string(locked.message());
    save();
    return kExitEnvironment;
  }

  int code = kExitOk;
  for (size_t index = 0; index < chosen.size(); ++index) {
    const incident::Incident* i = chosen[index];
    if (interrupts != nullptr && interrupts->load() > 0) continue;  // stays "not run"
    doc["incidents"][index]["status"] = "recording";
    save();
    incident::RunnerOptions ro;
    ro.clock = clock;
    ro.environment = o.env;
    ro.out_dir = absl::StrCat(run->dir, "/", i->id);
    ro.progress = progress;
    ro.interrupts = interrupts;
    incident::IncidentRunner runner_for(&kubectl, ro);
    absl::Time t0 = absl::Now();
    int calls0 = (*log)->calls();
    incident::IncidentResult r = runner_for.Run(*i);
    std::string status = "ok";
    if (absl::IsCancelled(r.steps_status)) {
      status = "interrupted";
    } else if (!r.steps_status.ok()) {
      status = "step failed";
    } else if (!r.restore_status.ok() || !r.left_broken.empty()) {
      status = "restore failed";
    }
    if (status != "ok") code = kExitEnvironment;
    nlohmann::json ij = IncidentJson(r, status);
    ij["wall_seconds"] = absl::ToDoubleSeconds(absl::Now() - t0);
    ij["kubectl_calls"] = (*log)->calls() - calls0;
    doc["incidents"][index] = std::move(ij);
    // Saved before the agent is asked: a run killed while asking knows this truth is whole.
    save();
    bool go_on = true;
    if (o.after_incident && r.truth.has_value() && r.left_broken.empty()) {
      agent::ClusterAccess how{target.kubeconfig, target.context, target.ns,
                               prometheus,        loki,           datadog};
      how.kube_cache_dir = target.cache_dir;
      go_on = o.after_incident(r, how);
    }
    run->results.push_back(std::move(r));
    save();
    if (status == "restore failed" || !go_on) break;  // do not break a cluster further
  }
  if (interrupts != nullptr && interrupts->load() > 0) code = kExitEnvironment;
  // Cleanup, newest incident first: the finished Jobs and the locustfile the incidents left
  // for the agent to read.
  for (auto r = run->results.rbegin(); r != run->results.rend(); ++r) {
    const incident::Incident* i = nullptr;
    for (const incident::Incident* c : chosen) {
      if (c->id == r->incident) i = c;
    }
    incident::RunnerOptions ro;
    ro.clock = clock;
    ro.environment = o.env;
    ro.progress = progress;
    incident::IncidentRunner cleaner(&kubectl, ro);
    std::vector<std::string> failed = cleaner.Cleanup(*i, r->timeline.saved_replicas);
    for (nlohmann::json& ij : doc["incidents"]) {
      if (ij["id"] != i->id) continue;
      ij["cleanup"] = failed.empty() ? nlohmann::json("ok") : nlohmann::json(failed);
    }
    for (const std::string& f : failed) err << me << i->id << ": " << f << "\n";
    if (!failed.empty()) code = kExitEnvironment;
  }
  absl::Status unlocked = incident::ReleaseNamespaceLock(&kubectl);
  if (!unlocked.ok()) {
    err << me << "cannot remove the lock ConfigMap " << incident::kLockName << ": "
        << unlocked.message() << "\n";
    code = kExitEnvironment;
  }
  doc["status"] = code == kExitOk ? "ok" : "failed";
  save();
  if (sim_clock != nullptr && !sim_clock->status().ok()) {
    err << me << "the simulated cluster's clock failed: " << sim_clock->status().message() << "\n";
  }
  for (const incident::IncidentResult& r : run->results) {
    if (!r.steps_status.ok()) err << me << r.incident << ": " << r.steps_status.message() << "\n";
    if (!r.restore_status.ok()) {
      err << me << r.incident << ": " << r.restore_status.message() << "\n";
    }
    for (const std::string& b : r.left_broken) {
      err << me << r.incident << ": NOT RESTORED: " << b << "\n";
    }
  }
  kubectl.set_sample_gate("", nullptr);  // the prefetched sample's kubectl ends now
  sim_clock.reset();
  http.reset();  // closes its kept-alive connection, so the server stops at once
  if (server != nullptr && o.on_sim_stopping) o.on_sim_stopping();
  if (server != nullptr) server->Stop();
  return code;
}

}  // namespace sre_eval
