// The evidence pack: for agents that cannot reach the cluster themselves (a plain model behind
// an OpenAI-compatible endpoint, context mode "evidence"), what an SRE could have seen with
// kubectl around the incident, built from the recorded timeline: pod states with restarts and
// last terminations, warning events, resource usage, the load generator's report, the orders,
// excerpts of the logs. Never the rubric, never the computed truth as such.
#ifndef SRE_EVAL_AGENT_EVIDENCE_H_
#define SRE_EVAL_AGENT_EVIDENCE_H_

#include <cstddef>
#include <string>

#include "incident/timeline.h"

namespace sre_eval {
namespace agent {

struct EvidenceOptions {
  // The pack's size cap in bytes (about 4 bytes a token): sections are cut, least important
  // first (log excerpts, then events, then orders, then the others from the load test up),
  // each keeping its first lines and a marker "[... N more lines]". Never exceeded.
  size_t budget_bytes = 24000;
};

// Plain text in Markdown sections, deterministic for a timeline.
std::string BuildEvidencePack(const incident::Timeline& timeline, const EvidenceOptions& options);

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_EVIDENCE_H_
