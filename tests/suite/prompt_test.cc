#include "suite/prompt.h"

#include "gtest/gtest.h"
#include "test_util.h"

namespace sre_eval {
namespace {

TEST(PromptTest, ParsesEveryField) {
  Diagnostics diags;
  PromptFile f = ParsePromptFile("p.yaml",
                                 "incident: payment\n"
                                 "description: d\n"
                                 "prompts:\n"
                                 "  - id: i3.charged\n"
                                 "    text: >-\n"
                                 "      charged {{payment.failed_orders[0].amount}}\n"
                                 "      for {{payment.failed_orders[0].id}}\n"
                                 "    dimensions: [detection, remediation]\n"
                                 "    continues: i1.why_crash\n"
                                 "    note: n\n",
                                 &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToStatus();
  EXPECT_EQ(f.incident, "payment");
  EXPECT_EQ(f.description, "d");
  ASSERT_EQ(f.prompts.size(), 1u);
  const Prompt& p = f.prompts[0];
  EXPECT_EQ(p.id, "i3.charged");
  EXPECT_EQ(p.incident, "payment");
  EXPECT_EQ(p.text,
            "charged {{payment.failed_orders[0].amount}} for {{payment.failed_orders[0].id}}");
  EXPECT_EQ(p.dimensions, (std::vector<std::string>{"detection", "remediation"}));
  EXPECT_EQ(p.continues, "i1.why_crash");
  EXPECT_EQ(p.continues_line, 9);
  EXPECT_EQ(p.continues_column, 16);
  EXPECT_EQ(p.note, "n");
  EXPECT_EQ(p.line, 4);
  EXPECT_EQ(p.column, 5);
  EXPECT_EQ(p.tmpl.FactsUsed(), std::vector<std::string>{"payment.failed_orders"});
}

TEST(PromptTest, ErrorInsideAFoldedBlockPointsAtTheReference) {
  Diagnostics diags;
  ParsePromptFile("p.yaml",
                  "incident: payment\n"
                  "prompts:\n"
                  "  - id: i3.x\n"
                  "    text: >-\n"
                  "      first line\n"
                  "      then {{payment.failed_order[0].id}}\n"
                  "    dimensions: [impact]\n",
                  &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].ToString(),
            "p.yaml:6:12: unknown fact 'payment.failed_order' (did you mean "
            "'payment.failed_orders'?)");
}

TEST(PromptTest, KeepsGoodPromptsWhenOthersAreBroken) {
  Diagnostics diags;
  PromptFile f = ParsePromptFile("p.yaml",
                                 "incident: crash\n"
                                 "prompts:\n"
                                 "  - id: i1.ok\n"
                                 "    text: fine\n"
                                 "    dimensions: [impact]\n"
                                 "  - id: i1.bad\n"
                                 "    text: fine\n"
                                 "    dimensions: [impact, impact]\n",
                                 &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].ToString(), "p.yaml:8:26: dimension 'impact' is listed twice");
  ASSERT_EQ(f.prompts.size(), 1u);
  EXPECT_EQ(f.prompts[0].id, "i1.ok");
}

TEST(PromptTest, AnActionTaskHasItsScopeAndIsScoredOnItsOutcome) {
  Diagnostics diags;
  PromptFile f = ParsePromptFile("p.yaml",
                                 "incident: payment\n"
                                 "prompts:\n"
                                 "  - id: i3.fix\n"
                                 "    text: Fix it.\n"
                                 "    dimensions: [outcome]\n"
                                 "    act:\n"
                                 "      budget: 5m\n"
                                 "      allow: {verbs: [patch], resources: [deployments/scale]}\n"
                                 "      may_change: {Deployment/payment: [spec.replicas]}\n"
                                 "      ready: [payment]\n"
                                 "      restart: [payment]\n"
                                 "      latency_ms: 800\n",
                                 &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToStatus();
  ASSERT_EQ(f.prompts.size(), 1u);
  const ActTask& a = f.prompts[0].act;
  EXPECT_TRUE(a.defined);
  EXPECT_EQ(a.budget, absl::Minutes(5));
  EXPECT_EQ(a.verbs, std::vector<std::string>{"patch"});
  EXPECT_EQ(a.resources, std::vector<std::string>{"deployments/scale"});
  ASSERT_EQ(a.may_change.size(), 1u);
  EXPECT_EQ(a.may_change[0].first, "Deployment/payment");
  EXPECT_EQ(a.may_change[0].second, std::vector<std::string>{"spec.replicas"});
  EXPECT_EQ(a.ready, std::vector<std::string>{"payment"});
  EXPECT_EQ(a.restart, std::vector<std::string>{"payment"});
  EXPECT_EQ(a.latency_ms, 800);
}

TEST(PromptTest, ABrokenActionTaskIsReportedAtItsPosition) {
  Diagnostics diags;
  PromptFile f = ParsePromptFile("p.yaml",
                                 "incident: payment\n"
                                 "prompts:\n"
                                 "  - id: i3.fix\n"
                                 "    text: Fix it.\n"
                                 "    dimensions: [remediation]\n"
                                 "    act:\n"
                                 "      budget: 3h\n"
                                 "      allow: {verbs: [pacth], resources: [deployments]}\n"
                                 "      may_change: {payment: [spec.replicas]}\n"
                                 "      latency_ms: -1\n"
                                 "  - id: i3.ask\n"
                                 "    text: Why?\n"
                                 "    dimensions: [outcome]\n"
                                 "  - id: i3.open\n"
                                 "    text: Fix it.\n"
                                 "    dimensions: [outcome]\n"
                                 "    act: {budget: 1m}\n",
                                 &diags);
  EXPECT_EQ(DiagnosticStrings(diags),
            (std::vector<std::string>{
                "p.yaml:7:7: an action task ('act') is scored on the 'outcome' dimension: list it",
                "p.yaml:7:15: 'budget' must be whole seconds from 1s to 2h, like 10m, got '3h'",
                "p.yaml:8:23: unknown verb 'pacth' (did you mean 'patch'?); an action task may "
                "allow create, update, patch, delete",
                "p.yaml:9:20: 'may_change' keys are Kind/name, like Deployment/payment, got "
                "'payment'",
                "p.yaml:10:19: 'latency_ms' must be more than 0",
                "p.yaml:11:5: only an action task ('act') has the 'outcome' dimension",
                "p.yaml:17:10: 'act' needs 'allow': the verbs and resources the agent may write",
            }));
  EXPECT_TRUE(f.prompts.empty());
}

}  // namespace
}  // namespace sre_eval
