#include "sim/kube/controllers.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sim/kube/controllers_internal.h"

namespace sre_eval {
namespace sim {

using namespace internal;  // The helpers this file shares with its other half.

// ---------------------------------------------------------------------------------------
// Scheduler and kubelet.

std::string GoBackOff(absl::Duration d) {
  int64_t s = absl::ToInt64Seconds(d);
  if (s < 60) return absl::StrCat(s, "s");
  return absl::StrCat(s / 60, "m", s % 60, "s");
}

std::string Controllers::NextPodIp() {
  std::set<std::string> used;
  store_->ForEach("pods", "", [&](const json& p) { used.insert(Str(At(p, {"status", "podIP"}))); });
  for (int tries = 0; tries < 253; ++tries) {
    std::string ip = absl::StrCat("10.244.0.", next_ip_);
    next_ip_ = next_ip_ >= 254 ? 2 : next_ip_ + 1;
    if (used.count(ip) == 0) return ip;
  }
  return absl::StrCat("10.244.0.", next_ip_);
}

void Controllers::SyncPod(const json& pod, absl::Time now) {
  const std::string ns = Meta(pod, "namespace");
  const std::string name = Meta(pod, "name");
  const json spec = At(pod, {"spec"});
  const json& containers = At(spec, {"containers"});
  if (!containers.is_array()) return;

  if (Terminating(pod)) {
    absl::Time deadline = ParseApiTime(At(pod, {"metadata", "deletionTimestamp"}));
    absl::Time asked =
        deadline - absl::Seconds(Int(At(pod, {"metadata", "deletionGracePeriodSeconds"})));
    const json& statuses = At(pod, {"status", "containerStatuses"});
    if (statuses.is_array()) {
      for (const json& cs : statuses) {
        if (At(cs, {"state", "running"}).is_null()) continue;
        std::string c = Str(At(cs, {"name"}));
        RecordEvent(pod, "v1", "Pod", absl::StrCat("spec.containers{", c, "}"), "kubelet", "Normal",
                    "Killing", "Stopping container " + c, asked);
      }
    }
    if (now >= deadline) store_->Delete("pods", ns, name).IgnoreError();
    WakeAt(deadline, now);
    return;
  }

  const absl::Time t0 = Created(pod);
  const std::string uid = Meta(pod, "uid");

  const json old_status = pod.contains("status") ? pod["status"] : json::object();
  const absl::Time t_sandbox = t0 + kSandboxAfter;
  const absl::Time t_run = t0 + kRunningAfter;
  const bool sandbox = now >= t_sandbox;
  const bool started_once = now >= t_run;
  WakeAt(t_sandbox, now);
  WakeAt(t_run, now);

  json container_statuses = json::array();
  std::vector<std::string> unready;
  absl::Time all_ready_at = t0;
  bool any_alive = false;     // Running, or waiting to be restarted.
  bool all_succeeded = true;  // Every container ended with exit code 0 for good.
  std::vector<std::pair<std::string, absl::Time>> restarted;  // Container, when.
  for (const json& c : containers) {
    const std::string cname = Str(At(c, {"name"}));
    const std::string image = Str(At(c, {"image"}));
    json old_cs;
    if (At(old_status, {"containerStatuses"}).is_array()) {
      for (const json& cs : old_status["containerStatuses"]) {
        if (Str(At(cs, {"name"})) == cname) old_cs = cs;
      }
    }
    ContainerRuntime* rt = nullptr;
    auto found = runtime_.find(RuntimeKey(uid, cname));
    if (found != runtime_.end()) rt = &found->second;
    // A restart that is due: the kubelet starts a new instance of the container.
    if (rt != nullptr && rt->exited && rt->restarting && now >= rt->restart_at) {
      rt->exited = false;
      rt->restarting = false;
      ++rt->restarts;
      rt->started = rt->restart_at;
      rt->last_terminated = rt->terminated;
      rt->terminated = json();
      rt->container_id = "containerd://" + store_->RandomSuffix(64, "0123456789abcdef");
      restarted.emplace_back(cname, rt->started);
    }
    const absl::Time started = rt != nullptr ? rt->started : t_run;
    const bool exited = rt != nullptr && rt->exited;
    const bool running = started_once && !exited;
    absl::Time ready_at = started + (kReadyWithoutProbeAfter - kRunningAfter);
    const json& probe = At(c, {"readinessProbe"});
    if (probe.is_object())
      ready_at = started + absl::Seconds(Int(At(probe, {"initialDelaySeconds"})));
    const bool ready = running && now >= ready_at;
    if (running) WakeAt(ready_at, now);
    all_ready_at = std::max(all_ready_at, ready_at);
    if (!ready) unready.push_back(cname);
    if (running || (exited && rt->restarting)) any_alive = true;
    if (!exited || rt->restarting || Int(At(rt->terminated, {"exitCode"})) != 0) {
      all_succeeded = false;
    }

    json cs = {{"name", cname},
               {"lastState", rt != nullptr && rt->last_terminated.is_object()
                                 ? json{{"terminated", rt->last_terminated}}
                                 : json::object()},
               {"ready", ready},
               {"restartCount", rt != nullptr ? rt->restarts : Int(At(old_cs, {"restartCount"}))},
               {"started", running}};
    json mounts = json::array();
    if (At(c, {"volumeMounts"}).is_array()) {
      for (const json& m : c["volumeMounts"]) {
        json vm = {{"mountPath", At(m, {"mountPath"})}, {"name", At(m, {"name"})}};
        if (At(m, {"readOnly"}) == true) {
          vm["readOnly"] = true;
          vm["recursiveReadOnly"] = "Disabled";
        }
        mounts.push_back(vm);
      }
    }
    if (!mounts.empty()) cs["volumeMounts"] = mounts;
    if (started_once) {
      std::string repo;
      cs["image"] = NormalizeImage(image, &repo);
      cs["imageID"] = absl::StrCat(repo, "@sha256:", Hex64(Fnv32a(repo) * 0x100000001ull));
      std::string id = rt != nullptr ? rt->container_id : Str(At(old_cs, {"containerID"}));
      if (id.empty()) id = "containerd://" + store_->RandomSuffix(64, "0123456789abcdef");
      cs["containerID"] = id;
      if (running) {
        json started_at = At(old_cs, {"state", "running", "startedAt"});
        if (rt != nullptr || started_at.is_null()) started_at = ApiTime(started);
        cs["state"] = {{"running", {{"startedAt", started_at}}}};
      } else {
        // Exited: the kill shows as the state until the kubelet's next sync puts the
        // container into back-off; a container that will not restart stays terminated.
        const absl::Time finished = ParseApiTime(At(rt->terminated, {"finishedAt"}));
        if (rt->restarting && now >= finished + kRunningAfter - kSandboxAfter) {
          cs["lastState"] = {{"terminated", rt->terminated}};
          cs["state"] = {{"waiting",
                          {{"message", absl::StrCat("back-off ", GoBackOff(rt->backoff),
                                                    " restarting failed container=", cname,
                                                    " pod=", name, "_", ns, "(", uid, ")")},
                           {"reason", "CrashLoopBackOff"}}}};
        } else {
          cs["state"] = {{"terminated", rt->terminated}};
        }
        if (rt->restarting) {
          // The kubelet retries every sync while the back-off lasts and reports each refusal.
          const absl::Time first = finished + absl::Seconds(1);
          for (absl::Time at = first; at <= now && at < rt->restart_at; at += absl::Seconds(10)) {
            RecordEvent(pod, "v1", "Pod", absl::StrCat("spec.containers{", cname, "}"), "kubelet",
                        "Warning", "BackOff",
                        absl::StrCat("Back-off restarting failed container ", cname, " in pod ",
                                     name, "_", ns, "(", uid, ")"),
                        at);
            WakeAt(at + absl::Seconds(10), now);
          }
          WakeAt(first, now);
          WakeAt(rt->restart_at, now);
        }
      }
    } else {
      cs["image"] = image;
      cs["imageID"] = "";
      cs["state"] = {{"waiting", {{"reason", "ContainerCreating"}}}};
    }
    container_statuses.push_back(cs);
  }

  json status = json::object();
  const bool completed = started_once && !any_alive;
  status["phase"] = !started_once   ? "Pending"
                    : !completed    ? "Running"
                    : all_succeeded ? "Succeeded"
                                    : "Failed";
  status["hostIP"] = kNodeIp;
  status["hostIPs"] = json::array({{{"ip", kNodeIp}}});
  status["startTime"] = ApiTime(t0);
  status["qosClass"] = QosClass(spec);
  if (sandbox) {
    std::string ip = Str(At(old_status, {"podIP"}));
    if (ip.empty()) ip = NextPodIp();
    status["podIP"] = ip;
    status["podIPs"] = json::array({{{"ip", ip}}});
  }
  status["containerStatuses"] = container_statuses;

  auto condition = [&](const char* type, bool ok, absl::Time since) {
    json c = {{"type", type},
              {"status", ok ? "True" : "False"},
              {"lastProbeTime", nullptr},
              {"lastTransitionTime", ApiTime(since)}};
    // Keep the old transition time while the status holds.
    if (const json* old = FindCondition(old_status, type)) {
      if ((*old)["status"] == c["status"]) c["lastTransitionTime"] = (*old)["lastTransitionTime"];
    }
    const std::string t = type;
    if (!ok && (t == "Ready" || t == "ContainersReady")) {
      if (completed) {
        c["reason"] = "PodCompleted";
      } else {
        c["reason"] = "ContainersNotReady";
        c["message"] =
            absl::StrCat("containers with unready status: [", absl::StrJoin(unready, " "), "]");
      }
    }
    return c;
  };
  const bool all_ready = unready.empty();
  status["conditions"] = json::array(
      {condition("PodReadyToStartContainers", sandbox && !completed, sandbox ? t_sandbox : t0),
       condition("Initialized", true, t0),
       condition("Ready", all_ready, all_ready ? all_ready_at : now),
       condition("ContainersReady", all_ready, all_ready ? all_ready_at : now),
       condition("PodScheduled", true, t0)});
  if (status == old_status) return;
  json changed = pod;
  changed["status"] = status;
  auto updated = store_->Update("pods", changed);
  if (!updated.ok()) return;

  // A container that has a containerID has been started before.
  bool was_started = false;
  if (At(old_status, {"containerStatuses"}).is_array()) {
    for (const json& cs : old_status["containerStatuses"]) {
      if (!Str(At(cs, {"containerID"})).empty()) was_started = true;
    }
  }
  if (started_once && !was_started) {
    for (const json& c : containers) restarted.emplace_back(Str(At(c, {"name"})), t_run);
  }
  for (const auto& [cname, at] : restarted) {
    const json* c = nullptr;
    for (const json& each : containers) {
      if (Str(At(each, {"name"})) == cname) c = &each;
    }
    if (c == nullptr) continue;
    const std::string image = Str(At(*c, {"image"}));
    const std::string field = absl::StrCat("spec.containers{", cname, "}");
    const bool first = at == t_run;
    if (first && Str(At(*c, {"imagePullPolicy"})) == "Always") {
      uint64_t h = Fnv32a(image);
      int64_t pull = 1000000000 + static_cast<int64_t>(SplitMix(&h) % 2000000000);
      int64_t size = 20000000 + static_cast<int64_t>(SplitMix(&h) % 400000000);
      RecordEvent(*updated, "v1", "Pod", field, "kubelet", "Normal", "Pulling",
                  absl::StrCat("Pulling image \"", image, "\""), t_sandbox);
      RecordEvent(
          *updated, "v1", "Pod", field, "kubelet", "Normal", "Pulled",
          absl::StrCat("Successfully pulled image \"", image, "\" in ", GoSeconds(pull), " (",
                       GoSeconds(pull), " including waiting). Image size: ", size, " bytes."),
          t_run);
    } else {
      RecordEvent(*updated, "v1", "Pod", field, "kubelet", "Normal", "Pulled",
                  absl::StrCat("Container image \"", image, "\" already present on machine"), at);
    }
    RecordEvent(*updated, "v1", "Pod", field, "kubelet", "Normal", "Created",
                "Created container " + cname, at);
    RecordEvent(*updated, "v1", "Pod", field, "kubelet", "Normal", "Started",
                "Started container " + cname, at);
  }
}

absl::Status Controllers::ExitContainer(const std::string& ns, const std::string& pod_name,
                                        const std::string& container, int exit_code,
                                        const std::string& reason, absl::Time at) {
  auto got = store_->Get("pods", ns, pod_name);
  if (!got.ok()) return got.status();
  const json& pod = *got;
  const json* cs = nullptr;
  const json& statuses = At(pod, {"status", "containerStatuses"});
  if (statuses.is_array()) {
    for (const json& each : statuses) {
      if (Str(At(each, {"name"})) == container) cs = &each;
    }
  }
  if (cs == nullptr || At(*cs, {"state", "running"}).is_null() || Terminating(pod)) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", container, " of pod ", pod_name, " is not running"));
  }
  const std::string key = RuntimeKey(Meta(pod, "uid"), container);
  ContainerRuntime& rt = runtime_[key];
  if (rt.started == absl::InfinitePast()) {
    rt.started = ParseApiTime(At(*cs, {"state", "running", "startedAt"}));
    rt.restarts = Int(At(*cs, {"restartCount"}));
  }
  rt.container_id = Str(At(*cs, {"containerID"}));
  rt.exited = true;
  rt.terminated = {{"containerID", rt.container_id},
                   {"exitCode", exit_code},
                   {"finishedAt", ApiTime(at)},
                   {"reason", reason},
                   {"startedAt", ApiTime(rt.started)}};
  const std::string policy = Str(At(pod, {"spec", "restartPolicy"}));
  rt.restarting = policy == "Always" || policy.empty() || (policy == "OnFailure" && exit_code != 0);
  if (rt.restarting) {
    // client-go's flowcontrol.Backoff as the kubelet uses it: the first restart is at once,
    // then 10 s doubling to 5 min; an entry untouched for 2 x 5 min starts over.
    if (at - rt.backoff_updated > 2 * kMaxBackOff) rt.next_backoff = absl::ZeroDuration();
    rt.backoff = rt.next_backoff;
    rt.backoff_updated = at;
    rt.next_backoff =
        rt.backoff == absl::ZeroDuration() ? kBaseBackOff : std::min(2 * rt.backoff, kMaxBackOff);
    // The restart happens at the kubelet's next pod sync after the back-off, 1-2 s later.
    rt.restart_at = at + rt.backoff + absl::Seconds(store_->RandomSuffix(1, "12") == "1" ? 1 : 2);
  }
  quiet_version_ = 0;
  return absl::OkStatus();
}

absl::Status Controllers::DeletePodGracefully(const std::string& ns, const std::string& name,
                                              std::optional<int64_t> grace_seconds) {
  auto got = store_->Get("pods", ns, name);
  if (!got.ok()) return got.status();
  json pod = *got;
  int64_t grace = grace_seconds.has_value()
                      ? *grace_seconds
                      : Int(At(pod, {"spec", "terminationGracePeriodSeconds"}), 30);
  if (grace < 0) grace = 1;  // The API server's reading of a negative grace period.
  std::string phase = Str(At(pod, {"status", "phase"}));
  if (grace == 0 || Str(At(pod, {"spec", "nodeName"})).empty() || phase == "Succeeded" ||
      phase == "Failed") {
    return store_->Delete("pods", ns, name).status();
  }
  absl::Time now = store_->Now();
  absl::Time deadline = now + absl::Seconds(grace);
  if (Terminating(pod) && ParseApiTime(At(pod, {"metadata", "deletionTimestamp"})) <= deadline) {
    return absl::OkStatus();
  }
  pod["metadata"]["deletionTimestamp"] = ApiTime(deadline);
  pod["metadata"]["deletionGracePeriodSeconds"] = grace;
  return store_->Update("pods", pod).status();
}

}  // namespace sim
}  // namespace sre_eval
