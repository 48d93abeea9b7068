// What load does to the simulated Sock Shop: Locust runs started by real Jobs (the
// locustio/locust image, its args read as Locust reads them), simulated users walking the shop,
// their requests along the call graph, CPU throttling and queueing at the front-end, a
// downstream pool that saturates, memory that grows with in-flight work until the container's
// limit is crossed (an OOM kill for the kubelet), payment outages that leave PAYMENT_FAILED
// orders, each service's log lines about it, and the Locust report as the Job's log.
//
// The model is a fluid one, stepped once per virtual second; it knows nothing of JSON or the
// API: the Sim hands it a view of the pods and applies the container exits it returns.
// Not thread-safe (the Sim's model lock serialises it). Deterministic: the same seed and the
// same views give the same results.
//
// The shape, per front-end pod with ready endpoints (users N, mean think time W):
//   new requests   A = (N - in flight) / W
//   event loop     P = min(queued + A, CPU limit / CPU per request)   (CFS throttling beyond)
//   downstream     5 of the journey's 9 requests call the services behind the front-end,
//                  which together serve at most `pool_rps` a second (catalogue-db queries,
//                  orders' MongoDB connection pool), times the mean ready replicas of
//                  catalogue and orders (1 as deployed); the rest wait there
//   latency        base + queued / rate at each stage (Little's law), spread log-normally
//   memory         baseline + MiB per request in flight: past the limit, OOMKilled
// With no ready front-end, every request is refused at once.
#ifndef SRE_EVAL_SIM_SHOP_LOAD_MODEL_H_
#define SRE_EVAL_SIM_SHOP_LOAD_MODEL_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "sim/shop/locust.h"
#include "sim/shop/log_book.h"
#include "sim/shop/metrics.h"
#include "sim/shop/orders_db.h"

namespace sre_eval {
namespace sim {

// One pod as the load model needs it, built by the Sim from the store.
struct PodView {
  std::string ns, name, uid;
  std::string app;        // The "name" label (Sock Shop's apps), else "".
  std::string container;  // The pod's first container.
  std::string image;
  std::string ip;
  bool running = false;            // The first container runs.
  bool ready = false;              // The pod's Ready condition, and not terminating.
  absl::Time started;              // When the first container's current instance started.
  int64_t cpu_limit_millis = 0;    // 0: none.
  int64_t memory_limit_bytes = 0;  // 0: none.
  std::vector<std::string> argv;   // command + args of the first container.
  std::vector<std::pair<std::string, std::string>> env;  // Its env (plain values only).
  std::string locustfile;  // The mounted locustfile's text, when one is found.
};

// A container's process the model ends (the Sim passes it to the kubelet).
struct ContainerExit {
  std::string ns, pod, container;
  int exit_code = 0;
  std::string reason;  // "OOMKilled", "Error", "Completed".
};

// The model's constants. Per seed, think_seconds varies by up to +-3% (when the locustfile
// does not set it) and the next three by up to +-2%.
struct LoadParams {
  double think_seconds = 2.0;        // Mean wait between a user's requests (between(1, 3)).
  double fe_cpu_ms = 1.22;           // Front-end CPU per request.
  double fe_mib_per_request = 1.86;  // Front-end memory per request in flight.
  double pool_rps = 117;             // Downstream calls served per second, all services.
  // How fast the front-end's heap can grow (+-20% per seed, +-50% from second to second).
  double fe_heap_growth_mib_per_second = 40;
  double order_timeout_seconds = 5;  // orders' http.timeout for each dependency.
};

class LoadModel {
 public:
  // `logs` and `orders` are not owned and must outlive the model.
  LoadModel(uint64_t seed, LogBook* logs, OrdersDb* orders);
  ~LoadModel();

  // Runs the second that ends at `t` on the cluster `pods` describes and returns the
  // containers that ended in it.
  std::vector<ContainerExit> Step(absl::Time t, const std::vector<PodView>& pods);

  // The load-driven part of a container's usage at `t` (within the last minute), added to its
  // baseline: zero for an idle shop.
  Usage ExtraUsage(const std::string& pod_uid, absl::Time t) const;

  // True when no load runs and nothing is in flight: stepping changes nothing.
  bool Idle() const;

  const LoadParams& params() const { return params_; }

  // The services' HTTP request histograms, as each one's metrics middleware records the
  // requests it answers, cumulative since the sim opened (a scraper resets them per container
  // instance, as a restarted process starts from zero). Counts are the fluid model's:
  //   front-end (prom-client, api/metrics): request_duration_seconds{service, method
  //     (lowercase), route, status_code}, prom-client's default buckets;
  //   catalogue, user, payment (Go, middleware/instrument.go): request_duration_seconds{service,
  //     method, route (the mux path template made a label value: "catalogue_id"),
  //     status_code}, client_golang's default buckets (the same 11);
  //   carts, orders, shipping (Java, HTTPMonitoringInterceptor): http_request_duration_seconds
  //     {service, method, path (the matched pattern), status_code}, simpleclient's default
  //     buckets (14); a request whose handler threw (orders' failed checkouts) is not recorded,
  //     as postHandle does not run.
  static constexpr int kMaxBuckets = 14;
  struct RequestHistogram {
    double count = 0;
    double sum_seconds = 0;
    double buckets[kMaxBuckets] = {};  // Cumulative: requests at or under each bound.
  };
  struct RouteKey {
    std::string service, method, route, code;
    bool operator<(const RouteKey& o) const {
      return std::tie(service, method, route, code) <
             std::tie(o.service, o.method, o.route, o.code);
    }
  };
  // The bucket bounds `service` uses (11 or 14 of them).
  static const std::vector<double>& RequestBuckets(const std::string& service);
  // True for the Java services, whose metric is http_request_duration_seconds with `path`.
  static bool IsJavaService(const std::string& service);
  const std::map<RouteKey, RequestHistogram>& requests() const { return requests_; }

 private:
  struct Run;
  struct FrontEnd;
  class Rng;

  void StartRun(const PodView& pod, absl::Time t);
  void FinishRun(Run* run, absl::Time t, std::vector<ContainerExit>* exits);
  void RecordUsage(const std::string& uid, absl::Time t, Usage u);

  uint64_t seed_;
  LoadParams params_;
  LogBook* logs_;
  OrdersDb* orders_;
  std::unique_ptr<Rng> rng_;
  // Locust runs by (pod uid, container start).
  std::map<std::string, std::unique_ptr<Run>> runs_;
  // Front-end pods' queues by pod uid.
  std::map<std::string, FrontEnd> front_ends_;
  // Load usage per pod uid: one sample per second of the last minute.
  struct Sample {
    absl::Time t;
    Usage u;
  };
  std::map<std::string, std::deque<Sample>> usage_;
  // Fractional counts carried from one second to the next, by name.
  std::map<std::string, double> carry_;
  // Adds `count` requests answered in about `seconds` (spread log-normally) to a histogram.
  void CountRequests(const char* service, const char* method, const char* route, const char* code,
                     double count, double seconds, double sigma);
  std::map<RouteKey, RequestHistogram> requests_;
  bool idle_ = true;
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_LOAD_MODEL_H_
