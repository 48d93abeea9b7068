// The sim's Prometheus API through promtool, a client nobody here wrote (Debian's
// `prometheus` package), during the guide's crash incident: what the monitoring history
// shows agrees with what kubectl shows of the same cluster.
#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "served_sim.h"
#include "test_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

bool HavePromtool() {
  PosixProcessRunner runner;
  SubprocessOptions o;
  o.argv = {"promtool", "--version"};
  o.timeout = absl::Seconds(10);
  auto r = runner.Run(o);
  return r.ok() && r->exit_code == 0;
}

SubprocessResult Promtool(std::vector<std::string> args) {
  PosixProcessRunner runner;
  SubprocessOptions o;
  o.argv = {"promtool"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.timeout = absl::Seconds(30);
  auto r = runner.Run(o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : SubprocessResult();
}

// The value of promtool's one-line answer "{labels} => VALUE @[TIME]".
double Value(const std::string& line) {
  const size_t arrow = line.find("=> ");
  const size_t at = line.find(" @[");
  double v = -1;
  if (arrow == std::string::npos || at == std::string::npos) return v;
  EXPECT_TRUE(absl::SimpleAtod(line.substr(arrow + 3, at - arrow - 3), &v)) << line;
  return v;
}

// The `service` label values of promtool's instant output, sorted and joined by spaces.
std::string ServiceNames(const std::string& out) {
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    const size_t at = line.find("service=\"");
    if (at == absl::string_view::npos) continue;
    const size_t from = at + 9;
    names.emplace_back(line.substr(from, line.find('"', from) - from));
  }
  std::sort(names.begin(), names.end());
  return absl::StrJoin(names, " ");
}

TEST(PrometheusE2eTest, PromtoolSeesTheCrashAsKubectlDoes) {
  if (!HavePromtool()) GTEST_SKIP() << "promtool is not on PATH (Debian package prometheus)";
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not on PATH";
  auto served = ServedSim::Start(7);
  ASSERT_TRUE(served.ok()) << served.status();
  auto kubectl = [&](std::vector<std::string> args) {
    return RunKubectl((*served)->kubeconfig(), (*served)->dir().path(), std::move(args),
                      absl::Seconds(60));
  };
  const std::string manifests = absl::StrCat(SRE_EVAL_SOURCE_DIR, "/incidents/manifests/");
  ASSERT_EQ(
      kubectl({"apply", "-f", manifests + "locustfile.yaml", "-f", manifests + "locust-crash.yaml"})
          .exit_code,
      0);
  (*served)->sim()->AdvanceBy(absl::Minutes(8));
  const std::string url = (*served)->base_url() + "/prometheus";
  // The sim's clock is its own (the incident's recorded times): queries name their time, as
  // an agent given the incident's window does.
  const int64_t end = absl::ToUnixSeconds((*served)->sim()->Now());
  const std::string now = absl::StrCat("--time=", end);

  // Restarts: kube-state-metrics' counter is the pod's restartCount, and every one of them
  // was an OOM kill, which cAdvisor counted.
  const std::string restarts =
      kubectl({"-n", "sock-shop", "get", "pods", "-l", "name=front-end", "-o",
               "jsonpath={.items[0].status.containerStatuses[0].restartCount}"})
          .stdout_data;
  int64_t n = 0;
  ASSERT_TRUE(absl::SimpleAtoi(restarts, &n)) << restarts;
  ASSERT_GE(n, 2);
  SubprocessResult r =
      Promtool({"query", "instant", now, url,
                "sum(kube_pod_container_status_restarts_total{container=\"front-end\"})"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(Value(r.stdout_data), static_cast<double>(n)) << r.stdout_data;
  r = Promtool(
      {"query", "instant", now, url, "sum(container_oom_events_total{container=\"front-end\"})"});
  EXPECT_EQ(Value(r.stdout_data), static_cast<double>(n)) << r.stdout_data;
  r = Promtool({"query", "instant", now, url,
                "kube_pod_container_status_last_terminated_reason{container=\"front-end\"}"});
  EXPECT_TRUE(absl::StrContains(r.stdout_data, "reason=\"OOMKilled\"")) << r.stdout_data;
  EXPECT_EQ(Value(r.stdout_data), 1) << r.stdout_data;
  // The memory peak the history kept is near the 1000Mi limit the kills prove was reached,
  // while `kubectl top` shows only the present.
  r = Promtool(
      {"query", "instant", now, url,
       "max(max_over_time(container_memory_working_set_bytes{container=\"front-end\"}[8m])) "
       "/ max(container_spec_memory_limit_bytes{container=\"front-end\"})"});
  EXPECT_GT(Value(r.stdout_data), 0.85) << r.stdout_data;
  EXPECT_LE(Value(r.stdout_data), 1.0) << r.stdout_data;
  // A range query: one series per pod of the shop, points every minute over the 8 minutes.
  r = Promtool({"query", "range", "--start", absl::StrCat(end - 8 * 60), "--end", absl::StrCat(end),
                "--step", "1m", url,
                "sum by (pod) (rate(container_cpu_usage_seconds_total{namespace=\"sock-shop\","
                "container=\"front-end\"}[1m]))"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_TRUE(absl::StartsWith(r.stdout_data, "{pod=\"front-end-")) << r.stdout_data;
  // The front-end's own request histogram (prom-client's request_duration_seconds): under
  // 3000 users it answered thousands of requests, and their p95 is within its buckets.
  r = Promtool({"query", "instant", now, url,
                "sum(increase(request_duration_seconds_count{service=\"front-end\"}[8m]))"});
  EXPECT_GT(Value(r.stdout_data), 5000) << r.stdout_data;
  r = Promtool({"query", "instant", now, url,
                "histogram_quantile(0.95, sum by (le) (rate(request_duration_seconds_bucket{"
                "route=\"/catalogue\"}[8m])))"});
  EXPECT_GT(Value(r.stdout_data), 0.1) << r.stdout_data;
  EXPECT_LE(Value(r.stdout_data), 10) << r.stdout_data;  // Past 10 s: the highest bound.
  // The services behind it export their own: the Go services request_duration_seconds with
  // mux route names, the Java ones http_request_duration_seconds with Spring's path pattern.
  r = Promtool({"query", "instant", now, url,
                "count by (service) (increase(request_duration_seconds_count[8m]) > 0)"});
  EXPECT_EQ(ServiceNames(r.stdout_data), "catalogue front-end payment user") << r.stdout_data;
  r = Promtool({"query", "instant", now, url,
                "count by (service) (increase(http_request_duration_seconds_count[8m]) > 0)"});
  EXPECT_EQ(ServiceNames(r.stdout_data), "carts orders shipping") << r.stdout_data;
  r = Promtool({"query", "instant", now, url,
                "count by (service, method, route, status_code) "
                "(request_duration_seconds_count{service=\"payment\"})"});
  EXPECT_TRUE(absl::StrContains(
      r.stdout_data,
      R"({method="POST", route="paymentauth", service="payment", status_code="200"} => 1)"))
      << r.stdout_data;
  r = Promtool({"query", "instant", now, url,
                "count by (path, status_code) "
                "(http_request_duration_seconds_bucket{service=\"carts\",method=\"POST\"})"});
  EXPECT_TRUE(absl::StrContains(r.stdout_data,
                                R"({path="/carts/{customerId}/items", status_code="201"} => 15)"))
      << r.stdout_data;  // simpleclient's 14 bounds and +Inf
  // Series and label values.
  r = Promtool({"query", "labels", url, "deployment"});
  EXPECT_EQ(r.stdout_data,
            "carts\ncarts-db\ncatalogue\ncatalogue-db\nfront-end\norders\norders-db\npayment\n"
            "queue-master\nrabbitmq\nsession-db\nshipping\nuser\nuser-db\n");
  // Loki, as logcli asks it (GET query_range with start, end, limit and direction): every
  // instance's logs are kept across the restarts, so the front-end's start-up line shows
  // once per instance: the first and one per restart.
  httplib::Client loki("127.0.0.1", (*served)->port());
  const std::string query = "{app=\"front-end\"} |= \"App now running in production mode\"";
  auto got = loki.Get("/loki/api/v1/query_range",
                      httplib::Params{{"query", query},
                                      {"start", absl::StrCat(end - 7200, "000000000")},
                                      {"end", absl::StrCat(end, "000000000")},
                                      {"limit", "1000"},
                                      {"direction", "BACKWARD"}},
                      httplib::Headers{});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200) << got->body;
  nlohmann::json streams = nlohmann::json::parse(got->body)["data"]["result"];
  size_t lines = 0;
  for (const auto& s : streams) lines += s["values"].size();
  EXPECT_EQ(lines, static_cast<size_t>(n + 1)) << got->body;
  // The same as a metric: a count of the lines over the window.
  got = loki.Get("/loki/api/v1/query",
                 httplib::Params{{"query", "sum(count_over_time(" + query + " [2h]))"},
                                 {"time", absl::StrCat(end)}},
                 httplib::Headers{});
  ASSERT_TRUE(got);
  EXPECT_EQ(nlohmann::json::parse(got->body)["data"]["result"][0]["value"][1], absl::StrCat(n + 1))
      << got->body;

  // Kubernetes' events are kept beyond the API server's hour: after 70 more minutes `kubectl
  // get events` no longer shows the front-end's back-offs, the event stream still does.
  const std::string events_query =
      "{job=\"kubernetes-events\", namespace=\"sock-shop\"} |= \"reason=BackOff\" |= "
      "\"name=front-end-\"";
  got = loki.Get("/loki/api/v1/query_range",
                 httplib::Params{{"query", events_query},
                                 {"start", absl::StrCat(end - 600)},
                                 {"end", absl::StrCat(end)},
                                 {"limit", "1000"}},
                 httplib::Headers{});
  ASSERT_TRUE(got);
  const size_t back_offs = nlohmann::json::parse(got->body)["data"]["result"].size();
  EXPECT_EQ(back_offs, 1u) << got->body;
  auto back_off_events = [&] {
    SubprocessResult e = kubectl(
        {"-n", "sock-shop", "get", "events", "--field-selector", "reason=BackOff", "-o", "name"});
    EXPECT_EQ(e.exit_code, 0) << e.stderr_data;
    return e.stdout_data;
  };
  EXPECT_NE(back_off_events(), "");
  (*served)->sim()->AdvanceBy(absl::Minutes(70));
  EXPECT_EQ(back_off_events(), "");
  auto later = loki.Get("/loki/api/v1/query_range",
                        httplib::Params{{"query", events_query},
                                        {"start", absl::StrCat(end - 600)},
                                        {"end", absl::StrCat(end)},
                                        {"limit", "1000"}},
                        httplib::Headers{});
  ASSERT_TRUE(later);
  EXPECT_EQ(later->body, got->body);

  // Datadog's API through its official npm client (installed by scripts/install-deps.sh):
  // the guide's log search finds the start-up line of every instance, the restart count is
  // kubectl's, and the front-end's back-offs are among the events, one per occurrence (14
  // over the 8 minutes; read after the events' TTL).
  const std::string npm_dir = NpmDir();
  if (!std::filesystem::exists(npm_dir + "/node_modules/@datadog/datadog-api-client")) {
    std::cerr << "the Datadog npm client is not installed (scripts/install-deps.sh); its part of "
                 "this test is skipped\n";
  } else {
    PosixProcessRunner runner;
    SubprocessOptions o;
    o.argv = {"node",
              absl::StrCat(SRE_EVAL_SOURCE_DIR, "/tests/sim/datadog_client.js"),
              npm_dir,
              (*served)->base_url() + "/datadog",
              absl::StrCat(end - 3600),
              absl::StrCat(end)};
    o.timeout = absl::Seconds(60);
    auto dd = runner.Run(o);
    ASSERT_TRUE(dd.ok()) << dd.status();
    EXPECT_EQ(dd->exit_code, 0) << dd->stderr_data;
    EXPECT_EQ(dd->stdout_data,
              absl::StrCat(R"({"startup_lines":)", n + 1, R"(,"first_is_earliest":true,)",
                           R"("restarts_at_end":)", n, R"(,"back_off_events":14,)",
                           R"("trace_p95_in_buckets":true,"trace_services":["front-end"]})", "\n"))
        << dd->stderr_data;
  }

  r = Promtool({"query", "instant", now, url, "rate(kube_pod_info"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(r.stderr_data, "bad_data")) << r.stderr_data;
}

}  // namespace
}  // namespace sre_eval
