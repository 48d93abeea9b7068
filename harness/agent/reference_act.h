// The reference agent's action mode (reference_act.cc): the guide's fixes for what it finds.
#ifndef SRE_EVAL_AGENT_REFERENCE_ACT_H_
#define SRE_EVAL_AGENT_REFERENCE_ACT_H_

#include "agent/agent.h"
#include "cluster/kubectl.h"
#include "util/clock.h"

namespace sre_eval {
namespace agent {
namespace reference {

// Fixes what it finds through `k` (the task's credential), waits up to the request's wall
// limit on `wall` for the change to roll out, and answers with what it did.
AgentAnswer Act(cluster::Kubectl* k, const AgentRequest& request, Clock* wall);

}  // namespace reference
}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_REFERENCE_ACT_H_
