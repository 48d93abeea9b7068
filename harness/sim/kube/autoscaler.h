// The HorizontalPodAutoscaler controller of the simulated cluster (autoscaling/v2), as
// kube-controller-manager runs it with its defaults: every 15 s of virtual time it reads the
// CPU usage of the target Deployment's pods against their CPU requests, and scales the
// Deployment toward the target utilisation.
#ifndef SRE_EVAL_SIM_KUBE_AUTOSCALER_H_
#define SRE_EVAL_SIM_KUBE_AUTOSCALER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "sim/kube/controllers.h"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {

// What an autoscaling/v2 HPA gets on every write when the fields are unset, as the API server
// defaults them (ApiServer's ForStorage calls it): minReplicas 1 and, with no metrics, CPU at
// 80% average utilisation.
void ApplyHpaDefaults(nlohmann::json* hpa);

// autoscaling/v1's HorizontalPodAutoscaler from the stored autoscaling/v2 one and back, as the
// API server converts them: v1's targetCPUUtilizationPercentage is v2's cpu Resource metric
// with a Utilization target, currentCPUUtilizationPercentage its current utilisation; v1 has
// no other metrics, no conditions and no behavior (the conversion keeps the v2-only spec in
// the annotation "autoscaling.alpha.kubernetes.io/metrics" only on a real server; the sim
// drops it).
nlohmann::json HpaToV1(nlohmann::json v2);
nlohmann::json HpaFromV1(nlohmann::json v1);

// A container's CPU usage in nanocores at a time: Sim::ContainerUsage.
using CpuUsageFn =
    std::function<int64_t(const nlohmann::json& pod, const std::string& container, absl::Time t)>;

// Not thread-safe (the Sim's model lock serialises it). Deterministic: the same store, usage
// and calls give the same objects. The rules (kube-controller-manager v1.32 defaults):
// - An HPA is synced when first seen and then every 15 s.
// - Only Deployment targets and Resource metrics of cpu with a Utilization target are read;
//   any other metric gets ScalingActive False (FailedGetResourceMetric / InvalidMetricSourceType).
// - Utilisation = the pods' summed CPU usage / their summed CPU requests, over the running,
//   not terminating pods the Deployment selects. A pod without a CPU request makes the metric
//   fail ("missing request for cpu in container X of Pod Y").
// - Desired = ceil(pods x utilisation / target), unchanged within a 10% tolerance, clamped to
//   [minReplicas, maxReplicas]; scale-up limited per sync to max(2 x current, current + 4);
//   scale-down takes the highest recommendation of the last 5 minutes (stabilisation).
// - A target at 0 replicas is not scaled (ScalingDisabled).
// - A rescale writes the Deployment's spec.replicas, the status' lastScaleTime and a Normal
//   SuccessfulRescale event ("New size: 3; reason: cpu resource utilization (percentage of
//   request) above target"). Status: currentReplicas, desiredReplicas, currentMetrics and the
//   AbleToScale, ScalingActive and ScalingLimited conditions.
class Autoscaler {
 public:
  Autoscaler(ObjectStore* store, Controllers* controllers, CpuUsageFn usage);

  // Syncs the HPAs due at `now` (each is due when first seen).
  void Sync(absl::Time now);

  // When an HPA is next due; InfiniteFuture with no HPA.
  absl::Time NextSync() const { return next_sync_; }

 private:
  // Syncs `hpa`; `recommendations` holds its proposals of the last 5 minutes.
  void SyncOne(const nlohmann::json& hpa, absl::Time now,
               std::deque<std::pair<absl::Time, int64_t>>* recommendations);

  struct State {
    absl::Time next;
    std::deque<std::pair<absl::Time, int64_t>> recommendations;  // The last 5 minutes.
  };

  ObjectStore* store_;
  Controllers* controllers_;
  CpuUsageFn usage_;
  std::map<std::string, State> state_;  // By HPA uid.
  absl::Time next_sync_ = absl::InfiniteFuture();
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_KUBE_AUTOSCALER_H_
