#include "sim/sim.h"

#include <algorithm>
#include <optional>

#include "sim/kube/controllers_internal.h"
#include "sim/shop/sockshop.h"
#include "sim/store/validation.h"

namespace sre_eval {
namespace sim {

namespace {

// resource.Quantity for the two resources the model reads: CPU in millicores ("300m", "1",
// "0.5") and memory in bytes ("1000Mi", "1Gi", "500M", "1048576"); 0 when absent or unreadable.
int64_t CpuMillis(const nlohmann::json& q) {
  if (!q.is_string()) return q.is_number() ? static_cast<int64_t>(q.get<double>() * 1000) : 0;
  std::optional<long double> millis = QuantityMillis(q.get<std::string>());
  return millis ? static_cast<int64_t>(*millis) : 0;
}

int64_t MemoryBytes(const nlohmann::json& q) {
  if (!q.is_string()) return q.is_number() ? q.get<int64_t>() : 0;
  std::optional<long double> millis = QuantityMillis(q.get<std::string>());
  return millis ? static_cast<int64_t>(*millis / 1000) : 0;
}

using internal::At;
using internal::Str;

}  // namespace

Sim::Sim(const SimOptions& options)
    : seed_(options.seed),
      store_(options.seed, options.start - options.deployed_before),
      controllers_(&store_),
      orders_(options.seed),
      load_(options.seed, &log_book_, &orders_),
      autoscaler_(&store_, &controllers_,
                  [this](const nlohmann::json& pod, const std::string& container, absl::Time t) {
                    return ContainerUsage(pod, container, t).cpu_nanocores;
                  }) {}

absl::StatusOr<std::unique_ptr<Sim>> Sim::Create(const SimOptions& options) {
  std::unique_ptr<Sim> sim(new Sim(options));
  absl::MutexLock lock(&sim->mu_);
  SeedOptions seed;
  seed.deployed_at = options.start - options.deployed_before;
  absl::Status status = SeedSockShop(&sim->store_, &sim->controllers_, seed);
  if (!status.ok()) return status;
  // Monitoring was installed with the shop: the first scrape is the first 15 s boundary.
  const int64_t interval = absl::ToInt64Seconds(kScrapeInterval);
  const int64_t from = absl::ToUnixSeconds(seed.deployed_at);
  sim->next_scrape_ = absl::FromUnixSeconds((from + interval - 1) / interval * interval);
  sim->Run(options.start);
  return sim;
}

absl::Time Sim::Now() const { return store_.Now(); }

void Sim::AdvanceTo(absl::Time target) {
  absl::MutexLock lock(&mu_);
  Run(target);
}

void Sim::Run(absl::Time target) {
  absl::Time t = store_.Now();
  while (t < target) {
    absl::Time next = t + absl::Seconds(1);
    // With no load and nothing due, every second up to the next due time would change
    // nothing: go there at once (whole seconds, so the steps stay on the same grid).
    if (load_.Idle()) {
      const absl::Time due = std::min(controllers_.QuietUntil(t), autoscaler_.NextSync());
      if (due > next) next = t + absl::Seconds(absl::ToInt64Seconds(due - t));
    }
    t = std::min(target, next);
    ScrapeUntil(t, false);  // Scrapes in seconds skipped see the state as it stood.
    Step(t);
    ScrapeUntil(t, true);
  }
}

void Sim::ScrapeUntil(absl::Time t, bool inclusive) {
  while (next_scrape_ < t || (inclusive && next_scrape_ == t)) {
    scraper_.Scrape(
        next_scrape_, store_,
        [this](const nlohmann::json& pod, const std::string& container, absl::Time at) {
          return ContainerUsage(pod, container, at);
        },
        &load_);
    next_scrape_ += kScrapeInterval;
  }
}

void Sim::Step(absl::Time t) {
  store_.SetNow(t);
  std::vector<ContainerExit> exits = load_.Step(t, Views());
  for (const ContainerExit& e : exits) {
    controllers_.ExitContainer(e.ns, e.pod, e.container, e.exit_code, e.reason, t).IgnoreError();
  }
  autoscaler_.Sync(t);
  controllers_.Reconcile(t);
}

const std::vector<PodView>& Sim::Views() {
  if (store_.resource_version() == views_version_) return views_;
  views_version_ = store_.resource_version();
  views_.clear();
  for (const nlohmann::json& pod : store_.List("pods", "")) {
    const nlohmann::json& containers = At(pod, {"spec", "containers"});
    if (!containers.is_array() || containers.empty()) continue;
    const nlohmann::json& c = containers[0];
    PodView v;
    v.ns = Str(At(pod, {"metadata", "namespace"}));
    v.name = Str(At(pod, {"metadata", "name"}));
    v.uid = Str(At(pod, {"metadata", "uid"}));
    v.app = Str(At(pod, {"metadata", "labels", "name"}));
    v.container = Str(At(c, {"name"}));
    v.image = Str(At(c, {"image"}));
    v.ip = Str(At(pod, {"status", "podIP"}));
    const bool terminating = !At(pod, {"metadata", "deletionTimestamp"}).is_null();
    const nlohmann::json& statuses = At(pod, {"status", "containerStatuses"});
    if (statuses.is_array()) {
      for (const nlohmann::json& cs : statuses) {
        if (Str(At(cs, {"name"})) != v.container) continue;
        const nlohmann::json& started = At(cs, {"state", "running", "startedAt"});
        if (started.is_string()) {
          v.running = true;
          v.started = ParseApiTime(started);
        }
      }
    }
    const nlohmann::json& conditions = At(pod, {"status", "conditions"});
    if (conditions.is_array()) {
      for (const nlohmann::json& cond : conditions) {
        if (Str(At(cond, {"type"})) == "Ready") {
          v.ready = Str(At(cond, {"status"})) == "True" && !terminating && v.running;
        }
      }
    }
    v.cpu_limit_millis = CpuMillis(At(c, {"resources", "limits", "cpu"}));
    v.memory_limit_bytes = MemoryBytes(At(c, {"resources", "limits", "memory"}));
    for (const char* field : {"command", "args"}) {
      const nlohmann::json& list = At(c, {field});
      if (!list.is_array()) continue;
      for (const nlohmann::json& a : list) v.argv.push_back(Str(a));
    }
    const nlohmann::json& env = At(c, {"env"});
    if (env.is_array()) {
      for (const nlohmann::json& e : env) {
        if (At(e, {"value"}).is_string()) {
          v.env.emplace_back(Str(At(e, {"name"})), Str(At(e, {"value"})));
        }
      }
    }
    // The locustfile: the first ConfigMap volume's data, when the pod mounts one.
    const nlohmann::json& volumes = At(pod, {"spec", "volumes"});
    if (volumes.is_array() && v.image.find("locust") != std::string::npos) {
      for (const nlohmann::json& vol : volumes) {
        const std::string cm = Str(At(vol, {"configMap", "name"}));
        if (cm.empty()) continue;
        auto got = store_.Get("configmaps", v.ns, cm);
        if (!got.ok()) continue;
        const nlohmann::json& data = At(*got, {"data"});
        if (!data.is_object()) continue;
        for (auto it = data.begin(); it != data.end(); ++it) {
          if (it.value().is_string()) v.locustfile += it.value().get<std::string>();
        }
      }
    }
    views_.push_back(std::move(v));
  }
  return views_;
}

Usage Sim::ContainerUsage(const nlohmann::json& pod, const std::string& container,
                          absl::Time t) const {
  const std::string name = Str(At(pod, {"metadata", "name"}));
  Usage u = BaselineUsage(name, container, t, seed_);
  // The load model tracks a pod's first container.
  const nlohmann::json& containers = At(pod, {"spec", "containers"});
  if (containers.is_array() && !containers.empty() &&
      Str(At(containers[0], {"name"})) == container) {
    Usage extra = load_.ExtraUsage(Str(At(pod, {"metadata", "uid"})), t);
    u.cpu_nanocores += extra.cpu_nanocores;
    u.memory_bytes += extra.memory_bytes;
  }
  return u;
}

void Sim::Reconcile() {
  autoscaler_.Sync(store_.Now());
  controllers_.Reconcile(store_.Now());
}

}  // namespace sim
}  // namespace sre_eval
