// Incident definitions: incidents/<id>.yaml. An incident is a list of steps the runner
// performs on the cluster and a `restore` list it always performs afterwards (on success, on
// a failed step, on Ctrl-C/SIGTERM). Manifest paths are relative to the incident file.
//
//   id: payment                      # must match the file name (payment.yaml)
//   title: Payment service outage    # one line
//   description: >                   # what it breaks and what it leaves behind
//     ...
//   sample_every: 10s                # timeline sampling period while recording (1s..60s)
//   steps:
//     - apply: manifests/locustfile.yaml        # server-side apply of every object in it
//     - scale: {deployment: payment, replicas: 0}
//       mark: window.start                      # the time this step ran marks the window
//     - record: 20s                             # sample for a duration
//     - apply: manifests/locust-payment.yaml
//     - wait_job: {job: locust-payment, timeout: 5m}   # sample until the Job finishes
//       mark: window.end                        # refined to the Job's finish time
//     - probe: orders                           # collect once: the orders API
//     - probe: {job_log: locust-payment, role: load}  # the Job's log (Locust's report)
//     - probe: logs                             # every container's log since window.start
//   restore:
//     - delete: manifests/locust-payment.yaml  # delete every object in it, if present,
//       when: steps_failed                      # only when the steps did not all complete
//                                               # (to stop a load that still runs)
//     - scale: {deployment: payment, replicas: saved}  # the replicas saved before step 1
//     - wait_healthy: 5m                        # sample until every deployment is ready
//       mark: window.recovered
//   cleanup:                                    # after the agent was asked (or at the end
//     - delete: manifests/locust-payment.yaml  # of `record`): remove what is left as
//     - delete: manifests/locustfile.yaml      # evidence (finished Jobs and their logs)
//
// Restore puts the shop back as it was; it leaves the finished Jobs, whose logs (Locust's
// report) an agent may read while it is asked. Cleanup removes them; only apply, delete and
// scale steps, without marks.
//
// Marks: window.start, window.end, window.recovered; each at most once per incident.
// `role` of a job_log probe: "load" (the incident's load) or "baseline" (a short load before
// window.start that gives the baseline latency).
#ifndef SRE_EVAL_INCIDENT_INCIDENT_H_
#define SRE_EVAL_INCIDENT_INCIDENT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "util/diagnostic.h"

namespace sre_eval {
namespace incident {

enum class StepKind {
  kApply,        // apply: FILE
  kDelete,       // delete: FILE
  kScale,        // scale: {deployment, replicas: N | saved}
  kRecord,       // record: DURATION
  kWaitJob,      // wait_job: {job, timeout}
  kWaitHealthy,  // wait_healthy: TIMEOUT
  kProbe,        // probe: orders | logs | {job_log: NAME, role: load|baseline}
  // Never in a file: the act runner's own steps (incident/act.h), performed by the runner's
  // hook (RunnerOptions::hook) under the name in `job`; "act" runs while the runner samples.
  kHook,
};

// "apply", "delete", ...: the step's key in the file.
const char* StepKindName(StepKind kind);

struct Step {
  StepKind kind = StepKind::kRecord;
  int line = 0;  // 1-based line of the step in the incident file
  // apply/delete: the manifest path as written, and resolved against the incident's folder.
  std::string manifest;
  std::string manifest_path;
  // scale
  std::string deployment;
  int replicas = 0;
  bool replicas_saved = false;  // replicas: saved
  // record: the duration; wait_job/wait_healthy: the timeout.
  absl::Duration duration = absl::ZeroDuration();
  // wait_job, probe job_log
  std::string job;
  // probe: "orders", "logs" or "job_log"; for job_log, role is "load" or "baseline".
  std::string probe;
  std::string role;
  // "", "window.start", "window.end", "window.recovered".
  std::string mark;
  // restore only: "" (always) or "steps_failed" (only when the steps did not all complete).
  std::string when;

  // One line for progress and logs: "apply manifests/locust-crash.yaml",
  // "scale deployment/payment to 0", "wait_job locust-crash (timeout 10m)".
  std::string Describe() const;
};

// Where an incident's facts can be read (the `evidence` list of an incident file): a
// Kubernetes resource (plural, with a subresource: "pods/log"), optionally of the objects whose
// name starts with `name`; or a monitoring query holding `query`. The reports time an agent's
// first read of one (report/process.h).
struct EvidenceSource {
  std::string resource;
  std::string name;
  std::string query;
};

// Where action tasks start (the `act` section of an incident file): steps that break the shop
// again with a load that runs on while the agent acts, the load (a manifest whose Job is
// stopped when the agent is done), the load the outcome is measured under (a manifest with one
// Job, run twice: after the agent, and after the fixed deployments are restarted) and what
// puts the shop back besides undoing the agent's changes.
//
//   act:
//     steps:
//       - apply: manifests/locustfile.yaml
//       - scale: {deployment: payment, replicas: 0}
//       - apply: manifests/locust-payment-act.yaml    # runs until deleted (a long -t)
//       - record: 1m
//     load: manifests/locust-payment-act.yaml
//     verify: manifests/locust-payment-verify.yaml
//     restore:
//       - scale: {deployment: payment, replicas: saved}
struct ActSetup {
  bool defined = false;
  int line = 0;
  std::vector<Step> steps;
  std::vector<Step> restore;
  std::string load, load_path;      // as written, and resolved
  std::string load_job;             // the Job of the load manifest
  std::string verify, verify_path;  // as written, and resolved
  std::string verify_job;           // the Job of the verify manifest
};

struct Incident {
  std::string id;
  std::string title;
  std::string description;
  std::string file;  // the incident file's path
  absl::Duration sample_every = absl::Seconds(10);
  std::vector<Step> steps;
  std::vector<Step> restore;
  std::vector<Step> cleanup;
  std::vector<EvidenceSource> evidence;
  ActSetup act;

  // Deployments a scale step of `steps`, `restore` or `cleanup` touches, in first-use order: the
  // runner saves their replicas before the first step.
  std::vector<std::string> ScaledDeployments() const;
};

// Loads and checks one incident file. Every problem is added to `diags` with its file, line
// and column ("incidents/crash.yaml:7:5: unknown step key 'aply' (did you mean 'apply'?)"):
// unknown/missing keys, bad durations, a manifest that is missing or does not parse as
// Kubernetes objects (each document needs apiVersion, kind and metadata.name), a mark used
// twice, `replicas: saved` in `steps`, an id that differs from the file name. Returns
// nullopt-like InvalidArgument when any diagnostic was added.
absl::StatusOr<Incident> LoadIncident(const std::string& path, Diagnostics* diags);
// The same for an incident file's `text`, read from `path` (manifests resolve against its
// folder and are read from disk).
absl::StatusOr<Incident> ParseIncident(const std::string& path, absl::string_view text,
                                       Diagnostics* diags);

// Every incidents/*.yaml in name order (the manifests/ folder is not read as incidents).
absl::StatusOr<std::vector<Incident>> LoadIncidents(const std::string& dir, Diagnostics* diags);

}  // namespace incident
}  // namespace sre_eval

#endif  // SRE_EVAL_INCIDENT_INCIDENT_H_
