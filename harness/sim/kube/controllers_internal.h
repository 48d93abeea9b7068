// Internal to the controllers (controllers.cc, kubelet.cc): JSON accessors for API objects
// and the small pure helpers both halves use. Not part of the sim's interface.
#ifndef SRE_EVAL_SIM_KUBE_CONTROLLERS_INTERNAL_H_
#define SRE_EVAL_SIM_KUBE_CONTROLLERS_INTERNAL_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {
namespace internal {

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

inline const json& At(const json& j, std::initializer_list<const char*> path) {
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

inline std::string Str(const json& j) { return j.is_string() ? j.get<std::string>() : ""; }
inline int64_t Int(const json& j, int64_t fallback = 0) {
  return j.is_number() ? j.get<int64_t>() : fallback;
}
inline std::string Meta(const json& o, const char* key) { return Str(At(o, {"metadata", key})); }
inline absl::Time Created(const json& o) {
  return ParseApiTime(At(o, {"metadata", "creationTimestamp"}));
}

// The uid of the object's controller (ownerReferences[controller=true]), or "".
inline std::string ControllerUid(const json& o) {
  const json& refs = At(o, {"metadata", "ownerReferences"});
  if (!refs.is_array()) return "";
  for (const json& ref : refs) {
    if (ref.value("controller", false)) return Str(At(ref, {"uid"}));
  }
  return "";
}

inline json OwnerRef(const json& owner, const std::string& api_version, const std::string& kind) {
  return {{"apiVersion", api_version}, {"kind", kind},       {"name", Meta(owner, "name")},
          {"uid", Meta(owner, "uid")}, {"controller", true}, {"blockOwnerDeletion", true}};
}

// The objects of `objects` in `ns` controlled by `uid`, oldest first (then by name).
inline std::vector<json> Owned(const std::vector<json>& objects, const std::string& ns,
                               const std::string& uid) {
  std::vector<json> out;
  for (const json& o : objects) {
    if (ControllerUid(o) == uid && Meta(o, "namespace") == ns) out.push_back(o);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const json& a, const json& b) { return Created(a) < Created(b); });
  return out;
}

// The same over a snapshot: copies of just the owned objects.
inline std::vector<json> Owned(const std::vector<std::shared_ptr<const json>>& objects,
                               const std::string& ns, const std::string& uid) {
  std::vector<json> out;
  for (const auto& o : objects) {
    if (ControllerUid(*o) == uid && Meta(*o, "namespace") == ns) out.push_back(*o);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const json& a, const json& b) { return Created(a) < Created(b); });
  return out;
}

inline std::vector<json> Owned(const ObjectStore& store, const std::string& resource,
                               const std::string& ns, const std::string& uid) {
  return Owned(store.List(resource, ns), ns, uid);
}

inline bool Terminating(const json& pod) {
  return !At(pod, {"metadata", "deletionTimestamp"}).is_null();
}

inline bool ActivePod(const json& pod) {
  std::string phase = Str(At(pod, {"status", "phase"}));
  return !Terminating(pod) && phase != "Succeeded" && phase != "Failed";
}

// The Ready condition's status and transition time.
inline std::pair<bool, absl::Time> PodReady(const json& pod) {
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

inline bool LabelsMatch(const json& want, const json& labels) {
  if (!want.is_object()) return true;
  for (auto it = want.begin(); it != want.end(); ++it) {
    if (!labels.is_object() || !labels.contains(it.key()) || labels[it.key()] != it.value()) {
      return false;
    }
  }
  return true;
}

inline uint32_t Fnv32a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

inline uint64_t SplitMix(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A pod template's hash as the deployment controller writes it: a 32-bit FNV-1a of the
// template (and collision count), its decimal digits mapped to the safe alphabet
// (rand.SafeEncodeString), so 9 or 10 characters of "bcdf456789".
inline std::string TemplateHash(json tmpl, int64_t collision_count) {
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

inline json WithoutHash(json tmpl) {
  json& labels = tmpl["metadata"]["labels"];
  if (labels.is_object()) labels.erase(kTemplateHash);
  if (labels.is_null() || labels.empty()) tmpl["metadata"].erase("labels");
  if (tmpl["metadata"].empty()) tmpl.erase("metadata");
  return tmpl;
}

inline bool SameTemplate(const json& a, const json& b) { return WithoutHash(a) == WithoutHash(b); }

inline int64_t Revision(const json& rs) {
  int64_t r = 0;
  return absl::SimpleAtoi(Str(At(rs, {"metadata", "annotations", kRevision})), &r) ? r : 0;
}

// An intstr (25, "25%") against `total`, rounded up or down.
inline int64_t ScaledValue(const json& v, int64_t total, bool round_up) {
  if (v.is_number()) return v.get<int64_t>();
  std::string s = Str(v);
  int64_t pct = 25;
  if (absl::EndsWith(s, "%")) {
    if (!absl::SimpleAtoi(s.substr(0, s.size() - 1), &pct)) pct = 25;  // Admission refuses it.
  } else if (absl::SimpleAtoi(s, &pct)) {
    return pct;
  }
  double value = static_cast<double>(pct) * static_cast<double>(total) / 100.0;
  return static_cast<int64_t>(round_up ? std::ceil(value) : std::floor(value));
}

struct Fenceposts {
  int64_t surge = 0;
  int64_t unavailable = 0;
};

inline Fenceposts ResolveFenceposts(const json& d) {
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
inline int64_t MaxUnavailable(const json& d) {
  int64_t replicas = Int(At(d, {"spec", "replicas"}), 1);
  if (Str(At(d, {"spec", "strategy", "type"})) == "Recreate" || replicas == 0) return 0;
  return std::min(ResolveFenceposts(d).unavailable, replicas);
}

inline int64_t SpecReplicas(const json& rs) { return Int(At(rs, {"spec", "replicas"}), 1); }
inline int64_t StatusCount(const json& o, const char* key) { return Int(At(o, {"status", key})); }

// SetDeploymentCondition: no change when status and reason are the same; keeps the
// transition time when only the reason changes; the updated condition moves to the end.
inline void SetCondition(json* status, json condition) {
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

inline json DeploymentCondition(const std::string& type, bool status, const std::string& reason,
                                const std::string& message, absl::Time now) {
  return {{"type", type},
          {"status", status ? "True" : "False"},
          {"lastUpdateTime", ApiTime(now)},
          {"lastTransitionTime", ApiTime(now)},
          {"reason", reason},
          {"message", message}};
}

inline const json* FindCondition(const json& status, const std::string& type) {
  const json& conditions = At(status, {"conditions"});
  if (!conditions.is_array()) return nullptr;
  for (const json& c : conditions) {
    if (Str(At(c, {"type"})) == type) return &c;
  }
  return nullptr;
}

inline void SetCount(json* status, const char* key, int64_t value) {
  if (value != 0) {
    (*status)[key] = value;
  } else {
    status->erase(key);
  }
}

// "weaveworksdemos/carts:0.4.8" -> "docker.io/weaveworksdemos/carts:0.4.8"; "mongo" ->
// "docker.io/library/mongo:latest". `repo` gets the name without tag.
inline std::string NormalizeImage(const std::string& image, std::string* repo) {
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

inline bool ImageHasTag(const std::string& image) {
  if (image.find('@') != std::string::npos) return true;
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  return colon != std::string::npos && (slash == std::string::npos || colon > slash) &&
         image.substr(colon + 1) != "latest";
}

// A stable digest per image, as the registry would have it.
inline std::string Hex64(uint64_t seed) {
  std::string out;
  for (int i = 0; i < 4; ++i) absl::StrAppendFormat(&out, "%016x", SplitMix(&seed));
  return out;
}

inline std::string QosClass(const json& spec) {
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
inline std::string GoSeconds(int64_t nanos) {
  std::string frac = absl::StrFormat("%09d", nanos % 1000000000);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? absl::StrCat(nanos / 1000000000, "s")
                      : absl::StrCat(nanos / 1000000000, ".", frac, "s");
}

}  // namespace internal
}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_KUBE_CONTROLLERS_INTERNAL_H_
