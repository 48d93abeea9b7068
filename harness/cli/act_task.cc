#include "cli/act_task.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "cluster/orders.h"
#include "incident/act.h"
#include "util/file_util.h"

namespace sre_eval {
namespace {

using incident::NamespaceSnapshot;
using incident::Step;
using incident::StepKind;
using nlohmann::json;

absl::StatusOr<NamespaceSnapshot> TakeSnapshot(cluster::Kubectl* k) {
  absl::StatusOr<json> list = k->RunJson({"get", incident::SnapshotKinds(), "-o", "json"});
  if (!list.ok()) return list.status();
  return incident::ParseNamespaceSnapshot(*list);
}

// The orders in PAYMENT_FAILED status, through the orders API; NotFound when the namespace
// has no orders service.
absl::StatusOr<incident::FailedOrders> ReadFailedOrders(cluster::Kubectl* k) {
  absl::StatusOr<std::vector<json>> orders =
      cluster::ReadOrders(k, absl::InfinitePast(), /*max_pages=*/100);
  if (!orders.ok()) return orders.status();
  incident::FailedOrders out;
  for (const json& o : *orders) {
    if (!o.is_object() || o.value("status", "") != "PAYMENT_FAILED") continue;
    out[o.value("id", "")] = o.dump();
  }
  return out;
}

// The largest node's allocatable memory (bytes) and CPU (millicores); zeros when unknown.
std::pair<int64_t, int64_t> NodeCapacity(cluster::Kubectl* k) {
  absl::StatusOr<json> nodes = k->RunJson({"get", "nodes", "-o", "json"});
  int64_t memory = 0, cpu = 0;
  if (!nodes.ok() || !nodes->contains("items") || !(*nodes)["items"].is_array()) return {0, 0};
  for (const json& n : (*nodes)["items"]) {
    if (!n.is_object() || !n.contains("status") || !n["status"].is_object()) continue;
    const json& a = n["status"].value("allocatable", json::object());
    if (!a.is_object()) continue;
    if (a.contains("memory") && a["memory"].is_string()) {
      absl::StatusOr<int64_t> m = cluster::ParseMemoryBytes(a["memory"].get<std::string>());
      if (m.ok()) memory = std::max(memory, *m);
    }
    if (a.contains("cpu") && a["cpu"].is_string()) {
      absl::StatusOr<int64_t> c = cluster::ParseCpuMillicores(a["cpu"].get<std::string>());
      if (c.ok()) cpu = std::max(cpu, *c);
    }
  }
  return {memory, cpu};
}

// "HorizontalPodAutoscaler/front-end" -> {"horizontalpodautoscaler", "front-end"}.
std::pair<std::string, std::string> KindAndName(const std::string& key) {
  size_t slash = key.find('/');
  return {absl::AsciiStrToLower(key.substr(0, slash)), key.substr(slash + 1)};
}

Step MakeStep(StepKind kind, std::string mark = "") {
  Step s;
  s.kind = kind;
  s.mark = std::move(mark);
  return s;
}

Step Hook(const std::string& name, absl::Duration d, std::string mark = "") {
  Step s = MakeStep(StepKind::kHook, std::move(mark));
  s.job = name;
  s.duration = d;
  return s;
}

Step Manifest(StepKind kind, const std::string& written, const std::string& path,
              std::string mark = "") {
  Step s = MakeStep(kind, std::move(mark));
  s.manifest = written;
  s.manifest_path = path;
  return s;
}

Step WaitJob(const std::string& job, std::string mark) {
  Step s = MakeStep(StepKind::kWaitJob, std::move(mark));
  s.job = job;
  s.duration = absl::Minutes(20);
  return s;
}

Step JobLog(const std::string& job, const std::string& role) {
  Step s = MakeStep(StepKind::kProbe);
  s.probe = "job_log";
  s.job = job;
  s.role = role;
  return s;
}

// The state one task's hooks share (the "act" hook runs on a thread of its own).
class Task {
 public:
  Task(const incident::Incident& incident, const Prompt& prompt, agent::AgentRequest request,
       agent::Agent* agent, const ActTaskSetup& setup)
      : incident_(incident),
        prompt_(prompt),
        request_(std::move(request)),
        agent_(agent),
        setup_(setup),
        k_(setup.kubectl) {}

  absl::Status Before() {
    absl::StatusOr<NamespaceSnapshot> s0 = TakeSnapshot(k_);
    if (!s0.ok()) return s0.status();
    s0_ = *std::move(s0);
    return absl::OkStatus();
  }

  absl::Status Hook(const std::string& name, absl::Duration limit) {
    if (name == "act") return Act(limit);
    if (name == "act_end") return ActEnd();
    if (name == "restart") return Restart();
    if (name == "stop_load") return StopLoad();
    if (name == "restore") return RestoreObjects();
    return absl::InternalError(absl::StrCat("unknown hook '", name, "'"));
  }

  json Outcome(const incident::IncidentResult& r) {
    json out = {{"schema_version", 1},
                {"incident", incident_.id},
                {"prompt_id", prompt_.id},
                {"trial", request_.trial},
                {"budget_s", absl::ToInt64Seconds(prompt_.act.budget)}};
    out.update(incident::MeasureOutcome(r.timeline, prompt_.act));
    absl::MutexLock lock(&mu_);
    out["agent_done"] = done_in_budget_;
    json changes = json::array();
    for (const incident::ObjectChange& c : changes_) {
      json j = {{"object", c.object}, {"change", c.change}, {"allowed", c.allowed}};
      if (!c.fields.empty()) j["fields"] = c.fields;
      changes.push_back(std::move(j));
    }
    out["changes"] = std::move(changes);
    out["guards"] = guards_.is_null() ? json::object() : guards_;
    json actions = json::array();
    for (const json& w : writes_) {
      actions.push_back({{"time", w.value("time", "")},
                         {"verb", w.value("verb", "")},
                         {"resource", w.value("resource", "")},
                         {"name", w.value("name", "")},
                         {"namespace", w.value("namespace", "")},
                         {"status", w.value("status", json(nullptr))},
                         {"refused", w.value("unsafe", false)}});
    }
    out["actions"] = std::move(actions);
    out["restarted"] = restarted_;
    if (!r.steps_status.ok()) out["steps_error"] = std::string(r.steps_status.message());
    return out;
  }

  agent::AgentAnswer answer() {
    absl::MutexLock lock(&mu_);
    return answer_;
  }

 private:
  absl::Status Act(absl::Duration budget) {
    absl::StatusOr<NamespaceSnapshot> s1 = TakeSnapshot(k_);
    if (!s1.ok()) return s1.status();
    absl::StatusOr<incident::FailedOrders> orders =
        prompt_.act.keep_failed_orders
            ? ReadFailedOrders(k_)
            : absl::StatusOr<incident::FailedOrders>(absl::FailedPreconditionError("not kept"));
    agent::AgentRequest request = request_;
    request.act.budget = budget;
    request.act.wall_limit =
        setup_.pace != nullptr ? budget / std::max(setup_.pace_speed, 1e-3) : budget;
    request.act.verbs = prompt_.act.verbs;
    request.act.resources = prompt_.act.resources;
    absl::Status prepared = absl::OkStatus();
    if (setup_.workspace != nullptr) prepared = setup_.workspace->Prepare(&request);
    {
      absl::MutexLock lock(&mu_);
      s1_ = *std::move(s1);
      if (orders.ok()) orders_before_ = *std::move(orders);
      orders_read_ = orders.ok();
    }
    if (!prepared.ok()) {
      absl::MutexLock lock(&mu_);
      answer_.error = absl::StrCat("the agent's credential for the task could not be made: ",
                                   prepared.message());
      return absl::OkStatus();
    }
    agent::AgentAnswer a;
    const absl::Time started = absl::Now();
    try {
      a = agent_->Ask(request);
    } catch (const std::exception& e) {
      a.error = absl::StrCat("internal error while asking: ", e.what());
    }
    a.started = started;
    absl::MutexLock lock(&mu_);
    answer_ = std::move(a);
    answered_ = true;
    return absl::OkStatus();
  }

  absl::Status ActEnd() {
    // The agent's time is over: its credential closes, what it did is collected and judged.
    std::vector<json> lines;
    if (setup_.workspace != nullptr && setup_.audit != nullptr) {
      absl::StatusOr<int> n = setup_.workspace->Collect(setup_.audit, &lines);
      (void)n;
    }
    absl::StatusOr<NamespaceSnapshot> s2 = TakeSnapshot(k_);
    if (!s2.ok()) return s2.status();
    bool kept = false;
    {
      absl::MutexLock lock(&mu_);
      kept = orders_read_;
    }
    absl::StatusOr<incident::FailedOrders> orders =
        kept ? ReadFailedOrders(k_)
             : absl::StatusOr<incident::FailedOrders>(absl::FailedPreconditionError("not kept"));
    std::pair<int64_t, int64_t> node = NodeCapacity(k_);
    absl::MutexLock lock(&mu_);
    for (json& l : lines) {
      if (l.value("write", false) || l.value("unsafe", false)) writes_.push_back(std::move(l));
    }
    changes_ = incident::DiffSnapshots(s1_, *s2, prompt_.act);
    incident::GuardInputs in;
    in.before = &s1_;
    in.after = &*s2;
    in.changes = changes_;
    in.orders_before = orders_before_;
    if (orders.ok()) in.orders_after = *orders;
    in.orders_read = orders_read_ && orders.ok();
    in.writes = writes_;
    in.ns = k_->target().ns;
    in.node_memory_bytes = node.first;
    in.node_cpu_millis = node.second;
    guards_ = incident::CheckGuards(in);
    done_in_budget_ = answered_;
    return absl::OkStatus();
  }

  // Deletes the load that ran while the agent acted and waits until its pods are gone (a pod
  // being terminated still sends its requests): the verification's load runs alone.
  absl::Status StopLoad() {
    absl::Status deleted = k_->Delete(incident_.act.load_path);
    if (!deleted.ok()) return deleted;
    const absl::Time deadline = setup_.clock->Now() + absl::Minutes(2);
    while (true) {
      absl::StatusOr<std::vector<cluster::Pod>> pods = k_->GetPods();
      if (!pods.ok()) return pods.status();
      bool running = false;
      for (const cluster::Pod& p : *pods) {
        running = running || (p.owner_kind == "Job" && p.owner_name == incident_.act.load_job);
      }
      if (!running) return absl::OkStatus();
      if (setup_.clock->Now() >= deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("the pods of job ", incident_.act.load_job, " were still there after 2m"));
      }
      setup_.clock->SleepFor(absl::Seconds(10));
    }
  }

  // Restarts the task's deployments and those the agent changed, and waits for the rollout.
  absl::Status Restart() {
    std::set<std::string> names(prompt_.act.restart.begin(), prompt_.act.restart.end());
    {
      absl::MutexLock lock(&mu_);
      for (const incident::ObjectChange& c : changes_) {
        if (absl::StartsWith(c.object, "Deployment/") && c.change != "deleted") {
          names.insert(c.object.substr(11));
        }
      }
      restarted_.assign(names.begin(), names.end());
    }
    for (const std::string& n : names) {
      absl::StatusOr<std::string> out =
          k_->Run({"rollout", "restart", absl::StrCat("deployment/", n)}, /*mutating=*/true);
      if (!out.ok()) return out.status();
    }
    const absl::Time deadline = setup_.clock->Now() + absl::Minutes(5);
    while (true) {
      setup_.clock->SleepFor(absl::Seconds(15));
      absl::StatusOr<std::vector<cluster::Deployment>> ds = k_->GetDeployments();
      if (!ds.ok()) return ds.status();
      bool done = true;
      for (const cluster::Deployment& d : *ds) {
        if (names.count(d.name) == 0) continue;
        done = done && d.updated_replicas >= d.replicas && d.ready_replicas >= d.replicas &&
               d.available_replicas >= d.replicas;
      }
      if (done) return absl::OkStatus();
      if (setup_.clock->Now() >= deadline) {
        return absl::DeadlineExceededError("the restarted deployments were not ready within 5m");
      }
    }
  }

  // Puts back every object as it was before the act steps: what was made is deleted, what was
  // changed replaced, what was deleted created again (but a Job, which would run its load
  // again: that is reported instead).
  absl::Status RestoreObjects() {
    absl::StatusOr<NamespaceSnapshot> now = TakeSnapshot(k_);
    if (!now.ok()) return now.status();
    std::vector<std::string> failed;
    auto run = [&](std::vector<std::string> args, std::optional<std::string> in,
                   const std::string& what) {
      absl::StatusOr<std::string> out = k_->Run(args, /*mutating=*/true, std::move(in));
      if (!out.ok()) failed.push_back(absl::StrCat(what, ": ", out.status().message()));
    };
    // What the task made, HorizontalPodAutoscalers first (they scale deployments).
    std::vector<std::string> made;
    for (const auto& [key, o] : now->objects) {
      if (s0_.objects.count(key) == 0) made.push_back(key);
    }
    std::stable_partition(made.begin(), made.end(), [](const std::string& k) {
      return absl::StartsWith(k, "HorizontalPodAutoscaler/");
    });
    for (const std::string& key : made) {
      auto [kind, name] = KindAndName(key);
      run({"delete", kind, name, "--ignore-not-found", "--wait=false"}, std::nullopt,
          absl::StrCat("delete ", key));
    }
    for (const auto& [key, o] : s0_.objects) {
      auto it = now->objects.find(key);
      if (it != now->objects.end() && it->second == o) continue;
      if (it == now->objects.end() && absl::StartsWith(key, "Job/")) {
        left_broken_.push_back(absl::StrCat(key,
                                            " was deleted during the task and is not made "
                                            "again (it would run its load again)"));
        continue;
      }
      const std::string text = incident::WithoutServerFields(s0_.raw.at(key)).dump();
      if (it == now->objects.end()) {
        run({"create", "-f", "-"}, text, absl::StrCat("create ", key));
      } else if (absl::StartsWith(key, "Job/")) {
        auto [kind, name] = KindAndName(key);
        run({"delete", kind, name, "--ignore-not-found"}, std::nullopt,
            absl::StrCat("delete ", key));
        run({"create", "-f", "-"}, text, absl::StrCat("create ", key));
      } else {
        run({"replace", "-f", "-"}, text, absl::StrCat("replace ", key));
      }
    }
    for (const std::string& f : failed) left_broken_.push_back(f);
    if (!failed.empty()) {
      return absl::UnavailableError(absl::StrCat("could not put back: ", failed.front()));
    }
    return absl::OkStatus();
  }

 public:
  // After restore: what still differs from before the act steps (a Job aside: the act's own
  // loads are deleted by its steps).
  std::vector<std::string> LeftBroken() {
    std::vector<std::string> out = left_broken_;
    absl::StatusOr<NamespaceSnapshot> now = TakeSnapshot(k_);
    if (!now.ok()) {
      out.push_back(
          absl::StrCat("cannot check the namespace after the task: ", now.status().message()));
      return out;
    }
    ActTask none;
    for (const incident::ObjectChange& c : incident::DiffSnapshots(s0_, *now, none)) {
      if (absl::StartsWith(c.object, "Job/")) continue;
      out.push_back(absl::StrCat(
          c.object, " ", c.change,
          c.fields.empty() ? "" : absl::StrCat(" (", absl::StrJoin(c.fields, ", "), ")"),
          " since before the task"));
    }
    return out;
  }

 private:
  const incident::Incident& incident_;
  const Prompt& prompt_;
  const agent::AgentRequest request_;
  agent::Agent* agent_;
  const ActTaskSetup& setup_;
  cluster::Kubectl* k_;
  NamespaceSnapshot s0_;
  std::vector<std::string> left_broken_;
  absl::Mutex mu_;
  NamespaceSnapshot s1_ ABSL_GUARDED_BY(mu_);
  incident::FailedOrders orders_before_ ABSL_GUARDED_BY(mu_);
  bool orders_read_ ABSL_GUARDED_BY(mu_) = false;
  agent::AgentAnswer answer_ ABSL_GUARDED_BY(mu_);
  bool answered_ ABSL_GUARDED_BY(mu_) = false;
  bool done_in_budget_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<json> writes_ ABSL_GUARDED_BY(mu_);
  std::vector<incident::ObjectChange> changes_ ABSL_GUARDED_BY(mu_);
  json guards_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> restarted_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

ActTaskResult RunActTask(const incident::Incident& incident, const Prompt& prompt,
                         agent::AgentRequest request, agent::Agent* agent,
                         const ActTaskSetup& setup, const std::string& out_dir) {
  ActTaskResult result;
  const incident::ActSetup& act = incident.act;
  if (!act.defined) {
    result.answer.error =
        absl::StrCat("incident '", incident.id, "' has no 'act' section to start the task from");
    return result;
  }
  Task task(incident, prompt, std::move(request), agent, setup);
  if (absl::Status before = task.Before(); !before.ok()) {
    result.answer.error =
        absl::StrCat("cannot read the namespace before the task: ", before.message());
    return result;
  }
  // The task's run, as steps of an incident of its own (incident/act.h).
  incident::Incident run;
  run.id = incident.id;
  run.title = incident.title;
  run.file = incident.file;
  // Samples every 30 s at least: a sample is a kubectl call, and what the outcome reads from
  // them (readiness, OOM kills, which lastState keeps between samples) needs no finer grain.
  run.sample_every = std::max(incident.sample_every, absl::Seconds(30));
  run.steps = act.steps;
  run.steps.push_back(Hook("act", prompt.act.budget, "act.start"));
  run.steps.push_back(JobLog(act.load_job, "act"));
  run.steps.push_back(Hook("stop_load", absl::ZeroDuration()));
  run.steps.push_back(Manifest(StepKind::kApply, act.verify, act.verify_path, "verify.start"));
  run.steps.push_back(WaitJob(act.verify_job, "verify.end"));
  run.steps.push_back(JobLog(act.verify_job, "verify"));
  run.steps.push_back(Hook("restart", absl::ZeroDuration(), "holds.start"));
  run.steps.push_back(Manifest(StepKind::kDelete, act.verify, act.verify_path));
  run.steps.push_back(Manifest(StepKind::kApply, act.verify, act.verify_path));
  run.steps.push_back(WaitJob(act.verify_job, "holds.end"));
  run.steps.push_back(JobLog(act.verify_job, "holds"));
  run.restore.push_back(Manifest(StepKind::kDelete, act.load, act.load_path));
  run.restore.push_back(Manifest(StepKind::kDelete, act.verify, act.verify_path));
  run.restore.push_back(Hook("restore", absl::ZeroDuration()));
  for (const Step& s : act.restore) run.restore.push_back(s);
  Step healthy = MakeStep(StepKind::kWaitHealthy);
  healthy.duration = absl::Minutes(10);
  run.restore.push_back(healthy);

  incident::RunnerOptions ro;
  ro.clock = setup.clock;
  ro.environment = setup.environment;
  ro.out_dir = out_dir;
  ro.progress = setup.progress;
  ro.interrupts = setup.interrupts;
  ro.pace = setup.pace;
  ro.pace_speed = setup.pace_speed;
  ro.hook = [&task](const std::string& name, absl::Duration limit) {
    return task.Hook(name, limit);
  };
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  incident::IncidentRunner runner(setup.kubectl, ro);
  incident::IncidentResult r = runner.Run(run);
  result.answer = task.answer();
  result.left_broken = r.left_broken;
  for (std::string& b : task.LeftBroken()) result.left_broken.push_back(std::move(b));
  if (absl::IsCancelled(r.steps_status)) {
    // Interrupted: the cluster is restored, and the task is performed again on resume.
    result.answer = agent::AgentAnswer();
    result.answer.error = "not asked: interrupted";
    return result;
  }
  bool acted = false;
  for (const incident::Mark& m : r.timeline.marks) acted = acted || m.name == "act.start";
  if (!acted) {
    result.answer = agent::AgentAnswer();
    result.answer.attempts = 1;
    result.answer.error = absl::StrCat("the task could not be set up: ", r.steps_status.message());
  } else {
    result.outcome = task.Outcome(r);
    absl::Status w =
        WriteFileAtomically(absl::StrCat(out_dir, "/outcome.json"), result.outcome.dump(2) + "\n");
    if (!w.ok() && result.answer.ok()) {
      result.answer.error = absl::StrCat("cannot write outcome.json: ", w.message());
    }
  }
  return result;
}

}  // namespace sre_eval
