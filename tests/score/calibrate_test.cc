// Calibration: the statistics on hand-computed examples, graded file checks, and a small
// calibration end to end.
#include "score/calibrate.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "score/calibration_report.h"
#include "test_util.h"

namespace sre_eval {
namespace {

TEST(KendallTauBTest, HandComputedExamples) {
  // Same order: every pair concordant.
  EXPECT_EQ(KendallTauB({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_EQ(KendallTauB({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // Pairs (1,2) (1,3) concordant, (2,3) discordant: (2 - 1) / 3.
  EXPECT_DOUBLE_EQ(*KendallTauB({1, 2, 3}, {1, 3, 2}), 1.0 / 3);
  // Ties on both sides: C = 4, D = 0; one pair tied in x only, one in y only:
  // 4 / sqrt((6 - 1) * (6 - 1)) = 0.8.
  EXPECT_DOUBLE_EQ(*KendallTauB({1, 2, 2, 3}, {1, 2, 3, 3}), 0.8);
  // A tie in the second list only: C = 2, D = 0, n0 = 3, n2 = 1: 2 / sqrt(3 * 2).
  EXPECT_DOUBLE_EQ(*KendallTauB({0.9, 0.5, 0.1}, {0.6, 0.6, 0.2}), 2 / std::sqrt(6.0));
  // A pair tied on both sides counts on neither side: (0,1) is tied in both, (0,2) and
  // (1,2) are concordant: 2 / sqrt(2 * 2) = 1.
  EXPECT_DOUBLE_EQ(*KendallTauB({1, 1, 2}, {5, 5, 9}), 1.0);
  // Undefined: all tied on one side, or fewer than two pairs.
  EXPECT_EQ(KendallTauB({1, 1, 1}, {1, 2, 3}), std::nullopt);
  EXPECT_EQ(KendallTauB({1, 2}, {3, 3}), std::nullopt);
  EXPECT_EQ(KendallTauB({1}, {1}), std::nullopt);
  EXPECT_EQ(KendallTauB({}, {}), std::nullopt);
}

TEST(PairwiseAgreementTest, RubricTiesDoNotAgreeAndExpertTiesDoNotCount) {
  // Expert pairs: (0,1) (0,2) (1,2) all differ. The rubric ties (0,1): 2 of 3 agree.
  Agreement a = PairwiseAgreement({0.9, 0.5, 0.1}, {0.6, 0.6, 0.2});
  EXPECT_EQ(a.pairs, 3);
  EXPECT_EQ(a.agreed, 2);
  EXPECT_DOUBLE_EQ(*a.share(), 2.0 / 3);
  // The expert ties (0,1): only (0,2) and (1,2) count; the rubric inverts (1,2).
  a = PairwiseAgreement({0.5, 0.5, 0.1}, {0.9, 0.1, 0.3});
  EXPECT_EQ(a.pairs, 2);
  EXPECT_EQ(a.agreed, 1);
  EXPECT_EQ(a.share(), 0.5);
  a = PairwiseAgreement({0.5, 0.5}, {0.1, 0.9});
  EXPECT_EQ(a.pairs, 0);
  EXPECT_EQ(a.share(), std::nullopt);
}

TEST(CriterionContributionTest, WeightsItsDimensionAndLeavesOutSkippedOnes) {
  AnswerScore s;
  s.dimensions = {{"detection", 1, 1, 0, 2, 0.5, false},
                  {"diagnosis", 3, 3, 1, 4, 0.5, false},
                  {"impact", 5, 0, 0, 0, 0, true}};
  CriterionResult a;
  a.id = "a";
  a.dimension = "detection";
  a.earned = 1;
  CriterionResult b;
  b.id = "b";
  b.dimension = "diagnosis";
  b.earned = 3;
  b.penalty = 1;
  CriterionResult c;
  c.id = "c";
  c.dimension = "impact";
  c.skipped = true;
  s.criteria = {a, b, c};
  // detection: 1/4 of the weight, 1 of 2 points.
  EXPECT_DOUBLE_EQ(CriterionContribution(s, 0), 0.25 * 0.5);
  // diagnosis: 3/4 of the weight, (3 - 1) of 4 points.
  EXPECT_DOUBLE_EQ(CriterionContribution(s, 1), 0.75 * 0.5);
  EXPECT_EQ(CriterionContribution(s, 2), 0);
  EXPECT_EQ(CriterionContribution(s, 3), 0);
}

const char kPrompts[] = R"(incident: crash
prompts:
  - id: i1.a
    text: "Why?"
    dimensions: [detection, diagnosis]
)";
const char kRubric[] = R"(prompt: i1.a
dimensions:
  detection:
    criteria:
      - {id: oom, description: OOM, points: 1, terms: {any: [oomkill*]}}
  diagnosis:
    weight: 3
    criteria:
      - {id: memory, description: memory, points: 1, terms: {any: [memory]}}
      - {id: cpu, description: wrongly blames the CPU, penalty: 1, forbid: {claims: [cpu]}}
)";
const char kTruth[] = R"({"schema_version": 1, "incident": "crash", "facts": {}})";

Suite MakeSuite() {
  Suite suite;
  Diagnostics diags;
  suite.prompt_files.push_back(ParsePromptFile("prompts/a.yaml", kPrompts, &diags));
  suite.rubrics.push_back(*ParseRubricFile("rubrics/a.yaml", kRubric, &diags));
  EXPECT_EQ(DiagnosticStrings(diags), std::vector<std::string>{});
  return suite;
}

TEST(GradedFileTest, ReportsEveryProblemAtItsPosition) {
  Diagnostics diags;
  std::optional<GradedFile> f = ParseGradedFile("g.yaml", R"(prompt: i1.a
truth: t.json
answers:
  - id: one
    kind: excelent
    grades: {detection: 1.5, diagnosis: x}
    text: hi
  - id: one
    kind: terse
    grades: {detection: 0.5, diagnsis: 0.5}
    text: ho
  - id: two
    kind: refusal
    text: no
)",
                                                &diags);
  EXPECT_FALSE(f.has_value());
  EXPECT_EQ(DiagnosticStrings(diags),
            (std::vector<std::string>{
                "g.yaml:5:11: unknown kind 'excelent' (did you mean 'excellent'?); kinds are "
                "excellent, terse, wrong_cause, wrong_numbers, keyword_stuffed, boilerplate, "
                "refusal, confidently_wrong",
                "g.yaml:6:25: grade for 'detection' must be from 0 to 1, got 1.5",
                "g.yaml:6:41: 'diagnosis' must be a number, got 'x'",
                "g.yaml:8:9: duplicate answer id 'one'",
                "g.yaml:10:30: unknown key 'diagnsis' in 'grades' (did you mean 'diagnosis'?)",
                "g.yaml:12:5: answer is missing required key 'grades'"}));
}

TEST(GradedFileTest, GradesMustCoverExactlyThePromptsDimensions) {
  Suite suite = MakeSuite();
  Diagnostics diags;
  std::optional<GradedFile> f = ParseGradedFile("g.yaml", R"(prompt: i1.a
truth: t.json
answers:
  - {id: one, kind: terse, grades: {detection: 0.5}, text: hi}
  - {id: two, kind: terse, grades: {detection: 0.5, diagnosis: 0.5, impact: 1}, text: hi}
)",
                                                &diags);
  ASSERT_TRUE(f.has_value()) << DiagnosticStrings(diags)[0];
  EXPECT_EQ(f->truth_path, "t.json");
  CheckGradedFile(*f, suite, &diags);
  EXPECT_EQ(DiagnosticStrings(diags),
            (std::vector<std::string>{
                "g.yaml:4:36: answer 'one' has no grade for dimension diagnosis of prompt 'i1.a'",
                "g.yaml:5:69: prompt 'i1.a' has no dimension 'impact'; its dimensions are "
                "detection, diagnosis"}));
  Diagnostics unknown;
  f->prompt_id = "i1.b";
  CheckGradedFile(*f, suite, &unknown);
  EXPECT_EQ(DiagnosticStrings(unknown),
            std::vector<std::string>{"g.yaml:1:9: unknown prompt 'i1.b' (did you mean 'i1.a'?)"});
}

TEST(CalibrateTest, RanksFindsInvertedPairsAndChecksTheMust) {
  TempDir dir;
  dir.WriteFile("truths/crash.json", kTruth);
  std::string path = dir.WriteFile("graded/i1.a.yaml", R"(prompt: i1.a
truth: ../truths/crash.json
answers:
  - {id: best, kind: excellent, grades: {detection: 1, diagnosis: 0.9},
     text: "OOMKilled: out of memory."}
  - {id: short, kind: terse, grades: {detection: 0.8, diagnosis: 0.6}, text: "OOMKilled."}
  - {id: cpu, kind: confidently_wrong, grades: {detection: 0.2, diagnosis: 0},
     text: "OOMKilled, but the memory was fine: the cpu was the cause."}
  - {id: stuffed, kind: keyword_stuffed, grades: {detection: 0.1, diagnosis: 0.1},
     text: "memory memory OOMKilled"}
)");
  Suite suite = MakeSuite();
  Diagnostics diags;
  std::optional<GradedFile> file = LoadGradedFile(path, &diags);
  ASSERT_TRUE(file.has_value()) << DiagnosticStrings(diags)[0];
  CheckGradedFile(*file, suite, &diags);
  RubricSet rubrics = RubricSet::Compile(suite, &diags);
  Calibration c = Calibrate({*file}, suite, rubrics, nullptr, &diags);
  EXPECT_EQ(DiagnosticStrings(diags), std::vector<std::string>{});
  ASSERT_EQ(c.prompts.size(), 1u);
  const PromptCalibration& p = c.prompts[0];
  // Expert: (1 + 3 * 0.9) / 4 = 0.925, (0.8 + 1.8) / 4 = 0.65, 0.05, (0.1 + 0.3) / 4 = 0.1.
  // Rubric: best 1; short (1 + 0) / 4 = 0.25; cpu: "the memory was fine: the cpu was the
  // cause" makes a forbidden claim, so its memory earns nothing: diagnosis (0 - 1) / 1 clamps to
  // 0, and 0.25; stuffed 1.
  std::vector<std::string> scores;
  for (const CalibratedAnswer& a : p.answers) {
    scores.push_back(absl::StrCat(a.id, " ", a.expert, " ", a.rubric));
  }
  EXPECT_EQ(scores, (std::vector<std::string>{"best 0.925 1", "short 0.65 0.25", "cpu 0.05 0.25",
                                              "stuffed 0.1 1"}));
  // 6 pairs, all with different expert grades. The rubric agrees on best>short, best>cpu
  // and stuffed>cpu; it ties best/stuffed and short/cpu and inverts short/stuffed.
  EXPECT_EQ(p.agreement.pairs, 6);
  EXPECT_EQ(p.agreement.agreed, 3);
  ASSERT_EQ(p.inverted.size(), 3u);
  EXPECT_EQ(p.answers[p.inverted[0].higher].id, "best");
  EXPECT_EQ(p.answers[p.inverted[0].lower].id, "stuffed");
  EXPECT_TRUE(p.inverted[0].tie);
  EXPECT_TRUE(p.inverted[0].criteria.empty());
  EXPECT_EQ(p.answers[p.inverted[1].higher].id, "short");
  EXPECT_EQ(p.answers[p.inverted[1].lower].id, "cpu");
  EXPECT_TRUE(p.inverted[1].tie);
  // The memory cpu names is in its forbidden claim: no criterion favours it.
  EXPECT_TRUE(p.inverted[1].criteria.empty());
  EXPECT_EQ(p.answers[p.inverted[2].higher].id, "short");
  EXPECT_EQ(p.answers[p.inverted[2].lower].id, "stuffed");
  EXPECT_FALSE(p.inverted[2].tie);
  // Must: best (1) is not above stuffed (1).
  EXPECT_TRUE(p.must_checked);
  ASSERT_EQ(p.must_violations.size(), 1u);
  EXPECT_EQ(p.answers[p.must_violations[0].other].id, "stuffed");
  EXPECT_EQ(c.must_checked, 1);
  EXPECT_EQ(c.must_violations, 1);

  std::optional<CalibrationGate> gate = CheckGate(c, 0.5);
  EXPECT_TRUE(gate->min_agreement == 0.5);
  EXPECT_FALSE(gate->passed);
  EXPECT_EQ(CalibrationText(c, JudgeUse{}, gate),
            "prompt  answers  pairs  agreement   tau_b\n"
            "i1.a          4      6     0.5000  0.4082\n"
            "\n"
            "inverted pairs (the expert ranks the first answer higher):\n"
            "  i1.a  best (excellent) > stuffed (keyword_stuffed)  expert 0.9250 > 0.1000  rubric "
            "1.0000 = 1.0000  no criterion favours stuffed\n"
            "  i1.a  short (terse) > cpu (confidently_wrong)  expert 0.6500 > 0.0500  rubric "
            "0.2500 = 0.2500  no criterion favours cpu\n"
            "  i1.a  short (terse) > stuffed (keyword_stuffed)  expert 0.6500 > 0.1000  rubric "
            "0.2500 < 1.0000  favouring stuffed: memory +0.7500\n"
            "\n"
            "must: excellent above keyword_stuffed, boilerplate, refusal and confidently_wrong in "
            "0 of 1 prompt\n"
            "  i1.a  best (excellent) 1.0000 is not above stuffed (keyword_stuffed) 1.0000\n"
            "\n"
            "kind               answers  expert  rubric  difference\n"
            "excellent                1  0.9250  1.0000  +0.0750\n"
            "terse                    1  0.6500  0.2500  -0.4000\n"
            "confidently_wrong        1  0.0500  0.2500  +0.2000\n"
            "keyword_stuffed          1  0.1000  1.0000  +0.9000\n"
            "\n"
            "overall: 4 answers, 6 pairs, agreement 0.5000, tau_b 0.4082\n"
            "gate: failed (1 must violation)\n");
  nlohmann::json j = nlohmann::json::parse(CalibrationJson(c, JudgeUse{}, gate));
  EXPECT_EQ(j["kinds"][1], nlohmann::json::parse(R"({"kind": "terse", "answers": 1,
      "expert_mean": 0.65, "rubric_mean": 0.25})"));
  EXPECT_EQ(j["kinds"].size(), 4u);
}

TEST(CalibrateTest, AMissingTruthIsReportedAtTheTruthKey) {
  TempDir dir;
  std::string path =
      dir.WriteFile("g.yaml",
                    "prompt: i1.a\ntruth: nope.json\nanswers:\n"
                    "  - {id: a, kind: terse, grades: {detection: 1, diagnosis: 1}, text: x}\n");
  Suite suite = MakeSuite();
  Diagnostics diags;
  std::optional<GradedFile> file = LoadGradedFile(path, &diags);
  ASSERT_TRUE(file.has_value());
  RubricSet rubrics = RubricSet::Compile(suite, &diags);
  Calibration c = Calibrate({*file}, suite, rubrics, nullptr, &diags);
  EXPECT_EQ(DiagnosticStrings(diags),
            std::vector<std::string>{path + ":2:8: cannot use truth 'nope.json': no such file"});
  EXPECT_TRUE(c.prompts.empty());
}

}  // namespace
}  // namespace sre_eval
