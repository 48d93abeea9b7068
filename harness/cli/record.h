// Recording incidents: the body of `sre-eval record`, which `run` will reuse.
#ifndef SRE_EVAL_CLI_RECORD_H_
#define SRE_EVAL_CLI_RECORD_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "cli/arg_parser.h"
#include "cluster/kubectl.h"
#include "incident/runner.h"
#include "nlohmann/json.hpp"
#include "util/clock.h"

namespace sre_eval {

struct RecordOptions {
  std::string env = "sim";  // "sim" or "kube"
  uint64_t seed = 1;        // sim only
  std::string context;      // kube: empty means kubectl's current context
  std::string kubeconfig;   // kube: empty means kubectl's default
  std::string ns = "sock-shop";
  std::vector<std::string> allow_contexts;  // on top of the default allow-list
  std::vector<std::string> incidents;       // empty: all, in the suite's order
  std::string out;                          // empty: results/record-<UTC time>
  std::string suite;
  std::string kubectl = "kubectl";  // $SRE_EVAL_KUBECTL overrides
  // kube: the user's monitoring APIs, handed to the agent ("" when none; never faked).
  std::string prometheus;
  std::string loki;
  std::string datadog;  // https://api.<--datadog-site>
  // Written into run.json over record's own keys ("command": "run", "agent": ...).
  nlohmann::json run_json = nlohmann::json::object();
  // Called after each incident that left a truth, before the next one starts and before
  // cleanup, while the cluster still shows it: `run` asks the agent there. `how` says how to
  // reach the cluster. Returns false to stop (the remaining incidents are not run).
  std::function<bool(const incident::IncidentResult& result, const agent::ClusterAccess& how)>
      after_incident;
  // sim: called once the simulated cluster serves, with its URL and the harness's own token
  // (for /sim/v1: the agent's credentials and the audit of what it did).
  std::function<void(const std::string& base_url, const std::string& control_token)> on_sim_started;
  // Called before the sim stops: close the connections kept alive to it (its Stop waits for
  // them otherwise, up to the keep-alive timeout).
  std::function<void()> on_sim_stopping;
  // Called once the cluster is reached, with the harness's kubectl and the cluster's clock
  // (both live until Record returns): `run` performs action tasks with them.
  std::function<void(cluster::Kubectl* kubectl, Clock* clock)> on_cluster;
  // The command the messages are from: "sre-eval record: ..." or "sre-eval run: ...".
  std::string command = "record";
};

// Fills `o` from the command line; returns "" or the problem.
std::string ParseRecordOptions(const ParsedArgs& args, RecordOptions* o);

struct RecordRun {
  std::string dir;  // the run folder ("" when none was made)
  std::vector<incident::IncidentResult> results;
};

// Records the chosen incidents into a run folder; returns the exit code. Problems go to `err`
// as "sre-eval COMMAND: ..." lines (RecordOptions::command).
int Record(const RecordOptions& o, incident::Progress* progress, const std::atomic<int>* interrupts,
           RecordRun* run, std::ostream& err);

}  // namespace sre_eval

#endif  // SRE_EVAL_CLI_RECORD_H_
