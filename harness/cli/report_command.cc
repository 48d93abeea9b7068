// sre-eval report: re-renders a run folder's report from its stored answers.
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "nlohmann/json.hpp"
#include "report/html.h"
#include "report/report.h"
#include "score/rubric_set.h"
#include "score/run_scores.h"
#include "suite/suite.h"
#include "util/file_util.h"

namespace sre_eval {

namespace {

bool IsFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

constexpr char kReferenceResponses[] = "reference/responses.jsonl";

}  // namespace

const CommandSpec& ReportSpec() {
  static const CommandSpec* spec = new CommandSpec{
      "report",
      "re-render a run folder's report (Markdown, JUnit, JSON or HTML)",
      "RUN_DIR",
      1,
      1,
      "Scores the answers stored in RUN_DIR with the suite's current rubrics (no LLM judge,\n"
      "as `score --no-judge`) and prints one rendering of the report to stdout:\n"
      "  md      summary.md: the scorecard, the gate, flakiness (pass^k, 95% confidence\n"
      "          intervals, each prompt's mean and standard deviation over trials), error\n"
      "          answers and the weakest answers with the criteria they missed and the\n"
      "          evidence they matched (the default)\n"
      "  junit   junit.xml: a testsuite per incident, a testcase per prompt and trial, failing\n"
      "          below the gate's prompt threshold, an error for an agent error or timeout\n"
      "  json    report.json (schema_version 1)\n"
      "  html    report.html: one self-contained page (no scripts, no network): the\n"
      "          scorecard, the gate and per incident timeline charts (restarts with OOM\n"
      "          kills, ready replicas, front-end CPU and memory), every answer with the\n"
      "          evidence its criteria matched highlighted, and the truth facts\n"
      "Nothing is written into RUN_DIR.\n"
      "\n"
      "Reads:\n"
      "  RUN_DIR/responses.jsonl             the agent's answers\n"
      "  RUN_DIR/<incident>/truth.json       each incident's ground truth\n"
      "  RUN_DIR/reference/responses.jsonl   the reference agent's answers, when present:\n"
      "                                      shown beside the agent's scores\n"
      "  RUN_DIR/<incident>/timeline.jsonl   the charts of --format html, when present\n"
      "\n"
      "The gate is --gate FILE, else the suite's gate.yaml when it exists:\n"
      "  overall: 0.6                  # the overall score\n"
      "  dimensions: {diagnosis: 0.5}  # a dimension's overall score\n"
      "  incidents: {payment: 0.7}     # an incident's score\n"
      "  prompt: 0.4                   # an answer passes at or above it (default 0.5)\n"
      "--fail-under replaces the overall threshold. Confidence intervals are a bootstrap\n"
      "over prompts and trials (2000 resamples) seeded with --seed: the same run and seed\n"
      "print the same bytes.\n"
      "\n"
      "Exit code 0 when every threshold is met; 1 when one is missed (each miss is printed\n"
      "to stderr); 2 on bad options, a bad gate file or suite, a run folder that cannot be\n"
      "read, or problems in its answers (printed as FILE:LINE: MESSAGE; the report is still\n"
      "printed).",
      {
          {"suite", "DIR", "the suite folder (holding prompts/ and rubrics/)"},
          {"format", "md|junit|json|html", "what to print (default: md)"},
          {"gate", "FILE", "the thresholds (default: the suite's gate.yaml, if any)"},
          {"fail-under", "SCORE", "fail when the overall score is below SCORE (0 to 1)"},
          {"seed", "N", "the bootstrap's seed (default: 1)"},
      }};
  return *spec;
}

int RunReport(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const std::string& run_dir = args.positionals[0];
  std::string format = args.Get("format", "md");
  if (format != "md" && format != "junit" && format != "json" && format != "html") {
    err << "sre-eval report: --format must be md, junit, json or html, got '" << format << "'\n";
    return kExitBadInput;
  }
  std::optional<double> fail_under;
  if (args.Has("fail-under")) {
    std::string text = args.Get("fail-under");
    double v = 0;
    if (!absl::SimpleAtod(text, &v) || !std::isfinite(v) || v < 0 || v > 1) {
      err << "sre-eval report: --fail-under must be a number from 0 to 1, got '" << text << "'\n";
      return kExitBadInput;
    }
    fail_under = v;
  }
  uint64_t seed = 1;
  if (args.Has("seed")) {
    std::string text = args.Get("seed");
    if (!absl::SimpleAtoi(text, &seed)) {
      err << "sre-eval report: --seed must be a whole number from 0 to 18446744073709551615, "
             "got '"
          << text << "'\n";
      return kExitBadInput;
    }
  }

  std::string root = ResolveSuiteRoot(args);
  Suite suite;
  RubricSet rubrics;
  if (!LoadCompiledSuite(root, "report", "; nothing reported", &suite, &rubrics, err))
    return kExitBadInput;

  Gate gate;
  std::string gate_path = args.Has("gate") ? args.Get("gate") : SuitePath(root, "gate.yaml");
  if (args.Has("gate") || IsFile(gate_path)) {
    Diagnostics gate_problems;
    absl::StatusOr<Gate> loaded = LoadGate(gate_path, &gate_problems);
    if (!loaded.ok()) {
      PrintDiagnostics(gate_problems, "report", "; nothing reported", err);
      return kExitBadInput;
    }
    gate = *std::move(loaded);
  }
  if (fail_under.has_value()) {
    gate.overall = fail_under;
    gate.overall_source = "--fail-under";
  }

  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  absl::StatusOr<RunScores> agent = ScoreRun(suite, rubrics, run_dir, nullptr, jobs);
  if (!agent.ok()) {
    err << "sre-eval report: " << agent.status().message() << "\n";
    return kExitBadInput;
  }
  std::optional<RunScores> reference;
  if (IsFile(SuitePath(run_dir, kReferenceResponses))) {
    absl::StatusOr<RunScores> scored =
        ScoreRun(suite, rubrics, run_dir, nullptr, jobs, kReferenceResponses);
    if (!scored.ok()) {
      err << "sre-eval report: " << scored.status().message() << "\n";
      return kExitBadInput;
    }
    reference = *std::move(scored);
  }
  size_t problems = 0;
  for (const RunScores* s : {&*agent, reference ? &*reference : nullptr}) {
    if (s == nullptr) continue;
    for (const Diagnostic& d : s->problems) {
      Diagnostic shown = d;
      shown.file = SuitePath(run_dir, d.file);
      err << shown.ToString() << "\n";
      ++problems;
    }
  }

  Report report =
      BuildReport(suite, *agent, reference ? &*reference : nullptr, gate, "agent", seed);
  {
    // The incidents the run selected (run.json), as `run` reported them.
    std::vector<std::string> selected;
    absl::StatusOr<std::string> text = ReadFile(run_dir + "/run.json", size_t{1} << 20);
    nlohmann::json doc = text.ok() ? nlohmann::json::parse(*text, nullptr, false) : nullptr;
    if (doc.is_object() && doc.contains("selected_incidents") &&
        doc["selected_incidents"].is_array()) {
      for (const nlohmann::json& id : doc["selected_incidents"]) {
        if (id.is_string()) selected.push_back(id.get<std::string>());
      }
    }
    KeepIncidents(selected, &report);
  }
  report.process = LoadProcess(run_dir, SuiteEvidence(root));
  report.act_tasks = LoadActTasks(run_dir, *agent);
  report.gate_misses = GateMisses(report);  // the gate may bound unsafe actions
  if (format == "md") {
    out << RenderMarkdown(report);
  } else if (format == "junit") {
    out << RenderJunit(report);
  } else if (format == "json") {
    out << RenderJson(report);
  } else {
    out << RenderHtml(report, run_dir);
  }
  if (problems > 0) {
    err << "report: " << Plural(problems, "problem") << " in the input; those answers are left "
        << "out of the report\n";
    return kExitBadInput;
  }
  if (!report.gate_misses.empty()) {
    for (const std::string& miss : report.gate_misses) err << "gate missed: " << miss << "\n";
    err << "report: " << Plural(report.gate_misses.size(), "threshold") << " missed\n";
    return kExitGateFailed;
  }
  return kExitOk;
}

}  // namespace sre_eval
