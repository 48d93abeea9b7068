// The incident runner: performs one incident's steps on a cluster through the cluster driver,
// records the timeline while it waits, always performs the restore list (after a failed step
// and after SIGINT/SIGTERM too), checks that what it changed is back, and extracts the truth.
//
// Time: every wait is on the Clock it is given. Against the simulated cluster that is the
// sim's virtual clock (SleepFor advances the model); against kind it is the SystemClock. The
// runner cannot tell the difference. Waits are sliced into <= 1 s so an interrupt is seen
// within a second.
//
// Restore steps with `when: steps_failed` run only when the steps did not all complete.
//
// Interrupts: `interrupts` counts SIGINT/SIGTERM (the command's handler increments it). The
// first stops the steps at the next check and goes to restore; from the second on, restore
// skips its waits (record, wait_healthy) but still performs every apply, delete and scale.
#ifndef SRE_EVAL_INCIDENT_RUNNER_H_
#define SRE_EVAL_INCIDENT_RUNNER_H_

#include <atomic>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cluster/kubectl.h"
#include "incident/incident.h"
#include "incident/timeline.h"
#include "nlohmann/json.hpp"
#include "util/clock.h"

namespace sre_eval {
namespace incident {

// The deployments of Sock Shop (the upstream manifest's 14): the namespace must hold them.
const std::vector<std::string>& SockShopDeployments();

// Checks, before anything is changed, that the target is safe and ready: the context matches
// `allowed` (glob patterns), the namespace exists and holds every Sock Shop deployment.
// FailedPrecondition with a message saying what is wrong and what to do; only reads.
absl::Status Preflight(cluster::Kubectl* kubectl, const std::vector<std::string>& allowed);

// One run at a time per namespace: a ConfigMap `sre-eval-lock` whose data.holder says who
// holds it ("sre-eval record, pid 4242 on host ci-7, run folder results/x"). Acquire creates
// it (FailedPrecondition naming the holder and the command that removes a stale lock when it
// exists already); Release deletes it.
inline constexpr char kLockName[] = "sre-eval-lock";
absl::Status AcquireNamespaceLock(cluster::Kubectl* kubectl, const std::string& holder);
absl::Status ReleaseNamespaceLock(cluster::Kubectl* kubectl);

// What the person watching sees. StreamProgress writes it.
class Progress {
 public:
  virtual ~Progress() = default;
  // A step starts ("steps" or "restore"; index is 0-based, count the list's length).
  virtual void StepStarted(const std::string& incident, const std::string& phase, int index,
                           int count, const std::string& describe) = 0;
  // After each sample while a step waits: how long it has waited (cluster time) and how long
  // it may wait still, so that the two add up to the step's limit.
  virtual void Waiting(const std::string& incident, absl::Duration elapsed,
                       absl::Duration remaining, int restarts, int oom_kills) = 0;
  // A line worth keeping: a failed step, an interrupt, what restore left broken.
  virtual void Note(const std::string& incident, const std::string& line) = 0;
  // The line is done (a terminal's status line is ended).
  virtual void Finished(const std::string& incident, const std::string& summary) = 0;
};

// On a terminal one status line rewritten in place ("\r... \x1b[K"); otherwise plain lines:
// one per step, one per minute of waiting, and every note.
class StreamProgress final : public Progress {
 public:
  StreamProgress(std::ostream* out, bool terminal) : out_(out), terminal_(terminal) {}
  void StepStarted(const std::string& incident, const std::string& phase, int index, int count,
                   const std::string& describe) override;
  void Waiting(const std::string& incident, absl::Duration elapsed, absl::Duration remaining,
               int restarts, int oom_kills) override;
  void Note(const std::string& incident, const std::string& line) override;
  void Finished(const std::string& incident, const std::string& summary) override;

 private:
  std::ostream* out_;
  bool terminal_;
  std::string step_;
  absl::Duration last_plain_ = absl::InfiniteDuration();
  bool status_open_ = false;
};

struct RunnerOptions {
  Clock* clock = nullptr;           // the cluster's clock (required)
  std::string environment = "sim";  // "sim" or "kube", written to the timeline and truth
  std::string out_dir;              // the incident's folder: timeline.jsonl, truth.json
  Progress* progress = nullptr;     // optional
  const std::atomic<int>* interrupts = nullptr;  // optional
  // The act runner's steps (StepKind::kHook, incident/act.h): called with the hook's name (the
  // step's `job`) and the step's duration. The hook named "act" runs on a thread of its own
  // while the runner samples, until it returns or its duration has passed on the cluster's
  // clock (the step fails with DeadlineExceeded then, which the act runner expects); then the
  // hook "act_end" is called. Any other hook runs in place.
  std::function<absl::Status(const std::string& hook, absl::Duration limit)> hook;
  // While "act" runs: the wall clock and the cluster's seconds per wall second, so that a
  // simulated cluster's virtual clock keeps pace with an agent that works in wall time.
  // nullptr when the cluster's clock is the wall clock.
  Clock* pace = nullptr;
  double pace_speed = 1;
};

struct IncidentResult {
  std::string incident;
  Timeline timeline;
  // OK, the first failed step's error ("step 3 (wait_job locust-crash, line 9): ..."), or
  // Cancelled("interrupted by a signal") when interrupted.
  absl::Status steps_status;
  // OK or the first failed restore step's error.
  absl::Status restore_status;
  // What is still not as it was, one line each with the command that fixes it:
  // "deployment payment has 0 replicas, had 1: kubectl --context C --namespace N scale
  //  deployment/payment --replicas=1". Empty when everything is back.
  std::vector<std::string> left_broken;
  // The truth.json written, when the timeline had a window.start.
  std::optional<nlohmann::json> truth;
  int samples = 0;
  absl::Time started, finished;  // on the cluster's clock

  bool ok() const { return steps_status.ok() && restore_status.ok() && left_broken.empty(); }
};

class IncidentRunner {
 public:
  // `kubectl` must outlive the runner.
  IncidentRunner(cluster::Kubectl* kubectl, RunnerOptions options);

  // Runs `incident` to the end (steps, restore, checks, truth). Never throws; every failure
  // is in the result.
  IncidentResult Run(const Incident& incident);

  // Performs the incident's cleanup list (after the agent was asked, or at the end of
  // `record`): every step, also after one fails. Returns one line per failed step with the
  // command that does it by hand; empty when all went well. `saved` is the replicas Run saved.
  std::vector<std::string> Cleanup(const Incident& incident,
                                   const std::map<std::string, int>& saved);

 private:
  class Run_;
  cluster::Kubectl* kubectl_;
  RunnerOptions options_;
};

}  // namespace incident
}  // namespace sre_eval

#endif  // SRE_EVAL_INCIDENT_RUNNER_H_
