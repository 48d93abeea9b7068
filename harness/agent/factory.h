// Making agents from their configuration, and asking many questions at once.
#ifndef SRE_EVAL_AGENT_FACTORY_H_
#define SRE_EVAL_AGENT_FACTORY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/agent.h"
#include "agent/config.h"
#include "util/clock.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace agent {

// The http, openai or command agent `config` describes (the reference agent is made by
// reference_agent.h). `seed` seeds the retry jitter, so that retries are reproducible.
// Everything passed must outlive the agent.
absl::StatusOr<std::unique_ptr<Agent>> MakeAgent(const AgentConfig& config, HttpClient* http,
                                                 ProcessRunner* runner, Clock* clock,
                                                 uint64_t seed);

// Asks every request with at most `jobs` calls in flight (jobs >= 1). `on_answer(i, answer)`
// is called once per request as its answer arrives, never two at once; answers are returned in
// request order.
std::vector<AgentAnswer> AskAll(Agent* agent, const std::vector<AgentRequest>& requests, int jobs,
                                const std::function<void(size_t, const AgentAnswer&)>& on_answer);

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_FACTORY_H_
