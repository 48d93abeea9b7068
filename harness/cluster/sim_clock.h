// The simulated cluster's virtual clock as a Clock, through the sim's control endpoint beside
// its Kubernetes API: Now() reads GET /sim/v1/clock, SleepFor(d) posts
// /sim/v1/advance?by=<whole seconds>s and returns once the model has stepped there. The
// incident runner waits on it exactly as it waits on the SystemClock against a real cluster.
#ifndef SRE_EVAL_CLUSTER_SIM_CLOCK_H_
#define SRE_EVAL_CLUSTER_SIM_CLOCK_H_

#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "util/clock.h"
#include "util/http_client.h"

namespace sre_eval {
namespace cluster {

class SimClock final : public Clock {
 public:
  // `base_url` like "http://127.0.0.1:43121"; `http` must outlive this. `token`, when the sim
  // has one (ApiServer::set_control_token), goes with every request.
  SimClock(std::string base_url, HttpClient* http, std::string token = "");

  // On an HTTP failure Now() returns the last time it read (InfinitePast before any) and
  // SleepFor returns without advancing; both record the error for status().
  absl::Time Now() override;
  // Rounds d up to whole seconds (the sim steps in seconds); d <= 0 returns at once.
  void SleepFor(absl::Duration d) override;

  // The first error met, or OK.
  absl::Status status() const;

 private:
  std::string base_url_;
  HttpClient* http_;
  std::string token_;
  mutable absl::Mutex mu_;
  absl::Time last_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cluster
}  // namespace sre_eval

#endif  // SRE_EVAL_CLUSTER_SIM_CLOCK_H_
