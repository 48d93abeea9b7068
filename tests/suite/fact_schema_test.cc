#include "suite/fact_schema.h"

#include <set>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace {

TEST(FactSchemaTest, NamesAreUniqueAndEveryFactIsDefined) {
  std::set<std::string> names;
  for (const FactSpec& f : AllFacts()) {
    EXPECT_TRUE(names.insert(f.name).second) << "duplicate fact " << f.name;
    EXPECT_FALSE(f.definition.empty()) << f.name;
    EXPECT_EQ(f.type == FactType::kList, !f.fields.empty()) << f.name;
    for (const FieldSpec& field : f.fields) EXPECT_FALSE(field.definition.empty()) << f.name;
  }
  EXPECT_EQ(AllFacts().size(), 34u);
}

TEST(FactSchemaTest, DeclaresWhatTheDesignNames) {
  // DESIGN.md's ground truth: the window, restarts, OOM kills, crash loops, limits, peaks,
  // load and latency, payment orders and notable log lines.
  for (const char* name :
       {"window.start", "window.end", "window.recovered", "restarts.total", "oom_kills",
        "crashloop.periods", "limits", "peak_usage", "load.users", "latency.p95_ms",
        "latency.baseline_p95_ms", "payment.replicas_during", "payment.failed_orders",
        "logs.slow_query", "logs.connection_pool_exhausted", "logs.connection_refused"}) {
    EXPECT_NE(FindFact(name), nullptr) << name;
  }
  const FactSpec* orders = FindFact("payment.failed_orders");
  ASSERT_NE(orders, nullptr);
  ASSERT_NE(orders->FindField("amount"), nullptr);
  EXPECT_EQ(orders->FindField("amount")->type, FactType::kMoney);
  EXPECT_EQ(orders->FindField("nope"), nullptr);
  EXPECT_EQ(FindFact("window.strat"), nullptr);
}

TEST(FactSchemaTest, MarkdownHasARowPerFactAndField) {
  std::string md = FactSchemaMarkdown();
  size_t rows = 0;
  for (char c : md) rows += c == '\n';
  size_t fields = 0;
  for (const FactSpec& f : AllFacts()) fields += f.fields.size();
  EXPECT_EQ(rows, 2 + AllFacts().size() + fields);
  EXPECT_NE(md.find("| `payment.failed_orders[i].amount` | money | Order total in US dollars. |"),
            std::string::npos);
}

}  // namespace
}  // namespace sre_eval

namespace sre_eval {
namespace {

TEST(FactSchemaTest, CheckFactValuesNamesEveryProblem) {
  nlohmann::json facts = nlohmann::json::parse(R"({
    "restarts.total": "5",
    "window.start": "10:23",
    "window.end": "2026-11-24T10:30:00Z",
    "restarts.totl": 5,
    "payment.failed_orders": [
      {"id": "a", "customer": "c", "amount": "29.99", "time": "2026-11-24T10:31:00Z", "x": 1},
      {"id": "b", "customer": "c", "time": "2026-11-24T10:32:00Z"},
      7],
    "frontend.memory_limit": "1000Mi"
  })");
  EXPECT_EQ(CheckFactValues(facts),
            (std::vector<std::string>{
                "fact 'payment.failed_orders' item 0 field 'amount': expected a number, got "
                "\"29.99\"",
                "fact 'payment.failed_orders' item 0: unknown field 'x'",
                "fact 'payment.failed_orders' item 1: missing field 'amount'",
                "fact 'payment.failed_orders' item 2: expected an object",
                "fact 'restarts.total': expected an integer, got \"5\"",
                "unknown fact 'restarts.totl' (did you mean 'restarts.total'?)",
                "fact 'window.start': expected an RFC 3339 time, got \"10:23\"",
            }));
  EXPECT_EQ(CheckFactValues(nlohmann::json::array()),
            std::vector<std::string>{"facts must be a JSON object"});
}

}  // namespace
}  // namespace sre_eval
