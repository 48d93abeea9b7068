// PromQL over the sim's History, as Prometheus 2.x evaluates it: what agents and dashboards
// ask of the cluster's metrics.
//
// Served: number and string literals; instant vector selectors with = != =~ !~ matchers and
// `offset`; range selectors; subqueries `expr[range:step]`; unary minus; binary + - * / % ^
// and == != > < >= <= (filters, or 0/1 with `bool`) between scalars and vectors, `and`,
// `or`, `unless`, with `on`/`ignoring` and `group_left`/`group_right`; aggregations sum avg
// min max count stddev stdvar topk bottomk quantile count_values group with `by`/`without`;
// functions rate irate increase delta idelta deriv changes resets, avg|min|max|sum|count|
// last|stddev|quantile|present_over_time, histogram_quantile, abs ceil floor round sqrt exp
// ln log2 log10 clamp clamp_min clamp_max, time timestamp vector scalar absent sort sort_desc
// label_replace. Instant selectors look back 5 minutes; range selectors take the samples in
// [t - range, t]; rate and increase extrapolate as Prometheus does.
#ifndef SRE_EVAL_SIM_MONITORING_PROMQL_H_
#define SRE_EVAL_SIM_MONITORING_PROMQL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "sim/monitoring/history.h"

namespace sre_eval {
namespace sim {

struct PromExpr;  // A parsed expression (promql.cc).

enum class PromType { kScalar, kVector, kMatrix, kString };

struct PromPoint {
  Labels metric;
  double v = 0;
};

struct PromValue {
  PromType type = PromType::kScalar;
  double scalar = 0;
  std::string str;
  std::vector<PromPoint> vector;  // kVector
  std::vector<Series> matrix;     // kMatrix (and range query results)
};

// Parses `text`. On failure returns null with *error as Prometheus words it
// ("1:5: parse error: unexpected ...").
std::shared_ptr<const PromExpr> ParsePromQL(absl::string_view text, std::string* error);

PromType TypeOf(const PromExpr& e);

// Whether `e` is an instant vector selector (`name{...}`), and the series it selects at any
// time (for /api/v1/series and match[]).
bool IsSelector(const PromExpr& e);
std::vector<const Series*> SelectorSeries(const History& h, const PromExpr& e);

// Evaluates at `t_ms` (an instant query). False with *error on an execution error.
bool EvalInstant(const PromExpr& e, const History& h, int64_t t_ms, PromValue* out,
                 std::string* error);

// Evaluates at start, start + step, ... up to end (a range query): a matrix, one series per
// label set, points in time order. The expression must be a scalar or an instant vector.
bool EvalRange(const PromExpr& e, const History& h, int64_t start_ms, int64_t end_ms,
               int64_t step_ms, PromValue* out, std::string* error);

// A duration as PromQL writes it ("5m", "1h30m", "250ms"); false when it is not one.
bool ParsePromDuration(absl::string_view text, int64_t* ms);

// A float as Prometheus' API writes sample values (Go's FormatFloat(v, 'f', -1, 64); "NaN",
// "+Inf", "-Inf").
std::string FormatPromValue(double v);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_MONITORING_PROMQL_H_
