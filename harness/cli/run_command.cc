// sre-eval run: records the incidents (as `record` does), asks the agent the guide's questions
// about each one while the cluster still shows it, scores the answers, writes the reports and
// prints the scorecard. The reference agent answers beside the agent under test.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "agent/config.h"
#include "agent/factory.h"
#include "agent/preflight.h"
#include "agent/reference_agent.h"
#include "cli/act_task.h"
#include "cli/agent_workspace.h"
#include "cli/ask.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/record.h"
#include "cluster/kubectl.h"
#include "incident/incident.h"
#include "incident/runner.h"
#include "nlohmann/json.hpp"
#include "report/report.h"
#include "score/responses.h"
#include "score/rubric_set.h"
#include "score/run_scores.h"
#include "score/score_table.h"
#include "score/scores_json.h"
#include "suite/fingerprint.h"
#include "tools/audit_log.h"
#include "tools/tool_loop.h"
#include "tools/tool_set.h"
#include "util/diagnostic.h"
#include "util/file_util.h"
#include "util/http_client.h"
#include "util/json_parse.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

std::atomic<int> g_run_interrupts{0};
extern "C" void OnRunInterrupt(int) { g_run_interrupts.fetch_add(1); }

class RunInterruptScope {
 public:
  RunInterruptScope() {
    g_run_interrupts = 0;
    struct sigaction sa = {};
    sa.sa_handler = OnRunInterrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~RunInterruptScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_, old_term_;
};

bool ParseCount(const ParsedArgs& args, const char* name, int lo, int hi, int* out,
                std::ostream& err) {
  if (!args.Has(name)) return true;
  std::string text = args.Get(name);
  if (!absl::SimpleAtoi(text, out) || *out < lo || *out > hi) {
    err << "sre-eval run: --" << name << " must be a whole number from " << lo << " to " << hi
        << ", got '" << text << "'\n";
    return false;
  }
  return true;
}

// --max-failed-answers: how many of the agent's answers may fail (error or timeout) before
// the run exits 3. "N" answers, or "P%" of the answers.
struct FailedAnswersAllowance {
  int64_t count = 0;
  bool percent = false;
  std::string text = "0";

  bool Allows(int64_t failed, int64_t answers) const {
    return percent ? failed * 100 <= count * answers : failed <= count;
  }
};

bool ParseFailedAnswersAllowance(const std::string& text, FailedAnswersAllowance* out) {
  absl::string_view digits = text;
  bool percent = absl::ConsumeSuffix(&digits, "%");
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(digits, &value) || (percent && value > 100)) return false;
  out->count = value;
  out->percent = percent;
  out->text = text;
  return true;
}

// The built-in tool loop's kubectl calls in the run's kubectl.log, beside the harness's and the
// reference agent's: a runner that logs each kubectl invocation it runs (the log, asked at each
// call, is the run's once the cluster is up). "W" for what the tool offers only in an action
// task.
class KubectlLoggingRunner final : public ProcessRunner {
 public:
  KubectlLoggingRunner(ProcessRunner* inner, std::function<cluster::KubectlLog*()> log)
      : inner_(inner), log_(std::move(log)) {}
  absl::StatusOr<SubprocessResult> Run(const SubprocessOptions& options) override {
    const absl::Time start = absl::Now();
    absl::StatusOr<SubprocessResult> r = inner_->Run(options);
    cluster::KubectlLog* log = log_();
    if (log == nullptr || options.argv.empty() ||
        !absl::EndsWith(options.argv.front(), "kubectl")) {
      return r;
    }
    // The tool's arguments follow the global flags it puts first; a read is what the tool
    // offers outside an action task (tools::CheckKubectlArgs).
    auto verb = std::find_if(options.argv.begin() + 1, options.argv.end(),
                             [](const std::string& a) { return !absl::StartsWith(a, "-"); });
    const bool read =
        tools::CheckKubectlArgs(std::vector<std::string>(verb, options.argv.end())).empty();
    log->Append(start, absl::Now() - start, cluster::KubectlOutcome(r), !read, options.argv);
    return r;
  }

 private:
  ProcessRunner* inner_;
  std::function<cluster::KubectlLog*()> log_;
};

// How many failed answers are shown with their reasons when a run ends.
constexpr size_t kFailedAnswersShown = 5;

// A run.json as JSON: null when it is missing or not JSON (the callers only update it).
nlohmann::json ReadRunJson(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{1} << 20);
  return text.ok() ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json(nullptr);
}

// Reads RUN_DIR/run.json, lets `change` edit it and writes it back atomically; nothing when
// it is not a JSON object.
void UpdateRunJson(const std::string& run_dir, const std::function<void(nlohmann::json&)>& change) {
  const std::string path = run_dir + "/run.json";
  nlohmann::json doc = ReadRunJson(path);
  if (!doc.is_object()) return;
  change(doc);
  WriteFileAtomically(path, doc.dump(2) + "\n").IgnoreError();
}

// Writes the answers' outcome into RUN_DIR/run.json: "answers": {"total", "failed"}, and a
// status of "incomplete" (never "ok") when some failed.
void RecordAnswerCounts(const std::string& run_dir, int total, int failed) {
  UpdateRunJson(run_dir, [&](nlohmann::json& doc) {
    doc["answers"] = {{"total", total}, {"failed", failed}};
    if (failed > 0 && doc.value("status", "") == "ok") doc["status"] = "incomplete";
  });
}

// The (prompt id, trial) pairs a responses.jsonl holds (absent file: none).
std::set<std::pair<std::string, int>> Answered(const std::string& path) {
  std::set<std::pair<std::string, int>> out;
  Diagnostics ignored;
  int lines = 0;
  ReadResponses(
      path, path,
      [&](const Response& r) {
        out.insert({r.prompt_id, static_cast<int>(r.trial)});
      },
      &ignored, &lines)
      .IgnoreError();
  return out;
}

// Checks, before anything is asked, that the cluster of a resumed kube run is there and allowed
// (incident::Preflight); its kubectl calls are appended to `log_path`. Returns an exit code.
int CheckCluster(const RecordOptions& ro, const std::string& log_path, std::ostream& err) {
  absl::StatusOr<std::unique_ptr<cluster::KubectlLog>> log = cluster::KubectlLog::Open(log_path);
  if (!log.ok()) {
    err << "sre-eval run: " << log.status().message() << "\n";
    return kExitEnvironment;
  }
  cluster::KubectlTarget target;
  target.kubectl = ro.kubectl;  // $SRE_EVAL_KUBECTL already applied by ParseRecordOptions
  target.kubeconfig = ro.kubeconfig;
  target.context = ro.context;
  target.ns = ro.ns;
  target.cache_dir =
      std::filesystem::absolute(std::filesystem::path(log_path).parent_path() / "kube-cache")
          .string();
  PosixProcessRunner runner;
  cluster::Kubectl k(target, &runner, SystemClock::Get(), log->get());
  std::vector<std::string> allowed = cluster::DefaultAllowedContexts();
  allowed.insert(allowed.end(), ro.allow_contexts.begin(), ro.allow_contexts.end());
  absl::Status pre = incident::Preflight(&k, allowed);
  if (!pre.ok()) {
    err << "sre-eval run: cannot resume: " << pre.message() << "\n";
    return kExitEnvironment;
  }
  return kExitOk;
}

// After a resume: the scratch recording's kubectl calls join the run's (the sim's replay is
// a cluster of its own: kubectl.resume.log), the incidents recorded only now (`adopted`) take
// their entries in run.json, whatever their new status, and run.json counts the resume (the
// run's status is set once asking is over: SetRunStatus).
void FinishResume(const RecordOptions& ro, const std::string& run_dir,
                  const std::set<std::string>& adopted) {
  std::error_code ec;
  const std::string scratch_log = ro.out + "/kubectl.log";
  if (ro.env == "sim") {
    std::filesystem::rename(scratch_log, run_dir + "/kubectl.resume.log", ec);
  } else if (absl::StatusOr<std::string> calls = ReadFile(scratch_log); calls.ok()) {
    std::FILE* f = std::fopen((run_dir + "/kubectl.log").c_str(), "a");
    if (f != nullptr) {
      std::fwrite(calls->data(), 1, calls->size(), f);
      std::fclose(f);
    }
  }
  nlohmann::json fresh = ReadRunJson(ro.out + "/run.json");
  std::filesystem::remove_all(ro.out, ec);
  UpdateRunJson(run_dir, [&](nlohmann::json& doc) {
    if (fresh.is_object() && fresh.contains("incidents") && doc.contains("incidents")) {
      for (nlohmann::json& entry : doc["incidents"]) {
        if (adopted.count(entry.value("id", "")) == 0) continue;
        for (const nlohmann::json& now : fresh["incidents"]) {
          if (now.value("id", "") == entry.value("id", "")) entry = now;
        }
      }
    }
    doc["resumes"] = doc.value("resumes", 0) + 1;
  });
}

// A run killed while appending leaves its last line cut short; the next line appended would
// join it and both would be lost. Cuts `path` back to its last whole line.
void DropPartialLastLine(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{1} << 30);
  if (!text.ok() || text->empty() || text->back() == '\n') return;
  size_t keep = text->rfind('\n');
  keep = keep == std::string::npos ? 0 : keep + 1;
  std::error_code ec;
  std::filesystem::resize_file(path, keep, ec);
}

// The incidents run.json says the run set out to record.
std::vector<std::string> SelectedIncidents(const std::string& run_dir) {
  std::vector<std::string> ids;
  nlohmann::json doc = ReadRunJson(run_dir + "/run.json");
  if (doc.is_object() && doc.contains("selected_incidents") &&
      doc["selected_incidents"].is_array()) {
    for (const nlohmann::json& id : doc["selected_incidents"]) {
      if (id.is_string()) ids.push_back(id.get<std::string>());
    }
  }
  return ids;
}

// The (prompt, trial) pairs of the selected incidents that have no line in responses.jsonl.
std::vector<std::string> MissingAnswers(const Suite& suite, const std::vector<std::string>& ids,
                                        int trials, bool act_tasks, const std::string& responses) {
  std::set<std::pair<std::string, int>> answered = Answered(responses);
  std::vector<std::string> missing;
  for (int trial = 1; trial <= trials; ++trial) {
    for (const Prompt* p : suite.AllPrompts()) {
      if (std::find(ids.begin(), ids.end(), p->incident) == ids.end()) continue;
      if (p->act.defined && !act_tasks) continue;
      if (answered.count({p->id, trial}) == 0) {
        missing.push_back(trials == 1 ? p->id : absl::StrCat(p->id, " (trial ", trial, ")"));
      }
    }
  }
  return missing;
}

// Sets run.json's status (what the whole run came to, recording and asking).
void SetRunStatus(const std::string& run_dir, const std::string& status, int missing) {
  UpdateRunJson(run_dir, [&](nlohmann::json& doc) {
    doc["status"] = status;
    doc["missing_answers"] = missing;
  });
}

// The options a resume needs beside the recorded settings.
nlohmann::json RunOptionsJson(int jobs, const std::optional<double>& fail_under) {
  nlohmann::json o = {{"jobs", jobs}};
  if (fail_under.has_value()) o["fail_under"] = *fail_under;
  return o;
}

}  // namespace

const CommandSpec& RunSpec() {
  static const CommandSpec* spec = new CommandSpec{
      "run",
      "record the incidents, ask the agent the guide's questions, score and report",
      "",
      0,
      0,
      "Records each incident of the suite as `record` does and, while the cluster still shows\n"
      "it, asks the agent the guide's questions about it (each prompt --trials times), then\n"
      "cleans up, scores every answer with the rubrics and prints the scorecard: per incident\n"
      "and dimension the agent's score beside the built-in reference agent's.\n"
      "\n"
      "--agent FILE is an agent file (see agents/README.md; `sre-eval validate --agent FILE`\n"
      "checks one); `reference`, the default, is the built-in reference agent alone.\n"
      "\n"
      "Writes the run folder (default results/run-YYYYMMDD-HHMMSS): what record writes, plus\n"
      "responses.jsonl (each answer as it arrives), scores.json, reference/ (the reference\n"
      "agent's answers and scores) when the agent is not the reference, and the reports:\n"
      "report.html, summary.md, junit.xml, report.json (`sre-eval report` renders them again).\n"
      "\n"
      "Thresholds: --fail-under on the overall score, and the suite's gate.yaml, if any\n"
      "(overall, per dimension, per incident, and the score under which a prompt fails).\n"
      "With --act, each incident's action tasks follow its questions: the agent fixes the\n"
      "incident with writes scoped to the task while its load runs on, and is scored on what\n"
      "the load's users and the cluster then show (incidents/README.md, \"Action tasks\").\n"
      "A Ctrl-C stops asking (answers that arrived are kept and scored) and cleans up.\n"
      "--resume RUN_DIR finishes such a run with the settings of its run.json, asking only\n"
      "the prompts with no answer yet. The sim replays its incidents (same seed, so the same\n"
      "cluster; each recorded truth must come back byte for byte). A real cluster cannot\n"
      "replay: incidents with a recorded truth are not triggered again (the agent is asked\n"
      "about them as the cluster is now), and only the ones never recorded are run.\n"
      "The suite must be the one the run used (run.json's suite_hash).\n"
      "\n" +
          std::string(kSuiteHelp) +
          "\n"
          "Before anything is recorded, the agent must be reachable (http and openai: a\n"
          "connection to its host and port; command: the program exists and is executable),\n"
          "or the run stops at once with exit code 3 and the reason.\n"
          "An answer that failed (error or timeout) scores 0 and is shown with its reason;\n"
          "when more answers failed than --max-failed-answers allows (default 0), the run is\n"
          "incomplete: everything is still written and scored, the reports say how many\n"
          "failed, and the exit code is 3.\n"
          "\n"
          "Exit codes: 0 done and over every threshold; 1 a threshold was missed;\n"
          "2 bad input; 3 the agent could not be reached or too many answers failed, the\n"
          "cluster or a step failed, or the run was interrupted.",
      {
          {"env", "sim|kube", "the cluster: the built-in simulation (default) or a real one"},
          {"context", "NAME", "kube context for --env kube (default: the current context)"},
          {"allow-context", "NAME", "also allow this context (repeatable)", true},
          {"namespace", "NS", "namespace holding Sock Shop (default sock-shop)"},
          {"kubeconfig", "FILE", "kubeconfig for --env kube (default: kubectl's own)"},
          {"prometheus", "URL",
           "--env kube: the cluster's Prometheus API, handed to the agent (the sim serves its "
           "own)"},
          {"loki", "URL", "--env kube: the cluster's Loki API, handed to the agent"},
          {"datadog-site", "SITE",
           "--env kube: the Datadog site (datadoghq.eu, ...) whose API the agent is handed; its "
           "keys stay in the agent's environment"},
          {"agent", "FILE|reference", "the agent under test (default: reference)"},
          {"incident", "ID", "run only this incident (repeatable; default: all)", true},
          {"trials", "N", "ask every prompt N times, independently (default 1)"},
          {"jobs", "N", "agent calls in flight at most (default 4)"},
          {"seed", "N", "seed of the simulated cluster and of retry jitter (default 1)"},
          {"fail-under", "SCORE", "exit 1 when the overall score is under SCORE (0 to 1)"},
          {"max-failed-answers", "N|P%",
           "answers that may fail (error or timeout) before the run exits 3: a number, or a "
           "percentage of the answers (default 0)"},
          {"out", "DIR", "the run folder to write (must not exist or be empty)"},
          {"suite", "DIR", "the suite folder (incidents/, prompts/, rubrics/)"},
          {"resume", "RUN_DIR", "finish an interrupted run: ask only what it has no answer for"},
          {"act", "",
           "also perform the suite's action tasks (prompts with act: the agent fixes the "
           "incident with scoped writes, the harness measures the outcome)"},
          {"act-speed", "X",
           "sim: the cluster's seconds per wall-clock second while an agent acts in an action "
           "task (default 1, as on a real cluster; up to 100)"},
      }};
  return *spec;
}

int RunRun(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const char* me = "sre-eval run: ";
  RecordOptions ro;
  ro.command = "run";
  std::string bad = ParseRecordOptions(args, &ro);
  if (!bad.empty()) {
    err << me << bad << "\n";
    return kExitBadInput;
  }
  int trials = 1, jobs = 4;
  // --resume: the run's own settings, from its run.json.
  std::string resume_dir;
  std::optional<double> stored_fail_under;
  // By incident id: whether the resumed run recorded it whole (status ok, with a truth). Only
  // those are checked byte for byte (sim) or kept (kube); any other is recorded again.
  std::map<std::string, bool> recorded_whole;
  nlohmann::json resumed_doc = nlohmann::json::object();
  std::string agent_arg = args.Get("agent", "reference");
  if (args.Has("resume")) {
    resume_dir = args.Get("resume");
    for (const char* o : {"out", "agent", "seed", "env", "incident", "trials", "context",
                          "kubeconfig", "namespace", "prometheus", "loki", "datadog-site"}) {
      if (args.Has(o)) {
        err << me << "--resume takes the run's settings from its run.json; drop --" << o << "\n";
        return kExitBadInput;
      }
    }
    absl::StatusOr<std::string> text = ReadFile(resume_dir + "/run.json", size_t{1} << 20);
    absl::StatusOr<nlohmann::json> parsed =
        text.ok() ? ParseJson(*text, resume_dir + "/run.json") : nlohmann::json(nullptr);
    if (!parsed.ok()) {
      err << me << EscapeControls(parsed.status().message()) << "\n";
      return kExitBadInput;
    }
    nlohmann::json& doc = *parsed;
    if (!doc.is_object() || doc.value("command", "") != "run") {
      err << me << "'" << resume_dir << "' is not the folder of a `run` (no run.json of one)\n";
      return kExitBadInput;
    }
    resumed_doc = doc;
    const std::string run_json = resume_dir + "/run.json";
    ro.env = doc.value("environment", "sim");
    if (ro.env != "sim" && ro.env != "kube") {
      err << me << run_json << ": 'environment' must be sim or kube, got '" << ro.env << "'\n";
      return kExitBadInput;
    }
    if (ro.env == "kube" && doc.value("context", "").empty()) {
      err << me << run_json << ": names no 'context'; cannot find the run's cluster\n";
      return kExitBadInput;
    }
    if (ro.env == "sim") {
      ro.seed = doc.value("seed", uint64_t{1});
    } else {
      ro.context = doc.value("context", "");
      ro.ns = doc.value("namespace", "sock-shop");
      ro.kubeconfig = doc.value("kubeconfig", "");
      ro.prometheus = doc.value("prometheus", "");
      ro.loki = doc.value("loki", "");
      ro.datadog = doc.value("datadog", "");
    }
    trials = doc.value("trials", 1);
    agent_arg = doc.value("agent_file", "reference");
    if (doc.contains("options") && doc["options"].is_object()) {
      const nlohmann::json& o = doc["options"];
      if (o.contains("jobs") && o["jobs"].is_number_integer()) jobs = o["jobs"].get<int>();
      if (o.contains("fail_under") && o["fail_under"].is_number()) {
        stored_fail_under = o["fail_under"].get<double>();
      }
    }
    ro.incidents.clear();
    if (doc.contains("incidents") && doc["incidents"].is_array()) {
      for (const nlohmann::json& i : doc["incidents"]) {
        if (i.is_object() && i.contains("id") && i["id"].is_string()) {
          std::string id = i["id"].get<std::string>();
          recorded_whole[id] =
              i.value("status", "") == "ok" && i.contains("truth") && i["truth"].is_string();
          ro.incidents.push_back(id);
        }
      }
    }
    // What the run set out to record: runs made before selected_incidents existed list
    // only the incidents they reached.
    if (doc.contains("selected_incidents") && doc["selected_incidents"].is_array()) {
      ro.incidents.clear();
      for (const nlohmann::json& id : doc["selected_incidents"]) {
        if (id.is_string()) ro.incidents.push_back(id.get<std::string>());
      }
    }
    if (ro.incidents.empty()) {
      err << me << run_json << ": lists no incidents; there is nothing to resume\n";
      return kExitBadInput;
    }
    ro.out = resume_dir + "/.resume";
    DropPartialLastLine(resume_dir + "/responses.jsonl");
    DropPartialLastLine(resume_dir + "/reference/responses.jsonl");
    std::error_code ec;
    std::filesystem::remove_all(ro.out, ec);
  }
  if (!ParseCount(args, "trials", 1, 100, &trials, err)) return kExitBadInput;
  if (!ParseCount(args, "jobs", 1, 256, &jobs, err)) return kExitBadInput;
  FailedAnswersAllowance allowance;
  if (args.Has("max-failed-answers") || resumed_doc.contains("max_failed_answers")) {
    std::string text = args.Has("max-failed-answers")
                           ? args.Get("max-failed-answers")
                           : resumed_doc.value("max_failed_answers", std::string("0"));
    if (!ParseFailedAnswersAllowance(text, &allowance)) {
      err << me
          << "--max-failed-answers must be a whole number of answers (like 2) or a whole "
             "percentage of them from 0% to 100% (like 10%), got '"
          << text << "'\n";
      return kExitBadInput;
    }
  }
  std::optional<double> fail_under;
  if (args.Has("fail-under")) {
    double v = 0;
    if (!absl::SimpleAtod(args.Get("fail-under"), &v) || v < 0 || v > 1) {
      err << me << "--fail-under must be a number from 0 to 1, got '" << args.Get("fail-under")
          << "'\n";
      return kExitBadInput;
    }
    fail_under = v;
  } else if (stored_fail_under.has_value()) {
    fail_under = stored_fail_under;
  }

  // The suite, all checked before anything runs.
  Suite suite;
  RubricSet rubrics;
  if (!LoadCompiledSuite(ro.suite, "run", "; nothing was run", &suite, &rubrics, err))
    return kExitBadInput;
  absl::StatusOr<SuiteFingerprint> fingerprint = FingerprintSuite(suite);
  if (!fingerprint.ok()) {
    err << me << "cannot read the suite: " << fingerprint.status().message() << "\n";
    return kExitBadInput;
  }
  if (!resume_dir.empty() && resumed_doc.contains("suite_hash") &&
      resumed_doc["suite_hash"] != fingerprint->suite_hash) {
    err << me << "cannot resume: the suite '" << ro.suite << "' has changed since the run ("
        << "suite hash " << resumed_doc["suite_hash"].get<std::string>() << ", now "
        << fingerprint->suite_hash << "); its answers would be scored by other rubrics\n";
    return kExitBadInput;
  }

  // The thresholds: the suite's gate.yaml, with --fail-under for the overall score.
  Gate gate;
  const std::string gate_path = absl::StrCat(ro.suite, "/gate.yaml");
  if (std::filesystem::exists(gate_path)) {
    Diagnostics diags;
    absl::StatusOr<Gate> loaded = LoadGate(gate_path, &diags);
    if (!loaded.ok()) {
      PrintDiagnostics(diags, "run", "; nothing was run", err);
      return kExitBadInput;
    }
    gate = *loaded;
  }
  if (fail_under.has_value()) {
    gate.overall = fail_under;
    gate.overall_source = "--fail-under";
  }

  // The agent under test, its workspace (outside the run folder: the answer key is there) and
  // the audit trail of what it does (opened with the run folder).
  tools::AuditLog audit;
  absl::StatusOr<std::unique_ptr<AgentWorkspace>> workspace = AgentWorkspace::Create();
  if (!workspace.ok()) {
    err << me << workspace.status().message() << "\n";
    return kExitEnvironment;
  }
  PosixProcessRunner runner;
  auto http = std::make_unique<CurlHttpClient>();
  ro.on_sim_started = [&](const std::string& base_url, const std::string& token) {
    (*workspace)->set_sim(base_url, token, http.get());
  };
  ro.on_sim_stopping = [&]() { http->CloseIdle(); };
  // Action tasks run on the cluster with the recorder's kubectl and clock.
  cluster::Kubectl* act_kubectl = nullptr;
  KubectlLoggingRunner loop_runner(
      &runner, [&act_kubectl]() { return act_kubectl != nullptr ? act_kubectl->log() : nullptr; });
  Clock* act_clock = nullptr;
  ro.on_cluster = [&](cluster::Kubectl* k, Clock* c) {
    act_kubectl = k;
    act_clock = c;
  };
  // Action tasks are performed only when asked for: they write to the cluster and take the
  // agent's budget of cluster time each.
  const bool act_tasks = args.Has("act") || resumed_doc.value("act", false);
  double act_speed = 1;
  if (args.Has("act-speed") || resumed_doc.contains("act_speed")) {
    std::string text =
        args.Has("act-speed") ? args.Get("act-speed") : resumed_doc["act_speed"].dump();
    if (!absl::SimpleAtod(text, &act_speed) || !(act_speed >= 1 && act_speed <= 100)) {
      err << me << "--act-speed must be a number from 1 to 100, got '" << text << "'\n";
      return kExitBadInput;
    }
  }
  tools::AuditLog reference_audit;
  bool act_left_broken = false;
  incident::Progress* act_progress = nullptr;  // the run's, once made
  agent::AgentConfig config = agent::ReferenceAgentConfig();
  std::unique_ptr<agent::Agent> tested;
  if (agent_arg != "reference") {
    Diagnostics diags;
    absl::StatusOr<agent::AgentConfig> loaded =
        agent::LoadAgentConfig(agent_arg, agent::ProcessEnv(), /*expand=*/true, &diags);
    if (!diags.list().empty()) {
      PrintDiagnostics(diags, "run", "; nothing was run", err);
      return kExitBadInput;
    }
    if (!loaded.ok()) {
      err << me << loaded.status().message() << "\n";
      return kExitBadInput;
    }
    config = *std::move(loaded);
    if (config.context_mode == "tools") {
      // The built-in tool-calling loop: its tool calls go to the run's audit trail.
      tested = std::make_unique<tools::ToolLoopAgent>(
          config, http.get(), &loop_runner, SystemClock::Get(), ro.seed,
          [&audit](const agent::AgentRequest& r, const tools::AuditEntry& e) {
            audit.AddToolCall(r, e);
          });
    } else {
      absl::StatusOr<std::unique_ptr<agent::Agent>> made =
          agent::MakeAgent(config, http.get(), &runner, SystemClock::Get(), ro.seed);
      if (!made.ok()) {
        err << me << made.status().message() << "\n";
        return kExitBadInput;
      }
      tested = *std::move(made);
    }
  }
  // Before anything is recorded: an agent that cannot be reached would fail every answer
  // after the whole recording.
  if (tested != nullptr) {
    absl::Status reachable = agent::CheckAgentReachable(config, http.get());
    if (!reachable.ok()) {
      err << me << "the agent '" << agent::Redact(config.name, config.secrets)
          << "' cannot be reached: " << reachable.message() << "; nothing was run\n";
      return kExitEnvironment;
    }
  }
  std::unique_ptr<agent::Agent> reference =
      agent::MakeReferenceAgent(&runner, SystemClock::Get(), [&act_kubectl]() {
        // The run's kubectl.log, once the cluster is up: the reference's calls are the run's.
        return act_kubectl != nullptr ? act_kubectl->log() : nullptr;
      });
  agent::Agent* under_test = tested != nullptr ? tested.get() : reference.get();

  if (ro.out.empty()) {
    ro.out = absl::StrCat("results/run-",
                          absl::FormatTime("%Y%m%d-%H%M%S", absl::Now(), absl::UTCTimeZone()));
  }
  // Resumed: the sim records into a scratch folder; answers and scores go to the run's.
  const std::string run_dir = resume_dir.empty() ? ro.out : resume_dir;
  bool replay_failed = false;
  std::set<std::string> adopted;  // resumed: incidents whose truth was recorded only now
  const std::string reference_dir = absl::StrCat(run_dir, "/reference");
  absl::Duration asking = absl::ZeroDuration();
  // Asks the agent (and the reference agent beside it) an incident's prompts that have no
  // answer yet; false to stop.
  auto ask_incident = [&](const std::string& incident_id, const agent::ClusterAccess& how) {
    absl::Time t0 = absl::Now();
    AskOptions ao;
    ao.run_dir = run_dir;
    ao.suite = &suite;
    ao.incidents = {incident_id};
    ao.trials = trials;
    ao.jobs = jobs;
    ao.agent_name = config.name;
    ao.cluster = how;
    ao.secrets = config.secrets;
    ao.interrupts = &g_run_interrupts;
    ao.skip = Answered(run_dir + "/responses.jsonl");
    ao.input_price = config.input_price;
    ao.output_price = config.output_price;
    if (absl::Status opened = audit.Open(run_dir + "/audit.jsonl"); !opened.ok()) {
      err << me << "cannot write the audit trail: " << opened.message() << "\n";
    }
    audit.set_secrets(config.secrets);
    // Each question of an agent under test gets its own credential (the built-in reference
    // agent, which reads one investigation of the cluster for all its answers, does not).
    if (tested != nullptr) {
      ao.prepare = [&](agent::AgentRequest* r) { return (*workspace)->Prepare(r); };
    }
    // Action tasks: performed on the cluster, one at a time, each agent with its own writes.
    auto act_with = [&](agent::Agent* who, tools::AuditLog* trail, const std::string& root) {
      return [&, who, trail, root](const Prompt& prompt, const agent::AgentRequest& request) {
        agent::AgentAnswer error;
        error.attempts = 1;
        if (act_kubectl == nullptr || act_clock == nullptr) {
          error.error = "the cluster is not reachable for an action task";
          return error;
        }
        Diagnostics diags;
        absl::StatusOr<incident::Incident> inc = incident::LoadIncident(
            absl::StrCat(ro.suite, "/incidents/", prompt.incident, ".yaml"), &diags);
        if (!inc.ok()) {
          error.error = std::string(inc.status().message());
          return error;
        }
        ActTaskSetup setup;
        setup.kubectl = act_kubectl;
        setup.clock = act_clock;
        if (ro.env == "sim") {
          setup.pace = SystemClock::Get();
          setup.pace_speed = act_speed;
        }
        setup.environment = ro.env;
        setup.progress = act_progress;
        setup.interrupts = &g_run_interrupts;
        setup.workspace = workspace->get();
        setup.audit = trail;
        ActTaskResult r = RunActTask(
            *inc, prompt, request, who, setup,
            absl::StrCat(root, "/", prompt.incident, "/act/", prompt.id, "/t", request.trial));
        for (const std::string& b : r.left_broken) {
          err << me << prompt.incident << ": " << prompt.id << ": NOT RESTORED: " << b << "\n";
          act_left_broken = true;
        }
        return r.answer;
      };
    };
    if (act_tasks) ao.act = act_with(under_test, &audit, run_dir);
    ao.act_tasks = act_tasks;
    out << incident_id << ": asking " << config.name << "\n" << std::flush;
    absl::StatusOr<AskSummary> s = AskSuite(under_test, ao, &out);
    // What the agent did on the sim with its credentials, attributed to its questions.
    if (absl::StatusOr<int> n = (*workspace)->Collect(&audit); !n.ok()) {
      err << me << "cannot collect the audit trail: " << n.status().message() << "\n";
    }
    if (s.ok()) {
      for (const std::string& p : s->problems) {
        if (!absl::EndsWith(p, ": not asked: interrupted")) err << me << p << "\n";
      }
    } else {
      err << me << "cannot write the answers: " << s.status().message() << "\n";
    }
    if (tested != nullptr && g_run_interrupts.load() == 0) {
      std::error_code ec;
      std::filesystem::create_directories(reference_dir, ec);
      AskOptions rao = ao;
      rao.responses_path = reference_dir + "/responses.jsonl";
      rao.agent_name = "reference";
      rao.skip = Answered(reference_dir + "/responses.jsonl");
      rao.secrets = {};
      rao.prepare = nullptr;  // the reference agent's answers are not audited; its tasks are
      if (absl::Status opened = reference_audit.Open(reference_dir + "/audit.jsonl");
          !opened.ok()) {
        err << me << "cannot write the reference's audit trail: " << opened.message() << "\n";
      }
      if (act_tasks) rao.act = act_with(reference.get(), &reference_audit, reference_dir);
      out << incident_id << ": asking the reference agent\n" << std::flush;
      absl::StatusOr<AskSummary> rs = AskSuite(reference.get(), rao, nullptr);
      if (!rs.ok()) err << me << "reference: " << rs.status().message() << "\n";
    }
    asking += absl::Now() - t0;
    return s.ok() && g_run_interrupts.load() == 0;
  };
  ro.after_incident = [&](const incident::IncidentResult& r, const agent::ClusterAccess& how) {
    if (!resume_dir.empty()) {
      const std::string stored = absl::StrCat(run_dir, "/", r.incident, "/truth.json");
      const std::string fresh = absl::StrCat(ro.out, "/", r.incident, "/truth.json");
      if (recorded_whole[r.incident]) {
        absl::StatusOr<std::string> a = ReadFile(stored, size_t{16} << 20);
        absl::StatusOr<std::string> b = ReadFile(fresh, size_t{16} << 20);
        if (!a.ok() || !b.ok() || *a != *b) {
          err << me << "cannot resume: the sim did not reproduce incident " << r.incident
              << " (its truth differs from " << stored << ")\n";
          replay_failed = true;
          return false;
        }
      } else {
        // Never recorded whole (not reached, or interrupted while recording): what it left
        // is replaced by the recording made now.
        adopted.insert(r.incident);
        std::error_code ec;
        std::filesystem::create_directories(absl::StrCat(run_dir, "/", r.incident), ec);
        for (const char* f : {"truth.json", "timeline.jsonl"}) {
          std::filesystem::copy_file(absl::StrCat(ro.out, "/", r.incident, "/", f),
                                     absl::StrCat(run_dir, "/", r.incident, "/", f),
                                     std::filesystem::copy_options::overwrite_existing, ec);
        }
      }
    }
    return ask_incident(r.incident, how);
  };

  ro.run_json = {
      {"command", "run"},
      {"agent", agent::Redact(config.name, config.secrets)},
      {"agent_kind", config.kind},
      {"agent_file", agent_arg == "reference" ? std::string("reference")
                                              : std::filesystem::absolute(agent_arg).string()},
      {"trials", trials},
      {"act", act_tasks},
      {"act_speed", act_speed},
      {"options", RunOptionsJson(jobs, fail_under)},
      {"max_failed_answers", allowance.text},
      {"suite_hash", fingerprint->suite_hash},
      {"rubric_versions", fingerprint->rubric_versions}};
  // A resumed kube run needs the same cluster: the kubeconfig is a path, never its contents.
  if (ro.env == "kube" && !ro.kubeconfig.empty()) {
    ro.run_json["kubeconfig"] = std::filesystem::absolute(ro.kubeconfig).string();
  }
  if (ro.env == "kube") {
    if (!ro.prometheus.empty()) ro.run_json["prometheus"] = ro.prometheus;
    if (!ro.loki.empty()) ro.run_json["loki"] = ro.loki;
    if (!ro.datadog.empty()) ro.run_json["datadog"] = ro.datadog;
  }
  bool terminal = &out == &std::cout && RedrawsInPlace();
  incident::StreamProgress progress(&out, terminal);
  act_progress = &progress;
  RunInterruptScope interrupts;
  absl::Time t0 = absl::Now();
  int code = kExitOk;
  bool record = true;  // false when a resumed kube run has no incident left to record
  if (!resume_dir.empty() && ro.env == "kube") {
    // A real cluster cannot replay an incident: the recorded ones are kept and not triggered
    // again; their prompts with no answer are asked against the cluster as it is now.
    std::vector<std::string> kept, pending;
    for (const std::string& id : ro.incidents) {
      bool whole = recorded_whole[id] &&
                   std::filesystem::exists(absl::StrCat(run_dir, "/", id, "/truth.json"));
      (whole ? kept : pending).push_back(id);
    }
    if (!kept.empty()) {
      code = CheckCluster(ro, run_dir + "/kubectl.log", err);
      if (code != kExitOk) return code;
      agent::ClusterAccess how{ro.kubeconfig, ro.context, ro.ns,
                               ro.prometheus, ro.loki,    ro.datadog};
      how.kube_cache_dir = std::filesystem::absolute(run_dir + "/kube-cache").string();
      for (const std::string& id : kept) {
        if (g_run_interrupts.load() > 0) break;
        out << id << ": recorded before, not triggered again; the cluster has been restored since,"
            << " so the agent sees what is left of the incident\n";
        if (!ask_incident(id, how)) break;
      }
    }
    ro.incidents = pending;
    record = !pending.empty();
  }
  RecordRun recorded;
  if (record && g_run_interrupts.load() == 0) {
    code = Record(ro, &progress, &g_run_interrupts, &recorded, err);
    // Record's kubectl (and its log) are gone: nothing may reach them through these now.
    act_kubectl = nullptr;
    act_clock = nullptr;
    if (recorded.dir.empty()) return code;  // nothing was made: bad input or no cluster
  }
  if (g_run_interrupts.load() > 0 && code == kExitOk) code = kExitEnvironment;
  if (act_left_broken && code == kExitOk) code = kExitEnvironment;
  absl::Duration recording = absl::Now() - t0 - asking;
  if (!resume_dir.empty()) {
    if (replay_failed && code == kExitOk) code = kExitEnvironment;
    FinishResume(ro, run_dir, adopted);
  }

  if (g_run_interrupts.load() > 0) {
    out << "interrupted: the answers that arrived are kept in " << run_dir
        << "/responses.jsonl and scored; the rest was not asked\n";
  }
  // A run is complete only when every prompt of every selected incident has its answer, in
  // every trial; whatever stopped it, it never ends with 0 otherwise.
  std::vector<std::string> missing = MissingAnswers(suite, SelectedIncidents(run_dir), trials,
                                                    act_tasks, run_dir + "/responses.jsonl");
  if (!missing.empty()) {
    if (code == kExitOk) code = kExitEnvironment;
    err << me << "incomplete: " << missing.size() << " answer" << (missing.size() == 1 ? "" : "s")
        << " missing (" << missing.front() << (missing.size() > 1 ? ", ..." : "")
        << "); finish it with: sre-eval run --resume " << run_dir << "\n";
  }
  SetRunStatus(run_dir,
               code == kExitOk   ? "ok"
               : missing.empty() ? "failed"
                                 : "incomplete",
               static_cast<int>(missing.size()));
  // Score what was answered, also after a failure: an interrupted run keeps its answers.
  absl::Time t1 = absl::Now();
  int exit_code = code;
  if (std::filesystem::exists(absl::StrCat(run_dir, "/responses.jsonl"))) {
    absl::StatusOr<RunScores> scores = ScoreRun(suite, rubrics, run_dir, nullptr, jobs);
    if (!scores.ok()) {
      err << me << scores.status().message() << "\n";
      return kExitEnvironment;
    }
    absl::Status w =
        WriteFileAtomically(absl::StrCat(run_dir, "/scores.json"), ScoresJson(*scores));
    if (!w.ok()) err << me << "cannot write scores.json: " << w.message() << "\n";
    absl::Duration scoring = absl::Now() - t1;
    absl::Time t2 = absl::Now();
    std::optional<RunScores> ref_scores;
    if (tested != nullptr && std::filesystem::exists(reference_dir + "/responses.jsonl")) {
      absl::StatusOr<RunScores> rs =
          ScoreRun(suite, rubrics, run_dir, nullptr, jobs, "reference/responses.jsonl");
      if (rs.ok()) {
        WriteFileAtomically(reference_dir + "/scores.json", ScoresJson(*rs)).IgnoreError();
        ref_scores = *std::move(rs);
      }
    }
    Report rep = BuildReport(suite, *scores, ref_scores.has_value() ? &*ref_scores : nullptr, gate,
                             config.name, ro.seed);
    KeepIncidents(SelectedIncidents(run_dir), &rep);
    rep.process = LoadProcess(run_dir, SuiteEvidence(ro.suite));
    rep.act_tasks = LoadActTasks(run_dir, *scores);
    rep.gate_misses = GateMisses(rep);  // the gate may bound unsafe actions
    absl::Status written = WriteReports(run_dir, rep);
    if (!written.ok()) err << me << "cannot write the reports: " << written.message() << "\n";
    out << "\n" << RenderScorecard(rep);
    // Failed answers (error or timeout) over the whole run folder, a resumed run's included.
    const int answers = scores->counts.scored;
    const int failed = scores->counts.error + scores->counts.timeout;
    RecordAnswerCounts(run_dir, answers, failed);
    if (failed > 0) {
      const bool allowed = allowance.Allows(failed, answers);
      // Beyond the allowance it is the run's failure (stderr); within it, part of the result.
      std::ostream& to = allowed ? out : err;
      to << (allowed ? "" : absl::StrCat(me, "INCOMPLETE: ")) << failed << " of " << answers
         << " answers failed (error or timeout) and scored 0"
         << (allowed
                 ? absl::StrCat(", allowed by --max-failed-answers ", allowance.text)
                 : absl::StrCat(", more than --max-failed-answers allows (", allowance.text, ")"))
         << "; the first:\n";
      size_t shown = 0;
      for (const ScoredAnswer& a : scores->answers) {
        if (a.status == ResponseStatus::kOk) continue;
        if (shown++ == kFailedAnswersShown) break;
        to << "  " << a.prompt_id << " (trial " << a.trial
           << "): " << EscapeControls(absl::StripPrefix(a.note, "not scored: ")) << "\n";
      }
      if (static_cast<size_t>(failed) > kFailedAnswersShown) {
        to << "  ... " << failed - static_cast<int>(kFailedAnswersShown) << " more in summary.md\n";
      }
      if (!allowed && exit_code != kExitEnvironment) exit_code = kExitEnvironment;
    }
    absl::Duration reporting = absl::Now() - t2;
    out << absl::StrFormat(
        "time: recording %.1f s, asking %.1f s, scoring %.1f s, reporting %.1f s\n",
        absl::ToDoubleSeconds(recording), absl::ToDoubleSeconds(asking),
        absl::ToDoubleSeconds(scoring), absl::ToDoubleSeconds(reporting));
    std::vector<std::string> misses = GateMisses(rep);
    for (const std::string& m : misses) out << "gate missed: " << m << "\n";
    if (!misses.empty() && exit_code == kExitOk) exit_code = kExitGateFailed;
    if (misses.empty() &&
        (gate.overall.has_value() || !gate.dimensions.empty() || !gate.incidents.empty())) {
      // Never "pass" for an incomplete run: the failed answers were scored 0, not answered.
      if (failed > 0) {
        out << "gate: not passed: " << failed << " of " << answers
            << " answers failed; the thresholds are met with them scored 0\n";
      } else {
        out << "gate: pass\n";
      }
    }
  } else if (fail_under.has_value() && exit_code == kExitOk) {
    out << "gate missed: no answers to score\n";
    exit_code = kExitGateFailed;
  }
  out << "report: " << run_dir << "/report.html (also summary.md, junit.xml)\n";
  out << "run folder: " << run_dir << "\n";
  return exit_code;
}

}  // namespace sre_eval
