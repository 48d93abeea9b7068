// PromQL over a hand-made History (sim/monitoring/promql.h) with values worked out by hand
// from Prometheus' definitions, and the HTTP API's exact JSON (sim/monitoring/prometheus_api.h).
#include "sim/monitoring/promql.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "sim/monitoring/history.h"
#include "sim/monitoring/prometheus_api.h"

namespace sre_eval {
namespace sim {
namespace {

absl::Time At(int seconds) { return absl::FromUnixSeconds(1000000 + seconds); }
int64_t Ms(int seconds) { return absl::ToUnixMillis(At(seconds)); }

History Fixture() {
  History h;
  for (int i = 0; i <= 4; ++i) {
    // A counter growing 1/s, and one that resets after 30 s.
    h.Add("c", {{"job", "a"}}, At(15 * i), 15.0 * i);
    h.Add("c", {{"job", "b"}}, At(15 * i), i <= 2 ? 10.0 * i : 5.0 * (i - 2));
  }
  h.Add("g", {{"pod", "x"}, {"ns", "shop"}}, At(60), 2);
  h.Add("g", {{"pod", "y"}, {"ns", "shop"}}, At(60), 3);
  h.Add("lim", {{"pod", "x"}, {"ns", "shop"}, {"res", "cpu"}}, At(60), 4);
  for (const auto& [le, n] :
       std::vector<std::pair<std::string, double>>{{"0.1", 10}, {"0.5", 30}, {"+Inf", 40}}) {
    h.Add("h_bucket", {{"le", le}, {"route", "/"}}, At(60), n);
  }
  return h;
}

// The expression's value at `t` seconds, rendered "labels => value" per element, in order.
std::string Eval(const History& h, const std::string& query, int t = 60) {
  std::string error;
  auto e = ParsePromQL(query, &error);
  if (e == nullptr) return "parse: " + error;
  PromValue v;
  if (!EvalInstant(*e, h, Ms(t), &v, &error)) return "eval: " + error;
  if (v.type == PromType::kScalar) return FormatPromValue(v.scalar);
  std::string out;
  for (const PromPoint& p : v.vector) {
    std::string labels;
    for (const auto& [n, val] : p.metric)
      absl::StrAppend(&labels, labels.empty() ? "" : ",", n, "=", val);
    absl::StrAppend(&out, out.empty() ? "" : " ", "{", labels, "}=", FormatPromValue(p.v));
  }
  return out;
}

TEST(PromQLTest, CountersRateAndIncreaseAsPrometheusExtrapolates) {
  const History h = Fixture();
  EXPECT_EQ(Eval(h, "rate(c{job=\"a\"}[1m])"), "{job=a}=1");
  // At 50 s the window [-10 s, 50 s] holds 0..45: extrapolated to the zero point and 5 s on.
  EXPECT_EQ(Eval(h, "increase(c{job=\"a\"}[1m])", 50), "{job=a}=50");
  EXPECT_EQ(Eval(h, "rate(c{job=\"a\"}[1m])", 50), "{job=a}=0.8333333333333334");
  // A reset is not a decrease: 0, 10, 20, then 5, 10 counts 20 + 10.
  EXPECT_EQ(Eval(h, "increase(c{job=\"b\"}[1m])"), "{job=b}=30");
  EXPECT_EQ(Eval(h, "irate(c[1m])"), "{job=a}=1 {job=b}=0.3333333333333333");
  EXPECT_EQ(Eval(h, "resets(c[5m])"), "{job=a}=0 {job=b}=1");
  EXPECT_EQ(Eval(h, "deriv(c{job=\"a\"}[1m])"), "{job=a}=1");
  EXPECT_EQ(Eval(h, "delta(c{job=\"a\"}[1m] offset 15s)"), "{job=a}=60");
  EXPECT_EQ(Eval(h, "max_over_time(c[5m])"), "{job=a}=60 {job=b}=20");
  EXPECT_EQ(Eval(h, "avg_over_time(c{job=\"a\"}[5m])"), "{job=a}=30");
  EXPECT_EQ(Eval(h, "count_over_time(c{job=\"a\"}[30s])"), "{job=a}=3");
  EXPECT_EQ(Eval(h, "quantile_over_time(0.5, c{job=\"a\"}[5m])"), "{job=a}=30");
  EXPECT_EQ(Eval(h, "last_over_time(c{job=\"a\"}[5m])"), "{__name__=c,job=a}=60");
  EXPECT_EQ(Eval(h, "max_over_time(rate(c{job=\"a\"}[30s])[1m:15s])"), "{job=a}=1");
}

TEST(PromQLTest, SelectorsAggregationsAndMatching) {
  const History h = Fixture();
  EXPECT_EQ(Eval(h, "g"), "{__name__=g,ns=shop,pod=x}=2 {__name__=g,ns=shop,pod=y}=3");
  EXPECT_EQ(Eval(h, "g{pod=~\"x|z\"}"), "{__name__=g,ns=shop,pod=x}=2");
  EXPECT_EQ(Eval(h, "g{pod!~\"x\"}"), "{__name__=g,ns=shop,pod=y}=3");
  // Five minutes of look-back, no more.
  EXPECT_EQ(Eval(h, "g", 360), "{__name__=g,ns=shop,pod=x}=2 {__name__=g,ns=shop,pod=y}=3");
  EXPECT_EQ(Eval(h, "g", 361), "");
  EXPECT_EQ(Eval(h, "sum(g)"), "{}=5");
  EXPECT_EQ(Eval(h, "sum by (ns) (g)"), "{ns=shop}=5");
  EXPECT_EQ(Eval(h, "max without (pod) (g)"), "{ns=shop}=3");
  EXPECT_EQ(Eval(h, "count(g) by (pod)"), "{pod=x}=1 {pod=y}=1");
  EXPECT_EQ(Eval(h, "topk(1, g)"), "{__name__=g,ns=shop,pod=y}=3");
  EXPECT_EQ(Eval(h, "bottomk(1, g)"), "{__name__=g,ns=shop,pod=x}=2");
  EXPECT_EQ(Eval(h, "avg(g) * 2 + 1"), "{}=6");
  EXPECT_EQ(Eval(h, "g > 2"), "{__name__=g,ns=shop,pod=y}=3");
  EXPECT_EQ(Eval(h, "g > bool 2"), "{ns=shop,pod=x}=0 {ns=shop,pod=y}=1");
  EXPECT_EQ(Eval(h, "g / on(pod) lim"), "{pod=x}=0.5");
  EXPECT_EQ(Eval(h, "g / ignoring(res) lim"), "{ns=shop,pod=x}=0.5");
  EXPECT_EQ(Eval(h, "g * on(pod) group_left(res) lim"), "{ns=shop,pod=x,res=cpu}=8");
  EXPECT_EQ(Eval(h, "g and on(pod) lim"), "{__name__=g,ns=shop,pod=x}=2");
  EXPECT_EQ(Eval(h, "g unless on(pod) lim"), "{__name__=g,ns=shop,pod=y}=3");
  EXPECT_EQ(Eval(h, "-g{pod=\"x\"}"), "{ns=shop,pod=x}=-2");
  EXPECT_EQ(Eval(h, "2 ^ 3 ^ 2"), "512");
  EXPECT_EQ(Eval(h, "-2 ^ 2"), "-4");
  EXPECT_EQ(Eval(h, "scalar(sum(g)) / 2"), "2.5");
  EXPECT_EQ(Eval(h, "absent(nothing{job=\"z\"})"), "{job=z}=1");
  EXPECT_EQ(Eval(h, "sort_desc(g)"), "{__name__=g,ns=shop,pod=y}=3 {__name__=g,ns=shop,pod=x}=2");
  EXPECT_EQ(Eval(h, "label_replace(g{pod=\"x\"}, \"app\", \"$1-app\", \"pod\", \"(.*)\")"),
            "{__name__=g,app=x-app,ns=shop,pod=x}=2");
  EXPECT_EQ(Eval(h, "time()"), "1000060");
}

TEST(PromQLTest, HistogramQuantileInterpolatesWithinTheBucket) {
  const History h = Fixture();
  // 0.1 + (0.5 - 0.1) * 10/20, in floating point.
  EXPECT_EQ(Eval(h, "histogram_quantile(0.5, h_bucket)"), "{route=/}=0.30000000000000004");
  // In the +Inf bucket: the highest finite bound.
  EXPECT_EQ(Eval(h, "histogram_quantile(0.9, h_bucket)"), "{route=/}=0.5");
  EXPECT_EQ(Eval(h, "histogram_quantile(0.5, sum by (le) (h_bucket))"), "{}=0.30000000000000004");
}

TEST(PromQLTest, ErrorsAreWordedAsPrometheusWordsThem) {
  const History h = Fixture();
  EXPECT_EQ(Eval(h, "sum(g"), "parse: 1:6: parse error: unexpected end of input, expected \")\"");
  EXPECT_EQ(Eval(h, "foo(g)"), "parse: 1:1: parse error: unknown function with name \"foo\"");
  EXPECT_EQ(Eval(h, "rate(g)"),
            "parse: 1:6: parse error: expected type range vector in call to function \"rate\", "
            "got instant vector");
  EXPECT_EQ(Eval(h, "{}"),
            "parse: 1:3: parse error: vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(Eval(h, "g{pod=~\"(\"}"),
            "parse: 1:8: parse error: error parsing regexp: missing ): (");
  EXPECT_EQ(Eval(h, "g + on(ns) g"),
            "eval: found duplicate series for the match group on the right hand-side of the "
            "operation; many-to-many matching not allowed: matching labels must be unique on one "
            "side");
}

TEST(PrometheusApiTest, AnswersInPrometheusEnvelope) {
  const History h = Fixture();
  auto api = [&](const std::string& endpoint,
                 std::vector<std::pair<std::string, std::string>> params) {
    MonitoringReply r = PrometheusApi(h, endpoint, params, At(60));
    return absl::StrCat(r.status, " ", r.body);
  };
  EXPECT_EQ(
      api("query", {{"query", "g{pod=\"x\"}"}}),
      R"(200 {"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"g","ns":"shop","pod":"x"},"value":[1000060,"2"]}]}})");
  EXPECT_EQ(
      api("query", {{"query", "1/3"}, {"time", "1000060.5"}}),
      R"(200 {"status":"success","data":{"resultType":"scalar","result":[1000060.5,"0.3333333333333333"]}})");
  EXPECT_EQ(
      api("query_range", {{"query", "c{job=\"a\"}"},
                          {"start", "1000000"},
                          {"end", "1970-01-12T13:47:40Z"},
                          {"step", "20s"}}),
      R"(200 {"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"c","job":"a"},"values":[[1000000,"0"],[1000020,"15"],[1000040,"30"],[1000060,"60"]]}]}})");
  EXPECT_EQ(
      api("series", {{"match[]", "lim"}}),
      R"(200 {"status":"success","data":[{"__name__":"lim","ns":"shop","pod":"x","res":"cpu"}]})");
  EXPECT_EQ(api("labels", {}),
            R"(200 {"status":"success","data":["__name__","job","le","ns","pod","res","route"]})");
  EXPECT_EQ(api("label/pod/values", {}), R"(200 {"status":"success","data":["x","y"]})");
  EXPECT_EQ(
      api("query", {{"query", "sum("}}),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected end of input"})");
  EXPECT_EQ(
      api("query_range", {{"query", "g"}, {"start", "1"}, {"end", "2"}, {"step", "0"}}),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"})");
  // A query that is not UTF-8 is answered, the bytes replaced in the error (found by fuzzing).
  EXPECT_EQ(api("query", {{"query", "\xff("}}),
            "400 {\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter "
            "\\\"query\\\": 1:1: parse error: unexpected character: '\xef\xbf\xbd'\"}");
  EXPECT_EQ(
      api("series", {}),
      R"(400 {"status":"error","errorType":"bad_data","error":"no match[] parameter provided"})");
  // A clock 1 minute ahead of the client's: times are read and shown in the client's.
  MonitoringReply shifted = PrometheusApi(
      h, "query", {{"query", "g{pod=\"y\"}"}, {"time", "1000000"}}, At(60), absl::Seconds(-60));
  EXPECT_EQ(
      shifted.body,
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"g","ns":"shop","pod":"y"},"value":[1000000,"3"]}]}})");
}

TEST(PromQLTest, DurationsAndValuesAsPrometheusWritesThem) {
  int64_t ms = 0;
  EXPECT_TRUE(ParsePromDuration("1h30m", &ms));
  EXPECT_EQ(ms, 5400000);
  EXPECT_TRUE(ParsePromDuration("250ms", &ms));
  EXPECT_EQ(ms, 250);
  EXPECT_FALSE(ParsePromDuration("30m1h", &ms));
  EXPECT_FALSE(ParsePromDuration("5", &ms));
  EXPECT_EQ(FormatPromValue(1e-7), "0.0000001");
  EXPECT_EQ(FormatPromValue(123456789012.5), "123456789012.5");
  EXPECT_EQ(FormatPromValue(1.0 / 0.0), "+Inf");
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
