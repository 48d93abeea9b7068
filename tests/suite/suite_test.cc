#include "suite/suite.h"

#include <unistd.h>

#include <cstdio>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "suite/fact_schema.h"
#include "test_util.h"
#include "util/file_util.h"

namespace sre_eval {
namespace {

// A rubric for `prompt` with one small criterion in each of `dimensions`.
std::string RubricFor(const std::string& prompt, const std::vector<std::string>& dimensions) {
  std::string text = "prompt: " + prompt + "\ndimensions:\n";
  for (const std::string& d : dimensions) {
    text += "  " + d + ":\n    criteria:\n" + "      - {id: " + d +
            ", description: d, points: 1, terms: {any: [x]}}\n";
  }
  return text;
}

// The diagnostics of LoadSuite(dir), with the folder's path taken off the file names.
std::vector<std::string> LoadErrors(const TempDir& dir) {
  Diagnostics diags;
  LoadSuite(dir.path(), &diags);
  std::vector<std::string> out;
  for (std::string line : DiagnosticStrings(diags)) {
    if (line.rfind(dir.path() + "/", 0) == 0) line = line.substr(dir.path().size() + 1);
    out.push_back(line);
  }
  return out;
}

TEST(SuiteTest, ShippedSuiteHasTheGuidesPrompts) {
  Diagnostics diags;
  Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToStatus();
  std::vector<std::string> ids;
  for (const Prompt* p : suite.AllPrompts()) ids.push_back(p->id);
  EXPECT_EQ(ids,
            (std::vector<std::string>{
                "i1.what_happened", "i1.why_crash", "i1.restarts", "i1.limits", "i1.why_frontend",
                "i1.prevent", "i1.stop_crash", "i2.slow", "i2.why_3s", "i2.will_crash",
                "i2.optimize", "i2.same_as_crash", "i2.bring_p95_down", "i3.charged", "i3.cause",
                "i3.how_many", "i3.what_to_do", "i3.prevent", "i3.restore_checkout"}));
  // One action task per incident, each with its scope and what must keep serving.
  const Prompt* act = suite.FindPrompt("i3.restore_checkout");
  EXPECT_TRUE(act->act.defined);
  EXPECT_EQ(act->act.budget, absl::Minutes(10));
  EXPECT_EQ(act->act.verbs, (std::vector<std::string>{"patch", "update"}));
  EXPECT_EQ(act->act.resources, (std::vector<std::string>{"deployments", "deployments/scale"}));
  EXPECT_EQ(act->act.ready, std::vector<std::string>{"payment"});
  EXPECT_EQ(act->dimensions, std::vector<std::string>{"outcome"});
  EXPECT_EQ(suite.FindPrompt("i2.bring_p95_down")->act.latency_ms, 1000);
  EXPECT_FALSE(suite.FindPrompt("i2.slow")->act.defined);
  EXPECT_EQ(suite.FindPrompt("i2.same_as_crash")->continues, "i1.why_crash");
  EXPECT_EQ(suite.FindPrompt("i2.slow")->incident, "latency");
  EXPECT_EQ(suite.FindPrompt("nope"), nullptr);
  for (const Prompt* p : suite.AllPrompts()) EXPECT_FALSE(p->dimensions.empty()) << p->id;
}

TEST(SuiteTest, ShippedSuiteHasOneRubricPerPromptWithItsDimensions) {
  Diagnostics diags;
  Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToStatus();
  EXPECT_EQ(suite.rubrics.size(), 19u);
  for (const Prompt* p : suite.AllPrompts()) {
    const Rubric* r = suite.FindRubric(p->id);
    ASSERT_NE(r, nullptr) << p->id;
    EXPECT_EQ(r->file, std::string(SRE_EVAL_SOURCE_DIR) + "/rubrics/" + p->id + ".yaml");
    std::vector<std::string> dims;
    for (const RubricDimension& d : r->dimensions) dims.push_back(d.name);
    EXPECT_EQ(dims, p->dimensions) << p->id;
  }
  EXPECT_EQ(suite.FindRubric("nope"), nullptr);
}

TEST(SuiteTest, RubricsAreLoadedInNameOrderAndMatchedToPrompts) {
  TempDir dir;
  dir.WriteFile("prompts/a.yaml",
                "incident: crash\nprompts:\n"
                "  - {id: p.one, text: t, dimensions: [impact, diagnosis]}\n"
                "  - {id: p.two, text: t, dimensions: [remediation]}\n");
  dir.WriteFile("rubrics/b.yml", RubricFor("p.one", {"diagnosis", "impact"}));
  dir.WriteFile("rubrics/a.yaml", RubricFor("p.two", {"remediation"}));
  dir.WriteFile("rubrics/notes.md", "not a rubric");
  Diagnostics diags;
  Suite suite = LoadSuite(dir.path(), &diags);
  EXPECT_EQ(DiagnosticStrings(diags), std::vector<std::string>{});
  ASSERT_EQ(suite.rubrics.size(), 2u);
  EXPECT_EQ(suite.rubrics[0].prompt_id, "p.two");
  EXPECT_EQ(suite.rubrics[1].prompt_id, "p.one");
  EXPECT_EQ(suite.FindRubric("p.one"), &suite.rubrics[1]);
  EXPECT_EQ(suite.rubrics[1].prompt_line, 1);
  EXPECT_EQ(suite.rubrics[1].prompt_column, 9);
}

TEST(SuiteTest, ReportsRubricsThatDoNotMatchThePrompts) {
  TempDir dir;
  dir.WriteFile("prompts/a.yaml",
                "incident: crash\nprompts:\n"
                "  - {id: i1.restarts, text: t, dimensions: [impact]}\n"
                "  - {id: i1.limits, text: t, dimensions: [diagnosis, remediation]}\n"
                "  - {id: i1.prevent, text: t, dimensions: [remediation]}\n");
  dir.WriteFile("rubrics/a.yaml", RubricFor("i1.restrats", {"impact"}));
  dir.WriteFile("rubrics/b.yaml", RubricFor("i1.limits", {"diagnosis", "impact"}));
  dir.WriteFile("rubrics/c.yaml", RubricFor("i1.prevent", {"remediation"}));
  dir.WriteFile("rubrics/d.yaml", RubricFor("i1.prevent", {"remediation"}));
  EXPECT_EQ(LoadErrors(dir),
            (std::vector<std::string>{
                "prompts/a.yaml:3:5: prompt 'i1.restarts' has no rubric (add one to rubrics/)",
                "rubrics/a.yaml:1:9: rubric for unknown prompt 'i1.restrats' (did you mean "
                "'i1.restarts'?)",
                "rubrics/b.yaml:2:1: rubric has no criteria for dimension 'remediation' of prompt "
                "'i1.limits'",
                "rubrics/b.yaml:6:3: prompt 'i1.limits' has no dimension 'impact'; its dimensions "
                "are diagnosis, remediation",
                "rubrics/d.yaml:1:9: duplicate rubric for prompt 'i1.prevent'; first defined at " +
                    dir.path() + "/rubrics/c.yaml:1:9",
            }));
}

// A broken file is reported once, not again as the prompt or rubric it failed to define.
TEST(SuiteTest, BrokenFilesAreNotReportedAgainAcrossFiles) {
  TempDir dir;
  dir.WriteFile("prompts/a.yaml",
                "incident: crash\nprompts:\n"
                "  - {id: i1.a, text: t, dimensions: [impact]}\n"
                "  - {id: i1.b, text: t, dimensions: [impcat]}\n");
  dir.WriteFile("rubrics/i1.a.yaml", "prompt: i1.a\ndimensions: {impact: {criteria: 3}}\n");
  dir.WriteFile("rubrics/i1.b.yaml", RubricFor("i1.b", {"impact"}));
  EXPECT_EQ(LoadErrors(dir),
            (std::vector<std::string>{
                "prompts/a.yaml:4:38: unknown dimension 'impcat' (did you mean 'impact'?); "
                "dimensions are detection, diagnosis, impact, remediation, outcome",
                "rubrics/i1.a.yaml:2:33: 'criteria' must be a list, got a string",
            }));
}

// Finding 8 of issue 16: a FIFO as a rubric blocked `validate` forever.
TEST(SuiteTest, SpecialFilesAreReportedNotRead) {
  TempDir dir;
  dir.WriteFile("prompts/a.yaml",
                "incident: crash\nprompts:\n  - {id: i1.a, text: t, dimensions: [impact]}\n");
  dir.WriteFile("rubrics/README.md", "later");
  UnblockedFifo fifo(dir.path() + "/rubrics/a.yaml");
  std::string loop = dir.path() + "/rubrics/b.yaml";
  ASSERT_EQ(symlink(loop.c_str(), loop.c_str()), 0);
  // The prompt's rubric may be in the unreadable file: it is not reported as missing.
  EXPECT_EQ(LoadErrors(dir), (std::vector<std::string>{
                                 "rubrics/a.yaml: not a regular file (a FIFO)",
                                 "rubrics/b.yaml: too many levels of symbolic links",
                             }));
}

TEST(SuiteTest, MissingOrEmptyRubricsFolder) {
  TempDir dir;
  dir.WriteFile("prompts/a.yaml",
                "incident: crash\nprompts:\n  - {id: i1.a, text: t, dimensions: [impact]}\n");
  EXPECT_EQ(LoadErrors(dir), std::vector<std::string>{"rubrics/: no such directory"});
  dir.WriteFile("rubrics/README.md", "later");
  EXPECT_EQ(LoadErrors(dir), std::vector<std::string>{"rubrics/: no rubric files (*.yaml)"});
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
  for (const char* id : {"a", "b", "c", "d"}) {
    dir.WriteFile(std::string("rubrics/") + id + ".yaml", RubricFor(id, {"impact"}));
  }
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
  EXPECT_EQ(rendered, 19u);
}

// The hand-made fixture truths (kept because the graded fixture answers quote their values)
// must have the shape and order of a truth that `record` writes: the same facts, the same
// fields in every list item, and every list in the extractor's order. fixtures/recorded/ holds
// the truths of `sre-eval record --seed 42` on the sim, byte for byte.
TEST(SuiteTest, FixtureTruthsHaveTheShapeAndOrderOfRecordedTruths) {
  using Json = nlohmann::json;
  // The extractor's order of each list, as a key to compare consecutive items by.
  auto key = [](const std::string& fact, const Json& item) -> std::vector<std::string> {
    auto str = [&](const char* f) { return item.value(f, std::string()); };
    if (fact == "peak_usage") return {str("container"), str("pod")};
    if (fact == "limits") return {str("deployment")};
    if (fact == "logs.by_service") return {str("service"), str("pattern")};
    if (fact == "restarts.by_container") {
      char buf[16];
      snprintf(buf, sizeof(buf), "%08d", 99999999 - item.value("restarts", 0));
      return {buf, str("pod"), str("container")};
    }
    if (fact == "oom_kills" || fact == "payment.failed_orders") return {str("time")};
    if (fact == "crashloop.periods") return {str("start")};
    ADD_FAILURE() << "no order known for list fact " << fact;
    return {};
  };
  for (const char* incident : {"crash", "latency", "payment"}) {
    std::string root = SRE_EVAL_SOURCE_DIR;
    Json recorded = Json::parse(*ReadFile(root + "/fixtures/recorded/" + incident + ".json"));
    Json fixture = Json::parse(*ReadFile(root + "/fixtures/truths/" + incident + ".json"));
    const Json& rf = recorded["facts"];
    const Json& ff = fixture["facts"];
    std::vector<std::string> recorded_keys, fixture_keys;
    for (const auto& [k, v] : rf.items()) recorded_keys.push_back(k);
    for (const auto& [k, v] : ff.items()) fixture_keys.push_back(k);
    EXPECT_EQ(fixture_keys, recorded_keys) << incident;
    for (const auto& [fact, value] : rf.items()) {
      if (!value.is_array()) continue;
      for (const Json* truth : {&rf, &ff}) {
        const Json& list = (*truth)[fact];
        for (size_t i = 0; i < list.size(); ++i) {
          if (!rf[fact].empty()) {
            std::vector<std::string> want, have;
            for (const auto& [f, unused] : rf[fact][0].items()) want.push_back(f);
            for (const auto& [f, unused] : list[i].items()) have.push_back(f);
            EXPECT_EQ(have, want) << incident << " " << fact << " item " << i;
          }
          if (i > 0) {
            EXPECT_LE(key(fact, list[i - 1]), key(fact, list[i]))
                << incident << " " << fact << " items " << i - 1 << " and " << i << " in "
                << (truth == &rf ? "recorded" : "fixture");
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace sre_eval
