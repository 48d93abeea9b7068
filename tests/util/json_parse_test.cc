#include "util/json_parse.h"

#include <string>

#include "gtest/gtest.h"

namespace sre_eval {
namespace {

TEST(JsonParseTest, ErrorsGiveFileLineColumnAndReason) {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"{", "t.json:1:2: not valid JSON: unexpected end of input"},
      {"{\n  \"a\": 1,\n  \"b\": tru\n}", "t.json:3:11: not valid JSON: invalid literal"},
      {"{\"a\": 1}\n\nx", "t.json:3:1: not valid JSON: invalid literal"},
      {"", "t.json:1:1: not valid JSON: unexpected end of input"},
      {"{\"a\": \"x\ny\"}",
       "t.json:1:9: not valid JSON: invalid string: control character "
       "U+000A (LF) must be escaped to \\u000A or \\n"},
      {"[1e999]", "t.json: not valid JSON: number overflow parsing '1e999'"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<nlohmann::json> parsed = ParseJson(c.text, "t.json");
    EXPECT_EQ(parsed.status(), absl::InvalidArgumentError(c.error)) << c.text;
  }
  EXPECT_EQ(*ParseJson("{\"a\": [1, 2]}", "t.json"), nlohmann::json::parse("{\"a\":[1,2]}"));
}

TEST(JsonParseTest, ALineOfAJsonLinesFileKeepsItsNumber) {
  EXPECT_EQ(
      ParseJson(R"({"type":"sample",)", "t/timeline.jsonl", 7).status(),
      absl::InvalidArgumentError("t/timeline.jsonl:7:18: not valid JSON: unexpected end of input"));
}

TEST(JsonParseTest, OrderedJsonKeepsItsOrder) {
  absl::StatusOr<nlohmann::ordered_json> parsed =
      ParseJson<nlohmann::ordered_json>(R"({"b": 1, "a": 2})", "s.json");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->dump(), R"({"b":1,"a":2})");
}

}  // namespace
}  // namespace sre_eval
