#include "agent/retry.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "util/utf8.h"

namespace sre_eval {
namespace agent {
namespace {

constexpr size_t kBodyExcerptBytes = 200;

// SplitMix64's finaliser: spreads the bits of `x` over the whole word.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The first bytes of a body for a message, valid UTF-8 (never a character cut in half);
// `*replaced` is set when bytes that are not UTF-8 were replaced.
std::string Excerpt(const std::string& body, bool* replaced) {
  std::string excerpt = body.substr(0, kBodyExcerptBytes);
  Utf8Repair repair =
      MakeValidUtf8(&excerpt, kBodyExcerptBytes, /*came_cut=*/body.size() > kBodyExcerptBytes);
  if (repair.replaced > 0) *replaced = true;
  return excerpt;
}

// The client's message without its "METHOD URL: " prefix (the URL may carry a query the
// user wants kept out of answers; the host and port are in the detail where they matter).
std::string Detail(const absl::Status& status) {
  absl::string_view message = status.message();
  size_t scheme = message.find("://");
  size_t colon = message.find(": ", scheme == absl::string_view::npos ? 0 : scheme + 3);
  if (colon == absl::string_view::npos) return std::string(message);
  return std::string(message.substr(colon + 2));
}

std::string AfterAttempts(int attempts) {
  return attempts > 1 ? absl::StrCat(" after ", attempts, " attempts") : "";
}

}  // namespace

absl::Duration RunBudget::remaining() const {
  absl::MutexLock lock(&mu_);
  return remaining_;
}

void RunBudget::Charge(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  remaining_ -= d;
}

std::string RunBudget::SpentMessage() const {
  return absl::StrCat("the run's agent budget of ", absl::FormatDuration(total_), " is spent");
}

std::mt19937_64 CallRng(uint64_t seed, absl::string_view key) {
  // FNV-1a: the same on every platform, unlike std::hash.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return std::mt19937_64(Mix(seed ^ Mix(h)));
}

absl::Duration Backoff(const CallPolicy& policy, int retry, std::mt19937_64* rng) {
  absl::Duration ceiling = policy.initial_backoff;
  for (int i = 1; i < retry && ceiling < policy.max_backoff; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, policy.max_backoff);
  int64_t max_us = absl::ToInt64Microseconds(ceiling);
  if (max_us <= 0) return absl::ZeroDuration();
  // A modulo rather than std::uniform_int_distribution, whose algorithm differs between
  // standard libraries; the bias is below 2^-40 for any sensible ceiling.
  uint64_t draw = (*rng)() % (static_cast<uint64_t>(max_us) + 1);
  return absl::Microseconds(static_cast<int64_t>(draw));
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    int64_t seconds = 0;
    if (!absl::SimpleAtoi(value, &seconds)) return absl::InfiniteDuration();  // Huge.
    return absl::Seconds(seconds);
  }
  // An HTTP date (RFC 9110 IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT".
  absl::Time when;
  std::string err;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(value), absl::UTCTimeZone(), &when,
                       &err)) {
    return std::nullopt;
  }
  return std::max(when - now, absl::ZeroDuration());
}

std::string Seconds(absl::Duration d) { return absl::StrFormat("%gs", absl::ToDoubleSeconds(d)); }

CallResult CallWithRetries(HttpClient* http, HttpRequest request, const CallPolicy& policy,
                           Clock* clock, RunBudget* budget, std::mt19937_64* rng) {
  request.timeout = policy.timeout;
  request.connect_timeout = std::min(request.connect_timeout, policy.timeout);
  CallResult result;
  const absl::Time start = clock->Now();
  const int max_attempts = 1 + std::max(policy.retries, 0);
  while (true) {
    if (budget != nullptr && budget->spent()) {
      // Once any attempt was made, its failure says more than the budget does.
      if (result.attempts == 0) result.error = budget->SpentMessage();
      break;
    }
    const absl::Time attempt_start = clock->Now();
    absl::StatusOr<HttpResponse> response = http->Send(request);
    ++result.attempts;
    if (budget != nullptr) budget->Charge(clock->Now() - attempt_start);

    bool retry = false;
    std::optional<absl::Duration> asked_wait;
    if (!response.ok()) {
      const absl::Status& status = response.status();
      if (status.code() == absl::StatusCode::kDeadlineExceeded) {
        retry = true;
        result.error = absl::StrCat(
            "timed out after ", Seconds(policy.timeout),
            result.attempts > 1 ? absl::StrCat(" (", result.attempts, " attempts)") : "");
      } else if (status.code() == absl::StatusCode::kUnavailable) {
        retry = true;
        result.error = absl::StrCat(Detail(status), AfterAttempts(result.attempts));
      } else {
        result.error = Detail(status);
      }
    } else {
      result.http_status = response->status;
      if (response->status >= 200 && response->status < 300) {
        result.error.clear();
        result.truncated = response->truncated;
        result.response = *std::move(response);
        break;
      }
      retry = response->status == 429 || response->status >= 500;
      if (response->status == 429) {
        asked_wait = ParseRetryAfter(response->Header("retry-after"), clock->Now());
      }
      result.error = absl::StrCat("HTTP ", response->status, AfterAttempts(result.attempts), ": ",
                                  Excerpt(response->body, &result.invalid_utf8));
    }
    if (!retry || result.attempts >= max_attempts) break;
    absl::Duration wait = asked_wait.has_value() ? std::min(*asked_wait, policy.max_backoff)
                                                 : Backoff(policy, result.attempts, rng);
    clock->SleepFor(wait);
    if (budget != nullptr) budget->Charge(wait);
  }
  result.latency = clock->Now() - start;
  return result;
}

size_t JsonResponseByteCap(const CallPolicy& policy) {
  return std::max(size_t{16} << 20, 4 * policy.max_answer_bytes);
}

AgentAnswer AskWithRetries(HttpClient* http, HttpRequest http_request, const AgentConfig& config,
                           Clock* clock, RunBudget* budget, uint64_t seed,
                           const AgentRequest& request,
                           absl::FunctionRef<void(const HttpResponse&, AgentAnswer*)> read) {
  std::mt19937_64 rng = CallRng(seed, absl::StrCat(request.prompt_id, "#", request.trial));
  CallResult call =
      CallWithRetries(http, std::move(http_request), config.policy, clock, budget, &rng);

  AgentAnswer answer;
  answer.attempts = call.attempts;
  answer.http_status = call.http_status;
  answer.latency = call.latency;
  if (call.response.has_value()) {
    read(*call.response, &answer);
  } else {
    answer.error = call.error;
    answer.invalid_utf8 = call.invalid_utf8;
  }
  // The backstop: whatever `read` or a transport message let through (a header value, a
  // message quoting the response) is valid UTF-8 from here on.
  if (RepairUtf8(&answer.text) + RepairUtf8(&answer.error) > 0) answer.invalid_utf8 = true;
  answer.text = Redact(answer.text, config.secrets);
  answer.error = Redact(answer.error, config.secrets);
  if (!answer.ok()) answer.text.clear();
  return answer;
}

HttpEndpointAgent::HttpEndpointAgent(AgentConfig config, HttpClient* http, Clock* clock,
                                     uint64_t seed)
    : config_(std::move(config)),
      http_(http),
      clock_(clock),
      seed_(seed),
      budget_(config_.policy.budget) {}

AgentAnswer HttpEndpointAgent::Send(
    HttpRequest http_request, const AgentRequest& request,
    absl::FunctionRef<void(const HttpResponse&, AgentAnswer*)> read) {
  return AskWithRetries(http_, std::move(http_request), config_, clock_, &budget_, seed_, request,
                        read);
}

}  // namespace agent
}  // namespace sre_eval
