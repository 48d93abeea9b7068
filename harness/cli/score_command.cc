// sre-eval score: re-scores the stored answers of a run folder with the current rubrics.
#include <algorithm>
#include <ostream>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "score/judge.h"
#include "score/rubric_set.h"
#include "score/run_scores.h"
#include "score/score_table.h"
#include "score/scores_file.h"
#include "suite/suite.h"
#include "util/file_util.h"
#include "util/http_client.h"

namespace sre_eval {

bool JudgeForCommand(const ParsedArgs& args, const char* command, HttpClient* http,
                     std::ostream& err, std::unique_ptr<Judge>* judge) {
  if (args.Has("no-judge")) return true;
  absl::StatusOr<std::unique_ptr<Judge>> made = JudgeFromEnvironment(http, ProcessEnv());
  if (!made.ok()) {
    err << "sre-eval " << command << ": " << made.status().message() << "\n";
    return false;
  }
  *judge = *std::move(made);
  return true;
}

const CommandSpec& ScoreSpec() {
  static const CommandSpec* spec = new CommandSpec{
      "score",
      "score a run folder's stored answers with the current rubrics",
      "RUN_DIR",
      1,
      1,
      "Scores every answer stored in a run folder against the suite's rubrics and the run's\n"
      "ground truth, and writes RUN_DIR/scores.json. Use it to re-score a run after a rubric\n"
      "change.\n"
      "\n"
      "Reads:\n"
      "  RUN_DIR/responses.jsonl         one JSON object per answer, one per line (a regular\n"
      "                                  file; a line longer than 128 MiB is skipped)\n"
      "  RUN_DIR/<incident>/truth.json   each incident's ground truth\n"
      "  the suite's prompts/ and rubrics/\n"
      "Writes RUN_DIR/scores.json, replacing it atomically: every answer's score per dimension\n"
      "and criterion with the evidence found, each prompt's mean over its trials, the overall\n"
      "mean, the judge used and every input problem. The same inputs give the same bytes.\n"
      "Both formats are described in README.md, section \"Run folders and scores\".\n"
      "\n"
      "Prints one row per prompt (trials, score, a column per dimension), the overall row\n"
      "and a line about the LLM judge.\n"
      "\n"
      "Scores: a dimension scores (earned - penalties) / maximum, clamped to [0, 1]; an answer\n"
      "the weighted mean of its dimensions; a prompt the mean of its trials; the run the mean\n"
      "of its prompts. An answer whose status is error or timeout scores 0. Each criterion\n"
      "kind is explained in harness/score/engine.h.\n"
      "\n"
      "Bad input does not stop scoring: a malformed line, an unknown prompt id (with a\n"
      "suggestion), a prompt under another incident, a duplicate trial or a missing\n"
      "truth.json is printed as FILE:LINE: MESSAGE, those answers are left out, and the rest\n"
      "is scored and written.\n"
      "\n"
      "The LLM judge grades 'judge' criteria when SRE_EVAL_JUDGE_URL (an OpenAI-compatible\n"
      "base URL, e.g. http://127.0.0.1:8000/v1) and SRE_EVAL_JUDGE_MODEL are set;\n"
      "SRE_EVAL_JUDGE_API_KEY, if set, is sent as a Bearer token. Without a judge those\n"
      "criteria are skipped and count toward no maximum.\n"
      "\n" +
          std::string(kSuiteHelp) +
          "\n"
          "Exit code 0 when every answer was scored; 2 when the input had problems (scores.json\n"
          "is still written), or the suite, RUN_DIR or responses.jsonl could not be read; 3 when\n"
          "scores.json could not be written.",
      {
          {"suite", "DIR", "the suite folder (holding prompts/ and rubrics/)"},
          {"no-judge", "", "skip judge criteria even when a judge is configured"},
          {"jobs", "N", "answers scored at once, and judge requests in flight (default: CPUs)"},
      }};
  return *spec;
}

int RunScore(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const std::string& run_dir = args.positionals[0];
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (args.Has("jobs")) {
    std::string text = args.Get("jobs");
    if (!absl::SimpleAtoi(text, &jobs) || jobs < 1 || jobs > 256) {
      err << "sre-eval score: --jobs must be a whole number from 1 to 256, got '" << text << "'\n";
      return kExitBadInput;
    }
  }
  std::string root = ResolveSuiteRoot(args);
  Suite suite;
  RubricSet rubrics;
  if (!LoadCompiledSuite(root, "score", "; nothing scored", &suite, &rubrics, err))
    return kExitBadInput;

  CurlHttpClient http;
  std::unique_ptr<Judge> judge;
  if (!JudgeForCommand(args, "score", &http, err, &judge)) return kExitBadInput;

  // Streamed: each answer's entry goes to disk as it is scored, so memory does not grow with
  // the number of answers.
  std::string scores_path = SuitePath(run_dir, "scores.json");
  ScoresFileWriter writer(scores_path);
  absl::Status written = absl::OkStatus();
  absl::StatusOr<RunScores> scores = ScoreRunStreaming(
      suite, rubrics, run_dir, judge.get(), jobs, ScoresFileWriter::Render,
      [&](const ScoredAnswer&, std::string&& entry) { return writer.AddRendered(entry); },
      [&](const RunScores& s, AnswerOrder* order) { written = writer.Commit(s, order); });
  if (!scores.ok()) {
    err << "sre-eval score: " << scores.status().message() << "\n";
    return kExitBadInput;
  }

  for (const Diagnostic& d : scores->problems) {
    Diagnostic shown = d;
    shown.file = SuitePath(run_dir, d.file);
    err << shown.ToString() << "\n";
  }
  out << ScoreTable(*scores);
  int failed = scores->counts.error + scores->counts.timeout;
  if (failed > 0) {
    out << failed << " of " << Plural(scores->counts.scored, "answer")
        << " had status error or timeout and scored 0\n";
  }
  std::string judge_line = JudgeStatusLine(judge.get(), scores->judge_criteria);
  if (args.Has("no-judge") && scores->judge_criteria > 0) {
    judge_line = absl::StrCat("judge: not used (--no-judge); ", scores->judge_criteria,
                              scores->judge_criteria == 1 ? " judge criterion" : " judge criteria",
                              " skipped");
  }
  if (!judge_line.empty()) out << judge_line << "\n";
  if (scores->judge_errors > 0) {
    out << "judge: " << Plural(scores->judge_errors, "grade")
        << " failed; those criteria were skipped (see the notes in scores.json)\n";
  }
  if (!written.ok()) {
    err << "sre-eval score: cannot write " << scores_path << ": " << written.message() << "\n";
    return kExitEnvironment;
  }
  out << "wrote " << scores_path << "\n";
  if (!scores->problems.empty()) {
    err << "score: " << Plural(scores->problems.size(), "problem") << " in the input; "
        << Plural(scores->counts.not_scored, "line") << " of responses.jsonl not scored\n";
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace sre_eval
