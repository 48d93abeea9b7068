// A subset of Datadog's API over the sim's monitoring history, because the incident guide's
// queries are Datadog's:
//   POST /api/v2/logs/events/search   Logs Search: filter {query, from, to}, page {limit,
//                                     cursor}, sort ("timestamp" or "-timestamp"); the query
//                                     syntax the guide uses: facets `key:value` (kube_namespace,
//                                     service, source, status, pod_name, kube_container_name,
//                                     host; `*` wildcards), free words and "quoted phrases"
//                                     (case-insensitive, in the message), AND (implicit), OR,
//                                     NOT or `-`, parentheses.
//   GET  /api/v1/query                metrics: `avg|sum|min|max:METRIC{scope} by {tags}` for
//                                     kubernetes.cpu.usage.total (nanocores),
//                                     kubernetes.memory.usage (bytes, the working set),
//                                     kubernetes.containers.restarts,
//                                     kubernetes.containers.running, kubernetes.cpu.limits,
//                                     kubernetes.memory.limits, from the Prometheus history.
//   GET  /api/v1/events               the Kubernetes events kept (start, end, Unix seconds).
// DD-API-KEY and DD-APPLICATION-KEY are accepted and never read or kept. Served under
// /datadog on the sim's API port (a client's base URL).
#ifndef SRE_EVAL_SIM_MONITORING_DATADOG_API_H_
#define SRE_EVAL_SIM_MONITORING_DATADOG_API_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "sim/monitoring/history.h"
#include "sim/monitoring/log_streams.h"
#include "sim/monitoring/prometheus_api.h"

namespace sre_eval {
namespace sim {

// `path` is what follows /datadog ("/api/v2/logs/events/search"); `params` the query string's,
// `body` the request body (JSON for Logs Search).
MonitoringReply DatadogApi(const History& h, const LogStreams& streams, const LogBook& book,
                           uint64_t seed, const std::string& method, const std::string& path,
                           const std::vector<std::pair<std::string, std::string>>& params,
                           const std::string& body, absl::Time now);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_MONITORING_DATADOG_API_H_
