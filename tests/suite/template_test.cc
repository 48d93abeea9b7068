#include "suite/template.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace {

nlohmann::json Facts() {
  return nlohmann::json::parse(R"({
    "window.start": "2026-11-24T10:23:05Z",
    "window.end": "2026-11-24T14:30:59Z",
    "window.duration": 330,
    "restarts.total": 5,
    "latency.p95_ms": 3870,
    "load.failure_pct": 61.538,
    "payment.order_ids_available": true,
    "frontend.memory_limit": "1000Mi",
    "payment.failed_orders": [
      {"id": "68f35ed59c10d300018b7011", "customer": "57a98d98e4b00679b4a830af",
       "amount": 29.99, "time": "2026-11-24T11:21:00Z"},
      {"id": "68f35ed59c10d300018b7012", "customer": "c2", "amount": 104.5,
       "time": "2026-11-24T11:22:00Z"}
    ]
  })");
}

std::string Render(const std::string& text) {
  std::vector<TemplateError> errors;
  Template t = Template::Parse(text, &errors);
  EXPECT_TRUE(errors.empty()) << errors[0].message;
  EXPECT_TRUE(t.Check().empty()) << t.Check()[0].message;
  absl::StatusOr<std::string> out = t.Render(Facts());
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : "";
}

TEST(TemplateTest, RendersEveryTypeAndFilter) {
  struct {
    const char* text;
    const char* want;
  } cases[] = {
      {"no references", "no references"},
      {"{{window.start}}", "10:23 UTC"},
      {"{{window.start|clock}}", "10:23"},
      {"{{ window.start | clock12 }}", "10:23 AM"},
      {"{{window.end|clock12}}", "02:30 PM"},
      {"{{window.start|date}}", "2026-11-24"},
      {"{{window.start|iso}}", "2026-11-24T10:23:05Z"},
      {"{{window.duration}}", "5m30s"},
      {"{{window.duration|minutes}}", "6 minutes"},
      {"{{window.duration|seconds}}", "330"},
      {"{{restarts.total}} restarts", "5 restarts"},
      {"{{latency.p95_ms|seconds_from_ms}}+ seconds", "3+ seconds"},
      {"{{load.failure_pct}}%", "61.54%"},
      {"{{load.failure_pct|round}}%", "62%"},
      {"{{payment.order_ids_available}}", "yes"},
      {"{{frontend.memory_limit}}", "1000Mi"},
      {"{{payment.failed_orders|count}} orders", "2 orders"},
      {"charged {{payment.failed_orders[0].amount}} for {{payment.failed_orders[0].id}}",
       "charged $29.99 for 68f35ed59c10d300018b7011"},
      {"{{payment.failed_orders[1].amount}} at {{payment.failed_orders[1].time|clock}}",
       "$104.50 at 11:22"},
      {"a } b }} c {", "a } b }} c {"},
  };
  for (const auto& c : cases) EXPECT_EQ(Render(c.text), c.want) << c.text;
}

TEST(TemplateTest, SyntaxErrorsCarryOffsets) {
  std::vector<TemplateError> errors;
  Template::Parse("ab {{window.start x}} {{}} {{a|b|c}} {{x[1y]}} {{open", &errors);
  ASSERT_EQ(errors.size(), 5u);
  EXPECT_EQ(errors[0].offset, 3u);
  EXPECT_EQ(errors[0].message, "malformed reference '{{window.start x}}'");
  EXPECT_EQ(errors[1].offset, 22u);
  EXPECT_EQ(errors[1].message, "empty reference '{{}}'");
  EXPECT_EQ(errors[2].message, "only one filter is allowed in '{{a|b|c}}'");
  EXPECT_EQ(errors[3].message, "malformed list index in '{{x[1y]}}'");
  EXPECT_EQ(errors[4].offset, 47u);
  EXPECT_EQ(errors[4].message, "unterminated '{{' (every '{{' needs a closing '}}')");
}

TEST(TemplateTest, CheckRejectsWhatTheSchemaDoesNotAllow) {
  struct {
    const char* text;
    const char* want;
  } cases[] = {
      {"{{window.strat}}", "unknown fact 'window.strat' (did you mean 'window.start'?)"},
      {"{{restarts.total|clock}}",
       "filter 'clock' does not apply to an integer; filters for an integer: seconds_from_ms"},
      {"{{frontend.memory_limit|round}}",
       "filter 'round' does not apply to a quantity; a quantity takes no filter"},
      {"{{window.start|clok}}",
       "filter 'clok' does not apply to a time (did you mean 'clock'?); filters for a time: "
       "clock, clock12, date, iso"},
      {"{{payment.failed_orders[0]}}",
       "'{{payment.failed_orders[0]}}' picks an item of 'payment.failed_orders' but no field; "
       "add one of: id, customer, amount, time"},
      {"{{payment.failed_orders[0].ammount}}",
       "unknown field 'ammount' of 'payment.failed_orders' (did you mean 'amount'?)"},
  };
  for (const auto& c : cases) {
    std::vector<TemplateError> errors;
    Template t = Template::Parse(c.text, &errors);
    ASSERT_TRUE(errors.empty()) << c.text;
    std::vector<TemplateError> problems = t.Check();
    ASSERT_EQ(problems.size(), 1u) << c.text;
    EXPECT_EQ(problems[0].message, c.want);
    EXPECT_EQ(problems[0].offset, 0u);
  }
}

TEST(TemplateTest, RenderErrorsNameTheFact) {
  std::vector<TemplateError> errors;
  nlohmann::json facts = Facts();

  absl::StatusOr<std::string> r = Template::Parse("{{oom_kills.count}}", &errors).Render(facts);
  EXPECT_EQ(r.status(), absl::NotFoundError("fact 'oom_kills.count' is not in the ground truth"));

  r = Template::Parse("{{payment.failed_orders[2].id}}", &errors).Render(facts);
  EXPECT_EQ(r.status(), absl::OutOfRangeError("fact 'payment.failed_orders' has 2 items; "
                                              "'{{payment.failed_orders[2].id}}' needs item 2"));

  facts["restarts.total"] = "five";
  r = Template::Parse("{{restarts.total}}", &errors).Render(facts);
  EXPECT_EQ(r.status(),
            absl::InvalidArgumentError("fact 'restarts.total' in the truth is not an integer"));

  facts["window.start"] = "yesterday";
  r = Template::Parse("{{window.start|clock}}", &errors).Render(facts);
  EXPECT_EQ(r.status(), absl::InvalidArgumentError(
                            "fact 'window.start|clock' in the truth is not an RFC 3339 time"));
  EXPECT_TRUE(errors.empty());
}

TEST(TemplateTest, FactsUsedInFirstUseOrder) {
  std::vector<TemplateError> errors;
  Template t = Template::Parse(
      "{{window.end}} {{window.start}} {{window.end|clock}} {{payment.failed_orders[0].id}}",
      &errors);
  EXPECT_EQ(t.FactsUsed(),
            (std::vector<std::string>{"window.end", "window.start", "payment.failed_orders"}));
}

}  // namespace
}  // namespace sre_eval
