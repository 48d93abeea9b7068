// Prometheus' HTTP API over the sim's History, as Prometheus 2.x answers it: /api/v1/query,
// /api/v1/query_range, /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values,
// /api/v1/metadata and /api/v1/status/buildinfo, with GET parameters or a form-encoded POST,
// JSON in Prometheus' envelope ({"status":"success","data":...}, or "error" with errorType
// bad_data (400) or execution (422)). The sim serves it under /prometheus on its API port.
#ifndef SRE_EVAL_SIM_MONITORING_PROMETHEUS_API_H_
#define SRE_EVAL_SIM_MONITORING_PROMETHEUS_API_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sim/monitoring/history.h"
#include "sim/monitoring/promql.h"

namespace sre_eval {
namespace sim {

struct MonitoringReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// `endpoint` is the path after /api/v1/ ("query", "label/job/values", ...); `params` the
// request's parameters in order (a name may repeat, as match[] does); `now` the virtual time,
// the default query time. `shift` is how the API shows virtual times to clients (see
// ApiServer::set_time_shift): times in parameters are read back by it, and times in answers
// moved by it, so that a clock running ahead of the wall clock shows no future.
MonitoringReply PrometheusApi(const History& h, const std::string& endpoint,
                              const std::vector<std::pair<std::string, std::string>>& params,
                              absl::Time now, absl::Duration shift = absl::ZeroDuration());

// A time parameter: Unix seconds (a float) or RFC 3339.
bool ParseTimeParam(const std::string& text, absl::Time* out);

// Labels as a JSON object, in their order.
std::string LabelsJson(const Labels& labels);

// A query's value as Prometheus' API writes `data`: {"resultType", "result"} (a scalar or
// string at `t_ms`), times moved by `shift_ms`; `extra` (",\"stats\":{}") goes before the
// closing brace.
std::string PromResultJson(const PromValue& v, int64_t t_ms, int64_t shift_ms,
                           absl::string_view extra = "");

// The first value of `name` in `params`: "" (and *present false) when it is not there.
std::string FormValue(const std::vector<std::pair<std::string, std::string>>& params,
                      const std::string& name, bool* present = nullptr);

// `s` as a JSON string; text from clients may not be UTF-8: such bytes become U+FFFD.
std::string JsonString(const std::string& s);

// Appends the parameters of a query string or form body ("a=1&b=%20x+y") to `out`, decoded.
void ParseQueryText(const std::string& text, std::vector<std::pair<std::string, std::string>>* out);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_MONITORING_PROMETHEUS_API_H_
