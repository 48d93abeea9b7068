#include "agent/factory.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "agent/command_agent.h"
#include "agent/http_agent.h"
#include "agent/openai_agent.h"

namespace sre_eval {
namespace agent {

absl::StatusOr<std::unique_ptr<Agent>> MakeAgent(const AgentConfig& config, HttpClient* http,
                                                 ProcessRunner* runner, Clock* clock,
                                                 uint64_t seed) {
  if (config.kind == "http") return std::make_unique<HttpAgent>(config, http, clock, seed);
  if (config.kind == "openai") return std::make_unique<OpenAiAgent>(config, http, clock, seed);
  if (config.kind == "command") return std::make_unique<CommandAgent>(config, runner, clock);
  if (config.kind == "reference") {
    return absl::InvalidArgumentError("the reference agent is made by MakeReferenceAgent");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown agent kind '", config.kind, "' (http, openai or command)"));
}

std::vector<AgentAnswer> AskAll(Agent* agent, const std::vector<AgentRequest>& requests, int jobs,
                                const std::function<void(size_t, const AgentAnswer&)>& on_answer) {
  std::vector<AgentAnswer> answers(requests.size());
  std::atomic<size_t> next{0};
  absl::Mutex mu;
  auto work = [&] {
    for (size_t i = next++; i < requests.size(); i = next++) {
      AgentAnswer answer = agent->Ask(requests[i]);
      absl::MutexLock lock(&mu);
      answers[i] = std::move(answer);
      if (on_answer) on_answer(i, answers[i]);
    }
  };
  size_t threads = std::min(requests.size(), static_cast<size_t>(std::max(jobs, 1)));
  if (threads <= 1) {
    work();  // No thread for a single job.
    return answers;
  }
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(work);
  for (std::thread& thread : pool) thread.join();
  return answers;
}

}  // namespace agent
}  // namespace sre_eval

// ---------------------------------------------------------------------------------------------
