// The run report: one neutral model (Report) built once from the scored run (RunScores), the
// reference agent's scores and the gate, then rendered as the scorecard `run` prints,
// summary.md, junit.xml and report.json (STYLE.md item 4).
//
// Statistics:
//   - An incident's score (and each dimension's) is the mean of its prompts' means, as
//     RunScores computes the overall one: each prompt counts once, whatever its trials.
//   - A prompt's standard deviation is the sample standard deviation (n - 1) of its trials'
//     scores; 0 with one trial.
//   - The 95% confidence intervals (overall and per incident) are percentile bootstraps over
//     prompts and trials: each of kBootstrapResamples resamples draws the prompts with
//     replacement, then each drawn prompt's trials with replacement, and takes the mean of the
//     prompt means; the interval is the 2.5th and 97.5th percentiles (sorted resamples at
//     indices 50 and 1949). Each interval uses its own std::mt19937_64 seeded with `seed`, so
//     the same inputs and seed give the same bytes.
//   - pass^k: the share of prompts with answers whose every trial scored >= Gate::prompt.
#ifndef SRE_EVAL_REPORT_REPORT_H_
#define SRE_EVAL_REPORT_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "report/act_report.h"
#include "report/process.h"
#include "score/run_scores.h"
#include "suite/suite.h"
#include "util/diagnostic.h"

namespace sre_eval {

inline constexpr int kReportSchemaVersion = 1;
inline constexpr int kBootstrapResamples = 2000;
// The weakest answers a report lists.
inline constexpr size_t kWeakestAnswers = 5;

// Thresholds, from the suite's gate.yaml and the command line:
//
//   overall: 0.6                 # the overall score
//   dimensions: {diagnosis: 0.5}  # a dimension's overall score
//   incidents: {payment: 0.7}    # an incident's score
//   prompt: 0.4                  # an answer passes at or above it (JUnit, pass^k)
//   unsafe_actions: 0            # the most unsafe actions the run may hold (report/process.h)
//
// Every key is optional; every threshold is a number in [0, 1].
struct Gate {
  std::optional<double> overall;
  std::vector<std::pair<std::string, double>> dimensions, incidents;  // In file order.
  double prompt = 0.5;
  std::optional<int64_t> unsafe_actions;
  // Where `overall` came from, for the gate miss lines: "gate.yaml" or "--fail-under".
  std::string overall_source = "gate.yaml";
};

// Loads a gate file strictly (unknown keys with a suggestion, duplicates, types, values
// outside [0, 1], unknown dimension names; incident names are not checked here). Every
// problem is added to `diags` as "file:line:col: message"; the status is NotFound when the
// file does not exist, else InvalidArgument listing them.
absl::StatusOr<Gate> LoadGate(const std::string& path, Diagnostics* diags);
// The same from text, `path` naming it in messages.
absl::StatusOr<Gate> ParseGate(const std::string& path, const std::string& text,
                               Diagnostics* diags);

struct Interval {
  double low = 0;
  double high = 0;
};

// The agent's score beside the reference's; nullopt where there is nothing to show.
struct ScorePair {
  std::optional<double> agent;
  std::optional<double> reference;
};

// A row of the scorecard: one incident, or the overall row.
struct ReportRow {
  std::string name;  // The incident, or "overall".
  int trials = 0;    // The agent's answers.
  ScorePair score;
  // Parallel to Report::dimensions; `present` false when no prompt of the row has it.
  std::vector<ScorePair> dimensions;
  std::vector<bool> present;
  std::optional<Interval> ci;  // The agent's; nullopt with no answers.
};

struct ReportPrompt {
  std::string prompt_id;
  std::string incident;
  int trials = 0;
  int failed = 0;  // Answers with status error or timeout.
  std::optional<double> mean;
  double stddev = 0;
  bool passed = false;  // Every trial >= Gate::prompt (false with no answers).
  std::optional<double> reference;
};

// A criterion an answer missed (not met in full, or penalised).
struct MissedCriterion {
  std::string id;
  std::string dimension;
  std::string note;  // The engine's: "no match", "wrong number: claimed 3, truth 5", ...
};

// What a criterion that earned points found in the answer.
struct MatchedEvidence {
  std::string criterion;
  std::string text;
  size_t begin = 0;  // The byte span in the answer (engine.h Evidence).
  size_t end = 0;
};

struct ReportAnswer {
  std::string incident;
  std::string prompt_id;
  int64_t trial = 0;
  double score = 0;
  ResponseStatus status = ResponseStatus::kOk;
  std::string note;     // For an error answer: "not scored: agent timeout: ...".
  bool passed = false;  // Status ok and score >= Gate::prompt.
  std::vector<MissedCriterion> missed;
  std::vector<MatchedEvidence> matched;
};

struct Report {
  std::string agent_name;
  uint64_t seed = 0;
  bool has_reference = false;
  Gate gate;
  std::vector<std::string> dimensions;  // Those of the suite's prompts, in AllDimensions() order.
  std::vector<ReportRow> incidents;     // In suite order of their first prompt.
  ReportRow overall;
  std::vector<ReportPrompt> prompts;  // Every prompt of the suite, in suite order.
  std::vector<ReportAnswer> answers;  // The agent's, in RunScores order.
  // pass^k over the prompts with answers; k is the fewest and most trials of those prompts.
  int pass_k_passed = 0;
  int pass_k_prompts = 0;
  int k_min = 0;
  int k_max = 0;
  // Indices into `answers`: the lowest scores, at most kWeakestAnswers, ties in answer order.
  std::vector<size_t> weakest;
  // Indices into `answers` of those with status error or timeout.
  std::vector<size_t> errors;
  // The gate's misses, as GateMisses() words them.
  std::vector<std::string> gate_misses;
  // How the agent worked (report/process.h); filled by LoadProcess, not BuildReport.
  Process process;
  // The action tasks (report/act_report.h); filled by LoadActTasks, not BuildReport.
  std::vector<ActTaskLine> act_tasks;
};

// "47 calls, 12 sources, 3 repeated, 2 failed, 1 unsafe; 12 turns; 45210 tokens in, 3120
// out; $0.0087": the parts there are, for the scorecard and the process sections.
std::string ProcessLine(const ProcessCounts& c);
// "the incident's evidence first read in 4 of 5 answers, after 2.1 s (median)"; "" when no
// answer has calls.
std::string EvidenceLine(const Process& p);
// An answer's "2.1 s, call 4" (or "call 4" without a start time), "-" when never read.
std::string FirstEvidenceCell(const ProcessCounts& c);
// The cells of an answer's row in the process tables, after its name and incident: calls,
// sources, repeated, failed, unsafe, first evidence, turns, tokens in, tokens out, cost ("-"
// for what was not recorded).
std::vector<std::string> ProcessCells(const ProcessCounts& c);
inline constexpr size_t kUnsafeCell = 4;

// Leaves out of `report` the incidents (rows and prompts) a run did not select: a run of
// `--incident payment` reports payment's prompts, not the other incidents' as "-". Nothing
// when `selected` is empty.
void KeepIncidents(const std::vector<std::string>& selected, Report* report);

// Builds the report. `reference` may be null (no reference columns). Deterministic for a
// given `seed`.
Report BuildReport(const Suite& suite, const RunScores& agent, const RunScores* reference,
                   const Gate& gate, std::string agent_name, uint64_t seed);

// Every threshold missed, in this order: overall, dimensions, incidents (each in gate
// order), as "overall 0.412 < 0.6 (--fail-under)", "dimension diagnosis 0.31 < 0.5
// (gate.yaml)", "incident payment 0.65 < 0.7 (gate.yaml)". A threshold whose score is absent
// is missed: "incident payment has no score < 0.7 (gate.yaml)"; then the unsafe actions of the
// process, when the gate bounds them: "unsafe actions 5 > 0 (gate.yaml)". Empty when the gate
// passes.
std::vector<std::string> GateMisses(const Report& report);

// A score as reports show it in sentences: rounded to 4 decimals, trailing zeros dropped
// ("0.31", "0.5", "1", "0").
std::string ShortScore(double score);

// The gate's thresholds in one phrase, as the reports state them: "overall 0.9 (--fail-under),
// dimension diagnosis 0.5, incident payment 0.7", or "none".
std::string GateThresholds(const Gate& gate);

// Whether the gate has any threshold (--fail-under, gate.yaml): without one, nothing is gated
// and no report says "passed".
bool HasThresholds(const Gate& gate);
// The scorecard's gate line: "passed (overall 0.9 (--fail-under))", "FAILED: ...", "not
// passed: 2 answers failed; ..." or "no thresholds set, nothing gated (...)".
std::string GateLine(const Report& report);

// "Incomplete: 2 of 34 answers failed (error or timeout) and scored 0.", or "" when no answer
// failed. A report never says the run passed when some answer failed: summary.md and
// report.html say this instead, and report.json's gate has "passed": false and
// "failed_answers".
std::string IncompleteSentence(const Report& report);

// The scorecard `run` prints, every line ending in a newline and none in spaces: what was run
// and how to read it, the table, what failed and why, the gate:
//
//   scores: NAME / reference
//     34 answers to 17 prompts (2 trials each) on crash, latency, payment
//     scores from 0 (nothing the rubric asks) to 1 (all of it); 95% CI of the agent's ...
//     each cell: NAME / reference, the built-in rule-based agent on the same incidents ...
//   incident  answers            score        detection  ...  95% CI
//   crash          12  0.7311 / 0.6000  1.0000 / 0.5000  ...  [0.6100, 0.8200]
//   overall        34  ...
//   below 0.5: i3.charged #1 0.3100 (missed impact.total (impact): no match); ...
//   gate: no thresholds set, nothing gated (--fail-under, or a gate.yaml in the suite)
//
// A cell is "agent / reference" with a reference and the agent's score alone without; "-"
// stands for a missing score, and a cell is blank when the row has no prompt with the
// dimension. "answers" counts the agent's answers (prompts x trials).
std::string RenderScorecard(const Report& report);
// summary.md: the scorecard as a Markdown table, the gate (with the failed answers' count),
// flakiness (pass^k, confidence intervals, per prompt mean and standard deviation), error
// answers and the weakest answers with the criteria they missed and the evidence they
// matched. Agent text is escaped.
std::string RenderMarkdown(const Report& report);
// junit.xml: a testsuite per incident, a testcase "PROMPT_ID trial N" per answer; a failure
// "score 0.31 < 0.5" below Gate::prompt (the missed criteria as its text), an error for an
// answer with status error or timeout. Times are 0 (the run's latencies are not scored).
std::string RenderJunit(const Report& report);
// report.json, schema_version 1: the whole model, keys in a fixed order, scores rounded.
std::string RenderJson(const Report& report);

// Writes RUN_DIR/summary.md, junit.xml, report.json and report.html (report/html.h, which
// reads the run's answers, truths and timelines from RUN_DIR), each atomically. Stops at the first
// failure, naming the file.
absl::Status WriteReports(const std::string& run_dir, const Report& report);

}  // namespace sre_eval

#endif  // SRE_EVAL_REPORT_REPORT_H_
