// Loki's API over kept container instances (sim/monitoring/loki_api.h): streams across a
// restart, line filters, the json and logfmt parsers, metric queries, and Loki's answers.
#include "sim/monitoring/loki_api.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sim/monitoring/log_streams.h"
#include "sim/shop/log_book.h"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {
namespace {

absl::Time At(int seconds) { return absl::FromUnixSeconds(1800000000 + seconds); }

class LokiApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A pod whose container restarted at 100 s: the first instance ran 0-90 s. (An app the
    // sim's log styles do not know: its process writes only its start-up line.)
    nlohmann::json pod = {
        {"metadata",
         {{"name", "ledger-1"},
          {"namespace", "sock-shop"},
          {"uid", "u1"},
          {"labels", {{"name", "ledger"}}}}},
        {"status",
         {{"podIP", "10.244.0.9"},
          {"containerStatuses",
           {{{"name", "ledger"},
             {"state", {{"running", {{"startedAt", ApiTime(At(100))}}}}},
             {"lastState",
              {{"terminated",
                {{"startedAt", ApiTime(At(0))}, {"finishedAt", ApiTime(At(90))}}}}}}}}}}};
    streams_.Observe(pod);
    book_.Add("u1", "ledger", At(0), At(10), R"({"level":"info","msg":"order 1 saved"})");
    book_.Add("u1", "ledger", At(0), At(80), R"({"level":"error","msg":"order 2 PAYMENT_FAILED"})");
    book_.Add("u1", "ledger", At(100), At(110), "level=error status=failed msg=\"order 3\"");
    book_.Add("u1", "ledger", At(100), At(120), "level=info status=paid msg=\"order 4\"");
  }

  std::string Api(const std::string& endpoint,
                  std::vector<std::pair<std::string, std::string>> params) {
    MonitoringReply r = LokiApi(streams_, book_, 7, endpoint, params, At(130));
    return absl::StrCat(r.status, " ", r.body);
  }

  // The lines a log query returns, in order, joined by " | ".
  std::string Lines(const std::string& query, const std::string& limit = "100",
                    const std::string& direction = "backward") {
    MonitoringReply r = LokiApi(streams_, book_, 7, "query_range",
                                {{"query", query},
                                 {"start", absl::StrCat(absl::ToUnixNanos(At(0)))},
                                 {"end", absl::StrCat(absl::ToUnixNanos(At(130)))},
                                 {"limit", limit},
                                 {"direction", direction}},
                                At(130));
    if (r.status != 200) return absl::StrCat(r.status, " ", r.body);
    std::string out;
    const nlohmann::json body = nlohmann::json::parse(r.body);
    for (const auto& s : body["data"]["result"]) {
      for (const auto& v : s["values"]) {
        absl::StrAppend(&out, out.empty() ? "" : " | ", v[1].get<std::string>());
      }
    }
    return out;
  }

  LogStreams streams_;
  LogBook book_;
};

TEST_F(LokiApiTest, LinesOfEveryInstanceAreKeptAndFiltered) {
  EXPECT_EQ(Lines("{app=\"ledger\"} |= \"order\""),
            "level=info status=paid msg=\"order 4\" | level=error status=failed msg=\"order 3\" | "
            "{\"level\":\"error\",\"msg\":\"order 2 PAYMENT_FAILED\"} | "
            "{\"level\":\"info\",\"msg\":\"order 1 saved\"}");
  EXPECT_EQ(Lines("{app=\"ledger\"} |= \"order\"", "2", "FORWARD"),
            "{\"level\":\"info\",\"msg\":\"order 1 saved\"} | "
            "{\"level\":\"error\",\"msg\":\"order 2 PAYMENT_FAILED\"}");
  EXPECT_EQ(Lines("{app=\"ledger\"} |~ \"PAYMENT_(FAILED|DECLINED)\""),
            "{\"level\":\"error\",\"msg\":\"order 2 PAYMENT_FAILED\"}");
  EXPECT_EQ(Lines("{namespace=\"sock-shop\"} | json | level=\"error\""),
            "{\"level\":\"error\",\"msg\":\"order 2 PAYMENT_FAILED\"}");
  EXPECT_EQ(Lines("{pod=~\"ledger-.*\"} | logfmt | status!=\"paid\" |= \"order\" != \"saved\" != "
                  "\"PAYMENT\""),
            "level=error status=failed msg=\"order 3\"");
  EXPECT_EQ(Lines("{app=\"carts\"}"), "");
}

TEST_F(LokiApiTest, StreamsMetricsAndLabelsAsLokiAnswers) {
  EXPECT_EQ(
      Api("query_range", {{"query", "{app=\"ledger\"} |= \"order 4\""}}),
      absl::StrCat(
          R"(200 {"status":"success","data":{"resultType":"streams","result":[{"stream":{"app":"ledger","container":"ledger","job":"sock-shop/ledger","namespace":"sock-shop","node_name":"sre-eval-sim-control-plane","pod":"ledger-1"},"values":[[")",
          absl::ToUnixNanos(At(120)),
          R"(","level=info status=paid msg=\"order 4\""]]}],"stats":{"summary":{"totalEntriesReturned":1}}}})"));
  EXPECT_EQ(
      Api("query",
          {{"query", "sum by (app) (count_over_time({app=\"ledger\"} |= \"order\" [2m]))"}}),
      R"(200 {"status":"success","data":{"resultType":"vector","result":[{"metric":{"app":"ledger"},"value":[1800000130,"3"]}],"stats":{}}})");
  EXPECT_EQ(
      Api("query_range",
          {{"query", "count_over_time({app=\"ledger\"} | logfmt | level=\"error\" [1m])"},
           {"start", "1800000060"},
           {"end", "1800000120"},
           {"step", "60"}}),
      R"(200 {"status":"success","data":{"resultType":"matrix","result":[{"metric":{"app":"ledger","container":"ledger","job":"sock-shop/ledger","level":"error","msg":"order 3","namespace":"sock-shop","node_name":"sre-eval-sim-control-plane","pod":"ledger-1","status":"failed"},"values":[[1800000120,"1"]]}],"stats":{}}})");
  EXPECT_EQ(
      Api("labels", {}),
      R"(200 {"status":"success","data":["app","container","job","namespace","node_name","pod"]})");
  EXPECT_EQ(Api("label/pod/values", {}), R"(200 {"status":"success","data":["ledger-1"]})");
  EXPECT_EQ(Api("query_range", {{"query", "{app=\"ledger\""}}),
            "400 parse error at line 1, col 14: syntax error: expected , or }\n");
  EXPECT_EQ(Api("query_range", {{"query", "{app=~\".*\"}"}}),
            "400 parse error at line 1, col 12: queries require at least one regexp or equality "
            "matcher that does not have an empty-compatible value\n");
  EXPECT_EQ(Api("query_range", {{"query", "{app=\"ledger\"}"}, {"limit", "9000"}}),
            "400 max entries limit per query exceeded, limit > max_entries_limit (9000 > 5000)\n");
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
