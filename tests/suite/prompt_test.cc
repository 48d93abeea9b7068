#include "suite/prompt.h"

#include "gtest/gtest.h"

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

}  // namespace
}  // namespace sre_eval
