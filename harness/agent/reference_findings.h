// Internal to the reference agent (reference_agent.cc investigates, reference_answers.cc
// writes the answers): what one investigation of the cluster found about an incident window.
// Not part of the agent's interface.
#ifndef SRE_EVAL_AGENT_REFERENCE_FINDINGS_H_
#define SRE_EVAL_AGENT_REFERENCE_FINDINGS_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cluster/types.h"
#include "incident/locust_summary.h"

namespace sre_eval {
namespace agent {
namespace reference {

// The log signatures an SRE greps for, in the order Findings counts them.
enum Pattern { kSlowQuery = 0, kPoolExhausted = 1, kConnectionRefused = 2 };
inline constexpr const char* kPatterns[] = {"slow query", "connection pool exhausted",
                                            "connection refused"};

struct Restart {
  std::string pod, container, deployment;
  int count = 0;  // restarts since the window started
  std::string reason;
  int exit_code = 0;
  absl::Time last_exit = absl::InfinitePast();
  absl::Time running_since = absl::InfinitePast();
};

struct Usage {
  std::string pod, deployment;
  int64_t cpu_m = 0, memory_mib = 0;
  int64_t cpu_limit_m = 0, memory_limit_mib = 0;
};

struct LoadRun {
  std::string job;
  int users = -1;
  int spawn_rate = -1;
  std::string run_time;
  std::optional<incident::LocustSummary> report;
};

struct Order {
  std::string id, customer_id, customer_name, status;
  double total = 0;
  absl::Time date = absl::InfinitePast();
};

// What one investigation of the namespace found about one incident window.
struct Findings {
  absl::Time start = absl::InfinitePast(), end = absl::InfiniteFuture();
  std::vector<Restart> restarts;  // containers that restarted in the window
  int restarts_total = 0, oom_kills = 0;
  // BackOff warnings of the restarted containers.
  int backoffs = 0;
  absl::Time backoff_first = absl::InfiniteFuture(), backoff_last = absl::InfinitePast();
  // An earlier crash seen on the pods: OOMKilled terminations before the window.
  int earlier_oom_restarts = 0;
  absl::Time earlier_oom_at = absl::InfinitePast();
  std::map<std::string, cluster::ContainerResources> limits;  // by deployment
  std::map<std::string, int> replicas;                        // by deployment, now
  absl::Time metrics_at = absl::InfinitePast();
  std::vector<Usage> usage;
  LoadRun load, baseline, crash_load;
  std::map<std::string, std::array<int, 3>> log_counts;  // by deployment
  std::array<int, 3> log_totals{0, 0, 0};
  // Payment's scale events and its pod's start, when they happened in the window.
  std::optional<int> payment_scaled_to;
  absl::Time payment_down_at = absl::InfinitePast(), payment_up_at = absl::InfinitePast();
  absl::Time payment_running_since = absl::InfinitePast();
  absl::Time payment_ready_since = absl::InfinitePast();  // Its Ready condition's time.
  bool orders_read = false;
  std::vector<Order> failed_orders;  // PAYMENT_FAILED, created in the window, oldest first

  // From the cluster's Prometheus, when the request names one: the history kubectl cannot show.
  bool monitoring = false;
  int oom_events = -1;  // container_oom_events_total's rise since the window started
  struct Peak {
    std::string pod, deployment, container;
    int64_t cpu_m = -1, memory_mib = -1;  // the highest 15 s CPU rate and working set
    int64_t cpu_median_m = -1;            // the median 15 s CPU rate over the window
    int64_t cpu_limit_m = 0, memory_limit_mib = 0;
    int oom_kills = 0;  // its container_oom_events_total's rise in the window
  };
  std::vector<Peak> peaks;  // by pod and container
  // The peak of `deployment`'s first container, or nullptr.
  const Peak* PeakOf(const std::string& deployment) const {
    for (const Peak& p : peaks) {
      if (p.deployment == deployment) return &p;
    }
    return nullptr;
  }
};

// "10:23:05" (UTC).
inline std::string Hms(absl::Time t) {
  return absl::FormatTime("%H:%M:%S", t, absl::UTCTimeZone());
}
// Whether `t` was seen (neither infinite past nor infinite future).
inline bool Known(absl::Time t) { return t != absl::InfinitePast() && t != absl::InfiniteFuture(); }

}  // namespace reference
}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_REFERENCE_FINDINGS_H_
