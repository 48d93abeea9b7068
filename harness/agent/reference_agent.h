// The built-in reference agent: a rule-based SRE that investigates the cluster through the
// cluster driver (kubectl) like any agent would, and answers in plain text: what happened, the
// root cause with its evidence, the impact with numbers, and the remediation the incident
// guide recommends for that kind of failure. It never reads the harness's truth, timeline or
// rubrics: only the cluster the request points at (request.cluster), the request's incident
// id, window and question. It is the yardstick every run reports beside the agent under test.
#ifndef SRE_EVAL_AGENT_REFERENCE_AGENT_H_
#define SRE_EVAL_AGENT_REFERENCE_AGENT_H_

#include <functional>
#include <memory>

#include "agent/agent.h"
#include "cluster/kubectl.h"
#include "util/clock.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace agent {

// `runner` and `wall` must outlive the agent. `log` (may be empty, or answer null) says where
// its kubectl calls are logged: asked at each investigation, so that a run can hand it the
// run's kubectl.log once the cluster is up.
std::unique_ptr<Agent> MakeReferenceAgent(ProcessRunner* runner, Clock* wall,
                                          std::function<cluster::KubectlLog*()> log);

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_REFERENCE_AGENT_H_
