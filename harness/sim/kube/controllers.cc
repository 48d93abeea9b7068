#include "sim/kube/controllers.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/kube/controllers_internal.h"

namespace sre_eval {
namespace sim {

using namespace internal;  // The helpers this file shares with its other half.

void ApplyPodSpecDefaults(json* spec) {
  json& s = *spec;
  if (!s.contains("restartPolicy")) s["restartPolicy"] = "Always";
  if (!s.contains("terminationGracePeriodSeconds")) s["terminationGracePeriodSeconds"] = 30;
  if (!s.contains("dnsPolicy")) s["dnsPolicy"] = "ClusterFirst";
  if (!s.contains("securityContext")) s["securityContext"] = json::object();
  if (!s.contains("schedulerName")) s["schedulerName"] = "default-scheduler";
  for (const char* list : {"initContainers", "containers"}) {
    if (!s.contains(list) || !s[list].is_array()) continue;
    for (json& c : s[list]) {
      std::string image = Str(c["image"]);
      if (!c.contains("imagePullPolicy")) {
        c["imagePullPolicy"] = ImageHasTag(image) ? "IfNotPresent" : "Always";
      }
      if (!c.contains("terminationMessagePath")) {
        c["terminationMessagePath"] = "/dev/termination-log";
      }
      if (!c.contains("terminationMessagePolicy")) c["terminationMessagePolicy"] = "File";
      if (!c.contains("resources")) c["resources"] = json::object();
      if (c.contains("ports") && c["ports"].is_array()) {
        for (json& p : c["ports"]) {
          if (!p.contains("protocol")) p["protocol"] = "TCP";
        }
      }
      for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
        if (!c.contains(probe) || !c[probe].is_object()) continue;
        json& p = c[probe];
        if (!p.contains("timeoutSeconds")) p["timeoutSeconds"] = 1;
        if (!p.contains("periodSeconds")) p["periodSeconds"] = 10;
        if (!p.contains("successThreshold")) p["successThreshold"] = 1;
        if (!p.contains("failureThreshold")) p["failureThreshold"] = 3;
        if (p.contains("httpGet") && !p["httpGet"].contains("scheme")) {
          p["httpGet"]["scheme"] = "HTTP";
        }
      }
    }
  }
}

void ApplyDeploymentDefaults(json* deployment) {
  json& spec = (*deployment)["spec"];
  if (!spec.contains("replicas")) spec["replicas"] = 1;
  if (!spec.contains("revisionHistoryLimit")) spec["revisionHistoryLimit"] = 10;
  if (!spec.contains("progressDeadlineSeconds")) spec["progressDeadlineSeconds"] = 600;
  if (!spec.contains("strategy")) spec["strategy"] = {{"type", "RollingUpdate"}};
  json& strategy = spec["strategy"];
  if (!strategy.contains("type")) strategy["type"] = "RollingUpdate";
  if (strategy["type"] == "RollingUpdate") {
    json& ru = strategy["rollingUpdate"];
    if (!ru.is_object()) ru = json::object();
    if (!ru.contains("maxSurge")) ru["maxSurge"] = "25%";
    if (!ru.contains("maxUnavailable")) ru["maxUnavailable"] = "25%";
  }
  json& tmpl_meta = spec["template"]["metadata"];
  if (!tmpl_meta.contains("creationTimestamp")) tmpl_meta["creationTimestamp"] = nullptr;
  ApplyPodSpecDefaults(&spec["template"]["spec"]);
}

Controllers::Controllers(ObjectStore* store) : store_(store) {}

void Controllers::Reconcile(absl::Time now) {
  // Real controllers react within milliseconds of each other; repeat the loops until the
  // cluster is still, so one call leaves it settled for `now`.
  if (store_->resource_version() == quiet_version_ && now < wake_at_) return;
  for (int pass = 0; pass < 16; ++pass) {
    uint64_t before = store_->resource_version();
    wake_at_ = absl::InfiniteFuture();
    RunOnce(now);
    if (store_->resource_version() == before) {
      quiet_version_ = before;
      return;
    }
  }
  quiet_version_ = 0;
}

void Controllers::RunOnce(absl::Time now) {
  ExpireEvents(now);
  CollectGarbage(now);
  // Each loop reads one listing: a controller only changes the objects it owns, and
  // re-reads those it changed.
  // Snapshots share the stored objects: a write replaces an object in the store and leaves
  // the snapshot as it was, so nothing is copied unless it changes.
  Objects replicasets = store_->Snapshot("replicasets", "");
  for (const auto& d : store_->Snapshot("deployments", "")) SyncDeployment(*d, replicasets, now);
  Objects pods = store_->Snapshot("pods", "");
  for (const auto& rs : store_->Snapshot("replicasets", "")) SyncReplicaSet(*rs, pods, now);
  for (const auto& job : store_->Snapshot("jobs", "")) SyncJob(*job, pods, now);
  for (const auto& pod : store_->Snapshot("pods", "")) SyncPod(*pod, now);
  replicasets = store_->Snapshot("replicasets", "");
  for (const auto& d : store_->Snapshot("deployments", "")) {
    SyncDeploymentStatus(*d, replicasets, now);
  }
}

// ---------------------------------------------------------------------------------------
// Garbage collector: background propagation, ReplicaSets first so that their pods follow in
// the same pass.

void Controllers::CollectGarbage(absl::Time now) {
  std::set<std::string> owners;
  for (const char* r : {"deployments", "replicasets", "jobs"}) {
    store_->ForEach(r, "", [&](const json& o) { owners.insert(Meta(o, "uid")); });
  }
  std::vector<std::pair<std::string, std::string>> orphans;  // (namespace, name)
  store_->ForEach("replicasets", "", [&](const json& rs) {
    std::string owner = ControllerUid(rs);
    if (owner.empty() || owners.count(owner) > 0) return;
    orphans.emplace_back(Meta(rs, "namespace"), Meta(rs, "name"));
    owners.erase(Meta(rs, "uid"));
  });
  for (const auto& [ns, name] : orphans) store_->Delete("replicasets", ns, name).IgnoreError();
  orphans.clear();
  store_->ForEach("pods", "", [&](const json& pod) {
    std::string owner = ControllerUid(pod);
    if (owner.empty() || owners.count(owner) > 0 || Terminating(pod)) return;
    orphans.emplace_back(Meta(pod, "namespace"), Meta(pod, "name"));
  });
  for (const auto& [ns, name] : orphans) DeletePodGracefully(ns, name, std::nullopt).IgnoreError();
  (void)now;
}

// ---------------------------------------------------------------------------------------
// Deployment controller (pkg/controller/deployment: sync.go, rolling.go, recreate.go).

void Controllers::ScaleReplicaSet(const json& deployment, json rs, int64_t replicas,
                                  absl::Time now) {
  int64_t old = SpecReplicas(rs);
  json& ann = rs["metadata"]["annotations"];
  if (!ann.is_object()) ann = json::object();
  int64_t desired = Int(At(deployment, {"spec", "replicas"}), 1);
  ann[kDesiredReplicas] = std::to_string(desired);
  ann[kMaxReplicas] = std::to_string(desired + ResolveFenceposts(deployment).surge);
  rs["spec"]["replicas"] = replicas;
  if (!store_->Update("replicasets", rs).ok() || old == replicas) return;
  RecordEvent(deployment, "apps/v1", "Deployment", "", "deployment-controller", "Normal",
              "ScalingReplicaSet",
              absl::StrFormat("Scaled %s replica set %s to %d from %d",
                              old < replicas ? "up" : "down", Meta(rs, "name"), replicas, old),
              now);
}

void Controllers::SyncDeployment(const json& original, const Objects& replicasets, absl::Time now) {
  json d = original;
  const std::string ns = Meta(d, "namespace");
  const std::string uid = Meta(d, "uid");
  if (At(d, {"spec", "paused"}) == true || !At(d, {"metadata", "deletionTimestamp"}).is_null()) {
    return;
  }
  const json tmpl = At(d, {"spec", "template"});
  const int64_t replicas = Int(At(d, {"spec", "replicas"}), 1);
  const bool recreate = Str(At(d, {"spec", "strategy", "type"})) == "Recreate";
  const Fenceposts fp = ResolveFenceposts(d);

  json new_rs;
  std::vector<json> old;
  for (json& rs : Owned(replicasets, ns, uid)) {
    if (new_rs.is_null() && SameTemplate(At(rs, {"spec", "template"}), tmpl)) {
      new_rs = std::move(rs);
    } else {
      old.push_back(std::move(rs));
    }
  }
  int64_t max_old_revision = 0;
  int64_t old_replicas = 0;
  for (const json& rs : old) {
    max_old_revision = std::max(max_old_revision, Revision(rs));
    old_replicas += SpecReplicas(rs);
  }

  if (recreate) {
    // Old pods go first; the new ReplicaSet is created only when none is left.
    bool old_pods = false;
    for (const json& rs : old) {
      if (SpecReplicas(rs) > 0) ScaleReplicaSet(d, rs, 0, now);
      if (!Owned(*store_, "pods", ns, Meta(rs, "uid")).empty()) old_pods = true;
    }
    if (old_replicas > 0 || old_pods) return;
  }

  std::string revision = std::to_string(max_old_revision + 1);
  if (new_rs.is_null()) {
    int64_t collisions = Int(At(d, {"status", "collisionCount"}));
    std::string hash = TemplateHash(tmpl, collisions);
    int64_t start = replicas;
    if (!recreate) {
      start = std::max<int64_t>(0, std::min(replicas + fp.surge - old_replicas, replicas));
    }
    json rs_tmpl = tmpl;
    rs_tmpl["metadata"]["labels"][kTemplateHash] = hash;
    json labels = rs_tmpl["metadata"]["labels"];
    json selector = At(d, {"spec", "selector"});
    selector["matchLabels"][kTemplateHash] = hash;
    json annotations = json::object();
    const json& d_ann = At(d, {"metadata", "annotations"});
    if (d_ann.is_object()) {
      for (auto it = d_ann.begin(); it != d_ann.end(); ++it) {
        if (it.key() == "kubectl.kubernetes.io/last-applied-configuration" ||
            absl::StartsWith(it.key(), "deployment.kubernetes.io/")) {
          continue;
        }
        annotations[it.key()] = it.value();
      }
    }
    annotations[kDesiredReplicas] = std::to_string(replicas);
    annotations[kMaxReplicas] = std::to_string(replicas + fp.surge);
    annotations[kRevision] = revision;
    json spec = {{"replicas", start}, {"selector", selector}, {"template", rs_tmpl}};
    if (Int(At(d, {"spec", "minReadySeconds"})) > 0) {
      spec["minReadySeconds"] = At(d, {"spec", "minReadySeconds"});
    }
    json rs = {{"apiVersion", "apps/v1"},
               {"kind", "ReplicaSet"},
               {"metadata",
                {{"name", absl::StrCat(Meta(d, "name"), "-", hash)},
                 {"namespace", ns},
                 {"labels", labels},
                 {"annotations", annotations},
                 {"ownerReferences", json::array({OwnerRef(d, "apps/v1", "Deployment")})}}},
               {"spec", spec}};
    auto created = store_->Create("replicasets", rs);
    if (!created.ok()) {
      // A ReplicaSet of that name with another template: the next hash takes a collision.
      d["status"]["collisionCount"] = collisions + 1;
      store_->Update("deployments", d).IgnoreError();
      return;
    }
    new_rs = *created;
    if (start > 0) {
      RecordEvent(
          d, "apps/v1", "Deployment", "", "deployment-controller", "Normal", "ScalingReplicaSet",
          absl::StrFormat("Scaled up replica set %s to %d", Meta(new_rs, "name"), start), now);
    }
    SetCondition(&d["status"],
                 DeploymentCondition(
                     "Progressing", true, "NewReplicaSetCreated",
                     absl::StrFormat("Created new replica set \"%s\"", Meta(new_rs, "name")), now));
  } else if (Revision(new_rs) <= max_old_revision) {
    // A rollback to an older template makes its ReplicaSet the newest revision.
    new_rs["metadata"]["annotations"][kRevision] = revision;
    auto updated = store_->Update("replicasets", new_rs);
    if (updated.ok()) new_rs = *updated;
  } else {
    revision = std::to_string(Revision(new_rs));
  }
  d["metadata"]["annotations"][kRevision] = revision;
  if (d != original) {
    auto updated = store_->Update("deployments", d);
    if (updated.ok()) d = *updated;
  }

  // Scale the new ReplicaSet (reconcileNewReplicaSet).
  int64_t new_replicas = SpecReplicas(new_rs);
  if (recreate || new_replicas > replicas) {
    if (new_replicas != replicas) ScaleReplicaSet(d, new_rs, replicas, now);
  } else if (new_replicas < replicas) {
    int64_t current = new_replicas + old_replicas;
    int64_t max_total = replicas + fp.surge;
    if (current < max_total) {
      int64_t target = new_replicas + std::min(max_total - current, replicas - new_replicas);
      ScaleReplicaSet(d, new_rs, target, now);
    }
  }
  if (recreate || old_replicas == 0) return;

  // Scale old ReplicaSets down as far as availability allows (reconcileOldReplicaSets).
  new_rs = store_->Get("replicasets", ns, Meta(new_rs, "name")).value_or(new_rs);
  int64_t all = SpecReplicas(new_rs) + old_replicas;
  int64_t min_available = replicas - fp.unavailable;
  int64_t new_unavailable = SpecReplicas(new_rs) - StatusCount(new_rs, "availableReplicas");
  int64_t max_scaled_down = all - min_available - new_unavailable;
  if (max_scaled_down <= 0) return;
  // Unhealthy old pods go first: they cost no availability.
  int64_t cleaned = 0;
  for (json& rs : old) {
    int64_t unhealthy = SpecReplicas(rs) - StatusCount(rs, "availableReplicas");
    int64_t down = std::min(max_scaled_down - cleaned, std::max<int64_t>(unhealthy, 0));
    if (down <= 0) continue;
    ScaleReplicaSet(d, rs, SpecReplicas(rs) - down, now);
    rs["spec"]["replicas"] = SpecReplicas(rs) - down;
    cleaned += down;
  }
  int64_t available = StatusCount(new_rs, "availableReplicas");
  for (const json& rs : old) available += StatusCount(rs, "availableReplicas");
  if (available <= min_available) return;
  int64_t remaining = std::min(available - min_available, max_scaled_down - cleaned);
  for (json& rs : old) {
    if (remaining <= 0) break;
    int64_t have = SpecReplicas(rs);
    int64_t down = std::min(have, remaining);
    if (down <= 0) continue;
    ScaleReplicaSet(d, store_->Get("replicasets", ns, Meta(rs, "name")).value_or(rs), have - down,
                    now);
    remaining -= down;
  }
}

void Controllers::SyncDeploymentStatus(const json& d, const Objects& replicasets, absl::Time now) {
  const std::string ns = Meta(d, "namespace");
  const std::string name = Meta(d, "name");
  const json& tmpl = At(d, {"spec", "template"});
  const int64_t replicas = Int(At(d, {"spec", "replicas"}), 1);
  json new_rs;
  std::vector<json> all = Owned(replicasets, ns, Meta(d, "uid"));
  int64_t spec_total = 0, actual = 0, ready = 0, available = 0, updated = 0;
  for (const json& rs : all) {
    if (new_rs.is_null() && SameTemplate(At(rs, {"spec", "template"}), tmpl)) new_rs = rs;
    spec_total += SpecReplicas(rs);
    actual += StatusCount(rs, "replicas");
    ready += StatusCount(rs, "readyReplicas");
    available += StatusCount(rs, "availableReplicas");
  }
  if (!new_rs.is_null()) updated = StatusCount(new_rs, "replicas");

  const json old_status = d.contains("status") ? d["status"] : json::object();
  json status = old_status;
  status["observedGeneration"] = Int(At(d, {"metadata", "generation"}), 1);
  SetCount(&status, "replicas", actual);
  SetCount(&status, "updatedReplicas", updated);
  SetCount(&status, "readyReplicas", ready);
  SetCount(&status, "availableReplicas", available);
  SetCount(&status, "unavailableReplicas", std::max<int64_t>(spec_total - available, 0));
  if (available >= replicas - MaxUnavailable(d)) {
    SetCondition(&status, DeploymentCondition("Available", true, "MinimumReplicasAvailable",
                                              "Deployment has minimum availability.", now));
  } else {
    SetCondition(&status,
                 DeploymentCondition("Available", false, "MinimumReplicasUnavailable",
                                     "Deployment does not have minimum availability.", now));
  }

  // syncRolloutStatus: the Progressing condition.
  const std::string what = new_rs.is_null()
                               ? absl::StrFormat("Deployment \"%s\"", name)
                               : absl::StrFormat("ReplicaSet \"%s\"", Meta(new_rs, "name"));
  const json* current = FindCondition(old_status, "Progressing");
  bool complete_before = actual == updated && current != nullptr &&
                         Str(At(*current, {"reason"})) == "NewReplicaSetAvailable";
  if (At(d, {"spec", "paused"}) != true) {
    if (!complete_before) {
      bool complete = updated == replicas && actual == replicas && available == replicas;
      int64_t old_old = StatusCount(d, "replicas") - StatusCount(d, "updatedReplicas");
      bool progressing = updated > StatusCount(d, "updatedReplicas") ||
                         actual - updated < old_old || ready > StatusCount(d, "readyReplicas") ||
                         available > StatusCount(d, "availableReplicas");
      int64_t deadline = Int(At(d, {"spec", "progressDeadlineSeconds"}), 600);
      if (current != nullptr) {
        WakeAt(ParseApiTime(At(*current, {"lastUpdateTime"})) + absl::Seconds(deadline + 1), now);
      }
      if (complete) {
        SetCondition(&status,
                     DeploymentCondition("Progressing", true, "NewReplicaSetAvailable",
                                         absl::StrCat(what, " has successfully progressed."), now));
      } else if (progressing) {
        json c = DeploymentCondition("Progressing", true, "ReplicaSetUpdated",
                                     absl::StrCat(what, " is progressing."), now);
        if (current != nullptr) {
          if (Str(At(*current, {"status"})) == "True") {
            c["lastTransitionTime"] = At(*current, {"lastTransitionTime"});
          }
          json kept = json::array();
          for (const json& x : status["conditions"]) {
            if (x["type"] != "Progressing") kept.push_back(x);
          }
          status["conditions"] = kept;
        }
        SetCondition(&status, c);
      } else if (current != nullptr &&
                 (Str(At(*current, {"reason"})) == "ProgressDeadlineExceeded" ||
                  ParseApiTime(At(*current, {"lastUpdateTime"})) + absl::Seconds(deadline) < now)) {
        SetCondition(&status,
                     DeploymentCondition("Progressing", false, "ProgressDeadlineExceeded",
                                         absl::StrCat(what, " has timed out progressing."), now));
      }
    }
  }
  if (status == old_status) return;
  json changed = d;
  changed["status"] = status;
  store_->Update("deployments", changed).IgnoreError();
}

// ---------------------------------------------------------------------------------------
// ReplicaSet and Job controllers.

void Controllers::CreatePod(const json& owner, const std::string& kind, const json& extra_labels,
                            absl::Time now) {
  const std::string ns = Meta(owner, "namespace");
  const std::string owner_name = Meta(owner, "name");
  json tmpl = At(owner, {"spec", "template"});
  json meta = {{"generateName", owner_name + "-"}, {"namespace", ns}};
  json labels =
      At(tmpl, {"metadata", "labels"}).is_object() ? tmpl["metadata"]["labels"] : json::object();
  if (extra_labels.is_object()) labels.update(extra_labels);
  if (!labels.empty()) meta["labels"] = labels;
  if (At(tmpl, {"metadata", "annotations"}).is_object()) {
    meta["annotations"] = tmpl["metadata"]["annotations"];
  }
  meta["ownerReferences"] =
      json::array({OwnerRef(owner, kind == "Job" ? "batch/v1" : "apps/v1", kind)});
  json spec = At(tmpl, {"spec"});
  ApplyPodSpecDefaults(&spec);
  // What admission and the service-account controller add to every pod.
  if (!spec.contains("serviceAccountName")) spec["serviceAccountName"] = "default";
  spec["serviceAccount"] = spec["serviceAccountName"];
  if (!spec.contains("enableServiceLinks")) spec["enableServiceLinks"] = true;
  if (!spec.contains("priority")) spec["priority"] = 0;
  if (!spec.contains("preemptionPolicy")) spec["preemptionPolicy"] = "PreemptLowerPriority";
  if (!spec.contains("tolerations")) spec["tolerations"] = json::array();
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    spec["tolerations"].push_back({{"effect", "NoExecute"},
                                   {"key", key},
                                   {"operator", "Exists"},
                                   {"tolerationSeconds", 300}});
  }
  std::string volume = "kube-api-access-" + store_->RandomSuffix(5);
  if (!spec.contains("volumes")) spec["volumes"] = json::array();
  spec["volumes"].push_back(
      {{"name", volume},
       {"projected",
        {{"defaultMode", 420},
         {"sources",
          json::array({{{"serviceAccountToken", {{"expirationSeconds", 3607}, {"path", "token"}}}},
                       {{"configMap",
                         {{"name", "kube-root-ca.crt"},
                          {"items", json::array({{{"key", "ca.crt"}, {"path", "ca.crt"}}})}}}},
                       {{"downwardAPI",
                         {{"items", json::array({{{"fieldRef",
                                                   {{"apiVersion", "v1"},
                                                    {"fieldPath", "metadata.namespace"}}},
                                                  {"path", "namespace"}}})}}}}})}}}});
  for (json& c : spec["containers"]) {
    if (!c.contains("volumeMounts")) c["volumeMounts"] = json::array();
    c["volumeMounts"].push_back({{"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"},
                                 {"name", volume},
                                 {"readOnly", true}});
  }
  spec["nodeName"] = kNodeName;
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", meta}, {"spec", spec}};
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string name = absl::StrCat(owner_name, "-", store_->RandomSuffix(5));
    pod["metadata"]["name"] = name;
    auto created = store_->Create("pods", pod);
    if (created.status().code() == absl::StatusCode::kAlreadyExists) continue;
    if (!created.ok()) return;
    // The scheduler binds at once: nodeName is set in the created object.
    RecordEvent(owner, kind == "Job" ? "batch/v1" : "apps/v1", kind, "",
                kind == "Job" ? "job-controller" : "replicaset-controller", "Normal",
                "SuccessfulCreate", "Created pod: " + name, now);
    RecordEvent(*created, "v1", "Pod", "", "default-scheduler", "Normal", "Scheduled",
                absl::StrCat("Successfully assigned ", ns, "/", name, " to ", kNodeName), now);
    return;
  }
}

void Controllers::SyncReplicaSet(const json& rs, const Objects& all_pods, absl::Time now) {
  const std::string ns = Meta(rs, "namespace");
  std::vector<json> pods = Owned(all_pods, ns, Meta(rs, "uid"));
  std::vector<json> active;
  for (json& p : pods) {
    if (ActivePod(p)) active.push_back(std::move(p));
  }
  int64_t want = SpecReplicas(rs);
  int64_t have = static_cast<int64_t>(active.size());
  if (have < want) {
    for (int64_t i = have; i < want; ++i) CreatePod(rs, "ReplicaSet", json(), now);
  } else if (have > want) {
    // getPodsToDelete: unready before ready, then the newest first.
    std::stable_sort(active.begin(), active.end(), [](const json& a, const json& b) {
      auto key = [](const json& p) {
        return std::make_tuple(PodReady(p).first, -absl::ToUnixSeconds(Created(p)),
                               Meta(p, "name"));
      };
      auto ka = key(a), kb = key(b);
      if (std::get<0>(ka) != std::get<0>(kb)) return !std::get<0>(ka);
      if (std::get<1>(ka) != std::get<1>(kb)) return std::get<1>(ka) < std::get<1>(kb);
      return std::get<2>(ka) > std::get<2>(kb);
    });
    for (int64_t i = 0; i < have - want; ++i) {
      const std::string name = Meta(active[i], "name");
      if (!DeletePodGracefully(ns, name, std::nullopt).ok()) continue;
      RecordEvent(rs, "apps/v1", "ReplicaSet", "", "replicaset-controller", "Normal",
                  "SuccessfulDelete", "Deleted pod: " + name, now);
    }
  }

  // Status from the pods as they are now.
  if (have != want) {
    active.clear();
    for (json& p : Owned(*store_, "pods", ns, Meta(rs, "uid"))) {
      if (ActivePod(p)) active.push_back(std::move(p));
    }
  }
  int64_t labeled = 0, ready = 0, available = 0;
  const json& tmpl_labels = At(rs, {"spec", "template", "metadata", "labels"});
  int64_t min_ready = Int(At(rs, {"spec", "minReadySeconds"}));
  for (const json& p : active) {
    if (LabelsMatch(tmpl_labels, At(p, {"metadata", "labels"}))) ++labeled;
    auto [is_ready, since] = PodReady(p);
    if (!is_ready) continue;
    ++ready;
    if (since + absl::Seconds(min_ready) <= now) ++available;
    WakeAt(since + absl::Seconds(min_ready), now);
  }
  json status = rs.contains("status") ? rs["status"] : json::object();
  json old_status = status;
  status["replicas"] = static_cast<int64_t>(active.size());  // Not omitempty.
  SetCount(&status, "fullyLabeledReplicas", labeled);
  SetCount(&status, "readyReplicas", ready);
  SetCount(&status, "availableReplicas", available);
  status["observedGeneration"] = Int(At(rs, {"metadata", "generation"}), 1);
  if (status == old_status) return;
  auto fresh = store_->Get("replicasets", ns, Meta(rs, "name"));
  if (!fresh.ok()) return;
  (*fresh)["status"] = status;
  store_->Update("replicasets", *fresh).IgnoreError();
}

void Controllers::SyncJob(const json& job, const Objects& all_pods, absl::Time now) {
  const std::string ns = Meta(job, "namespace");
  const std::string uid = Meta(job, "uid");
  const std::string name = Meta(job, "name");
  if (!At(job, {"metadata", "deletionTimestamp"}).is_null()) return;
  if (At(job, {"spec", "selector"}).is_null()) {
    // What the API server's job strategy fills in on create, done here because it needs the
    // uid the store assigns: the generated selector and the labels it selects.
    json defaulted = job;
    json& spec = defaulted["spec"];
    spec["selector"] = {{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}};
    json& labels = spec["template"]["metadata"]["labels"];
    if (!labels.is_object()) labels = json::object();
    labels["batch.kubernetes.io/controller-uid"] = uid;
    labels["batch.kubernetes.io/job-name"] = name;
    labels["controller-uid"] = uid;
    labels["job-name"] = name;
    for (const auto& [key, value] : std::initializer_list<std::pair<const char*, json>>{
             {"backoffLimit", 6},
             {"completions", 1},
             {"parallelism", 1},
             {"completionMode", "NonIndexed"},
             {"suspend", false},
             {"podReplacementPolicy", "TerminatingOrFailed"},
             {"manualSelector", nullptr}}) {
      if (!spec.contains(key) && !value.is_null()) spec[key] = value;
    }
    if (spec["template"]["spec"].is_object()) ApplyPodSpecDefaults(&spec["template"]["spec"]);
    store_->Update("jobs", defaulted).IgnoreError();
    return;  // The next pass sees the defaulted job.
  }
  // A finished job (Complete or Failed) changes no more.
  if (!At(job, {"status", "completionTime"}).is_null()) return;
  const json& conditions = At(job, {"status", "conditions"});
  if (conditions.is_array()) {
    for (const json& c : conditions) {
      std::string type = Str(At(c, {"type"}));
      if ((type == "Complete" || type == "Failed") && Str(At(c, {"status"})) == "True") return;
    }
  }
  json labels = {{"batch.kubernetes.io/controller-uid", uid},
                 {"batch.kubernetes.io/job-name", name},
                 {"controller-uid", uid},
                 {"job-name", name}};
  std::vector<json> pods = Owned(all_pods, ns, uid);
  int64_t active = 0, ready = 0, succeeded = 0, failed = 0, terminating = 0;
  for (const json& p : pods) {
    std::string phase = Str(At(p, {"status", "phase"}));
    if (phase == "Succeeded") {
      ++succeeded;
    } else if (phase == "Failed") {
      ++failed;
    } else if (Terminating(p)) {
      ++terminating;
    } else {
      ++active;
      if (PodReady(p).first) ++ready;
    }
  }
  // When the last pod of each outcome finished (its containers' finishedAt).
  absl::Time last_success = absl::InfinitePast(), last_failure = absl::InfinitePast();
  for (const json& p : pods) {
    const std::string phase = Str(At(p, {"status", "phase"}));
    if (phase != "Succeeded" && phase != "Failed") continue;
    absl::Time finished = Created(p);
    const json& statuses = At(p, {"status", "containerStatuses"});
    if (statuses.is_array()) {
      for (const json& cs : statuses) {
        finished = std::max(finished, ParseApiTime(At(cs, {"state", "terminated", "finishedAt"})));
      }
    }
    absl::Time& last = phase == "Succeeded" ? last_success : last_failure;
    last = std::max(last, finished);
  }
  const int64_t completions = Int(At(job, {"spec", "completions"}), 1);
  const int64_t backoff_limit = Int(At(job, {"spec", "backoffLimit"}), 6);
  json finish;  // The conditions that end the job, if it ends now.
  absl::Time finished_at;
  if (succeeded >= completions) {
    finished_at = last_success;
    for (const char* type : {"SuccessCriteriaMet", "Complete"}) {
      finish.push_back({{"type", type},
                        {"status", "True"},
                        {"lastProbeTime", ApiTime(now)},
                        {"lastTransitionTime", ApiTime(now)},
                        {"reason", "CompletionsReached"},
                        {"message", "Reached expected number of succeeded pods"}});
    }
  } else if (failed > backoff_limit) {
    finished_at = last_failure;
    for (const char* type : {"FailureTarget", "Failed"}) {
      finish.push_back({{"type", type},
                        {"status", "True"},
                        {"lastProbeTime", ApiTime(now)},
                        {"lastTransitionTime", ApiTime(now)},
                        {"reason", "BackoffLimitExceeded"},
                        {"message", "Job has reached the specified backoff limit"}});
    }
  } else if (At(job, {"spec", "suspend"}) != true && active == 0 && terminating == 0 &&
             succeeded < completions) {
    // The job controller's pod failure back-off: 10 s doubling to 6 min after each failure.
    absl::Time due = now;
    if (failed > 0) {
      absl::Duration delay = absl::Seconds(10);
      for (int64_t i = 1; i < failed && delay < absl::Minutes(6); ++i) delay *= 2;
      due = last_failure + std::min(delay, absl::Minutes(6));
    }
    if (now >= due) {
      CreatePod(job, "Job", labels, now);
      active = 1;
    } else {
      WakeAt(due, now);
    }
  }
  json status = job.contains("status") ? job["status"] : json::object();
  json old_status = status;
  if (!status.contains("startTime")) status["startTime"] = ApiTime(now);
  SetCount(&status, "active", active);
  SetCount(&status, "succeeded", succeeded);
  SetCount(&status, "failed", failed);
  status["ready"] = ready;
  status["terminating"] = terminating;
  status["uncountedTerminatedPods"] = json::object();
  if (!finish.is_null()) {
    json conditions = status.contains("conditions") ? status["conditions"] : json::array();
    for (json& c : finish) conditions.push_back(c);
    status["conditions"] = conditions;
    if (succeeded >= completions) status["completionTime"] = ApiTime(finished_at);
    status.erase("active");
  }
  if (status == old_status) return;
  auto fresh = store_->Get("jobs", ns, name);
  if (!fresh.ok()) return;
  (*fresh)["status"] = status;
  store_->Update("jobs", *fresh).IgnoreError();
}

// ---------------------------------------------------------------------------------------
// Events.

void Controllers::RecordEvent(const json& object, const std::string& api_version,
                              const std::string& kind, const std::string& field_path,
                              const std::string& component, const std::string& type,
                              const std::string& reason, const std::string& message,
                              absl::Time at) {
  std::string ns = Meta(object, "namespace");
  if (ns.empty()) ns = "default";
  const std::string uid = Meta(object, "uid");
  // The event correlator's aggregation key.
  const std::string key =
      absl::StrJoin({ns, uid, field_path, component, type, reason, message}, std::string(1, '\0'));
  auto indexed = event_index_.find(key);
  if (indexed != event_index_.end()) {
    auto e = store_->Get("events", ns, indexed->second);
    if (e.ok()) {
      if (ParseApiTime(At(*e, {"lastTimestamp"})) >= at) return;  // Already recorded.
      (*e)["count"] = Int(At(*e, {"count"}), 1) + 1;
      (*e)["lastTimestamp"] = ApiTime(at);
      store_->Update("events", *e).IgnoreError();
      return;
    }
    event_index_.erase(indexed);
  }
  const bool kubelet = component == "kubelet";
  json involved = {{"apiVersion", api_version},
                   {"kind", kind},
                   {"name", Meta(object, "name")},
                   {"namespace", ns},
                   {"uid", uid},
                   {"resourceVersion", Meta(object, "resourceVersion")}};
  if (!field_path.empty()) involved["fieldPath"] = field_path;
  json source = {{"component", component}};
  if (kubelet) source["host"] = kNodeName;
  json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"involvedObject", involved},
                {"reason", reason},
                {"message", message},
                {"type", type},
                {"source", source},
                {"firstTimestamp", ApiTime(at)},
                {"lastTimestamp", ApiTime(at)},
                {"count", 1},
                {"eventTime", nullptr},
                {"reportingComponent", component},
                {"reportingInstance", kubelet ? kNodeName : ""}};
  for (int attempt = 0; attempt < 8; ++attempt) {
    // client-go names an event <object>.<UnixNano in hex>; the nanoseconds come from the
    // store's generator.
    // Within one second the names increase in the order the events were made, as the
    // clock's nanoseconds would.
    int64_t nanos = 0;
    absl::SimpleAtoi(store_->RandomSuffix(6, "0123456789"), &nanos);
    int64_t stamp = absl::ToUnixNanos(absl::FromUnixSeconds(absl::ToUnixSeconds(at))) + nanos;
    if (stamp / 1000000000 == last_event_stamp_ / 1000000000 && stamp <= last_event_stamp_) {
      stamp = last_event_stamp_ + 1 + nanos;
    }
    last_event_stamp_ = stamp;
    event["metadata"] = {{"name", absl::StrFormat("%s.%x", Meta(object, "name"), stamp)},
                         {"namespace", ns},
                         {"creationTimestamp", ApiTime(at)}};
    auto created = store_->Create("events", event);
    if (created.status().code() == absl::StatusCode::kAlreadyExists) continue;
    if (created.ok()) event_index_[key] = Meta(*created, "name");
    return;
  }
}

void Controllers::ExpireEvents(absl::Time now) {
  std::vector<std::pair<std::string, std::string>> expired;  // (namespace, name)
  store_->ForEach("events", "", [&](const json& e) {
    absl::Time last = ParseApiTime(At(e, {"lastTimestamp"}));
    if (last == absl::InfinitePast()) last = ParseApiTime(At(e, {"eventTime"}));
    if (last == absl::InfinitePast()) last = Created(e);
    WakeAt(last + kEventTtl, now);
    if (last + kEventTtl <= now) expired.emplace_back(Meta(e, "namespace"), Meta(e, "name"));
  });
  for (const auto& [ns, name] : expired) store_->Delete("events", ns, name).IgnoreError();
}

}  // namespace sim
}  // namespace sre_eval
