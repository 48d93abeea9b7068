#include "suite/suite.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "suite/fact_schema.h"
#include "test_util.h"
#include "util/file_util.h"

namespace sre_eval {
namespace {

TEST(SuiteTest, ShippedSuiteHasTheGuidesPrompts) {
  Diagnostics diags;
  Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToStatus();
  std::vector<std::string> ids;
  for (const Prompt* p : suite.AllPrompts()) ids.push_back(p->id);
  EXPECT_EQ(ids, (std::vector<std::string>{"i1.what_happened", "i1.why_crash", "i1.restarts",
                                           "i1.limits", "i1.why_frontend", "i1.prevent", "i2.slow",
                                           "i2.why_3s", "i2.will_crash", "i2.optimize",
                                           "i2.same_as_crash", "i3.charged", "i3.cause",
                                           "i3.how_many", "i3.what_to_do", "i3.prevent"}));
  EXPECT_EQ(suite.FindPrompt("i2.same_as_crash")->continues, "i1.why_crash");
  EXPECT_EQ(suite.FindPrompt("i2.slow")->incident, "latency");
  EXPECT_EQ(suite.FindPrompt("nope"), nullptr);
  for (const Prompt* p : suite.AllPrompts()) EXPECT_FALSE(p->dimensions.empty()) << p->id;
}

TEST(SuiteTest, ShippedPromptsRenderFromATruth) {
  Diagnostics diags;
  Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
  nlohmann::json facts = nlohmann::json::parse(R"({
    "window.start": "2026-11-24T11:20:00Z", "window.end": "2026-11-24T11:30:00Z",
    "latency.p95_ms": 4120,
    "payment.failed_orders": [{"id": "68f35ed59c10d300018b7011", "customer": "c",
                               "amount": 29.99, "time": "2026-11-24T11:21:00Z"}]})");
  EXPECT_EQ(*suite.FindPrompt("i1.why_crash")->tmpl.Render(facts),
            "Why did the application crash at 11:20 AM UTC?");
  EXPECT_EQ(*suite.FindPrompt("i2.why_3s")->tmpl.Render(facts),
            "Why are response times 4+ seconds?");
  EXPECT_EQ(*suite.FindPrompt("i3.cause")->tmpl.Render(facts),
            "What caused payment failures between 11:20-11:30 UTC?");
  EXPECT_EQ(*suite.FindPrompt("i3.charged")->tmpl.Render(facts),
            "A customer says they were charged $29.99 but didn't receive order confirmation "
            "for order ID 68f35ed59c10d300018b7011. Please investigate.");
}

TEST(SuiteTest, SuitePathLeavesOutDot) {
  EXPECT_EQ(SuitePath(".", "prompts/a.yaml"), "prompts/a.yaml");
  EXPECT_EQ(SuitePath("", "prompts/a.yaml"), "prompts/a.yaml");
  EXPECT_EQ(SuitePath("s", "prompts/a.yaml"), "s/prompts/a.yaml");
  EXPECT_EQ(SuitePath("s/", "prompts/a.yaml"), "s/prompts/a.yaml");
}

TEST(SuiteTest, LongerCycleIsReportedOnce) {
  TempDir dir;
  dir.WriteFile("prompts/a.yaml",
                "incident: crash\nprompts:\n"
                "  - {id: c, text: t, dimensions: [impact], continues: a}\n"
                "  - {id: b, text: t, dimensions: [impact], continues: c}\n"
                "  - {id: a, text: t, dimensions: [impact], continues: b}\n"
                "  - {id: d, text: t, dimensions: [impact], continues: a}\n");
  Diagnostics diags;
  LoadSuite(dir.path(), &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].message, "'continues' makes a cycle: a -> b -> c -> a");
  EXPECT_EQ(diags.list()[0].line, 5);
}

}  // namespace
}  // namespace sre_eval

namespace sre_eval {
namespace {

// The fixture truths are what later stages are tested on: they must match the schema and
// fill in every prompt of their incident.
TEST(SuiteTest, FixtureTruthsMatchTheSchemaAndRenderTheirPrompts) {
  Diagnostics diags;
  Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
  ASSERT_TRUE(diags.empty());
  size_t rendered = 0;
  for (const char* incident : {"crash", "latency", "payment"}) {
    std::string path = std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/truths/" + incident + ".json";
    absl::StatusOr<std::string> text = ReadFile(path);
    ASSERT_TRUE(text.ok()) << text.status();
    nlohmann::json truth = nlohmann::json::parse(*text);
    EXPECT_EQ(truth["schema_version"], 1) << path;
    EXPECT_EQ(truth["incident"], incident) << path;
    EXPECT_EQ(CheckFactValues(truth["facts"]), std::vector<std::string>{}) << path;
    for (const Prompt* p : suite.AllPrompts()) {
      if (p->incident != incident) continue;
      absl::StatusOr<std::string> out = p->tmpl.Render(truth["facts"]);
      EXPECT_TRUE(out.ok()) << p->id << ": " << out.status();
      ++rendered;
    }
  }
  EXPECT_EQ(rendered, 16u);
}

}  // namespace
}  // namespace sre_eval
