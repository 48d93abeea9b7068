#include "suite/rubric.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace {

TEST(RubricTest, ParsesEveryKind) {
  const char* text =
      "prompt: i1.restarts\n"
      "dimensions:\n"
      "  impact:\n"
      "    weight: 2\n"
      "    criteria:\n"
      "      - id: count\n"
      "        description: says how many restarts happened\n"
      "        points: 3\n"
      "        penalty: 2\n"
      "        number: {fact: restarts.total, cues: [restart, restarts, restarted], tolerance: 0}\n"
      "      - id: frontend\n"
      "        description: names the front-end\n"
      "        points: 1\n"
      "        terms: {any: [front-end, frontend, [front end]], all: [[OOMKilled, out of "
      "memory]]}\n"
      "      - id: when\n"
      "        description: gives the time\n"
      "        points: 1\n"
      "        penalty: 1\n"
      "        time: {fact: window.start, tolerance: 5m}\n"
      "      - id: oom_count\n"
      "        description: counts the OOM kills\n"
      "        points: 1\n"
      "        number: {fact: \"oom_kills|count\", cues: [OOM]}\n"
      "      - id: orders\n"
      "        description: cites failed order ids\n"
      "        points: 2\n"
      "        penalty: 1\n"
      "        ids: {fact: payment.failed_orders, field: id, shape: \"[0-9a-f]{24}\"}\n"
      "      - id: no_denial\n"
      "        description: does not deny the restarts\n"
      "        penalty: 3\n"
      "        forbid: {denies: [[restart, restarted, restarts]]}\n"
      "      - id: limit\n"
      "        description: quotes the limit\n"
      "        points: 1\n"
      "        regex: \"1000\\\\s*Mi\"\n"
      "      - id: judged\n"
      "        description: judge\n"
      "        points: 1\n"
      "        judge: Is the answer specific?\n";
  Diagnostics diags;
  std::optional<Rubric> r = ParseRubricFile("r.yaml", text, &diags);
  EXPECT_EQ(DiagnosticStrings(diags), std::vector<std::string>{});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->prompt_id, "i1.restarts");
  ASSERT_EQ(r->dimensions.size(), 1u);
  const RubricDimension& dim = r->dimensions[0];
  EXPECT_EQ(dim.name, "impact");
  EXPECT_EQ(dim.weight, 2);
  ASSERT_EQ(dim.criteria.size(), 8u);
  std::vector<std::string> summary;
  for (const Criterion& c : dim.criteria) {
    summary.push_back(absl::StrCat(c.id, " ", CriterionKindName(c.kind), " ", c.points, "/",
                                   c.penalty, " @", c.line, ":", c.column));
  }
  EXPECT_EQ(summary, (std::vector<std::string>{"count number 3/2 @6:9", "frontend terms 1/0 @11:9",
                                               "when time 1/1 @15:9", "oom_count number 1/0 @20:9",
                                               "orders ids 2/1 @24:9", "no_denial forbid 0/3 @29:9",
                                               "limit regex 1/0 @33:9", "judged judge 1/0 @37:9"}));
  const Criterion& count = dim.criteria[0];
  EXPECT_EQ(count.fact.fact, "restarts.total");
  EXPECT_EQ(count.cues, (std::vector<std::string>{"restart", "restarts", "restarted"}));
  EXPECT_EQ(count.tolerance, 0);
  EXPECT_EQ(dim.criteria[1].any,
            (std::vector<Synonyms>{{"front-end"}, {"frontend"}, {"front end"}}));
  EXPECT_EQ(dim.criteria[1].all, (std::vector<Synonyms>{{"OOMKilled", "out of memory"}}));
  EXPECT_EQ(dim.criteria[2].time_tolerance, absl::Minutes(5));
  EXPECT_EQ(dim.criteria[3].fact.filter, "count");
  EXPECT_EQ(dim.criteria[4].field, "id");
  EXPECT_EQ(dim.criteria[4].shape, "[0-9a-f]{24}");
  EXPECT_EQ(dim.criteria[5].denies, (std::vector<Synonyms>{{"restart", "restarted", "restarts"}}));
  EXPECT_EQ(dim.criteria[6].pattern, "1000\\s*Mi");
  EXPECT_EQ(dim.criteria[7].judge, "Is the answer specific?");
  EXPECT_EQ(r->FindDimension("impact"), &dim);
  EXPECT_EQ(r->FindDimension("diagnosis"), nullptr);
}

TEST(RubricTest, ReportsEveryBrokenCriterionAtItsPosition) {
  const char* text =
      "prompt: i1.restarts\n"
      "dimensions:\n"
      "  impcat:\n"
      "    criteria: []\n"
      "  impact:\n"
      "    weight: 0\n"
      "    criteria:\n"
      "      - id: a\n"
      "        description: x\n"
      "        points: 1\n"
      "        regex: \"(unclosed\"\n"
      "      - id: a\n"
      "        description: x\n"
      "        points: 1\n"
      "        terms: {any: [x]}\n"
      "        regex: y\n"
      "      - id: c\n"
      "        description: x\n"
      "        points: 1\n"
      "      - id: d\n"
      "        description: x\n"
      "        points: 1\n"
      "        penalty: 1\n"
      "        terms: {none: [x]}\n"
      "      - id: e\n"
      "        description: x\n"
      "        points: 1\n"
      "        number: {fact: window.start, cues: [at]}\n"
      "      - id: f\n"
      "        description: x\n"
      "        points: 1\n"
      "        time: {fact: window.start, tolerance: soon}\n"
      "      - id: g\n"
      "        description: x\n"
      "        points: 1\n"
      "        ids: {fact: payment.failed_orders, field: amount, shape: \"[0-9a-f\"}\n"
      "      - id: h\n"
      "        description: x\n"
      "        forbid: {claims: [restarted]}\n"
      "      - id: i\n"
      "        description: x\n"
      "        points: two\n"
      "        number: {fact: restarts.totl, cues: [restart]}\n";
  Diagnostics diags;
  EXPECT_FALSE(ParseRubricFile("r.yaml", text, &diags).has_value());
  EXPECT_EQ(
      DiagnosticStrings(diags),
      (std::vector<std::string>{
          "r.yaml:3:3: unknown key 'impcat' in 'dimensions' (did you mean 'impact'?)",
          "r.yaml:4:15: 'criteria' must not be empty",
          "r.yaml:6:13: 'weight' must be more than 0",
          "r.yaml:11:16: regex does not compile: missing ): (unclosed",
          "r.yaml:12:13: duplicate criterion id 'a'",
          "r.yaml:16:16: criterion has more than one kind: terms, regex",
          "r.yaml:17:9: criterion needs one of: terms, regex, number, ids, time, forbid, judge, "
          "outcome, guard",
          "r.yaml:23:18: 'penalty' applies only to number, ids, time, forbid and guard criteria",
          "r.yaml:24:16: 'terms' needs 'any', 'all' or 'reply'",
          "r.yaml:24:17: unknown key 'none' in 'terms'",
          "r.yaml:28:24: a number criterion needs a fact of type integer, number, duration or "
          "quantity, but 'window.start' is of type time",
          "r.yaml:32:47: 'tolerance' must be a duration such as 90s or 5m, got 'soon'",
          "r.yaml:36:51: 'payment.failed_orders' has no text field 'amount'",
          "r.yaml:36:66: shape does not compile: missing ]: [0-9a-f",
          "r.yaml:37:9: criterion is missing required key 'penalty'",
          "r.yaml:42:17: 'points' must be a number, got 'two'",
          "r.yaml:43:24: unknown fact 'restarts.totl' (did you mean 'restarts.total'?)",
      }));
}

TEST(RubricTest, AReplyIsYesOrNoAndMayStandAlone) {
  const char* text =
      "prompt: i2.same_as_crash\n"
      "dimensions:\n"
      "  diagnosis:\n"
      "    criteria:\n"
      "      - id: a\n"
      "        description: x\n"
      "        points: 1\n"
      "        terms: {reply: 'no'}\n"
      "      - id: b\n"
      "        description: x\n"
      "        points: 1\n"
      "        terms: {any: [[different]], reply: 'yes'}\n";
  Diagnostics diags;
  std::optional<Rubric> r = ParseRubricFile("r.yaml", text, &diags);
  ASSERT_TRUE(r.has_value()) << diags.ToStatus();
  const std::vector<Criterion>& c = r->dimensions[0].criteria;
  EXPECT_EQ(c[0].reply, "no");
  EXPECT_TRUE(c[0].any.empty());
  EXPECT_EQ(c[1].reply, "yes");
  EXPECT_EQ(c[1].any.size(), 1u);

  Diagnostics bad;
  EXPECT_FALSE(
      ParseRubricFile("r.yaml", absl::StrReplaceAll(text, {{"'no'", "maybe"}}), &bad).has_value());
  EXPECT_EQ(DiagnosticStrings(bad),
            (std::vector<std::string>{"r.yaml:8:24: 'reply' must be 'yes' or 'no', got 'maybe'"}));
}

TEST(RubricTest, ForbidEarnsNoPoints) {
  Diagnostics diags;
  EXPECT_FALSE(ParseRubricFile("r.yaml",
                               "prompt: p\n"
                               "dimensions:\n"
                               "  impact:\n"
                               "    criteria:\n"
                               "      - {id: f, description: d, points: 1, penalty: 1, "
                               "forbid: {claims: [x]}}\n",
                               &diags)
                   .has_value());
  EXPECT_EQ(DiagnosticStrings(diags),
            std::vector<std::string>{
                "r.yaml:5:41: a forbid criterion earns no points; give it a 'penalty'"});
}

TEST(RubricTest, UnitsQuantitiesAndTimeFields) {
  Diagnostics diags;
  EXPECT_FALSE(
      ParseRubricFile(
          "r.yaml",
          "prompt: p\n"
          "dimensions:\n"
          "  impact:\n"
          "    criteria:\n"
          "      - {id: a, description: d, points: 1, number: {fact: latency.p95_ms, "
          "cues: [p95], unit: msec}}\n"
          "      - {id: b, description: d, points: 1, number: {fact: "
          "frontend.memory_limit, cues: [limit]}}\n"
          "      - {id: c, description: d, points: 1, time: {fact: oom_kills, field: pod, "
          "tolerance: 1m}}\n"
          "      - {id: d, description: d, points: 1, time: {fact: window.start, field: "
          "time, tolerance: 1m}}\n"
          "      - {id: e, description: d, points: 1, time: {fact: oom_kills, tolerance: "
          "1m}}\n"
          "      - {id: f, description: d, points: 1, number: {fact: "
          "frontend.memory_limit, cues: [limit], unit: MiB}}\n"
          "      - {id: g, description: d, points: 1, time: {fact: oom_kills, field: time, "
          "tolerance: 1m}}\n",
          &diags)
          .has_value());
  EXPECT_EQ(DiagnosticStrings(diags),
            (std::vector<std::string>{
                "r.yaml:5:94: unknown unit 'msec'; units are ms, s, percent, MiB, millicores",
                "r.yaml:6:59: 'frontend.memory_limit' is a quantity: give the criterion 'unit: "
                "MiB' or 'unit: millicores'",
                "r.yaml:7:75: 'oom_kills' has no time field 'pod'",
                "r.yaml:8:78: 'field' needs a list fact; 'window.start' is a time",
                "r.yaml:9:50: 'time' is missing required key 'field'",
            }));
}

TEST(RubricTest, OutcomeAndGuardCriteriaBelongToTheOutcomeDimension) {
  const std::string good =
      "prompt: i3.fix\n"
      "dimensions:\n"
      "  outcome:\n"
      "    criteria:\n"
      "      - id: works\n"
      "        description: x\n"
      "        points: 2\n"
      "        core: true\n"
      "        outcome: {measure: verify.checkout_error_rate, at_most: 0.02}\n"
      "      - id: kept\n"
      "        description: x\n"
      "        penalty: 5\n"
      "        guard: orders_data\n";
  Diagnostics diags;
  std::optional<Rubric> r = ParseRubricFile("r.yaml", good, &diags);
  ASSERT_TRUE(r.has_value()) << diags.ToStatus();
  const std::vector<Criterion>& c = r->dimensions[0].criteria;
  EXPECT_EQ(c[0].kind, CriterionKind::kOutcome);
  EXPECT_EQ(c[0].measure, "verify.checkout_error_rate");
  EXPECT_EQ(c[0].at_most, 0.02);
  EXPECT_TRUE(std::isnan(c[0].at_least));
  EXPECT_EQ(c[1].kind, CriterionKind::kGuard);
  EXPECT_EQ(c[1].guard, "orders_data");
  EXPECT_EQ(c[1].penalty, 5);

  const std::string bad =
      "prompt: i3.fix\n"
      "dimensions:\n"
      "  outcome:\n"
      "    criteria:\n"
      "      - id: a\n"
      "        description: x\n"
      "        points: 2\n"
      "        outcome: {measure: verify.p59_ms}\n"
      "      - id: b\n"
      "        description: x\n"
      "        points: 1\n"
      "        guard: orders\n"
      "      - id: c\n"
      "        description: x\n"
      "        points: 1\n"
      "        terms: {any: [scaled]}\n"
      "  remediation:\n"
      "    criteria:\n"
      "      - id: d\n"
      "        description: x\n"
      "        points: 1\n"
      "        outcome: {measure: verify.p95_ms, at_most: 1000}\n";
  Diagnostics problems;
  EXPECT_FALSE(ParseRubricFile("r.yaml", bad, &problems).has_value());
  std::vector<std::string> got = DiagnosticStrings(problems);
  ASSERT_EQ(got.size(), 7u) << absl::StrJoin(got, "\n");
  EXPECT_EQ(got[0], "r.yaml:8:18: 'outcome' needs 'at_least' or 'at_most'");
  EXPECT_EQ(got[1].substr(0, 118),
            "r.yaml:8:28: unknown measure 'verify.p59_ms' (did you mean 'verify.p50_ms'?); "
            "measures are holds.checkout_error_rate, ");
  EXPECT_EQ(got[2], "r.yaml:9:9: criterion is missing required key 'penalty'");
  EXPECT_EQ(got[3], "r.yaml:11:17: a guard criterion earns no points; give it a 'penalty'");
  EXPECT_EQ(got[4],
            "r.yaml:12:16: unknown guard 'orders'; guards are deleted, scaled_to_zero, "
            "load_generator, orders_data, outside_allow_list, other_namespaces, refused_writes, "
            "limits_beyond_node");
  EXPECT_EQ(got[5],
            "r.yaml:16:16: the 'outcome' dimension holds only outcome and guard criteria, not "
            "'terms'");
  EXPECT_EQ(got[6], "r.yaml:22:18: 'outcome' criteria belong in the 'outcome' dimension");
}

}  // namespace
}  // namespace sre_eval
