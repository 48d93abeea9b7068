// The reference agent's fixes in action tasks: it looks at the cluster it was handed (never at
// the harness's truth), applies the incident guide's fix for what it finds, waits for the
// change to roll out and says what it did.
//
//   a Sock Shop deployment at 0 replicas      scale it back to 1 (payment outage)
//   a container OOM-killed                    its memory limit +50% (the guide's "increase
//                                             resource limits"), and replicas with an HPA
//                                             (2-10, 70% CPU) sized from the load: one replica
//                                             per 500 of the load's users (Locust's -u)
//   a CPU-throttled front-end, and "Slow      front-end to 2 replicas with an HPA (2-10); the
//   query" / "Connection pool exhausted"      services whose logs name the pool (catalogue for
//   in the services' logs                     catalogue-db's slow queries, orders for its pool)
//                                             to 2 replicas
#include "agent/reference_act.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace sre_eval {
namespace agent {
namespace reference {
namespace {

using cluster::Kubectl;

// When the load that runs now started (the earliest active Job labelled app=locust), or
// InfiniteFuture when none runs: what happened before it belongs to earlier incidents.
absl::Time LoadStart(const std::vector<cluster::Job>& jobs) {
  absl::Time start = absl::InfiniteFuture();
  for (const cluster::Job& j : jobs) {
    auto app = j.labels.find("app");
    if (app == j.labels.end() || app->second != "locust" || j.active == 0) continue;
    if (j.start_time != absl::InfinitePast()) start = std::min(start, j.start_time);
  }
  return start;
}

// The users of the load that runs (Locust's -u of an active Job labelled app=locust); 0 when
// none is found.
int LoadUsers(const std::vector<cluster::Job>& jobs) {
  int users = 0;
  for (const cluster::Job& j : jobs) {
    auto app = j.labels.find("app");
    if (app == j.labels.end() || app->second != "locust" || j.active == 0) continue;
    for (size_t i = 0; i + 1 < j.args.size(); ++i) {
      int n = 0;
      if ((j.args[i] == "-u" || j.args[i] == "--users") && absl::SimpleAtoi(j.args[i + 1], &n)) {
        users = std::max(users, n);
      }
    }
  }
  return users;
}

// "1000Mi" * 1.5 -> "1500Mi" (whole MiB).
std::string RaisedMemory(const std::string& limit) {
  absl::StatusOr<int64_t> bytes = cluster::ParseMemoryBytes(limit);
  if (!bytes.ok() || *bytes <= 0) return "";
  int64_t mib = (*bytes * 3 / 2 + (int64_t{1} << 20) - 1) >> 20;
  return absl::StrCat(mib, "Mi");
}

// The deployment a pod belongs to (its ReplicaSet's name less the hash).
std::string DeploymentOf(const cluster::Pod& p) {
  if (p.owner_kind != "ReplicaSet") return "";
  return p.owner_name.substr(0, p.owner_name.rfind('-'));
}

}  // namespace

AgentAnswer Act(Kubectl* k, const AgentRequest& request, Clock* wall) {
  AgentAnswer answer;
  answer.attempts = 1;
  const absl::Time t0 = wall->Now();
  const absl::Time deadline = t0 + request.act.wall_limit;
  std::vector<std::string> did, failed;
  auto run = [&](const std::vector<std::string>& args, const std::string& what) {
    absl::StatusOr<std::string> out = k->Run(args, /*mutating=*/true);
    if (out.ok()) {
      did.push_back(what);
    } else {
      failed.push_back(absl::StrCat(what, ": ", out.status().message()));
    }
    return out.ok();
  };
  absl::StatusOr<std::vector<cluster::Deployment>> deployments = k->GetDeployments();
  absl::StatusOr<std::vector<cluster::Pod>> pods = k->GetPods();
  absl::StatusOr<std::vector<cluster::Job>> jobs = k->GetJobs();
  if (!deployments.ok() || !pods.ok() || !jobs.ok()) {
    answer.error =
        absl::StrCat("reading the cluster failed: ", (!deployments.ok() ? deployments.status()
                                                      : !pods.ok()      ? pods.status()
                                                                        : jobs.status())
                                                         .message());
    answer.latency = wall->Now() - t0;
    return answer;
  }
  std::map<std::string, int> target;  // deployment -> the replicas it should reach
  std::map<std::string, const cluster::Deployment*> by_name;
  for (const cluster::Deployment& d : *deployments) by_name[d.name] = &d;

  // 1. A deployment scaled to nothing.
  bool restored_from_zero = false;
  for (const cluster::Deployment& d : *deployments) {
    if (d.replicas != 0) continue;
    if (run({"scale", absl::StrCat("deployment/", d.name), "--replicas=1"},
            absl::StrCat("scaled deployment ", d.name, " from 0 to 1 replica"))) {
      target[d.name] = 1;
      restored_from_zero = true;
    }
  }

  // 2. Containers killed for memory under the load that runs now (an OOM kill of an earlier
  //    incident, still in a container's lastState, is not this one): more memory, and
  //    replicas for the load.
  const absl::Time load_start = LoadStart(*jobs);
  std::set<std::pair<std::string, std::string>> oom;  // deployment, container
  for (const cluster::Pod& p : *pods) {
    for (const cluster::ContainerStatus& c : p.containers) {
      for (const auto* t : {&c.terminated, &c.last_terminated}) {
        if (t->has_value() && (*t)->reason == "OOMKilled" && (*t)->finished_at >= load_start &&
            !DeploymentOf(p).empty()) {
          oom.insert({DeploymentOf(p), c.name});
        }
      }
    }
  }
  const int users = LoadUsers(*jobs);
  for (const auto& [name, container] : oom) {
    auto d = by_name.find(name);
    if (d == by_name.end()) continue;
    for (const cluster::ContainerResources& r : d->second->containers) {
      if (r.name != container) continue;
      std::string memory = RaisedMemory(r.memory_limit);
      if (memory.empty()) continue;
      run({"set", "resources", absl::StrCat("deployment/", name), "-c", container,
           absl::StrCat("--limits=memory=", memory)},
          absl::StrCat("raised the memory limit of ", name, "/", container, " from ",
                       r.memory_limit, " to ", memory, " (+50%)"));
    }
    const int replicas = std::clamp((users + 499) / 500, 2, 10);
    if (run({"scale", absl::StrCat("deployment/", name), absl::StrCat("--replicas=", replicas)},
            absl::StrCat("scaled deployment ", name, " to ", replicas, " replicas (",
                         users > 0 ? absl::StrCat(users, " users of load, ~500 each")
                                   : std::string("the guide's minimum"),
                         ")"))) {
      target[name] = replicas;
    }
    run({"autoscale", absl::StrCat("deployment/", name), absl::StrCat("--min=", replicas),
         "--max=10", "--cpu-percent=70"},
        absl::StrCat("added a HorizontalPodAutoscaler for ", name, " (", replicas,
                     "-10 replicas, 70% CPU)"));
  }

  // 3. Slow, not crashing: a CPU-throttled front-end and a saturated pool behind it (the
  //    services' logs read since the load started).
  if (oom.empty() && load_start != absl::InfiniteFuture()) {
    bool throttled = false;
    absl::StatusOr<std::vector<cluster::PodMetrics>> metrics = k->GetPodMetrics();
    auto fe = by_name.find("front-end");
    if (metrics.ok() && fe != by_name.end() && !fe->second->containers.empty()) {
      absl::StatusOr<int64_t> limit =
          cluster::ParseCpuMillicores(fe->second->containers[0].cpu_limit);
      for (const cluster::PodMetrics& m : *metrics) {
        if (!absl::StartsWith(m.pod, "front-end-") || !limit.ok() || *limit <= 0) continue;
        for (const cluster::ContainerUsage& u : m.containers) {
          if (u.cpu_millicores * 10 >= *limit * 9) throttled = true;
        }
      }
    }
    std::vector<std::string> behind;
    for (const auto& [service, source, words] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"catalogue", "catalogue-db", "Slow query"},
             {"orders", "orders", "Connection pool exhausted"}}) {
      for (const cluster::Pod& p : *pods) {
        if (DeploymentOf(p) != source || p.containers.empty()) continue;
        absl::StatusOr<std::string> log = k->Logs(p.name, p.containers[0].name, false, load_start);
        if (log.ok() && absl::StrContains(*log, words)) {
          behind.push_back(service);
          break;
        }
      }
    }
    if (throttled || !behind.empty()) {
      if (fe != by_name.end() && fe->second->replicas < 2 &&
          run({"scale", "deployment/front-end", "--replicas=2"},
              "scaled deployment front-end to 2 replicas (CPU at its limit)")) {
        target["front-end"] = 2;
      }
      run({"autoscale", "deployment/front-end", "--min=2", "--max=10", "--cpu-percent=70"},
          "added a HorizontalPodAutoscaler for front-end (2-10 replicas, 70% CPU)");
      for (const std::string& s : behind) {
        auto d = by_name.find(s);
        if (d == by_name.end() || d->second->replicas >= 2) continue;
        if (run({"scale", absl::StrCat("deployment/", s), "--replicas=2"},
                absl::StrCat("scaled deployment ", s,
                             " to 2 replicas (its logs name the "
                             "saturated pool)"))) {
          target[s] = 2;
        }
      }
    }
  }

  // Wait for the changes to roll out.
  std::string state;
  bool ready = target.empty();
  while (!target.empty() && wall->Now() < deadline) {
    absl::StatusOr<std::vector<cluster::Deployment>> now = k->GetDeployments();
    if (now.ok()) {
      ready = true;
      std::vector<std::string> parts;
      for (const auto& [name, want] : target) {
        for (const cluster::Deployment& d : *now) {
          if (d.name != name) continue;
          bool ok = d.ready_replicas >= want && d.updated_replicas >= d.replicas &&
                    d.available_replicas >= want;
          ready = ready && ok;
          parts.push_back(absl::StrCat(name, " ", d.ready_replicas, "/", d.replicas, " ready"));
        }
      }
      state = absl::StrJoin(parts, ", ");
      if (ready) break;
    }
    wall->SleepFor(absl::Seconds(1));
  }

  std::string text;
  if (did.empty()) {
    text =
        "I found nothing to fix: no deployment at 0 replicas, no container killed for memory, "
        "no throttled front-end.";
  } else {
    text = absl::StrCat("What I did:\n- ", absl::StrJoin(did, "\n- "), "\n");
    absl::StrAppend(&text, ready ? "Rolled out: " : "Not yet rolled out when I stopped: ", state,
                    state.empty() ? "nothing to wait for" : "", ".\n");
    if (restored_from_zero) {
      absl::StrAppend(&text,
                      "Orders in PAYMENT_FAILED status were left as they are, for reconciliation.");
    }
  }
  if (!failed.empty()) absl::StrAppend(&text, "\nWhat failed:\n- ", absl::StrJoin(failed, "\n- "));
  answer.text = text;
  answer.latency = wall->Now() - t0;
  return answer;
}

}  // namespace reference
}  // namespace agent
}  // namespace sre_eval
