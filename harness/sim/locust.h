// Locust 2.12 (the `locustio/locust` image) as the simulated cluster runs it in a Job: how it
// reads its command line, and the text it writes to stderr in a headless run, byte for byte
// (log lines, the periodic stats table, the final summary). Learned from Locust 2.12.1's own
// sources (argument_parser.py, main.py, stats.py, runners.py, log.py, util/timespan.py), Python
// 3.11's argparse and ConfigArgParse 1.5, and checked against the real program's output.
//
// Everything here is a pure function of its arguments (no clock, no filesystem except through
// LocustContext::file_exists, no global state). LocustStats is not thread-safe; distinct instances
// may be used from distinct threads.
#ifndef SRE_EVAL_SIM_LOCUST_H_
#define SRE_EVAL_SIM_LOCUST_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sre_eval {
namespace sim {

// ---- Command line ----

// What a Locust command line asks for. Defaults are Locust's; headless runs use 1 user at
// 1 user/s when -u/-r are absent.
struct LocustOptions {
  std::string locustfile = "locustfile";  // -f/--locustfile, as given (may list several, "a,b").
  std::string host;                       // -H/--host; empty: the locustfile's own `host`.
  int64_t users = 1;      // -u/--users. Locust accepts 0 and negative counts (and spawns none).
  double spawn_rate = 1;  // -r/--spawn-rate, or the deprecated --hatch-rate when non-zero.
  // -t/--run-time. nullopt when absent, empty or zero: Locust then runs until it is stopped.
  std::optional<absl::Duration> run_time;
  bool headless = false;                               // --headless (and not --headful).
  bool autostart = false;                              // --autostart
  bool only_summary = false;                           // --only-summary
  bool print_stats = false;                            // --print-stats
  bool reset_stats = false;                            // --reset-stats
  int exit_code_on_error = 1;                          // --exit-code-on-error
  absl::Duration stop_timeout = absl::ZeroDuration();  // -s/--stop-timeout (whole seconds)
  std::string loglevel = "INFO";                       // -L/--loglevel, upper-cased.
  std::string logfile;                    // --logfile: Locust's own log lines go there, not stderr.
  bool skip_log_setup = false;            // --skip-log-setup
  std::string csv_prefix;                 // --csv
  bool csv_full_history = false;          // --csv-full-history
  std::string html_file;                  // --html
  std::vector<std::string> tags;          // -T/--tags
  std::vector<std::string> exclude_tags;  // -E/--exclude-tags
  std::vector<std::string> user_classes;  // positional UserClass names
  std::string web_host;                   // --web-host
  int web_port = 8089;                    // -P/--web-port
  bool master = false;                    // --master
  bool worker = false;  // --worker (parsed only: a worker's link to its master is not emulated)
  bool class_picker = false;  // --class-picker
  // Need the locustfile's classes, so they are reported here and not acted on.
  bool list_commands = false;         // -l/--list
  bool show_task_ratio = false;       // --show-task-ratio
  bool show_task_ratio_json = false;  // --show-task-ratio-json
  // Every other flag Locust 2.12 knows is accepted (and its value checked) but not kept.
};

// The process the command line runs in.
struct LocustContext {
  // The container's environment. LOCUST_* variables count as Locust reads them (the command
  // line wins; LOCUST_HEADLESS=true adds --headless; a bad boolean is an argparse error).
  std::vector<std::pair<std::string, std::string>> env;
  absl::Time now = absl::UnixEpoch();  // Stamps the log lines written at start-up.
  std::string hostname = "localhost";  // In a pod, the pod name.
  // What "Starting Locust X" and --version print. The image says "2.12.1"; Debian's build of
  // 2.12.1 (which wrote the reference transcripts) prints an empty version.
  std::string version = "2.12.1";
  // When set, -f and --config are looked up the way Locust does (a name without ".py" is also
  // tried with ".py"); when unset they are taken to exist.
  std::function<bool(const std::string& path)> file_exists;
};

struct LocustArgs {
  // true: the test starts, and stderr_text holds what Locust wrote to stderr until then
  // (deprecation notes, warnings, "Run time limit set to 20 seconds" or "No run time limit
  // set, ...", "Starting Locust 2.12.1"). false: Locust exits at start-up with exit_code after
  // writing stdout_text and stderr_text; that includes --help and --version (exit code 0).
  bool ok = false;
  LocustOptions options;
  std::string stdout_text;
  std::string stderr_text;
  int exit_code = 0;  // The process exit status (0..255).
};

// Reads `argv`, the container's command followed by its args, e.g. {"locust", "-f",
// "/mnt/locust/locustfile.py", "--headless", "-u", "3000", "-r", "100", "-t", "5m"}. A leading
// "locust" (or ".../locust", or "python3 -m locust") is the program name; without one (the
// image's entrypoint supplies it) every element is an argument. Argparse errors read
// "locust: error: ..." (no usage line: Locust suppresses it) with exit code 2; a bad --run-time
// is an ERROR log line and exit code 1.
LocustArgs ParseLocustArgs(const std::vector<std::string>& argv, const LocustContext& context = {});

// Locust's parse_timespan: "20" (seconds), "20s", "3m", "2h", "1h20m", "3h30m10s". Like Locust
// it reads the longest valid prefix ("1h30x" is 3600, "1m30" is 60). Returns whole seconds;
// InvalidArgument with Locust's message when nothing matches (or the value does not fit in an
// int64).
absl::StatusOr<int64_t> ParseLocustTimespan(const std::string& text);

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

#endif  // SRE_EVAL_SIM_LOCUST_H_
