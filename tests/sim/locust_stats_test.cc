#include "sim/shop/locust_stats.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "locust_reference.h"
#include "sim/shop/locust_args.h"
#include "test_util.h"

namespace sre_eval {
namespace sim {
namespace {

const absl::Time kNow = At("2026-11-24T10:25:57.561Z");

std::vector<std::string> Words(const std::string& command) {
  return absl::StrSplit(command, ' ', absl::SkipEmpty());
}

const std::string kInfo = "[2026-11-24 10:25:57,561] vm/INFO/locust.main: ";
const std::string kError = "[2026-11-24 10:25:57,561] vm/ERROR/locust.main: ";

// ---- Statistics ----

struct Run {
  double ms;
  int64_t count;
  const char* error = nullptr;  // nullptr: success
};
struct Endpoint {
  const char* method;
  const char* name;
  std::vector<Run> runs;
};

void Feed(LocustStats& stats, const std::vector<Endpoint>& endpoints, absl::Time at) {
  for (const Endpoint& e : endpoints) {
    for (const Run& r : e.runs) {
      if (r.error == nullptr) {
        stats.AddSuccess(e.method, e.name, r.ms, 0, r.count, at);
      } else {
        stats.AddFailure(e.method, e.name, r.ms, r.error, r.count, at);
      }
    }
  }
}

// Response times chosen so that every row of the reference run's final summary comes out the
// same: counts, truncated Avg/Min/Max, medians, percentiles, and the totals built from them.
TEST(LocustStatsTest, ReproducesTheHeadlessReferenceRunsFinalSummary) {
  const char* k406 =
      "HTTPError('406 Client Error: Not Acceptable for url: http://127.0.0.1:18079/orders')";
  const char* k500 =
      "HTTPError('500 Server Error: Internal Server Error for url: "
      "http://127.0.0.1:18079/orders')";
  const std::vector<Endpoint> endpoints = {
      {"GET",
       "/",
       {{43.0, 49}, {45.6, 1}, {52.4, 46}, {56.4, 31}, {60.4, 45}, {61.4, 10}, {63.9, 9}}},
      {"GET",
       "/basket.html",
       {{43.0, 55},
        {50.2, 1},
        {54.4, 39},
        {56.4, 30},
        {58.4, 17},
        {59.4, 9},
        {61.4, 19},
        {62.4, 9},
        {63.4, 6},
        {64.4, 3}}},
      {"DELETE",
       "/cart",
       {{5.0, 44},
        {14.9, 1},
        {15.4, 50},
        {16.4, 30},
        {17.4, 17},
        {18.4, 10},
        {20.4, 28},
        {21.4, 9}}},
      {"POST",
       "/cart",
       {{10.0, 53},
        {17.4, 1},
        {21.4, 41},
        {25.4, 30},
        {27.4, 17},
        {28.4, 9},
        {30.4, 19},
        {30.9, 18}}},
      {"GET",
       "/catalogue",
       {{8.0, 11}, {48.9, 1}, {52.4, 84}, {56.4, 31}, {60.4, 45}, {63.4, 10}, {64.4, 9}}},
      {"GET",
       "/category.html",
       {{43.0, 52}, {46.2, 1}, {52.4, 43}, {56.4, 30}, {60.4, 46}, {64.4, 18}}},
      {"GET",
       "/detail.html?id=03fef6ac-1896-4ce8-bd69-b798f85c6e0b",
       {{47.0, 6}, {53.9, 1}, {56.4, 4}, {60.4, 10}}},
      {"GET",
       "/detail.html?id=3395a43e-2d88-40de-b95f-e00e1502085b",
       {{43.0, 5}, {45.6, 1}, {52.4, 6}, {56.4, 6}, {60.4, 4}}},
      {"GET",
       "/detail.html?id=510a0d7e-8e83-4193-b483-e27e09ddc34d",
       {{43.0, 5}, {53.8, 1}, {56.4, 10}, {60.4, 4}, {64.4, 4}}},
      {"GET",
       "/detail.html?id=808a2de1-1aaa-4c25-a9b9-6612e8f29a38",
       {{43.0, 1}, {46.6, 1}, {52.4, 5}, {56.4, 2}, {60.4, 1}, {64.4, 2}, {67.9, 1}}},
      {"GET",
       "/detail.html?id=819e1fbf-8b7e-4f6d-811f-693534916a8b",
       {{43.0, 3}, {43.1, 1}, {48.4, 6}, {52.4, 1}, {56.4, 3}, {60.4, 5}, {63.9, 1}}},
      {"GET",
       "/detail.html?id=837ab141-399e-4c1f-9abc-bace40296bac",
       {{43.0, 9}, {47.7, 1}, {52.4, 4}, {56.4, 4}, {60.4, 8}, {64.4, 1}}},
      {"GET",
       "/detail.html?id=a0a4f044-b040-410d-8ead-4de0446aec7e",
       {{43.0, 3}, {49.5, 1}, {52.4, 6}, {56.4, 5}, {60.4, 4}}},
      {"GET",
       "/detail.html?id=d3588630-ad8e-49df-bbd7-3167f7efb246",
       {{47.0, 7}, {48.2, 1}, {52.4, 3}, {56.4, 3}, {60.4, 5}, {64.4, 1}}},
      {"GET",
       "/detail.html?id=zzz4f044-b040-410d-8ead-4de0446aec7e",
       {{43.0, 4}, {46.8, 1}, {52.4, 7}, {60.4, 10}, {63.9, 1}}},
      {"GET", "/login", {{43.0, 41}, {46.8, 1}, {52.4, 54}, {56.4, 47}, {60.4, 38}, {64.4, 9}}},
      {"POST",
       "/orders",
       {{91.0, 16},
        {99.6, 14, k406},
        {99.6, 38, k500},
        {99.6, 25},
        {135.1, 19},
        {146.8, 1},
        {154.9, 11},
        {164.9, 17},
        {304.9, 12},
        {334.9, 17},
        {344.9, 8},
        {359.9, 9}}},
  };
  // The runner started at 10:25:57.562; the last request finished 19.8645 s later.
  const absl::Time start = At("2026-11-24T10:25:57.562Z");
  LocustStats stats(start);
  Feed(stats, endpoints, start + absl::Microseconds(19864500));
  EXPECT_EQ(stats.total_requests(), 1703);
  EXPECT_EQ(stats.total_failures(), 52);
  EXPECT_EQ(stats.Percentile(0.9), 100);
  EXPECT_EQ(stats.MedianResponseTime(), 52);
  // locust_2.12.1_headless.stderr.txt, everything after "Shutting down (exit code 1)".
  EXPECT_EQ(stats.FinalSummary(), kLocustHeadlessFinalReport);
  LocustOptions options;
  EXPECT_EQ(LocustExitCode(options, stats), 1);
}

TEST(LocustStatsTest, ReproducesTheConnectionRefusedReferenceRunsFinalSummary) {
  const char* kRefused = "ConnectionRefusedError(111, 'Connection refused')";
  const absl::Time start = At("2026-11-24T10:26:44.371Z");
  LocustStats stats(start);
  Feed(stats,
       {{"GET", "/catalogue", {{0.3, 3992, kRefused}, {2.0, 3, kRefused}, {3.95, 1, kRefused}}}},
       start + absl::Microseconds(2911240));
  // locust_2.12.1_conn_refused.stderr.trimmed.txt, after "Shutting down (exit code 3)".
  EXPECT_EQ(
      stats.FinalSummary(),
      R"REF(Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
GET      /catalogue                                                                      3996 3996(100.00%) |      0       0       3      0 | 1372.61     1372.61
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
         Aggregated                                                                      3996 3996(100.00%) |      0       0       3      0 | 1372.61     1372.61

Response time percentiles (approximated)
Type     Name                                                                                  50%    66%    75%    80%    90%    95%    98%    99%  99.9% 99.99%   100% # reqs
--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------
GET      /catalogue                                                                              0      0      0      0      0      0      0      0      2      4      4   3996
--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------
         Aggregated                                                                              0      0      0      0      0      0      0      0      2      4      4   3996

Error report
# occurrences      Error                                                                                               
------------------|---------------------------------------------------------------------------------------------------------------------------------------------
3996               GET /catalogue: ConnectionRefusedError(111, 'Connection refused')                                   
------------------|---------------------------------------------------------------------------------------------------------------------------------------------

)REF");
  LocustOptions options;
  options.exit_code_on_error = 3;
  EXPECT_EQ(LocustExitCode(options, stats), 3);
}

TEST(LocustStatsTest, RoundsResponseTimesLikePythonsRound) {
  const std::pair<double, int64_t> cases[] = {
      {0.4, 0},       {0.5, 0},       {1.5, 2},         {2.5, 2},
      {63.9, 64},     {99.5, 100},    {99.6, 100},      {100.0, 100},
      {145.0, 140},   {155.0, 160},   {999.4, 1000},    {1050.0, 1000},
      {1150.0, 1200}, {9949.0, 9900}, {12500.0, 12000}, {13500.0, 14000},
  };
  for (const auto& [ms, rounded] : cases) {
    SCOPED_TRACE(ms);
    LocustStats stats(kNow);
    stats.AddSuccess("GET", "/", ms, 0, 1, kNow);
    EXPECT_EQ(stats.Percentile(1.0), rounded);
  }
}

TEST(LocustStatsTest, EmptyRunPrintsOnlyTheFrames) {
  LocustStats stats(kNow);
  EXPECT_EQ(
      stats.FinalSummary(),
      R"REF(Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
         Aggregated                                                                         0     0(0.00%) |      0       0       0      0 |    0.00        0.00

Response time percentiles (approximated)
Type     Name                                                                                  50%    66%    75%    80%    90%    95%    98%    99%  99.9% 99.99%   100% # reqs
--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------
--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------

)REF");
  EXPECT_EQ(stats.ErrorReport(), "");
  EXPECT_EQ(stats.total_requests(), 0);
  EXPECT_EQ(stats.Percentile(0.5), 0);
  EXPECT_EQ(stats.MedianResponseTime(), 0);
}

// Ten GET / and two POST /orders a second for six seconds, one failed order a second from the
// third second on; the expectations are what Locust 2.12.1's stats module printed for the same.
TEST(LocustStatsTest, PeriodicTableShowsRatesOverTheRecentSeconds) {
  const char* k500 =
      "HTTPError('500 Server Error: Internal Server Error for url: http://front-end/orders')";
  const absl::Time start = At("2026-11-24T10:25:57.562Z");
  LocustStats stats(start);
  for (int k = 0; k < 6; ++k) {
    const absl::Time at = start + absl::Seconds(k) + absl::Milliseconds(200);
    stats.AddSuccess("GET", "/", k % 2 == 0 ? 48.0 : 56.0, 14, 10, at);
    stats.AddSuccess("POST", "/orders", 150.0, 100, 2, at);
    if (k >= 2) stats.AddFailure("POST", "/orders", 310.0, k500, 1, at);
  }
  // Seconds 10:25:57..59 count: [last - 12, last - 2) clipped to the start.
  EXPECT_EQ(
      stats.PeriodicStats(),
      R"REF(Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
GET      /                                                                                 60     0(0.00%) |     52      48      56     48 |   10.00        0.00
POST     /orders                                                                           16    4(25.00%) |    190     150     310    150 |    2.33        0.33
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
         Aggregated                                                                        76     4(5.26%) |     81      48     310     56 |   12.33        0.33

)REF");
  EXPECT_EQ(
      stats.FinalSummary(),
      R"REF(Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
GET      /                                                                                 60     0(0.00%) |     52      48      56     48 |   11.54        0.00
POST     /orders                                                                           16    4(25.00%) |    190     150     310    150 |    3.08        0.77
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
         Aggregated                                                                        76     4(5.26%) |     81      48     310     56 |   14.62        0.77

Response time percentiles (approximated)
Type     Name                                                                                  50%    66%    75%    80%    90%    95%    98%    99%  99.9% 99.99%   100% # reqs
--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------
GET      /                                                                                      56     56     56     56     56     56     56     56     56     56     56     60
POST     /orders                                                                               150    150    310    310    310    310    310    310    310    310    310     16
--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------
         Aggregated                                                                             56     56     56    150    150    310    310    310    310    310    310     76

Error report
# occurrences      Error                                                                                               
------------------|---------------------------------------------------------------------------------------------------------------------------------------------
4                  POST /orders: HTTPError('500 Server Error: Internal Server Error for url: http://front-end/orders') 
------------------|---------------------------------------------------------------------------------------------------------------------------------------------

)REF");
  EXPECT_EQ(stats.MedianResponseTime(), 56);
  EXPECT_EQ(stats.Percentile(0.95), 310);
  EXPECT_DOUBLE_EQ(stats.AverageContentLength(), 2040.0 / 76);
  EXPECT_DOUBLE_EQ(stats.AverageResponseTime(),
                   (30 * 48.0 + 30 * 56.0 + 12 * 150.0 + 4 * 310.0) / 76);
}

// The median is clamped to [min, max]; names are padded by code point and never truncated;
// errors that differ only in an object address are one row, shown as first seen.
TEST(LocustStatsTest, MedianClampNamesAndErrorGrouping) {
  LocustStats stats(kNow);
  stats.AddSuccess("GET", "/slow", 145.0, 0, 1, kNow);
  stats.AddSuccess("GET", "/café", 12.0, 0, 1, kNow);
  stats.AddSuccess(
      "GET",
      "/detail.html?id="
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      7.0, 0, 1, kNow);
  const std::string kNewConnection =
      "NewConnectionError('<urllib3.connection.HTTPConnection object at %s>: Failed to establish "
      "a new connection: [Errno 111] Connection refused')";
  auto error = [&](const std::string& address) {
    std::string e = kNewConnection;
    return e.replace(e.find("%s"), 2, address);
  };
  stats.AddFailure("GET", "/café", 3.0, error("0x7f3c2a1b2c10"), 1, kNow);
  stats.AddFailure("GET", "/café", 3.0, error("0x7f00000000aa"), 1, kNow);
  EXPECT_EQ(
      stats.FinalSummary(),
      R"REF(Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
GET      /café                                                                              3    2(66.67%) |      6       3      12      3 |    0.00        0.00
GET      /detail.html?id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef       1     0(0.00%) |      7       7       7      7 |    0.00        0.00
GET      /slow                                                                              1     0(0.00%) |    145     145     145    145 |    0.00        0.00
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
         Aggregated                                                                         5    2(40.00%) |     34       3     145      7 |    0.00        0.00

Response time percentiles (approximated)
Type     Name                                                                                  50%    66%    75%    80%    90%    95%    98%    99%  99.9% 99.99%   100% # reqs
--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------
GET      /café                                                                                   3      3     12     12     12     12     12     12     12     12     12      3
GET      /detail.html?id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef        7      7      7      7      7      7      7      7      7      7      7      1
GET      /slow                                                                                 140    140    140    140    140    140    140    140    140    140    140      1
--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------
         Aggregated                                                                              7     12     12    140    140    140    140    140    140    140    140      5

Error report
# occurrences      Error                                                                                               
------------------|---------------------------------------------------------------------------------------------------------------------------------------------
2                  GET /café: NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f3c2a1b2c10>: Failed to establish a new connection: [Errno 111] Connection refused')
------------------|---------------------------------------------------------------------------------------------------------------------------------------------

)REF");
}

TEST(LocustStatsTest, MedianIsClampedToTheSlowestRequest) {
  LocustStats stats(kNow);
  stats.AddSuccess("GET", "/", 63.9, 0, 1, kNow);
  EXPECT_EQ(stats.Percentile(0.5), 64);
  EXPECT_EQ(stats.MedianResponseTime(), 63.9);
  EXPECT_NE(stats.StatsTable(LocustRates::kTotal).find("|     63      63      63     63 |"),
            std::string::npos);
}

TEST(LocustStatsTest, ResetKeepsRowsAndDropsCountsAndErrors) {
  LocustStats stats(kNow);
  stats.AddFailure("GET", "/", 10, "ConnectionRefusedError(111, 'Connection refused')", 5, kNow);
  stats.Reset(kNow + absl::Seconds(30));
  EXPECT_EQ(stats.total_requests(), 0);
  EXPECT_EQ(stats.total_failures(), 0);
  EXPECT_EQ(stats.ErrorReport(), "");
  const std::string table = stats.StatsTable(LocustRates::kTotal);
  EXPECT_NE(table.find("\nGET      /" + std::string(82, ' ') +
                       "0     0(0.00%) |      0       0       0      0 |    0.00        0.00\n"),
            std::string::npos)
      << table;
  stats.AddSuccess("GET", "/", 20, 0, 4, kNow + absl::Seconds(32));
  EXPECT_EQ(stats.total_requests(), 4);
  EXPECT_NE(stats.StatsTable(LocustRates::kTotal).find("|     20      20      20     20 |    2.00"),
            std::string::npos);
}

TEST(LocustStatsTest, BulkCountsCostNothingExtra) {
  LocustStats stats(kNow);
  for (int s = 0; s < 600; ++s) {
    stats.AddSuccess("GET", "/catalogue", 40 + s % 30, 1295, 1666, kNow + absl::Seconds(s));
  }
  EXPECT_EQ(stats.total_requests(), 999600);
  EXPECT_EQ(stats.Percentile(1.0), 69);
  EXPECT_EQ(stats.Percentile(0.0), 40);
}

// ---- Log output ----

TEST(LocustLogTest, FormatsLikePythonLogging) {
  // Milliseconds are truncated, as logging's %(msecs)03d does.
  EXPECT_EQ(LocustLogLine(At("2026-11-24T10:25:57.5619Z"), "locust-job-7x2kq", "INFO",
                          "locust.main", "Run time limit set to 20 seconds"),
            "[2026-11-24 10:25:57,561] locust-job-7x2kq/INFO/locust.main: Run time limit set to "
            "20 seconds\n");
  EXPECT_EQ(LocustLogLine(At("2026-11-24T10:26:17.004Z"), "vm", "INFO", "locust.runners",
                          RampingMessage(5, 5)),
            "[2026-11-24 10:26:17,004] vm/INFO/locust.runners: Ramping to 5 users at a rate of "
            "5.00 per second\n");

  struct Case {
    std::string options;
    std::string level;
    std::string want;
  };
  const Case cases[] = {
      {"", "INFO", kInfo + "msg\n"},
      {"", "DEBUG", ""},
      {"-L DEBUG", "DEBUG", "[2026-11-24 10:25:57,561] vm/DEBUG/locust.main: msg\n"},
      {"-L WARNING", "INFO", ""},
      {"-L WARNING", "ERROR", kError + "msg\n"},
      {"--logfile /tmp/l.log", "ERROR", ""},
      {"--skip-log-setup", "INFO", ""},
      {"--skip-log-setup", "WARNING", "WARNING:locust.main:msg\n"},
  };
  const LocustOptions with_logfile =
      ParseLocustArgs(Words("--headless --logfile /tmp/l.log -L ERROR")).options;
  EXPECT_EQ(LocustLog(with_logfile, kNow, "vm", "INFO", "locust.stats_logger", "Error report"),
            "Error report\n");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.options + " " + c.level);
    const LocustOptions o = ParseLocustArgs(Words("--headless " + c.options)).options;
    EXPECT_EQ(LocustLog(o, kNow, "vm", c.level, "locust.main", "msg"), c.want);
  }
}

TEST(LocustLogTest, WhoPrintsTheTables) {
  struct Case {
    std::string command;
    bool stats;
    bool periodic;
  };
  const Case cases[] = {
      {"--headless", true, true},
      {"--headless --only-summary", true, false},
      {"", true, false},
      {"--print-stats", true, true},
      {"--headless --worker", true, false},
      {"--headless --skip-log-setup", false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.command);
    const LocustOptions o = ParseLocustArgs(Words(c.command)).options;
    EXPECT_EQ(LocustPrintsStats(o), c.stats);
    EXPECT_EQ(LocustPrintsPeriodicStats(o), c.periodic);
  }
}

TEST(LocustMessagesTest, MatchTheReferenceTranscripts) {
  EXPECT_EQ(RunTimeLimitMessage(20), "Run time limit set to 20 seconds");
  EXPECT_EQ(StartingLocustMessage(""), "Starting Locust ");
  EXPECT_EQ(StartingLocustMessage("2.12.1"), "Starting Locust 2.12.1");
  EXPECT_EQ(RampingMessage(5, 5), "Ramping to 5 users at a rate of 5.00 per second");
  EXPECT_EQ(RampingMessage(3000, 100), "Ramping to 3000 users at a rate of 100.00 per second");
  EXPECT_EQ(AllUsersSpawnedMessage({{"Web", 5}}),
            "All users spawned: {\"Web\": 5} (5 total users)");
  EXPECT_EQ(AllUsersSpawnedMessage({{"Web", 2}, {"Admin", 1}}),
            "All users spawned: {\"Admin\": 1, \"Web\": 2} (3 total users)");
  EXPECT_EQ(ShuttingDownMessage(1), "Shutting down (exit code 1)");
  EXPECT_EQ(std::string(kRunTimeReachedMessage), "--run-time limit reached, shutting down");
}

TEST(LocustExitCodeTest, FailuresSelectExitCodeOnError) {
  LocustOptions options;
  options.exit_code_on_error = 3;
  LocustStats stats(kNow);
  stats.AddSuccess("GET", "/", 10, 0, 100, kNow);
  EXPECT_EQ(LocustExitCode(options, stats), 0);
  EXPECT_EQ(LocustExitCode(options, stats, /*task_exceptions=*/true), 3);
  stats.AddFailure("GET", "/", 10, "ConnectionRefusedError(111, 'Connection refused')", 1, kNow);
  EXPECT_EQ(LocustExitCode(options, stats), 3);
  options.exit_code_on_error = 0;
  EXPECT_EQ(LocustExitCode(options, stats), 0);

  EXPECT_EQ(LocustProcessExitStatus(1), 1);
  EXPECT_EQ(LocustProcessExitStatus(-1), 255);
  EXPECT_EQ(LocustProcessExitStatus(256), 0);
  EXPECT_EQ(LocustProcessExitStatus(300), 44);
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
