#include "sim/monitoring/scrape.h"

#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sim/kube/controllers.h"
#include "sim/kube/controllers_internal.h"
#include "sim/monitoring/promql.h"
#include "sim/store/validation.h"

namespace sre_eval {
namespace sim {
namespace {

using internal::At;
using internal::Str;

constexpr char kKsmInstance[] = "10.244.0.4:8080";

Labels Cadvisor(const std::string& ns, const std::string& pod, const std::string& container,
                const std::string& image) {
  return {{"container", container},
          {"endpoint", "https-metrics"},
          {"image", image},
          {"instance", absl::StrCat(kNodeIp, ":10250")},
          {"job", "kubelet"},
          {"metrics_path", "/metrics/cadvisor"},
          {"namespace", ns},
          {"node", kNodeName},
          {"pod", pod},
          {"service", "kubelet"}};
}

Labels Ksm(Labels own) {
  own.emplace_back("instance", kKsmInstance);
  own.emplace_back("job", "kube-state-metrics");
  own.emplace_back("service", "kube-state-metrics");
  return own;
}

double Number(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : 0; }

}  // namespace

Scraper::Scraper(History* history, LogStreams* logs) : history_(history), logs_(logs) {
  const std::pair<const char*, MetricInfo> kInfo[] = {
      {"container_cpu_usage_seconds_total",
       {"counter", "Cumulative cpu time consumed in seconds.", ""}},
      {"container_memory_working_set_bytes", {"gauge", "Current working set in bytes.", ""}},
      {"container_cpu_cfs_periods_total",
       {"counter", "Number of elapsed enforcement period intervals.", ""}},
      {"container_cpu_cfs_throttled_periods_total",
       {"counter", "Number of throttled period intervals.", ""}},
      {"container_cpu_cfs_throttled_seconds_total",
       {"counter", "Total time duration the container has been throttled.", ""}},
      {"container_oom_events_total",
       {"counter", "Count of out of memory events observed for the container", ""}},
      {"container_spec_memory_limit_bytes", {"gauge", "Memory limit for the container.", ""}},
      {"container_spec_cpu_quota", {"gauge", "CPU quota of the container.", ""}},
      {"container_spec_cpu_period", {"gauge", "CPU period of the container.", ""}},
      {"kube_pod_container_status_restarts_total",
       {"counter", "The number of container restarts per container.", ""}},
      {"kube_pod_container_status_last_terminated_reason",
       {"gauge", "Describes the last reason the container was in terminated state.", ""}},
      {"kube_pod_container_status_last_terminated_exitcode",
       {"gauge", "Describes the exit code for the last container in terminated state.", ""}},
      {"kube_pod_container_status_last_terminated_timestamp",
       {"gauge", "Last terminated time for a pod container in unix timestamp.", ""}},
      {"kube_pod_container_status_waiting_reason",
       {"gauge", "Describes the reason the container is currently in waiting state.", ""}},
      {"kube_pod_container_status_running",
       {"gauge", "Describes whether the container is currently in running state.", ""}},
      {"kube_pod_container_status_ready",
       {"gauge", "Describes whether the containers readiness check succeeded.", ""}},
      {"kube_pod_container_status_waiting",
       {"gauge", "Describes whether the container is currently in waiting state.", ""}},
      {"kube_pod_container_status_terminated",
       {"gauge", "Describes whether the container is currently in terminated state.", ""}},
      {"kube_pod_container_resource_limits",
       {"gauge", "The number of requested limit resource by a container.", ""}},
      {"kube_pod_container_resource_requests",
       {"gauge", "The number of requested request resource by a container.", ""}},
      {"kube_pod_container_info", {"gauge", "Information about a container in a pod.", ""}},
      {"kube_pod_status_phase", {"gauge", "The pods current phase.", ""}},
      {"kube_pod_status_ready",
       {"gauge", "Describes whether the pod is ready to serve requests.", ""}},
      {"kube_deployment_spec_replicas", {"gauge", "Number of desired pods for a deployment.", ""}},
      {"kube_deployment_status_replicas", {"gauge", "The number of replicas per deployment.", ""}},
      {"kube_deployment_status_replicas_available",
       {"gauge", "The number of available replicas per deployment.", ""}},
      {"kube_deployment_status_replicas_unavailable",
       {"gauge", "The number of unavailable replicas per deployment.", ""}},
      {"kube_deployment_status_replicas_updated",
       {"gauge", "The number of updated replicas per deployment.", ""}},
      {"request_duration_seconds",
       {"histogram", "Time (in seconds) spent serving HTTP requests.", ""}},
      {"http_request_duration_seconds", {"histogram", "Request duration in seconds.", ""}},
  };
  for (const auto& [name, info] : kInfo) history_->Describe(name, info);
}

namespace {

constexpr const char* kPhases[] = {"Pending", "Running", "Succeeded", "Failed", "Unknown"};
constexpr const char* kReady[] = {"true", "false", "unknown"};
// kube-state-metrics' per-container gauges, in Instance::ksm's order.
constexpr const char* kKsmContainer[] = {"kube_pod_container_info",
                                         "kube_pod_container_status_restarts_total",
                                         "kube_pod_container_status_running",
                                         "kube_pod_container_status_waiting",
                                         "kube_pod_container_status_terminated",
                                         "kube_pod_container_status_ready"};
// cAdvisor's, in Instance::cadvisor's order.
constexpr const char* kCadvisor[] = {"container_cpu_usage_seconds_total",
                                     "container_memory_working_set_bytes",
                                     "container_oom_events_total",
                                     "container_spec_memory_limit_bytes",
                                     "container_spec_cpu_quota",
                                     "container_spec_cpu_period",
                                     "container_cpu_cfs_periods_total",
                                     "container_cpu_cfs_throttled_periods_total",
                                     "container_cpu_cfs_throttled_seconds_total"};
constexpr const char* kDeployment[] = {
    "kube_deployment_spec_replicas", "kube_deployment_status_replicas",
    "kube_deployment_status_replicas_available", "kube_deployment_status_replicas_unavailable",
    "kube_deployment_status_replicas_updated"};
constexpr const char* kDeploymentField[] = {"replicas", "replicas", "availableReplicas",
                                            "unavailableReplicas", "updatedReplicas"};

constexpr size_t kNone = static_cast<size_t>(-1);

std::optional<double> QuantityValue(const nlohmann::json& q) {
  if (!q.is_string()) return std::nullopt;
  std::optional<long double> millis = QuantityMillis(q.get<std::string>());
  if (!millis.has_value()) return std::nullopt;
  return static_cast<double>(*millis / 1000);
}

}  // namespace

void Scraper::Scrape(
    absl::Time t, const ObjectStore& store,
    const std::function<Usage(const nlohmann::json&, const std::string&, absl::Time)>& usage,
    const LoadModel* load) {
  History& h = *history_;
  if (load != nullptr) ScrapeServices(t, store, *load);
  const bool busy = load != nullptr && !load->Idle();
  store.ForEach("pods", "", [&](const nlohmann::json& pod) {
    logs_->Observe(pod);
    const std::string& uid = Str(At(pod, {"metadata", "uid"}));
    const std::string ns = Str(At(pod, {"metadata", "namespace"}));
    const std::string name = Str(At(pod, {"metadata", "name"}));
    const Labels pod_labels = {{"namespace", ns}, {"pod", name}, {"uid", uid}};
    PodRefs& refs = pods_[uid];
    if (refs.phase.empty()) {
      for (const char* p : kPhases) {
        Labels l = pod_labels;
        l.emplace_back("phase", p);
        refs.phase.push_back(h.SeriesIndex("kube_pod_status_phase", Ksm(l)));
      }
      for (const char* c : kReady) {
        Labels l = pod_labels;
        l.emplace_back("condition", c);
        refs.ready.push_back(h.SeriesIndex("kube_pod_status_ready", Ksm(l)));
      }
    }
    const std::string& phase = Str(At(pod, {"status", "phase"}));
    for (size_t i = 0; i < 5; ++i) h.AddTo(refs.phase[i], t, phase == kPhases[i] ? 1 : 0);
    std::string ready = "unknown";
    for (const nlohmann::json& c : At(pod, {"status", "conditions"})) {
      if (Str(At(c, {"type"})) == "Ready") {
        ready = Str(At(c, {"status"})) == "True" ? "true" : "false";
      }
    }
    for (size_t i = 0; i < 3; ++i) h.AddTo(refs.ready[i], t, ready == kReady[i] ? 1 : 0);

    for (const nlohmann::json& spec : At(pod, {"spec", "containers"})) {
      const std::string container = Str(At(spec, {"name"}));
      const std::string image = Str(At(spec, {"image"}));
      Labels c_labels = pod_labels;
      c_labels.emplace_back("container", container);
      Instance& in = instances_[absl::StrCat(uid, "/", container)];
      if (!in.seen || in.image != image) {
        in.seen = true;
        in.image = image;
        in.ksm.clear();
        for (const char* metric : kKsmContainer) {
          Labels l = c_labels;
          if (std::string(metric) == "kube_pod_container_info") {
            l.emplace_back("image", image);
            l.emplace_back("image_spec", image);
          }
          in.ksm.push_back(h.SeriesIndex(metric, Ksm(l)));
        }
        in.resources.assign(4, kNone);
        in.cadvisor.clear();
        const Labels cl = Cadvisor(ns, name, container, image);
        for (const char* metric : kCadvisor) in.cadvisor.push_back(h.SeriesIndex(metric, cl));
      }
      h.AddTo(in.ksm[0], t, 1);
      size_t r = 0;
      for (const char* kind : {"limits", "requests"}) {
        for (const char* resource : {"cpu", "memory"}) {
          if (auto v = QuantityValue(At(spec, {"resources", kind, resource}))) {
            if (in.resources[r] == kNone) {
              Labels l = c_labels;
              l.emplace_back("node", kNodeName);
              l.emplace_back("resource", resource);
              l.emplace_back("unit", std::string(resource) == "cpu" ? "core" : "byte");
              in.resources[r] =
                  h.SeriesIndex(std::string("kube_pod_container_resource_") + kind, Ksm(l));
            }
            h.AddTo(in.resources[r], t, *v);
          }
          ++r;
        }
      }
      const nlohmann::json* status = nullptr;
      for (const nlohmann::json& cs : At(pod, {"status", "containerStatuses"})) {
        if (Str(At(cs, {"name"})) == container) status = &cs;
      }
      if (status == nullptr) continue;
      const nlohmann::json& state = At(*status, {"state"});
      const bool running = At(state, {"running"}).is_object();
      const bool waiting = At(state, {"waiting"}).is_object();
      const int64_t restarts = static_cast<int64_t>(Number(At(*status, {"restartCount"})));
      h.AddTo(in.ksm[1], t, static_cast<double>(restarts));
      h.AddTo(in.ksm[2], t, running ? 1 : 0);
      h.AddTo(in.ksm[3], t, waiting ? 1 : 0);
      h.AddTo(in.ksm[4], t, At(state, {"terminated"}).is_object() ? 1 : 0);
      h.AddTo(in.ksm[5], t,
              At(*status, {"ready"}).is_boolean() && At(*status, {"ready"}).get<bool>() ? 1 : 0);
      const std::string& last_reason = Str(At(*status, {"lastState", "terminated", "reason"}));
      if (!last_reason.empty()) {
        Labels l = c_labels;
        l.emplace_back("reason", last_reason);
        h.Add("kube_pod_container_status_last_terminated_reason", Ksm(l), t, 1);
        const nlohmann::json& code = At(*status, {"lastState", "terminated", "exitCode"});
        if (code.is_number()) {
          h.Add("kube_pod_container_status_last_terminated_exitcode", Ksm(c_labels), t,
                code.get<double>());
        }
        const absl::Time finished =
            ParseApiTime(At(*status, {"lastState", "terminated", "finishedAt"}));
        if (finished != absl::InfinitePast()) {
          h.Add("kube_pod_container_status_last_terminated_timestamp", Ksm(c_labels), t,
                absl::ToDoubleSeconds(finished - absl::UnixEpoch()));
        }
      }
      if (waiting) {
        Labels l = c_labels;
        l.emplace_back("reason", Str(At(state, {"waiting", "reason"})));
        h.Add("kube_pod_container_status_waiting_reason", Ksm(l), t, 1);
      }
      // cAdvisor: the running instance's cgroup.
      if (restarts > in.restarts) {
        if (last_reason == "OOMKilled")
          in.oom_events += static_cast<double>(restarts - in.restarts);
        in.restarts = restarts;
      }
      if (!running) continue;
      const std::string& started = Str(At(state, {"running", "startedAt"}));
      if (started != in.started) {
        in.started = started;
        in.cpu_seconds = in.periods = in.throttled = 0;
        in.last = ParseApiTime(At(state, {"running", "startedAt"}));
      }
      const Usage u = usage(pod, container, t);
      const double seconds = std::max(0.0, absl::ToDoubleSeconds(t - in.last));
      const double cores = static_cast<double>(u.cpu_nanocores) / 1e9;
      if (busy && seconds <= 60) {
        // Under load, usage changes from second to second: the counter adds up each one
        // (as the kernel's cpuacct does), not the scrape's instant times the interval.
        auto cores_at = [&](absl::Time at) {
          return at == t ? cores
                         : static_cast<double>(usage(pod, container, at).cpu_nanocores) / 1e9;
        };
        double used = 0;
        absl::Time s = t;
        for (; s - absl::Seconds(1) >= in.last; s -= absl::Seconds(1)) used += cores_at(s);
        // The part of a second since the instance started, at that second's usage.
        const double rest = absl::ToDoubleSeconds(s - in.last);
        if (rest > 0) used += rest * cores_at(s);
        in.cpu_seconds += used;
      } else {
        in.cpu_seconds += cores * seconds;
      }
      in.last = t;
      h.AddTo(in.cadvisor[0], t, in.cpu_seconds);
      h.AddTo(in.cadvisor[1], t, static_cast<double>(u.memory_bytes));
      h.AddTo(in.cadvisor[2], t, in.oom_events);
      if (auto m = QuantityValue(At(spec, {"resources", "limits", "memory"}))) {
        h.AddTo(in.cadvisor[3], t, *m);
      }
      if (auto limit_cores = QuantityValue(At(spec, {"resources", "limits", "cpu"}))) {
        // 100 ms CFS periods; at the limit (99% and above) every period is throttled.
        const double periods = std::floor(seconds * 10);
        in.periods += periods;
        if (cores >= *limit_cores * 0.99) in.throttled += periods;
        h.AddTo(in.cadvisor[4], t, *limit_cores * 100000);
        h.AddTo(in.cadvisor[5], t, 100000);
        h.AddTo(in.cadvisor[6], t, in.periods);
        h.AddTo(in.cadvisor[7], t, in.throttled);
        h.AddTo(in.cadvisor[8], t, in.throttled * 0.01);
      }
    }
  });
  store.ForEach("events", "", [&](const nlohmann::json& e) { logs_->ObserveEvent(e); });
  store.ForEach("deployments", "", [&](const nlohmann::json& d) {
    std::vector<size_t>& refs = deployments_[Str(At(d, {"metadata", "uid"}))];
    if (refs.empty()) {
      const Labels l = {{"deployment", Str(At(d, {"metadata", "name"}))},
                        {"namespace", Str(At(d, {"metadata", "namespace"}))}};
      for (const char* metric : kDeployment) refs.push_back(h.SeriesIndex(metric, Ksm(l)));
    }
    for (size_t i = 0; i < 5; ++i) {
      h.AddTo(refs[i], t, Number(At(d, {i == 0 ? "spec" : "status", kDeploymentField[i]})));
    }
  });
}

// The services' /metrics, scraped from each one's running pod as its ServiceMonitor target
// (job, instance, namespace, pod): request_duration_seconds{service, method, route,
// status_code} from the front-end (prom-client) and the Go services, and
// http_request_duration_seconds{service, method, path, status_code} from the Java services
// (see LoadModel::requests()). A service with no running pod is not scraped: its series go
// stale, as when a scrape fails.
void Scraper::ScrapeServices(absl::Time t, const ObjectStore& store, const LoadModel& load) {
  struct Target {
    std::string pod, ip, started;
  };
  std::map<std::string, Target> targets;  // By the pod's "name" label.
  store.ForEach("pods", "sock-shop", [&](const nlohmann::json& p) {
    const std::string& app = Str(At(p, {"metadata", "labels", "name"}));
    if (app.empty() || targets.count(app) != 0) return;
    for (const nlohmann::json& cs : At(p, {"status", "containerStatuses"})) {
      const std::string& s = Str(At(cs, {"state", "running", "startedAt"}));
      if (s.empty()) continue;
      targets[app] = {Str(At(p, {"metadata", "name"})), Str(At(p, {"status", "podIP"})), s};
    }
  });
  History& h = *history_;
  for (const auto& [key, total] : load.requests()) {
    auto target = targets.find(key.service);
    if (target == targets.end()) continue;
    const Target& tg = target->second;
    ServiceScrape& sc = services_[key.service];
    const std::string instance = absl::StrCat(tg.pod, "/", tg.started);
    if (instance != sc.instance) {
      // A new process: its counters start from zero, and its series carry its pod.
      sc.instance = instance;
      sc.offsets.clear();
      sc.refs.clear();
      for (const auto& [k, v] : load.requests()) {
        if (k.service == key.service) sc.offsets[k] = v;
      }
    }
    std::vector<size_t>& refs = sc.refs[key];
    const std::vector<double>& bounds = LoadModel::RequestBuckets(key.service);
    if (refs.empty()) {
      const bool java = LoadModel::IsJavaService(key.service);
      const std::string name = java ? "http_request_duration_seconds" : "request_duration_seconds";
      const Labels labels = {
          {"instance", absl::StrCat(tg.ip, key.service == "front-end" ? ":8079" : ":80")},
          {"job", key.service},
          {"method", key.method},
          {"namespace", "sock-shop"},
          {java ? "path" : "pod", java ? key.route : tg.pod},
          {java ? "pod" : "route", java ? tg.pod : key.route},
          {"service", key.service},
          {"status_code", key.code}};
      for (size_t i = 0; i <= bounds.size(); ++i) {
        Labels l = labels;
        l.emplace_back("le", i < bounds.size() ? FormatPromValue(bounds[i]) : "+Inf");
        refs.push_back(h.SeriesIndex(name + "_bucket", std::move(l)));
      }
      refs.push_back(h.SeriesIndex(name + "_count", labels));
      refs.push_back(h.SeriesIndex(name + "_sum", labels));
    }
    const LoadModel::RequestHistogram& base = sc.offsets[key];
    for (size_t i = 0; i <= bounds.size(); ++i) {
      const double count =
          i < bounds.size() ? total.buckets[i] - base.buckets[i] : total.count - base.count;
      h.AddTo(refs[i], t, std::floor(count + 1e-9));
    }
    h.AddTo(refs[bounds.size() + 1], t, std::floor(total.count - base.count + 1e-9));
    h.AddTo(refs[bounds.size() + 2], t, total.sum_seconds - base.sum_seconds);
  }
}

}  // namespace sim
}  // namespace sre_eval
