#include "agent/command_agent.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/retry.h"
#include "util/utf8.h"

namespace sre_eval {
namespace agent {

namespace {

constexpr int kStderrLines = 5;
constexpr size_t kStderrBytes = 400;

// The last lines of `err` (already redacted), at most kStderrBytes, cut at a UTF-8
// character boundary.
std::string StderrTail(absl::string_view err) {
  err = absl::StripTrailingAsciiWhitespace(err);
  std::vector<absl::string_view> lines = absl::StrSplit(err, '\n');
  if (lines.size() > kStderrLines) lines.erase(lines.begin(), lines.end() - kStderrLines);
  std::string tail = absl::StrJoin(lines, "\n");
  if (tail.size() <= kStderrBytes) return tail;
  size_t start = tail.size() - (kStderrBytes - 3);
  while (start < tail.size() && (static_cast<unsigned char>(tail[start]) & 0xC0) == 0x80) {
    ++start;
  }
  return "..." + tail.substr(start);
}

}  // namespace

nlohmann::json DefaultRequestJson(const AgentRequest& request, bool expose_incident,
                                  bool expose_prompt_id) {
  nlohmann::json history = nlohmann::json::array();
  for (const Turn& turn : request.history) {
    history.push_back({{"role", turn.role}, {"content", turn.content}});
  }
  nlohmann::json out = {
      {"message", request.message},
      {"history", std::move(history)},
      {"window", {{"start", request.window_start}, {"end", request.window_end}}},
      {"cluster",
       {{"kubeconfig", request.cluster.kubeconfig},
        {"context", request.cluster.context},
        {"namespace", request.cluster.ns}}},
      {"trial", request.trial},
  };
  if (expose_incident) out["incident"] = request.incident;
  if (expose_prompt_id) out["prompt_id"] = request.prompt_id;
  nlohmann::json monitoring = MonitoringJson(request.cluster);
  if (!monitoring.empty()) out["monitoring"] = std::move(monitoring);
  if (!request.evidence.empty()) out["evidence"] = request.evidence;
  if (request.acting()) {
    out["task"] = {{"act", true},
                   {"budget_seconds", absl::ToInt64Seconds(request.act.budget)},
                   {"allow", {{"verbs", request.act.verbs}, {"resources", request.act.resources}}}};
  }
  return out;
}

nlohmann::json MonitoringJson(const ClusterAccess& cluster) {
  nlohmann::json out = nlohmann::json::object();
  if (!cluster.prometheus.empty()) out["prometheus"] = cluster.prometheus;
  if (!cluster.loki.empty()) out["loki"] = cluster.loki;
  if (!cluster.datadog.empty()) out["datadog"] = cluster.datadog;
  return out;
}

CommandAgent::CommandAgent(AgentConfig config, ProcessRunner* runner, Clock* clock)
    : config_(std::move(config)), runner_(runner), clock_(clock) {}

AgentAnswer CommandAgent::Ask(const AgentRequest& request) {
  AgentAnswer answer;
  answer.attempts = 1;  // A command may have side effects: it is never retried.
  SubprocessOptions options;
  options.argv = config_.argv;
  options.stdin_data =
      DefaultRequestJson(request, config_.expose_incident, config_.expose_prompt_id).dump();
  options.timeout = config_.policy.timeout;
  // An action task's agent may use its whole budget.
  if (request.acting()) options.timeout = std::max(options.timeout, request.act.wall_limit);
  options.max_stdout_bytes = config_.policy.max_answer_bytes;
  options.contain_descendants = true;  // Nothing the agent starts outlives its call.
  // kubectl and client libraries find the cluster they were handed, and nothing else.
  if (!request.cluster.kubeconfig.empty()) {
    options.env.emplace_back("KUBECONFIG", request.cluster.kubeconfig);
  }
  if (!request.cluster.kube_cache_dir.empty()) {
    options.env.emplace_back("KUBECACHEDIR", request.cluster.kube_cache_dir);
  }
  // Where its tools record their calls (agents/mcp-agent.py hands it to `sre-eval mcp`).
  if (!request.cluster.audit_file.empty()) {
    options.env.emplace_back("SRE_EVAL_AUDIT_FILE", request.cluster.audit_file);
  }
  absl::Time start = clock_->Now();
  absl::StatusOr<SubprocessResult> result = runner_->Run(options);
  answer.latency = clock_->Now() - start;
  std::string program = config_.argv.empty() ? "" : config_.argv[0];
  std::string error;
  if (!result.ok()) {
    const absl::Status& s = result.status();
    if (absl::IsDeadlineExceeded(s)) {
      error = absl::StrCat("timed out after ", Seconds(config_.policy.timeout));
    } else if (absl::IsNotFound(s)) {
      error = absl::StrCat("program '", program, "' not found");
    } else if (absl::IsPermissionDenied(s)) {
      error = absl::StrCat("program '", program, "' is not executable");
    } else {
      error = absl::StrCat("cannot run '", program, "': ", s.message());
    }
  } else if (!result->success()) {
    error = result->exit_code >= 0 ? absl::StrCat("exit ", result->exit_code)
                                   : absl::StrCat("killed by signal ", result->term_signal);
    // Made valid UTF-8 where it enters, then redacted before it is cut, so that no part of a
    // secret survives the cut.
    std::string stderr_text = result->stderr_data;
    if (MakeValidUtf8(&stderr_text, std::string::npos, result->stderr_truncated).replaced > 0) {
      answer.invalid_utf8 = true;
    }
    std::string tail = StderrTail(Redact(stderr_text, config_.secrets));
    if (!tail.empty()) absl::StrAppend(&error, ": ", tail);
  } else {
    // Valid UTF-8 from here on: a character the cap split is dropped, other bytes that are
    // not UTF-8 become U+FFFD (also inside JSON strings, which would not parse otherwise).
    std::string out = result->stdout_data;
    Utf8Repair repair = MakeValidUtf8(&out, std::string::npos, result->stdout_truncated);
    answer.truncated = repair.cut;
    if (repair.replaced > 0) answer.invalid_utf8 = true;
    if (config_.answer_pointer.empty()) {
      answer.text = std::string(absl::StripTrailingAsciiWhitespace(out));
      if (answer.text.empty()) error = "stdout is empty";
    } else {
      nlohmann::json doc = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
      if (doc.is_discarded()) {
        error = result->stdout_truncated ? absl::StrCat("stdout is not JSON (cut at ",
                                                        config_.policy.max_answer_bytes, " bytes)")
                                         : "stdout is not JSON";
      } else {
        const nlohmann::json* found = nullptr;
        try {
          nlohmann::json::json_pointer pointer(config_.answer_pointer);
          if (doc.contains(pointer)) found = &doc.at(pointer);
        } catch (const nlohmann::json::exception&) {
          found = nullptr;  // A malformed pointer or index finds nothing.
        }
        if (found != nullptr && found->is_string()) {
          answer.text = found->get<std::string>();
        } else {
          error = absl::StrCat("no string at ", config_.answer_pointer, " in stdout");
        }
      }
    }
  }
  if (!error.empty()) {
    answer.text.clear();
    answer.error = Redact(error, config_.secrets);
  }
  // The backstop: nothing that is not UTF-8 leaves the agent.
  if (RepairUtf8(&answer.text) + RepairUtf8(&answer.error) > 0) answer.invalid_utf8 = true;
  return answer;
}

}  // namespace agent
}  // namespace sre_eval
