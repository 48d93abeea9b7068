#include "sim/sim.h"

#include "sim/sockshop.h"

namespace sre_eval {
namespace sim {

Sim::Sim(const SimOptions& options)
    : seed_(options.seed),
      store_(options.seed, options.start - options.deployed_before),
      controllers_(&store_) {}

absl::StatusOr<std::unique_ptr<Sim>> Sim::Create(const SimOptions& options) {
  std::unique_ptr<Sim> sim(new Sim(options));
  absl::MutexLock lock(&sim->mu_);
  SeedOptions seed;
  seed.deployed_at = options.start - options.deployed_before;
  absl::Status status = SeedSockShop(&sim->store_, &sim->controllers_, seed);
  if (!status.ok()) return status;
  absl::Time t = sim->store_.Now();
  while (t < options.start) {
    t = std::min(options.start, t + absl::Seconds(1));
    sim->store_.SetNow(t);
    sim->controllers_.Reconcile(t);
  }
  return sim;
}

absl::Time Sim::Now() const { return store_.Now(); }

void Sim::AdvanceTo(absl::Time target) {
  absl::MutexLock lock(&mu_);
  absl::Time t = store_.Now();
  while (t < target) {
    t = std::min(target, t + absl::Seconds(1));
    store_.SetNow(t);
    controllers_.Reconcile(t);
  }
}

void Sim::Reconcile() { controllers_.Reconcile(store_.Now()); }

}  // namespace sim
}  // namespace sre_eval
