#include "incident/locust_summary.h"

#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "locust_reference.h"
#include "sim/shop/locust_stats.h"
#include "test_util.h"

namespace sre_eval {
namespace incident {
namespace {

// ../shared/reference/locust/locust_2.12.1_headless.stderr.txt from its line 184: the last
// periodic table (1532 requests), the shutdown log lines and the final report (1703 requests).
const std::string kHeadless =
    std::string(
        R"REF(Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
GET      /                                                                                171     0(0.00%) |     53      43      63     52 |    8.70        0.00
GET      /basket.html                                                                     170     0(0.00%) |     53      43      64     54 |    8.60        0.00
DELETE   /cart                                                                            170     0(0.00%) |     14       5      21     15 |    8.90        0.00
POST     /cart                                                                            170     0(0.00%) |     21      10      30     21 |    8.80        0.00
GET      /catalogue                                                                       172     0(0.00%) |     53       8      64     52 |    8.50        0.00
GET      /category.html                                                                   170     0(0.00%) |     53      43      64     52 |    8.90        0.00
GET      /detail.html?id=03fef6ac-1896-4ce8-bd69-b798f85c6e0b                              18     0(0.00%) |     55      47      60     56 |    0.90        0.00
GET      /detail.html?id=3395a43e-2d88-40de-b95f-e00e1502085b                              20     0(0.00%) |     52      43      60     52 |    1.00        0.00
GET      /detail.html?id=510a0d7e-8e83-4193-b483-e27e09ddc34d                              21     0(0.00%) |     55      43      64     56 |    1.30        0.00
GET      /detail.html?id=808a2de1-1aaa-4c25-a9b9-6612e8f29a38                              10     0(0.00%) |     55      47      67     52 |    0.70        0.00
GET      /detail.html?id=819e1fbf-8b7e-4f6d-811f-693534916a8b                              19     0(0.00%) |     51      43      63     48 |    0.80        0.00
GET      /detail.html?id=837ab141-399e-4c1f-9abc-bace40296bac                              24     0(0.00%) |     52      43      59     52 |    1.10        0.00
GET      /detail.html?id=a0a4f044-b040-410d-8ead-4de0446aec7e                              18     0(0.00%) |     53      43      60     52 |    0.70        0.00
GET      /detail.html?id=d3588630-ad8e-49df-bbd7-3167f7efb246                              19     0(0.00%) |     53      47      64     52 |    1.10        0.00
GET      /detail.html?id=zzz4f044-b040-410d-8ead-4de0446aec7e                              21     0(0.00%) |     54      43      63     56 |    1.30        0.00
GET      /login                                                                           171     0(0.00%) |     53      43      64     52 |    9.00        0.00
POST     /orders                                                                          168   50(29.76%) |    173      91     359    140 |    8.50        4.10
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
         Aggregated                                                                      1532    50(3.26%) |     58       5     359     52 |   78.80        4.10

[2026-11-24 10:26:17,435] vm/INFO/locust.main: --run-time limit reached, shutting down
[2026-11-24 10:26:17,436] vm/INFO/locust.main: Shutting down (exit code 1)
)REF") +
    kLocustHeadlessFinalReport;

// ../shared/reference/locust/locust_2.12.1_conn_refused.stderr.trimmed.txt from its line 37.
const char kRefused[] =
    R"REF([2026-11-24 10:26:44,377] vm/ERROR/locust.user.task: Expecting value: line 1 column 1 (char 0)
[... trimmed by the researcher: 3996 more identical 'ERROR/locust.user.task: Expecting value' tracebacks (one per task iteration, busy loop because wait_time=constant(0)); original file was 6979821 bytes ...]
[2026-11-24 10:26:47,283] vm/INFO/locust.main: Shutting down (exit code 3)
Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s
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

)REF";

TEST(LocustSummaryTest, ReadsTheFinalReportOfTheHeadlessReferenceRun) {
  absl::StatusOr<LocustSummary> s = ParseLocustSummary(kHeadless);
  ASSERT_TRUE(s.ok()) << s.status();
  // The final report's rows, not the periodic table's before it (1532 requests).
  EXPECT_EQ(s->aggregated.method, "");
  EXPECT_EQ(s->aggregated.name, "Aggregated");
  EXPECT_EQ(s->aggregated.requests, 1703);
  EXPECT_EQ(s->aggregated.failures, 52);
  EXPECT_EQ(s->aggregated.avg_ms, 58);
  EXPECT_EQ(s->aggregated.min_ms, 5);
  EXPECT_EQ(s->aggregated.max_ms, 359);
  EXPECT_EQ(s->aggregated.median_ms, 52);
  EXPECT_DOUBLE_EQ(s->aggregated.rps, 85.73);
  EXPECT_DOUBLE_EQ(s->aggregated.failures_per_s, 2.62);
  ASSERT_EQ(s->requests.size(), 17u);
  EXPECT_EQ(s->requests[0].method, "GET");
  EXPECT_EQ(s->requests[0].name, "/");
  EXPECT_EQ(s->requests[2].method, "DELETE");
  EXPECT_EQ(s->requests[6].name, "/detail.html?id=03fef6ac-1896-4ce8-bd69-b798f85c6e0b");
  const LocustRequestRow* orders = s->Find("POST", "/orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->requests, 187);
  EXPECT_EQ(orders->failures, 52);
  EXPECT_EQ(orders->avg_ms, 169);
  EXPECT_EQ(orders->min_ms, 91);
  EXPECT_EQ(orders->max_ms, 359);
  EXPECT_EQ(orders->median_ms, 140);
  EXPECT_DOUBLE_EQ(orders->rps, 9.41);
  EXPECT_DOUBLE_EQ(orders->failures_per_s, 2.62);
  EXPECT_EQ(s->Find("GET", "/orders"), nullptr);

  const std::map<std::string, int64_t> aggregated = {
      {"50%", 52},  {"66%", 56},  {"75%", 60},    {"80%", 60},     {"90%", 100}, {"95%", 140},
      {"98%", 300}, {"99%", 330}, {"99.9%", 360}, {"99.99%", 360}, {"100%", 360}};
  EXPECT_EQ(s->aggregated_percentiles.name, "Aggregated");
  EXPECT_EQ(s->aggregated_percentiles.percentiles, aggregated);
  EXPECT_EQ(s->aggregated_percentiles.requests, 1703);
  ASSERT_EQ(s->percentiles.size(), 17u);
  EXPECT_EQ(s->percentiles[16].method, "POST");
  EXPECT_EQ(s->percentiles[16].name, "/orders");
  EXPECT_EQ(s->percentiles[16].percentiles.at("80%"), 300);
  EXPECT_EQ(s->percentiles[16].requests, 187);

  ASSERT_EQ(s->errors.size(), 2u);
  EXPECT_EQ(s->errors[0].occurrences, 14);
  EXPECT_EQ(s->errors[0].error,
            "POST /orders: HTTPError('406 Client Error: Not Acceptable for url: "
            "http://127.0.0.1:18079/orders')");
  EXPECT_EQ(s->errors[1].occurrences, 38);
  EXPECT_EQ(s->errors[1].error,
            "POST /orders: HTTPError('500 Server Error: Internal Server Error for url: "
            "http://127.0.0.1:18079/orders')");
}

TEST(LocustSummaryTest, ReadsTheConnectionRefusedReferenceRun) {
  absl::StatusOr<LocustSummary> s = ParseLocustSummary(kRefused);
  ASSERT_TRUE(s.ok()) << s.status();
  // "3996 3996(100.00%)": the two columns touch when the numbers are wide.
  ASSERT_EQ(s->requests.size(), 1u);
  EXPECT_EQ(s->requests[0].name, "/catalogue");
  EXPECT_EQ(s->requests[0].requests, 3996);
  EXPECT_EQ(s->requests[0].failures, 3996);
  EXPECT_EQ(s->requests[0].max_ms, 3);
  EXPECT_DOUBLE_EQ(s->requests[0].rps, 1372.61);
  EXPECT_EQ(s->aggregated.requests, 3996);
  EXPECT_EQ(s->aggregated.failures, 3996);
  EXPECT_DOUBLE_EQ(s->aggregated.failures_per_s, 1372.61);
  EXPECT_EQ(s->aggregated_percentiles.percentiles.at("50%"), 0);
  EXPECT_EQ(s->aggregated_percentiles.percentiles.at("99.9%"), 2);
  EXPECT_EQ(s->aggregated_percentiles.percentiles.at("100%"), 4);
  EXPECT_EQ(s->aggregated_percentiles.requests, 3996);
  ASSERT_EQ(s->errors.size(), 1u);
  EXPECT_EQ(s->errors[0].occurrences, 3996);
  EXPECT_EQ(s->errors[0].error,
            "GET /catalogue: ConnectionRefusedError(111, 'Connection refused')");
}

// A log as the simulated cluster's Locust Job writes it (sim/shop/locust_stats.h).
std::string SimulatedLog(bool prefix_tables) {
  const absl::Time start = At("2026-11-24T10:05:00Z");
  sim::LocustStats stats(start);
  stats.AddSuccess("GET", "/catalogue", 120, 512, 300, start + absl::Seconds(5));
  stats.AddSuccess("GET", "/catalogue", 4200, 512, 20, start + absl::Seconds(6));
  stats.AddSuccess("POST", "/orders", 80, 64, 40, start + absl::Seconds(7));
  stats.AddFailure(
      "POST", "/orders", 15,
      "HTTPError('500 Server Error: Internal Server Error for url: http://front-end/orders')", 10,
      start + absl::Seconds(8));
  std::string log = sim::LocustLogLine(start, "locust-payment-9wz4d", "INFO", "locust.main",
                                       sim::RunTimeLimitMessage(120));
  absl::StrAppend(&log, stats.PeriodicStats(),
                  sim::LocustLogLine(start + absl::Seconds(120), "locust-payment-9wz4d", "INFO",
                                     "locust.main", sim::ShuttingDownMessage(1)));
  std::string summary = stats.FinalSummary();
  if (!prefix_tables) return log + summary;
  for (absl::string_view line : absl::StrSplit(summary, '\n')) {
    if (line.empty()) continue;
    absl::StrAppend(&log, "[2026-11-24 10:07:00,123] locust-payment-9wz4d/INFO/locust.main: ", line,
                    "\n");
  }
  return log;
}

TEST(LocustSummaryTest, ReadsTheSimulatedJobsLogWithOrWithoutLogPrefixes) {
  for (bool prefixed : {false, true}) {
    SCOPED_TRACE(prefixed);
    absl::StatusOr<LocustSummary> s = ParseLocustSummary(SimulatedLog(prefixed));
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_EQ(s->requests.size(), 2u);
    EXPECT_EQ(s->requests[0].method, "GET");
    EXPECT_EQ(s->requests[0].name, "/catalogue");
    EXPECT_EQ(s->requests[0].requests, 320);
    EXPECT_EQ(s->requests[0].failures, 0);
    EXPECT_EQ(s->requests[0].max_ms, 4200);
    const LocustRequestRow* orders = s->Find("POST", "/orders");
    ASSERT_NE(orders, nullptr);
    EXPECT_EQ(orders->requests, 50);
    EXPECT_EQ(orders->failures, 10);
    EXPECT_EQ(orders->min_ms, 15);
    EXPECT_EQ(s->aggregated.requests, 370);
    EXPECT_EQ(s->aggregated.failures, 10);
    EXPECT_EQ(s->aggregated_percentiles.percentiles.at("50%"), 120);
    EXPECT_EQ(s->aggregated_percentiles.percentiles.at("95%"), 4200);
    EXPECT_EQ(s->aggregated_percentiles.percentiles.at("99%"), 4200);
    EXPECT_EQ(s->aggregated_percentiles.requests, 370);
    ASSERT_EQ(s->errors.size(), 1u);
    EXPECT_EQ(s->errors[0].occurrences, 10);
    EXPECT_EQ(s->errors[0].error,
              "POST /orders: HTTPError('500 Server Error: Internal Server Error for url: "
              "http://front-end/orders')");
  }
}

TEST(LocustSummaryTest, ALogWithoutTheFinalReportIsNotFound) {
  // Everything up to the shutdown: periodic tables only.
  std::string log(kHeadless);
  log = log.substr(0, log.find("Response time percentiles"));
  log = log.substr(0, log.rfind("Type     Name"));
  for (absl::string_view text : {absl::string_view(log), absl::string_view("")}) {
    absl::StatusOr<LocustSummary> s = ParseLocustSummary(text);
    EXPECT_EQ(s.status(), absl::NotFoundError("no Locust report (the run may not have finished)"));
  }
}

TEST(LocustSummaryTest, ARowThatDoesNotParseNamesItsLine) {
  const std::string row =
      "GET      /catalogue                                                                      "
      "3996";
  std::string log(kRefused);
  size_t at = log.find(row);
  ASSERT_NE(at, std::string::npos);
  log.replace(at + row.size() - 4, 4, "39x6");
  const std::string bad_line = log.substr(at, log.find('\n', at) - at);
  EXPECT_TRUE(absl::EndsWith(
      bad_line, "   39x6 3996(100.00%) |      0       0       3      0 | 1372.61     1372.61"));
  absl::StatusOr<LocustSummary> s = ParseLocustSummary(log);
  EXPECT_EQ(s.status(), absl::InvalidArgumentError(absl::StrCat(
                            "Locust report line 6: cannot parse request row \"", bad_line, "\"")));
}

// ../shared/reference/locust/locust_2.12.1_headless.stderr.txt's first 8 lines: the start and
// the first periodic table, printed before any request.
const char kHeadlessStart[] =
    R"REF([2026-11-24 10:25:57,561] vm/INFO/locust.main: Run time limit set to 20 seconds
[2026-11-24 10:25:57,561] vm/INFO/locust.main: Starting Locust 
Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
         Aggregated                                                                         0     0(0.00%) |      0       0       0      0 |    0.00        0.00

[2026-11-24 10:25:57,562] vm/INFO/locust.runners: Ramping to 5 users at a rate of 5.00 per second
)REF";

// `text` as `kubectl logs --timestamps` prints it: line i written at `start` + i ms.
std::string Stamped(absl::string_view text, absl::Time start) {
  std::string out;
  int i = 0;
  for (absl::string_view line : absl::StrSplit(absl::StripSuffix(text, "\n"), '\n')) {
    absl::StrAppend(&out,
                    absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", start + absl::Milliseconds(i++),
                                     absl::UTCTimeZone()),
                    " ", line, "\n");
  }
  return out;
}

TEST(SplitLocustJobLogTest, PeriodicTablesBecomeStatsAndTheRestStaysAsText) {
  const std::string log = Stamped(kHeadlessStart, At("2026-11-24T10:25:57.561Z")) +
                          Stamped(kHeadless, At("2026-11-24T10:26:17.4Z"));
  ASSERT_EQ(log.substr(0, 31), "2026-11-24T10:25:57.561000000Z ");
  LocustJobLog split = SplitLocustJobLog(log);
  EXPECT_EQ(split.text,
            "[2026-11-24 10:25:57,561] vm/INFO/locust.main: Run time limit set to 20 seconds\n"
            "[2026-11-24 10:25:57,561] vm/INFO/locust.main: Starting Locust \n"
            "[2026-11-24 10:25:57,562] vm/INFO/locust.runners: Ramping to 5 users at a rate of "
            "5.00 per second\n"
            "[2026-11-24 10:26:17,435] vm/INFO/locust.main: --run-time limit reached, shutting "
            "down\n"
            "[2026-11-24 10:26:17,436] vm/INFO/locust.main: Shutting down (exit code 1)\n" +
                std::string(kLocustHeadlessFinalReport));
  ASSERT_EQ(split.stats.size(), 2u);
  // The Aggregated lines: the start's 6th line, the last periodic table's 21st.
  EXPECT_EQ(split.stats[0].time, At("2026-11-24T10:25:57.566Z"));
  EXPECT_EQ(split.stats[0].requests, 0);
  EXPECT_EQ(split.stats[0].avg_ms, 0);
  EXPECT_DOUBLE_EQ(split.stats[0].rps, 0);
  const LocustStatsPoint& p = split.stats[1];
  EXPECT_EQ(p.time, At("2026-11-24T10:26:17.42Z"));
  EXPECT_EQ(p.requests, 1532);
  EXPECT_EQ(p.failures, 50);
  EXPECT_EQ(p.avg_ms, 58);
  EXPECT_EQ(p.min_ms, 5);
  EXPECT_EQ(p.max_ms, 359);
  EXPECT_EQ(p.median_ms, 52);
  EXPECT_DOUBLE_EQ(p.rps, 78.80);
  EXPECT_DOUBLE_EQ(p.failures_per_s, 4.10);
  // The text still holds the final report, whole.
  absl::StatusOr<LocustSummary> s = ParseLocustSummary(split.text);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->aggregated.requests, 1703);
}

TEST(SplitLocustJobLogTest, KeepsWhatIsNotACompletePeriodicTable) {
  const std::string table =
      "Type     Name                                                                          # "
      "reqs "
      "     # fails |    Avg     Min     Max    Med |   req/s  failures/s\n"
      "--------|----------------------------------------------------------------------------|------"
      "-"
      "|-------------|-------|-------|-------|-------|--------|-----------\n"
      "         Aggregated                                                                       "
      "369 "
      "    4(1.08%) |     53       5     163     52 |   67.00        0.50\n"
      "\n";
  const std::string bad = absl::StrReplaceAll(table, {{"   67.00", "   67,00"}});
  const std::string line = "[2026-11-24 10:26:17,435] vm/INFO/locust.main: Shutting down\n";
  const absl::Time t = At("2026-11-24T10:26:00Z");
  const struct {
    std::string log;
    std::string text;  // expected
    size_t stats;      // expected
  } cases[] = {
      {"", "", 0},
      {Stamped(table + line, t), line, 1},
      // At the very end of the log: maybe a final report still being written.
      {Stamped(table, t), table, 0},
      // An Aggregated row that does not parse.
      {Stamped(bad + line, t), bad + line, 0},
      // Without timestamps: nothing to place the table at.
      {table + line, table + line, 0},
      // No Aggregated row before the blank line.
      {Stamped(absl::StrCat(table.substr(0, table.find("         Aggregated")), "\n", line), t),
       absl::StrCat(table.substr(0, table.find("         Aggregated")), "\n", line), 0},
      // No newline at the end: none added.
      {Stamped(table + line, t).substr(0, Stamped(table + line, t).size() - 1),
       line.substr(0, line.size() - 1), 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.log);
    LocustJobLog split = SplitLocustJobLog(c.log);
    EXPECT_EQ(split.text, c.text);
    EXPECT_EQ(split.stats.size(), c.stats);
  }
}

TEST(LocustIntervalMeansTest, MeansFromCumulativeRowsWithEnoughNewRequests) {
  const absl::Time t0 = At("2026-11-24T10:00:00Z");
  auto at = [&](int s) { return t0 + absl::Seconds(s); };
  auto point = [&](int s, int64_t requests, int64_t avg_ms) {
    LocustStatsPoint p;
    p.time = at(s);
    p.requests = requests;
    p.avg_ms = avg_ms;
    return p;
  };
  const std::vector<LocustStatsPoint> stats = {
      point(0, 0, 0),      // no requests yet
      point(2, 100, 50),   // 100 new: mean 50
      point(4, 100, 50),   // none new: extends the interval
      point(6, 300, 70),   // (70*300 - 50*100) / 200 = 80
      point(8, 310, 70),   // 10 new, under 310/20: extends the interval
      point(10, 320, 71),  // (71*320 - 70*300) / 20 = 86
      point(12, 40, 30),   // the count fell: from zero again, mean 30
      point(14, 60, 10),   // (10*60 - 30*40) / 20 = -30, truncation error: 0
  };
  std::vector<LocustInterval> means = LocustIntervalMeans(stats);
  ASSERT_EQ(means.size(), 5u);
  const struct {
    absl::Time start, end;
    int64_t requests;
    double mean_ms;
  } want[] = {{at(0), at(2), 100, 50},
              {at(2), at(6), 200, 80},
              {at(6), at(10), 20, 86},
              {at(12), at(12), 40, 30},
              {at(12), at(14), 20, 0}};
  for (size_t i = 0; i < means.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(means[i].start, want[i].start);
    EXPECT_EQ(means[i].end, want[i].end);
    EXPECT_EQ(means[i].requests, want[i].requests);
    EXPECT_DOUBLE_EQ(means[i].mean_ms, want[i].mean_ms);
  }
  EXPECT_TRUE(LocustIntervalMeans({}).empty());
}

}  // namespace
}  // namespace incident
}  // namespace sre_eval
