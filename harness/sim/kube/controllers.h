// The simulated cluster's control loops: what kube-controller-manager (deployment, replicaset,
// job and garbage-collector controllers), the scheduler, the kubelet and the API server's event
// TTL would have made of the objects in an ObjectStore by a given virtual time.
#ifndef SRE_EVAL_SIM_KUBE_CONTROLLERS_H_
#define SRE_EVAL_SIM_KUBE_CONTROLLERS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {

// The one node of the cluster (a kind control plane) and its address.
constexpr char kNodeName[] = "sre-eval-sim-control-plane";
constexpr char kNodeIp[] = "172.18.0.2";

// Fills the API server's defaults into a pod spec (a Deployment's spec.template.spec or a
// Pod's spec): restartPolicy, dnsPolicy, schedulerName, terminationGracePeriodSeconds,
// securityContext, and per container imagePullPolicy, terminationMessagePath/Policy,
// resources, port protocols and probe fields. Idempotent; leaves set fields alone.
void ApplyPodSpecDefaults(nlohmann::json* spec);

// The API server's defaults of a Deployment (strategy, revisionHistoryLimit,
// progressDeadlineSeconds, the template's pod spec). Idempotent.
void ApplyDeploymentDefaults(nlohmann::json* deployment);

// The kubelet's crash-loop back-off (client-go flowcontrol.Backoff as the kubelet sets it up).
constexpr absl::Duration kBaseBackOff = absl::Seconds(10);
constexpr absl::Duration kMaxBackOff = absl::Minutes(5);

// A back-off as the kubelet prints it in CrashLoopBackOff messages (Go's time.Duration):
// "0s", "10s", "1m20s", "5m0s".
std::string GoBackOff(absl::Duration d);

// Not thread-safe: the caller serialises calls (the Sim holds its model lock). The store is
// not owned and must outlive this object. Deterministic: the same store contents and the same
// calls give the same objects, byte for byte.
class Controllers {
 public:
  // A listing shared with the store (ObjectStore::Snapshot).
  using Objects = std::vector<std::shared_ptr<const nlohmann::json>>;

  explicit Controllers(ObjectStore* store);

  Controllers(const Controllers&) = delete;
  Controllers& operator=(const Controllers&) = delete;

  // Makes the cluster what Kubernetes' controllers and kubelet would have made it by `now`
  // (call store->SetNow(now) first). Idempotent: a second call at the same `now` changes
  // nothing. Objects are visited in sorted order; random names come from
  // store->RandomSuffix. What happens (see controllers.cc for the timings):
  // - Deployments get one ReplicaSet per pod template (rolling update or Recreate), the
  //   revision annotations and a status with omitempty counts and Available/Progressing.
  // - ReplicaSets get their pods created or deleted (gracefully, newest and unready first)
  //   and their status.
  // - Jobs get one pod each and status active/ready/startTime.
  // - Pods are scheduled at once, run at +2 s, are Ready after the readiness probe's
  //   initialDelaySeconds (+3 s without a probe), and are removed at their deletionTimestamp.
  // - Objects whose controller owner is gone are deleted (ReplicaSets, then pods, gracefully).
  // - Events are recorded as core/v1 Events, aggregated by (source, object, type, reason,
  //   message), and deleted 1 h after their lastTimestamp.
  void Reconcile(absl::Time now);

  // The process of `container` in pod `ns`/`pod` ended at `at` (the traffic model's OOM kill,
  // a load generator's exit). The kubelet shows it as state.terminated {exitCode, reason,
  // startedAt, finishedAt, containerID} for the rest of that second, then restarts it per the
  // pod's restartPolicy (Always; OnFailure when exit_code != 0) after the crash-loop back-off:
  // at once (the next sync, 1 s), then 10 s doubling to 5 min, reset when the last exit is more
  // than 10 min old. While it waits: state.waiting CrashLoopBackOff with the kubelet's message,
  // lastState.terminated, ready false, and a Warning BackOff event every 10 s (aggregated).
  // A restart increments restartCount and records Pulled/Created/Started again. A pod whose
  // containers all ended for good is Succeeded (all exit 0) or Failed. `reason` is what the
  // runtime reports: "OOMKilled" (exit 137), "Error", "Completed". NotFound when the pod does
  // not exist; FailedPrecondition when the container is not running.
  absl::Status ExitContainer(const std::string& ns, const std::string& pod,
                             const std::string& container, int exit_code, const std::string& reason,
                             absl::Time at);

  // When the cluster can next change by itself: after a Reconcile that changed nothing, the
  // first time something is due (a pod turns ready, an event expires); else `now` (it may
  // still be settling). Between calls that change the store this is exact, so a caller may
  // skip straight to it.
  absl::Time QuietUntil(absl::Time now) const {
    return store_->resource_version() == quiet_version_ ? wake_at_ : now;
  }

  // Marks a pod for graceful deletion, as the API server does on DELETE: deletionTimestamp =
  // now + grace (the time by which the kubelet removes it) and deletionGracePeriodSeconds =
  // grace, where grace is `grace_seconds` or the pod's terminationGracePeriodSeconds. A grace
  // of 0, or a pod never scheduled, is deleted at once. A pod already terminating only gets a
  // shorter deadline. NotFound when the pod does not exist.
  absl::Status DeletePodGracefully(const std::string& ns, const std::string& name,
                                   std::optional<int64_t> grace_seconds);

  // Records an event at `at` about `object` (a full API object of `kind`), or bumps the count
  // of the same event. A second report at or before the existing lastTimestamp is a no-op,
  // which keeps Reconcile idempotent. Public for the other controllers (autoscaler.h).
  void RecordEvent(const nlohmann::json& object, const std::string& api_version,
                   const std::string& kind, const std::string& field_path,
                   const std::string& component, const std::string& type, const std::string& reason,
                   const std::string& message, absl::Time at);

 private:
  // One pass of every loop; the caller repeats it until nothing changes.
  void RunOnce(absl::Time now);

  void CollectGarbage(absl::Time now);
  // `replicasets` and `pods`: this pass's listing of every ReplicaSet or pod.
  void SyncDeployment(const nlohmann::json& deployment, const Objects& replicasets, absl::Time now);
  void SyncDeploymentStatus(const nlohmann::json& deployment, const Objects& replicasets,
                            absl::Time now);
  void SyncReplicaSet(const nlohmann::json& rs, const Objects& pods, absl::Time now);
  void SyncJob(const nlohmann::json& job, const Objects& pods, absl::Time now);
  void SyncPod(const nlohmann::json& pod, absl::Time now);
  void ExpireEvents(absl::Time now);

  // Scales `rs` (a ReplicaSet object) to `replicas`, with the deployment's event.
  void ScaleReplicaSet(const nlohmann::json& deployment, nlohmann::json rs, int64_t replicas,
                       absl::Time now);
  // Creates a pod from `owner`'s template (owner kind "ReplicaSet" or "Job").
  void CreatePod(const nlohmann::json& owner, const std::string& kind,
                 const nlohmann::json& extra_labels, absl::Time now);
  std::string NextPodIp();

  // Notes a time when something is due (a pod becomes ready, an event expires).
  void WakeAt(absl::Time t, absl::Time now) {
    if (t > now && t < wake_at_) wake_at_ = t;
  }

  // A container the kubelet has seen exit, by RuntimeKey.
  struct ContainerRuntime {
    absl::Time started = absl::InfinitePast();  // The current instance's start.
    int64_t restarts = 0;
    bool exited = false;      // The current instance has ended.
    bool restarting = false;  // ... and will be restarted at restart_at.
    absl::Time restart_at = absl::InfiniteFuture();
    nlohmann::json terminated;       // state.terminated while exited.
    nlohmann::json last_terminated;  // lastState.terminated.
    std::string container_id;
    absl::Duration backoff;  // The delay before the pending restart.
    absl::Duration next_backoff;
    absl::Time backoff_updated = absl::InfinitePast();
  };
  static std::string RuntimeKey(const std::string& pod_uid, const std::string& container) {
    return pod_uid + "/" + container;
  }

  ObjectStore* store_;
  std::map<std::string, ContainerRuntime> runtime_;
  int next_ip_ = 5;  // 10.244.0.2-4 are kind's CoreDNS and local-path pods.
  // After a Reconcile that left the store still at `quiet_version_`, nothing can happen
  // before `wake_at_` unless the store changes: later calls before then return at once.
  uint64_t quiet_version_ = 0;
  // Aggregation key of each event this object recorded -> the event's name (the event
  // correlator's cache). Checked against the store before use.
  std::map<std::string, std::string> event_index_;
  int64_t last_event_stamp_ = 0;  // UnixNano of the newest event name.
  absl::Time wake_at_ = absl::InfiniteFuture();
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_KUBE_CONTROLLERS_H_
