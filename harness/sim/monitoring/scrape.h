// What the sim's Prometheus scrapes, every 15 s of virtual time: the kubelet's cAdvisor
// metrics per container (CPU seconds, working set, CFS periods and throttling, OOM events,
// the spec's limits) and kube-state-metrics' per pod, container and deployment (restarts,
// last terminated and waiting reasons, readiness, phase, requests and limits, replicas), with
// the labels those exporters put on them in a kube-prometheus install.
#ifndef SRE_EVAL_SIM_MONITORING_SCRAPE_H_
#define SRE_EVAL_SIM_MONITORING_SCRAPE_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "sim/monitoring/history.h"
#include "sim/monitoring/log_streams.h"
#include "sim/shop/load_model.h"
#include "sim/shop/metrics.h"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {

inline constexpr absl::Duration kScrapeInterval = absl::Seconds(15);

class Scraper {
 public:
  // Registers the metrics' types and help texts. Each scrape also records the container
  // instances it sees in `logs`.
  Scraper(History* history, LogStreams* logs);

  // One scrape at `t` of what `store` holds; `usage` gives a container's usage at t.
  // `load`, when given, supplies the services' own request histograms.
  void Scrape(absl::Time t, const ObjectStore& store,
              const std::function<Usage(const nlohmann::json& pod, const std::string& container,
                                        absl::Time t)>& usage,
              const LoadModel* load = nullptr);

 private:
  // A container of a pod: its series' indexes in the history (made on first sight) and
  // cAdvisor's counters for the running instance.
  struct Instance {
    std::string image;
    std::vector<size_t> ksm;        // Per kKsmContainer entry.
    std::vector<size_t> cadvisor;   // Per kCadvisor entry.
    std::vector<size_t> resources;  // limits/requests x cpu/memory.
    std::string started;            // The running instance's startedAt.
    double cpu_seconds = 0;
    double periods = 0;
    double throttled = 0;
    double oom_events = 0;
    int64_t restarts = 0;
    absl::Time last = absl::InfinitePast();
    bool seen = false;
  };
  void ScrapeServices(absl::Time t, const ObjectStore& store, const LoadModel& load);

  struct PodRefs {
    std::vector<size_t> phase;  // Pending, Running, Succeeded, Failed, Unknown.
    std::vector<size_t> ready;  // true, false, unknown.
  };
  History* history_;
  LogStreams* logs_;
  std::map<std::string, Instance> instances_;               // By pod uid and container.
  std::map<std::string, PodRefs> pods_;                     // By pod uid.
  std::map<std::string, std::vector<size_t>> deployments_;  // By uid.
  // Per service: the instance whose /metrics was scraped last, the histograms' values when it
  // started (its counters start from zero) and its series' indexes.
  struct ServiceScrape {
    std::string instance;
    std::map<LoadModel::RouteKey, LoadModel::RequestHistogram> offsets;
    std::map<LoadModel::RouteKey, std::vector<size_t>> refs;
  };
  std::map<std::string, ServiceScrape> services_;
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_MONITORING_SCRAPE_H_
