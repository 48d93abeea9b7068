// Loki's HTTP API over the logs of every container instance the sim has run (LogStreams):
// /loki/api/v1/query_range, /loki/api/v1/query, /loki/api/v1/labels and
// /loki/api/v1/label/<name>/values, with a LogQL subset:
//   log queries   {label="v", label=~"re", ...} followed by line filters |= "s", != "s",
//                 |~ "re", !~ "re", parsers | json and | logfmt (their keys become labels)
//                 and label filters | key="v" (= != =~ !~, and > < >= <= on numbers);
//   metric queries count_over_time, rate, bytes_over_time, bytes_rate of a log query over
//                 [range], under sum, avg, min, max, count, topk, bottomk with by/without.
// Stream labels are Promtail's: namespace, pod, container, app (the pod's `name` label), job
// (namespace/app) and node_name. Times are Unix nanoseconds, seconds or RFC 3339; the
// default window is the hour before `now`, limit 100, direction backward. Answers as Loki's
// JSON (resultType streams, matrix or vector); errors as Loki's: 400 with a plain-text body.
#ifndef SRE_EVAL_SIM_MONITORING_LOKI_API_H_
#define SRE_EVAL_SIM_MONITORING_LOKI_API_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "sim/monitoring/log_streams.h"
#include "sim/monitoring/prometheus_api.h"

namespace sre_eval {
namespace sim {

// `endpoint` is the path after /loki/api/v1/. `shift` as PrometheusApi's.
MonitoringReply LokiApi(const LogStreams& streams, const LogBook& book, uint64_t seed,
                        const std::string& endpoint,
                        const std::vector<std::pair<std::string, std::string>>& params,
                        absl::Time now, absl::Duration shift = absl::ZeroDuration());

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_MONITORING_LOKI_API_H_
