// The openai agent: any OpenAI-compatible chat completions endpoint. Each request becomes
//   POST {base_url}/chat/completions[?query]
//   {"model", "messages": [system?, history turns..., the message (with the evidence pack
//    appended under "## Evidence" when the request has one)], "temperature", "max_tokens"}
// with "Authorization: Bearer {api_key}" when a key is set, and the configured extra headers.
// The answer is /choices/0/message/content; token usage comes from "usage" when present.
#ifndef SRE_EVAL_AGENT_OPENAI_AGENT_H_
#define SRE_EVAL_AGENT_OPENAI_AGENT_H_

#include <cstdint>
#include <string>
#include <utility>

#include "agent/agent.h"
#include "agent/config.h"
#include "agent/retry.h"
#include "nlohmann/json.hpp"
#include "util/clock.h"
#include "util/http_client.h"

namespace sre_eval {
namespace agent {

// The request body described above.
nlohmann::json ChatCompletionsBody(const AgentConfig& config, const AgentRequest& request);

// base_url + "/chat/completions", with the query parameters percent-encoded.
std::string ChatCompletionsUrl(const AgentConfig& config);

class OpenAiAgent final : public HttpEndpointAgent {
 public:
  // `http` and `clock` must outlive the agent. `seed` seeds the retry jitter.
  OpenAiAgent(AgentConfig config, HttpClient* http, Clock* clock, uint64_t seed)
      : HttpEndpointAgent(std::move(config), http, clock, seed) {}
  std::string kind() const override { return "openai"; }
  // Thread-safe.
  AgentAnswer Ask(const AgentRequest& request) override;
};

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_OPENAI_AGENT_H_
