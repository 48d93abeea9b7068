// The report model and its renderings, on the example run fixtures/runs/clean (scored with
// the shipped suite, no judge) and on small hand-built RunScores.
#include "report/report.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "report_fixtures.h"
#include "score/rubric_set.h"
#include "test_util.h"
#include "util/file_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kClean = std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/runs/clean";

RunScores Score(const std::string& run_dir, const std::string& responses = "responses.jsonl") {
  absl::StatusOr<RunScores> s =
      ScoreRun(ShippedSuite(), ShippedRubrics(), run_dir, nullptr, 1, responses);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : RunScores{};
}

// A copy of the clean run whose reference/ holds the first trial of every prompt.
class RunWithReference {
 public:
  RunWithReference() {
    std::filesystem::copy(kClean, dir_.path() + "/run", std::filesystem::copy_options::recursive);
    absl::StatusOr<std::string> all = ReadFile(kClean + "/responses.jsonl");
    EXPECT_TRUE(all.ok());
    std::string firsts;
    for (absl::string_view line : absl::StrSplit(*all, '\n', absl::SkipEmpty())) {
      if (absl::StrContains(line, "\"trial\":1,")) absl::StrAppend(&firsts, line, "\n");
    }
    dir_.WriteFile("run/reference/responses.jsonl", firsts);
  }
  std::string path() const { return dir_.path() + "/run"; }

 private:
  TempDir dir_;
};

Report CleanReport(const Gate& gate = {}, uint64_t seed = 1) {
  static const RunScores* scores = new RunScores(Score(kClean));
  return BuildReport(ShippedSuite(), *scores, nullptr, gate, "my-agent", seed);
}

TEST(ReportTest, ScorecardOfTheCleanRun) {
  EXPECT_EQ(
      RenderScorecard(CleanReport()),
      "scores: my-agent\n"
      "  34 answers to 16 prompts (2 to 3 trials each) on crash, latency, payment\n"
      "  scores: 0 (nothing the rubric asks) to 1 (all of it); 95% CI over prompts and trials\n"
      "incident  answers   score  detection  diagnosis  impact  remediation            "
      "95% CI\n"
      "crash          13  0.8576     0.8929     0.9440  0.7131       0.8542  [0.6873, 0.9524]\n"
      "latency        10  0.8910     0.6316     0.8993  0.9142       0.9465  [0.7727, 0.9662]\n"
      "payment        11  0.8625     0.5758     0.7578  0.9265       0.8423  [0.6621, 0.9638]\n"
      "overall        34  0.8696     0.7001     0.8877  0.8362       0.8655  [0.7866, 0.9332]\n"
      "below 0.5: none\n"
      "failed: 2 of 34 answers (error or timeout, scored 0): i1.restarts #3: not scored: agent "
      "timeout: no answer within 120s; i3.charged #3: not scored: agent error: HTTP 503 from the "
      "agent\n"
      "gate: no thresholds set, nothing gated (--fail-under, or a gate.yaml in the suite)\n");
}

TEST(ReportTest, TheGateLineSaysWhetherAnythingWasGated) {
  Report r = CleanReport();  // two failed answers, no threshold
  EXPECT_EQ(GateLine(r),
            "no thresholds set, nothing gated (--fail-under, or a gate.yaml in the suite)");
  Gate low;
  low.overall = 0.5;
  Report met = CleanReport(low);
  EXPECT_EQ(GateLine(met),
            "not passed: 2 answers failed; no threshold missed (overall 0.5 (gate.yaml))");
  met.errors.clear();
  EXPECT_EQ(GateLine(met), "passed (overall 0.5 (gate.yaml))");
  Gate high;
  high.overall = 0.9;
  Report missed = CleanReport(high);
  EXPECT_EQ(GateLine(missed), "FAILED: overall 0.8696 < 0.9 (gate.yaml)");
}

TEST(ReportTest, KeepIncidentsLeavesOutWhatTheRunDidNotSelect) {
  Report r = CleanReport();
  ASSERT_EQ(r.incidents.size(), 3u);
  const size_t prompts = r.prompts.size();
  KeepIncidents({}, &r);  // nothing selected said: everything stays
  EXPECT_EQ(r.incidents.size(), 3u);
  EXPECT_EQ(r.prompts.size(), prompts);
  KeepIncidents({"payment"}, &r);
  ASSERT_EQ(r.incidents.size(), 1u);
  EXPECT_EQ(r.incidents[0].name, "payment");
  EXPECT_EQ(r.prompts.size(), 5u);
  for (const ReportPrompt& p : r.prompts) EXPECT_EQ(p.incident, "payment") << p.prompt_id;
  EXPECT_THAT(RenderScorecard(r), HasSubstr(" on payment\n"));
  EXPECT_THAT(RenderMarkdown(r), Not(HasSubstr("| i1.")));
}

TEST(ReportTest, ScorecardBesideTheReference) {
  RunWithReference run;
  RunScores agent = Score(run.path());
  RunScores reference = Score(run.path(), "reference/responses.jsonl");
  EXPECT_EQ(reference.counts.scored, 16);
  EXPECT_TRUE(reference.problems.empty());
  Report r = BuildReport(ShippedSuite(), agent, &reference, Gate{}, "my-agent", 1);
  EXPECT_EQ(RenderScorecard(r),
            "scores: my-agent / reference\n"
            "  34 answers to 16 prompts (2 to 3 trials each) on crash, latency, payment\n"
            "  scores: 0 (nothing the rubric asks) to 1 (all of it); 95% CI over prompts and "
            "trials\n"
            "  each cell: my-agent / reference, the built-in rule-based agent on the same "
            "incidents (a yardstick, not a ceiling)\n"
            "incident  answers            score        detection        diagnosis           impact"
            "      remediation            95% CI\n"
            "crash          13  0.8576 / 1.0000  0.8929 / 1.0000  0.9440 / 1.0000  0.7131 / 1.0000"
            "  0.8542 / 1.0000  [0.6873, 0.9524]\n"
            "latency        10  0.8910 / 0.9863  0.6316 / 1.0000  0.8993 / 0.9601  0.9142 / 1.0000"
            "  0.9465 / 1.0000  [0.7727, 0.9662]\n"
            "payment        11  0.8625 / 1.0000  0.5758 / 1.0000  0.7578 / 1.0000  0.9265 / 1.0000"
            "  0.8423 / 1.0000  [0.6621, 0.9638]\n"
            "overall        34  0.8696 / 0.9957  0.7001 / 1.0000  0.8877 / 0.9867  0.8362 / 1.0000"
            "  0.8655 / 1.0000  [0.7866, 0.9332]\n"
            "below 0.5: none\n"
            "failed: 2 of 34 answers (error or timeout, scored 0): i1.restarts #3: not scored: "
            "agent timeout: no answer within 120s; i3.charged #3: not scored: agent error: HTTP "
            "503 from the agent\n"
            "gate: no thresholds set, nothing gated (--fail-under, or a gate.yaml in the suite)\n");
  EXPECT_EQ(r.prompts[0].reference, 1.0);
}

// A small suite and run built by hand:
//   crash:   i1.a (diagnosis) trials 0.9, 0.4;  i1.b (impact) trials 0.6, 0.7
//   payment: i3.a (diagnosis) trial 1 0.5, trial 2 an agent error (0)
Suite SmallSuite() {
  Suite suite;
  auto prompt = [](const char* id, const char* incident, const char* dim) {
    Prompt p;
    p.id = id;
    p.incident = incident;
    p.dimensions = {dim};
    return p;
  };
  PromptFile crash;
  crash.incident = "crash";
  crash.prompts = {prompt("i1.a", "crash", "diagnosis"), prompt("i1.b", "crash", "impact")};
  PromptFile payment;
  payment.incident = "payment";
  payment.prompts = {prompt("i3.a", "payment", "diagnosis")};
  suite.prompt_files = {crash, payment};
  return suite;
}

ScoredAnswer Answer(const char* incident, const char* prompt, int trial, const char* dim,
                    double score) {
  ScoredAnswer a;
  a.incident = incident;
  a.prompt_id = prompt;
  a.trial = trial;
  a.score.score = score;
  DimensionResult d;
  d.name = dim;
  d.score = score;
  d.maximum = 2;
  a.score.dimensions = {d};
  CriterionResult met;
  met.id = "found";
  met.dimension = dim;
  met.points = 1;
  met.earned = 1;
  met.note = "met";
  met.evidence = {{0, 10, "OOM <b>|x|</b> & *y*", "matched"}};
  CriterionResult missed;
  missed.id = "count";
  missed.dimension = dim;
  missed.points = 1;
  missed.note = "wrong number: claimed 3, truth 5";
  CriterionResult skipped;
  skipped.id = "judged";
  skipped.skipped = true;
  a.score.criteria = {met, missed, skipped};
  return a;
}

RunScores SmallRun() {
  RunScores s;
  s.answers = {Answer("crash", "i1.a", 1, "diagnosis", 0.9),
               Answer("crash", "i1.a", 2, "diagnosis", 0.4),
               Answer("crash", "i1.b", 1, "impact", 0.6), Answer("crash", "i1.b", 2, "impact", 0.7),
               Answer("payment", "i3.a", 1, "diagnosis", 0.5)};
  ScoredAnswer error;
  error.incident = "payment";
  error.prompt_id = "i3.a";
  error.trial = 2;
  error.status = ResponseStatus::kError;
  error.note = "not scored: agent error: HTTP 503 <html>";
  DimensionResult zero;
  zero.name = "diagnosis";
  error.score.dimensions = {zero};
  s.answers.push_back(error);
  s.prompts = {{"i1.a", "crash", {"diagnosis"}, 2, 0, 0.65, {0.65}},
               {"i1.b", "crash", {"impact"}, 2, 0, 0.65, {0.65}},
               {"i3.a", "payment", {"diagnosis"}, 2, 1, 0.25, {0.25}}};
  s.overall = (0.65 + 0.65 + 0.25) / 3;
  s.overall_dimensions = {{"diagnosis", 0.45}, {"impact", 0.65}};
  s.counts.scored = 6;
  return s;
}

TEST(ReportTest, PassKIsTheShareOfPromptsWhoseEveryTrialPasses) {
  Suite suite = SmallSuite();
  RunScores run = SmallRun();
  Gate gate;  // prompt 0.5: i1.a has 0.4, i3.a an error.
  Report r = BuildReport(suite, run, nullptr, gate, "a", 1);
  EXPECT_EQ(r.pass_k_passed, 1);
  EXPECT_EQ(r.pass_k_prompts, 3);
  EXPECT_EQ(r.k_min, 2);
  EXPECT_EQ(r.k_max, 2);
  ASSERT_EQ(r.prompts.size(), 3u);
  EXPECT_FALSE(r.prompts[0].passed);
  EXPECT_TRUE(r.prompts[1].passed);
  EXPECT_FALSE(r.prompts[2].passed);
  EXPECT_EQ(RoundScore(r.prompts[0].stddev), 0.3536);
  EXPECT_EQ(RoundScore(r.prompts[1].stddev), 0.0707);

  gate.prompt = 0.4;  // Inclusive: 0.4 passes; the error answer still fails i3.a.
  r = BuildReport(suite, run, nullptr, gate, "a", 1);
  EXPECT_EQ(r.pass_k_passed, 2);
  EXPECT_TRUE(r.prompts[0].passed);
  EXPECT_FALSE(r.prompts[2].passed);

  gate.prompt = 0.95;
  r = BuildReport(suite, run, nullptr, gate, "a", 1);
  EXPECT_EQ(r.pass_k_passed, 0);
}

TEST(ReportTest, WeakestAnswersLeaveErrorsOutAndErrorsAreFlagged) {
  Report r = BuildReport(SmallSuite(), SmallRun(), nullptr, Gate{}, "a", 1);
  std::vector<std::string> weakest;
  for (size_t i : r.weakest) {
    weakest.push_back(absl::StrCat(r.answers[i].prompt_id, "/", r.answers[i].trial));
  }
  EXPECT_THAT(weakest, ElementsAre("i1.a/2", "i3.a/1", "i1.b/1", "i1.b/2", "i1.a/1"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.answers[r.errors[0]].note, "not scored: agent error: HTTP 503 <html>");
  const ReportAnswer& a = r.answers[r.weakest[0]];
  ASSERT_EQ(a.missed.size(), 1u);  // The skipped criterion is not missed.
  EXPECT_EQ(a.missed[0].id, "count");
  ASSERT_EQ(a.matched.size(), 1u);
  EXPECT_EQ(a.matched[0].criterion, "found");
}

TEST(ReportTest, GateMissesAreListedInGateOrderWithTheirSource) {
  Gate gate;
  gate.overall = 0.6;
  gate.overall_source = "--fail-under";
  gate.dimensions = {{"diagnosis", 0.5}, {"impact", 0.65}, {"remediation", 0.1}};
  gate.incidents = {{"payment", 0.3}, {"crash", 0.65}, {"latency", 0.2}};
  Report r = BuildReport(SmallSuite(), SmallRun(), nullptr, gate, "a", 1);
  EXPECT_THAT(GateMisses(r), ElementsAre("overall 0.5167 < 0.6 (--fail-under)",
                                         "dimension diagnosis 0.45 < 0.5 (gate.yaml)",
                                         "dimension remediation has no score < 0.1 (gate.yaml)",
                                         "incident payment 0.25 < 0.3 (gate.yaml)",
                                         "incident latency has no score < 0.2 (gate.yaml)"));
  EXPECT_EQ(r.gate_misses, GateMisses(r));

  Gate passing;
  passing.overall = 0.5;
  passing.incidents = {{"crash", 0.65}};
  EXPECT_THAT(GateMisses(BuildReport(SmallSuite(), SmallRun(), nullptr, passing, "a", 1)),
              ElementsAre());
}

TEST(ReportTest, ShortScoreDropsTrailingZeros) {
  EXPECT_EQ(ShortScore(0.31), "0.31");
  EXPECT_EQ(ShortScore(0.5), "0.5");
  EXPECT_EQ(ShortScore(1), "1");
  EXPECT_EQ(ShortScore(0), "0");
  EXPECT_EQ(ShortScore(0.41216), "0.4122");
}

TEST(ReportTest, BootstrapIntervalIsDeterministicForASeed) {
  Report a = CleanReport(Gate{}, 42);
  Report b = CleanReport(Gate{}, 42);
  Report c = CleanReport(Gate{}, 43);
  ASSERT_TRUE(a.overall.ci.has_value());
  EXPECT_EQ(a.overall.ci->low, b.overall.ci->low);
  EXPECT_EQ(a.overall.ci->high, b.overall.ci->high);
  EXPECT_EQ(RenderJson(a), RenderJson(b));
  EXPECT_NE(std::make_pair(a.overall.ci->low, a.overall.ci->high),
            std::make_pair(c.overall.ci->low, c.overall.ci->high));
  for (size_t i = 0; i < a.incidents.size(); ++i) {
    ASSERT_TRUE(a.incidents[i].ci.has_value());
    EXPECT_EQ(a.incidents[i].ci->low, b.incidents[i].ci->low);
    EXPECT_LE(a.incidents[i].ci->low, *a.incidents[i].score.agent);
    EXPECT_GE(a.incidents[i].ci->high, *a.incidents[i].score.agent);
  }
  // One prompt with identical trials: nothing to resample.
  RunScores one;
  ScoredAnswer x = Answer("crash", "i1.a", 1, "diagnosis", 0.75);
  one.answers = {x, x};
  one.answers[1].trial = 2;
  one.prompts = {{"i1.a", "crash", {"diagnosis"}, 2, 0, 0.75, {0.75}}};
  one.overall = 0.75;
  Report r = BuildReport(SmallSuite(), one, nullptr, Gate{}, "a", 9);
  ASSERT_TRUE(r.overall.ci.has_value());
  EXPECT_EQ(r.overall.ci->low, 0.75);
  EXPECT_EQ(r.overall.ci->high, 0.75);
  EXPECT_FALSE(r.incidents[1].ci.has_value()) << "payment has no answers";
}

TEST(ReportTest, MarkdownOfASmallRun) {
  Gate gate;
  gate.overall = 0.6;
  gate.overall_source = "--fail-under";
  gate.dimensions = {{"diagnosis", 0.5}};
  Report r = BuildReport(SmallSuite(), SmallRun(), nullptr, gate, "my|agent", 1);
  r.weakest.resize(2);
  EXPECT_EQ(RenderMarkdown(r), R"md(# sre-eval report: my\|agent

| incident | answers | score | diagnosis | impact | 95% CI |
|---|---:|---:|---:|---:|---:|
| crash | 4 | 0.6500 | 0.6500 | 0.6500 | [0.5000, 0.8000] |
| payment | 2 | 0.2500 | 0.2500 |  | [0.0000, 0.5000] |
| **overall** | 6 | 0.5167 | 0.4500 | 0.6500 | [0.2167, 0.7500] |

Scores run from 0 (nothing the rubric asks) to 1 (all of it); answers counts the agent's (prompts x trials). Cells: my\|agent. 95% CI: bootstrap over prompts and trials (2000 resamples, seed 1).

## Gate

Thresholds: overall 0.6 (--fail-under), dimension diagnosis 0.5; an answer passes at 0.5.

**Incomplete: 1 of 6 answers failed (error or timeout) and scored 0.**

**Failed:**

- overall 0.5167 < 0.6 (--fail-under)
- dimension diagnosis 0.45 < 0.5 (gate.yaml)

## Flakiness

pass^k (every trial >= 0.5): 1 of 3 prompts (0.3333), k = 2.

| prompt | incident | trials | mean | std dev | pass^k |
|---|---|---:|---:|---:|---|
| i1.a | crash | 2 | 0.6500 | 0.3536 | FAIL |
| i1.b | crash | 2 | 0.6500 | 0.0707 | pass |
| i3.a | payment | 2 | 0.2500 | 0.3536 | FAIL |

## Error answers

- payment i3.a trial 2: not scored: agent error: HTTP 503 &lt;html&gt;

## Weakest answers

### i1.a trial 2 (crash): 0.4000

Missed:

- `count` (diagnosis): wrong number: claimed 3, truth 5

Matched evidence:

- `found`: "OOM &lt;b&gt;\|x\|&lt;/b&gt; &amp; \*y\*"

### i3.a trial 1 (payment): 0.5000

Missed:

- `count` (diagnosis): wrong number: claimed 3, truth 5

Matched evidence:

- `found`: "OOM &lt;b&gt;\|x\|&lt;/b&gt; &amp; \*y\*"
)md");
}

TEST(ReportTest, MarkdownOfTheCleanRunHasItsScorecardAndWeakestAnswers) {
  std::string md = RenderMarkdown(CleanReport());
  EXPECT_THAT(md, HasSubstr("| **overall** | 34 | 0.8696 | 0.7001 | 0.8877 | 0.8362 | 0.8655 | "
                            "[0.7866, 0.9332] |\n"));
  EXPECT_THAT(md, HasSubstr("pass^k (every trial >= 0.5): 14 of 16 prompts (0.875), k = 2..3.\n"));
  EXPECT_THAT(md, HasSubstr("\n### i2.slow trial 2 (latency): 0.5191\n"));
  EXPECT_THAT(md, HasSubstr("- `cpu_level` (diagnosis): not met: hedged, no value claimed\n"));
  EXPECT_THAT(md, HasSubstr("- crash i1.restarts trial 3: not scored: agent timeout: no answer "
                            "within 120s\n"));
  // Two answers failed (a timeout and an error): the run is incomplete, never "Passed".
  EXPECT_THAT(md, HasSubstr("## Gate\n\nThresholds: none; an answer passes at 0.5.\n\n"
                            "**Incomplete: 2 of 34 answers failed (error or timeout) and scored "
                            "0.** No threshold was missed.\n\n## Flakiness\n"));
  EXPECT_THAT(md, Not(HasSubstr("Passed")));
}

TEST(ReportTest, OnlyARunWithoutFailedAnswersPasses) {
  Report r = CleanReport();
  r.errors.clear();  // as if every answer had arrived
  // No threshold: nothing was gated, and summary.md does not say passed.
  EXPECT_THAT(RenderMarkdown(r),
              HasSubstr("an answer passes at 0.5.\n\nNo thresholds are set: nothing was gated "
                        "(`--fail-under`, or a gate.yaml in the suite).\n\n"));
  EXPECT_THAT(RenderMarkdown(r), Not(HasSubstr("Passed")));
  Gate low;
  low.overall = 0.5;
  Report met = CleanReport(low);
  met.errors.clear();
  met.gate_misses = GateMisses(met);
  EXPECT_THAT(RenderMarkdown(met), HasSubstr("an answer passes at 0.5.\n\n**Passed.**\n\n"));
  EXPECT_EQ(IncompleteSentence(r), "");
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(RenderJson(r));
  EXPECT_EQ(j["gate"]["passed"], true);
  EXPECT_EQ(j["gate"]["failed_answers"], 0);

  // Failed answers and a missed threshold: both are said.
  Report missed = CleanReport();
  missed.gate_misses = {"overall 0.8696 < 0.9 (gate.yaml)"};
  EXPECT_THAT(RenderMarkdown(missed),
              HasSubstr("\n\n**Incomplete: 2 of 34 answers failed (error or timeout) and scored "
                        "0.**\n\n**Failed:**\n\n- overall 0.8696 < 0.9 (gate.yaml)\n\n"));
  nlohmann::ordered_json incomplete = nlohmann::ordered_json::parse(RenderJson(CleanReport()));
  EXPECT_EQ(incomplete["gate"]["passed"], false);
  EXPECT_EQ(incomplete["gate"]["failed_answers"], 2);
  EXPECT_EQ(incomplete["gate"]["misses"], nlohmann::ordered_json::array());
}

// A JUnit schema with what CI systems read (Jenkins, GitLab, GitHub test reporters).
const char kJunitXsd[] = R"(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:complexType name="problem">
    <xs:simpleContent>
      <xs:extension base="xs:string">
        <xs:attribute name="message" type="xs:string" use="required"/>
        <xs:attribute name="type" type="xs:string"/>
      </xs:extension>
    </xs:simpleContent>
  </xs:complexType>
  <xs:element name="testcase">
    <xs:complexType>
      <xs:choice minOccurs="0">
        <xs:element name="failure" type="problem"/>
        <xs:element name="error" type="problem"/>
        <xs:element name="skipped"/>
      </xs:choice>
      <xs:attribute name="classname" type="xs:string" use="required"/>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="time" type="xs:decimal" use="required"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuite">
    <xs:complexType>
      <xs:sequence><xs:element ref="testcase" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="time" type="xs:decimal" use="required"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuites">
    <xs:complexType>
      <xs:sequence><xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
      <xs:attribute name="name" type="xs:string"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="time" type="xs:decimal"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
)";

// xmllint's exit code and stdout for `args` over the file `xml` (a schema in the same dir).
std::pair<int, std::string> Xmllint(const TempDir& dir, const std::string& xml,
                                    std::vector<std::string> args) {
  dir.WriteFile("junit.xsd", kJunitXsd);
  std::string path = dir.WriteFile("junit.xml", xml);
  PosixProcessRunner runner;
  SubprocessOptions options;
  options.argv = {"/usr/bin/xmllint"};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.argv.push_back(path);
  absl::StatusOr<SubprocessResult> r = runner.Run(options);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {-1, ""};
  std::string out = r->stdout_data;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return {r->exit_code, out};
}

TEST(ReportTest, JunitIsValidAgainstTheSchemaAndCountsRight) {
  if (!std::filesystem::exists("/usr/bin/xmllint")) GTEST_SKIP() << "no /usr/bin/xmllint";
  TempDir dir;
  Gate strict;
  strict.prompt = 0.55;  // So that one answer fails.
  std::string junit = RenderJunit(CleanReport(strict));
  std::string xsd = dir.path() + "/junit.xsd";
  EXPECT_EQ(Xmllint(dir, junit, {"--noout", "--schema", xsd}).first, 0);
  EXPECT_EQ(Xmllint(dir, junit, {"--xpath", "count(//testcase)"}).second, "34");
  EXPECT_EQ(Xmllint(dir, junit, {"--xpath", "count(/testsuites/testsuite)"}).second, "3");
  EXPECT_EQ(Xmllint(dir, junit, {"--xpath", "string(//failure/@message)"}).second,
            "score 0.5191 < 0.55");
  EXPECT_EQ(Xmllint(dir, junit, {"--xpath", "string(//failure/../@name)"}).second,
            "i2.slow trial 2");
  EXPECT_EQ(Xmllint(dir, junit, {"--xpath", "string(//testsuite[@name='crash']/@errors)"}).second,
            "1");
  EXPECT_EQ(Xmllint(dir, junit, {"--xpath", "string(/testsuites/@failures)"}).second, "1");
  // The checker can fail: a testsuite without its counts is rejected.
  std::string broken = junit;
  broken.replace(broken.find(" tests=\"13\""), 11, "");
  EXPECT_NE(Xmllint(dir, broken, {"--noout", "--schema", xsd}).first, 0);

  // Untrusted text is escaped: the small run's evidence and notes hold markup.
  Gate gate;
  gate.prompt = 0.8;
  Report small = BuildReport(SmallSuite(), SmallRun(), nullptr, gate, "a\"<&>", 1);
  small.answers[1].missed[0].note = "claimed <3> & \"x\"\x01";
  std::string text = RenderJunit(small);
  EXPECT_EQ(Xmllint(dir, text, {"--noout", "--schema", xsd}).first, 0) << text;
  EXPECT_THAT(text, HasSubstr("<testsuites name=\"sre-eval a&quot;&lt;&amp;&gt;\" tests=\"6\" "
                              "failures=\"4\" errors=\"1\" time=\"0\">\n"));
  EXPECT_THAT(text,
              HasSubstr("    <testcase classname=\"crash\" name=\"i1.a trial 2\" time=\"0\">\n"
                        "      <failure message=\"score 0.4 &lt; 0.8\" type=\"score\">missed "
                        "criteria:\ncount (diagnosis): claimed &lt;3&gt; &amp; &quot;x&quot;?\n"
                        "</failure>\n    </testcase>\n"));
  EXPECT_THAT(text, HasSubstr("      <error message=\"not scored: agent error: HTTP 503 "
                              "&lt;html&gt;\" type=\"error\"/>\n"));
  EXPECT_THAT(text, HasSubstr("<testcase classname=\"crash\" name=\"i1.a trial 1\" "
                              "time=\"0\"/>\n"));
}

TEST(ReportTest, JsonHasTheSchemaVersionAndFixedKeys) {
  RunWithReference run;
  RunScores agent = Score(run.path());
  RunScores reference = Score(run.path(), "reference/responses.jsonl");
  Gate gate;
  gate.overall = 0.9;
  Report r = BuildReport(ShippedSuite(), agent, &reference, gate, "my-agent", 5);
  std::string text = RenderJson(r);
  EXPECT_EQ(text, RenderJson(BuildReport(ShippedSuite(), agent, &reference, gate, "my-agent", 5)));
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  EXPECT_THAT(keys, ElementsAre("schema_version", "agent", "reference", "seed", "resamples",
                                "dimensions", "gate", "overall", "incidents", "pass_k", "prompts",
                                "weakest", "errors", "answers"));
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["seed"], 5);
  EXPECT_EQ(j["gate"]["misses"],
            nlohmann::ordered_json::array({"overall 0.8696 < 0.9 (gate.yaml)"}));
  EXPECT_EQ(j["gate"]["passed"], false);
  EXPECT_EQ(j["overall"]["score"],
            nlohmann::ordered_json({{"agent", 0.8696}, {"reference", 0.9957}}));
  EXPECT_EQ(j["overall"]["dimensions"]["diagnosis"]["reference"], 0.9867);
  EXPECT_EQ(j["incidents"].size(), 3u);
  EXPECT_EQ(j["incidents"][0]["name"], "crash");
  EXPECT_EQ(j["pass_k"]["passed"], 14);
  EXPECT_EQ(j["pass_k"]["prompts"], 16);
  EXPECT_EQ(j["prompts"].size(), 16u);
  EXPECT_EQ(j["answers"].size(), 34u);
  EXPECT_EQ(
      j["errors"][0],
      nlohmann::ordered_json({{"incident", "crash"}, {"prompt_id", "i1.restarts"}, {"trial", 3}}));
  std::vector<std::string> answer_keys;
  for (const auto& [key, value] : j["answers"][0].items()) answer_keys.push_back(key);
  EXPECT_THAT(answer_keys, ElementsAre("incident", "prompt_id", "trial", "status", "score",
                                       "passed", "note", "missed", "matched"));
}

TEST(ReportTest, WriteReportsWritesTheThreeRenderings) {
  TempDir dir;
  Report r = CleanReport();
  ASSERT_TRUE(WriteReports(dir.path(), r).ok());
  EXPECT_EQ(*ReadFile(dir.path() + "/summary.md"), RenderMarkdown(r));
  EXPECT_EQ(*ReadFile(dir.path() + "/junit.xml"), RenderJunit(r));
  EXPECT_EQ(*ReadFile(dir.path() + "/report.json"), RenderJson(r));
  absl::Status missing = WriteReports(dir.path() + "/nope", r);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.message()),
              testing::StartsWith("cannot write " + dir.path() + "/nope/summary.md: "));
}

TEST(GateTest, LoadsEveryKey) {
  TempDir dir;
  std::string path = dir.WriteFile(
      "gate.yaml",
      "overall: 0.6\ndimensions: {diagnosis: 0.5, impact: 1}\nincidents: {payment: 0.7}\n"
      "prompt: 0.4\n");
  Diagnostics diags;
  absl::StatusOr<Gate> gate = LoadGate(path, &diags);
  ASSERT_TRUE(gate.ok()) << gate.status();
  EXPECT_EQ(gate->overall, 0.6);
  EXPECT_THAT(gate->dimensions, ElementsAre(std::make_pair(std::string("diagnosis"), 0.5),
                                            std::make_pair(std::string("impact"), 1.0)));
  EXPECT_THAT(gate->incidents, ElementsAre(std::make_pair(std::string("payment"), 0.7)));
  EXPECT_EQ(gate->prompt, 0.4);
  EXPECT_EQ(gate->overall_source, "gate.yaml");

  absl::StatusOr<Gate> empty = ParseGate("g.yaml", "prompt: 0.5\n", nullptr);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->overall.has_value());
  EXPECT_FALSE(empty->unsafe_actions.has_value());
}

// The gate may bound the unsafe actions of the run's process (report/process.h).
TEST(GateTest, UnsafeActionsAreBoundedWhenTheGateSaysSo) {
  absl::StatusOr<Gate> gate = ParseGate("gate.yaml", "unsafe_actions: 0\n", nullptr);
  ASSERT_TRUE(gate.ok()) << gate.status();
  EXPECT_EQ(gate->unsafe_actions, 0);
  Report r = BuildReport(SmallSuite(), SmallRun(), nullptr, *gate, "a", 1);
  EXPECT_THAT(GateMisses(r), ElementsAre());
  r.process.any = true;
  r.process.total.unsafe = 3;
  EXPECT_THAT(GateMisses(r), ElementsAre("unsafe actions 3 > 0 (gate.yaml)"));
  EXPECT_EQ(GateThresholds(r.gate), "at most 0 unsafe actions");
  Diagnostics diags;
  EXPECT_FALSE(ParseGate("gate.yaml", "unsafe_actions: 1.5\n", &diags).ok());
  EXPECT_THAT(DiagnosticStrings(diags),
              ElementsAre("gate.yaml:1:17: 'unsafe_actions' must be a whole number of at least 0, "
                          "got 1.5"));
}

TEST(GateTest, ReportsEveryProblemWithItsPosition) {
  Diagnostics diags;
  absl::StatusOr<Gate> gate = ParseGate("gate.yaml",
                                        "overal: 0.6\n"
                                        "dimensions:\n"
                                        "  diagnosys: 0.5\n"
                                        "  impact: high\n"
                                        "incidents: {payment: 1.5}\n"
                                        "prompt: -1\n",
                                        &diags);
  EXPECT_EQ(gate.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(DiagnosticStrings(diags),
              ElementsAre("gate.yaml:1:1: unknown key 'overal' in gate file (did you mean "
                          "'overall'?)",
                          "gate.yaml:3:3: unknown key 'diagnosys' in 'dimensions' (did you mean "
                          "'diagnosis'?)",
                          "gate.yaml:4:11: 'impact' must be a number, got 'high'",
                          "gate.yaml:5:22: 'payment' must be between 0 and 1, got 1.5",
                          "gate.yaml:6:9: 'prompt' must be between 0 and 1, got -1"));
}

TEST(GateTest, AMissingFileIsNotFound) {
  Diagnostics diags;
  absl::StatusOr<Gate> gate = LoadGate("/nonexistent/gate.yaml", &diags);
  EXPECT_EQ(gate.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(DiagnosticStrings(diags),
              ElementsAre("/nonexistent/gate.yaml: No such file or directory"));
}

}  // namespace
}  // namespace sre_eval
