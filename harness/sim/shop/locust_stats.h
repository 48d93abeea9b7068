// Locust 2.12 (the `locustio/locust` image) as the simulated cluster runs it in a Job: the text
// it writes to stderr in a headless run, byte for byte (log lines, the periodic stats table, the
// final summary), and its exit code. Learned from Locust 2.12.1's own sources (main.py,
// stats.py, runners.py, log.py) and checked against the real program's output. How Locust reads
// its command line is in sim/shop/locust_args.h.
//
// Everything here is a pure function of its arguments (no clock, no global state). LocustStats is
// not thread-safe; distinct instances may be used from distinct threads.
#ifndef SRE_EVAL_SIM_SHOP_LOCUST_STATS_H_
#define SRE_EVAL_SIM_SHOP_LOCUST_STATS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "sim/shop/locust_args.h"

namespace sre_eval {
namespace sim {

// ---- Statistics ----

enum class LocustRates {
  kCurrent,  // Per second over the seconds [last-12, last-2), as the periodic table shows.
  kTotal,    // Over the whole run, as the final summary shows.
};

// Locust's RequestStats for one run, fed in bulk: each call records `count` identical requests,
// so the cost does not grow with the request count (memory: one counter per distinct rounded
// response time and per recent second, per (method, name)). Response times are milliseconds as
// Locust measures them (fractions matter: 63.9 ms shows as Max 63 but counts as 64 in the
// percentiles). Rows are ordered by (name, method); errors by first occurrence.
class LocustStats {
 public:
  // `start`: when the test started (Locust clears its stats then).
  explicit LocustStats(absl::Time start);

  // `count` successful requests of one (method, name), each taking `response_time_ms` and
  // returning `content_length` bytes, finished at `at`.
  void AddSuccess(const std::string& method, const std::string& name, double response_time_ms,
                  int64_t content_length, int64_t count, absl::Time at);
  // `count` failed requests. They count as requests too (in the times and percentiles).
  // `error` is Python's repr() of the exception, as Locust prints it, e.g.
  // "ConnectionRefusedError(111, 'Connection refused')" or
  // "HTTPError('500 Server Error: Internal Server Error for url: http://front-end/orders')".
  // Errors are grouped by (method, name, error), ignoring "object at 0x..." addresses.
  void AddFailure(const std::string& method, const std::string& name, double response_time_ms,
                  const std::string& error, int64_t count, absl::Time at);
  // --reset-stats: zero every row (rows stay, with 0 requests), drop errors, restart the clock.
  void Reset(absl::Time start);

  int64_t total_requests() const;
  int64_t total_failures() const;
  // Aggregated response time percentile (p in [0, 1]) and median, computed as Locust does from
  // the rounded times (below 100 ms to the ms, below 1 s to 10 ms, below 10 s to 100 ms, else to
  // the second); the median is clamped to [min, max].
  int64_t Percentile(double p) const;
  double MedianResponseTime() const;
  double AverageResponseTime() const;
  double AverageContentLength() const;

  // The tables, each line ending in "\n", without the blank line Locust writes after them.
  std::string StatsTable(LocustRates rates) const;
  std::string PercentileTable() const;
  // "Error report" block including its trailing blank line; empty when there were no failures.
  std::string ErrorReport() const;
  // What the stats printer writes every 2 s in a headless run: the current table, a blank line.
  std::string PeriodicStats() const;
  // What Locust writes on exit after "Shutting down (exit code N)": totals table, blank line,
  // percentile table, blank line, error report.
  std::string FinalSummary() const;

 private:
  struct Entry {
    std::string method;
    std::string name;
    int64_t num_requests = 0;
    int64_t num_failures = 0;
    int64_t total_content_length = 0;
    double total_response_time = 0;
    std::optional<double> min_response_time;
    double max_response_time = 0;
    std::map<int64_t, int64_t> response_times;  // rounded ms -> count
    std::map<int64_t, int64_t> reqs_per_sec;    // unix second -> count (recent seconds only)
    std::map<int64_t, int64_t> fails_per_sec;
  };
  struct Error {
    std::string method;
    std::string name;
    std::string error;  // As first seen.
    int64_t occurrences = 0;
  };

  Entry& Get(const std::string& method, const std::string& name);
  void Log(Entry& e, double response_time_ms, int64_t content_length, int64_t count,
           int64_t second);
  void Prune(Entry& e) const;
  double CurrentRate(const std::map<int64_t, int64_t>& per_sec) const;
  double TotalRate(int64_t n) const;
  std::string Row(const Entry& e, LocustRates rates) const;

  absl::Time start_;
  std::optional<absl::Time> last_request_;
  Entry total_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;  // (name, method)
  std::vector<Error> errors_;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> error_index_;
};

// ---- Log output ----

// One line of Locust's log format, "[2026-11-24 10:25:57,561] HOST/INFO/locust.main: msg\n"
// (UTC, milliseconds truncated). `level`: DEBUG, INFO, WARNING, ERROR or CRITICAL.
std::string LocustLogLine(absl::Time t, const std::string& hostname, const std::string& level,
                          const std::string& logger, const std::string& message);
// What a record of one of Locust's loggers ("locust.main", "locust.runners", ...) puts on
// stderr under `options`: LocustLogLine when its level passes --loglevel; nothing with
// --logfile; with --skip-log-setup only WARNING and above, as "ERROR:locust.main:msg\n" (Python's
// logging defaults). "locust.stats_logger" (the tables) writes the bare message at INFO.
std::string LocustLog(const LocustOptions& options, absl::Time t, const std::string& hostname,
                      const std::string& level, const std::string& logger,
                      const std::string& message);
// Whether the stats tables reach stderr at all (not with --skip-log-setup), and whether the
// periodic table is printed (headless or --print-stats, and not --only-summary, not a worker).
bool LocustPrintsStats(const LocustOptions& options);
bool LocustPrintsPeriodicStats(const LocustOptions& options);

// Messages of a headless run, without the log prefix.
std::string RunTimeLimitMessage(int64_t seconds);               // locust.main INFO
std::string StartingLocustMessage(const std::string& version);  // locust.main INFO
// locust.runners INFO: "Ramping to 5 users at a rate of 5.00 per second".
std::string RampingMessage(int64_t users, double spawn_rate);
// locust.runners INFO: "All users spawned: {\"Web\": 5} (5 total users)".
std::string AllUsersSpawnedMessage(const std::map<std::string, int64_t>& users_per_class);
// locust.main INFO: "Shutting down (exit code 1)".
std::string ShuttingDownMessage(int exit_code);
inline constexpr char kNoRunTimeLimitMessage[] = "No run time limit set, use CTRL+C to interrupt";
inline constexpr char kRunTimeReachedMessage[] = "--run-time limit reached, shutting down";
inline constexpr char kSigtermMessage[] = "Got SIGTERM signal";  // locust.main INFO
// locust.runners WARNING, when the spawn rate is above 100.
inline constexpr char kHighSpawnRateWarning[] =
    "Your selected spawn rate is very high (>100), and this is known to sometimes cause issues. "
    "Do you really need to ramp up that fast?";

// The exit code Locust reports: options.exit_code_on_error when the run had any failure (or a
// task raised an exception), otherwise 0.
int LocustExitCode(const LocustOptions& options, const LocustStats& stats,
                   bool task_exceptions = false);
// The process exit status for a Locust exit code (Python's sys.exit: modulo 256, -1 is 255).
int LocustProcessExitStatus(int exit_code);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_LOCUST_STATS_H_
