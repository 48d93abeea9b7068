#include "cluster/kubectl.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "util/status_macros.h"

namespace sre_eval {
namespace cluster {
namespace {

constexpr size_t kMaxErrorBytes = 400;

// Characters a POSIX shell leaves alone in a word.
bool ShellSafe(const std::string& arg) {
  if (arg.empty()) return false;
  for (char ch : arg) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) &&
        std::strchr("-_./=:,@%+", ch) == nullptr) {
      return false;
    }
  }
  return true;
}

std::string ShellQuote(const std::string& arg) {
  if (ShellSafe(arg)) return arg;
  std::string out = "'";
  for (char ch : arg) {
    if (ch == '\'') {
      out += "'\\''";
    } else {
      out += ch;
    }
  }
  return out + "'";
}

std::string QuotedCommand(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  words.reserve(argv.size());
  for (const std::string& a : argv) words.push_back(ShellQuote(a));
  return absl::StrJoin(words, " ");
}

// stderr's last non-empty lines, joined with "; ", at most kMaxErrorBytes.
std::string ErrorTail(const std::string& stderr_data) {
  std::vector<absl::string_view> lines;
  for (absl::string_view line : absl::StrSplit(stderr_data, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.empty()) return "(no error output)";
  std::string out;
  for (size_t i = lines.size(); i-- > 0;) {
    size_t extra = lines[i].size() + (out.empty() ? 0 : 2);
    if (out.size() + extra > kMaxErrorBytes) {
      if (!out.empty()) break;
      // One line longer than the cap: keep its start, which says what went wrong.
      size_t keep = kMaxErrorBytes - 3;
      // Do not cut a UTF-8 sequence in two.
      while (keep > 0 && (static_cast<unsigned char>(lines[i][keep]) & 0xC0) == 0x80) --keep;
      return absl::StrCat(lines[i].substr(0, keep), "...");
    }
    out = out.empty() ? std::string(lines[i]) : absl::StrCat(lines[i], "; ", out);
  }
  return out;
}

template <typename T, typename Parse>
absl::StatusOr<std::vector<T>> ParseItems(const nlohmann::json& list, Parse parse) {
  if (!list.is_object() || !list.contains("items") || !list["items"].is_array()) {
    return absl::InvalidArgumentError("list: items: expected an array");
  }
  std::vector<T> out;
  for (const nlohmann::json& item : list["items"]) {
    ASSIGN_OR_RETURN(T value, parse(item));
    out.push_back(std::move(value));
  }
  return out;
}

// kubectl's message when the API server does not serve a path: no metrics-server installed
// (NotFound), or its APIService registered but not answering (ServiceUnavailable).
bool NotServed(const SubprocessResult& r) {
  return absl::StrContains(r.stderr_data, "the server could not find the requested resource") ||
         absl::StrContains(r.stderr_data, "(NotFound)") ||
         absl::StrContains(r.stderr_data, "(ServiceUnavailable)");
}

absl::Status ExitError(const std::vector<std::string>& args, const SubprocessResult& r) {
  std::string how = r.term_signal != 0 ? r.DescribeExit() : absl::StrCat("exit ", r.exit_code);
  return absl::UnavailableError(
      absl::StrCat("kubectl ", QuotedCommand(args), ": ", how, ": ", ErrorTail(r.stderr_data)));
}

absl::Status NotJson(const std::vector<std::string>& args) {
  return absl::InternalError(
      absl::StrCat("kubectl ", QuotedCommand(args), ": the output is not JSON"));
}

absl::Status CheckContext(const KubectlTarget& target, const std::vector<std::string>& args) {
  if (!target.context.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("kubectl ", QuotedCommand(args),
                   ": no context given; sre-eval never acts on kubectl's current context"));
}

// A kubectl process: `base` (the program and the global flags) then `args`, with the run's
// cache folder and a timeout past kubectl's own request timeout.
SubprocessOptions Options(const KubectlTarget& target, std::vector<std::string> base,
                          const std::vector<std::string>& args) {
  SubprocessOptions options;
  options.argv = std::move(base);
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  if (!target.cache_dir.empty()) options.env.emplace_back("KUBECACHEDIR", target.cache_dir);
  // A kubectl call lives a tenth of a second: Go's garbage collector costs it about a tenth of
  // that (measured: 124 -> 110 ms a sample). Off, with a memory limit at which it comes back,
  // unless the user set either.
  if (std::getenv("GOGC") == nullptr && std::getenv("GOMEMLIMIT") == nullptr) {
    options.env.emplace_back("GOGC", "off");
    options.env.emplace_back("GOMEMLIMIT", "512MiB");
  }
  options.timeout = target.request_timeout + absl::Seconds(15);
  return options;
}

// One invocation: `base` (the program and the global flags) then `args`, logged. A non-zero
// exit is a result here; the callers decide what it means.
absl::StatusOr<SubprocessResult> Invoke(ProcessRunner* runner, Clock* wall, KubectlLog* log,
                                        const KubectlTarget& target, std::vector<std::string> base,
                                        const std::vector<std::string>& args, bool mutating,
                                        std::optional<std::string> stdin_data) {
  SubprocessOptions options = Options(target, std::move(base), args);
  options.stdin_data = std::move(stdin_data);
  absl::Time start = wall->Now();
  absl::StatusOr<SubprocessResult> r = runner->Run(options);
  if (log != nullptr)
    log->Append(start, wall->Now() - start, KubectlOutcome(r), mutating, options.argv);
  if (r.ok()) return r;
  if (absl::IsNotFound(r.status())) {
    return absl::NotFoundError(absl::StrCat(
        target.kubectl,
        target.kubectl.find('/') == std::string::npos ? " not found on PATH" : " not found",
        "; install it: https://kubernetes.io/docs/tasks/tools/"));
  }
  std::string what = absl::StrCat("kubectl ", QuotedCommand(args));
  if (absl::IsDeadlineExceeded(r.status())) {
    return absl::DeadlineExceededError(
        absl::StrCat(what, ": timed out after ", absl::FormatDuration(options.timeout)));
  }
  return absl::Status(r.status().code(), absl::StrCat(what, ": ", r.status().message()));
}

// `config` commands read only the kubeconfig: no namespace, no request timeout, and no
// context unless one is given.
absl::StatusOr<std::string> RunConfig(ProcessRunner* runner, Clock* wall, KubectlLog* log,
                                      const KubectlTarget& target,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> base = {target.kubectl};
  if (!target.kubeconfig.empty()) base.insert(base.end(), {"--kubeconfig", target.kubeconfig});
  if (!target.context.empty()) base.insert(base.end(), {"--context", target.context});
  ASSIGN_OR_RETURN(SubprocessResult r,
                   Invoke(runner, wall, log, target, std::move(base), args, false, std::nullopt));
  if (!r.success()) return ExitError(args, r);
  return std::move(r.stdout_data);
}

}  // namespace

std::string KubectlOutcome(const absl::StatusOr<SubprocessResult>& r) {
  if (r.ok()) {
    if (r->term_signal != 0) return absl::StrCat("signal ", r->term_signal);
    return absl::StrCat("exit ", r->exit_code);
  }
  if (absl::IsDeadlineExceeded(r.status())) return "timeout";
  if (absl::IsNotFound(r.status())) return "not found";
  return "error";
}

// --- KubectlLog ---

absl::StatusOr<std::unique_ptr<KubectlLog>> KubectlLog::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) {
    int err = errno;
    return absl::UnavailableError(
        absl::StrCat("cannot open kubectl log ", path, ": ", std::strerror(err)));
  }
  return std::unique_ptr<KubectlLog>(new KubectlLog(f));
}

KubectlLog::~KubectlLog() {
  absl::MutexLock lock(&mu_);
  std::fclose(file_);
}

void KubectlLog::Append(absl::Time when, absl::Duration took, const std::string& outcome,
                        bool mutating, const std::vector<std::string>& argv) {
  std::string line = absl::StrFormat(
      "%s  %.3fs  %s  %s  %s\n",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", when, absl::UTCTimeZone()),
      absl::ToDoubleSeconds(took), outcome, mutating ? "W" : "R", QuotedCommand(argv));
  absl::MutexLock lock(&mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
  ++calls_;
  if (mutating) ++mutating_calls_;
}

int KubectlLog::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

int KubectlLog::mutating_calls() const {
  absl::MutexLock lock(&mu_);
  return mutating_calls_;
}

// --- Kubectl ---

const char Kubectl::kSnapshotKinds[] = "pods,deployments.apps,jobs.batch,events";

Kubectl::Kubectl(KubectlTarget target, ProcessRunner* runner, Clock* wall, KubectlLog* log)
    : target_(std::move(target)), runner_(runner), wall_(wall), log_(log) {}

std::vector<std::string> Kubectl::BaseArgv(const KubectlTarget& t) {
  std::vector<std::string> argv = {t.kubectl};
  if (!t.kubeconfig.empty()) argv.insert(argv.end(), {"--kubeconfig", t.kubeconfig});
  argv.insert(argv.end(),
              {"--context", t.context, "--namespace", t.ns,
               absl::StrCat("--request-timeout=", absl::FormatDuration(t.request_timeout))});
  return argv;
}

absl::StatusOr<std::string> Kubectl::Run(const std::vector<std::string>& args, bool mutating,
                                         std::optional<std::string> stdin_data) {
  RETURN_IF_ERROR(CheckContext(target_, args));
  ASSIGN_OR_RETURN(SubprocessResult r, Invoke(runner_, wall_, log_, target_, BaseArgv(target_),
                                              args, mutating, std::move(stdin_data)));
  if (!r.success()) return ExitError(args, r);
  return std::move(r.stdout_data);
}

absl::StatusOr<nlohmann::json> Kubectl::RunJson(const std::vector<std::string>& args) {
  ASSIGN_OR_RETURN(std::string out, Run(args, /*mutating=*/false));
  nlohmann::json j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return NotJson(args);
  return j;
}

absl::StatusOr<std::vector<std::string>> Kubectl::Contexts() {
  ASSIGN_OR_RETURN(std::string out, RunConfig(runner_, wall_, log_, target_,
                                              {"config", "get-contexts", "-o", "name"}));
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) names.emplace_back(line);
  }
  return names;
}

absl::StatusOr<std::string> Kubectl::CurrentContext() {
  ASSIGN_OR_RETURN(std::string out,
                   RunConfig(runner_, wall_, log_, target_, {"config", "current-context"}));
  return std::string(absl::StripAsciiWhitespace(out));
}

absl::StatusOr<bool> Kubectl::NamespaceExists() {
  ASSIGN_OR_RETURN(std::string out,
                   Run({"get", "namespace", target_.ns, "--ignore-not-found", "-o", "name"},
                       /*mutating=*/false));
  return !absl::StripAsciiWhitespace(out).empty();
}

absl::Status Kubectl::Apply(const std::string& manifest) {
  return Run({"apply", "--server-side", "--field-manager=sre-eval", "--force-conflicts", "-f",
              manifest},
             /*mutating=*/true)
      .status();
}

absl::Status Kubectl::Delete(const std::string& manifest) {
  return Run({"delete", "--ignore-not-found", "--wait=false", "-f", manifest}, /*mutating=*/true)
      .status();
}

absl::Status Kubectl::Scale(const std::string& deployment, int replicas) {
  return Run({"scale", absl::StrCat("deployment/", deployment),
              absl::StrCat("--replicas=", replicas)},
             /*mutating=*/true)
      .status();
}

absl::StatusOr<std::vector<Pod>> Kubectl::GetPods() {
  ASSIGN_OR_RETURN(nlohmann::json list, RunJson({"get", "pods", "-o", "json"}));
  return ParseItems<Pod>(list, ParsePod);
}

absl::StatusOr<std::vector<Deployment>> Kubectl::GetDeployments() {
  ASSIGN_OR_RETURN(nlohmann::json list, RunJson({"get", "deployments.apps", "-o", "json"}));
  return ParseItems<Deployment>(list, ParseDeployment);
}

absl::StatusOr<Deployment> Kubectl::GetDeployment(const std::string& name) {
  ASSIGN_OR_RETURN(nlohmann::json object, RunJson({"get", "deployments.apps", name, "-o", "json"}));
  return ParseDeployment(object);
}

absl::StatusOr<std::vector<Job>> Kubectl::GetJobs() {
  ASSIGN_OR_RETURN(nlohmann::json list, RunJson({"get", "jobs.batch", "-o", "json"}));
  return ParseItems<Job>(list, ParseJob);
}

absl::StatusOr<std::vector<Event>> Kubectl::GetEvents() {
  ASSIGN_OR_RETURN(nlohmann::json list, RunJson({"get", "events", "-o", "json"}));
  return ParseItems<Event>(list, ParseEvent);
}

absl::StatusOr<Snapshot> Kubectl::GetSnapshot() {
  if (metrics_in_snapshot_) {
    std::vector<std::string> args = {
        "get", kSnapshotKinds + std::string(",pods.v1beta1.metrics.k8s.io"), "-o", "json"};
    RETURN_IF_ERROR(CheckContext(target_, args));
    if (gate_) {
      std::optional<std::string> out = GatedSnapshot(args);
      if (out.has_value()) {
        nlohmann::json list = nlohmann::json::parse(*out, nullptr, false);
        if (!list.is_discarded()) return ParseSnapshotList(list);
      }
    }
    ASSIGN_OR_RETURN(SubprocessResult r,
                     Invoke(runner_, wall_, log_, target_, BaseArgv(target_), args,
                            /*mutating=*/false, std::nullopt));
    if (r.success()) {
      nlohmann::json list = nlohmann::json::parse(r.stdout_data, nullptr, false);
      if (list.is_discarded()) return NotJson(args);
      return ParseSnapshotList(list);
    }
    // No metrics API (no metrics-server): the same list without metrics, from now on.
    if (r.term_signal != 0 ||
        !(NotServed(r) || absl::StrContains(r.stderr_data, "doesn't have a resource type"))) {
      return ExitError(args, r);
    }
    metrics_in_snapshot_ = false;
    prefetch_.reset();
  }
  ASSIGN_OR_RETURN(nlohmann::json list, RunJson({"get", kSnapshotKinds, "-o", "json"}));
  return ParseSnapshotList(list);
}

Kubectl::Prefetch::~Prefetch() {
  if (!thread.joinable()) return;
  if (!done.HasBeenNotified()) gate(SampleGate::kRefusing);
  thread.join();
  gate(SampleGate::kClosed);
}

void Kubectl::set_sample_gate(std::string gated_kubeconfig, std::function<void(SampleGate)> gate) {
  prefetch_.reset();
  gated_kubeconfig_ = std::move(gated_kubeconfig);
  gate_ = std::move(gate);
}

void Kubectl::StartPrefetch(const std::vector<std::string>& args) {
  KubectlTarget gated = target_;
  gated.kubeconfig = gated_kubeconfig_;
  auto p = std::make_unique<Prefetch>();
  p->gate = gate_;
  Prefetch* raw = p.get();
  ProcessRunner* runner = runner_;
  SubprocessOptions options = Options(gated, BaseArgv(gated), args);
  p->thread = std::thread([raw, runner, options]() {
    raw->result = runner->Run(options);
    raw->done.Notify();
  });
  prefetch_ = std::move(p);
}

std::optional<std::string> Kubectl::GatedSnapshot(const std::vector<std::string>& args) {
  // One that ended before its gate opened gave up waiting: it read nothing.
  if (prefetch_ != nullptr && prefetch_->done.HasBeenNotified()) prefetch_.reset();
  if (prefetch_ == nullptr) StartPrefetch(args);
  const absl::Time start = wall_->Now();
  gate_(SampleGate::kOpen);
  prefetch_->done.WaitForNotification();
  gate_(SampleGate::kClosed);
  prefetch_->thread.join();
  absl::StatusOr<SubprocessResult> r = std::move(prefetch_->result);
  prefetch_.reset();
  StartPrefetch(args);  // the next sample's kubectl starts now
  // It ran once the gate opened, whatever came of it: a call of the run, in its log.
  if (log_ != nullptr) {
    std::vector<std::string> argv = BaseArgv(target_);
    argv.insert(argv.end(), args.begin(), args.end());
    log_->Append(start, wall_->Now() - start, KubectlOutcome(r), /*mutating=*/false, argv);
  }
  if (!r.ok() || !r->success()) return std::nullopt;  // read again, the ordinary way
  return std::move(r->stdout_data);
}

absl::StatusOr<std::vector<PodMetrics>> Kubectl::GetPodMetrics() {
  std::vector<std::string> args = {
      "get", "--raw",
      absl::StrCat("/apis/metrics.k8s.io/v1beta1/namespaces/", target_.ns, "/pods")};
  RETURN_IF_ERROR(CheckContext(target_, args));
  ASSIGN_OR_RETURN(SubprocessResult r,
                   Invoke(runner_, wall_, log_, target_, BaseArgv(target_), args,
                          /*mutating=*/false, std::nullopt));
  if (!r.success()) {
    if (r.term_signal == 0 && NotServed(r)) return std::vector<PodMetrics>();
    return ExitError(args, r);
  }
  nlohmann::json list = nlohmann::json::parse(r.stdout_data, nullptr, false);
  if (list.is_discarded()) return NotJson(args);
  return ParseItems<PodMetrics>(list, ParsePodMetrics);
}

absl::StatusOr<std::string> Kubectl::Logs(const std::string& pod, const std::string& container,
                                          bool previous, absl::Time since) {
  std::vector<std::string> args = {"logs", pod, "-c", container};
  if (previous) args.push_back("--previous");
  if (since != absl::InfinitePast()) {
    args.push_back(absl::StrCat("--since-time=", FormatApiTime(since)));
  }
  return Run(args, /*mutating=*/false);
}

std::vector<std::string> Kubectl::LogSelectors(const std::string& label,
                                               const std::vector<Pod>& pods) {
  // Containers per value of the label, in the order of the values.
  constexpr int kMaxContainers = 9;  // and the list of pods: 10 requests, kubectl's burst
  std::map<std::string, int> containers;
  for (const Pod& p : pods) {
    auto v = p.labels.find(label);
    if (v == p.labels.end() || v->second.empty()) continue;
    containers[v->second] += std::max<int>(1, static_cast<int>(p.resources.size()));
  }
  if (containers.empty()) return {label};
  std::vector<std::vector<std::string>> groups(1);
  int in_group = 0;
  for (const auto& [value, n] : containers) {
    if (!groups.back().empty() && in_group + n > kMaxContainers) {
      groups.emplace_back();
      in_group = 0;
    }
    groups.back().push_back(value);
    in_group += n;
  }
  // Every group but the last by its values; the last as "not any other group's", so that it
  // also reads the pods with a value the snapshot did not show.
  std::vector<std::string> selectors, others;
  for (size_t i = 0; i + 1 < groups.size(); ++i) {
    selectors.push_back(absl::StrCat(label, " in (", absl::StrJoin(groups[i], ","), ")"));
    others.insert(others.end(), groups[i].begin(), groups[i].end());
  }
  selectors.push_back(others.empty() ? label
                                     : absl::StrCat(label, ",", label, " notin (",
                                                    absl::StrJoin(others, ","), ")"));
  return selectors;
}

absl::StatusOr<Kubectl::LogsByContainer> Kubectl::LogsBySelector(const std::string& label,
                                                                 absl::Time since,
                                                                 const std::vector<Pod>& pods) {
  std::vector<std::string> selectors = LogSelectors(label, pods);
  std::vector<absl::StatusOr<std::string>> texts(selectors.size(), std::string());
  auto read = [&](size_t i) {
    std::vector<std::string> args = {
        "logs",          "-l",        selectors[i],           "--all-containers=true",
        "--prefix=true", "--tail=-1", "--max-log-requests=50"};
    if (since != absl::InfinitePast()) {
      args.push_back(absl::StrCat("--since-time=", FormatApiTime(since)));
    }
    texts[i] = Run(args, /*mutating=*/false);
  };
  {
    // Each invocation is a process with a rate limiter of its own: they run at once.
    std::vector<std::thread> others;
    for (size_t i = 1; i < selectors.size(); ++i) others.emplace_back(read, i);
    read(0);
    for (std::thread& t : others) t.join();
  }
  LogsByContainer out;
  for (absl::StatusOr<std::string>& text : texts) {
    if (!text.ok()) return text.status();
    for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
      // "[pod/carts-5d4f-abcde/carts] the line"
      if (!absl::StartsWith(line, "[pod/")) continue;
      size_t close = line.find("] ");
      size_t slash = line.find('/', 5);
      if (close == absl::string_view::npos || slash == absl::string_view::npos || slash > close) {
        continue;
      }
      std::string& t = out[{std::string(line.substr(5, slash - 5)),
                            std::string(line.substr(slash + 1, close - slash - 1))}];
      absl::StrAppend(&t, line.substr(close + 2), "\n");
    }
  }
  return out;
}

absl::StatusOr<std::string> Kubectl::JobLogs(const std::string& job, bool timestamps) {
  std::vector<std::string> args = {"logs", absl::StrCat("job/", job)};
  if (timestamps) args.push_back("--timestamps");
  return Run(args, /*mutating=*/false);
}

absl::StatusOr<std::string> Kubectl::ProxyGet(const std::string& service, int port,
                                              const std::string& path) {
  if (!absl::StartsWith(path, "/")) {
    return absl::InvalidArgumentError(
        absl::StrCat("proxy path \"", path, "\" must start with '/'"));
  }
  return Run({"get", "--raw",
              absl::StrCat("/api/v1/namespaces/", target_.ns, "/services/", service, ":", port,
                           "/proxy", path)},
             /*mutating=*/false);
}

// --- Context safety ---

bool ContextAllowed(const std::string& context, const std::vector<std::string>& patterns) {
  for (const std::string& pattern : patterns) {
    // Greedy glob matching with backtracking to the last '*'.
    size_t p = 0, c = 0, star = std::string::npos, mark = 0;
    while (c < context.size()) {
      if (p < pattern.size() && pattern[p] == '*') {
        star = p++;
        mark = c;
      } else if (p < pattern.size() && pattern[p] == context[c]) {
        ++p;
        ++c;
      } else if (star != std::string::npos) {
        p = star + 1;
        c = ++mark;
      } else {
        break;
      }
    }
    if (c < context.size()) continue;
    while (p < pattern.size() && pattern[p] == '*') ++p;
    if (p == pattern.size()) return true;
  }
  return false;
}

const std::vector<std::string>& DefaultAllowedContexts() {
  static const auto* const kDefault = new std::vector<std::string>{"kind-*", "sre-eval-sim"};
  return *kDefault;
}

}  // namespace cluster
}  // namespace sre_eval
