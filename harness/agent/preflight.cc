#include "agent/preflight.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "agent/openai_agent.h"
#include "agent/retry.h"

namespace sre_eval {
namespace agent {
namespace {

constexpr absl::Duration kMaxConnectWait = absl::Seconds(10);

// The client's message without its "METHOD URL: " prefix (the URL may carry a query the user
// wants kept out of messages; the host and port are in the detail).
std::string Detail(absl::string_view message) {
  size_t scheme = message.find("://");
  size_t colon = message.find(": ", scheme == absl::string_view::npos ? 0 : scheme + 3);
  if (colon == absl::string_view::npos) return std::string(message);
  return std::string(message.substr(colon + 2));
}

absl::Status CheckConnect(const AgentConfig& config, const std::string& url, HttpClient* http) {
  HttpRequest request;
  request.url = url;
  request.connect_only = true;
  request.timeout = std::min(config.policy.timeout, kMaxConnectWait);
  request.connect_timeout = request.timeout;
  absl::StatusOr<HttpResponse> connected = http->Send(request);
  if (connected.ok()) return absl::OkStatus();
  const absl::Status& s = connected.status();
  if (absl::IsDeadlineExceeded(s)) {
    return absl::DeadlineExceededError(
        absl::StrCat("no connection within ", Seconds(request.timeout)));
  }
  return absl::Status(s.code(), Redact(Detail(s.message()), config.secrets));
}

// Whether `path` is a regular file this process may execute; the reason when not.
absl::Status CheckExecutable(const std::string& path, const std::string& program) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("program '", program, "' not found"));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::PermissionDeniedError(
        absl::StrCat("program '", program, "' is not a regular file"));
  }
  if (access(path.c_str(), X_OK) != 0) {
    return absl::PermissionDeniedError(absl::StrCat("program '", program, "' is not executable"));
  }
  return absl::OkStatus();
}

absl::Status CheckProgram(const AgentConfig& config) {
  if (config.argv.empty()) return absl::InvalidArgumentError("the command is empty");
  const std::string& program = config.argv[0];
  if (program.find('/') != std::string::npos) return CheckExecutable(program, program);
  // As posix_spawnp looks it up: each PATH entry in turn (an empty entry is the current
  // folder); the first executable file wins.
  const char* env = std::getenv("PATH");
  std::string path = env != nullptr ? env : "/bin:/usr/bin";
  absl::Status first_problem;
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? absl::string_view(".") : dir, "/", program);
    absl::Status found = CheckExecutable(candidate, program);
    if (found.ok()) return found;
    if (!absl::IsNotFound(found) && first_problem.ok()) first_problem = found;
  }
  if (!first_problem.ok()) return first_problem;
  return absl::NotFoundError(absl::StrCat("program '", program, "' not found on PATH"));
}

}  // namespace

absl::Status CheckAgentReachable(const AgentConfig& config, HttpClient* http) {
  if (config.kind == "http") return CheckConnect(config, config.url, http);
  if (config.kind == "openai") return CheckConnect(config, ChatCompletionsUrl(config), http);
  if (config.kind == "command") return CheckProgram(config);
  return absl::OkStatus();
}

}  // namespace agent
}  // namespace sre_eval
