// Resource usage of the simulated containers, and the metrics.k8s.io/v1beta1 objects
// metrics-server serves from it (what `kubectl top pods|nodes` reads). Pure functions of their
// arguments: deterministic and thread-safe.
#ifndef SRE_EVAL_SIM_SHOP_METRICS_H_
#define SRE_EVAL_SIM_SHOP_METRICS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {

struct Usage {
  int64_t cpu_nanocores = 0;
  int64_t memory_bytes = 0;  // Working set; always a multiple of the 4 KiB page.
};

// What the node's own daemons use (kubelet, containerd, the control plane), on top of its
// pods: `kubectl top node` and the kubelet's summary both count it.
inline constexpr Usage kNodeDaemons{180000000, int64_t{900} << 20};

// An idle container's usage at virtual time `now`. Each pod gets a level chosen by a hash of its
// name and `seed` (CPU 3.7-6.6m, memory 55-185Mi, heavier for the JVM services and lighter for
// the Go ones, the app read from the pod name), which drifts smoothly over time by at most 17%
// (CPU) and 4% (memory); so a pod always reads 3-8m and 50-200Mi, as the incident guide's
// baseline says. rabbitmq's pod is split 75/25 between "rabbitmq" and "rabbitmq-exporter"; any
// other container gets the whole pod level.
Usage BaselineUsage(const std::string& pod, const std::string& container, absl::Time now,
                    uint64_t seed);

// The PodMetrics object metrics-server returns for `pod` (a full Pod JSON): {"kind":
// "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {name, namespace,
// creationTimestamp (= now), labels}, "timestamp" (the last 15 s scrape at or before `now`),
// "window" ("15.029s"-like), "containers": [{"name", "usage": {"cpu": "4123456n", "memory":
// "123456Ki"}}]} with one entry per spec.containers entry, in spec order. `usage_fn` gives a
// container's usage at that scrape (its time is the second argument); null means
// BaselineUsage(pod name, container, timestamp, seed).
nlohmann::json PodMetrics(const nlohmann::json& pod, absl::Time now, uint64_t seed,
                          const std::function<Usage(const std::string& container,
                                                    absl::Time scraped)>& usage_fn = nullptr);

// The scrape time PodMetrics reports for `pod` at `now`: the last 15 s scrape at or before it.
absl::Time PodScrapeTime(const std::string& pod, absl::Time now);

// The NodeMetrics object for `node` (a full Node JSON): metadata {name, creationTimestamp,
// labels}, timestamp, window and "usage": `total`.
nlohmann::json NodeMetrics(const nlohmann::json& node, absl::Time now, Usage total);

// The kubelet's /stats/summary (stats/v1alpha1 Summary) for `node` (a full Node JSON), as
// `kubectl get --raw /api/v1/nodes/NODE/proxy/stats/summary` reads it: "node" {nodeName,
// startTime, cpu, memory} and "pods", one per running pod of `pods` on that node, in the
// given order: podRef, startTime, each container's cpu {time, usageNanoCores,
// usageCoreNanoSeconds} and memory {time, availableBytes (with a limit), usageBytes,
// workingSetBytes, rssBytes, pageFaults, majorPageFaults}, and the pod's sums. `usage` gives a
// container's usage at its pod's last scrape. usageCoreNanoSeconds is the current rate over
// the container's uptime (the sim keeps no counter). Network and filesystems are not modelled
// and left out, as the kubelet leaves out what it cannot read.
nlohmann::json StatsSummary(
    const nlohmann::json& node, const std::vector<nlohmann::json>& pods, absl::Time now,
    const std::function<Usage(const nlohmann::json& pod, const std::string& container)>& usage);

// resource.Quantity's canonical text for CPU in nanocores (DecimalSI): "4123456n", "5m" for
// 5000000, "1" for 1e9, "0".
std::string FormatCpu(int64_t nanocores);
// ... and for memory in bytes (BinarySI): "123456Ki", "200Mi", "1Gi", "1000" when not a multiple
// of 1024, "0".
std::string FormatMemory(int64_t bytes);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_METRICS_H_
