// End to end: the real sre-eval binary re-renders the report of a copy of fixtures/runs/clean.
#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report/report.h"
#include "score/rubric_set.h"
#include "test_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ReportE2eTest : public testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/runs/clean",
                          dir_.path() + "/run", std::filesystem::copy_options::recursive);
  }

  SubprocessResult Run(std::vector<std::string> args) {
    PosixProcessRunner runner;
    SubprocessOptions options;
    options.argv = {SRE_EVAL_BINARY, "report", "--suite", SRE_EVAL_SOURCE_DIR};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.working_dir = dir_.path();
    options.env = {{"SRE_EVAL_JUDGE_URL", ""}, {"SRE_EVAL_JUDGE_MODEL", ""}};
    absl::StatusOr<SubprocessResult> result = runner.Run(options);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : SubprocessResult{};
  }

  // The report the library builds for the copy, to compare the command's output with.
  Report Expected(const Gate& gate, uint64_t seed) {
    Diagnostics problems;
    Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &problems);
    RubricSet rubrics = RubricSet::Compile(suite, &problems);
    absl::StatusOr<RunScores> scores = ScoreRun(suite, rubrics, dir_.path() + "/run", nullptr);
    EXPECT_TRUE(scores.ok());
    return BuildReport(suite, *scores, nullptr, gate, "agent", seed);
  }

  TempDir dir_;
};

TEST_F(ReportE2eTest, PrintsEachFormat) {
  SubprocessResult md = Run({"run"});
  EXPECT_EQ(md.stderr_data, "");
  EXPECT_EQ(md.exit_code, 0);
  EXPECT_EQ(md.stdout_data, RenderMarkdown(Expected(Gate{}, 1)));
  EXPECT_THAT(md.stdout_data, StartsWith("# sre-eval report: agent\n"));

  SubprocessResult junit = Run({"--format", "junit", "run"});
  EXPECT_EQ(junit.exit_code, 0);
  EXPECT_EQ(junit.stdout_data, RenderJunit(Expected(Gate{}, 1)));

  SubprocessResult json = Run({"--format=json", "--seed", "8", "run"});
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_EQ(json.stdout_data, RenderJson(Expected(Gate{}, 8)));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/run/summary.md")) << "nothing written";
}

TEST_F(ReportE2eTest, GateMissesExitOne) {
  dir_.WriteFile("gate.yaml", "dimensions: {detection: 0.75}\nincidents: {crash: 0.8}\n");
  SubprocessResult r = Run({"--gate", "gate.yaml", "--fail-under", "0.9", "run"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data,
            "gate missed: overall 0.8696 < 0.9 (--fail-under)\n"
            "gate missed: dimension detection 0.7001 < 0.75 (gate.yaml)\n"
            "report: 2 thresholds missed\n");
  EXPECT_THAT(r.stdout_data, HasSubstr("**Failed:**\n\n- overall 0.8696 < 0.9 (--fail-under)\n"));

  SubprocessResult passing = Run({"--fail-under", "0.86", "run"});
  EXPECT_EQ(passing.exit_code, 0);
  EXPECT_EQ(passing.stderr_data, "");
}

TEST_F(ReportE2eTest, ReferenceFolderAddsTheReferenceColumns) {
  dir_.WriteFile("run/reference/responses.jsonl",
                 "{\"schema_version\":1,\"incident\":\"crash\",\"prompt_id\":\"i1.restarts\","
                 "\"trial\":1,\"answer\":\"There were 5 restarts.\",\"status\":\"ok\"}\n");
  SubprocessResult r = Run({"run"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_THAT(r.stdout_data,
              HasSubstr("Cells: agent / reference (the built-in rule-based agent on the same "
                        "incidents: a yardstick, not a ceiling)."));
  EXPECT_THAT(r.stdout_data, HasSubstr("| latency | 10 | 0.8910 / - |"));
}

TEST_F(ReportE2eTest, BadInputExitsTwoWithTheReason) {
  struct Case {
    std::vector<std::string> args;
    std::string stderr_data;
  };
  dir_.WriteFile("bad.yaml", "overall: 2\n");
  const Case cases[] = {
      {{"--format", "pdf", "run"},
       "sre-eval report: --format must be md, junit, json or html, got 'pdf'\n"},
      {{"--fail-under", "high", "run"},
       "sre-eval report: --fail-under must be a number from 0 to 1, got 'high'\n"},
      {{"--fail-under", "1.5", "run"},
       "sre-eval report: --fail-under must be a number from 0 to 1, got '1.5'\n"},
      {{"--seed", "-1", "run"},
       "sre-eval report: --seed must be a whole number from 0 to 18446744073709551615, got "
       "'-1'\n"},
      {{"nope"}, "sre-eval report: run folder 'nope' does not exist\n"},
      {{"--gate", "missing.yaml", "run"},
       "missing.yaml: No such file or directory\nreport: 1 error in 1 file; nothing reported\n"},
      {{"--gate", "bad.yaml", "run"},
       "bad.yaml:1:10: 'overall' must be between 0 and 1, got 2\n"
       "report: 1 error in 1 file; nothing reported\n"},
  };
  for (const Case& c : cases) {
    SubprocessResult r = Run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0];
    EXPECT_EQ(r.stderr_data, c.stderr_data);
    EXPECT_EQ(r.stdout_data, "");
  }
}

TEST_F(ReportE2eTest, ProblemsInTheAnswersExitTwoAfterTheReport) {
  dir_.WriteFile("run/responses.jsonl",
                 "{\"schema_version\":1,\"incident\":\"crash\","
                 "\"prompt_id\":\"i1.restartz\",\"trial\":1,"
                 "\"answer\":\"x\",\"status\":\"ok\"}\n");
  SubprocessResult r = Run({"run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_data,
            "run/responses.jsonl:1: unknown prompt 'i1.restartz' (did you mean 'i1.restarts'?); "
            "1 answer not scored\n"
            "report: 1 problem in the input; those answers are left out of the report\n");
  EXPECT_THAT(r.stdout_data, StartsWith("# sre-eval report: agent\n"));
}

}  // namespace
}  // namespace sre_eval
