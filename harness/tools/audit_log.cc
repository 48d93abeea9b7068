#include "tools/audit_log.h"

#include <unistd.h>

#include <cerrno>
#include <utility>

#include "agent/config.h"
#include "util/file_util.h"

namespace sre_eval {
namespace tools {

std::string AuditTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

nlohmann::json AuditEntryJson(const AuditEntry& entry) {
  return {{"time", AuditTime(entry.time)},
          {"tool", entry.tool},
          {"verb", entry.verb},
          {"target", entry.target},
          {"status", entry.status},
          {"bytes", entry.bytes},
          {"latency_ms", absl::ToInt64Milliseconds(entry.latency)}};
}

nlohmann::json ToolCallLine(const agent::AgentRequest& request, const AuditEntry& entry) {
  nlohmann::json line = AuditEntryJson(entry);
  line["incident"] = request.incident;
  line["prompt_id"] = request.prompt_id;
  line["trial"] = request.trial;
  line["source"] = "tool";
  return line;
}

AuditLog::~AuditLog() {
  absl::MutexLock lock(&mu_);
  if (file_ != nullptr) std::fclose(file_);
}

absl::Status AuditLog::Open(const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (file_ != nullptr && path == path_) return absl::OkStatus();
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  path_ = path;
  // Checked now, made with the first line: a run whose agent did nothing has no trail.
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  if (access(dir.c_str(), W_OK) != 0) return ErrnoStatus(errno, dir);
  return absl::OkStatus();
}

void AuditLog::set_secrets(std::vector<std::string> secrets) {
  absl::MutexLock lock(&mu_);
  secrets_ = std::move(secrets);
}

void AuditLog::AddToolCall(const agent::AgentRequest& request, const AuditEntry& entry) {
  AddLine(ToolCallLine(request, entry));
}

void AuditLog::AddLine(const nlohmann::json& line) {
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  absl::MutexLock lock(&mu_);
  if (file_ == nullptr && !path_.empty()) file_ = std::fopen(path_.c_str(), "a");
  if (file_ == nullptr) return;
  text = agent::Redact(text, secrets_) + "\n";
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);
}

}  // namespace tools
}  // namespace sre_eval
