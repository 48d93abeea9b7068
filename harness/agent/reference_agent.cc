#include "agent/reference_agent.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "agent/reference_act.h"
#include "agent/reference_answers.h"
#include "agent/reference_findings.h"
#include "cluster/orders.h"
#include "cluster/types.h"
#include "incident/locust_summary.h"
#include "nlohmann/json.hpp"
#include "util/http_client.h"
#include "util/status_macros.h"

namespace sre_eval {
namespace agent {
namespace reference {
namespace {

using cluster::Kubectl;

// "front-end-6f8c9d7b5-x2k9p" -> "front-end".
std::string DeploymentOf(const cluster::Pod& pod) {
  std::string name =
      pod.owner_kind == "ReplicaSet" ? pod.owner_name : pod.name.substr(0, pod.name.rfind('-'));
  return name.substr(0, name.rfind('-'));
}
std::string DeploymentOfName(const std::string& pod) {
  std::string rs = pod.substr(0, pod.rfind('-'));
  return rs.substr(0, rs.rfind('-'));
}

std::string ArgAfter(const std::vector<std::string>& args, const char* short_flag,
                     const char* long_flag) {
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == short_flag || args[i] == long_flag) && i + 1 < args.size()) return args[i + 1];
    if (absl::StartsWith(args[i], absl::StrCat(long_flag, "="))) {
      return args[i].substr(std::string(long_flag).size() + 1);
    }
  }
  return "";
}

LoadRun ReadLoad(Kubectl* k, const cluster::Job& job) {
  LoadRun run;
  run.job = job.name;
  int n = 0;
  if (absl::SimpleAtoi(ArgAfter(job.args, "-u", "--users"), &n)) run.users = n;
  if (absl::SimpleAtoi(ArgAfter(job.args, "-r", "--spawn-rate"), &n)) run.spawn_rate = n;
  run.run_time = ArgAfter(job.args, "-t", "--run-time");
  absl::StatusOr<std::string> log = k->JobLogs(job.name);
  if (log.ok()) {
    absl::StatusOr<incident::LocustSummary> report = incident::ParseLocustSummary(*log);
    if (report.ok()) run.report = *std::move(report);
  }
  return run;
}

// The orders made while the incident lasted (the window, with a minute's slack), through the
// orders API: from its newest page back to the window's start.
absl::Status ReadOrders(Kubectl* k, Findings* f) {
  absl::StatusOr<std::vector<nlohmann::json>> orders =
      cluster::ReadOrders(k, f->start - absl::Minutes(1));
  if (!orders.ok()) return orders.status();
  for (const nlohmann::json& o : *orders) {
    if (!o.is_object() || o.value("status", "") != "PAYMENT_FAILED") continue;
    Order order;
    order.id = o.value("id", "");
    order.status = "PAYMENT_FAILED";
    order.customer_id = o.value("customerId", "");
    if (auto c = o.find("customer"); c != o.end() && c->is_object()) {
      order.customer_name = absl::StrCat(c->value("firstName", ""), " ", c->value("lastName", ""));
    }
    if (auto t = o.find("total"); t != o.end() && t->is_number()) order.total = t->get<double>();
    order.date = cluster::OrderTime(o);
    if (order.date == absl::InfinitePast() || order.id.empty()) continue;
    if (order.date < f->start - absl::Minutes(1) || order.date > f->end + absl::Minutes(1)) {
      continue;
    }
    f->failed_orders.push_back(std::move(order));
  }
  std::stable_sort(f->failed_orders.begin(), f->failed_orders.end(),
                   [](const Order& a, const Order& b) { return a.date < b.date; });
  f->orders_read = true;
  return absl::OkStatus();
}

// One instant query: (labels, value) per element of the answer's vector.
absl::StatusOr<std::vector<std::pair<nlohmann::json, double>>> PromQuery(HttpClient* http,
                                                                         const std::string& base,
                                                                         const std::string& query,
                                                                         absl::Time at) {
  HttpRequest r;
  // At the server's own now when `at` is infinite.
  r.url = absl::StrCat(base, "/api/v1/query?query=", PercentEncode(query));
  if (at != absl::InfiniteFuture()) absl::StrAppend(&r.url, "&time=", absl::ToUnixSeconds(at));
  r.timeout = absl::Seconds(30);
  r.max_response_bytes = size_t{4} << 20;
  absl::StatusOr<HttpResponse> got = http->Send(r);
  if (!got.ok()) return got.status();
  nlohmann::json doc = nlohmann::json::parse(got->body, nullptr, false);
  if (got->status != 200 || !doc.is_object() || doc.value("status", "") != "success") {
    return absl::UnavailableError(absl::StrCat("Prometheus answered ", got->status));
  }
  std::vector<std::pair<nlohmann::json, double>> out;
  const nlohmann::json& result = doc["data"]["result"];
  if (!result.is_array()) return out;
  for (const nlohmann::json& e : result) {
    if (!e.is_object() || !e.contains("value") || !e["value"].is_array() ||
        e["value"].size() != 2 || !e["value"][1].is_string()) {
      continue;
    }
    double v = 0;
    if (!absl::SimpleAtod(e["value"][1].get<std::string>(), &v) || std::isnan(v)) continue;
    out.emplace_back(e.value("metric", nlohmann::json::object()), v);
  }
  return out;
}

// The window's history from Prometheus (cAdvisor's counters and gauges): each container's
// highest CPU rate over 15 s and working set, and the OOM kills. An SRE's first queries.
absl::Status ReadMonitoring(HttpClient* http, const AgentRequest& request, Findings* f) {
  const std::string& base = request.cluster.prometheus;
  if (base.empty() || !Known(f->start) || !Known(f->end)) return absl::OkStatus();
  const std::string ns = request.cluster.ns.empty() ? "sock-shop" : request.cluster.ns;
  const std::string sel = absl::StrCat("{namespace=\"", ns, "\", container!=\"\"}");
  const int64_t window = std::max<int64_t>(60, absl::ToInt64Seconds(f->end - f->start));
  // Evaluated a minute after the window's end, so that the last rates are in.
  const absl::Time at = f->end + absl::Seconds(60);
  const std::string range = absl::StrCat("[", window + 60, "s");
  std::map<std::pair<std::string, std::string>, Findings::Peak> peaks;
  auto key = [](const nlohmann::json& m) {
    return std::make_pair(m.value("pod", ""), m.value("container", ""));
  };
  // Each query fills one field of every container's Peak, scaled from Prometheus' unit.
  struct Query {
    int64_t Findings::Peak::*field;
    double scale;
    std::string promql;
  };
  constexpr double kMib = 1.0 / (1024 * 1024);
  const Query queries[] = {
      {&Findings::Peak::cpu_m, 1000,
       absl::StrCat("max by (pod, container) (max_over_time(irate(container_cpu_usage_"
                    "seconds_total",
                    sel, "[1m])", range, ":15s]))")},
      {&Findings::Peak::cpu_median_m, 1000,
       absl::StrCat("max by (pod, container) (quantile_over_time(0.5, irate(container_cpu_usage_"
                    "seconds_total",
                    sel, "[1m])", range, ":15s]))")},
      {&Findings::Peak::memory_mib, kMib,
       absl::StrCat("max by (pod, container) (max_over_time(container_memory_"
                    "working_set_bytes",
                    sel, range, "]))")},
      {&Findings::Peak::cpu_limit_m, 1000,
       absl::StrCat("max by (pod, container) (max_over_time(kube_pod_container_"
                    "resource_limits{namespace=\"",
                    ns, "\", resource=\"cpu\"}", range, "]))")},
      {&Findings::Peak::memory_limit_mib, kMib,
       absl::StrCat("max by (pod, container) (max_over_time(kube_pod_container_"
                    "resource_limits{namespace=\"",
                    ns, "\", resource=\"memory\"}", range, "]))")}};
  for (const Query& q : queries) {
    ASSIGN_OR_RETURN(auto rows, PromQuery(http, base, q.promql, at));
    for (const auto& [labels, v] : rows) {
      auto [pod, container] = key(labels);
      if (pod.empty() || container.empty()) continue;
      Findings::Peak& p = peaks[{pod, container}];
      p.pod = pod;
      p.container = container;
      p.deployment = DeploymentOfName(pod);
      p.*q.field = std::llround(v * q.scale);
    }
  }
  // The OOM kills since the window started, up to now (cAdvisor counts a kill once its
  // container runs again): each counter's rise.
  const std::string oom = absl::StrCat("container_oom_events_total", sel);
  ASSIGN_OR_RETURN(auto before, PromQuery(http, base, oom, f->start));
  ASSIGN_OR_RETURN(auto now, PromQuery(http, base, oom, absl::InfiniteFuture()));
  std::map<std::pair<std::string, std::string>, double> at_start;
  for (const auto& [labels, v] : before) at_start[key(labels)] = v;
  f->oom_events = 0;
  for (const auto& [labels, v] : now) {
    const int rise = static_cast<int>(std::llround(v - at_start[key(labels)]));
    auto p = peaks.find(key(labels));
    if (rise <= 0 || p == peaks.end()) continue;
    p->second.oom_kills = rise;
    f->oom_events += rise;
  }
  for (auto& [k, p] : peaks) {
    if (p.cpu_m >= 0 && p.memory_mib >= 0) f->peaks.push_back(std::move(p));
  }
  f->monitoring = true;
  return absl::OkStatus();
}

absl::StatusOr<Findings> Investigate(Kubectl* k, HttpClient* http, const AgentRequest& request) {
  Findings f;
  if (!request.window_start.empty()) {
    absl::StatusOr<absl::Time> t = cluster::ParseApiTime(request.window_start);
    if (t.ok()) f.start = *t;
  }
  if (!request.window_end.empty()) {
    absl::StatusOr<absl::Time> t = cluster::ParseApiTime(request.window_end);
    if (t.ok()) f.end = *t;
  }
  absl::StatusOr<cluster::Snapshot> snap = k->GetSnapshot();
  if (!snap.ok()) return snap.status();

  // Restarts: a container whose last termination ended in the window restarted in it.
  std::map<std::string, const cluster::Pod*> pods;
  for (const cluster::Pod& pod : snap->pods) {
    pods[pod.name] = &pod;
    if (pod.owner_kind != "ReplicaSet") continue;
    for (const cluster::ContainerStatus& c : pod.containers) {
      if (c.restart_count == 0 || !c.last_terminated.has_value()) continue;
      const cluster::Termination& t = *c.last_terminated;
      if (t.finished_at < f.start) {
        if (t.reason == "OOMKilled") {
          f.earlier_oom_restarts += c.restart_count;
          f.earlier_oom_at = std::max(f.earlier_oom_at, t.finished_at);
        }
        continue;
      }
      Restart r{pod.name, c.name,      DeploymentOf(pod), c.restart_count,
                t.reason, t.exit_code, t.finished_at,     c.running_since};
      f.restarts_total += r.count;
      if (r.reason == "OOMKilled") f.oom_kills += r.count;
      f.restarts.push_back(std::move(r));
    }
  }
  for (const cluster::Event& e : snap->events) {
    if (e.reason == "BackOff" && e.object_kind == "Pod" && e.last_time >= f.start) {
      for (const Restart& r : f.restarts) {
        if (r.pod != e.object_name) continue;
        f.backoffs += e.count;
        f.backoff_first = std::min(f.backoff_first, std::max(e.first_time, f.start));
        f.backoff_last = std::max(f.backoff_last, e.last_time);
      }
    }
    if (e.reason == "ScalingReplicaSet" && e.object_name == "payment" &&
        e.last_time >= f.start - absl::Minutes(1) && e.first_time <= f.end + absl::Minutes(1)) {
      if (absl::StrContains(e.message, " to 0")) {
        f.payment_scaled_to = 0;
        f.payment_down_at = e.first_time;
      } else if (absl::StrContains(e.message, "Scaled up")) {
        f.payment_up_at = e.last_time;
      }
    }
  }
  for (const cluster::Deployment& d : snap->deployments) {
    f.replicas[d.name] = d.replicas;
    if (!d.containers.empty()) f.limits[d.name] = d.containers.front();
  }
  for (const cluster::Pod& pod : snap->pods) {
    if (DeploymentOf(pod) != "payment" || pod.containers.empty()) continue;
    f.payment_running_since = pod.containers.front().running_since;
    f.payment_ready_since = pod.ready_since;
  }
  for (const cluster::PodMetrics& m : snap->metrics) {
    auto p = pods.find(m.pod);
    if (p == pods.end() || p->second->owner_kind != "ReplicaSet") continue;
    f.metrics_at = std::max(f.metrics_at, m.timestamp);
    for (const cluster::ContainerUsage& c : m.containers) {
      Usage u{m.pod, DeploymentOf(*p->second), c.cpu_millicores, c.memory_bytes / (1024 * 1024)};
      for (const cluster::ContainerResources& r : p->second->resources) {
        if (r.name != c.name) continue;
        if (absl::StatusOr<int64_t> v = cluster::ParseCpuMillicores(r.cpu_limit); v.ok()) {
          u.cpu_limit_m = *v;
        }
        if (absl::StatusOr<int64_t> v = cluster::ParseMemoryBytes(r.memory_limit); v.ok()) {
          u.memory_limit_mib = *v / (1024 * 1024);
        }
      }
      f.usage.push_back(std::move(u));
    }
  }

  // What follows reads independent things: the load tests Locust ran (their jobs' logs end
  // with Locust's report), the services' logs since the window started and the previous
  // instance of each container that restarted in it. They are read at once, as an SRE opens
  // several terminals: each kubectl call costs its start-up more than its request.
  std::map<LoadRun*, const cluster::Job*> loads;  // the last job of each kind, as listed
  for (const cluster::Job& job : snap->jobs) {
    if (!absl::StartsWith(job.name, "locust-")) continue;
    if (job.name == "locust-baseline") {
      loads[&f.baseline] = &job;
    } else if (job.name == "locust-crash" && job.start_time < f.start) {
      loads[&f.crash_load] = &job;
    } else if (job.start_time >= f.start - absl::Minutes(1) && job.start_time <= f.end) {
      loads[&f.load] = &job;
    }
  }
  std::vector<std::thread> readers;
  for (const auto& [into, job] : loads) {
    readers.emplace_back([k, job = job, into = into]() { *into = ReadLoad(k, *job); });
  }
  std::vector<absl::StatusOr<std::string>> previous(f.restarts.size(), std::string());
  for (size_t i = 0; i < f.restarts.size(); ++i) {
    readers.emplace_back([k, &f, &previous, i]() {
      previous[i] = k->Logs(f.restarts[i].pod, f.restarts[i].container, true, f.start);
    });
  }
  absl::StatusOr<cluster::Kubectl::LogsByContainer> logs =
      k->LogsBySelector("name", f.start, snap->pods);
  for (std::thread& t : readers) t.join();
  if (!logs.ok()) return logs.status();
  std::map<std::pair<std::string, std::string>, std::string> texts = *std::move(logs);
  for (size_t i = 0; i < f.restarts.size(); ++i) {
    if (previous[i].ok()) {
      texts[{f.restarts[i].pod + " (previous)", f.restarts[i].container}] = *previous[i];
    }
  }
  for (const auto& [key, text] : texts) {
    std::string service = DeploymentOfName(key.first.substr(0, key.first.find(' ')));
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      std::string lower = absl::AsciiStrToLower(line);
      for (int i = 0; i < 3; ++i) {
        if (!absl::StrContains(lower, kPatterns[i])) continue;
        ++f.log_totals[i];
        auto [it, inserted] = f.log_counts.try_emplace(service, std::array<int, 3>{0, 0, 0});
        ++it->second[i];
      }
    }
  }
  if (f.payment_scaled_to.has_value() || f.log_totals[kConnectionRefused] > 0) {
    absl::Status read = ReadOrders(k, &f);
    if (!read.ok()) return read;
  }
  // Monitoring adds history; without it (or when it fails) the answers stand on kubectl's.
  if (http != nullptr && !ReadMonitoring(http, request, &f).ok()) {
    f.monitoring = false;
    f.peaks.clear();
    f.oom_events = -1;
  }
  return f;
}

}  // namespace
}  // namespace reference

namespace {

using cluster::Kubectl;
using reference::Findings;

class ReferenceAgent final : public Agent {
 public:
  ReferenceAgent(ProcessRunner* runner, Clock* wall, std::function<cluster::KubectlLog*()> log)
      : runner_(runner), wall_(wall), log_(std::move(log)) {}

  std::string kind() const override { return "reference"; }
  std::string context_mode() const override { return "none"; }

  AgentAnswer Ask(const AgentRequest& request) override {
    if (request.acting()) {
      cluster::KubectlTarget target;
      target.kubeconfig = request.cluster.kubeconfig;
      target.context = request.cluster.context;
      if (!request.cluster.ns.empty()) target.ns = request.cluster.ns;
      target.cache_dir = request.cluster.kube_cache_dir;
      Kubectl kubectl(target, runner_, wall_, log_ ? log_() : nullptr);
      return reference::Act(&kubectl, request, wall_);
    }
    AgentAnswer answer;
    answer.attempts = 1;
    const absl::Time t0 = wall_->Now();
    absl::StatusOr<std::shared_ptr<const Findings>> found = Find(request, &answer.reused);
    if (found.ok()) {
      answer.text = reference::Answer(**found, request);
    } else {
      answer.error = absl::StrCat("investigating the cluster failed: ", found.status().message());
    }
    answer.latency = wall_->Now() - t0;
    return answer;
  }

 private:
  using Key =
      std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>;
  struct Entry {
    absl::Mutex mu;
    std::shared_ptr<const Findings> findings ABSL_GUARDED_BY(mu);
  };

  // The findings for the request's incident and cluster: one investigation, shared by its
  // prompts (a failed one is not kept, so the next prompt tries again).
  // `*reused`: the findings were there before this call.
  absl::StatusOr<std::shared_ptr<const Findings>> Find(const AgentRequest& request, bool* reused) {
    if (request.cluster.context.empty()) {
      return absl::FailedPreconditionError("the request names no cluster context");
    }
    Key key{request.incident,   request.cluster.kubeconfig, request.cluster.context,
            request.cluster.ns, request.window_start,       request.window_end};
    std::shared_ptr<Entry> entry;
    {
      absl::MutexLock lock(&mu_);
      std::shared_ptr<Entry>& slot = cache_[key];
      if (slot == nullptr) slot = std::make_shared<Entry>();
      entry = slot;
    }
    absl::MutexLock lock(&entry->mu);
    *reused = entry->findings != nullptr;
    if (entry->findings != nullptr) return entry->findings;
    cluster::KubectlTarget target;
    target.kubeconfig = request.cluster.kubeconfig;
    target.context = request.cluster.context;
    if (!request.cluster.ns.empty()) target.ns = request.cluster.ns;
    target.cache_dir = request.cluster.kube_cache_dir;
    Kubectl kubectl(target, runner_, wall_, log_ ? log_() : nullptr);
    // A client of its own for each investigation, closed when it is over: a connection kept
    // alive to the sim would hold its server's Stop for the keep-alive timeout (5 s).
    std::unique_ptr<HttpClient> http;
    if (!request.cluster.prometheus.empty()) http = std::make_unique<CurlHttpClient>();
    absl::StatusOr<Findings> f = reference::Investigate(&kubectl, http.get(), request);
    if (!f.ok()) return f.status();
    entry->findings = std::make_shared<const Findings>(*std::move(f));
    return entry->findings;
  }

  ProcessRunner* runner_;
  Clock* wall_;
  std::function<cluster::KubectlLog*()> log_;
  absl::Mutex mu_;
  std::map<Key, std::shared_ptr<Entry>> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<Agent> MakeReferenceAgent(ProcessRunner* runner, Clock* wall,
                                          std::function<cluster::KubectlLog*()> log) {
  return std::make_unique<ReferenceAgent>(runner, wall, std::move(log));
}

}  // namespace agent
}  // namespace sre_eval
