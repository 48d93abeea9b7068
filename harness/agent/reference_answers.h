// Internal to the reference agent: its answers, written from the findings of one
// investigation. Not part of the agent's interface.
#ifndef SRE_EVAL_AGENT_REFERENCE_ANSWERS_H_
#define SRE_EVAL_AGENT_REFERENCE_ANSWERS_H_

#include <string>

#include "agent/agent.h"
#include "agent/reference_findings.h"

namespace sre_eval {
namespace agent {
namespace reference {

// The plain-text answer to `request`: the incident kind is read from the findings (a crash
// when containers restarted in the window, payment when payment was scaled down or orders
// failed, latency when a load test ran, else quiet); a guide prompt id of that kind gets its
// own answer; any other question is answered by its words (restarts, how many, prevent), else
// with the incident's summary. Reads only `findings` and the request's prompt id, message and
// history.
std::string Answer(const Findings& findings, const AgentRequest& request);

}  // namespace reference
}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_REFERENCE_ANSWERS_H_
