// Locust 2.12 (the `locustio/locust` image) as the simulated cluster runs it in a Job: how it
// reads its command line (and LOCUST_* variables), and what it writes before the test starts or
// instead of starting it. Learned from Locust 2.12.1's own sources (argument_parser.py, main.py,
// util/timespan.py), Python 3.11's argparse and ConfigArgParse 1.5, and checked against the real
// program's output. What Locust writes while and after the test runs is in sim/shop/locust_stats.h.
//
// Everything here is a pure function of its arguments (no clock, no filesystem except through
// LocustContext::file_exists, no global state).
#ifndef SRE_EVAL_SIM_SHOP_LOCUST_ARGS_H_
#define SRE_EVAL_SIM_SHOP_LOCUST_ARGS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sre_eval {
namespace sim {

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

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_LOCUST_ARGS_H_
