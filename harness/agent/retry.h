// One HTTP call to an agent under the call policy: a timeout per attempt, bounded retries with
// exponential back-off and full jitter, a cap on the answer, and the run's shared time budget;
// AskWithRetries turns such a call into the agent's answer (what the http and openai agents
// share).
#ifndef SRE_EVAL_AGENT_RETRY_H_
#define SRE_EVAL_AGENT_RETRY_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/agent.h"
#include "agent/config.h"
#include "util/clock.h"
#include "util/http_client.h"

namespace sre_eval {
namespace agent {

// The time every call of a run may spend together (attempts and the waits between them).
// Thread-safe.
class RunBudget {
 public:
  explicit RunBudget(absl::Duration total) : total_(total), remaining_(total) {}
  absl::Duration total() const { return total_; }
  absl::Duration remaining() const;
  bool spent() const { return remaining() <= absl::ZeroDuration(); }
  void Charge(absl::Duration d);
  // "the run's agent budget of 30m is spent"
  std::string SpentMessage() const;

 private:
  const absl::Duration total_;
  mutable absl::Mutex mu_;
  absl::Duration remaining_ ABSL_GUARDED_BY(mu_);
};

// The jitter generator for one call: seeded from the run's seed and the call's key (prompt id
// and trial), so that a call's back-off sequence is the same in every run with that seed.
std::mt19937_64 CallRng(uint64_t seed, absl::string_view key);

// The wait before retry number `retry` (1 for the first retry): uniform in
// [0, min(max_backoff, initial_backoff * 2^(retry-1))], in whole microseconds.
absl::Duration Backoff(const CallPolicy& policy, int retry, std::mt19937_64* rng);

// The wait a Retry-After header asks for (delay-seconds or an HTTP date, read against
// `now`), or nullopt when the value is neither. Never negative.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

// "60s", "0.5s": how timeouts are written in messages.
std::string Seconds(absl::Duration d);

struct CallResult {
  // The 2xx response; nullopt when the call failed.
  std::optional<HttpResponse> response;
  // Why it failed, without secrets the request held (header values, the body):
  //   "HTTP 500 after 4 attempts: <first 200 bytes of the body>", "HTTP 401: <...>",
  //   "cannot connect to 127.0.0.1:9: Connection refused after 4 attempts",
  //   "timed out after 60s (4 attempts)", "the run's agent budget of 30m is spent".
  std::string error;
  int attempts = 0;
  int http_status = 0;                            // the last status; 0 when none came
  absl::Duration latency = absl::ZeroDuration();  // on `clock`, first attempt to the end
  bool truncated = false;  // the body was cut at the request's max_response_bytes
  // `error` quotes a body that was not UTF-8: those bytes were replaced by U+FFFD.
  bool invalid_utf8 = false;
};

// Sends `request` (its timeout replaced by the policy's) up to 1 + policy.retries times.
// Retries on connection errors, timeouts, 429 (waiting what Retry-After asks, at most
// max_backoff) and 5xx; never on other statuses. Waits on `clock`. Each attempt and wait is
// charged to `budget`; no attempt starts once it is spent. `budget` may be null (no budget).
// Thread-safe if `http`, `clock` and `budget` are.
CallResult CallWithRetries(HttpClient* http, HttpRequest request, const CallPolicy& policy,
                           Clock* clock, RunBudget* budget, std::mt19937_64* rng);

// How much of a JSON response body to read: all of it must be parsed, so it may be larger
// than the answer cap (max_answer_bytes): at least 16 MiB, or 4 times the cap.
size_t JsonResponseByteCap(const CallPolicy& policy);

// One question to an agent over HTTP: `http_request` sent by CallWithRetries under
// config.policy (the jitter from CallRng(seed, "<prompt id>#<trial>") of `request`), then the
// answer: the call's attempts, HTTP status and latency; from a 2xx response, what `read` sets
// (the text, or an error); else the call's error. config.secrets are redacted from the text and
// the error, and an answer with an error has no text. The text and the error are made valid
// UTF-8 (AgentAnswer::invalid_utf8 says when bytes were replaced). Thread-safe if `http`, `clock`,
// `budget` and `read` are.
AgentAnswer AskWithRetries(HttpClient* http, HttpRequest http_request, const AgentConfig& config,
                           Clock* clock, RunBudget* budget, uint64_t seed,
                           const AgentRequest& request,
                           absl::FunctionRef<void(const HttpResponse&, AgentAnswer*)> read);

// What the http and openai agents share: their config, the HTTP client and clock (which must
// outlive the agent), the seed of the retry jitter and the run's budget. A subclass builds the
// HTTP request and reads the answer; Send asks through AskWithRetries.
class HttpEndpointAgent : public Agent {
 public:
  std::string context_mode() const override { return config_.context_mode; }

 protected:
  HttpEndpointAgent(AgentConfig config, HttpClient* http, Clock* clock, uint64_t seed);
  // Thread-safe if `read` is.
  AgentAnswer Send(HttpRequest http_request, const AgentRequest& request,
                   absl::FunctionRef<void(const HttpResponse&, AgentAnswer*)> read);

  const AgentConfig config_;

 private:
  HttpClient* http_;
  Clock* clock_;
  uint64_t seed_;
  RunBudget budget_;
};

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_RETRY_H_
