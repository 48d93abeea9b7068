// The http agent: sends each request to a URL, as the configured JSON body template filled in
// with the request or as DefaultRequestJson, and reads the answer at a JSON Pointer in the
// response (or takes the whole body as text when the pointer is "").
#ifndef SRE_EVAL_AGENT_HTTP_AGENT_H_
#define SRE_EVAL_AGENT_HTTP_AGENT_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/agent.h"
#include "agent/config.h"
#include "agent/retry.h"
#include "nlohmann/json.hpp"
#include "util/clock.h"
#include "util/http_client.h"

namespace sre_eval {
namespace agent {

// `body` with the placeholders of config.h filled in from `request`: a string that is exactly
// "{{name}}" becomes the value as JSON ({{history}} an array of {"role","content"},
// {{window}} {"start","end"}, {{cluster}} {"kubeconfig","context","namespace"}, {{monitoring}}
// {"prometheus","loki","datadog"} (the APIs there are), the others
// strings); a placeholder inside a longer string is replaced by the value's text (a string as
// is, the others as compact JSON). Object keys are left as they are.
nlohmann::json FillTemplate(const nlohmann::json& body, const AgentRequest& request);

// The string at `pointer` (RFC 6901, "~0" for "~" and "~1" for "/") in `document`:
// InvalidArgument "no string at /answer in the response" when there is none (a missing
// member, an index out of range, a value that is not a string).
absl::StatusOr<std::string> StringAtPointer(const nlohmann::json& document,
                                            absl::string_view pointer);

// `text` cut to at most `max_bytes`, without splitting a UTF-8 sequence; `*cut` says whether
// anything was removed.
std::string CutAnswer(std::string text, size_t max_bytes, bool* cut);

// Reads the answer out of a 2xx response: the body when `pointer` is "", else the string at
// `pointer` in the JSON body. Sets `answer->text`, or `answer->error` ("the response is not
// JSON (content-type text/html)", "the response is not valid JSON: ...", "no string at ...").
// The text is cut at `max_bytes` on a character (answer->truncated). Bytes that are not UTF-8
// are replaced by U+FFFD before the body is read (answer->invalid_utf8), and a body the client
// cut is not left ending in part of a character. `document`, when not null, receives the
// parsed body (left null when the body was not read as JSON).
void ReadAnswer(const HttpResponse& response, absl::string_view pointer, size_t max_bytes,
                AgentAnswer* answer, nlohmann::json* document = nullptr);

class HttpAgent final : public HttpEndpointAgent {
 public:
  // `http` and `clock` must outlive the agent. `seed` seeds the retry jitter.
  HttpAgent(AgentConfig config, HttpClient* http, Clock* clock, uint64_t seed)
      : HttpEndpointAgent(std::move(config), http, clock, seed) {}
  std::string kind() const override { return "http"; }
  // Thread-safe.
  AgentAnswer Ask(const AgentRequest& request) override;
};

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_HTTP_AGENT_H_
