// The simulated Sock Shop cluster: the object store, the controllers and the virtual clock
// that drives them. The API server (api_server.h) is its only door to the outside.
#ifndef SRE_EVAL_SIM_SIM_H_
#define SRE_EVAL_SIM_SIM_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sim/kube/autoscaler.h"
#include "sim/kube/controllers.h"
#include "sim/monitoring/history.h"
#include "sim/monitoring/scrape.h"
#include "sim/shop/load_model.h"
#include "sim/shop/log_book.h"
#include "sim/shop/metrics.h"
#include "sim/shop/orders_db.h"
#include "sim/store/object_store.h"

namespace sre_eval {
namespace sim {

struct SimOptions {
  uint64_t seed = 1;
  // The virtual time when the sim opens; Sock Shop was deployed `deployed_before` earlier,
  // so pods have an age and their start-up events are still within the event TTL.
  absl::Time start =
      absl::FromCivil(absl::CivilSecond(2026, 11, 24, 10, 0, 0), absl::UTCTimeZone());
  absl::Duration deployed_before = absl::Minutes(50);
};

// Thread-safe: every method takes the model lock. Deterministic: the same options and the
// same calls in the same order give the same objects, byte for byte.
class Sim {
 public:
  static absl::StatusOr<std::unique_ptr<Sim>> Create(const SimOptions& options);

  uint64_t seed() const { return seed_; }
  absl::Time Now() const;

  // Moves virtual time forward to `t` (no-op when t <= Now()), running the load model and the
  // controllers at every second of it, as the cluster would have lived through it.
  void AdvanceTo(absl::Time t);
  void AdvanceBy(absl::Duration d) { AdvanceTo(Now() + d); }

  // The lock every model change holds; the API server holds it for each request.
  absl::Mutex* mu() const { return &mu_; }
  ObjectStore* store() { return &store_; }
  Controllers* controllers() { return &controllers_; }
  // Lines incidents added to containers' logs; the orders checkouts saved. Require mu().
  const LogBook& log_book() const { return log_book_; }
  const OrdersDb& orders() const { return orders_; }
  const LoadModel& load() const { return load_; }
  // The monitoring history (sim/monitoring/): a scrape every 15 s of virtual time since the
  // sim opened. Requires mu().
  const History& history() const { return history_; }
  // Every container instance seen at those scrapes, for the log APIs. Requires mu().
  const LogStreams& log_streams() const { return log_streams_; }

  // A container's usage at `t` (a scrape time within the last minute): its baseline plus what
  // load adds. Requires mu().
  Usage ContainerUsage(const nlohmann::json& pod, const std::string& container, absl::Time t) const;

  // Runs the controllers (the HPA controller's due syncs included) at the current time (after
  // an API write). Requires mu().
  void Reconcile() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

 private:
  explicit Sim(const SimOptions& options);
  // Runs the model up to `target`, second by second (skipping seconds in which nothing can
  // happen). Requires mu().
  void Run(absl::Time target) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // One second of the model, ending at `t`. Requires mu().
  void Step(absl::Time t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Scrapes at every due scrape time before `t` (or at it, with `inclusive`). Requires mu().
  void ScrapeUntil(absl::Time t, bool inclusive) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The pods as the load model sees them, rebuilt when the store has changed.
  const std::vector<PodView>& Views() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t seed_;
  mutable absl::Mutex mu_;
  ObjectStore store_;
  Controllers controllers_;
  LogBook log_book_;
  OrdersDb orders_;
  LoadModel load_;
  Autoscaler autoscaler_;
  std::vector<PodView> views_;
  uint64_t views_version_ = 0;
  History history_;
  LogStreams log_streams_;
  Scraper scraper_{&history_, &log_streams_};
  absl::Time next_scrape_;
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SIM_H_
