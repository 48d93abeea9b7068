#include "sim/kube/autoscaler.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "sim/kube/controllers_internal.h"
#include "sim/store/validation.h"

namespace sre_eval {
namespace sim {

using namespace internal;  // The controllers' shared helpers.

namespace {

constexpr absl::Duration kSyncPeriod = absl::Seconds(15);
constexpr absl::Duration kDownStabilization = absl::Minutes(5);
constexpr double kTolerance = 0.1;
constexpr int64_t kDefaultUtilization = 80;
constexpr char kComponent[] = "horizontal-pod-autoscaler";
constexpr char kCpuMetric[] = "cpu resource utilization (percentage of request)";

// Sets condition `type` in place (the HPA keeps AbleToScale, ScalingActive, ScalingLimited in
// the order first set), keeping lastTransitionTime while the status stays the same.
void SetHpaCondition(json* status, const std::string& type, bool value, const std::string& reason,
                     const std::string& message, absl::Time now) {
  json& conditions = (*status)["conditions"];
  if (!conditions.is_array()) conditions = json::array();
  json condition = {{"type", type},
                    {"status", value ? "True" : "False"},
                    {"lastTransitionTime", ApiTime(now)},
                    {"reason", reason},
                    {"message", message}};
  for (json& c : conditions) {
    if (Str(At(c, {"type"})) != type) continue;
    if (c["status"] == condition["status"])
      condition["lastTransitionTime"] = c["lastTransitionTime"];
    c = std::move(condition);
    return;
  }
  conditions.push_back(std::move(condition));
}

// The first metric of `spec` the sim can read: a cpu Resource metric with a Utilization target.
// Its target percentage, or 0 with `why` set.
int64_t CpuTarget(const json& spec, std::string* why) {
  const json& metrics = At(spec, {"metrics"});
  if (!metrics.is_array() || metrics.empty()) return kDefaultUtilization;
  for (const json& m : metrics) {
    if (Str(At(m, {"type"})) != "Resource" || Str(At(m, {"resource", "name"})) != "cpu") continue;
    if (Str(At(m, {"resource", "target", "type"})) != "Utilization") continue;
    int64_t target = Int(At(m, {"resource", "target", "averageUtilization"}));
    if (target > 0) return target;
  }
  *why =
      "the HPA was unable to compute the replica count: the simulated cluster's metrics serve "
      "only cpu resource utilization (a Resource metric of cpu with a Utilization target)";
  return 0;
}

// A Resource metric of cpu with a Utilization target of `percent`.
json CpuMetric(const json& percent) {
  return {
      {"type", "Resource"},
      {"resource",
       {{"name", "cpu"}, {"target", {{"type", "Utilization"}, {"averageUtilization", percent}}}}}};
}

}  // namespace

void ApplyHpaDefaults(json* hpa) {
  json& spec = (*hpa)["spec"];
  if (!spec.is_object()) return;
  if (!spec.contains("minReplicas")) spec["minReplicas"] = 1;
  const json& metrics = At(spec, {"metrics"});
  if (!metrics.is_array() || metrics.empty()) {
    spec["metrics"] = json::array({CpuMetric(kDefaultUtilization)});
  }
}

namespace {

// The keys of `keys` that `from` has (when it is an object), copied into the object `*to`.
void CopyKeys(const json& from, absl::Span<const char* const> keys, json* to) {
  for (const char* key : keys) {
    if (from.is_object() && from.contains(key)) (*to)[key] = from[key];
  }
}

// An HPA of `api_version` with `from`'s metadata and nothing else.
json HpaSkeleton(const json& from, const char* api_version) {
  return {{"apiVersion", api_version},
          {"kind", "HorizontalPodAutoscaler"},
          {"metadata", from.contains("metadata") ? from["metadata"] : json::object()}};
}

// The cpu average utilisation `field` ("target" or "current") of the first cpu Resource
// metric in `metrics`, or null.
json CpuUtilization(const json& metrics, const char* field) {
  for (const json& m : metrics.is_array() ? metrics : json::array()) {
    const json& value = At(m, {"resource", field, "averageUtilization"});
    if (Str(At(m, {"resource", "name"})) == "cpu" && value.is_number_integer()) return value;
  }
  return nullptr;
}

constexpr const char* kSpecKeys[] = {"scaleTargetRef", "minReplicas", "maxReplicas"};
constexpr const char* kStatusKeys[] = {"observedGeneration", "lastScaleTime", "currentReplicas",
                                       "desiredReplicas"};

}  // namespace

json HpaToV1(json v2) {
  json v1 = HpaSkeleton(v2, "autoscaling/v1");
  json spec = json::object();
  CopyKeys(At(v2, {"spec"}), kSpecKeys, &spec);
  json target = CpuUtilization(At(v2, {"spec", "metrics"}), "target");
  if (!target.is_null()) spec["targetCPUUtilizationPercentage"] = std::move(target);
  v1["spec"] = std::move(spec);
  json status = {{"currentReplicas", 0}, {"desiredReplicas", 0}};
  CopyKeys(At(v2, {"status"}), kStatusKeys, &status);
  json current = CpuUtilization(At(v2, {"status", "currentMetrics"}), "current");
  if (!current.is_null()) status["currentCPUUtilizationPercentage"] = std::move(current);
  v1["status"] = std::move(status);
  return v1;
}

json HpaFromV1(json v1) {
  json v2 = HpaSkeleton(v1, "autoscaling/v2");
  json spec = json::object();
  CopyKeys(At(v1, {"spec"}), kSpecKeys, &spec);
  const json& target = At(v1, {"spec", "targetCPUUtilizationPercentage"});
  if (!target.is_null()) spec["metrics"] = json::array({CpuMetric(target)});
  v2["spec"] = std::move(spec);
  const json& status = At(v1, {"status"});
  if (status.is_object() && !status.empty()) {
    v2["status"] = json::object();
    CopyKeys(status, kStatusKeys, &v2["status"]);
  }
  return v2;
}

Autoscaler::Autoscaler(ObjectStore* store, Controllers* controllers, CpuUsageFn usage)
    : store_(store), controllers_(controllers), usage_(std::move(usage)) {}

void Autoscaler::Sync(absl::Time now) {
  std::map<std::string, State> kept;
  next_sync_ = absl::InfiniteFuture();
  for (const auto& shared : store_->Snapshot("horizontalpodautoscalers", "")) {
    const json& hpa = *shared;
    const std::string uid = Meta(hpa, "uid");
    auto it = state_.find(uid);
    State state = it != state_.end() ? std::move(it->second) : State{now, {}};
    if (now >= state.next) {
      auto& recs = state.recommendations;
      while (!recs.empty() && recs.front().first <= now - kDownStabilization) recs.pop_front();
      SyncOne(hpa, now, &recs);
      state.next = now + kSyncPeriod;
    }
    next_sync_ = std::min(next_sync_, state.next);
    kept.emplace(uid, std::move(state));
  }
  state_ = std::move(kept);
}

void Autoscaler::SyncOne(const json& hpa, absl::Time now,
                         std::deque<std::pair<absl::Time, int64_t>>* recommendations) {
  const std::string ns = Meta(hpa, "namespace");
  const json& spec = At(hpa, {"spec"});
  const std::string kind = Str(At(spec, {"scaleTargetRef", "kind"}));
  const std::string target = Str(At(spec, {"scaleTargetRef", "name"}));
  const int64_t min_replicas = Int(At(spec, {"minReplicas"}), 1);
  const int64_t max_replicas = Int(At(spec, {"maxReplicas"}), 1);
  json updated = hpa;
  json& status = updated["status"];
  if (!status.is_object()) status = json::object();
  const json& generation = At(hpa, {"metadata", "generation"});
  if (!generation.is_null()) status["observedGeneration"] = generation;
  auto finish = [&] {
    // The controller's order, whatever order they were first set in.
    json& conditions = status["conditions"];
    if (conditions.is_array()) {
      auto rank = [](const json& c) {
        const std::string type = Str(At(c, {"type"}));
        return type == "AbleToScale" ? 0 : type == "ScalingActive" ? 1 : 2;
      };
      std::stable_sort(conditions.begin(), conditions.end(),
                       [&](const json& a, const json& b) { return rank(a) < rank(b); });
    }
    if (updated != hpa) store_->Update("horizontalpodautoscalers", updated).IgnoreError();
  };
  auto failed_scale = [&](const std::string& what) {
    SetHpaCondition(&status, "AbleToScale", false, "FailedGetScale",
                    absl::StrCat("the HPA controller was unable to get the target's current "
                                 "scale: ",
                                 what),
                    now);
    controllers_->RecordEvent(hpa, "autoscaling/v2", "HorizontalPodAutoscaler", "", kComponent,
                              "Warning", "FailedGetScale", what, now);
    finish();
  };
  if (kind != "Deployment") {
    return failed_scale(absl::StrCat("no matches for kind \"", kind, "\" in group \"\""));
  }
  auto deployment = store_->Get("deployments", ns, target);
  if (!deployment.ok()) {
    return failed_scale(absl::StrCat("deployments/scale.apps \"", target, "\" not found"));
  }
  const int64_t current = Int(At(*deployment, {"spec", "replicas"}), 1);
  status["currentReplicas"] = Int(At(*deployment, {"status", "replicas"}));
  if (current == 0) {
    SetHpaCondition(&status, "AbleToScale", true, "SucceededGetScale",
                    "the HPA controller was able to get the target's current scale", now);
    SetHpaCondition(&status, "ScalingActive", false, "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero", now);
    status["desiredReplicas"] = 0;
    return finish();
  }

  // The metric: CPU usage against requests over the selected running pods.
  std::string why;
  const int64_t target_pct = CpuTarget(spec, &why);
  int64_t pods = 0;
  long double usage_millis = 0, request_millis = 0;
  if (target_pct > 0) {
    const json& selector = At(*deployment, {"spec", "selector", "matchLabels"});
    for (const auto& shared : store_->Snapshot("pods", ns)) {
      const json& pod = *shared;
      if (!selector.is_object() || selector.empty() ||
          !LabelsMatch(selector, At(pod, {"metadata", "labels"})) || Terminating(pod) ||
          Str(At(pod, {"status", "phase"})) != "Running") {
        continue;
      }
      const json& containers = At(pod, {"spec", "containers"});
      if (!containers.is_array()) continue;
      for (const json& c : containers) {
        auto request = QuantityMillis(Str(At(c, {"resources", "requests", "cpu"})));
        if (!request.has_value() || *request <= 0) {
          why = absl::StrCat(
              "the HPA was unable to compute the replica count: failed to get cpu utilization: "
              "missing request for cpu in container ",
              Str(At(c, {"name"})), " of Pod ", Meta(pod, "name"));
          break;
        }
        request_millis += *request;
        usage_millis += usage_(pod, Str(At(c, {"name"})), now) / 1e6L;
      }
      if (!why.empty()) break;
      ++pods;
    }
    if (why.empty() && (pods == 0 || request_millis <= 0)) {
      why =
          "the HPA was unable to compute the replica count: failed to get cpu utilization: did "
          "not receive metrics for targeted pods (pods might be unready)";
    }
  }
  if (!why.empty()) {
    SetHpaCondition(&status, "AbleToScale", true, "SucceededGetScale",
                    "the HPA controller was able to get the target's current scale", now);
    SetHpaCondition(&status, "ScalingActive", false, "FailedGetResourceMetric", why, now);
    controllers_->RecordEvent(hpa, "autoscaling/v2", "HorizontalPodAutoscaler", "", kComponent,
                              "Warning", "FailedGetResourceMetric", why, now);
    status["desiredReplicas"] = current;
    return finish();
  }
  const int64_t utilization = static_cast<int64_t>(usage_millis * 100 / request_millis);
  const double ratio = static_cast<double>(utilization) / static_cast<double>(target_pct);
  int64_t proposal = current;
  if (std::fabs(ratio - 1.0) > kTolerance) {
    // Bounded before the cast: the result is clamped to maxReplicas below anyway.
    proposal = static_cast<int64_t>(std::min(std::ceil(ratio * static_cast<double>(pods)), 1e9));
  }
  recommendations->emplace_back(now, proposal);
  int64_t highest = proposal;
  for (const auto& [at, r] : *recommendations) highest = std::max(highest, r);
  int64_t desired = current;
  std::string able_reason = "ReadyForNewScale";
  std::string able_message = "recommended size matches current size";
  if (proposal > current) {
    desired = std::min(proposal, std::max(2 * current, current + 4));
  } else if (highest < current) {
    desired = highest;
  } else if (proposal < current) {
    able_reason = "ScaleDownStabilized";
    able_message =
        "recent recommendations were higher than current one, applying the highest recent "
        "recommendation";
  }
  if (desired > max_replicas) {
    desired = max_replicas;
    SetHpaCondition(&status, "ScalingLimited", true, "TooManyReplicas",
                    "the desired replica count is more than the maximum replica count", now);
  } else if (desired < min_replicas) {
    desired = min_replicas;
    SetHpaCondition(&status, "ScalingLimited", true, "TooFewReplicas",
                    "the desired replica count is less than the minimum replica count", now);
  } else {
    SetHpaCondition(&status, "ScalingLimited", false, "DesiredWithinRange",
                    "the desired count is within the acceptable range", now);
  }
  if (desired != current) {
    json scaled = *deployment;
    scaled["spec"]["replicas"] = desired;
    if (store_->Update("deployments", scaled).ok()) {
      status["lastScaleTime"] = ApiTime(now);
      able_reason = "SucceededRescale";
      able_message =
          absl::StrCat("the HPA controller was able to update the target scale to ", desired);
      controllers_->RecordEvent(
          hpa, "autoscaling/v2", "HorizontalPodAutoscaler", "", kComponent, "Normal",
          "SuccessfulRescale",
          absl::StrFormat("New size: %d; reason: %s", desired,
                          desired > current ? absl::StrCat(kCpuMetric, " above target")
                                            : std::string("All metrics below target")),
          now);
    }
  }
  SetHpaCondition(&status, "AbleToScale", true, able_reason, able_message, now);
  SetHpaCondition(
      &status, "ScalingActive", true, "ValidMetricFound",
      absl::StrCat("the HPA was able to successfully calculate a replica count from ", kCpuMetric),
      now);
  status["desiredReplicas"] = desired;
  status["currentMetrics"] = json::array(
      {{{"type", "Resource"},
        {"resource",
         {{"name", "cpu"},
          {"current",
           {{"averageUtilization", utilization},
            {"averageValue",
             absl::StrCat(static_cast<int64_t>(usage_millis / static_cast<long double>(pods)),
                          "m")}}}}}}});
  finish();
}

}  // namespace sim
}  // namespace sre_eval
