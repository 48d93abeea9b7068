#include "sim/monitoring/scrape.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sim/kube/controllers.h"
#include "sim/kube/controllers_internal.h"
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

Scraper::Scraper(History* history) : history_(history) {
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
      {"kube_pod_container_info",
       {"gauge", "Information about a container in a pod.", ""}},
      {"kube_pod_status_phase", {"gauge", "The pods current phase.", ""}},
      {"kube_pod_status_ready",
       {"gauge", "Describes whether the pod is ready to serve requests.", ""}},
      {"kube_deployment_spec_replicas",
       {"gauge", "Number of desired pods for a deployment.", ""}},
      {"kube_deployment_status_replicas",
       {"gauge", "The number of replicas per deployment.", ""}},
      {"kube_deployment_status_replicas_available",
       {"gauge", "The number of available replicas per deployment.", ""}},
      {"kube_deployment_status_replicas_unavailable",
       {"gauge", "The number of unavailable replicas per deployment.", ""}},
      {"kube_deployment_status_replicas_updated",
       {"gauge", "The number of updated replicas per deployment.", ""}},
  };
  for (const auto& [name, info] : kInfo) history_->Describe(name, info);
}

void Scraper::Scrape(absl::Time t, const ObjectStore& store,
                     const std::function<Usage(const nlohmann::json&, const std::string&,
                                               absl::Time)>& usage) {
  History& h = *history_;
  for (const nlohmann::json& pod : store.List("pods", "")) {
    const std::string ns = Str(At(pod, {"metadata", "namespace"}));
    const std::string name = Str(At(pod, {"metadata", "name"}));
    const std::string uid = Str(At(pod, {"metadata", "uid"}));
    const Labels pod_labels = {{"namespace", ns}, {"pod", name}, {"uid", uid}};
    const std::string phase = Str(At(pod, {"status", "phase"}));
    for (const char* p : {"Pending", "Running", "Succeeded", "Failed", "Unknown"}) {
      Labels l = pod_labels;
      l.emplace_back("phase", p);
      h.Add("kube_pod_status_phase", Ksm(l), t, phase == p ? 1 : 0);
    }
    std::string ready = "unknown";
    for (const nlohmann::json& c : At(pod, {"status", "conditions"})) {
      if (Str(At(c, {"type"})) == "Ready") ready = Str(At(c, {"status"})) == "True" ? "true" : "false";
    }
    for (const char* cond : {"true", "false", "unknown"}) {
      Labels l = pod_labels;
      l.emplace_back("condition", cond);
      h.Add("kube_pod_status_ready", Ksm(l), t, ready == cond ? 1 : 0);
    }
    for (const nlohmann::json& spec : At(pod, {"spec", "containers"})) {
      const std::string container = Str(At(spec, {"name"}));
      const std::string image = Str(At(spec, {"image"}));
      Labels c_labels = pod_labels;
      c_labels.emplace_back("container", container);
      const nlohmann::json* status = nullptr;
      for (const nlohmann::json& cs : At(pod, {"status", "containerStatuses"})) {
        if (Str(At(cs, {"name"})) == container) status = &cs;
      }
      // kube-state-metrics.
      {
        Labels info = c_labels;
        info.emplace_back("image", image);
        info.emplace_back("image_spec", image);
        h.Add("kube_pod_container_info", Ksm(info), t, 1);
      }
      for (const char* kind : {"limits", "requests"}) {
        for (const char* resource : {"cpu", "memory"}) {
          const nlohmann::json& q = At(spec, {"resources", kind, resource});
          if (!q.is_string()) continue;
          std::optional<long double> millis = QuantityMillis(q.get<std::string>());
          if (!millis.has_value()) continue;
          Labels l = c_labels;
          l.emplace_back("node", kNodeName);
          l.emplace_back("resource", resource);
          l.emplace_back("unit", std::string(resource) == "cpu" ? "core" : "byte");
          h.Add(std::string("kube_pod_container_resource_") + kind, Ksm(l), t,
                static_cast<double>(*millis / 1000));
        }
      }
      if (status == nullptr) continue;
      const nlohmann::json& state = At(*status, {"state"});
      const bool running = At(state, {"running"}).is_object();
      const bool waiting = At(state, {"waiting"}).is_object();
      const int64_t restarts = static_cast<int64_t>(Number(At(*status, {"restartCount"})));
      h.Add("kube_pod_container_status_restarts_total", Ksm(c_labels), t,
            static_cast<double>(restarts));
      h.Add("kube_pod_container_status_running", Ksm(c_labels), t, running ? 1 : 0);
      h.Add("kube_pod_container_status_waiting", Ksm(c_labels), t, waiting ? 1 : 0);
      h.Add("kube_pod_container_status_terminated", Ksm(c_labels), t,
            At(state, {"terminated"}).is_object() ? 1 : 0);
      h.Add("kube_pod_container_status_ready", Ksm(c_labels), t,
            At(*status, {"ready"}).is_boolean() && At(*status, {"ready"}).get<bool>() ? 1 : 0);
      const std::string last_reason = Str(At(*status, {"lastState", "terminated", "reason"}));
      if (!last_reason.empty()) {
        Labels l = c_labels;
        l.emplace_back("reason", last_reason);
        h.Add("kube_pod_container_status_last_terminated_reason", Ksm(l), t, 1);
      }
      if (waiting) {
        Labels l = c_labels;
        l.emplace_back("reason", Str(At(state, {"waiting", "reason"})));
        h.Add("kube_pod_container_status_waiting_reason", Ksm(l), t, 1);
      }
      // cAdvisor: the running instance's cgroup.
      Instance& in = instances_[uid + "/" + container];
      if (restarts > in.restarts) {
        if (last_reason == "OOMKilled") in.oom_events += static_cast<double>(restarts - in.restarts);
        in.restarts = restarts;
      }
      if (!running) continue;
      const std::string started = Str(At(state, {"running", "startedAt"}));
      if (started != in.started) {
        in.started = started;
        in.cpu_seconds = in.periods = in.throttled = 0;
        in.last = ParseApiTime(At(state, {"running", "startedAt"}));
      }
      const Usage u = usage(pod, container, t);
      const double seconds = std::max(0.0, absl::ToDoubleSeconds(t - in.last));
      in.last = t;
      const double cores = static_cast<double>(u.cpu_nanocores) / 1e9;
      in.cpu_seconds += cores * seconds;
      const Labels cl = Cadvisor(ns, name, container, image);
      h.Add("container_cpu_usage_seconds_total", cl, t, in.cpu_seconds);
      h.Add("container_memory_working_set_bytes", cl, t, static_cast<double>(u.memory_bytes));
      h.Add("container_oom_events_total", cl, t, in.oom_events);
      const nlohmann::json& mem_limit = At(spec, {"resources", "limits", "memory"});
      if (mem_limit.is_string()) {
        if (auto m = QuantityMillis(mem_limit.get<std::string>())) {
          h.Add("container_spec_memory_limit_bytes", cl, t, static_cast<double>(*m / 1000));
        }
      }
      const nlohmann::json& cpu_limit = At(spec, {"resources", "limits", "cpu"});
      if (cpu_limit.is_string()) {
        if (auto m = QuantityMillis(cpu_limit.get<std::string>())) {
          const double limit_cores = static_cast<double>(*m / 1000);
          // 100 ms CFS periods; at the limit (99% and above) every period is throttled.
          const double periods = std::floor(seconds * 10);
          in.periods += periods;
          if (cores >= limit_cores * 0.99) in.throttled += periods;
          h.Add("container_spec_cpu_quota", cl, t, limit_cores * 100000);
          h.Add("container_spec_cpu_period", cl, t, 100000);
          h.Add("container_cpu_cfs_periods_total", cl, t, in.periods);
          h.Add("container_cpu_cfs_throttled_periods_total", cl, t, in.throttled);
          h.Add("container_cpu_cfs_throttled_seconds_total", cl, t, in.throttled * 0.01);
        }
      }
    }
  }
  for (const nlohmann::json& d : store.List("deployments", "")) {
    const Labels l = {{"deployment", Str(At(d, {"metadata", "name"}))},
                      {"namespace", Str(At(d, {"metadata", "namespace"}))}};
    h.Add("kube_deployment_spec_replicas", Ksm(l), t, Number(At(d, {"spec", "replicas"})));
    h.Add("kube_deployment_status_replicas", Ksm(l), t, Number(At(d, {"status", "replicas"})));
    h.Add("kube_deployment_status_replicas_available", Ksm(l), t,
          Number(At(d, {"status", "availableReplicas"})));
    h.Add("kube_deployment_status_replicas_unavailable", Ksm(l), t,
          Number(At(d, {"status", "unavailableReplicas"})));
    h.Add("kube_deployment_status_replicas_updated", Ksm(l), t,
          Number(At(d, {"status", "updatedReplicas"})));
  }
}

}  // namespace sim
}  // namespace sre_eval
