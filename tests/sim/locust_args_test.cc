#include "sim/shop/locust_args.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "sim/shop/locust_stats.h"
#include "test_util.h"

namespace sre_eval {
namespace sim {
namespace {

const absl::Time kNow = At("2026-11-24T10:25:57.561Z");

// The reference transcripts come from Debian's build of Locust 2.12.1, on a machine named "vm".
LocustContext ReferenceContext() {
  LocustContext c;
  c.now = kNow;
  c.hostname = "vm";
  c.version = "";
  return c;
}

std::vector<std::string> Words(const std::string& command) {
  return absl::StrSplit(command, ' ', absl::SkipEmpty());
}

const std::string kInfo = "[2026-11-24 10:25:57,561] vm/INFO/locust.main: ";
const std::string kWarning = "[2026-11-24 10:25:57,561] vm/WARNING/locust.main: ";
const std::string kError = "[2026-11-24 10:25:57,561] vm/ERROR/locust.main: ";
const std::string kStarting = kInfo + "Starting Locust \n";
const std::string kNoLimit = kInfo + "No run time limit set, use CTRL+C to interrupt\n";
const std::string kWebUi =
    kInfo +
    "Starting web interface at http://0.0.0.0:8089 (accepting connections from all network "
    "interfaces)\n";
std::string Limit(int seconds) {
  return kInfo + "Run time limit set to " + std::to_string(seconds) + " seconds\n";
}

// ---- Command line ----

struct AcceptCase {
  std::string command;
  int64_t users;
  double spawn_rate;
  int64_t run_time_seconds;  // -1: none
  bool headless;
  std::string stderr_text;
};

TEST(ParseLocustArgsTest, AcceptsWhatLocustAccepts) {
  const std::string kJob =
      " -f /mnt/locust/locustfile.py --headless -u 3000 -r 100 -t 5m --host "
      "http://front-end.sock-shop.svc";
  const AcceptCase cases[] = {
      {"locust" + kJob, 3000, 100, 300, true, Limit(300) + kStarting},
      {kJob, 3000, 100, 300, true, Limit(300) + kStarting},  // the image's entrypoint is "locust"
      {"/usr/local/bin/locust --headless -t 90s", 1, 1, 90, true, Limit(90) + kStarting},
      {"python3 -m locust --headless -t 90s", 1, 1, 90, true, Limit(90) + kStarting},
      {"--headless -t 1h30m", 1, 1, 5400, true, Limit(5400) + kStarting},
      {"--headless -t 20", 1, 1, 20, true, Limit(20) + kStarting},
      {"--headless --run-time=2m", 1, 1, 120, true, Limit(120) + kStarting},
      {"--headless -t1h -u3000", 3000, 1, 3600, true, Limit(3600) + kStarting},
      {"--headless -t 3h30m10s", 1, 1, 12610, true, Limit(12610) + kStarting},
      {"--headless -t 1h30x", 1, 1, 3600, true, Limit(3600) + kStarting},  // a valid prefix
      {"--headless -t 0", 1, 1, -1, true, kNoLimit + kStarting},           // 0: no limit
      {"--headless --users 750 -r 2.5", 750, 2.5, -1, true, kNoLimit + kStarting},
      {"--headless --users=750 --spawn-rate=1e1", 750, 10, -1, true, kNoLimit + kStarting},
      {"--headless --user 5 --spawn 3", 5, 3, -1, true, kNoLimit + kStarting},  // abbreviations
      {"--headless -u -5", -5, 1, -1, true, kNoLimit + kStarting},
      {"--headless -u 1_000 -r=0.5", 1000, 0.5, -1, true, kNoLimit + kStarting},
      {"--headless -lu 4", 4, 1, -1, true, kNoLimit + kStarting},  // -l -u 4
      {"--headless --hatch-rate 3 -t 1m", 1, 3, 60, true,
       "[DEPRECATED] The --hatch-rate parameter has been renamed --spawn-rate\n" + Limit(60) +
           kStarting},
      // Locust 2.12 starts the automatic run twice when given both.
      {"--headless --autostart -t 1m", 1, 1, 60, true,
       kWarning + "Option --autostart is ignored for headless mode and worker process.\n" +
           Limit(60) + kStarting + Limit(60)},
      {"-t 1m", 1, 1, 60, false, kWebUi + kStarting},
      {"--headless --headful -t 1m", 1, 1, 60, false, kWebUi + kStarting},
      {"--autostart -t 1m", 1, 1, 60, false, kWebUi + kStarting + Limit(60)},
      {"--headless -L WARNING -t 1m", 1, 1, 60, true, ""},
      {"--headless --logfile /tmp/locust.log -t 1m", 1, 1, 60, true, ""},
  };
  for (const AcceptCase& c : cases) {
    SCOPED_TRACE(c.command);
    const LocustArgs got = ParseLocustArgs(Words(c.command), ReferenceContext());
    EXPECT_TRUE(got.ok);
    EXPECT_EQ(got.exit_code, 0);
    EXPECT_EQ(got.options.users, c.users);
    EXPECT_EQ(got.options.spawn_rate, c.spawn_rate);
    if (c.run_time_seconds < 0) {
      EXPECT_FALSE(got.options.run_time.has_value());
    } else {
      EXPECT_EQ(got.options.run_time, absl::Seconds(c.run_time_seconds));
    }
    EXPECT_EQ(got.options.headless, c.headless);
    EXPECT_EQ(got.stdout_text, "");
    EXPECT_EQ(got.stderr_text, c.stderr_text);
  }
}

TEST(ParseLocustArgsTest, KeepsTheOptionsThatMatter) {
  const LocustArgs got = ParseLocustArgs(
      Words("locust -f /mnt/locust/locustfile.py --host http://front-end Web Admin --headless "
            "--only-summary -s 10 --exit-code-on-error 3 -L warning --csv out --csv-full-history "
            "--html report.html -T checkout browse -E slow --reset-stats --web-port=9000"),
      ReferenceContext());
  ASSERT_TRUE(got.ok) << got.stderr_text;
  const LocustOptions& o = got.options;
  EXPECT_EQ(o.locustfile, "/mnt/locust/locustfile.py");
  EXPECT_EQ(o.host, "http://front-end");
  EXPECT_EQ(o.user_classes, (std::vector<std::string>{"Web", "Admin"}));
  EXPECT_TRUE(o.only_summary);
  EXPECT_EQ(o.stop_timeout, absl::Seconds(10));
  EXPECT_EQ(o.exit_code_on_error, 3);
  EXPECT_EQ(o.loglevel, "WARNING");
  EXPECT_EQ(o.csv_prefix, "out");
  EXPECT_TRUE(o.csv_full_history);
  EXPECT_EQ(o.html_file, "report.html");
  EXPECT_EQ(o.tags, (std::vector<std::string>{"checkout", "browse"}));
  EXPECT_EQ(o.exclude_tags, (std::vector<std::string>{"slow"}));
  EXPECT_TRUE(o.reset_stats);
  EXPECT_EQ(o.web_port, 9000);
  EXPECT_FALSE(o.print_stats);
  EXPECT_FALSE(LocustPrintsPeriodicStats(o));

  const LocustOptions defaults = ParseLocustArgs({"locust"}, ReferenceContext()).options;
  EXPECT_EQ(defaults.locustfile, "locustfile");
  EXPECT_EQ(defaults.users, 1);
  EXPECT_EQ(defaults.spawn_rate, 1);
  EXPECT_EQ(defaults.exit_code_on_error, 1);
  EXPECT_EQ(defaults.stop_timeout, absl::ZeroDuration());
  EXPECT_EQ(defaults.loglevel, "INFO");
  EXPECT_FALSE(defaults.headless);
}

struct ErrorCase {
  std::string command;
  std::string stderr_text;
  int exit_code;
};

// Each expectation is what `locust` 2.12.1 printed for the same command line.
TEST(ParseLocustArgsTest, RejectsWithLocustsExactMessage) {
  const ErrorCase cases[] = {
      {"-u abc", "locust: error: argument -u/--users: invalid int value: 'abc'\n", 2},
      {"--users=", "locust: error: argument -u/--users: invalid int value: ''\n", 2},
      {"-u", "locust: error: argument -u/--users: expected one argument\n", 2},
      {"-t", "locust: error: argument -t/--run-time: expected one argument\n", 2},
      {"-f", "locust: error: argument -f/--locustfile: expected one argument\n", 2},
      {"-L", "locust: error: argument --loglevel/-L: expected one argument\n", 2},
      {"-x3 -u", "locust: error: argument -u/--users: expected one argument\n", 2},
      {"--foo", "locust: error: unrecognized arguments: --foo\n", 2},
      {"Web --foo Other", "locust: error: unrecognized arguments: --foo Other\n", 2},
      {"-r fast", "locust: error: argument -r/--spawn-rate: invalid float value: 'fast'\n", 2},
      {"-s 1m", "locust: error: argument -s/--stop-timeout: invalid int value: '1m'\n", 2},
      {"-P abc", "locust: error: argument --web-port/-P: invalid int value: 'abc'\n", 2},
      {"--tags a --user x", "locust: error: argument -u/--users: invalid int value: 'x'\n", 2},
      {"-u 5 -u abc --help", "locust: error: argument -u/--users: invalid int value: 'abc'\n", 2},
      {"--h",
       "locust: error: ambiguous option: --h could match --help, --host, --hatch-rate, "
       "--headless, --headful, --html\n",
       2},
      {"--hea", "locust: error: ambiguous option: --hea could match --headless, --headful\n", 2},
      {"--headless=yes", "locust: error: argument --headless: ignored explicit argument 'yes'\n",
       2},
      {"-Vl", "locust: error: argument --version/-V: ignored explicit argument 'l'\n", 2},
      {"-hx", "locust: error: argument -h/--help: ignored explicit argument 'x'\n", 2},
      {"--csv-full-history", "locust: error: '--csv-full-history' requires '--csv'.\n", 2},
      {"python3 -m locust --foo", "__main__.py: error: unrecognized arguments: --foo\n", 2},
      {"--headless -t abc",
       kError + "Valid --run-time formats are: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.\n", 1},
      {"--headless -t 5M",
       kError + "Valid --run-time formats are: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.\n", 1},
      {"--headless -t 9x --skip-log-setup",
       "ERROR:locust.main:Valid --run-time formats are: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.\n",
       1},
      {"--headless -t 9x --logfile /tmp/locust.log", "", 1},
      {"--loglevel=verbose",
       "Invalid --loglevel. Valid values are: DEBUG/INFO/WARNING/ERROR/CRITICAL\n", 1},
      {"--slave",
       "The --slave/--expect-slaves parameters have been renamed --worker/--expect-workers\n", 1},
      {"--autoquit 5", "--autoquit is only meaningful in combination with --autostart\n", 1},
      {"--step-load",
       "The step load feature was removed in Locust 1.3. You can achieve similar results using a "
       "LoadTestShape class. See https://docs.locust.io/en/stable/custom-load-shape.html\n",
       1},
      {"--master --worker", kError + "The --master argument cannot be combined with --worker\n",
       255},
      {"--expect-workers 0 --expect-workers-max-wait 5 --master",
       kError + "The --expect-workers-max-wait argument only makes sense when combined with "
                "--expect-workers\n",
       255},
      {"--web-auth foo",
       kWebUi + kError +
           "Credentials supplied with --web-auth should have the format: username:password\n",
       1},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.command);
    const LocustArgs got = ParseLocustArgs(Words(c.command), ReferenceContext());
    EXPECT_FALSE(got.ok);
    EXPECT_EQ(got.stdout_text, "");
    EXPECT_EQ(got.stderr_text, c.stderr_text);
    EXPECT_EQ(got.exit_code, c.exit_code);
  }
}

TEST(ParseLocustArgsTest, HelpAndVersionGoToStdoutWithExitZero) {
  LocustArgs got = ParseLocustArgs(Words("locust --headless -V"), ReferenceContext());
  EXPECT_FALSE(got.ok);
  EXPECT_EQ(got.exit_code, 0);
  EXPECT_EQ(got.stdout_text, "locust \n");
  EXPECT_EQ(got.stderr_text, "");
  EXPECT_EQ(ParseLocustArgs(Words("-lV"), LocustContext()).stdout_text, "locust 2.12.1\n");

  got = ParseLocustArgs(Words("locust -h -u abc"), ReferenceContext());
  EXPECT_FALSE(got.ok);
  EXPECT_EQ(got.exit_code, 0);
  EXPECT_EQ(got.stderr_text, "");
  ASSERT_EQ(got.stdout_text.size(), 8090u);  // locust_2.12.1_help.txt
  EXPECT_TRUE(absl::StartsWith(got.stdout_text,
                               "Usage: locust [OPTIONS] [UserClass ...]\n\nCommon options:\n"
                               "  -h, --help            show this help message and exit\n"));
  EXPECT_NE(got.stdout_text.find("  -t RUN_TIME, --run-time RUN_TIME\n"
                                 "                        Stop after the specified amount of "
                                 "time, e.g. (300s,\n"),
            std::string::npos);
  EXPECT_TRUE(absl::EndsWith(got.stdout_text,
                             "used (available User classes can be listed with -l or\n"
                             "                        --list)\n"));
}

// A one-line summary of the parse, or the exit code and stderr when Locust would stop.
std::string Describe(const LocustArgs& got) {
  if (!got.ok) return absl::StrCat("exit ", got.exit_code, ": ", got.stderr_text);
  const LocustOptions& o = got.options;
  return absl::StrCat("users=", o.users,
                      " run_time=", o.run_time ? absl::FormatDuration(*o.run_time) : "none",
                      " headless=", o.headless, " tags=", absl::StrJoin(o.tags, ","),
                      " classes=", absl::StrJoin(o.user_classes, ","));
}

struct EnvCase {
  std::vector<std::pair<std::string, std::string>> env;
  std::string command;
  std::string want;
};

TEST(ParseLocustArgsTest, ReadsLocustEnvironmentVariablesLikeConfigArgParse) {
  const EnvCase cases[] = {
      {{{"LOCUST_USERS", "9"}, {"LOCUST_RUN_TIME", "2m"}, {"LOCUST_HEADLESS", "true"}},
       "Web -f x.py",
       "users=9 run_time=2m headless=1 tags= classes=Web"},
      // The command line wins, and the variable is then never read.
      {{{"LOCUST_USERS", "abc"}},
       "-u 3 --headless",
       "users=3 run_time=none headless=1 tags= classes="},
      {{{"LOCUST_USERS", "abc"}},
       "--users=3 --headless",
       "users=3 run_time=none headless=1 tags= classes="},
      // "-u3" does not count as -u being on the command line, so the variable is read.
      {{{"LOCUST_USERS", "abc"}},
       "-u3 --headless",
       "exit 2: locust: error: argument -u/--users: invalid int value: 'abc'\n"},
      {{{"LOCUST_HEADLESS", "0"}}, "-t 1m", "users=1 run_time=1m headless=0 tags= classes="},
      {{{"LOCUST_HEADLESS", "maybe"}},
       "-t 1m",
       "exit 2: locust: error: Unexpected value for LOCUST_HEADLESS: 'maybe'. Expecting 'true', "
       "'false', 'yes', 'no', '1' or '0'\n"},
      {{{"LOCUST_TAGS", "[a, b]"}},
       "--headless",
       "users=1 run_time=none headless=1 tags=a,b classes="},
      {{{"LOCUST_TAGS", "[a, b]"}},
       "--headless -T c",
       "users=1 run_time=none headless=1 tags=c classes="},
      // With a list variable, the variables go after the command line, not in front of it.
      {{{"LOCUST_TAGS", "[a]"}, {"LOCUST_HEADLESS", "1"}},
       "Web",
       "users=1 run_time=none headless=1 tags=a classes=Web"},
      {{{"LOCUST_RUN_TIME", "2x"}},
       "--headless",
       "exit 1: " + kError +
           "Valid --run-time formats are: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.\n"},
  };
  for (const EnvCase& c : cases) {
    SCOPED_TRACE(c.command);
    LocustContext context = ReferenceContext();
    context.env = c.env;
    EXPECT_EQ(Describe(ParseLocustArgs(Words(c.command), context)), c.want);
  }
}

TEST(ParseLocustArgsTest, LooksUpLocustfilesWhenGivenAFilesystem) {
  LocustContext context = ReferenceContext();
  context.file_exists = [](const std::string& path) {
    return path == "/mnt/locust/locustfile.py" || path == "shop.py";
  };
  const ErrorCase cases[] = {
      {"-f /mnt/locust/locustfile.py --headless -t 1m", Limit(60) + kStarting, 0},
      {"-f shop --headless -t 1m", Limit(60) + kStarting, 0},  // "shop.py" is tried too
      {"--headless", "Could not find 'locustfile.py'. See --help for available options.\n", 1},
      {"-f nothere.py", "Could not find 'nothere.py'. See --help for available options.\n", 1},
      {"-f nothere",
       "Could not find 'nothere'. Ensure your locustfile ends with '.py' or is a directory "
       "with locustfiles. See --help for available options.\n",
       1},
      {"-f a.py,b", "Invalid file 'b'. File should have '.py' extension\n", 1},
      {"-f shop.py --config /nonexist",
       "locust: error: Unable to open config file: /nonexist. Error: No such file or "
       "directory\n",
       2},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.command);
    const LocustArgs got = ParseLocustArgs(Words(c.command), context);
    EXPECT_EQ(got.ok, c.exit_code == 0);
    EXPECT_EQ(got.stderr_text, c.stderr_text);
    EXPECT_EQ(got.exit_code, c.exit_code);
  }
  // --version still works without a locustfile.
  EXPECT_EQ(ParseLocustArgs(Words("-f nothere.py -V"), context).stdout_text, "locust \n");
}

TEST(ParseLocustTimespanTest, ReadsLikeLocust) {
  const std::pair<std::string, int64_t> good[] = {
      {"20", 20},      {"020", 20},         {"90s", 90},  {"5m", 300},   {"2h", 7200},
      {"1h30m", 5400}, {"3h30m10s", 12610}, {"1m30", 60}, {"90m", 5400}, {"0", 0},
      {"1h30x", 3600}, {"30s1h", 30},       {"20\n", 20},
  };
  for (const auto& [text, seconds] : good) {
    SCOPED_TRACE(text);
    absl::StatusOr<int64_t> got = ParseLocustTimespan(text);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, seconds);
  }
  const std::pair<std::string, std::string> bad[] = {
      {"", "Invalid time span format"},
      {"abc", "Invalid time span format. Valid formats: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc."},
      {"5M", "Invalid time span format. Valid formats: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc."},
      {"1.5h", "Invalid time span format. Valid formats: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc."},
      {"-5", "Invalid time span format. Valid formats: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc."},
      {" 20", "Invalid time span format. Valid formats: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc."},
      {"99999999999999999999h", "time span out of range"},
  };
  for (const auto& [text, message] : bad) {
    SCOPED_TRACE(text);
    absl::StatusOr<int64_t> got = ParseLocustTimespan(text);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(), message);
  }
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
