// How the engine reads claims out of answers written in every style: numbers in words,
// ranges and bounds, counts bound to their nouns, denials as zero counts, table columns, the
// question as context, coordinated and restricted negation, hedges, local co-occurrence, core
// criteria and facts selected by key. Every expected value is worked out by hand.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "score/engine.h"
#include "score/rubric_fixture.h"
#include "score/text_scan.h"
#include "suite/rubric.h"
#include "test_util.h"

namespace sre_eval {
namespace {

const char kRubric[] = R"(prompt: i3.how_many
dimensions:
  impact:
    criteria:
      - id: orders
        description: counts the failed orders
        points: 4
        penalty: 3
        core: true
        number: {fact: payment.failed_order_count, cues: [order*, PAYMENT_FAILED]}
      - id: restarts
        description: counts the restarts
        points: 1
        penalty: 1
        number: {fact: restarts.total, cues: [restart*]}
      - id: users
        description: gives the load
        points: 1
        penalty: 1
        number: {fact: load.users, cues: [user*]}
      - id: memory
        description: quotes the front-end's peak memory
        points: 1
        penalty: 1
        number:
          fact: 'peak_usage[container=front-end].memory_mib'
          cues: [memory]
          tolerance: 10
          unit: MiB
      - id: p95
        description: quotes the p95
        points: 1
        penalty: 1
        number: {fact: latency.p95_ms, cues: [p95], tolerance: 300, unit: ms}
      - id: payment_down
        description: ties the orders to payment being down
        points: 2
        terms:
          any: [[scaled to zero, no replicas, was down]]
          all: [[payment]]
      - id: autoscaler
        description: adds an autoscaler
        points: 1
        terms: {any: [[autoscaler, HPA]]}
  detection:
    criteria:
      - id: first_order
        description: dates the first failed order
        points: 1
        penalty: 1
        time: {fact: payment.failed_orders, field: time, tolerance: 1m, cues: [order*]}
      - id: onset
        description: dates the outage
        points: 1
        time: {fact: window.start, tolerance: 2m}
  diagnosis:
    criteria:
      - id: cause
        description: blames payment being down
        points: 1
        core: true
        terms: {any: [[payment was down, payment scaled]]}
      - id: wrong_cause
        description: does not blame DNS
        penalty: 1
        forbid: {claims: [[DNS]]}
      - id: verdict
        description: answers no
        points: 1
        terms: {reply: 'no'}
)";

const char kTruth[] = R"({"schema_version": 1, "incident": "payment", "facts": {
  "payment.failed_order_count": 67,
  "restarts.total": 0,
  "load.users": 750,
  "window.start": "2026-11-24T10:14:20Z",
  "payment.failed_orders": [{"amount": 22.99, "customer": "57a98d98e4b00679b4a830b2",
                             "id": "6b05639dc8b296a29affb064", "time": "2026-11-24T10:14:53Z"}],
  "latency.p95_ms": 4100,
  "peak_usage": [
    {"pod": "carts-1", "container": "carts", "cpu_millicores": 116, "memory_mib": 193,
     "cpu_pct_of_limit": 38.7, "memory_pct_of_limit": 38.6},
    {"pod": "front-end-1", "container": "front-end", "cpu_millicores": 300, "memory_mib": 702,
     "cpu_pct_of_limit": 100.0, "memory_pct_of_limit": 70.2}]}})";

const char kQuestion[] = "How many orders are in PAYMENT_FAILED status?";

class ClaimsTest : public ::testing::Test {
 protected:
  void SetUp() override { LoadRubricAndTruth(kRubric, kTruth, &rubric_, &truth_); }

  AnswerScore Score(const std::string& answer, const std::string& question = "") {
    ScoreOptions options;
    options.question = question;
    return rubric_->Score(answer, truth_, options);
  }

  static const CriterionResult& Find(const AnswerScore& s, const std::string& id) {
    return FindCriterion(s, id);
  }

  std::string Note(const std::string& answer, const std::string& id,
                   const std::string& question = "") {
    return Find(Score(answer, question), id).note;
  }

  std::unique_ptr<CompiledRubric> rubric_;
  Truth truth_;
};

TEST_F(ClaimsTest, NumbersWrittenInWordsAreReadWhole) {
  EXPECT_EQ(Note("Sixty-seven orders failed.", "orders"), "met: claimed 67");
  EXPECT_EQ(Note("sixty seven orders failed.", "orders"), "met: claimed 67");
  EXPECT_EQ(Note("Seventy-six orders failed.", "orders"), "wrong number: claimed 76, truth 67");
  EXPECT_EQ(Note("It ran seven hundred and fifty users.", "users"), "met: claimed 750");
  EXPECT_EQ(Note("It ran seven hundred fifty users.", "users"), "met: claimed 750");
  EXPECT_EQ(Note("one two orders", "orders"), "wrong number: claimed 1, 2, truth 67");
  // "hundred" alone is no number.
  EXPECT_EQ(Note("hundreds of orders", "orders"), "not met: no number claimed");
}

TEST_F(ClaimsTest, ABareNumberOpeningTheAnswerAnswersAHowManyQuestion) {
  EXPECT_EQ(Note("67, all while payment was scaled to zero.", "orders", kQuestion),
            "met: claimed 67");
  EXPECT_EQ(Note("**Sixty-seven.**", "orders", kQuestion), "met: claimed 67");
  EXPECT_EQ(Note("23.", "orders", kQuestion), "wrong number: claimed 23, truth 67");
  // Not without the question, nor for a criterion the question does not ask about.
  EXPECT_EQ(Note("67, all while payment was scaled to zero.", "orders"),
            "not met: no number claimed");
  EXPECT_EQ(Note("5, as far as I can tell.", "restarts", kQuestion), "not met: no number claimed");
  // A number later in the answer is no answer by position.
  EXPECT_EQ(Note("I checked it twice, and the answer is 67.", "orders", kQuestion),
            "not met: no number claimed");
}

TEST_F(ClaimsTest, RangesAndBoundsCommitToNothing) {
  // A range around the truth, wider than the tolerance: nothing earned, nothing lost.
  EXPECT_EQ(Note("between 60 and 70 orders", "orders"), "not met: hedged, no value claimed");
  EXPECT_EQ(Note("60-70 orders", "orders"), "not met: hedged, no value claimed");
  EXPECT_EQ(Note("60 to 70 orders", "orders"), "not met: hedged, no value claimed");
  EXPECT_EQ(Note("66 or 68 orders", "orders"), "not met: hedged, no value claimed");
  // A range that misses the truth is wrong.
  EXPECT_EQ(Note("10-20 orders", "orders"), "wrong number: claimed 10, truth 67");
  // A range within the tolerance commits.
  EXPECT_EQ(Note("p95 of 4-4.2 s", "p95"), "met: claimed 4100");
  // Bounds.
  EXPECT_EQ(Note("more than 60 orders", "orders"), "not met: hedged, no value claimed");
  EXPECT_EQ(Note("at least 60 orders", "orders"), "not met: hedged, no value claimed");
  EXPECT_EQ(Note("up to 80 orders", "orders"), "not met: hedged, no value claimed");
  EXPECT_EQ(Note("60 or more orders", "orders"), "not met: hedged, no value claimed");
  // A change is no range.
  EXPECT_EQ(Note("orders went from 67 to 0", "orders"), "met: claimed 67");
  // "under" and "over" state a condition, not a bound.
  EXPECT_EQ(Note("it crashed under 750 users", "users"), "met: claimed 750");
  // A date is no range.
  EXPECT_EQ(Note("orders on 2026-11-24", "orders"), "not met: no number claimed");
}

TEST_F(ClaimsTest, ANumberBeforeANounCountsThatNoun) {
  // "3000-user" counts users: no memory figure, though "memory" is near.
  EXPECT_EQ(Note("It ran out of memory under the 750-user test.", "memory"),
            "not met: no number claimed");
  EXPECT_EQ(Note("It ran out of memory under the 750-user test.", "users"), "met: claimed 750");
  EXPECT_EQ(Note("memory 702 of 1000", "memory"), "met: claimed 702");
  // A count is about its noun, not about a cue nearby.
  EXPECT_EQ(Note("750 users restarted it", "restarts"), "not met: no number claimed");
  EXPECT_EQ(Note("4 container restarts", "restarts"), "wrong number: claimed 4, truth 0");
  EXPECT_EQ(Note("4 front-end pod restarts", "restarts"), "wrong number: claimed 4, truth 0");
  EXPECT_EQ(Note("restarted 4 times", "restarts"), "wrong number: claimed 4, truth 0");
  // Codes are no counts.
  EXPECT_EQ(Note("restarted 4 times (exit code 137)", "restarts"),
            "wrong number: claimed 4, truth 0");
  EXPECT_EQ(Note("HTTP 500 for 67 orders", "orders"), "met: claimed 67");
  // An aside after the cue quantifies it; a cue in an aside is another claim's.
  EXPECT_EQ(Note("It restarted (4 times).", "restarts"), "wrong number: claimed 4, truth 0");
  EXPECT_EQ(Note("p95 was 4.1 s (memory 702 MiB)", "memory"), "met: claimed 702");
  EXPECT_EQ(Note("memory 702 MiB (p95 4.1 s)", "p95"), "met: claimed 4100");
  EXPECT_EQ(Note("4.1 s (the memory)", "memory"), "not met: no number claimed");
  EXPECT_EQ(Note("memory hit 702Mi", "memory"), "met: claimed 702");
}

TEST_F(ClaimsTest, DenyingTheCueClaimsZero) {
  EXPECT_EQ(Note("Nothing is crashing or restarting.", "restarts"), "met: claimed 0");
  EXPECT_EQ(Note("The pods never restarted.", "restarts"), "met: claimed 0");
  EXPECT_EQ(Note("No pods restarted.", "restarts"), "met: claimed 0");
  EXPECT_EQ(Note("there were no failed orders", "orders"), "denied: claimed 0, truth 67");
  // A contrast denies no count.
  EXPECT_EQ(Note("It was throttled rather than restarted.", "restarts"),
            "not met: no number claimed");
  // A restriction is no denial.
  EXPECT_EQ(Note("No orders outside that window.", "orders"), "not met: no number claimed");
  EXPECT_EQ(Note("No pod other than the front-end restarted.", "restarts"),
            "not met: no number claimed");
}

TEST_F(ClaimsTest, TableCellsAreAboutTheirColumn) {
  EXPECT_EQ(Note("| Status | Orders |\n|---|---|\n| PAID | 12 |\n| FAILED | 67 |\n", "orders"),
            "met: claimed 67");
  EXPECT_EQ(Note("NAME                READY   STATUS    RESTARTS   AGE\n"
                 "front-end-abc-xyz   1/1     Running   4          10m\n",
                 "restarts"),
            "wrong number: claimed 4, truth 0");
  EXPECT_EQ(Note("NAME          CPU(cores)   MEMORY(bytes)\n"
                 "front-end-1   300m         702Mi\n",
                 "memory"),
            "met: claimed 702");
  // A cell under another column is no claim.
  EXPECT_EQ(Note("| Customer | Orders |\n|---|---|\n| 57a98d98 | 24 |\n", "restarts"),
            "not met: no number claimed");
}

TEST_F(ClaimsTest, NegationReachesCoordinatedWordsAndHedgesClaimNothing) {
  EXPECT_EQ(Note("There is no need to raise the limits or to add an autoscaler.", "autoscaler"),
            "not met: mentioned only negated");
  EXPECT_EQ(Note("Add an autoscaler.", "autoscaler"), "met");
  // Outside remediation, a hedged mention is no claim: a finding named only as a possibility
  // earns a quarter of its points.
  AnswerScore score = Score("It may be that payment was down, or maybe DNS.");
  const CriterionResult& hedged = Find(score, "cause");
  EXPECT_EQ(hedged.note, "partly met: only hedged");
  EXPECT_DOUBLE_EQ(hedged.earned, 0.25);
  EXPECT_EQ(Note("It could be that payment was down.", "cause"), "partly met: only hedged");
  EXPECT_EQ(Note("Payment was down.", "cause"), "met");
  EXPECT_EQ(Note("DNS was down.", "cause"), "not met: no match");
}

TEST_F(ClaimsTest, ACoreFindingNamedAmongManyCandidatesEarnsThreeQuarters) {
  AnswerScore s = Score("It came from a mix of: DNS, a leak, payment was down, the disk, GC.");
  EXPECT_EQ(Find(s, "cause").note, "partly met: named only in a long list of candidates");
  EXPECT_DOUBLE_EQ(Find(s, "cause").earned, 0.75);
  // Stated, or in a short list, it is a claim.
  EXPECT_EQ(Note("Payment was down, and DNS was fine.", "cause"), "met");
  EXPECT_EQ(Note("Payment was down, the disk, GC.", "cause"), "met");
}

// A sentence that makes a forbidden claim is false as a whole: what else it names earns
// nothing ("payment was down because of DNS" blames DNS; its "payment was down" is no
// finding). A clause a conjunction starts is a claim of its own.
TEST_F(ClaimsTest, WhatAForbiddenClaimSaysEarnsNothing) {
  AnswerScore s = Score("DNS failed, so payment was down. An autoscaler would help.");
  EXPECT_EQ(Find(s, "wrong_cause").note, "forbidden: claims 'DNS'");
  EXPECT_EQ(Find(s, "cause").note, "not met: no match");
  EXPECT_EQ(Find(s, "autoscaler").note, "met");
  EXPECT_EQ(Note("Payment was down because DNS failed.", "cause"), "not met: no match");
  EXPECT_EQ(Note("Payment was down. DNS failed.", "cause"), "met");
  EXPECT_EQ(Note("DNS failed, but payment was down.", "cause"), "met");
  // A hedged or listed forbidden phrase is no claim, so it voids nothing.
  EXPECT_EQ(Note("Payment was down, maybe from DNS.", "cause"), "met");
}

// An answer that opens by declining and states no core finding is a refusal: the advice it
// gives earns nothing. One that declines and then answers is scored as it reads.
TEST_F(ClaimsTest, ARefusalEarnsNothingForItsAdvice) {
  AnswerScore s = Score(
      "I can\u2019t determine that: I don't have access to the cluster. An autoscaler would "
      "help.");
  const CriterionResult& advice = Find(s, "autoscaler");
  EXPECT_EQ(advice.earned, 0);
  EXPECT_EQ(advice.note, "not credited: the answer declines to answer and states no core finding");
  ASSERT_EQ(advice.evidence.size(), 1u);
  EXPECT_EQ(advice.evidence[0].text,
            "I can\u2019t determine that: I don't have access to the cluster");
  EXPECT_EQ(advice.evidence[0].note, "declines");
  EXPECT_EQ(s.score, 0);
  EXPECT_EQ(Note("I can't access the cluster, but payment was down. An autoscaler would help.",
                 "autoscaler"),
            "met");
  EXPECT_EQ(Note("Payment was down. I can't say more. An autoscaler would help.", "autoscaler"),
            "met");
}

TEST_F(ClaimsTest, ACauseNamedAmongPossibleCausesIsNoClaim) {
  AnswerScore s =
      Score("Failed checkouts usually come from one of these:\n- DNS\n- payment was down\n- GC\n");
  EXPECT_EQ(Find(s, "wrong_cause").note, "no forbidden claim");
  EXPECT_EQ(Find(s, "cause").note, "partly met: named only in a long list of candidates");
  EXPECT_DOUBLE_EQ(Find(s, "cause").earned, 0.75);
  // Nor is a hedged one.
  EXPECT_EQ(Find(Score("It may have been DNS."), "wrong_cause").note, "no forbidden claim");
  s = Score("Root cause:\n- DNS\n");
  EXPECT_EQ(Find(s, "wrong_cause").note, "forbidden: claims 'DNS'");
  EXPECT_DOUBLE_EQ(Find(s, "wrong_cause").penalty, 1);
}

TEST_F(ClaimsTest, AYesOrNoQuestionIsAnsweredByTheOpeningReply) {
  for (const char* answer :
       {"No.", "No", "no, it is not", "**No.** It differs.", "## No\nIt differs.",
        "No - it differs.", "No \xE2\x80\x94 it differs.", "No: different."}) {
    AnswerScore s = Score(answer);
    EXPECT_EQ(Find(s, "verdict").note, "met: the answer opens with the reply") << answer;
  }
  AnswerScore opening = Score("  No; CPU.");
  const CriterionResult& r = Find(opening, "verdict");
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].text, "No");
  EXPECT_EQ(r.evidence[0].begin, 2u);
  // "No" as a determiner, or another word, is no reply.
  for (const char* answer :
       {"No pod restarted.", "Not the same.", "Nope.", "Yes.", "It is no.", ""}) {
    EXPECT_EQ(Find(Score(answer), "verdict").note, "not met: no match") << answer;
  }
}

TEST_F(ClaimsTest, AllGroupsMustMeetInOnePlace) {
  EXPECT_EQ(Note("Payment was scaled to zero.", "payment_down"), "met");
  EXPECT_EQ(Note("Payment was fine.\nA.\nB.\nC.\nIt was scaled to zero.", "payment_down"),
            "not met: 0 of 1 required terms together (1 apart in the answer)");
  EXPECT_EQ(Note("Payment.\n- It was scaled to zero.", "payment_down"), "met");
}

TEST_F(ClaimsTest, CoreCriteriaGiveHalfTheDimension) {
  // Only the core criterion: half for it, and its share of all the points (4 of 11).
  AnswerScore s = Score("67 orders failed.");
  EXPECT_DOUBLE_EQ(s.dimensions[0].earned, 4);
  EXPECT_DOUBLE_EQ(s.dimensions[0].maximum, 11);
  EXPECT_DOUBLE_EQ(s.dimensions[0].score, 0.5 + 0.5 * 4 / 11);
  // Everything but the core criterion.
  s = Score(
      "No restarts under 750 users; front-end memory 702Mi, p95 4.1 s; payment was "
      "scaled to zero; add an HPA.");
  EXPECT_DOUBLE_EQ(s.dimensions[0].earned, 7);
  EXPECT_DOUBLE_EQ(s.dimensions[0].score, 0.5 * 7 / 11);
  // A wrong number costs half its penalty (3 / 2) off the whole.
  s = Score("60 orders failed.");
  EXPECT_DOUBLE_EQ(s.dimensions[0].penalty, 1.5);
  EXPECT_DOUBLE_EQ(s.dimensions[0].score, 0);
  // But wrong facts leave half of what the rest of the answer earned: the outage found
  // (2 of 11, in the non-core half) is worth more than nothing.
  s = Score("Payment was scaled to zero: 60 orders failed.");
  EXPECT_DOUBLE_EQ(s.dimensions[0].earned, 2);
  EXPECT_DOUBLE_EQ(s.dimensions[0].penalty, 1.5);
  EXPECT_DOUBLE_EQ(s.dimensions[0].score, 0.5 * (0.5 * 2 / 11));
  // A denial ("no orders failed") is no inaccuracy: the rest does not make up for it.
  s = Score("Payment was scaled to zero: no orders failed.");
  EXPECT_EQ(Find(s, "orders").note, "denied: claimed 0, truth 67");
  EXPECT_DOUBLE_EQ(s.dimensions[0].penalty, 1.5);
  EXPECT_DOUBLE_EQ(s.dimensions[0].score, 0);
  // A wrong fact beside the core finding costs trust: 1 of the 2 facts checked is wrong, so
  // the core's half counts at 0.5 + 0.5 * 1/2; the wrong restart count costs 1 / 2.
  s = Score("67 orders failed, after 5 restarts.");
  EXPECT_DOUBLE_EQ(s.dimensions[0].earned, 4);
  EXPECT_DOUBLE_EQ(s.dimensions[0].penalty, 0.5);
  EXPECT_DOUBLE_EQ(s.dimensions[0].score, 0.5 * 0.75 + 0.5 * 4 / 11 - 0.5 / 11);
}

TEST_F(ClaimsTest, FactsInListsAreSelectedByKey) {
  // peak_usage[0] is carts (193): the key picks the front-end's 702.
  EXPECT_EQ(Note("front-end memory peaked at 702Mi", "memory"), "met: claimed 702");
  EXPECT_EQ(Note("front-end memory peaked at 193Mi", "memory"),
            "wrong number: claimed 193, truth 702");
}

TEST(FactRefTest, KeySelectorsParseAndPositionalSelectorsNeedAnOrderedList) {
  FactRef ref;
  EXPECT_EQ(ParseFactRef("peak_usage[container=front-end].cpu_millicores", &ref), "");
  EXPECT_EQ(ref.key_field, "container");
  EXPECT_EQ(ref.key_value, "front-end");
  EXPECT_EQ(ref.field, "cpu_millicores");
  EXPECT_FALSE(ref.index.has_value());
  std::string type;
  EXPECT_EQ(CheckFactRef(ref, &type), "");
  EXPECT_EQ(type, "integer");

  EXPECT_EQ(ParseFactRef("peak_usage[=x].cpu_millicores", &ref),
            "malformed item selector in '{{peak_usage[=x].cpu_millicores}}': write "
            "[field=value], as in [container=front-end]");

  FactRef positional;
  ASSERT_EQ(ParseFactRef("peak_usage[0].cpu_millicores", &positional), "");
  EXPECT_EQ(CheckFactRef(positional, &type),
            "'peak_usage' has no defined order, so '{{peak_usage[0].cpu_millicores}}' picks an "
            "arbitrary item; select it by a field instead, as in 'peak_usage[container=...]'");
  FactRef by_number;
  ASSERT_EQ(ParseFactRef("peak_usage[cpu_millicores=300].pod", &by_number), "");
  EXPECT_EQ(CheckFactRef(by_number, &type),
            "'{{peak_usage[cpu_millicores=300].pod}}' selects by 'cpu_millicores', which is not a "
            "text field of 'peak_usage'; select by one of: pod, container");
  // Lists whose order the schema defines keep positions.
  FactRef first_order;
  ASSERT_EQ(ParseFactRef("payment.failed_orders[0].id", &first_order), "");
  EXPECT_EQ(CheckFactRef(first_order, &type), "");

  nlohmann::json list = nlohmann::json::parse(
      R"([{"container": "carts", "v": 1}, {"container": "front-end", "v": 2}])");
  EXPECT_EQ((*SelectItem(list, ref))["v"], 2);
  FactRef missing;
  ASSERT_EQ(ParseFactRef("peak_usage[container=orders].pod", &missing), "");
  EXPECT_EQ(SelectItem(list, missing), nullptr);
}

// Class 8: a time earns only when it is tied to the event the criterion names (its cues, in
// the same sentence), and a time the question gives earns nothing by itself.
TEST_F(ClaimsTest, TimesEarnOnlyTiedToTheirEventAndNotForRestatingTheQuestion) {
  const std::string question = "What caused payment failures between 10:14-10:17 UTC?";
  EXPECT_EQ(Note("The first order failed at 10:14:53 UTC.", "first_order"), "met");
  EXPECT_EQ(Note("Payment was scaled down at 10:14:53 UTC. Orders failed.", "first_order"),
            "not met: no time tied to the event");
  EXPECT_EQ(Note("The first order failed at 10:30 UTC.", "first_order"),
            "wrong time: none of 1 times within 1m of the truth");
  // Repeating the question's window is no finding; a time of one's own is.
  EXPECT_EQ(Note("Between 10:14 and 10:17 UTC payments failed.", "onset", question),
            "not met: only times the question gives");
  EXPECT_EQ(Note("Payments failed from 10:14:20.", "onset", question), "met");
  EXPECT_EQ(Note("Between 10:14 and 10:17 UTC payments failed.", "onset"), "met");
}

}  // namespace
}  // namespace sre_eval
