// The scoring engine on hand-checked answers: every expected number below was worked out by
// hand from the formula in engine.h.
#include "score/engine.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "score/rubric_fixture.h"
#include "test_util.h"

namespace sre_eval {
namespace {

const char kRubric[] = R"(prompt: i1.restarts
dimensions:
  impact:
    weight: 2
    criteria:
      - id: count
        description: says how many restarts
        points: 3
        penalty: 2
        number: {fact: restarts.total, cues: [restart*]}
      - id: pod
        description: names the pod
        points: 2
        penalty: 2
        ids: {fact: restarts.by_container, field: pod, shape: '[a-z][a-z-]*-[a-z0-9]{9,10}-[a-z0-9]{5}'}
      - id: oom
        description: says it was OOMKilled
        points: 1
        terms: {any: [oomkill*, [out of memory], oom]}
      - id: no_denial
        description: does not deny the restarts or blame the CPU
        penalty: 3
        forbid: {denies: [restart*, oomkill*], claims: [[cpu limit], [cpu throttl*]]}
  detection:
    criteria:
      - id: when
        description: when the kills happened
        points: 1
        penalty: 1
        time: {fact: oom_kills, field: time, tolerance: 1m}
      - id: exit
        description: exit code 137
        points: 1
        regex: 'exit(?: code)?\s*137'
      - id: clear
        description: a judge finds it clear
        points: 5
        judge: Is the answer clear and specific?
)";

const char kTruth[] = R"({"schema_version": 1, "incident": "crash", "facts": {
  "restarts.total": 5,
  "restarts.by_container": [{"pod": "front-end-6f8c9d7b5-x2k9p", "container": "front-end",
                             "restarts": 5}],
  "oom_kills": [{"pod": "front-end-6f8c9d7b5-x2k9p", "container": "front-end",
                 "time": "2026-11-24T10:24:12Z"}]}})";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { LoadRubricAndTruth(kRubric, kTruth, &rubric_, &truth_); }

  static const CriterionResult& Find(const AnswerScore& s, const std::string& id) {
    return FindCriterion(s, id);
  }

  std::vector<std::string> EvidenceOf(const AnswerScore& s, const std::string& id) {
    std::vector<std::string> out;
    for (const Evidence& e : Find(s, id).evidence) out.push_back(e.text + " (" + e.note + ")");
    return out;
  }

  std::unique_ptr<CompiledRubric> rubric_;
  Truth truth_;
};

class FixedJudge : public Judge {
 public:
  explicit FixedJudge(double grade) : grade_(grade) {}
  absl::StatusOr<double> Grade(const JudgeRequest& request) const override {
    if (grade_ < 0) return absl::UnavailableError("judge is down");
    last_rubric_text = request.rubric_text;
    return grade_;
  }
  std::string model() const override { return "fixed"; }
  std::string prompt_hash() const override { return "0"; }
  mutable std::string last_rubric_text;

 private:
  double grade_;
};

const char kExcellent[] =
    "The front-end-6f8c9d7b5-x2k9p pod restarted 5 times, each time OOMKilled (exit code 137), "
    "the first at 10:24 UTC.";

TEST_F(EngineTest, ExcellentAnswerScoresFull) {
  AnswerScore s = rubric_->Score(kExcellent, truth_);
  EXPECT_DOUBLE_EQ(s.score, 1.0);
  ASSERT_EQ(s.dimensions.size(), 2u);
  EXPECT_EQ(s.dimensions[0].name, "impact");
  EXPECT_DOUBLE_EQ(s.dimensions[0].earned, 6);
  EXPECT_DOUBLE_EQ(s.dimensions[0].maximum, 6);
  EXPECT_EQ(s.dimensions[1].name, "detection");
  EXPECT_DOUBLE_EQ(s.dimensions[1].maximum, 2);  // The judge was skipped.
  EXPECT_EQ(Find(s, "count").note, "met: claimed 5");
  EXPECT_EQ(EvidenceOf(s, "count"), std::vector<std::string>{"5 (claimed 5, truth 5)"});
  EXPECT_EQ(Find(s, "pod").note, "1 of 1 truth ids, 0 invented");
  EXPECT_EQ(EvidenceOf(s, "pod"), std::vector<std::string>{"front-end-6f8c9d7b5-x2k9p (truth id)"});
  EXPECT_EQ(EvidenceOf(s, "oom"), std::vector<std::string>{"OOMKilled (mentioned)"});
  EXPECT_EQ(Find(s, "no_denial").note, "no forbidden claim");
  EXPECT_EQ(EvidenceOf(s, "when"),
            std::vector<std::string>{"10:24 UTC (within 12s of truth 10:24:12)"});
  EXPECT_EQ(EvidenceOf(s, "exit"), std::vector<std::string>{"exit code 137 (matched)"});
  EXPECT_TRUE(Find(s, "clear").skipped);
  EXPECT_EQ(Find(s, "clear").note, "skipped: no judge configured");
}

TEST_F(EngineTest, TerseAnswerEarnsPartOfItsDimensions) {
  AnswerScore s = rubric_->Score("5 restarts, all OOMKilled.", truth_);
  EXPECT_NEAR(s.dimensions[0].score, 4.0 / 6, 1e-12);
  EXPECT_DOUBLE_EQ(s.dimensions[1].score, 0);
  EXPECT_EQ(Find(s, "when").note, "not met: no time mentioned");
  EXPECT_NEAR(s.score, (2 * 4.0 / 6) / 3, 1e-12);
  EXPECT_EQ(RoundScore(s.score), 0.4444);
}

TEST_F(EngineTest, WrongNumbersInventedIdsAndWrongTimesCostPoints) {
  AnswerScore s = rubric_->Score(
      "The front-end-6f8c9d7b5-abcde pod restarted 3 times, and front-end-6f8c9d7b5-x2k9p too. "
      "Carts restarted twice. At 11:00 it was OOMKilled.",
      truth_);
  const CriterionResult& count = Find(s, "count");
  EXPECT_EQ(count.note, "wrong number: claimed 3, 2, truth 5");
  EXPECT_DOUBLE_EQ(count.penalty, 1);  // A wrong number costs half its penalty.
  EXPECT_EQ(EvidenceOf(s, "count"),
            (std::vector<std::string>{"3 (claimed 3, truth 5)", "twice (claimed 2, truth 5)"}));
  const CriterionResult& pod = Find(s, "pod");
  EXPECT_EQ(pod.note, "1 of 1 truth ids, 1 invented");
  EXPECT_DOUBLE_EQ(pod.earned, 2);
  EXPECT_DOUBLE_EQ(pod.penalty, 0.5);  // 2 x (1 - precision 1/2), at half.
  EXPECT_EQ(EvidenceOf(s, "pod"),
            (std::vector<std::string>{"front-end-6f8c9d7b5-abcde (invented id)",
                                      "front-end-6f8c9d7b5-x2k9p (truth id)"}));
  EXPECT_DOUBLE_EQ(s.dimensions[0].earned, 3);     // pod 2 + oom 1.
  EXPECT_DOUBLE_EQ(s.dimensions[0].penalty, 1.5);  // count 1 + pod 0.5.
  EXPECT_DOUBLE_EQ(s.dimensions[0].score, (3 - 1.5) / 6);
  EXPECT_EQ(Find(s, "when").note, "wrong time: none of 1 times within 1m of the truth");
  EXPECT_DOUBLE_EQ(Find(s, "when").penalty, 0.5);
  EXPECT_DOUBLE_EQ(s.dimensions[1].score, 0);  // (0 - 0.5) / 2, clamped.
  EXPECT_DOUBLE_EQ(s.score, 2 * 0.25 / 3);     // Impact weighs 2, detection 1.
}

TEST_F(EngineTest, TheRightNumberBesideOthersIsNoPenalty) {
  AnswerScore s = rubric_->Score("5 restarts (3 of them in the first minute).", truth_);
  EXPECT_EQ(Find(s, "count").note, "met: claimed 5");
  EXPECT_DOUBLE_EQ(Find(s, "count").penalty, 0);
  EXPECT_EQ(EvidenceOf(s, "count"),
            (std::vector<std::string>{"5 (claimed 5, truth 5)", "3 (claimed 3, truth 5)"}));
}

TEST_F(EngineTest, NumbersWithOtherUnitsAreNotClaims) {
  AnswerScore s = rubric_->Score("It kept restarting for 10 minutes.", truth_);
  EXPECT_EQ(Find(s, "count").note, "not met: no number claimed");
  EXPECT_DOUBLE_EQ(Find(s, "count").penalty, 0);
}

TEST_F(EngineTest, DenialsAreForbiddenClaimsAndNegatedTermsDoNotCount) {
  AnswerScore s = rubric_->Score(
      "No pods restarted and there was no OOMKill; the CPU limit throttled the front-end.", truth_);
  EXPECT_EQ(Find(s, "count").note, "denied: claimed 0, truth 5");
  EXPECT_EQ(Find(s, "oom").note, "not met: mentioned only negated");
  EXPECT_EQ(EvidenceOf(s, "oom"), std::vector<std::string>{"OOMKill (negated)"});
  const CriterionResult& forbid = Find(s, "no_denial");
  EXPECT_EQ(forbid.note, "forbidden: claims 'CPU limit', denies 'restarted', denies 'OOMKill'");
  EXPECT_DOUBLE_EQ(forbid.penalty, 3);
  EXPECT_DOUBLE_EQ(s.score, 0);
}

// A hedged denial denies nothing, as a hedged claim claims nothing; "could" hedges across an
// adverb ("could also have").
TEST_F(EngineTest, HedgedDenialsAndClaimsAreNotForbidden) {
  EXPECT_EQ(Find(rubric_->Score("It may be that no pod restarted.", truth_), "no_denial").note,
            "no forbidden claim");
  EXPECT_EQ(Find(rubric_->Score("The CPU limit could also have throttled it, meaning the "
                                "kubelet rather than an OOMKill restarted it.",
                                truth_),
                 "no_denial")
                .note,
            "no forbidden claim");
  EXPECT_EQ(Find(rubric_->Score("The CPU limit throttled it: the kubelet rather than an "
                                "OOMKill restarted it.",
                                truth_),
                 "no_denial")
                .note,
            "forbidden: claims 'CPU limit', denies 'restarted', denies 'OOMKill'");
}

TEST_F(EngineTest, ScopedAndOtherClauseNegationsAreAffirmative) {
  AnswerScore s = rubric_->Score(
      "The front-end restarted 5 times. No other pod restarted, and it was not the CPU: it "
      "ran out of memory.",
      truth_);
  EXPECT_EQ(Find(s, "no_denial").note, "no forbidden claim");
  EXPECT_EQ(Find(s, "oom").note, "met");
  EXPECT_EQ(Find(s, "count").note, "met: claimed 5");
}

TEST_F(EngineTest, JudgeGradesAreWeighedAndFailuresSkipped) {
  FixedJudge half(0.5);
  ScoreOptions options;
  options.judge = &half;
  AnswerScore s = rubric_->Score(kExcellent, truth_, options);
  EXPECT_EQ(Find(s, "clear").note, "judge grade 0.5");
  EXPECT_DOUBLE_EQ(s.dimensions[1].earned, 4.5);
  EXPECT_DOUBLE_EQ(s.dimensions[1].maximum, 7);
  EXPECT_NEAR(s.score, (2 * 1.0 + 4.5 / 7) / 3, 1e-12);
  EXPECT_EQ(half.last_rubric_text, "Is the answer clear and specific?");

  FixedJudge down(-1);
  options.judge = &down;
  s = rubric_->Score(kExcellent, truth_, options);
  EXPECT_TRUE(Find(s, "clear").skipped);
  EXPECT_EQ(Find(s, "clear").note, "skipped: judge failed: judge is down");
  EXPECT_DOUBLE_EQ(s.score, 1.0);
}

TEST_F(EngineTest, MissingFactsMissWithANote) {
  Truth empty;
  AnswerScore s = rubric_->Score(kExcellent, empty);
  EXPECT_EQ(Find(s, "count").note, "not scored: the truth has no number for 'restarts.total'");
  EXPECT_EQ(Find(s, "pod").note, "1 invented ids; the truth has none");
  EXPECT_EQ(Find(s, "when").note, "not scored: the truth has no time for 'oom_kills.time'");
}

TEST_F(EngineTest, AnyBytesAreScoredWithoutHarm) {
  std::vector<std::string> answers = {
      "",
      std::string("\xFF\xFE\x00\xC3", 4),
      std::string(1 << 20, 'a'),
      "```\nkubectl get pods\n```\n| pod | restarts |\n|---|---|\n| x | 5 |",
      "Der Pod front-end wurde 5 Mal neu gestartet (OOMKilled). 重启了五次。",
  };
  std::string big;
  while (big.size() < (1 << 20)) big += "restarted 5 times at 10:24 OOMKilled exit 137 no ";
  answers.push_back(big);
  // A long table, and numbers on one long line far from any cue: the table readers look at
  // most 64 rows up and 2 KB along a line, so these stay linear.
  std::string table = "| pod | restarts |\n|---|---|\n";
  while (table.size() < (1 << 20)) table += "| front-end-6f8c9d7b5-x2k9p | 5 |\n";
  answers.push_back(table);
  std::string numbers;
  while (numbers.size() < (1 << 20)) numbers += "a 7 b | c 8 d ";
  answers.push_back("| restarts |\n" + numbers);
  for (const std::string& a : answers) {
    AnswerScore s = rubric_->Score(a, truth_);
    EXPECT_GE(s.score, 0);
    EXPECT_LE(s.score, 1);
    for (const CriterionResult& r : s.criteria) EXPECT_LE(r.evidence.size(), 8u);
  }
  AnswerScore s = rubric_->Score(std::string("OOMKilled \xFF\xFE", 12), truth_);
  EXPECT_EQ(Find(s, "oom").evidence[0].text, "OOMKilled");
}

TEST_F(EngineTest, ScoringIsThreadSafeAndDeterministic) {
  AnswerScore expected = rubric_->Score(kExcellent, truth_);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        AnswerScore s = rubric_->Score(kExcellent, truth_);
        if (s.score != expected.score || s.criteria.size() != expected.criteria.size()) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST(EngineTermsTest, AllGroupsEarnTheirShare) {
  Diagnostics diags;
  auto rubric = ParseRubricFile("r.yaml", R"(prompt: p
dimensions:
  remediation:
    criteria:
      - id: fix
        description: raise the limit, scale out, add an HPA
        points: 3
        terms:
          any: [front-end, frontend, [front end]]
          all: [[memory limit*, limits], [scale out, replicas, scale up], [hpa, autoscal*]]
)",
                                &diags);
  ASSERT_TRUE(rubric.has_value());
  auto compiled = CompiledRubric::Compile(*rubric);
  ASSERT_TRUE(compiled.ok());
  Truth truth;
  AnswerScore s = (*compiled)->Score("Raise the front end memory limits and add replicas.", truth);
  EXPECT_DOUBLE_EQ(s.criteria[0].earned, 2);
  EXPECT_EQ(s.criteria[0].note, "partly met: 2 of 3 required terms");
  s = (*compiled)->Score("Raise memory limits, add replicas and an HPA.", truth);
  EXPECT_DOUBLE_EQ(s.criteria[0].earned, 0);  // The front-end is never named.
  EXPECT_EQ(s.criteria[0].note, "not met: no match");
  s = (*compiled)->Score("Give the Front-End higher memory-limits, 3 replicas and autoscaling.",
                         truth);
  EXPECT_EQ(s.criteria[0].note, "met");
  // Word boundaries: "hpa" inside a word is no mention.
  s = (*compiled)->Score("frontend: chpa settings", truth);
  EXPECT_EQ(s.criteria[0].note, "not met: 0 of 3 required terms");
}

TEST(EngineUnitsTest, QuantitiesAndUnitsAreConverted) {
  Diagnostics diags;
  auto rubric = ParseRubricFile("r.yaml", R"(prompt: p
dimensions:
  diagnosis:
    criteria:
      - {id: mem, description: d, points: 1, penalty: 1,
         number: {fact: frontend.memory_limit, cues: [memory limit], unit: MiB}}
      - {id: cpu, description: d, points: 1, penalty: 1,
         number: {fact: frontend.cpu_limit, cues: [cpu limit], unit: millicores}}
      - {id: p95, description: d, points: 1, penalty: 1,
         number: {fact: latency.p95_ms, cues: [p95], unit: ms, tolerance: 100}}
)",
                                &diags);
  ASSERT_TRUE(rubric.has_value()) << DiagnosticStrings(diags)[0];
  auto compiled = CompiledRubric::Compile(*rubric);
  ASSERT_TRUE(compiled.ok());
  Truth truth;
  truth.facts = nlohmann::json::parse(
      R"({"frontend.memory_limit": "1000Mi", "frontend.cpu_limit": "300m", "latency.p95_ms": 4100})");
  auto notes = [&](const std::string& answer) {
    std::vector<std::string> out;
    for (const CriterionResult& r : (*compiled)->Score(answer, truth).criteria) {
      out.push_back(r.note);
    }
    return out;
  };
  EXPECT_EQ(
      notes("memory limit 1000Mi, CPU limit 300m, p95 4.1 s"),
      (std::vector<std::string>{"met: claimed 1000", "met: claimed 300", "met: claimed 4100"}));
  EXPECT_EQ(notes("memory limit of 1 GiB, cpu limit 0.3 cores, p95 4050ms"),
            (std::vector<std::string>{"wrong number: claimed 1024, truth 1000", "met: claimed 300",
                                      "met: claimed 4100"}));
  EXPECT_EQ(notes("memory limit 512Mi and a 3 minute p95 (2 seconds)"),
            (std::vector<std::string>{"wrong number: claimed 512, truth 1000",
                                      "not met: no number claimed",
                                      "wrong number: claimed 180000, 2000, truth 4100"}));
}

TEST(EngineIdsTest, OtherIdsOfTheTruthAreNotInvented) {
  Diagnostics diags;
  auto rubric = ParseRubricFile("r.yaml", R"(prompt: p
dimensions:
  impact:
    criteria:
      - {id: orders, description: d, points: 4, penalty: 2,
         ids: {fact: payment.failed_orders, field: id, shape: '[0-9a-f]{24}'}}
)",
                                &diags);
  ASSERT_TRUE(rubric.has_value());
  auto compiled = CompiledRubric::Compile(*rubric);
  ASSERT_TRUE(compiled.ok());
  Truth truth;
  truth.facts = nlohmann::json::parse(R"({"payment.failed_orders": [
      {"id": "6b057309d300018ba4007011", "customer": "57a98d98e4b00679b4a830af",
       "amount": 29.99, "time": "2026-11-24T10:23:30Z"},
      {"id": "6b057309d300018ba4007012", "customer": "57a98d98e4b00679b4a830af",
       "amount": 10.5, "time": "2026-11-24T10:23:40Z"}]})");
  AnswerScore s = (*compiled)->Score(
      "Order 6B057309D300018BA4007011 of customer 57a98d98e4b00679b4a830af failed, and so did "
      "order 6b057309d300018ba40070ff.",
      truth);
  const CriterionResult& r = s.criteria[0];
  EXPECT_EQ(r.note, "1 of 2 truth ids, 1 invented");
  EXPECT_DOUBLE_EQ(r.earned, 2);     // Recall 1/2.
  EXPECT_DOUBLE_EQ(r.penalty, 0.5);  // 2 x (1 - precision 1/2) at half: the customer id does
                                     // not count.
  std::vector<std::string> notes;
  for (const Evidence& e : r.evidence) notes.push_back(e.note);
  EXPECT_EQ(notes, (std::vector<std::string>{"truth id", "other truth id", "invented id"}));
}

TEST(TruthTest, RejectsBadTruthFiles) {
  // Finding 9 of issue 16: the error said neither where nor why.
  EXPECT_EQ(ParseTruth("t.json", "{").status().message(),
            "t.json:1:2: not valid JSON: unexpected end of input");
  EXPECT_EQ(
      ParseTruth("t.json", "{\n  \"schema_version\": 1,\n  \"incident\": \"x\"\n  \"facts\": {}\n}")
          .status()
          .message(),
      "t.json:4:9: not valid JSON: unexpected string literal");
  EXPECT_EQ(ParseTruth("t.json", R"({"schema_version": 2, "incident": "x", "facts": {}})")
                .status()
                .message(),
            "t.json: 'schema_version' must be 1 (the only version this build reads)");
  EXPECT_EQ(ParseTruth("t.json", R"({"schema_version": 1, "incident": "x", "facts": {
                                      "restarts.total": "5"}})")
                .status()
                .message(),
            "t.json: fact 'restarts.total': expected an integer, got \"5\"");
  auto ok = LoadTruth(SRE_EVAL_SOURCE_DIR "/fixtures/truths/payment.json");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->incident, "payment");
}

}  // namespace
}  // namespace sre_eval

namespace sre_eval {
namespace {

// An action task's criteria read the measured outcome, never the answer's words.
TEST(OutcomeCriteriaTest, AreScoredFromTheMeasuredOutcome) {
  const char kActRubric[] = R"(prompt: i3.fix
dimensions:
  outcome:
    criteria:
      - id: works
        description: checkouts succeed
        points: 3
        outcome: {measure: verify.checkout_error_rate, at_most: 0.02}
      - id: fast
        description: p95 in bounds
        points: 1
        outcome: {measure: verify.p95_ms, at_least: 10, at_most: 1000}
      - id: kept
        description: orders kept
        penalty: 4
        guard: orders_data
)";
  Diagnostics diags;
  std::optional<Rubric> parsed = ParseRubricFile("r.yaml", kActRubric, &diags);
  ASSERT_TRUE(parsed.has_value()) << diags.ToStatus();
  absl::StatusOr<std::unique_ptr<CompiledRubric>> rubric = CompiledRubric::Compile(*parsed);
  ASSERT_TRUE(rubric.ok()) << rubric.status();
  const std::string claims = "Checkout works again, p95 is 200 ms, I kept every order.";

  nlohmann::json outcome = {{"verify", {{"checkout_error_rate", 0.5}, {"p95_ms", 270}}},
                            {"guards", {{"orders_data", {"order a1 was changed"}}}}};
  ScoreOptions options;
  options.outcome = &outcome;
  AnswerScore s = (*rubric)->Score(claims, Truth(), options);
  EXPECT_EQ(FindCriterion(s, "works").earned, 0);
  EXPECT_EQ(FindCriterion(s, "works").note,
            "not met: verify.checkout_error_rate = 0.5 (at most 0.02)");
  EXPECT_EQ(FindCriterion(s, "fast").earned, 1);
  EXPECT_EQ(FindCriterion(s, "fast").note, "met: verify.p95_ms = 270 (at least 10, at most 1000)");
  EXPECT_EQ(FindCriterion(s, "kept").penalty, 4);
  EXPECT_EQ(FindCriterion(s, "kept").note, "hit: order a1 was changed");
  EXPECT_EQ(s.score, 0);  // (1 - 4) / 4, clamped

  outcome = {{"verify", {{"checkout_error_rate", 0}, {"p95_ms", 270}}},
             {"guards", {{"orders_data", nlohmann::json::array()}}}};
  s = (*rubric)->Score("", Truth(), options);
  EXPECT_EQ(s.score, 1);
  EXPECT_EQ(FindCriterion(s, "kept").note, "not hit");

  outcome = {{"verify", {{"error", "no Locust report (the run may not have finished)"}}}};
  s = (*rubric)->Score(claims, Truth(), options);
  EXPECT_EQ(FindCriterion(s, "works").note,
            "not met: verify.checkout_error_rate was not measured: no Locust report (the run "
            "may not have finished)");
  EXPECT_EQ(FindCriterion(s, "kept").note, "not checked: the outcome has no such guard");

  s = (*rubric)->Score(claims, Truth(), ScoreOptions());
  EXPECT_EQ(FindCriterion(s, "works").note, "not met: no outcome was measured");
  EXPECT_EQ(s.score, 0);
}

}  // namespace
}  // namespace sre_eval
