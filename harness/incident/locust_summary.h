// Locust's output, as a headless Locust 2.x prints it (to stderr, which is the pod's log): the
// final report at the end of a run (the request statistics table, the "Response time
// percentiles (approximated)" table and the "Error report"), and the periodic request
// statistics tables printed every 2 s before it unless --only-summary. The reference outputs
// are in ../shared/reference/locust/.
#ifndef SRE_EVAL_INCIDENT_LOCUST_SUMMARY_H_
#define SRE_EVAL_INCIDENT_LOCUST_SUMMARY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

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

// The Aggregated row of one periodic table: cumulative since the start (requests, failures and
// the response times in whole milliseconds, truncated as Locust prints them) and the current
// rates (Locust's average over the last seconds), at `time`.
struct LocustStatsPoint {
  absl::Time time;
  int64_t requests = 0, failures = 0;
  int64_t avg_ms = 0, min_ms = 0, max_ms = 0, median_ms = 0;
  double rps = 0, failures_per_s = 0;
};

struct LocustJobLog {
  std::string text;                     // the log without timestamps and periodic tables
  std::vector<LocustStatsPoint> stats;  // one per periodic table, in log order
};

// Splits the output of `kubectl logs --timestamps` of a Locust Job: every line starts with
// the time the container wrote it ("2026-11-24T10:05:00.123456789Z "). `text` is the log
// without those prefixes and without the periodic tables, which become `stats`, each at the
// time of its Aggregated line. A periodic table is a request statistics table (header,
// rows, Aggregated row, the blank line after it) followed by a line that is not the
// percentile table's title; so the final report's table is kept, and so is a table at the
// very end of the log (it may be a final report still being written) or one whose Aggregated
// row does not parse or has no timestamp. A line without a timestamp is kept as it is. Never
// fails: `ParseLocustSummary` reads `text` as it read the log before.
LocustJobLog SplitLocustJobLog(absl::string_view timestamped_log);

// The mean response time of the requests made between two points of `stats`, from the
// cumulative rows: (avg_b * n_b - avg_a * n_a) / (n_b - n_a). Locust truncates avg to whole
// milliseconds, which puts the true mean within n_b / (n_b - n_a) ms of that; so an interval
// runs from one point to the first later point whose new requests are at least 1/20 of its
// cumulative count (error under 20 ms), and points with no new requests extend it. When the
// count falls (Locust's stats were reset) the interval starts again from zero requests. The
// first interval starts from zero requests at the first point; requests after the last
// complete interval are left out; a mean is never below 0.
struct LocustInterval {
  absl::Time start, end;  // the times of the points it spans; start == end for the first
  int64_t requests = 0;   // made in the interval
  double mean_ms = 0;
};
std::vector<LocustInterval> LocustIntervalMeans(const std::vector<LocustStatsPoint>& stats);

}  // namespace incident
}  // namespace sre_eval

#endif  // SRE_EVAL_INCIDENT_LOCUST_SUMMARY_H_
