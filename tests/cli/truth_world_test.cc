// The truth and the world agree: for every fact `sre-eval record` writes into truth.json on the
// sim, a query to the monitoring APIs the agent is handed (Prometheus, Loki, Datadog) reveals
// it, asked while the agent would be asked (after restore, before cleanup). Each fact names the
// query that shows it; where the world shows a fact only to a resolution (a 15 s scrape, a
// 1 min rate), the tolerance is stated beside it. A fact no API shows is a finding: the world
// gains it, or the rubrics stop asking for it.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/record.h"
#include "gtest/gtest.h"
#include "incident/locust_summary.h"
#include "incident/runner.h"
#include "nlohmann/json.hpp"
#include "test_util.h"
#include "util/http_client.h"

namespace sre_eval {
namespace {

using nlohmann::json;

std::string Unix(absl::Time t) { return absl::StrCat(absl::ToUnixSeconds(t)); }

// The monitoring APIs of one sim, as an agent's tools would call them.
class World {
 public:
  explicit World(const agent::ClusterAccess& how) : how_(how) {}

  json Get(const std::string& url) {
    HttpRequest r;
    r.url = url;
    absl::StatusOr<HttpResponse> got = http_.Send(r);
    if (!got.ok()) {
      ADD_FAILURE() << url << ": " << got.status();
      return json();
    }
    EXPECT_EQ(got->status, 200) << url << ": " << got->body;
    return json::parse(got->body, nullptr, false);
  }

  // An instant query's vector as (labels, value) pairs, from Prometheus or Loki (`base`).
  std::vector<std::pair<json, double>> Vector(const std::string& base, const std::string& query,
                                              absl::Time at) {
    json doc =
        Get(absl::StrCat(base, "/api/v1/query?query=", PercentEncode(query), "&time=", Unix(at)));
    std::vector<std::pair<json, double>> out;
    for (const json& r : doc["data"]["result"]) {
      double v = 0;
      EXPECT_TRUE(absl::SimpleAtod(r["value"][1].get<std::string>(), &v));
      out.emplace_back(r["metric"], v);
    }
    return out;
  }
  std::vector<std::pair<json, double>> Instant(const std::string& query, absl::Time at) {
    return Vector(how_.prometheus, query, at);
  }
  // One number: the only element of an instant vector, or NaN when there is none.
  double Scalar(const std::string& query, absl::Time at) {
    auto v = Instant(query, at);
    EXPECT_LE(v.size(), 1u) << query;
    return v.empty() ? std::nan("") : v[0].second;
  }
  // Prometheus: a range query's series as (labels, [(time, value)]).
  std::vector<std::pair<json, std::vector<std::pair<absl::Time, double>>>> Range(
      const std::string& query, absl::Time start, absl::Time end, int step_seconds = 15) {
    json doc =
        Get(absl::StrCat(how_.prometheus, "/api/v1/query_range?query=", PercentEncode(query),
                         "&start=", Unix(start), "&end=", Unix(end), "&step=", step_seconds));
    std::vector<std::pair<json, std::vector<std::pair<absl::Time, double>>>> out;
    for (const json& r : doc["data"]["result"]) {
      std::vector<std::pair<absl::Time, double>> points;
      for (const json& p : r["values"]) {
        double v = 0;
        EXPECT_TRUE(absl::SimpleAtod(p[1].get<std::string>(), &v));
        points.emplace_back(absl::FromUnixSeconds(p[0].get<int64_t>()), v);
      }
      out.emplace_back(r["metric"], std::move(points));
    }
    return out;
  }

  struct Line {
    absl::Time time;
    json labels;
    std::string text;
  };
  // Loki: the lines of a log query, oldest first.
  std::vector<Line> Logs(const std::string& query, absl::Time start, absl::Time end,
                         int limit = 5000, const char* direction = "forward") {
    json doc = Get(absl::StrCat(how_.loki, "/api/v1/query_range?query=", PercentEncode(query),
                                "&start=", Unix(start), "&end=", Unix(end), "&limit=", limit,
                                "&direction=", direction));
    std::vector<Line> out;
    for (const json& s : doc["data"]["result"]) {
      for (const json& v : s["values"]) {
        int64_t ns = 0;
        EXPECT_TRUE(absl::SimpleAtoi(v[0].get<std::string>(), &ns));
        out.push_back({absl::FromUnixNanos(ns), s["stream"], v[1].get<std::string>()});
      }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Line& a, const Line& b) { return a.time < b.time; });
    return out;
  }
  // Loki: a metric query's vector as (labels, value).
  std::vector<std::pair<json, double>> LogMetric(const std::string& query, absl::Time at) {
    return Vector(how_.loki, query, at);
  }

  // Datadog Logs Search: every matching event (all pages).
  std::vector<json> DatadogLogs(const std::string& query, absl::Time from, absl::Time to) {
    std::vector<json> out;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      json body = {{"filter",
                    {{"query", query},
                     {"from", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", from, absl::UTCTimeZone())},
                     {"to", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", to, absl::UTCTimeZone())}}},
                   {"page", {{"limit", 1000}}}};
      if (!cursor.empty()) body["page"]["cursor"] = cursor;
      HttpRequest r;
      r.method = "POST";
      r.url = how_.datadog + "/api/v2/logs/events/search";
      r.headers = {{"Content-Type", "application/json"}, {"DD-API-KEY", "k"}};
      r.body = body.dump();
      absl::StatusOr<HttpResponse> got = http_.Send(r);
      if (!got.ok() || got->status != 200) {
        ADD_FAILURE() << "datadog search " << query << ": "
                      << (got.ok() ? got->body : got.status().ToString());
        return out;
      }
      json doc = json::parse(got->body, nullptr, false);
      for (const json& e : doc["data"]) out.push_back(e);
      if (!doc["meta"]["page"].contains("after")) break;
      cursor = doc["meta"]["page"]["after"].get<std::string>();
    }
    return out;
  }

 private:
  agent::ClusterAccess how_;
  CurlHttpClient http_;
};

absl::Time Fact(const json& f, const char* name) {
  return At(f.at(name).get<std::string>().c_str());
}

// The deployment a Sock Shop pod belongs to: its name without the replica set's and the pod's
// suffixes.
std::string DeploymentOfPod(const std::string& pod) {
  std::vector<std::string> parts = absl::StrSplit(pod, '-');
  if (parts.size() < 3) return pod;
  parts.resize(parts.size() - 2);
  return absl::StrJoin(parts, "-");
}

std::string Quoted(const std::string& s) { return absl::StrCat("\"", s, "\""); }

// Checks every fact of `truth` against the world; returns the mismatches, one line each.
std::vector<std::string> CheckTruthAgainstWorld(const json& truth, World& w,
                                                std::map<std::string, double>* worst) {
  std::vector<std::string> bad;
  const json& f = truth["facts"];
  const std::string incident = truth["incident"];
  const absl::Time start = Fact(f, "window.start"), end = Fact(f, "window.end"),
                   recovered = Fact(f, "window.recovered");
  const absl::Time after = recovered + absl::Seconds(30);
  const std::string ns = "namespace=\"sock-shop\"";
  auto note_worst = [&](const std::string& what, double err) {
    double& w = (*worst)[what];
    w = std::max(w, err);
  };

  // The Locust runs, from their logs in Loki: users, spawn rate, run time, the final report
  // (the newest 5000 lines hold it), and the run's first line.
  struct LocustLog {
    absl::Time first = absl::InfinitePast(), last = absl::InfinitePast();
    std::string text;
  };
  auto locust = [&](const std::string& job) {
    const std::string q = absl::StrCat("{", ns, ", container=\"locust\", pod=~\"", job, "-.*\"}");
    LocustLog log;
    std::vector<World::Line> head = w.Logs(q, start - absl::Minutes(15), after, 1, "forward");
    std::vector<World::Line> tail = w.Logs(q, start - absl::Minutes(15), after, 5000, "backward");
    if (head.empty() || tail.empty()) return log;
    log.first = head.front().time;
    log.last = tail.back().time;
    for (const World::Line& l : tail) absl::StrAppend(&log.text, l.text, "\n");
    return log;
  };
  {
    LocustLog log = locust("locust-" + incident);
    if (log.text.empty()) {
      bad.push_back("Loki shows no log of the load's Locust pod");
    } else {
      if (incident != "payment") {
        // The window is the run: it starts as the Job is applied and ends when the recorder,
        // polling, sees the Job complete.
        if (absl::AbsDuration(log.first - start) > absl::Seconds(5)) {
          bad.push_back(absl::StrCat("window.start ", f["window.start"].get<std::string>(),
                                     " but Locust's first line is at ",
                                     absl::FormatTime(log.first)));
        }
        note_worst("window.end after Locust's last line (s)",
                   absl::ToDoubleSeconds(end - log.last));
        if (log.last > end || end - log.last > absl::Seconds(30)) {
          bad.push_back(absl::StrCat("window.end ", f["window.end"].get<std::string>(),
                                     " but Locust's last line is at ", absl::FormatTime(log.last)));
        }
      }
      for (const std::string& needle : std::vector<std::string>{
               absl::StrFormat("Ramping to %d users at a rate of %.2f per second",
                               f["load.users"].get<int>(), f["load.spawn_rate"].get<double>()),
               absl::StrCat("Run time limit set to ", f["load.duration"].get<int>(), " seconds")}) {
        if (!absl::StrContains(log.text, needle)) {
          // Said once, at the start: look there too.
          std::vector<World::Line> said =
              w.Logs(absl::StrCat("{", ns, ", container=\"locust\", pod=~\"locust-", incident,
                                  "-.*\"} |= \"", needle, "\""),
                     start - absl::Minutes(15), after);
          if (said.empty()) bad.push_back("Locust's log lacks: " + needle);
        }
      }
      absl::StatusOr<incident::LocustSummary> report = incident::ParseLocustSummary(log.text);
      if (!report.ok()) {
        bad.push_back(absl::StrCat("Locust's report in Loki: ", report.status().ToString()));
      } else {
        const auto& agg = report->aggregated;
        const auto& p = report->aggregated_percentiles.percentiles;
        if (agg.requests != f["load.requests"] || agg.failures != f["load.failures"] ||
            p.at("50%") != f["latency.p50_ms"] || p.at("95%") != f["latency.p95_ms"] ||
            p.at("99%") != f["latency.p99_ms"]) {
          bad.push_back(absl::StrCat("Locust's report in Loki: ", agg.requests, " requests, ",
                                     agg.failures, " failures, p50/95/99 ", p.at("50%"), "/",
                                     p.at("95%"), "/", p.at("99%")));
        }
        if (incident == "payment") {
          const incident::LocustRequestRow* row = report->Find("POST", "/orders");
          if (row == nullptr || row->failures != f["payment.failed_checkouts"]) {
            bad.push_back("Locust's report in Loki: POST /orders failures differ");
          }
        }
      }
    }
  }
  if (f.contains("latency.baseline_p95_ms")) {
    absl::StatusOr<incident::LocustSummary> report =
        incident::ParseLocustSummary(locust("locust-baseline").text);
    if (!report.ok() ||
        report->aggregated_percentiles.percentiles.at("95%") != f["latency.baseline_p95_ms"]) {
      bad.push_back("the baseline's p95 is not in Loki's Locust log");
    }
  }
  // The front-end's own latency histogram shows the slow-down: the p95 of what it answered in
  // the window, near Locust's (which also counts requests the front-end never answered).
  if (incident == "latency") {
    const int64_t seconds = absl::ToInt64Seconds(end - start);
    double p95 = w.Scalar(
        absl::StrCat("histogram_quantile(0.95, sum by (le) (increase(request_duration_seconds_"
                     "bucket{service=\"front-end\"}[",
                     seconds, "s])))"),
        end);
    const double truth_s = f["latency.p95_ms"].get<double>() / 1000;
    note_worst("latency p95 (front-end histogram / Locust)", std::abs(std::log(p95 / truth_s)));
    // Seeds 1-20: at most a factor 1.17 apart.
    if (!(p95 > truth_s / 1.5 && p95 < truth_s * 1.5)) {
      bad.push_back(absl::StrCat("front-end histogram p95 ", p95, " s, Locust ", truth_s, " s"));
    }
  }

  // Limits: kube-state-metrics' kube_pod_container_resource_limits, exactly.
  {
    std::map<std::pair<std::string, std::string>, std::pair<double, double>> limits;
    for (const auto& [labels, v] :
         w.Instant(absl::StrCat("kube_pod_container_resource_limits{", ns, "}"),
                   start + absl::Seconds(15))) {
      auto& l = limits[{DeploymentOfPod(labels["pod"]), labels["container"]}];
      (labels["resource"] == "cpu" ? l.first : l.second) = v;
    }
    for (const json& l : f["limits"]) {
      auto it = limits.find({l["deployment"], l["container"]});
      const std::string cpu = l["cpu"], memory = l["memory"];
      int64_t m = 0, mi = 0;
      const bool parsed = absl::SimpleAtoi(absl::StripSuffix(cpu, "m"), &m) &&
                          absl::SimpleAtoi(absl::StripSuffix(memory, "Mi"), &mi);
      if (it == limits.end() || !parsed || std::llround(it->second.first * 1000) != m ||
          std::llround(it->second.second) != mi * 1048576) {
        bad.push_back(
            absl::StrCat("limits of ", l.dump(), " not in kube_pod_container_resource_limits"));
      }
    }
  }

  // Restarts: kube_pod_container_status_restarts_total's rise from the window's start.
  {
    std::map<std::pair<std::string, std::string>, double> before;
    for (const auto& [labels, v] :
         w.Instant(absl::StrCat("kube_pod_container_status_restarts_total{", ns, "}"), start)) {
      before[{labels["pod"], labels["container"]}] = v;
    }
    int total = 0;
    std::map<std::pair<std::string, std::string>, int> rise;
    for (const auto& [labels, v] :
         w.Instant(absl::StrCat("kube_pod_container_status_restarts_total{", ns, "}"), after)) {
      const int r = static_cast<int>(v - before[{labels["pod"], labels["container"]}]);
      if (r > 0) rise[{labels["pod"], labels["container"]}] = r;
      total += std::max(r, 0);
    }
    if (total != f["restarts.total"]) {
      bad.push_back(absl::StrCat("restarts.total ", f["restarts.total"].dump(),
                                 " but the restart counters rose by ", total));
    }
    for (const json& r : f["restarts.by_container"]) {
      if (rise[{r["pod"], r["container"]}] != r["restarts"]) {
        bad.push_back("restarts of " + r.dump() + " differ from the counter's rise");
      }
    }
  }

  // OOM kills: the count from cAdvisor's container_oom_events_total, the times from
  // kube_pod_container_status_last_terminated_timestamp (every kill on record).
  {
    const std::string q = absl::StrCat("sum(container_oom_events_total{", ns, "})");
    const double rise = w.Scalar(q, after) - w.Scalar(q, start);
    if (static_cast<int>(rise) != f["oom_kills.count"]) {
      bad.push_back(absl::StrCat("oom_kills.count ", f["oom_kills.count"].dump(),
                                 " but container_oom_events_total rose by ", rise));
    }
    std::set<std::pair<std::string, int64_t>> seen;
    for (const auto& [labels, points] :
         w.Range(absl::StrCat("kube_pod_container_status_last_terminated_timestamp{", ns,
                              "} * on (namespace, pod, container) group_left "
                              "kube_pod_container_status_last_terminated_reason{reason="
                              "\"OOMKilled\"}"),
                 start, after)) {
      for (const auto& [t, v] : points) seen.insert({labels["pod"], std::llround(v)});
    }
    for (const json& k : f["oom_kills"]) {
      const int64_t t = absl::ToUnixSeconds(At(k["time"].get<std::string>().c_str()));
      if (seen.count({k["pod"], t}) == 0) {
        bad.push_back("OOM kill " + k.dump() + " not in last_terminated_timestamp");
      }
    }
  }

  // Crash loops: each period shows as CrashLoopBackOff in a scrape, or as the kubelet's
  // BackOff event (kept in Loki's kubernetes-events stream) within it.
  if (!f["crashloop.periods"].empty()) {
    auto waiting = w.Range(absl::StrCat("kube_pod_container_status_waiting_reason{", ns,
                                        ", reason=\"CrashLoopBackOff\"} == 1"),
                           start, after);
    std::vector<World::Line> events =
        w.Logs("{job=\"kubernetes-events\"} |= \"BackOff\"", start, after);
    for (const json& p : f["crashloop.periods"]) {
      const absl::Time ps = At(p["start"].get<std::string>().c_str()),
                       pe = At(p["end"].get<std::string>().c_str());
      bool shown = false;
      for (const auto& [labels, points] : waiting) {
        if (labels["pod"] != p["pod"]) continue;
        for (const auto& [t, v] : points) shown |= t >= ps - absl::Seconds(15) && t <= pe;
      }
      for (const World::Line& e : events) {
        shown |= absl::StrContains(e.text, p["pod"].get<std::string>()) &&
                 e.time >= ps - absl::Seconds(15) && e.time <= pe;
      }
      if (!shown) bad.push_back("crash loop " + p.dump() + " not shown");
    }
  }

  // Peaks: cAdvisor's CPU rate over a minute and working set, at their highest in the window,
  // against what `kubectl top` showed the recorder (metrics-server's own window).
  for (const json& u : f["peak_usage"]) {
    const std::string sel = absl::StrCat("{", ns, ", pod=", Quoted(u["pod"]),
                                         ", container=", Quoted(u["container"]), "}");
    const int64_t window = absl::ToInt64Seconds(end - start) + 60;
    const double cpu_m = 1000 * w.Scalar(absl::StrCat("max_over_time(irate(container_cpu_usage_"
                                                      "seconds_total",
                                                      sel, "[1m])[", window, "s:15s])"),
                                         end + absl::Seconds(60));
    double mem_mib = w.Scalar(absl::StrCat("max_over_time(container_memory_working_set_bytes", sel,
                                           "[", window, "s])"),
                              end + absl::Seconds(60)) /
                     1048576;
    // A container the kernel OOM-killed peaked at its limit, at an instant no scrape sees:
    // its OOM events and its limit show it.
    const double killed = w.Scalar(
        absl::StrCat("max_over_time(container_oom_events_total", sel, "[", window,
                     "s]) - min_over_time(container_oom_events_total", sel, "[", window, "s])"),
        end + absl::Seconds(60));
    if (killed > 0) {
      mem_mib = w.Scalar(absl::StrCat("max_over_time(container_spec_memory_limit_bytes", sel, "[",
                                      window, "s])"),
                         end + absl::Seconds(60)) /
                1048576;
    }
    const double truth_cpu = u["cpu_millicores"].get<double>();
    const double truth_mem = u["memory_mib"].get<double>();
    const double cpu_err = std::abs(cpu_m - truth_cpu) / std::max(truth_cpu, 20.0);
    // The truth's peak is the highest `kubectl top` sample; for a killed container the samples
    // may have missed the instant it reached the limit, which the world shows.
    const double mem_err = killed > 0 && truth_mem <= mem_mib
                               ? 0
                               : std::abs(mem_mib - truth_mem) / std::max(truth_mem, 20.0);
    note_worst("peak cpu", cpu_err);
    note_worst("peak memory", mem_err);
    if (mem_err > 0.1 || cpu_err > 0.1) {
      std::printf("%s %s/%s: truth %.0fm %.0fMi, world %.1fm %.1fMi\n", incident.c_str(),
                  u["pod"].get<std::string>().c_str(), u["container"].get<std::string>().c_str(),
                  truth_cpu, truth_mem, cpu_m, mem_mib);
    }
    // Seeds 1-20: at most 10% (CPU) and 4.5% (memory) apart.
    if (!(cpu_err <= 0.15) || !(mem_err <= 0.15)) {
      bad.push_back(absl::StrCat("peak of ", u["pod"].get<std::string>(), "/",
                                 u["container"].get<std::string>(), ": truth ", truth_cpu, "m ",
                                 truth_mem, "Mi, Prometheus ", cpu_m, "m ", mem_mib, "Mi"));
    }
  }

  // Log signatures: LogQL counts of the same patterns in the services' logs.
  {
    const int64_t span = absl::ToInt64Seconds(after - start) + 3600;
    std::map<std::pair<std::string, std::string>, int> world_counts;
    int totals[3] = {0, 0, 0};
    const char* patterns[] = {"slow query", "connection pool exhausted", "connection refused"};
    const char* facts[] = {"logs.slow_query", "logs.connection_pool_exhausted",
                           "logs.connection_refused"};
    for (int i = 0; i < 3; ++i) {
      for (const auto& [labels, v] : w.LogMetric(absl::StrCat("sum by (app) (count_over_time({", ns,
                                                              ", container!=\"locust\"} |~ "
                                                              "\"(?i)",
                                                              patterns[i], "\" [", span, "s]))"),
                                                 after)) {
        world_counts[{labels.value("app", ""), patterns[i]}] = static_cast<int>(v);
        totals[i] += static_cast<int>(v);
      }
      if (totals[i] < f[facts[i]].get<int>()) {
        bad.push_back(
            absl::StrCat(facts[i], " ", f[facts[i]].dump(), " but Loki counts ", totals[i]));
      }
    }
    for (const json& s : f["logs.by_service"]) {
      if (world_counts[{s["service"], s["pattern"]}] < s["count"].get<int>()) {
        bad.push_back("log count " + s.dump() + " above Loki's");
      }
    }
  }

  // The payment outage: payment's replicas in kube-state-metrics, the failed orders in the
  // orders service's log lines (Loki and Datadog's Logs Search).
  if (incident == "payment") {
    const double before =
        w.Scalar("max_over_time(kube_deployment_spec_replicas{deployment=\"payment\"}[2m])",
                 start - absl::Seconds(15));
    const double during =
        w.Scalar(absl::StrCat("min_over_time(kube_deployment_status_replicas_available{deployment="
                              "\"payment\"}[",
                              absl::ToInt64Seconds(end - start), "s])"),
                 end);
    // The window is the outage: payment's desired replicas are 0 from window.start (the first
    // scrape after it) and back at window.end.
    const std::string spec = "kube_deployment_spec_replicas{deployment=\"payment\"}";
    if (w.Scalar(spec, start + absl::Seconds(15)) != 0 ||
        w.Scalar(spec, start - absl::Seconds(1)) != before ||
        w.Scalar(spec, end - absl::Seconds(1)) != 0 ||
        w.Scalar(spec, end + absl::Seconds(15)) != before) {
      bad.push_back("payment's kube_deployment_spec_replicas does not mark the window");
    }
    if (before != f["payment.replicas_before"].get<double>() ||
        during != f["payment.replicas_during"].get<double>()) {
      bad.push_back(absl::StrCat("payment replicas before/during ", before, "/", during));
    }
    std::set<std::string> shown;
    for (const World::Line& l :
         w.Logs(absl::StrCat("{", ns, ", app=\"orders\"} |= \"PAYMENT_FAILED\""), start,
                end + absl::Seconds(61))) {
      // "Order <id> saved with status PAYMENT_FAILED (customer <id>, total <amount>)"
      size_t at = l.text.find("Order ");
      if (at == std::string::npos) continue;
      std::vector<std::string> words = absl::StrSplit(l.text.substr(at), ' ');
      if (words.size() < 10) continue;
      shown.insert(absl::StrCat(words[1], " ", absl::StripSuffix(words[7], ","), " ",
                                absl::StripSuffix(words[9], ")"), " ",
                                absl::ToUnixSeconds(l.time)));
    }
    std::set<std::string> wanted;
    for (const json& o : f["payment.failed_orders"]) {
      wanted.insert(absl::StrCat(o["id"].get<std::string>(), " ", o["customer"].get<std::string>(),
                                 " ", absl::StrFormat("%.2f", o["amount"].get<double>()), " ",
                                 absl::ToUnixSeconds(At(o["time"].get<std::string>().c_str()))));
    }
    if (shown != wanted) {
      bad.push_back(absl::StrCat("failed orders in Loki [", absl::StrJoin(shown, "; "),
                                 "], truth [", absl::StrJoin(wanted, "; "), "]"));
    }
    std::vector<json> dd = w.DatadogLogs(
        "kube_namespace:sock-shop service:orders \"saved with status PAYMENT_FAILED\"", start,
        end + absl::Seconds(61));
    if (static_cast<int>(dd.size()) != f["payment.failed_order_count"].get<int>()) {
      bad.push_back(absl::StrCat("Datadog's Logs Search finds ", dd.size(),
                                 " failed orders, truth ", f["payment.failed_order_count"].dump()));
    }
  }

  // The limits the guide names, and recovery: every deployment available again by the first
  // scrape after window.recovered.
  {
    const double unavailable =
        w.Scalar(absl::StrCat("count(kube_deployment_status_replicas_available{", ns,
                              "} < kube_deployment_spec_replicas{", ns, "})"),
                 recovered + absl::Seconds(15));
    if (!std::isnan(unavailable)) {
      bad.push_back(absl::StrCat(unavailable,
                                 " deployment(s) still unavailable 15 s after "
                                 "window.recovered"));
    }
  }
  return bad;
}

RecordOptions WorldOptions(const std::string& out, uint64_t seed) {
  RecordOptions o;
  o.env = "sim";
  o.seed = seed;
  o.out = out;
  o.suite = SRE_EVAL_SOURCE_DIR;
  o.incidents = {"crash", "latency", "payment"};
  return o;
}

class SilentProgress : public incident::Progress {
 public:
  void StepStarted(const std::string&, const std::string&, int, int, const std::string&) override {}
  void Waiting(const std::string&, absl::Duration, absl::Duration, int, int) override {}
  void Note(const std::string&, const std::string&) override {}
  void Finished(const std::string&, const std::string&) override {}
};

class TruthAndWorldTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(TruthAndWorldTest, EveryFactOfTheTruthIsShownByAMonitoringQuery) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; record drives the real one";
  TempDir dir;
  RecordOptions o = WorldOptions(dir.path() + "/run", GetParam());
  std::map<std::string, double> worst;
  int checked = 0;
  o.after_incident = [&](const incident::IncidentResult& r, const agent::ClusterAccess& how) {
    if (!r.truth.has_value()) {
      ADD_FAILURE() << r.incident << ": no truth";
      return true;
    }
    World world(how);
    std::vector<std::string> bad = CheckTruthAgainstWorld(*r.truth, world, &worst);
    EXPECT_TRUE(bad.empty()) << r.incident << " seed " << GetParam() << ":\n  "
                             << absl::StrJoin(bad, "\n  ");
    ++checked;
    return true;
  };
  SilentProgress progress;
  std::atomic<int> interrupts{0};
  RecordRun run;
  std::ostringstream err;
  ASSERT_EQ(Record(o, &progress, &interrupts, &run, err), 0) << err.str();
  EXPECT_EQ(checked, 3);
  for (const auto& [what, err] : worst) {
    RecordProperty(what, absl::StrFormat("%.3f", err));
    std::printf("seed %llu worst %s: %.3f\n", static_cast<unsigned long long>(GetParam()),
                what.c_str(), err);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, TruthAndWorldTest, ::testing::Range<uint64_t>(1, 21),
                         [](const ::testing::TestParamInfo<uint64_t>& info) {
                           return absl::StrCat("seed", info.param);
                         });

}  // namespace
}  // namespace sre_eval
