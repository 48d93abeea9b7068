// sre-eval calibrate: how well the rubrics rank graded example answers.
#include <ostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "score/calibrate.h"
#include "score/calibration_report.h"
#include "score/graded.h"
#include "score/judge.h"
#include "score/rubric_set.h"
#include "suite/suite.h"
#include "util/http_client.h"

namespace sre_eval {

const CommandSpec& CalibrateSpec() {
  static const CommandSpec* spec = new CommandSpec{
      "calibrate",
      "measure how well the rubrics rank graded example answers",
      "[FILE]...",
      0,
      size_t{1} << 20,
      "Scores graded example answers (fixtures/graded/*.yaml; the format is in\n"
      "fixtures/README.md) with the suite's rubric for each file's prompt, and compares the\n"
      "rubric's scores with the expert's grades. With no FILE, reads every *.yaml in the\n"
      "suite's fixtures/graded/ folder.\n"
      "\n"
      "An answer's expert grade is the weighted mean of its dimension grades, with the\n"
      "rubric's dimension weights; grades must cover exactly the prompt's dimensions. Grades\n"
      "and scores are compared at 4 decimals.\n"
      "\n"
      "Prints, per prompt: the answers, the pairs of answers whose expert grades differ, the\n"
      "agreement (the share of those pairs the rubric orders the same way; a rubric tie does\n"
      "not agree) and Kendall's tau-b. Then every inverted or tied pair with the criteria\n"
      "that favour the answer the expert ranked lower (largest first: what the criterion\n"
      "added to that answer's score minus what it added to the other's). Then the must\n"
      "check: in every prompt, each excellent answer must score strictly above every\n"
      "keyword_stuffed, boilerplate, refusal and confidently_wrong answer. Then, per kind\n"
      "of answer, the mean expert grade beside the mean rubric score (a rubric that ranks\n"
      "well can still be harsh or lenient). Then the overall agreement (all pairs of all\n"
      "prompts) and tau-b (all answers pooled).\n"
      "\n"
      "The LLM judge grades 'judge' criteria when SRE_EVAL_JUDGE_URL and\n"
      "SRE_EVAL_JUDGE_MODEL are set (see 'sre-eval score --help'); otherwise they are skipped.\n"
      "\n"
      "Exit code 0, or 1 when --min-agreement is given and the overall agreement is under\n"
      "it or a must check failed; 2 for bad input (a graded file, the suite, an option).",
      {
          {"suite", "DIR", "the suite folder (holding prompts/ and rubrics/)"},
          {"min-agreement", "X",
           "exit 1 when the agreement is under X (0-1) or a must check fails"},
          {"json", "", "print the results as JSON instead of text"},
          {"no-judge", "", "skip judge criteria even when a judge is configured"},
      }};
  return *spec;
}

int RunCalibrate(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  std::optional<double> min_agreement;
  if (args.Has("min-agreement")) {
    double x = 0;
    std::string text = args.Get("min-agreement");
    if (!absl::SimpleAtod(text, &x) || !(x >= 0 && x <= 1)) {
      err << "sre-eval calibrate: --min-agreement must be a number from 0 to 1, got '" << text
          << "'\n";
      return kExitBadInput;
    }
    min_agreement = x;
  }
  std::string root = ResolveSuiteRoot(args);
  Suite suite;
  RubricSet rubrics;
  if (!LoadCompiledSuite(root, "calibrate", "", &suite, &rubrics, err)) return kExitBadInput;

  std::vector<std::string> paths = args.positionals;
  if (paths.empty()) {
    std::string dir = SuitePath(root, "fixtures/graded");
    std::string error;
    for (const std::string& name : ListYamlFiles(dir, &error))
      paths.push_back(SuitePath(dir, name));
    if (paths.empty()) {
      err << "sre-eval calibrate: no FILE given, and " << dir << "/ holds no *.yaml file\n";
      return kExitBadInput;
    }
  }
  Diagnostics problems;
  std::vector<GradedFile> files;
  for (const std::string& path : paths) {
    std::optional<GradedFile> file = LoadGradedFile(path, &problems);
    if (!file.has_value()) continue;
    CheckGradedFile(*file, suite, &problems);
    files.push_back(*std::move(file));
  }
  if (!problems.empty()) {
    PrintDiagnostics(problems, "calibrate", "", err);
    return kExitBadInput;
  }

  CurlHttpClient http;
  std::unique_ptr<Judge> judge;
  if (!JudgeForCommand(args, "calibrate", &http, err, &judge)) return kExitBadInput;
  Calibration calibration = Calibrate(files, suite, rubrics, judge.get(), &problems);
  if (!problems.empty()) {
    PrintDiagnostics(problems, "calibrate", "", err);
    return kExitBadInput;
  }
  JudgeUse use;
  if (judge != nullptr) {
    use.model = judge->model();
    use.prompt_hash = judge->prompt_hash();
  }
  use.status_line = JudgeStatusLine(judge.get(), calibration.judge_criteria);
  if (args.Has("no-judge") && calibration.judge_criteria > 0) {
    use.status_line = absl::StrCat(
        "judge: not used (--no-judge); ", calibration.judge_criteria,
        calibration.judge_criteria == 1 ? " judge criterion" : " judge criteria", " skipped");
  }
  std::optional<CalibrationGate> gate;
  if (min_agreement.has_value()) gate = CheckGate(calibration, *min_agreement);
  out << (args.Has("json") ? CalibrationJson(calibration, use, gate)
                           : CalibrationText(calibration, use, gate));
  return gate.has_value() && !gate->passed ? kExitGateFailed : kExitOk;
}

}  // namespace sre_eval
