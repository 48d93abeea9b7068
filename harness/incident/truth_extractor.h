// Ground truth: the facts of suite/fact_schema.h computed from a recorded Timeline. One
// extractor for the simulated cluster and a real one; it reads only the timeline.
//
// Definitions beyond the schema's one-liners:
// - window.start / window.recovered: the time of the mark; window.end: the mark's time, or,
//   for a mark set by a wait_job step, the Job's finish time (completionTime, or the Failed
//   condition's lastTransitionTime) as the last sample showed it.
// - restarts: per (pod, container), the highest restartCount seen in [start, recovered]
//   minus the last one seen at or before start (0 for a pod first seen after start; the
//   runner samples once before its first step). Samples may be
//   far apart: a count that rose by 3 between two samples counts 3.
// - oom_kills: the distinct (pod, container, finishedAt) of terminated / lastState.terminated
//   states with reason OOMKilled and finishedAt in [start, recovered]. When a container's
//   restartCount rose by k > 1 between two samples, only the newest of those k terminations
//   was visible: if it was OOMKilled the k-1 hidden ones are counted in oom_kills.count (the
//   list holds only terminations whose time is known) and a note says so.
// - crashloop.periods: from the first sample whose container waits in CrashLoopBackOff to the
//   startedAt of the container's next running state (or the first later sample that shows it
//   running, or window.recovered).
// - peak_usage: per (pod, container) with metrics timestamped in [start, recovered]; percent
//   of the pod's container limit, rounded to 0.1. Containers with no limit have 0.
// - load.* and latency.*: the Job's args (-u/--users, -r/--spawn-rate, -t/--run-time) and the
//   Aggregated rows of the Locust report of the job_log with role "load"; baseline from the
//   "baseline" one.
// - payment.*: saved replicas, lowest ready replicas of deployment payment in the window, the
//   failures of "POST /orders" in the load report, and the PAYMENT_FAILED orders of the orders
//   probe created in [start, end + 60s]. Without a single such order while checkouts
//   failed (upstream Sock Shop) order_ids_available is false and the list is empty.
// - logs.*: lines of the logs records containing the pattern (case-insensitive); by_service
//   lists non-zero counts, services in name order, patterns in the schema's order.
// Facts with no data in the timeline (payment.* without a payment scale, load.* without a
// load report) are left out, never guessed.
#ifndef SRE_EVAL_INCIDENT_TRUTH_EXTRACTOR_H_
#define SRE_EVAL_INCIDENT_TRUTH_EXTRACTOR_H_

#include "absl/status/statusor.h"
#include "incident/timeline.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace incident {

inline constexpr int kTruthSchemaVersion = 1;

// The truth.json object: {"schema_version":1, "incident":ID, "environment":ENV,
// "facts":{...}, "notes":[...]} with facts keyed in the schema's order (nlohmann's object
// sorts keys, so the file's key order is alphabetical and stable). FailedPrecondition when the
// timeline lacks the window.start mark or any sample.
absl::StatusOr<nlohmann::json> ExtractTruth(const Timeline& timeline);

}  // namespace incident
}  // namespace sre_eval

#endif  // SRE_EVAL_INCIDENT_TRUTH_EXTRACTOR_H_
