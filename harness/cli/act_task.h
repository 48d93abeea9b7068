// Performing one action task on the cluster (incident/act.h says what is measured): the
// incident's act steps break the shop again, the agent acts with writes scoped to the task
// while the load runs on, then the harness verifies under a fresh load, restarts the fixed
// deployments and verifies again, and puts back everything the task changed.
//
// Written to `out_dir`: timeline.jsonl (the act run, as incidents record theirs) and
// outcome.json (what the outcome criteria and guards read).
#ifndef SRE_EVAL_CLI_ACT_TASK_H_
#define SRE_EVAL_CLI_ACT_TASK_H_

#include <atomic>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "cli/agent_workspace.h"
#include "cluster/kubectl.h"
#include "incident/incident.h"
#include "incident/runner.h"
#include "nlohmann/json.hpp"
#include "suite/prompt.h"
#include "tools/audit_log.h"
#include "util/clock.h"

namespace sre_eval {

struct ActTaskSetup {
  cluster::Kubectl* kubectl = nullptr;  // the harness's own credential
  Clock* clock = nullptr;               // the cluster's
  Clock* pace = nullptr;                // sim: the wall clock the agent works by
  double pace_speed = 1;                // sim: the cluster's seconds per wall second
  std::string environment = "sim";
  incident::Progress* progress = nullptr;
  const std::atomic<int>* interrupts = nullptr;
  AgentWorkspace* workspace = nullptr;  // gives the agent its scoped credential
  tools::AuditLog* audit = nullptr;     // where what it did is kept
};

struct ActTaskResult {
  agent::AgentAnswer answer;             // the agent's, or an error saying why the task did not run
  nlohmann::json outcome;                // also in out_dir/outcome.json; null when not measured
  std::vector<std::string> left_broken;  // what restore could not put back
};

// Runs `prompt` (an action task of `incident`) with `request` (rendered, with the cluster
// access before the agent's own credential) for `agent`. Never throws. Interrupted (the
// runner's steps cancelled), the answer's error is "not asked: interrupted", which AskSuite
// does not write: a resumed run performs the task again.
ActTaskResult RunActTask(const incident::Incident& incident, const Prompt& prompt,
                         agent::AgentRequest request, agent::Agent* agent,
                         const ActTaskSetup& setup, const std::string& out_dir);

}  // namespace sre_eval

#endif  // SRE_EVAL_CLI_ACT_TASK_H_
