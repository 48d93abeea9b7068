// Checking, before a run spends time recording, that its agent can be reached at all.
#ifndef SRE_EVAL_AGENT_PREFLIGHT_H_
#define SRE_EVAL_AGENT_PREFLIGHT_H_

#include "absl/status/status.h"
#include "agent/config.h"
#include "util/http_client.h"

namespace sre_eval {
namespace agent {

// Whether the agent `config` describes can be reached, by the cheapest check its kind allows,
// without asking it anything:
//   http, openai  a connection (TCP, and TLS for https) to the URL's host and port through
//                 `http`, within the call policy's timeout and at most 10s;
//   command       argv[0] is a regular file this process may execute (looked up on PATH when
//                 it holds no '/', as the agent's spawn does);
//   reference     nothing to check.
// Errors are Unavailable, DeadlineExceeded, NotFound or PermissionDenied with the reason for
// people, without the URL's query or a secret of config.secrets: "cannot connect to
// 127.0.0.1:9: Connection refused", "no connection within 10s", "program 'my-agent' not found
// on PATH", "program './agent.sh' is not executable".
absl::Status CheckAgentReachable(const AgentConfig& config, HttpClient* http);

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_PREFLIGHT_H_
