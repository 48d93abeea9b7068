// End to end: the real sre-eval binary compares copies of fixtures/runs/clean, one with a
// planted regression.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "score/planted_runs.h"
#include "test_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Runs sre-eval in `dir` with no judge and no suite from the environment.
SubprocessResult SreEval(const std::string& dir, std::vector<std::string> args) {
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {SRE_EVAL_BINARY};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.working_dir = dir;
  options.env = {{"SRE_EVAL_JUDGE_URL", ""}, {"SRE_EVAL_JUDGE_MODEL", ""}, {"SRE_EVAL_SUITE", ""}};
  absl::StatusOr<SubprocessResult> result = runner.Run(options);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : SubprocessResult{};
}

class CompareE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CopyCleanRun(dir_, "base");
    std::string candidate = CopyCleanRun(dir_, "candidate");
    ASSERT_EQ(ReplaceAnswers(candidate, "i1.limits", GradedText("i1.limits", "keyword_stuffed")),
              2);
    CopyCleanRun(dir_, "same");
  }

  SubprocessResult Compare(std::vector<std::string> args) {
    std::vector<std::string> all = {"compare", "--suite", SRE_EVAL_SOURCE_DIR};
    all.insert(all.end(), args.begin(), args.end());
    return SreEval(dir_.path(), all);
  }

  TempDir dir_;
};

TEST_F(CompareE2eTest, PlantedRegressionFailsTheGateOnlyWithTheFlag) {
  SubprocessResult plain = Compare({"base", "candidate"});
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_EQ(plain.stderr_data, "");
  EXPECT_THAT(plain.stdout_data,
              StartsWith("# Comparison: `base` (base) vs `candidate` (candidate)\n\n"
                         "**Warnings:**\n\n"
                         "- base has no run.json: its suite, seed and environment were not "
                         "checked\n"
                         "- candidate has no run.json: its suite, seed and environment were not "
                         "checked\n\n"
                         "Overall: -"));
  EXPECT_THAT(plain.stdout_data, HasSubstr(". Regressions: i1.limits. Improvements: none.\n"));
  EXPECT_THAT(plain.stdout_data, HasSubstr("\n34 answers paired by incident, prompt and trial; "
                                           "unpaired: 0 in base, 0 in candidate."));

  SubprocessResult gated = Compare({"--fail-on-regression", "base", "candidate"});
  EXPECT_EQ(gated.exit_code, 1);
  EXPECT_EQ(gated.stderr_data, "compare: significant regression in i1.limits\n");
  EXPECT_EQ(gated.stdout_data, plain.stdout_data);
}

TEST_F(CompareE2eTest, IdenticalRunsPassTheGate) {
  SubprocessResult r = Compare({"--fail-on-regression", "base", "same"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_THAT(r.stdout_data, HasSubstr("Overall: +0.0000 (no significant change). Regressions: "
                                       "none. Improvements: none.\n"));
  EXPECT_THAT(r.stdout_data, Not(HasSubstr("| regression |")));
  EXPECT_THAT(r.stdout_data, Not(HasSubstr("| improvement |")));
}

TEST_F(CompareE2eTest, JsonIsDeterministicAndNamesTheRegression) {
  SubprocessResult first = Compare({"--format", "json", "base", "candidate"});
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_EQ(first.stderr_data, "");
  SubprocessResult second = Compare({"--format=json", "base", "candidate"});
  EXPECT_EQ(second.stdout_data, first.stdout_data);
  nlohmann::json j = nlohmann::json::parse(first.stdout_data, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["base"], "base");
  EXPECT_EQ(j["candidate"], "candidate");
  EXPECT_EQ(j["comparable"], true);
  EXPECT_EQ(j["regressions"], nlohmann::json::array({"i1.limits"}));
  EXPECT_EQ(j["improvements"], nlohmann::json::array());
  EXPECT_EQ(j["counts"]["paired"], 34);
  EXPECT_EQ(j["bootstrap"]["resamples"], 2000);
  EXPECT_EQ(j["prompts"].size(), 16u);
  EXPECT_EQ(j["prompts"][3]["prompt_id"], "i1.limits");
  EXPECT_EQ(j["prompts"][3]["verdict"], "regression");
  EXPECT_EQ(j["prompts"][3]["dimensions"]["diagnosis"]["verdict"], "regression");
  EXPECT_LT(j["overall"]["change"].get<double>(), 0);
}

// How the agents worked, paired by answer beside the score change: the candidate made more
// calls, one unsafe, and cost more.
TEST_F(CompareE2eTest, TheProcessChangeIsShownBesideTheScoreChange) {
  SubprocessResult none = Compare({"base", "candidate"});
  EXPECT_THAT(none.stdout_data, Not(HasSubstr("## Process")));  // no trail in either run
  const std::string call =
      R"({"incident":"crash","prompt_id":"i1.limits","trial":1,"source":"api","tool":"kubernetes","verb":"list","resource":"pods","status":200})";
  dir_.WriteFile("base/audit.jsonl", call + "\n");
  dir_.WriteFile(
      "candidate/audit.jsonl",
      call + "\n" + call + "\n" +
          R"({"incident":"crash","prompt_id":"i1.limits","trial":1,"source":"api","tool":"kubernetes","verb":"delete","resource":"pods","name":"x","status":403,"unsafe":true})" +
          "\n");
  SubprocessResult md = Compare({"base", "candidate"});
  EXPECT_EQ(md.exit_code, 0);
  EXPECT_THAT(
      md.stdout_data,
      HasSubstr("\n## Process\n\nOver the 34 answers both runs have: how the agents "
                "worked, beside the score change.\n\n| | base | candidate | change |\n"
                "|---|---:|---:|---:|\n| calls | 1 | 3 | +2 |\n| repeated | 0 | 1 | +1 |\n"
                "| failed | 0 | 1 | +1 |\n| unsafe | 0 | 1 | +1 |\n| turns | - | - | - |\n"));
  SubprocessResult js = Compare({"--format", "json", "base", "candidate"});
  nlohmann::json j = nlohmann::json::parse(js.stdout_data);
  EXPECT_EQ(j["process"]["pairs"], 34);
  EXPECT_EQ(j["process"]["change"]["calls"], 2);
  EXPECT_EQ(j["process"]["change"]["unsafe"], 1);
  EXPECT_EQ(j["process"]["change"]["cost_usd"], nullptr);
}

TEST_F(CompareE2eTest, DifferentSeedsMakeTheRunsNotComparable) {
  WriteRunJson(dir_.path() + "/base", 1);
  WriteRunJson(dir_.path() + "/same", 2);
  SubprocessResult r = Compare({"base", "same"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.stdout_data, StartsWith("# Comparison: `base` (base) vs `same` (candidate)\n\n"
                                        "**Not comparable:**\n\n"
                                        "- seed differs: base 1, candidate 2\n\n"
                                        "Overall: +0.0000"));
  nlohmann::json j =
      nlohmann::json::parse(Compare({"--format", "json", "base", "same"}).stdout_data);
  EXPECT_EQ(j["comparable"], false);
  EXPECT_EQ(j["warnings"], nlohmann::json::array({"seed differs: base 1, candidate 2"}));
}

TEST_F(CompareE2eTest, BadInputExitsTwoWithTheReason) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  dir_.WriteFile("empty/x", "");
  dir_.WriteFile("file", "");
  dir_.WriteFile("broken/responses.jsonl", "");
  dir_.WriteFile("broken/run.json", "{");
  dir_.WriteFile("cut/scores.json", "{\n  \"schema_version\": 1,\n  \"answers\": [");
  const Case cases[] = {
      {{"base", "missing"}, "sre-eval compare: run folder 'missing' does not exist\n"},
      {{"file", "base"}, "sre-eval compare: 'file' is not a run folder\n"},
      {{"base", "empty"},
       "sre-eval compare: 'empty' has neither responses.jsonl nor scores.json\n"},
      {{"broken", "base"},
       "sre-eval compare: broken/run.json:1:2: not valid JSON: unexpected end of input\n"},
      {{"base", "cut"},
       "sre-eval compare: cut/scores.json:3:15: not valid JSON: unexpected end of input\n"},
      {{"--format", "html", "base", "same"},
       "sre-eval compare: --format must be md or json, got 'html'\n"},
  };
  for (const Case& c : cases) {
    SubprocessResult r = Compare(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.err;
    EXPECT_EQ(r.stderr_data, c.err);
    EXPECT_EQ(r.stdout_data, "");
  }
  SubprocessResult one = SreEval(dir_.path(), {"compare", "base"});
  EXPECT_EQ(one.exit_code, 2);
  EXPECT_THAT(one.stderr_data, StartsWith("sre-eval compare: missing BASE_RUN CANDIDATE_RUN\n"));
}

TEST_F(CompareE2eTest, ARunWithOnlyScoresJsonIsReadFromIt) {
  ASSERT_EQ(SreEval(dir_.path(), {"score", "--suite", SRE_EVAL_SOURCE_DIR, "same"}).exit_code, 0);
  std::filesystem::remove(dir_.path() + "/same/responses.jsonl");
  SubprocessResult r = Compare({"--fail-on-regression", "base", "same"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.stdout_data,
              HasSubstr("- candidate has no responses.jsonl: its scores.json was used, not "
                        "re-scored with the current rubrics\n"));
  EXPECT_THAT(r.stdout_data, HasSubstr("Overall: +0.0000 (no significant change). Regressions: "
                                       "none."));
}

}  // namespace
}  // namespace sre_eval
