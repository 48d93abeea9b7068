#include "score/compare.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "score/planted_runs.h"
#include "score/rubric_set.h"
#include "suite/suite.h"
#include "test_util.h"

namespace sre_eval {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

ScoredAnswer Answer(const std::string& prompt, int64_t trial, double score,
                    std::vector<std::pair<std::string, double>> dimensions) {
  ScoredAnswer a;
  a.incident = "crash";
  a.prompt_id = prompt;
  a.trial = trial;
  a.score.score = score;
  for (const auto& [name, value] : dimensions) {
    DimensionResult d;
    d.name = name;
    d.score = value;
    a.score.dimensions.push_back(d);
  }
  return a;
}

std::map<std::string, std::string> Verdicts(const Comparison& c) {
  std::map<std::string, std::string> out;
  for (const PromptComparison& p : c.prompts) out[p.prompt_id] = VerdictName(p.score.verdict);
  return out;
}

// Scores fixture-style run folders with the suite in the source tree.
class CompareFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diags;
    suite_ = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
    rubrics_ = RubricSet::Compile(suite_, &diags);
    ASSERT_TRUE(diags.empty());
  }

  RunScores Score(const std::string& run) {
    absl::StatusOr<RunScores> s = ScoreRun(suite_, rubrics_, run, nullptr);
    EXPECT_TRUE(s.ok()) << s.status();
    EXPECT_TRUE(s->problems.empty());
    return s.ok() ? *s : RunScores{};
  }

  Suite suite_;
  RubricSet rubrics_;
  TempDir dir_;
};

const std::map<std::string, std::string>& NoChangeVerdicts() {
  static const auto* verdicts = new std::map<std::string, std::string>{
      {"i1.what_happened", "no significant change"}, {"i1.why_crash", "no significant change"},
      {"i1.restarts", "no significant change"},      {"i1.limits", "no significant change"},
      {"i1.why_frontend", "no significant change"},  {"i1.prevent", "no significant change"},
      {"i2.slow", "no significant change"},          {"i2.why_3s", "no significant change"},
      {"i2.will_crash", "no significant change"},    {"i2.optimize", "no significant change"},
      {"i2.same_as_crash", "no significant change"}, {"i3.charged", "no significant change"},
      {"i3.cause", "no significant change"},         {"i3.how_many", "no significant change"},
      {"i3.what_to_do", "no significant change"},    {"i3.prevent", "no significant change"},
  };
  return *verdicts;
}

TEST_F(CompareFixtureTest, IdenticalRunsChangeNothing) {
  RunScores base = Score(CopyCleanRun(dir_, "base"));
  RunScores candidate = Score(CopyCleanRun(dir_, "candidate"));
  Comparison c = CompareRuns(base, {}, candidate, {});
  EXPECT_EQ(c.paired, 34);
  EXPECT_EQ(c.base_unpaired, 0);
  EXPECT_EQ(c.candidate_unpaired, 0);
  EXPECT_EQ(Verdicts(c), NoChangeVerdicts());
  for (const PromptComparison& p : c.prompts) {
    EXPECT_EQ(p.score.change, 0.0) << p.prompt_id;
    EXPECT_EQ(p.score.ci_low, 0.0) << p.prompt_id;
    EXPECT_EQ(p.score.ci_high, 0.0) << p.prompt_id;
    for (const auto& [name, d] : p.dimensions) {
      EXPECT_EQ(d.change, 0.0) << p.prompt_id << " " << name;
      EXPECT_EQ(d.verdict, Verdict::kNoSignificantChange) << p.prompt_id << " " << name;
    }
  }
  EXPECT_EQ(c.overall.pairs, 16);
  EXPECT_EQ(c.overall.change, 0.0);
  EXPECT_EQ(c.overall.verdict, Verdict::kNoSignificantChange);
  ASSERT_EQ(c.overall_dimensions.size(), 4u);
  for (const auto& [name, d] : c.overall_dimensions) {
    EXPECT_EQ(d.verdict, Verdict::kNoSignificantChange) << name;
    EXPECT_EQ(d.change, 0.0) << name;
  }
  EXPECT_FALSE(c.HasRegression());
  EXPECT_TRUE(c.comparable);
  EXPECT_THAT(c.warnings,
              ElementsAre("base has no run.json: its suite, seed and environment were not checked",
                          "candidate has no run.json: its suite, seed and environment were not "
                          "checked"));
}

TEST_F(CompareFixtureTest, PlantedRegressionIsFoundInExactlyThatPrompt) {
  RunScores base = Score(CopyCleanRun(dir_, "base"));
  std::string run = CopyCleanRun(dir_, "candidate");
  ASSERT_EQ(ReplaceAnswers(run, "i1.limits", GradedText("i1.limits", "keyword_stuffed")), 2);
  RunScores candidate = Score(run);
  Comparison c = CompareRuns(base, {}, candidate, {});
  std::map<std::string, std::string> expected = NoChangeVerdicts();
  expected["i1.limits"] = "regression";
  EXPECT_EQ(Verdicts(c), expected);
  EXPECT_THAT(c.RegressedPrompts(), ElementsAre("i1.limits"));
  EXPECT_THAT(c.ImprovedPrompts(), ElementsAre());
  EXPECT_TRUE(c.HasRegression());
  ASSERT_TRUE(c.overall.change.has_value());
  EXPECT_LT(*c.overall.change, 0);
  const PromptComparison& limits = c.prompts[3];
  ASSERT_EQ(limits.prompt_id, "i1.limits");
  EXPECT_EQ(limits.score.pairs, 2);
  EXPECT_LT(*limits.score.candidate, *limits.score.base);
  EXPECT_LT(limits.score.ci_high, 0);
  ASSERT_EQ(limits.dimensions.size(), 1u);
  EXPECT_EQ(limits.dimensions[0].first, "diagnosis");
  EXPECT_EQ(limits.dimensions[0].second.verdict, Verdict::kRegression);
}

TEST_F(CompareFixtureTest, ReportIsTheSameBytesTwice) {
  RunScores base = Score(CopyCleanRun(dir_, "base"));
  std::string run = CopyCleanRun(dir_, "candidate");
  ReplaceAnswers(run, "i1.limits", GradedText("i1.limits", "keyword_stuffed"));
  ReplaceAnswers(run, "i2.slow", GradedText("i2.slow", "terse"));
  RunScores candidate = Score(run);
  std::string first = CompareJson(CompareRuns(base, {}, candidate, {}));
  EXPECT_EQ(CompareJson(CompareRuns(base, {}, candidate, {})), first);
}

// 20 pairs with distinct changes: the interval's bounds are fixed by the seed alone
// (std::mt19937_64 is specified bit for bit), and another seed moves them.
TEST(CompareTest, IntervalIsFixedBySeed) {
  RunScores base, candidate;
  for (int t = 1; t <= 20; ++t) {
    base.answers.push_back(Answer("a", t, 0.5, {}));
    candidate.answers.push_back(Answer("a", t, 0.5 + (t % 7 - 3) * 0.01 + t * 0.001, {}));
  }
  Change c = CompareRuns(base, {}, candidate, {}).prompts[0].score;
  EXPECT_EQ(c.change, 0.012);
  EXPECT_EQ(c.ci_low, 0.003);
  EXPECT_EQ(c.ci_high, 0.021);
  EXPECT_EQ(c.verdict, Verdict::kImprovement);
  CompareOptions other;
  other.seed = 7;
  Change reseeded = CompareRuns(base, {}, candidate, {}, other).prompts[0].score;
  EXPECT_EQ(reseeded.change, c.change);
  EXPECT_NE(std::make_pair(reseeded.ci_low, reseeded.ci_high), std::make_pair(c.ci_low, c.ci_high));
}

// Two prompts of two trials: a loses 0.5 in both, b is unchanged; the base has a third trial
// of b, and a prompt c the candidate lacks.
struct SmallCase {
  RunScores base;
  RunScores candidate;
  SmallCase() {
    base.answers = {
        Answer("a", 1, 1.0, {{"diagnosis", 1.0}}), Answer("a", 2, 0.75, {{"diagnosis", 0.75}}),
        Answer("b", 1, 0.5, {{"detection", 0.5}}), Answer("b", 2, 0.5, {{"detection", 0.5}}),
        Answer("b", 3, 0.5, {{"detection", 0.5}}), Answer("c", 1, 0.5, {{"impact", 0.5}})};
    candidate.answers = {
        Answer("a", 1, 0.5, {{"diagnosis", 0.5}}), Answer("a", 2, 0.25, {{"diagnosis", 0.25}}),
        Answer("b", 1, 0.5, {{"detection", 0.5}}), Answer("b", 2, 0.5, {{"detection", 0.5}})};
  }
};

TEST(CompareTest, SmallCaseMarkdown) {
  SmallCase s;
  RunProvenance base, candidate;
  base.has_run_json = candidate.has_run_json = true;
  base.seed = 1;
  candidate.seed = 2;
  base.environment = candidate.environment = "sim";
  Comparison c = CompareRuns(s.base, base, s.candidate, candidate);
  c.base_label = "runs/a";
  c.candidate_label = "runs/b";
  EXPECT_EQ(CompareMarkdown(c),
            "# Comparison: `runs/a` (base) vs `runs/b` (candidate)\n"
            "\n"
            "**Not comparable:**\n"
            "\n"
            "- seed differs: base 1, candidate 2\n"
            "- prompts only in base: c\n"
            "\n"
            "Overall: -0.2500 (no significant change). Regressions: a. Improvements: none.\n"
            "\n"
            "4 answers paired by incident, prompt and trial; unpaired: 2 in base, 0 in "
            "candidate. Intervals: 95% paired bootstrap, 2000 resamples, seed 1.\n"
            "\n"
            "## a (crash)\n"
            "\n"
            "|  | pairs | base | candidate | change | 95% CI | verdict |\n"
            "|---|---:|---:|---:|---:|---|---|\n"
            "| score | 2 | 0.8750 | 0.3750 | -0.5000 | [-0.5000, -0.5000] | regression |\n"
            "| diagnosis | 2 | 0.8750 | 0.3750 | -0.5000 | [-0.5000, -0.5000] | regression |\n"
            "\n"
            "## b (crash)\n"
            "\n"
            "|  | pairs | base | candidate | change | 95% CI | verdict |\n"
            "|---|---:|---:|---:|---:|---|---|\n"
            "| score | 2 | 0.5000 | 0.5000 | +0.0000 | [+0.0000, +0.0000] | no significant "
            "change |\n"
            "| detection | 2 | 0.5000 | 0.5000 | +0.0000 | [+0.0000, +0.0000] | no significant "
            "change |\n"
            "\n"
            "## Overall (mean over prompts)\n"
            "\n"
            "|  | prompts | base | candidate | change | 95% CI | verdict |\n"
            "|---|---:|---:|---:|---:|---|---|\n"
            "| score | 2 | 0.6875 | 0.4375 | -0.2500 | [-0.5000, +0.0000] | no significant "
            "change |\n"
            "| detection | 1 | 0.5000 | 0.5000 | +0.0000 | [+0.0000, +0.0000] | no significant "
            "change |\n"
            "| diagnosis | 1 | 0.8750 | 0.3750 | -0.5000 | [-0.5000, -0.5000] | regression |\n");
  EXPECT_FALSE(c.comparable);
  EXPECT_TRUE(c.HasRegression());
}

TEST(CompareTest, JsonHasTheDocumentedKeysInOrder) {
  SmallCase s;
  Comparison c = CompareRuns(s.base, {}, s.candidate, {});
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(CompareJson(c));
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_THAT(keys, ElementsAre("schema_version", "base", "candidate", "comparable", "warnings",
                                "prompts_only_in_base", "prompts_only_in_candidate", "counts",
                                "bootstrap", "regressions", "improvements", "overall", "prompts"));
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["comparable"], false);
  EXPECT_EQ(j["counts"].dump(), R"({"paired":4,"base_unpaired":2,"candidate_unpaired":0})");
  EXPECT_EQ(j["regressions"].dump(), R"(["a"])");
  EXPECT_EQ(j["prompts"][0].dump(),
            R"({"prompt_id":"a","incident":"crash","pairs":2,"base":0.875,"candidate":0.375,)"
            R"("change":-0.5,"ci":[-0.5,-0.5],"verdict":"regression","dimensions":{"diagnosis":)"
            R"({"pairs":2,"base":0.875,"candidate":0.375,"change":-0.5,"ci":[-0.5,-0.5],)"
            R"("verdict":"regression"}}})");
  EXPECT_EQ(j["overall"]["verdict"], "no significant change");
}

TEST(CompareTest, ImprovementWhenEveryPairGains) {
  SmallCase s;
  // Swapping the runs turns a's loss into a gain.
  Comparison c = CompareRuns(s.candidate, {}, s.base, {});
  EXPECT_EQ(c.prompts[0].score.verdict, Verdict::kImprovement);
  EXPECT_EQ(*c.prompts[0].score.change, 0.5);
  EXPECT_THAT(c.ImprovedPrompts(), ElementsAre("a"));
  EXPECT_THAT(c.prompts_only_in_candidate, ElementsAre("c"));
  EXPECT_EQ(c.candidate_unpaired, 2);
  EXPECT_FALSE(c.HasRegression());
}

TEST(CompareTest, SkippedDimensionsAreNotPaired) {
  RunScores base, candidate;
  base.answers = {Answer("a", 1, 1.0, {{"diagnosis", 1.0}}),
                  Answer("a", 2, 1.0, {{"diagnosis", 1.0}})};
  candidate.answers = base.answers;
  candidate.answers[1].score.dimensions[0].skipped = true;
  Comparison c = CompareRuns(base, {}, candidate, {});
  EXPECT_EQ(c.prompts[0].score.pairs, 2);
  EXPECT_EQ(c.prompts[0].dimensions[0].second.pairs, 1);
}

TEST(CompareTest, ProvenanceDifferencesAreEachAWarning) {
  RunProvenance base, candidate;
  base.has_run_json = candidate.has_run_json = true;
  base.suite_hash = "abc";
  candidate.suite_hash = "def";
  base.rubric_versions = {{"i1.limits", "2"}, {"i1.prevent", "1"}};
  candidate.rubric_versions = {{"i1.limits", "3"}, {"i1.prevent", "1"}, {"i2.slow", "1"}};
  base.seed = 1;
  candidate.seed = 1;
  base.environment = "sim";
  candidate.environment = "kube";
  Comparison c = CompareRuns({}, base, {}, candidate);
  EXPECT_FALSE(c.comparable);
  EXPECT_THAT(c.warnings, ElementsAre("suite hash differs: base abc, candidate def",
                                      "rubric version of i1.limits differs: base 2, candidate 3",
                                      "rubric version of i2.slow differs: base none, candidate 1",
                                      "environment differs: base sim, candidate kube"));
  EXPECT_EQ(c.overall.pairs, 0);
  EXPECT_EQ(c.overall.change, std::nullopt);
}

TEST(CompareTest, ReadRunProvenance) {
  TempDir dir;
  dir.WriteFile("a/run.json",
                R"({"schema_version": 1, "environment": "sim", "seed": 4, "suite_hash": "h1",)"
                R"( "rubric_versions": {"i1.limits": 2, "i2.slow": "x"}})");
  absl::StatusOr<RunProvenance> p = ReadRunProvenance(dir.path() + "/a");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->has_run_json);
  EXPECT_EQ(p->environment, "sim");
  EXPECT_EQ(p->seed, 4);
  EXPECT_EQ(p->suite_hash, "h1");
  EXPECT_THAT(p->rubric_versions, ElementsAre(Pair("i1.limits", "2"), Pair("i2.slow", "x")));

  dir.WriteFile("none/x", "");
  p = ReadRunProvenance(dir.path() + "/none");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->has_run_json);

  dir.WriteFile("bad/run.json", "[1");
  EXPECT_EQ(ReadRunProvenance(dir.path() + "/bad").status().message(),
            dir.path() + "/bad/run.json:1:3: not valid JSON: unexpected end of input");
  dir.WriteFile("list/run.json", "[1]");
  EXPECT_EQ(ReadRunProvenance(dir.path() + "/list").status().message(),
            dir.path() + "/list/run.json: not a JSON object");
  dir.WriteFile("seed/run.json", R"({"seed": "one"})");
  EXPECT_EQ(ReadRunProvenance(dir.path() + "/seed").status().message(),
            dir.path() + "/seed/run.json: 'seed' must be an integer");
  dir.WriteFile("env/run.json", R"({"environment": 3})");
  EXPECT_EQ(ReadRunProvenance(dir.path() + "/env").status().message(),
            dir.path() + "/env/run.json: 'environment' must be a string");
}

}  // namespace
}  // namespace sre_eval
