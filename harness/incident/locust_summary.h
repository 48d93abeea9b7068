// Locust's final report, as a headless Locust 2.x prints it at the end of a run (to stderr,
// which is the pod's log): the request statistics table, the "Response time percentiles
// (approximated)" table and the "Error report". The reference outputs are in
// ../shared/reference/locust/.
#ifndef SRE_EVAL_INCIDENT_LOCUST_SUMMARY_H_
#define SRE_EVAL_INCIDENT_LOCUST_SUMMARY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sre_eval {
namespace incident {

struct LocustRequestRow {
  std::string method;  // "GET", "POST", ...; "" for Aggregated
  std::string name;    // "/orders", "Aggregated"
  int64_t requests = 0;
  int64_t failures = 0;
  int64_t avg_ms = 0, min_ms = 0, max_ms = 0, median_ms = 0;
  double rps = 0, failures_per_s = 0;
};

struct LocustPercentileRow {
  std::string method;
  std::string name;
  // "50%" .. "100%" -> milliseconds, as the header names them.
  std::map<std::string, int64_t> percentiles;
  int64_t requests = 0;
};

struct LocustError {
  int64_t occurrences = 0;
  std::string error;  // "POST /orders: HTTPError('500 Server Error: ...')"
};

struct LocustSummary {
  std::vector<LocustRequestRow> requests;  // without Aggregated, in printed order
  LocustRequestRow aggregated;
  std::vector<LocustPercentileRow> percentiles;  // without Aggregated
  LocustPercentileRow aggregated_percentiles;
  std::vector<LocustError> errors;
  // The row for METHOD NAME, or nullptr.
  const LocustRequestRow* Find(absl::string_view method, absl::string_view name) const;
};

// Parses the LAST final report in `log` (a log may hold periodic tables before it). Lines may
// carry a "[timestamp] host/LEVEL/locust...:" prefix before the tables; only table lines are
// read. NotFound when the log holds no complete report ("no Locust report (the run may not
// have finished)"); InvalidArgument naming the line when a table row does not parse.
absl::StatusOr<LocustSummary> ParseLocustSummary(absl::string_view log);

}  // namespace incident
}  // namespace sre_eval

#endif  // SRE_EVAL_INCIDENT_LOCUST_SUMMARY_H_
