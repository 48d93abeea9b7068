#include "sim/controllers.h"

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

namespace sre_eval {
namespace sim {

namespace {

using json = nlohmann::json;

// Kubernetes' timings in this model, from a pod's creation: the sandbox (and IP) at +1 s,
// containers running at +2 s, Ready at +3 s without a readiness probe.
constexpr absl::Duration kSandboxAfter = absl::Seconds(1);
constexpr absl::Duration kRunningAfter = absl::Seconds(2);
constexpr absl::Duration kReadyWithoutProbeAfter = absl::Seconds(3);
constexpr absl::Duration kEventTtl = absl::Hours(1);
constexpr char kHashAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
constexpr char kRevision[] = "deployment.kubernetes.io/revision";
constexpr char kDesiredReplicas[] = "deployment.kubernetes.io/desired-replicas";
constexpr char kMaxReplicas[] = "deployment.kubernetes.io/max-replicas";
constexpr char kTemplateHash[] = "pod-template-hash";

const json& At(const json& j, std::initializer_list<const char*> path) {
  static const json kNull;
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return kNull;
    auto it = cur->find(key);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

std::string Str(const json& j) { return j.is_string() ? j.get<std::string>() : ""; }
int64_t Int(const json& j, int64_t fallback = 0) {
  return j.is_number() ? j.get<int64_t>() : fallback;
}
std::string Meta(const json& o, const char* key) { return Str(At(o, {"metadata", key})); }
absl::Time Created(const json& o) { return ParseApiTime(At(o, {"metadata", "creationTimestamp"})); }

// The uid of the object's controller (ownerReferences[controller=true]), or "".
std::string ControllerUid(const json& o) {
  const json& refs = At(o, {"metadata", "ownerReferences"});
  if (!refs.is_array()) return "";
  for (const json& ref : refs) {
    if (ref.value("controller", false)) return Str(At(ref, {"uid"}));
  }
  return "";
}

json OwnerRef(const json& owner, const std::string& api_version, const std::string& kind) {
  return {{"apiVersion", api_version}, {"kind", kind},       {"name", Meta(owner, "name")},
          {"uid", Meta(owner, "uid")}, {"controller", true}, {"blockOwnerDeletion", true}};
}

// The objects of `objects` in `ns` controlled by `uid`, oldest first (then by name).
std::vector<json> Owned(const std::vector<json>& objects, const std::string& ns,
                        const std::string& uid) {
  std::vector<json> out;
  for (const json& o : objects) {
    if (ControllerUid(o) == uid && Meta(o, "namespace") == ns) out.push_back(o);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const json& a, const json& b) { return Created(a) < Created(b); });
  return out;
}

std::vector<json> Owned(const ObjectStore& store, const std::string& resource,
                        const std::string& ns, const std::string& uid) {
  return Owned(store.List(resource, ns), ns, uid);
}

bool Terminating(const json& pod) { return !At(pod, {"metadata", "deletionTimestamp"}).is_null(); }

bool ActivePod(const json& pod) {
  std::string phase = Str(At(pod, {"status", "phase"}));
  return !Terminating(pod) && phase != "Succeeded" && phase != "Failed";
}

// The Ready condition's status and transition time.
std::pair<bool, absl::Time> PodReady(const json& pod) {
  const json& conditions = At(pod, {"status", "conditions"});
  if (conditions.is_array()) {
    for (const json& c : conditions) {
      if (Str(At(c, {"type"})) == "Ready") {
        return {Str(At(c, {"status"})) == "True", ParseApiTime(At(c, {"lastTransitionTime"}))};
      }
    }
  }
  return {false, absl::InfinitePast()};
}

bool LabelsMatch(const json& want, const json& labels) {
  if (!want.is_object()) return true;
  for (auto it = want.begin(); it != want.end(); ++it) {
    if (!labels.is_object() || !labels.contains(it.key()) || labels[it.key()] != it.value()) {
      return false;
    }
  }
  return true;
}

uint32_t Fnv32a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

uint64_t SplitMix(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A pod template's hash as the deployment controller writes it: a 32-bit FNV-1a of the
// template (and collision count), its decimal digits mapped to the safe alphabet
// (rand.SafeEncodeString), so 9 or 10 characters of "bcdf456789".
std::string TemplateHash(json tmpl, int64_t collision_count) {
  if (tmpl["metadata"].is_object() && tmpl["metadata"]["labels"].is_object()) {
    tmpl["metadata"]["labels"].erase(kTemplateHash);
  }
  std::string text = tmpl.dump();
  if (collision_count > 0) absl::StrAppend(&text, "#", collision_count);
  std::string digits = std::to_string(Fnv32a(text));
  std::string out;
  for (char c : digits) out.push_back(kHashAlphabet[static_cast<unsigned char>(c) % 27]);
  return out;
}

json WithoutHash(json tmpl) {
  json& labels = tmpl["metadata"]["labels"];
  if (labels.is_object()) labels.erase(kTemplateHash);
  if (labels.is_null() || labels.empty()) tmpl["metadata"].erase("labels");
  if (tmpl["metadata"].empty()) tmpl.erase("metadata");
  return tmpl;
}

bool SameTemplate(const json& a, const json& b) { return WithoutHash(a) == WithoutHash(b); }

int64_t Revision(const json& rs) {
  int64_t r = 0;
  return absl::SimpleAtoi(Str(At(rs, {"metadata", "annotations", kRevision})), &r) ? r : 0;
}

// An intstr (25, "25%") against `total`, rounded up or down.
int64_t ScaledValue(const json& v, int64_t total, bool round_up) {
  if (v.is_number()) return v.get<int64_t>();
  std::string s = Str(v);
  int64_t pct = 25;
  if (absl::EndsWith(s, "%"))
    absl::SimpleAtoi(s.substr(0, s.size() - 1), &pct);
  else if (absl::SimpleAtoi(s, &pct))
    return pct;
  double value = static_cast<double>(pct) * static_cast<double>(total) / 100.0;
  return static_cast<int64_t>(round_up ? std::ceil(value) : std::floor(value));
}

struct Fenceposts {
  int64_t surge = 0;
  int64_t unavailable = 0;
};

Fenceposts ResolveFenceposts(const json& d) {
  int64_t replicas = Int(At(d, {"spec", "replicas"}), 1);
  if (Str(At(d, {"spec", "strategy", "type"})) == "Recreate") return {0, 0};
  const json& ru = At(d, {"spec", "strategy", "rollingUpdate"});
  json surge_v = At(ru, {"maxSurge"}).is_null() ? json("25%") : At(ru, {"maxSurge"});
  json unavail_v = At(ru, {"maxUnavailable"}).is_null() ? json("25%") : At(ru, {"maxUnavailable"});
  Fenceposts f{ScaledValue(surge_v, replicas, true), ScaledValue(unavail_v, replicas, false)};
  if (f.surge == 0 && f.unavailable == 0) f.unavailable = 1;
  return f;
}

// deploymentutil.MaxUnavailable: what the Available condition tolerates.
int64_t MaxUnavailable(const json& d) {
  int64_t replicas = Int(At(d, {"spec", "replicas"}), 1);
  if (Str(At(d, {"spec", "strategy", "type"})) == "Recreate" || replicas == 0) return 0;
  return std::min(ResolveFenceposts(d).unavailable, replicas);
}

int64_t SpecReplicas(const json& rs) { return Int(At(rs, {"spec", "replicas"}), 1); }
int64_t StatusCount(const json& o, const char* key) { return Int(At(o, {"status", key})); }

// SetDeploymentCondition: no change when status and reason are the same; keeps the
// transition time when only the reason changes; the updated condition moves to the end.
void SetCondition(json* status, json condition) {
  json& conditions = (*status)["conditions"];
  if (!conditions.is_array()) conditions = json::array();
  json kept = json::array();
  for (const json& c : conditions) {
    if (c["type"] == condition["type"]) {
      if (c["status"] == condition["status"] && c["reason"] == condition["reason"]) return;
      if (c["status"] == condition["status"]) {
        condition["lastTransitionTime"] = c["lastTransitionTime"];
      }
      continue;
    }
    kept.push_back(c);
  }
  kept.push_back(std::move(condition));
  conditions = std::move(kept);
}

json DeploymentCondition(const std::string& type, bool status, const std::string& reason,
                         const std::string& message, absl::Time now) {
  return {{"type", type},
          {"status", status ? "True" : "False"},
          {"lastUpdateTime", ApiTime(now)},
          {"lastTransitionTime", ApiTime(now)},
          {"reason", reason},
          {"message", message}};
}

const json* FindCondition(const json& status, const std::string& type) {
  const json& conditions = At(status, {"conditions"});
  if (!conditions.is_array()) return nullptr;
  for (const json& c : conditions) {
    if (Str(At(c, {"type"})) == type) return &c;
  }
  return nullptr;
}

void SetCount(json* status, const char* key, int64_t value) {
  if (value != 0) {
    (*status)[key] = value;
  } else {
    status->erase(key);
  }
}

// "weaveworksdemos/carts:0.4.8" -> "docker.io/weaveworksdemos/carts:0.4.8"; "mongo" ->
// "docker.io/library/mongo:latest". `repo` gets the name without tag.
std::string NormalizeImage(const std::string& image, std::string* repo) {
  std::string name = image;
  std::string tag = "latest";
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    name = image.substr(0, colon);
    tag = image.substr(colon + 1);
  }
  size_t first = name.find('/');
  bool has_registry =
      first != std::string::npos && (name.find('.') < first || name.find(':') < first ||
                                     name.compare(0, first, "localhost") == 0);
  if (first == std::string::npos) name = "library/" + name;
  if (!has_registry) name = "docker.io/" + name;
  *repo = name;
  return absl::StrCat(name, ":", tag);
}

bool ImageHasTag(const std::string& image) {
  if (image.find('@') != std::string::npos) return true;
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  return colon != std::string::npos && (slash == std::string::npos || colon > slash) &&
         image.substr(colon + 1) != "latest";
}

// A stable digest per image, as the registry would have it.
std::string Hex64(uint64_t seed) {
  std::string out;
  for (int i = 0; i < 4; ++i) absl::StrAppendFormat(&out, "%016x", SplitMix(&seed));
  return out;
}

std::string QosClass(const json& spec) {
  bool any = false;
  bool guaranteed = true;
  for (const json& c : At(spec, {"containers"})) {
    const json& req = At(c, {"resources", "requests"});
    const json& lim = At(c, {"resources", "limits"});
    if ((req.is_object() && !req.empty()) || (lim.is_object() && !lim.empty())) any = true;
    for (const char* r : {"cpu", "memory"}) {
      const json& l = At(lim, {r});
      const json& q = At(req, {r}).is_null() ? l : At(req, {r});
      if (l.is_null() || q != l) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

// A Go duration as kubectl prints pull times: "1.52238s".
std::string GoSeconds(int64_t nanos) {
  std::string frac = absl::StrFormat("%09d", nanos % 1000000000);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? absl::StrCat(nanos / 1000000000, "s")
                      : absl::StrCat(nanos / 1000000000, ".", frac, "s");
}

}  // namespace

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
  std::vector<json> replicasets = store_->List("replicasets", "");
  for (json& d : store_->List("deployments", "")) SyncDeployment(std::move(d), replicasets, now);
  std::vector<json> pods = store_->List("pods", "");
  for (json& rs : store_->List("replicasets", "")) SyncReplicaSet(std::move(rs), pods, now);
  for (json& job : store_->List("jobs", "")) SyncJob(std::move(job), pods, now);
  for (json& pod : store_->List("pods", "")) SyncPod(std::move(pod), now);
  replicasets = store_->List("replicasets", "");
  for (json& d : store_->List("deployments", "")) {
    SyncDeploymentStatus(std::move(d), replicasets, now);
  }
}

// ---------------------------------------------------------------------------------------
// Garbage collector: background propagation, ReplicaSets first so that their pods follow in
// the same pass.

void Controllers::CollectGarbage(absl::Time now) {
  std::set<std::string> owners;
  for (const char* r : {"deployments", "replicasets", "jobs"}) {
    for (const json& o : store_->List(r, "")) owners.insert(Meta(o, "uid"));
  }
  for (const json& rs : store_->List("replicasets", "")) {
    std::string owner = ControllerUid(rs);
    if (owner.empty() || owners.count(owner) > 0) continue;
    store_->Delete("replicasets", Meta(rs, "namespace"), Meta(rs, "name")).IgnoreError();
    owners.erase(Meta(rs, "uid"));
  }
  for (const json& pod : store_->List("pods", "")) {
    std::string owner = ControllerUid(pod);
    if (owner.empty() || owners.count(owner) > 0 || Terminating(pod)) continue;
    DeletePodGracefully(Meta(pod, "namespace"), Meta(pod, "name"), std::nullopt).IgnoreError();
  }
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

void Controllers::SyncDeployment(json d, const std::vector<json>& replicasets, absl::Time now) {
  const std::string ns = Meta(d, "namespace");
  const std::string uid = Meta(d, "uid");
  if (At(d, {"spec", "paused"}) == true || !At(d, {"metadata", "deletionTimestamp"}).is_null()) {
    return;
  }
  const json original = d;
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

void Controllers::SyncDeploymentStatus(json d, const std::vector<json>& replicasets,
                                       absl::Time now) {
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
  d["status"] = status;
  store_->Update("deployments", d).IgnoreError();
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

void Controllers::SyncReplicaSet(json rs, const std::vector<json>& all_pods, absl::Time now) {
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

void Controllers::SyncJob(json job, const std::vector<json>& all_pods, absl::Time now) {
  const std::string ns = Meta(job, "namespace");
  const std::string uid = Meta(job, "uid");
  const std::string name = Meta(job, "name");
  if (!At(job, {"metadata", "deletionTimestamp"}).is_null()) return;
  // Hook for the next issue: job completion (succeeded pods, conditions Complete /
  // SuccessCriteriaMet, completionTime, backoffLimit). A finished job creates no pods.
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
  if (At(job, {"spec", "suspend"}) != true && active == 0 && succeeded == 0 && terminating == 0) {
    CreatePod(job, "Job", labels, now);
    active = 1;
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
  if (status == old_status) return;
  auto fresh = store_->Get("jobs", ns, name);
  if (!fresh.ok()) return;
  (*fresh)["status"] = status;
  store_->Update("jobs", *fresh).IgnoreError();
}

// ---------------------------------------------------------------------------------------
// Scheduler and kubelet.

std::string Controllers::NextPodIp() {
  std::set<std::string> used;
  for (const json& p : store_->List("pods", "")) used.insert(Str(At(p, {"status", "podIP"})));
  for (int tries = 0; tries < 253; ++tries) {
    std::string ip = absl::StrCat("10.244.0.", next_ip_);
    next_ip_ = next_ip_ >= 254 ? 2 : next_ip_ + 1;
    if (used.count(ip) == 0) return ip;
  }
  return absl::StrCat("10.244.0.", next_ip_);
}

void Controllers::SyncPod(json pod, absl::Time now) {
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

  const json old_status = pod.contains("status") ? pod["status"] : json::object();
  const absl::Time t_sandbox = t0 + kSandboxAfter;
  const absl::Time t_run = t0 + kRunningAfter;
  const bool sandbox = now >= t_sandbox;
  const bool running = now >= t_run;
  // Hook for later issues: container exits, restarts and probe failures change `running`
  // and `ready` per container here.

  json status = json::object();
  status["phase"] = running ? "Running" : "Pending";
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

  json container_statuses = json::array();
  std::vector<std::string> unready;
  absl::Time all_ready_at = t0;
  bool was_running = false;
  for (const json& c : containers) {
    const std::string cname = Str(At(c, {"name"}));
    const std::string image = Str(At(c, {"image"}));
    json old_cs;
    if (At(old_status, {"containerStatuses"}).is_array()) {
      for (const json& cs : old_status["containerStatuses"]) {
        if (Str(At(cs, {"name"})) == cname) old_cs = cs;
      }
    }
    if (!At(old_cs, {"state", "running"}).is_null()) was_running = true;
    absl::Time ready_at = kReadyWithoutProbeAfter + t0;
    const json& probe = At(c, {"readinessProbe"});
    if (probe.is_object())
      ready_at = t_run + absl::Seconds(Int(At(probe, {"initialDelaySeconds"})));
    const bool ready = running && now >= ready_at;
    WakeAt(t_sandbox, now);
    WakeAt(t_run, now);
    WakeAt(ready_at, now);
    all_ready_at = std::max(all_ready_at, ready_at);
    if (!ready) unready.push_back(cname);

    json cs = {{"name", cname},
               {"lastState", json::object()},
               {"ready", ready},
               {"restartCount", Int(At(old_cs, {"restartCount"}))},
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
    if (running) {
      std::string repo;
      cs["image"] = NormalizeImage(image, &repo);
      cs["imageID"] = absl::StrCat(repo, "@sha256:", Hex64(Fnv32a(repo) * 0x100000001ull));
      std::string id = Str(At(old_cs, {"containerID"}));
      if (id.empty()) id = "containerd://" + store_->RandomSuffix(64, "0123456789abcdef");
      cs["containerID"] = id;
      json started_at = At(old_cs, {"state", "running", "startedAt"});
      cs["state"] = {
          {"running", {{"startedAt", started_at.is_null() ? json(ApiTime(t_run)) : started_at}}}};
    } else {
      cs["image"] = image;
      cs["imageID"] = "";
      cs["state"] = {{"waiting", {{"reason", "ContainerCreating"}}}};
    }
    container_statuses.push_back(cs);
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
    if (!ok && (std::string(type) == "Ready" || std::string(type) == "ContainersReady")) {
      c["reason"] = "ContainersNotReady";
      c["message"] =
          absl::StrCat("containers with unready status: [", absl::StrJoin(unready, " "), "]");
    }
    return c;
  };
  const bool all_ready = unready.empty();
  status["conditions"] =
      json::array({condition("PodReadyToStartContainers", sandbox, sandbox ? t_sandbox : t0),
                   condition("Initialized", true, t0),
                   condition("Ready", all_ready, all_ready ? all_ready_at : t0),
                   condition("ContainersReady", all_ready, all_ready ? all_ready_at : t0),
                   condition("PodScheduled", true, t0)});
  if (status == old_status) return;
  pod["status"] = status;
  auto updated = store_->Update("pods", pod);
  if (!updated.ok()) return;

  if (running && !was_running) {
    for (const json& c : containers) {
      const std::string cname = Str(At(c, {"name"}));
      const std::string image = Str(At(c, {"image"}));
      const std::string field = absl::StrCat("spec.containers{", cname, "}");
      if (Str(At(c, {"imagePullPolicy"})) == "Always") {
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
                    absl::StrCat("Container image \"", image, "\" already present on machine"),
                    t_run);
      }
      RecordEvent(*updated, "v1", "Pod", field, "kubelet", "Normal", "Created",
                  "Created container " + cname, t_run);
      RecordEvent(*updated, "v1", "Pod", field, "kubelet", "Normal", "Started",
                  "Started container " + cname, t_run);
    }
  }
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
  for (const json& e : store_->List("events", "")) {
    absl::Time last = ParseApiTime(At(e, {"lastTimestamp"}));
    if (last == absl::InfinitePast()) last = ParseApiTime(At(e, {"eventTime"}));
    if (last == absl::InfinitePast()) last = Created(e);
    WakeAt(last + kEventTtl, now);
    if (last + kEventTtl <= now) {
      store_->Delete("events", Meta(e, "namespace"), Meta(e, "name")).IgnoreError();
    }
  }
}

}  // namespace sim
}  // namespace sre_eval
