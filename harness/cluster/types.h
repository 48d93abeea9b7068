// What the harness reads from a cluster, as typed values: the few fields of pods, deployments,
// jobs, events and pod metrics that the incident runner records and the truth extractor
// reads. Parsed from kubectl's JSON (the Kubernetes object shapes in
// ../shared/reference/k8s), identical for the simulated cluster and a real one.
#ifndef SRE_EVAL_CLUSTER_TYPES_H_
#define SRE_EVAL_CLUSTER_TYPES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json_fwd.hpp"

namespace sre_eval {
namespace cluster {

// A container's terminated state (state.terminated or lastState.terminated).
struct Termination {
  std::string reason;  // "OOMKilled", "Error", "Completed", ...
  int exit_code = 0;
  absl::Time started_at = absl::InfinitePast();   // InfinitePast when absent.
  absl::Time finished_at = absl::InfinitePast();  // InfinitePast when absent.

  bool operator==(const Termination& o) const {
    return reason == o.reason && exit_code == o.exit_code && started_at == o.started_at &&
           finished_at == o.finished_at;
  }
};

struct ContainerStatus {
  std::string name;
  bool ready = false;
  int restart_count = 0;
  // Exactly one of the three states, as the kubelet reports it: "running", "waiting",
  // "terminated", or "" when the status has none yet.
  std::string state;
  std::string waiting_reason;                       // state.waiting.reason
  absl::Time running_since = absl::InfinitePast();  // state.running.startedAt
  std::optional<Termination> terminated;            // state.terminated
  std::optional<Termination> last_terminated;       // lastState.terminated
};

// Resource settings of one container of a pod or deployment template, as quantity strings
// ("300m", "1000Mi"); empty when unset.
struct ContainerResources {
  std::string name;
  std::string cpu_request, memory_request, cpu_limit, memory_limit;
};

struct Pod {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string phase;       // status.phase
  std::string owner_kind;  // metadata.ownerReferences[0].kind: "ReplicaSet", "Job" or ""
  std::string owner_name;
  bool deleting = false;                      // metadata.deletionTimestamp set
  std::vector<ContainerResources> resources;  // spec.containers, in spec order
  std::vector<ContainerStatus> containers;    // status.containerStatuses, in status order
  // lastTransitionTime of the Ready condition when it is True; InfinitePast otherwise. Read
  // from the API only: timelines do not keep it.
  absl::Time ready_since = absl::InfinitePast();
};

struct Deployment {
  std::string name;
  int replicas = 0;  // spec.replicas
  int ready_replicas = 0;
  int available_replicas = 0;
  int updated_replicas = 0;
  std::vector<ContainerResources> containers;  // spec.template.spec.containers
};

struct Job {
  std::string name;
  std::map<std::string, std::string> labels;
  std::vector<std::string> args;  // spec.template.spec.containers[0].args
  int active = 0, succeeded = 0, failed = 0;
  absl::Time start_time = absl::InfinitePast();
  // "Complete" or "Failed" once a condition of that type is True, else "".
  std::string outcome;
  // completionTime, or the Failed condition's lastTransitionTime; InfinitePast while running.
  absl::Time finished_at = absl::InfinitePast();
};

struct Event {
  std::string name;  // metadata.name
  std::string type;  // "Normal" or "Warning"
  std::string reason;
  std::string message;
  std::string object_kind;  // involvedObject.kind
  std::string object_name;  // involvedObject.name
  int count = 1;            // count, or series.count when count is null
  // firstTimestamp, or eventTime when null.
  absl::Time first_time = absl::InfinitePast();
  // lastTimestamp, or series.lastObservedTime, or the first time, when null.
  absl::Time last_time = absl::InfinitePast();
};

struct ContainerUsage {
  std::string name;
  int64_t cpu_millicores = 0;  // rounded to the nearest millicore
  int64_t memory_bytes = 0;
};

struct PodMetrics {
  std::string pod;
  absl::Time timestamp = absl::InfinitePast();
  std::vector<ContainerUsage> containers;
};

// One look at the namespace: everything one sample of the timeline holds.
struct Snapshot {
  std::vector<Pod> pods;
  std::vector<Deployment> deployments;
  std::vector<Job> jobs;
  std::vector<Event> events;
  std::vector<PodMetrics> metrics;  // empty when the metrics API is not served
};

// Parsers of Kubernetes JSON objects. Missing optional fields take their defaults; a field
// of the wrong type is an InvalidArgument naming it ("pod front-end-x: status.containerStatuses[0]
// .restartCount: expected a number").
absl::StatusOr<Pod> ParsePod(const nlohmann::json& object);
absl::StatusOr<Deployment> ParseDeployment(const nlohmann::json& object);
absl::StatusOr<Job> ParseJob(const nlohmann::json& object);
absl::StatusOr<Event> ParseEvent(const nlohmann::json& object);
absl::StatusOr<PodMetrics> ParsePodMetrics(const nlohmann::json& object);

// A `kind: List` (or any *List) as kubectl prints it for `get a,b,c -o json`, split by kind
// into a Snapshot. Items of other kinds are ignored.
absl::StatusOr<Snapshot> ParseSnapshotList(const nlohmann::json& list);

// Kubernetes quantities. CPU to millicores ("300m" -> 300, "1" -> 1000, "2500000n" -> 3,
// rounded half up); memory to bytes ("1000Mi", "1Gi", "512M", "123456Ki", "1e3"; a fraction
// of a byte rounds up, as Kubernetes does). InvalidArgument on anything else.
absl::StatusOr<int64_t> ParseCpuMillicores(absl::string_view quantity);
absl::StatusOr<int64_t> ParseMemoryBytes(absl::string_view quantity);

// RFC 3339 ("2026-11-24T10:23:05Z", fractional seconds allowed) and back, as the API
// server writes it (UTC, whole seconds).
absl::StatusOr<absl::Time> ParseApiTime(absl::string_view text);
std::string FormatApiTime(absl::Time t);

}  // namespace cluster
}  // namespace sre_eval

#endif  // SRE_EVAL_CLUSTER_TYPES_H_
